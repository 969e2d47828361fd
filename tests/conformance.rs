//! The official MCP conformance suite (`@modelcontextprotocol/conformance`, pinned in
//! tests/e2e/package.json and run on Node 22 from the npm package `node`) against a server
//! generated from `tests/fixtures/conformance/openapi.yaml`, whose operations carry the suite's
//! tool names and are answered by the fixture upstream in `tests/e2e/conformance.mjs`.
//!
//! Only scenarios that cannot apply to an API proxy may fail; they are listed in
//! `tests/fixtures/conformance/expected-failures.yml`. The suite fails a run on any other failure
//! and on a listed scenario that passes; both are checked here too, so the baseline stays honest.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{build_binary, npm_ready, repo};

fn fixture() -> PathBuf {
    repo().join("tests").join("fixtures").join("conformance")
}

/// Generates and builds the fixture's server; returns its binary.
fn server() -> PathBuf {
    let out = repo()
        .join("target")
        .join("generated-crates")
        .join("conformance-mcp");
    mcpwright::generate(
        &fixture().join("openapi.yaml"),
        &out,
        &mcpwright::Options {
            crate_name: Some("conformance-mcp".into()),
            ..Default::default()
        },
    )
    .expect("the conformance fixture generates");
    build_binary(&out, "conformance-mcp")
}

fn run_suite(server: &Path, expected_failures: &Path, results: &Path) -> Output {
    Command::new("node")
        .arg("conformance.mjs")
        .arg(server)
        .arg(expected_failures)
        .arg(results)
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
    let baseline = fixture().join("expected-failures.yml");
    let output = run_suite(&server, &baseline, &scratch.path().join("results"));
    assert!(output.status.success(), "{}", describe(&output));
    let text = describe(&output);
    assert!(
        text.contains("all failures are expected"),
        "the baseline check did not run:\n{text}"
    );

    // A scenario that passes but is still listed is a stale entry: the run fails.
    let listed = std::fs::read_to_string(&baseline).unwrap();
    let stale = scratch.path().join("stale.yml");
    std::fs::write(&stale, listed.replace("server:\n", "server:\n  - ping\n")).unwrap();
    let output = run_suite(&server, &stale, &scratch.path().join("stale"));
    assert!(!output.status.success(), "a stale entry must fail the run");

    // A failure that is not listed fails the run.
    let missing = scratch.path().join("missing.yml");
    std::fs::write(&missing, listed.replace("  - prompts-list\n", "")).unwrap();
    assert_ne!(listed, std::fs::read_to_string(&missing).unwrap());
    let output = run_suite(&server, &missing, &scratch.path().join("missing"));
    assert!(
        !output.status.success(),
        "an unlisted failure must fail the run"
    );
}
