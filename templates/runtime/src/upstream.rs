//! The HTTP client that calls the upstream API: one per process, shared by every tool call.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use reqwest::header::{
    ACCEPT, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE, HeaderMap, HeaderName,
    HeaderValue,
};

use super::api::{ApiDef, ToolDef};
use super::config::{UpstreamConfig, redacted_url};
use super::request::{Body, Request};
use super::tls::install_tls_provider;

/// The upstream API's answer, with the body read up to the configured cap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamResponse {
    pub status: u16,
    /// The `Content-Type` header, when present and readable.
    pub content_type: Option<String>,
    /// The `Content-Disposition` header: an `attachment` is a file, returned as a resource.
    pub content_disposition: Option<String>,
    /// The `Cache-Control` header: how long a resource read may be cached, and by whom.
    pub cache_control: Option<String>,
    pub body: Vec<u8>,
    /// The body was longer than `max_response_bytes`; `body` holds its start.
    pub truncated: bool,
    pub elapsed: Duration,
}

/// A response whose head has arrived and whose body has not been read yet.
pub struct Pending {
    pub status: u16,
    response: reqwest::Response,
    upstream: Upstream,
    started: Instant,
    /// The call's slot among `--max-concurrent-calls`, held until the body is read.
    _permit: OwnedSemaphorePermit,
}

impl Pending {
    /// Reads the body, up to the configured cap: a longer body is cut there and the connection
    /// closed rather than read to its end.
    pub async fn read(mut self) -> Result<UpstreamResponse, UpstreamError> {
        let header = |name| {
            self.response
                .headers()
                .get(name)
                .and_then(|value: &HeaderValue| value.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header(CONTENT_TYPE);
        let content_disposition = header(CONTENT_DISPOSITION);
        let cache_control = header(CACHE_CONTROL);
        let max = self.upstream.max_response_bytes;
        let mut body = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = self
            .response
            .chunk()
            .await
            .map_err(|err| self.upstream.error(err))?
        {
            let room = max - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                // Dropping the response closes the connection instead of reading the rest.
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok(UpstreamResponse {
            status: self.status,
            content_type,
            content_disposition,
            cache_control,
            body,
            truncated,
            elapsed: self.started.elapsed(),
        })
    }
}

/// Why no upstream response could be had. The texts never contain the request URL, query strings,
/// header values or bodies, which may carry credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamError {
    /// The request could not be built (a header value no HTTP library would send, say).
    InvalidRequest(String),
    /// No answer in time.
    Timeout(Duration),
    /// The connection could not be made (refused, DNS, TLS).
    Connect(String),
    /// Anything else that went wrong on the wire, including while reading the body.
    Transport(String),
    /// Every upstream call slot stayed taken for the whole wait.
    Busy { limit: usize, waited: Duration },
}

impl std::fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UpstreamError::InvalidRequest(reason) => {
                write!(f, "the upstream request could not be built: {reason}")
            }
            UpstreamError::Timeout(limit) => write!(
                f,
                "the upstream API did not answer within {} s (the limit is set by --upstream-timeout / MCP_UPSTREAM_TIMEOUT)",
                limit.as_secs_f64()
            ),
            UpstreamError::Connect(reason) => {
                write!(f, "could not connect to the upstream API: {reason}")
            }
            UpstreamError::Transport(reason) => write!(f, "the upstream request failed: {reason}"),
            UpstreamError::Busy { limit, waited } => write!(
                f,
                "the server is busy: all {limit} upstream call slots stayed taken for {} s \
                 (--max-concurrent-calls / MCP_MAX_CONCURRENT_CALLS); try again shortly",
                waited.as_secs_f64()
            ),
        }
    }
}

impl std::error::Error for UpstreamError {}

/// The upstream client: base URL, limits and a pooled `reqwest` client.
#[derive(Clone)]
pub struct Upstream {
    client: reqwest::Client,
    base_url: String,
    timeout: Duration,
    max_response_bytes: usize,
    /// One permit per upstream call in flight: the concurrency cap.
    permits: Arc<Semaphore>,
    max_concurrent: usize,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("base_url", &redacted_url(&self.base_url))
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_concurrent", &self.max_concurrent)
            .finish_non_exhaustive()
    }
}

