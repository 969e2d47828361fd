//! The IR's data: the API, its tools with their parameters, bodies and schemas, its servers and
//! security. Plain types that every stage shares; the logic that builds them lives in the sibling
//! modules, which import these, so this file imports none of them (only the type space and the
//! runtime's schema assembly, which are leaves too).

use indexmap::IndexMap;
use serde_json::Value;

use super::rust_types::{RustType, TypeSpace};
use super::schema_defs;
use crate::error::Diagnostic;
use crate::load::SpecVersion;

/// The whole API.
#[derive(Debug, Clone)]
pub struct Api {
    /// Where the spec came from.
    pub source: Source,
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub api_version: String,
    /// `info.description`, trimmed.
    pub description: Option<String>,
    /// The spec's servers, with variables filled with their defaults.
    pub servers: Vec<Server>,
    /// Security schemes by their name in the spec.
    pub security_schemes: IndexMap<String, SecurityScheme>,
    /// Default credential strategies chosen at generation, by scheme name.
    pub scheme_strategies: std::collections::BTreeMap<String, String>,
    /// The prefix of each scheme's credential settings (`HubAuth` → `HUB_AUTH`, for
    /// `HUB_AUTH_API_KEY` and so on), by scheme name.
    pub scheme_prefixes: IndexMap<String, String>,
    /// Every OAuth scope the tools need (after scope mapping), in first-use order.
    pub scopes_supported: Vec<String>,
    /// The authorization server's scope hierarchy: each scope with the scopes it grants.
    pub scope_implies: Vec<(String, Vec<String>)>,
    /// The authorization server of the spec's OpenID Connect scheme, if it has one.
    pub default_issuer: Option<String>,
    /// One tool per operation, in spec order (resource-only ones included, not [`Tool::listed`]).
    pub tools: Vec<Tool>,
    /// The `GET` operations also (or only) offered as MCP resources, in spec order.
    pub resources: Vec<Resource>,
    /// Named Rust types used by tool arguments.
    pub types: TypeSpace,
    /// Every distinct schema definition the tools' schemas reach, each once; [`ToolSchema::defs`]
    /// are indices into it.
    pub schemas: Vec<SharedSchema>,
    /// Operations that did not become tools, with the reason.
    pub skipped: Vec<Diagnostic>,
    /// Operations left out by the filters, as `METHOD /path`.
    pub filtered: Vec<String>,
    /// Problems that did not stop generation.
    pub warnings: Vec<Diagnostic>,
}

/// A tool schema as the generated crate stores it: the root, whose `$ref`s (`#/$defs/<name>`)
/// name shared definitions, and the ids in [`Api::schemas`] of every definition it reaches, in
/// the spec's order. Clients see [`Api::assemble`]'s result, built the same way by the server.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSchema {
    pub root: Value,
    pub defs: Vec<u32>,
    /// A tool's input: its root is stored without the dialect and `additionalProperties`, which
    /// every input has (`schema_defs::arguments_root` adds them).
    pub arguments: bool,
}

/// One distinct schema definition: written once per crate, shared by the tools that reach it.
#[derive(Debug, Clone)]
pub struct SharedSchema {
    /// Its key in `$defs`, the same for every tool. A name can have several bodies: arguments
    /// and results convert differently, and a multipart body's file fields are marked.
    pub name: String,
    pub body: Value,
    /// `body` as compact JSON, as the crate stores it.
    pub text: String,
}

impl Api {
    /// The tools `tools/list` shows (all but the resource-only ones), in order: the runtime's
    /// tool table and search index hold these.
    pub fn listed(&self) -> impl Iterator<Item = &Tool> {
        self.tools.iter().filter(|tool| tool.listed)
    }

    /// How many tools [`Api::listed`] gives.
    pub fn listed_count(&self) -> usize {
        self.listed().count()
    }

    /// The self-contained schema clients see for `schema`.
    pub fn assemble(&self, schema: &ToolSchema) -> Value {
        let bodies: Vec<(&str, &Value)> = schema
            .defs
            .iter()
            .filter_map(|&id| self.schemas.get(id as usize))
            .map(|def| (def.name.as_str(), &def.body))
            .collect();
        let root = if schema.arguments {
            schema_defs::arguments_root(schema.root.clone())
        } else {
            schema.root.clone()
        };
        schema_defs::tool_schema(root, &bodies)
    }
}

