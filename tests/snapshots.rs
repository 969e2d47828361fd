//! Snapshot tests: what the generator decides for every bundled example (the whole generated
//! crate but `src/runtime/`) is kept under `snapshots/<example>/` and compared byte for byte. Set
//! `MCPWRIGHT_UPDATE_SNAPSHOTS=1` to rewrite them after an intended change, then review the diff.
//! The runtime, copied in verbatim, is checked once against `templates/runtime/src` instead.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{examples, render_snapshot, repo, snapshot_dir};

/// The runtime support code's folder in a generated crate: copied verbatim, so not snapshotted.
const RUNTIME: &str = "src/runtime/";

/// Every file of the generated crate outside `src/runtime/`, the user's starter files
/// (`src/hooks.rs`) included.
fn snapshot_files(krate: mcpwright::emit::Crate) -> BTreeMap<String, String> {
    krate
        .files
        .into_iter()
        .chain(krate.user_files)
        .filter(|(path, _)| !path.starts_with(RUNTIME))
        .collect()
}

/// Replaces the snapshot folder's files with `files` (build output and lock files stay).
fn rewrite(dir: &Path, files: &BTreeMap<String, String>) {
    for stale in read_snapshot(dir).keys() {
        let _ = std::fs::remove_file(dir.join(stale));
    }
    for (path, contents) in files {
        let target = dir.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, contents).unwrap();
    }
}

/// The files of a snapshot folder, outside build output, lock files and `src/runtime/`.
fn read_snapshot(dir: &Path) -> BTreeMap<String, String> {
    read_files(dir)
        .into_iter()
        .filter(|(path, _)| !path.starts_with(RUNTIME))
        .collect()
}

/// The files under `dir` by relative path (with `/`), outside build output and lock files.
fn read_files(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "target" {
                    stack.push(path);
                }
            } else if name != "Cargo.lock" {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(relative, std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    files
}

#[test]
fn generated_crates_match_their_snapshots() {
    let update = std::env::var_os("MCPWRIGHT_UPDATE_SNAPSHOTS").is_some_and(|v| v != "0");
    let mut problems = Vec::new();
    for (example, spec) in examples() {
        let dir = snapshot_dir(&example);
        let generated = snapshot_files(render_snapshot(&example, &spec));
        if update {
            rewrite(&dir, &generated);
            continue;
        }
        let stored = read_snapshot(&dir);
        for (path, contents) in &generated {
            match stored.get(path) {
                None => problems.push(format!("{example}: {path} is new")),
                Some(old) if old != contents => {
                    let line = old
                        .lines()
                        .zip(contents.lines())
                        .position(|(a, b)| a != b)
                        .map_or(0, |i| i + 1);
                    problems.push(format!("{example}: {path} differs (first at line {line})"));
                }
                Some(_) => {}
            }
        }
        for path in stored.keys().filter(|p| !generated.contains_key(*p)) {
            problems.push(format!("{example}: {path} is no longer generated"));
        }
    }
    assert!(
        problems.is_empty(),
        "generated crates differ from snapshots/ (rerun with MCPWRIGHT_UPDATE_SNAPSHOTS=1 if intended, and review the diff):\n{}",
        problems.join("\n")
    );
}

#[test]
fn generation_is_deterministic() {
    for (example, spec) in examples() {
        let out = repo().join("target").join("determinism").join(&example);
        let first = common::render(&spec, &out, "api-mcp");
        for _ in 0..3 {
            assert_eq!(
                common::render(&spec, &out, "api-mcp"),
                first,
                "{example}: two runs differ"
            );
        }
    }
}

/// Every generated crate's `src/runtime/` is the runtime crate's sources as they are on disk
/// (`templates/runtime/src`, all of it, `lib.rs` as `mod.rs`), each behind the one header line
/// every generated Rust file starts with.
#[test]
fn generated_runtime_is_the_runtime_crate() {
    let sources = read_files(&repo().join("templates").join("runtime").join("src"));
    assert!(
        sources.contains_key("lib.rs"),
        "templates/runtime/src/lib.rs"
    );
    for (example, spec) in examples() {
        let krate = render_snapshot(&example, &spec);
        // The header is pinned by the snapshot of `src/main.rs`.
        let header = krate.files["src/main.rs"]
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned();
        assert!(
            header.starts_with("// @generated by mcpwright "),
            "{example}: src/main.rs starts with {header:?}"
        );
        let expected: BTreeMap<String, String> = sources
            .iter()
            .map(|(path, source)| {
                let target = if path == "lib.rs" { "mod.rs" } else { path };
                (format!("{RUNTIME}{target}"), format!("{header}\n{source}"))
            })
            .collect();
        let emitted: BTreeMap<&str, &str> = krate
            .files
            .iter()
            .chain(&krate.user_files)
            .filter(|(path, _)| path.starts_with(RUNTIME))
            .map(|(path, contents)| (path.as_str(), contents.as_str()))
            .collect();
        assert_eq!(
            emitted.keys().copied().collect::<Vec<_>>(),
            expected.keys().map(String::as_str).collect::<Vec<_>>(),
            "{example}: the emitted runtime files are not those of templates/runtime/src"
        );
        for (path, contents) in &expected {
            assert!(
                emitted[path.as_str()] == contents,
                "{example}: {path} is not the header line plus its templates/runtime/src file"
            );
        }
    }
}
