//! Checking access tokens: JWTs against the issuer's keys, opaque tokens through RFC 7662
//! introspection. The issuer's metadata and keys are fetched lazily and kept; when they cannot be
//! had, every token is refused (the server fails closed) and fetching is retried, rate limited.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, Validation};
use serde_json::Value;
use tokio::sync::Mutex;

use super::discovery::{self, KeySet, Metadata};
use super::jwt_ring;

// Re-exported: who a token belongs to is what this module makes, and callers look for it here.
use super::identity::with_implied;
pub use super::identity::{AccessToken, Identity, satisfies};

/// How the server checks tokens.
#[derive(Clone)]
pub struct AuthSettings {
    /// The authorization server's issuer identifier.
    pub issuer: String,
    /// The canonical URL of this MCP endpoint (RFC 9728 `resource`).
    pub resource_url: String,
    /// The `aud` a token must carry.
    pub audience: String,
    /// The server's own client credentials for introspecting opaque tokens.
    pub introspection: Option<ClientCredentials>,
    /// Hide from `tools/list` the tools a token lacks the scopes for.
    pub hide_unauthorized_tools: bool,
    /// The least time between two fetches of the issuer's metadata or keys (after a failure, or
    /// for a token signed with an unknown key).
    pub refresh_interval: Duration,
    /// Clock skew tolerated for `exp` and `nbf`.
    pub leeway: Duration,
    /// The scope hierarchy ([`ApiDef::scope_implies`](super::api::ApiDef)): a token's scopes count
    /// with the ones they imply.
    pub scope_implies: Vec<(String, Vec<String>)>,
}

impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSettings")
            .field("issuer", &self.issuer)
            .field("resource_url", &self.resource_url)
            .field("audience", &self.audience)
            .field("introspection", &self.introspection.as_ref().map(|c| &c.id))
            .field("hide_unauthorized_tools", &self.hide_unauthorized_tools)
            .field("refresh_interval", &self.refresh_interval)
            .field("scope_implies", &self.scope_implies)
            .finish()
    }
}

/// A client id and secret; the secret never appears in `Debug` output.
#[derive(Clone)]
pub struct ClientCredentials {
    pub id: String,
    pub secret: String,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Why a request carries no usable identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// The token is not valid (→ 401 `invalid_token`). The text is safe to show the client.
    Invalid(String),
    /// The authorization server's metadata or keys cannot be had right now (→ 503).
    Unavailable(String),
}

/// What is known about the issuer, and when it was last asked.
#[derive(Default)]
struct IssuerState {
    metadata: Option<Arc<Metadata>>,
    keys: Option<Arc<KeySet>>,
    last_metadata_attempt: Option<Instant>,
    last_keys_fetch: Option<Instant>,
    last_error: Option<String>,
}

/// Validates tokens for one issuer and audience. Shared by every request.
pub struct Authenticator {
    settings: AuthSettings,
    http: reqwest::Client,
    state: Mutex<IssuerState>,
    /// Introspection answers by token, briefly.
    introspected: std::sync::Mutex<HashMap<String, (Identity, Instant)>>,
}

/// How long an introspection answer is reused (bounded by the token's own expiry).
const INTROSPECTION_TTL: Duration = Duration::from_secs(30);
/// Introspection cache entries kept at most; the cache is cleared when full.
const INTROSPECTION_CACHE_LIMIT: usize = 10_000;

impl Authenticator {
    pub fn new(settings: AuthSettings) -> Result<Self, String> {
        discovery::check_issuer_url(&settings.issuer)?;
        jwt_ring::install();
        let http = discovery::client()?;
        Ok(Authenticator {
            settings,
            http,
            state: Mutex::new(IssuerState::default()),
            introspected: std::sync::Mutex::new(HashMap::new()),
        })
    }

    pub fn settings(&self) -> &AuthSettings {
        &self.settings
    }

