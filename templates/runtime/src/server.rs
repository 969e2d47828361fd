//! The MCP server: the tool list and tool-call dispatch, and the reads of the operations offered
//! as resources, the same for every transport.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Instant;

#[allow(deprecated)]
// MCP logging is deprecated upstream (SEP-2577) but still in the protocol.
use rmcp::model::LoggingLevel;
use rmcp::model::{
    CacheScope, CallToolRequestParams, CallToolResponse, CallToolResult, CompleteRequestMethod,
    CompleteRequestParams, CompleteResult, CompletionInfo, ContentBlock, ExtensionCapabilities,
    Implementation, ListResourceTemplatesRequestMethod, ListResourceTemplatesResult,
    ListResourcesRequestMethod, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ReadResourceRequestMethod, ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult,
    Reference, ResourcesCapability, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::model::{CustomNotification, InputRequiredResult, ServerNotification};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Value, json};

use super::api::{ApiDef, JsonObject, Method, ToolDef};
use super::consent::ConsentRequest;
use super::consent_mcp::{self, Delivery};
use super::credentials::{ApplyError, Credentials};
use super::hooks::Call;
use super::identity::Identity;
use super::notify::{DEFAULT_LOG_RANK, NO_LOG_RANK, Reporter, level_rank};
use super::schema_defs::Bodies;
use super::search::{Catalog, Visibility, operation_name};
use super::search_tools;
use super::upstream::{Upstream, UpstreamResponse};
use super::uri_template::MAX_URI_BYTES;
use super::{args, listing, resources, response};

/// The `rmcp` server handler for one API. Cloning is cheap (one `Arc`): the HTTP transport makes
/// one per session or request.
#[derive(Clone)]
pub struct McpServer {
    inner: Arc<Inner>,
    /// How calls authenticate to the upstream API.
    credentials: Arc<Credentials>,
    /// Leave out of `tools/list` the tools the caller's token lacks the scopes for.
    hide_unauthorized: bool,
    /// The session's `logging/setLevel` threshold (see [`level_rank`]); each session has its own.
    log_level: Arc<AtomicU8>,
    /// Search mode: the three tools over the index, instead of one tool per operation.
    catalog: Option<Arc<Catalog>>,
    /// Offer only operations with a safe HTTP method (`--read-only`).
    read_only: bool,
    /// One stateless request: a 2025-11-25 client's `initialize` (its capabilities) is not kept.
    stateless: bool,
}

struct Inner {
    api: &'static ApiDef,
    upstream: Upstream,
    info: ServerConfig,
    /// Built once: the tool list is the same for every client.
    tools: Vec<Tool>,
    /// The operations offered as resources.
    resources: Arc<resources::Catalog>,
}

impl std::fmt::Debug for McpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpServer")
            .field("api", &self.inner.api.name)
            .finish_non_exhaustive()
    }
}

/// How a tool call ended, for the log line.
enum Outcome {
    Status(u16),
    InvalidArguments,
    NoCredentials,
    /// The user must connect their account first: the client is asked to open a URL.
    Consent(Box<ConsentRequest>),
    Failed,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Status(status) => write!(f, "{status}"),
            Outcome::InvalidArguments => f.write_str("invalid-arguments"),
            Outcome::NoCredentials => f.write_str("no-credentials"),
            Outcome::Consent(_) => f.write_str("consent-required"),
            Outcome::Failed => f.write_str("upstream-error"),
        }
    }
}

impl McpServer {
    // MCP logging is deprecated upstream (SEP-2577) but still in the protocol clients speak.
    #[allow(deprecated)]
    pub fn new(api: &'static ApiDef, upstream: Upstream) -> Self {
        let mut implementation = Implementation::new(api.name, api.version);
        if !api.title.is_empty() {
            implementation = implementation.with_title(api.title);
        }
        let mut capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_logging()
            .build();
        let resources = resources::Catalog::new(api);
        if !resources.is_empty() {
            // No subscriptions: an HTTP API tells no one when its data changes.
            capabilities.resources = Some(ResourcesCapability::default());
            capabilities.completions = Some(JsonObject::new());
        }
        let mut info = ServerConfig::new(capabilities).with_server_info(implementation);
        if let Some(instructions) = api.instructions {
            info = info.with_instructions(instructions);
        }
        let tools = listed_tools(api);
        McpServer {
            inner: Arc::new(Inner {
                api,
                upstream,
                info,
                tools,
                resources: Arc::new(resources),
            }),
            hide_unauthorized: false,
            credentials: Arc::new(Credentials::none()),
            log_level: Arc::new(AtomicU8::new(DEFAULT_LOG_RANK)),
            catalog: None,
            read_only: false,
            stateless: false,
        }
    }

