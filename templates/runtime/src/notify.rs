//! What the client hears while a tool call runs: `notifications/progress` when the request asked
//! for progress, and `notifications/message` log lines at or above the session's
//! `logging/setLevel` threshold.
//!
//! A call has three observable steps, so progress is reported as 1/3 (request sent), 2/3 (the
//! upstream's status line arrived) and 3/3 (body read). Log messages name the operation by its
//! template (`GET /pets/{petId}`), never the filled path or query, which may carry argument values
//! or credentials.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use rmcp::RoleServer;
// MCP logging is deprecated upstream (SEP-2577) but still in the protocol.
#[allow(deprecated)]
use rmcp::model::{LoggingLevel, LoggingMessageNotificationParam};
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::{Peer, RequestContext};
use serde_json::Value;

/// The steps of a call that progress counts.
pub const STEPS: f64 = 3.0;

/// Log notifications at this level and above are sent until the client sets another (info).
pub const DEFAULT_LOG_RANK: u8 = 1;
/// Above every level: no log notifications.
pub const NO_LOG_RANK: u8 = 8;

/// The rank of an MCP logging level, debug (0) to emergency (7).
#[allow(deprecated)]
pub fn level_rank(level: LoggingLevel) -> u8 {
    use LoggingLevel as L;
    match level {
        L::Debug => 0,
        L::Info => 1,
        L::Notice => 2,
        L::Warning => 3,
        L::Error => 4,
        L::Critical => 5,
        L::Alert => 6,
        L::Emergency => 7,
    }
}

/// Sends one call's notifications to its client. Owns what it needs, so it can move into the
/// task that runs the call.
pub struct Reporter {
    peer: Option<Peer<RoleServer>>,
    progress: Option<ProgressToken>,
    /// The session's threshold, read at each message so a `setLevel` during a call applies.
    log_level: Arc<AtomicU8>,
    logger: &'static str,
    /// The last step reported: progress must only grow, also when a call is retried.
    reached: AtomicU8,
}

impl Reporter {
    /// A reporter that says nothing: calls made outside an MCP request (tests, embedding).
    pub fn silent() -> Self {
        Reporter {
            peer: None,
            progress: None,
            log_level: Arc::new(AtomicU8::new(NO_LOG_RANK)),
            logger: "",
            reached: AtomicU8::new(0),
        }
    }

    /// A reporter for the request in `context`, logging as `logger` at the session's `log_level`.
    pub fn for_request(
        context: &RequestContext<RoleServer>,
        log_level: Arc<AtomicU8>,
        logger: &'static str,
    ) -> Self {
        Reporter {
            peer: Some(context.peer.clone()),
            progress: context.meta.get_progress_token(),
            log_level,
            logger,
            reached: AtomicU8::new(0),
        }
    }

    /// Reports step `step` of [`STEPS`], when the client asked for progress and the step is past
    /// the last one reported. A client that went away is not an error of the call.
    pub async fn progress(&self, step: u8, message: impl Into<String>) {
        let (Some(peer), Some(token)) = (&self.peer, &self.progress) else {
            return;
        };
        if self.reached.fetch_max(step, Ordering::Relaxed) >= step {
            return;
        }
        let params = ProgressNotificationParam::new(token.clone(), f64::from(step))
            .with_total(STEPS)
            .with_message(message);
        let _ = peer.notify_progress(params).await;
    }

    /// Whether a message at `level` would be sent (so callers can skip building its data).
    #[allow(deprecated)]
    pub fn logs(&self, level: LoggingLevel) -> bool {
        self.peer.is_some() && level_rank(level) >= self.log_level.load(Ordering::Relaxed)
    }

    /// Sends a log message when `level` reaches the session's threshold.
    #[allow(deprecated)]
    pub async fn log(&self, level: LoggingLevel, data: Value) {
        if !self.logs(level) {
            return;
        }
        let Some(peer) = &self.peer else { return };
        let message = LoggingMessageNotificationParam::new(level, data).with_logger(self.logger);
        let _ = peer.notify_logging_message(message).await;
    }
}
