//! Who is calling: the [`Identity`] a validated access token gives, and the token itself. Plain
//! data in a leaf module, so the tool table's hooks and the server can name the caller without
//! importing token validation (`auth`), which makes it.

use std::sync::Arc;

/// An access token; its text never appears in `Debug` output or logs.
#[derive(Clone)]
pub struct AccessToken(Arc<str>);

impl AccessToken {
    pub fn new(token: &str) -> Self {
        AccessToken(Arc::from(token))
    }

    /// The token itself, for forwarding it where configuration says so (token exchange).
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken([redacted])")
    }
}

/// Who is calling, from a validated token. Tool handlers find it in the request extensions.
#[derive(Debug, Clone)]
pub struct Identity {
    pub subject: Option<String>,
    pub client_id: Option<String>,
    /// The scopes the token grants, and the ones they imply under the API's scope hierarchy
    /// ([`with_implied`]): what every scope check reads.
    pub scopes: Vec<String>,
    /// Expiry, seconds since the epoch.
    pub expires_at: Option<u64>,
    pub token: AccessToken,
}

impl Identity {
    /// Whether the token grants every scope of at least one alternative (an empty list of
    /// alternatives needs nothing).
    pub fn satisfies(&self, alternatives: &[&[&str]]) -> bool {
        satisfies(&self.scopes, alternatives)
    }
}

/// `granted` with every scope it implies, directly or through other implied scopes, under
/// `hierarchy` (scope → scopes it grants); in a stable order: the granted ones first, then the
/// implied ones as they were reached. A circle in the hierarchy ends where it comes back.
pub fn with_implied(mut granted: Vec<String>, hierarchy: &[(String, Vec<String>)]) -> Vec<String> {
    let mut next = 0;
    while next < granted.len() {
        let scope = granted[next].clone();
        next += 1;
        for (parent, implied) in hierarchy {
            if *parent != scope {
                continue;
            }
            for child in implied {
                if !granted.iter().any(|have| have == child) {
                    granted.push(child.clone());
                }
            }
        }
    }
    granted
}

/// The alternative `granted` is closest to: the one with the fewest scopes still to get (the
/// first of equals; none for no alternatives).
pub fn closest_alternative<'a>(
    granted: &[String],
    alternatives: &[&'a [&'a str]],
) -> &'a [&'a str] {
    alternatives
        .iter()
        .copied()
        .min_by_key(|needed| {
            needed
                .iter()
                .filter(|scope| !granted.iter().any(|have| have == *scope))
                .count()
        })
        .unwrap_or_default()
}

/// Whether `granted` covers at least one of `alternatives`.
pub fn satisfies(granted: &[String], alternatives: &[&[&str]]) -> bool {
    alternatives.is_empty()
        || alternatives.iter().any(|needed| {
            needed
                .iter()
                .all(|scope| granted.iter().any(|g| g == scope))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closest_alternative_needs_the_fewest_new_scopes() {
        let granted = vec!["a".to_owned(), "b".to_owned()];
        assert_eq!(
            closest_alternative(&granted, &[&["c", "d"], &["a", "b", "e"]]),
            ["a", "b", "e"]
        );
        assert_eq!(closest_alternative(&granted, &[&["c"], &["d"]]), ["c"]);
        assert!(closest_alternative(&granted, &[]).is_empty());
    }
}
