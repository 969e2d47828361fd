//! The streamable HTTP transport: `/mcp` (rmcp's `StreamableHttpService`) and `/healthz`.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::config::{HttpConfig, StartError};
use super::server::McpServer;

/// How long shutdown waits for open requests and streams before giving up on them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The router: `/mcp` for MCP, `/healthz` for liveness probes. Cancelling `shutdown` ends every
/// session and open stream.
pub fn router(server: McpServer, config: &HttpConfig, shutdown: CancellationToken) -> Router {
    let mut mcp_config = StreamableHttpServerConfig::default().with_cancellation_token(shutdown);
    mcp_config = if config.allowed_hosts.iter().any(|host| host == "*") {
        mcp_config.disable_allowed_hosts()
    } else {
        mcp_config.with_allowed_hosts(config.allowed_hosts.iter().cloned())
    };
    if !config.allowed_origins.is_empty() {
        mcp_config = mcp_config.with_allowed_origins(config.allowed_origins.iter().cloned());
    }
    let factory = move || Ok(server.clone());
    let router = if config.stateless {
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
    router.route("/healthz", get(|| async { "ok\n" }))
}

/// Binds `config.bind`, announces the address on stderr and serves until `shutdown` is cancelled.
pub async fn serve(
    server: McpServer,
    config: &HttpConfig,
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
    let app = router(server, config, shutdown.child_token());
    serve_listener(listener, app, shutdown)
        .await
        .map_err(|err| StartError::runtime(format!("the HTTP server failed: {err}")))
}

/// Serves `app` on `listener` until `shutdown` is cancelled, then lets open requests finish for a
/// short grace period.
pub async fn serve_listener(
    listener: TcpListener,
    app: Router,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
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
