//! Snapshot tests: the whole generated crate for every bundled example is kept under
//! `snapshots/<example>/` and compared byte for byte. Set `MCPWRIGHT_UPDATE_SNAPSHOTS=1` to
//! rewrite them after an intended change, then review the diff.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{examples, repo, snapshot_crate_name};

/// Every file of the generated crate, the user's starter files (`src/hooks.rs`) included.
fn render(spec: &Path, out: &Path, name: &str) -> BTreeMap<String, String> {
    let options = mcpwright::Options {
        crate_name: Some(name.to_owned()),
        ..Default::default()
    };
    let (_, krate) = mcpwright::render(spec, out, &options)
        .unwrap_or_else(|err| panic!("{}: {err}", spec.display()));
    krate.files.into_iter().chain(krate.user_files).collect()
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

/// The files of a snapshot folder, outside build output and lock files.
fn read_snapshot(dir: &Path) -> BTreeMap<String, String> {
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
        let dir = repo().join("snapshots").join(&example);
        let generated = render(&spec, &dir, &snapshot_crate_name(&example));
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
        let first = render(&spec, &out, "api-mcp");
        for _ in 0..3 {
            assert_eq!(
                render(&spec, &out, "api-mcp"),
                first,
                "{example}: two runs differ"
            );
        }
    }
}
