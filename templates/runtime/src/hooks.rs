//! Hooks around every tool call, written by the user in the generated crate's `src/hooks.rs`
//! (created once by mcpwright, never overwritten): adjust arguments before they are validated,
//! the upstream request before it is sent, and the result before the client sees it — for one
//! tool (match on `call.tool.name`) or for all.

// Defined in `api`, beside the tool table they refer to (and which refers to them); this module
// keeps the path generated crates' `src/hooks.rs` imports them by.
pub use super::api::{Call, Hooks, NoHooks};
