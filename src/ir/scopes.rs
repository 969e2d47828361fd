//! Inbound OAuth scopes: which scopes an MCP caller needs for each tool, taken from the
//! operation's OpenAPI security requirements, and renamed when the MCP authorization server names
//! them differently than the upstream API.

use indexmap::{IndexMap, IndexSet};

use super::model::{SecurityRequirement, SecurityScheme};
// Declared with the options (the file and the flags fill it); used here.
use crate::options::ScopeMap;

/// The scope that asks for a refresh token (OpenID Connect). It says how long a client may keep
/// access, not what it may do: MCP 2026-07-28 keeps it out of challenges and `scopes_supported`,
/// and a tool cannot need it (a challenge could never ask for it, so a token could never get it).
const OFFLINE_ACCESS: &str = "offline_access";

/// The scope alternatives of one tool. Only oauth2 and openIdConnect schemes carry scopes; a
/// requirement made only of other schemes (API keys, HTTP auth: upstream credentials) needs no
/// scope, and then neither does the tool, since any one alternative will do.
pub fn tool_scopes(
    requirements: &[SecurityRequirement],
    schemes: &IndexMap<String, SecurityScheme>,
    map: &ScopeMap,
) -> Vec<Vec<String>> {
    let mut alternatives: Vec<Vec<String>> = Vec::new();
    for requirement in requirements {
        let mut scopes = IndexSet::new();
        for (name, names) in &requirement.schemes {
            if matches!(
                schemes.get(name),
                Some(SecurityScheme::OAuth2 { .. } | SecurityScheme::OpenIdConnect { .. })
            ) {
                scopes.extend(
                    names
                        .iter()
                        .map(|s| map.apply(s))
                        .filter(|s| s != OFFLINE_ACCESS),
                );
            }
        }
        if scopes.is_empty() {
            return Vec::new();
        }
        let scopes: Vec<String> = scopes.into_iter().collect();
        if !alternatives.contains(&scopes) {
            alternatives.push(scopes);
        }
    }
    alternatives
}

/// The issuer behind an OpenID Connect discovery URL (`…/.well-known/openid-configuration`).
pub fn issuer_of(discovery_url: &str) -> Option<String> {
    let at = discovery_url.find("/.well-known/")?;
    let (base, well_known) = discovery_url.split_at(at);
    // RFC 8414 inserts the well-known part before the issuer's path; OIDC appends it.
    let inserted_path = well_known
        .strip_prefix("/.well-known/openid-configuration")
        .or_else(|| well_known.strip_prefix("/.well-known/oauth-authorization-server"))?;
    let issuer = format!("{base}{inserted_path}");
    (issuer.starts_with("https://") || issuer.starts_with("http://")).then_some(issuer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::ParamLocation;

    fn schemes() -> IndexMap<String, SecurityScheme> {
        IndexMap::from([
            (
                "oauth".to_owned(),
                SecurityScheme::OAuth2 { flows: Vec::new() },
            ),
            (
                "oidc".to_owned(),
                SecurityScheme::OpenIdConnect {
                    url: "https://idp/.well-known/openid-configuration".into(),
                },
            ),
            (
                "key".to_owned(),
                SecurityScheme::ApiKey {
                    name: "k".into(),
                    location: ParamLocation::Header,
                },
            ),
        ])
    }

    fn req(parts: &[(&str, &[&str])]) -> SecurityRequirement {
        SecurityRequirement {
            schemes: parts
                .iter()
                .map(|(n, s)| ((*n).to_owned(), s.iter().map(|s| (*s).to_owned()).collect()))
                .collect(),
        }
    }

    #[test]
    fn alternatives_and_conjunctions() {
        let map = ScopeMap::default();
        let scopes = tool_scopes(
            &[
                req(&[("oauth", &["a", "b"]), ("oidc", &["c"])]),
                req(&[("oauth", &["d"])]),
            ],
            &schemes(),
            &map,
        );
        assert_eq!(scopes, [vec!["a", "b", "c"], vec!["d"]]);
        // An alternative needing no scope makes the tool need none.
        assert!(
            tool_scopes(
                &[req(&[("oauth", &["a"])]), req(&[("key", &[])])],
                &schemes(),
                &map
            )
            .is_empty()
        );
        assert!(tool_scopes(&[], &schemes(), &map).is_empty());
    }

    /// `offline_access` asks for a refresh token; no tool needs it (MCP 2026-07-28 keeps it out of
    /// challenges and `scopes_supported`, which are made from these lists).
    #[test]
    fn offline_access_is_never_needed() {
        let map = ScopeMap::default();
        let scopes = tool_scopes(
            &[req(&[("oauth", &["offline_access", "read"])])],
            &schemes(),
            &map,
        );
        assert_eq!(scopes, [vec!["read"]]);
        assert!(tool_scopes(&[req(&[("oidc", &["offline_access"])])], &schemes(), &map).is_empty());
        // Also when a rename would produce it.
        let map = ScopeMap::parse(&["refresh=offline_access".into()], None).unwrap();
        assert_eq!(
            tool_scopes(&[req(&[("oauth", &["refresh", "a"])])], &schemes(), &map),
            [vec!["a"]]
        );
    }

    #[test]
    fn implications_parse() {
        let implies = ScopeMap::parse_implies(&[
            "repo=repo:status, public_repo".into(),
            "repo=repo:deployment".into(),
        ])
        .unwrap();
        assert_eq!(
            implies["repo"],
            ["repo:status", "public_repo", "repo:deployment"]
        );
        for bad in ["repo", "repo=", "=a", "repo=a b", "repo=a,,b", "repo=repo"] {
            assert!(ScopeMap::parse_implies(&[bad.into()]).is_err(), "{bad}");
        }
    }

    #[test]
    fn mapping() {
        let map = ScopeMap::parse(&["read=api.read".into()], Some("petstore:".into())).unwrap();
        assert_eq!(map.apply("read"), "api.read");
        assert_eq!(map.apply("write"), "petstore:write");
        assert!(ScopeMap::parse(&["nope".into()], None).is_err());
        assert!(ScopeMap::parse(&["a=b c".into()], None).is_err());
    }

    #[test]
    fn issuers_from_discovery_urls() {
        assert_eq!(
            issuer_of("https://idp.example.com/.well-known/openid-configuration").as_deref(),
            Some("https://idp.example.com")
        );
        assert_eq!(
            issuer_of("https://idp.example.com/realms/x/.well-known/openid-configuration")
                .as_deref(),
            Some("https://idp.example.com/realms/x")
        );
        assert_eq!(
            issuer_of("https://idp.example.com/.well-known/openid-configuration/tenant").as_deref(),
            Some("https://idp.example.com/tenant")
        );
        assert_eq!(issuer_of("https://idp.example.com/config"), None);
    }
}
