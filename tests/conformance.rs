//! The official MCP conformance suite (`@modelcontextprotocol/conformance`, pinned in
//! tests/e2e/package.json and run on Node 22 from the npm package `node`) against a server
//! generated from `tests/fixtures/conformance/openapi.yaml`, whose operations carry the suite's
//! tool names and are answered by the fixture upstream in `tests/e2e/conformance.mjs`.
//!
//! The suite runs each spec revision's requirement set (2025-11-25, 2026-07-28) against the server
//! over sessions and started with `--stateless`. Only scenarios that cannot apply to an API proxy
//! may fail; each combination lists them, with their reasons, in
//! `tests/fixtures/conformance/expected-failures/<revision>-<wire>.yml`. The suite fails a run on
//! any other failure and on a listed scenario that passes; both are checked here too, so the
//! baselines stay honest.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{build_binary, edited_baselines, npm_ready, repo};

fn fixture() -> PathBuf {
    repo().join("tests").join("fixtures").join("conformance")
}

/// Generates and builds the fixture's server; returns its binary.
fn server() -> PathBuf {
    let out = repo()
        .join("target")
        .join("generated-crates")
        .join("conformance-mcp");
    // As `mcpwright generate` would: the name from the command line, the rest from the
    // fixture's mcpwright.toml (its resources).
    let mut options = mcpwright::Options {
        crate_name: Some("conformance-mcp".into()),
        ..Default::default()
    };
    mcpwright::config::load(&fixture().join(mcpwright::config::FILE_NAME))
        .expect("the fixture's mcpwright.toml reads")
        .apply(&mut options)
        .expect("the fixture's mcpwright.toml applies");
    mcpwright::generate(&fixture().join("openapi.yaml"), &out, &options)
        .expect("the conformance fixture generates");
    build_binary(&out, "conformance-mcp")
}

/// Runs the suite with the baselines in `baselines`, for the combinations in `only` (every one
/// when empty).
fn run_suite(server: &Path, baselines: &Path, results: &Path, only: &[&str]) -> Output {
    Command::new("node")
        .arg("conformance.mjs")
        .arg(server)
        .arg(baselines)
        .arg(results)
        .args(only)
        .current_dir(npm_ready())
        .output()
        .expect("node is installed")
}

fn describe(output: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn the_official_conformance_suite_passes() {
    let server = server();
    let scratch = tempfile::tempdir().unwrap();
    let baselines = fixture().join("expected-failures");
    let output = run_suite(&server, &baselines, &scratch.path().join("results"), &[]);
    assert!(output.status.success(), "{}", describe(&output));
    let text = describe(&output);
    for combination in [
        "2025-11-25-sessions",
        "2025-11-25-stateless",
        "2026-07-28-sessions",
        "2026-07-28-stateless",
    ] {
        assert!(
            text.contains(&format!("##### {combination}:")),
            "{combination} did not run:\n{text}"
        );
    }
    assert!(
        text.contains("all failures are expected"),
        "the baseline check did not run:\n{text}"
    );

    // The run fails on each of these edits of one combination's list, run on that combination.
    let must_fail = |name: &str, combination: &str, edit: &dyn Fn(&str) -> String, why: &str| {
        let dir = scratch.path().join(name);
        let baselines = edited_baselines(
            &fixture().join("expected-failures"),
            &dir,
            combination,
            edit,
        );
        let results = scratch.path().join(format!("{name}-results"));
        let output = run_suite(&server, &baselines, &results, &[combination]);
        assert!(!output.status.success(), "{why}");
    };
    // A scenario that passes but is still listed is a stale entry.
    must_fail(
        "stale",
        "2025-11-25-sessions",
        &|listed| listed.replace("server:\n", "server:\n  - ping\n"),
        "a stale entry must fail the run",
    );
    // So is a listed check that passes.
    must_fail(
        "stale-check",
        "2026-07-28-stateless",
        &|listed| {
            listed.replace(
                "server:\n",
                "server:\n  - caching:sep-2549-tools-list-caching-hints\n",
            )
        },
        "a stale check entry must fail the run",
    );
    // An entry for a scenario the run does not score (`ping` is not in 2026-07-28's set) could
    // never go stale.
    must_fail(
        "stray",
        "2026-07-28-sessions",
        &|listed| listed.replace("server:\n", "server:\n  - ping\n"),
        "an entry for a scenario not run must fail the run",
    );
    // A failure that is not listed.
    must_fail(
        "missing",
        "2026-07-28-sessions",
        &|listed| listed.replace("  - prompts-list\n", ""),
        "an unlisted failure must fail the run",
    );
}
