//! The MCP contract of a generated server — each tool's name, operation, schemas and scopes — as
//! recorded in the crate's `mcpwright.lock`, and the difference between two contracts, classified
//! for the people and bots deciding whether a regeneration can ship.
//!
//! The lock file also keeps tool names stable: `generate` reads it and gives every operation the
//! name it had, whatever a new operation or a change of naming rules would suggest.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::ir::schema::Mode;
use crate::ir::schema_defs::def_ref;
use crate::ir::{Api, ToolSchema};

/// The lock file's name in a generated crate.
pub const LOCK_FILE: &str = "mcpwright.lock";

/// Files the user owns: created once by `generate`, never overwritten or compared.
pub const USER_OWNED: &[&str] = &["src/hooks.rs"];

/// One tool as MCP clients see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolContract {
    pub name: String,
    /// `METHOD /path`: the operation's identity across regenerations.
    pub operation: String,
    pub operation_id: Option<String>,
    pub input: SchemaContract,
    pub output: Option<SchemaContract>,
    /// Scope alternatives a caller needs.
    pub scopes: Vec<Vec<String>>,
}

/// One tool schema as the lock file records it: a fingerprint of the whole schema clients see,
/// and its shape — the keywords the diff explains (`type`, `enum`, `required`, `properties`,
/// `items`), with `$ref`s into the contract's shared definitions.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaContract {
    /// `None` in lock files written before fingerprints.
    pub fingerprint: Option<String>,
    pub shape: Value,
}

/// The contract of a whole server, as the lock file stores it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Contract {
    /// The `@generated` marker, first so the writer recognizes the file as generated.
    pub generated: String,
    pub version: u32,
    /// Files created once and then owned by the user.
    pub user_owned: Vec<String>,
    pub tools: Vec<ToolContract>,
    /// Shapes of the shared definitions the tools' shapes reference, by `$defs` name, for
    /// arguments and for results (the two are converted differently).
    pub input_defs: Map<String, Value>,
    pub output_defs: Map<String, Value>,
}

/// The lock file format this version writes.
const VERSION: u32 = 2;

/// The keywords a shape keeps: what [`diff`] compares.
const SHAPE_KEYWORDS: &[&str] = &["type", "enum", "required", "$ref"];

/// How a lock file reads: today's fields and those of version 1 (whole schemas per tool).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LockFile {
    #[serde(default)]
    generated: String,
    version: u32,
    #[serde(default)]
    user_owned: Vec<String>,
    tools: Vec<LockTool>,
    #[serde(default)]
    input_defs: Map<String, Value>,
    #[serde(default)]
    output_defs: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LockTool {
    name: String,
    operation: String,
    #[serde(default)]
    operation_id: Option<String>,
    #[serde(default)]
    scopes: Vec<Vec<String>>,
    #[serde(default)]
    input: Option<String>,
    #[serde(default)]
    input_shape: Option<Value>,
    #[serde(default)]
    output: Option<String>,
    #[serde(default)]
    output_shape: Option<Value>,
    /// Version 1.
    #[serde(default)]
    input_schema: Option<Value>,
    #[serde(default)]
    output_schema: Option<Value>,
}

impl Contract {
    pub fn of(api: &Api, marker: String) -> Contract {
        let shapes = Shapes::new(api);
        // In the table's order (the spec's), not the map's.
        let mut primaries: Vec<(usize, &str, Mode)> = shapes
            .primary
            .iter()
            .map(|(&(name, mode), &id)| (id, name, mode))
            .collect();
        primaries.sort_by_key(|&(id, _, mode)| (id, mode == Mode::Output));
        let mut input_defs = Map::new();
        let mut output_defs = Map::new();
        for (id, name, mode) in primaries {
            let defs = match mode {
                Mode::Input => &mut input_defs,
                Mode::Output => &mut output_defs,
            };
            defs.insert(name.to_owned(), shape(&api.schemas[id].body));
        }
        Contract {
            generated: marker,
            version: VERSION,
            user_owned: USER_OWNED.iter().map(|s| (*s).to_owned()).collect(),
            tools: api
                .tools
                .iter()
                .map(|tool| ToolContract {
                    name: tool.name.clone(),
                    operation: tool.label.clone(),
                    operation_id: tool.operation_id.clone(),
                    input: shapes.of(&tool.input_schema, Mode::Input),
                    output: tool
                        .output
                        .as_ref()
                        .map(|o| shapes.of(&o.schema, Mode::Output)),
                    scopes: tool.scopes.clone(),
                })
                .collect(),
            input_defs,
            output_defs,
        }
    }

