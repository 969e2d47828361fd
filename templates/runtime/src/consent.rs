//! Per-user consent (`<SCHEME>_STRATEGY=user-consent`): this server is the OAuth client of a
//! third-party API and keeps each user's tokens for it, so every MCP user acts on the upstream as
//! their own account (MCP 2025-11-25 URL-mode elicitation, SEP-1036).
//!
//! A call for a user with no usable token is answered with a consent link instead of being sent
//! (see [`ConsentError::Needed`]); the link's pages (`consent_pages`) prove the person at the
//! browser is that user — an OpenID Connect sign-in at the inbound issuer — then send them to the
//! third party, and store what its token endpoint gives. Tokens are kept per (issuer, subject,
//! scheme), sealed (`token_seal`) in the token store (`token_store`: a file, or Redis shared by
//! replicas), refreshed before they expire with one refresh per token at a time, and dropped when
//! the third party says `invalid_grant`. Nothing here logs or returns a token, code or state.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::auth::Authenticator;
use super::consent_state::{LinkState, STATE_LIFETIME_SECS, StateSigner, random_token};
use super::discovery;
use super::token_endpoint::{self, Client, TokenError};
use super::token_seal::Sealer;
use super::token_store::TokenStore;

/// How long before expiry a stored access token is refreshed, at most (a fifth of a short
/// lifetime).
const REFRESH_MARGIN_SECS: u64 = 30;
/// How long a replica waits for another one's refresh of the same token.
const REFRESH_LOCK: Duration = Duration::from_secs(15);
/// Elicitations waited on at most (their links expire after ten minutes anyway).
const WAITER_LIMIT: usize = 10_000;

/// Whose tokens: the inbound issuer and the caller's `sub` (`local` for the one user of stdio).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub iss: String,
    pub sub: String,
}

impl User {
    /// The single user of a server over stdio, which trusts the process that started it.
    pub fn local() -> User {
        User {
            iss: "local".into(),
            sub: "local".into(),
        }
    }
}

/// A third-party scheme this server asks users' consent for.
#[derive(Debug, Clone)]
pub struct ConsentScheme {
    pub name: &'static str,
    /// This server's registration at the third party (`<SCHEME>_CLIENT_ID` / `_CLIENT_SECRET`).
    pub client: Client,
    pub endpoints: Endpoints,
    /// `<SCHEME>_SCOPES`: asked for instead of the operation's scopes.
    pub scopes: Option<Vec<String>>,
    /// `<SCHEME>_REVOCATION_URL`; otherwise the third party's metadata is asked.
    pub revocation_url: Option<String>,
}

/// Where a third party authorizes and issues tokens.
#[derive(Debug, Clone)]
pub enum Endpoints {
    Known {
        authorization: String,
        token: String,
        refresh: Option<String>,
    },
    /// An OpenID Connect scheme: from its discovery document.
    Discover(String),
}

/// The endpoints of a scheme once known.
#[derive(Debug, Clone)]
struct Resolved {
    authorization: String,
    token: String,
    refresh: String,
    revocation: Option<String>,
}

/// What the client is asked to show the user: a URL-mode elicitation.
#[derive(Debug, Clone)]
pub struct ConsentRequest {
    pub url: String,
    pub message: String,
    pub elicitation_id: String,
}

/// Why no token can be had.
#[derive(Debug)]
pub enum ConsentError {
    /// The user must (re)connect their account first; nothing was sent upstream.
    Needed(ConsentRequest),
    /// Consent cannot help: the store or the third party failed. Safe to show.
    Failed(String),
}

/// Settings of the consent service, read at start-up.
pub struct ConsentSettings {
    /// The API's title, named in messages and pages.
    pub api_title: String,
    /// `MCP_PUBLIC_URL`: the externally reachable base of this server, without a trailing slash.
    pub public_url: String,
    /// `MCP_CONNECT_CLIENT_ID` / `_SECRET`: this server's client at the inbound issuer, for the
    /// browser sign-in. `None` over stdio, where there is one local user and nothing to prove.
    pub sign_in: Option<Client>,
    pub store: TokenStore,
    pub sealer: Sealer,
    pub signer: StateSigner,
    pub schemes: Vec<ConsentScheme>,
}

