//! The compact form of a tool for `tools/list` (`--compact-tools` / `MCP_COMPACT_TOOLS`), for
//! clients whose context window cannot hold a large API's whole list.
//!
//! What stays is what a model needs to call the tool correctly: its name, a one-sentence
//! description, the input schema's structure and constraints (types, required, enums, bounds,
//! patterns, `$defs`) and the annotations. What goes: long descriptions, descriptions and examples
//! inside the input schema, markdown link targets, and output schemas (optional in MCP; results
//! still carry structured content).

use std::collections::HashMap;
use std::sync::Arc;

use rmcp::model::Tool;
use serde_json::{Map, Value};

/// The longest description kept, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 160;

/// Keywords that only annotate a schema; validation does not depend on them.
const ANNOTATIONS: [&str; 7] = [
    "description",
    "title",
    "examples",
    "example",
    "$comment",
    "deprecated",
    "$schema",
];

/// Keywords whose value maps names to schemas (the names are data, not keywords).
const SCHEMA_MAPS: [&str; 4] = [
    "properties",
    "patternProperties",
    "$defs",
    "dependentSchemas",
];

/// Compacted input schemas by the full schema they came from: tools that share a schema share
/// its compact form too.
#[derive(Default)]
pub struct Shared(HashMap<*const Map<String, Value>, Arc<Map<String, Value>>>);

/// `tool` in its compact form.
pub fn compact(tool: &Tool, shared: &mut Shared) -> Tool {
    let mut out = tool.clone();
    out.description = tool
        .description
        .as_deref()
        .map(|text| first_sentence(text).into());
    out.input_schema = shared
        .0
        .entry(Arc::as_ptr(&tool.input_schema))
        .or_insert_with(|| Arc::new(strip_annotations(&tool.input_schema)))
        .clone();
    out.output_schema = None;
    out
}

/// A schema object without annotation keywords, at any depth.
fn strip_annotations(schema: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in schema {
        if ANNOTATIONS.contains(&key.as_str()) {
            continue;
        }
        let value = match value {
            Value::Object(map) if SCHEMA_MAPS.contains(&key.as_str()) => Value::Object(
                map.iter()
                    .map(|(name, schema)| (name.clone(), strip_value(schema)))
                    .collect(),
            ),
            // `enum` and `const` values are data: kept as they are.
            _ if key == "enum" || key == "const" || key == "default" => value.clone(),
            other => strip_value(other),
        };
        out.insert(key.clone(), value);
    }
    out
}

fn strip_value(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(strip_annotations(map)),
        Value::Array(items) => Value::Array(items.iter().map(strip_value).collect()),
        other => other.clone(),
    }
}

/// The first sentence (or line) of `text`, without markdown link targets, at most
/// [`MAX_DESCRIPTION_CHARS`] characters (cut with `…`).
pub fn first_sentence(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("");
    let line = without_link_targets(line);
    let mut end = line.len();
    for (i, c) in line.char_indices() {
        if matches!(c, '.' | '!' | '?')
            && line[i + c.len_utf8()..]
                .chars()
                .next()
                .is_none_or(char::is_whitespace)
        {
            end = i + c.len_utf8();
            break;
        }
    }
    let sentence = &line[..end];
    if sentence.chars().count() <= MAX_DESCRIPTION_CHARS {
        return sentence.to_owned();
    }
    let mut cut: String = sentence.chars().take(MAX_DESCRIPTION_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// `[text](target)` → `text`.
fn without_link_targets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let link = after.find("](").and_then(|close| {
            let target = &after[close + 2..];
            target.find(')').map(|end| (close, close + 2 + end + 1))
        });
        match link {
            Some((close, consumed)) if !after[..close].contains('[') => {
                out.push_str(&after[..close]);
                rest = &after[consumed..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn first_sentences() {
        assert_eq!(
            first_sentence("Lists pets. Paginated, see [the docs](https://x.example/a(b)).\nMore."),
            "Lists pets."
        );
        assert_eq!(
            first_sentence("\n\nSee [Using pagination](https://docs.example/p) for v1.2 details"),
            "See Using pagination for v1.2 details"
        );
        let long = "word ".repeat(100);
        let cut = first_sentence(&long);
        assert_eq!(cut.chars().count(), MAX_DESCRIPTION_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(first_sentence("a [b c"), "a [b c");
    }

    #[test]
    fn schemas_keep_their_structure_and_lose_annotations() {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "description": "d",
            "properties": {
                "description": {"type": "string", "description": "a property named description", "maxLength": 5},
                "kind": {"enum": ["a", "b"], "title": "Kind", "examples": ["a"]},
                "tags": {"type": "array", "items": {"type": "string", "description": "x"}}
            },
            "required": ["description"],
            "$defs": {"Pet": {"type": "object", "description": "p", "properties": {"id": {"type": "integer", "default": 1}}}}
        });
        let Value::Object(map) = schema else {
            unreachable!()
        };
        let tool = Tool::new("t", "Gets a thing. At length.", Arc::new(map))
            .with_raw_output_schema(Arc::new(Map::new()));
        let compacted = compact(&tool, &mut Shared::default());
        assert_eq!(compacted.description.as_deref(), Some("Gets a thing."));
        assert!(compacted.output_schema.is_none());
        assert_eq!(
            Value::Object((*compacted.input_schema).clone()),
            json!({
                "type": "object",
                "properties": {
                    "description": {"type": "string", "maxLength": 5},
                    "kind": {"enum": ["a", "b"]},
                    "tags": {"type": "array", "items": {"type": "string"}}
                },
                "required": ["description"],
                "$defs": {"Pet": {"type": "object", "properties": {"id": {"type": "integer", "default": 1}}}}
            })
        );
    }
}
