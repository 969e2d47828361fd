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
        &["api.yaml:1:10 at #/openapi", "4.0.0"],
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
            "api.json:2:104 at #/paths/~1a/get/responses/200/content/application~1json/schema/$ref",
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

/// The Petstore example's text, and a copy of it in `dir`.
fn petstore_copy(dir: &Path) -> (String, PathBuf) {
    let text =
        std::fs::read_to_string(common::repo().join("examples/petstore/openapi.yaml")).unwrap();
    let spec = spec_file(dir, &text);
    (text, spec)
}

/// A spec file in a scratch folder, from text.
fn spec_file(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("api.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn check_reports_the_contract_diff() {
    let dir = scratch("check");
    let (original, spec) = petstore_copy(&dir);
    let out = dir.join("petstore-mcp");
    let (spec_arg, out_arg) = (spec.to_str().unwrap(), out.to_str().unwrap());
    assert!(
        mcpwright(&["generate", spec_arg, "-o", out_arg])
            .status
            .success()
    );
    let current = mcpwright(&["check", spec_arg, "-o", out_arg]);
    assert_eq!(current.status.code(), Some(0), "{}", stderr(&current));
    assert!(String::from_utf8_lossy(&current.stdout).contains("is current"));

    // Remove an operation, add one, change a parameter's type, add a scope.
    let changed = original
        .replace("      operationId: deletePet\n", "      operationId: deletePet\n      deprecated: true\n")
        .replace("schema: { type: integer, format: int32, minimum: 1, maximum: 100, default: 20 }", "schema: { type: string }")
        .replace(
            "      operationId: getPet\n      summary: Get a pet by id\n      tags: [pets]\n",
            "      operationId: getPet\n      summary: Get a pet by id\n      tags: [pets]\n      security:\n        - petstore_auth: [pets:read, pets:audit]\n",
        )
        .replace(
            "  /pets/{petId}/visits:\n",
            "  /pets/{petId}/vaccinations:\n    get:\n      operationId: listVaccinations\n      responses: {'200': {description: ok}}\n  /pets/{petId}/visits:\n",
        );
    let without_delete: String = {
        // The DELETE operation goes away entirely.
        let start = changed
            .find("    delete:\n      operationId: deletePet")
            .unwrap();
        let end = start + changed[start..].find("  /pets/{petId}/photo:").unwrap();
        format!("{}{}", &changed[..start], &changed[end..])
    };
    spec_file(&dir, &without_delete);
    let stale = mcpwright(&["check", spec_arg, "-o", out_arg]);
    assert_eq!(stale.status.code(), Some(1), "{}", stderr(&stale));
    let report = String::from_utf8_lossy(&stale.stdout);
    for expected in [
        "is stale",
        "with breaking changes",
        "+ tool `listVaccinations` added",
        "- tool `deletePet` removed (breaking)",
        "breaking   input.limit: type changed from integer to string",
        "breaking   scopes: pets:read pets:audit (was pets:read)",
        "added     src/tools/other.rs",
    ] {
        assert!(
            report.contains(expected),
            "`{expected}` missing from:\n{report}"
        );
    }
    let json = mcpwright(&["check", spec_arg, "-o", out_arg, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["current"], false);
    assert_eq!(json["contract"]["breaking"], true);
    assert_eq!(json["contract"]["removed"][0], "deletePet");

    // Regenerating makes it current again; nothing was written by `check`.
    assert!(
        mcpwright(&["generate", spec_arg, "-o", out_arg])
            .status
            .success()
    );
    assert_eq!(
        mcpwright(&["check", spec_arg, "-o", out_arg]).status.code(),
        Some(0)
    );
}

#[test]
fn hooks_are_the_users_and_survive_regeneration() {
    let dir = scratch("hooks");
    let spec = common::repo().join("examples/petstore/openapi.yaml");
    let out = dir.join("petstore-mcp");
    let args = [
        "generate",
        spec.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    assert!(mcpwright(&args).status.success());
    let hooks = out.join("src/hooks.rs");
    let mine = "//! My hooks.\nuse crate::runtime::hooks::Hooks;\npub struct AppHooks;\nimpl Hooks for AppHooks {}\npub static HOOKS: AppHooks = AppHooks;\n";
    std::fs::write(&hooks, mine).unwrap();
    assert!(mcpwright(&args).status.success());
    assert_eq!(
        std::fs::read_to_string(&hooks).unwrap(),
        mine,
        "regeneration kept the user's hooks"
    );
    let check = mcpwright(&["check", spec.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "a user's hooks are not drift: {}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn tool_names_stay_stable_across_regenerations() {
    let dir = scratch("stable-names");
    let out = dir.join("api-mcp");
    let v1 = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /things:\n    get: {responses: {'200': {description: ok}}}\n";
    let spec = spec_file(&dir, v1);
    let (spec_arg, out_arg) = (spec.to_str().unwrap(), out.to_str().unwrap());
    assert!(
        mcpwright(&["generate", spec_arg, "-o", out_arg])
            .status
            .success()
    );
    let names = |out: &Path| -> Vec<(String, String)> {
        let lock: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("mcpwright.lock")).unwrap())
                .unwrap();
        lock["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["operation"].as_str().unwrap().to_owned(),
                    t["name"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(
        names(&out),
        [("GET /things".to_owned(), "get_things".to_owned())]
    );
    // A new operation, listed first, whose operationId is the existing tool's name: without the
    // lock it would take `get_things` and push the old tool to `get_things_2`.
    let v2 = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /other:\n    get: {operationId: get_things, responses: {'200': {description: ok}}}\n  /things:\n    get: {responses: {'200': {description: ok}}}\n";
    spec_file(&dir, v2);
    assert!(
        mcpwright(&["generate", spec_arg, "-o", out_arg])
            .status
            .success()
    );
    let names_v2 = names(&out);
    assert!(
        names_v2.contains(&("GET /things".to_owned(), "get_things".to_owned())),
        "{names_v2:?}"
    );
    assert!(
        names_v2.contains(&("GET /other".to_owned(), "get_things_2".to_owned())),
        "{names_v2:?}"
    );
    // A name from an older naming rule stays too.
    let lock = std::fs::read_to_string(out.join("mcpwright.lock"))
        .unwrap()
        .replace("\"name\": \"get_things\"", "\"name\": \"things_get\"");
    std::fs::write(out.join("mcpwright.lock"), lock).unwrap();
    assert!(
        mcpwright(&["generate", spec_arg, "-o", out_arg])
            .status
            .success()
    );
    assert!(names(&out).contains(&("GET /things".to_owned(), "things_get".to_owned())));
}

/// `mcpwright.toml` beside the spec: every section takes effect, flags win, and `check` reads it
/// too (so CI makes the same choices).
#[test]
fn the_config_file_sets_every_choice_and_flags_win() {
    let dir = scratch("config");
    let (_, spec) = petstore_copy(&dir);
    std::fs::write(
        dir.join("mcpwright.toml"),
        r#"
name = "store-mcp"
upstream_url = "https://store.example.com/v2/"

[filters]
exclude_methods = ["DELETE"]

[scopes]
prefix = "store:"

[tools.listPets]
name = "browse_pets"
description = "Browse the pets for sale."

[tools."GET /pets/{petId}"]
description = "One pet."

[credentials.petstore_auth]
strategy = "client-credentials"
"#,
    )
    .unwrap();
    let out = dir.join("out");
    let (spec_arg, out_arg) = (spec.to_str().unwrap(), out.to_str().unwrap());
    let output = mcpwright(&["generate", spec_arg, "-o", out_arg]);
    assert!(output.status.success(), "{}", stderr(&output));
    let cargo = std::fs::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(cargo.contains("name = \"store-mcp\""), "{cargo}");
    let api = std::fs::read_to_string(out.join("src/api.rs")).unwrap();
    assert!(
        api.contains("Some(\"https://store.example.com/v2\")"),
        "{api}"
    );
    assert!(
        api.contains("default_strategy: ::std::option::Option::Some(\"client-credentials\")"),
        "{api}"
    );
    let lock = std::fs::read_to_string(out.join("mcpwright.lock")).unwrap();
    assert!(lock.contains("\"name\": \"browse_pets\"") && !lock.contains("\"name\": \"listPets\""));
    assert!(
        !lock.contains("deletePet"),
        "DELETE operations are filtered"
    );
    assert!(lock.contains("store:"), "scopes are prefixed: {lock}");
    let tools = out.join("src/tools");
    let text: String = std::fs::read_dir(&tools)
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    assert!(text.contains("Browse the pets for sale.") && text.contains("One pet."));

    let check = mcpwright(&["check", spec_arg, "-o", out_arg]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "check reads the same config: {}",
        String::from_utf8_lossy(&check.stdout)
    );

    // A flag wins over the file.
    let inspect = mcpwright(&[
        "inspect",
        spec_arg,
        "--format",
        "json",
        "--rename",
        "listPets=pets_list",
        "--include-method",
        "DELETE",
    ]);
    assert!(inspect.status.success(), "{}", stderr(&inspect));
    let json: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    let names: Vec<&str> = json["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["deletePet"],
        "filters from flags replace the file's"
    );
    let inspect = mcpwright(&[
        "inspect",
        spec_arg,
        "--format",
        "json",
        "--rename",
        "listPets=pets_list",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(json["tools"][0]["name"], "pets_list");
}

#[test]
fn config_mistakes_are_located_with_a_suggestion() {
    let dir = scratch("config-errors");
    let (_, spec) = petstore_copy(&dir);
    let spec_arg = spec.to_str().unwrap();
    let cases: [(&str, &[&str]); 4] = [
        (
            "[filters]\nexclude_method = [\"DELETE\"]\n",
            &["mcpwright.toml:2:1", "did you mean `exclude_methods`?"],
        ),
        (
            "[credentials.petstore_auth]\nstrategy = \"magic\"\n",
            &["`magic` is not a credential strategy", "client-credentials"],
        ),
        (
            "[credentials.petstore_aut]\nstrategy = \"static\"\n",
            &["not a security scheme", "did you mean `petstore_auth`?"],
        ),
        (
            "upstream_url = \"store.example.com\"\n",
            &["not an absolute http(s) URL"],
        ),
    ];
    for (config, needles) in cases {
        std::fs::write(dir.join("mcpwright.toml"), config).unwrap();
        let output = mcpwright(&["inspect", spec_arg]);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{config}: {message}");
        for needle in needles {
            assert!(
                message.contains(needle),
                "{config}: `{needle}` in {message}"
            );
        }
    }
    // A tool key that matches nothing is a warning with the closest key.
    std::fs::write(
        dir.join("mcpwright.toml"),
        "[tools.listPet]\nname = \"x\"\n",
    )
    .unwrap();
    let output = mcpwright(&["inspect", spec_arg]);
    assert!(output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains("tool settings for `listPet` match no operation")
            && message.contains("did you mean `listPets`?"),
        "{message}"
    );
    // An explicit --config that does not exist is an error, not silently ignored.
    let output = mcpwright(&[
        "inspect",
        spec_arg,
        "--config",
        "/nonexistent/mcpwright.toml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("/nonexistent/mcpwright.toml"));
}

/// A spec that trips every client-limit lint, and the suggested filter that clears them.
#[test]
fn inspect_warns_about_client_limits() {
    let dir = scratch("lints");
    let mut paths = String::new();
    for i in 0..120 {
        let tag = if i < 70 { "bulk" } else { "core" };
        paths.push_str(&format!(
            "  /items{i}:\n    get:\n      operationId: item{i}\n      tags: [{tag}]\n      responses: {{'200': {{description: ok}}}}\n"
        ));
    }
    let long_name = format!("get{}", "_very".repeat(12));
    paths.push_str(&format!(
        "  /long:\n    get:\n      operationId: {long_name}\n      tags: [bulk]\n      responses: {{'200': {{description: ok}}}}\n"
    ));
    let mut properties = String::new();
    for i in 0..1200 {
        properties.push_str(&format!(
            "                field{i}: {{type: string, description: 'A field with a long description to make the schema large, number {i}.'}}\n"
        ));
    }
    paths.push_str(&format!(
        "  /big:\n    post:\n      operationId: bigBody\n      tags: [bulk]\n      requestBody:\n        content:\n          application/json:\n            schema:\n              type: object\n              properties:\n{properties}      responses: {{'200': {{description: ok}}}}\n"
    ));
    let spec = spec_file(
        &dir,
        &format!("openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n{paths}"),
    );
    let spec_arg = spec.to_str().unwrap();
    let output = mcpwright(&["inspect", spec_arg]);
    assert!(output.status.success(), "{}", stderr(&output));
    let table = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "122 tools: more than the 100 some MCP clients accept",
        "--exclude-tag; the largest tags: bulk (72), core (50)",
        &format!(
            "1 tool name is 60 characters or longer (Cursor accepts up to 60, Claude and OpenAI 64): `{long_name}` ({})",
            long_name.len()
        ),
        "--rename OPERATION=NAME",
        "1 tool has an input schema over 16 KB: `bigBody`",
        "tools/list is",
    ] {
        assert!(table.contains(needle), "`{needle}` missing from:\n{table}");
    }
    let json = mcpwright(&["inspect", spec_arg, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(json["toolsListBytes"].as_u64().unwrap() > 40_000);
    assert_eq!(json["clientLimits"].as_array().unwrap().len(), 4);

    // The suggested filter: 50 tools left, over 40 but under 100, and nothing else to say.
    let output = mcpwright(&["inspect", spec_arg, "--exclude-tag", "bulk"]);
    let table = String::from_utf8_lossy(&output.stdout);
    let lints: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with("client limits:"))
        .collect();
    assert_eq!(lints.len(), 1, "{table}");
    assert!(lints[0].contains("50 tools: more than the 40"), "{table}");
}

/// `auto` serves search mode above 64 tools; `inspect` says which mode a crate gets and the size
/// of `tools/list` in both; `--tool-mode` and `tool_mode` set the crate's default.
#[test]
fn the_tool_mode_follows_the_size_and_the_choice() {
    let dir = scratch("tool-mode");
    let paths: String = (0..65)
        .map(|i| {
            format!(
                "  /items{i}:\n    get:\n      operationId: item{i}\n      tags: [items]\n      responses: {{'200': {{description: ok}}}}\n"
            )
        })
        .collect();
    let spec = spec_file(
        &dir,
        &format!("openapi: 3.0.3\ninfo: {{title: Items, version: '1'}}\npaths:\n{paths}"),
    );
    let spec_arg = spec.to_str().unwrap();
    let table = String::from_utf8_lossy(&mcpwright(&["inspect", spec_arg]).stdout).into_owned();
    assert!(
        table.contains("tool mode: search (auto: more than 64 tools); tools/list is "),
        "{table}"
    );
    let json = mcpwright(&["inspect", spec_arg, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["toolMode"], "search");
    assert_eq!(json["toolModeSetting"], "auto");
    let search_bytes = json["searchToolsListBytes"].as_u64().unwrap();
    assert!(search_bytes < 4096, "{search_bytes}");
    assert!(json["toolsListBytes"].as_u64().unwrap() > search_bytes);

    let forced = mcpwright(&["inspect", spec_arg, "--tool-mode", "operations"]);
    assert!(String::from_utf8_lossy(&forced.stdout).contains("tool mode: operations;"));

    // The generated crate carries the choice as its default.
    let out = dir.join("items-mcp");
    let generated = mcpwright(&[
        "generate",
        spec_arg,
        "-o",
        out.to_str().unwrap(),
        "--tool-mode",
        "operations",
    ]);
    assert!(generated.status.success(), "{}", stderr(&generated));
    let api = std::fs::read_to_string(out.join("src/api.rs")).unwrap();
    assert!(
        api.contains("default_tool_mode: ToolMode::Operations"),
        "{api}"
    );
    assert!(api.contains("include_str!(\"search_index.tsv\")"), "{api}");
    let index = std::fs::read_to_string(out.join("src/search_index.tsv")).unwrap();
    assert!(index.starts_with("# @generated by mcpwright"), "{index}");
    assert!(
        index.contains("\nmcpwright-search-index 1\n65\nitem0\titems\n"),
        "{index}"
    );

    // mcpwright.toml, and a typo in it.
    std::fs::write(dir.join("mcpwright.toml"), "tool_mode = \"search\"\n").unwrap();
    let table = String::from_utf8_lossy(&mcpwright(&["inspect", spec_arg]).stdout).into_owned();
    assert!(table.contains("tool mode: search;"), "{table}");
    std::fs::write(dir.join("mcpwright.toml"), "tool_mode = \"serch\"\n").unwrap();
    let bad = mcpwright(&["inspect", spec_arg]);
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("mcpwright.toml:1:"),
        "{}",
        stderr(&bad)
    );
    let usage = mcpwright(&["inspect", spec_arg, "--tool-mode", "serch"]);
    assert_eq!(usage.status.code(), Some(2));
}

/// The crate's CI workflow runs `mcpwright check` with paths that work from the repository root,
/// and is triggered by changes to the spec and its settings.
#[test]
fn the_ci_workflow_checks_the_crate_from_the_repository_root() {
    let dir = scratch("workflow");
    let (petstore, spec) = petstore_copy(&dir);
    std::fs::write(
        dir.join("mcpwright.toml"),
        "[filters]\nexclude_methods = [\"DELETE\"]\n",
    )
    .unwrap();
    let out = dir.join("servers/petstore-mcp");
    let output = mcpwright(&[
        "generate",
        spec.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(out.join(".github/workflows/mcpwright-check.yml")).unwrap();
    let workflow: serde_json::Value = serde_saphyr::from_str(&text).expect("valid YAML");
    let watched = &workflow["on"]["pull_request"]["paths"];
    assert_eq!(
        watched,
        &serde_json::json!([
            "target/cli-tests/workflow/api.yaml",
            "target/cli-tests/workflow/mcpwright.toml",
            "target/cli-tests/workflow/servers/petstore-mcp/**"
        ]),
        "{text}"
    );
    let steps = workflow["jobs"]["check"]["steps"].as_array().unwrap();
    let run = steps.last().unwrap()["run"].as_str().unwrap();
    let args: Vec<&str> = run
        .strip_prefix("mcpwright ")
        .expect("runs mcpwright")
        .split_whitespace()
        .collect();
    assert_eq!(args[0], "check", "{run}");
    let check = Command::new(env!("CARGO_BIN_EXE_mcpwright"))
        .args(&args)
        .current_dir(common::repo())
        .output()
        .unwrap();
    assert_eq!(
        check.status.code(),
        Some(0),
        "{run}: {}{}",
        String::from_utf8_lossy(&check.stdout),
        stderr(&check)
    );
    // And it catches drift: a spec change makes the same command fail.
    spec_file(
        &dir,
        &petstore.replace("operationId: listPets", "operationId: listAllPets"),
    );
    let check = Command::new(env!("CARGO_BIN_EXE_mcpwright"))
        .args(&args)
        .current_dir(common::repo())
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1));
}

/// `--quiet` prints errors only, `--verbose` every warning and the timing; output to a pipe
/// carries no colour codes.
#[test]
fn quiet_and_verbose() {
    let dir = scratch("verbosity");
    let mut paths = String::new();
    for i in 0..25 {
        // Each undeclared path parameter is a warning.
        paths.push_str(&format!(
            "  /things{i}/{{id}}:\n    get: {{operationId: get{i}, responses: {{'200': {{description: ok}}}}}}\n"
        ));
    }
    let spec = spec_file(
        &dir,
        &format!("openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n{paths}"),
    );
    let out = dir.join("out");
    let (spec_arg, out_arg) = (spec.to_str().unwrap(), out.to_str().unwrap());
    let warnings = |text: &str| text.lines().filter(|l| l.starts_with("warning:")).count();

    let normal = mcpwright(&["generate", spec_arg, "-o", out_arg]);
    let text = stderr(&normal);
    assert!(normal.status.success(), "{text}");
    assert_eq!(warnings(&text), 21, "20 shown and a summary line: {text}");
    assert!(
        text.contains("… and 5 more (--verbose shows them all)"),
        "{text}"
    );
    assert!(text.contains("generated 25 tools"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour codes on a pipe");

    let verbose = mcpwright(&["generate", spec_arg, "-o", out_arg, "--verbose"]);
    let text = stderr(&verbose);
    assert_eq!(warnings(&text), 25, "{text}");
    assert!(text.contains(" ms)"), "timing: {text}");

    let quiet = mcpwright(&["--quiet", "generate", spec_arg, "-o", out_arg]);
    assert!(quiet.status.success());
    assert_eq!(stderr(&quiet), "", "--quiet prints nothing on success");
}

/// A spec split over files: a change in a referenced file makes the crate stale too.
#[test]
fn check_sees_changes_in_referenced_files() {
    let dir = scratch("split-spec");
    std::fs::create_dir_all(dir.join("schemas")).unwrap();
    let spec = spec_file(
        &dir,
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get:\n      operationId: listPets\n      parameters:\n        - {name: limit, in: query, schema: {$ref: './schemas/limit.yaml'}}\n      responses: {'200': {description: ok}}\n",
    );
    std::fs::write(dir.join("schemas/limit.yaml"), "type: integer\n").unwrap();
    let out = dir.join("out");
    let (spec_arg, out_arg) = (spec.to_str().unwrap(), out.to_str().unwrap());
    let output = mcpwright(&["generate", spec_arg, "-o", out_arg]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        mcpwright(&["check", spec_arg, "-o", out_arg]).status.code(),
        Some(0)
    );

    std::fs::write(dir.join("schemas/limit.yaml"), "type: string\n").unwrap();
    let stale = mcpwright(&["check", spec_arg, "-o", out_arg]);
    assert_eq!(stale.status.code(), Some(1));
    let report = String::from_utf8_lossy(&stale.stdout);
    assert!(
        report.contains("input.limit: type changed from integer to string"),
        "{report}"
    );
    // A change that leaves the generated code alone still moves the source hash, so the
    // headers say which spec text the crate came from.
    std::fs::write(dir.join("schemas/limit.yaml"), "type: integer\n").unwrap();
    assert!(
        mcpwright(&["generate", spec_arg, "-o", out_arg])
            .status
            .success()
    );
    std::fs::write(
        dir.join("schemas/limit.yaml"),
        "type: integer # the page size\n",
    )
    .unwrap();
    assert_eq!(
        mcpwright(&["check", spec_arg, "-o", out_arg]).status.code(),
        Some(1)
    );
}

/// `--flatten-body` gives a body's properties to the tool as its own arguments, says which
/// bodies stay whole and why, and `check` without it explains what the switch back breaks.
#[test]
fn flat_bodies_are_a_choice_check_explains() {
    let dir = scratch("flatten-body");
    let spec = spec_file(
        &dir,
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /people:\n    post:\n      operationId: addPerson\n      requestBody:\n        required: true\n        content:\n          application/json:\n            schema:\n              type: object\n              properties: {name: {type: string}, email: {type: string}}\n              anyOf: [{required: [name]}, {required: [email]}]\n      responses: {'201': {description: ok}}\n  /tags:\n    post:\n      operationId: addTags\n      requestBody:\n        required: true\n        content:\n          application/json:\n            schema: {type: array, items: {type: string}}\n      responses: {'201': {description: ok}}\n",
    );
    let out = dir.join("out");
    let (spec_arg, out_arg) = (spec.to_str().unwrap(), out.to_str().unwrap());
    let generated = mcpwright(&["generate", spec_arg, "-o", out_arg, "--flatten-body"]);
    let text = stderr(&generated);
    assert!(generated.status.success(), "{text}");
    assert!(
        text.contains("POST /tags") && text.contains("stays one `body` argument"),
        "{text}"
    );
    assert!(!text.contains("POST /people"), "{text}");
    let lock = std::fs::read_to_string(out.join("mcpwright.lock")).unwrap();
    assert!(lock.contains("\"flatBody\": true"), "{lock}");
    let inspect = mcpwright(&["inspect", spec_arg, "--flatten-body", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(
        json["tools"][0]["inputSchema"]["anyOf"][0],
        serde_json::json!({"required": ["name"]})
    );
    assert_eq!(json["tools"][0]["arguments"][0]["flat"], true);

    assert_eq!(
        mcpwright(&["check", spec_arg, "-o", out_arg, "--flatten-body"])
            .status
            .code(),
        Some(0)
    );
    let stale = mcpwright(&["check", spec_arg, "-o", out_arg]);
    assert_eq!(stale.status.code(), Some(1), "{}", stderr(&stale));
    let report = String::from_utf8_lossy(&stale.stdout);
    assert!(report.contains("one `body` argument again"), "{report}");
    assert!(report.contains("breaking"), "{report}");
}
