//! The stdio transport: newline-delimited JSON-RPC on stdin and stdout, for an MCP client that
//! starts this process. Stdout belongs to the protocol; logs go to stderr.

use rmcp::ServiceExt as _;
use rmcp::service::ServerInitializeError;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::errors::StartError;
use super::server::McpServer;

/// Serves on stdin/stdout until the client closes stdin or `shutdown` is cancelled. Both are a
/// normal end. Lines longer than `max_line` bytes are refused with a JSON-RPC error.
pub async fn serve(
    server: McpServer,
    max_line: usize,
    shutdown: CancellationToken,
) -> Result<(), StartError> {
    serve_on(server, rmcp::transport::stdio(), max_line, shutdown).await
}

/// Buffer between the line screen and the protocol engine, each way.
const PIPE_BYTES: usize = 256 * 1024;

/// Serves on any byte stream pair (stdio, or an in-memory pipe in tests).
///
/// Lines pass through a screen first: the protocol engine drops a line that is not JSON without a
/// word, where JSON-RPC asks for a parse error (`-32700`, `id: null`), so the screen answers those
/// itself. Answers from both reach the output a whole line at a time.
pub async fn serve_on<R, W>(
    server: McpServer,
    (read, write): (R, W),
    max_line: usize,
    shutdown: CancellationToken,
) -> Result<(), StartError>
where
    R: tokio::io::AsyncRead + Send + Unpin + 'static,
    W: tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let (screened, engine_in) = tokio::io::duplex(PIPE_BYTES);
    let (engine_out, answers) = tokio::io::duplex(PIPE_BYTES);
    let (errors, error_lines) = mpsc::channel(16);
    tokio::spawn(screen(read, screened, errors, max_line));
    let output = tokio::spawn(merge(answers, error_lines, write));
    let result = serve_engine(server, (engine_in, engine_out), shutdown).await;
    // The engine has dropped its end of the pipe: the merge drains what is left and ends.
    let _ = output.await;
    result
}

/// What [`read_line`] found.
enum Line {
    /// A line (with its `\n`, unless the input ended without one).
    Read,
    /// A line over the limit; it was consumed and dropped.
    TooLong,
    /// The end of the input.
    End,
}

/// Reads one line into `line` (cleared by the caller), keeping at most `max` bytes of it: the
/// rest of a longer line is consumed and dropped, so one huge line cannot exhaust memory.
async fn read_line<R>(reader: &mut R, line: &mut Vec<u8>, max: usize) -> std::io::Result<Line>
where
    R: tokio::io::AsyncBufRead + Unpin,
{
    let mut read_any = false;
    let mut too_long = false;
    loop {
        let buffer = reader.fill_buf().await?;
        if buffer.is_empty() {
            return Ok(match (read_any, too_long) {
                (false, _) => Line::End,
                (true, false) => Line::Read,
                (true, true) => Line::TooLong,
            });
        }
        read_any = true;
        let (taken, done) = match buffer.iter().position(|&b| b == b'\n') {
            Some(end) => (end + 1, true),
            None => (buffer.len(), false),
        };
        if !too_long {
            // The limit counts the content, not the line end.
            if line.len() + taken > max.saturating_add(1) {
                too_long = true;
                line.clear();
            } else {
                line.extend_from_slice(&buffer[..taken]);
            }
        }
        reader.consume(taken);
        if done {
            return Ok(if too_long { Line::TooLong } else { Line::Read });
        }
    }
}

/// Forwards each JSON line to the engine and answers the others with a parse error, and lines
/// longer than `max_line` with an invalid-request error (without holding more than `max_line`
/// bytes of them). Ends at EOF (closing the engine's input, which ends the session).
async fn screen<R, W>(read: R, mut engine: W, errors: mpsc::Sender<String>, max_line: usize)
where
    R: tokio::io::AsyncRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    let mut reader = BufReader::new(read);
    let mut line = Vec::new();
    loop {
        line.clear();
        match read_line(&mut reader, &mut line, max_line).await {
            Ok(Line::End) | Err(_) => break,
            Ok(Line::Read) => {}
            Ok(Line::TooLong) => {
                let answer = serde_json::json!({
                    "jsonrpc": "2.0",
                    "id": null,
                    "error": {
                        "code": -32600,
                        "message": format!(
                            "Invalid Request: the line is longer than {max_line} bytes \
                             (--max-request-bytes / MCP_MAX_REQUEST_BYTES)"
                        ),
                    },
                });
                tracing::warn!(limit = max_line, "stdin: a line over the size limit");
                if errors.send(answer.to_string()).await.is_err() {
                    break;
                }
                continue;
            }
        }
        let text = line.trim_ascii();
        if text.is_empty() {
            continue;
        }
        // Syntax only, without building the value: the engine parses it properly.
        if let Err(err) = serde_json::from_slice::<serde::de::IgnoredAny>(text) {
            let answer = serde_json::json!({
                "jsonrpc": "2.0",
                "id": null,
                "error": {"code": -32700, "message": format!("Parse error: {err}")},
            });
            tracing::warn!(error = %err, "stdin: a line that is not JSON");
            if errors.send(answer.to_string()).await.is_err() {
                break;
            }
            continue;
        }
        let forwarded = async {
            engine.write_all(text).await?;
            engine.write_all(b"\n").await?;
            engine.flush().await
        };
        if forwarded.await.is_err() {
            break;
        }
    }
    let _ = engine.shutdown().await;
}

/// Writes the engine's answers and the screen's parse errors to the output, whole lines only.
async fn merge<R, W>(answers: R, mut errors: mpsc::Receiver<String>, mut write: W)
where
    R: tokio::io::AsyncRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    let mut answers = BufReader::new(answers);
    // An answer being read: `read_until` may be interrupted by the other branch with part of a
    // line read, which stays here until the rest arrives.
    let mut answer = Vec::new();
    let mut errors_open = true;
    loop {
        let line = tokio::select! {
            read = answers.read_until(b'\n', &mut answer) => match read {
                Ok(0) | Err(_) => break,
                Ok(_) if answer.ends_with(b"\n") => std::mem::take(&mut answer),
                // The end of the output without a final newline: the next read says EOF.
                Ok(_) => continue,
            },
            error = errors.recv(), if errors_open => match error {
                Some(error) => format!("{error}\n").into_bytes(),
                None => {
                    errors_open = false;
                    continue;
                }
            },
        };
        if write.write_all(&line).await.is_err() || write.flush().await.is_err() {
            return;
        }
    }
    if !answer.is_empty() {
        answer.push(b'\n');
        let _ = write.write_all(&answer).await;
    }
    let _ = write.flush().await;
}

async fn serve_engine<R, W>(
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
