//! mcpwright turns an OpenAPI document into a standalone, typed Rust MCP server crate.
//!
//! The stages follow the data: [`load`] reads and normalizes the spec (Swagger 2.0, OpenAPI 3.0
//! and 3.1) into one OpenAPI 3.0 model, [`ir`] builds the intermediate model of tools, parameters,
//! schemas and security that is the only thing the emitters read, [`emit`] renders the crate into
//! memory, and [`write`] puts it on disk without touching what the user owns.

pub mod check;
pub mod config;
pub mod contract;
pub mod emit;
pub mod error;
#[doc(hidden)]
pub mod fuzz;
pub mod inspect;
pub mod ir;
pub mod load;
pub mod locate;
pub mod naming;
pub mod search;
pub mod suggest;
pub mod timings;
pub mod workflow;
pub mod write;

use std::path::Path;

pub use error::{Diagnostic, Error, Location, Result};

/// Generation choices (each is a command-line flag).
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The crate's name (default: made from the output folder's name).
    pub crate_name: Option<String>,
    /// How the spec's OAuth scope names become the MCP authorization server's.
    pub scope_map: ir::ScopeMap,
    /// Which operations become tools.
    pub filters: ir::Filters,
    /// Treat problems the generator can work around (duplicate operationIds, repaired values)
    /// as errors.
    pub strict: bool,
    /// Tool names to keep, by `METHOD /path` (read from the output's `mcpwright.lock` by
    /// [`render`]).
    pub locked_names: std::collections::HashMap<String, String>,
    /// Tool names the user chose, by operationId, tool name or `METHOD /path`.
    pub renames: std::collections::HashMap<String, String>,
    /// Tool descriptions the user chose, by operationId, tool name or `METHOD /path`.
    pub descriptions: std::collections::HashMap<String, String>,
    /// The upstream base URL built into the server (instead of the spec's first server).
    pub upstream_url: Option<String>,
    /// Default credential strategies, by security scheme name.
    pub strategies: std::collections::BTreeMap<String, String>,
    /// The `mcpwright.toml` these options came from, if any (the CI workflow watches it).
    pub config_file: Option<std::path::PathBuf>,
    /// The tool mode the server uses unless told otherwise (default: auto).
    pub tool_mode: Option<search::ToolMode>,
}

/// Loads a spec and builds its IR.
pub fn model(spec: &Path, options: &Options) -> Result<ir::Api> {
    let spec = timings::timed("load", || load::load(spec))?;
    build_model(&spec, options)
}

/// Loads a spec held in memory (the bytes of a YAML or JSON file) and builds its IR, exactly as
/// [`model`] does for a file. `file` names the spec in messages; references to other files
/// (`./schemas/pet.yaml`) resolve as if the spec were the file `file`, and a spec without such
/// references never touches the file system.
pub fn model_from_bytes(bytes: &[u8], file: &str, options: &Options) -> Result<ir::Api> {
    build_model(&load::load_bytes(bytes, file)?, options)
}

/// The IR of a loaded spec, with `--strict` applied to its warnings.
fn build_model(spec: &load::Spec, options: &Options) -> Result<ir::Api> {
    let ir_options = ir::Options {
        scope_map: options.scope_map.clone(),
        filters: options.filters.clone(),
        locked_names: options.locked_names.clone(),
        renames: options.renames.clone(),
        descriptions: options.descriptions.clone(),
        upstream_url: options.upstream_url.clone(),
        strategies: options.strategies.clone(),
    };
    let api = timings::timed("ir", || ir::build(spec, &ir_options))?;
    if options.strict
        && let Some(first) = api.warnings.first()
    {
        let more = api.warnings.len() - 1;
        let mut diagnostic = first.clone();
        let also = if more > 0 {
            format!(" ({more} more problems after this one)")
        } else {
            String::new()
        };
        diagnostic.hint = Some(match &first.hint {
            Some(hint) => format!("{hint}; --strict makes this an error{also}"),
            None => format!("--strict makes this an error{also}"),
        });
        return Err(diagnostic.into());
    }
    Ok(api)
}

/// Generates the crate for the spec at `spec` in memory.
pub fn render(spec: &Path, out: &Path, options: &Options) -> Result<(ir::Api, emit::Crate)> {
    // Tool names already given stay: the lock file of a previous generation says which.
    let mut options = options.clone();
    if let Some(lock) = std::fs::read_to_string(out.join(contract::LOCK_FILE))
        .ok()
        .as_deref()
        .and_then(contract::Contract::parse)
    {
        for (operation, name) in lock.names() {
            options.locked_names.entry(operation).or_insert(name);
        }
    }
    let options = &options;
    let api = model(spec, options)?;
    let crate_name = options
        .crate_name
        .clone()
        .unwrap_or_else(|| emit::default_crate_name(out, &api.title));
    let workflow = workflow::paths(spec, out, options.config_file.as_deref());
    let mut api = api;
    if workflow.spec.starts_with("../") {
        api.warnings.push(
            Diagnostic::new(
                Location::new(spec.display().to_string(), ""),
                format!(
                    "the spec is outside the repository that holds the crate (at `{}` from its root), so the generated CI workflow cannot check it",
                    workflow.spec
                ),
            )
            .hint("keep the spec in the same repository as the generated crate"),
        );
    }
    let emit_options = emit::Options {
        crate_name,
        workflow,
        tool_mode: options.tool_mode.unwrap_or_default(),
    };
    let krate = timings::timed("emit", || emit::emit(&api, &emit_options))?;
    Ok((api, krate))
}

/// Generates the crate for `spec` into `out`.
pub fn generate(
    spec: &Path,
    out: &Path,
    options: &Options,
) -> Result<(ir::Api, write::WriteReport)> {
    let (api, krate) = render(spec, out, options)?;
    let report = timings::timed("write", || write::write_crate(out, &krate))?;
    timings::timed("drop", || drop(krate));
    Ok((api, report))
}
