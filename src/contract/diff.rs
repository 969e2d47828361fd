//! The difference between two contracts: tools added, removed, renamed, and per tool the changes
//! of its schemas and scopes, each classified as breaking or compatible.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;
use serde_json::{Value, json};

use super::model::{Contract, SchemaContract, ToolContract};
use crate::ir::schema_defs::def_ref;

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
    let tool_changes =
        |before: &ToolContract, tool: &ToolContract| tool_changes(old, new, before, tool);
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

fn tool_changes(
    old_contract: &Contract,
    new_contract: &Contract,
    old: &ToolContract,
    new: &ToolContract,
) -> Vec<Change> {
    let contracts = (old_contract, new_contract);
    let mut changes = Vec::new();
    if old.operation != new.operation {
        changes.push(Change {
            impact: Impact::Breaking,
            at: "operation".into(),
            what: format!("now calls {} (was {})", new.operation, old.operation),
        });
    }
    if old.flat_body != new.flat_body {
        // Said first: it explains the argument changes listed after it.
        changes.push(Change {
            impact: Impact::Breaking,
            at: "input".into(),
            what: if new.flat_body {
                "the request body's properties are now top-level arguments (flatten_body is on); calls that pass `body` fail".into()
            } else {
                "the request body is one `body` argument again (flatten_body is off, or this body can no longer be flattened); calls that pass its properties at the top level fail".into()
            },
        });
    }
    // A client that reads a resource by its URI loses it when the template changes.
    match (&old.resource, &new.resource) {
        (None, Some(uri)) => changes.push(Change {
            impact: Impact::Compatible,
            at: "resource".into(),
            what: format!("now also the resource `{uri}`"),
        }),
        (Some(uri), None) => changes.push(Change {
            impact: Impact::Breaking,
            at: "resource".into(),
            what: format!("no longer a resource (was `{uri}`)"),
        }),
        (Some(was), Some(uri)) if was != uri => changes.push(Change {
            impact: Impact::Breaking,
            at: "resource".into(),
            what: format!("its URI template is now `{uri}` (was `{was}`)"),
        }),
        _ => {}
    }
    if old.listed != new.listed {
        changes.push(if new.listed {
            Change {
                impact: Impact::Compatible,
                at: "tool".into(),
                what: "now also listed as a tool".into(),
            }
        } else {
            Change {
                impact: Impact::Breaking,
                at: "tool".into(),
                what: "no longer a tool: offered only as a resource".into(),
            }
        });
    }
    compare_side(&mut changes, Side::Input, contracts, &old.input, &new.input);
    match (&old.output, &new.output) {
        (Some(a), Some(b)) => compare_side(&mut changes, Side::Output, contracts, a, b),
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

/// One side's schemas, old and new: the diff explains what their shapes show; a fingerprint that
/// changed with nothing to explain is reported as a change of details.
fn compare_side(
    changes: &mut Vec<Change>,
    side: Side,
    (old_contract, new_contract): (&Contract, &Contract),
    old: &SchemaContract,
    new: &SchemaContract,
) {
    let fingerprints = old.fingerprint.as_ref().zip(new.fingerprint.as_ref());
    if fingerprints.is_some_and(|(a, b)| a == b) {
        return;
    }
    let at = match side {
        Side::Input => "input",
        Side::Output => "output",
    };
    let before = changes.len();
    let tables = Tables::new(
        Resolver::new(old_contract, old),
        Resolver::new(new_contract, new),
    );
    let mut diff = SchemaDiff {
        changes: &mut *changes,
        side,
        tables: &tables,
    };
    diff.compare(at, &old.shape, &new.shape, 0);
    if changes.len() == before && fingerprints.is_some() {
        changes.push(Change {
            impact: Impact::Compatible,
            at: at.into(),
            what: "details changed (descriptions, formats, bounds or patterns)".into(),
        });
    }
}

/// The definitions one tool schema reaches, by name.
struct Resolver<'a> {
    by_name: HashMap<&'a str, &'a Value>,
}

impl<'a> Resolver<'a> {
    fn new(contract: &'a Contract, schema: &SchemaContract) -> Self {
        let by_name = schema
            .defs
            .iter()
            .filter_map(|&id| contract.defs.get(id as usize))
            .map(|(name, shape)| (name.as_str(), shape))
            .collect();
        Resolver { by_name }
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.by_name.get(name).copied()
    }
}

/// The definitions of one tool schema, old and new, and which names differ between them,
/// directly or through what they reference.
struct Tables<'a> {
    old: Resolver<'a>,
    new: Resolver<'a>,
    changed: HashSet<&'a str>,
}

