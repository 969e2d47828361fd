//! `mcpwright.toml`: generation choices kept next to the spec, so every regeneration (and
//! `mcpwright check` in CI) makes the same ones. Every setting is also a command-line flag; flags
//! win over the file (filter flags replace the file's `[filters]` as a whole).
//!
//! ```toml
//! name = "petstore-mcp"
//! upstream_url = "https://api.example.com/v1"
//! strict = false
//! tool_mode = "auto"          # operations | search | auto
//!
//! [filters]
//! include_tags = ["pets"]
//! exclude_methods = ["DELETE"]
//!
//! [scopes]
//! prefix = "petstore:"
//! map = { "pets:read" = "petstore.read" }
//!
//! [tools.listPets]          # operationId, tool name, or "GET /pets"
//! name = "list_pets"
//! description = "List the pets in the store."
//!
//! [credentials.petstore_auth]
//! strategy = "client-credentials"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Diagnostic, Location, Result};
use crate::ir::ScopeMap;

/// The file's name, looked for next to the spec.
pub const FILE_NAME: &str = "mcpwright.toml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub name: Option<String>,
    pub upstream_url: Option<String>,
    pub strict: Option<bool>,
    pub tool_mode: Option<crate::search::ToolMode>,
    #[serde(default)]
    pub filters: FilterConfig,
    #[serde(default)]
    pub scopes: ScopeConfig,
    #[serde(default)]
    pub tools: BTreeMap<String, ToolConfig>,
    #[serde(default)]
    pub credentials: BTreeMap<String, CredentialConfig>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterConfig {
    #[serde(default)]
    pub include_tags: Vec<String>,
    #[serde(default)]
    pub exclude_tags: Vec<String>,
    #[serde(default)]
    pub include_ops: Vec<String>,
    #[serde(default)]
    pub exclude_ops: Vec<String>,
    #[serde(default)]
    pub include_methods: Vec<String>,
    #[serde(default)]
    pub exclude_methods: Vec<String>,
    #[serde(default)]
    pub include_paths: Vec<String>,
    #[serde(default)]
    pub exclude_paths: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeConfig {
    pub prefix: Option<String>,
    #[serde(default)]
    pub map: BTreeMap<String, String>,
}

/// Overrides for one tool, keyed by operationId, tool name or `METHOD /path`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolConfig {
    pub name: Option<String>,
    pub description: Option<String>,
}

/// The default credential strategy of one security scheme (the generated server's
/// `<SCHEME>_STRATEGY` still overrides it).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialConfig {
    pub strategy: Option<String>,
}

/// The strategies a generated server understands.
pub const STRATEGIES: &[&str] = &[
    "static",
    "client-credentials",
    "token-exchange",
    "passthrough",
];

/// `mcpwright.toml` next to `spec`, if there is one.
pub fn beside(spec: &Path) -> Option<PathBuf> {
    let path = spec.parent().unwrap_or(Path::new(".")).join(FILE_NAME);
    path.is_file().then_some(path)
}

/// Reads a configuration file; unknown settings are errors that suggest the closest known one.
pub fn load(path: &Path) -> Result<Config> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| crate::Error::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(&text, &file)
}

pub fn parse(text: &str, file: &str) -> Result<Config> {
    let config: Config = toml::from_str(text).map_err(|err| {
        let mut location = Location::new(file, "");
        if let Some(span) = err.span() {
            location.line_col = Some(line_col(text, span.start));
        }
        let message = err.message().to_owned();
        let diagnostic = Diagnostic::new(location, format!("invalid configuration: {message}"));
        match suggestion(&message) {
            Some(hint) => diagnostic.hint(hint),
            None => diagnostic
                .hint("see the settings in mcpwright's README (every setting is also a flag)"),
        }
    })?;
    for (scheme, credential) in &config.credentials {
        if let Some(strategy) = &credential.strategy
            && !STRATEGIES.contains(&strategy.as_str())
        {
            let location = Location::new(file, format!("/credentials/{scheme}/strategy"));
            return Err(Diagnostic::new(
                location,
                format!("`{strategy}` is not a credential strategy"),
            )
            .hint(format!("use one of: {}", STRATEGIES.join(", ")))
            .into());
        }
    }
    Ok(config)
}