/// A user's tokens for one scheme, as stored (sealed).
#[derive(Serialize, Deserialize)]
struct Stored {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    /// When to refresh it (shortly before it expires), seconds since the epoch; `None`: the
    /// third party said nothing of expiry.
    #[serde(default)]
    refresh_at: Option<u64>,
    /// What was granted (or asked for, when the third party does not say).
    #[serde(default)]
    scopes: Vec<String>,
}

/// A consent flow between two browser redirects, kept in the store (any replica may get the
/// next request) under a random id that travels as the OAuth `state`.
#[derive(Serialize, Deserialize)]
pub(super) struct Flow {
    pub(super) phase: Phase,
    pub(super) link: LinkState,
    /// The PKCE verifier of the authorization request this flow waits on.
    pub(super) verifier: String,
    /// The OpenID Connect nonce of the sign-in.
    #[serde(default)]
    pub(super) nonce: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum Phase {
    /// Waiting for the inbound issuer's sign-in.
    SignIn,
    /// Waiting for the third party's consent.
    Consent,
}

type Waiter = Box<dyn FnOnce() + Send>;

/// The consent service: one per server, shared by calls and the `/connect` pages.
pub struct Consent {
    settings: ConsentSettings,
    schemes: HashMap<&'static str, ConsentScheme>,
    http: reqwest::Client,
    /// The inbound authorization server (HTTP): its sign-in proves the browser's user.
    authority: OnceLock<Arc<Authenticator>>,
    resolved: tokio::sync::Mutex<HashMap<&'static str, Arc<Resolved>>>,
    /// One refresh at a time per stored token, within this process (the store's lock covers
    /// other replicas).
    refreshing: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Callbacks to run when an elicitation's consent completes (2025-11-25 clients are told).
    waiters: std::sync::Mutex<HashMap<String, (Instant, Waiter)>>,
}

impl Consent {
    /// Starts the service; the store is checked now so a wrong setting fails at start-up.
    pub async fn start(settings: ConsentSettings) -> Result<Consent, String> {
        settings.store.check().await?;
        let http = discovery::client()?;
        let schemes = settings
            .schemes
            .iter()
            .map(|scheme| (scheme.name, scheme.clone()))
            .collect();
        tracing::info!(
            store = %settings.store.describe(),
            public_url = %settings.public_url,
            "user consent enabled"
        );
        Ok(Consent {
            settings,
            schemes,
            http,
            authority: OnceLock::new(),
            resolved: tokio::sync::Mutex::new(HashMap::new()),
            refreshing: std::sync::Mutex::new(HashMap::new()),
            waiters: std::sync::Mutex::new(HashMap::new()),
        })
    }

    /// Sets the inbound authorization server, whose sign-in the consent pages use.
    pub fn set_authority(&self, authority: Arc<Authenticator>) {
        let _ = self.authority.set(authority);
    }

    pub fn has_scheme(&self, name: &str) -> bool {
        self.schemes.contains_key(name)
    }

    pub fn scheme_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.schemes.keys().copied()
    }

    pub fn public_url(&self) -> &str {
        &self.settings.public_url
    }

    pub fn api_title(&self) -> &str {
        &self.settings.api_title
    }

    /// Whether the person at the browser must sign in at the inbound issuer first (HTTP).
    pub fn signs_in(&self) -> bool {
        self.settings.sign_in.is_some()
    }

    /// The user's access token for `scheme`, covering `scopes`: stored, or refreshed when it is
    /// about to expire; otherwise consent is needed.
    pub async fn token(
        &self,
        scheme: &str,
        user: &User,
        scopes: &[&str],
    ) -> Result<String, ConsentError> {
        let Some(def) = self.schemes.get(scheme) else {
            return Err(ConsentError::Failed(format!(
                "`{scheme}` is not set up for user consent"
            )));
        };
        let wanted = self.wanted_scopes(def, scopes);
        let key = token_key(scheme, user);
        let Some(stored) = self.read(&key).await? else {
            return Err(self.needed(def, user, &wanted));
        };
        if !wanted.iter().all(|s| stored.scopes.contains(s)) && !stored.scopes.is_empty() {
            // More scopes than the user granted: ask again for all of them together.
            let mut all = stored.scopes.clone();
            all.extend(
                wanted
                    .iter()
                    .filter(|s| !stored.scopes.contains(s))
                    .cloned(),
            );
            return Err(self.needed(def, user, &all));
        }
        if fresh(&stored) {
            return Ok(stored.access_token);
        }
        self.refresh(def, user, &key, &wanted).await
    }

