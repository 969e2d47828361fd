//! The settings a server runs with, resolved and checked once from the command line and the
//! environment, so that everything after start-up works with values known to be usable.

use std::time::Duration;

use super::api::ApiDef;
use super::auth::ClientCredentials;
use super::flags::{AuthArgs, ServeArgs, Transport};
// Re-exported: `config::StartError` is where start-up code has always found it.
pub use super::errors::StartError;

/// Everything `serve` needs.
#[derive(Debug, Clone)]
pub struct Config {
    pub transport: Transport,
    pub upstream: UpstreamConfig,
    pub http: HttpConfig,
    /// Inbound OAuth over HTTP; `None` without an issuer (then HTTP needs
    /// `--allow-unauthenticated`) and always over stdio, which trusts the process that started it.
    pub auth: Option<AuthConfig>,
    /// Directories whose files tools may upload.
    pub file_roots: Vec<String>,
    /// List tools in their compact form (see [`super::listing`]).
    pub compact_tools: bool,
    /// Serve search mode's three tools instead of one tool per operation.
    pub search_mode: bool,
    /// Offer only operations with a safe HTTP method.
    pub read_only: bool,
    /// A tracing filter (`--log-level` / `MCP_LOG_LEVEL`); `None` falls back to `RUST_LOG`, then
    /// `info`.
    pub log_level: Option<String>,
}

/// How to reach the upstream API.
#[derive(Clone)]
pub struct UpstreamConfig {
    /// An absolute `http`/`https` URL without a trailing slash, query or fragment; request paths
    /// are appended to it as text.
    pub base_url: String,
    /// The limit for one whole upstream exchange, from connecting to the last body byte.
    pub timeout: Duration,
    /// Response bodies are read up to this many bytes, the rest is dropped.
    pub max_response_bytes: usize,
    /// Upstream calls in flight at once; more wait for a slot.
    pub max_concurrent: usize,
}

impl std::fmt::Debug for UpstreamConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamConfig")
            .field("base_url", &redacted_url(&self.base_url))
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_concurrent", &self.max_concurrent)
            .finish()
    }
}

/// The streamable HTTP transport's settings.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// `host:port` to listen on; port 0 picks a free port.
    pub bind: String,
    /// No sessions: every request stands alone, so replicas need no session affinity.
    pub stateless: bool,
    /// Accepted `Host` header values (names, or `name:port`): loopback names, the bind host and
    /// `MCP_ALLOWED_HOSTS`. `*` in `MCP_ALLOWED_HOSTS` turns the check off.
    pub allowed_hosts: Vec<String>,
    /// Accepted browser `Origin`s besides the server's own (same-origin) pages.
    pub allowed_origins: Vec<String>,
    /// The largest request body accepted; larger ones get 413.
    pub max_request_bytes: usize,
}

/// Inbound OAuth settings, before the listening address is known (it gives the default resource
/// URL).
#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub issuer: String,
    pub resource_url: Option<String>,
    pub audience: Option<String>,
    pub introspection: Option<ClientCredentials>,
    pub hide_unauthorized_tools: bool,
    pub refresh_interval: Duration,
    /// The scope hierarchy: `--scope-implies` when given, else the crate's.
    pub scope_implies: Vec<(String, Vec<String>)>,
}

impl AuthConfig {
    /// Reads the OAuth arguments; `Ok(None)` when no issuer is configured or known from the spec.
    pub fn resolve(api: &ApiDef, args: &AuthArgs) -> Result<Option<AuthConfig>, StartError> {
        let issuer = match non_empty(&args.issuer).or(api.default_issuer) {
            Some(issuer) => issuer.trim().to_owned(),
            None => return Ok(None),
        };
        super::discovery::check_issuer_url(&issuer).map_err(StartError::usage)?;
        let resource_url = non_empty(&args.resource_url).map(str::to_owned);
        if let Some(url) = &resource_url {
            resource_url_check(url).map_err(StartError::usage)?;
        }
        let introspection = match (
            non_empty(&args.introspection_client_id),
            non_empty(&args.introspection_client_secret),
        ) {
            (Some(id), Some(secret)) => Some(ClientCredentials {
                id: id.to_owned(),
                secret: secret.to_owned(),
            }),
            (None, None) => None,
            _ => {
                return Err(StartError::usage(
                    "set both MCP_INTROSPECTION_CLIENT_ID and MCP_INTROSPECTION_CLIENT_SECRET (or neither)",
                ));
            }
        };
        Ok(Some(AuthConfig {
            issuer,
            resource_url,
            audience: non_empty(&args.audience).map(str::to_owned),
            introspection,
            hide_unauthorized_tools: args.hide_unauthorized_tools,
            refresh_interval: Duration::from_secs(args.auth_refresh_interval),
            scope_implies: scope_hierarchy(api, &args.scope_implies)?,
        }))
    }
}

