//! `mcpwright-loadgen`: a load generator for MCP servers, built on rmcp's client.
//!
//! `mcp` mode opens `--sessions` MCP sessions (streamable HTTP, or one child process each over
//! stdio), warms each up, waits until every session is ready, then has each make `--calls`
//! sequential `tools/call` requests, timing each one and checking that the answer belongs to the
//! call that asked (`structuredContent[FIELD] == {i}`). `direct` mode does the same with plain
//! HTTP GETs, as a baseline for the cost of MCP itself. `call` makes exactly one `tools/call`
//! request (no MRTR rounds driven) and prints the raw outcome, for end-to-end tests.
//!
//! See README.md for usage.

use std::{
    fmt::Write as _,
    process::{ExitCode, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use clap::{ArgGroup, Args, Parser, Subcommand};
use rmcp::{
    ClientHandler, RoleClient, ServiceExt,
    model::{
        CallToolRequestParams, CallToolResponse, CallToolResult, ClientCapabilities, ClientConfig,
        ElicitationCapability, FormElicitationCapability, Implementation, InputResponses,
        JsonObject, ProtocolVersion, ServerCapabilities, ServerPeerInfo, UrlElicitationCapability,
    },
    service::{RunningService, ServiceError, serve_directly},
    transport::{
        StreamableHttpClientTransport, TokioChildProcess,
        streamable_http_client::StreamableHttpClientTransportConfig,
    },
};
use serde_json::Value;
use tokio::sync::Barrier;

/// How many error messages each session keeps, and how many are printed in all.
const KEPT_PER_SESSION: usize = 3;
const PRINTED_ERRORS: usize = 10;

#[derive(Parser)]
#[command(
    name = "mcpwright-loadgen",
    version,
    about = "Load generator for MCP servers"
)]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand)]
enum Mode {
    /// Call an MCP tool over streamable HTTP (--url) or stdio (--stdio).
    Mcp(McpArgs),
    /// Baseline: a plain HTTP GET per call, the same client machinery minus MCP.
    Direct(DirectArgs),
    /// Make exactly one tools/call request over streamable HTTP and print the raw outcome as one
    /// JSON line: {"result": ..}, {"inputRequired": ..}, {"task": ..} or {"error": ..}.
    Call(CallArgs),
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Protocol {
    /// Stateless: no initialize; every request carries `_meta` with the protocol version and
    /// the client's info and capabilities, and an `MCP-Protocol-Version` header.
    #[value(name = "2026-07-28")]
    V2026_07_28,
    /// An initialized session (initialize, notifications/initialized, Mcp-Session-Id).
    #[value(name = "2025-11-25")]
    V2025_11_25,
}

#[derive(Args)]
struct CallArgs {
    /// Streamable HTTP endpoint, e.g. http://127.0.0.1:8080/mcp.
    #[arg(long)]
    url: String,
    /// Bearer token for the HTTP requests.
    #[arg(long, conflicts_with = "token_file")]
    token: Option<String>,
    /// File holding the bearer token (surrounding whitespace is ignored).
    #[arg(long, value_name = "PATH")]
    token_file: Option<std::path::PathBuf>,
    /// Protocol version to speak.
    #[arg(long, value_enum, default_value = "2026-07-28")]
    protocol: Protocol,
    /// Tool to call.
    #[arg(long)]
    tool: String,
    /// Arguments, a JSON object (sent as is; no `{i}` templating).
    #[arg(long, value_name = "JSON", default_value = "{}")]
    args: String,
    /// MRTR retry: the `requestState` echoed from a previous inputRequired answer.
    #[arg(long, value_name = "STATE")]
    request_state: Option<String>,
    /// MRTR retry: `inputResponses`, a JSON object keyed like the inputRequests it answers.
    #[arg(long, value_name = "JSON")]
    input_responses: Option<String>,
    /// Timeout in milliseconds for connecting plus the call; running out is a transport failure.
    #[arg(long, default_value_t = 30_000)]
    timeout_ms: u64,
}

#[derive(Args)]
#[command(group(ArgGroup::new("target").required(true).args(["url", "stdio"])))]
struct McpArgs {
    /// Streamable HTTP endpoint, e.g. http://127.0.0.1:8080/mcp.
    #[arg(long)]
    url: Option<String>,
    /// Command line of a stdio MCP server; each session spawns its own child process.
    /// Split on whitespace; single and double quotes group words.
    #[arg(long, value_name = "COMMAND")]
    stdio: Option<String>,
    /// Let the stdio children write to this process's stderr (default: discarded).
    #[arg(long, requires = "stdio")]
    child_stderr: bool,
    /// Tool to call.
    #[arg(long, default_value = "getPet")]
    tool: String,
    /// Arguments as a JSON object template; every literal `{i}` becomes the call's unique id.
    #[arg(
        long,
        value_name = "JSON_TEMPLATE",
        default_value = r#"{"petId": {i}}"#
    )]
    args: String,
    /// Disable HTTP connection reuse (a new TCP connection per POST, like rmcp's default client).
    #[arg(long, requires = "url")]
    no_pool: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct DirectArgs {
    /// URL template for the GET; every literal `{i}` becomes the call's unique id.
    #[arg(long, value_name = "URL")]
    url_template: String,
    #[command(flatten)]
    common: Common,
}

