//! The walk over every schema and Reference object, and the keyword conversions it applies to
//! each schema (`const`, `examples`, `content*`, `prefixItems`, `patternProperties`, `null`
//! branches and type lists, `$ref` with siblings, and the keywords 3.0 has no counterpart for).

use serde_json::{Map, Value, json};

use super::notes::Notes;
use crate::error::pointer_join;
use crate::load::openapi::{
    KEPT_2020_12, KEPT_KEYWORDS, ObjectKind, boolean_schema, nullable_from_type_list,
    numeric_exclusive_bounds,
};
use crate::load::schema_walk::Visitor;

/// Keywords of JSON Schema 2020-12 that OpenAPI 3.0 has no counterpart for and that constrain
/// nothing once references are resolved; they are dropped. (The ones that constrain values are
/// kept, see [`KEPT_2020_12`].)
const UNSUPPORTED_KEYWORDS: [&str; 8] = [
    "$schema",
    "$id",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$recursiveAnchor",
    "$vocabulary",
    "$comment",
];

pub(super) struct Downgrade<'a> {
    pub(super) notes: &'a mut Notes,
}

impl Visitor for Downgrade<'_> {
    /// Subschemas are converted first (post-order), so that every rule here sees 3.0 children and
    /// every pointer is still the pointer of the input.
    fn leave_schema(&mut self, schema: &mut Value, pointer: &str) {
        downgrade_schema(schema, pointer, self.notes);
    }

    /// A Reference object in 3.1 may carry `summary` and `description`; 3.0 ignores everything
    /// next to `$ref`. Path items are the exception: 3.0 allows fields next to their `$ref`.
    fn enter_object(&mut self, kind: ObjectKind, value: &mut Value, pointer: &str) {
        if kind == ObjectKind::PathItem {
            return;
        }
        if let Some(map) = value.as_object_mut()
            && map.contains_key("$ref")
            && map.len() > 1
        {
            map.retain(|key, _| key == "$ref");
            self.notes.group(
                "reference-siblings",
                pointer,
                || "dropped `summary`/`description` next to a `$ref` (OpenAPI 3.0 ignores fields beside a reference)".into(),
                "put the description on the referenced component instead",
            );
        }
    }
}

/// Rewrites one 3.1 schema (whose subschemas are already 3.0) into 3.0.
pub(super) fn downgrade_schema(schema: &mut Value, pointer: &str, notes: &mut Notes) {
    boolean_schema(schema);
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    const_to_enum(map);
    examples_to_example(map, pointer, notes);
    numeric_exclusive_bounds(map);
    content_keywords(map, pointer, notes);
    prefix_items(map);
    pattern_properties(map, pointer, notes);
    drop_unsupported(map, pointer, notes);
    nullable_from_null_branches(map);
    nullable_from_type_list(map);
    wrap_ref_with_siblings(map);
}

/// `const: v` → `enum: [v]` (a `const` is stricter than any `enum` next to it), and the `const`
/// itself kept for tool inputs, which the IR writes in place of that `enum`.
pub(super) fn const_to_enum(map: &mut Map<String, Value>) {
    if let Some(value) = map.get("const").cloned() {
        replace_key(map, "const", "enum", json!([value]));
        map.shift_remove("const");
        keep(map, Map::from_iter([("const".to_owned(), value)]));
    }
}

/// `examples: [a, …]` → `example: a` (3.0 schemas have one example).
pub(super) fn examples_to_example(map: &mut Map<String, Value>, pointer: &str, notes: &mut Notes) {
    match map.get("examples") {
        Some(Value::Array(examples)) => {
            let first = examples.first().cloned();
            match first {
                Some(first) if !map.contains_key("example") => {
                    replace_key(map, "examples", "example", first)
                }
                _ => {
                    map.shift_remove("examples");
                }
            }
        }
        Some(_) => {
            map.shift_remove("examples");
            notes.group(
                "schema-examples",
                &pointer_join(pointer, "examples"),
                || "dropped a schema `examples` that is not a list".into(),
                "use a list of example values",
            );
        }
        None => {}
    }
}