    /// The lock file's text: JSON with one line per field of a tool and one per shared
    /// definition, so regenerations diff line by line and the file stays a fraction of the
    /// spec's size.
    pub fn to_text(&self) -> String {
        let mut out = String::from("{\n");
        out.push_str(&format!("  \"generated\": {},\n", text(&self.generated)));
        out.push_str(&format!("  \"version\": {},\n", self.version));
        out.push_str(&format!("  \"userOwned\": {},\n", text(&self.user_owned)));
        out.push_str("  \"tools\": [");
        for (at, tool) in self.tools.iter().enumerate() {
            out.push_str(if at == 0 { "\n" } else { ",\n" });
            let mut fields = vec![
                ("name", text(&tool.name)),
                ("operation", text(&tool.operation)),
            ];
            if let Some(id) = &tool.operation_id {
                fields.push(("operationId", text(id)));
            }
            fields.push(("scopes", text(&tool.scopes)));
            for (key, shape_key, side) in [
                ("input", "inputShape", Some(&tool.input)),
                ("output", "outputShape", tool.output.as_ref()),
            ] {
                if let Some(side) = side {
                    if let Some(fingerprint) = &side.fingerprint {
                        fields.push((key, text(fingerprint)));
                    }
                    fields.push((shape_key, text(&side.shape)));
                }
            }
            out.push_str("    {\n");
            let last = fields.len() - 1;
            for (i, (key, value)) in fields.into_iter().enumerate() {
                let comma = if i == last { "" } else { "," };
                out.push_str(&format!("      \"{key}\": {value}{comma}\n"));
            }
            out.push_str("    }");
        }
        out.push_str(if self.tools.is_empty() {
            "],\n"
        } else {
            "\n  ],\n"
        });
        for (key, defs, comma) in [
            ("inputDefs", &self.input_defs, ","),
            ("outputDefs", &self.output_defs, ""),
        ] {
            out.push_str(&format!("  \"{key}\": {{"));
            for (at, (name, shape)) in defs.iter().enumerate() {
                out.push_str(if at == 0 { "\n" } else { ",\n" });
                out.push_str(&format!("    {}: {}", text(name), text(shape)));
            }
            out.push_str(if defs.is_empty() { "}" } else { "\n  }" });
            out.push_str(comma);
            out.push('\n');
        }
        out.push_str("}\n");
        out
    }

    /// Reads a lock file (this version's or version 1); `None` when the text is not one (a
    /// hand-edited file beyond repair is then simply not used).
    pub fn parse(text: &str) -> Option<Contract> {
        let lock: LockFile = serde_json::from_str(text).ok()?;
        let mut contract = Contract {
            generated: lock.generated,
            version: lock.version,
            user_owned: lock.user_owned,
            tools: Vec::with_capacity(lock.tools.len()),
            input_defs: lock.input_defs,
            output_defs: lock.output_defs,
        };
        for tool in lock.tools {
            let input = match (tool.input_schema, tool.input_shape) {
                (Some(schema), _) => SchemaContract {
                    fingerprint: None,
                    shape: v1_shape(schema, &mut contract.input_defs),
                },
                (None, shape) => SchemaContract {
                    fingerprint: tool.input,
                    shape: shape.unwrap_or_else(|| json!({})),
                },
            };
            let output = match (tool.output_schema, tool.output_shape) {
                (Some(schema), _) => Some(SchemaContract {
                    fingerprint: None,
                    shape: v1_shape(schema, &mut contract.output_defs),
                }),
                (None, Some(shape)) => Some(SchemaContract {
                    fingerprint: tool.output,
                    shape,
                }),
                (None, None) => None,
            };
            contract.tools.push(ToolContract {
                name: tool.name,
                operation: tool.operation,
                operation_id: tool.operation_id,
                input,
                output,
                scopes: tool.scopes,
            });
        }
        Some(contract)
    }

