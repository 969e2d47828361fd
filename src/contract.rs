//! The MCP contract of a generated server — each tool's name, operation, schemas and scopes — as
//! recorded in the crate's `mcpwright.lock`, and the difference between two contracts, classified
//! for the people and bots deciding whether a regeneration can ship.
//!
//! The lock file also keeps tool names stable: `generate` reads it and gives every operation the
//! name it had, whatever a new operation or a change of naming rules would suggest.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ir::Api;

/// The lock file's name in a generated crate.
pub const LOCK_FILE: &str = "mcpwright.lock";

/// Files the user owns: created once by `generate`, never overwritten or compared.
pub const USER_OWNED: &[&str] = &["src/hooks.rs"];

/// One tool as MCP clients see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolContract {
    pub name: String,
    /// `METHOD /path`: the operation's identity across regenerations.
    pub operation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
    pub input_schema: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Value>,
    /// Scope alternatives a caller needs.
    #[serde(default)]
    pub scopes: Vec<Vec<String>>,
}

/// The contract of a whole server, as the lock file stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contract {
    /// The `@generated` marker, first so the writer recognizes the file as generated.
    pub generated: String,
    pub version: u32,
    /// Files created once and then owned by the user.
    #[serde(default)]
    pub user_owned: Vec<String>,
    pub tools: Vec<ToolContract>,
}

impl Contract {
    pub fn of(api: &Api, marker: String) -> Contract {
        Contract {
            generated: marker,
            version: 1,
            user_owned: USER_OWNED.iter().map(|s| (*s).to_owned()).collect(),
            tools: api
                .tools
                .iter()
                .map(|tool| ToolContract {
                    name: tool.name.clone(),
                    operation: tool.label.clone(),
                    operation_id: tool.operation_id.clone(),
                    input_schema: tool.input_schema.clone(),
                    output_schema: tool.output.as_ref().map(|o| o.schema.clone()),
                    scopes: tool.scopes.clone(),
                })
                .collect(),
        }
    }

    /// The lock file's text (pretty JSON, so regenerations diff line by line).
    pub fn to_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a lock file; `None` when the text is not one (an old or hand-edited file is then
    /// simply not used).
    pub fn parse(text: &str) -> Option<Contract> {
        serde_json::from_str(text).ok()
    }

    /// Tool names by operation, for keeping names stable.
    pub fn names(&self) -> HashMap<String, String> {
        self.tools
            .iter()
            .map(|t| (t.operation.clone(), t.name.clone()))
            .collect()
    }
}

/// How a change affects existing callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    /// Existing calls keep working.
    Compatible,
    /// Existing calls may now fail or mean something else.
    Breaking,
}

/// One change to one tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub impact: Impact,
    /// Where: `input`, `input.body.name`, `output`, `scopes`, …
    pub at: String,
    pub what: String,
}

/// The difference between two contracts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ContractDiff {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// (old name, new name) of the same operation.
    pub renamed: Vec<(String, String)>,
    /// Changes per tool (by its new name).
    pub changed: BTreeMap<String, Vec<Change>>,
}

impl ContractDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.renamed.is_empty()
            && self.changed.is_empty()
    }

    /// Whether any change can break existing callers.
    pub fn is_breaking(&self) -> bool {
        !self.removed.is_empty()
            || !self.renamed.is_empty()
            || self
                .changed
                .values()
                .flatten()
                .any(|c| c.impact == Impact::Breaking)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "breaking": self.is_breaking(),
            "added": self.added,
            "removed": self.removed,
            "renamed": self.renamed.iter().map(|(from, to)| json!({"from": from, "to": to})).collect::<Vec<_>>(),
            "changed": self.changed,
        })
    }

    /// A readable report.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for name in &self.added {
            out.push_str(&format!("+ tool `{name}` added\n"));
        }
        for name in &self.removed {
            out.push_str(&format!("- tool `{name}` removed (breaking)\n"));
        }
        for (from, to) in &self.renamed {
            out.push_str(&format!("~ tool `{from}` renamed to `{to}` (breaking)\n"));
        }
        for (name, changes) in &self.changed {
            out.push_str(&format!("~ tool `{name}`\n"));
            for change in changes {
                let mark = match change.impact {
                    Impact::Breaking => "breaking",
                    Impact::Compatible => "compatible",
                };
                out.push_str(&format!("    {mark:<10} {}: {}\n", change.at, change.what));
            }
        }
        out
    }
}