/// The spec a model was built from.
#[derive(Debug, Clone)]
pub struct Source {
    /// The spec's file name (without directories, so output does not depend on where it lives).
    pub file_name: String,
    pub version: SpecVersion,
    /// SHA-256 of the spec's bytes, hex.
    pub hash: String,
}

/// A server the upstream API is reachable at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// The URL with variables filled with their defaults.
    pub url: String,
    pub description: Option<String>,
}

impl Server {
    /// Whether the URL names a host (relative server URLs need a base from configuration).
    pub fn is_absolute(&self) -> bool {
        self.url.starts_with("http://") || self.url.starts_with("https://")
    }
}

/// One MCP tool, from one operation.
#[derive(Debug, Clone)]
pub struct Tool {
    /// The MCP tool name.
    pub name: String,
    pub operation_id: Option<String>,
    pub method: Method,
    /// The path template as written in the spec.
    pub path: String,
    /// From the summary.
    pub title: Option<String>,
    /// Never empty.
    pub description: String,
    /// The module the tool's code goes into (from its first tag).
    pub module: String,
    /// The operation's tags.
    pub tags: Vec<String>,
    pub deprecated: bool,
    pub params: Vec<Param>,
    pub body: Option<Body>,
    /// The tool's input schema: a JSON Schema object, in parts ([`Api::assemble`] puts it together).
    pub input_schema: ToolSchema,
    /// The structured output, when the success response has a JSON schema.
    pub output: Option<Output>,
    /// The `Accept` header to send.
    pub accept: Option<String>,
    /// Alternatives (OR) of requirements (AND); empty means no security needed.
    pub security: Vec<SecurityRequirement>,
    /// The OAuth scopes a caller of the MCP tool needs: alternatives (OR) of scope lists (AND),
    /// from the requirements' oauth2 and openIdConnect schemes, after scope mapping. Empty: any
    /// authenticated caller.
    pub scopes: Vec<Vec<String>>,
    pub annotations: Annotations,
    /// Rust names of the tool's items.
    pub rust: ToolRustNames,
    /// `METHOD /path`, for messages.
    pub label: String,
    /// Whether `tools/list` shows it: false for an operation offered only as a resource.
    pub listed: bool,
}

/// A `GET` operation offered as an MCP resource: `resources/read` of a URI matching its template
/// calls the tool with the URI's variables as arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// Its operation's index in [`Api::tools`].
    pub tool: usize,
    pub uri: ResourceUri,
    /// The template's variables, in the operation's parameter order.
    pub variables: Vec<UriVariable>,
    /// The success response's media type, when it has exactly one.
    pub mime_type: Option<String>,
    /// Still listed as a tool too.
    pub also_tool: bool,
}

/// A resource's URI template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceUri {
    /// As the user wrote it.
    Given(String),
    /// Made from the path: this follows `<crate-name>://` (the crate's name is the emitter's).
    Default(String),
}

impl Resource {
    /// The URI template, for the crate called `crate_name`.
    pub fn uri_template(&self, crate_name: &str) -> String {
        match &self.uri {
            ResourceUri::Given(template) => template.clone(),
            // A URI scheme has no `_`, and is lowercase by convention.
            ResourceUri::Default(path) => {
                format!(
                    "{}://{path}",
                    crate_name.to_ascii_lowercase().replace('_', "-")
                )
            }
        }
    }
}

/// One variable of a resource's URI template.
#[derive(Debug, Clone, PartialEq)]
pub struct UriVariable {
    pub name: String,
    /// The argument it fills.
    pub argument: String,
    pub kind: ValueKind,
    /// The argument is an array.
    pub list: bool,
    /// Values `completion/complete` offers.
    pub completions: Vec<String>,
}

/// The JSON type a URI variable's text is read as (the runtime's `ValueKind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    String,
    Integer,
    Number,
    Boolean,
    Json,
}

