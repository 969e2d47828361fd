//! The streamable HTTP transport: `/mcp` (rmcp's `StreamableHttpService`) and `/healthz`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use axum::serve::ListenerExt as _;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::api::ApiDef;
use super::auth::{AuthSettings, Authenticator};
use super::config::{AuthConfig, HttpConfig};
use super::consent_pages;
use super::errors::StartError;
use super::resource::{self, Guard};
use super::server::McpServer;

/// How long shutdown waits for open requests and streams before giving up on them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Clock skew tolerated for `exp` and `nbf`.
const LEEWAY: Duration = Duration::from_secs(60);

/// The router: `/mcp` for MCP behind the resource guard (Host, Origin, bearer token, scopes),
/// RFC 9728 metadata at `/.well-known/oauth-protected-resource[/mcp]`, the consent pages
/// (`/connect/…`) when a scheme uses user consent, and `/healthz` for liveness probes. Cancelling `shutdown` ends every session and open stream.
pub fn router(
    server: McpServer,
    config: &HttpConfig,
    guard: Arc<Guard>,
    shutdown: CancellationToken,
) -> Router {
    let mut mcp_config = StreamableHttpServerConfig::default().with_cancellation_token(shutdown);
    mcp_config = if config.allowed_hosts.iter().any(|host| host == "*") {
        mcp_config.disable_allowed_hosts()
    } else {
        mcp_config.with_allowed_hosts(config.allowed_hosts.iter().cloned())
    };
    // Origins are checked by the guard, before authentication, so rmcp's own check is left off.
    let stateless = config.stateless;
    let consent = server.credentials().consent().cloned();
    let factory = move || {
        Ok(if stateless {
            server.for_stateless_request()
        } else {
            server.for_session()
        })
    };
    let mcp = if config.stateless {
        // No session state: every POST is answered on its own, as plain JSON when it can be, so
        // any replica behind a load balancer can serve any request.
        let mcp_config = mcp_config
            .with_legacy_session_mode(false)
            .with_json_response(true);
        let service = StreamableHttpService::new(
            factory,
            Arc::new(NeverSessionManager::default()),
            mcp_config,
        );
        Router::new().route_service("/mcp", service)
    } else {
        let service = StreamableHttpService::new(
            factory,
            Arc::new(LocalSessionManager::default()),
            mcp_config,
        );
        Router::new().route_service("/mcp", service)
    };
    let mcp = mcp.layer(axum::middleware::from_fn_with_state(
        guard.clone(),
        resource::guard,
    ));
    let metadata_mcp = format!("{}/mcp", resource::METADATA_PATH);
    let connect = consent.map(|consent| {
        consent_pages::routes(consent_pages::Pages {
            consent,
            auth: guard.auth.clone(),
        })
    });
    let app = Router::new()
        .merge(mcp)
        .route(resource::METADATA_PATH, get(resource::metadata_document))
        .route(&metadata_mcp, get(resource::metadata_document))
        .with_state(guard)
        .route("/healthz", get(|| async { "ok\n" }));
    match connect {
        Some(connect) => app.merge(connect),
        None => app,
    }
}

/// Binds `config.bind`, announces the address on stderr and serves until `shutdown` is cancelled.
pub async fn serve(
    server: McpServer,
    config: &HttpConfig,
    auth: Option<&AuthConfig>,
    shutdown: CancellationToken,
) -> Result<(), StartError> {
    let listener = TcpListener::bind(&config.bind)
        .await
        .map_err(|err| StartError::runtime(format!("cannot listen on {}: {err}", config.bind)))?;
    let addr = listener
        .local_addr()
        .map_err(|err| StartError::runtime(format!("cannot read the listening address: {err}")))?;
    // Printed as it is, whatever the log level: scripts and tests read the port from this line.
    eprintln!("listening on http://{addr}/mcp");
    if addr.ip().is_unspecified() && !config.allowed_hosts.iter().any(|host| host == "*") {
        tracing::warn!(
            "listening on all interfaces: requests must name this server in their Host header \
             with a name listed in --allowed-hosts / MCP_ALLOWED_HOSTS (or `*` to accept any), \
             otherwise they get 403"
        );
    }
    let guard = Arc::new(
        guard_for(server.api(), config, auth, addr)?.with_search_mode(server.search_mode()),
    );
    if let Some(authority) = &guard.auth {
        // Token exchange happens at the same authorization server that issues callers' tokens.
        server.credentials().set_authority(authority.clone());
        if let Some(consent) = server.credentials().consent() {
            // The consent pages prove who is at the browser by a sign-in at the same server.
            consent.set_authority(authority.clone());
        }
    }
    let server = server.with_tool_filter(guard.hides_tools());
    let app = router(server, config, guard, shutdown.child_token());
    serve_listener(listener, app, shutdown)
        .await
        .map_err(|err| StartError::runtime(format!("the HTTP server failed: {err}")))
}

/// The guard for a server listening on `addr`: with OAuth when `auth` is set, its resource URL
/// defaulting to `http://<addr>/mcp` and its audience to the resource URL.
pub fn guard_for(
    api: &'static ApiDef,
    config: &HttpConfig,
    auth: Option<&AuthConfig>,
    addr: SocketAddr,
) -> Result<Guard, StartError> {
    let authenticator = match auth {
        None => None,
        Some(auth) => {
            let resource_url = match &auth.resource_url {
                Some(url) => url.clone(),
                None if addr.ip().is_unspecified() => {
                    return Err(StartError::usage(
                        "listening on all interfaces: set --resource-url / MCP_RESOURCE_URL to the \
                         URL clients reach this server at (e.g. https://mcp.example.com/mcp)",
                    ));
                }
                None => format!("http://{addr}/mcp"),
            };
            let settings = AuthSettings {
                issuer: auth.issuer.clone(),
                audience: auth
                    .audience
                    .clone()
                    .unwrap_or_else(|| resource_url.clone()),
                resource_url,
                introspection: auth.introspection.clone(),
                hide_unauthorized_tools: auth.hide_unauthorized_tools,
                refresh_interval: auth.refresh_interval,
                leeway: LEEWAY,
                scope_implies: auth.scope_implies.clone(),
            };
            tracing::info!(issuer = %settings.issuer, resource = %settings.resource_url, audience = %settings.audience, "OAuth resource server");
            Some(Arc::new(
                Authenticator::new(settings).map_err(StartError::usage)?,
            ))
        }
    };
    Ok(Guard::new(
        api,
        authenticator,
        config.allowed_hosts.clone(),
        config.allowed_origins.clone(),
        config.max_request_bytes,
    ))
}

/// Serves `app` on `listener` until `shutdown` is cancelled, then lets open requests finish for a
/// short grace period.
pub async fn serve_listener(
    listener: TcpListener,
    app: Router,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    // An answer streamed as several small writes (the SSE event, then progress and the result)
    // must not wait for the client's delayed ACK: with Nagle's algorithm on, every call on a
    // kept-alive connection stalled ~40 ms.
    let listener = listener.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::debug!("cannot set TCP_NODELAY: {err}");
        }
    });
    let server =
        axum::serve(listener, app).with_graceful_shutdown(shutdown.clone().cancelled_owned());
    let server = std::pin::pin!(server.into_future());
    tokio::select! {
        result = server => result,
        () = async {
            shutdown.cancelled().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => {
            tracing::warn!("open connections did not close within {} s; stopping anyway", SHUTDOWN_GRACE.as_secs());
            Ok(())
        }
    }
}
