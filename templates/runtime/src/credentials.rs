//! Outbound credentials: how each call authenticates to the upstream API, from the spec's security
//! schemes and settings in the environment (`<SCHEME>_API_KEY`, `<SCHEME>_CLIENT_ID`, …).
//!
//! For each call the first security requirement whose credentials are all configured is used, and
//! every scheme of it is applied. When none can be, the call fails with an error naming the
//! variables to set: a request is never sent unauthenticated by accident. The MCP caller's own
//! token is never forwarded, unless a scheme is explicitly set to `passthrough`.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::Value;

use super::api::{ApiDef, KeyLocation, SchemeDef, SchemeKind, ToolDef};
use super::auth::{Authenticator, Identity};
use super::consent::{Consent, ConsentError, ConsentRequest, ConsentScheme, Endpoints, User};
use super::request::Request;
pub use super::token_endpoint::TokenAuth;
use super::token_endpoint::{self, Client};

/// How a scheme's credential is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// A configured secret: API key, bearer token, user name and password.
    Static,
    /// OAuth 2 client credentials grant with this server's own client.
    ClientCredentials,
    /// RFC 8693: the caller's validated token exchanged for one meant for the upstream API.
    TokenExchange,
    /// The caller's token forwarded as it is. Unsafe: only when explicitly configured.
    Passthrough,
    /// Each user's own token at a third party, from their consent ([`super::consent`]).
    UserConsent,
}

impl Strategy {
    fn parse(text: &str) -> Option<Strategy> {
        match text.trim().to_ascii_lowercase().as_str() {
            "static" => Some(Strategy::Static),
            "client-credentials" | "client_credentials" => Some(Strategy::ClientCredentials),
            "token-exchange" | "token_exchange" => Some(Strategy::TokenExchange),
            "passthrough" => Some(Strategy::Passthrough),
            "user-consent" | "user_consent" => Some(Strategy::UserConsent),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Strategy::Static => "static",
            Strategy::ClientCredentials => "client-credentials",
            Strategy::TokenExchange => "token-exchange",
            Strategy::Passthrough => "passthrough",
            Strategy::UserConsent => "user-consent",
        }
    }
}

/// A secret value: never shown by `Debug`.
#[derive(Clone)]
struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The settings of one scheme, read from the environment.
#[derive(Debug, Clone, Default)]
struct Settings {
    api_key: Option<Secret>,
    bearer_token: Option<Secret>,
    username: Option<String>,
    password: Option<Secret>,
    client_id: Option<String>,
    client_secret: Option<Secret>,
    token_url: Option<String>,
    scopes: Option<Vec<String>>,
    audience: Option<String>,
    authorization_url: Option<String>,
    revocation_url: Option<String>,
}

/// A scheme with its settings and cached tokens.
#[derive(Debug)]
struct Scheme {
    def: &'static SchemeDef,
    settings: Settings,
    strategy: Strategy,
    /// The strategy was asked for (`<SCHEME>_STRATEGY`, or at generation), not defaulted.
    explicit: bool,
    token_auth: TokenAuth,
    tokens: TokenCache,
}

impl Scheme {
    fn var(&self, suffix: &str) -> String {
        format!("{}_{suffix}", self.def.env_prefix)
    }

    /// Where users consent and tokens are issued: the overrides, the spec's authorization code
    /// flow, or the OpenID Connect discovery document. `None` when nothing says.
    fn consent_endpoints(&self) -> Option<Endpoints> {
        let s = &self.settings;
        if let (Some(authorization), Some(token)) = (&s.authorization_url, &s.token_url) {
            return Some(Endpoints::Known {
                authorization: authorization.clone(),
                token: token.clone(),
                refresh: None,
            });
        }
        match self.def.kind {
            SchemeKind::OAuth2 {
                authorization_code: Some(flow),
                ..
            } => Some(Endpoints::Known {
                authorization: s
                    .authorization_url
                    .clone()
                    .unwrap_or_else(|| flow.authorization_url.to_owned()),
                token: s
                    .token_url
                    .clone()
                    .unwrap_or_else(|| flow.token_url.to_owned()),
                refresh: flow.refresh_url.map(str::to_owned),
            }),
            SchemeKind::OpenIdConnect { discovery_url } => {
                Some(Endpoints::Discover(discovery_url.to_owned()))
            }
            _ => None,
        }
    }

    /// This server's registration for the scheme's token endpoint.
    fn client(&self) -> Client {
        Client {
            id: self.settings.client_id.clone().unwrap_or_default(),
            secret: self
                .settings
                .client_secret
                .as_ref()
                .map(|s| s.0.clone())
                .unwrap_or_default(),
            auth: self.token_auth,
        }
    }