    /// Marks the user's token as expired after the upstream refused it, so the next call
    /// refreshes it (or asks for consent when it cannot be).
    pub async fn expire(&self, scheme: &str, user: &User) {
        let key = token_key(scheme, user);
        if let Ok(Some(mut stored)) = self.read(&key).await {
            stored.refresh_at = Some(0);
            let _ = self.write(&key, &stored).await;
        }
    }

    /// Forgets the user's tokens for `scheme`, revoking them at the third party when it has a
    /// revocation endpoint. Whether anything was stored.
    pub async fn disconnect(&self, scheme: &str, user: &User) -> Result<bool, String> {
        let def = self
            .schemes
            .get(scheme)
            .ok_or_else(|| format!("`{scheme}` is not set up for user consent"))?;
        let key = token_key(scheme, user);
        let stored = self.read(&key).await.map_err(|err| match err {
            ConsentError::Failed(text) => text,
            ConsentError::Needed(_) => String::new(),
        })?;
        self.settings.store.delete(&key).await?;
        let Some(stored) = stored else {
            return Ok(false);
        };
        if let Ok(endpoints) = self.endpoints(def).await
            && let Some(url) = &endpoints.revocation
        {
            let (token, hint) = match &stored.refresh_token {
                Some(refresh) => (refresh.as_str(), "refresh_token"),
                None => (stored.access_token.as_str(), "access_token"),
            };
            if let Err(err) =
                token_endpoint::revoke(&self.http, url, &def.client, token, hint).await
            {
                tracing::warn!(scheme, "revoking the user's token failed: {err}");
            }
        }
        tracing::info!(scheme, "a user disconnected their account");
        Ok(true)
    }

    /// Runs `done` when the consent of elicitation `id` completes on this replica.
    pub fn when_complete(&self, id: &str, done: impl FnOnce() + Send + 'static) {
        let mut waiters = self.waiters.lock().unwrap_or_else(|e| e.into_inner());
        let lifetime = Duration::from_secs(STATE_LIFETIME_SECS);
        waiters.retain(|_, (at, _)| at.elapsed() < lifetime);
        if waiters.len() < WAITER_LIMIT {
            waiters.insert(id.to_owned(), (Instant::now(), Box::new(done)));
        }
    }

