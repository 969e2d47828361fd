//! The three tools of search mode as MCP lists them: `search_operations`, `describe_operation` and
//! `call_operation`. Their schemas never change and their descriptions depend only on the API, so
//! `tools/list` is the same for every client and every session (no `list_changed`: clients keep
//! their prompt caches). mcpwright compiles this file too, to report the size of the list before
//! the crate is built and to choose the crate's default mode; it needs nothing but `serde`,
//! `serde_json` and `clap`, which both have.

use serde_json::{Value, json};

/// Which tools a server lists: the crate's default (`generate --tool-mode`, `tool_mode` in
/// `mcpwright.toml`), overridden by the server's `--tool-mode` / `MCP_TOOL_MODE`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolMode {
    /// One tool per operation.
    Operations,
    /// Three tools: `search_operations`, `describe_operation` and `call_operation`.
    Search,
    /// Search mode for APIs with more than [`AUTO_SEARCH_ABOVE`] operations, else one tool per
    /// operation.
    #[default]
    Auto,
}

/// Above this many tools, `auto` means search mode: clients cap or degrade on long tool lists
/// (Cursor uses the first 40–80 tools, OpenAI accepts 128, JetBrains 100).
pub const AUTO_SEARCH_ABOVE: usize = 64;

impl ToolMode {
    /// Whether a server of `tools` tools in this mode serves search mode.
    pub fn searches(self, tools: usize) -> bool {
        match self {
            ToolMode::Operations => false,
            ToolMode::Search => true,
            ToolMode::Auto => tools > AUTO_SEARCH_ABOVE,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ToolMode::Operations => "operations",
            ToolMode::Search => "search",
            ToolMode::Auto => "auto",
        }
    }

    /// The variant's name, as mcpwright writes it into a generated crate.
    pub fn variant(self) -> &'static str {
        match self {
            ToolMode::Operations => "Operations",
            ToolMode::Search => "Search",
            ToolMode::Auto => "Auto",
        }
    }
}

pub const SEARCH: &str = "search_operations";
pub const DESCRIBE: &str = "describe_operation";
pub const CALL: &str = "call_operation";

/// The most results one search returns, and how many it returns unless asked.
pub const MAX_RESULTS: u64 = 10;
pub const DEFAULT_RESULTS: u64 = 5;

/// The most tags the overview names; the rest are counted.
const OVERVIEW_TAGS: usize = 40;

/// The three tools, as `tools/list` entries (`name`, `description`, `inputSchema`, …). `title`
/// is the API's title, `operations` how many operations it has, `tags` each tag with its number
/// of operations.
pub fn tools(title: &str, operations: usize, tags: &[(String, usize)]) -> [Value; 3] {
    [
        json!({
            "name": SEARCH,
            "title": "Search the API's operations",
            "description": search_description(title, operations, tags),
            "inputSchema": {
                "type": "object",
                "properties": {
                    "query": {
                        "type": "string",
                        "description": "What you want to do, in a few words (\"list open pull requests\", \"delete a webhook\").",
                    },
                    "tag": {
                        "type": "string",
                        "description": "Only operations with this tag (one of the tags above).",
                    },
                    "limit": {
                        "type": "integer",
                        "minimum": 1,
                        "maximum": MAX_RESULTS,
                        "default": DEFAULT_RESULTS,
                        "description": "How many operations to return.",
                    },
                },
                "required": ["query"],
                "additionalProperties": false,
            },
            "outputSchema": {
                "type": "object",
                "properties": {
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "name": {"type": "string"},
                                "method": {"type": "string"},
                                "path": {"type": "string"},
                                "summary": {"type": "string"},
                                "required": {"type": "array", "items": {"type": "string"}},
                                "scopes": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
                                "allowed": {"type": "boolean"},
                                "read_only": {"type": "boolean"},
                                "score": {"type": "number"},
                            },
                            "required": ["name", "method", "path", "summary", "required", "scopes", "allowed", "read_only", "score"],
                        },
                    },
                },
                "required": ["results"],
            },
            "annotations": read_only_hints("Search the API's operations"),
        }),
        json!({
            "name": DESCRIBE,
            "title": "Describe an operation",
            "description": "The full description of one operation found with search_operations: what it does, its input schema (the `arguments` call_operation takes), its output schema, hints and the OAuth scopes it needs.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "description": "The operation's name, as search_operations returned it."},
                },
                "required": ["name"],
                "additionalProperties": false,
            },
            "annotations": read_only_hints("Describe an operation"),
        }),
        json!({
            "name": CALL,
            "title": "Call an operation",
            "description": "Calls one operation of the API with its arguments (an object matching the input schema describe_operation gives) and returns the API's answer.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "description": "The operation's name, as search_operations returned it."},
                    "arguments": {"type": "object", "description": "The operation's arguments.", "additionalProperties": true},
                },
                "required": ["name"],
                "additionalProperties": false,
            },
            "annotations": {
                "title": "Call an operation",
                "readOnlyHint": false,
                "destructiveHint": true,
                "idempotentHint": false,
                "openWorldHint": true,
            },
        }),
    ]
}

