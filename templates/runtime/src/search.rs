//! Search mode: the API's operations behind three tools (`search_operations`,
//! `describe_operation`, `call_operation`), for APIs too large for one tool per operation.
//!
//! Discovery changes, access does not: `call_operation` runs the very path a per-operation tool
//! call runs (scopes, argument validation, hooks, upstream credentials, limits, response mapping,
//! logging and progress), and the HTTP guard checks the scopes of the operation it names. What a
//! caller may not call — hidden for its token, or a write in read-only mode — it cannot find,
//! describe or call either.

use std::collections::HashMap;

use rmcp::model::{CallToolResult, ContentBlock, Tool};
use serde_json::{Value, json};

use super::api::{ApiDef, JsonObject, ToolDef};
use super::search_index::{self, Index};
use super::search_text::distance;
use super::search_tools::{self, DEFAULT_RESULTS, DESCRIBE, MAX_RESULTS, SEARCH};

/// The index and the three tools, built once per server.
pub struct Catalog {
    index: Index,
    tools: Vec<Tool>,
    /// Operation position by tool name.
    by_name: HashMap<&'static str, usize>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("operations", &self.index.docs.len())
            .field("words", &self.index.words())
            .finish()
    }
}

/// Whether a caller may see and call an operation, by position.
pub trait Visibility {
    /// The caller may find and describe the operation.
    fn visible(&self, tool: &ToolDef) -> bool;
    /// The caller's token has the operation's scopes.
    fn allowed(&self, tool: &ToolDef) -> bool;
}

impl Catalog {
    /// Reads `api`'s index. The index was generated with the tools, one entry per tool in the
    /// same order; an index that does not match them is refused rather than searched wrongly.
    /// With `read_only`, the overview in `search_operations`' description counts only the
    /// operations with a safe method, the only ones the server offers.
    pub fn new(api: &'static ApiDef, read_only: bool) -> Result<Self, String> {
        let index = search_index::decode(api.search_index)?;
        let names: Vec<&str> = api.tools.iter().map(|tool| tool.name).collect();
        let indexed: Vec<&str> = index.docs.iter().map(|doc| doc.name.as_str()).collect();
        if names != indexed {
            return Err(
                "the search index does not match the tools; regenerate the crate with `mcpwright generate`"
                    .into(),
            );
        }
        let offered = |tool: &ToolDef| !read_only || tool.annotations.read_only;
        let tags = search_tools::tag_counts(
            index
                .docs
                .iter()
                .zip(api.tools)
                .filter(|(_, tool)| offered(tool))
                .map(|(doc, _)| doc.tags.as_slice()),
        );
        let operations = api.tools.iter().filter(|tool| offered(tool)).count();
        let tools = search_tools::tools(api.title, operations, &tags)
            .into_iter()
            .filter_map(|tool| serde_json::from_value(tool).ok())
            .collect::<Vec<Tool>>();
        if tools.len() != 3 {
            return Err("the search tools' definitions do not parse".into());
        }
        let by_name = api
            .tools
            .iter()
            .enumerate()
            .map(|(at, tool)| (tool.name, at))
            .collect();
        Ok(Catalog {
            index,
            tools,
            by_name,
        })
    }

    /// The three tools, always the same.
    pub fn tools(&self) -> &[Tool] {
        &self.tools
    }

    /// The position of the operation called `name` that the caller may see.
    pub fn find(&self, name: &str, api: &ApiDef, who: &dyn Visibility) -> Option<usize> {
        self.by_name
            .get(name)
            .copied()
            .filter(|&at| who.visible(api.tools[at]))
    }