    /// In search mode: `tools/list` holds `search_operations`, `describe_operation` and
    /// `call_operation`, over the crate's index. Fails when the index does not read or does not
    /// match the tools. Call it after [`McpServer::with_read_only`].
    pub fn with_search_mode(mut self) -> Result<Self, String> {
        self.catalog = Some(Arc::new(Catalog::new(self.inner.api, self.read_only)?));
        Ok(self)
    }

    /// Whether the server is in search mode.
    pub fn search_mode(&self) -> bool {
        self.catalog.is_some()
    }

    /// Whether only operations with a safe HTTP method are offered.
    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// With `on`, only operations with a safe HTTP method are listed, found and called.
    pub fn with_read_only(mut self, on: bool) -> Self {
        self.read_only = on;
        self
    }

    /// A handler for a new session: the same API, upstream and credentials, its own log level.
    pub fn for_session(&self) -> Self {
        McpServer {
            log_level: Arc::new(AtomicU8::new(DEFAULT_LOG_RANK)),
            ..self.clone()
        }
    }

    /// A handler for one stateless request. It sends no log notifications unless the request
    /// asks for them in its `_meta` (the 2026-07-28 wire): with no session, a `logging/setLevel`
    /// cannot outlast its own request, and unasked-for notifications would turn a plain JSON
    /// answer into an event stream.
    pub fn for_stateless_request(&self) -> Self {
        McpServer {
            log_level: Arc::new(AtomicU8::new(NO_LOG_RANK)),
            stateless: true,
            ..self.clone()
        }
    }

    /// The log threshold of the request in `context`. On a wire without `initialize`
    /// (2026-07-28 on) there is no `logging/setLevel`: a request asks for log notifications in
    /// its own `_meta` (`io.modelcontextprotocol/logLevel`, SEP-2575) and gets none when it does
    /// not ask. Before it, the session's threshold.
    #[allow(deprecated)]
    fn request_log_level(&self, context: &RequestContext<RoleServer>) -> Arc<AtomicU8> {
        match context.protocol_version() {
            Some(version) if !version.has_initialize() => Arc::new(AtomicU8::new(
                context.meta.log_level().map_or(NO_LOG_RANK, level_rank),
            )),
            _ => self.log_level.clone(),
        }
    }

    /// The upstream credentials.
    pub fn credentials(&self) -> &Arc<Credentials> {
        &self.credentials
    }

    /// With the upstream credentials each call uses.
    pub fn with_credentials(mut self, credentials: Arc<Credentials>) -> Self {
        self.credentials = credentials;
        self
    }

    /// With the tools listed in their compact form ([`listing::compact`]).
    pub fn with_compact_tools(self) -> Self {
        let mut shared = listing::Shared::default();
        let tools = self
            .inner
            .tools
            .iter()
            .map(|tool| listing::compact(tool, &mut shared))
            .collect();
        McpServer {
            inner: Arc::new(Inner {
                api: self.inner.api,
                upstream: self.inner.upstream.clone(),
                info: self.inner.info.clone(),
                tools,
                resources: self.inner.resources.clone(),
            }),
            ..self
        }
    }

    /// As an OAuth resource server: any valid access token for this resource is accepted, those a
    /// client got with the client-credentials grant (no user) included, which MCP 2026-07-28's
    /// extension `io.modelcontextprotocol/oauth-client-credentials` lets clients know (in the
    /// capabilities of `initialize` and `server/discover`).
    pub fn with_oauth(self) -> Self {
        let mut info = self.inner.info.clone();
        info.capabilities
            .extensions
            .get_or_insert_with(ExtensionCapabilities::new)
            .insert(OAUTH_CLIENT_CREDENTIALS.to_owned(), JsonObject::new());
        McpServer {
            inner: Arc::new(Inner {
                api: self.inner.api,
                upstream: self.inner.upstream.clone(),
                info,
                tools: self.inner.tools.clone(),
                resources: self.inner.resources.clone(),
            }),
            ..self
        }
    }

    /// With `hide`, `tools/list` shows a caller only the tools its token has the scopes for.
    pub fn with_tool_filter(mut self, hide: bool) -> Self {
        self.hide_unauthorized = hide;
        self
    }

