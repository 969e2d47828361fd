//! What the client hears while a tool call runs: `notifications/progress` when the request asked
//! for progress, and `notifications/message` log lines at or above the session's
//! `logging/setLevel` threshold.
//!
//! A call has three observable steps, so progress is reported as 1/3 (request sent), 2/3 (the
//! upstream's status line arrived) and 3/3 (body read). Only calls that run longer than
//! [`PROGRESS_AFTER`] report it: the steps of a quick call are held back and dropped when it ends,
//! so a client that asks for progress on every request (rmcp's client does) does not pay three
//! notifications per millisecond-long call. Log messages name the operation by its template
//! (`GET /pets/{petId}`), never the filled path or query, which may carry argument values or
//! credentials.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rmcp::RoleServer;
// MCP logging is deprecated upstream (SEP-2577) but still in the protocol.
#[allow(deprecated)]
use rmcp::model::{LoggingLevel, LoggingMessageNotificationParam};
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::{Peer, RequestContext};
use serde_json::Value;

/// The steps of a call that progress counts.
pub const STEPS: f64 = 3.0;

/// How long a call runs before its progress is reported.
pub const PROGRESS_AFTER: Duration = Duration::from_millis(50);

/// Log notifications at this level and above are sent until the client sets another: warning,
/// so by default a client hears of tool errors, and of every call only when it asks (info).
pub const DEFAULT_LOG_RANK: u8 = 3;
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
    started: Instant,
    /// Steps held back while the call is young, sent once it has run [`PROGRESS_AFTER`].
    held: Mutex<Vec<(u8, String)>>,
    /// Progress is being reported (the call ran long enough).
    announced: AtomicBool,
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
            started: Instant::now(),
            held: Mutex::new(Vec::new()),
            announced: AtomicBool::new(false),
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
            started: Instant::now(),
            held: Mutex::new(Vec::new()),
            announced: AtomicBool::new(false),
        }
    }

    /// Reports step `step` of [`STEPS`], when the client asked for progress, the step is past the
    /// last one reported, and the call has run [`PROGRESS_AFTER`] (earlier steps are held until
    /// then; the last step of a quick call drops them). `message` is only built for a step that
    /// may be sent. A client that went away is not an error of the call.
    pub async fn progress(&self, step: u8, message: impl FnOnce() -> String) {
        if self.peer.is_none() || self.progress.is_none() {
            return;
        }
        if !self.announced.load(Ordering::Relaxed) && self.started.elapsed() < PROGRESS_AFTER {
            let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
            if f64::from(step) >= STEPS {
                held.clear();
            } else {
                held.push((step, message()));
            }
            return;
        }
        self.flush().await;
        self.send(step, message()).await;
    }

    /// Runs `work`; if it is still running when the call reaches [`PROGRESS_AFTER`], the held
    /// steps are sent then, so a slow upstream shows progress while it is slow.
    pub async fn during<F: Future>(&self, work: F) -> F::Output {
        if self.progress.is_none() || self.announced.load(Ordering::Relaxed) {
            return work.await;
        }
        let mut work = std::pin::pin!(work);
        let wait = PROGRESS_AFTER.saturating_sub(self.started.elapsed());
        tokio::select! {
            output = &mut work => output,
            () = tokio::time::sleep(wait) => {
                self.flush().await;
                work.await
            }
        }
    }

    /// Sends the held steps and reports every later one at once.
    async fn flush(&self) {
        self.announced.store(true, Ordering::Relaxed);
        let held = std::mem::take(&mut *self.held.lock().unwrap_or_else(|e| e.into_inner()));
        for (step, message) in held {
            self.send(step, message).await;
        }
    }

    async fn send(&self, step: u8, message: String) {
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
