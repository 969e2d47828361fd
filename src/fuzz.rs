//! The body of the `load` fuzz target (`fuzz/fuzz_targets/load.rs`), kept in the library so that
//! `cargo test` replays the committed corpus and crashers (`fuzz/corpus/load`,
//! `fuzz/regressions/load`) with the same code the fuzzer runs. Not part of the public API.

use crate::{Options, emit, inspect, workflow};

/// Where the fuzzed spec pretends to live: a folder that does not exist, so relative references to
/// other files fail to resolve instead of reading whatever lies next to the fuzzer.
const FILE: &str = "/nonexistent/mcpwright-fuzz/openapi.yaml";

/// Runs `bytes` through everything generation does in memory: loading (YAML or JSON, any version,
/// normalization, reference checks), the IR, the inspect report and the emitters. Any input may be
/// rejected with an error; none may panic, and a spec that loads must always generate a crate.
pub fn load_and_emit(bytes: &[u8]) {
    let Ok(api) = crate::model_from_bytes(bytes, FILE, &Options::default()) else {
        return;
    };
    inspect::table(&api);
    inspect::lints(&api);
    inspect::json(&api);
    inspect::tool_mode_line(&api, crate::search::ToolMode::Auto);
    let options = emit::Options {
        crate_name: "fuzz-mcp".into(),
        workflow: workflow::Paths {
            crate_dir: ".".into(),
            spec: "openapi.yaml".into(),
            config: None,
            config_explicit: false,
        },
        tool_mode: crate::search::ToolMode::Auto,
    };
    if let Err(err) = emit::emit(&api, &options) {
        panic!("the spec loads but its crate cannot be generated: {err}");
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every committed input of the `load` target: the minimized corpus and the crashers found so
    /// far, which must now be handled without a panic.
    #[test]
    fn fuzz_corpus_and_regressions_replay() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
        let mut count = 0;
        for dir in ["corpus/load", "regressions/load"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            let mut paths: Vec<_> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
            paths.sort();
            for path in paths.iter().filter(|p| p.is_file()) {
                let bytes = std::fs::read(path).unwrap();
                let replay = std::panic::catch_unwind(|| super::load_and_emit(&bytes));
                assert!(replay.is_ok(), "{} panics", path.display());
                count += 1;
            }
        }
        assert!(count > 0, "no fuzz inputs found under {}", root.display());
    }
}