    /// The issuer's metadata, fetched on first use and kept; after a failure, fetched again at
    /// most once per refresh interval.
    pub async fn metadata(&self) -> Result<Arc<Metadata>, AuthError> {
        let mut state = self.state.lock().await;
        self.metadata_locked(&mut state).await
    }

    async fn metadata_locked(&self, state: &mut IssuerState) -> Result<Arc<Metadata>, AuthError> {
        if let Some(metadata) = &state.metadata {
            return Ok(metadata.clone());
        }
        if let Some(last) = state.last_metadata_attempt
            && last.elapsed() < self.settings.refresh_interval
        {
            return Err(AuthError::Unavailable(
                state
                    .last_error
                    .clone()
                    .unwrap_or_else(|| "the authorization server is not reachable".into()),
            ));
        }
        state.last_metadata_attempt = Some(Instant::now());
        match discovery::discover(&self.http, &self.settings.issuer).await {
            Ok(metadata) => {
                tracing::info!(issuer = %metadata.issuer, source = %metadata.source, "authorization server metadata loaded");
                let metadata = Arc::new(metadata);
                state.metadata = Some(metadata.clone());
                state.last_error = None;
                Ok(metadata)
            }
            Err(err) => {
                tracing::warn!("authorization server metadata unavailable: {err}");
                state.last_error = Some(err.clone());
                Err(AuthError::Unavailable(err))
            }
        }
    }

    /// The issuer's keys; fetched again (rate limited) when `kid` is not among them, so key
    /// rotation is picked up without a restart.
    async fn keys(&self, kid: Option<&str>) -> Result<Arc<KeySet>, AuthError> {
        let mut state = self.state.lock().await;
        let metadata = self.metadata_locked(&mut state).await?;
        let stale = match (&state.keys, kid) {
            (None, _) => true,
            (Some(keys), Some(kid)) => !keys.has_kid(kid),
            (Some(_), None) => false,
        };
        let may_fetch = state
            .last_keys_fetch
            .is_none_or(|last| last.elapsed() >= self.settings.refresh_interval);
        if stale && may_fetch {
            let Some(uri) = metadata.jwks_uri.as_deref() else {
                return Err(AuthError::Unavailable(
                    "the authorization server publishes no jwks_uri".into(),
                ));
            };
            state.last_keys_fetch = Some(Instant::now());
            match discovery::fetch_keys(&self.http, uri).await {
                Ok(keys) => {
                    tracing::info!(keys = keys.keys.len(), "signing keys loaded");
                    state.keys = Some(Arc::new(keys));
                }
                Err(err) => {
                    tracing::warn!("signing keys unavailable: {err}");
                    if state.keys.is_none() {
                        return Err(AuthError::Unavailable(format!(
                            "the signing keys cannot be fetched: {err}"
                        )));
                    }
                }
            }
        }
        state.keys.clone().ok_or_else(|| {
            AuthError::Unavailable("the signing keys have not been fetched yet".into())
        })
    }

    /// Validates `token` and says who it belongs to.
    pub async fn authenticate(&self, token: &str) -> Result<Identity, AuthError> {
        if token.is_empty() || token.len() > 16 * 1024 {
            return Err(AuthError::Invalid(
                "the access token is empty or too long".into(),
            ));
        }
        if looks_like_jwt(token) {
            self.validate_jwt(token).await
        } else if self.settings.introspection.is_some() {
            self.introspect(token).await
        } else {
            Err(AuthError::Invalid("the access token is not a JWT, and this server is not configured to introspect opaque tokens".into()))
        }
    }

