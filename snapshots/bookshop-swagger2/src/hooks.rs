//! Hooks around every tool call: adjust the arguments before they are validated, the upstream
//! request before it is sent, and the result before the client sees it, for one tool (match on
//! `call.tool.name`) or for all. Reads of operations offered as resources run the same
//! `arguments` and `request` hooks, and `resource` instead of `result`.
//!
//! This file is yours: mcpwright created it once and never overwrites it.

use crate::runtime::hooks::Hooks;

/// The hooks this server runs. Override any method of [`Hooks`]; for example:
///
/// ```ignore
/// use crate::runtime::hooks::Call;
/// use crate::runtime::{ArgError, Request};
///
/// fn request(&self, call: &Call<'_>, request: &mut Request) -> Result<(), ArgError> {
///     if call.tool.name == "listBooks" {
///         request.set_header("X-Request-Source", "mcp".to_owned());
///     }
///     Ok(())
/// }
/// ```
pub struct AppHooks;

impl Hooks for AppHooks {}

/// The instance the server uses.
pub static HOOKS: AppHooks = AppHooks;
