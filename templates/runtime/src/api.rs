//! What a generated crate tells the runtime about its API: one static [`ApiDef`] holding one
//! [`ToolDef`] per OpenAPI operation. Everything here is `'static` data so a generated crate
//! declares its tools as plain statics, with no start-up work beyond parsing schemas lazily.
//! The [`Hooks`] the user writes around every call are defined here too (see the comment above
//! them), and re-exported by [`super::hooks`].

use rmcp::model::{CallToolResult, ReadResourceResult};

use super::errors::ArgError;
use super::identity::Identity;
use super::request::Request;

// `Method` is a field of both `ToolDef` and `Request`; it lives with the request (a layer below)
// and is re-exported here, beside the tool table that code has always imported it with.
pub use super::request::Method;

/// A JSON object, as MCP tool arguments arrive.
pub type JsonObject = serde_json::Map<String, serde_json::Value>;

/// The whole API as the generator saw it.
pub struct ApiDef {
    /// The generated crate's name, used as the MCP server name.
    pub name: &'static str,
    /// The generated crate's version.
    pub version: &'static str,
    /// `info.title` of the spec.
    pub title: &'static str,
    /// `info.version` of the spec.
    pub api_version: &'static str,
    /// Instructions for the model, from `info.description` (trimmed, bounded).
    pub instructions: Option<&'static str>,
    /// The upstream base URL when neither `--upstream-url` nor `MCP_UPSTREAM_URL` is set: the spec's
    /// first server with its variables filled with their defaults.
    pub default_upstream_url: Option<&'static str>,
    /// One entry per tool, in a stable order.
    pub tools: &'static [&'static ToolDef],
    /// The operations also (or only) offered as MCP resources, in a stable order.
    pub resources: &'static [ResourceDef],
    /// Every OAuth scope the tools use (RFC 9728 `scopes_supported`).
    pub scopes_supported: &'static [&'static str],
    /// The authorization server's scope hierarchy (`mcpwright generate --scope-implies`): each
    /// scope with the scopes it grants. Every scope check counts a token's scopes with the ones
    /// they imply.
    pub scope_implies: &'static [(&'static str, &'static [&'static str])],
    /// The authorization server when `--issuer` / `MCP_AUTH_ISSUER` is not set: the issuer of the
    /// spec's OpenID Connect scheme, if it has one.
    pub default_issuer: Option<&'static str>,
    /// The spec's security schemes: how the upstream API wants to be authenticated.
    pub schemes: &'static [SchemeDef],
    /// The user's hooks around every call (`src/hooks.rs` in a generated crate).
    pub hooks: &'static dyn Hooks,
    /// The tool mode when `--tool-mode` / `MCP_TOOL_MODE` is not given.
    pub default_tool_mode: ToolMode,
    /// Search mode's index, built by mcpwright with the tools (`src/search_index.tsv`; see
    /// [`super::search_index`]).
    pub search_index: &'static str,
}

pub use super::schema_defs::{Schema, SchemaTable};
pub use super::search_tools::{AUTO_SEARCH_ABOVE, ToolMode};

impl std::fmt::Debug for ApiDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiDef")
            .field("name", &self.name)
            .field("tools", &self.tools.len())
            .finish_non_exhaustive()
    }
}

impl ApiDef {
    /// The security scheme called `name`, if any.
    pub fn scheme(&self, name: &str) -> Option<&'static SchemeDef> {
        self.schemes.iter().find(|scheme| scheme.name == name)
    }

    /// The tool called `name`, if any.
    pub fn tool(&self, name: &str) -> Option<&'static ToolDef> {
        self.tools.iter().copied().find(|tool| tool.name == name)
    }
}