    /// Tool names by operation, for keeping names stable.
    pub fn names(&self) -> HashMap<String, String> {
        self.tools
            .iter()
            .map(|t| (t.operation.clone(), t.name.clone()))
            .collect()
    }
}

/// Compact JSON text of a lock file value.
fn text<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A version 1 schema (whole, with its own `$defs`) as a shape; its definitions join the
/// contract's (names are the spec's, the same in every tool).
fn v1_shape(mut schema: Value, defs: &mut Map<String, Value>) -> Value {
    if let Some(Value::Object(own)) = schema.as_object_mut().and_then(|m| m.remove("$defs")) {
        for (name, body) in own {
            defs.entry(name).or_insert_with(|| shape(&body));
        }
    }
    shape(&schema)
}

/// The parts of a schema [`diff`] compares.
pub fn shape(schema: &Value) -> Value {
    let Value::Object(map) = schema else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in map {
        match key.as_str() {
            "properties" => {
                if let Value::Object(props) = value {
                    let props = props.iter().map(|(k, v)| (k.clone(), shape(v))).collect();
                    out.insert(key.clone(), Value::Object(props));
                }
            }
            "items" => {
                out.insert(key.clone(), shape(value));
            }
            _ if SHAPE_KEYWORDS.contains(&key.as_str()) => {
                out.insert(key.clone(), value.clone());
            }
            _ => {}
        }
    }
    Value::Object(out)
}

/// Shapes and fingerprints of an API's tool schemas, each shared definition hashed once.
struct Shapes<'a> {
    api: &'a Api,
    /// The first definition of each (name, side) the tools reach: the one the contract's tables
    /// hold. A tool
    /// that reaches another variant (a multipart body whose file fields are marked) gets that
    /// variant's shape in place of the reference.
    primary: HashMap<(&'a str, Mode), usize>,
    digests: Vec<[u8; 32]>,
}

impl<'a> Shapes<'a> {
    fn new(api: &'a Api) -> Self {
        let mut primary = HashMap::new();
        for tool in &api.tools {
            let sides = std::iter::once((&tool.input_schema, Mode::Input))
                .chain(tool.output.as_ref().map(|o| (&o.schema, Mode::Output)));
            for (schema, mode) in sides {
                for &id in &schema.defs {
                    if let Some(def) = api.schemas.get(id as usize) {
                        primary
                            .entry((def.name.as_str(), mode))
                            .or_insert(id as usize);
                    }
                }
            }
        }
        let digests = api
            .schemas
            .iter()
            .map(|def| Sha256::digest(def.text.as_bytes()).into())
            .collect();
        Shapes {
            api,
            primary,
            digests,
        }
    }

    fn of(&self, schema: &ToolSchema, mode: Mode) -> SchemaContract {
        let root = schema.root.to_string();
        let mut hash = Sha256::new();
        hash.update(root.as_bytes());
        hash.update([u8::from(schema.arguments)]);
        let mut variants = HashMap::new();
        for &id in &schema.defs {
            let Some(def) = self.api.schemas.get(id as usize) else {
                continue;
            };
            hash.update(b"\0");
            hash.update(def.name.as_bytes());
            hash.update(self.digests[id as usize]);
            if self.primary.get(&(def.name.as_str(), mode)) != Some(&(id as usize)) {
                variants.insert(def.name.as_str(), shape(&def.body));
            }
        }
        let mut shape = shape(&schema.root);
        if !variants.is_empty() {
            replace_refs(&mut shape, &variants);
        }
        let digest = hash.finalize();
        SchemaContract {
            fingerprint: Some(crate::load::hex(&digest[..16])),
            shape,
        }
    }
}

