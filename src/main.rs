//! The `mcpwright` command line: a thin layer over the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "mcpwright",
    version,
    about = "Generate typed, secure Rust MCP servers from OpenAPI documents"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
        /// The crate's name (default: the output folder's name).
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        scopes: ScopeArgs,
        #[command(flatten)]
        selection: SelectionArgs,
    },
    /// Check that a generated crate is current: exit 1 with the MCP contract diff and the changed
    /// files when the spec (or mcpwright) would generate something else.
    Check {
        /// The OpenAPI document.
        spec: PathBuf,
        /// The generated crate's folder.
        #[arg(short, long)]
        out: PathBuf,
        /// The crate's name (default: the output folder's name).
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[command(flatten)]
        scopes: ScopeArgs,
        #[command(flatten)]
        selection: SelectionArgs,
    },
    /// Show the tools a spec turns into.
    Inspect {
        /// The OpenAPI document.
        spec: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[command(flatten)]
        scopes: ScopeArgs,
        #[command(flatten)]
        selection: SelectionArgs,
    },
}

/// Which operations become tools, and how strictly the spec is read.
#[derive(clap::Args)]
struct SelectionArgs {
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
}

impl SelectionArgs {
    fn filters(&self) -> mcpwright::ir::Filters {
        mcpwright::ir::Filters {
            include_tags: self.include_tag.clone(),
            exclude_tags: self.exclude_tag.clone(),
            include_ops: self.include_op.clone(),
            exclude_ops: self.exclude_op.clone(),
            include_methods: self.include_method.clone(),
            exclude_methods: self.exclude_method.clone(),
            include_paths: self.include_path.clone(),
            exclude_paths: self.exclude_path.clone(),
        }
    }
}

/// How the spec's OAuth scopes are named at the MCP server's authorization server.
#[derive(clap::Args)]
struct ScopeArgs {
    /// Rename a scope the tools need: FROM=TO (repeatable), when the MCP authorization server names
    /// scopes differently than the upstream API.
    #[arg(long = "scope-map", value_name = "FROM=TO")]
    map: Vec<String>,
    /// Prefix every scope that --scope-map does not rename.
    #[arg(long = "scope-prefix", value_name = "PREFIX")]
    prefix: Option<String>,
}

impl ScopeArgs {
    fn scope_map(&self) -> mcpwright::Result<mcpwright::ir::ScopeMap> {
        mcpwright::ir::ScopeMap::parse(&self.map, self.prefix.clone())
            .map_err(|err| mcpwright::Error::Usage(format!("--scope-map: {err}")))
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
}

/// How many warnings to print before summarizing the rest.
const SHOWN_WARNINGS: usize = 20;

/// Stack for the generator's thread: schema graphs are walked recursively, and a spec may chain
/// thousands of components; a large stack keeps that an ordinary run instead of an overflow.
const STACK_BYTES: usize = 256 * 1024 * 1024;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let worker = std::thread::Builder::new()
        .stack_size(STACK_BYTES)
        .spawn(move || run(cli.command));
    let result = match worker.map(|handle| handle.join()) {
        Ok(Ok(result)) => result,
        Ok(Err(_)) => {
            eprintln!(
                "error: internal error (the generator panicked); please report the spec that caused it"
            );
            return ExitCode::from(1);
        }
        Err(err) => {
            eprintln!("error: cannot start the generator thread: {err}");
            return ExitCode::from(1);
        }
    };
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Stale) => ExitCode::from(1),
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}

/// How a successful command ended.
enum Outcome {
    Done,
    /// `check` found the crate out of date (exit code 1, like a failed check in CI).
    Stale,
}

fn run(command: Command) -> mcpwright::Result<Outcome> {
    match command {
        Command::Generate {
            spec,
            out,
            name,
            scopes,
            selection,
        } => {
            let options = mcpwright::Options {
                crate_name: name.clone(),
                scope_map: scopes.scope_map()?,
                filters: selection.filters(),
                strict: selection.strict,
                ..mcpwright::Options::default()
            };
            let (api, report) = mcpwright::generate(&spec, &out, &options)?;
            print_warnings(&api.warnings);
            let name =
                name.unwrap_or_else(|| mcpwright::emit::default_crate_name(&out, &api.title));
            eprintln!(
                "generated {} tools from {} into {} ({} files written, {} unchanged, {} removed)",
                api.tools.len(),
                spec.display(),
                out.display(),
                report.written.len(),
                report.unchanged.len(),
                report.removed.len()
            );
            eprintln!(
                "next: cd {} && cargo build --release && ./target/release/{name} serve --transport stdio",
                out.display()
            );
            Ok(Outcome::Done)
        }
        Command::Check {
            spec,
            out,
            name,
            format,
            scopes,
            selection,
        } => {
            let options = mcpwright::Options {
                crate_name: name,
                scope_map: scopes.scope_map()?,
                filters: selection.filters(),
                strict: selection.strict,
                ..mcpwright::Options::default()
            };
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
            scopes,
            selection,
        } => {
            let options = mcpwright::Options {
                scope_map: scopes.scope_map()?,
                filters: selection.filters(),
                strict: selection.strict,
                ..mcpwright::Options::default()
            };
            let api = mcpwright::model(&spec, &options)?;
            match format {
                Format::Table => {
                    print_warnings(&api.warnings);
                    print!("{}", mcpwright::inspect::table(&api));
                }
                Format::Json => {
                    let text = serde_json::to_string_pretty(&mcpwright::inspect::json(&api))
                        .unwrap_or_default();
                    println!("{text}");
                }
            }
            Ok(Outcome::Done)
        }
    }
}

fn print_warnings(warnings: &[mcpwright::Diagnostic]) {
    for warning in warnings.iter().take(SHOWN_WARNINGS) {
        eprintln!("warning: {warning}");
    }
    if warnings.len() > SHOWN_WARNINGS {
        eprintln!(
            "warning: … and {} more (see `mcpwright inspect --format json`)",
            warnings.len() - SHOWN_WARNINGS
        );
    }
}
