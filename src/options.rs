//! Generation choices: the one `Options` the command line fills, `mcpwright.toml` deserializes
//! into (see `config` for the file and how it fills what flags leave unset), and every stage
//! reads. With the small data types it holds (`Filters`, `ScopeMap`, `ToolChoices`).
//!
//! This module sits under every stage, so it imports nothing from the generator except the tool
//! mode, which is the runtime's own leaf file (`search::search_tools`); the filter matching and
//! the scope lookups that need the IR stay in `ir::filter` and `ir::scopes`.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer};

use crate::search::ToolMode;

/// Generation choices (each is a command-line flag; most are also a `mcpwright.toml` setting).
///
/// The fields are in the order of the file's keys, and `#[serde(rename)]` gives the keys that
/// differ from the field names: serde lists the keys in this order when it meets an unknown one,
/// and that message (with its "did you mean") is what users see. (`expecting` keeps the name the
/// file's struct had in type errors, for the same reason.)
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "struct Config")]
pub struct Options {
    /// The crate's name (default: made from the output folder's name).
    #[serde(rename = "name")]
    pub crate_name: Option<String>,
    /// The upstream base URL built into the server (instead of the spec's first server).
    pub upstream_url: Option<String>,
    /// Treat problems the generator can work around (duplicate operationIds, repaired values)
    /// as errors.
    #[serde(default)]
    pub strict: bool,
    /// The tool mode the server uses unless told otherwise (default: auto).
    pub tool_mode: Option<ToolMode>,
    /// Give a JSON object request body's properties to the tool as its own arguments (beside the
    /// parameters') instead of one `body` argument, wherever that is exact (`ir::flat` says
    /// when). Off by default: it renames existing tools' arguments.
    #[serde(default)]
    pub flatten_body: bool,
    /// Which operations become tools.
    #[serde(default)]
    pub filters: Filters,
    /// How the spec's OAuth scope names become the MCP authorization server's. From the file it
    /// is taken as written (`[scopes]`: `prefix` and `map`); `config` checks it when it is used.
    #[serde(rename = "scopes", default, deserialize_with = "scope_table")]
    pub scope_map: ScopeMap,
    /// Tool names and descriptions the user chose (`[tools.<key>]`).
    #[serde(default)]
    pub tools: ToolChoices,
    /// Default credential strategies, by security scheme name (`[credentials.<scheme>]`).
    #[serde(rename = "credentials", default, deserialize_with = "credential_table")]
    pub strategies: BTreeMap<String, String>,
    /// `GET` operations also (or only) offered as MCP resources (`[resources]`).
    #[serde(default)]
    pub resources: ResourceChoices,
    /// Tool names to keep, by `METHOD /path` (read from the output's `mcpwright.lock` by
    /// `render`; never a setting).
    #[serde(skip)]
    pub locked_names: HashMap<String, String>,
    /// The `mcpwright.toml` these options came from, if any (the CI workflow watches it).
    #[serde(skip)]
    pub config_file: Option<PathBuf>,
}

/// Filters; an empty list of a kind keeps everything for that kind. (The matching is in
/// `ir::filter`, next to the operations it looks at.)
// serde names the struct in "expected struct …" messages: the name those messages have always
// shown is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default, expecting = "struct FilterConfig")]
pub struct Filters {
    pub include_tags: Vec<String>,
    pub exclude_tags: Vec<String>,
    /// operationIds or tool names, `*` as a wildcard.
    pub include_ops: Vec<String>,
    pub exclude_ops: Vec<String>,
    /// HTTP methods, any case.
    pub include_methods: Vec<String>,
    pub exclude_methods: Vec<String>,
    /// Path templates, `*` as a wildcard (`/repos/*`).
    pub include_paths: Vec<String>,
    pub exclude_paths: Vec<String>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }
}

/// Renames scopes: an explicit mapping first, else an optional prefix. With the scope
/// hierarchy of the MCP authorization server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeMap {
    pub renames: IndexMap<String, String>,
    pub prefix: Option<String>,
    /// Scopes that grant others (`repo` → `repo:status`, `public_repo`), in the authorization
    /// server's names (after renaming): a token with `repo` may call a tool that needs
    /// `public_repo`. MCP 2026-07-28 requires servers to account for scope hierarchies.
    pub implies: IndexMap<String, Vec<String>>,
}

impl ScopeMap {
    /// Parses `FROM=TO` entries (as given to `--scope-map`).
    pub fn parse(entries: &[String], prefix: Option<String>) -> Result<Self, String> {
        let mut renames = IndexMap::new();
        for entry in entries {
            let Some((from, to)) = entry.split_once('=') else {
                return Err(format!("`{entry}` is not FROM=TO"));
            };
            let (from, to) = (from.trim(), to.trim());
            if from.is_empty() || to.is_empty() || to.contains(char::is_whitespace) {
                return Err(format!(
                    "`{entry}` needs a scope on each side of `=`, without spaces"
                ));
            }
            renames.insert(from.to_owned(), to.to_owned());
        }
        Ok(ScopeMap {
            renames,
            prefix: prefix.filter(|p| !p.is_empty()),
            implies: IndexMap::new(),
        })
    }

    /// Parses `SCOPE=IMPLIED[,IMPLIED…]` entries (as given to `--scope-implies`); the entries of
    /// one scope given twice add up.
    pub fn parse_implies(entries: &[String]) -> Result<IndexMap<String, Vec<String>>, String> {
        scope_hierarchy::parse(entries).map(|hierarchy| hierarchy.into_iter().collect())
    }