    /// The settings still missing for this scheme to be usable by a caller with or without an
    /// identity, as variable names (empty: usable).
    fn missing(&self, identity: Option<&Identity>, has_authority: bool) -> Vec<String> {
        let s = &self.settings;
        let mut missing = Vec::new();
        let mut need = |present: bool, suffix: &str| {
            if !present {
                missing.push(self.var(suffix));
            }
        };
        match (self.strategy, self.def.kind) {
            (_, SchemeKind::HttpOther { scheme }) => {
                missing.push(format!("(HTTP `{scheme}` authentication is not supported)"))
            }
            (Strategy::Passthrough, _) => {
                if identity.is_none() {
                    missing.push("(an authenticated HTTP caller, for passthrough)".into());
                }
            }
            (Strategy::Static, SchemeKind::ApiKey { .. }) => need(s.api_key.is_some(), "API_KEY"),
            (Strategy::Static, SchemeKind::HttpBasic) => {
                need(s.username.is_some(), "USERNAME");
                need(s.password.is_some(), "PASSWORD");
            }
            (Strategy::Static, _) => need(s.bearer_token.is_some(), "BEARER_TOKEN"),
            (Strategy::ClientCredentials, _) => {
                need(s.client_id.is_some(), "CLIENT_ID");
                need(s.client_secret.is_some(), "CLIENT_SECRET");
                let known_url = s.token_url.is_some()
                    || matches!(
                        self.def.kind,
                        SchemeKind::OAuth2 {
                            client_credentials_url: Some(_),
                            ..
                        } | SchemeKind::OpenIdConnect { .. }
                    );
                need(known_url, "TOKEN_URL");
            }
            (Strategy::UserConsent, _) => {
                need(s.client_id.is_some(), "CLIENT_ID");
                need(s.client_secret.is_some(), "CLIENT_SECRET");
                if self.consent_endpoints().is_none() {
                    need(s.authorization_url.is_some(), "AUTHORIZATION_URL");
                    need(s.token_url.is_some(), "TOKEN_URL");
                }
            }
            (Strategy::TokenExchange, _) => {
                need(s.client_id.is_some(), "CLIENT_ID");
                need(s.client_secret.is_some(), "CLIENT_SECRET");
                if identity.is_none() || (!has_authority && s.token_url.is_none()) {
                    missing.push(format!(
                        "(an authenticated HTTP caller, for token exchange; or {})",
                        self.var("BEARER_TOKEN")
                    ));
                }
            }
        }
        missing
    }
}

/// The credentials of every scheme, shared by all calls.
pub struct Credentials {
    schemes: HashMap<&'static str, Scheme>,
    http: reqwest::Client,
    upstream_base: String,
    /// The inbound authorization server, whose token endpoint exchanges tokens.
    authority: OnceLock<Arc<Authenticator>>,
    /// Users' consent, when a scheme uses `user-consent`.
    consent: OnceLock<Arc<Consent>>,
}

/// The schemes (with their scopes) chosen for one call.
pub struct Chosen<'a> {
    parts: Vec<(&'a Scheme, &'static [&'static str])>,
}

impl Chosen<'_> {
    /// Whether a fresh token might succeed where this one got a 401 (tokens this server obtains
    /// itself).
    pub fn refreshable(&self) -> bool {
        self.parts.iter().any(|(scheme, _)| {
            matches!(
                scheme.strategy,
                Strategy::ClientCredentials | Strategy::TokenExchange | Strategy::UserConsent
            )
        })
    }
}

/// Why credentials could not be put on a request.
#[derive(Debug)]
pub enum ApplyError {
    /// Settings are missing, or a token endpoint failed: safe to show.
    Failed(String),
    /// The user must connect their account at a third party first.
    Consent(ConsentRequest),
}

/// Tokens obtained from token endpoints, by cache key; each slot is filled by one request at a
/// time, so concurrent calls wait for the same token rather than fetching several.
#[derive(Default)]
struct TokenCache {
    slots: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Token>>>>>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenCache")
    }
}

#[derive(Clone)]
struct Token {
    value: Secret,
    refresh_at: Instant,
}

/// Cached entries kept at most per scheme (token exchange caches per subject).
const CACHE_LIMIT: usize = 10_000;
/// The lifetime assumed when a token endpoint does not say (`expires_in` is optional).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);
/// How long before expiry a token is replaced, at most.
const REFRESH_MARGIN: Duration = Duration::from_secs(30);

impl TokenCache {
    fn slot(&self, key: &str) -> Arc<tokio::sync::Mutex<Option<Token>>> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots.len() >= CACHE_LIMIT && !slots.contains_key(key) {
            slots.clear();
        }
        slots.entry(key.to_owned()).or_default().clone()
    }

    /// The cached token, or a new one from `fetch`.
    async fn get<F, Fut>(&self, key: &str, fetch: F) -> Result<String, String>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(String, Option<u64>), String>>,
    {
        let slot = self.slot(key);
        let mut guard = slot.lock().await;
        if let Some(token) = guard.as_ref()
            && Instant::now() < token.refresh_at
        {
            return Ok(token.value.0.clone());
        }
        let (value, expires_in) = fetch().await?;
        let lifetime = expires_in.map_or(DEFAULT_LIFETIME, Duration::from_secs);
        let margin = REFRESH_MARGIN.min(lifetime / 5);
        *guard = Some(Token {
            value: Secret(value.clone()),
            refresh_at: Instant::now() + lifetime - margin,
        });
        Ok(value)
    }

    /// Drops every cached token (after the upstream refused one).
    async fn forget(&self) {
        let slots: Vec<_> = self
            .slots
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect();
        for slot in slots {
            *slot.lock().await = None;
        }
    }
}

