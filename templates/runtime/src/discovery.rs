//! Finding out about the authorization server: its metadata (OpenID Connect discovery or RFC 8414)
//! and its signing keys (the JWKS).

use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

use super::jwt_ring;

/// The largest metadata or JWKS document read.
const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// What the authorization server says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Metadata {
    pub issuer: String,
    #[serde(default)]
    pub authorization_endpoint: Option<String>,
    #[serde(default)]
    pub token_endpoint: Option<String>,
    #[serde(default)]
    pub jwks_uri: Option<String>,
    #[serde(default)]
    pub introspection_endpoint: Option<String>,
    #[serde(default)]
    pub registration_endpoint: Option<String>,
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    #[serde(default)]
    pub code_challenge_methods_supported: Vec<String>,
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    /// Where the document was found.
    #[serde(skip)]
    pub source: String,
}

impl Metadata {
    /// Whether PKCE with S256 is advertised (the MCP authorization spec requires it).
    pub fn supports_s256(&self) -> bool {
        self.code_challenge_methods_supported
            .iter()
            .any(|m| m == "S256")
    }
}

/// The metadata URLs to try for `issuer`, in the order the MCP authorization specification gives
/// clients: RFC 8414 and OpenID Connect with the well-known part inserted before the issuer's path,
/// then OpenID Connect's appended form.
pub fn metadata_urls(issuer: &str) -> Vec<String> {
    let issuer = issuer.trim_end_matches('/');
    let (origin, path) = split_origin(issuer);
    if path.is_empty() {
        vec![
            format!("{origin}/.well-known/oauth-authorization-server"),
            format!("{origin}/.well-known/openid-configuration"),
        ]
    } else {
        vec![
            format!("{origin}/.well-known/oauth-authorization-server{path}"),
            format!("{origin}/.well-known/openid-configuration{path}"),
            format!("{origin}{path}/.well-known/openid-configuration"),
        ]
    }
}

/// `https://host:port` and `/path` of a URL without query or fragment.
pub fn split_origin(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map_or(0, |at| at + 3);
    match url[after_scheme..].find('/') {
        Some(at) => url.split_at(after_scheme + at),
        None => (url, ""),
    }
}

/// Whether an issuer URL may be used: `https`, or `http` on a loopback host (for development).
pub fn check_issuer_url(issuer: &str) -> Result<(), String> {
    let Ok(url) = reqwest::Url::parse(issuer) else {
        return Err(format!("the issuer `{issuer}` is not a URL"));
    };
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "the issuer `{issuer}` must not have a query or fragment"
        ));
    }
    let loopback = matches!(
        url.host_str(),
        Some("127.0.0.1" | "localhost" | "[::1]" | "::1")
    );
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(format!(
            "the issuer `{issuer}` must use https (plain http is accepted only on loopback)"
        )),
    }
}

/// The HTTP client for talking to the authorization server: no redirects (a metadata document
/// must come from where it is looked for), bounded time.
pub fn client() -> Result<reqwest::Client, String> {
    super::tls::install_tls_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .user_agent(concat!("mcpwright-runtime/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|err| format!("cannot build the HTTP client for the authorization server: {err}"))
}

/// Fetches the issuer's metadata from the first URL that answers with a document for exactly this
/// issuer (RFC 8414 §3.3: the `issuer` inside must match the one configured).
pub async fn discover(client: &reqwest::Client, issuer: &str) -> Result<Metadata, String> {
    let mut problems = Vec::new();
    for url in metadata_urls(issuer) {
        match fetch_json::<Metadata>(client, &url).await {
            Ok(mut metadata) => {
                if !same_issuer(&metadata.issuer, issuer) {
                    problems.push(format!(
                        "{url}: names issuer `{}`, not `{issuer}`",
                        metadata.issuer
                    ));
                    continue;
                }
                metadata.source = url;
                return Ok(metadata);
            }
            Err(problem) => problems.push(format!("{url}: {problem}")),
        }
    }
    Err(format!(
        "no metadata for issuer `{issuer}` ({})",
        problems.join("; ")
    ))
}

/// Issuers compare as exact strings; a single trailing slash is forgiven, as providers and
/// configurations disagree about it.
pub fn same_issuer(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// One verification key from the JWKS.
#[derive(Clone)]
pub struct VerifyKey {
    pub kid: Option<String>,
    pub algorithms: Vec<Algorithm>,
    pub key: DecodingKey,
}

/// The usable keys of a JWKS.
#[derive(Clone, Default)]
pub struct KeySet {
    pub keys: Vec<VerifyKey>,
    /// Keys that were skipped (HMAC secrets, encryption keys, unknown types), for `auth check`.
    pub skipped: usize,
}

impl KeySet {
    /// The keys that may verify a token with this header: the key named by `kid`, or every key
    /// allowing `alg` when the token names none.
    pub fn candidates(&self, kid: Option<&str>, alg: Algorithm) -> Vec<&VerifyKey> {
        self.keys
            .iter()
            .filter(|key| key.algorithms.contains(&alg))
            .filter(|key| kid.is_none() || key.kid.as_deref() == kid)
            .collect()
    }

    pub fn has_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|key| key.kid.as_deref() == Some(kid))
    }
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kids: Vec<_> = self
            .keys
            .iter()
            .map(|k| k.kid.as_deref().unwrap_or("-"))
            .collect();
        f.debug_struct("KeySet")
            .field("kids", &kids)
            .field("skipped", &self.skipped)
            .finish()
    }
}