    pub fn api(&self) -> &'static ApiDef {
        self.inner.api
    }

    /// The tools as MCP clients see them.
    pub fn tools(&self) -> &[Tool] {
        &self.inner.tools
    }

    /// Calls tool `name`. An unknown tool is a protocol error (invalid params); everything that
    /// goes wrong after that, bad arguments included, is a tool result with `isError: true`, which
    /// the model sees and can act on.
    pub async fn call(
        &self,
        name: &str,
        arguments: Option<JsonObject>,
    ) -> Result<CallToolResult, ErrorData> {
        self.call_as(name, arguments, None).await
    }

    /// Calls tool `name` for `identity` (the caller of an authenticated HTTP request).
    pub async fn call_as(
        &self,
        name: &str,
        arguments: Option<JsonObject>,
        identity: Option<&Identity>,
    ) -> Result<CallToolResult, ErrorData> {
        self.call_reporting(name, arguments, identity, Reporter::silent())
            .await
    }

    /// Calls tool `name` for `identity`, telling the client how it goes through `reporter`:
    /// progress and debug log messages while the call runs, an info (or, for a tool error,
    /// warning) log message when it ends.
    pub async fn call_reporting(
        &self,
        name: &str,
        arguments: Option<JsonObject>,
        identity: Option<&Identity>,
        reporter: Reporter,
    ) -> Result<CallToolResult, ErrorData> {
        let Some(tool) = self.inner.api.tool(name) else {
            return Err(ErrorData::invalid_params(
                format!("unknown tool `{name}`"),
                None,
            ));
        };
        self.call_tool_def(tool, arguments, identity, reporter, false)
            .await
    }

    /// Calls `tool`; `via_search` when `call_operation` named it, so that argument errors point
    /// to `describe_operation`.
    async fn call_tool_def(
        &self,
        tool: &'static ToolDef,
        arguments: Option<JsonObject>,
        identity: Option<&Identity>,
        reporter: Reporter,
        via_search: bool,
    ) -> Result<CallToolResult, ErrorData> {
        if self.read_only && !tool.annotations.read_only {
            return Ok(CallToolResult::error(vec![ContentBlock::text(format!(
                "`{}` ({} {}) is refused: this server is read-only (--read-only / MCP_READ_ONLY) \
                 and offers only operations that do not change data",
                tool.name, tool.method, tool.path
            ))]));
        }
        // The HTTP guard already answered 403 for missing scopes; checked again here so a server
        // embedded behind another transport cannot skip it.
        if let Some(identity) = identity
            && !identity.satisfies(tool.scopes)
        {
            let needed = tool.scopes.first().map(|s| s.join(" ")).unwrap_or_default();
            return Ok(CallToolResult::error(vec![ContentBlock::text(format!(
                "the access token lacks the scopes this tool needs: {needed}"
            ))]));
        }
        let started = Instant::now();
        // The call runs as its own task so that a panic in generated code ends this call with an
        // error result instead of taking the session (or the stdio server) down with it.
        let server = self.clone();
        let caller = identity.cloned();
        let reporter = Arc::new(reporter);
        let task_reporter = reporter.clone();
        let task = AbortOnDrop(tokio::spawn(async move {
            server
                .run(
                    tool,
                    arguments.unwrap_or_default(),
                    caller.as_ref(),
                    &task_reporter,
                )
                .await
        }));
        let (mut result, outcome) = match task.join().await {
            Ok(done) => done,
            Err(err) if err.is_panic() => {
                tracing::error!(tool = tool.name, "the tool call panicked");
                let text = format!(
                    "internal error in tool `{}`; the server log has details",
                    tool.name
                );
                (
                    CallToolResult::error(vec![ContentBlock::text(text)]),
                    Outcome::Failed,
                )
            }
            Err(_) => {
                return Err(ErrorData::internal_error(
                    "the tool call was cancelled",
                    None,
                ));
            }
        };
        if let Outcome::Consent(request) = &outcome {
            tracing::info!(tool = tool.name, status = %outcome, ms = millis(started), "tool call");
            return Err(consent_mcp::required_error(request));
        }
        if via_search && matches!(outcome, Outcome::InvalidArguments) {
            result.content.push(ContentBlock::text(format!(
                "describe_operation {{\"name\": \"{}\"}} gives the operation's input schema.",
                tool.name
            )));
        }
        self.inner
            .api
            .hooks
            .result(&Call { tool, identity }, &mut result);
        tracing::info!(
            tool = tool.name,
            subject = identity.and_then(|i| i.subject.as_deref()),
            client = identity.and_then(|i| i.client_id.as_deref()),
            method = %tool.method,
            path = tool.path,
            status = %outcome,
            ms = millis(started),
            "tool call"
        );
        #[allow(deprecated)]
        let level = if result.is_error == Some(true) {
            LoggingLevel::Warning
        } else {
            LoggingLevel::Info
        };
        if reporter.logs(level) {
            let data = json!({
                "tool": tool.name,
                "isError": result.is_error == Some(true),
                "ms": millis(started),
            });
            reporter.log(level, data).await;
        }
        Ok(result)
    }

    /// Reads the resource `uri` for `identity` (the caller of an authenticated HTTP request): the
    /// operation it names, called as a tool call would be — scopes, hooks, validation,
    /// credentials — with the upstream's answer as its contents. A URI no resource matches, and
    /// every failure, is an error (MCP has no error results for reads).
    pub async fn read(
        &self,
        uri: &str,
        identity: Option<&Identity>,
        reporter: Reporter,
    ) -> Result<ReadResourceResult, ErrorData> {
        if uri.len() > MAX_URI_BYTES {
            return Err(ErrorData::invalid_params(
                format!(
                    "resource URIs are at most {MAX_URI_BYTES} bytes; this one has {}",
                    uri.len()
                ),
                None,
            ));
        }
        let Some(resolved) = self.inner.resources.resolve(uri) else {
            return Err(resources::not_found(
                uri,
                "it matches none of this server's resources and resource templates",
            ));
        };
        let (def, tool) = (resolved.def, resolved.def.tool);
        // The HTTP guard already answered 403; checked again for other transports.
        if let Some(identity) = identity
            && !identity.satisfies(tool.scopes)
        {
            let needed = tool.scopes.first().map(|s| s.join(" ")).unwrap_or_default();
            return Err(ErrorData::invalid_request(
                format!("the access token lacks the scopes this resource needs: {needed}"),
                Some(json!({"uri": uri})),
            ));
        }
        let started = Instant::now();
        // Its own task, as a tool call is, so a panic in generated code ends only this read.
        let server = self.clone();
        let caller = identity.cloned();
        let task = AbortOnDrop(tokio::spawn(async move {
            server
                .exchange(tool, resolved.arguments, caller.as_ref(), &reporter)
                .await
        }));
        let (result, outcome) = match task.join().await {
            Ok(Ok(answer)) => {
                let status = Outcome::Status(answer.status);
                let read = resources::contents(def, uri, &answer, identity.is_some()).map(
                    |mut contents| {
                        self.inner
                            .api
                            .hooks
                            .resource(&Call { tool, identity }, &mut contents);
                        contents
                    },
                );
                (read, status)
            }
            Ok(Err((_, Outcome::Consent(request)))) => (
                Err(consent_mcp::required_error(&request)),
                Outcome::Consent(request),
            ),
            Ok(Err((failed, outcome))) => {
                let invalid = matches!(outcome, Outcome::InvalidArguments);
                (
                    Err(resources::failure(uri, &failed.content, invalid)),
                    outcome,
                )
            }
            Err(err) if err.is_panic() => {
                tracing::error!(tool = tool.name, "the resource read panicked");
                let message = format!("internal error reading `{uri}`; the server log has details");
                (
                    Err(ErrorData::internal_error(message, None)),
                    Outcome::Failed,
                )
            }
            Err(_) => {
                return Err(ErrorData::internal_error("the read was cancelled", None));
            }
        };
        // The template, never the URI, which carries argument values.
        tracing::info!(
            resource = def.uri_template,
            tool = tool.name,
            subject = identity.and_then(|i| i.subject.as_deref()),
            client = identity.and_then(|i| i.client_id.as_deref()),
            status = %outcome,
            ms = millis(started),
            "resource read"
        );
        result
    }

    async fn run(
        &self,
        tool: &'static ToolDef,
        arguments: JsonObject,
        identity: Option<&Identity>,
        reporter: &Reporter,
    ) -> (CallToolResult, Outcome) {
        match self.exchange(tool, arguments, identity, reporter).await {
            Ok(answer) => (
                response::tool_result(tool, &answer),
                Outcome::Status(answer.status),
            ),
            Err(failed) => failed,
        }
    }

    /// Sends `tool`'s request for `arguments` and reads the answer: the hooks, validation,
    /// credentials (with one retry on a refused token) and the upstream call that a tool call and
    /// a resource read share. A call that ends before an answer is the tool result saying why.
    async fn exchange(
        &self,
        tool: &'static ToolDef,
        mut arguments: JsonObject,
        identity: Option<&Identity>,
        reporter: &Reporter,
    ) -> Result<UpstreamResponse, (CallToolResult, Outcome)> {
        let hooks = self.inner.api.hooks;
        let call = Call { tool, identity };
        if let Err(err) = hooks.arguments(&call, &mut arguments) {
            return Err((response::argument_error(&err), Outcome::InvalidArguments));
        }
        if let Err(err) = args::validate(tool, &arguments) {
            return Err((response::argument_error(&err), Outcome::InvalidArguments));
        }
        let mut request = match (tool.build)(arguments) {
            Ok(request) => request,
            Err(err) => return Err((response::argument_error(&err), Outcome::InvalidArguments)),
        };
        if let Err(err) = hooks.request(&call, &mut request) {
            return Err((response::argument_error(&err), Outcome::InvalidArguments));
        }
        // A hook may change the method; read-only holds for what is actually sent.
        if self.read_only && !matches!(request.method, Method::Get | Method::Head | Method::Options)
        {
            return Err((
                CallToolResult::error(vec![ContentBlock::text(format!(
                    "`{}` is refused: a hook made it a {} request, and this server is read-only",
                    tool.name, request.method
                ))]),
                Outcome::InvalidArguments,
            ));
        }
        let chosen = match self.credentials.choose(tool, identity) {
            Ok(chosen) => chosen,
            Err(message) => {
                return Err((
                    response::credential_error(tool, &message),
                    Outcome::NoCredentials,
                ));
            }
        };
        // A token this server obtained may have been revoked or expired early: on a 401, one
        // retry with a fresh one.
        let attempts = if chosen.refreshable() { 2 } else { 1 };
        for attempt in 1..=attempts {
            let mut request = request.clone();
            match self
                .credentials
                .apply(&chosen, &mut request, identity)
                .await
            {
                Ok(()) => {}
                Err(ApplyError::Failed(message)) => {
                    tracing::warn!(
                        tool = tool.name,
                        "upstream credentials unavailable: {message}"
                    );
                    return Err((
                        response::credential_error(tool, &message),
                        Outcome::NoCredentials,
                    ));
                }
                Err(ApplyError::Consent(request)) => {
                    tracing::info!(tool = tool.name, "the user's consent is needed");
                    return Err((
                        consent_mcp::fallback_result(&request),
                        Outcome::Consent(Box::new(request)),
                    ));
                }
            }
            // Messages are built only when they may be sent: this is every call's path.
            let operation = || format!("{} {}", tool.method, tool.path);
            reporter
                .progress(1, || format!("sending {}", operation()))
                .await;
            #[allow(deprecated)]
            if reporter.logs(LoggingLevel::Debug) {
                let data = json!({"tool": tool.name, "event": "request", "operation": operation()});
                reporter.log(LoggingLevel::Debug, data).await;
            }
            let started = Instant::now();
            let answer = match reporter
                .during(self.inner.upstream.start(tool, request))
                .await
            {
                Ok(pending) => {
                    let status = pending.status;
                    reporter
                        .progress(2, || {
                            format!("{}: {}", operation(), response::status_line(status))
                        })
                        .await;
                    #[allow(deprecated)]
                    if reporter.logs(LoggingLevel::Debug) {
                        let data = json!({
                            "tool": tool.name,
                            "event": "response",
                            "status": pending.status,
                            "ms": millis(started),
                        });
                        reporter.log(LoggingLevel::Debug, data).await;
                    }
                    reporter.during(pending.read()).await
                }
                Err(err) => Err(err),
            };
            if let Ok(answer) = &answer {
                let bytes = answer.body.len();
                reporter
                    .progress(3, || format!("{}: read {bytes} bytes", operation()))
                    .await;
            }
            match answer {
                Ok(answer) if answer.status == 401 && attempt < attempts => {
                    tracing::info!(
                        tool = tool.name,
                        "upstream refused the token; retrying with a fresh one"
                    );
                    self.credentials.forget(&chosen, identity).await;
                }
                Ok(answer) => return Ok(answer),
                Err(err) => {
                    tracing::warn!(tool = tool.name, "upstream request failed: {err}");
                    return Err((response::upstream_error(tool, &err), Outcome::Failed));
                }
            }
        }
        unreachable!("the last attempt always returns")
    }
}

