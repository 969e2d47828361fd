//! The HTTP side of being an OAuth 2.1 resource server (the MCP authorization specification):
//! protected-resource metadata (RFC 9728), `WWW-Authenticate` challenges (RFC 6750), and a guard in
//! front of `/mcp` that checks Origin and Host, the bearer token on every request, and the scopes a
//! `tools/call` (or `resources/read`) needs, before rmcp sees the request.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::api::{ApiDef, ToolDef};
use super::auth::{AuthError, Authenticator, Identity};
use super::identity::closest_alternative;
use super::resources::Catalog;

/// The well-known path of protected-resource metadata (RFC 9728 §3).
pub const METADATA_PATH: &str = "/.well-known/oauth-protected-resource";

/// Everything the guard needs, shared by every request.
pub struct Guard {
    /// Token checks; `None` when the server runs without authentication.
    pub auth: Option<Arc<Authenticator>>,
    /// Each tool, by name.
    tools: HashMap<&'static str, &'static ToolDef>,
    /// The operations offered as resources, for the scopes a `resources/read` needs.
    resources: Catalog,
    /// The scopes for basic use ([`basic_scopes`]; all of them when unauthorized tools are
    /// hidden), for metadata and the first challenge.
    scopes_supported: Vec<String>,
    resource_name: &'static str,
    allowed_hosts: Vec<String>,
    allowed_origins: Vec<String>,
    /// The largest JSON-RPC body read to find the tool a request calls.
    max_body_bytes: usize,
    /// In search mode, `call_operation` names the operation in its arguments, and its scopes are
    /// the ones checked.
    search_mode: bool,
    /// Only operations with a safe method are offered (`--read-only`).
    read_only: bool,
}

impl Guard {
    pub fn new(
        api: &'static ApiDef,
        auth: Option<Arc<Authenticator>>,
        allowed_hosts: Vec<String>,
        allowed_origins: Vec<String>,
        max_body_bytes: usize,
    ) -> Self {
        // A tool the token cannot call is hidden with `--hide-unauthorized-tools`, so no call of
        // it can ask for its scopes by step-up: such a server asks for all of them up front.
        let hides = auth
            .as_ref()
            .is_some_and(|auth| auth.settings().hide_unauthorized_tools);
        let scopes_supported = if hides {
            api.scopes_supported
                .iter()
                .map(|s| (*s).to_owned())
                .collect()
        } else {
            basic_scopes(api)
        };
        Guard {
            auth,
            tools: api.tools.iter().map(|tool| (tool.name, *tool)).collect(),
            resources: Catalog::new(api),
            scopes_supported,
            resource_name: api.title,
            allowed_hosts,
            allowed_origins,
            max_body_bytes,
            search_mode: false,
            read_only: false,
        }
    }

    /// With `on`, the server offers only operations with a safe method: calls of the others are
    /// refused by the server without a step-up challenge (more scopes would not help), and
    /// `scopes_supported` lists only the scopes those operations use.
    pub fn with_read_only(mut self, on: bool) -> Self {
        self.read_only = on;
        if on {
            let mut scopes: Vec<String> = Vec::new();
            let tools: Vec<&ToolDef> = self
                .tools
                .values()
                .copied()
                .chain(self.resources.tools())
                .filter(|tool| tool.annotations.read_only)
                .collect();
            for tool in tools {
                for scope in tool.scopes.iter().flat_map(|all| all.iter()) {
                    if !scopes.iter().any(|s| s == scope) {
                        scopes.push((*scope).to_owned());
                    }
                }
            }
            // In the spec's order, as without read-only.
            self.scopes_supported.retain(|scope| scopes.contains(scope));
        }
        self
    }

    /// With `on`, `tools/call` of `call_operation` is checked against the scopes of the operation
    /// it names.
    pub fn with_search_mode(mut self, on: bool) -> Self {
        self.search_mode = on;
        self
    }

    /// Whether `tools/list` leaves out the tools a token cannot call.
    pub fn hides_tools(&self) -> bool {
        self.auth
            .as_ref()
            .is_some_and(|auth| auth.settings().hide_unauthorized_tools)
    }

    /// The URL of this resource's metadata document: the well-known path inserted before the
    /// resource's path (RFC 9728 §3.1).
    pub fn metadata_url(&self) -> Option<String> {
        let auth = self.auth.as_ref()?;
        let (origin, path) = super::discovery::split_origin(&auth.settings().resource_url);
        Some(format!("{origin}{METADATA_PATH}{path}"))
    }

