//! The stdio transport: newline-delimited JSON-RPC on stdin and stdout, for an MCP client that
//! starts this process. Stdout belongs to the protocol; logs go to stderr.

use rmcp::ServiceExt as _;
use rmcp::service::ServerInitializeError;
use tokio_util::sync::CancellationToken;

use super::config::StartError;
use super::server::McpServer;

/// Serves on stdin/stdout until the client closes stdin or `shutdown` is cancelled. Both are a
/// normal end.
pub async fn serve(server: McpServer, shutdown: CancellationToken) -> Result<(), StartError> {
    serve_on(server, rmcp::transport::stdio(), shutdown).await
}

/// Serves on any byte stream pair (stdio, or an in-memory pipe in tests).
pub async fn serve_on<R, W>(
    server: McpServer,
    (read, write): (R, W),
    shutdown: CancellationToken,
) -> Result<(), StartError>
where
    R: tokio::io::AsyncRead + Send + Unpin + 'static,
    W: tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let running = match server.serve_with_ct((read, write), shutdown).await {
        Ok(running) => running,
        // The client went away (or we were told to stop) before the handshake: nothing to do.
        Err(ServerInitializeError::ConnectionClosed(_) | ServerInitializeError::Cancelled) => {
            return Ok(());
        }
        Err(err) => {
            return Err(StartError::runtime(format!(
                "MCP handshake on stdio failed: {err}"
            )));
        }
    };
    match running.waiting().await {
        Ok(reason) => {
            tracing::debug!(?reason, "stdio session ended");
            Ok(())
        }
        Err(err) => Err(StartError::runtime(format!(
            "the stdio session failed: {err}"
        ))),
    }
}