fn read_only_hints(title: &str) -> Value {
    json!({
        "title": title,
        "readOnlyHint": true,
        "destructiveHint": false,
        "idempotentHint": true,
        "openWorldHint": false,
    })
}

/// What `search_operations` says of itself: how to use the three tools, and what the API holds,
/// so a model knows what to search for.
fn search_description(title: &str, operations: usize, tags: &[(String, usize)]) -> String {
    let title = title.trim();
    let api = match title {
        "" => "this API".to_owned(),
        t if t.to_lowercase().ends_with("api") => t.to_owned(),
        t => format!("the {t} API"),
    };
    let count = match operations {
        1 => "1 operation".to_owned(),
        n => format!("{n} operations"),
    };
    let mut text = format!(
        "Finds operations of {api} ({count}) for a task described in words. Returns the best \
         matches, best first: name, HTTP method and path, summary, required arguments, the OAuth \
         scopes each needs and whether this caller may call it. Then call describe_operation for \
         an operation's input schema, and call_operation to run it."
    );
    if !tags.is_empty() {
        let mut sorted: Vec<&(String, usize)> = tags.iter().collect();
        sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let named: Vec<String> = sorted
            .iter()
            .take(OVERVIEW_TAGS)
            .map(|(tag, count)| format!("{} ({count})", shorten(tag, 40)))
            .collect();
        text.push_str(" Tags (operations): ");
        text.push_str(&named.join(", "));
        if sorted.len() > OVERVIEW_TAGS {
            text.push_str(&format!(", and {} more", sorted.len() - OVERVIEW_TAGS));
        }
        text.push('.');
    }
    text
}

/// `text` cut to at most `max` characters, with an ellipsis when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The tags of `docs` with their operation counts, in first-use order.
pub fn tag_counts<'a>(docs: impl IntoIterator<Item = &'a [String]>) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for tags in docs {
        for tag in tags {
            match at.get(tag.as_str()) {
                Some(&i) => counts[i].1 += 1,
                None => {
                    at.insert(tag, counts.len());
                    counts.push((tag.clone(), 1));
                }
            }
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_description_names_the_largest_tags() {
        let tags: Vec<(String, usize)> = (0..45).map(|i| (format!("tag{i:02}"), i)).collect();
        let [search, describe, call] = tools("Pets", 990, &tags);
        let text = search["description"].as_str().unwrap();
        assert!(text.contains("of the Pets API (990 operations)"), "{text}");
        let [one, ..] = tools("Slack Web API", 1, &[]);
        assert!(
            one["description"]
                .as_str()
                .unwrap()
                .contains("of Slack Web API (1 operation)")
        );
        let [untitled, ..] = tools(" ", 2, &[]);
        assert!(
            untitled["description"]
                .as_str()
                .unwrap()
                .contains("of this API (2 operations)")
        );
        assert!(text.contains("tag44 (44), tag43 (43)"), "{text}");
        assert!(text.ends_with(", and 5 more."), "{text}");
        assert!(!text.contains("tag04 ("));
        assert_eq!(describe["name"], DESCRIBE);
        assert_eq!(call["inputSchema"]["required"], json!(["name"]));
    }

    #[test]
    fn tags_are_counted() {
        let a = vec!["x".to_owned(), "y".to_owned()];
        let b = vec!["y".to_owned()];
        assert_eq!(
            tag_counts([a.as_slice(), b.as_slice()]),
            [("x".to_owned(), 1), ("y".to_owned(), 2)]
        );
    }
}
