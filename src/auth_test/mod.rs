//! `mcpwright auth test`: the OAuth set-up's test step as a command. It acts as an MCP client
//! of any server and walks the flow, one reported step at a time:
//!
//! 1. [`discovery`]: the unauthenticated request's `401` challenge, the protected-resource
//!    metadata (RFC 9728) and the authorization server's metadata (RFC 8414 / OIDC);
//! 2. [`flow`]: the client's identity and the grant, on rmcp's OAuth client, with the redirect
//!    from a browser or `--headless` ([`redirect`]);
//! 3. [`claims`]: what the token says, and with `--crate` which tools its scopes allow;
//! 4. [`mcp`]: `tools/list` and one call, with one step-up on `403 insufficient_scope`.
//!
//! Every step's HTTP goes through [`http`]'s client, which bounds each exchange. The generator is
//! synchronous; this command runs its own tokio runtime.

pub mod claims;
pub mod discovery;
pub mod flow;
pub mod http;
pub mod mcp;
pub mod options;
pub mod redirect;
pub mod report;

use std::time::{SystemTime, UNIX_EPOCH};

use url::Url;

pub use options::{Browser, Options};
pub use report::{Report, Step};

/// Runs the test; the report says whether every step passed.
pub fn run(options: &Options) -> Report {
    let mut report = Report::new(&options.url);
    let Ok(url) = Url::parse(&options.url) else {
        report.fail(
            "challenge",
            format!("{} is not a URL", options.url),
            "pass the server's MCP endpoint, e.g. http://127.0.0.1:8080/mcp",
        );
        return report;
    };
    // rustls with `ring`, as the generated servers use; installing twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            report.fail(
                "challenge",
                format!("cannot start the async runtime: {err}"),
                "report this as a bug of mcpwright",
            );
            return report;
        }
    };
    runtime.block_on(walk(options, &url, &mut report));
    report
}

/// A new authorization from a challenge, once, when the server turns the token down after
/// accepting it.
const REAUTHORIZATIONS: usize = 1;

async fn walk(options: &Options, url: &Url, report: &mut Report) {
    let http = http::client();
    let loopback = match redirect::Loopback::bind().await {
        Ok(loopback) => loopback,
        Err(err) => {
            report.fail(
                "authorization",
                format!("cannot listen on 127.0.0.1 for the redirect: {err}"),
                "allow this program to listen on a loopback port",
            );
            return;
        }
    };
    let Some(mut challenge) = discovery::challenge(&http, url, report).await else {
        return;
    };
    for attempt in 0..=REAUTHORIZATIONS {
        let Some(resource) = discovery::resource_metadata(&http, url, &challenge, report).await
        else {
            return;
        };
        let confidential = options.client_id.is_some() && options.client_secret.is_some();
        let Some(server) = discovery::authorization_server(
            &http,
            &resource,
            options.client_credentials,
            confidential,
            report,
        )
        .await
        else {
            return;
        };
        let Some(authorized) = flow::authorize(
            options, url, &challenge, &resource, &server, &loopback, report,
        )
        .await
        else {
            return;
        };
        let granted = match authorized.manager.get_access_token().await {
            Ok(token) => claims::check(
                &token,
                &claims::Expect {
                    issuer: &server.issuer,
                    resource: &resource.resource,
                    requested: &authorized.requested,
                    response_scope: authorized.issued.scope.as_deref(),
                    now: now(),
                },
                report,
            ),
            Err(err) => {
                report.fail(
                    "token",
                    format!("no access token after the grant: {err}"),
                    flow::fix_for(&err),
                );
                return;
            }
        };
        if let Some(dir) = &options.crate_dir {
            let supported = server.scopes_supported();
            claims::tool_scopes(dir, &granted, supported.as_deref(), report);
        }
        let may_reauthorize = attempt < REAUTHORIZATIONS;
        match mcp::exercise(
            options,
            url,
            authorized.manager,
            &loopback,
            may_reauthorize,
            report,
        )
        .await
        {
            mcp::Outcome::Done => return,
            mcp::Outcome::Reauthorize(header) => {
                challenge = discovery::Challenge {
                    params: rmcp::transport::WWWAuthenticateParams::parse(&header, url),
                    header: Some(header),
                };
            }
        }
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}