/// What changed from `old` to `new`.
pub fn diff(old: &Contract, new: &Contract) -> ContractDiff {
    let mut result = ContractDiff::default();
    let old_by_name: HashMap<&str, &ToolContract> =
        old.tools.iter().map(|t| (t.name.as_str(), t)).collect();
    let new_by_name: HashMap<&str, &ToolContract> =
        new.tools.iter().map(|t| (t.name.as_str(), t)).collect();
    let old_by_operation: HashMap<&str, &ToolContract> = old
        .tools
        .iter()
        .map(|t| (t.operation.as_str(), t))
        .collect();
    for tool in &new.tools {
        match old_by_name.get(tool.name.as_str()) {
            Some(before) => {
                let changes = tool_changes(before, tool);
                if !changes.is_empty() {
                    result.changed.insert(tool.name.clone(), changes);
                }
            }
            None => match old_by_operation
                .get(tool.operation.as_str())
                .filter(|t| !new_by_name.contains_key(t.name.as_str()))
            {
                Some(before) => {
                    result
                        .renamed
                        .push((before.name.clone(), tool.name.clone()));
                    let changes = tool_changes(before, tool);
                    if !changes.is_empty() {
                        result.changed.insert(tool.name.clone(), changes);
                    }
                }
                None => result.added.push(tool.name.clone()),
            },
        }
    }
    let renamed_from: Vec<&str> = result
        .renamed
        .iter()
        .map(|(from, _)| from.as_str())
        .collect();
    for tool in &old.tools {
        if !new_by_name.contains_key(tool.name.as_str())
            && !renamed_from.contains(&tool.name.as_str())
        {
            result.removed.push(tool.name.clone());
        }
    }
    result
}

fn tool_changes(old: &ToolContract, new: &ToolContract) -> Vec<Change> {
    let mut changes = Vec::new();
    if old.operation != new.operation {
        changes.push(Change {
            impact: Impact::Breaking,
            at: "operation".into(),
            what: format!("now calls {} (was {})", new.operation, old.operation),
        });
    }
    let mut input = SchemaDiff {
        changes: &mut changes,
        side: Side::Input,
        old_root: &old.input_schema,
        new_root: &new.input_schema,
    };
    input.compare("input", &old.input_schema, &new.input_schema, 0);
    match (&old.output_schema, &new.output_schema) {
        (Some(a), Some(b)) => {
            let mut output = SchemaDiff {
                changes: &mut changes,
                side: Side::Output,
                old_root: a,
                new_root: b,
            };
            output.compare("output", a, b, 0);
        }
        (None, Some(_)) => changes.push(Change {
            impact: Impact::Compatible,
            at: "output".into(),
            what: "now has an output schema".into(),
        }),
        (Some(_), None) => changes.push(Change {
            impact: Impact::Breaking,
            at: "output".into(),
            what: "no longer has an output schema".into(),
        }),
        (None, None) => {}
    }
    if old.scopes != new.scopes {
        let text = |scopes: &[Vec<String>]| {
            if scopes.is_empty() {
                "none".to_owned()
            } else {
                scopes
                    .iter()
                    .map(|s| s.join(" "))
                    .collect::<Vec<_>>()
                    .join(" or ")
            }
        };
        // Needing more scopes breaks callers whose tokens lack them; needing fewer does not.
        let tighter = new
            .scopes
            .iter()
            .any(|alt| !old.scopes.iter().any(|o| alt.iter().all(|s| o.contains(s))));
        changes.push(Change {
            impact: if tighter {
                Impact::Breaking
            } else {
                Impact::Compatible
            },
            at: "scopes".into(),
            what: format!("{} (was {})", text(&new.scopes), text(&old.scopes)),
        });
    }
    changes
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// What callers send: new requirements break them.
    Input,
    /// What callers receive: lost guarantees break them.
    Output,
}

/// Compares two JSON Schemas property by property.
struct SchemaDiff<'a> {
    changes: &'a mut Vec<Change>,
    side: Side,
    old_root: &'a Value,
    new_root: &'a Value,
}

/// How deep nested properties are compared.
const MAX_DEPTH: usize = 6;

impl SchemaDiff<'_> {
    fn push(&mut self, breaking: bool, at: &str, what: String) {
        let impact = if breaking {
            Impact::Breaking
        } else {
            Impact::Compatible
        };
        self.changes.push(Change {
            impact,
            at: at.to_owned(),
            what,
        });
    }

    fn compare(&mut self, at: &str, old: &Value, new: &Value, depth: usize) {
        let old = resolve(self.old_root, old);
        let new = resolve(self.new_root, new);
        if old == new || depth > MAX_DEPTH {
            return;
        }
        let input = self.side == Side::Input;
        let (old_types, new_types) = (types(old), types(new));
        if !old_types.is_empty() && !new_types.is_empty() && old_types != new_types {
            self.push(
                true,
                at,
                format!(
                    "type changed from {} to {}",
                    old_types.join("|"),
                    new_types.join("|")
                ),
            );
            return;
        }
        if let (Some(Value::Array(a)), Some(Value::Array(b))) = (old.get("enum"), new.get("enum")) {
            let removed: Vec<String> = a
                .iter()
                .filter(|v| !b.contains(v))
                .map(Value::to_string)
                .collect();
            let added: Vec<String> = b
                .iter()
                .filter(|v| !a.contains(v))
                .map(Value::to_string)
                .collect();
            if !removed.is_empty() {
                // Fewer accepted values breaks senders; fewer possible values is fine for receivers.
                self.push(
                    input,
                    at,
                    format!("enum values removed: {}", removed.join(", ")),
                );
            }
            if !added.is_empty() {
                self.push(
                    !input,
                    at,
                    format!("enum values added: {}", added.join(", ")),
                );
            }
        }
        let required = |schema: &Value| -> Vec<String> {
            schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let (old_required, new_required) = (required(old), required(new));
        let empty = serde_json::Map::new();
        let old_props = old
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let new_props = new
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for (name, schema) in new_props {
            let path = format!("{at}.{name}");
            match old_props.get(name) {
                Some(before) => {
                    let was = old_required.contains(name);
                    let is = new_required.contains(name);
                    if !was && is {
                        self.push(input, &path, "now required".into());
                    } else if was && !is {
                        self.push(!input, &path, "no longer required".into());
                    }
                    self.compare(&path, before, schema, depth + 1);
                }
                None if new_required.contains(name) => {
                    let what = if input {
                        "new required argument"
                    } else {
                        "new property"
                    };
                    self.push(input, &path, what.into());
                }
                None => self.push(
                    false,
                    &path,
                    if input {
                        "new optional argument"
                    } else {
                        "new property"
                    }
                    .into(),
                ),
            }
        }
        for name in old_props
            .keys()
            .filter(|name| !new_props.contains_key(*name))
        {
            let what = if input {
                "argument removed"
            } else {
                "property removed"
            };
            self.push(true, &format!("{at}.{name}"), what.into());
        }
        if let (Some(a), Some(b)) = (old.get("items"), new.get("items")) {
            self.compare(&format!("{at}[]"), a, b, depth + 1);
        }
    }
}