impl McpServer {
    /// A `-32042` consent error as the client in `context` can take it (see [`consent_mcp`]): an
    /// `InputRequiredResult` (2026-07-28), the error itself — with the client told when the
    /// consent completes — or, for a client without URL elicitation, what `tool_error` makes of a
    /// tool error with the link (nothing, for a resource read). Any other error passes unchanged.
    fn consent_answer<T: From<InputRequiredResult>>(
        &self,
        error: ErrorData,
        context: &RequestContext<RoleServer>,
        tool_error: impl FnOnce(CallToolResult) -> Option<T>,
    ) -> Result<T, ErrorData> {
        let version = context.protocol_version();
        // Without a session the capabilities seen are not the client's: unknown, not none.
        let capabilities = if self.stateless && version.as_ref().is_none_or(|v| v.has_initialize())
        {
            None
        } else {
            context.client_capabilities()
        };
        match consent_mcp::deliver(&error, version.as_ref(), capabilities.as_ref()) {
            None => Err(error),
            Some(Delivery::InputRequired(result)) => Ok(result.into()),
            Some(Delivery::ToolError(result)) => tool_error(result).ok_or(error),
            Some(Delivery::Error) => {
                if let (Some(consent), Some((id, _, _))) = (
                    self.credentials.consent(),
                    consent_mcp::elicitation_of(&error),
                ) {
                    let peer = context.peer.clone();
                    let elicitation = id.clone();
                    consent.when_complete(&id, move || {
                        let params = json!({ "elicitationId": elicitation });
                        let notification =
                            ServerNotification::CustomNotification(CustomNotification::new(
                                "notifications/elicitation/complete",
                                Some(params),
                            ));
                        tokio::spawn(async move {
                            let _ = peer.send_notification(notification).await;
                        });
                    });
                }
                Err(error)
            }
        }
    }
}