/// One MCP tool, mapped from one OpenAPI operation.
pub struct ToolDef {
    /// The MCP tool name (at most 64 characters of `[A-Za-z0-9_-]`).
    pub name: &'static str,
    /// A human-readable title, from the operation's summary.
    pub title: Option<&'static str>,
    /// Never empty.
    pub description: &'static str,
    /// The HTTP method of the operation.
    pub method: Method,
    /// The path template as written in the spec, e.g. `/pets/{petId}`.
    pub path: &'static str,
    /// The tool's input schema, a JSON object schema, stored in parts ([`Schema`]).
    pub input_schema: Schema,
    /// The tool's output schema, when the success response has a JSON schema.
    pub output_schema: Option<Schema>,
    /// How a JSON success body becomes `structuredContent`.
    pub output: OutputShape,
    /// Hints derived from the HTTP method.
    pub annotations: Annotations,
    /// The `Accept` header to send, from the success responses' media types.
    pub accept: Option<&'static str>,
    /// The upstream credentials the operation accepts: alternatives (the first one whose
    /// credentials are configured is used), each a list of schemes (all applied) with the scopes
    /// to ask for. Empty: no credentials.
    pub security: &'static [&'static [SchemeUse]],
    /// The OAuth scopes a caller needs: alternatives (any one will do), each a list of scopes
    /// (all needed). Empty: any authenticated caller.
    pub scopes: &'static [&'static [&'static str]],
    /// Turns validated arguments into the upstream request, through the tool's typed argument
    /// struct.
    pub build: fn(JsonObject) -> Result<Request, ArgError>,
}

impl std::fmt::Debug for ToolDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolDef")
            .field("name", &self.name)
            .field("method", &self.method)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// An MCP resource (or resource template) read through a `GET` operation: `resources/read` of a
/// URI that matches `uri_template` calls `tool` with the URI's variables as its arguments, through
/// the same validation, credentials, scopes and hooks as a tool call.
#[derive(Debug)]
pub struct ResourceDef {
    /// An RFC 6570 URI template ([`super::uri_template`]); without variables, one resource.
    pub uri_template: &'static str,
    /// The operation it reads. A resource-only operation is not in [`ApiDef::tools`].
    pub tool: &'static ToolDef,
    /// The template's variables, each with the argument it fills.
    pub variables: &'static [UriVariable],
    /// The media type of the operation's success response, when it has one.
    pub mime_type: Option<&'static str>,
}

/// One variable of a resource template.
#[derive(Debug)]
pub struct UriVariable {
    /// The name in the template.
    pub name: &'static str,
    /// The tool argument it fills.
    pub argument: &'static str,
    /// How the text in the URI becomes the argument's JSON value.
    pub kind: ValueKind,
    /// The argument is an array: the text is a comma-separated list (or the query variable is
    /// repeated).
    pub list: bool,
    /// Values `completion/complete` offers: the parameter's `enum`, else its examples.
    pub completions: &'static [&'static str],
}

/// The JSON type a URI variable's text is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    String,
    Integer,
    Number,
    Boolean,
    /// Any JSON value: the text is parsed as JSON when it is, else taken as a string.
    Json,
}

/// One scheme of a security requirement, with the scopes it asks for.
pub type SchemeUse = (&'static str, &'static [&'static str]);

/// A security scheme of the spec, and the prefix of its credential settings
/// (`<PREFIX>_API_KEY`, `<PREFIX>_CLIENT_ID`, …).
#[derive(Debug)]
pub struct SchemeDef {
    /// The scheme's name in the spec.
    pub name: &'static str,
    /// The scheme's name in SCREAMING_SNAKE_CASE.
    pub env_prefix: &'static str,
    pub kind: SchemeKind,
    /// The credential strategy chosen at generation (`<SCHEME>_STRATEGY` overrides it).
    pub default_strategy: Option<&'static str>,
}

/// What a security scheme asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeKind {
    /// An API key in a header, query parameter or cookie of this name.
    ApiKey {
        name: &'static str,
        location: KeyLocation,
    },
    /// `Authorization: Bearer <token>`.
    HttpBearer,
    /// `Authorization: Basic <user:password>`.
    HttpBasic,
    /// Another HTTP authentication scheme (digest, negotiate, …), which cannot be configured.
    HttpOther { scheme: &'static str },
    /// OAuth 2: the client-credentials token URL when the scheme has that flow, whether it has
    /// a flow acting for a user (authorization code, implicit, password), and the authorization
    /// code flow's endpoints, with which this server can ask each user's consent (`user-consent`).
    OAuth2 {
        client_credentials_url: Option<&'static str>,
        user_flows: bool,
        authorization_code: Option<CodeFlow>,
    },
    /// OpenID Connect, with its discovery URL.
    OpenIdConnect { discovery_url: &'static str },
}

/// The endpoints of an OAuth 2 authorization code flow, as the spec gives them (relative URLs are
/// resolved against the upstream server).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeFlow {
    pub authorization_url: &'static str,
    pub token_url: &'static str,
    /// Where refresh tokens are redeemed, when not at `token_url`.
    pub refresh_url: Option<&'static str>,
}

/// Where an API key goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyLocation {
    Header,
    Query,
    Cookie,
}

/// How a JSON success body is returned as `structuredContent`, which MCP requires to be an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputShape {
    /// The body is used as it is (its schema's root is an object).
    Object,
    /// The body is wrapped as `{"result": body}` (its schema's root is an array or a scalar).
    Wrapped,
}

