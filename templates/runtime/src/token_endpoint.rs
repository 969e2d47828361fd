//! Requests to OAuth 2 token endpoints (RFC 6749 §3.2) with this server's own client
//! authentication, and revocation (RFC 7009): what client credentials, token exchange and user
//! consent share.

use base64::Engine as _;
use serde_json::Value;

use super::encode::{self, STRICT};

/// How this server authenticates to a token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenAuth {
    /// `client_secret_basic` (RFC 6749 §2.3.1), the default.
    Basic,
    /// `client_secret_post`.
    Post,
}

impl TokenAuth {
    /// `<SCHEME>_TOKEN_AUTH_METHOD`'s value; unset is `client_secret_basic`.
    pub fn parse(text: Option<&str>) -> Option<TokenAuth> {
        match text {
            None | Some("client_secret_basic") => Some(TokenAuth::Basic),
            Some("client_secret_post") => Some(TokenAuth::Post),
            Some(_) => None,
        }
    }
}

/// A client registration: id, secret and how the secret is sent. The secret never shows in
/// `Debug` output.
#[derive(Clone)]
pub struct Client {
    pub id: String,
    pub secret: String,
    pub auth: TokenAuth,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("id", &self.id)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

/// A token endpoint's successful answer.
pub struct Tokens {
    pub access_token: String,
    pub expires_in: Option<u64>,
    pub refresh_token: Option<String>,
    /// The scopes granted, when the server says (RFC 6749 §5.1: when they differ from the request).
    pub scope: Option<String>,
    pub id_token: Option<String>,
}

/// Why a token request failed. `Display` is safe to log and show: only the server's error code
/// and description, never anything sent.
#[derive(Debug, Clone)]
pub struct TokenError {
    /// The OAuth error code (`invalid_grant`, …) when the server answered with one.
    pub code: Option<String>,
    pub text: String,
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// POSTs `form` to the token endpoint `url` as `client`, for the scheme named `what` (messages
/// name it), and reads the tokens. Only bearer tokens are accepted.
pub async fn request(
    http: &reqwest::Client,
    url: &str,
    client: &Client,
    mut form: Vec<(&str, String)>,
    what: &str,
) -> Result<Tokens, TokenError> {
    let failed = |code: Option<&str>, text: String| TokenError {
        code: code.map(str::to_owned),
        text,
    };
    let mut request = http
        .post(url)
        .header("accept", "application/json")
        .header("content-type", "application/x-www-form-urlencoded");
    match client.auth {
        TokenAuth::Basic => {
            let header = basic_auth(client).map_err(|_| {
                failed(
                    None,
                    "the client credentials are not valid header text".into(),
                )
            })?;
            request = request.header(reqwest::header::AUTHORIZATION, header);
        }
        TokenAuth::Post => {
            form.push(("client_id", client.id.clone()));
            form.push(("client_secret", client.secret.clone()));
        }
    }
    let response = request.body(form_body(&form)).send().await.map_err(|err| {
        failed(
            None,
            format!(
                "the token endpoint for `{what}` cannot be reached: {}",
                err.without_url()
            ),
        )
    })?;
    let status = response.status().as_u16();
    let bytes = response.bytes().await.map_err(|err| {
        failed(
            None,
            format!(
                "reading the token for `{what}` failed: {}",
                err.without_url()
            ),
        )
    })?;
    let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let field = |name: &str| {
        answer
            .get(name)
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    if !(200..300).contains(&status) {
        // `error` and `error_description` are the server's; nothing of ours is echoed.
        let code = field("error");
        let text = field("error_description")
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        return Err(failed(
            code.as_deref(),
            format!(
                "the token endpoint for `{what}` refused (HTTP {status}, {}{text})",
                code.as_deref().unwrap_or("unknown_error")
            ),
        ));
    }
    let access_token = field("access_token").ok_or_else(|| {
        failed(
            None,
            format!("the token endpoint for `{what}` answered without an access_token"),
        )
    })?;
    if let Some(kind) = field("token_type")
        && !kind.eq_ignore_ascii_case("bearer")
        && !kind.eq_ignore_ascii_case("n_a")
    {
        return Err(failed(
            None,
            format!(
                "the token endpoint for `{what}` issued a `{kind}` token; only bearer tokens can be sent"
            ),
        ));
    }
    Ok(Tokens {
        access_token,
        expires_in: answer.get("expires_in").and_then(Value::as_u64),
        refresh_token: field("refresh_token"),
        scope: field("scope"),
        id_token: field("id_token"),
    })
}

/// RFC 7009: asks `url` to revoke `token` (a refresh token revokes its grant). Revocation is a
/// courtesy to the user: a failure is reported, and the caller forgets the token anyway.
pub async fn revoke(
    http: &reqwest::Client,
    url: &str,
    client: &Client,
    token: &str,
    hint: &str,
) -> Result<(), String> {
    let mut form = vec![
        ("token", token.to_owned()),
        ("token_type_hint", hint.to_owned()),
    ];
    let mut request = http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded");
    match client.auth {
        TokenAuth::Basic => {
            let header = basic_auth(client)
                .map_err(|_| "the client credentials are not valid header text".to_owned())?;
            request = request.header(reqwest::header::AUTHORIZATION, header);
        }
        TokenAuth::Post => {
            form.push(("client_id", client.id.clone()));
            form.push(("client_secret", client.secret.clone()));
        }
    }
    let response = request.body(form_body(&form)).send().await.map_err(|err| {
        format!(
            "the revocation endpoint cannot be reached: {}",
            err.without_url()
        )
    })?;
    match response.status().as_u16() {
        200..300 => Ok(()),
        status => Err(format!("the revocation endpoint answered HTTP {status}")),
    }
}

/// `client_secret_basic`: each part form-urlencoded before base64 (RFC 6749 §2.3.1).
fn basic_auth(client: &Client) -> Result<reqwest::header::HeaderValue, ()> {
    let pair = format!(
        "{}:{}",
        encode::encode(&client.id, STRICT),
        encode::encode(&client.secret, STRICT)
    );
    let value = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    );
    let mut header = reqwest::header::HeaderValue::from_str(&value).map_err(|_| ())?;
    header.set_sensitive(true);
    Ok(header)
}

fn form_body(form: &[(&str, String)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{k}={}", encode::encode(v, STRICT)))
        .collect::<Vec<_>>()
        .join("&")
}