/// `contentEncoding: base64` → `format: byte`; `contentMediaType` of a binary type on a string →
/// `format: binary`. Both keywords (and `contentSchema`) are then dropped.
pub(super) fn content_keywords(map: &mut Map<String, Value>, pointer: &str, notes: &mut Notes) {
    let encoding = map
        .get("contentEncoding")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    let media_type = map
        .get("contentMediaType")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    let is_string = map.get("type").is_none_or(|t| {
        t == "string" || t.as_array().is_some_and(|ts| ts.contains(&json!("string")))
    });
    let format = match (encoding.as_deref(), media_type.as_deref()) {
        (Some("base64" | "base64url"), _) => Some("byte"),
        (Some("binary"), _) => Some("binary"),
        (None, Some(media)) if !is_text_media_type(media) => Some("binary"),
        _ => None,
    };
    let translated = is_string && format.is_some();
    if let (true, Some(format)) = (translated, format) {
        // An explicit `format` says the same or more.
        map.entry("format").or_insert(json!(format));
    }
    // The three keywords are annotations in JSON Schema 2020-12, not constraints: only an
    // encoding that could not be translated is worth a warning.
    map.shift_remove("contentMediaType");
    if map.shift_remove("contentEncoding").is_some() && !translated {
        dropped_keyword("contentEncoding", pointer, notes);
    }
    if map.shift_remove("contentSchema").is_some() {
        dropped_keyword("contentSchema", pointer, notes);
    }
}

/// Whether a media type is text (its content fits a JSON string as is).
pub(super) fn is_text_media_type(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or(media).trim();
    essence.starts_with("text/")
        || essence.ends_with("json")
        || essence.ends_with("xml")
        || essence.ends_with("yaml")
        || essence == "application/x-www-form-urlencoded"
        || essence == "application/javascript"
}

/// `prefixItems` (tuples) is kept whole for tool inputs, with the `items` that follow it
/// (`true` when there were none: in 2020-12 an `items` next to `prefixItems` is only about the
/// items after the prefix). The 3.0 form, which Rust types and outputs read, is the closest
/// single `items`: the positions' schema when they all share one, else any items.
pub(super) fn prefix_items(map: &mut Map<String, Value>) {
    let Some(prefix) = map.shift_remove("prefixItems") else {
        return;
    };
    let after = map.shift_remove("items");
    // After the walk, `items: false` ("nothing after the prefix") reads `{not: {}}`.
    let closed = after
        .as_ref()
        .is_some_and(|items| *items == json!({"not": {}}));
    let uniform = match &prefix {
        Value::Array(positions) => positions
            .first()
            .filter(|first| positions.iter().all(|p| p == *first))
            .cloned(),
        _ => None,
    };
    match uniform {
        Some(first) if after.is_none() || closed || after.as_ref() == Some(&first) => {
            map.insert("items".into(), first);
        }
        _ => {}
    }
    let mut kept = Map::new();
    kept.insert("prefixItems".into(), prefix);
    kept.insert("items".into(), after.unwrap_or(Value::Bool(true)));
    keep(map, kept);
}

/// Adds keywords to the schema's [`KEPT_2020_12`] stash.
fn keep(map: &mut Map<String, Value>, kept: Map<String, Value>) {
    match map.get_mut(KEPT_2020_12) {
        Some(Value::Object(stash)) => stash.extend(kept),
        _ => {
            map.insert(KEPT_2020_12.to_owned(), Value::Object(kept));
        }
    }
}

/// `patternProperties` is kept as the extension `x-patternProperties`, for tools that read it.
pub(super) fn pattern_properties(map: &mut Map<String, Value>, pointer: &str, notes: &mut Notes) {
    if let Some(patterns) = map.get("patternProperties").cloned() {
        replace_key(map, "patternProperties", "x-patternProperties", patterns);
        notes.group(
            "patternProperties",
            &pointer_join(pointer, "patternProperties"),
            || "`patternProperties` has no OpenAPI 3.0 form; it is kept as `x-patternProperties` and not validated".into(),
            "use `additionalProperties` when all extra properties share one schema",
        );
    }
}

pub(super) fn drop_unsupported(map: &mut Map<String, Value>, pointer: &str, notes: &mut Notes) {
    let mut kept = Map::new();
    for keyword in KEPT_KEYWORDS {
        if let Some(value) = map.shift_remove(keyword) {
            kept.insert(keyword.to_owned(), value);
        }
    }
    if !kept.is_empty() {
        keep(map, kept);
    }
    for keyword in UNSUPPORTED_KEYWORDS {
        if map.shift_remove(keyword).is_some() {
            dropped_keyword(keyword, pointer, notes);
        }
    }
}

