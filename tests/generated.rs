//! The generated crates for real: every snapshot crate, generated fresh into the shared target
//! folder (`crates/<example>-mcp`), is fmt-clean, clippy-clean (`-D warnings`) and builds there,
//! with one target folder for all of them; then the official MCP TypeScript SDK client drives each
//! example server over stdio and streamable HTTP against a recording upstream on loopback.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use common::{build_binary, cargo, examples, npm_ready, repo, snapshot_crate, snapshot_crate_name};

/// A snapshot crate, checked and built.
struct Built {
    example: String,
    /// The crate's folder.
    dir: PathBuf,
    binary: PathBuf,
}

/// The snapshot crates, generated, checked and built once for every test in this file.
fn built() -> &'static Vec<Built> {
    static BUILT: OnceLock<Vec<Built>> = OnceLock::new();
    BUILT.get_or_init(|| {
        examples()
            .into_iter()
            .map(|(example, spec)| {
                let dir = snapshot_crate(&example, &spec);
                let name = snapshot_crate_name(&example);
                cargo(&dir, &["fmt", "--check"]);
                cargo(
                    &dir,
                    &["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"],
                );
                let binary = build_binary(&dir, &name);
                Built {
                    example,
                    dir,
                    binary,
                }
            })
            .collect()
    })
}

fn binary(example: &str) -> PathBuf {
    built()
        .iter()
        .find(|built| built.example == example)
        .map(|built| built.binary.clone())
        .unwrap_or_else(|| panic!("no example {example}"))
}

/// Runs one scenario of `tests/e2e/run.mjs`.
fn e2e(example: &str, mode: &str) {
    let bin = binary(example);
    let dir = npm_ready();
    let output = Command::new("node")
        .arg("run.mjs")
        .arg(example)
        .arg(&bin)
        .arg(mode)
        .current_dir(&dir)
        .output()
        .expect("node is installed");
    let out = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{example} over {mode} failed:\n{out}\n{err}"
    );
}

#[test]
fn snapshot_crates_are_clean_and_build() {
    assert_eq!(built().len(), examples().len());
}

#[test]
fn generated_unit_tests_pass() {
    // The runtime's own unit tests travel with it into every generated crate.
    cargo(&built()[0].dir, &["test", "--quiet", "--lib"]);
}

#[test]
fn petstore_over_stdio() {
    e2e("petstore", "stdio");
}

#[test]
fn petstore_over_http() {
    e2e("petstore", "http");
}

#[test]
fn petstore_over_stateless_http() {
    e2e("petstore", "http-stateless");
}

#[test]
fn swagger2_bookshop_over_stdio_and_http() {
    e2e("bookshop-swagger2", "stdio");
    e2e("bookshop-swagger2", "http");
}

#[test]
fn openapi31_tasks_over_stdio_and_http() {
    e2e("tasks-openapi31", "stdio");
    e2e("tasks-openapi31", "http");
}

/// Runs one `node --test` file of `tests/e2e` against a generated server binary.
fn node_test(file: &str, server: &std::path::Path) {
    node_test_with(file, server, &[]);
}

/// [`node_test`] with more environment variables for the test file.
fn node_test_with(file: &str, server: &std::path::Path, env: &[(&str, &std::path::Path)]) {
    let dir = npm_ready();
    let output = Command::new("node")
        .args(["--test", "--test-reporter=spec", file])
        .current_dir(&dir)
        .env("MCPWRIGHT_SERVER", server)
        .envs(env.iter().copied())
        .output()
        .expect("node is installed");
    let out = String::from_utf8_lossy(&output.stdout);
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{file} failed:\n{out}\n{err}");
}

/// The stdio transport seen as a raw client process: protocol-only stdout, parse errors, clean
/// exits on EOF and SIGTERM (`tests/e2e/stdio.test.mjs`).
#[test]
fn petstore_stdio_hygiene() {
    node_test("stdio.test.mjs", &binary("petstore"));
}

/// Upstream faults (refused, 5xx, invalid JSON, huge, redirect, slow) and the request, response
/// and concurrency limits, through the real binary and its environment variables
/// (`tests/e2e/faults.test.mjs`).
#[test]
fn petstore_faults_and_limits() {
    node_test("faults.test.mjs", &binary("petstore"));
}

/// Three stateless replicas behind nginx (Debian's package, unpacked under target/tools) with
/// OAuth on: one client's calls spread over all of them (`tests/e2e/scaleout.test.mjs`).
#[test]
fn petstore_scales_out_behind_nginx() {
    let nginx = common::nginx();
    node_test_with(
        "scaleout.test.mjs",
        &binary("petstore"),
        &[("MCPWRIGHT_NGINX", nginx.as_path())],
    );
}

