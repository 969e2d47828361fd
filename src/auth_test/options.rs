//! What `mcpwright auth test` is asked to do (the command line fills it).

use std::path::PathBuf;
use std::time::Duration;

/// How the authorization URL reaches the authorization server.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Browser {
    /// Open the system browser and wait for the redirect on a loopback port.
    #[default]
    Open,
    /// Print the URL and wait for the redirect on a loopback port.
    Print,
    /// Fetch the URL without a browser and follow the redirects to the loopback redirect URI
    /// (an authorization server that approves without a person: test IdPs, CI).
    Headless,
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The MCP endpoint.
    pub url: String,
    /// A generated crate: its `mcpwright.lock` says which scopes each tool needs.
    pub crate_dir: Option<PathBuf>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// An HTTPS URL of a Client ID Metadata Document (used when the authorization server
    /// supports them and no client id is given).
    pub client_metadata_url: Option<String>,
    pub browser: Browser,
    /// The tool to call (default: the first read-only tool).
    pub call: Option<String>,
    /// The call's arguments, a JSON object.
    pub args: Option<String>,
    /// The client-credentials grant instead of the authorization code (no user; CI).
    pub client_credentials: bool,
    /// How long to wait for the browser's redirect.
    pub timeout: Duration,
}
