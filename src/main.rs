//! The `mcpwright` command line: a thin layer over the library.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use mcpwright::Diagnostic;

#[derive(Parser)]
#[command(
    name = "mcpwright",
    version,
    about = "Generate typed, secure Rust MCP servers from OpenAPI documents"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print errors only.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print every warning (not only the first ones) and how long each stage took.
    #[arg(long, short, global = true)]
    verbose: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a standalone MCP server crate from an OpenAPI document.
    Generate {
        /// The OpenAPI document (Swagger 2.0, OpenAPI 3.0 or 3.1; YAML or JSON).
        spec: PathBuf,
        /// The folder to write the crate into (created when missing).
        #[arg(short, long)]
        out: PathBuf,
        #[command(flatten)]
        choices: Choices,
    },
    /// Check that a generated crate is current: exit 1 with the MCP contract diff and the changed
    /// files when the spec (or mcpwright) would generate something else.
    Check {
        /// The OpenAPI document.
        spec: PathBuf,
        /// The generated crate's folder.
        #[arg(short, long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[command(flatten)]
        choices: Choices,
    },
    /// Show the tools a spec turns into, and what MCP clients will think of them.
    Inspect {
        /// The OpenAPI document.
        spec: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[command(flatten)]
        choices: Choices,
    },
    /// OAuth: test a server's authorization set-up end to end.
    #[command(subcommand)]
    Auth(AuthCommand),
}

#[derive(Subcommand)]
enum AuthCommand {
    /// Act as an MCP client: get a token through the server's OAuth flow and call its tools,
    /// printing one line per step with ✓/✗, what it saw and what to fix. Exit 0 only when every
    /// step passed.
    Test(AuthTest),
}

#[derive(Args)]
struct AuthTest {
    /// The MCP endpoint (e.g. http://127.0.0.1:8080/mcp).
    #[arg(value_name = "URL", required_unless_present = "url")]
    endpoint: Option<String>,
    /// The MCP endpoint (instead of the positional argument).
    #[arg(long, conflicts_with = "endpoint")]
    url: Option<String>,
    /// A generated crate: its mcpwright.lock says which scopes each tool needs.
    #[arg(long = "crate", value_name = "DIR")]
    crate_dir: Option<PathBuf>,
    /// A client registered at the authorization server (skips registration).
    #[arg(long)]
    client_id: Option<String>,
    /// The pre-registered client's secret (confidential clients). Also read from
    /// MCPWRIGHT_CLIENT_SECRET, which keeps it out of the process list and shell history.
    #[arg(
        long,
        requires = "client_id",
        env = "MCPWRIGHT_CLIENT_SECRET",
        hide_env_values = true
    )]
    client_secret: Option<String>,
    /// The HTTPS URL of this client's Client ID Metadata Document, used when the authorization
    /// server supports them and no --client-id is given.
    #[arg(long, value_name = "URL")]
    client_metadata_url: Option<String>,
    /// No browser: fetch the authorization URL and follow its redirects to the loopback
    /// redirect URI (an authorization server that approves without a person: test IdPs, CI).
    #[arg(long, conflicts_with = "no_browser")]
    headless: bool,
    /// Print the authorization URL instead of opening a browser, then wait for the redirect.
    #[arg(long)]
    no_browser: bool,
    /// The tool to call [default: the first read-only tool].
    #[arg(long, value_name = "TOOL")]
    call: Option<String>,
    /// The call's arguments, a JSON object [default: made up from the tool's schema].
    #[arg(long, value_name = "JSON")]
    args: Option<String>,
    /// The client-credentials grant (with --client-id and --client-secret) instead of the
    /// authorization code: no user, for CI.
    #[arg(long, requires = "client_secret")]
    client_credentials: bool,
    /// Seconds to wait for the browser's redirect.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    timeout: u64,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