    async fn validate_jwt(&self, token: &str) -> Result<Identity, AuthError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|err| AuthError::Invalid(format!("the token header is not valid: {err}")))?;
        let keys = self.keys(header.kid.as_deref()).await?;
        let candidates = keys.candidates(header.kid.as_deref(), header.alg);
        if candidates.is_empty() {
            return Err(AuthError::Invalid(match &header.kid {
                Some(kid) if !keys.has_kid(kid) => {
                    format!("the token is signed with an unknown key (`{kid}`)")
                }
                _ => format!("no key of the issuer verifies {:?} tokens", header.alg),
            }));
        }
        let metadata = self.metadata().await?;
        let mut validation = Validation::new(header.alg);
        validation.algorithms = vec![header.alg];
        validation.leeway = self.settings.leeway.as_secs();
        validation.validate_nbf = true;
        validation.set_issuer(&[metadata.issuer.as_str()]);
        validation.set_audience(&[self.settings.audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        let mut last_error = None;
        for candidate in candidates {
            match jsonwebtoken::decode::<Value>(token, &candidate.key, &validation) {
                Ok(data) => {
                    return Ok(identity(
                        &data.claims,
                        AccessToken::new(token),
                        &self.settings.scope_implies,
                    ));
                }
                Err(err) => last_error = Some(err),
            }
        }
        Err(AuthError::Invalid(describe_jwt_error(last_error)))
    }

    /// Checks an OpenID Connect ID token this server's own sign-in client (`client_id`) received
    /// (OIDC Core §3.1.3.7): signature, issuer, audience, expiry and `nonce`; returns its `sub`.
    /// It proves who is at the browser during a consent flow.
    pub async fn verify_id_token(
        &self,
        id_token: &str,
        client_id: &str,
        nonce: &str,
    ) -> Result<String, AuthError> {
        let header = jsonwebtoken::decode_header(id_token).map_err(|err| {
            AuthError::Invalid(format!("the ID token header is not valid: {err}"))
        })?;
        let keys = self.keys(header.kid.as_deref()).await?;
        let metadata = self.metadata().await?;
        let mut validation = Validation::new(header.alg);
        validation.algorithms = vec![header.alg];
        validation.leeway = self.settings.leeway.as_secs();
        validation.set_issuer(&[metadata.issuer.as_str()]);
        validation.set_audience(&[client_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        for candidate in keys.candidates(header.kid.as_deref(), header.alg) {
            if let Ok(data) = jsonwebtoken::decode::<Value>(id_token, &candidate.key, &validation) {
                if data.claims.get("nonce").and_then(Value::as_str) != Some(nonce) {
                    return Err(AuthError::Invalid(
                        "the ID token's nonce does not match".into(),
                    ));
                }
                return data
                    .claims
                    .get("sub")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| AuthError::Invalid("the ID token has no `sub`".into()));
            }
        }
        Err(AuthError::Invalid("the ID token does not verify".into()))
    }

    /// RFC 7662: asks the issuer whether an opaque token is active, with this server's own
    /// client credentials; answers are reused briefly.
    async fn introspect(&self, token: &str) -> Result<Identity, AuthError> {
        if let Some(identity) = self.cached_introspection(token) {
            return Ok(identity);
        }
        let Some(credentials) = &self.settings.introspection else {
            return Err(AuthError::Invalid("opaque tokens are not accepted".into()));
        };
        let metadata = self.metadata().await?;
        let Some(endpoint) = metadata.introspection_endpoint.as_deref() else {
            return Err(AuthError::Unavailable(
                "the authorization server has no introspection_endpoint".into(),
            ));
        };
        let response = self
            .http
            .post(endpoint)
            .basic_auth(&credentials.id, Some(&credentials.secret))
            .header(reqwest::header::ACCEPT, "application/json")
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(format!(
                "token={}&token_type_hint=access_token",
                super::encode::encode(token, super::encode::STRICT)
            ))
            .send()
            .await
            .map_err(|err| {
                AuthError::Unavailable(format!("introspection failed: {}", err.without_url()))
            })?;
        let status = response.status();
        if !status.is_success() {
            return Err(AuthError::Unavailable(format!(
                "introspection answered HTTP {}",
                status.as_u16()
            )));
        }
        let body = response.bytes().await.map_err(|err| {
            AuthError::Unavailable(format!("introspection failed: {}", err.without_url()))
        })?;
        let answer: Value = serde_json::from_slice(&body).map_err(|err| {
            AuthError::Unavailable(format!("introspection answer is not JSON: {err}"))
        })?;
        if answer.get("active") != Some(&Value::Bool(true)) {
            return Err(AuthError::Invalid("the access token is not active".into()));
        }
        let now = now();
        if let Some(exp) = answer.get("exp").and_then(Value::as_u64)
            && exp + self.settings.leeway.as_secs() < now
        {
            return Err(AuthError::Invalid("the access token has expired".into()));
        }
        if let Some(issuer) = answer.get("iss").and_then(Value::as_str)
            && !discovery::same_issuer(issuer, &metadata.issuer)
        {
            return Err(AuthError::Invalid(
                "the access token was issued by another issuer".into(),
            ));
        }
        // An introspection answer without `aud` is accepted: not every server reports it.
        if answer.get("aud").is_some()
            && !audiences(&answer)
                .iter()
                .any(|aud| *aud == self.settings.audience)
        {
            return Err(AuthError::Invalid(
                "the access token is meant for another audience".into(),
            ));
        }
        let identity = identity(
            &answer,
            AccessToken::new(token),
            &self.settings.scope_implies,
        );
        self.remember_introspection(token, &identity);
        Ok(identity)
    }

    fn cached_introspection(&self, token: &str) -> Option<Identity> {
        let cache = self.introspected.lock().ok()?;
        let (identity, at) = cache.get(token)?;
        let fresh =
            at.elapsed() < INTROSPECTION_TTL && identity.expires_at.is_none_or(|exp| exp > now());
        fresh.then(|| identity.clone())
    }

    fn remember_introspection(&self, token: &str, identity: &Identity) {
        if let Ok(mut cache) = self.introspected.lock() {
            if cache.len() >= INTROSPECTION_CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(token.to_owned(), (identity.clone(), Instant::now()));
        }
    }
}

/// Three base64url parts: the shape of a JWS compact serialization.
fn looks_like_jwt(token: &str) -> bool {
    let parts: Vec<&str> = token.split('.').collect();
    parts.len() == 3
        && parts[..2].iter().all(|p| !p.is_empty())
        && parts.iter().all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// The identity in validated claims (JWT or introspection answer), its scopes counted with the
/// ones they imply under `hierarchy`.
fn identity(claims: &Value, token: AccessToken, hierarchy: &[(String, Vec<String>)]) -> Identity {
    let text = |key: &str| claims.get(key).and_then(Value::as_str).map(str::to_owned);
    // `scope` is a space-separated string (RFC 8693 / RFC 9068); some servers use `scp` arrays.
    let mut scopes: Vec<String> = match claims.get("scope").or_else(|| claims.get("scp")) {
        Some(Value::String(text)) => text.split_whitespace().map(str::to_owned).collect(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    let mut seen = HashSet::new();
    scopes.retain(|scope| seen.insert(scope.clone()));
    Identity {
        subject: text("sub"),
        client_id: text("client_id").or_else(|| text("azp")),
        scopes: with_implied(scopes, hierarchy),
        expires_at: claims.get("exp").and_then(Value::as_u64),
        token,
    }
}

fn audiences(claims: &Value) -> Vec<&str> {
    match claims.get("aud") {
        Some(Value::String(aud)) => vec![aud.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A client-safe reason for a failed JWT validation.
fn describe_jwt_error(error: Option<jsonwebtoken::errors::Error>) -> String {
    use jsonwebtoken::errors::ErrorKind;
    let Some(error) = error else {
        return "the access token could not be validated".into();
    };
    match error.kind() {
        ErrorKind::ExpiredSignature => "the access token has expired".into(),
        ErrorKind::ImmatureSignature => "the access token is not valid yet (nbf)".into(),
        ErrorKind::InvalidAudience => "the access token is meant for another audience".into(),
        ErrorKind::InvalidIssuer => "the access token was issued by another issuer".into(),
        ErrorKind::InvalidSignature => "the access token's signature does not verify".into(),
        ErrorKind::MissingRequiredClaim(claim) => {
            format!("the access token has no `{claim}` claim")
        }
        ErrorKind::InvalidAlgorithm => "the access token's algorithm is not accepted".into(),
        _ => "the access token is not valid".into(),
    }
}

/// The algorithms a JWT may be signed with here (for `auth check`).
pub fn accepted_algorithms() -> &'static [Algorithm] {
    &[
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scopes_alternatives() {
        let granted = vec!["a".to_owned(), "b".to_owned()];
        assert!(satisfies(&granted, &[]));
        assert!(satisfies(&granted, &[&["a"]]));
        assert!(satisfies(&granted, &[&["c"], &["a", "b"]]));
        assert!(!satisfies(&granted, &[&["a", "c"]]));
        assert!(
            satisfies(&granted, &[&[]]),
            "an alternative needing nothing is always met"
        );
    }

    #[test]
    fn identity_from_claims() {
        let id = identity(
            &json!({"sub": "u", "azp": "c", "scope": "a b a", "exp": 5}),
            AccessToken::new("t"),
            &[],
        );
        assert_eq!(id.subject.as_deref(), Some("u"));
        assert_eq!(id.client_id.as_deref(), Some("c"));
        assert_eq!(id.scopes, ["a", "b"]);
        let id = identity(&json!({"scp": ["x"]}), AccessToken::new("t"), &[]);
        assert_eq!(id.scopes, ["x"]);
        assert_eq!(format!("{:?}", id.token), "AccessToken([redacted])");
    }

    /// A scope grants what it implies, and what that implies; nothing else, and a circle ends.
    #[test]
    fn scopes_count_with_the_ones_they_imply() {
        let hierarchy: Vec<(String, Vec<String>)> = [
            ("repo", &["repo:status", "public_repo"][..]),
            ("public_repo", &["repo:read"]),
            ("admin", &["admin", "repo"]),
            ("a", &["b"]),
            ("b", &["a"]),
        ]
        .iter()
        .map(|(scope, implied)| {
            let implied = implied.iter().map(|s| (*s).to_owned()).collect();
            ((*scope).to_owned(), implied)
        })
        .collect();
        let id = identity(&json!({"scope": "repo"}), AccessToken::new("t"), &hierarchy);
        assert_eq!(
            id.scopes,
            ["repo", "repo:status", "public_repo", "repo:read"]
        );
        assert!(id.satisfies(&[&["public_repo"]]));
        assert!(id.satisfies(&[&["repo:read", "repo:status"]]));
        // Negative: what the hierarchy does not give is still missing.
        assert!(!id.satisfies(&[&["admin"]]));
        assert!(!id.satisfies(&[&["repo:write"]]));
        // Implication goes one way: the implied scope grants nothing back.
        let id = identity(
            &json!({"scope": "public_repo"}),
            AccessToken::new("t"),
            &hierarchy,
        );
        assert!(!id.satisfies(&[&["repo"]]));
        assert!(!id.satisfies(&[&["repo:status"]]));
        // Without a hierarchy nothing is implied.
        let id = identity(&json!({"scope": "repo"}), AccessToken::new("t"), &[]);
        assert!(!id.satisfies(&[&["public_repo"]]));
        // Circles end.
        let id = identity(&json!({"scope": "a"}), AccessToken::new("t"), &hierarchy);
        assert_eq!(id.scopes, ["a", "b"]);
    }

    #[test]
    fn jwt_shape() {
        assert!(looks_like_jwt("eyJh.eyJz.c2ln"));
        assert!(
            looks_like_jwt("eyJh.eyJz."),
            "an unsigned JWT still looks like one, and fails as one"
        );
        assert!(!looks_like_jwt("opaque-token"));
        assert!(!looks_like_jwt("a.b.c.d"));
        assert!(!looks_like_jwt("a b.c.d"));
    }
}
