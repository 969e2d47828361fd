//! Spec → IR: one tool per operation, with names, parameters, schemas, types and security.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::{Map, Value, json};

use super::media::{self, SpecBody};
use super::model::{
    Annotations, Api, Body, BodyKind, Method, Output, Param, ParamLocation, ParamStyle,
    SecurityScheme, Server, Source, Tool, ToolRustNames, ToolSchema,
};
use super::options::Options;
use super::params::{self, SpecParam};
use super::rust_types::{RustType, TypeSpace};
use super::schema::{Converter, Defs, Mode};
use super::{filter, scopes, security, servers};
use crate::error::{Diagnostic, Location, Result, pointer_join};
use crate::load::{Spec, refs};
use crate::naming::{self, Namer, ToolNamer};

/// Operation keys of a path item, as OpenAPI 3.0 names them.
const METHODS: [(&str, Method); 8] = [
    ("get", Method::Get),
    ("put", Method::Put),
    ("post", Method::Post),
    ("delete", Method::Delete),
    ("options", Method::Options),
    ("head", Method::Head),
    ("patch", Method::Patch),
    ("trace", Method::Trace),
];

/// Builds the IR of a loaded spec.
pub fn build(spec: &Spec, options: &Options) -> Result<Api> {
    let doc = &spec.raw;
    let mut builder = Builder {
        doc,
        file: &spec.file,
        converter: Converter::new(doc, &spec.file),
        types: TypeSpace::new(),
        tool_names: ToolNamer::new(),
        args_types: Namer::new(),
        statics: Namer::new(),
        build_fns: Namer::new(),
        warnings: spec.warnings.clone(),
        global_security: spec.doc.security.as_ref(),
        fixed_names: HashMap::new(),
        fixed_descriptions: HashMap::new(),
    };
    builder.warnings.extend(duplicate_operation_ids(spec));
    builder.reserve_names(options);
    let mut errors = Vec::new();
    let servers = match &options.upstream_url {
        Some(url) => match upstream_override(url) {
            Ok(server) => vec![server],
            Err(diagnostic) => {
                errors.push(diagnostic);
                Vec::new()
            }
        },
        None => servers::servers(&spec.doc),
    };
    let mut filtered = Vec::new();
    let mut tools = Vec::new();
    for (path, path_item, path_pointer) in path_items(doc, &spec.file, &mut builder.warnings) {
        for (key, method) in operations(path_item) {
            if let Some(operation) = path_item.get(key).filter(|op| op.is_object()) {
                if !options.filters.is_empty()
                    && !filter::keeps(&options.filters, operation, method, path)
                {
                    filtered.push(format!("{} {path}", method.as_str()));
                    continue;
                }
                let op_pointer = pointer_join(&path_pointer, key);
                let operation = OperationRef {
                    path: normalized_template(path),
                    method,
                    operation,
                    pointer: op_pointer,
                    path_item,
                    path_pointer: path_pointer.clone(),
                };
                tools.push(builder.tool(&operation));
            }
        }
    }
    builder.types.finish();
    let security_schemes = security::schemes(&spec.doc, doc);
    errors.extend(check_strategies(
        &options.strategies,
        &security_schemes,
        &spec.file,
    ));
    if let Some(first) = errors.into_iter().next() {
        return Err(first.into());
    }
    let mut scopes_supported: Vec<String> = Vec::new();
    for tool in &mut tools {
        tool.scopes = scopes::tool_scopes(&tool.security, &security_schemes, &options.scope_map);
        for scope in tool.scopes.iter().flatten() {
            if !scopes_supported.contains(scope) {
                scopes_supported.push(scope.clone());
            }
        }
    }
    let default_issuer = security_schemes.values().find_map(|scheme| match scheme {
        SecurityScheme::OpenIdConnect { url } => scopes::issuer_of(url),
        _ => None,
    });
    let mut warnings = builder.warnings;
    warnings.append(&mut builder.converter.warnings);
    let info = &spec.doc.info;
    Ok(Api {
        source: Source {
            file_name: std::path::Path::new(&spec.file).file_name().map_or_else(
                || spec.file.clone(),
                |name| name.to_string_lossy().into_owned(),
            ),
            version: spec.version,
            hash: spec.hash.clone(),
        },
        title: info.title.trim().to_owned(),
        api_version: info.version.trim().to_owned(),
        description: info
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned),
        servers,
        scheme_strategies: options.strategies.clone(),
        scheme_prefixes: security::prefixes(&security_schemes),
        security_schemes,
        scopes_supported,
        default_issuer,
        tools,
        types: builder.types,
        schemas: builder.converter.take_table(),
        skipped: Vec::new(),
        filtered,
        warnings,
    })
}

