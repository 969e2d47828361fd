//! The contract of a freshly built API: what `generate` records in the lock file, with each tool
//! schema's fingerprint.

use sha2::{Digest, Sha256};

use super::lock;
use super::model::{Contract, SchemaContract, ToolContract, shape};
use crate::ir::{Api, ToolSchema};

/// Files the user owns: created once by `generate`, never overwritten or compared.
pub const USER_OWNED: &[&str] = &["src/hooks.rs"];

impl Contract {
    /// The contract of `api`, whose schemas the crate stores at `stored` (per tool: the input's
    /// and the output's line, see `emit::schemas`).
    /// `crate_name` makes the resources' default URI templates.
    pub fn of(
        api: &Api,
        marker: String,
        stored: &[(u32, Option<u32>)],
        crate_name: &str,
    ) -> Contract {
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
            .enumerate()
            .zip(stored)
            .map(|((index, tool), &(input, output))| ToolContract {
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
                resource: api
                    .resources
                    .iter()
                    .find(|resource| resource.tool == index)
                    .map(|resource| resource.uri_template(crate_name)),
                listed: tool.listed,
                flat_body: tool.body.as_ref().is_some_and(|b| b.flat),
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
