//! `src/schemas.tsv`: the crate's stored schemas, one per line (`key<TAB>JSON`; the line number
//! after the two header lines is its id). First every distinct definition the tools reach, keyed
//! by its `$defs` name, then every distinct tool root, keyed `input:` or `output:` and the ids of
//! the definitions it reaches (see the runtime's `schema_defs.rs`). Tools name their schemas by
//! id, and tools with the same schema share a line. Files stay reviewable: past
//! [`MAX_FILE_BYTES`] the lines continue in `src/schemas-2.tsv` and so on, ids running on.

use std::collections::HashMap;

use crate::ir::schema_defs::{FORMAT_LINE, Line};
use crate::ir::{Api, ToolSchema};

/// Where one schema file ends, so that no generated file grows past what a git host or a
/// reviewer accepts.
pub const MAX_FILE_BYTES: usize = 4 << 20;

/// The stored schemas of a crate, and where each tool's are.
pub struct Stored {
    /// (path relative to the crate, contents), in id order.
    pub files: Vec<(String, String)>,
    /// Per tool, in the API's order: the ids of its input and output schemas.
    pub tools: Vec<(u32, Option<u32>)>,
}

/// Lays out every stored schema of `api`.
pub fn stored(api: &Api, marker: &str) -> Stored {
    let mut lines: Vec<(String, String)> = api
        .schemas
        .iter()
        .map(|def| (Line::Definition(def.name.clone()).key(), def.text.clone()))
        .collect();
    let mut roots: HashMap<(String, String), u32> = HashMap::new();
    let mut root_id = |schema: &ToolSchema| {
        let key = Line::Root {
            arguments: schema.arguments,
            defs: schema.defs.clone(),
        }
        .key();
        let text = schema.root.to_string();
        *roots.entry((key, text)).or_insert_with_key(|(key, text)| {
            lines.push((key.clone(), text.clone()));
            u32::try_from(lines.len() - 1).unwrap_or(u32::MAX)
        })
    };
    let tools = api
        .tools
        .iter()
        .map(|tool| {
            let input = root_id(&tool.input_schema);
            let output = tool.output.as_ref().map(|o| root_id(&o.schema));
            (input, output)
        })
        .collect();
    Stored {
        files: files(&lines, marker),
        tools,
    }
}

/// The lines in files of at most [`MAX_FILE_BYTES`].
fn files(lines: &[(String, String)], marker: &str) -> Vec<(String, String)> {
    let head = format!("# {marker}\n{FORMAT_LINE}\n");
    let mut files = Vec::new();
    let mut text = head.clone();
    for (key, json) in lines {
        let line = key.len() + json.len() + 2;
        if text.len() > head.len() && text.len() + line > MAX_FILE_BYTES {
            files.push(std::mem::replace(&mut text, head.clone()));
        }
        text.push_str(key);
        text.push('\t');
        text.push_str(json);
        text.push('\n');
    }
    files.push(text);
    files
        .into_iter()
        .enumerate()
        .map(|(at, text)| (file_name(at), text))
        .collect()
}

/// `src/schemas.tsv`, then `src/schemas-2.tsv`, ….
pub fn file_name(at: usize) -> String {
    match at {
        0 => "src/schemas.tsv".to_owned(),
        n => format!("src/schemas-{}.tsv", n + 1),
    }
}
