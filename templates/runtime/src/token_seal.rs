//! Encryption at rest for the upstream tokens a server keeps for its users (issue: per-user
//! consent): AES-256-GCM with `ring` (already compiled for TLS and JWT signatures, so no second
//! crypto library), under `MCP_TOKEN_STORE_KEY` — 32 random bytes, base64 — and, while keys are
//! rotated, an old key that still opens what it sealed (`MCP_TOKEN_STORE_OLD_KEY`).
//!
//! A sealed value is `1 ‖ key id (4 bytes) ‖ nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`. The
//! additional authenticated data is the value's storage key, so a value copied under another
//! user's key does not open. The key id (the first bytes of the key's SHA-256) says which key
//! sealed it: a value sealed under the old key opens, and says it should be sealed again.

use base64::Engine as _;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

/// The format byte of sealed values this version writes.
const FORMAT: u8 = 1;
/// Bytes of a key's id in a sealed value.
const KEY_ID_LEN: usize = 4;
const HEADER_LEN: usize = 1 + KEY_ID_LEN + NONCE_LEN;
const TAG_LEN: usize = 16;

/// One AES-256-GCM key and its id.
struct Key {
    id: [u8; KEY_ID_LEN],
    key: LessSafeKey,
}

impl Key {
    /// Reads a base64 key (standard or URL-safe alphabet, padded or not) of exactly 32 bytes.
    fn parse(name: &str, text: &str) -> Result<Key, String> {
        let text = text.trim();
        let bytes = [
            &base64::engine::general_purpose::STANDARD,
            &base64::engine::general_purpose::STANDARD_NO_PAD,
            &base64::engine::general_purpose::URL_SAFE,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ]
        .iter()
        .find_map(|engine| engine.decode(text).ok())
        .ok_or_else(|| format!("{name} is not base64 (make one with `openssl rand -base64 32`)"))?;
        if bytes.len() != 32 {
            return Err(format!(
                "{name} is {} bytes; it must be 32 random bytes, base64 (`openssl rand -base64 32`)",
                bytes.len()
            ));
        }
        let digest = ring::digest::digest(&ring::digest::SHA256, &bytes);
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&digest.as_ref()[..KEY_ID_LEN]);
        let unbound = UnboundKey::new(&AES_256_GCM, &bytes)
            .map_err(|_| format!("{name} is not a usable AES-256 key"))?;
        Ok(Key {
            id,
            key: LessSafeKey::new(unbound),
        })
    }
}

/// Seals and opens stored values.
pub struct Sealer {
    current: Key,
    old: Option<Key>,
    random: SystemRandom,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the keys.
        f.debug_struct("Sealer")
            .field("rotating", &self.old.is_some())
            .finish_non_exhaustive()
    }
}

/// Why a stored value did not open. The texts name no key material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenError {
    /// Sealed by a key this server does not have (neither the current nor the old one).
    UnknownKey,
    /// Not a sealed value, damaged, or sealed for another storage key.
    Tampered,
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OpenError::UnknownKey => {
                "sealed with a key this server does not have (set the key it was sealed with as MCP_TOKEN_STORE_OLD_KEY while rotating)"
            }
            OpenError::Tampered => "damaged, or not sealed for this entry",
        })
    }
}

/// An opened value, and whether it was sealed under the old key (seal it again under the
/// current one).
#[derive(Debug, PartialEq, Eq)]
pub struct Opened {
    pub plaintext: Vec<u8>,
    pub stale_key: bool,
}

impl Sealer {
    /// The sealer for `MCP_TOKEN_STORE_KEY` (`key`) and, while rotating, `MCP_TOKEN_STORE_OLD_KEY`
    /// (`old`). The error names the setting and says how to make a key.
    pub fn new(key: &str, old: Option<&str>) -> Result<Sealer, String> {
        let current = Key::parse("MCP_TOKEN_STORE_KEY", key)?;
        let old = old
            .filter(|old| !old.trim().is_empty())
            .map(|old| Key::parse("MCP_TOKEN_STORE_OLD_KEY", old))
            .transpose()?;
        if old.as_ref().is_some_and(|old| old.id == current.id) {
            return Err(
                "MCP_TOKEN_STORE_OLD_KEY is the same key as MCP_TOKEN_STORE_KEY: set the new key as MCP_TOKEN_STORE_KEY and the previous one as MCP_TOKEN_STORE_OLD_KEY"
                    .into(),
            );
        }
        Ok(Sealer {
            current,
            old,
            random: SystemRandom::new(),
        })
    }