impl<'a> Tables<'a> {
    fn new(old: Resolver<'a>, new: Resolver<'a>) -> Self {
        let mut changed: HashSet<&str> = HashSet::new();
        for (&name, &shape) in &old.by_name {
            if new.get(name) != Some(shape) {
                changed.insert(name);
            }
        }
        for &name in new.by_name.keys() {
            if old.get(name).is_none() {
                changed.insert(name);
            }
        }
        if !changed.is_empty() {
            // A definition that references a changed one has changed too.
            let mut referrers: HashMap<String, Vec<&str>> = HashMap::new();
            for (&name, &shape) in old.by_name.iter().chain(&new.by_name) {
                let mut refs = Vec::new();
                collect_refs(shape, &mut refs);
                for target in refs {
                    referrers.entry(target).or_default().push(name);
                }
            }
            let mut queue: Vec<&str> = changed.iter().copied().collect();
            while let Some(name) = queue.pop() {
                for &referrer in referrers.get(name).into_iter().flatten() {
                    if changed.insert(referrer) {
                        queue.push(referrer);
                    }
                }
            }
        }
        Tables { old, new, changed }
    }

    /// Whether `shape` references a definition that changed.
    fn reaches_change(&self, shape: &Value) -> bool {
        if self.changed.is_empty() {
            return false;
        }
        let mut refs = Vec::new();
        collect_refs(shape, &mut refs);
        refs.iter().any(|name| self.changed.contains(name.as_str()))
    }
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(name) = def_ref(map) {
                out.push(name.to_owned());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// Compares two schema shapes property by property.
struct SchemaDiff<'a> {
    changes: &'a mut Vec<Change>,
    side: Side,
    tables: &'a Tables<'a>,
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
        let old = resolve(&self.tables.old, old);
        let new = resolve(&self.tables.new, new);
        if depth > MAX_DEPTH || (old == new && !self.tables.reaches_change(old)) {
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

/// `$ref`s into the shared definitions followed (a bounded number of times).
fn resolve<'a>(defs: &Resolver<'a>, mut schema: &'a Value) -> &'a Value {
    for _ in 0..8 {
        let Some(name) = schema.as_object().and_then(def_ref) else {
            break;
        };
        match defs.get(name) {
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
    use crate::contract::lock::{VERSION, v1_shape};
    use serde_json::Map;

    /// A tool whose input is a whole schema, as version 1 lock files held them.
    fn tool(name: &str, operation: &str, input: Value) -> ToolContract {
        ToolContract {
            name: name.into(),
            operation: operation.into(),
            operation_id: None,
            input: SchemaContract {
                shape: input,
                ..SchemaContract::default()
            },
            output: None,
            scopes: Vec::new(),
            resource: None,
            listed: true,
            flat_body: false,
        }
    }

    /// A contract of such tools: their `$defs` move into the shared table, as in version 1.
    fn contract(mut tools: Vec<ToolContract>) -> Contract {
        let mut defs = Map::new();
        for tool in &mut tools {
            tool.input.shape = v1_shape(tool.input.shape.take(), &mut defs);
        }
        let mut contract = Contract {
            version: VERSION,
            tools,
            ..Contract::default()
        };
        let ids = contract.add_defs(defs);
        for tool in &mut contract.tools {
            tool.input.defs = ids.clone();
        }
        contract
    }

    /// Turning `flatten_body` on moves every body property to the top level: the diff says
    /// so first, as breaking, before the argument changes it explains; the lock keeps it.
    #[test]
    fn a_body_that_became_flat_is_explained() {
        let nested = json!({"type": "object", "required": ["body"], "properties": {"body": {"type": "object", "properties": {"name": {}}}}});
        let flat = json!({"type": "object", "properties": {"name": {}}});
        let old = contract(vec![tool("a", "POST /a", nested)]);
        let mut new = contract(vec![tool("a", "POST /a", flat)]);
        new.tools[0].flat_body = true;
        let d = diff(&old, &new);
        let first = &d.changed["a"][0];
        assert_eq!(
            (first.impact, first.at.as_str()),
            (Impact::Breaking, "input")
        );
        assert!(first.what.contains("top-level arguments"), "{}", first.what);
        assert!(
            d.to_text().contains("flatten_body is on"),
            "{}",
            d.to_text()
        );
        let text = new.to_text();
        assert!(text.contains("\"flatBody\": true"), "{text}");
        assert!(Contract::parse(&text).unwrap().tools[0].flat_body);
        assert!(!Contract::parse(&old.to_text()).unwrap().tools[0].flat_body);
        let back = diff(&new, &old);
        assert!(
            back.changed["a"][0]
                .what
                .contains("one `body` argument again")
        );
    }

    #[test]
    fn resource_changes() {
        let mut old = contract(vec![
            tool("a", "GET /a", json!({"type": "object"})),
            tool("b", "GET /b", json!({"type": "object"})),
            tool("c", "GET /c", json!({"type": "object"})),
        ]);
        old.tools[0].resource = Some("x://a".into());
        old.tools[1].resource = Some("x://b".into());
        let mut new = old.clone();
        new.tools[0].resource = Some("x://a/{id}".into());
        new.tools[1].listed = false;
        new.tools[2].resource = Some("x://c".into());
        let diff = diff(&old, &new);
        assert!(diff.is_breaking());
        let text = diff.to_text();
        assert!(
            text.contains(
                "breaking   resource: its URI template is now `x://a/{id}` (was `x://a`)"
            ),
            "{text}"
        );
        assert!(
            text.contains("breaking   tool: no longer a tool: offered only as a resource"),
            "{text}"
        );
        assert!(
            text.contains("compatible resource: now also the resource `x://c`"),
            "{text}"
        );
        // And back: dropping the resource breaks its readers.
        let back = super::diff(&new, &old);
        assert!(
            back.to_text()
                .contains("no longer a resource (was `x://c`)")
        );
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

    #[test]
    fn a_changed_definition_is_found_through_unchanged_references() {
        let old = json!({"type": "object", "properties": {"body": {"$ref": "#/$defs/P"}},
            "$defs": {"P": {"type": "object", "properties": {"q": {"$ref": "#/$defs/Q"}}},
                      "Q": {"type": "object", "properties": {"n": {"type": "integer"}}}}});
        let mut new = old.clone();
        new["$defs"]["Q"]["properties"]["n"]["type"] = json!("string");
        let d = diff(
            &contract(vec![tool("t", "GET /", old)]),
            &contract(vec![tool("t", "GET /", new)]),
        );
        assert_eq!(d.changed["t"][0].at, "input.body.q.n", "{d:?}");
    }

    #[test]
    fn fingerprints_report_changes_the_shape_does_not_show() {
        let mut old = contract(vec![tool("t", "GET /", json!({"type": "object"}))]);
        old.tools[0].input.fingerprint = Some("aaaa".into());
        let mut new = old.clone();
        assert!(diff(&old, &new).is_empty());
        new.tools[0].input.fingerprint = Some("bbbb".into());
        let d = diff(&old, &new);
        assert_eq!(d.changed["t"][0].at, "input");
        assert_eq!(d.changed["t"][0].impact, Impact::Compatible);
        assert!(!d.is_breaking());
    }
}