    /// The scopes to ask for: the override, else the operation's.
    fn wanted_scopes(&self, def: &ConsentScheme, scopes: &[&str]) -> Vec<String> {
        match &def.scopes {
            Some(scopes) => scopes.clone(),
            None => scopes.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// A new consent link for `user`, valid ten minutes.
    fn needed(&self, def: &ConsentScheme, user: &User, scopes: &[String]) -> ConsentError {
        let elicitation_id = random_token(16);
        let link = LinkState {
            iss: user.iss.clone(),
            sub: user.sub.clone(),
            scheme: def.name.to_owned(),
            eid: elicitation_id.clone(),
            nonce: random_token(16),
            scope: scopes.join(" "),
            exp: now() + STATE_LIFETIME_SECS,
        };
        let url = format!(
            "{}/connect/{}?state={}",
            self.settings.public_url,
            super::encode::encode(def.name, super::encode::STRICT),
            self.settings.signer.sign(&link)
        );
        let scopes = if scopes.is_empty() {
            String::new()
        } else {
            format!(" (scopes: {})", scopes.join(", "))
        };
        let message = format!(
            "Connect your {} account: this server acts on {} as you, with your consent{scopes}. \
             Open the link, sign in and approve; then the request can be retried.",
            self.settings.api_title, self.settings.api_title
        );
        ConsentError::Needed(ConsentRequest {
            url,
            message,
            elicitation_id,
        })
    }

    /// Refreshes the user's token: one refresh at a time per token here, and across replicas
    /// through a lock in the store; whoever waits reads what the refresh stored.
    async fn refresh(
        &self,
        def: &ConsentScheme,
        user: &User,
        key: &str,
        wanted: &[String],
    ) -> Result<String, ConsentError> {
        let local = {
            let mut locks = self.refreshing.lock().unwrap_or_else(|e| e.into_inner());
            if locks.len() >= WAITER_LIMIT {
                locks.retain(|_, lock| Arc::strong_count(lock) > 1);
            }
            locks.entry(key.to_owned()).or_default().clone()
        };
        let _guard = local.lock().await;
        let lock_key = format!("lock:{key}");
        let started = Instant::now();
        loop {
            let Some(stored) = self.read(key).await? else {
                return Err(self.needed(def, user, wanted));
            };
            if fresh(&stored) {
                return Ok(stored.access_token);
            }
            let Some(refresh_token) = stored.refresh_token.clone() else {
                self.settings
                    .store
                    .delete(key)
                    .await
                    .map_err(ConsentError::Failed)?;
                return Err(self.needed(def, user, wanted));
            };
            let locked = self
                .settings
                .store
                .put_new(&lock_key, b"1", REFRESH_LOCK)
                .await
                .map_err(ConsentError::Failed)?;
            if !locked {
                // Another replica is refreshing this token: wait for what it stores.
                if started.elapsed() > REFRESH_LOCK {
                    return Err(ConsentError::Failed(
                        "the user's token is being refreshed elsewhere; try again".into(),
                    ));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
            let result = self.redeem_refresh(def, key, stored, &refresh_token).await;
            let _ = self.settings.store.delete(&lock_key).await;
            return match result {
                Ok(token) => Ok(token),
                Err(err) if err.code.as_deref() == Some("invalid_grant") => {
                    tracing::info!(
                        scheme = def.name,
                        "the third party no longer accepts the user's refresh token; asking for consent again"
                    );
                    self.settings
                        .store
                        .delete(key)
                        .await
                        .map_err(ConsentError::Failed)?;
                    Err(self.needed(def, user, wanted))
                }
                Err(err) => Err(ConsentError::Failed(err.text)),
            };
        }
    }

    async fn redeem_refresh(
        &self,
        def: &ConsentScheme,
        key: &str,
        stored: Stored,
        refresh_token: &str,
    ) -> Result<String, TokenError> {
        let endpoints = self
            .endpoints(def)
            .await
            .map_err(|text| TokenError { code: None, text })?;
        let form = vec![
            ("grant_type", "refresh_token".to_owned()),
            ("refresh_token", refresh_token.to_owned()),
        ];
        let tokens =
            token_endpoint::request(&self.http, &endpoints.refresh, &def.client, form, def.name)
                .await?;
        let renewed = Stored {
            refresh_at: tokens.expires_in.map(refresh_at),
            scopes: tokens
                .scope
                .map(|s| s.split_whitespace().map(str::to_owned).collect())
                .unwrap_or(stored.scopes),
            // A server that does not rotate refresh tokens keeps the old one valid.
            refresh_token: tokens.refresh_token.or(stored.refresh_token),
            access_token: tokens.access_token,
        };
        self.write(key, &renewed)
            .await
            .map_err(|text| TokenError { code: None, text })?;
        tracing::info!(scheme = def.name, "refreshed a user's token");
        Ok(renewed.access_token)
    }

    /// The scheme's endpoints: given, or discovered once.
    async fn endpoints(&self, def: &ConsentScheme) -> Result<Arc<Resolved>, String> {
        let mut resolved = self.resolved.lock().await;
        if let Some(known) = resolved.get(def.name) {
            return Ok(known.clone());
        }
        let endpoints = match &def.endpoints {
            Endpoints::Known {
                authorization,
                token,
                refresh,
            } => {
                let revocation = match &def.revocation_url {
                    Some(url) => Some(url.clone()),
                    None => self.metadata_revocation(authorization).await,
                };
                Resolved {
                    authorization: authorization.clone(),
                    token: token.clone(),
                    refresh: refresh.clone().unwrap_or_else(|| token.clone()),
                    revocation,
                }
            }
            Endpoints::Discover(url) => {
                let document = self.get_json(url).await?;
                let text = |name: &str| {
                    document
                        .get(name)
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_owned)
                };
                let (Some(authorization), Some(token)) =
                    (text("authorization_endpoint"), text("token_endpoint"))
                else {
                    return Err(format!(
                        "the OpenID configuration of `{}` names no authorization or token endpoint",
                        def.name
                    ));
                };
                Resolved {
                    refresh: token.clone(),
                    authorization,
                    token,
                    revocation: def
                        .revocation_url
                        .clone()
                        .or_else(|| text("revocation_endpoint")),
                }
            }
        };
        let endpoints = Arc::new(endpoints);
        resolved.insert(def.name, endpoints.clone());
        Ok(endpoints)
    }

    /// The revocation endpoint an authorization server's metadata (RFC 8414, or OpenID Connect
    /// discovery) names, at the origin of its authorization endpoint; none when it publishes no
    /// metadata (GitHub, for one).
    async fn metadata_revocation(&self, authorization_url: &str) -> Option<String> {
        let url = reqwest::Url::parse(authorization_url).ok()?;
        let origin = url.origin().ascii_serialization();
        for name in [
            "/.well-known/oauth-authorization-server",
            "/.well-known/openid-configuration",
        ] {
            if let Ok(document) = self.get_json(&format!("{origin}{name}")).await
                && let Some(endpoint) = document
                    .get("revocation_endpoint")
                    .and_then(serde_json::Value::as_str)
            {
                return Some(endpoint.to_owned());
            }
        }
        None
    }

    async fn get_json(&self, url: &str) -> Result<serde_json::Value, String> {
        let response = self
            .http
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|err| format!("`{url}` cannot be reached: {}", err.without_url()))?;
        if !response.status().is_success() {
            return Err(format!(
                "`{url}` answered HTTP {}",
                response.status().as_u16()
            ));
        }
        let body = response
            .bytes()
            .await
            .map_err(|err| format!("reading `{url}` failed: {}", err.without_url()))?;
        serde_json::from_slice(&body).map_err(|_| format!("`{url}` is not JSON"))
    }

    async fn read(&self, key: &str) -> Result<Option<Stored>, ConsentError> {
        let Some(sealed) = self
            .settings
            .store
            .get(key)
            .await
            .map_err(ConsentError::Failed)?
        else {
            return Ok(None);
        };
        let opened = match self.settings.sealer.open(key, &sealed) {
            Ok(opened) => opened,
            Err(err) => {
                // Unreadable (another key, damage): treated as absent, so the user connects
                // again, and said once in the log.
                tracing::warn!("a stored user token cannot be opened: {err}");
                return Ok(None);
            }
        };
        let Ok(stored) = serde_json::from_slice::<Stored>(&opened.plaintext) else {
            return Ok(None);
        };
        if opened.stale_key {
            // Sealed under the old key while keys rotate: sealed again under the new one.
            let _ = self.write(key, &stored).await;
        }
        Ok(Some(stored))
    }

    async fn write(&self, key: &str, stored: &Stored) -> Result<(), String> {
        let plain = serde_json::to_vec(stored).map_err(|err| err.to_string())?;
        let sealed = self.settings.sealer.seal(key, &plain)?;
        self.settings.store.put(key, &sealed, None).await
    }

    /// Keeps `flow` for the next redirect; its id is the OAuth `state` of that redirect.
    pub(super) async fn save_flow(&self, flow: &Flow) -> Result<String, String> {
        let id = random_token(24);
        let key = format!("flow:{id}");
        let plain = serde_json::to_vec(flow).map_err(|err| err.to_string())?;
        let sealed = self.settings.sealer.seal(&key, &plain)?;
        let ttl = Duration::from_secs(flow.link.exp.saturating_sub(now()).max(1));
        self.settings.store.put(&key, &sealed, Some(ttl)).await?;
        Ok(id)
    }

    /// The flow waiting under `id`, removed: each redirect is answered once.
    pub(super) async fn take_flow(&self, id: &str) -> Result<Option<Flow>, String> {
        if id.is_empty() || id.len() > 64 {
            return Ok(None);
        }
        let key = format!("flow:{id}");
        let Some(sealed) = self.settings.store.take(&key).await? else {
            return Ok(None);
        };
        let Ok(opened) = self.settings.sealer.open(&key, &sealed) else {
            return Ok(None);
        };
        Ok(serde_json::from_slice(&opened.plaintext).ok())
    }

    /// Checks a link's state and uses it up: a link opens one flow, once.
    pub(super) async fn redeem_link(&self, scheme: &str, state: &str) -> Result<LinkState, String> {
        let link = self
            .settings
            .signer
            .verify(state, now())
            .map_err(|err| err.to_string())?;
        if link.scheme != scheme {
            return Err("the link is for another account type".into());
        }
        let ttl = Duration::from_secs(link.exp.saturating_sub(now()).max(1));
        let first = self
            .settings
            .store
            .put_new(&format!("used:{}", link.nonce), b"1", ttl)
            .await?;
        if !first {
            return Err(
                "the link has already been used; ask for a new one by calling the tool again"
                    .into(),
            );
        }
        Ok(link)
    }

    /// Where the browser signs in at the inbound issuer (code + PKCE S256 + nonce).
    pub(super) async fn sign_in_url(
        &self,
        scheme: &str,
        flow_id: &str,
        flow: &Flow,
    ) -> Result<String, String> {
        let client = self.settings.sign_in.as_ref().ok_or("no sign-in client")?;
        let authority = self
            .authority
            .get()
            .ok_or("the inbound authorization server is not known")?;
        let metadata = authority
            .metadata()
            .await
            .map_err(|_| "the inbound authorization server is unavailable".to_owned())?;
        let endpoint = metadata
            .authorization_endpoint
            .clone()
            .ok_or("the inbound authorization server has no authorization_endpoint")?;
        let nonce = flow.nonce.clone().unwrap_or_default();
        Ok(authorize_url(
            &endpoint,
            &[
                ("response_type", "code"),
                ("client_id", &client.id),
                ("redirect_uri", &self.callback_url(scheme)),
                ("scope", "openid"),
                ("state", flow_id),
                ("nonce", &nonce),
                (
                    "code_challenge",
                    &super::consent_state::pkce_challenge(&flow.verifier),
                ),
                ("code_challenge_method", "S256"),
            ],
        ))
    }

    /// Checks the sign-in's code: the ID token's `sub` must be the link's user.
    pub(super) async fn check_sign_in(
        &self,
        scheme: &str,
        code: &str,
        flow: &Flow,
    ) -> Result<String, String> {
        let client = self.settings.sign_in.as_ref().ok_or("no sign-in client")?;
        let authority = self
            .authority
            .get()
            .ok_or("the inbound authorization server is not known")?;
        let metadata = authority
            .metadata()
            .await
            .map_err(|_| "the inbound authorization server is unavailable".to_owned())?;
        let endpoint = metadata
            .token_endpoint
            .clone()
            .ok_or("the inbound authorization server has no token_endpoint")?;
        let form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("redirect_uri", self.callback_url(scheme)),
            ("code_verifier", flow.verifier.clone()),
        ];
        let tokens = token_endpoint::request(&self.http, &endpoint, client, form, "sign-in")
            .await
            .map_err(|err| err.text)?;
        let id_token = tokens.id_token.ok_or("the sign-in gave no ID token")?;
        authority
            .verify_id_token(
                &id_token,
                &client.id,
                flow.nonce.as_deref().unwrap_or_default(),
            )
            .await
            .map_err(|err| match err {
                super::auth::AuthError::Invalid(text)
                | super::auth::AuthError::Unavailable(text) => text,
            })
    }

    /// Where the browser gives the third party its consent.
    pub(super) async fn consent_url(
        &self,
        scheme: &str,
        flow_id: &str,
        flow: &Flow,
    ) -> Result<String, String> {
        let def = self.schemes.get(scheme).ok_or("unknown scheme")?;
        let endpoints = self.endpoints(def).await?;
        let challenge = super::consent_state::pkce_challenge(&flow.verifier);
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", def.client.id.as_str()),
            ("state", flow_id),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ];
        let redirect = self.callback_url(scheme);
        params.push(("redirect_uri", &redirect));
        if !flow.link.scope.is_empty() {
            params.push(("scope", &flow.link.scope));
        }
        Ok(authorize_url(&endpoints.authorization, &params))
    }

