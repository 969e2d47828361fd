//! The MCP contract of a generated server — each tool's name, operation, schemas and scopes — as
//! recorded in the crate's `mcpwright.lock`, and the difference between two contracts, classified
//! for the people and bots deciding whether a regeneration can ship.
//!
//! The lock file also keeps tool names stable: `generate` reads it and gives every operation the
//! name it had, whatever a new operation or a change of naming rules would suggest.
//!
//! It records each tool's schemas as fingerprints and as lines of the crate's stored schemas
//! (`src/schemas.tsv`), which hold every schema once; the diff reads the committed crate's schema
//! files to explain what changed, so the lock stays a small fraction of the spec however many
//! tools share a schema.

mod diff;
mod lock;

use std::collections::HashMap;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::ir::{Api, ToolSchema};

pub use diff::{Change, ContractDiff, Impact, diff};

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

/// The keywords a shape keeps: what [`diff`] compares.
const SHAPE_KEYWORDS: &[&str] = &["type", "enum", "required", "$ref"];

impl Contract {
    /// The contract of `api`, whose schemas the crate stores at `stored` (per tool: the input's
    /// and the output's line, see `emit::schemas`).
    pub fn of(api: &Api, marker: String, stored: &[(u32, Option<u32>)]) -> Contract {
        let digests: Vec<[u8; 32]> = api
            .schemas
            .iter()
            .map(|def| Sha256::digest(def.text.as_bytes()).into())
            .collect();
        let schema = |schema: &ToolSchema, at: u32| SchemaContract {
            fingerprint: Some(fingerprint(api, &digests, schema)),
            at: Some(at),
            shape: shape(&schema.root),
            defs: schema.defs.clone(),
        };
        let tools = api
            .tools
            .iter()
            .zip(stored)
            .map(|(tool, &(input, output))| ToolContract {
                name: tool.name.clone(),
                operation: tool.label.clone(),
                operation_id: tool.operation_id.clone(),
                input: schema(&tool.input_schema, input),
                output: tool
                    .output
                    .as_ref()
                    .zip(output)
                    .map(|(o, at)| schema(&o.schema, at)),
                scopes: tool.scopes.clone(),
            })
            .collect();
        Contract {
            generated: marker,
            version: lock::VERSION,
            user_owned: USER_OWNED.iter().map(|s| (*s).to_owned()).collect(),
            tools,
            defs: api
                .schemas
                .iter()
                .map(|def| (def.name.clone(), shape(&def.body)))
                .collect(),
        }
    }

    /// Tool names by operation, for keeping names stable.
    pub fn names(&self) -> HashMap<String, String> {
        self.tools
            .iter()
            .map(|t| (t.operation.clone(), t.name.clone()))
            .collect()
    }
}

/// A stable fingerprint of the schema clients see for `schema`: its stored root and the name
/// and digest of every definition it reaches (each definition hashed once per spec).
fn fingerprint(api: &Api, digests: &[[u8; 32]], schema: &ToolSchema) -> String {
    let mut hash = Sha256::new();
    hash.update(schema.root.to_string().as_bytes());
    hash.update([u8::from(schema.arguments)]);
    for &id in &schema.defs {
        let (Some(def), Some(digest)) = (api.schemas.get(id as usize), digests.get(id as usize))
        else {
            continue;
        };
        hash.update(b"\0");
        hash.update(def.name.as_bytes());
        hash.update(digest);
    }
    crate::load::hex(&hash.finalize()[..16])
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
