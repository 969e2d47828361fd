//! `$anchor`s in an assembled tool schema.
//!
//! A 3.1 spec's anchors reach the tool schemas as annotations: the references that used them were
//! resolved to JSON pointers when the spec was loaded, so nothing depends on them. But a schema may
//! name an anchor only once, and assembly can repeat one — a small definition inlined in two
//! places, a definition kept in `$defs` and also inlined where the nesting limit was not reached,
//! or two components of a spec that chose the same anchor name — and a repeated (or malformed)
//! anchor makes the whole schema invalid, so that no validator compiles it. [`keep_unique`]
//! removes every anchor that is not unique in its schema: all copies of it, so the result does
//! not depend on which copy assembly happened to put first.

use std::collections::HashMap;

use serde_json::Value;

/// Keywords whose value is an object of subschemas.
const SCHEMA_MAPS: [&str; 5] = [
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

/// Keywords whose value is one subschema (or, for `items` in old drafts, a list of them).
const SCHEMA_VALUES: [&str; 12] = [
    "items",
    "additionalItems",
    "additionalProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "contentSchema",
];

/// Keywords whose value is a list of subschemas.
const SCHEMA_LISTS: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];

/// Removes the `$anchor`s of `schema` that are repeated or not valid anchor names.
pub fn keep_unique(schema: &mut Value) {
    let mut counts: HashMap<String, usize> = HashMap::new();
    visit(schema, &mut |map| {
        if let Some(anchor) = map.get("$anchor") {
            let name = anchor.as_str().filter(|a| is_anchor_name(a)).unwrap_or("");
            *counts.entry(name.to_owned()).or_default() += 1;
        }
    });
    // Nearly every schema has no anchor at all: no second walk then.
    if counts.is_empty() {
        return;
    }
    visit(schema, &mut |map| {
        let keep = map
            .get("$anchor")
            .and_then(Value::as_str)
            .filter(|a| is_anchor_name(a))
            .is_some_and(|a| counts.get(a) == Some(&1));
        if !keep {
            map.remove("$anchor");
        }
    });
}

/// Whether `name` is a valid `$anchor`: `^[A-Za-z_][-A-Za-z0-9._]*$` (JSON Schema 2020-12, 8.2.2).
pub fn is_anchor_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

/// Calls `f` on every (sub)schema object of `schema`, through the keywords that hold schemas only
/// (an `$anchor` key inside `properties`, `enum` or `default` data is not an anchor).
fn visit(schema: &mut Value, f: &mut impl FnMut(&mut serde_json::Map<String, Value>)) {
    let Value::Object(map) = schema else { return };
    f(map);
    for keyword in SCHEMA_MAPS {
        if let Some(Value::Object(schemas)) = map.get_mut(keyword) {
            schemas.values_mut().for_each(|s| visit(s, f));
        }
    }
    for keyword in SCHEMA_VALUES {
        match map.get_mut(keyword) {
            Some(Value::Array(schemas)) => schemas.iter_mut().for_each(|s| visit(s, f)),
            Some(schema) => visit(schema, f),
            None => {}
        }
    }
    for keyword in SCHEMA_LISTS {
        if let Some(Value::Array(schemas)) = map.get_mut(keyword) {
            schemas.iter_mut().for_each(|s| visit(s, f));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unique_anchors_stay_and_repeated_ones_go_everywhere() {
        let mut schema = json!({
            "type": "object",
            "properties": {
                "home": {"$anchor": "addr", "type": "object"},
                "work": {"$anchor": "addr", "type": "object"},
                "name": {"$anchor": "name", "type": "string"},
                "$anchor": {"type": "string", "default": {"$anchor": "data"}}
            },
            "$defs": {"tag": {"$anchor": "tag", "allOf": [{"$anchor": "inner"}]}}
        });
        keep_unique(&mut schema);
        assert_eq!(schema["properties"]["home"], json!({"type": "object"}));
        assert_eq!(schema["properties"]["work"], json!({"type": "object"}));
        assert_eq!(schema["properties"]["name"]["$anchor"], "name");
        assert_eq!(schema["$defs"]["tag"]["$anchor"], "tag");
        assert_eq!(schema["$defs"]["tag"]["allOf"][0]["$anchor"], "inner");
        // A property called `$anchor` and data that looks like an anchor are left alone.
        assert_eq!(
            schema["properties"]["$anchor"],
            json!({"type": "string", "default": {"$anchor": "data"}})
        );
    }

    #[test]
    fn malformed_anchors_go() {
        let mut schema =
            json!({"anyOf": [{"$anchor": "1st"}, {"$anchor": 7}, {"$anchor": "ok-1.b_"}]});
        keep_unique(&mut schema);
        assert_eq!(schema, json!({"anyOf": [{}, {}, {"$anchor": "ok-1.b_"}]}));
        assert!(is_anchor_name("_a") && !is_anchor_name("") && !is_anchor_name("a b"));
    }
}