    pub fn apply(&self, scope: &str) -> String {
        match (self.renames.get(scope), &self.prefix) {
            (Some(renamed), _) => renamed.clone(),
            (None, Some(prefix)) => format!("{prefix}{scope}"),
            (None, None) => scope.to_owned(),
        }
    }
}

// The syntax is the runtime's, so the generator and generated servers read it alike.
#[path = "../templates/runtime/src/scope_hierarchy.rs"]
mod scope_hierarchy;
pub use scope_hierarchy::check as check_implication;

/// Tool names and descriptions the user chose, by operationId, tool name or `METHOD /path`
/// (`--rename`, `--describe`). The file groups them by tool (`[tools.listPets]` with `name` and
/// `description`); the IR looks each kind up on its own, so they are kept apart here.
#[derive(Debug, Clone, Default)]
pub struct ToolChoices {
    pub renames: HashMap<String, String>,
    pub descriptions: HashMap<String, String>,
}

impl<'de> Deserialize<'de> for ToolChoices {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// One `[tools.<key>]` table (the struct's name shows in serde's messages).
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct ToolConfig {
            name: Option<String>,
            description: Option<String>,
        }
        let mut choices = ToolChoices::default();
        for (key, tool) in BTreeMap::<String, ToolConfig>::deserialize(deserializer)? {
            if let Some(name) = tool.name {
                choices.renames.insert(key.clone(), name);
            }
            if let Some(description) = tool.description {
                choices.descriptions.insert(key, description);
            }
        }
        Ok(choices)
    }
}

/// The operations offered as MCP resources, by operationId, tool name or `METHOD /path` (in
/// operationIds and tool names, `*` is a wildcard: `"get*"`, `"*"`), in the order given (the
/// command line's first). The matching and checks are in `ir::resources`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceChoices {
    pub entries: IndexMap<String, ResourceChoice>,
}

/// One `[resources]` entry, `--resource` or `--resource-only`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceChoice {
    /// Offered as a resource; `false` leaves an operation a wildcard entry matched out.
    pub on: bool,
    /// The URI template (default: `<crate-name>://` and the path template, with the query
    /// parameters as `{?…}`).
    pub uri: Option<String>,
    /// Still a tool too (the default), or a resource only.
    pub tool: bool,
}

impl ResourceChoices {
    /// Parses `OPERATION[=URI-TEMPLATE]` (as given to `--resource`, or with `tool` false to
    /// `--resource-only`) into `self`; a later entry for the same operation replaces an earlier.
    pub fn parse(&mut self, entries: &[String], tool: bool) -> Result<(), String> {
        for entry in entries {
            let (key, uri) = match entry.split_once('=') {
                Some((key, uri)) => (key.trim(), Some(uri.trim())),
                None => (entry.trim(), None),
            };
            if key.is_empty() || uri.is_some_and(str::is_empty) {
                return Err(format!(
                    "`{entry}` is not OPERATION or OPERATION=URI-TEMPLATE"
                ));
            }
            self.entries.insert(
                key.to_owned(),
                ResourceChoice {
                    on: true,
                    uri: uri.map(str::to_owned),
                    tool,
                },
            );
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for ResourceChoices {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// One entry: `true`/`false`, a URI template, or a table.
        #[derive(Deserialize)]
        #[serde(
            untagged,
            expecting = "`true`, `false`, a URI template, or a table with `uri` and `tool`"
        )]
        enum Entry {
            On(bool),
            Uri(String),
            Table(ResourceConfig),
        }
        /// A `[resources.<key>]` table (the struct's name shows in serde's messages).
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct ResourceConfig {
            uri: Option<String>,
            tool: Option<bool>,
        }
        let entries = IndexMap::<String, Entry>::deserialize(deserializer)?
            .into_iter()
            .map(|(key, entry)| {
                let choice = match entry {
                    Entry::On(on) => ResourceChoice {
                        on,
                        uri: None,
                        tool: true,
                    },
                    Entry::Uri(uri) => ResourceChoice {
                        on: true,
                        uri: Some(uri),
                        tool: true,
                    },
                    Entry::Table(table) => ResourceChoice {
                        on: true,
                        uri: table.uri,
                        tool: table.tool.unwrap_or(true),
                    },
                };
                (key, choice)
            })
            .collect();
        Ok(ResourceChoices { entries })
    }
}

/// `[scopes]` as written: `map` in key order (the order `ScopeMap::parse` would see the entries
/// in), `prefix` as is.
fn scope_table<'de, D: Deserializer<'de>>(deserializer: D) -> Result<ScopeMap, D::Error> {
    /// The table (the struct's name shows in serde's messages).
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct ScopeConfig {
        prefix: Option<String>,
        #[serde(default)]
        map: BTreeMap<String, String>,
        #[serde(default)]
        implies: BTreeMap<String, Vec<String>>,
    }
    let scopes = ScopeConfig::deserialize(deserializer)?;
    Ok(ScopeMap {
        renames: scopes.map.into_iter().collect(),
        prefix: scopes.prefix,
        implies: scopes.implies.into_iter().collect(),
    })
}

/// `[credentials.<scheme>]` tables: the schemes that name a `strategy`.
fn credential_table<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    /// The default credential strategy of one security scheme (the generated server's
    /// `<SCHEME>_STRATEGY` still overrides it). The struct's name shows in serde's messages.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct CredentialConfig {
        strategy: Option<String>,
    }
    Ok(
        BTreeMap::<String, CredentialConfig>::deserialize(deserializer)?
            .into_iter()
            .filter_map(|(scheme, credential)| Some((scheme, credential.strategy?)))
            .collect(),
    )
}
