//! The MCP contract of a generated server — each tool's name, operation, schemas and scopes — as
//! recorded in the crate's `mcpwright.lock`, and the difference between two contracts, classified
//! for the people and bots deciding whether a regeneration can ship.
//!
//! The lock file also keeps tool names stable: `generate` reads it and gives every operation the
//! name it had, whatever a new operation or a change of naming rules would suggest.
//!
//! It records each tool's schemas as fingerprints and as lines of the crate's stored schemas
//! (`src/schemas.tsv`), which hold every schema once; the diff reads the committed crate's schema
//! files to explain what changed, so the lock stays a small fraction of the spec however many
//! tools share a schema.
//!
//! This file is the front door: it declares the modules and re-exports what other stages use, and
//! defines nothing, so `lock` and `diff` import the data types from `model` without coming back
//! through it.

mod diff;
mod from_api;
mod lock;
mod model;

pub use diff::{Change, ContractDiff, Impact, diff};
pub use from_api::USER_OWNED;
pub use lock::LOCK_FILE;
pub use model::{Contract, SchemaContract, ToolContract, shape};