/// 64 sessions over streamable HTTP with JWT validation, from the Rust load generator
/// (`benches/loadgen`), nginx as the upstream: no errors, no crossed answers, bounded memory
/// (`tests/e2e/load.test.mjs`; a short soak here, the long one is documented in README.md).
#[test]
fn petstore_under_load_with_jwt() {
    let server = binary("petstore");
    cargo(&repo(), &["build", "--quiet", "-p", "mcpwright-loadgen"]);
    let loadgen = common::generated_target()
        .join("debug")
        .join("mcpwright-loadgen");
    let nginx = common::nginx();
    node_test_with(
        "load.test.mjs",
        &server,
        &[
            ("MCPWRIGHT_LOADGEN", loadgen.as_path()),
            ("MCPWRIGHT_NGINX", nginx.as_path()),
        ],
    );
}

/// Upstream credentials of every scheme type, against a recording upstream and a real OpenID
/// provider for client credentials and token exchange (`tests/e2e/credentials.test.mjs`).
#[test]
fn multi_auth_upstream_credentials() {
    node_test("credentials.test.mjs", &binary("multi-auth"));
}

/// Per-user consent: the multi-auth server as the OAuth client of a third-party authorization
/// server for its `user` scheme, two users with their own upstream tokens, the refusals, refresh,
/// revocation, the file store across a restart, the 2026-07-28 wire, and two stateless
/// replicas behind nginx sharing consent through a real Redis (`tests/e2e/consent.test.mjs`).
#[test]
fn multi_auth_user_consent() {
    let server = binary("multi-auth");
    let nginx = common::nginx();
    let redis = common::Redis::start(&[]);
    let redis_url = std::path::PathBuf::from(redis.url());
    node_test_with(
        "consent.test.mjs",
        &server,
        &[
            ("MCPWRIGHT_NGINX", nginx.as_path()),
            ("MCPWRIGHT_REDIS_URL", redis_url.as_path()),
        ],
    );
}

/// The petstore server as an OAuth 2.1 resource server: a real OpenID provider, the SDK client's
/// whole authorization flow, and the negative matrix (`tests/e2e/auth.test.mjs`).
#[test]
fn petstore_as_an_oauth_resource_server() {
    node_test("auth.test.mjs", &binary("petstore"));
}

#[test]
fn the_generated_server_prints_its_tools() {
    let output = Command::new(binary("petstore"))
        .arg("tools")
        .output()
        .unwrap();
    assert!(output.status.success());
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        table.contains("listPets") && table.contains("/pets/{petId}"),
        "{table}"
    );
    assert!(
        table.contains("tool mode: operations (auto: 64 operations or fewer)"),
        "{table}"
    );
}

/// Search mode end to end on Slack's Web API description (174 operations): the three tools over
/// stdio and HTTP, search → describe → call through the recording upstream, argument errors,
/// read-only, and OAuth step-up and hidden operations with a real OpenID provider
/// (`tests/e2e/search.test.mjs`). Needs `../shared/specs`; skipped where it is absent.
#[test]
fn slack_in_search_mode() {
    let Some(specs) = common::shared_specs() else {
        eprintln!("skipped: ../shared/specs is not present");
        return;
    };
    let dir = common::generated_target().join("crates").join("slack-mcp");
    let (api, _) = mcpwright::generate(
        &specs.join("slack.com__web-api.swagger.json"),
        &dir,
        &mcpwright::Options {
            crate_name: Some("slack-mcp".into()),
            ..Default::default()
        },
    )
    .expect("Slack's spec generates");
    assert_eq!(api.tools.len(), 174);
    let bin = build_binary(&dir, "slack-mcp");
    let output = Command::new(&bin).arg("tools").output().unwrap();
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        table.contains("tool mode: search (auto: more than 64 operations)"),
        "{table}"
    );
    assert!(table.contains("in search mode (3 tools)"), "{table}");
    node_test("search.test.mjs", &bin);
}

/// GitHub's REST API description (1,223 operations) generates a crate that `cargo check`
/// accepts. Needs `../shared/specs`; skipped (with a note) where it is absent.
#[test]
fn github_spec_generates_a_crate_that_checks() {
    let Some(specs) = common::shared_specs() else {
        eprintln!("skipped: ../shared/specs is not present");
        return;
    };
    let spec = specs.join("github.com__api.github.com.json");
    let out = repo()
        .join("target")
        .join("generated-crates")
        .join("github-mcp");
    let started = std::time::Instant::now();
    let (api, _) = mcpwright::generate(
        &spec,
        &out,
        &mcpwright::Options {
            crate_name: Some("github-mcp".into()),
            ..Default::default()
        },
    )
    .expect("GitHub's spec generates");
    eprintln!(
        "generated {} tools in {:?}",
        api.tools.len(),
        started.elapsed()
    );
    assert_eq!(api.tools.len(), 1223);
    cargo(&out, &["check", "--quiet"]);
}