#[derive(Args)]
struct Common {
    /// Concurrent clients, each with its own MCP session (and connections) or HTTP client.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    sessions: u64,
    /// Measured calls per session.
    #[arg(long, default_value_t = 1000)]
    calls: u64,
    /// Calls per session before measuring (checked, not timed).
    #[arg(long, default_value_t = 20)]
    warmup: u64,
    /// Each answer's FIELD must equal the call's id, as a number or a string; "" skips the check.
    #[arg(long, value_name = "FIELD", default_value = "id")]
    expect_field: String,
    /// Bearer token for HTTP requests.
    #[arg(long, conflicts_with = "token_file")]
    token: Option<String>,
    /// File holding the bearer token (surrounding whitespace is ignored).
    #[arg(long, value_name = "PATH")]
    token_file: Option<std::path::PathBuf>,
    /// Per-call (and per-connect) timeout in milliseconds; a call that times out is an error.
    #[arg(long, default_value_t = 30_000)]
    timeout_ms: u64,
    /// Tokio worker threads (default: one per CPU).
    #[arg(long)]
    threads: Option<usize>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

impl Common {
    fn token(&self) -> Result<Option<String>> {
        read_token(self.token.as_deref(), self.token_file.as_deref())
    }
}

fn read_token(token: Option<&str>, file: Option<&std::path::Path>) -> Result<Option<String>> {
    let raw = match (token, file) {
        (Some(token), _) => token.to_owned(),
        (None, Some(path)) => std::fs::read_to_string(path)
            .with_context(|| format!("reading token file {}", path.display()))?,
        (None, None) => return Ok(None),
    };
    let token = raw.trim();
    let token = token.strip_prefix("Bearer ").unwrap_or(token).trim();
    if token.is_empty() {
        bail!("the token is empty");
    }
    Ok(Some(token.to_owned()))
}

/// A string with `{i}` placeholders, split once so rendering is a few pushes into a reused buffer.
struct Template {
    parts: Vec<String>,
}

impl Template {
    fn new(text: &str) -> Self {
        Template {
            parts: text.split("{i}").map(str::to_owned).collect(),
        }
    }

    fn render(&self, i: u64, out: &mut String) {
        out.clear();
        for (n, part) in self.parts.iter().enumerate() {
            if n > 0 {
                let _ = write!(out, "{i}");
            }
            out.push_str(part);
        }
    }
}

/// What each session connects to and how it makes a call.
enum Target {
    Http {
        url: String,
        token: Option<String>,
        pool: bool,
    },
    Stdio {
        argv: Vec<String>,
        child_stderr: bool,
    },
    Direct {
        url: Template,
        token: Option<String>,
        pool: bool,
    },
}

/// Everything the sessions share.
struct Plan {
    target: Target,
    /// Tool name, leaked once so building a request does not copy it.
    tool: &'static str,
    args: Template,
    sessions: u64,
    calls: u64,
    warmup: u64,
    expect_field: Option<String>,
    timeout: Duration,
}

impl Plan {
    /// The id of measured call `k` of session `s`: `s * calls + k + 1`.
    fn call_id(&self, s: u64, k: u64) -> u64 {
        s * self.calls + k + 1
    }