pub(super) fn dropped_keyword(keyword: &str, pointer: &str, notes: &mut Notes) {
    notes.group(
        keyword,
        &pointer_join(pointer, keyword),
        || format!("dropped the JSON Schema keyword `{keyword}`, which OpenAPI 3.0 cannot express"),
        "the generated code does not check this constraint",
    );
}

/// `anyOf`/`oneOf` with a `{type: "null"}` branch → the branch is removed and the schema is
/// `nullable`. One remaining branch is inlined; a remaining `$ref` becomes `allOf: [{$ref}]`
/// because 3.0 ignores fields next to a `$ref`.
pub(super) fn nullable_from_null_branches(map: &mut Map<String, Value>) {
    for keyword in ["anyOf", "oneOf"] {
        let Some(Value::Array(branches)) = map.get_mut(keyword) else {
            continue;
        };
        let before = branches.len();
        branches.retain(|branch| !is_null_schema(branch));
        if branches.len() == before {
            continue;
        }
        let remaining = std::mem::take(branches);
        map.insert("nullable".into(), json!(true));
        let mut remaining = remaining.into_iter();
        match (remaining.next(), remaining.next()) {
            (None, _) => {
                // Only `null` was allowed.
                replace_key(map, keyword, "enum", json!([null]));
            }
            (Some(only), None) => {
                map.shift_remove(keyword);
                inline_single_branch(map, only);
            }
            (Some(first), Some(second)) => {
                let branches: Vec<Value> = [first, second].into_iter().chain(remaining).collect();
                map.insert(keyword.into(), Value::Array(branches));
            }
        }
    }
}

/// Puts the one branch left of an `anyOf`/`oneOf` into its schema: merged when no keyword
/// clashes, else (and always for a `$ref`) as the first `allOf` entry.
pub(super) fn inline_single_branch(map: &mut Map<String, Value>, branch: Value) {
    let clashes = match &branch {
        Value::Object(fields) => {
            fields.contains_key("$ref") || fields.keys().any(|key| map.contains_key(key))
        }
        _ => true,
    };
    if let (false, Value::Object(fields)) = (clashes, &branch) {
        for (key, value) in fields {
            map.insert(key.clone(), value.clone());
        }
        return;
    }
    match map.get_mut("allOf") {
        Some(Value::Array(all_of)) => all_of.insert(0, branch),
        _ => {
            map.insert("allOf".into(), json!([branch]));
        }
    }
}

/// A schema that only accepts `null`, as written in 3.1 (`type: "null"`) or after conversion
/// (`nullable: true, enum: [null]`).
pub(super) fn is_null_schema(schema: &Value) -> bool {
    let Some(map) = schema.as_object() else {
        return false;
    };
    let only_null_type = map
        .get("type")
        .is_some_and(|t| *t == json!("null") || *t == json!(["null"]));
    let only_null_enum =
        map.get("enum").is_some_and(|e| *e == json!([null])) && !map.contains_key("type");
    let annotations_only = map.keys().all(|key| {
        matches!(
            key.as_str(),
            "type" | "enum" | "nullable" | "description" | "title" | "const"
        ) || key.starts_with("x-")
    });
    (only_null_type || only_null_enum) && annotations_only
}

/// 3.1 allows keywords next to `$ref`; 3.0 ignores them. The reference moves into `allOf` so the
/// siblings (a description included, so it is not lost) keep their meaning.
pub(super) fn wrap_ref_with_siblings(map: &mut Map<String, Value>) {
    if !map.contains_key("$ref") {
        return;
    }
    // `summary` is not a schema keyword; nothing reads it.
    map.shift_remove("summary");
    if map.len() == 1 {
        return;
    }
    let Some(reference) = map.get("$ref").cloned() else {
        return;
    };
    let target = json!({ "$ref": reference });
    match map.get_mut("allOf") {
        Some(Value::Array(all_of)) => {
            all_of.insert(0, target);
            map.shift_remove("$ref");
        }
        _ => {
            replace_key(map, "$ref", "allOf", json!([target]));
        }
    }
}

/// Replaces `old` by `new` at the same position in the map (so key order is kept).
pub(super) fn replace_key(map: &mut Map<String, Value>, old: &str, new: &str, value: Value) {
    let index = map.keys().position(|key| key == old);
    map.shift_remove(old);
    map.shift_remove(new);
    match index {
        Some(index) if index <= map.len() => {
            map.shift_insert(index, new.to_owned(), value);
        }
        _ => {
            map.insert(new.to_owned(), value);
        }
    }
}
