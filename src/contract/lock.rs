//! `mcpwright.lock`: the contract as text, one line per tool, and back. Version 3 records each
//! schema as a fingerprint and its line in the crate's schema files; versions 1 (whole schemas per
//! tool) and 2 (shapes and shared definitions in the lock) still read, so upgrading mcpwright
//! keeps tool names and explains the first regeneration's changes.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::model::{Contract, SchemaContract, ToolContract, shape};
use crate::ir::schema_defs::{Line, lines};

/// The lock file's name in a generated crate.
pub const LOCK_FILE: &str = "mcpwright.lock";

/// The lock file format this version writes.
pub const VERSION: u32 = 3;

/// How a lock file reads, in any version.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LockFile {
    #[serde(default)]
    generated: String,
    version: u32,
    #[serde(default)]
    user_owned: Vec<String>,
    tools: Vec<LockTool>,
    /// Version 2.
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
    /// Written (version 3) only when true, so locks from before flat bodies read as nested.
    #[serde(default)]
    flat_body: bool,
    /// Version 3: `{"fingerprint", "schema"}`; version 2: the fingerprint.
    #[serde(default)]
    input: Option<Value>,
    #[serde(default)]
    output: Option<Value>,
    /// Version 2.
    #[serde(default)]
    input_shape: Option<Value>,
    #[serde(default)]
    output_shape: Option<Value>,
    /// The URI template of an operation that is also an MCP resource.
    #[serde(default)]
    resource: Option<String>,
    /// `false` for a resource-only operation.
    #[serde(default = "listed")]
    tool: bool,
    /// Version 1.
    #[serde(default)]
    input_schema: Option<Value>,
    #[serde(default)]
    output_schema: Option<Value>,
}

fn listed() -> bool {
    true
}

/// Compact JSON text of a lock file value.
fn text<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

impl Contract {
    /// The lock file's text: JSON with one line per tool, so regenerations diff line by line.
    pub fn to_text(&self) -> String {
        let mut out = String::from("{\n");
        out.push_str(&format!("  \"generated\": {},\n", text(&self.generated)));
        out.push_str(&format!("  \"version\": {},\n", self.version));
        out.push_str(&format!("  \"userOwned\": {},\n", text(&self.user_owned)));
        out.push_str("  \"tools\": [");
        for (at, tool) in self.tools.iter().enumerate() {
            out.push_str(if at == 0 { "\n    {" } else { ",\n    {" });
            let mut fields = vec![
                format!("\"name\": {}", text(&tool.name)),
                format!("\"operation\": {}", text(&tool.operation)),
            ];
            if let Some(id) = &tool.operation_id {
                fields.push(format!("\"operationId\": {}", text(id)));
            }
            fields.push(format!("\"scopes\": {}", text(&tool.scopes)));
            if tool.flat_body {
                fields.push("\"flatBody\": true".to_owned());
            }
            if let Some(resource) = &tool.resource {
                fields.push(format!("\"resource\": {}", text(resource)));
            }
            if !tool.listed {
                fields.push("\"tool\": false".to_owned());
            }
            for (key, side) in [
                ("input", Some(&tool.input)),
                ("output", tool.output.as_ref()),
            ] {
                if let Some(side) = side {
                    let recorded = json!({"fingerprint": side.fingerprint, "schema": side.at});
                    fields.push(format!("\"{key}\": {}", text(&recorded)));
                }
            }
            out.push_str(&fields.join(", "));
            out.push('}');
        }
        out.push_str(if self.tools.is_empty() {
            "]\n"
        } else {
            "\n  ]\n"
        });
        out.push_str("}\n");
        out
    }

