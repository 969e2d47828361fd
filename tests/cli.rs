//! The `mcpwright` command line: exit codes, located messages, and an output folder left as it
//! was when the input is bad.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn mcpwright(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcpwright"))
        .args(args)
        .output()
        .expect("run mcpwright")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = common::repo().join("target").join("cli-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Generating from `spec_text` fails with exit code 1, a message containing every `needles`, and
/// leaves both a missing and an existing output folder exactly as they were.
fn fails(name: &str, file: &str, spec_text: &str, needles: &[&str]) {
    let dir = scratch(name);
    let spec = dir.join(file);
    std::fs::write(&spec, spec_text).unwrap();
    let out = dir.join("out");
    let output = mcpwright(&[
        "generate",
        spec.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{name}: {message}");
    for needle in needles {
        assert!(
            message.contains(needle),
            "{name}: `{needle}` missing from:\n{message}"
        );
    }
    assert!(!out.exists(), "{name}: the output folder was created");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "{name}: something was left beside the spec"
    );

    // An existing generated crate is left untouched too.
    let good = common::repo().join("examples/petstore/openapi.yaml");
    let status = mcpwright(&[
        "generate",
        good.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(status.status.success(), "{}", stderr(&status));
    let before = snapshot(&out);
    let output = mcpwright(&[
        "generate",
        spec.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{name}");
    assert_eq!(snapshot(&out), before, "{name}: the existing crate changed");
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let modified = entry.metadata().unwrap().modified().unwrap();
                out.push((path.clone(), std::fs::read(&path).unwrap(), modified));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn invalid_yaml_is_located() {
    fails(
        "yaml",
        "api.yaml",
        "openapi: 3.0.3\ninfo: [unclosed\n",
        &["api.yaml:", "invalid YAML"],
    );
}

#[test]
fn unknown_version_is_located() {
    fails(
        "version",
        "api.yaml",
        "openapi: 4.0.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
        &["#/openapi", "4.0.0"],
    );
}

#[test]
fn dangling_ref_is_located() {
    let spec = r##"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Missing"}}}}}}}}}"##;
    fails(
        "dangling",
        "api.json",
        spec,
        &[
            "api.json",
            "#/paths/~1a/get/responses/200/content/application~1json/schema/$ref",
            "#/components/schemas/Missing",
        ],
    );
}

#[test]
fn duplicate_operation_id_is_located() {
    let spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get: {operationId: same, responses: {'200': {description: ok}}}\n  /b:\n    post: {operationId: same, responses: {'200': {description: ok}}}\n";
    // By default a located warning, and the tools get distinct names…
    let dir = scratch("duplicate-lenient");
    let path = dir.join("api.yaml");
    std::fs::write(&path, spec).unwrap();
    let output = mcpwright(&["inspect", path.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let message = stderr(&output);
    for needle in [
        "warning:",
        "#/paths/~1b/post/operationId",
        "POST /b",
        "GET /a",
        "same",
    ] {
        assert!(
            message.contains(needle),
            "`{needle}` missing from:\n{message}"
        );
    }
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        table.contains("same ") && table.contains("same_2"),
        "{table}"
    );
    // …and with --strict, an error that leaves the output folder untouched.
    let dir = scratch("duplicate-strict");
    let path = dir.join("api.yaml");
    std::fs::write(&path, spec).unwrap();
    let out = dir.join("out");
    let output = mcpwright(&[
        "generate",
        path.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--strict",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    for needle in [
        "#/paths/~1b/post/operationId",
        "POST /b",
        "GET /a",
        "--strict",
    ] {
        assert!(
            message.contains(needle),
            "`{needle}` missing from:\n{message}"
        );
    }
    assert!(!out.exists());
}

#[test]
fn filters_choose_the_tools() {
    let spec = common::repo().join("examples/petstore/openapi.yaml");
    let output = mcpwright(&[
        "inspect",
        spec.to_str().unwrap(),
        "--include-tag",
        "pets",
        "--exclude-method",
        "delete",
        "--exclude-op",
        "update*",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let table = String::from_utf8_lossy(&output.stdout);
    let tools: Vec<&str> = table
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .take_while(|t| !t.is_empty())
        .collect();
    assert_eq!(&tools[..3], ["listPets", "createPet", "getPet"], "{table}");
    assert!(
        !table.contains("deletePet")
            && !table.contains("updatePet")
            && !table.contains("listVisits"),
        "{table}"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(mcpwright(&["generate"]).status.code(), Some(2));
    assert_eq!(mcpwright(&["frobnicate"]).status.code(), Some(2));
    let spec = common::repo().join("examples/petstore/openapi.yaml");
    let out = scratch("usage").join("out");
    let output = mcpwright(&[
        "generate",
        spec.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--name",
        "9 bad",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

#[test]
fn a_missing_spec_file_is_an_input_error() {
    let output = mcpwright(&["inspect", "/nonexistent/api.yaml"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("/nonexistent/api.yaml"));
}

#[test]
fn regenerating_keeps_unchanged_files_and_user_files() {
    let dir = scratch("regenerate");
    let spec = common::repo().join("examples/petstore/openapi.yaml");
    let out = dir.join("petstore-mcp");
    let run = || {
        mcpwright(&[
            "generate",
            spec.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
    };
    assert!(run().status.success());
    std::fs::write(out.join("src/notes.rs"), "// mine\n").unwrap();
    let before = snapshot(&out);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let output = run();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("0 files written"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        snapshot(&out),
        before,
        "timestamps and contents are unchanged"
    );
}

#[test]
fn inspect_prints_the_tool_table_and_json() {
    let spec = common::repo().join("examples/petstore/openapi.yaml");
    let output = mcpwright(&["inspect", spec.to_str().unwrap()]);
    assert!(output.status.success());
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        table.contains("listPets") && table.contains("GET") && table.contains("/pets/{petId}"),
        "{table}"
    );
    let output = mcpwright(&["inspect", spec.to_str().unwrap(), "--format", "json"]);
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("inspect --format json prints JSON");
    assert_eq!(json["tools"][0]["name"], "listPets");
    assert_eq!(json["tools"][0]["inputSchema"]["type"], "object");
}
