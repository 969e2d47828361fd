//! The crate's non-Rust files, rendered from askama templates in `templates/crate/`.

use askama::Template;

use super::model::{Options, VERSION, lib_name};
use super::runtime;
use crate::error::{Error, Result};
use crate::ir::{Api, OAuthFlowKind, SecurityScheme};

#[derive(Template)]
#[template(path = "crate/Cargo.toml.j2", escape = "none")]
struct CargoToml<'a> {
    header: &'a str,
    name: &'a str,
    description: String,
    dependencies: &'a str,
}

#[derive(Template)]
#[template(path = "crate/README.md.j2", escape = "none")]
struct Readme<'a> {
    header: &'a str,
    name: &'a str,
    lib_name: String,
    title: &'a str,
    api_version: &'a str,
    description: Option<&'a str>,
    spec_file: &'a str,
    version: &'a str,
    upstream: Option<&'a str>,
    upstream_is_relative: bool,
    tools: Vec<ToolRow>,
    /// The operations offered as resources.
    resources: Vec<ResourceRow>,
    /// Every scope the tools use, space-separated.
    scopes: String,
    default_issuer: Option<&'a str>,
    schemes: Vec<SchemeRow>,
    /// A scheme can ask users' consent (an authorization code flow or OpenID Connect).
    consent: bool,
    /// The tool mode chosen at generation (`auto`, `search` or `operations`).
    tool_mode_setting: &'static str,
    /// Whether that setting serves search mode for this crate.
    searches: bool,
    /// Above how many tools `auto` serves search mode.
    auto_above: usize,
}

#[derive(Template)]
#[template(path = "crate/mcpwright-check.yml.j2", escape = "none")]
struct CheckWorkflow<'a> {
    header: &'a str,
    name: &'a str,
    version: &'a str,
    crate_dir: &'a str,
    spec: &'a str,
    /// Path filters (YAML-quoted) that trigger the check.
    watched: Vec<String>,
    /// The arguments of `mcpwright check`, shell-quoted.
    command_args: String,
}

/// `.github/workflows/mcpwright-check.yml`: `mcpwright check` on every change to the spec.
pub fn check_workflow(options: &Options, header: &str) -> Result<String> {
    let paths = &options.workflow;
    let mut watched = vec![paths.spec.clone()];
    watched.extend(paths.config.clone());
    watched.push(if paths.crate_dir == "." {
        "**".to_owned()
    } else {
        format!("{}/**", paths.crate_dir)
    });
    let mut args = vec![paths.spec.as_str(), "-o", paths.crate_dir.as_str()];
    if let (Some(config), true) = (&paths.config, paths.config_explicit) {
        args.extend(["--config", config.as_str()]);
    }
    let template = CheckWorkflow {
        header,
        name: &options.crate_name,
        version: VERSION,
        crate_dir: &paths.crate_dir,
        spec: &paths.spec,
        watched: watched.iter().map(|p| yaml_quote(p)).collect(),
        command_args: args
            .iter()
            .map(|a| shell_quote(a))
            .collect::<Vec<_>>()
            .join(" "),
    };
    rendered(template.render(), ".github/workflows/mcpwright-check.yml")
}

/// A single-quoted YAML scalar.
fn yaml_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A word for a POSIX shell: bare when it is plainly safe, else single-quoted.
fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=+,:@".contains(c));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[derive(Template)]
#[template(path = "crate/hooks.rs.j2", escape = "none")]
struct HooksRs<'a> {
    example_tool: &'a str,
}

/// The user's hooks file, created once (it carries no `@generated` header: it is theirs).
pub fn hooks_rs(api: &Api) -> Result<String> {
    let example_tool = api.listed().next().map_or("some_tool", |t| t.name.as_str());
    rendered(HooksRs { example_tool }.render(), "src/hooks.rs")
}

/// One security scheme and the settings that configure it.
struct SchemeRow {
    name: String,
    /// What the scheme is, in words.
    kind: String,
    /// The strategy used when `<PREFIX>_STRATEGY` is not set.
    default_strategy: &'static str,
    variables: Vec<(String, String)>,
    /// The tools whose requirements name the scheme.
    tools: String,
}

struct ToolRow {
    name: String,
    method: &'static str,
    path: String,
    summary: String,
    read_only: bool,
    /// The scopes the tool needs, e.g. `pets:read` or `a b` or `c` (alternatives).
    scopes: String,
}

/// One resource in the README's table.
struct ResourceRow {
    uri: String,
    operation: String,
    /// Also a tool.
    tool: bool,
    scopes: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "crate/env.example.j2", escape = "none")]
