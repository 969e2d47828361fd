//! The signed `state` of a consent link (`/connect/<scheme>?state=…`): which user the link was made
//! for, for which scheme and elicitation, and until when. Signed with HMAC-SHA-256 under a key
//! derived from `MCP_TOKEN_STORE_KEY`, so every replica sharing the store checks what any other
//! made, and nobody without the key can make or alter one. Single use is the caller's part (a
//! marker in the shared store, keyed by the nonce): a signature alone cannot stop a replay.
//!
//! A state is `base64url(JSON) "." base64url(tag)`. It carries no secret: it is in a URL the user
//! sees, and it only ever leads to a sign-in that must prove the same user.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::hmac;
use serde::{Deserialize, Serialize};

/// How long a consent link can be used after it was made.
pub const STATE_LIFETIME_SECS: u64 = 600;

/// What a consent link says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkState {
    /// The user's issuer and subject (`local` over stdio).
    pub iss: String,
    pub sub: String,
    /// The security scheme to connect.
    pub scheme: String,
    /// The elicitation this link answers (2025-11-25 clients wait for its completion).
    pub eid: String,
    /// Random, unique per link: what single use is checked on.
    pub nonce: String,
    /// The scopes to ask the third party for, space-separated.
    pub scope: String,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
}

/// Why a state was refused. The texts are shown on the error page: they say what happened, never
/// what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateError {
    Malformed,
    BadSignature,
    Expired,
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StateError::Malformed => "the link is not a consent link of this server",
            StateError::BadSignature => "the link has been altered",
            StateError::Expired => {
                "the link has expired; ask for a new one by calling the tool again"
            }
        })
    }
}

/// Signs and checks link states.
pub struct StateSigner {
    key: hmac::Key,
}

impl StateSigner {
    /// A signer keyed from the store key's bytes, through HKDF so the encryption key and the
    /// signing key are never the same bytes.
    pub fn new(store_key: &[u8]) -> StateSigner {
        let salt = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, b"mcpwright consent");
        let prk = salt.extract(store_key);
        let okm = prk
            .expand(&[b"link state v1"], hmac::HMAC_SHA256)
            .expect("HMAC-SHA-256 is a valid HKDF output length");
        StateSigner {
            key: hmac::Key::from(okm),
        }
    }

    pub fn sign(&self, state: &LinkState) -> String {
        let body = serde_json::to_vec(state).expect("a LinkState serializes");
        let tag = hmac::sign(&self.key, &body);
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&body),
            URL_SAFE_NO_PAD.encode(tag.as_ref())
        )
    }

    /// The state `text` carries, if this server signed it and it has not expired at `now`.
    pub fn verify(&self, text: &str, now: u64) -> Result<LinkState, StateError> {
        if text.len() > 4096 {
            return Err(StateError::Malformed);
        }
        let (body, tag) = text.split_once('.').ok_or(StateError::Malformed)?;
        let body = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| StateError::Malformed)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| StateError::Malformed)?;
        hmac::verify(&self.key, &body, &tag).map_err(|_| StateError::BadSignature)?;
        let state: LinkState = serde_json::from_slice(&body).map_err(|_| StateError::Malformed)?;
        if now >= state.exp {
            return Err(StateError::Expired);
        }
        Ok(state)
    }
}

/// `bytes` random bytes as base64url: nonces, flow ids, PKCE verifiers.
pub fn random_token(bytes: usize) -> String {
    use ring::rand::SecureRandom as _;
    let mut buf = vec![0u8; bytes];
    ring::rand::SystemRandom::new()
        .fill(&mut buf)
        .expect("the system's random source works");
    URL_SAFE_NO_PAD.encode(buf)
}

/// The PKCE S256 challenge of `verifier` (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
    URL_SAFE_NO_PAD.encode(digest.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(exp: u64) -> LinkState {
        LinkState {
            iss: "https://idp".into(),
            sub: "alice".into(),
            scheme: "github".into(),
            eid: "e1".into(),
            nonce: random_token(16),
            scope: "repo".into(),
            exp,
        }
    }

    #[test]
    fn a_signed_state_verifies_until_it_expires() {
        let signer = StateSigner::new(&[7; 32]);
        let text = signer.sign(&state(1_000));
        assert_eq!(signer.verify(&text, 999).unwrap().sub, "alice");
        assert_eq!(signer.verify(&text, 1_000), Err(StateError::Expired));
    }

    #[test]
    fn tampering_and_other_keys_are_refused() {
        let signer = StateSigner::new(&[7; 32]);
        let text = signer.sign(&state(1_000));
        let (body, tag) = text.split_once('.').unwrap();
        let mut claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).unwrap()).unwrap();
        claims["sub"] = "mallory".into();
        let forged = format!(
            "{}.{tag}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap())
        );
        assert_eq!(signer.verify(&forged, 1), Err(StateError::BadSignature));
        assert_eq!(
            StateSigner::new(&[8; 32]).verify(&text, 1),
            Err(StateError::BadSignature)
        );
        for junk in ["", "x", "a.b", &"a".repeat(5000)] {
            assert!(signer.verify(junk, 1).is_err(), "{junk}");
        }
    }

    #[test]
    fn pkce_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