    /// Redeems the third party's code and stores the user's tokens.
    pub(super) async fn finish(&self, scheme: &str, code: &str, flow: &Flow) -> Result<(), String> {
        let def = self.schemes.get(scheme).ok_or("unknown scheme")?;
        let endpoints = self.endpoints(def).await?;
        let form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code.to_owned()),
            ("redirect_uri", self.callback_url(scheme)),
            ("code_verifier", flow.verifier.clone()),
        ];
        let tokens =
            token_endpoint::request(&self.http, &endpoints.token, &def.client, form, def.name)
                .await
                .map_err(|err| err.text)?;
        let asked: Vec<String> = flow
            .link
            .scope
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let stored = Stored {
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
            refresh_at: tokens.expires_in.map(refresh_at),
            scopes: tokens
                .scope
                .map(|s| s.split_whitespace().map(str::to_owned).collect())
                .unwrap_or(asked),
        };
        let user = User {
            iss: flow.link.iss.clone(),
            sub: flow.link.sub.clone(),
        };
        self.write(&token_key(scheme, &user), &stored).await?;
        tracing::info!(scheme, "a user connected their account");
        let waiter = self
            .waiters
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&flow.link.eid);
        if let Some((_, done)) = waiter {
            done();
        }
        Ok(())
    }

    /// The redirect URI registered at both authorization servers for `scheme`.
    pub fn callback_url(&self, scheme: &str) -> String {
        format!(
            "{}/connect/{}/callback",
            self.settings.public_url,
            super::encode::encode(scheme, super::encode::STRICT)
        )
    }

    /// The inbound issuer, which the sign-in's `iss` (RFC 9207) must name.
    pub(super) fn inbound_issuer(&self) -> Option<String> {
        self.authority.get().map(|a| a.settings().issuer.clone())
    }
}