impl AuthTest {
    fn options(self) -> mcpwright::auth_test::Options {
        use mcpwright::auth_test::Browser;
        mcpwright::auth_test::Options {
            url: self.url.or(self.endpoint).unwrap_or_default(),
            crate_dir: self.crate_dir,
            client_id: self.client_id,
            client_secret: self.client_secret,
            client_metadata_url: self.client_metadata_url,
            browser: if self.headless {
                Browser::Headless
            } else if self.no_browser {
                Browser::Print
            } else {
                Browser::Open
            },
            call: self.call,
            args: self.args,
            client_credentials: self.client_credentials,
            timeout: std::time::Duration::from_secs(self.timeout),
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
}

/// Generation choices. Each can also be set in `mcpwright.toml` next to the spec (flags win).
#[derive(Args)]
struct Choices {
    /// The generation settings file [default: mcpwright.toml next to the spec, when present].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The crate's name [default: the output folder's name].
    #[arg(long)]
    name: Option<String>,
    /// The upstream base URL built into the server [default: the spec's first server].
    #[arg(long, value_name = "URL")]
    upstream_url: Option<String>,
    /// Name a tool: OPERATION=NAME, OPERATION being an operationId, a tool name or "GET /path"
    /// (repeatable).
    #[arg(long, value_name = "OPERATION=NAME")]
    rename: Vec<String>,
    /// Describe a tool: OPERATION=TEXT (repeatable).
    #[arg(long, value_name = "OPERATION=TEXT")]
    describe: Vec<String>,
    /// Default credential strategy of a security scheme: SCHEME=STRATEGY (static,
    /// client-credentials, token-exchange, user-consent, passthrough; repeatable).
    #[arg(long, value_name = "SCHEME=STRATEGY")]
    strategy: Vec<String>,
    /// Rename a scope the tools need: FROM=TO (repeatable), when the MCP authorization server names
    /// scopes differently than the upstream API.
    #[arg(long = "scope-map", value_name = "FROM=TO")]
    scope_map: Vec<String>,
    /// Prefix every scope that --scope-map does not rename.
    #[arg(long = "scope-prefix", value_name = "PREFIX")]
    scope_prefix: Option<String>,
    /// A scope of the MCP authorization server that grants others: SCOPE=IMPLIED[,IMPLIED...]
    /// (repeatable), e.g. repo=repo:status,public_repo. Every scope check honours it.
    #[arg(long = "scope-implies", value_name = "SCOPE=IMPLIED")]
    scope_implies: Vec<String>,
    /// Offer a GET operation as an MCP resource as well as a tool: OPERATION[=URI-TEMPLATE]
    /// (repeatable; `*` a wildcard in operationIds and tool names) [default URI:
    /// <crate-name>://<path>{?query}].
    #[arg(long, value_name = "OPERATION[=URI]")]
    resource: Vec<String>,
    /// Offer a GET operation as an MCP resource instead of a tool: OPERATION[=URI-TEMPLATE]
    /// (repeatable).
    #[arg(long, value_name = "OPERATION[=URI]")]
    resource_only: Vec<String>,
    /// Keep only operations with this tag (repeatable).
    #[arg(long, value_name = "TAG")]
    include_tag: Vec<String>,
    /// Leave out operations with this tag (repeatable).
    #[arg(long, value_name = "TAG")]
    exclude_tag: Vec<String>,
    /// Keep only these operations: operationId or tool name, `*` as a wildcard (repeatable).
    #[arg(long, value_name = "OPERATION")]
    include_op: Vec<String>,
    /// Leave out these operations: operationId or tool name, `*` as a wildcard (repeatable).
    #[arg(long, value_name = "OPERATION")]
    exclude_op: Vec<String>,
    /// Keep only operations with this HTTP method (repeatable).
    #[arg(long, value_name = "METHOD")]
    include_method: Vec<String>,
    /// Leave out operations with this HTTP method (repeatable).
    #[arg(long, value_name = "METHOD")]
    exclude_method: Vec<String>,
    /// Keep only operations under this path template, `*` as a wildcard (repeatable).
    #[arg(long, value_name = "PATH")]
    include_path: Vec<String>,
    /// Leave out operations under this path template, `*` as a wildcard (repeatable).
    #[arg(long, value_name = "PATH")]
    exclude_path: Vec<String>,
    /// Treat problems mcpwright can work around (duplicate operationIds, repaired values) as
    /// errors.
    #[arg(long)]
    strict: bool,
    /// The server's default tool mode: one tool per operation, search mode's three tools, or
    /// auto (search above 64 tools) [default: auto]; the server's --tool-mode overrides it.
    #[arg(long, value_enum, value_name = "MODE")]
    tool_mode: Option<mcpwright::search::ToolMode>,
    /// Give a JSON object request body's properties to the tool as top-level arguments instead
    /// of one `body` argument, where that is exact (other operations keep `body`, with a
    /// warning saying why). Renames existing tools' arguments: `check` reports it as breaking.
    #[arg(long)]
    flatten_body: bool,
}

impl Choices {
    /// The options: flags first, then `mcpwright.toml` for whatever the flags left unset.
    fn options(&self, spec: &Path) -> mcpwright::Result<mcpwright::Options> {
        let usage = |flag: &str, err: String| mcpwright::Error::Usage(format!("--{flag}: {err}"));
        let pairs = |flag: &str, values: &[String]| -> mcpwright::Result<Vec<(String, String)>> {
            values
                .iter()
                .map(|value| match value.split_once('=') {
                    Some((key, val)) if !key.trim().is_empty() => {
                        Ok((key.trim().to_owned(), val.trim().to_owned()))
                    }
                    _ => Err(usage(flag, format!("`{value}` is not KEY=VALUE"))),
                })
                .collect()
        };
        let mut options = mcpwright::Options {
            crate_name: self.name.clone(),
            upstream_url: self.upstream_url.clone(),
            scope_map: mcpwright::ir::ScopeMap {
                implies: mcpwright::ir::ScopeMap::parse_implies(&self.scope_implies)
                    .map_err(|err| usage("scope-implies", err))?,
                ..mcpwright::ir::ScopeMap::parse(&self.scope_map, self.scope_prefix.clone())
                    .map_err(|err| usage("scope-map", err))?
            },
            filters: mcpwright::ir::Filters {
                include_tags: self.include_tag.clone(),
                exclude_tags: self.exclude_tag.clone(),
                include_ops: self.include_op.clone(),
                exclude_ops: self.exclude_op.clone(),
                include_methods: self.include_method.clone(),
                exclude_methods: self.exclude_method.clone(),
                include_paths: self.include_path.clone(),
                exclude_paths: self.exclude_path.clone(),
            },
            strict: self.strict,
            flatten_body: self.flatten_body,
            tool_mode: self.tool_mode,
            tools: mcpwright::options::ToolChoices {
                renames: pairs("rename", &self.rename)?.into_iter().collect(),
                descriptions: pairs("describe", &self.describe)?.into_iter().collect(),
            },
            ..mcpwright::Options::default()
        };
        options
            .resources
            .parse(&self.resource, true)
            .map_err(|err| usage("resource", err))?;
        options
            .resources
            .parse(&self.resource_only, false)
            .map_err(|err| usage("resource-only", err))?;
        for (scheme, strategy) in pairs("strategy", &self.strategy)? {
            if !mcpwright::config::STRATEGIES.contains(&strategy.as_str()) {
                return Err(usage(
                    "strategy",
                    format!(
                        "`{strategy}` is not one of {}",
                        mcpwright::config::STRATEGIES.join(", ")
                    ),
                ));
            }
            options.strategies.insert(scheme, strategy);
        }
        let file = match &self.config {
            Some(path) => Some(path.clone()),
            None => mcpwright::config::beside(spec),
        };
        if let Some(file) = file {
            mcpwright::config::load(&file)?.apply(&mut options)?;
            options.config_file = Some(file);
        }
        Ok(options)
    }
}

/// How many warnings to print before summarizing the rest (without --verbose).
const SHOWN_WARNINGS: usize = 20;

/// Stack for the generator's thread: schema graphs are walked recursively, and a spec may chain
/// thousands of components; a large stack keeps that an ordinary run instead of an overflow.
const STACK_BYTES: usize = 256 * 1024 * 1024;

/// How diagnostics are printed.
#[derive(Clone, Copy)]
struct Output {
    quiet: bool,
    verbose: bool,
    /// ANSI colours: only on a terminal, and never with `NO_COLOR` set.
    colour: bool,
}

impl Output {
    fn label(self, text: &str, code: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn error(self, message: &str) {
        eprintln!("{}: {message}", self.label("error", "1;31"));
    }

    fn warnings(self, warnings: &[Diagnostic]) {
        if self.quiet {
            return;
        }
        let shown = if self.verbose {
            warnings.len()
        } else {
            SHOWN_WARNINGS
        };
        let mut shown_warnings = warnings[..shown.min(warnings.len())].to_vec();
        mcpwright::timings::timed("locate", || mcpwright::locate::fill(&mut shown_warnings));
        for warning in &shown_warnings {
            eprintln!("{}: {warning}", self.label("warning", "1;33"));
        }
        if warnings.len() > shown {
            eprintln!(
                "{}: … and {} more (--verbose shows them all)",
                self.label("warning", "1;33"),
                warnings.len() - shown
            );
        }
    }

    fn note(self, message: &str) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }
}

// Generation is a burst of short-lived allocations on two threads. glibc's per-thread arenas keep
// about as much freed memory as the generator uses (GitHub: a 66 MB heap peak, 132 MB resident);
// mimalloc is faster at this pattern and, with eager commit off and arenas purged after 10 ms,
// gives the memory back (benches/BENCHMARKS.md, "Generation"). The options must be set before
// mimalloc makes its first arena, which happens before `main`: the first allocation sets them.
#[global_allocator]
static ALLOCATOR: Allocator = Allocator;

struct Allocator;

/// mimalloc's options as its v3 header numbers them (`mi_option_e`; the version is pinned by
/// Cargo.lock).
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

static CONFIGURED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

impl Allocator {
    #[inline]
    fn configure() {
        use std::sync::atomic::Ordering;
        if !CONFIGURED.load(Ordering::Relaxed) && !CONFIGURED.swap(true, Ordering::Relaxed) {
            // SAFETY: plain setters of process-wide options; they allocate nothing.
            unsafe {
                libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
                libmimalloc_sys::mi_option_set(PURGE_DELAY, 10);
            }
        }
    }
}

// SAFETY: every call goes to mimalloc, as `mimalloc::MiMalloc` does.
unsafe impl std::alloc::GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        Self::configure();
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }
    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        Self::configure();
        unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
    }
    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }
    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let output = Output {
        quiet: cli.quiet,
        verbose: cli.verbose,
        colour: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let worker = std::thread::Builder::new()
        .stack_size(STACK_BYTES)
        .spawn(move || run(cli.command, output));
    let result = match worker.map(|handle| handle.join()) {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => {
            output.error(
                "internal error (the generator panicked); please report the spec that caused it",
            );
            return ExitCode::from(1);
        }
        Err(err) => {
            output.error(&format!("cannot start the generator thread: {err}"));
            return ExitCode::from(1);
        }
    };
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Stale | Outcome::Failed) => ExitCode::from(1),
        Err(mcpwright::Error::Spec(mut diagnostic)) => {
            mcpwright::locate::fill(std::slice::from_mut(&mut *diagnostic));
            output.error(&diagnostic.to_string());
            ExitCode::from(1)
        }
        Err(err) => {
            output.error(&err.to_string());
            ExitCode::from(err.exit_code())
        }
    }
}

