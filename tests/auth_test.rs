//! `mcpwright auth test` refereed by the official MCP conformance suite's client scenarios, and
//! end to end against a generated server and a real OpenID provider.
//!
//! The suite (`@modelcontextprotocol/conformance`, pinned in tests/e2e/package.json, on Node 22
//! from the npm package `node`) runs each revision's required client scenarios (2025-11-25,
//! 2026-07-28) with `auth test --headless` as the client (`tests/e2e/auth-test-client.mjs`, which
//! maps the harness's context onto the command's public flags and never looks at the scenario's
//! name). Every `auth/*` scenario must pass; the scenarios about other client behaviour that a
//! diagnostic does not have are listed with their reasons in
//! `tests/fixtures/auth-test/expected-failures/<revision>.yml`. A new failure, a stale entry, an
//! entry for a scenario the set does not score and an entry for an `auth/*` scenario all fail.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{build_binary, edited_baselines, npm_ready, repo, snapshot_crate};

const REVISIONS: [&str; 2] = ["2025-11-25", "2026-07-28"];

fn mcpwright() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_mcpwright"))
}

fn baselines() -> PathBuf {
    repo()
        .join("tests")
        .join("fixtures")
        .join("auth-test")
        .join("expected-failures")
}

fn run_suite(baselines: &Path, results: &Path, revision: &str, scenario: Option<&str>) -> Output {
    Command::new("node")
        .arg("auth-test-conformance.mjs")
        .arg(mcpwright())
        .arg(baselines)
        .arg(results)
        .arg(revision)
        .args(scenario)
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

/// The suite's per-scenario lines (`✓ auth/… : N passed, M failed`).
fn scenario_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|line| {
            (line.starts_with("✓ ") || line.starts_with("✗ ")) && line.contains(" passed, ")
        })
        .collect()
}

#[test]
fn the_conformance_client_scenarios_pass() {
    let scratch = tempfile::tempdir().unwrap();
    for revision in REVISIONS {
        let output = run_suite(
            &baselines(),
            &scratch.path().join("results"),
            revision,
            None,
        );
        let text = describe(&output);
        assert!(output.status.success(), "{revision}:\n{text}");
        assert!(
            text.contains(&format!(
                "auth test conformance {revision}: every failure is expected"
            )),
            "{revision}: the baseline check did not run:\n{text}"
        );
        let lines = scenario_lines(&text);
        let auth: Vec<&&str> = lines
            .iter()
            .filter(|l| l[4..].starts_with("auth/"))
            .collect();
        assert!(
            auth.len() >= 14,
            "{revision}: too few auth scenarios ran:\n{text}"
        );
        // `cargo test -- --nocapture` shows the table.
        println!("{revision}:\n{}", lines.join("\n"));
    }
}

#[test]
fn the_baselines_stay_honest() {
    let scratch = tempfile::tempdir().unwrap();
    let must_fail = |name: &str, scenario: &str, edit: &dyn Fn(&str) -> String, why: &str| {
        let dir = edited_baselines(&baselines(), &scratch.path().join(name), "2025-11-25", edit);
        let output = run_suite(
            &dir,
            &scratch.path().join("results"),
            "2025-11-25",
            Some(scenario),
        );
        assert!(!output.status.success(), "{why}:\n{}", describe(&output));
    };
    must_fail(
        "stale",
        "initialize",
        &|listed| listed.replace("client:\n", "client:\n  - initialize\n"),
        "a listed scenario that passes is a stale entry",
    );
    must_fail(
        "missing",
        "sse-retry",
        &|listed| listed.replace("  - sse-retry\n", ""),
        "an unlisted failure fails the run",
    );
    must_fail(
        "stray",
        "initialize",
        &|listed| listed.replace("client:\n", "client:\n  - ping\n"),
        "an entry for a scenario the set does not score fails the run",
    );
    must_fail(
        "auth",
        "auth/metadata-default",
        &|listed| listed.replace("client:\n", "client:\n  - auth/metadata-default\n"),
        "an auth scenario may not be listed",
    );
}

/// `auth test` against the petstore example's server and oidc-provider
/// (`tests/e2e/auth-cli.test.mjs`): the whole flow headlessly, each misconfiguration the
/// harness can make, and the JSON output's shape.
#[test]
fn auth_test_against_a_generated_server() {
    let spec = repo()
        .join("examples")
        .join("petstore")
        .join("openapi.yaml");
    let dir = snapshot_crate("petstore", &spec);
    let server = build_binary(&dir, "petstore-mcp");
    let output = Command::new("node")
        .args(["--test", "--test-reporter=spec", "auth-cli.test.mjs"])
        .current_dir(npm_ready())
        .env("MCPWRIGHT_SERVER", &server)
        .env("MCPWRIGHT_CLI", mcpwright())
        .env("MCPWRIGHT_CRATE", &dir)
        .output()
        .expect("node is installed");
    assert!(output.status.success(), "{}", describe(&output));
}