    /// The protected-resource metadata document.
    pub fn metadata(&self) -> Option<Value> {
        let auth = self.auth.as_ref()?;
        let settings = auth.settings();
        Some(json!({
            "resource": settings.resource_url,
            "authorization_servers": [settings.issuer],
            "scopes_supported": self.scopes_supported,
            "bearer_methods_supported": ["header"],
            "resource_name": self.resource_name,
        }))
    }

    /// A 401 challenge: where the metadata is and which scopes to ask for, with an error code when
    /// a token was presented (RFC 6750 §3).
    fn unauthorized(&self, error: Option<(&str, &str)>) -> Response {
        let mut parts = Vec::new();
        if let Some((code, description)) = error {
            parts.push(format!("error=\"{code}\""));
            parts.push(format!("error_description=\"{}\"", quoted(description)));
        }
        if let Some(url) = self.metadata_url() {
            parts.push(format!("resource_metadata=\"{url}\""));
        }
        if !self.scopes_supported.is_empty() {
            parts.push(format!("scope=\"{}\"", self.scopes_supported.join(" ")));
        }
        let message = error.map_or("an access token is required", |(_, description)| {
            description
        });
        challenge(StatusCode::UNAUTHORIZED, parts, message)
    }

    /// A 403 for a token that lacks the scopes of the tool it calls (step-up: the client asks for
    /// these scopes and retries).
    fn insufficient_scope(&self, tool: &str, needed: &[&str]) -> Response {
        let kind = if self.search_mode {
            "operation"
        } else {
            "tool"
        };
        self.insufficient_scope_for(&format!("the {kind} `{tool}`"), needed)
    }

    /// The 403 for a token that lacks the scopes of `what` (`the tool `x``, `the resource `y``).
    fn insufficient_scope_for(&self, what: &str, needed: &[&str]) -> Response {
        let mut parts = vec![
            "error=\"insufficient_scope\"".to_owned(),
            format!("scope=\"{}\"", needed.join(" ")),
        ];
        if let Some(url) = self.metadata_url() {
            parts.push(format!("resource_metadata=\"{url}\""));
        }
        let description = format!("{what} needs the scopes: {}", needed.join(" "));
        parts.insert(1, format!("error_description=\"{}\"", quoted(&description)));
        challenge(StatusCode::FORBIDDEN, parts, &description)
    }

    fn host_allowed(&self, headers: &HeaderMap) -> bool {
        if self.allowed_hosts.iter().any(|h| h == "*") {
            return true;
        }
        let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
            // HTTP/1.1 requires Host; without one there is nothing to rebind.
            return true;
        };
        let (name, port) = host_and_port(host);
        self.allowed_hosts.iter().any(|allowed| {
            let (allowed_name, allowed_port) = host_and_port(allowed);
            allowed_name.eq_ignore_ascii_case(name)
                && (allowed_port.is_none() || allowed_port == port)
        })
    }

    /// An Origin is allowed when listed, or when it is this server itself: a page served from
    /// the very host and port the request names (same-origin). Same-origin counts only while
    /// Host is checked against a list; with `*` any Host passes, and a rebound attacker page
    /// would be "same-origin" with whatever name it used.
    fn origin_allowed(&self, origin: &str, headers: &HeaderMap) -> bool {
        if self
            .allowed_origins
            .iter()
            .any(|allowed| allowed.trim_end_matches('/').eq_ignore_ascii_case(origin))
        {
            return true;
        }
        if self.allowed_hosts.iter().any(|h| h == "*") {
            return false;
        }
        let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
            return false;
        };
        ["http://", "https://"].iter().any(|scheme| {
            origin
                .strip_prefix(scheme)
                .is_some_and(|rest| rest.eq_ignore_ascii_case(host))
        })
    }
}

/// The name and port of a `Host` value or an allowed-host entry: `name`, `name:port`, `[v6]`,
/// `[v6]:port`, or a bare IPv6 address (several colons, no brackets).
fn host_and_port(host: &str) -> (&str, Option<&str>) {
    if let Some(rest) = host.strip_prefix('[') {
        let (name, after) = rest.split_once(']').unwrap_or((rest, ""));
        return (name, after.strip_prefix(':'));
    }
    match host.split_once(':') {
        Some((name, port)) if !port.contains(':') => (name, Some(port)),
        _ => (host, None),
    }
}

/// Escapes a value for a quoted-string (RFC 9110): no quotes or backslashes, no line breaks.
fn quoted(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == '"' || c == '\\' { '\'' } else { c })
        .collect()
}