    /// `plaintext` sealed for the storage key `entry`, under the current key, with a fresh
    /// random nonce.
    pub fn seal(&self, entry: &str, plaintext: &[u8]) -> Result<Vec<u8>, String> {
        let mut nonce = [0u8; NONCE_LEN];
        self.random
            .fill(&mut nonce)
            .map_err(|_| "the system's random number generator failed".to_owned())?;
        let mut sealed = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
        sealed.push(FORMAT);
        sealed.extend_from_slice(&self.current.id);
        sealed.extend_from_slice(&nonce);
        let mut body = plaintext.to_vec();
        self.current
            .key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(entry.as_bytes()),
                &mut body,
            )
            .map_err(|_| "sealing failed".to_owned())?;
        sealed.extend_from_slice(&body);
        Ok(sealed)
    }

    /// Opens what [`Sealer::seal`] sealed for `entry`, under the current or the old key.
    pub fn open(&self, entry: &str, sealed: &[u8]) -> Result<Opened, OpenError> {
        if sealed.len() < HEADER_LEN + TAG_LEN || sealed[0] != FORMAT {
            return Err(OpenError::Tampered);
        }
        let id = &sealed[1..=KEY_ID_LEN];
        let (key, stale_key) = if id == self.current.id {
            (&self.current, false)
        } else {
            match &self.old {
                Some(old) if id == old.id => (old, true),
                _ => return Err(OpenError::UnknownKey),
            }
        };
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&sealed[1 + KEY_ID_LEN..HEADER_LEN]);
        let mut body = sealed[HEADER_LEN..].to_vec();
        let plaintext = key
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(entry.as_bytes()),
                &mut body,
            )
            .map_err(|_| OpenError::Tampered)?;
        Ok(Opened {
            plaintext: plaintext.to_vec(),
            stale_key,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const OTHER: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

    #[test]
    fn seals_and_opens_bound_to_the_entry() {
        let sealer = Sealer::new(KEY, None).unwrap();
        let sealed = sealer.seal("user-a", b"upstream token").unwrap();
        assert!(
            !sealed.windows(8).any(|w| w == b"upstream"),
            "the token is not in the clear"
        );
        let opened = sealer.open("user-a", &sealed).unwrap();
        assert_eq!(opened.plaintext, b"upstream token");
        assert!(!opened.stale_key);
        // Each seal has its own nonce.
        assert_ne!(sealer.seal("user-a", b"upstream token").unwrap(), sealed);
        // Another user's entry, a flipped bit, a cut value: none opens.
        assert_eq!(sealer.open("user-b", &sealed), Err(OpenError::Tampered));
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(sealer.open("user-a", &flipped), Err(OpenError::Tampered));
        assert_eq!(
            sealer.open("user-a", &sealed[..10]),
            Err(OpenError::Tampered)
        );
        assert_eq!(sealer.open("user-a", b""), Err(OpenError::Tampered));
    }

    #[test]
    fn rotation_opens_old_values_and_says_to_reseal() {
        let old = Sealer::new(OTHER, None).unwrap();
        let sealed = old.seal("user-a", b"t").unwrap();
        let rotating = Sealer::new(KEY, Some(OTHER)).unwrap();
        let opened = rotating.open("user-a", &sealed).unwrap();
        assert_eq!(opened.plaintext, b"t");
        assert!(opened.stale_key);
        // After the rotation the old key is gone: its values no longer open.
        let rotated = Sealer::new(KEY, None).unwrap();
        assert_eq!(rotated.open("user-a", &sealed), Err(OpenError::UnknownKey));
        assert!(
            rotated
                .open("user-a", &rotating.seal("user-a", b"t").unwrap())
                .is_ok()
        );
    }

    #[test]
    fn keys_are_checked_and_never_shown() {
        for (key, problem) in [
            ("not base64!", "not base64"),
            ("AAEC", "3 bytes"),
            ("", "0 bytes"),
        ] {
            let err = Sealer::new(key, None).unwrap_err();
            assert!(
                err.contains(problem) && err.contains("MCP_TOKEN_STORE_KEY"),
                "{err}"
            );
        }
        let err = Sealer::new(KEY, Some(KEY)).unwrap_err();
        assert!(err.contains("same key"), "{err}");
        assert!(Sealer::new(KEY, Some("  ")).is_ok());
        // URL-safe and unpadded forms of the same key are the same key.
        let url_safe = KEY
            .trim_end_matches('=')
            .replace('+', "-")
            .replace('/', "_");
        let sealed = Sealer::new(KEY, None).unwrap().seal("e", b"x").unwrap();
        assert!(
            Sealer::new(&url_safe, None)
                .unwrap()
                .open("e", &sealed)
                .is_ok()
        );
        let debug = format!("{:?}", Sealer::new(KEY, Some(OTHER)).unwrap());
        assert!(!debug.contains(KEY) && !debug.contains("AAEC"), "{debug}");
    }
}
