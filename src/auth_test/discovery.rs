//! Steps 1–3: the unauthenticated request and its challenge, the protected-resource metadata
//! (RFC 9728) and the authorization server's metadata (RFC 8414 / OpenID Connect discovery).
//!
//! rmcp's `AuthorizationManager` discovers all of this too, and its result is what the flow
//! uses; these requests are made again here only to show what was found where, and to name the
//! fix when something is off — rmcp answers a broken set-up with one error, not with which URL
//! held what.

use rmcp::transport::WWWAuthenticateParams;
use serde_json::{Value, json};
use url::Url;

use super::report::Report;

/// The `401` answer to a request without a token.
pub struct Challenge {
    /// The `WWW-Authenticate` header as sent (rmcp seeds its discovery with it).
    pub header: Option<String>,
    pub params: WWWAuthenticateParams,
}

/// A protected-resource metadata document and where it was.
pub struct ResourceMetadata {
    pub resource: String,
    pub authorization_servers: Vec<String>,
}

/// An authorization server's metadata document.
pub struct ServerMetadata {
    /// The issuer the resource metadata named (the metadata's `issuer` equals it).
    pub issuer: String,
    pub document: Value,
    /// The grant to use: client credentials when asked for (`--client-credentials`), or when
    /// the server offers no other grant and a confidential client was given; else the
    /// authorization code.
    pub client_credentials: bool,
}

impl ServerMetadata {
    fn strings(&self, field: &str) -> Vec<String> {
        strings(&self.document[field])
    }

    pub fn scopes_supported(&self) -> Option<Vec<String>> {
        self.document["scopes_supported"]
            .is_array()
            .then(|| self.strings("scopes_supported"))
    }

    pub fn registration_endpoint(&self) -> Option<&str> {
        self.document["registration_endpoint"].as_str()
    }

    pub fn supports_client_metadata_documents(&self) -> bool {
        self.document["client_id_metadata_document_supported"] == json!(true)
    }

    /// The metadata lists its grants, and `client_credentials` is the only one a client can
    /// get a token with (no `authorization_code`).
    pub fn grants_only_client_credentials(&self) -> bool {
        let grants = self.strings("grant_types_supported");
        grants.iter().any(|g| g == "client_credentials")
            && !grants.iter().any(|g| g == "authorization_code")
    }
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A GET of a metadata document: its status, and the JSON object it held.
async fn get_json(http: &reqwest::Client, url: &Url) -> (String, Option<Value>) {
    match http
        .get(url.clone())
        .header("accept", "application/json")
        .send()
        .await
    {
        Err(err) => (format!("unreachable ({})", plain_error(&err)), None),
        Ok(response) => {
            let status = response.status();
            if !status.is_success() {
                return (status.as_u16().to_string(), None);
            }
            match response.json::<Value>().await {
                Ok(value) if value.is_object() => (status.as_u16().to_string(), Some(value)),
                _ => (format!("{} but not a JSON object", status.as_u16()), None),
            }
        }
    }
}

/// A reqwest error without the URL (the step says which URL).
pub fn plain_error(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        text = inner.to_string();
        source = inner.source();
    }
    text
}