struct EnvExample<'a> {
    header: &'a str,
    upstream: Option<&'a str>,
    default_issuer: Option<&'a str>,
    schemes: Vec<SchemeRow>,
    /// A scheme can ask users' consent (an authorization code flow or OpenID Connect).
    consent: bool,
}

fn rendered(result: askama::Result<String>, path: &str) -> Result<String> {
    result
        .map(|mut text| {
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text
        })
        .map_err(|err| Error::Output {
            path: path.into(),
            message: format!("internal error rendering a template: {err}"),
        })
}

pub fn cargo_toml(api: &Api, options: &Options, header: &str) -> Result<String> {
    let description = format!(
        "MCP server for {} {}, generated by mcpwright",
        api.title, api.api_version
    );
    let template = CargoToml {
        header,
        name: &options.crate_name,
        // A JSON string is a valid TOML basic string, escapes included.
        description: serde_json::to_string(&description).unwrap_or_else(|_| "\"\"".into()),
        dependencies: runtime::dependencies(),
    };
    rendered(template.render(), "Cargo.toml")
}

pub fn readme(api: &Api, options: &Options, header: &str) -> Result<String> {
    let upstream = api.servers.first();
    let template = Readme {
        header,
        name: &options.crate_name,
        lib_name: lib_name(&options.crate_name),
        title: &api.title,
        api_version: &api.api_version,
        description: api.description.as_deref(),
        spec_file: &api.source.file_name,
        version: VERSION,
        upstream: upstream.map(|s| s.url.as_str()),
        upstream_is_relative: upstream.is_some_and(|s| !s.is_absolute()),
        tools: api
            .listed()
            .map(|tool| ToolRow {
                name: tool.name.clone(),
                method: tool.method.as_str(),
                path: tool.path.replace('|', "\\|"),
                summary: first_line(tool.title.as_deref().unwrap_or(&tool.description)),
                read_only: tool.annotations.read_only,
                scopes: scope_text(&tool.scopes),
            })
            .collect(),
        resources: api
            .resources
            .iter()
            .map(|resource| {
                let tool = &api.tools[resource.tool];
                ResourceRow {
                    uri: resource
                        .uri_template(&options.crate_name)
                        .replace('|', "\\|"),
                    operation: tool.label.replace('|', "\\|"),
                    tool: tool.listed,
                    scopes: scope_text(&tool.scopes),
                    summary: first_line(tool.title.as_deref().unwrap_or(&tool.description)),
                }
            })
            .collect(),
        scopes: api.scopes_supported.join(" "),
        default_issuer: api.default_issuer.as_deref(),
        schemes: scheme_rows(api),
        consent: can_ask_consent(api),
        tool_mode_setting: options.tool_mode.as_str(),
        searches: options.tool_mode.searches(api.listed_count()),
        auto_above: crate::search::AUTO_SEARCH_ABOVE,
    };
    rendered(template.render(), "README.md")
}

pub fn env_example(api: &Api, header: &str) -> Result<String> {
    let template = EnvExample {
        header,
        upstream: api.servers.first().map(|s| s.url.as_str()),
        default_issuer: api.default_issuer.as_deref(),
        schemes: scheme_rows(api),
        consent: can_ask_consent(api),
    };
    rendered(template.render(), ".env.example")
}

/// Whether a scheme can use `user-consent`: an authorization code flow, or OpenID Connect.
fn can_ask_consent(api: &Api) -> bool {
    api.security_schemes.values().any(|scheme| match scheme {
        SecurityScheme::OAuth2 { flows } => flows
            .iter()
            .any(|f| f.kind == OAuthFlowKind::AuthorizationCode),
        SecurityScheme::OpenIdConnect { .. } => true,
        _ => false,
    })
}