/// `$ref`s into the schema's own `$defs` followed (a bounded number of times).
fn resolve<'a>(root: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..8 {
        let Some(name) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
        else {
            break;
        };
        match root.get("$defs").and_then(|d| d.get(name)) {
            Some(target) => schema = target,
            None => break,
        }
    }
    schema
}

fn types(schema: &Value) -> Vec<String> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => {
            let mut ts: Vec<String> = ts
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            ts.sort();
            ts
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool(name: &str, operation: &str, input: Value) -> ToolContract {
        ToolContract {
            name: name.into(),
            operation: operation.into(),
            operation_id: None,
            input_schema: input,
            output_schema: None,
            scopes: Vec::new(),
        }
    }

    fn contract(tools: Vec<ToolContract>) -> Contract {
        Contract {
            generated: String::new(),
            version: 1,
            user_owned: Vec::new(),
            tools,
        }
    }

    #[test]
    fn classifies_changes() {
        let old = contract(vec![
            tool(
                "a",
                "GET /a",
                json!({"type": "object", "properties": {"x": {"type": "integer"}, "s": {"type": "string", "enum": ["p", "q"]}, "gone": {}}}),
            ),
            tool("b", "GET /b", json!({"type": "object"})),
            tool("old", "GET /c", json!({"type": "object"})),
        ]);
        let mut new = contract(vec![
            tool(
                "a",
                "GET /a",
                json!({"type": "object", "required": ["y"], "properties": {"x": {"type": "string"}, "s": {"type": "string", "enum": ["p", "r"]}, "y": {}, "z": {}}}),
            ),
            tool("new", "GET /c", json!({"type": "object"})),
            tool("d", "GET /d", json!({"type": "object"})),
        ]);
        new.tools[1].scopes = vec![vec!["read".into()]];
        let diff = diff(&old, &new);
        assert_eq!(diff.added, ["d"]);
        assert_eq!(diff.removed, ["b"]);
        assert_eq!(diff.renamed, [("old".to_owned(), "new".to_owned())]);
        let a: Vec<(Impact, &str, &str)> = diff.changed["a"]
            .iter()
            .map(|c| (c.impact, c.at.as_str(), c.what.as_str()))
            .collect();
        assert!(
            a.contains(&(
                Impact::Breaking,
                "input.x",
                "type changed from integer to string"
            )),
            "{a:?}"
        );
        assert!(
            a.contains(&(Impact::Breaking, "input.s", "enum values removed: \"q\"")),
            "{a:?}"
        );
        assert!(
            a.contains(&(Impact::Compatible, "input.s", "enum values added: \"r\"")),
            "{a:?}"
        );
        assert!(
            a.contains(&(Impact::Breaking, "input.y", "new required argument")),
            "{a:?}"
        );
        assert!(
            a.contains(&(Impact::Compatible, "input.z", "new optional argument")),
            "{a:?}"
        );
        assert!(
            a.contains(&(Impact::Breaking, "input.gone", "argument removed")),
            "{a:?}"
        );
        assert_eq!(
            diff.changed["new"][0].impact,
            Impact::Breaking,
            "a new scope requirement breaks callers"
        );
        assert!(diff.is_breaking());
        assert!(super::diff(&old, &old).is_empty());
    }

    #[test]
    fn follows_defs() {
        let old = json!({"type": "object", "properties": {"body": {"$ref": "#/$defs/P"}}, "$defs": {"P": {"type": "object", "properties": {"n": {"type": "integer"}}}}});
        let new = json!({"type": "object", "properties": {"body": {"type": "object", "properties": {"n": {"type": "number"}}}}});
        let d = diff(
            &contract(vec![tool("t", "GET /", old)]),
            &contract(vec![tool("t", "GET /", new)]),
        );
        assert_eq!(d.changed["t"][0].at, "input.body.n");
    }
}
