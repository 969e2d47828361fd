//! Where the generated CI workflow finds the spec and the crate.
//!
//! GitHub runs workflows from the repository root, so the paths in the workflow are relative to
//! the root of the git repository that holds the crate (the crate itself when it is not in one
//! yet). Relative paths keep the file the same on every clone, so `mcpwright check` in CI sees
//! no drift where the generation ran on a developer's machine.

use std::path::{Component, Path, PathBuf};

/// The paths the workflow uses, with `/` separators, relative to the repository root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paths {
    /// The crate's folder (`.` when the crate is the repository).
    pub crate_dir: String,
    pub spec: String,
    /// The settings file, when generation used one.
    pub config: Option<String>,
    /// Whether the settings file is not the one `mcpwright` finds by itself (next to the spec),
    /// so `check` must be told.
    pub config_explicit: bool,
}

/// The workflow's paths for a crate generated into `out` from `spec`.
pub fn paths(spec: &Path, out: &Path, config: Option<&Path>) -> Paths {
    let out = absolute(out);
    let root = out
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map_or_else(|| out.clone(), Path::to_owned);
    let beside = crate::config::beside(spec);
    Paths {
        crate_dir: relative(&root, &out),
        spec: relative(&root, &absolute(spec)),
        config: config.map(|c| relative(&root, &absolute(c))),
        config_explicit: config
            .is_some_and(|c| beside.as_deref().map(absolute) != Some(absolute(c))),
    }
}

/// `path` made absolute and canonical where it exists (symlinks resolved, so the repository root
/// and the spec agree), lexically normalized where it does not exist yet.
fn absolute(path: &Path) -> PathBuf {
    let joined = std::env::current_dir().map_or_else(|_| path.to_owned(), |cwd| cwd.join(path));
    let mut existing = joined.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = existing.canonicalize() {
            let mut full = canonical;
            for part in rest.iter().rev() {
                full.push(part);
            }
            return normalize(&full);
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return normalize(&joined),
        }
    }
}

/// Removes `.` and folds `..` lexically.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `to` relative to the folder `from` (both absolute), with `/` separators.
fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let to_parts: Vec<Component> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = vec!["..".to_owned(); from.len() - common];
    parts.extend(
        to_parts[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_owned()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        let r = |a: &str, b: &str| relative(Path::new(a), Path::new(b));
        assert_eq!(r("/repo", "/repo/api/openapi.yaml"), "api/openapi.yaml");
        assert_eq!(r("/repo", "/repo"), ".");
        assert_eq!(r("/repo/crate", "/repo/spec.yaml"), "../spec.yaml");
        assert_eq!(normalize(Path::new("/a/./b/../c")), Path::new("/a/c"));
    }

    #[test]
    fn paths_are_relative_to_the_git_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::create_dir_all(root.join("api")).unwrap();
        std::fs::write(root.join("api/openapi.yaml"), "").unwrap();
        std::fs::write(root.join("api/mcpwright.toml"), "").unwrap();
        let paths = paths(
            &root.join("api/openapi.yaml"),
            &root.join("servers/./api-mcp"),
            Some(&root.join("api/mcpwright.toml")),
        );
        assert_eq!(
            paths,
            Paths {
                crate_dir: "servers/api-mcp".into(),
                spec: "api/openapi.yaml".into(),
                config: Some("api/mcpwright.toml".into()),
                config_explicit: false,
            }
        );
        // Outside a repository the crate is the root.
        let lone = tempfile::tempdir().unwrap();
        std::fs::write(lone.path().join("spec.yaml"), "").unwrap();
        let lone_paths = super::paths(
            &lone.path().join("spec.yaml"),
            &lone.path().join("out"),
            None,
        );
        assert_eq!(
            (lone_paths.crate_dir.as_str(), lone_paths.spec.as_str()),
            (".", "../spec.yaml")
        );
    }
}
