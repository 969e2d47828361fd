//! Search mode's index, built when the crate is generated (see the runtime's `search_index.rs` for
//! the format). The word splitting, the index format and the three tools' definitions are the
//! runtime's own files, compiled here too, so the generator and the server can never disagree on
//! what a word is or how the index reads.

#[path = "../../templates/runtime/src/search_index.rs"]
pub mod search_index;
#[path = "../../templates/runtime/src/search_text.rs"]
pub mod search_text;
#[path = "../../templates/runtime/src/search_tools.rs"]
pub mod search_tools;

mod build;

pub use build::{documents, index, index_text};

/// Which tools a generated server lists by default (`generate --tool-mode`, `tool_mode` in
/// `mcpwright.toml`); the server's `--tool-mode` / `MCP_TOOL_MODE` overrides it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolMode {
    /// One tool per operation.
    Operations,
    /// `search_operations`, `describe_operation` and `call_operation`.
    Search,
    /// Search mode above [`AUTO_SEARCH_ABOVE`] tools, one tool per operation otherwise.
    #[default]
    Auto,
}

impl ToolMode {
    /// Whether a server with `tools` tools serves search mode.
    pub fn searches(self, tools: usize) -> bool {
        match self {
            ToolMode::Operations => false,
            ToolMode::Search => true,
            ToolMode::Auto => tools > AUTO_SEARCH_ABOVE,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ToolMode::Operations => "operations",
            ToolMode::Search => "search",
            ToolMode::Auto => "auto",
        }
    }

    /// The variant of the runtime's `ToolMode`.
    pub fn variant(self) -> &'static str {
        match self {
            ToolMode::Operations => "Operations",
            ToolMode::Search => "Search",
            ToolMode::Auto => "Auto",
        }
    }
}

/// Above this many tools, `auto` serves search mode: clients cap or degrade on long tool lists
/// (Cursor uses the first 40–80 tools, OpenAI accepts 128, JetBrains 100).
pub const AUTO_SEARCH_ABOVE: usize = 64;
