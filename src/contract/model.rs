//! The contract's data: a server's tools, each with its operation, schemas (as fingerprints and
//! shapes) and scopes, and the shape of a schema. The lock file and the diff both read and write
//! these types, so they live here, apart from `mod.rs`, which uses those two modules.

use std::collections::HashMap;

use serde_json::{Map, Value};

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
    /// The URI template, when the operation is also (or only) an MCP resource.
    pub resource: Option<String>,
    /// Whether `tools/list` shows it (false: a resource only).
    pub listed: bool,
    /// Whether the request body's properties are top-level arguments (`flatten_body`), rather
    /// than one `body` argument: recorded so that `check` can say why every argument moved.
    pub flat_body: bool,
}

/// One tool schema: a fingerprint of the whole schema clients see, and its shape — the keywords
/// the diff explains (`type`, `enum`, `required`, `properties`, `items`, `$ref`) — with the
/// definitions its references reach.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SchemaContract {
    /// `None` in lock files written before fingerprints.
    pub fingerprint: Option<String>,
    /// Its line in the crate's schema files, in lock files that record it.
    pub at: Option<u32>,
    pub shape: Value,
    /// Indices into [`Contract::defs`] of the definitions `$ref`s reach, by their names.
    pub defs: Vec<u32>,
}

/// The contract of a whole server.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Contract {
    /// The `@generated` marker, first so the writer recognizes the file as generated.
    pub generated: String,
    pub version: u32,
    /// Files created once and then owned by the user.
    pub user_owned: Vec<String>,
    pub tools: Vec<ToolContract>,
    /// Shared definitions' names and shapes, which tools' schemas point into.
    pub defs: Vec<(String, Value)>,
}

impl Contract {
    /// Tool names by operation, for keeping names stable.
    pub fn names(&self) -> HashMap<String, String> {
        self.tools
            .iter()
            .map(|t| (t.operation.clone(), t.name.clone()))
            .collect()
    }
}

/// The keywords a shape keeps: what [`diff`](super::diff()) compares.
const SHAPE_KEYWORDS: &[&str] = &["type", "enum", "required", "$ref"];

/// The parts of a schema [`diff`](super::diff()) compares.
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
