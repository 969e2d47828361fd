//! Logs go to stderr only: with the stdio transport, stdout carries the protocol and any stray byte
//! there breaks the client.
//!
//! What the runtime logs about a tool call is its name, method, path template, status and duration.
//! Argument values, header values, query strings and bodies are never logged: they may carry
//! credentials or personal data.

use std::io::IsTerminal as _;

use tracing_subscriber::EnvFilter;

use super::errors::StartError;

/// The filter when neither `--log-level`/`MCP_LOG_LEVEL` nor `RUST_LOG` is set. rmcp is held to
/// warnings: at info it logs whole notifications, and at debug whole requests, arguments included.
pub const DEFAULT_FILTER: &str = "info,rmcp=warn";

/// The tracing filter to use: `level` (from `--log-level` / `MCP_LOG_LEVEL`) when given, else
/// `RUST_LOG` when set, else [`DEFAULT_FILTER`]. Both accept full `EnvFilter` directives
/// (`warn,mcp_server=debug`).
pub fn filter(level: Option<&str>) -> Result<EnvFilter, StartError> {
    let (source, directives) = match level {
        Some(level) => ("--log-level/MCP_LOG_LEVEL", level.to_owned()),
        None => match std::env::var("RUST_LOG") {
            Ok(value) if !value.trim().is_empty() => ("RUST_LOG", value),
            _ => ("default", DEFAULT_FILTER.to_owned()),
        },
    };
    EnvFilter::try_new(&directives).map_err(|err| {
        StartError::usage(format!(
            "invalid log filter `{directives}` from {source}: {err}"
        ))
    })
}

/// Installs the stderr subscriber. Colours only when stderr is a terminal. A second call (tests,
/// or an embedding program that set its own subscriber) keeps the first subscriber.
pub fn init(level: Option<&str>) -> Result<(), StartError> {
    let filter = filter(level)?;
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(filter)
        .try_init();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_levels_and_directives_parse() {
        assert!(filter(Some("debug")).is_ok());
        assert!(filter(Some("warn,rmcp=error")).is_ok());
        let err = filter(Some("info,=[")).unwrap_err();
        assert_eq!(err.code, 2);
        assert!(err.message.contains("--log-level"), "{err}");
    }
}