/// The security schemes with their settings, for the README and `.env.example`.
fn scheme_rows(api: &Api) -> Vec<SchemeRow> {
    api.security_schemes
        .iter()
        .map(|(name, scheme)| {
            let p = &api.scheme_prefixes[name];
            let var = |suffix: &str, text: &str| (format!("{p}_{suffix}"), text.to_owned());
            let oauth_vars = |token_url: Option<&str>| {
                let token_url = match token_url {
                    Some(url) => format!("the token endpoint (default: `{url}`)"),
                    None => "the token endpoint, when the API description gives none".to_owned(),
                };
                vec![
                    var("CLIENT_ID", "this server's OAuth client at the API's authorization server"),
                    var("CLIENT_SECRET", "that client's secret"),
                    var("TOKEN_URL", &token_url),
                    var("SCOPES", "scopes to ask for instead of the operation's (space-separated)"),
                    var("AUDIENCE", "the audience or resource to ask tokens for (token exchange: default the upstream URL)"),
                    var("TOKEN_AUTH_METHOD", "client_secret_basic (default) or client_secret_post"),
                    var("BEARER_TOKEN", "a fixed access token instead (the default over stdio for user flows)"),
                ]
            };
            let (kind, default_strategy, mut variables) = match scheme {
                SecurityScheme::ApiKey { name: key, location } => (
                    format!("API key in the {} `{key}`", location.as_str()),
                    "static",
                    vec![var("API_KEY", "the API key")],
                ),
                SecurityScheme::Http { scheme, .. } if scheme == "bearer" => {
                    ("HTTP bearer token".to_owned(), "static", vec![var("BEARER_TOKEN", "the bearer token")])
                }
                SecurityScheme::Http { scheme, .. } if scheme == "basic" => (
                    "HTTP basic authentication".to_owned(),
                    "static",
                    vec![var("USERNAME", "the user name"), var("PASSWORD", "the password")],
                ),
                SecurityScheme::Http { scheme, .. } => (format!("HTTP `{scheme}` authentication (not supported)"), "none", Vec::new()),
                SecurityScheme::MutualTls => ("mutual TLS (not supported)".to_owned(), "none", Vec::new()),
                SecurityScheme::OAuth2 { flows } => {
                    let cc = flows.iter().find(|f| f.kind == OAuthFlowKind::ClientCredentials);
                    let code = flows.iter().any(|f| f.kind == OAuthFlowKind::AuthorizationCode);
                    let names: Vec<&str> = flows.iter().map(|f| flow_name(f.kind)).collect();
                    let default = match (cc, code) {
                        (Some(_), _) => "client-credentials",
                        (None, true) => {
                            "over HTTP with OAuth, user-consent when the token URL is not the inbound issuer's \
                             (each user connects their own account) and token-exchange when it is; static over stdio"
                        }
                        (None, false) => "token-exchange over HTTP, static over stdio",
                    };
                    let token_url = cc.or_else(|| flows.first()).and_then(|f| f.token_url.as_deref());
                    let mut vars = oauth_vars(token_url);
                    if code {
                        vars.push(var("AUTHORIZATION_URL", "user-consent: the authorization endpoint, instead of the API description's"));
                        vars.push(var("REVOCATION_URL", "user-consent: where a disconnected user's token is revoked (default: from the authorization server's metadata, if it publishes any)"));
                    }
                    (format!("OAuth 2 ({})", names.join(", ")), default, vars)
                }
                SecurityScheme::OpenIdConnect { url } => (
                    format!("OpenID Connect (`{url}`)"),
                    "token-exchange over HTTP, static over stdio",
                    oauth_vars(None),
                ),
            };
            let strategies = if matches!(scheme, SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIdConnect { .. }) {
                "static, client-credentials, token-exchange, user-consent (authorization code and OpenID Connect schemes), or passthrough (unsafe: forwards the caller's token)"
            } else {
                "static, or passthrough (unsafe: forwards the caller's token)"
            };
            variables.push(var("STRATEGY", strategies));
            let tools: Vec<String> = api
                .tools
                .iter()
                .filter(|t| t.security.iter().any(|r| r.schemes.iter().any(|(n, _)| n == name)))
                .map(|t| format!("`{}`", t.name))
                .collect();
            SchemeRow {
                name: name.clone(),
                kind,
                default_strategy,
                variables,
                tools: if tools.is_empty() { "none".into() } else { tools.join(", ") },
            }
        })
        .collect()
}

fn flow_name(kind: OAuthFlowKind) -> &'static str {
    match kind {
        OAuthFlowKind::ClientCredentials => "client credentials",
        OAuthFlowKind::AuthorizationCode => "authorization code",
        OAuthFlowKind::Implicit => "implicit",
        OAuthFlowKind::Password => "password",
    }
}

/// Scope alternatives as text: `a b` (both) or `a` or `c` (either).
fn scope_text(alternatives: &[Vec<String>]) -> String {
    if alternatives.is_empty() {
        return "-".into();
    }
    alternatives
        .iter()
        .map(|a| format!("`{}`", a.join(" ")))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The first line of a text, bounded, safe inside a Markdown table cell.
fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let mut short: String = line.chars().take(120).collect();
    if line.chars().count() > 120 {
        short.push('…');
    }
    short.replace('|', "\\|")
}