    /// Reads a lock file, and the schema files it points into through `file` (a crate-relative
    /// path's text, when there is such a file). `None` when the text is not a lock file (a
    /// hand-edited file beyond repair is then simply not used).
    pub fn parse_with<'a>(text: &str, file: impl Fn(&str) -> Option<&'a str>) -> Option<Contract> {
        let lock: LockFile = serde_json::from_str(text).ok()?;
        let mut contract = Contract {
            generated: lock.generated,
            version: lock.version,
            user_owned: lock.user_owned,
            tools: Vec::with_capacity(lock.tools.len()),
            defs: Vec::new(),
        };
        if lock.version >= 3 {
            let mut files = Vec::new();
            let mut at = 0;
            while let Some(text) = file(&crate::emit::schema_file(at)) {
                files.push(text);
                at += 1;
            }
            contract.defs = lines(&files)
                .into_iter()
                .map(|(key, json)| match Line::parse(key) {
                    Some(Line::Definition(name)) => (
                        name,
                        serde_json::from_str(json).map_or(Value::Null, |v| shape(&v)),
                    ),
                    // A root keeps its key (which names its definitions) and its whole text.
                    _ => (
                        key.to_owned(),
                        serde_json::from_str(json).unwrap_or(Value::Null),
                    ),
                })
                .collect();
            for tool in lock.tools {
                let input = contract.stored(tool.input.as_ref());
                let output = tool.output.as_ref().map(|o| contract.stored(Some(o)));
                contract.tools.push(ToolContract {
                    name: tool.name,
                    operation: tool.operation,
                    operation_id: tool.operation_id,
                    input,
                    output,
                    scopes: tool.scopes,
                    resource: tool.resource,
                    listed: tool.tool,
                    flat_body: tool.flat_body,
                });
            }
            return Some(contract);
        }
        // Versions 1 and 2 name definitions uniquely per side: inputs, then outputs.
        let mut input_defs = lock.input_defs;
        let mut output_defs = lock.output_defs;
        let mut tools = Vec::with_capacity(lock.tools.len());
        for tool in lock.tools {
            let fingerprint = |value: &Option<Value>| value.as_ref()?.as_str().map(str::to_owned);
            let input = match tool.input_schema {
                Some(schema) => (None, v1_shape(schema, &mut input_defs)),
                None => (
                    fingerprint(&tool.input),
                    tool.input_shape.unwrap_or(json!({})),
                ),
            };
            let output = match (tool.output_schema, tool.output_shape) {
                (Some(schema), _) => Some((None, v1_shape(schema, &mut output_defs))),
                (None, Some(shape)) => Some((fingerprint(&tool.output), shape)),
                (None, None) => None,
            };
            tools.push((
                tool.name,
                tool.operation,
                tool.operation_id,
                tool.scopes,
                (tool.resource, tool.tool),
                input,
                output,
            ));
        }
        let inputs = contract.add_defs(input_defs);
        let outputs = contract.add_defs(output_defs);
        for (name, operation, operation_id, scopes, (resource, listed), input, output) in tools {
            let side =
                |(fingerprint, shape): (Option<String>, Value), defs: &Vec<u32>| SchemaContract {
                    fingerprint,
                    at: None,
                    shape,
                    defs: defs.clone(),
                };
            contract.tools.push(ToolContract {
                name,
                operation,
                operation_id,
                input: side(input, &inputs),
                output: output.map(|o| side(o, &outputs)),
                scopes,
                resource,
                listed,
                flat_body: false,
            });
        }
        Some(contract)
    }

    /// Reads a lock file alone (enough for tool names; the diff also needs the schema files).
    pub fn parse(text: &str) -> Option<Contract> {
        Contract::parse_with(text, |_| None)
    }

    /// The lock file of the crate in `dir`, with its schema files.
    pub fn read(dir: &Path) -> Option<Contract> {
        let lock = std::fs::read_to_string(dir.join(LOCK_FILE)).ok()?;
        let mut files = Vec::new();
        for at in 0.. {
            match std::fs::read_to_string(dir.join(crate::emit::schema_file(at))) {
                Ok(text) => files.push(text),
                Err(_) => break,
            }
        }
        Contract::parse_with(&lock, |path| {
            let at = (0..files.len()).find(|&at| crate::emit::schema_file(at) == path)?;
            Some(files[at].as_str())
        })
    }

    /// A version 3 schema record, resolved against the schema files' lines.
    fn stored(&self, recorded: Option<&Value>) -> SchemaContract {
        let fingerprint = recorded
            .and_then(|r| r.get("fingerprint"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let at = recorded
            .and_then(|r| r.get("schema"))
            .and_then(Value::as_u64)
            .and_then(|at| u32::try_from(at).ok());
        let root = at.and_then(|at| self.defs.get(at as usize));
        let defs = root.and_then(|_| self.defs_of(at?)).unwrap_or_default();
        SchemaContract {
            fingerprint,
            at,
            shape: root.map_or_else(|| json!({}), |(_, root)| shape(root)),
            defs,
        }
    }

    /// The definition ids a root line of the schema files names.
    fn defs_of(&self, at: u32) -> Option<Vec<u32>> {
        match Line::parse(&self.defs.get(at as usize)?.0)? {
            Line::Root { defs, .. } => Some(defs),
            Line::Definition(_) => None,
        }
    }

    /// Appends shared definitions, returning their indices.
    pub(super) fn add_defs(&mut self, defs: Map<String, Value>) -> Vec<u32> {
        defs.into_iter()
            .map(|(name, shape)| {
                self.defs.push((name, shape));
                u32::try_from(self.defs.len() - 1).unwrap_or(u32::MAX)
            })
            .collect()
    }
}

/// A version 1 schema (whole, with its own `$defs`) as a shape; its definitions join `defs`
/// (names are the spec's, the same in every tool).
pub(super) fn v1_shape(mut schema: Value, defs: &mut Map<String, Value>) -> Value {
    if let Some(Value::Object(own)) = schema.as_object_mut().and_then(|m| m.remove("$defs")) {
        for (name, body) in own {
            defs.entry(name).or_insert_with(|| shape(&body));
        }
    }
    shape(&schema)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::diff;

    /// Schema files as a crate stores them: `P` (line 0), then an input root reaching it (line
    /// 1) and an output root (line 2).
    const SCHEMAS: &str = concat!(
        "# @generated\nmcpwright-schemas 1\n",
        "P\t{\"type\":\"object\",\"description\":\"dropped\",\"properties\":{\"n\":{\"type\":\"integer\"}}}\n",
        "input:0\t{\"type\":\"object\",\"properties\":{\"b\":{\"$ref\":\"#/$defs/P\"}}}\n",
        "output:\t{\"type\":\"object\"}\n",
    );

    const LOCK: &str = r#"{"generated": "x", "version": 3, "tools": [
        {"name": "t", "operation": "GET /", "scopes": [["read"]],
         "input": {"fingerprint": "00ff", "schema": 1}, "output": {"fingerprint": "11ee", "schema": 2}}]}"#;

    fn files(path: &str) -> Option<&'static str> {
        (path == "src/schemas.tsv").then_some(SCHEMAS)
    }

    #[test]
    fn version_3_reads_its_schemas_from_the_crate_and_writes_back() {
        let contract = Contract::parse_with(LOCK, files).expect("a lock file");
        let tool = &contract.tools[0];
        assert_eq!(tool.input.at, Some(1));
        assert_eq!(tool.input.defs, [0]);
        assert_eq!(
            tool.input.shape,
            json!({"type": "object", "properties": {"b": {"$ref": "#/$defs/P"}}})
        );
        assert_eq!(
            contract.defs[0],
            (
                "P".into(),
                json!({"type": "object", "properties": {"n": {"type": "integer"}}})
            ),
            "shapes keep only what the diff reads"
        );
        let text = contract.to_text();
        assert!(text.contains("\"name\": \"t\""), "{text}");
        assert_eq!(Contract::parse_with(&text, files), Some(contract.clone()));
        // Without the schema files, names and fingerprints still read.
        let alone = Contract::parse(LOCK).expect("a lock file");
        assert_eq!(alone.names()["GET /"], "t");
        assert_eq!(alone.tools[0].input.fingerprint.as_deref(), Some("00ff"));
    }

    #[test]
    fn versions_1_and_2_still_read_and_compare() {
        let now = Contract::parse_with(LOCK, files).expect("a lock file");
        let v1 = r##"{"generated": "x", "version": 1, "tools": [{"name": "t", "operation": "GET /", "scopes": [["read"]],
            "inputSchema": {"type": "object", "properties": {"b": {"$ref": "#/$defs/P"}},
                            "$defs": {"P": {"type": "object", "properties": {"n": {"type": "string"}}}}}}]}"##;
        let old = Contract::parse(v1).expect("a version 1 lock file");
        let d = diff(&old, &now);
        let at: Vec<&str> = d.changed["t"].iter().map(|c| c.at.as_str()).collect();
        assert_eq!(at, ["input.b.n", "output"], "{d:?}");
        let v2 = r##"{"generated": "x", "version": 2, "tools": [{"name": "t", "operation": "GET /", "scopes": [["read"]],
            "input": "00ff", "inputShape": {"type": "object", "properties": {"b": {"$ref": "#/$defs/P"}}}}],
            "inputDefs": {"P": {"type": "object", "properties": {"n": {"type": "integer"}}}}, "outputDefs": {}}"##;
        let old = Contract::parse(v2).expect("a version 2 lock file");
        let d = diff(&old, &now);
        assert_eq!(d.changed["t"].len(), 1, "only the output is new: {d:?}");
        assert_eq!(d.changed["t"][0].at, "output");
    }
}
