//! Errors and warnings, each naming the place in the spec it is about and what to do.
//!
//! The generator never panics on input: every problem with a spec is a [`Diagnostic`], fatal as an
//! [`Error::Spec`] or recorded as a warning next to a best-effort result.

use std::fmt;
use std::path::PathBuf;

/// Where in the input a diagnostic points.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// The spec file (as given on the command line, or the referenced file).
    pub file: String,
    /// 1-based line and column, when the input has them.
    pub line_col: Option<(usize, usize)>,
    /// A JSON pointer into the document (`/paths/~1pets/get`), empty for the whole document.
    pub pointer: String,
    /// The operation, as `METHOD /path`, when the problem belongs to one.
    pub operation: Option<String>,
}

impl Location {
    pub fn new(file: impl Into<String>, pointer: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            pointer: pointer.into(),
            ..Location::default()
        }
    }

    pub fn with_operation(mut self, operation: impl Into<String>) -> Self {
        self.operation = Some(operation.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some((line, col)) = self.line_col {
            write!(f, ":{line}:{col}")?;
        }
        if !self.pointer.is_empty() {
            write!(f, " at #{}", self.pointer)?;
        }
        if let Some(op) = &self.operation {
            write!(f, " ({op})")?;
        }
        Ok(())
    }
}

/// One problem found in a spec: where, what, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// Boxed: diagnostics travel in `Err`s, which stay small this way.
    pub location: Box<Location>,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            location: Box::new(location),
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Why a run of the generator failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A problem in the input spec (exit code 1).
    #[error("{0}")]
    Spec(Box<Diagnostic>),
    /// The spec file could not be read (exit code 1).
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The output could not be written, or writing it would overwrite files the user owns
    /// (exit code 1).
    #[error("cannot write {path}: {message}")]
    Output { path: PathBuf, message: String },
    /// A bad option (exit code 2).
    #[error("{0}")]
    Usage(String),
}

impl From<Diagnostic> for Error {
    fn from(diagnostic: Diagnostic) -> Self {
        Error::Spec(Box::new(diagnostic))
    }
}

impl Error {
    /// The process exit code for this error: 2 for usage errors, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Escapes one JSON pointer reference token (RFC 6901).
pub fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Unescapes one JSON pointer reference token (`~1` → `/`, `~0` → `~`).
pub fn pointer_unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Joins a pointer and a token.
pub fn pointer_join(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", pointer_token(token))
}