/// The key under which [`OutputShape::Wrapped`] puts a non-object body.
pub const WRAPPED_KEY: &str = "result";

/// MCP tool annotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Annotations {
    pub read_only: bool,
    pub destructive: bool,
    pub idempotent: bool,
    pub open_world: bool,
}

/// The annotations of the usual kinds of operations, named so that generated tools say which
/// kind they are in one line.
impl Annotations {
    /// `GET`, `HEAD`, `OPTIONS`.
    pub const READ_ONLY: Annotations = Annotations::open(true, false, true);
    /// `POST`, `PATCH`: adds or changes, and twice is not the same as once.
    pub const ADDITIVE: Annotations = Annotations::open(false, false, false);
    /// `PUT`: replaces; twice is the same as once.
    pub const IDEMPOTENT: Annotations = Annotations::open(false, false, true);
    /// `DELETE`.
    pub const DESTRUCTIVE: Annotations = Annotations::open(false, true, true);

    const fn open(read_only: bool, destructive: bool, idempotent: bool) -> Annotations {
        Annotations {
            read_only,
            destructive,
            idempotent,
            open_world: true,
        }
    }
}

// The hooks are defined here, beside the tool table, rather than in `hooks`: `ApiDef` holds the
// crate's hooks and a hook's `Call` names its `ToolDef`, so the two refer to each other and one
// file must hold both for the modules to form no circle. `hooks` re-exports them under the path
// users know (`crate::runtime::hooks::Hooks`).

/// The call a hook runs for.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    pub tool: &'static ToolDef,
    /// The caller, over authenticated HTTP.
    pub identity: Option<&'a Identity>,
}

/// Hooks; every method has a default that changes nothing.
pub trait Hooks: Send + Sync + 'static {
    /// Runs before the arguments are validated: add defaults, rename, rewrite. An error is
    /// returned to the model as a tool error.
    fn arguments(&self, call: &Call<'_>, arguments: &mut JsonObject) -> Result<(), ArgError> {
        let _ = (call, arguments);
        Ok(())
    }

    /// Runs before the request is sent, before credentials are added: adjust headers, query or
    /// body.
    fn request(&self, call: &Call<'_>, request: &mut Request) -> Result<(), ArgError> {
        let _ = (call, request);
        Ok(())
    }

    /// Runs on every result, errors included: redact, reshape, annotate.
    fn result(&self, call: &Call<'_>, result: &mut CallToolResult) {
        let _ = (call, result);
    }

    /// Runs on every successful `resources/read` of an operation offered as a resource (which
    /// does not go through [`Hooks::result`]): redact, reshape, annotate its contents.
    fn resource(&self, call: &Call<'_>, result: &mut ReadResourceResult) {
        let _ = (call, result);
    }
}

/// No hooks at all.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHooks;

impl Hooks for NoHooks {}