/// How a successful command ended.
enum Outcome {
    Done,
    /// `check` found the crate out of date (exit code 1, like a failed check in CI).
    Stale,
    /// `auth test` saw a step fail.
    Failed,
}

fn run(command: Command, output: Output) -> mcpwright::Result<Outcome> {
    match command {
        Command::Generate { spec, out, choices } => {
            let options = choices.options(&spec)?;
            let started = std::time::Instant::now();
            let (api, report) = mcpwright::generate(&spec, &out, &options)?;
            output.warnings(&api.warnings);
            let name = options
                .crate_name
                .clone()
                .unwrap_or_else(|| mcpwright::emit::default_crate_name(&out, &api.title));
            output.note(&format!(
                "generated {} tools from {} into {} ({} files written, {} unchanged, {} removed{})",
                api.tools.len(),
                spec.display(),
                out.display(),
                report.written.len(),
                report.unchanged.len(),
                report.removed.len(),
                if output.verbose {
                    format!(", {} ms", started.elapsed().as_millis())
                } else {
                    String::new()
                }
            ));
            if !api.filtered.is_empty() {
                output.note(&format!(
                    "{} operations left out by the filters",
                    api.filtered.len()
                ));
            }
            output.note(&format!(
                "next: cd {} && cargo build --release && ./target/release/{name} serve --transport stdio",
                out.display()
            ));
            Ok(Outcome::Done)
        }
        Command::Check {
            spec,
            out,
            format,
            choices,
        } => {
            let options = choices.options(&spec)?;
            let report = mcpwright::check::check(&spec, &out, &options)?;
            match format {
                Format::Table => print!("{}", report.to_text(&out)),
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&report.to_json()).unwrap_or_default()
                ),
            }
            Ok(if report.is_current() {
                Outcome::Done
            } else {
                Outcome::Stale
            })
        }
        Command::Inspect {
            spec,
            format,
            choices,
        } => {
            let options = choices.options(&spec)?;
            let api = mcpwright::model(&spec, &options)?;
            let lints = mcpwright::inspect::lints(&api);
            match format {
                Format::Table => {
                    output.warnings(&api.warnings);
                    print!("{}", mcpwright::inspect::table(&api));
                    println!(
                        "{}",
                        mcpwright::inspect::tool_mode_line(
                            &api,
                            options.tool_mode.unwrap_or_default()
                        )
                    );
                    print!(
                        "{}",
                        mcpwright::inspect::resources_lines(&api, options.crate_name.as_deref())
                    );
                    if !lints.is_empty() {
                        println!();
                        for lint in &lints {
                            println!("client limits: {lint}");
                        }
                    }
                }
                Format::Json => {
                    let mut json = mcpwright::inspect::json(&api);
                    mcpwright::inspect::add_tool_mode(
                        &mut json,
                        &api,
                        options.tool_mode.unwrap_or_default(),
                    );
                    mcpwright::inspect::add_resources(
                        &mut json,
                        &api,
                        options.crate_name.as_deref(),
                    );
                    let text = serde_json::to_string_pretty(&json).unwrap_or_default();
                    println!("{text}");
                }
            }
            Ok(Outcome::Done)
        }
        Command::Auth(AuthCommand::Test(test)) => {
            let format = test.format;
            let report = mcpwright::auth_test::run(&test.options());
            match format {
                Format::Table => print!("{}", report.to_text()),
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&report.to_json()).unwrap_or_default()
                ),
            }
            Ok(if report.passed() {
                Outcome::Done
            } else {
                Outcome::Failed
            })
        }
    }
}

#[cfg(test)]
mod tests {
    /// The first allocation (long before this test) set the allocator's options.
    #[test]
    fn the_allocator_is_configured() {
        drop(std::hint::black_box(String::from("an allocation")));
        // SAFETY: plain getters of process-wide options.
        let (eager, purge) = unsafe {
            (
                libmimalloc_sys::mi_option_get(super::ARENA_EAGER_COMMIT),
                libmimalloc_sys::mi_option_get(super::PURGE_DELAY),
            )
        };
        assert_eq!((eager, purge), (0, 10));
    }
}