/// Fetches and parses a JWKS. Keys that cannot verify signed access tokens are skipped one by
/// one, so one odd key does not make the whole set unusable.
pub async fn fetch_keys(client: &reqwest::Client, jwks_uri: &str) -> Result<KeySet, String> {
    let document: serde_json::Value = fetch_json(client, jwks_uri).await?;
    Ok(parse_keys(&document))
}

/// The usable keys of a JWKS document.
pub fn parse_keys(document: &serde_json::Value) -> KeySet {
    let mut set = KeySet::default();
    let keys = document.get("keys").and_then(serde_json::Value::as_array);
    for value in keys.into_iter().flatten() {
        let Ok(jwk) = serde_json::from_value::<Jwk>(value.clone()) else {
            set.skipped += 1;
            continue;
        };
        let encryption = matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption));
        let algorithms = jwt_ring::algorithms_for(&jwk);
        match DecodingKey::from_jwk(&jwk) {
            Ok(key) if !encryption && !algorithms.is_empty() => set.keys.push(VerifyKey {
                kid: jwk.common.key_id.clone(),
                algorithms,
                key,
            }),
            _ => set.skipped += 1,
        }
    }
    set
}

/// GETs a JSON document, bounded in size, without following redirects.
async fn fetch_json<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    url: &str,
) -> Result<T, String> {
    let mut response = client
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(|err| err.without_url().to_string())?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status().as_u16()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|err| err.without_url().to_string())?
    {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_DOCUMENT_BYTES {
            return Err(format!(
                "the document is larger than {MAX_DOCUMENT_BYTES} bytes"
            ));
        }
    }
    serde_json::from_slice(&body).map_err(|err| format!("not the expected JSON: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn metadata_urls_for_issuers_with_and_without_a_path() {
        assert_eq!(
            metadata_urls("https://idp.example.com/"),
            [
                "https://idp.example.com/.well-known/oauth-authorization-server",
                "https://idp.example.com/.well-known/openid-configuration"
            ]
        );
        assert_eq!(
            metadata_urls("https://idp.example.com/tenants/a"),
            [
                "https://idp.example.com/.well-known/oauth-authorization-server/tenants/a",
                "https://idp.example.com/.well-known/openid-configuration/tenants/a",
                "https://idp.example.com/tenants/a/.well-known/openid-configuration"
            ]
        );
    }

    #[test]
    fn issuer_urls() {
        assert!(check_issuer_url("https://idp.example.com").is_ok());
        assert!(check_issuer_url("http://127.0.0.1:9000").is_ok());
        assert!(check_issuer_url("http://idp.example.com").is_err());
        assert!(check_issuer_url("https://idp.example.com?x=1").is_err());
        assert!(check_issuer_url("not a url").is_err());
        assert!(same_issuer("https://a/", "https://a"));
        assert!(!same_issuer("https://a/b", "https://a"));
    }

    #[test]
    fn unusable_keys_are_skipped() {
        let rsa = json!({"kty": "RSA", "kid": "r", "use": "sig",
            "n": "onSLrQzs3roUc33Ppi0UU4x3Ci6Bl6YalXdP9Cj51B_9Nut2OH_AZYiuEtVbA9v3cxelhhy86pnwTFKeDAMPNbEuFywLOfaEYt1FYHu6y-XvOePUVJyEzhMyBIbLDH5EQXeZ56pWLtmH3atJkxECccifTpnjWtVuJeUGsOJbgJ6or18kFL3vNHt6bzY5wPwuxNhIrEe0CXPP9fW3WpEhpa_0oElXQN_0RuPLfHqugQLeAR1OBCpSPU0yyfw2PEqaS16hSVSVeX141pi6RLW1OxAbUcbuipbKg1JOPuUc8yqQJazyjeMjqKEG3qlGp1H4XjrO60eoWNfA6RfZKBBETw", "e": "AQAB"});
        let set = parse_keys(&json!({"keys": [
            rsa,
            {"kty": "oct", "kid": "h", "k": "c2VjcmV0"},
            {"kty": "RSA", "kid": "e", "use": "enc", "n": rsa["n"], "e": "AQAB"},
            {"kty": "weird"},
        ]}));
        assert_eq!(set.keys.len(), 1);
        assert_eq!(set.skipped, 3);
        assert!(set.has_kid("r"));
        assert_eq!(set.candidates(Some("r"), Algorithm::RS256).len(), 1);
        assert!(set.candidates(Some("r"), Algorithm::HS256).is_empty());
        assert!(set.candidates(Some("x"), Algorithm::RS256).is_empty());
    }
}