impl ValueKind {
    /// The variant name of the runtime's `ValueKind`.
    pub fn variant(self) -> &'static str {
        match self {
            ValueKind::String => "String",
            ValueKind::Integer => "Integer",
            ValueKind::Number => "Number",
            ValueKind::Boolean => "Boolean",
            ValueKind::Json => "Json",
        }
    }
}

/// Rust names of one tool's generated items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolRustNames {
    /// The argument struct, e.g. `ListPetsArgs`.
    pub args_type: String,
    /// The `static` holding the tool definition, e.g. `LIST_PETS`.
    pub static_name: String,
    /// The request-building function, e.g. `list_pets`.
    pub build_fn: String,
}

/// HTTP methods of operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }

    /// The variant name of the runtime's `Method` enum.
    pub fn variant(self) -> &'static str {
        match self {
            Method::Get => "Get",
            Method::Put => "Put",
            Method::Post => "Post",
            Method::Delete => "Delete",
            Method::Options => "Options",
            Method::Head => "Head",
            Method::Patch => "Patch",
            Method::Trace => "Trace",
        }
    }
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParamLocation {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        }
    }
}

/// OpenAPI serialization styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamStyle {
    Simple,
    Label,
    Matrix,
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
}

/// One path, query, header or cookie parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// The name on the wire (in the path template, query string, header or cookie).
    pub wire_name: String,
    /// The property name in the tool's input schema.
    pub arg_name: String,
    /// The field of the argument struct.
    pub field: String,
    pub location: ParamLocation,
    pub style: ParamStyle,
    pub explode: bool,
    pub allow_reserved: bool,
    pub required: bool,
    pub description: Option<String>,
    /// The parameter's schema, as JSON Schema (its `$ref`s point into the tool's `$defs`).
    pub schema: Value,
    pub ty: RustType,
}

/// What kind of request body a media type calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    Form,
    Multipart,
    Text,
    Binary,
}

/// The request body.
#[derive(Debug, Clone)]
pub struct Body {
    /// The property name in the tool's input schema (unless the body is flat).
    pub arg_name: String,
    /// Whether the body's properties are the tool's own arguments, beside the parameters'
    /// (`flatten_body`; see `ir::flat`), rather than one argument.
    pub flat: bool,
    /// The field of the argument struct.
    pub field: String,
    /// The media type sent as `Content-Type`.
    pub media_type: String,
    pub kind: BodyKind,
    pub required: bool,
    pub description: Option<String>,
    pub schema: Value,
    pub ty: RustType,
    /// Multipart fields that carry files (`format: binary`), given to the tool as base64.
    pub binary_fields: Vec<String>,
}

/// The structured output of a tool.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// The `outputSchema`: a JSON Schema object, in parts.
    pub schema: ToolSchema,
    /// Whether the body is wrapped as `{"result": body}` (its root is not an object).
    pub wrapped: bool,
}

/// One security requirement: all of these schemes, each with its scopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityRequirement {
    pub schemes: Vec<(String, Vec<String>)>,
}

/// A security scheme, as the spec declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityScheme {
    ApiKey {
        name: String,
        location: ParamLocation,
    },
    Http {
        scheme: String,
        bearer_format: Option<String>,
    },
    OAuth2 {
        flows: Vec<OAuthFlow>,
    },
    OpenIdConnect {
        url: String,
    },
    MutualTls,
}

/// One OAuth 2 flow of a scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthFlow {
    pub kind: OAuthFlowKind,
    pub authorization_url: Option<String>,
    pub token_url: Option<String>,
    pub refresh_url: Option<String>,
    pub scopes: IndexMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthFlowKind {
    Implicit,
    Password,
    ClientCredentials,
    AuthorizationCode,
}

/// MCP tool annotations, from the HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Annotations {
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
}

impl Annotations {
    pub fn for_method(method: Method) -> Self {
        Annotations {
            read_only: matches!(method, Method::Get | Method::Head | Method::Options),
            destructive: matches!(method, Method::Delete),
            idempotent: matches!(
                method,
                Method::Get | Method::Head | Method::Options | Method::Put | Method::Delete
            ),
            open_world: true,
        }
    }
}