/// The outcome of applying credentials: the variables to set, or a token endpoint's refusal.
pub type CredentialError = String;

impl Credentials {
    /// Reads every scheme's settings through `env` (the process environment in production).
    /// `inbound_issuer`: calls come from HTTP callers with tokens of this issuer, so token
    /// exchange or user consent can be the default for schemes acting for a user.
    pub fn from_env(
        api: &'static ApiDef,
        upstream_base: &str,
        inbound_issuer: Option<&str>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Credentials, String> {
        let exchange_available = inbound_issuer.is_some();
        super::tls::install_tls_provider();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .user_agent(format!("{}/{} (mcpwright)", api.name, api.version))
            .build()
            .map_err(|err| format!("cannot build the HTTP client for token requests: {err}"))?;
        let mut schemes = HashMap::new();
        for def in api.schemes {
            let scheme = read_scheme(def, inbound_issuer, env)?;
            tracing::info!(
                scheme = def.name,
                strategy = scheme.strategy.as_str(),
                configured = scheme.missing(None, false).is_empty()
                    || matches!(
                        scheme.strategy,
                        Strategy::TokenExchange | Strategy::Passthrough
                    ),
                "upstream credentials"
            );
            if scheme.strategy == Strategy::Passthrough {
                tracing::warn!(
                    scheme = def.name,
                    "{}_STRATEGY=passthrough: callers' MCP access tokens are forwarded to the upstream API. \
                     This is unsafe (the MCP specification forbids it by default): the upstream \
                     can replay them against this server and any service that accepts them",
                    def.env_prefix
                );
            }
            if scheme.strategy == Strategy::TokenExchange && !exchange_available {
                tracing::warn!(
                    scheme = def.name,
                    "token exchange needs authenticated HTTP callers; set {}_BEARER_TOKEN to call \
                     the upstream API over this transport",
                    def.env_prefix
                );
            }
            schemes.insert(def.name, scheme);
        }
        Ok(Credentials {
            schemes,
            http,
            upstream_base: upstream_base.to_owned(),
            authority: OnceLock::new(),
            consent: OnceLock::new(),
        })
    }

    /// No schemes at all: every tool with a security requirement reports what is missing.
    pub fn none() -> Credentials {
        super::tls::install_tls_provider();
        Credentials {
            schemes: HashMap::new(),
            http: reqwest::Client::new(),
            upstream_base: String::new(),
            authority: OnceLock::new(),
            consent: OnceLock::new(),
        }
    }

    /// The schemes that use `user-consent`, with what the consent service needs of each (relative
    /// endpoint URLs resolved against the upstream). An error names what is missing.
    pub fn consent_schemes(&self) -> Result<Vec<ConsentScheme>, String> {
        let mut out = Vec::new();
        let mut names: Vec<_> = self.schemes.keys().copied().collect();
        names.sort_unstable();
        for name in names {
            let scheme = &self.schemes[name];
            if scheme.strategy != Strategy::UserConsent {
                continue;
            }
            let missing = scheme.missing(None, false);
            if !missing.is_empty() && !scheme.explicit {
                // Chosen by default and not set up: its tools say what to set when called.
                tracing::warn!(
                    scheme = name,
                    "user consent (the default for this third-party scheme) is not set up: set {}",
                    missing.join(" and ")
                );
                continue;
            }
            if !missing.is_empty() {
                return Err(format!(
                    "{}_STRATEGY=user-consent needs {}",
                    scheme.def.env_prefix,
                    missing.join(" and ")
                ));
            }
            let endpoints = match scheme.consent_endpoints() {
                Some(Endpoints::Known {
                    authorization,
                    token,
                    refresh,
                }) => Endpoints::Known {
                    authorization: resolve(&self.upstream_base, &authorization)?,
                    token: resolve(&self.upstream_base, &token)?,
                    refresh: refresh
                        .map(|url| resolve(&self.upstream_base, &url))
                        .transpose()?,
                },
                Some(Endpoints::Discover(url)) => {
                    Endpoints::Discover(resolve(&self.upstream_base, &url)?)
                }
                None => {
                    return Err(format!(
                        "{p}_STRATEGY=user-consent needs {p}_AUTHORIZATION_URL and {p}_TOKEN_URL",
                        p = scheme.def.env_prefix
                    ));
                }
            };
            out.push(ConsentScheme {
                name: scheme.def.name,
                client: scheme.client(),
                endpoints,
                scopes: scheme.settings.scopes.clone(),
                revocation_url: scheme.settings.revocation_url.clone(),
            });
        }
        Ok(out)
    }

    /// Sets the consent service of the `user-consent` schemes.
    pub fn set_consent(&self, consent: Arc<Consent>) {
        let _ = self.consent.set(consent);
    }

    pub fn consent(&self) -> Option<&Arc<Consent>> {
        self.consent.get()
    }

    /// The user a consent token is kept for: the caller (HTTP), or stdio's one local user.
    fn consent_user(
        &self,
        identity: Option<&Identity>,
    ) -> Result<(&Arc<Consent>, User), ApplyError> {
        let consent = self.consent.get().ok_or_else(|| {
            ApplyError::Failed(
                "user consent is not set up: set MCP_TOKEN_STORE and MCP_TOKEN_STORE_KEY".into(),
            )
        })?;
        if !consent.signs_in() {
            return Ok((consent, User::local()));
        }
        let (Some(identity), Some(authority)) = (identity, self.authority.get()) else {
            return Err(ApplyError::Failed(
                "user consent needs an authenticated caller".into(),
            ));
        };
        let sub = identity.subject.clone().ok_or_else(|| {
            ApplyError::Failed("user consent needs callers whose tokens carry `sub`".into())
        })?;
        Ok((
            consent,
            User {
                iss: authority.settings().issuer.clone(),
                sub,
            },
        ))
    }

    /// Sets the authorization server whose token endpoint exchanges callers' tokens.
    pub fn set_authority(&self, authority: Arc<Authenticator>) {
        let _ = self.authority.set(authority);
    }

    /// The first security requirement of `tool` this server can satisfy for `identity`.
    pub fn choose(
        &self,
        tool: &ToolDef,
        identity: Option<&Identity>,
    ) -> Result<Chosen<'_>, CredentialError> {
        if tool.security.is_empty() {
            return Ok(Chosen { parts: Vec::new() });
        }
        let has_authority = self.authority.get().is_some();
        let mut alternatives = Vec::new();
        for requirement in tool.security {
            let mut parts = Vec::new();
            let mut missing = Vec::new();
            for (name, scopes) in requirement.iter() {
                match self.schemes.get(name) {
                    Some(scheme) => {
                        missing.extend(scheme.missing(identity, has_authority));
                        parts.push((scheme, *scopes));
                    }
                    None => {
                        missing.push(format!("(the scheme `{name}` is not described by the API)"))
                    }
                }
            }
            if missing.is_empty() {
                return Ok(Chosen { parts });
            }
            alternatives.push(missing.join(" and "));
        }
        Err(format!(
            "no upstream credentials are configured for this tool: set {}",
            alternatives.join(", or ")
        ))
    }

