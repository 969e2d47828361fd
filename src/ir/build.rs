//! Spec → IR: one tool per operation, with names, parameters, schemas, types and security.
//!
//! This file holds the build's driver ([`build`]), the upstream server and strategy checks, and
//! the naming reserved before the walk; the walk over operations is in `operations.rs` and each
//! tool's assembly in `tool.rs`.

use std::collections::HashMap;

use serde_json::Value;

use super::model::{Api, OAuthFlowKind, SecurityScheme, Server, Source};
use super::operations::{
    OperationRef, duplicate_operation_ids, normalized_template, operations, path_items,
};
use super::rust_types::TypeSpace;
use super::schema::Converter;
use super::{filter, scopes, security, servers};
use crate::error::{Diagnostic, Location, Result, pointer_join};
use crate::load::Spec;
use crate::naming::{self, Namer, ToolNamer};
use crate::options::Options;

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
        global_security: spec.head.security.as_ref(),
        fixed_names: HashMap::new(),
        fixed_descriptions: HashMap::new(),
        flatten_body: options.flatten_body,
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
        None => servers::servers(&spec.head),
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
    let security_schemes = security::schemes(doc);
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
    let info = &spec.head.info;
    let mut api = Api {
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
        scope_implies: options
            .scope_map
            .implies
            .iter()
            .map(|(scope, implied)| (scope.clone(), implied.clone()))
            .collect(),
        default_issuer,
        tools,
        resources: Vec::new(),
        types: builder.types,
        schemas: builder.converter.take_table(),
        skipped: Vec::new(),
        filtered,
        warnings,
    };
    super::resources::attach(&mut api, &options.resources, &spec.file)?;
    Ok(api)
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
        let asks_consent = match scheme {
            SecurityScheme::OAuth2 { flows } => flows.iter().any(|f| {
                f.kind == OAuthFlowKind::AuthorizationCode
                    && f.authorization_url.is_some()
                    && f.token_url.is_some()
            }),
            SecurityScheme::OpenIdConnect { .. } => true,
            _ => false,
        };
        if obtains_tokens && !asks_consent && strategy == "user-consent" {
            errors.push(
                Diagnostic::new(
                    Location::new(file, pointer.clone()),
                    format!("`{name}` cannot use the `user-consent` strategy: it has no authorization code flow with an authorizationUrl and a tokenUrl"),
                )
                .hint("users consent through the authorization code flow; use `client-credentials` or `token-exchange` for this scheme"),
            );
        }
        if !obtains_tokens
            && matches!(
                strategy.as_str(),
                "client-credentials" | "token-exchange" | "user-consent"
            )
        {
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

/// The state of one build, kept across operations: the schema converter, the type space, the
/// namers (so names stay unique across tools) and the warnings. Its fields are `pub(super)` because
/// the tool assembly (`tool.rs`) reads and updates them.
pub(super) struct Builder<'a> {
    pub(super) doc: &'a Value,
    pub(super) file: &'a str,
    pub(super) converter: Converter<'a>,
    pub(super) types: TypeSpace,
    pub(super) tool_names: ToolNamer,
    /// Rust item names of every tool, one namer per kind of item.
    pub(super) args_types: Namer,
    pub(super) statics: Namer,
    pub(super) build_fns: Namer,
    pub(super) warnings: Vec<Diagnostic>,
    pub(super) global_security: Option<&'a Vec<openapiv3::SecurityRequirement>>,
    /// Names fixed before naming starts: the user's renames and the lock file's, by
    /// `METHOD /path`.
    pub(super) fixed_names: HashMap<String, String>,
    /// Descriptions the user chose, by `METHOD /path`.
    pub(super) fixed_descriptions: HashMap<String, String>,
    /// Whether JSON object bodies become top-level arguments where that is exact (`ir::flat`).
    pub(super) flatten_body: bool,
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
            let renamed = pick(&options.tools.renames, label, id.as_deref(), base);
            if let Some(description) = pick(&options.tools.descriptions, label, id.as_deref(), base)
            {
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
            .tools
            .renames
            .keys()
            .chain(options.tools.descriptions.keys())
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
}
