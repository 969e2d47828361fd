//! The generated server's command line: `serve` and `tools`. The names of commands, flags and
//! environment variables are a public contract (users put them in MCP client configurations and
//! deployment manifests): rename nothing.
//!
//! Exit codes: 0 success, 1 runtime failure (bad upstream URL, bind failure), 2 usage error.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::api::{ApiDef, ToolMode};
use super::config::Config;
use super::credentials::Credentials;
use super::errors::StartError;
use super::server::McpServer;
use super::upstream::Upstream;
use super::{consent_config, consent_pages, http, logging, stdio};

// Re-exported: the flags are part of the command line, defined a layer below it so that the
// settings (`config`) and `auth check` can read them without importing the entry point.
pub use super::flags::{AuthArgs, ServeArgs, Transport};

/// The parsed command line.
#[derive(Debug, Parser)]
#[command(arg_required_else_help = true, disable_help_subcommand = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API's operations as MCP tools.
    Serve(ServeArgs),
    /// List the tools this server offers.
    Tools(ToolsArgs),
    /// Inspect the OAuth configuration.
    #[command(subcommand)]
    Auth(AuthCommand),
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Fetch the authorization server's metadata and keys, and say what is missing.
    Check(AuthArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ToolsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ToolsFormat::Table)]
    pub format: ToolsFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ToolsFormat {
    Table,
    Json,
}

/// The command line definition, named and versioned after the generated crate.
pub fn command(api: &ApiDef) -> clap::Command {
    let about = format!(
        "MCP server for {} (API version {})",
        api.title, api.api_version
    );
    Cli::command()
        .name(api.name)
        .bin_name(api.name)
        .version(api.version)
        .about(about)
}

/// Parses `args` (including the program name first).
pub fn parse<I, T>(api: &ApiDef, args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let mut command = command(api);
    let matches = command.try_get_matches_from_mut(args)?;
    Cli::from_arg_matches(&matches).map_err(|err| err.format(&mut command))
}

/// The generated binary's `main`.
pub fn main(api: &'static ApiDef) -> ExitCode {
    run(api, std::env::args_os())
}

/// Runs the command line `args` (including the program name first).
pub fn run<I, T>(api: &'static ApiDef, args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match parse(api, args) {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help and version to stdout with code 0, usage errors to stderr with 2.
            let _ = err.print();
            return ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(2));
        }
    };
    match cli.command {
        Command::Tools(args) => {
            let text = match args.format {
                ToolsFormat::Table => format!(
                    "{}\n{}{}",
                    tools_table(api),
                    tool_mode_summary(api),
                    resources_summary(api)
                ),
                ToolsFormat::Json => {
                    let mut text =
                        serde_json::to_string_pretty(&tools_json(api)).unwrap_or_default();
                    text.push('\n');
                    text
                }
            };
            print_stdout(&text)
        }
        Command::Serve(args) => serve(api, &args),
        Command::Auth(AuthCommand::Check(args)) => super::auth_check::run(api, &args),
    }
}

/// Writes to stdout; a closed pipe (`… tools | head`) is not worth a panic.
fn print_stdout(text: &str) -> ExitCode {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

fn serve(api: &'static ApiDef, args: &ServeArgs) -> ExitCode {
    let config = match Config::resolve(api, args) {
        Ok(config) => config,
        Err(err) => return fail(api, &err),
    };
    if let Err(err) = logging::init(config.log_level.as_deref()) {
        return fail(api, &err);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            return fail(
                api,
                &StartError::runtime(format!("cannot start the async runtime: {err}")),
            );
        }
    };
    let result = runtime.block_on(serve_with(api, config));
    // A stdin read in progress cannot be cancelled (it runs on a blocking thread); do not let it
    // hold the process open after the server has stopped.
    runtime.shutdown_timeout(Duration::from_millis(500));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // Printed directly: the log filter may hide errors, but why the process stopped must show.
        Err(err) => fail(api, &err),
    }
}

fn fail(api: &ApiDef, err: &StartError) -> ExitCode {
    eprintln!("{}: {}", api.name, err.message);
    ExitCode::from(err.code)
}