    /// Puts the chosen credentials on `request`, obtaining tokens where needed.
    pub async fn apply(
        &self,
        chosen: &Chosen<'_>,
        request: &mut Request,
        identity: Option<&Identity>,
    ) -> Result<(), ApplyError> {
        for (scheme, scopes) in &chosen.parts {
            if scheme.strategy == Strategy::UserConsent {
                let (consent, user) = self.consent_user(identity)?;
                let token = consent
                    .token(scheme.def.name, &user, scopes)
                    .await
                    .map_err(|err| match err {
                        ConsentError::Needed(request) => ApplyError::Consent(request),
                        ConsentError::Failed(text) => ApplyError::Failed(text),
                    })?;
                match scheme.def.kind {
                    SchemeKind::ApiKey { name, location } => {
                        put_key(request, name, location, &token)
                    }
                    _ => request.set_secret_header("Authorization", format!("Bearer {token}")),
                }
                continue;
            }
            self.apply_one(scheme, scopes, request, identity)
                .await
                .map_err(ApplyError::Failed)?;
        }
        Ok(())
    }

    async fn apply_one(
        &self,
        scheme: &Scheme,
        scopes: &[&str],
        request: &mut Request,
        identity: Option<&Identity>,
    ) -> Result<(), CredentialError> {
        match (scheme.strategy, scheme.def.kind) {
            (Strategy::Passthrough, SchemeKind::ApiKey { name, location }) => {
                let token = identity
                    .map(|i| i.token.secret().to_owned())
                    .unwrap_or_default();
                put_key(request, name, location, &token);
            }
            (Strategy::Passthrough, _) => {
                let token = identity.map(|i| i.token.secret()).unwrap_or_default();
                request.set_secret_header("Authorization", format!("Bearer {token}"));
            }
            (Strategy::Static, SchemeKind::ApiKey { name, location }) => {
                let key = scheme
                    .settings
                    .api_key
                    .as_ref()
                    .map(|s| s.0.as_str())
                    .unwrap_or_default();
                put_key(request, name, location, key);
            }
            (Strategy::Static, SchemeKind::HttpBasic) => {
                let user = scheme.settings.username.as_deref().unwrap_or_default();
                let password = scheme
                    .settings
                    .password
                    .as_ref()
                    .map(|s| s.0.as_str())
                    .unwrap_or_default();
                let encoded =
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
                request.set_secret_header("Authorization", format!("Basic {encoded}"));
            }
            (Strategy::Static, _) => {
                let token = scheme
                    .settings
                    .bearer_token
                    .as_ref()
                    .map(|s| s.0.as_str())
                    .unwrap_or_default();
                request.set_secret_header("Authorization", format!("Bearer {token}"));
            }
            (Strategy::UserConsent, _) => return Err("user consent is applied by apply()".into()),
            (Strategy::ClientCredentials, _) => {
                let token = self.client_credentials(scheme, scopes).await?;
                request.set_secret_header("Authorization", format!("Bearer {token}"));
            }
            (Strategy::TokenExchange, _) => {
                let Some(identity) = identity else {
                    return Err("token exchange needs an authenticated caller".into());
                };
                let token = self.exchange(scheme, scopes, identity).await?;
                request.set_secret_header("Authorization", format!("Bearer {token}"));
            }
        }
        Ok(())
    }

