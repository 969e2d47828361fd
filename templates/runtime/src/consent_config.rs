//! Starting user consent from the environment: the token store, its key, the public URL and the
//! sign-in client. Consent that cannot keep what users grant never starts: without a store the
//! server refuses to start and says what to set, rather than losing every consent on restart.

use std::sync::Arc;

use tokio::net::TcpListener;

use super::api::ApiDef;
use super::consent::{Consent, ConsentSettings};
use super::consent_state::{StateSigner, random_token};
use super::credentials::Credentials;
use super::token_endpoint::{Client, TokenAuth};
use super::token_seal::Sealer;
use super::token_store::TokenStore;

/// A started consent service, and over stdio the loopback listener its pages must be served on.
pub struct Started {
    pub consent: Arc<Consent>,
    pub loopback: Option<TcpListener>,
}

/// Starts consent for the `user-consent` schemes of `credentials`, if any. `inbound`: calls come
/// over HTTP from callers with tokens of this issuer; `None` over stdio (one local user). An
/// error names every setting that is missing or wrong.
pub async fn start(
    api: &ApiDef,
    credentials: &Credentials,
    http: bool,
    inbound: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<Started>, String> {
    let schemes = credentials.consent_schemes()?;
    if schemes.is_empty() {
        return Ok(None);
    }
    let var = |name: &str| {
        env(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut problems = Vec::new();
    if http && inbound.is_none() {
        problems.push(
            "user consent over HTTP needs callers with tokens: set MCP_AUTH_ISSUER (each user's \
             tokens are kept under their identity)"
                .to_owned(),
        );
    }
    let store_spec = var("MCP_TOKEN_STORE");
    let memory = store_spec
        .as_deref()
        .is_some_and(|s| s.starts_with("memory:"));
    match &store_spec {
        None => problems.push(
            "set MCP_TOKEN_STORE to where users' tokens are kept: file:PATH (one server) or \
             redis://HOST:PORT/DB (replicas sharing consent)"
                .to_owned(),
        ),
        Some(_) if memory && http => problems.push(
            "MCP_TOKEN_STORE=memory: loses every consent on restart; over HTTP use file:PATH or redis://…"
                .to_owned(),
        ),
        Some(_) => {}
    }
    let key = match var("MCP_TOKEN_STORE_KEY") {
        Some(key) => Some(key),
        // Memory holds nothing across restarts, so a key made now loses nothing.
        None if memory => Some(random_key()),
        None => {
            problems.push(
                "set MCP_TOKEN_STORE_KEY to 32 random bytes, base64 (e.g. `openssl rand -base64 32`): \
                 users' tokens are encrypted under it"
                    .to_owned(),
            );
            None
        }
    };
    let public_url = var("MCP_PUBLIC_URL").map(|url| url.trim_end_matches('/').to_owned());
    let sign_in = if http {
        match (
            var("MCP_CONNECT_CLIENT_ID"),
            var("MCP_CONNECT_CLIENT_SECRET"),
        ) {
            (Some(id), Some(secret)) => Some(Client {
                id,
                secret,
                auth: TokenAuth::Basic,
            }),
            _ => {
                problems.push(
                    "set MCP_CONNECT_CLIENT_ID and MCP_CONNECT_CLIENT_SECRET: this server's client at \
                     the inbound issuer, with which users prove who they are before connecting an account"
                        .to_owned(),
                );
                None
            }
        }
    } else {
        None
    };
    if http && public_url.is_none() {
        problems.push(
            "set MCP_PUBLIC_URL to the externally reachable base URL of this server (e.g. \
             https://mcp.example.com): consent links and redirect URIs are made from it"
                .to_owned(),
        );
    }
    if let Some(url) = &public_url
        && let Err(problem) = check_public_url(url, http)
    {
        problems.push(problem);
    }
    let sealer = match &key {
        Some(key) => match Sealer::new(key, var("MCP_TOKEN_STORE_OLD_KEY").as_deref()) {
            Ok(sealer) => Some(sealer),
            Err(err) => {
                problems.push(err);
                None
            }
        },
        None => None,
    };
    if !problems.is_empty() {
        let names: Vec<&str> = schemes.iter().map(|s| s.name).collect();
        return Err(format!(
            "user consent ({}) cannot start: {}",
            names.join(", "),
            problems.join("; ")
        ));
    }
    let (Some(store_spec), Some(key), Some(sealer)) = (store_spec, key, sealer) else {
        unreachable!("every missing setting is a problem above");
    };
    if memory {
        tracing::warn!(
            "MCP_TOKEN_STORE=memory: users' consent is kept in memory only and lost when this server stops"
        );
    }
    let store = TokenStore::open(&store_spec, api.name).await?;
    // Over stdio the pages are served on a loopback listener of this process.
    let loopback = if http {
        None
    } else {
        let bind = match &public_url {
            Some(url) => url
                .strip_prefix("http://")
                .map(|rest| rest.split('/').next().unwrap_or(rest).to_owned())
                .unwrap_or_default(),
            None => "127.0.0.1:0".to_owned(),
        };
        Some(
            TcpListener::bind(&bind)
                .await
                .map_err(|err| format!("cannot listen on {bind} for consent redirects: {err}"))?,
        )
    };
    let public_url = match (&public_url, &loopback) {
        (Some(url), _) => url.clone(),
        (None, Some(listener)) => format!(
            "http://{}",
            listener
                .local_addr()
                .map_err(|err| format!("cannot read the consent listener's address: {err}"))?
        ),
        (None, None) => unreachable!("HTTP needs MCP_PUBLIC_URL, checked above"),
    };
    let consent = Consent::start(ConsentSettings {
        api_title: api.title.to_owned(),
        public_url,
        sign_in,
        store,
        sealer,
        signer: StateSigner::new(key.as_bytes()),
        schemes,
    })
    .await?;
    for name in consent.scheme_names() {
        tracing::info!(
            scheme = name,
            redirect_uri = %consent.callback_url(name),
            "user consent: register this redirect URI at the third party{}",
            if consent.signs_in() { " and at the inbound issuer" } else { "" }
        );
    }
    Ok(Some(Started {
        consent: Arc::new(consent),
        loopback,
    }))
}

/// `https://…`, or `http://` on a loopback host (local development, stdio): consent links carry
/// one-time codes that must not cross a network in the clear.
fn check_public_url(url: &str, http: bool) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|err| format!("MCP_PUBLIC_URL=`{url}` is not a URL: {err}"))?;
    let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    match parsed.scheme() {
        "https" if http => Ok(()),
        "http" if loopback => Ok(()),
        _ if !http => Err(format!(
            "MCP_PUBLIC_URL=`{url}`: over stdio consent redirects come to a loopback listener; use http://127.0.0.1:PORT"
        )),
        _ => Err(format!(
            "MCP_PUBLIC_URL=`{url}` must be https (or http on 127.0.0.1 / localhost for local use)"
        )),
    }
}

fn random_key() -> String {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(random_token(32))
        .expect("random_token is base64url");
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_are_https_or_loopback() {
        assert!(check_public_url("https://mcp.example.com", true).is_ok());
        assert!(check_public_url("http://127.0.0.1:8080", true).is_ok());
        assert!(check_public_url("http://mcp.example.com", true).is_err());
        assert!(check_public_url("http://localhost:9", false).is_ok());
        assert!(check_public_url("https://mcp.example.com", false).is_err());
    }
}