fn challenge(status: StatusCode, parts: Vec<String>, message: &str) -> Response {
    let value = format!("Bearer {}", parts.join(", "));
    let mut response = (status, format!("{message}\n")).into_response();
    if let Ok(value) = HeaderValue::from_str(&value) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

fn plain(status: StatusCode, message: &str) -> Response {
    (status, format!("{message}\n")).into_response()
}

/// `GET /.well-known/oauth-protected-resource[/mcp]`.
pub async fn metadata_document(State(guard): State<Arc<Guard>>) -> Response {
    match guard.metadata() {
        Some(document) => {
            let mut response = (StatusCode::OK, document.to_string()).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            // Public metadata: browser-based clients read it from other origins.
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
            response
        }
        None => plain(StatusCode::NOT_FOUND, "this server does not use OAuth"),
    }
}

/// The middleware in front of `/mcp`.
pub async fn guard(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    // DNS rebinding and cross-site requests are refused before anything else, so a foreign page
    // learns nothing, not even whether a token would be needed.
    if !guard.host_allowed(request.headers()) {
        return plain(
            StatusCode::FORBIDDEN,
            "this Host is not allowed (see --allowed-hosts / MCP_ALLOWED_HOSTS)",
        );
    }
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
        .map(str::to_owned);
    if let Some(origin) = &origin
        && !guard.origin_allowed(origin, request.headers())
    {
        return plain(
            StatusCode::FORBIDDEN,
            "this Origin is not allowed (see --allowed-origins / MCP_ALLOWED_ORIGINS)",
        );
    }
    if request.method() == Method::OPTIONS && origin.is_some() {
        return with_cors(
            StatusCode::NO_CONTENT.into_response(),
            origin.as_deref(),
            true,
        );
    }
    let response = match &guard.auth {
        None => match read_body(request, guard.max_body_bytes).await {
            Ok((parts, bytes)) => next.run(Request::from_parts(parts, bytes.into())).await,
            Err(response) => response,
        },
        Some(auth) => authorized(&guard, auth, request, next).await,
    };
    with_cors(response, origin.as_deref(), false)
}

async fn authorized(guard: &Guard, auth: &Authenticator, request: Request, next: Next) -> Response {
    let token = match bearer_token(&request) {
        Ok(token) => token,
        Err(BearerProblem::Missing) => return guard.unauthorized(None),
        Err(BearerProblem::Invalid(description)) => {
            return guard.unauthorized(Some(("invalid_request", description)));
        }
    };
    let identity = match auth.authenticate(&token).await {
        Ok(identity) => identity,
        Err(AuthError::Invalid(description)) => {
            tracing::info!(reason = %description, "access token refused");
            return guard.unauthorized(Some(("invalid_token", &description)));
        }
        Err(AuthError::Unavailable(reason)) => {
            tracing::warn!(%reason, "refusing requests: the authorization server is unavailable");
            let mut response = plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "access tokens cannot be checked right now: the authorization server is unavailable",
            );
            let retry = auth
                .settings()
                .refresh_interval
                .as_secs()
                .max(1)
                .to_string();
            if let Ok(value) = HeaderValue::from_str(&retry) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return response;
        }
    };
    // Scopes are per tool, and the tool is named in the JSON-RPC body: read it (bounded) to decide,
    // then hand the same bytes on.
    let (mut parts, bytes) = match read_body(request, guard.max_body_bytes).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    if parts.method == Method::POST
        && let Some(response) = check_scopes(guard, &identity, &bytes)
    {
        return response;
    }
    let body = Body::from(bytes);
    tracing::debug!(subject = ?identity.subject, client = ?identity.client_id, "authenticated");
    parts.extensions.insert(identity);
    next.run(Request::from_parts(parts, body)).await
}

/// The request's head and its whole body, read up to `max` bytes: a larger body (announced by
/// `Content-Length`, or found while reading) gets 413 without being read to its end.
async fn read_body(
    request: Request,
    max: usize,
) -> Result<(axum::http::request::Parts, axum::body::Bytes), Response> {
    let too_large = || {
        plain(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "the request body is larger than {max} bytes (--max-request-bytes / \
                 MCP_MAX_REQUEST_BYTES)"
            ),
        )
    };
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if announced.is_some_and(|length| length > max as u64) {
        return Err(too_large());
    }
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, max).await {
        Ok(bytes) => Ok((parts, bytes)),
        Err(_) => Err(too_large()),
    }
}

