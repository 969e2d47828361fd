//! `mcpwright.toml`: generation choices kept next to the spec, so every regeneration (and
//! `mcpwright check` in CI) makes the same ones. Every setting is also a command-line flag; flags
//! win over the file (filter flags replace the file's `[filters]` as a whole).
//!
//! ```toml
//! name = "petstore-mcp"
//! upstream_url = "https://api.example.com/v1"
//! strict = false
//! tool_mode = "auto"          # operations | search | auto
//! flatten_body = false        # a JSON object body's properties as top-level arguments
//!
//! [filters]
//! include_tags = ["pets"]
//! exclude_methods = ["DELETE"]
//!
//! [scopes]
//! prefix = "petstore:"
//! map = { "pets:read" = "petstore.read" }
//! implies = { "petstore.admin" = ["petstore.read", "petstore.write"] }
//!
//! [tools.listPets]          # operationId, tool name, or "GET /pets"
//! name = "list_pets"
//! description = "List the pets in the store."
//!
//! [credentials.petstore_auth]
//! strategy = "client-credentials"
//!
//! [resources]                # GET operations also offered as MCP resources
//! getPetById = "petstore://pets/{petId}"   # a URI template, or `true` for the default one
//! "GET /store/inventory" = { tool = false } # a resource only, not a tool
//! ```

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Location, Result};
use crate::options::{Options, ScopeMap};

/// The file's name, looked for next to the spec.
pub const FILE_NAME: &str = "mcpwright.toml";

/// The settings of one file. The file deserializes straight into [`Options`] (the keys are its
/// serde names), so a setting is declared once; `Config` is kept as the name for "the file's
/// options" as opposed to the command line's.
pub type Config = Options;