/// Milliseconds since `started`, for logs.
fn millis(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// A spawned task that is aborted when the caller stops waiting for it (the client cancelled the
/// request or went away), so no upstream call outlives its tool call.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> AbortOnDrop<T> {
    async fn join(mut self) -> Result<T, tokio::task::JoinError> {
        (&mut self.0).await
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What one caller may see and call: read-only mode and, with hidden tools, its token's scopes.
struct Caller<'a> {
    identity: Option<&'a Identity>,
    hide_unauthorized: bool,
    read_only: bool,
}

impl Caller<'_> {
    /// Whether anything is left out for this caller.
    fn filters(&self) -> bool {
        self.read_only || (self.hide_unauthorized && self.identity.is_some())
    }

    /// Whether what is left out depends on who calls (the token's scopes), not only on the
    /// server's settings (`--read-only` is the same for everyone).
    fn depends_on_identity(&self) -> bool {
        self.hide_unauthorized && self.identity.is_some()
    }
}

/// The MCP extension for clients that authorize with the OAuth client-credentials grant.
pub const OAUTH_CLIENT_CREDENTIALS: &str = "io.modelcontextprotocol/oauth-client-credentials";

/// How long a `tools/list` answer stays fresh (MCP 2026-07-28, SEP-2549). The tools are fixed
/// when the crate is built, so only a redeploy changes a list that is the same for everyone: an
/// hour bounds that. A list that depends on the token changes as soon as a token with other
/// scopes comes: five minutes.
const LIST_TTL_MS: u64 = 60 * 60 * 1000;
const PERSONAL_LIST_TTL_MS: u64 = 5 * 60 * 1000;