/// The minimal set of scopes for basic use, which MCP 2026-07-28 asks `scopes_supported` (and so
/// the first challenge) to be, with more asked for by step-up when a tool needs them: for each
/// read-only tool the alternative with the fewest scopes, together. An API whose reads need no
/// scope but whose other tools do starts from its cheapest tool's scopes. In the order of
/// `api.scopes_supported` (the spec's).
pub fn basic_scopes(api: &ApiDef) -> Vec<String> {
    let fewest = |tool: &&ToolDef| {
        tool.scopes
            .iter()
            .copied()
            .min_by_key(|alternative| alternative.len())
    };
    // Resources are reads too, resource-only operations included.
    let mut wanted: Vec<&str> = api
        .tools
        .iter()
        .copied()
        .chain(api.resources.iter().map(|resource| resource.tool))
        .filter(|tool| tool.annotations.read_only)
        .collect::<Vec<&ToolDef>>()
        .iter()
        .filter_map(fewest)
        .flatten()
        .copied()
        .collect();
    if wanted.is_empty() {
        wanted = api
            .tools
            .iter()
            .filter_map(fewest)
            .min_by_key(|alternative| alternative.len())
            .unwrap_or_default()
            .to_vec();
    }
    api.scopes_supported
        .iter()
        .filter(|scope| wanted.contains(scope))
        .map(|scope| (*scope).to_owned())
        .collect()
}