/// The server chosen with `--upstream-url` (or `upstream_url` in `mcpwright.toml`).
fn upstream_override(url: &str) -> std::result::Result<Server, Diagnostic> {
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !url.contains(char::is_whitespace) => Ok(Server {
            url: url.to_owned(),
            description: None,
        }),
        _ => Err(Diagnostic::new(
            Location::new("--upstream-url", ""),
            format!("`{url}` is not an absolute http(s) URL"),
        )
        .hint("give the API's base URL, like https://api.example.com/v1")),
    }
}

/// Strategies chosen at generation must name a scheme of the spec, and one that can use them:
/// only OAuth 2 and OpenID Connect schemes obtain tokens.
fn check_strategies(
    strategies: &std::collections::BTreeMap<String, String>,
    schemes: &indexmap::IndexMap<String, SecurityScheme>,
    file: &str,
) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    for (name, strategy) in strategies {
        let pointer = pointer_join("/components/securitySchemes", name);
        let Some(scheme) = schemes.get(name) else {
            let diagnostic = Diagnostic::new(
                Location::new(file, "/components/securitySchemes"),
                format!(
                    "a credential strategy is set for `{name}`, which is not a security scheme of the spec"
                ),
            );
            errors.push(
                match crate::suggest::closest(name, schemes.keys().map(String::as_str)) {
                    Some(close) => diagnostic.hint(format!("did you mean `{close}`?")),
                    None => diagnostic.hint(format!(
                        "the spec's schemes are: {}",
                        schemes.keys().cloned().collect::<Vec<_>>().join(", ")
                    )),
                },
            );
            continue;
        };
        let obtains_tokens = matches!(
            scheme,
            SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIdConnect { .. }
        );
        if !obtains_tokens && matches!(strategy.as_str(), "client-credentials" | "token-exchange") {
            errors.push(
                Diagnostic::new(
                    Location::new(file, pointer),
                    format!("`{name}` cannot use the `{strategy}` strategy: only OAuth 2 and OpenID Connect schemes obtain tokens"),
                )
                .hint("use `static` (a configured secret) or `passthrough`"),
            );
        }
    }
    errors
}

/// Duplicate operationIds make tool names ambiguous. They are warnings: the later operation's
/// tool gets a distinct name, and `--strict` turns the warning into an error.
fn duplicate_operation_ids(spec: &Spec) -> Vec<Diagnostic> {
    let mut seen: HashMap<&str, String> = HashMap::new();
    let mut warnings = Vec::new();
    let mut ignored = Vec::new();
    for (path, item, path_pointer) in path_items(&spec.raw, &spec.file, &mut ignored) {
        for (key, method) in operations(item) {
            let Some(id) = item
                .get(key)
                .and_then(|op| op.get("operationId"))
                .and_then(Value::as_str)
            else {
                continue;
            };
            let label = format!("{} {path}", method.as_str());
            if let Some(first) = seen.get(id) {
                let pointer = format!("{}/operationId", pointer_join(&path_pointer, key));
                let location = Location::new(&spec.file, pointer).with_operation(&label);
                warnings.push(
                    Diagnostic::new(location, format!("operationId `{id}` is also used by {first}; this tool gets a distinct name"))
                        .hint("operationIds must be unique; rename one of them in the spec"),
                );
            } else {
                seen.insert(id, label);
            }
        }
    }
    warnings
}

/// A path template with JAX-RS style patterns (`{metrics:.*}`) and spaces (`{ id }`) reduced to
/// the parameter names OpenAPI means (`{metrics}`, `{id}`): the pattern is the server's business.
fn normalized_template(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        let Some(close) = rest.find('}') else { break };
        let name = rest[..close].split(':').next().unwrap_or_default().trim();
        out.push_str(name);
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// The operations of a path item, in the order the spec lists them.
fn operations(path_item: &Value) -> Vec<(&str, Method)> {
    let Some(map) = path_item.as_object() else {
        return Vec::new();
    };
    map.keys()
        .filter_map(|key| {
            METHODS
                .iter()
                .find(|(name, _)| name == key)
                .map(|&(name, method)| (name, method))
        })
        .collect()
}

/// The path items of the spec, in order, with `$ref`s followed.
fn path_items<'a>(
    doc: &'a Value,
    file: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<(&'a str, &'a Value, String)> {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, item) in paths {
        if path.starts_with("x-") {
            continue;
        }
        let pointer = pointer_join("/paths", path);
        match refs::follow(doc, item, pointer.clone()) {
            Some((item, _)) => out.push((path.as_str(), item, pointer)),
            None => warnings.push(Diagnostic::new(
                Location::new(file, pointer),
                "path item reference cannot be followed; path left out",
            )),
        }
    }
    out
}

