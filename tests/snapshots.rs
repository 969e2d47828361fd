//! Snapshot tests: the whole generated crate for every bundled example is kept under
//! `snapshots/<example>/` and compared byte for byte. Set `MCPWRIGHT_UPDATE_SNAPSHOTS=1` to
//! rewrite them after an intended change, then review the diff.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{examples, repo, snapshot_crate_name};

fn render(spec: &Path, out: &Path, name: &str) -> BTreeMap<String, String> {
    let (_, krate) = mcpwright::render(
        spec,
        out,
        &mcpwright::Options {
            crate_name: Some(name.to_owned()),
            ..Default::default()
        },
    )
    .unwrap_or_else(|err| panic!("{}: {err}", spec.display()));
    krate.files
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
            mcpwright::write::write_crate(&dir, &mcpwright::emit::Crate { files: generated })
                .unwrap();
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