impl Upstream {
    /// A client for `config` identifying itself as `<api.name>/<api.version> (mcpwright)`.
    /// Redirects are not followed: a redirect could carry the request's credentials elsewhere.
    pub fn new(api: &ApiDef, config: &UpstreamConfig) -> Result<Self, String> {
        install_tls_provider();
        let client = reqwest::Client::builder()
            .user_agent(format!("{}/{} (mcpwright)", api.name, api.version))
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.timeout)
            .build()
            .map_err(|err| {
                format!(
                    "cannot create the upstream HTTP client: {}",
                    error_chain(&err)
                )
            })?;
        Ok(Upstream {
            client,
            base_url: config.base_url.trim_end_matches('/').to_owned(),
            timeout: config.timeout,
            max_response_bytes: config.max_response_bytes,
            permits: Arc::new(Semaphore::new(
                config.max_concurrent.clamp(1, Semaphore::MAX_PERMITS),
            )),
            max_concurrent: config.max_concurrent,
        })
    }

    /// The configured response body cap.
    pub fn max_response_bytes(&self) -> usize {
        self.max_response_bytes
    }

    /// Sends `request` for `tool` and reads the response.
    pub async fn send(
        &self,
        tool: &ToolDef,
        request: Request,
    ) -> Result<UpstreamResponse, UpstreamError> {
        self.start(tool, request).await?.read().await
    }

    /// Sends `request` for `tool` and returns once the response's head has arrived; the body is
    /// read by [`Pending::read`]. Split so a caller can report progress in between.
    ///
    /// At most `max_concurrent` calls are under way at once; a call beyond that waits for one to
    /// finish (backpressure on the client), for at most the upstream timeout.
    pub async fn start(&self, tool: &ToolDef, request: Request) -> Result<Pending, UpstreamError> {
        let permit = self.permits.clone().acquire_owned();
        let permit = match tokio::time::timeout(self.timeout, permit).await {
            Ok(Ok(permit)) => permit,
            // The semaphore is never closed; either way, no slot.
            Ok(Err(_)) | Err(_) => {
                return Err(UpstreamError::Busy {
                    limit: self.max_concurrent,
                    waited: self.timeout,
                });
            }
        };
        let started = Instant::now();
        // Appended as text: URL joining would drop the base URL's path for an absolute path.
        let url = format!("{}{}", self.base_url, request.path_and_query());
        let url = reqwest::Url::parse(&url).map_err(|err| {
            UpstreamError::InvalidRequest(format!("the request URL is invalid ({err})"))
        })?;
        let method =
            reqwest::Method::from_bytes(request.method.as_str().as_bytes()).map_err(|_| {
                UpstreamError::InvalidRequest(format!("unsupported method {}", request.method))
            })?;

        let mut headers = HeaderMap::new();
        for (name, value) in &request.headers {
            let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                UpstreamError::InvalidRequest(format!("`{name}` is not a valid header name"))
            })?;
            let value = HeaderValue::from_str(value).map_err(|_| {
                UpstreamError::InvalidRequest(format!(
                    "the value for header `{name}` is not a valid header value"
                ))
            })?;
            headers.append(header, value);
        }
        for (name, value) in &request.secret_headers {
            let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                UpstreamError::InvalidRequest(format!("`{name}` is not a valid header name"))
            })?;
            let mut value = HeaderValue::from_str(value).map_err(|_| {
                UpstreamError::InvalidRequest(format!(
                    "the credential for header `{name}` is not a valid header value"
                ))
            })?;
            value.set_sensitive(true);
            headers.insert(header, value);
        }
        if let Some(cookie) = request.cookie_header() {
            let value = HeaderValue::from_str(&cookie).map_err(|_| {
                UpstreamError::InvalidRequest("a cookie value is not a valid header value".into())
            })?;
            headers.insert(COOKIE, value);
        }
        if let Some(accept) = tool.accept {
            let value = HeaderValue::from_str(accept).map_err(|_| {
                UpstreamError::InvalidRequest(format!("the Accept value `{accept}` is invalid"))
            })?;
            headers.insert(ACCEPT, value);
        }

        let mut builder = self.client.request(method, url).timeout(self.timeout);
        if let Some(mut body) = request.body {
            let (content_type, bytes) = match body {
                Body::Json {
                    content_type,
                    value,
                } => (
                    content_type,
                    serde_json::to_vec(&value)
                        .map_err(|err| UpstreamError::InvalidRequest(err.to_string()))?,
                ),
                Body::Form { content_type, text } | Body::Text { content_type, text } => {
                    (content_type, text.into_bytes())
                }
                Body::Bytes {
                    content_type,
                    bytes,
                } => (content_type, bytes),
                Body::Multipart {
                    ref content_type,
                    ref mut bytes,
                } => (content_type.as_str(), std::mem::take(bytes)),
            };
            let value = HeaderValue::from_str(content_type).map_err(|_| {
                UpstreamError::InvalidRequest(format!(
                    "the content type `{content_type}` is invalid"
                ))
            })?;
            headers.insert(CONTENT_TYPE, value);
            builder = builder.body(bytes);
        }
        let response = builder
            .headers(headers)
            .send()
            .await
            .map_err(|err| self.error(err))?;
        Ok(Pending {
            status: response.status().as_u16(),
            response,
            upstream: self.clone(),
            started,
            _permit: permit,
        })
    }

    fn error(&self, err: reqwest::Error) -> UpstreamError {
        // The URL may carry credentials in its query (API keys) or user info.
        let err = err.without_url();
        if err.is_timeout() {
            UpstreamError::Timeout(self.timeout)
        } else if err.is_connect() {
            UpstreamError::Connect(error_chain(&err))
        } else {
            UpstreamError::Transport(error_chain(&err))
        }
    }
}

/// An error and its sources as one line: reqwest's own message is often just "error sending
/// request", the useful part ("Connection refused") is further down.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