/// Puts each variant's shape where the shape references it by name.
fn replace_refs(shape: &mut Value, variants: &HashMap<&str, Value>) {
    match shape {
        Value::Object(map) => {
            if let Some(body) = def_ref(map).and_then(|name| variants.get(name)) {
                *shape = body.clone();
                return;
            }
            map.values_mut().for_each(|v| replace_refs(v, variants));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| replace_refs(v, variants)),
        _ => {}
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
    let input = Tables::new(&old.input_defs, &new.input_defs);
    let output = Tables::new(&old.output_defs, &new.output_defs);
    let tool_changes =
        |before: &ToolContract, tool: &ToolContract| tool_changes(before, tool, &input, &output);
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
    old: &ToolContract,
    new: &ToolContract,
    input: &Tables,
    output: &Tables,
) -> Vec<Change> {
    let mut changes = Vec::new();
    if old.operation != new.operation {
        changes.push(Change {
            impact: Impact::Breaking,
            at: "operation".into(),
            what: format!("now calls {} (was {})", new.operation, old.operation),
        });
    }
    compare_side(&mut changes, Side::Input, input, &old.input, &new.input);
    match (&old.output, &new.output) {
        (Some(a), Some(b)) => compare_side(&mut changes, Side::Output, output, a, b),
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
    tables: &Tables,
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
    let mut diff = SchemaDiff {
        changes: &mut *changes,
        side,
        tables,
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

/// The shared definitions' shapes of both contracts for one side, and which names differ between
/// them, directly or through what they reference.
struct Tables<'a> {
    old: &'a Map<String, Value>,
    new: &'a Map<String, Value>,
    changed: HashSet<&'a str>,
}

impl<'a> Tables<'a> {
    fn new(old: &'a Map<String, Value>, new: &'a Map<String, Value>) -> Self {
        let mut changed: HashSet<&str> = HashSet::new();
        for (name, shape) in old {
            if new.get(name) != Some(shape) {
                changed.insert(name);
            }
        }
        for name in new.keys() {
            if !old.contains_key(name) {
                changed.insert(name);
            }
        }
        // A definition that references a changed one has changed too.
        let mut referrers: HashMap<String, Vec<&str>> = HashMap::new();
        for (name, shape) in old.iter().chain(new) {
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
        Tables { old, new, changed }
    }

    /// Whether `shape` references a definition that changed.
    fn reaches_change(&self, shape: &Value) -> bool {
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
        let old = resolve(self.tables.old, old);
        let new = resolve(self.tables.new, new);
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
fn resolve<'a>(defs: &'a Map<String, Value>, mut schema: &'a Value) -> &'a Value {
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

    /// A tool whose input is a whole schema, as version 1 lock files held them.
    fn tool(name: &str, operation: &str, input: Value) -> ToolContract {
        ToolContract {
            name: name.into(),
            operation: operation.into(),
            operation_id: None,
            input: SchemaContract {
                fingerprint: None,
                shape: input,
            },
            output: None,
            scopes: Vec::new(),
        }
    }

    /// A contract of such tools: their `$defs` move into the shared table.
    fn contract(mut tools: Vec<ToolContract>) -> Contract {
        let mut input_defs = Map::new();
        for tool in &mut tools {
            tool.input.shape = v1_shape(tool.input.shape.take(), &mut input_defs);
        }
        Contract {
            version: VERSION,
            tools,
            input_defs,
            ..Contract::default()
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

    #[test]
    fn lock_files_read_back_and_version_1_still_reads() {
        let mut written = contract(vec![tool(
            "t",
            "GET /",
            json!({"type": "object", "properties": {"b": {"$ref": "#/$defs/P"}},
                   "$defs": {"P": {"type": "object", "description": "dropped", "enum": [1]}}}),
        )]);
        written.tools[0].input.fingerprint = Some("00ff".into());
        written.tools[0].output = Some(SchemaContract {
            fingerprint: Some("11ee".into()),
            shape: json!({"type": "object"}),
        });
        written.tools[0].scopes = vec![vec!["read".into()]];
        let text = written.to_text();
        assert!(text.contains("\"name\": \"t\""), "{text}");
        assert!(
            !text.contains("dropped"),
            "shapes keep only what the diff reads"
        );
        assert_eq!(Contract::parse(&text), Some(written.clone()));
        let v1 = r##"{"generated": "x", "version": 1, "tools": [{"name": "t", "operation": "GET /", "scopes": [["read"]],
            "inputSchema": {"type": "object", "properties": {"b": {"$ref": "#/$defs/P"}},
                            "$defs": {"P": {"type": "object", "enum": [1]}}}}]}"##;
        let old = Contract::parse(v1).expect("a version 1 lock file");
        assert_eq!(old.tools[0].input.shape, written.tools[0].input.shape);
        assert_eq!(old.input_defs, written.input_defs);
        let d = diff(&old, &written);
        assert!(
            d.changed["t"].iter().all(|c| c.at == "output"),
            "only the output is new: {d:?}"
        );
    }
}