/// One operation being turned into a tool.
struct OperationRef<'a> {
    path: String,
    method: Method,
    operation: &'a Value,
    pointer: String,
    path_item: &'a Value,
    path_pointer: String,
}

struct Builder<'a> {
    doc: &'a Value,
    file: &'a str,
    converter: Converter<'a>,
    types: TypeSpace,
    tool_names: ToolNamer,
    /// Rust item names of every tool, one namer per kind of item.
    args_types: Namer,
    statics: Namer,
    build_fns: Namer,
    warnings: Vec<Diagnostic>,
    global_security: Option<&'a Vec<openapiv3::SecurityRequirement>>,
    /// Names fixed before naming starts: the user's renames and the lock file's, by
    /// `METHOD /path`.
    fixed_names: HashMap<String, String>,
    /// Descriptions the user chose, by `METHOD /path`.
    fixed_descriptions: HashMap<String, String>,
}

impl<'a> Builder<'a> {
    /// Fixes the names the user chose and the names the lock file keeps (for operations that still
    /// exist), and reserves them, so a new operation never takes an existing tool's name. The
    /// user's choices are keyed by operationId, default tool name or `METHOD /path`; a key that
    /// matches no operation is a warning (it is usually a typo, or an operation the API dropped).
    fn reserve_names(&mut self, options: &Options) {
        let mut present = Vec::new();
        let mut ignored = Vec::new();
        for (path, item, _) in path_items(self.doc, self.file, &mut ignored) {
            for (key, method) in operations(item) {
                let id = item
                    .get(key)
                    .and_then(|op| op.get("operationId"))
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|id| !id.is_empty());
                let path = normalized_template(path);
                let base = naming::tool_name_base(id, method.as_str(), &path);
                let label = format!("{} {path}", method.as_str());
                present.push((label, id.map(str::to_owned), base));
            }
        }
        let mut used = std::collections::HashSet::new();
        let mut pick =
            |choices: &'_ HashMap<String, String>, label: &str, id: Option<&str>, base: &str| {
                let key = [id, Some(base), Some(label)]
                    .into_iter()
                    .flatten()
                    .find(|key| choices.contains_key(*key))?;
                used.insert(key.to_owned());
                choices.get(key).cloned()
            };
        for (label, id, base) in &present {
            let renamed = pick(&options.renames, label, id.as_deref(), base);
            if let Some(description) = pick(&options.descriptions, label, id.as_deref(), base) {
                self.fixed_descriptions
                    .insert(label.clone(), description.trim().to_owned());
            }
            let name = renamed.or_else(|| options.locked_names.get(label).cloned());
            if let Some(name) = name {
                self.tool_names.reserve(&name);
                self.fixed_names.insert(label.clone(), name);
            }
        }
        let mut unused: Vec<&String> = options
            .renames
            .keys()
            .chain(options.descriptions.keys())
            .filter(|key| !used.contains(key.as_str()))
            .collect();
        unused.sort();
        unused.dedup();
        for key in unused {
            let candidates = present
                .iter()
                .flat_map(|(label, id, base)| [Some(label), id.as_ref(), Some(base)])
                .flatten()
                .map(String::as_str);
            let diagnostic = Diagnostic::new(
                Location::new(self.file, "/paths"),
                format!("tool settings for `{key}` match no operation"),
            );
            self.warnings.push(match crate::suggest::closest(key, candidates) {
                Some(close) => diagnostic.hint(format!("did you mean `{close}`?")),
                None => diagnostic.hint(
                    "key tool settings by operationId, tool name or `METHOD /path` (see `mcpwright inspect`)",
                ),
            });
        }
    }

    fn tool(&mut self, op: &OperationRef<'a>) -> Tool {
        let label = format!("{} {}", op.method.as_str(), op.path);
        let location = Location::new(self.file, op.pointer.clone()).with_operation(&label);
        let text = |key: &str| {
            op.operation
                .get(key)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let operation_id = text("operationId").map(str::to_owned);
        let name = match self.fixed_names.get(label.as_str()) {
            Some(name) => name.clone(),
            None => self.tool_names.name(&naming::tool_name_base(
                operation_id.as_deref(),
                op.method.as_str(),
                &op.path,
            )),
        };
        let summary = text("summary");
        let deprecated = op
            .operation
            .get("deprecated")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let description = match self.fixed_descriptions.get(label.as_str()) {
            Some(chosen) => chosen.clone(),
            None => description(summary, text("description"), &label, deprecated),
        };
        let tags: Vec<String> = op
            .operation
            .get("tags")
            .and_then(Value::as_array)
            .map(|tags| {
                tags.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let module = tags
            .first()
            .map_or_else(|| "other".to_owned(), |tag| naming::module_ident(tag));

        let mut spec_params = params::collect(
            self.doc,
            op.path_item,
            &op.path_pointer,
            op.operation,
            &op.pointer,
            &location,
            &mut self.warnings,
        );
        self.reconcile_path_params(&op.path, &mut spec_params, &location);
        let spec_body = media::request_body(self.doc, op.operation, &op.pointer);

        let mut defs = Defs::default();
        let (params, body) = self.arguments(&spec_params, spec_body, &mut defs);
        let input_schema = self.input_schema(&params, body.as_ref(), &defs);

        let success = media::success(self.doc, op.operation, &op.pointer);
        let output = success.json_schema.map(|schema| self.output(schema));
        let accept = (!success.media_types.is_empty()).then(|| success.media_types.join(", "));

        let security_list = op
            .operation
            .get("security")
            .and_then(|s| serde_json::from_value(s.clone()).ok());
        let rust = ToolRustNames {
            args_type: self
                .args_types
                .unique(&format!("{}Args", naming::pascal_ident(&name)), ""),
            static_name: self.statics.unique(&naming::shouty_ident(&name), "_"),
            build_fn: self.build_fns.unique(&naming::snake_ident(&name), "_"),
        };
        Tool {
            name,
            operation_id,
            method: op.method,
            path: op.path.to_owned(),
            title: summary.map(str::to_owned),
            description,
            module,
            tags,
            deprecated,
            params,
            body,
            input_schema,
            output,
            accept,
            security: security::requirements(security_list.as_ref(), self.global_security),
            scopes: Vec::new(),
            annotations: Annotations::for_method(op.method),
            rust,
            label,
        }
    }

    /// Path parameters must match the template: undeclared template names become required string
    /// parameters, declared parameters missing from the template are dropped (both with warnings).
    fn reconcile_path_params(
        &mut self,
        path: &str,
        spec_params: &mut Vec<SpecParam<'a>>,
        location: &Location,
    ) {
        let names = params::template_names(path);
        spec_params.retain(|p| {
            let keep = p.location != ParamLocation::Path || names.contains(&p.wire_name.as_str());
            if !keep {
                self.warnings.push(Diagnostic::new(
                    Location {
                        pointer: p.pointer.clone(),
                        ..location.clone()
                    },
                    format!(
                        "path parameter `{}` does not appear in the path template; left out",
                        p.wire_name
                    ),
                ));
            }
            keep
        });
        for name in names {
            if !spec_params
                .iter()
                .any(|p| p.location == ParamLocation::Path && p.wire_name == name)
            {
                self.warnings.push(
                    Diagnostic::new(location.clone(), format!("path parameter `{name}` is used in the path but not declared; taken as a required string"))
                        .hint("declare it under `parameters` with `in: path`"),
                );
                spec_params.push(SpecParam {
                    pointer: location.pointer.clone(),
                    wire_name: name.to_owned(),
                    location: ParamLocation::Path,
                    style: ParamStyle::Simple,
                    explode: false,
                    allow_reserved: false,
                    required: true,
                    deprecated: false,
                    description: None,
                    schema: &STRING_SCHEMA,
                });
            }
        }
    }

    /// Names, schemas and types of the tool's arguments. Parameters keep their wire names where
    /// they can; when two locations share a name, the later location's argument is prefixed with
    /// it (`query_id`). Locations are named in the order path, query, header, cookie.
    fn arguments(
        &mut self,
        spec_params: &[SpecParam<'_>],
        spec_body: Option<SpecBody<'_>>,
        defs: &mut Defs,
    ) -> (Vec<Param>, Option<Body>) {
        let mut arg_names = Namer::new();
        let mut fields = Namer::new();
        let mut ordered: Vec<&SpecParam<'_>> = spec_params.iter().collect();
        ordered.sort_by_key(|p| p.location);
        let mut names: HashMap<(ParamLocation, &str), String> = HashMap::new();
        for p in &ordered {
            let base = naming::argument_base(&p.wire_name);
            let name = if arg_names.is_taken(&base) {
                arg_names.unique(
                    &naming::argument_base(&format!("{}_{}", p.location.as_str(), p.wire_name)),
                    "_",
                )
            } else {
                arg_names.unique(&base, "_")
            };
            names.insert((p.location, p.wire_name.as_str()), name);
        }
        let params = spec_params
            .iter()
            .map(|p| {
                let arg_name = names[&(p.location, p.wire_name.as_str())].clone();
                let mut schema = self.converter.convert(p.schema, Mode::Input, defs);
                annotate(&mut schema, p.description.as_deref(), p.deprecated);
                Param {
                    field: fields.unique(&naming::snake_ident(&arg_name), "_"),
                    arg_name,
                    wire_name: p.wire_name.clone(),
                    location: p.location,
                    style: p.style,
                    explode: p.explode,
                    allow_reserved: p.allow_reserved,
                    required: p.required,
                    description: p.description.clone(),
                    schema,
                    ty: self.types.type_of(self.doc, p.schema),
                }
            })
            .collect();
        let body = spec_body.map(|b| {
            // Swagger 2.0 named its body parameter; converters keep that name in
            // `x-codegen-request-body-name`, and it reads better than `body` (`book`, `order`).
            let preferred = b
                .name
                .as_deref()
                .map(naming::argument_base)
                .filter(|n| !arg_names.is_taken(n));
            let arg_name = preferred
                .or_else(|| {
                    ["body", "request_body"]
                        .into_iter()
                        .find(|n| !arg_names.is_taken(n))
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| "body".to_owned());
            let arg_name = arg_names.unique(&arg_name, "_");
            let mut schema = match b.kind {
                BodyKind::Binary => {
                    let mut schema = file_schema();
                    schema["description"] = json!(format!(
                        "The `{}` body: its bytes base64-encoded, or a local file.",
                        b.media_type
                    ));
                    schema
                }
                _ => self.converter.convert(b.schema, Mode::Input, defs),
            };
            let description = b.description.clone();
            annotate(&mut schema, description.as_deref(), false);
            let binary_fields = if b.kind == BodyKind::Multipart {
                binary_fields(self.doc, b.schema)
            } else {
                Vec::new()
            };
            Body {
                field: fields.unique(&naming::snake_ident(&arg_name), "_"),
                arg_name,
                // File content may be base64 text or `{"path": …}`: only `Value` holds both.
                ty: if b.kind == BodyKind::Binary || !binary_fields.is_empty() {
                    RustType::Value
                } else {
                    self.types.type_of(self.doc, b.schema)
                },
                media_type: b.media_type,
                kind: b.kind,
                required: b.required,
                description,
                schema,
                binary_fields,
            }
        });
        (params, body)
    }

    /// The tool's input schema: an object with one property per argument.
    fn input_schema(&mut self, params: &[Param], body: Option<&Body>, defs: &Defs) -> ToolSchema {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for (name, schema, is_required) in params
            .iter()
            .map(|p| (&p.arg_name, &p.schema, p.required))
            .chain(body.map(|b| (&b.arg_name, &b.schema, b.required)))
        {
            properties.insert(name.clone(), schema.clone());
            if is_required {
                required.push(Value::String(name.clone()));
            }
        }
        // Stored without the dialect and `additionalProperties: false`, which every input schema
        // has and assembly adds (`schema_defs::arguments_root`).
        let mut root = json!({"type": "object", "properties": properties});
        if !required.is_empty() {
            root["required"] = Value::Array(required);
        }
        let mut schema = self.converter.finish(root, Mode::Input, defs);
        schema.arguments = true;
        // File fields of a multipart body take base64 or a path: say so where the body's schema
        // is (inline, or a shared definition, which then gets a variant of its own).
        if let Some(body) = body.filter(|b| !b.binary_fields.is_empty()) {
            let target = schema.root["properties"][&body.arg_name]["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/$defs/"))
                .map(str::to_owned);
            let shared = target.and_then(|name| {
                schema.defs.iter().position(|&id| {
                    self.converter
                        .shared(id)
                        .is_some_and(|def| def.name == name)
                })
            });
            match shared {
                Some(at) => {
                    let Some(def) = self.converter.shared(schema.defs[at]) else {
                        return schema;
                    };
                    let (name, mut marked) = (def.name.clone(), def.body.clone());
                    mark_base64(&mut marked, &body.binary_fields);
                    schema.defs[at] = self.converter.intern(name, marked);
                }
                None => mark_base64(
                    &mut schema.root["properties"][&body.arg_name],
                    &body.binary_fields,
                ),
            }
        }
        schema
    }

    /// The output schema of a JSON success body; non-object roots are wrapped.
    fn output(&mut self, schema: &Value) -> Output {
        let mut defs = Defs::default();
        let converted = self.converter.convert(schema, Mode::Output, &mut defs);
        let wrapped = !media::is_object_schema(self.doc, schema);
        let root = if wrapped {
            json!({"type": "object", "properties": {"result": converted}, "required": ["result"]})
        } else {
            converted
        };
        // A root without a `type` (an `allOf` of objects, a `$ref`) gets `"type": "object"` when it
        // is assembled: the root of an output schema must say it is an object.
        let schema = self.converter.finish(root, Mode::Output, &defs);
        Output { schema, wrapped }
    }
}

/// The schema of a path parameter the spec forgot to declare.
static STRING_SCHEMA: LazyLock<Value> = LazyLock::new(|| json!({"type": "string"}));

/// The properties of a multipart body schema that hold files (`format: binary`, or arrays of them).
fn binary_fields(doc: &Value, schema: &Value) -> Vec<String> {
    let Some((schema, _)) = refs::follow(doc, schema, String::new()) else {
        return Vec::new();
    };
    let is_binary = |s: &Value| {
        let s = refs::follow(doc, s, String::new()).map_or(s, |(s, _)| s);
        s.get("format").and_then(Value::as_str) == Some("binary")
            || s.get("items")
                .and_then(|i| i.get("format"))
                .and_then(Value::as_str)
                == Some("binary")
    };
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .filter(|(_, p)| is_binary(p))
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Tells callers that file fields of a multipart body take base64 content.
fn mark_base64(schema: &mut Value, fields: &[String]) {
    for field in fields {
        let Some(prop) = schema
            .get_mut("properties")
            .and_then(|p| p.get_mut(field.as_str()))
        else {
            continue;
        };
        let target = if prop.get("type").and_then(Value::as_str) == Some("array") {
            prop.get_mut("items")
        } else {
            Some(prop)
        };
        if let Some(target) = target {
            let description = target.get("description").cloned();
            *target = file_schema();
            if let Some(description) = description {
                target["description"] = description;
            }
        }
    }
}

/// A file argument: its bytes base64-encoded, or `{"path": …}` naming a file in a directory the
/// server's operator allows (`MCP_FILE_ROOTS`).
fn file_schema() -> Value {
    json!({
        "description": "The file: its bytes base64-encoded, or {\"path\": …} naming a file the server may read.",
        "anyOf": [
            {"type": "string", "contentEncoding": "base64"},
            {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"], "additionalProperties": false}
        ]
    })
}

/// Adds a parameter's own description and deprecation to its schema.
fn annotate(schema: &mut Value, description: Option<&str>, deprecated: bool) {
    let Value::Object(map) = schema else { return };
    if let Some(description) = description {
        map.insert("description".into(), Value::String(description.to_owned()));
    }
    if deprecated {
        map.insert("deprecated".into(), Value::Bool(true));
    }
}

/// Summary and description, trimmed and never empty.
fn description(
    summary: Option<&str>,
    description: Option<&str>,
    label: &str,
    deprecated: bool,
) -> String {
    let text = match (summary, description) {
        (Some(s), Some(d)) if d.starts_with(s) => d.to_owned(),
        (Some(s), Some(d)) => format!("{s}\n\n{d}"),
        (Some(s), None) => s.to_owned(),
        (None, Some(d)) => d.to_owned(),
        (None, None) => label.to_owned(),
    };
    if deprecated {
        format!("Deprecated. {text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_lose_their_patterns() {
        assert_eq!(
            normalized_template("/metrics/{metrics:.*}"),
            "/metrics/{metrics}"
        );
        assert_eq!(
            normalized_template("/a/{ id }/b/{v:[0-9]+}.json"),
            "/a/{id}/b/{v}.json"
        );
        assert_eq!(normalized_template("/plain"), "/plain");
        assert_eq!(normalized_template("/broken/{x"), "/broken/{x");
    }
}