    /// Warm-up ids follow every measured id, so they are unique too.
    fn warmup_id(&self, s: u64, k: u64) -> u64 {
        self.sessions * self.calls + s * self.warmup + k + 1
    }
}

enum Conn {
    Mcp(RunningService<RoleClient, ()>),
    Http(reqwest::Client),
}

enum Outcome {
    Ok,
    Error(String),
    Mismatch(String),
}

/// One session: its connection and a reused buffer for rendering templates.
struct Caller {
    conn: Conn,
    buf: String,
}

impl Caller {
    async fn connect(plan: &Plan) -> Result<Self> {
        let conn = match &plan.target {
            Target::Http { url, token, pool } => {
                let mut config = StreamableHttpClientTransportConfig::with_uri(url.as_str())
                    // An expired session is a failure to report, not something to paper over.
                    .reinit_on_expired_session(false);
                if let Some(token) = token {
                    config = config.auth_header(token.clone());
                }
                let transport =
                    StreamableHttpClientTransport::with_client(http_client(*pool)?, config);
                Conn::Mcp(().serve(transport).await.context("MCP initialize")?)
            }
            Target::Stdio { argv, child_stderr } => {
                let mut command = tokio::process::Command::new(&argv[0]);
                command.args(&argv[1..]).kill_on_drop(true);
                let stderr = if *child_stderr {
                    Stdio::inherit()
                } else {
                    Stdio::null()
                };
                let (transport, _) = TokioChildProcess::builder(command)
                    .stderr(stderr)
                    .spawn()
                    .with_context(|| format!("spawning {:?}", argv[0]))?;
                Conn::Mcp(().serve(transport).await.context("MCP initialize")?)
            }
            Target::Direct { pool, .. } => Conn::Http(http_client(*pool)?),
        };
        Ok(Caller {
            conn,
            buf: String::with_capacity(128),
        })
    }

    async fn call(&mut self, plan: &Plan, i: u64) -> Outcome {
        match &self.conn {
            Conn::Mcp(client) => {
                plan.args.render(i, &mut self.buf);
                let arguments: JsonObject = match serde_json::from_str(&self.buf) {
                    Ok(arguments) => arguments,
                    Err(e) => return Outcome::Error(format!("call {i}: --args: {e}")),
                };
                let mut params = CallToolRequestParams::new(plan.tool);
                params.arguments = Some(arguments);
                match tokio::time::timeout(plan.timeout, client.peer().call_tool(params)).await {
                    Err(_) => Outcome::Error(format!("call {i}: no answer in {:?}", plan.timeout)),
                    Ok(Err(e)) => Outcome::Error(format!("call {i}: {e}")),
                    Ok(Ok(result)) => check_tool_result(&result, plan.expect_field.as_deref(), i),
                }
            }
            Conn::Http(client) => {
                let Target::Direct { url, token, .. } = &plan.target else {
                    unreachable!("an HTTP client is only made for direct mode");
                };
                url.render(i, &mut self.buf);
                let mut request = client.get(self.buf.as_str());
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                let response = async {
                    let response = request.send().await?;
                    let status = response.status();
                    Ok::<_, reqwest::Error>((status, response.bytes().await?))
                };
                match tokio::time::timeout(plan.timeout, response).await {
                    Err(_) => {
                        Outcome::Error(format!("GET {}: no answer in {:?}", self.buf, plan.timeout))
                    }
                    Ok(Err(e)) => Outcome::Error(format!("GET {}: {e}", self.buf)),
                    Ok(Ok((status, body))) if !status.is_success() => Outcome::Error(format!(
                        "GET {}: HTTP {status}: {}",
                        self.buf,
                        snippet(&String::from_utf8_lossy(&body))
                    )),
                    Ok(Ok((_, body))) => match plan.expect_field.as_deref() {
                        None => Outcome::Ok,
                        Some(field) => match serde_json::from_slice::<Value>(&body) {
                            Ok(value) => check_field(&value, field, i),
                            Err(e) => Outcome::Error(format!("GET {}: body: {e}", self.buf)),
                        },
                    },
                }
            }
        }
    }