    /// Forgets the tokens this server obtained for `chosen`, after the upstream refused one; a
    /// user's consent token is refreshed on the next use.
    pub async fn forget(&self, chosen: &Chosen<'_>, identity: Option<&Identity>) {
        for (scheme, _) in &chosen.parts {
            if scheme.strategy == Strategy::UserConsent {
                if let Ok((consent, user)) = self.consent_user(identity) {
                    consent.expire(scheme.def.name, &user).await;
                }
                continue;
            }
            scheme.tokens.forget().await;
        }
    }

    /// A client-credentials token for `scopes`, cached until shortly before it expires.
    async fn client_credentials(
        &self,
        scheme: &Scheme,
        scopes: &[&str],
    ) -> Result<String, CredentialError> {
        let scopes = requested_scopes(scheme, scopes);
        let key = format!("cc {scopes}");
        scheme
            .tokens
            .get(&key, || async {
                let url = self.token_url(scheme).await?;
                let mut form = vec![("grant_type", "client_credentials".to_owned())];
                if !scopes.is_empty() {
                    form.push(("scope", scopes.clone()));
                }
                if let Some(audience) = &scheme.settings.audience {
                    push_audience(&mut form, audience);
                }
                self.token_request(scheme, &url, form).await
            })
            .await
    }

    /// RFC 8693 token exchange of the caller's token, cached per subject until shortly before
    /// expiry.
    async fn exchange(
        &self,
        scheme: &Scheme,
        scopes: &[&str],
        identity: &Identity,
    ) -> Result<String, CredentialError> {
        let scopes = requested_scopes(scheme, scopes);
        // Per subject; a caller without `sub` is keyed by a digest of its token.
        let who = identity.subject.clone().unwrap_or_else(|| {
            let digest =
                ring::digest::digest(&ring::digest::SHA256, identity.token.secret().as_bytes());
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
        });
        let key = format!("x {who} {scopes}");
        scheme
            .tokens
            .get(&key, || async {
                let url = match &scheme.settings.token_url {
                    Some(url) => url.clone(),
                    None => {
                        let authority = self
                            .authority
                            .get()
                            .ok_or("token exchange needs the inbound authorization server")?;
                        let metadata = authority.metadata().await.map_err(|err| {
                            format!("the authorization server is unavailable: {err:?}")
                        })?;
                        metadata
                            .token_endpoint
                            .clone()
                            .ok_or("the authorization server publishes no token_endpoint")?
                    }
                };
                let audience = scheme
                    .settings
                    .audience
                    .clone()
                    .unwrap_or_else(|| self.upstream_base.clone());
                let mut form = vec![
                    (
                        "grant_type",
                        "urn:ietf:params:oauth:grant-type:token-exchange".to_owned(),
                    ),
                    ("subject_token", identity.token.secret().to_owned()),
                    (
                        "subject_token_type",
                        "urn:ietf:params:oauth:token-type:access_token".to_owned(),
                    ),
                    (
                        "requested_token_type",
                        "urn:ietf:params:oauth:token-type:access_token".to_owned(),
                    ),
                ];
                push_audience(&mut form, &audience);
                if !scopes.is_empty() {
                    form.push(("scope", scopes.clone()));
                }
                self.token_request(scheme, &url, form).await
            })
            .await
    }