/// A `tools/list` result with its caching hints: `private` when the list depends on the caller
/// (it must not be shared across authorization contexts), `public` otherwise.
fn cached(tools: Vec<Tool>, personal: bool) -> ListToolsResult {
    let (scope, ttl) = list_hints(personal);
    ListToolsResult::with_all_items(tools)
        .with_cache_scope(scope)
        .with_ttl_ms(ttl)
}

/// The caching hints of a list (tools, resources, resource templates).
fn list_hints(personal: bool) -> (CacheScope, u64) {
    if personal {
        (CacheScope::Private, PERSONAL_LIST_TTL_MS)
    } else {
        (CacheScope::Public, LIST_TTL_MS)
    }
}

impl Visibility for Caller<'_> {
    fn visible(&self, tool: &ToolDef) -> bool {
        (!self.read_only || tool.annotations.read_only)
            && (!self.hide_unauthorized || self.allowed(tool))
    }

    fn allowed(&self, tool: &ToolDef) -> bool {
        self.identity
            .is_none_or(|identity| identity.satisfies(tool.scopes))
    }
}

impl McpServer {
    fn caller<'a>(&self, identity: Option<&'a Identity>) -> Caller<'a> {
        Caller {
            identity,
            hide_unauthorized: self.hide_unauthorized,
            read_only: self.read_only,
        }
    }

    /// What `list` gives of the resources `context`'s caller may see, with the list's caching
    /// hints (the list depends on the caller as `tools/list` does).
    fn visible_resources<T>(
        &self,
        context: &RequestContext<RoleServer>,
        list: impl FnOnce(&resources::Catalog, &dyn Fn(&ToolDef) -> bool) -> Vec<T>,
    ) -> (Vec<T>, (CacheScope, u64)) {
        let identity = identity(context);
        let caller = self.caller(identity.as_ref());
        let listed = list(&self.inner.resources, &|tool| caller.visible(tool));
        (listed, list_hints(caller.depends_on_identity()))
    }

    /// A call of one of search mode's three tools.
    async fn call_search_tool(
        &self,
        catalog: &Catalog,
        request: CallToolRequestParams,
        identity: Option<&Identity>,
        reporter: Reporter,
    ) -> Result<CallToolResult, ErrorData> {
        let api = self.inner.api;
        let caller = self.caller(identity);
        let arguments = request.arguments.unwrap_or_default();
        match request.name.as_ref() {
            search_tools::SEARCH => Ok(catalog.search(api, &self.inner.tools, &arguments, &caller)),
            search_tools::DESCRIBE => {
                Ok(catalog.describe(api, &self.inner.tools, &arguments, &caller))
            }
            search_tools::CALL => {
                let fail = |text: String| Ok(CallToolResult::error(vec![ContentBlock::text(text)]));
                let name =
                    match operation_name(&arguments, search_tools::CALL, &["name", "arguments"]) {
                        Ok(name) => name,
                        Err(message) => return fail(message),
                    };
                let operation_arguments = match arguments.get("arguments") {
                    None | Some(Value::Null) => JsonObject::new(),
                    Some(Value::Object(map)) => map.clone(),
                    Some(_) => {
                        return fail(format!(
                            "`arguments` must be an object; describe_operation {{\"name\": \"{name}\"}} gives its schema"
                        ));
                    }
                };
                let Some(at) = catalog.find(name, api, &caller) else {
                    return fail(catalog.unknown(name, api, &caller));
                };
                self.call_tool_def(
                    api.tools[at],
                    Some(operation_arguments),
                    identity,
                    reporter,
                    true,
                )
                .await
            }
            other => Err(ErrorData::invalid_params(
                format!(
                    "unknown tool `{other}`: this server is in search mode; find operations with \
                     search_operations and run them with call_operation"
                ),
                None,
            )),
        }
    }
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        self.inner.info.clone()
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        if let Some(catalog) = &self.catalog {
            // Search mode's three tools are the same for everyone.
            return Ok(cached(catalog.tools().to_vec(), false));
        }
        let identity = identity(&context);
        let caller = self.caller(identity.as_ref());
        let personal = caller.depends_on_identity();
        let tools = if caller.filters() {
            self.inner
                .api
                .tools
                .iter()
                .zip(&self.inner.tools)
                .filter(|(def, _)| caller.visible(def))
                .map(|(_, tool)| tool.clone())
                .collect()
        } else {
            self.inner.tools.clone()
        };
        Ok(cached(tools, personal))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        let tools = match &self.catalog {
            Some(catalog) => catalog.tools(),
            None => &self.inner.tools,
        };
        tools.iter().find(|tool| tool.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let caller = identity(&context);
        let reporter = Reporter::for_request(
            &context,
            self.request_log_level(&context),
            self.inner.api.name,
        );
        if let Some(catalog) = &self.catalog {
            let call = self.call_search_tool(catalog, request, caller.as_ref(), reporter);
            let result = tokio::select! {
                result = call => result,
                () = context.ct.cancelled() => Err(ErrorData::internal_error("the tool call was cancelled", None)),
            };
            return result
                .map(Into::into)
                .or_else(|error| self.consent_answer(error, &context, |r| Some(r.into())));
        }
        let call = self.call_reporting(&request.name, request.arguments, caller.as_ref(), reporter);
        let result = tokio::select! {
            result = call => result,
            () = context.ct.cancelled() => Err(ErrorData::internal_error("the tool call was cancelled", None)),
        };
        result
            .map(Into::into)
            .or_else(|error| self.consent_answer(error, &context, |r| Some(r.into())))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        if self.inner.resources.is_empty() {
            return Err(ErrorData::method_not_found::<ListResourcesRequestMethod>());
        }
        let (listed, (scope, ttl)) =
            self.visible_resources(&context, |catalog, visible| catalog.resources(visible));
        Ok(ListResourcesResult::with_all_items(listed)
            .with_cache_scope(scope)
            .with_ttl_ms(ttl))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        if self.inner.resources.is_empty() {
            return Err(ErrorData::method_not_found::<
                ListResourceTemplatesRequestMethod,
            >());
        }
        let (listed, (scope, ttl)) =
            self.visible_resources(&context, |catalog, visible| catalog.templates(visible));
        Ok(ListResourceTemplatesResult::with_all_items(listed)
            .with_cache_scope(scope)
            .with_ttl_ms(ttl))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        if self.inner.resources.is_empty() {
            return Err(ErrorData::method_not_found::<ReadResourceRequestMethod>());
        }
        let caller = identity(&context);
        let reporter = Reporter::for_request(
            &context,
            self.request_log_level(&context),
            self.inner.api.name,
        );
        let read = self.read(&request.uri, caller.as_ref(), reporter);
        let result = tokio::select! {
            result = read => result,
            () = context.ct.cancelled() => Err(ErrorData::internal_error("the read was cancelled", None)),
        };
        result
            .map(Into::into)
            .or_else(|error| self.consent_answer(error, &context, |_| None))
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        if self.inner.resources.is_empty() {
            return Err(ErrorData::method_not_found::<CompleteRequestMethod>());
        }
        let completion = match &request.r#ref {
            Reference::Resource(template) => self.inner.resources.complete(
                &template.uri,
                &request.argument.name,
                &request.argument.value,
            ),
            // The server has no prompts, so nothing to offer for one (an answer, not an error:
            // clients ask while the user types).
            _ => CompletionInfo::with_all_values(Vec::new()).unwrap_or_default(),
        };
        Ok(CompleteResult::new(completion))
    }

    #[allow(deprecated)] // MCP logging is deprecated upstream (SEP-2577) but still in the protocol.
    async fn set_level(
        &self,
        request: rmcp::model::SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.log_level
            .store(level_rank(request.level), Ordering::Relaxed);
        Ok(())
    }
}