    async fn close(self) {
        if let Conn::Mcp(mut client) = self.conn {
            // Ends the HTTP session (DELETE) or closes the child's stdin and waits for it to exit.
            let _ = client.close_with_timeout(Duration::from_secs(10)).await;
        }
    }
}

fn http_client(pool: bool) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .no_proxy()
        .tcp_nodelay(true)
        .redirect(reqwest::redirect::Policy::none());
    if !pool {
        builder = builder.pool_max_idle_per_host(0);
    }
    builder.build().context("building the HTTP client")
}

fn check_tool_result(result: &CallToolResult, field: Option<&str>, i: u64) -> Outcome {
    let text = result
        .content
        .iter()
        .find_map(|block| block.as_text())
        .map(|text| text.text.as_str());
    if result.is_error == Some(true) {
        return Outcome::Error(format!(
            "call {i}: isError result: {}",
            snippet(text.unwrap_or(""))
        ));
    }
    let Some(field) = field else {
        return Outcome::Ok;
    };
    match (&result.structured_content, text) {
        (Some(value), _) => check_field(value, field, i),
        // Servers without output schemas answer with JSON text only.
        (None, Some(text)) => match serde_json::from_str::<Value>(text) {
            Ok(value) => check_field(&value, field, i),
            Err(_) => Outcome::Mismatch(format!(
                "call {i}: no structuredContent and the text is not JSON: {}",
                snippet(text)
            )),
        },
        (None, None) => Outcome::Mismatch(format!("call {i}: no structuredContent nor text")),
    }
}

fn check_field(value: &Value, field: &str, i: u64) -> Outcome {
    let matches = match value.get(field) {
        Some(Value::Number(n)) => n.as_u64() == Some(i) || n.as_f64() == Some(i as f64),
        Some(Value::String(s)) => s.parse::<u64>() == Ok(i),
        _ => false,
    };
    if matches {
        return Outcome::Ok;
    }
    match value.get(field) {
        Some(got) => Outcome::Mismatch(format!("call {i}: {field} = {got}")),
        None => Outcome::Mismatch(format!(
            "call {i}: no {field:?} in {}",
            snippet(&value.to_string())
        )),
    }
}

