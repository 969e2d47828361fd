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

pub use search_tools::{AUTO_SEARCH_ABOVE, ToolMode};