/// The 403 for the first `tools/call` in `body` whose scopes the token lacks. Batches are checked
/// call by call (rmcp refuses them anyway); an unparsable body is left for rmcp to reject.
fn check_scopes(guard: &Guard, identity: &Identity, body: &Bytes) -> Option<Response> {
    let message: Value = serde_json::from_slice(body).ok()?;
    let calls: Vec<&Value> = match &message {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    for call in calls {
        let params = call.get("params");
        if call.get("method").and_then(Value::as_str) == Some("resources/read") {
            let Some(uri) = params.and_then(|p| p.get("uri")).and_then(Value::as_str) else {
                continue;
            };
            // A URI no resource matches is rmcp's to answer (resource not found).
            let Some(resolved) = guard.resources.resolve(uri) else {
                continue;
            };
            let alternatives = resolved.def.tool.scopes;
            if !identity.satisfies(alternatives) {
                let needed = closest_alternative(&identity.scopes, alternatives);
                let template = resolved.def.uri_template;
                tracing::info!(resource = template, subject = ?identity.subject, "resource read refused: insufficient scope");
                let what = format!("the resource `{template}`");
                return Some(guard.insufficient_scope_for(&what, needed));
            }
            continue;
        }
        if call.get("method").and_then(Value::as_str) != Some("tools/call") {
            continue;
        }
        let Some(mut name) = params.and_then(|p| p.get("name")).and_then(Value::as_str) else {
            continue;
        };
        if guard.search_mode {
            // Only `call_operation` reaches an operation, named in its arguments (without a name,
            // the handler refuses it); the other two tools read the index, and an operation that
            // happens to share their names is not what they call.
            if name != super::search_tools::CALL {
                continue;
            }
            match params
                .and_then(|p| p.get("arguments"))
                .and_then(|a| a.get("name"))
                .and_then(Value::as_str)
            {
                Some(operation) => name = operation,
                None => continue,
            }
        }
        let Some(tool) = guard.tools.get(name) else {
            continue;
        };
        // A write in read-only mode is refused whatever the token holds: no step-up for it.
        if guard.read_only && !tool.annotations.read_only {
            continue;
        }
        let alternatives = tool.scopes;
        if !identity.satisfies(alternatives) {
            // All of the closest alternative's scopes go in the one challenge, so one step-up
            // is enough.
            let needed = closest_alternative(&identity.scopes, alternatives);
            tracing::info!(tool = name, subject = ?identity.subject, "tool call refused: insufficient scope");
            return Some(guard.insufficient_scope(name, needed));
        }
    }
    None
}

/// The request's bearer token, under the same rules as `/mcp`'s, for other endpoints of this
/// server (`DELETE /connect/<scheme>`).
pub fn bearer_of(request: &Request) -> Option<String> {
    bearer_token(request).ok()
}

enum BearerProblem {
    Missing,
    Invalid(&'static str),
}

/// The bearer token of the `Authorization` header. Tokens anywhere else (the query string, a form
/// body) are never looked at: a token in a URL ends up in logs and histories.
fn bearer_token(request: &Request) -> Result<String, BearerProblem> {
    let mut values = request.headers().get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        if request
            .uri()
            .query()
            .is_some_and(|q| q.split('&').any(|p| p.starts_with("access_token=")))
        {
            return Err(BearerProblem::Invalid(
                "access tokens are accepted in the Authorization header only, never in the query string",
            ));
        }
        return Err(BearerProblem::Missing);
    };
    if values.next().is_some() {
        return Err(BearerProblem::Invalid("more than one Authorization header"));
    }
    let value = value
        .to_str()
        .map_err(|_| BearerProblem::Invalid("the Authorization header is not readable"))?;
    let Some((scheme, token)) = value.trim().split_once(' ') else {
        return Err(BearerProblem::Missing);
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        // Another scheme (Basic, say) carries no bearer token: challenge for one.
        return Err(BearerProblem::Missing);
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(BearerProblem::Invalid("the bearer token is empty"));
    }
    Ok(token.to_owned())
}

/// CORS for allowed browser origins: the challenge and session headers must be readable by the
/// page, or a browser-based client cannot start the authorization flow.
fn with_cors(mut response: Response, origin: Option<&str>, preflight: bool) -> Response {
    let Some(origin) = origin.and_then(|o| HeaderValue::from_str(o).ok()) else {
        return response;
    };
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("WWW-Authenticate, Mcp-Session-Id, Mcp-Protocol-Version"),
    );
    if preflight {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, DELETE, OPTIONS"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_ports() {
        assert_eq!(
            host_and_port("example.com:8080"),
            ("example.com", Some("8080"))
        );
        assert_eq!(host_and_port("[::1]:8080"), ("::1", Some("8080")));
        assert_eq!(host_and_port("::1"), ("::1", None));
        assert_eq!(host_and_port("example.com"), ("example.com", None));
    }

    mod basic {
        use super::super::super::api::{
            Annotations, ApiDef, JsonObject, Method, OutputShape, Schema, ToolDef, ToolMode,
        };
        use super::super::super::request::{ArgError, Request};
        use super::super::basic_scopes;

        fn build(_: JsonObject) -> Result<Request, ArgError> {
            Ok(Request::new(Method::Get, "/"))
        }

        const fn tool(
            name: &'static str,
            read_only: bool,
            scopes: &'static [&'static [&'static str]],
        ) -> ToolDef {
            ToolDef {
                name,
                title: None,
                description: "",
                method: if read_only { Method::Get } else { Method::Post },
                path: "/",
                input_schema: Schema::standalone(r#"{"type":"object"}"#),
                output_schema: None,
                output: OutputShape::Object,
                annotations: Annotations {
                    read_only,
                    destructive: false,
                    idempotent: read_only,
                    open_world: true,
                },
                accept: None,
                scopes,
                security: &[],
                build,
            }
        }

        const fn api(
            tools: &'static [&'static ToolDef],
            scopes_supported: &'static [&'static str],
        ) -> ApiDef {
            ApiDef {
                name: "t",
                version: "0",
                title: "T",
                api_version: "1",
                instructions: None,
                default_upstream_url: None,
                tools,
                resources: &[],
                scopes_supported,
                scope_implies: &[],
                default_issuer: None,
                schemes: &[],
                hooks: &super::super::super::hooks::NoHooks,
                default_tool_mode: ToolMode::Auto,
                search_index: "",
            }
        }

        static READ: ToolDef = tool("read", true, &[&["repo", "read:org"], &["admin"]]);
        static LIST: ToolDef = tool("list", true, &[&["read:user"]]);
        static WRITE: ToolDef = tool("write", false, &[&["repo", "write"]]);
        static OPEN: ToolDef = tool("open", true, &[]);
        static ADMIN: ToolDef = tool("admin", false, &[&["admin", "sudo"], &["owner"]]);

        /// What reads need, the cheapest alternative of each; not what writes add.
        #[test]
        fn the_reads_cheapest_scopes() {
            static API: ApiDef = api(
                &[&READ, &LIST, &WRITE, &OPEN],
                &["repo", "read:org", "admin", "read:user", "write"],
            );
            assert_eq!(basic_scopes(&API), ["admin", "read:user"]);
        }

        /// Reads that need nothing: the cheapest tool's scopes; no tool with scopes: none.
        #[test]
        fn without_scoped_reads() {
            static WRITES: ApiDef = api(
                &[&OPEN, &WRITE, &ADMIN],
                &["repo", "write", "admin", "sudo", "owner"],
            );
            assert_eq!(basic_scopes(&WRITES), ["owner"]);
            static NONE: ApiDef = api(&[&OPEN], &[]);
            assert!(basic_scopes(&NONE).is_empty());
        }
    }

    #[test]
    fn quoted_strings_cannot_break_the_header() {
        assert_eq!(quoted("a \"b\"\r\nc\\"), "a 'b'c'");
    }
}
