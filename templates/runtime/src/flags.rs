//! The flags of `serve` and `auth check`, as clap parses them from the command line and the
//! environment. They sit below the command line (`cli`) so that the settings resolved from them
//! (`config`) and `auth check` can read them without importing the entry point. The names of flags
//! and environment variables are a public contract: rename nothing.

use clap::{Args, ValueEnum};

use super::search_tools::ToolMode;

/// The MCP transport to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Transport {
    /// Newline-delimited JSON-RPC on stdin/stdout, for a client that starts this process.
    Stdio,
    /// Streamable HTTP at `/mcp`.
    Http,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The MCP transport.
    #[arg(long, value_enum, default_value_t = Transport::Stdio)]
    pub transport: Transport,

    /// Address to listen on with `--transport http` (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// Serve HTTP without sessions, so any replica can answer any request.
    #[arg(long)]
    pub stateless: bool,

    /// Serve HTTP without an OAuth issuer: every client that can reach the port can call every
    /// tool. Ignored when an issuer is set.
    #[arg(long)]
    pub allow_unauthenticated: bool,

    #[command(flatten)]
    pub auth: AuthArgs,

    /// The upstream API's base URL [default: the first server in the API description].
    #[arg(long, env = "MCP_UPSTREAM_URL", value_name = "URL")]
    pub upstream_url: Option<String>,

    /// Limit for one upstream request, from connecting to the last byte of the response.
    #[arg(
        long,
        env = "MCP_UPSTREAM_TIMEOUT",
        value_name = "SECONDS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub upstream_timeout: u64,

    /// Upstream response bodies are cut after this many bytes.
    #[arg(
        long,
        env = "MCP_MAX_RESPONSE_BYTES",
        value_name = "N",
        default_value_t = 2 * 1024 * 1024,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub max_response_bytes: u64,

    /// Upstream calls in flight at once. Calls beyond it wait for a free slot (backpressure), up
    /// to the upstream timeout, then fail with a tool error saying the server is busy.
    #[arg(
        long,
        env = "MCP_MAX_CONCURRENT_CALLS",
        value_name = "N",
        default_value_t = 64,
        value_parser = clap::value_parser!(u64).range(1..=1_000_000)
    )]
    pub max_concurrent_calls: u64,

    /// The largest MCP request accepted: an HTTP body (larger ones get 413) or a stdio line
    /// (answered with a JSON-RPC error).
    #[arg(
        long,
        env = "MCP_MAX_REQUEST_BYTES",
        value_name = "N",
        default_value_t = 4 * 1024 * 1024,
        value_parser = clap::value_parser!(u64).range(1024..)
    )]
    pub max_request_bytes: u64,

    /// Which tools to list: one per operation, or three that search, describe and call the
    /// operations (for large APIs) [default: the crate's, see `tools`].
    #[arg(long, env = "MCP_TOOL_MODE", value_enum, value_name = "MODE")]
    pub tool_mode: Option<ToolMode>,

    /// Offer only operations whose HTTP method is safe (GET, HEAD, OPTIONS): the others are left
    /// out of every list and search, and calls to them are refused.
    #[arg(long, env = "MCP_READ_ONLY")]
    pub read_only: bool,

    /// A smaller `tools/list` for clients with small context windows: each tool's description cut
    /// to its first sentence, no descriptions or examples inside input schemas, no output schemas.
    #[arg(long, env = "MCP_COMPACT_TOOLS")]
    pub compact_tools: bool,

    /// Extra accepted `Host` header values for HTTP, comma-separated (`name` or `name:port`;
    /// `*` accepts any). Loopback names and the bind host are always accepted.
    #[arg(
        long,
        env = "MCP_ALLOWED_HOSTS",
        value_name = "HOSTS",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,

    /// Browser origins allowed to call the HTTP endpoint, comma-separated
    /// (e.g. `https://app.example.com`). Requests from other origins get 403.
    #[arg(
        long,
        env = "MCP_ALLOWED_ORIGINS",
        value_name = "ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,

    /// Directories whose files tools may upload (file fields and binary bodies given as
    /// `{"path": …}`), comma-separated. Without any, no local file is read.
    #[arg(
        long = "file-root",
        env = "MCP_FILE_ROOTS",
        value_name = "DIRS",
        value_delimiter = ','
    )]
    pub file_roots: Vec<String>,

    /// Log filter, e.g. `debug` or `info,rmcp=warn` [default: RUST_LOG when set, else info].
    /// Logs go to stderr.
    #[arg(long, env = "MCP_LOG_LEVEL", value_name = "FILTER")]
    pub log_level: Option<String>,
}

/// Inbound OAuth: which access tokens the HTTP transport accepts.
#[derive(Debug, Clone, Args)]
pub struct AuthArgs {
    /// The OAuth authorization server whose access tokens are accepted over HTTP; setting it turns
    /// authentication on [default: the issuer of the API description's OpenID Connect scheme].
    #[arg(long, env = "MCP_AUTH_ISSUER", value_name = "URL")]
    pub issuer: Option<String>,

    /// The canonical URL of this MCP endpoint, as clients reach it (default: `http://<bind>/mcp`).
    #[arg(long, env = "MCP_RESOURCE_URL", value_name = "URL")]
    pub resource_url: Option<String>,

    /// The audience (`aud`) access tokens must be issued for [default: the resource URL].
    #[arg(long, env = "MCP_AUTH_AUDIENCE", value_name = "AUDIENCE")]
    pub audience: Option<String>,

    /// Client id this server introspects opaque access tokens with (RFC 7662).
    #[arg(long, env = "MCP_INTROSPECTION_CLIENT_ID", value_name = "ID")]
    pub introspection_client_id: Option<String>,

    /// Client secret for introspection (prefer the environment variable to the flag).
    #[arg(
        long,
        env = "MCP_INTROSPECTION_CLIENT_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub introspection_client_secret: Option<String>,

    /// Leave out of `tools/list` the tools the caller's token lacks the scopes for.
    #[arg(long, env = "MCP_HIDE_UNAUTHORIZED_TOOLS")]
    pub hide_unauthorized_tools: bool,

    /// The authorization server's scope hierarchy, instead of the one the crate was generated
    /// with: SCOPE=IMPLIED[,IMPLIED...] (repeatable; space-separated in the variable), e.g.
    /// repo=repo:status,public_repo. A token's scopes count with all they imply.
    #[arg(
        long = "scope-implies",
        env = "MCP_SCOPE_IMPLIES",
        value_name = "SCOPE=IMPLIED",
        value_delimiter = ' '
    )]
    pub scope_implies: Vec<String>,

    /// Least time between fetches of the issuer's metadata and keys: after a failure, and for
    /// tokens signed with a key the server does not know yet (key rotation).
    #[arg(
        long,
        env = "MCP_AUTH_REFRESH_INTERVAL",
        value_name = "SECONDS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub auth_refresh_interval: u64,
}
