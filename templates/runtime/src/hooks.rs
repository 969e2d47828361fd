//! Hooks around every tool call, written by the user in the generated crate's `src/hooks.rs`
//! (created once by mcpwright, never overwritten): adjust arguments before they are validated,
//! the upstream request before it is sent, and the result before the client sees it — for one
//! tool (match on `call.tool.name`) or for all.

use rmcp::model::CallToolResult;

use super::api::{JsonObject, ToolDef};
use super::auth::Identity;
use super::request::{ArgError, Request};

/// The call a hook runs for.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    pub tool: &'static ToolDef,
    /// The caller, over authenticated HTTP.
    pub identity: Option<&'a Identity>,
}

/// Hooks; every method has a default that changes nothing.
pub trait Hooks: Send + Sync + 'static {
    /// Runs before the arguments are validated: add defaults, rename, rewrite. An error is
    /// returned to the model as a tool error.
    fn arguments(&self, call: &Call<'_>, arguments: &mut JsonObject) -> Result<(), ArgError> {
        let _ = (call, arguments);
        Ok(())
    }

    /// Runs before the request is sent, before credentials are added: adjust headers, query or
    /// body.
    fn request(&self, call: &Call<'_>, request: &mut Request) -> Result<(), ArgError> {
        let _ = (call, request);
        Ok(())
    }

    /// Runs on every result, errors included: redact, reshape, annotate.
    fn result(&self, call: &Call<'_>, result: &mut CallToolResult) {
        let _ = (call, result);
    }
}

/// No hooks at all.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHooks;

impl Hooks for NoHooks {}