/// Serves `config.transport` until the client goes away or SIGINT/SIGTERM arrives.
pub async fn serve_with(api: &'static ApiDef, config: Config) -> Result<(), StartError> {
    super::files::allow(&config.file_roots);
    let upstream = Upstream::new(api, &config.upstream).map_err(StartError::runtime)?;
    // Token exchange and user consent need callers with validated tokens: HTTP with an issuer.
    let http = config.transport == Transport::Http;
    let inbound = config
        .auth
        .as_ref()
        .filter(|_| http)
        .map(|auth| auth.issuer.as_str());
    let env = |name: &str| std::env::var(name).ok();
    let credentials = Credentials::from_env(api, &config.upstream.base_url, inbound, &env)
        .map_err(StartError::usage)?;
    let shutdown = CancellationToken::new();
    if let Some(started) = consent_config::start(api, &credentials, http, inbound, &env)
        .await
        .map_err(StartError::usage)?
    {
        if let Some(listener) = started.loopback {
            // Over stdio: the consent pages on a loopback listener of their own.
            let pages = consent_pages::routes(consent_pages::Pages {
                consent: started.consent.clone(),
                auth: None,
            });
            tokio::spawn(http::serve_listener(listener, pages, shutdown.clone()));
        }
        credentials.set_consent(started.consent);
    }
    let mut server = McpServer::new(api, upstream)
        .with_credentials(Arc::new(credentials))
        .with_read_only(config.read_only);
    if config.compact_tools {
        server = server.with_compact_tools();
    }
    if config.search_mode {
        server = server.with_search_mode().map_err(StartError::runtime)?;
    }
    if config.transport == Transport::Http && config.auth.is_some() {
        server = server.with_oauth();
    }
    tokio::spawn(cancel_on_signal(shutdown.clone()));
    tracing::info!(
        server = api.name,
        version = api.version,
        transport = ?config.transport,
        tool_mode = if config.search_mode { "search" } else { "operations" },
        read_only = config.read_only,
        upstream = %super::config::redacted_url(&config.upstream.base_url),
        "starting"
    );
    match config.transport {
        Transport::Stdio => stdio::serve(server, config.http.max_request_bytes, shutdown).await,
        Transport::Http => http::serve(server, &config.http, config.auth.as_ref(), shutdown).await,
    }
}

/// Cancels `token` on SIGINT (Ctrl-C) or SIGTERM.
async fn cancel_on_signal(token: CancellationToken) {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
        () = token.cancelled() => return,
    }
    tracing::info!("shutting down");
    token.cancel();
}

/// Which tool mode the crate serves unless told otherwise, and the size of `tools/list` in each.
pub fn tool_mode_summary(api: &'static ApiDef) -> String {
    let default = api.default_tool_mode;
    let searches = default.searches(api.tools.len());
    let why = match default {
        ToolMode::Auto if searches => format!(
            " (auto: more than {} operations)",
            super::api::AUTO_SEARCH_ABOVE
        ),
        ToolMode::Auto => format!(
            " (auto: {} operations or fewer)",
            super::api::AUTO_SEARCH_ABOVE
        ),
        _ => String::new(),
    };
    let bytes = |tools: &[rmcp::model::Tool]| {
        serde_json::to_vec(&rmcp::model::ListToolsResult::with_all_items(
            tools.to_vec(),
        ))
        .map_or(0, |json| json.len())
    };
    let operations = bytes(&super::server::listed_tools(api));
    let search = match super::search::Catalog::new(api, false) {
        Ok(catalog) => format!("{} bytes", bytes(catalog.tools())),
        Err(err) => format!("unavailable ({err})"),
    };
    format!(
        "tool mode: {}{why}; change it with --tool-mode operations|search|auto or MCP_TOOL_MODE\n\
         tools/list: {operations} bytes with one tool per operation ({} tools), {search} in search mode (3 tools)\n",
        if searches { "search" } else { "operations" },
        api.tools.len(),
    )
}