/// The scope hierarchy from `SCOPE=IMPLIED[,IMPLIED…]` entries ([`scope_hierarchy`](super::scope_hierarchy)),
/// or the crate's when there are none.
fn scope_hierarchy(
    api: &ApiDef,
    entries: &[String],
) -> Result<Vec<(String, Vec<String>)>, StartError> {
    if entries.iter().all(|entry| entry.trim().is_empty()) {
        return Ok(api
            .scope_implies
            .iter()
            .map(|(scope, implied)| {
                let implied = implied.iter().map(|s| (*s).to_owned()).collect();
                ((*scope).to_owned(), implied)
            })
            .collect());
    }
    super::scope_hierarchy::parse(entries)
        .map_err(|err| StartError::usage(format!("--scope-implies / MCP_SCOPE_IMPLIES: {err}")))
}

/// A resource URL must be absolute http(s) without query or fragment (RFC 9728 §2; RFC 8707).
pub fn resource_url_check(url: &str) -> Result<(), String> {
    match reqwest::Url::parse(url) {
        Ok(parsed)
            if matches!(parsed.scheme(), "http" | "https")
                && parsed.host_str().is_some()
                && parsed.query().is_none()
                && parsed.fragment().is_none() =>
        {
            Ok(())
        }
        _ => Err(format!(
            "the resource URL `{url}` must be an absolute http(s) URL without query or fragment, \
             e.g. https://mcp.example.com/mcp"
        )),
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Host names that always reach a server bound to loopback.
const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

impl Config {
    /// Checks the `serve` arguments and resolves defaults from `api`.
    pub fn resolve(api: &ApiDef, args: &ServeArgs) -> Result<Config, StartError> {
        let auth = match args.transport {
            Transport::Stdio => None,
            Transport::Http => AuthConfig::resolve(api, &args.auth)?,
        };
        if args.transport == Transport::Http && auth.is_none() && !args.allow_unauthenticated {
            return Err(StartError::usage(
                "refusing to serve MCP over HTTP without authentication: set the OAuth issuer \
                 whose access tokens to accept (--issuer or MCP_AUTH_ISSUER), or pass \
                 --allow-unauthenticated to serve anyway, and only on a network where every client \
                 may call every tool",
            ));
        }
        let raw_url = match (&args.upstream_url, api.default_upstream_url) {
            (Some(url), _) => url.as_str(),
            (None, Some(url)) => url,
            (None, None) => {
                return Err(StartError::runtime(
                    "no upstream URL: the API description names no server. Set --upstream-url or \
                     MCP_UPSTREAM_URL to the API's base URL, e.g. https://api.example.com/v1",
                ));
            }
        };
        let base_url =
            upstream_base_url(raw_url).map_err(|err| StartError::runtime(err.to_string()))?;
        let mut allowed_hosts: Vec<String> = LOOPBACK_HOSTS.iter().map(|&h| h.to_owned()).collect();
        if let Some(host) = bind_host(&args.bind) {
            allowed_hosts.push(host);
        }
        allowed_hosts.extend(list(&args.allowed_hosts));
        // Clients reach the server by the resource URL's host (behind a proxy, say).
        if let Some(host) = auth
            .as_ref()
            .and_then(|a| a.resource_url.as_deref())
            .and_then(url_host)
        {
            allowed_hosts.push(host);
        }
        dedup(&mut allowed_hosts);
        Ok(Config {
            transport: args.transport,
            upstream: UpstreamConfig {
                base_url,
                timeout: Duration::from_secs(args.upstream_timeout),
                max_response_bytes: usize::try_from(args.max_response_bytes).unwrap_or(usize::MAX),
                max_concurrent: usize::try_from(args.max_concurrent_calls).unwrap_or(usize::MAX),
            },
            http: HttpConfig {
                bind: args.bind.clone(),
                stateless: args.stateless,
                allowed_hosts,
                allowed_origins: list(&args.allowed_origins),
                max_request_bytes: usize::try_from(args.max_request_bytes).unwrap_or(usize::MAX),
            },
            auth,
            file_roots: list(&args.file_roots),
            compact_tools: args.compact_tools,
            search_mode: args
                .tool_mode
                .unwrap_or(api.default_tool_mode)
                .searches(api.tools.len()),
            read_only: args.read_only,
            log_level: args
                .log_level
                .clone()
                .filter(|level| !level.trim().is_empty()),
        })
    }
}

/// Why an upstream base URL is refused. The URL is kept redacted (see [`redacted_url`]): the
/// error is printed, and a URL may carry credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamUrlError {
    /// No scheme at all (`api.example.com/v1`, `/v1`).
    Relative(String),
    /// Not a URL: the redacted URL and the parser's reason.
    Invalid { url: String, reason: String },
    /// A scheme other than http or https.
    Scheme(String),
    /// No host (`http:///v1`).
    NoHost(String),
    /// A query or fragment, which would end up before the appended request paths.
    QueryOrFragment(String),
}

/// The advice every refused upstream URL ends with.
const UPSTREAM_URL_HINT: &str = "set --upstream-url or MCP_UPSTREAM_URL to the API's absolute base URL, e.g. https://api.example.com/v1";

impl std::fmt::Display for UpstreamUrlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hint = UPSTREAM_URL_HINT;
        match self {
            UpstreamUrlError::Relative(url) => {
                write!(f, "the upstream URL `{url}` is relative; {hint}")
            }
            UpstreamUrlError::Invalid { url, reason } => write!(
                f,
                "the upstream URL `{url}` is not a valid URL ({reason}); {hint}"
            ),
            UpstreamUrlError::Scheme(scheme) => write!(
                f,
                "the upstream URL must use http or https, not `{scheme}:`; {hint}"
            ),
            UpstreamUrlError::NoHost(url) => {
                write!(f, "the upstream URL `{url}` has no host; {hint}")
            }
            UpstreamUrlError::QueryOrFragment(url) => write!(
                f,
                "the upstream URL `{url}` has a query or fragment; request paths are appended to \
                 it, so it must end with a path"
            ),
        }
    }
}

