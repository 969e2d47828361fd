//! The browser side of user consent: `/connect/<scheme>` (a consent link), its callback, and
//! `DELETE /connect/<scheme>` (disconnect). Pages are plain HTML that say what happened; they
//! never show a code, state or token, are never cached, and send no `Referer` onward (the URLs
//! carry one-time codes).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::consent::{Consent, Flow, Phase, User};
use super::consent_state::random_token;
use super::resource;

/// What the pages need: the consent service and, over HTTP, the check of bearer tokens.
#[derive(Clone)]
pub struct Pages {
    pub consent: Arc<Consent>,
    pub auth: Option<Arc<super::auth::Authenticator>>,
}

/// The `/connect` routes.
pub fn routes(pages: Pages) -> Router {
    Router::new()
        .route("/connect/{scheme}", get(start).delete(disconnect))
        .route("/connect/{scheme}/callback", get(callback))
        .with_state(pages)
}

/// A consent link: check and use up its state, then send the browser to sign in (HTTP) or
/// straight to the third party (stdio's one local user).
async fn start(
    State(pages): State<Pages>,
    Path(scheme): Path<String>,
    request: Request,
) -> Response {
    let consent = &pages.consent;
    if !consent.has_scheme(&scheme) {
        return page(
            StatusCode::NOT_FOUND,
            "Unknown account type",
            "This server connects no such account.",
        );
    }
    let query = query(&request);
    let Some(state) = query.get("state") else {
        return page(
            StatusCode::BAD_REQUEST,
            "Not a consent link",
            "The link has no state.",
        );
    };
    let link = match consent.redeem_link(&scheme, state).await {
        Ok(link) => link,
        Err(reason) => {
            tracing::info!(scheme, "a consent link was refused: {reason}");
            return page(StatusCode::BAD_REQUEST, "This link cannot be used", &reason);
        }
    };
    let signs_in = consent.signs_in();
    let flow = Flow {
        phase: if signs_in {
            Phase::SignIn
        } else {
            Phase::Consent
        },
        link,
        verifier: random_token(32),
        nonce: signs_in.then(|| random_token(16)),
    };
    let next = async {
        let id = consent.save_flow(&flow).await?;
        if signs_in {
            consent.sign_in_url(&scheme, &id, &flow).await
        } else {
            consent.consent_url(&scheme, &id, &flow).await
        }
    };
    match next.await {
        Ok(url) => redirect(&url),
        Err(err) => {
            tracing::warn!(scheme, "a consent flow cannot start: {err}");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Try again later",
                "The account cannot be connected right now.",
            )
        }
    }
}