/// Step 1: `tools/list` without a token must get `401` with a Bearer challenge.
pub async fn challenge(
    http: &reqwest::Client,
    url: &Url,
    report: &mut Report,
) -> Option<Challenge> {
    const STEP: &str = "challenge";
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}});
    let response = match http
        .post(url.clone())
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", "tools/list")
        .body(body.to_string())
        .send()
        .await
    {
        Ok(response) => response,
        Err(err) => {
            report.fail(
                STEP,
                format!("cannot reach {url}: {}", plain_error(&err)),
                "start the server, and pass its MCP endpoint (e.g. http://127.0.0.1:8080/mcp)",
            );
            return None;
        }
    };
    let status = response.status().as_u16();
    let header = response
        .headers()
        .get("www-authenticate")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    if status != 401 {
        report.fail(
            STEP,
            format!("tools/list without a token got {status}, not 401"),
            "require a token on every MCP request and answer 401 with WWW-Authenticate: Bearer \
             resource_metadata=\"…\" (a generated server does when started with --issuer / \
             MCP_AUTH_ISSUER)",
        );
        return None;
    }
    let params = header
        .as_deref()
        .map(|header| WWWAuthenticateParams::parse(header, url))
        .unwrap_or_default();
    match header.as_deref() {
        Some(text) if text.trim_start().to_ascii_lowercase().starts_with("bearer") => {
            let metadata = match &params.resource_metadata_url {
                Some(found) => format!("resource_metadata={found}"),
                None => "no resource_metadata (clients fall back to the well-known URLs)".into(),
            };
            let scope = match &params.scope {
                Some(scope) => format!("scope=\"{scope}\""),
                None => "no scope".into(),
            };
            report.pass(
                STEP,
                format!("401 with a Bearer challenge: {metadata}, {scope}"),
            );
        }
        Some(text) => report.fail(
            STEP,
            format!("401 with WWW-Authenticate: {text}, not a Bearer challenge"),
            "answer 401 with WWW-Authenticate: Bearer resource_metadata=\"<the metadata URL>\"",
        ),
        None => report.fail(
            STEP,
            "401 without a WWW-Authenticate header",
            "answer 401 with WWW-Authenticate: Bearer resource_metadata=\"<the metadata URL>\" \
             so clients can find the authorization server",
        ),
    }
    Some(Challenge { header, params })
}

/// The RFC 9728 well-known URLs of `url`: with the resource's path inserted, then at the root.
fn resource_metadata_urls(url: &Url) -> Vec<Url> {
    let path = url.path().trim_end_matches('/');
    let mut urls = Vec::new();
    for well_known in [
        format!("/.well-known/oauth-protected-resource{path}"),
        "/.well-known/oauth-protected-resource".to_owned(),
    ] {
        let mut candidate = url.clone();
        candidate.set_path(&well_known);
        candidate.set_query(None);
        candidate.set_fragment(None);
        if !urls.contains(&candidate) {
            urls.push(candidate);
        }
    }
    urls
}

/// Whether the metadata's `resource` identifies `url`: the same URL, or a parent path of it on
/// the same origin (the rule rmcp applies, so this step and the flow agree).
pub fn resource_covers(resource: &Url, url: &Url) -> bool {
    if resource.scheme() != url.scheme()
        || resource.host_str() != url.host_str()
        || resource.port_or_known_default() != url.port_or_known_default()
    {
        return false;
    }
    let (want, have) = (url.path(), resource.path());
    want == have
        || (want.starts_with(have)
            && (have.ends_with('/') || want.as_bytes().get(have.len()) == Some(&b'/')))
}

/// Step 2: the protected-resource metadata, from the challenge's `resource_metadata` or the
/// well-known URLs; it must name this resource and an authorization server.
pub async fn resource_metadata(
    http: &reqwest::Client,
    url: &Url,
    challenge: &Challenge,
    report: &mut Report,
) -> Option<ResourceMetadata> {
    const STEP: &str = "resource-metadata";
    let mut candidates: Vec<Url> = challenge
        .params
        .resource_metadata_url
        .iter()
        .cloned()
        .collect();
    for candidate in resource_metadata_urls(url) {
        if !candidates.contains(&candidate) {
            candidates.push(candidate);
        }
    }
    let mut tried = Vec::new();
    let mut found = None;
    for candidate in &candidates {
        let (status, document) = get_json(http, candidate).await;
        tried.push(format!("{candidate}: {status}"));
        if let Some(document) = document {
            found = Some((candidate.clone(), document));
            break;
        }
    }
    let Some((at, document)) = found else {
        report.fail(
            STEP,
            format!("no protected-resource metadata ({})", tried.join(", ")),
            format!(
                "serve RFC 9728 metadata ({{\"resource\": \"{url}\", \"authorization_servers\": \
                 [\"<issuer>\"]}}) at {} and name it in the 401's resource_metadata (a generated \
                 server does when started with --issuer)",
                resource_metadata_urls(url)[0]
            ),
        );
        return None;
    };
    let resource = document["resource"].as_str().unwrap_or_default().to_owned();
    let servers = strings(&document["authorization_servers"]);
    let scopes = strings(&document["scopes_supported"]);
    let matches = Url::parse(&resource).is_ok_and(|parsed| resource_covers(&parsed, url));
    if !matches {
        let saw = if resource.is_empty() {
            format!("the metadata at {at} has no resource")
        } else {
            format!(
                "the metadata at {at} names the resource {resource}, not this server's URL {url}"
            )
        };
        report.fail(
            STEP,
            saw,
            format!(
                "set the metadata's resource to {url}, the URL clients use (a generated server: \
                 MCP_RESOURCE_URL={url}); clients refuse to authorize for another resource"
            ),
        );
        return None;
    }
    if servers.is_empty() {
        report.fail(
            STEP,
            format!("the metadata at {at} names no authorization_servers"),
            "list your authorization server's issuer in authorization_servers (a generated \
             server: --issuer / MCP_AUTH_ISSUER)",
        );
        return None;
    }
    let scopes = if scopes.is_empty() {
        "no scopes_supported".to_owned()
    } else {
        format!("scopes_supported {}", scopes.join(" "))
    };
    report.pass(
        STEP,
        format!(
            "at {at}: resource {resource}, authorization_servers {}, {scopes}",
            servers.join(" ")
        ),
    );
    Some(ResourceMetadata {
        resource,
        authorization_servers: servers,
    })
}