fn snippet(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[derive(Default)]
struct SessionReport {
    latencies_ns: Vec<u64>,
    errors: u64,
    mismatches: u64,
    messages: Vec<String>,
    span: Option<(Instant, Instant)>,
}

impl SessionReport {
    fn record(&mut self, outcome: Outcome) {
        let message = match outcome {
            Outcome::Ok => return,
            Outcome::Error(message) => {
                self.errors += 1;
                message
            }
            Outcome::Mismatch(message) => {
                self.mismatches += 1;
                format!("mismatch: {message}")
            }
        };
        if self.messages.len() < KEPT_PER_SESSION {
            self.messages.push(message);
        }
    }
}

async fn run_session(s: u64, plan: Arc<Plan>, barrier: Arc<Barrier>) -> SessionReport {
    let mut report = SessionReport {
        latencies_ns: Vec::with_capacity(plan.calls as usize),
        ..Default::default()
    };
    let caller = match tokio::time::timeout(plan.timeout, Caller::connect(&plan)).await {
        Ok(Ok(caller)) => Some(caller),
        Ok(Err(e)) => {
            report.record(Outcome::Error(format!("session {s}: connect: {e:#}")));
            None
        }
        Err(_) => {
            report.record(Outcome::Error(format!(
                "session {s}: connect: no answer in {:?}",
                plan.timeout
            )));
            None
        }
    };
    let Some(mut caller) = caller else {
        // Still take part in the barrier, or the other sessions would wait forever.
        barrier.wait().await;
        return report;
    };
    for k in 0..plan.warmup {
        let outcome = caller.call(&plan, plan.warmup_id(s, k)).await;
        report.record(outcome);
    }
    barrier.wait().await;
    let start = Instant::now();
    for k in 0..plan.calls {
        let began = Instant::now();
        let outcome = caller.call(&plan, plan.call_id(s, k)).await;
        report.latencies_ns.push(began.elapsed().as_nanos() as u64);
        report.record(outcome);
    }
    report.span = Some((start, Instant::now()));
    caller.close().await;
    report
}

/// Nearest-rank percentile of sorted nanoseconds, in microseconds.
fn percentile_us(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

fn round(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale
}

fn split_command(line: &str) -> Result<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote = None;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => word.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                in_word = true;
            }
            None if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            None => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        bail!("unterminated quote in --stdio");
    }
    if in_word {
        words.push(word);
    }
    if words.is_empty() {
        bail!("--stdio is empty");
    }
    Ok(words)
}

fn build_plan(mode: Mode) -> Result<(Plan, Common, &'static str, String)> {
    let (target, common, tool, args, label) = match mode {
        Mode::Mcp(mcp) => {
            let token = mcp.common.token()?;
            let (target, label) = match (mcp.url, mcp.stdio) {
                (Some(url), _) => {
                    let label = url.clone();
                    let target = Target::Http {
                        url,
                        token,
                        pool: !mcp.no_pool,
                    };
                    (target, label)
                }
                (None, Some(line)) => {
                    let argv = split_command(&line)?;
                    let target = Target::Stdio {
                        argv,
                        child_stderr: mcp.child_stderr,
                    };
                    (target, line)
                }
                (None, None) => unreachable!("clap requires --url or --stdio"),
            };
            (target, mcp.common, mcp.tool, mcp.args, label)
        }
        Mode::Direct(direct) => {
            let token = direct.common.token()?;
            let label = direct.url_template.clone();
            let target = Target::Direct {
                url: Template::new(&direct.url_template),
                token,
                pool: true,
            };
            (target, direct.common, String::new(), String::new(), label)
        }
        Mode::Call(_) => unreachable!("main handles call mode"),
    };
    let kind = match target {
        Target::Http { .. } => "http",
        Target::Stdio { .. } => "stdio",
        Target::Direct { .. } => "direct",
    };
    let args = Template::new(&args);
    if kind != "direct" {
        // Fail before connecting if the template cannot produce a JSON object.
        let mut probe = String::new();
        args.render(1, &mut probe);
        serde_json::from_str::<JsonObject>(&probe)
            .with_context(|| format!("--args must render to a JSON object, got {probe}"))?;
    }
    let plan = Plan {
        target,
        tool: Box::leak(tool.into_boxed_str()),
        args,
        sessions: common.sessions,
        calls: common.calls,
        warmup: common.warmup,
        expect_field: Some(common.expect_field.clone()).filter(|field| !field.is_empty()),
        timeout: Duration::from_millis(common.timeout_ms),
    };
    Ok((plan, common, kind, label))
}

