//! The stages run in order: [`model`] loads a spec and builds its IR, [`render`] adds the lock
//! file's names and emits the crate in memory, [`generate`] writes it. The command line, the
//! tests and the benchmarks all come in here (through the crate root's re-exports).

use std::path::Path;

use crate::error::{Diagnostic, Location, Result};
use crate::options::Options;
use crate::{contract, emit, ir, load, timings, workflow, write};

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
    let api = timings::timed("ir", || ir::build(spec, options))?;
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