/// Where both authorization servers send the browser back: after the sign-in, on to the third
/// party; after its consent, store the tokens.
async fn callback(
    State(pages): State<Pages>,
    Path(scheme): Path<String>,
    request: Request,
) -> Response {
    let consent = &pages.consent;
    if !consent.has_scheme(&scheme) {
        return page(
            StatusCode::NOT_FOUND,
            "Unknown account type",
            "This server connects no such account.",
        );
    }
    let query = query(&request);
    let flow = match consent
        .take_flow(query.get("state").map_or("", String::as_str))
        .await
    {
        Ok(Some(flow)) if flow.link.scheme == scheme => flow,
        Ok(_) => {
            return page(
                StatusCode::BAD_REQUEST,
                "This sign-in is not expected",
                "It was already completed, has expired, or was not started here. Call the tool again for a new link.",
            );
        }
        Err(err) => {
            tracing::warn!(scheme, "the consent store failed: {err}");
            return page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Try again later",
                "The account cannot be connected right now.",
            );
        }
    };
    if let Some(error) = query.get("error") {
        // The authorization server's own error code: short, and the user's decision to see.
        let error: String = error
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(64)
            .collect();
        tracing::info!(scheme, error, "consent was not given");
        return page(
            StatusCode::FORBIDDEN,
            "Not connected",
            &format!("The authorization server answered `{error}`."),
        );
    }
    let Some(code) = query.get("code") else {
        return page(
            StatusCode::BAD_REQUEST,
            "Not connected",
            "The authorization server sent no code.",
        );
    };
    match flow.phase {
        Phase::SignIn => {
            // RFC 9207: a sign-in answered by another issuer is refused (mix-up attacks).
            if let (Some(iss), Some(expected)) = (query.get("iss"), consent.inbound_issuer())
                && !super::discovery::same_issuer(iss, &expected)
            {
                return page(
                    StatusCode::BAD_REQUEST,
                    "Not connected",
                    "The sign-in came from another issuer.",
                );
            }
            let subject = match consent.check_sign_in(&scheme, code, &flow).await {
                Ok(subject) => subject,
                Err(err) => {
                    tracing::warn!(scheme, "a consent sign-in failed: {err}");
                    return page(
                        StatusCode::FORBIDDEN,
                        "Not connected",
                        "The sign-in could not be verified.",
                    );
                }
            };
            if subject != flow.link.sub {
                tracing::warn!(
                    scheme,
                    link_subject = %flow.link.sub,
                    signed_in = %subject,
                    "refused: a consent link was opened by another user than the one it was made for"
                );
                return page(
                    StatusCode::FORBIDDEN,
                    "This link is for another user",
                    "You signed in as someone else than the user who asked to connect an account. Nothing was connected.",
                );
            }
            let next = Flow {
                phase: Phase::Consent,
                link: flow.link,
                verifier: random_token(32),
                nonce: None,
            };
            let url = async {
                let id = consent.save_flow(&next).await?;
                consent.consent_url(&scheme, &id, &next).await
            };
            match url.await {
                Ok(url) => redirect(&url),
                Err(err) => {
                    tracing::warn!(scheme, "a consent flow cannot go on: {err}");
                    page(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "Try again later",
                        "The account cannot be connected right now.",
                    )
                }
            }
        }
        Phase::Consent => match consent.finish(&scheme, code, &flow).await {
            Ok(()) => page(
                StatusCode::OK,
                "Account connected",
                &format!(
                    "Your {} account is connected. You can close this window and go back to your assistant.",
                    consent.api_title()
                ),
            ),
            Err(err) => {
                tracing::warn!(scheme, "storing a user's consent failed: {err}");
                page(
                    StatusCode::BAD_GATEWAY,
                    "Not connected",
                    "The authorization server did not give a token.",
                )
            }
        },
    }
}

/// `DELETE /connect/<scheme>` with the user's MCP access token: forget (and revoke) their tokens.
async fn disconnect(
    State(pages): State<Pages>,
    Path(scheme): Path<String>,
    request: Request,
) -> Response {
    let Some(auth) = &pages.auth else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !pages.consent.has_scheme(&scheme) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let challenge = || {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response()
    };
    let Some(token) = resource::bearer_of(&request) else {
        return challenge();
    };
    let identity = match auth.authenticate(&token).await {
        Ok(identity) => identity,
        Err(super::auth::AuthError::Invalid(_)) => return challenge(),
        Err(super::auth::AuthError::Unavailable(_)) => {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let Some(sub) = identity.subject else {
        return StatusCode::FORBIDDEN.into_response();
    };
    let user = User {
        iss: auth.settings().issuer.clone(),
        sub,
    };
    match pages.consent.disconnect(&scheme, &user).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => StatusCode::NOT_FOUND.into_response(),
        Err(err) => {
            tracing::warn!(scheme, "disconnecting failed: {err}");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

/// The query parameters of `request` (the first of each name).
fn query(request: &Request) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for pair in request.uri().query().unwrap_or_default().split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |text: &str| {
            percent_encoding::percent_decode_str(&text.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        };
        out.entry(decode(name)).or_insert_with(|| decode(value));
    }
    out
}

fn redirect(url: &str) -> Response {
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, url),
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
    )
        .into_response()
}

/// A plain page; `title` and `text` are escaped.
fn page(status: StatusCode, title: &str, text: &str) -> Response {
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body style=\"font-family: sans-serif; max-width: 36em; margin: 4em auto\">\n\
         <h1>{title}</h1>\n<p>{text}</p>\n</body></html>\n",
        title = escape(title),
        text = escape(text)
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::X_FRAME_OPTIONS, "DENY"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
            ),
        ],
        body,
    )
        .into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_escape_what_they_show() {
        assert_eq!(escape("<b>&\"</b>"), "&lt;b&gt;&amp;&quot;&lt;/b&gt;");
    }
}
