//! Step 6: what the token says. A JWT's payload is decoded (not verified: the server does
//! that) only to report and check its issuer, audience, scopes and expiry; the token itself is
//! never printed. With `--crate`, which tools the granted scopes allow.

use std::path::Path;

use base64::Engine as _;
use serde_json::Value;

use super::report::Report;

/// Scopes that ask for something other than access to the resource: never a tool's need.
const NOT_PERMISSIONS: [&str; 2] = ["offline_access", "openid"];

/// The payload of a JWT (`header.payload.signature`), or None for an opaque token.
pub fn payload(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice::<Value>(&bytes)
        .ok()
        .filter(Value::is_object)
}

fn words(value: &str) -> Vec<String> {
    value.split_whitespace().map(str::to_owned).collect()
}

/// What the token claims, checked against what the server expects. Returns the granted
/// scopes.
pub struct Expect<'a> {
    pub issuer: &'a str,
    pub resource: &'a str,
    pub requested: &'a [String],
    /// `scope` of the token response, when it had one.
    pub response_scope: Option<&'a str>,
    pub now: i64,
}

pub fn check(token: &str, expect: &Expect<'_>, report: &mut Report) -> Vec<String> {
    const STEP: &str = "token";
    let Some(claims) = payload(token) else {
        // RFC 6749 §5.1: a response without `scope` granted what was asked for.
        let granted = expect
            .response_scope
            .map(words)
            .unwrap_or_else(|| expect.requested.to_vec());
        report.pass(
            STEP,
            format!(
                "opaque token (not a JWT: the server introspects it); granted scope {}",
                shown(&granted)
            ),
        );
        return granted;
    };
    let iss = claims["iss"].as_str().unwrap_or_default();
    let aud: Vec<String> = match &claims["aud"] {
        Value::String(one) => vec![one.clone()],
        Value::Array(many) => many
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    // `scope` (RFC 9068), or `scp` as some providers name it (a string or a list), as the
    // generated servers read it.
    let scp = match &claims["scp"] {
        Value::String(text) => Some(words(text)),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
        ),
        _ => None,
    };
    let granted = claims["scope"]
        .as_str()
        .map(words)
        .or(scp)
        .or_else(|| expect.response_scope.map(words))
        .unwrap_or_else(|| expect.requested.to_vec());
    let exp = claims["exp"].as_i64();
    let saw = format!(
        "JWT: iss {}, aud {}, scope {}, {}",
        if iss.is_empty() { "(none)" } else { iss },
        if aud.is_empty() {
            "(none)".to_owned()
        } else {
            aud.join(" ")
        },
        shown(&granted),
        match exp {
            Some(exp) => format!("expires in {} s", exp - expect.now),
            None => "no expiry".to_owned(),
        }
    );
    let same = |a: &str, b: &str| a.trim_end_matches('/') == b.trim_end_matches('/');
    if iss != expect.issuer {
        report.fail(
            STEP,
            saw,
            format!(
                "the token's issuer must be {}, the issuer in the metadata: have the \
                 authorization server sign tokens with that iss",
                expect.issuer
            ),
        );
    } else if aud.is_empty() {
        report.fail(
            STEP,
            format!("{saw}: the token has no audience"),
            format!(
                "enable resource indicators (RFC 8707) at your authorization server so tokens \
                 for resource={0} carry aud {0}",
                expect.resource
            ),
        );
    } else if !aud.iter().any(|one| same(one, expect.resource)) {
        report.fail(
            STEP,
            format!(
                "{saw}: the token's audience is {}, not this server's URL {}",
                aud.join(" "),
                expect.resource
            ),
            format!(
                "set the resource indicator / audience at your authorization server to {0} \
                 (the client sent resource={0}), or, if {1} is right, set the server's resource \
                 URL to it (a generated server: MCP_RESOURCE_URL, MCP_AUTH_AUDIENCE)",
                expect.resource, aud[0]
            ),
        );
    } else if exp.is_some_and(|exp| exp <= expect.now) {
        report.fail(
            STEP,
            format!("{saw}: the token has already expired"),
            "check the clocks of the authorization server and this machine, and the access \
             token lifetime",
        );
    } else {
        let missing: Vec<&String> = expect
            .requested
            .iter()
            .filter(|scope| !NOT_PERMISSIONS.contains(&scope.as_str()))
            .filter(|scope| !granted.contains(scope))
            .collect();
        if missing.is_empty() {
            report.pass(STEP, saw);
        } else {
            let missing: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
            report.fail(
                STEP,
                format!(
                    "{saw}: asked for {}, {} never granted",
                    shown(expect.requested),
                    missing.join(" ")
                ),
                format!(
                    "define {} at your authorization server for the resource {} and let this \
                     client request it (unknown scopes are often dropped silently)",
                    missing.join(" "),
                    expect.resource
                ),
            );
        }
    }
    granted
}

fn shown(scopes: &[String]) -> String {
    if scopes.is_empty() {
        "(none)".to_owned()
    } else {
        format!("\"{}\"", scopes.join(" "))
    }
}

