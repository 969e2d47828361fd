//! The HTTP client of the diagnostics, with the one timeout every exchange has: a server or an
//! authorization server that accepts the connection and never answers must not hang a CI job.

use std::time::Duration;

/// How long one HTTP exchange with the server or the authorization server may take.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// A client with [`TIMEOUT`] (redirects followed, as discovery documents allow).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .build()
        .unwrap_or_default()
}
