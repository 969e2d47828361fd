//! The emit stage's own types, which its emitters share: the choices that shape the generated
//! crate, the crate in memory, and the names every file agrees on. Apart from `mod.rs` so the
//! emitters import them without reaching back up into the stage's driver.

use std::collections::BTreeMap;

/// The version written into every `@generated` header.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Choices that shape the generated crate.
#[derive(Debug, Clone)]
pub struct Options {
    /// The crate's name (and its binary's).
    pub crate_name: String,
    /// Where the CI workflow finds the spec and the crate.
    pub workflow: crate::workflow::Paths,
    /// The server's default tool mode.
    pub tool_mode: crate::search::ToolMode,
}

/// A generated crate: relative paths (with `/`) to contents, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Crate {
    /// Generated files: rewritten on every generation.
    pub files: BTreeMap<String, String>,
    /// Files the user owns: written only when missing, never compared or overwritten.
    pub user_files: BTreeMap<String, String>,
}

/// The library name Cargo derives from a crate name.
pub fn lib_name(crate_name: &str) -> String {
    crate_name.replace('-', "_")
}