/// With `--crate`: which tools the granted scopes allow (a tool's `scopes` are alternatives,
/// each a set that must all be held), and scopes no token of this authorization server can hold.
pub fn tool_scopes(
    dir: &Path,
    granted: &[String],
    supported: Option<&[String]>,
    report: &mut Report,
) {
    const STEP: &str = "tool-scopes";
    let Some(contract) = crate::contract::Contract::read(dir) else {
        report.fail(
            STEP,
            format!("no readable mcpwright.lock in {}", dir.display()),
            "point --crate at a crate mcpwright generated (the folder with mcpwright.lock)",
        );
        return;
    };
    let allows = |alternatives: &[Vec<String>]| {
        alternatives.is_empty()
            || alternatives
                .iter()
                .any(|all| all.iter().all(|scope| granted.contains(scope)))
    };
    let (allowed, denied): (Vec<_>, Vec<_>) =
        contract.tools.iter().partition(|tool| allows(&tool.scopes));
    let needs = |alternatives: &[Vec<String>]| {
        alternatives
            .iter()
            .map(|all| all.join("+"))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    let mut saw = format!(
        "the granted scopes allow {} of {} tools",
        allowed.len(),
        contract.tools.len()
    );
    if !denied.is_empty() {
        let list: Vec<String> = denied
            .iter()
            .map(|tool| format!("{} (needs {})", tool.name, needs(&tool.scopes)))
            .collect();
        saw.push_str(&format!("; not: {}", list.join(", ")));
    }
    // A scope the authorization server does not offer can never be granted: the tools that
    // need it in every alternative are out of reach for everyone.
    let unreachable: Vec<String> = match supported {
        Some(supported) => contract
            .tools
            .iter()
            .filter(|tool| {
                !tool.scopes.is_empty()
                    && tool
                        .scopes
                        .iter()
                        .all(|all| all.iter().any(|scope| !supported.contains(scope)))
            })
            .map(|tool| tool.name.clone())
            .collect(),
        None => Vec::new(),
    };
    if unreachable.is_empty() {
        report.pass(STEP, saw);
    } else {
        let mut missing: Vec<String> = contract
            .tools
            .iter()
            .flat_map(|tool| tool.scopes.iter().flatten())
            .filter(|scope| supported.is_some_and(|s| !s.contains(scope)))
            .cloned()
            .collect();
        missing.sort();
        missing.dedup();
        report.fail(
            STEP,
            format!(
                "{saw}; the authorization server's scopes_supported lacks {}, so no token can \
                 call {}",
                missing.join(" "),
                unreachable.join(", ")
            ),
            format!(
                "define {} at the authorization server, or map the tools' scopes onto its own \
                 names when generating (--scope-map FROM=TO, --scope-prefix)",
                missing.join(" ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        let encode = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
        format!("{}.{}.sig", encode(r#"{"alg":"RS256"}"#), encode(claims))
    }

    fn expect<'a>(requested: &'a [String]) -> Expect<'a> {
        Expect {
            issuer: "http://id",
            resource: "http://h/mcp",
            requested,
            response_scope: None,
            now: 1000,
        }
    }

    #[test]
    fn an_audience_that_is_not_the_server_names_the_fix() {
        let mut report = Report::new("u");
        let token = jwt(r#"{"iss":"http://id","aud":"https://x","scope":"a","exp":2000}"#);
        check(&token, &expect(&["a".into()]), &mut report);
        let step = &report.steps[0];
        assert!(!step.ok);
        assert!(
            step.saw
                .contains("the token's audience is https://x, not this server's URL http://h/mcp")
        );
        assert!(step.fix.as_ref().unwrap().starts_with(
            "set the resource indicator / audience at your authorization server to http://h/mcp"
        ));
        assert!(!step.saw.contains(&token), "the token is never shown");
    }

    #[test]
    fn a_scope_never_granted_fails_and_offline_access_does_not() {
        let mut report = Report::new("u");
        let token = jwt(r#"{"iss":"http://id","aud":["http://h/mcp"],"scope":"a","exp":2000}"#);
        let requested = ["a".into(), "b".into(), "offline_access".into()];
        let granted = check(&token, &expect(&requested), &mut report);
        assert_eq!(granted, ["a"]);
        assert!(report.steps[0].saw.ends_with("b never granted"));
        let mut report = Report::new("u");
        check(
            &token,
            &expect(&["a".into(), "offline_access".into()]),
            &mut report,
        );
        assert!(report.passed(), "{:?}", report.steps);
    }

    #[test]
    fn scp_is_read_as_the_servers_read_it() {
        for claim in [r#""scp":"a""#, r#""scp":["a"]"#] {
            let mut report = Report::new("u");
            let token = jwt(&format!(
                r#"{{"iss":"http://id","aud":"http://h/mcp",{claim},"exp":2000}}"#
            ));
            let granted = check(&token, &expect(&["a".into(), "b".into()]), &mut report);
            assert_eq!(granted, ["a"], "{claim}");
            assert!(report.steps[0].saw.ends_with("b never granted"), "{claim}");
        }
    }

    #[test]
    fn opaque_tokens_grant_what_was_asked_unless_told() {
        let mut report = Report::new("u");
        assert_eq!(check("opaque", &expect(&["a".into()]), &mut report), ["a"]);
        assert!(report.passed());
        assert!(payload("a.b").is_none());
    }
}