/// The strategies a generated server understands.
pub const STRATEGIES: &[&str] = &[
    "static",
    "client-credentials",
    "token-exchange",
    "user-consent",
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
    let text = std::fs::read_to_string(path).map_err(|source| crate::error::Error::Read {
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
    for (scheme, strategy) in &config.strategies {
        if !STRATEGIES.contains(&strategy.as_str()) {
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

// The merge lives here, beside the file it reads, rather than in `options`: the scope-map error
// names the file, and flags-win-over-the-file is this file's rule.
impl Options {
    /// Fills `options` (the command line's) with these settings (the file's) where the command
    /// line left them unset.
    pub fn apply(&self, options: &mut Options) -> Result<()> {
        if options.crate_name.is_none() {
            options.crate_name.clone_from(&self.crate_name);
        }
        if options.upstream_url.is_none() {
            options.upstream_url.clone_from(&self.upstream_url);
        }
        options.strict |= self.strict;
        options.flatten_body |= self.flatten_body;
        if options.tool_mode.is_none() {
            options.tool_mode = self.tool_mode;
        }
        // Filters work together, so filter flags replace the file's filters as a whole: a flag
        // that keeps DELETE operations is not undone by the file's `exclude_methods`.
        if options.filters.is_empty() {
            options.filters = self.filters.clone();
        }
        if options.scope_map.renames.is_empty() && options.scope_map.prefix.is_none() {
            // The file's `[scopes]` is held as written; parsing it here checks it (only when it
            // is used, as flags replace it) and drops an empty prefix, as `--scope-map` does.
            let map: Vec<String> = self
                .scope_map
                .renames
                .iter()
                .map(|(from, to)| format!("{from}={to}"))
                .collect();
            let parsed = ScopeMap::parse(&map, self.scope_map.prefix.clone()).map_err(|err| {
                Diagnostic::new(Location::new(FILE_NAME, "/scopes/map"), err)
                    .hint("each entry maps a scope to the name your authorization server uses")
            })?;
            options.scope_map.renames = parsed.renames;
            options.scope_map.prefix = parsed.prefix;
        }
        // The hierarchy is the authorization server's, whatever the names were mapped from:
        // `--scope-implies` replaces the file's `implies` as a whole.
        if options.scope_map.implies.is_empty() {
            for (scope, implied) in &self.scope_map.implies {
                let implied: Vec<&str> = implied.iter().map(String::as_str).collect();
                crate::options::check_implication(scope, &implied).map_err(|err| {
                    Diagnostic::new(
                        Location::new(FILE_NAME, format!("/scopes/implies/{scope}")),
                        err,
                    )
                    .hint("each entry names the scopes a scope grants: repo = [\"public_repo\"]")
                })?;
            }
            options.scope_map.implies = self.scope_map.implies.clone();
        }
        for (key, name) in &self.tools.renames {
            options
                .tools
                .renames
                .entry(key.clone())
                .or_insert_with(|| name.clone());
        }
        for (key, description) in &self.tools.descriptions {
            options
                .tools
                .descriptions
                .entry(key.clone())
                .or_insert_with(|| description.clone());
        }
        for (scheme, strategy) in &self.strategies {
            options
                .strategies
                .entry(scheme.clone())
                .or_insert_with(|| strategy.clone());
        }
        // The command line's entries come first (a wildcard there is tried before the file's).
        for (key, choice) in &self.resources.entries {
            options
                .resources
                .entries
                .entry(key.clone())
                .or_insert_with(|| choice.clone());
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
        assert_eq!(options.tools.renames["listPets"], "list");
        assert_eq!(options.tools.descriptions["listPets"], "d");
        assert_eq!(options.strategies["auth"], "token-exchange");
    }

    #[test]
    fn resources_in_every_form_and_the_flags_first() {
        let config = parse(
            "[resources]\ngetPet = \"pets://{petId}\"\nlistPets = true\n\"GET /x\" = { tool = false }\ngone = false\n",
            "mcpwright.toml",
        )
        .unwrap();
        let mut options = crate::Options::default();
        options
            .resources
            .parse(&["getPet=flag://{petId}".into()], true)
            .unwrap();
        config.apply(&mut options).unwrap();
        let entries = &options.resources.entries;
        let keys: Vec<&str> = entries.keys().map(String::as_str).collect();
        assert_eq!(keys, ["getPet", "listPets", "GET /x", "gone"]);
        assert_eq!(entries["getPet"].uri.as_deref(), Some("flag://{petId}"));
        assert!(entries["listPets"].on && entries["listPets"].uri.is_none());
        assert!(!entries["GET /x"].tool);
        assert!(!entries["gone"].on);
        let err = parse("[resources]\ngetPet = 3\n", "mcpwright.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("a URI template"), "{err}");
        let err = parse("[resources.getPet]\nurl = \"x://\"\n", "mcpwright.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("mcpwright.toml:"), "{err}");
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
    fn scope_hierarchy_from_the_file_and_the_flag() {
        let file = "[scopes]\nimplies = { repo = [\"repo:status\", \"public_repo\"] }\n";
        let config = parse(file, "mcpwright.toml").unwrap();
        let mut options = crate::Options::default();
        config.apply(&mut options).unwrap();
        assert_eq!(
            options.scope_map.implies["repo"],
            ["repo:status", "public_repo"]
        );
        // The flag replaces the file's hierarchy as a whole; the file's map still applies.
        let config = parse(
            &format!("{file}map = {{ read = \"r\" }}\n"),
            "mcpwright.toml",
        )
        .unwrap();
        let mut options = crate::Options::default();
        options.scope_map.implies = ScopeMap::parse_implies(&["admin=repo".into()]).unwrap();
        config.apply(&mut options).unwrap();
        assert_eq!(options.scope_map.implies.len(), 1);
        assert_eq!(options.scope_map.implies["admin"], ["repo"]);
        assert_eq!(options.scope_map.apply("read"), "r");
        // A bad entry names its place.
        let config = parse(
            "[scopes]\nimplies = { repo = [\"a b\"] }\n",
            "mcpwright.toml",
        )
        .unwrap();
        let err = config
            .apply(&mut crate::Options::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("/scopes/implies/repo"), "{err}");
        assert!(err.contains("without spaces"), "{err}");
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