/// The operations offered as resources, one line each (nothing when there are none).
pub fn resources_summary(api: &ApiDef) -> String {
    if api.resources.is_empty() {
        return String::new();
    }
    let width = api
        .resources
        .iter()
        .map(|r| r.uri_template.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::from("\nresources (resources/read calls the operation):\n");
    for resource in api.resources {
        let tool = resource.tool;
        let listed = api.tools.iter().any(|t| std::ptr::eq(*t, tool));
        let also = if listed {
            format!("also the tool {}", tool.name)
        } else {
            "not a tool".to_owned()
        };
        out.push_str(&format!(
            "  {:<width$}  {} {}  ({also})\n",
            resource.uri_template, tool.method, tool.path
        ));
    }
    out
}

/// `tools --format table`: one line per tool.
pub fn tools_table(api: &ApiDef) -> String {
    let header = ["NAME", "METHOD", "PATH", "HINTS", "TITLE"].map(str::to_owned);
    let rows: Vec<[String; 5]> = api
        .tools
        .iter()
        .map(|tool| {
            let mut hints = Vec::new();
            if tool.annotations.read_only {
                hints.push("read-only");
            }
            if tool.annotations.destructive {
                hints.push("destructive");
            }
            let hints = if hints.is_empty() {
                "-".to_owned()
            } else {
                hints.join(",")
            };
            [
                tool.name.to_owned(),
                tool.method.as_str().to_owned(),
                tool.path.to_owned(),
                hints,
                tool.title.unwrap_or("").to_owned(),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `tools --format json`: the tools as MCP describes them, plus method and path.
pub fn tools_json(api: &ApiDef) -> Value {
    let schema = |schema: super::api::Schema| {
        schema
            .object()
            .map_or(Value::Null, |o| Value::Object((*o).clone()))
    };
    api.tools
        .iter()
        .map(|tool| {
            json!({
                "name": tool.name,
                "title": tool.title,
                "description": tool.description,
                "method": tool.method.as_str(),
                "path": tool.path,
                "annotations": {
                    "readOnlyHint": tool.annotations.read_only,
                    "destructiveHint": tool.annotations.destructive,
                    "idempotentHint": tool.annotations.idempotent,
                    "openWorldHint": tool.annotations.open_world,
                },
                "inputSchema": schema(tool.input_schema),
                "outputSchema": tool.output_schema.map(schema),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::api::{Annotations, JsonObject, Method, OutputShape, Schema, ToolDef};
    use super::super::request::{ArgError, Request};
    use super::*;

    fn build(_: JsonObject) -> Result<Request, ArgError> {
        Ok(Request::new(Method::Get, "/pets"))
    }

    static LIST: ToolDef = ToolDef {
        name: "listPets",
        title: Some("List pets"),
        description: "Lists pets.",
        method: Method::Get,
        path: "/pets",
        input_schema: Schema::standalone(
            r#"{"type":"object","properties":{"limit":{"type":"integer"}}}"#,
        ),
        output_schema: Some(Schema::standalone(r#"{"type":"object"}"#)),
        output: OutputShape::Wrapped,
        annotations: Annotations {
            read_only: true,
            destructive: false,
            idempotent: true,
            open_world: true,
        },
        accept: Some("application/json"),
        scopes: &[],
        security: &[],
        build,
    };

    static DELETE: ToolDef = ToolDef {
        name: "deletePet",
        title: None,
        description: "Deletes a pet.",
        method: Method::Delete,
        path: "/pets/{petId}",
        input_schema: Schema::standalone(r#"{"type":"object"}"#),
        output_schema: None,
        output: OutputShape::Object,
        annotations: Annotations {
            read_only: false,
            destructive: true,
            idempotent: true,
            open_world: true,
        },
        accept: None,
        scopes: &[],
        security: &[],
        build,
    };

    static API: ApiDef = ApiDef {
        name: "pets-mcp",
        version: "0.3.0",
        title: "Pets",
        api_version: "1.0",
        instructions: None,
        default_upstream_url: None,
        scopes_supported: &[],
        scope_implies: &[],
        default_issuer: None,
        schemes: &[],
        hooks: &super::super::hooks::NoHooks,
        default_tool_mode: super::super::api::ToolMode::Auto,
        search_index: "",
        tools: &[&LIST, &DELETE],
        resources: &[],
    };

    #[test]
    fn table_lists_every_tool() {
        assert_eq!(
            tools_table(&API),
            "NAME       METHOD  PATH           HINTS        TITLE\n\
             listPets   GET     /pets          read-only    List pets\n\
             deletePet  DELETE  /pets/{petId}  destructive\n"
        );
    }

    #[test]
    fn json_has_schemas_and_annotations() {
        let json = tools_json(&API);
        assert_eq!(json[0]["name"], "listPets");
        assert_eq!(
            json[0]["inputSchema"]["properties"]["limit"]["type"],
            "integer"
        );
        assert_eq!(json[0]["outputSchema"]["type"], "object");
        assert_eq!(json[0]["annotations"]["readOnlyHint"], true);
        assert_eq!(json[1]["title"], Value::Null);
        assert_eq!(json[1]["outputSchema"], Value::Null);
        assert_eq!(json[1]["annotations"]["destructiveHint"], true);
    }

    #[test]
    fn usage_errors_exit_2() {
        assert_eq!(
            parse(&API, ["pets-mcp", "serve", "--transport", "carrier-pigeon"])
                .unwrap_err()
                .exit_code(),
            2
        );
        assert_eq!(
            parse(&API, ["pets-mcp", "frobnicate"])
                .unwrap_err()
                .exit_code(),
            2
        );
        assert_eq!(
            parse(&API, ["pets-mcp", "tools", "--format", "xml"])
                .unwrap_err()
                .exit_code(),
            2
        );
        assert_eq!(
            parse(&API, ["pets-mcp", "serve", "--bogus"])
                .unwrap_err()
                .exit_code(),
            2
        );
        assert_eq!(
            run(&API, ["pets-mcp", "serve", "--transport", "http"]),
            ExitCode::from(2)
        );
        assert_eq!(
            parse(&API, ["pets-mcp", "--version"])
                .unwrap_err()
                .exit_code(),
            0
        );
    }

    #[test]
    fn parses_the_contract() {
        let cli = parse(&API, ["pets-mcp", "tools", "--format", "json"]).unwrap();
        assert!(matches!(
            cli.command,
            Command::Tools(ToolsArgs {
                format: ToolsFormat::Json
            })
        ));
        // Every flag of `serve` with its environment twin: renaming any of these breaks users.
        let mut command = command(&API);
        let serve = command.find_subcommand_mut("serve").expect("serve exists");
        let flags: Vec<(String, Option<String>)> = serve
            .get_arguments()
            .filter_map(|arg| {
                let long = arg.get_long()?;
                let env = arg.get_env().map(|env| env.to_string_lossy().into_owned());
                Some((long.to_owned(), env))
            })
            .filter(|(long, _)| long != "help")
            .collect();
        let expected = [
            ("transport", None),
            ("bind", None),
            ("stateless", None),
            ("allow-unauthenticated", None),
            ("issuer", Some("MCP_AUTH_ISSUER")),
            ("resource-url", Some("MCP_RESOURCE_URL")),
            ("audience", Some("MCP_AUTH_AUDIENCE")),
            (
                "introspection-client-id",
                Some("MCP_INTROSPECTION_CLIENT_ID"),
            ),
            (
                "introspection-client-secret",
                Some("MCP_INTROSPECTION_CLIENT_SECRET"),
            ),
            (
                "hide-unauthorized-tools",
                Some("MCP_HIDE_UNAUTHORIZED_TOOLS"),
            ),
            ("scope-implies", Some("MCP_SCOPE_IMPLIES")),
            ("auth-refresh-interval", Some("MCP_AUTH_REFRESH_INTERVAL")),
            ("upstream-url", Some("MCP_UPSTREAM_URL")),
            ("upstream-timeout", Some("MCP_UPSTREAM_TIMEOUT")),
            ("max-response-bytes", Some("MCP_MAX_RESPONSE_BYTES")),
            ("max-concurrent-calls", Some("MCP_MAX_CONCURRENT_CALLS")),
            ("max-request-bytes", Some("MCP_MAX_REQUEST_BYTES")),
            ("tool-mode", Some("MCP_TOOL_MODE")),
            ("read-only", Some("MCP_READ_ONLY")),
            ("compact-tools", Some("MCP_COMPACT_TOOLS")),
            ("allowed-hosts", Some("MCP_ALLOWED_HOSTS")),
            ("allowed-origins", Some("MCP_ALLOWED_ORIGINS")),
            ("file-root", Some("MCP_FILE_ROOTS")),
            ("log-level", Some("MCP_LOG_LEVEL")),
        ]
        .map(|(long, env)| (long.to_owned(), env.map(str::to_owned)));
        assert_eq!(flags, expected);
        assert_eq!(command.get_name(), "pets-mcp");
        assert_eq!(command.get_version(), Some("0.3.0"));
    }
}
