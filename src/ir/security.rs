//! Security schemes and the requirements of each operation.

use indexmap::IndexMap;

use super::model::{OAuthFlow, OAuthFlowKind, ParamLocation, SecurityRequirement, SecurityScheme};

/// The spec's security schemes by name, read from the raw document (a `$ref` to another scheme
/// is followed there). The structure check has read every entry already, so one that does not
/// read here cannot occur; it would be skipped.
pub fn schemes(raw: &serde_json::Value) -> IndexMap<String, SecurityScheme> {
    let Some(schemes) = raw
        .pointer("/components/securitySchemes")
        .and_then(serde_json::Value::as_object)
    else {
        return IndexMap::new();
    };
    schemes
        .iter()
        .filter_map(|(name, scheme)| {
            let scheme = match serde_json::from_value(scheme.clone()).ok()? {
                openapiv3::ReferenceOr::Item(item) => item,
                openapiv3::ReferenceOr::Reference { reference } => {
                    let value = crate::load::refs::resolve(raw, &reference)?;
                    serde_json::from_value(value.clone()).ok()?
                }
            };
            Some((name.clone(), convert(&scheme)))
        })
        .collect()
}

fn convert(scheme: &openapiv3::SecurityScheme) -> SecurityScheme {
    use openapiv3::{APIKeyLocation, SecurityScheme as S};
    match scheme {
        S::APIKey { location, name, .. } => SecurityScheme::ApiKey {
            name: name.clone(),
            location: match location {
                APIKeyLocation::Query => ParamLocation::Query,
                APIKeyLocation::Header => ParamLocation::Header,
                APIKeyLocation::Cookie => ParamLocation::Cookie,
            },
        },
        S::HTTP {
            scheme,
            bearer_format,
            ..
        } => SecurityScheme::Http {
            scheme: scheme.to_ascii_lowercase(),
            bearer_format: bearer_format.clone(),
        },
        S::OAuth2 { flows, .. } => {
            let mut out = Vec::new();
            if let Some(f) = &flows.implicit {
                out.push(flow(
                    OAuthFlowKind::Implicit,
                    Some(&f.authorization_url),
                    None,
                    f.refresh_url.as_ref(),
                    &f.scopes,
                ));
            }
            if let Some(f) = &flows.password {
                out.push(flow(
                    OAuthFlowKind::Password,
                    None,
                    Some(&f.token_url),
                    f.refresh_url.as_ref(),
                    &f.scopes,
                ));
            }
            if let Some(f) = &flows.client_credentials {
                out.push(flow(
                    OAuthFlowKind::ClientCredentials,
                    None,
                    Some(&f.token_url),
                    f.refresh_url.as_ref(),
                    &f.scopes,
                ));
            }
            if let Some(f) = &flows.authorization_code {
                out.push(flow(
                    OAuthFlowKind::AuthorizationCode,
                    Some(&f.authorization_url),
                    Some(&f.token_url),
                    f.refresh_url.as_ref(),
                    &f.scopes,
                ));
            }
            SecurityScheme::OAuth2 { flows: out }
        }
        S::OpenIDConnect {
            open_id_connect_url,
            ..
        } => SecurityScheme::OpenIdConnect {
            url: open_id_connect_url.clone(),
        },
    }
}

fn flow(
    kind: OAuthFlowKind,
    authorization_url: Option<&String>,
    token_url: Option<&String>,
    refresh_url: Option<&String>,
    scopes: &IndexMap<String, String>,
) -> OAuthFlow {
    OAuthFlow {
        kind,
        authorization_url: authorization_url.cloned(),
        token_url: token_url.cloned(),
        refresh_url: refresh_url.cloned(),
        scopes: scopes.clone(),
    }
}

/// An operation's requirements: its own `security` when present (`[]` means none), else the
/// document's.
pub fn requirements(
    operation: Option<&Vec<openapiv3::SecurityRequirement>>,
    global: Option<&Vec<openapiv3::SecurityRequirement>>,
) -> Vec<SecurityRequirement> {
    operation
        .or(global)
        .into_iter()
        .flatten()
        .map(|requirement| SecurityRequirement {
            schemes: requirement
                .iter()
                .map(|(name, scopes)| (name.clone(), scopes.clone()))
                .collect(),
        })
        .collect()
}

/// Settings the generated server reads itself; a scheme's variables must not shadow them.
const RESERVED: &[&str] = &[
    "MCP_UPSTREAM_URL",
    "MCP_UPSTREAM_TIMEOUT",
    "MCP_MAX_RESPONSE_BYTES",
    "MCP_ALLOWED_HOSTS",
    "MCP_ALLOWED_ORIGINS",
    "MCP_LOG_LEVEL",
    "MCP_AUTH_ISSUER",
    "MCP_RESOURCE_URL",
    "MCP_AUTH_AUDIENCE",
    "MCP_INTROSPECTION_CLIENT_ID",
    "MCP_INTROSPECTION_CLIENT_SECRET",
    "MCP_HIDE_UNAUTHORIZED_TOOLS",
    "MCP_SCOPE_IMPLIES",
    "MCP_AUTH_REFRESH_INTERVAL",
];

/// The suffixes of credential settings, as the runtime reads them.
const SUFFIXES: &[&str] = &[
    "API_KEY",
    "BEARER_TOKEN",
    "USERNAME",
    "PASSWORD",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "TOKEN_URL",
    "SCOPES",
    "AUDIENCE",
    "TOKEN_AUTH_METHOD",
    "STRATEGY",
];

/// The settings prefix of each scheme: its name in SCREAMING_SNAKE_CASE, made unique; a prefix
/// whose settings would shadow the server's own (`MCP_…`) gets `_SCHEME` appended.
pub fn prefixes(schemes: &IndexMap<String, SecurityScheme>) -> IndexMap<String, String> {
    let mut namer = crate::naming::Namer::new();
    schemes
        .keys()
        .map(|name| {
            let mut prefix = crate::naming::shouty_ident(name);
            if SUFFIXES
                .iter()
                .any(|suffix| RESERVED.contains(&format!("{prefix}_{suffix}").as_str()))
            {
                prefix.push_str("_SCHEME");
            }
            (name.clone(), namer.unique(&prefix, "_"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_prefixes() {
        let scheme = SecurityScheme::Http {
            scheme: "bearer".into(),
            bearer_format: None,
        };
        let schemes: IndexMap<String, SecurityScheme> =
            ["HubAuth", "api_key", "api-key", "MCP_INTROSPECTION", "2fa"]
                .iter()
                .map(|n| ((*n).to_owned(), scheme.clone()))
                .collect();
        let prefixes = prefixes(&schemes);
        let prefixes: Vec<&str> = prefixes.values().map(String::as_str).collect();
        assert_eq!(
            prefixes,
            [
                "HUB_AUTH",
                "API_KEY",
                "API_KEY_2",
                "MCP_INTROSPECTION_SCHEME",
                "N_2FA"
            ]
        );
    }
}