/// The caller of an authenticated HTTP request: the guard puts it in the HTTP request's
/// extensions, and rmcp hands the request's parts to the handler.
pub fn identity(context: &RequestContext<RoleServer>) -> Option<Identity> {
    context
        .extensions
        .get::<axum::http::request::Parts>()?
        .extensions
        .get::<Identity>()
        .cloned()
}

/// Every tool of `api` as `tools/list` shows it in per-operation mode. Each definition is parsed
/// once for the whole list, and tools with the same schema parts share one parsed schema (many
/// tools of a large API return the same object; the parsed form is ten times its text).
pub fn listed_tools(api: &ApiDef) -> Vec<Tool> {
    let mut bodies = Bodies::default();
    api.tools
        .iter()
        .map(|tool| mcp_tool(tool, &mut bodies))
        .collect()
}

/// The MCP description of `tool`. Schemas come from the generator; one that is not a JSON object
/// (which would be a generator bug) degrades to an open object schema rather than a panic, and
/// calls then report the broken schema as a tool error.
fn mcp_tool(tool: &ToolDef, bodies: &mut Bodies) -> Tool {
    let input = tool.input_schema.object_with(bodies).unwrap_or_else(|| {
        tracing::warn!(tool = tool.name, "the input schema is not a JSON object");
        let mut open = JsonObject::new();
        open.insert("type".into(), Value::String("object".into()));
        Arc::new(open)
    });
    let mut mcp = Tool::new(tool.name, tool.description, input);
    let mut annotations = match tool.title {
        Some(title) => {
            mcp = mcp.with_title(title);
            ToolAnnotations::with_title(title)
        }
        None => ToolAnnotations::new(),
    };
    annotations = annotations
        .read_only(tool.annotations.read_only)
        .destructive(tool.annotations.destructive)
        .idempotent(tool.annotations.idempotent)
        .open_world(tool.annotations.open_world);
    mcp = mcp.with_annotations(annotations);
    if let Some(output) = tool.output_schema {
        match output.object_with(bodies) {
            Some(schema) => mcp = mcp.with_raw_output_schema(schema),
            None => tracing::warn!(
                tool = tool.name,
                "the output schema is not a JSON object; not advertised"
            ),
        }
    }
    mcp
}
