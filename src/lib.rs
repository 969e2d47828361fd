//! mcpwright turns an OpenAPI document into a standalone, typed Rust MCP server crate.
//!
//! The stages follow the data: [`load`] reads and normalizes the spec (Swagger 2.0, OpenAPI 3.0
//! and 3.1) into one OpenAPI 3.0 model, [`ir`] builds the intermediate model of tools, parameters,
//! schemas and security that is the only thing the emitters read, [`emit`] renders the crate into
//! memory, and [`write`](mod@write) puts it on disk without touching what the user owns.
//! [`pipeline`] runs them in that order; every stage reads the one [`Options`], which the
//! command line fills and `mcpwright.toml` ([`config`]) deserializes into.

pub mod auth_test;
pub mod check;
pub mod config;
pub mod contract;
pub mod emit;
pub mod error;
#[doc(hidden)]
pub mod fuzz;
pub mod inspect;
pub mod ir;
pub mod load;
pub mod locate;
pub mod naming;
pub mod options;
pub mod pipeline;
pub mod search;
pub mod suggest;
pub mod timings;
pub mod workflow;
pub mod write;

pub use error::{Diagnostic, Error, Location, Result};
pub use options::Options;
pub use pipeline::{generate, model, model_from_bytes, render};