/// The storage key of a user's tokens: the scheme and a digest of who (issuer and subject may be
/// long or hold any character).
fn token_key(scheme: &str, user: &User) -> String {
    let who = format!("{}\n{}", user.iss, user.sub);
    let digest = ring::digest::digest(&ring::digest::SHA256, who.as_bytes());
    format!("token:{scheme}:{}", URL_SAFE_NO_PAD.encode(digest.as_ref()))
}

/// Whether a stored token is still good for a while.
fn fresh(stored: &Stored) -> bool {
    stored.refresh_at.is_none_or(|at| now() < at)
}

/// When a token that lives `expires_in` seconds from now is to be refreshed.
fn refresh_at(expires_in: u64) -> u64 {
    now() + expires_in - REFRESH_MARGIN_SECS.min(expires_in / 5)
}

/// `endpoint` with the query `params` added.
fn authorize_url(endpoint: &str, params: &[(&str, &str)]) -> String {
    let query = params
        .iter()
        .map(|(k, v)| format!("{k}={}", super::encode::encode(v, super::encode::STRICT)))
        .collect::<Vec<_>>()
        .join("&");
    let separator = if endpoint.contains('?') { '&' } else { '?' };
    format!("{endpoint}{separator}{query}")
}

pub(super) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_keys_differ_by_user_and_scheme() {
        let alice = User {
            iss: "https://idp".into(),
            sub: "alice".into(),
        };
        let bob = User {
            iss: "https://idp".into(),
            sub: "bob".into(),
        };
        assert_ne!(token_key("gh", &alice), token_key("gh", &bob));
        assert_ne!(token_key("gh", &alice), token_key("slack", &alice));
        // A subject cannot pose as another issuer's by containing the separator.
        let tricky = User {
            iss: "https://idp\nalice".into(),
            sub: String::new(),
        };
        assert_ne!(token_key("gh", &alice), token_key("gh", &tricky));
    }

    #[test]
    fn authorize_urls_keep_an_existing_query() {
        assert_eq!(
            authorize_url("https://a/auth?x=1", &[("scope", "a b")]),
            "https://a/auth?x=1&scope=a%20b"
        );
        assert_eq!(
            authorize_url("https://a/auth", &[("s", "/")]),
            "https://a/auth?s=%2F"
        );
    }
}