    /// The client-credentials token endpoint of a scheme: the override, the spec's (relative URLs
    /// resolved against the upstream server), or the OpenID provider's.
    async fn token_url(&self, scheme: &Scheme) -> Result<String, CredentialError> {
        if let Some(url) = &scheme.settings.token_url {
            return Ok(url.clone());
        }
        match scheme.def.kind {
            SchemeKind::OAuth2 {
                client_credentials_url: Some(url),
                ..
            } => resolve(&self.upstream_base, url),
            SchemeKind::OpenIdConnect { discovery_url } => {
                let url = resolve(&self.upstream_base, discovery_url)?;
                let document = self.get_json(&url).await?;
                document
                    .get("token_endpoint")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        format!(
                            "the OpenID configuration of `{}` has no token_endpoint",
                            scheme.def.name
                        )
                    })
            }
            _ => Err(format!(
                "set {} to the token endpoint",
                scheme.var("TOKEN_URL")
            )),
        }
    }

    async fn get_json(&self, url: &str) -> Result<Value, CredentialError> {
        let response = self
            .http
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        let body = response
            .bytes()
            .await
            .map_err(|e| e.without_url().to_string())?;
        serde_json::from_slice(&body).map_err(|err| format!("not JSON: {err}"))
    }

    /// POSTs a token request with this server's client authentication and reads the token.
    async fn token_request(
        &self,
        scheme: &Scheme,
        url: &str,
        form: Vec<(&str, String)>,
    ) -> Result<(String, Option<u64>), CredentialError> {
        let tokens =
            token_endpoint::request(&self.http, url, &scheme.client(), form, scheme.def.name)
                .await
                .map_err(|err| err.text)?;
        Ok((tokens.access_token, tokens.expires_in))
    }

    /// The settings each scheme reads, for documentation and `tools --format json`.
    pub fn variables(def: &SchemeDef) -> Vec<String> {
        let p = def.env_prefix;
        let mut vars = match def.kind {
            SchemeKind::ApiKey { .. } => vec![format!("{p}_API_KEY")],
            SchemeKind::HttpBearer => vec![format!("{p}_BEARER_TOKEN")],
            SchemeKind::HttpBasic => vec![format!("{p}_USERNAME"), format!("{p}_PASSWORD")],
            SchemeKind::HttpOther { .. } => Vec::new(),
            SchemeKind::OAuth2 { .. } | SchemeKind::OpenIdConnect { .. } => [
                "BEARER_TOKEN",
                "CLIENT_ID",
                "CLIENT_SECRET",
                "TOKEN_URL",
                "SCOPES",
                "AUDIENCE",
                "TOKEN_AUTH_METHOD",
            ]
            .iter()
            .map(|s| format!("{p}_{s}"))
            .collect(),
        };
        vars.push(format!("{p}_STRATEGY"));
        vars
    }
}

/// The target of a token request: `resource` (RFC 8707) when it is a URL, and `audience`, which
/// several providers use instead (RFC 8693 §2.1 has both).
fn push_audience(form: &mut Vec<(&str, String)>, audience: &str) {
    if reqwest::Url::parse(audience).is_ok() {
        form.push(("resource", audience.to_owned()));
    }
    form.push(("audience", audience.to_owned()));
}

fn put_key(request: &mut Request, name: &str, location: KeyLocation, value: &str) {
    match location {
        KeyLocation::Header => request.set_secret_header(name, value.to_owned()),
        KeyLocation::Query => request.set_secret_query(name, value),
        KeyLocation::Cookie => request.set_secret_cookie(name, value),
    }
}

/// The scopes to ask a token endpoint for: the override, else the requirement's.
fn requested_scopes(scheme: &Scheme, scopes: &[&str]) -> String {
    match &scheme.settings.scopes {
        Some(scopes) => scopes.join(" "),
        None => scopes.join(" "),
    }
}

/// `url`, resolved against the upstream base URL when relative.
fn resolve(base: &str, url: &str) -> Result<String, CredentialError> {
    if url.starts_with("http://") || url.starts_with("https://") {
        return Ok(url.to_owned());
    }
    let base = reqwest::Url::parse(&format!("{}/", base.trim_end_matches('/')))
        .map_err(|err| format!("the upstream URL is invalid: {err}"))?;
    base.join(url)
        .map(|u| u.to_string())
        .map_err(|err| format!("the URL `{url}` cannot be resolved: {err}"))
}