    /// `search_operations`.
    pub fn search(
        &self,
        api: &ApiDef,
        listed: &[Tool],
        arguments: &JsonObject,
        who: &dyn Visibility,
    ) -> CallToolResult {
        let query = match arguments.get("query") {
            Some(Value::String(query)) if !query.trim().is_empty() => query.as_str(),
            _ => return error("`query` is required: a few words saying what you want to do"),
        };
        let limit = match arguments.get("limit") {
            None | Some(Value::Null) => DEFAULT_RESULTS,
            Some(value) => match value.as_u64() {
                Some(n) if (1..=MAX_RESULTS).contains(&n) => n,
                _ => {
                    return error(&format!(
                        "`limit` must be an integer from 1 to {MAX_RESULTS}"
                    ));
                }
            },
        };
        let tag = match arguments.get("tag") {
            None | Some(Value::Null) => None,
            Some(Value::String(tag)) => match self.tag(tag, api, who) {
                Some(tag) => Some(tag),
                None => return error(&self.unknown_tag(tag, api, who)),
            },
            Some(_) => return error("`tag` must be a string"),
        };
        if let Err(message) = only_arguments(arguments, SEARCH, &["query", "tag", "limit"]) {
            return error(&message);
        }
        let keep = |doc: usize| {
            who.visible(api.tools[doc])
                && tag.is_none_or(|tag| {
                    self.index.docs[doc]
                        .tags
                        .iter()
                        .any(|t| t.eq_ignore_ascii_case(tag))
                })
        };
        let found = self.index.search(query, limit as usize, keep);
        let results: Vec<Value> = found
            .iter()
            .map(|&(doc, score)| {
                let tool = api.tools[doc];
                let required = listed[doc]
                    .input_schema
                    .get("required")
                    .cloned()
                    .unwrap_or_else(|| json!([]));
                json!({
                    "name": tool.name,
                    "method": tool.method.as_str(),
                    "path": tool.path,
                    "summary": summary(tool),
                    "required": required,
                    "scopes": tool.scopes,
                    "allowed": who.allowed(tool),
                    "read_only": tool.annotations.read_only,
                    "score": (f64::from(score) * 100.0).round() / 100.0,
                })
            })
            .collect();
        let text = if results.is_empty() {
            format!(
                "No operation matches \"{query}\"{}. Try other or fewer words{}.",
                tag.map(|t| format!(" with tag `{t}`")).unwrap_or_default(),
                if tag.is_some() { ", or no tag" } else { "" },
            )
        } else {
            render(&results)
        };
        with_text(json!({ "results": results }), text)
    }

    /// `describe_operation`: everything per-operation mode lists for the tool, and its scopes.
    pub fn describe(
        &self,
        api: &ApiDef,
        listed: &[Tool],
        arguments: &JsonObject,
        who: &dyn Visibility,
    ) -> CallToolResult {
        let name = match operation_name(arguments, DESCRIBE, &["name"]) {
            Ok(name) => name,
            Err(message) => return error(&message),
        };
        let Some(at) = self.find(name, api, who) else {
            return error(&self.unknown(name, api, who));
        };
        let tool = api.tools[at];
        let mcp = &listed[at];
        let mut described = json!({
            "name": tool.name,
            "method": tool.method.as_str(),
            "path": tool.path,
            "description": tool.description,
            "inputSchema": mcp.input_schema.as_ref(),
            "scopes": tool.scopes,
            "allowed": who.allowed(tool),
        });
        if let Some(title) = tool.title {
            described["title"] = json!(title);
        }
        if let Some(output) = &mcp.output_schema {
            described["outputSchema"] = Value::Object(output.as_ref().clone());
        }
        if let Some(annotations) = &mcp.annotations {
            described["annotations"] = serde_json::to_value(annotations).unwrap_or_default();
        }
        let text = serde_json::to_string(&described).unwrap_or_default();
        with_text(described, text)
    }

    /// The message for an operation name that is not there (or not for this caller), with the
    /// closest names the caller may use.
    pub fn unknown(&self, name: &str, api: &ApiDef, who: &dyn Visibility) -> String {
        let shown = search_tools::shorten(name, MAX_NAME_CHARS);
        let mut message = format!("unknown operation `{shown}`");
        let before = message.len();
        // Tool names have at most 64 characters: a longer name is no typo worth comparing.
        if name.chars().count() <= MAX_NAME_CHARS {
            let wanted = name.to_lowercase();
            let mut scored: Vec<(usize, &str)> = api
                .tools
                .iter()
                .filter(|tool| who.visible(tool))
                .map(|tool| (distance(&wanted, &tool.name.to_lowercase()), tool.name))
                .collect();
            scored.sort();
            // Names close in spelling first, then operations the name's words find.
            let mut close: Vec<&str> = scored
                .iter()
                .take_while(|(d, _)| *d <= name.len().max(4) / 3)
                .take(3)
                .map(|(_, n)| *n)
                .collect();
            for (doc, _) in self
                .index
                .search(name, 3, |doc| who.visible(api.tools[doc]))
            {
                let candidate = api.tools[doc].name;
                if close.len() < 5 && !close.contains(&candidate) {
                    close.push(candidate);
                }
            }
            if !close.is_empty() {
                message.push_str(&format!("; did you mean {}?", quoted_list(&close)));
            }
        }
        if message.len() == before {
            message.push('.');
        }
        message.push_str(" search_operations finds operations by what they do.");
        message
    }

