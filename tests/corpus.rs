//! The real-world corpus: every spec in a folder (default `../shared/specs`, or
//! `MCPWRIGHT_CORPUS_DIR`) is generated, then `cargo check`ed and `cargo clippy -D warnings`ed in
//! one shared target folder, and a table is printed: spec, operations, tools, warnings, generate
//! ms, check s, clippy s, status.
//!
//! `cargo test` runs the subset listed in `tests/corpus/ci-subset.txt`. The whole corpus:
//!
//!     cargo test --release --test corpus -- --ignored --nocapture
//!
//! `tests/corpus/expected-failures.txt` lists known failures; a failure not listed fails the run,
//! and so does a listed one that now passes. The table is also written to
//! `target/corpus/report.md`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// One spec's outcome.
struct Row {
    spec: String,
    operations: usize,
    tools: usize,
    warnings: usize,
    generate_ms: u128,
    check_s: Option<f64>,
    clippy_s: Option<f64>,
    /// `ok`, or the stage that failed.
    status: String,
    detail: String,
}

fn corpus_dir() -> Option<PathBuf> {
    match std::env::var_os("MCPWRIGHT_CORPUS_DIR") {
        Some(dir) => Some(PathBuf::from(dir)),
        None => common::shared_specs(),
    }
}

fn listed(file: &str) -> Vec<String> {
    let text =
        std::fs::read_to_string(common::repo().join("tests/corpus").join(file)).unwrap_or_default();
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Expected failures: spec → stage.
fn expected_failures() -> BTreeMap<String, String> {
    listed("expected-failures.txt")
        .into_iter()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            Some((parts.next()?.to_owned(), parts.next()?.to_owned()))
        })
        .collect()
}

/// Runs cargo in `dir` with the shared target folder, returning the duration or the output.
fn timed_cargo(dir: &Path, args: &[&str]) -> Result<f64, String> {
    let lock = dir.join("Cargo.lock");
    if !lock.exists() {
        let _ = std::fs::copy(common::repo().join("Cargo.lock"), &lock);
    }
    let started = Instant::now();
    let output = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", common::generated_target())
        .env("CARGO_PROFILE_DEV_DEBUG", "line-tables-only")
        .env_remove("RUSTFLAGS")
        .output()
        .map_err(|err| err.to_string())?;
    let elapsed = started.elapsed().as_secs_f64();
    if output.status.success() {
        Ok(elapsed)
    } else {
        let text = String::from_utf8_lossy(&output.stderr);
        // The first error is what matters; the table stays readable.
        let first = text
            .lines()
            .skip_while(|l| !l.starts_with("error") && !l.starts_with("warning"))
            .take(12)
            .collect::<Vec<_>>()
            .join("\n");
        Err(first)
    }
}

fn run_spec(spec: &Path) -> Row {
    let file = spec
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem: String = file
        .trim_end_matches(".json")
        .trim_end_matches(".yaml")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let out = common::repo()
        .join("target")
        .join("corpus")
        .join(format!("{}-mcp", stem.trim_matches('-')));
    let mut row = Row {
        spec: file,
        operations: 0,
        tools: 0,
        warnings: 0,
        generate_ms: 0,
        check_s: None,
        clippy_s: None,
        status: "ok".into(),
        detail: String::new(),
    };
    let started = Instant::now();
    let options = mcpwright::Options {
        crate_name: Some("corpus-mcp".into()),
        ..Default::default()
    };
    let generated = mcpwright::generate(spec, &out, &options);
    row.generate_ms = started.elapsed().as_millis();
    match generated {
        Ok((api, _)) => {
            row.tools = api.tools.len();
            row.operations = api.tools.len() + api.skipped.len();
            row.warnings = api.warnings.len();
        }
        Err(err) => {
            row.status = "generate".into();
            row.detail = err.to_string();
            return row;
        }
    }
    match timed_cargo(&out, &["check", "--quiet"]) {
        Ok(s) => row.check_s = Some(s),
        Err(detail) => {
            row.status = "check".into();
            row.detail = detail;
            return row;
        }
    }
    match timed_cargo(&out, &["clippy", "--quiet", "--", "-D", "warnings"]) {
        Ok(s) => row.clippy_s = Some(s),
        Err(detail) => {
            row.status = "clippy".into();
            row.detail = detail;
        }
    }
    row
}

fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| spec | operations | tools | warnings | generate ms | check s | clippy s | status |\n",
    );
    out.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    let secs = |s: Option<f64>| s.map_or("-".to_owned(), |s| format!("{s:.1}"));
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.spec,
            r.operations,
            r.tools,
            r.warnings,
            r.generate_ms,
            secs(r.check_s),
            secs(r.clippy_s),
            r.status
        ));
    }
    let ok = rows.iter().filter(|r| r.status == "ok").count();
    let generated = rows.iter().filter(|r| r.status != "generate").count();
    out.push_str(&format!(
        "\n{generated}/{} generate, {ok}/{} pass check and clippy\n",
        rows.len(),
        rows.len()
    ));
    out
}

/// Runs `specs`, prints the table and checks the outcome against the expected failures.
fn run(specs: Vec<PathBuf>) {
    let expected = expected_failures();
    let rows: Vec<Row> = specs
        .iter()
        .map(|spec| {
            let row = run_spec(spec);
            eprintln!("{:<50} {:>6} ms  {}", row.spec, row.generate_ms, row.status);
            row
        })
        .collect();
    let report = table(&rows);
    eprintln!("\n{report}");
    let _ = std::fs::write(common::repo().join("target/corpus/report.md"), &report);
    let mut problems = Vec::new();
    for row in &rows {
        match (expected.get(&row.spec), row.status.as_str()) {
            (None, "ok") => {}
            (None, stage) => problems.push(format!("{} fails at {stage}, unexpectedly:\n{}", row.spec, row.detail)),
            (Some(stage), status) if stage == status => {}
            (Some(stage), "ok") => problems.push(format!("{} is listed as failing at {stage} but passes: remove it from expected-failures.txt", row.spec)),
            (Some(stage), status) => problems.push(format!("{} is listed as failing at {stage} but fails at {status}:\n{}", row.spec, row.detail)),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// The subset `cargo test` runs: one spec of each version and body type.
#[test]
fn corpus_subset() {
    let Some(dir) = corpus_dir() else {
        eprintln!("skipped: no corpus folder (../shared/specs or MCPWRIGHT_CORPUS_DIR)");
        return;
    };
    let specs = listed("ci-subset.txt")
        .into_iter()
        .map(|f| dir.join(f))
        .filter(|p| p.exists())
        .collect();
    run(specs);
}

/// Every spec of the corpus folder.
#[test]
#[ignore = "the whole corpus takes many minutes: cargo test --release --test corpus -- --ignored --nocapture"]
fn corpus_full() {
    let Some(dir) = corpus_dir() else {
        panic!("no corpus folder: set MCPWRIGHT_CORPUS_DIR or provide ../shared/specs");
    };
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the corpus folder is readable")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "json" || e == "yaml" || e == "yml")
        })
        .collect();
    specs.sort();
    run(specs);
}