/// One scheme's settings from the environment, with its strategy decided.
fn read_scheme(
    def: &'static SchemeDef,
    inbound_issuer: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Scheme, String> {
    let var = |suffix: &str| {
        env(&format!("{}_{suffix}", def.env_prefix))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let settings = Settings {
        api_key: var("API_KEY").map(Secret),
        bearer_token: var("BEARER_TOKEN").map(Secret),
        username: var("USERNAME"),
        password: var("PASSWORD").map(Secret),
        client_id: var("CLIENT_ID"),
        client_secret: var("CLIENT_SECRET").map(Secret),
        token_url: var("TOKEN_URL"),
        scopes: var("SCOPES").map(|s| {
            s.split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        }),
        audience: var("AUDIENCE"),
        authorization_url: var("AUTHORIZATION_URL"),
        revocation_url: var("REVOCATION_URL"),
    };
    if settings.client_id.is_some() != settings.client_secret.is_some() {
        return Err(format!(
            "set both {p}_CLIENT_ID and {p}_CLIENT_SECRET, or neither",
            p = def.env_prefix
        ));
    }
    if settings.username.is_some() != settings.password.is_some() {
        return Err(format!(
            "set both {p}_USERNAME and {p}_PASSWORD, or neither",
            p = def.env_prefix
        ));
    }
    let method = var("TOKEN_AUTH_METHOD");
    let Some(token_auth) = TokenAuth::parse(method.as_deref()) else {
        return Err(format!(
            "{}_TOKEN_AUTH_METHOD=`{}` is not supported: use client_secret_basic or client_secret_post",
            def.env_prefix,
            method.unwrap_or_default()
        ));
    };
    let named = var("STRATEGY").or_else(|| def.default_strategy.map(str::to_owned));
    let explicit = named.is_some();
    let strategy = match named {
        Some(text) => Strategy::parse(&text).ok_or_else(|| {
            format!(
                "{}_STRATEGY=`{text}` is not a strategy: use static, client-credentials, token-exchange, user-consent or passthrough",
                def.env_prefix
            )
        })?,
        None => default_strategy(def.kind, &settings, inbound_issuer),
    };
    let oauth = matches!(
        def.kind,
        SchemeKind::OAuth2 { .. } | SchemeKind::OpenIdConnect { .. }
    );
    if !oauth
        && matches!(
            strategy,
            Strategy::ClientCredentials | Strategy::TokenExchange | Strategy::UserConsent
        )
    {
        return Err(format!(
            "{}_STRATEGY={}: only OAuth 2 and OpenID Connect schemes obtain tokens",
            def.env_prefix,
            strategy.as_str()
        ));
    }
    Ok(Scheme {
        def,
        settings,
        strategy,
        explicit,
        token_auth,
        tokens: TokenCache::default(),
    })
}

/// The strategy when `<SCHEME>_STRATEGY` is not set: static secrets for keys and HTTP schemes and
/// for OAuth schemes given a bearer token; client credentials for schemes with that flow; for
/// schemes acting for a user, when callers are authenticated (`inbound_issuer`), user consent if
/// the scheme's tokens come from another authorization server than the callers' (a third party
/// that cannot exchange the callers' tokens), token exchange otherwise.
fn default_strategy(
    kind: SchemeKind,
    settings: &Settings,
    inbound_issuer: Option<&str>,
) -> Strategy {
    let exchange_available = inbound_issuer.is_some();
    let (client_credentials, user_flows) = match kind {
        SchemeKind::OAuth2 {
            client_credentials_url,
            user_flows,
            ..
        } => (client_credentials_url.is_some(), user_flows),
        SchemeKind::OpenIdConnect { .. } => (false, true),
        _ => return Strategy::Static,
    };
    let third_party = match (kind, inbound_issuer) {
        (
            SchemeKind::OAuth2 {
                authorization_code: Some(flow),
                ..
            },
            Some(issuer),
        ) => {
            let token_url = settings.token_url.as_deref().unwrap_or(flow.token_url);
            !token_url.starts_with(issuer.trim_end_matches('/'))
        }
        _ => false,
    };
    if settings.bearer_token.is_some() {
        Strategy::Static
    } else if client_credentials
        || (settings.client_id.is_some() && settings.token_url.is_some() && !user_flows)
    {
        Strategy::ClientCredentials
    } else if third_party {
        Strategy::UserConsent
    } else if user_flows && exchange_available {
        Strategy::TokenExchange
    } else {
        Strategy::Static
    }
}

#[cfg(test)]
mod tests {
    use super::super::api::CodeFlow;
    use super::*;

    static KEY: SchemeDef = SchemeDef {
        name: "key",
        env_prefix: "KEY",
        kind: SchemeKind::ApiKey {
            name: "X-Key",
            location: KeyLocation::Header,
        },
        default_strategy: None,
    };
    static MACHINE: SchemeDef = SchemeDef {
        name: "machine",
        env_prefix: "MACHINE",
        kind: SchemeKind::OAuth2 {
            client_credentials_url: Some("/oauth/token"),
            user_flows: false,
            authorization_code: None,
        },
        default_strategy: None,
    };
    static USER: SchemeDef = SchemeDef {
        name: "user",
        env_prefix: "USER",
        kind: SchemeKind::OAuth2 {
            client_credentials_url: None,
            user_flows: true,
            authorization_code: Some(CodeFlow {
                authorization_url: "https://idp.example.com/authorize",
                token_url: "https://idp.example.com/token",
                refresh_url: None,
            }),
        },
        default_strategy: None,
    };
    /// A third party's authorization code flow (GitHub's URLs).
    static THIRD: SchemeDef = SchemeDef {
        name: "github",
        env_prefix: "GITHUB",
        kind: SchemeKind::OAuth2 {
            client_credentials_url: None,
            user_flows: true,
            authorization_code: Some(CodeFlow {
                authorization_url: "https://github.com/login/oauth/authorize",
                token_url: "https://github.com/login/oauth/access_token",
                refresh_url: None,
            }),
        },
        default_strategy: None,
    };
    /// The callers' issuer.
    const IDP: Option<&str> = Some("https://idp.example.com");

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn default_strategies() {
        assert_eq!(
            read_scheme(&KEY, IDP, &env(&[])).unwrap().strategy,
            Strategy::Static
        );
        assert_eq!(
            read_scheme(&MACHINE, IDP, &env(&[])).unwrap().strategy,
            Strategy::ClientCredentials
        );
        assert_eq!(
            read_scheme(&USER, IDP, &env(&[])).unwrap().strategy,
            Strategy::TokenExchange
        );
        assert_eq!(
            read_scheme(&USER, None, &env(&[])).unwrap().strategy,
            Strategy::Static,
            "over stdio: a static token"
        );
        assert_eq!(
            read_scheme(&USER, IDP, &env(&[("USER_BEARER_TOKEN", "t")]))
                .unwrap()
                .strategy,
            Strategy::Static
        );
        assert_eq!(
            read_scheme(&USER, IDP, &env(&[("USER_STRATEGY", "passthrough")]))
                .unwrap()
                .strategy,
            Strategy::Passthrough
        );
    }

    #[test]
    fn third_party_code_flows_default_to_user_consent() {
        let strategy = |issuer, pairs| read_scheme(&THIRD, issuer, &env(pairs)).unwrap().strategy;
        assert_eq!(strategy(IDP, &[]), Strategy::UserConsent);
        assert_eq!(
            strategy(None, &[]),
            Strategy::Static,
            "over stdio: a static token"
        );
        assert_eq!(
            strategy(IDP, &[("GITHUB_STRATEGY", "token-exchange")]),
            Strategy::TokenExchange
        );
        // The callers' own issuer can exchange their tokens.
        assert_eq!(
            strategy(Some("https://github.com/login/oauth/"), &[]),
            Strategy::TokenExchange
        );
        let scheme = read_scheme(&THIRD, IDP, &env(&[])).unwrap();
        assert_eq!(
            scheme.missing(None, false),
            ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"]
        );
        assert!(
            read_scheme(&KEY, IDP, &env(&[("KEY_STRATEGY", "user-consent")])).is_err(),
            "only OAuth schemes have consent"
        );
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(
            read_scheme(&USER, IDP, &env(&[("USER_STRATEGY", "magic")]))
                .unwrap_err()
                .contains("USER_STRATEGY")
        );
        assert!(read_scheme(&KEY, IDP, &env(&[("KEY_STRATEGY", "client-credentials")])).is_err());
        assert!(
            read_scheme(&MACHINE, IDP, &env(&[("MACHINE_CLIENT_ID", "a")]))
                .unwrap_err()
                .contains("MACHINE_CLIENT_SECRET")
        );
        assert!(
            read_scheme(
                &MACHINE,
                IDP,
                &env(&[("MACHINE_TOKEN_AUTH_METHOD", "private_key_jwt")])
            )
            .is_err()
        );
    }

    #[test]
    fn missing_settings_name_the_variables() {
        let scheme = read_scheme(&MACHINE, IDP, &env(&[])).unwrap();
        assert_eq!(
            scheme.missing(None, false),
            ["MACHINE_CLIENT_ID", "MACHINE_CLIENT_SECRET"]
        );
        let scheme = read_scheme(&KEY, IDP, &env(&[("KEY_API_KEY", "k")])).unwrap();
        assert!(scheme.missing(None, false).is_empty());
        assert!(format!("{:?}", scheme.settings).contains("[redacted]"));
        assert!(!format!("{:?}", scheme.settings).contains("\"k\""));
    }

    #[test]
    fn relative_token_urls() {
        assert_eq!(
            resolve("https://api.example.com/v1", "/oauth/token").unwrap(),
            "https://api.example.com/oauth/token"
        );
        assert_eq!(
            resolve("https://api.example.com/v1", "oauth/token").unwrap(),
            "https://api.example.com/v1/oauth/token"
        );
        assert_eq!(
            resolve("https://api.example.com/v1", "https://idp/token").unwrap(),
            "https://idp/token"
        );
    }

    #[tokio::test]
    async fn one_fetch_for_concurrent_callers() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (cache, fetches) = (cache.clone(), fetches.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get("k", || async {
                        fetches.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok(("t".to_owned(), Some(60)))
                    })
                    .await
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap(), "t");
        }
        assert_eq!(fetches.load(std::sync::atomic::Ordering::SeqCst), 1);
        cache.forget().await;
        cache
            .get("k", || async { Ok(("u".to_owned(), None)) })
            .await
            .unwrap();
        assert_eq!(
            cache
                .get("k", || async { Err("not fetched again".to_owned()) })
                .await
                .unwrap(),
            "u"
        );
    }
}
