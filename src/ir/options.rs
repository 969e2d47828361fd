//! The choices that shape the IR: scope mapping, filters, names and descriptions the user or the
//! lock file fixes, the upstream URL and credential strategies. Apart from the data types, as it
//! holds the filter and scope-map settings whose modules import those types.

use super::filter::Filters;
use super::scopes::ScopeMap;

/// Choices that shape the IR.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// How the spec's scope names become the MCP authorization server's.
    pub scope_map: ScopeMap,
    /// Which operations become tools.
    pub filters: Filters,
    /// Tool names to keep, by operation (`METHOD /path`), from the crate's lock file.
    pub locked_names: std::collections::HashMap<String, String>,
    /// Tool names chosen by the user, by operationId, tool name or `METHOD /path` (they win over
    /// the lock).
    pub renames: std::collections::HashMap<String, String>,
    /// Tool descriptions chosen by the user, keyed the same way.
    pub descriptions: std::collections::HashMap<String, String>,
    /// The upstream base URL to build in, instead of the spec's first server.
    pub upstream_url: Option<String>,
    /// Default credential strategies, by security scheme name.
    pub strategies: std::collections::BTreeMap<String, String>,
}
