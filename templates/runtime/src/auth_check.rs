//! `<server> auth check`: what the authorization server publishes, and what is missing for MCP
//! clients to obtain tokens this server accepts. Nothing is started; the exit code says whether the
//! configuration works.

use std::process::ExitCode;

use super::api::ApiDef;
use super::auth::{AuthError, AuthSettings, Authenticator};
use super::config::AuthConfig;
use super::discovery;
use super::flags::AuthArgs;

/// Runs the check and prints a report to stdout.
pub fn run(api: &'static ApiDef, args: &AuthArgs) -> ExitCode {
    let config = match AuthConfig::resolve(api, args) {
        Ok(Some(config)) => config,
        Ok(None) => {
            eprintln!(
                "{}: no issuer: set --issuer or MCP_AUTH_ISSUER to the OAuth authorization server \
                 whose tokens this server should accept",
                api.name
            );
            return ExitCode::from(2);
        }
        Err(err) => {
            eprintln!("{}: {}", api.name, err.message);
            return ExitCode::from(err.code);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("{}: cannot start the async runtime: {err}", api.name);
            return ExitCode::FAILURE;
        }
    };
    let (report, ok) = runtime.block_on(check(api, &config));
    print!("{report}");
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// One aligned line of the report.
fn row(out: &mut String, label: &str, value: &str) {
    out.push_str(&format!("{label:<24}{value}\n"));
}

/// The report, and whether nothing required is missing.
pub async fn check(api: &ApiDef, config: &AuthConfig) -> (String, bool) {
    let mut out = String::new();
    let mut problems: Vec<String> = Vec::new();
    row(&mut out, "issuer", &config.issuer);
    let settings = AuthSettings {
        issuer: config.issuer.clone(),
        resource_url: config.resource_url.clone().unwrap_or_default(),
        audience: config
            .audience
            .clone()
            .or_else(|| config.resource_url.clone())
            .unwrap_or_default(),
        introspection: config.introspection.clone(),
        hide_unauthorized_tools: false,
        refresh_interval: config.refresh_interval,
        leeway: std::time::Duration::from_secs(60),
        scope_implies: config.scope_implies.clone(),
    };
    let authenticator = match Authenticator::new(settings) {
        Ok(authenticator) => authenticator,
        Err(err) => return (format!("{out}\nproblem: {err}\n"), false),
    };
    let metadata = match authenticator.metadata().await {
        Ok(metadata) => metadata,
        Err(AuthError::Invalid(reason) | AuthError::Unavailable(reason)) => {
            out.push_str(&format!(
                "\nproblem: {reason}\nhint: the issuer must be exactly the `issuer` of your \
                 authorization server (tried: {})\n",
                discovery::metadata_urls(&config.issuer).join(", ")
            ));
            return (out, false);
        }
    };
    row(&mut out, "metadata", &metadata.source);
    let endpoints = [
        (
            "authorization_endpoint",
            &metadata.authorization_endpoint,
            true,
            "MCP clients cannot start the authorization code flow",
        ),
        (
            "token_endpoint",
            &metadata.token_endpoint,
            true,
            "MCP clients cannot obtain tokens",
        ),
        (
            "introspection_endpoint",
            &metadata.introspection_endpoint,
            config.introspection.is_some(),
            "opaque tokens cannot be checked (MCP_INTROSPECTION_CLIENT_ID is set)",
        ),
        (
            "registration_endpoint",
            &metadata.registration_endpoint,
            false,
            "",
        ),
        (
            "jwks_uri",
            &metadata.jwks_uri,
            true,
            "JWT access tokens cannot be verified",
        ),
    ];
    for (label, value, required, why) in endpoints {
        row(&mut out, label, value.as_deref().unwrap_or("missing"));
        if value.is_none() && required {
            problems.push(format!("the metadata has no `{label}`: {why}"));
        }
    }
    if let Some(uri) = &metadata.jwks_uri {
        match jwks_summary(uri).await {
            Ok((0, skipped)) => {
                row(
                    &mut out,
                    "signing keys",
                    &format!("none usable ({skipped} skipped)"),
                );
                problems.push("the JWKS has no key that can verify access tokens".into());
            }
            Ok((usable, skipped)) => row(
                &mut out,
                "signing keys",
                &format!("{usable} usable, {skipped} skipped"),
            ),
            Err(err) => {
                row(&mut out, "signing keys", "unavailable");
                problems.push(format!("the JWKS cannot be fetched: {err}"));
            }
        }
    }
    if metadata.supports_s256() {
        row(&mut out, "PKCE S256", "advertised");
    } else {
        row(&mut out, "PKCE S256", "NOT advertised");
        problems.push(
            "the metadata does not list S256 in code_challenge_methods_supported; MCP clients \
             must refuse to authorize without PKCE S256"
                .into(),
        );
    }
    let registration = if metadata.registration_endpoint.is_some() {
        "available (clients can register themselves)"
    } else {
        "not available: register each MCP client at the authorization server"
    };
    row(&mut out, "dynamic registration", registration);
    row(
        &mut out,
        "scopes the tools use",
        &api.scopes_supported.join(" "),
    );
    if !metadata.scopes_supported.is_empty() {
        let unknown: Vec<&str> = api
            .scopes_supported
            .iter()
            .copied()
            .filter(|scope| !metadata.scopes_supported.iter().any(|s| s == scope))
            .collect();
        if !unknown.is_empty() {
            row(&mut out, "not offered by issuer", &unknown.join(" "));
            problems.push(format!(
                "the authorization server does not list these scopes, so tokens cannot carry them: \
                 {} (define them at the server, or map the names with mcpwright's --scope-map)",
                unknown.join(" ")
            ));
        }
    }
    if let Some(resource) = &config.resource_url {
        row(&mut out, "resource", resource);
    }
    let audience = config
        .audience
        .as_deref()
        .or(config.resource_url.as_deref());
    row(
        &mut out,
        "audience",
        audience.unwrap_or("the resource URL (http://<bind>/mcp by default)"),
    );
    if problems.is_empty() {
        out.push_str("\nok: MCP clients can obtain tokens this server accepts\n");
        return (out, true);
    }
    out.push('\n');
    for problem in &problems {
        out.push_str(&format!("problem: {problem}\n"));
    }
    (out, false)
}

/// Usable and skipped keys of the JWKS at `uri`.
async fn jwks_summary(uri: &str) -> Result<(usize, usize), String> {
    let client = discovery::client()?;
    let keys = discovery::fetch_keys(&client, uri).await?;
    Ok((keys.keys.len(), keys.skipped))
}