    /// The tags of the operations the caller may see, with their counts.
    fn visible_tags(&self, api: &ApiDef, who: &dyn Visibility) -> Vec<(String, usize)> {
        search_tools::tag_counts(
            self.index
                .docs
                .iter()
                .zip(api.tools)
                .filter(|(_, tool)| who.visible(tool))
                .map(|(doc, _)| doc.tags.as_slice()),
        )
    }

    /// The tag of a visible operation spelled like `wanted` (case aside).
    fn tag(&self, wanted: &str, api: &ApiDef, who: &dyn Visibility) -> Option<&str> {
        self.index
            .docs
            .iter()
            .zip(api.tools)
            .filter(|(_, tool)| who.visible(tool))
            .flat_map(|(doc, _)| &doc.tags)
            .find(|tag| tag.eq_ignore_ascii_case(wanted))
            .map(String::as_str)
    }

    fn unknown_tag(&self, wanted: &str, api: &ApiDef, who: &dyn Visibility) -> String {
        let tags = self.visible_tags(api, who);
        let shown = search_tools::shorten(wanted, MAX_NAME_CHARS);
        if tags.is_empty() {
            return format!(
                "unknown tag `{shown}`: these operations have no tags; search without one"
            );
        }
        if wanted.chars().count() > MAX_NAME_CHARS {
            return format!("unknown tag `{shown}`");
        }
        let wanted = wanted.to_lowercase();
        let mut scored: Vec<(usize, &str)> = tags
            .iter()
            .map(|(tag, _)| (distance(&wanted, &tag.to_lowercase()), tag.as_str()))
            .collect();
        scored.sort();
        let close: Vec<&str> = scored.iter().take(5).map(|(_, t)| *t).collect();
        format!(
            "unknown tag `{shown}`; the closest tags are {}",
            quoted_list(&close)
        )
    }
}

/// Names and tags longer than this are not compared for suggestions (tool names have at most 64
/// characters), and are cut in messages.
const MAX_NAME_CHARS: usize = 128;

/// An operation's one-line summary: its title, else its description's first sentence.
fn summary(tool: &ToolDef) -> String {
    let text = tool.title.unwrap_or(tool.description).trim_start();
    let first = super::listing::first_sentence(text);
    search_tools::shorten(first.trim(), 160)
}

/// The results as text, one line each, for clients that show only text content.
fn render(results: &[Value]) -> String {
    let mut out = String::new();
    for (rank, result) in results.iter().enumerate() {
        let field = |key: &str| result[key].as_str().unwrap_or_default();
        out.push_str(&format!(
            "{}. {} — {} {}",
            rank + 1,
            field("name"),
            field("method"),
            field("path"),
        ));
        if !field("summary").is_empty() {
            out.push_str(&format!(" — {}", field("summary")));
        }
        let required: Vec<&str> = result["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if !required.is_empty() {
            out.push_str(&format!(" [required: {}]", required.join(", ")));
        }
        if let Some(scopes) = result["scopes"].as_array().filter(|s| !s.is_empty()) {
            let alternatives: Vec<String> = scopes
                .iter()
                .map(|all| {
                    all.as_array()
                        .map(|s| {
                            s.iter()
                                .filter_map(Value::as_str)
                                .collect::<Vec<_>>()
                                .join(" ")
                        })
                        .unwrap_or_default()
                })
                .collect();
            out.push_str(&format!(" [scopes: {}]", alternatives.join(" | ")));
        }
        if result["allowed"] == false {
            out.push_str(" [not allowed for this token]");
        }
        out.push('\n');
    }
    out
}

fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Refuses arguments other than `allowed` (the tool's schema says `additionalProperties: false`).
pub fn only_arguments(arguments: &JsonObject, tool: &str, allowed: &[&str]) -> Result<(), String> {
    match arguments
        .keys()
        .find(|key| !allowed.contains(&key.as_str()))
    {
        None => Ok(()),
        Some(key) => Err(format!(
            "unknown argument `{key}`: {tool} takes {}",
            quoted_list(allowed)
        )),
    }
}

/// The operation named by `describe_operation` or `call_operation`, whose other arguments may
/// only be `allowed`.
pub fn operation_name<'a>(
    arguments: &'a JsonObject,
    tool: &str,
    allowed: &[&str],
) -> Result<&'a str, String> {
    let Some(Value::String(name)) = arguments.get("name") else {
        return Err("`name` is required: an operation name from search_operations".into());
    };
    only_arguments(arguments, tool, allowed)?;
    Ok(name)
}

/// A result with `structured` content and `text` as its text rendering.
fn with_text(structured: Value, text: String) -> CallToolResult {
    let mut result = CallToolResult::structured(structured);
    result.content = vec![ContentBlock::text(text)];
    result
}

fn error(message: &str) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(message.to_owned())])
}