impl std::error::Error for UpstreamUrlError {}

/// Checks an upstream base URL and trims its trailing slash. Request paths are appended to it as
/// text, so a query or fragment (which would end up before the path) is refused.
pub fn upstream_base_url(raw: &str) -> Result<String, UpstreamUrlError> {
    let raw = raw.trim();
    let url = match reqwest::Url::parse(raw) {
        Ok(url) => url,
        // Shown as given: without a scheme there is no user or password part to hide.
        Err(_) if !raw.contains("://") => return Err(UpstreamUrlError::Relative(raw.to_owned())),
        Err(err) => {
            return Err(UpstreamUrlError::Invalid {
                url: redacted_url(raw),
                reason: err.to_string(),
            });
        }
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Err(UpstreamUrlError::Scheme(url.scheme().to_owned()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(UpstreamUrlError::NoHost(redacted_url(raw)));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(UpstreamUrlError::QueryOrFragment(redacted_url(raw)));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// `url` with any user name, password and query replaced, for logs and `Debug`.
pub fn redacted_url(url: &str) -> String {
    let (before_query, had_query) = match url.find(['?', '#']) {
        Some(at) => (&url[..at], true),
        None => (url, false),
    };
    let mut out = match (before_query.find("://"), before_query.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!(
                "{}***@{}",
                &before_query[..scheme_end + 3],
                &before_query[at + 1..]
            )
        }
        _ => before_query.to_owned(),
    };
    if had_query {
        out.push_str("?***");
    }
    out
}

/// The host (with its port, when explicit) of a URL.
fn url_host(url: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url).ok()?;
    let host = parsed.host_str()?.to_ascii_lowercase();
    Some(match parsed.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// The host of a `host:port` bind address, without IPv6 brackets.
fn bind_host(bind: &str) -> Option<String> {
    let host = match bind.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => bind,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']').trim();
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Comma-separated values (clap already splits on commas) trimmed, without empties.
fn list(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
        .collect()
}

fn dedup(values: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    values.retain(|value| seen.insert(value.clone()));
}

#[cfg(test)]
mod tests {
    use super::super::api::ApiDef;
    use super::super::cli::{Command, parse};
    use super::*;

    #[test]
    fn the_scope_hierarchy_from_the_flag_or_the_crate() {
        static IMPLYING: ApiDef = ApiDef {
            scope_implies: &[("admin", &["read", "write"])],
            ..API
        };
        let own = scope_hierarchy(&IMPLYING, &[]).unwrap();
        assert_eq!(
            own,
            [(
                "admin".to_owned(),
                vec!["read".to_owned(), "write".to_owned()]
            )]
        );
        // The flag replaces the crate's; a scope named twice gets both lists.
        let given = scope_hierarchy(
            &IMPLYING,
            &[
                "repo=repo:status,public_repo".into(),
                " ".into(),
                "repo=repo:read".into(),
            ],
        )
        .unwrap();
        assert_eq!(given.len(), 1);
        assert_eq!(given[0].0, "repo");
        assert_eq!(given[0].1, ["repo:status", "public_repo", "repo:read"]);
        for bad in ["repo", "=a", "repo=", "repo=a,,b", "repo=repo"] {
            let err = scope_hierarchy(&API, &[bad.into()]).unwrap_err();
            assert!(err.to_string().contains(bad), "{bad}: {err}");
        }
    }

    static API: ApiDef = ApiDef {
        name: "pets-mcp",
        version: "0.1.0",
        title: "Pets",
        api_version: "1.0",
        instructions: None,
        default_upstream_url: Some("https://pets.example.com/v1/"),
        tools: &[],
        resources: &[],
        scopes_supported: &[],
        scope_implies: &[],
        default_issuer: None,
        schemes: &[],
        hooks: &super::super::hooks::NoHooks,
        default_tool_mode: super::super::api::ToolMode::Auto,
        search_index: "",
    };

    static NO_SERVER: ApiDef = ApiDef {
        default_upstream_url: None,
        ..API
    };
    static RELATIVE_SERVER: ApiDef = ApiDef {
        default_upstream_url: Some("/api/v3"),
        ..API
    };

    fn resolve(api: &ApiDef, args: &[&str]) -> Result<Config, StartError> {
        let argv = std::iter::once("pets-mcp")
            .chain(["serve"])
            .chain(args.iter().copied());
        match parse(api, argv).expect("arguments parse").command {
            Command::Serve(serve) => Config::resolve(api, &serve),
            _ => panic!("expected serve"),
        }
    }

    #[test]
    fn defaults() {
        let config = resolve(&API, &[]).unwrap();
        assert_eq!(config.transport, Transport::Stdio);
        assert_eq!(config.upstream.base_url, "https://pets.example.com/v1");
        assert_eq!(config.upstream.timeout, Duration::from_secs(30));
        assert_eq!(config.upstream.max_response_bytes, 2 * 1024 * 1024);
        assert_eq!(config.http.bind, "127.0.0.1:8080");
        assert!(!config.http.stateless);
        assert_eq!(config.http.allowed_hosts, ["localhost", "127.0.0.1", "::1"]);
        assert!(config.http.allowed_origins.is_empty());
    }

    #[test]
    fn http_needs_the_explicit_opt_out() {
        let err = resolve(&API, &["--transport", "http"]).unwrap_err();
        assert_eq!(err.code, 2);
        assert!(err.message.contains("--allow-unauthenticated"), "{err}");
        let config = resolve(
            &API,
            &[
                "--transport",
                "http",
                "--allow-unauthenticated",
                "--bind",
                "[::]:0",
                "--stateless",
                "--allowed-hosts",
                "mcp.example.com, api.internal:8443",
                "--allowed-origins",
                "https://app.example.com",
            ],
        )
        .unwrap();
        assert_eq!(config.transport, Transport::Http);
        assert!(config.http.stateless);
        assert_eq!(
            config.http.allowed_hosts,
            [
                "localhost",
                "127.0.0.1",
                "::1",
                "::",
                "mcp.example.com",
                "api.internal:8443"
            ]
        );
        assert_eq!(config.http.allowed_origins, ["https://app.example.com"]);
    }

    #[test]
    fn upstream_url_must_be_absolute_http() {
        let err = resolve(&NO_SERVER, &[]).unwrap_err();
        assert_eq!(err.code, 1);
        assert!(err.message.contains("MCP_UPSTREAM_URL"), "{err}");
        let err = resolve(&RELATIVE_SERVER, &[]).unwrap_err();
        assert_eq!(err.code, 1);
        assert!(err.message.contains("relative"), "{err}");
        let config = resolve(
            &RELATIVE_SERVER,
            &["--upstream-url", "http://127.0.0.1:9000/api/v3/"],
        )
        .unwrap();
        assert_eq!(config.upstream.base_url, "http://127.0.0.1:9000/api/v3");

        assert!(
            upstream_base_url("ftp://example.com")
                .unwrap_err()
                .to_string()
                .contains("http or https")
        );
        assert!(
            upstream_base_url("https://example.com/v1?key=secret")
                .unwrap_err()
                .to_string()
                .contains("query")
        );
        assert!(
            !upstream_base_url("https://example.com/v1?key=secret")
                .unwrap_err()
                .to_string()
                .contains("secret")
        );
        assert_eq!(
            upstream_base_url("https://example.com").unwrap(),
            "https://example.com"
        );
    }

    #[test]
    fn limits_parse() {
        let config = resolve(
            &API,
            &["--upstream-timeout", "5", "--max-response-bytes", "1024"],
        )
        .unwrap();
        assert_eq!(config.upstream.timeout, Duration::from_secs(5));
        assert_eq!(config.upstream.max_response_bytes, 1024);
        let argv = ["pets-mcp", "serve", "--upstream-timeout", "0"];
        assert_eq!(parse(&API, argv).unwrap_err().exit_code(), 2);
    }

    #[test]
    fn debug_hides_credentials() {
        let config = resolve(
            &API,
            &["--upstream-url", "https://user:hunter2@example.com/v1"],
        )
        .unwrap();
        let debug = format!("{config:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("https://***@example.com/v1"), "{debug}");
        assert_eq!(
            redacted_url("https://example.com/a?token=x"),
            "https://example.com/a?***"
        );
    }
}