async fn run(plan: Plan, common: &Common, kind: &str, label: &str) -> Result<bool> {
    let plan = Arc::new(plan);
    let barrier = Arc::new(Barrier::new(plan.sessions as usize));
    let connecting = Instant::now();
    let tasks: Vec<_> = (0..plan.sessions)
        .map(|s| tokio::spawn(run_session(s, plan.clone(), barrier.clone())))
        .collect();
    let mut reports = Vec::with_capacity(tasks.len());
    for task in tasks {
        reports.push(task.await.context("a session panicked")?);
    }
    let total = connecting.elapsed();

    let errors: u64 = reports.iter().map(|r| r.errors).sum();
    let mismatches: u64 = reports.iter().map(|r| r.mismatches).sum();
    let mut latencies: Vec<u64> = Vec::with_capacity((plan.sessions * plan.calls) as usize);
    for report in &reports {
        latencies.extend_from_slice(&report.latencies_ns);
    }
    latencies.sort_unstable();
    let calls = latencies.len() as u64;
    let start = reports.iter().filter_map(|r| r.span).map(|(s, _)| s).min();
    let end = reports.iter().filter_map(|r| r.span).map(|(_, e)| e).max();
    let wall = match (start, end) {
        (Some(start), Some(end)) => end.duration_since(start).as_secs_f64(),
        _ => 0.0,
    };
    let rate = if wall > 0.0 { calls as f64 / wall } else { 0.0 };
    let p50 = percentile_us(&latencies, 50.0);
    let p90 = percentile_us(&latencies, 90.0);
    let p99 = percentile_us(&latencies, 99.0);
    let max = latencies.last().map_or(0.0, |&ns| ns as f64 / 1000.0);
    let mode = if kind == "direct" { "direct" } else { "mcp" };

    if common.json {
        let summary = serde_json::json!({
            "mode": mode,
            "transport": kind,
            "sessions": plan.sessions,
            "calls": calls,
            "warmup": plan.warmup,
            "errors": errors,
            "mismatches": mismatches,
            "wall_s": round(wall, 6),
            "calls_per_s": round(rate, 1),
            "p50_us": round(p50, 1),
            "p90_us": round(p90, 1),
            "p99_us": round(p99, 1),
            "max_us": round(max, 1),
        });
        println!("{summary}");
    } else {
        println!("mode         {mode} ({kind}: {label})");
        println!("sessions     {}", plan.sessions);
        println!(
            "calls        {calls} measured (+{} warm-up per session)",
            plan.warmup
        );
        println!("errors       {errors}");
        println!("mismatches   {mismatches}");
        println!(
            "wall_s       {wall:.3}  (whole run incl. connect/close: {:.3})",
            total.as_secs_f64()
        );
        println!("calls/s      {rate:.1}");
        println!("latency_us   p50 {p50:.1}  p90 {p90:.1}  p99 {p99:.1}  max {max:.1}");
    }

    let messages: Vec<&String> = reports.iter().flat_map(|r| &r.messages).collect();
    for message in messages.iter().take(PRINTED_ERRORS) {
        eprintln!("error: {message}");
    }
    if messages.len() > PRINTED_ERRORS {
        eprintln!(
            "error: … ({} errors and mismatches in all)",
            errors + mismatches
        );
    }
    Ok(errors == 0 && mismatches == 0)
}

/// The `call` client: no behaviour of its own beyond declaring its capabilities (elicitation in
/// form and URL mode). It is never asked to fulfil input requests: `call_tool_once` hands an
/// InputRequiredResult back instead of driving the rounds.
struct CallClient {
    info: ClientConfig,
}

impl ClientHandler for CallClient {
    fn get_info(&self) -> ClientConfig {
        self.info.clone()
    }
}

/// The parsed `call` request: everything checked before any connection is made.
struct CallPlan {
    url: String,
    token: Option<String>,
    protocol: Protocol,
    params: CallToolRequestParams,
    timeout: Duration,
}

fn build_call(args: CallArgs) -> Result<CallPlan> {
    let token = read_token(args.token.as_deref(), args.token_file.as_deref())?;
    let arguments: JsonObject = serde_json::from_str(&args.args)
        .with_context(|| format!("--args must be a JSON object, got {}", args.args))?;
    let mut params = CallToolRequestParams::new(args.tool).with_arguments(arguments);
    if let Some(state) = args.request_state {
        params = params.with_request_state(state);
    }
    if let Some(text) = args.input_responses {
        let responses: InputResponses = serde_json::from_str(&text)
            .with_context(|| format!("--input-responses must be a JSON object, got {text}"))?;
        params = params.with_input_responses(responses);
    }
    Ok(CallPlan {
        url: args.url,
        token,
        protocol: args.protocol,
        params,
        timeout: Duration::from_millis(args.timeout_ms),
    })
}

