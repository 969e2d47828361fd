//! Local files that tools may upload (multipart file fields and binary bodies given as
//! `{"path": …}`), limited to directories the operator allows with `--file-root` /
//! `MCP_FILE_ROOTS`. Without any, no file is ever read: a model cannot make the server send
//! arbitrary local files to the upstream API.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The largest file read for one upload.
pub const MAX_FILE_BYTES: u64 = 25 * 1024 * 1024;

static ROOTS: OnceLock<Vec<PathBuf>> = OnceLock::new();

/// Sets the allowed directories (canonicalized; ones that do not exist are dropped with a
/// warning). Later calls do nothing.
pub fn allow(roots: &[String]) {
    let canonical = roots
        .iter()
        .filter(|r| !r.trim().is_empty())
        .filter_map(|root| match std::fs::canonicalize(root.trim()) {
            Ok(path) if path.is_dir() => Some(path),
            _ => {
                tracing::warn!(root = %root, "file root is not a directory; ignored");
                None
            }
        })
        .collect();
    let _ = ROOTS.set(canonical);
}

/// Why a file argument cannot be read. The kinds are kept apart (a path outside the roots is
/// refused, a missing file is the model's mistake) rather than folded into one text; `Display`
/// words each for the model, which sees it as the argument's error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// No directory is allowed (`--file-root` / `MCP_FILE_ROOTS` unset): no file is ever read.
    NotAllowed,
    /// The path, as given, does not exist.
    Missing(String),
    /// The path resolves (after `..` and symbolic links) outside every allowed directory.
    Outside(String),
    /// The path is a directory or another non-file.
    NotAFile(String),
    /// The file is larger than [`MAX_FILE_BYTES`].
    TooLarge(String),
    /// Reading failed (permissions, I/O): the system's message.
    Unreadable(String),
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileError::NotAllowed => f.write_str(
                "reading local files is not allowed on this server (the operator can allow directories with --file-root / MCP_FILE_ROOTS); send the content base64-encoded instead",
            ),
            FileError::Missing(path) => write!(f, "no such file: {path}"),
            FileError::Outside(path) => {
                write!(f, "{path} is outside the directories this server may read")
            }
            FileError::NotAFile(path) => write!(f, "{path} is not a regular file"),
            FileError::TooLarge(path) => write!(f, "{path} is larger than {MAX_FILE_BYTES} bytes"),
            FileError::Unreadable(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for FileError {}

/// Reads `path` if it lies in an allowed directory: its bytes and its file name.
pub fn read(path: &str) -> Result<(Vec<u8>, String), FileError> {
    let roots = ROOTS.get().map(Vec::as_slice).unwrap_or_default();
    if roots.is_empty() {
        return Err(FileError::NotAllowed);
    }
    read_within(roots, Path::new(path))
}

fn read_within(roots: &[PathBuf], path: &Path) -> Result<(Vec<u8>, String), FileError> {
    let shown = || path.display().to_string();
    // Relative paths are taken from the first allowed directory.
    let joined = if path.is_relative() {
        roots[0].join(path)
    } else {
        path.to_owned()
    };
    // Canonical: `..` and symbolic links resolved before the check, so neither can leave the roots.
    let canonical = std::fs::canonicalize(&joined).map_err(|_| FileError::Missing(shown()))?;
    if !roots.iter().any(|root| canonical.starts_with(root)) {
        return Err(FileError::Outside(shown()));
    }
    let metadata =
        std::fs::metadata(&canonical).map_err(|err| FileError::Unreadable(err.to_string()))?;
    if !metadata.is_file() {
        return Err(FileError::NotAFile(shown()));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(FileError::TooLarge(shown()));
    }
    let bytes = std::fs::read(&canonical).map_err(|err| FileError::Unreadable(err.to_string()))?;
    let name = canonical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    Ok((bytes, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_inside_the_roots() {
        let dir = std::env::temp_dir().join(format!("mcpwright-files-{}", std::process::id()));
        let inside = dir.join("inside");
        std::fs::create_dir_all(&inside).unwrap();
        std::fs::write(inside.join("a.txt"), b"hi").unwrap();
        std::fs::write(dir.join("secret.txt"), b"no").unwrap();
        let roots = vec![std::fs::canonicalize(&inside).unwrap()];
        assert_eq!(
            read_within(&roots, Path::new("a.txt")).unwrap(),
            (b"hi".to_vec(), "a.txt".into())
        );
        assert!(
            read_within(&roots, Path::new("../secret.txt"))
                .unwrap_err()
                .to_string()
                .contains("outside")
        );
        assert!(
            read_within(&roots, &dir.join("secret.txt"))
                .unwrap_err()
                .to_string()
                .contains("outside")
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.join("secret.txt"), inside.join("link.txt")).unwrap();
            assert!(
                read_within(&roots, Path::new("link.txt"))
                    .unwrap_err()
                    .to_string()
                    .contains("outside"),
                "symlinks cannot escape"
            );
        }
        assert!(
            read_within(&roots, Path::new("."))
                .unwrap_err()
                .to_string()
                .contains("not a regular file")
        );
        assert!(
            read_within(&roots, Path::new("missing"))
                .unwrap_err()
                .to_string()
                .contains("no such file")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