/// "did you mean" for serde's `unknown field `x`, expected one of `a`, `b``.
fn suggestion(message: &str) -> Option<String> {
    let unknown = message.split('`').nth(1)?;
    let expected = message.split("expected").nth(1)?;
    let candidates = expected.split('`').skip(1).step_by(2);
    crate::suggest::closest(unknown, candidates).map(|best| format!("did you mean `{best}`?"))
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

impl Config {
    /// Fills `options` with this file's settings where the command line left them unset.
    pub fn apply(&self, options: &mut crate::Options) -> Result<()> {
        if options.crate_name.is_none() {
            options.crate_name.clone_from(&self.name);
        }
        if options.upstream_url.is_none() {
            options.upstream_url.clone_from(&self.upstream_url);
        }
        options.strict |= self.strict.unwrap_or(false);
        if options.tool_mode.is_none() {
            options.tool_mode = self.tool_mode;
        }
        // Filters work together, so filter flags replace the file's filters as a whole: a flag
        // that keeps DELETE operations is not undone by the file's `exclude_methods`.
        if options.filters.is_empty() {
            let f = &self.filters;
            options.filters = crate::ir::Filters {
                include_tags: f.include_tags.clone(),
                exclude_tags: f.exclude_tags.clone(),
                include_ops: f.include_ops.clone(),
                exclude_ops: f.exclude_ops.clone(),
                include_methods: f.include_methods.clone(),
                exclude_methods: f.exclude_methods.clone(),
                include_paths: f.include_paths.clone(),
                exclude_paths: f.exclude_paths.clone(),
            };
        }
        if options.scope_map == ScopeMap::default() {
            let map: Vec<String> = self
                .scopes
                .map
                .iter()
                .map(|(from, to)| format!("{from}={to}"))
                .collect();
            options.scope_map =
                ScopeMap::parse(&map, self.scopes.prefix.clone()).map_err(|err| {
                    Diagnostic::new(Location::new(FILE_NAME, "/scopes/map"), err)
                        .hint("each entry maps a scope to the name your authorization server uses")
                })?;
        }
        for (key, tool) in &self.tools {
            if let Some(name) = &tool.name {
                options
                    .renames
                    .entry(key.clone())
                    .or_insert_with(|| name.clone());
            }
            if let Some(description) = &tool.description {
                options
                    .descriptions
                    .entry(key.clone())
                    .or_insert_with(|| description.clone());
            }
        }
        for (scheme, credential) in &self.credentials {
            if let Some(strategy) = &credential.strategy {
                options
                    .strategies
                    .entry(scheme.clone())
                    .or_insert_with(|| strategy.clone());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_section() {
        let config = parse(
            "name = \"x-mcp\"\nupstream_url = \"https://a\"\n[filters]\ninclude_tags = [\"pets\"]\n[scopes]\nprefix = \"p:\"\nmap = { read = \"r\" }\n[tools.listPets]\nname = \"list\"\ndescription = \"d\"\n[credentials.auth]\nstrategy = \"token-exchange\"\n",
            "mcpwright.toml",
        )
        .unwrap();
        let mut options = crate::Options::default();
        config.apply(&mut options).unwrap();
        assert_eq!(options.crate_name.as_deref(), Some("x-mcp"));
        assert_eq!(options.filters.include_tags, ["pets"]);
        assert_eq!(options.scope_map.apply("read"), "r");
        assert_eq!(options.scope_map.apply("write"), "p:write");
        assert_eq!(options.renames["listPets"], "list");
        assert_eq!(options.descriptions["listPets"], "d");
        assert_eq!(options.strategies["auth"], "token-exchange");
    }

    #[test]
    fn unknown_settings_suggest_the_closest() {
        let err = parse("[filters]\ninclude_tag = [\"x\"]\n", "mcpwright.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("mcpwright.toml:2:1"), "{err}");
        assert!(err.contains("did you mean `include_tags`?"), "{err}");
        let err = parse("[credentials.a]\nstrategy = \"magic\"\n", "mcpwright.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("client-credentials"), "{err}");
    }

    #[test]
    fn flags_win() {
        let config = parse(
            "name = \"from-file\"\n[filters]\ninclude_tags = [\"a\"]\n",
            "mcpwright.toml",
        )
        .unwrap();
        let mut options = crate::Options {
            crate_name: Some("from-flag".into()),
            ..Default::default()
        };
        options.filters.include_tags = vec!["b".into()];
        config.apply(&mut options).unwrap();
        assert_eq!(options.crate_name.as_deref(), Some("from-flag"));
        assert_eq!(options.filters.include_tags, ["b"]);
    }
}