/// Makes the one request. `Ok` is the line to print (a result, an inputRequired, a task, or the
/// server's JSON-RPC error); `Err` is a transport failure.
async fn run_call(plan: CallPlan) -> Result<Value> {
    let mut capabilities = ClientCapabilities::default();
    capabilities.elicitation = Some(
        ElicitationCapability::new()
            .with_form(FormElicitationCapability::new())
            .with_url(UrlElicitationCapability::new()),
    );
    let version = match plan.protocol {
        Protocol::V2026_07_28 => ProtocolVersion::V_2026_07_28,
        Protocol::V2025_11_25 => ProtocolVersion::V_2025_11_25,
    };
    let info = ClientConfig::new(
        capabilities,
        Implementation::new("mcpwright-loadgen", env!("CARGO_PKG_VERSION")),
    )
    .with_protocol_version(version.clone());
    let handler = CallClient { info };

    let url = plan.url;
    let mut config = StreamableHttpClientTransportConfig::with_uri(url.as_str())
        .reinit_on_expired_session(false);
    if let Some(token) = plan.token {
        config = config.auth_header(token);
    }
    let transport = StreamableHttpClientTransport::with_client(http_client(true)?, config);

    let outcome = tokio::time::timeout(plan.timeout, async {
        let client = if version.has_initialize() {
            handler.serve(transport).await.context("MCP initialize")?
        } else {
            // No handshake and no server/discover: with a 2026-07-28 peer preset, rmcp puts
            // `_meta` (protocolVersion, clientInfo, clientCapabilities) on every request, and the
            // HTTP transport sends `MCP-Protocol-Version` from it, so tools/call is the only
            // request on the wire.
            let server = ServerPeerInfo::new(version, ServerCapabilities::default());
            serve_directly(handler, transport, Some(server))
        };
        let response = client.peer().call_tool_once(plan.params).await;
        Ok::<_, anyhow::Error>((client, response))
    })
    .await;
    let (mut client, response) = match outcome {
        Err(_) => bail!("no answer in {:?}", plan.timeout),
        Ok(outcome) => outcome?,
    };
    let line = match response {
        Ok(CallToolResponse::Complete(result)) => serde_json::json!({ "result": result }),
        Ok(CallToolResponse::InputRequired(result)) => {
            serde_json::json!({ "inputRequired": result })
        }
        Ok(CallToolResponse::Task(result)) => serde_json::json!({ "task": result }),
        Ok(other) => bail!("unexpected tools/call response: {other:?}"),
        Err(ServiceError::McpError(error)) => serde_json::json!({ "error": error }),
        // rmcp's HTTP worker quits on a failed first POST (refused, an HTTP error status, not an
        // MCP answer); the request then sees either the cause or, racing it, the closed channel.
        Err(ServiceError::TransportClosed) => bail!(
            "tools/call to {}: the transport closed without an answer \
             (server unreachable, an HTTP error status such as 401, a dropped connection, \
             or an answer that is not MCP; rmcp did not pass the cause on)",
            url
        ),
        // Display only: the source chain repeats the same text several times over.
        Err(e) => bail!("tools/call to {url}: {e}"),
    };
    // Ends the session (DELETE) on 2025-11-25; nothing to end on the stateless wire.
    let _ = client.close_with_timeout(Duration::from_secs(5)).await;
    Ok(line)
}

fn call_main(args: CallArgs) -> ExitCode {
    let plan = match build_call(args) {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: starting the tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run_call(plan)) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Mode::Call(args) = cli.mode {
        return call_main(args);
    }
    let (plan, common, kind, label) = match build_plan(cli.mode) {
        Ok(built) => built,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = common.threads {
        runtime.worker_threads(threads.max(1));
    }
    let runtime = match runtime.enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: starting the tokio runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(plan, &common, kind, &label)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