/// The metadata URLs of an issuer, in the order MCP clients try them: RFC 8414 with the path
/// inserted, OpenID Connect with the path inserted, OpenID Connect appended to the path.
fn server_metadata_urls(issuer: &Url) -> Vec<(Url, &'static str)> {
    let path = issuer.path().trim_end_matches('/');
    let at = |path: String| {
        let mut url = issuer.clone();
        url.set_path(&path);
        url.set_query(None);
        url.set_fragment(None);
        url
    };
    let mut urls = vec![
        (
            at(format!("/.well-known/oauth-authorization-server{path}")),
            "RFC 8414",
        ),
        (
            at(format!("/.well-known/openid-configuration{path}")),
            "OpenID Connect discovery",
        ),
    ];
    if !path.is_empty() {
        urls.push((
            at(format!("{path}/.well-known/openid-configuration")),
            "OpenID Connect discovery",
        ));
    }
    urls
}

/// Step 3: the first authorization server's metadata: issuer identical to the one named, PKCE
/// S256 offered, and how clients can get an identity.
/// `confidential`: a client id and secret were given; `asked_for_client_credentials`:
/// `--client-credentials`. Together with the metadata they decide the grant, and PKCE is required
/// only for the authorization code.
pub async fn authorization_server(
    http: &reqwest::Client,
    resource: &ResourceMetadata,
    asked_for_client_credentials: bool,
    confidential: bool,
    report: &mut Report,
) -> Option<ServerMetadata> {
    const STEP: &str = "authorization-server";
    let issuer = resource.authorization_servers[0].clone();
    let Ok(issuer_url) = Url::parse(&issuer) else {
        report.fail(
            STEP,
            format!("the authorization server {issuer} is not a URL"),
            "name the issuer's URL in the resource metadata's authorization_servers",
        );
        return None;
    };
    let mut tried = Vec::new();
    let mut found = None;
    for (candidate, kind) in server_metadata_urls(&issuer_url) {
        let (status, document) = get_json(http, &candidate).await;
        tried.push(format!("{candidate}: {status}"));
        if let Some(document) = document {
            found = Some((candidate, kind, document));
            break;
        }
    }
    let Some((at, kind, document)) = found else {
        report.fail(
            STEP,
            format!("no metadata for the issuer {issuer} ({})", tried.join(", ")),
            format!(
                "publish RFC 8414 metadata at {} (or OpenID Connect discovery), or correct the \
                 issuer in the resource metadata",
                server_metadata_urls(&issuer_url)[0].0
            ),
        );
        return None;
    };
    let stated = document["issuer"].as_str().unwrap_or_default();
    if stated != issuer {
        report.fail(
            STEP,
            format!(
                "the metadata at {at} says issuer {}, not {issuer}, the issuer it was looked up for",
                if stated.is_empty() { "nothing" } else { stated }
            ),
            format!(
                "make the two the same string: set the authorization server's issuer to \
                 {issuer}, or name {stated} in the resource metadata (a generated server: \
                 --issuer / MCP_AUTH_ISSUER); clients must refuse metadata whose issuer differs"
            ),
        );
        return None;
    }
    let mut metadata = ServerMetadata {
        issuer: issuer.clone(),
        document,
        client_credentials: asked_for_client_credentials,
    };
    if !metadata.client_credentials && metadata.grants_only_client_credentials() {
        if !confidential {
            report.fail(
                STEP,
                format!(
                    "the metadata at {at} offers only the client_credentials grant \
                     (grant_types_supported: client_credentials), so no user can sign in"
                ),
                "pass --client-credentials with the confidential client's --client-id and \
                 --client-secret, or enable the authorization_code grant for user sign-in",
            );
            return None;
        }
        metadata.client_credentials = true;
    }
    let pkce = metadata.strings("code_challenge_methods_supported");
    if metadata.client_credentials {
        // PKCE protects a redirect, and this grant has none.
        report.pass(
            STEP,
            format!("issuer {issuer} ({kind} at {at}), the client_credentials grant"),
        );
        return Some(metadata);
    }
    if !pkce.iter().any(|method| method == "S256") {
        report.fail(
            STEP,
            format!(
                "the metadata at {at} offers no PKCE S256 (code_challenge_methods_supported: {})",
                if pkce.is_empty() {
                    "absent".to_owned()
                } else {
                    pkce.join(" ")
                }
            ),
            "enable PKCE with S256 at the authorization server and list it in \
             code_challenge_methods_supported: MCP clients must refuse to authorize without it",
        );
        return None;
    }
    let mut identity = Vec::new();
    if metadata.supports_client_metadata_documents() {
        identity.push("client ID metadata documents".to_owned());
    }
    if let Some(endpoint) = metadata.registration_endpoint() {
        identity.push(format!("dynamic registration at {endpoint}"));
    }
    if identity.is_empty() {
        identity.push("pre-registered clients only".to_owned());
    }
    let auth_methods = metadata.strings("token_endpoint_auth_methods_supported");
    report.pass(
        STEP,
        format!(
            "issuer {issuer} ({kind} at {at}), PKCE S256, {}{}",
            identity.join(", "),
            if auth_methods.is_empty() {
                String::new()
            } else {
                format!(", token endpoint auth {}", auth_methods.join(" "))
            }
        ),
    );
    Some(metadata)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn a_server_that_offers_only_client_credentials() {
        let metadata = |grants: Value| ServerMetadata {
            issuer: "https://id.example".into(),
            document: json!({"grant_types_supported": grants}),
            client_credentials: false,
        };
        assert!(metadata(json!(["client_credentials"])).grants_only_client_credentials());
        assert!(
            !metadata(json!(["authorization_code", "client_credentials"]))
                .grants_only_client_credentials()
        );
        // Unlisted grants say nothing (RFC 8414's default is authorization_code and implicit).
        assert!(!metadata(Value::Null).grants_only_client_credentials());
    }

    #[test]
    fn both_well_known_forms_of_resource_metadata() {
        let urls = resource_metadata_urls(&url("http://127.0.0.1:8080/mcp"));
        let urls: Vec<_> = urls.iter().map(Url::as_str).collect();
        assert_eq!(
            urls,
            [
                "http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp",
                "http://127.0.0.1:8080/.well-known/oauth-protected-resource",
            ]
        );
        assert_eq!(resource_metadata_urls(&url("http://h/")).len(), 1);
    }

    #[test]
    fn issuer_metadata_urls_keep_the_path() {
        let urls = server_metadata_urls(&url("https://id.example/tenant/1"));
        let urls: Vec<_> = urls.iter().map(|(u, _)| u.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://id.example/.well-known/oauth-authorization-server/tenant/1",
                "https://id.example/.well-known/openid-configuration/tenant/1",
                "https://id.example/tenant/1/.well-known/openid-configuration",
            ]
        );
    }

    #[test]
    fn a_resource_covers_itself_and_its_sub_paths_only() {
        let server = url("https://api.example/mcp");
        assert!(resource_covers(&url("https://api.example/mcp"), &server));
        assert!(resource_covers(&url("https://api.example/"), &server));
        assert!(!resource_covers(&url("https://api.example/mc"), &server));
        assert!(!resource_covers(&url("https://evil.example/mcp"), &server));
        assert!(!resource_covers(&url("http://api.example/mcp"), &server));
    }
}
