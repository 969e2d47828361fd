//! OpenAPI 3.1 → 3.0.3: rewrites what 3.0 (and `openapiv3`) cannot read into its closest 3.0 form.
//!
//! 3.1 schemas are JSON Schema 2020-12; most of the difference is there (`type` lists instead of
//! `nullable`, numeric `exclusiveMinimum`, `const`, `$defs`, boolean schemas, `$ref` with
//! siblings). The rest is document level: webhooks, `components.pathItems`, summaries next to
//! `$ref`s, the `mutualTLS` security scheme.
//!
//! Every diagnostic points into the 3.1 input. A keyword 3.0 cannot express is dropped with one
//! warning per keyword per document (naming the first place and how many there were), not one
//! per occurrence: a big spec would otherwise drown the useful warnings.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

use super::openapi::{
    ObjectKind, boolean_schema, nullable_from_type_list, numeric_exclusive_bounds,
};
use super::refs::decode_fragment;
use super::repair::forget_security_scheme;
use super::schema_walk::{Visitor, walk_document};
use crate::error::{Diagnostic, Location, pointer_join, pointer_token};

/// Keywords of JSON Schema 2020-12 that OpenAPI 3.0 has no counterpart for; they are dropped.
const UNSUPPORTED_KEYWORDS: [&str; 20] = [
    "$schema",
    "$id",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$recursiveAnchor",
    "$vocabulary",
    "$comment",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "dependentRequired",
    "unevaluatedProperties",
    "unevaluatedItems",
    "propertyNames",
    "contains",
    "minContains",
    "maxContains",
];

/// Converts a parsed OpenAPI 3.1 document into an OpenAPI 3.0.3 document.
///
/// Fails only when the root is not an object; everything else becomes a warning and a best-effort
/// conversion.
// The loader's signature: a `Diagnostic` (not boxed) like the other load stages.
pub fn to_openapi30(
    mut doc: Value,
    file: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Value, Diagnostic> {
    if !doc.is_object() {
        return Err(
            Diagnostic::new(Location::new(file, ""), "the document is not an object")
                .hint("an OpenAPI document is a YAML or JSON object with an `openapi` field"),
        );
    }
    let mut notes = Notes::new(file);
    downgrade_root(&mut doc, &mut notes);
    resolve_id_refs(&mut doc);
    instantiate_dynamic_refs(&mut doc);
    walk_document(&mut doc, &mut Downgrade { notes: &mut notes });
    hoist_defs(&mut doc, &mut notes);
    inline_path_items(&mut doc, &mut notes);
    drop_mutual_tls(&mut doc, &mut notes);
    warnings.extend(notes.finish());
    Ok(doc)
}

/// Warnings, collapsed per kind: one place of each kind and how many places there were.
struct Notes {
    file: String,
    /// In the order the kinds were first seen.
    grouped: Vec<Group>,
    single: Vec<Diagnostic>,
}

/// One kind of loss, seen `count` times; `pointer` is the place it was first seen.
struct Group {
    kind: String,
    message: String,
    hint: String,
    pointer: String,
    count: usize,
}

impl Notes {
    fn new(file: &str) -> Self {
        Notes {
            file: file.to_owned(),
            grouped: Vec::new(),
            single: Vec::new(),
        }
    }

    /// Records one occurrence of a kind of loss; the message is taken from the first occurrence.
    fn group(&mut self, kind: &str, pointer: &str, message: impl FnOnce() -> String, hint: &str) {
        if let Some(group) = self.grouped.iter_mut().find(|group| group.kind == kind) {
            group.count += 1;
        } else {
            self.grouped.push(Group {
                kind: kind.to_owned(),
                message: message(),
                hint: hint.to_owned(),
                pointer: pointer.to_owned(),
                count: 1,
            });
        }
    }

    /// Records a warning of its own.
    fn warn(&mut self, pointer: &str, message: impl Into<String>, hint: &str) {
        self.single
            .push(Diagnostic::new(Location::new(&self.file, pointer), message).hint(hint));
    }

    fn finish(self) -> Vec<Diagnostic> {
        let file = self.file;
        let grouped = self.grouped.into_iter().map(|group| {
            let message = match group.count {
                1 => group.message,
                n => format!("{} ({n} places, like this one)", group.message),
            };
            Diagnostic::new(Location::new(&file, group.pointer), message).hint(group.hint)
        });
        self.single.into_iter().chain(grouped).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Document level
// ---------------------------------------------------------------------------------------------

fn downgrade_root(doc: &mut Value, notes: &mut Notes) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    root.insert("openapi".into(), json!("3.0.3"));
    root.shift_remove("jsonSchemaDialect");
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        downgrade_info(info);
    }
    if let Some(webhooks) = root.shift_remove("webhooks") {
        let count = webhooks.as_object().map_or(0, Map::len);
        if count > 0 {
            notes.warn(
                "/webhooks",
                format!(
                    "skipped {count} webhook{} (OpenAPI 3.0 has no webhooks)",
                    if count == 1 { "" } else { "s" }
                ),
                "webhooks describe requests the API sends, which an MCP server does not serve",
            );
        }
    }
    if !root.contains_key("paths") {
        root.insert("paths".into(), json!({}));
    }
}

/// `info.summary` and `license.identifier` are 3.1 additions: the summary becomes the description
/// when there is none, the SPDX identifier becomes the license URL when there is none.
fn downgrade_info(info: &mut Map<String, Value>) {
    if let Some(summary) = info.shift_remove("summary")
        && !info.contains_key("description")
        && summary.is_string()
    {
        info.insert("description".into(), summary);
    }
    if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut)
        && let Some(identifier) = license.shift_remove("identifier")
        && let Some(identifier) = identifier.as_str()
        && !license.contains_key("url")
    {
        license.insert(
            "url".into(),
            json!(format!("https://spdx.org/licenses/{identifier}.html")),
        );
    }
}

/// `components.pathItems` (3.1) does not exist in 3.0: each `$ref` to one is replaced by a copy,
/// then the section is removed.
fn inline_path_items(doc: &mut Value, notes: &mut Notes) {
    let Some(items) = doc
        .get_mut("components")
        .and_then(Value::as_object_mut)
        .and_then(|components| components.shift_remove("pathItems"))
    else {
        return;
    };
    let Value::Object(items) = items else { return };
    struct Inline<'a> {
        items: Map<String, Value>,
        notes: &'a mut Notes,
        /// The path items being inlined (pointer, names), outermost first: a path item whose
        /// callbacks use the path item itself must not be inlined forever.
        active: Vec<(String, HashSet<String>)>,
    }
    impl Visitor for Inline<'_> {
        fn enter_object(&mut self, kind: ObjectKind, value: &mut Value, pointer: &str) {
            if kind == ObjectKind::PathItem {
                let mut seen: HashSet<String> = self
                    .active
                    .iter()
                    .flat_map(|(_, names)| names.iter().cloned())
                    .collect();
                let before = seen.len();
                inline_path_item(value, pointer, &self.items, &mut seen, self.notes);
                if seen.len() > before {
                    self.active.push((pointer.to_owned(), seen));
                }
            }
        }
        fn leave_object(&mut self, kind: ObjectKind, _value: &mut Value, pointer: &str) {
            if kind == ObjectKind::PathItem
                && self.active.last().is_some_and(|(at, _)| at == pointer)
            {
                self.active.pop();
            }
        }
    }
    walk_document(
        doc,
        &mut Inline {
            items,
            notes,
            active: Vec::new(),
        },
    );
}

/// Replaces a `$ref` to `#/components/pathItems/X` by a copy of X, following chains of such
/// references but none in `seen` (the chain so far and the path items being inlined around this
/// one: a cycle). Sibling fields of the `$ref` override the copy's.
fn inline_path_item(
    value: &mut Value,
    pointer: &str,
    items: &Map<String, Value>,
    seen: &mut HashSet<String>,
    notes: &mut Notes,
) {
    while let Some(reference) = value.get("$ref").and_then(Value::as_str).map(str::to_owned) {
        let Some(name) = reference.strip_prefix("#/components/pathItems/") else {
            return;
        };
        let name = crate::error::pointer_unescape(&decode_fragment(name));
        let target = match items.get(&name) {
            Some(target) if seen.insert(name.clone()) => target.clone(),
            Some(_) => {
                notes.warn(
                    pointer,
                    format!("path item reference `{reference}` is circular; left it out"),
                    "remove the cycle between path items",
                );
                *value = json!({});
                return;
            }
            None => {
                notes.warn(
                    pointer,
                    format!("path item reference `{reference}` points at nothing"),
                    "add the path item or fix the reference",
                );
                return;
            }
        };
        let Value::Object(mut copy) = target else {
            return;
        };
        if let Some(siblings) = value.as_object() {
            for (key, sibling) in siblings {
                if key != "$ref" {
                    copy.insert(key.clone(), sibling.clone());
                }
            }
        }
        *value = Value::Object(copy);
    }
}

/// The `mutualTLS` security scheme (3.1) has no 3.0 form; it is removed, and so are its uses.
fn drop_mutual_tls(doc: &mut Value, notes: &mut Notes) {
    let names: Vec<String> = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .map(|schemes| {
            schemes
                .iter()
                .filter(|(_, scheme)| {
                    scheme.get("type").and_then(Value::as_str) == Some("mutualTLS")
                })
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default();
    for name in names {
        if let Some(schemes) = doc
            .pointer_mut("/components/securitySchemes")
            .and_then(Value::as_object_mut)
        {
            schemes.shift_remove(&name);
        }
        forget_security_scheme(doc, &name);
        notes.warn(
            &pointer_join("/components/securitySchemes", &name),
            format!("security scheme `{name}` (mutualTLS) cannot be expressed in OpenAPI 3.0; it was removed from the spec and from the security requirements that named it"),
            "configure the client certificate outside the spec",
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The walk over schemas and Reference objects
// ---------------------------------------------------------------------------------------------

struct Downgrade<'a> {
    notes: &'a mut Notes,
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
fn downgrade_schema(schema: &mut Value, pointer: &str, notes: &mut Notes) {
    boolean_schema(schema);
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    const_to_enum(map);
    examples_to_example(map, pointer, notes);
    numeric_exclusive_bounds(map);
    content_keywords(map, pointer, notes);
    prefix_items(map, pointer, notes);
    pattern_properties(map, pointer, notes);
    drop_unsupported(map, pointer, notes);
    nullable_from_null_branches(map);
    nullable_from_type_list(map);
    wrap_ref_with_siblings(map);
}

/// `const: v` → `enum: [v]` (a `const` is stricter than any `enum` next to it).
fn const_to_enum(map: &mut Map<String, Value>) {
    if let Some(value) = map.get("const").cloned() {
        replace_key(map, "const", "enum", json!([value]));
        map.shift_remove("const");
    }
}

/// `examples: [a, …]` → `example: a` (3.0 schemas have one example).
fn examples_to_example(map: &mut Map<String, Value>, pointer: &str, notes: &mut Notes) {
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
fn content_keywords(map: &mut Map<String, Value>, pointer: &str, notes: &mut Notes) {
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
fn is_text_media_type(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or(media).trim();
    essence.starts_with("text/")
        || essence.ends_with("json")
        || essence.ends_with("xml")
        || essence.ends_with("yaml")
        || essence == "application/x-www-form-urlencoded"
        || essence == "application/javascript"
}

/// `prefixItems` (tuples) becomes `items` when every position has the same schema; otherwise it
/// is dropped and the array accepts any items.
fn prefix_items(map: &mut Map<String, Value>, pointer: &str, notes: &mut Notes) {
    let Some(prefix) = map.shift_remove("prefixItems") else {
        return;
    };
    let items = map.get("items");
    // After the walk, `items: false` ("nothing after the prefix") reads `{not: {}}`.
    let closed = items.is_some_and(|items| *items == json!({"not": {}}));
    let uniform = match &prefix {
        Value::Array(positions) => positions
            .first()
            .filter(|first| positions.iter().all(|p| p == *first))
            .cloned(),
        _ => None,
    };
    match uniform {
        Some(first) if items.is_none() || closed || items == Some(&first) => {
            map.insert("items".into(), first);
        }
        _ => {
            if closed {
                map.shift_remove("items");
            }
            notes.group(
                "prefixItems",
                &pointer_join(pointer, "prefixItems"),
                || "dropped `prefixItems` (OpenAPI 3.0 has no tuples; the array now accepts any items)".into(),
                "describe the array with one `items` schema",
            );
        }
    }
}

/// `patternProperties` is kept as the extension `x-patternProperties`, for tools that read it.
fn pattern_properties(map: &mut Map<String, Value>, pointer: &str, notes: &mut Notes) {
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

fn drop_unsupported(map: &mut Map<String, Value>, pointer: &str, notes: &mut Notes) {
    for keyword in UNSUPPORTED_KEYWORDS {
        if map.shift_remove(keyword).is_some() {
            dropped_keyword(keyword, pointer, notes);
        }
    }
}

fn dropped_keyword(keyword: &str, pointer: &str, notes: &mut Notes) {
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
fn nullable_from_null_branches(map: &mut Map<String, Value>) {
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
fn inline_single_branch(map: &mut Map<String, Value>, branch: Value) {
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
fn is_null_schema(schema: &Value) -> bool {
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
fn wrap_ref_with_siblings(map: &mut Map<String, Value>) {
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
fn replace_key(map: &mut Map<String, Value>, old: &str, new: &str, value: Value) {
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

// ---------------------------------------------------------------------------------------------
// `$id` and `$anchor`
// ---------------------------------------------------------------------------------------------

/// Rewrites references by `$id` (`/schemas/pet`, `https://…/pet.json#/properties/a`) and by
/// `$anchor` (`#pet_id`, `/schemas/pet#pet_id`) into JSON pointers, which is all 3.0 has. This
/// runs before the walk that drops `$id` and `$anchor`. Only identifiers written exactly as in
/// the `$ref` are matched (relative `$id`s are not resolved against a base URI).
fn resolve_id_refs(doc: &mut Value) {
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut anchors: Vec<(String, String)> = Vec::new(); // (anchor, pointer of its schema)
    super::schema_walk::for_each_schema(doc, |schema, pointer| {
        if let Some(id) = schema.get("$id").and_then(Value::as_str) {
            ids.entry(id.trim_end_matches('#').to_owned())
                .or_insert_with(|| pointer.to_owned());
        }
        if let Some(anchor) = schema.get("$anchor").and_then(Value::as_str) {
            anchors.push((anchor.to_owned(), pointer.to_owned()));
        }
    });
    if ids.is_empty() && anchors.is_empty() {
        return;
    }
    super::schema_walk::for_each_schema(doc, |schema, _| {
        let Some(map) = schema.as_object_mut() else {
            return;
        };
        let Some(reference) = map.get("$ref").and_then(Value::as_str) else {
            return;
        };
        if let Some(pointer) = id_ref_target(reference, &ids, &anchors) {
            map.insert("$ref".into(), json!(format!("#{pointer}")));
        }
    });
}

/// The JSON pointer a reference by `$id` and/or `$anchor` names, if it names one.
fn id_ref_target(
    reference: &str,
    ids: &HashMap<String, String>,
    anchors: &[(String, String)],
) -> Option<String> {
    let (base, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    if base.is_empty() && (fragment.is_empty() || fragment.starts_with('/')) {
        return None; // already a local JSON pointer
    }
    let resource = if base.is_empty() {
        ""
    } else {
        ids.get(base)?.as_str()
    };
    if fragment.starts_with('/') {
        return Some(format!("{resource}{}", decode_fragment(fragment)));
    }
    if fragment.is_empty() {
        return Some(resource.to_owned());
    }
    // A plain-name fragment: the anchor inside the named resource (or anywhere, for `#name`).
    let inside =
        |at: &str| resource.is_empty() || at == resource || at.starts_with(&format!("{resource}/"));
    anchors
        .iter()
        .find(|(anchor, at)| anchor == fragment && inside(at))
        .map(|(_, at)| at.clone())
}

// ---------------------------------------------------------------------------------------------
// `$dynamicRef` and `$dynamicAnchor`
// ---------------------------------------------------------------------------------------------

/// JSON Schema 2020-12 generics: a template declares `$defs: {T: {$dynamicAnchor: T, …}}` (the
/// default) and uses `$dynamicRef: "#T"`; a specialization `$ref`s the template and binds `T`
/// with a `$defs` entry of its own that carries `$dynamicAnchor: T`. 3.0 has no generics, so each
/// specialization becomes a copy of the template with the binding in place of each
/// `$dynamicRef`, and the `$dynamicRef`s left (in the template itself) become the default.
fn instantiate_dynamic_refs(doc: &mut Value) {
    let mut sites: Vec<(String, String, Map<String, Value>)> = Vec::new(); // (site, template, bindings)
    super::schema_walk::for_each_schema(doc, |schema, pointer| {
        let Some(map) = schema.as_object() else {
            return;
        };
        let bindings = dynamic_anchors(map);
        if let (false, Some(target)) = (
            bindings.is_empty(),
            map.get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#')),
        ) {
            sites.push((pointer.to_owned(), decode_fragment(target), bindings));
        }
    });
    // Innermost first, so an outer specialization copies inner ones already instantiated.
    for (site, template, bindings) in sites.into_iter().rev() {
        let Some(Value::Object(mut instance)) = doc.pointer(&template).cloned() else {
            continue;
        };
        instance.shift_remove("$id");
        if let Some(Value::Object(defs)) = instance.get_mut("$defs") {
            defs.retain(|_, def| {
                !def.get("$dynamicAnchor")
                    .and_then(Value::as_str)
                    .is_some_and(|a| bindings.contains_key(a))
            });
        }
        let mut instance = Value::Object(instance);
        replace_dynamic_refs(&mut instance, &bindings);
        let Some(Value::Object(site)) = doc.pointer_mut(&site) else {
            continue;
        };
        if let Value::Object(instance) = &mut instance {
            // The specialization's own keywords (an `xml` name, a description) win.
            for (key, value) in site.iter() {
                if !matches!(key.as_str(), "$ref" | "$defs" | "$id") {
                    instance.insert(key.clone(), value.clone());
                }
            }
        }
        *site = match instance {
            Value::Object(instance) => instance,
            _ => continue,
        };
    }
    // What is left are templates used on their own: their `$dynamicRef`s mean the default.
    let mut defaults: Vec<(String, String, Value)> = Vec::new(); // (resource pointer, anchor, default)
    super::schema_walk::for_each_schema(doc, |schema, pointer| {
        if let Some(map) = schema.as_object() {
            for (anchor, default) in dynamic_anchors(map) {
                defaults.push((pointer.to_owned(), anchor, default));
            }
        }
    });
    if defaults.is_empty() {
        return;
    }
    struct Defaults<'a>(&'a [(String, String, Value)]);
    impl Visitor for Defaults<'_> {
        fn leave_schema(&mut self, schema: &mut Value, pointer: &str) {
            let Some(anchor) = dynamic_ref_anchor(schema) else {
                return;
            };
            let nearest = self
                .0
                .iter()
                .filter(|(resource, name, _)| {
                    *name == anchor
                        && (pointer == resource || pointer.starts_with(&format!("{resource}/")))
                })
                .max_by_key(|(resource, _, _)| resource.len());
            if let Some((_, _, default)) = nearest {
                put_in_place(schema, default);
            }
        }
    }
    walk_document(doc, &mut Defaults(&defaults));
    // The anchored definitions are used up: bound in each specialization, or put in place as
    // the default.
    super::schema_walk::for_each_schema(doc, |schema, _| {
        let Some(map) = schema.as_object_mut() else {
            return;
        };
        if let Some(Value::Object(defs)) = map.get_mut("$defs") {
            defs.retain(|_, def| def.get("$dynamicAnchor").is_none());
            if defs.is_empty() {
                map.shift_remove("$defs");
            }
        }
    });
}

/// The `$defs` entries of a schema that carry a `$dynamicAnchor`: anchor → the entry without it.
fn dynamic_anchors(map: &Map<String, Value>) -> Map<String, Value> {
    let mut found = Map::new();
    if let Some(Value::Object(defs)) = map.get("$defs") {
        for def in defs.values() {
            if let (Some(anchor), Value::Object(def)) =
                (def.get("$dynamicAnchor").and_then(Value::as_str), def)
            {
                let mut def = def.clone();
                def.shift_remove("$dynamicAnchor");
                found.insert(anchor.to_owned(), Value::Object(def));
            }
        }
    }
    found
}

/// The anchor a `$dynamicRef` names (`#T` or `…#T`).
fn dynamic_ref_anchor(schema: &Value) -> Option<String> {
    let reference = schema.get("$dynamicRef")?.as_str()?;
    reference
        .rsplit_once('#')
        .map(|(_, anchor)| anchor.to_owned())
        .filter(|anchor| !anchor.is_empty() && !anchor.starts_with('/'))
}

/// Replaces each `$dynamicRef` to a bound anchor by the binding. Post-order, so a binding is
/// never searched itself (it may mention the anchor again).
fn replace_dynamic_refs(schema: &mut Value, bindings: &Map<String, Value>) {
    struct Bind<'a>(&'a Map<String, Value>);
    impl Visitor for Bind<'_> {
        fn leave_schema(&mut self, schema: &mut Value, _pointer: &str) {
            if let Some(binding) = dynamic_ref_anchor(schema).and_then(|anchor| self.0.get(&anchor))
            {
                put_in_place(schema, binding);
            }
        }
    }
    super::schema_walk::walk_schema(schema, "", &mut Bind(bindings));
}

/// Replaces a `{$dynamicRef: …, siblings}` schema by `target`, keeping the siblings.
fn put_in_place(schema: &mut Value, target: &Value) {
    let mut replacement = target.as_object().cloned().unwrap_or_default();
    if let Some(siblings) = schema.as_object() {
        for (key, value) in siblings {
            if key != "$dynamicRef" {
                replacement.insert(key.clone(), value.clone());
            }
        }
    }
    *schema = Value::Object(replacement);
}

// ---------------------------------------------------------------------------------------------
// `$defs`
// ---------------------------------------------------------------------------------------------

/// Moves every `$defs` entry that a `$ref` points at into `components.schemas` (under a name not
/// taken yet), rewrites those references, then drops all `$defs`.
fn hoist_defs(doc: &mut Value, notes: &mut Notes) {
    let refs = collect_schema_refs(doc);
    let mut targets: Vec<String> = Vec::new(); // def locations, in order of first reference
    let mut rewrites: HashMap<String, (String, String)> = HashMap::new(); // ref pointer → (def location, rest)
    for (at, reference) in &refs {
        if let Some((location, rest)) = def_location(doc, at, reference) {
            if !targets.contains(&location) {
                targets.push(location.clone());
            }
            rewrites.insert(at.clone(), (location, rest));
        }
    }
    if !targets.is_empty() {
        let names = assign_names(doc, &targets);
        rewrite_def_refs(doc, &rewrites, &names);
        move_defs(doc, &targets, &names);
    }
    drop_all_defs(doc, notes);
}

/// Every `$ref` in a schema position, with the pointer of the schema that holds it.
fn collect_schema_refs(doc: &mut Value) -> Vec<(String, String)> {
    let mut refs = Vec::new();
    super::schema_walk::for_each_schema(doc, |schema, pointer| {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            refs.push((pointer.to_owned(), reference.to_owned()));
        }
    });
    refs
}

/// Where the `$defs` entry a reference points at lives (a pointer ending `…/$defs/Name`), and
/// the rest of the reference after it. `#/$defs/X` is relative to the enclosing schema resource
/// (a schema with `$id`): the nearest schema enclosing `at` that has `$defs/X`.
fn def_location(doc: &Value, at: &str, reference: &str) -> Option<(String, String)> {
    let fragment = decode_fragment(reference.strip_prefix('#')?);
    let tokens: Vec<String> = fragment
        .split('/')
        .skip(1)
        .map(crate::error::pointer_unescape)
        .collect();
    let last_defs = tokens.iter().rposition(|token| token == "$defs")?;
    let name_end = last_defs + 2;
    if tokens.len() < name_end {
        return None;
    }
    let join = |tokens: &[String]| {
        tokens
            .iter()
            .map(|t| format!("/{}", pointer_token(t)))
            .collect::<String>()
    };
    let rest = join(tokens.get(name_end..).unwrap_or_default());
    let location = join(tokens.get(..name_end).unwrap_or_default());
    if doc.pointer(&location).is_some() {
        return Some((location, rest));
    }
    if last_defs != 0 {
        return None;
    }
    // `#/$defs/…` relative to an enclosing schema resource.
    let mut enclosing = at.to_owned();
    loop {
        let candidate = format!("{enclosing}{location}");
        if doc.pointer(&candidate).is_some() {
            return Some((candidate, rest));
        }
        let cut = enclosing.rfind('/')?;
        enclosing.truncate(cut);
    }
}

/// A `components.schemas` name for each moved definition: its own name, or with a number added
/// when that is taken.
fn assign_names(doc: &Value, targets: &[String]) -> HashMap<String, String> {
    let mut taken: HashSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();
    let mut names = HashMap::new();
    for location in targets {
        let base = location
            .rsplit('/')
            .next()
            .map(crate::error::pointer_unescape)
            .unwrap_or_default();
        let base = if base.is_empty() {
            "Definition".to_owned()
        } else {
            base
        };
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        taken.insert(name.clone());
        names.insert(location.clone(), name);
    }
    names
}

fn rewrite_def_refs(
    doc: &mut Value,
    rewrites: &HashMap<String, (String, String)>,
    names: &HashMap<String, String>,
) {
    super::schema_walk::for_each_schema(doc, |schema, pointer| {
        if let Some((location, rest)) = rewrites.get(pointer)
            && let Some(name) = names.get(location)
            && let Some(map) = schema.as_object_mut()
        {
            map.insert(
                "$ref".into(),
                json!(format!(
                    "#/components/schemas/{}{rest}",
                    pointer_token(name)
                )),
            );
        }
    });
}

/// Moves the definitions, innermost first so that moving an outer one cannot invalidate the
/// location of an inner one.
fn move_defs(doc: &mut Value, targets: &[String], names: &HashMap<String, String>) {
    let mut order: Vec<&String> = targets.iter().collect();
    order.sort_by_key(|location| std::cmp::Reverse(location.matches('/').count()));
    let mut moved = Vec::new();
    for location in order {
        if let (Some(value), Some(name)) = (doc.pointer_mut(location), names.get(location)) {
            moved.push((name.clone(), std::mem::take(value)));
        }
    }
    moved.reverse();
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let components = root.entry("components").or_insert_with(|| json!({}));
    if !components.is_object() {
        *components = json!({});
    }
    let Some(components) = components.as_object_mut() else {
        return;
    };
    let schemas = components.entry("schemas").or_insert_with(|| json!({}));
    if !schemas.is_object() {
        *schemas = json!({});
    }
    if let Some(schemas) = schemas.as_object_mut() {
        for (name, value) in moved {
            schemas.insert(name, value);
        }
    }
}

fn drop_all_defs(doc: &mut Value, notes: &mut Notes) {
    super::schema_walk::for_each_schema(doc, |schema, pointer| {
        if let Some(map) = schema.as_object_mut()
            && let Some(defs) = map.shift_remove("$defs")
        {
            // Entries that were moved are left as `null`; only the others are a loss.
            let unused = defs
                .as_object()
                .is_some_and(|defs| defs.values().any(|def| !def.is_null()));
            if unused {
                notes.group(
                    "$defs",
                    &pointer_join(pointer, "$defs"),
                    || "dropped `$defs` entries that no `$ref` uses".into(),
                    "move shared schemas to `components.schemas`",
                );
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    fn convert(doc: Value) -> (Value, Vec<Diagnostic>) {
        let mut warnings = Vec::new();
        let out = to_openapi30(doc, "api.yaml", &mut warnings).expect("converts");
        (out, warnings)
    }

    /// Converts a document whose only content is `components.schemas.S = schema`, returns S.
    fn schema(schema: Value) -> (Value, Vec<Diagnostic>) {
        let (out, warnings) = convert(json!({
            "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "components": {"schemas": {"S": schema}}
        }));
        (out["components"]["schemas"]["S"].clone(), warnings)
    }

    fn typed(doc: &Value) -> openapiv3::OpenAPI {
        serde_json::from_value(doc.clone())
            .unwrap_or_else(|err| panic!("does not load: {err}\n{doc:#}"))
    }

    #[test]
    fn root_fields() {
        let (out, warnings) = convert(json!({
            "openapi": "3.1.0",
            "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
            "info": {"title": "t", "version": "1", "summary": "short", "license": {"name": "MIT", "identifier": "MIT"}},
            "webhooks": {"a": {"post": {}}, "b": {"post": {}}}
        }));
        assert_eq!(
            out,
            json!({
                "openapi": "3.0.3",
                "info": {"title": "t", "version": "1", "description": "short",
                         "license": {"name": "MIT", "url": "https://spdx.org/licenses/MIT.html"}},
                "paths": {}
            })
        );
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].location.pointer, "/webhooks");
        assert!(
            warnings[0].message.contains("2 webhooks"),
            "{}",
            warnings[0]
        );
        typed(&out);
    }

    #[test]
    fn info_summary_is_dropped_when_there_is_a_description() {
        let (out, _) = convert(
            json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1", "summary": "s", "description": "d"}, "paths": {}}),
        );
        assert_eq!(
            out["info"],
            json!({"title": "t", "version": "1", "description": "d"})
        );
    }

    #[test]
    fn not_an_object_is_an_error() {
        let mut warnings = Vec::new();
        assert!(to_openapi30(json!([1]), "api.yaml", &mut warnings).is_err());
    }

    #[test]
    fn type_lists() {
        assert_eq!(
            schema(json!({"type": ["string", "null"], "maxLength": 3})).0,
            json!({"type": "string", "maxLength": 3, "nullable": true})
        );
        assert_eq!(
            schema(json!({"type": ["null"]})).0,
            json!({"nullable": true, "enum": [null]})
        );
        assert_eq!(
            schema(json!({"type": "null", "description": "nothing"})).0,
            json!({"description": "nothing", "nullable": true, "enum": [null]})
        );
        assert_eq!(
            schema(json!({"type": ["string", "integer", "null"], "description": "d", "maxLength": 5, "minimum": 1, "format": "int64", "default": 1})).0,
            json!({
                "description": "d", "default": 1,
                "anyOf": [{"type": "string", "maxLength": 5}, {"type": "integer", "minimum": 1, "format": "int64"}],
                "nullable": true
            })
        );
        // The enum decides which types are really allowed.
        assert_eq!(
            schema(json!({"type": ["string", "integer"], "enum": ["a", 1, "b"]})).0,
            json!({"anyOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "integer", "enum": [1]}]})
        );
        assert_eq!(
            schema(json!({"type": ["string", "integer", "null"], "enum": ["a", "b"]})).0,
            json!({"type": "string", "enum": ["a", "b"]})
        );
        assert_eq!(
            schema(json!({"type": ["string", "null"], "enum": ["a", null]})).0,
            json!({"type": "string", "enum": ["a", null], "nullable": true})
        );
        // Object and array keywords go to their branches.
        assert_eq!(
            schema(json!({"type": ["object", "array"], "properties": {"a": {"type": "string"}}, "items": {"type": "integer"}})).0,
            json!({"anyOf": [{"type": "object", "properties": {"a": {"type": "string"}}}, {"type": "array", "items": {"type": "integer"}}]})
        );
    }

    #[test]
    fn null_branches() {
        assert_eq!(
            schema(json!({"anyOf": [{"$ref": "#/components/schemas/S"}, {"type": "null"}], "description": "d"})).0,
            json!({"description": "d", "nullable": true, "allOf": [{"$ref": "#/components/schemas/S"}]})
        );
        assert_eq!(
            schema(json!({"oneOf": [{"type": "string", "format": "date"}, {"type": "null"}]})).0,
            json!({"nullable": true, "type": "string", "format": "date"})
        );
        assert_eq!(
            schema(json!({"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]})).0,
            json!({"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
        );
        assert_eq!(
            schema(json!({"anyOf": [{"type": "null"}]})).0,
            json!({"enum": [null], "nullable": true})
        );
    }

    #[test]
    fn value_keywords() {
        assert_eq!(schema(json!({"const": "x"})).0, json!({"enum": ["x"]}));
        assert_eq!(
            schema(json!({"type": "string", "examples": ["a", "b"]})).0,
            json!({"type": "string", "example": "a"})
        );
        assert_eq!(
            schema(json!({"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10})).0,
            json!({"type": "integer", "exclusiveMinimum": true, "minimum": 0, "exclusiveMaximum": true, "maximum": 10})
        );
        // The stricter of `minimum` and `exclusiveMinimum` wins.
        assert_eq!(
            schema(json!({"type": "number", "minimum": 5, "exclusiveMinimum": 1})).0,
            json!({"type": "number", "minimum": 5})
        );
        assert_eq!(
            schema(json!({"type": "number", "minimum": 1, "exclusiveMinimum": 5})).0,
            json!({"type": "number", "minimum": 5, "exclusiveMinimum": true})
        );
        assert_eq!(
            schema(json!({"type": "string", "contentEncoding": "base64"})).0,
            json!({"type": "string", "format": "byte"})
        );
        assert_eq!(
            schema(json!({"type": "string", "contentMediaType": "image/png"})).0,
            json!({"type": "string", "format": "binary"})
        );
        assert_eq!(
            schema(json!({"type": "string", "contentMediaType": "application/json"})).0,
            json!({"type": "string"})
        );
        assert_eq!(
            schema(json!({"type": "string", "contentEncoding": "binary"})).0,
            json!({"type": "string", "format": "binary"})
        );
        assert_eq!(
            schema(json!({"type": ["string", "null"], "contentEncoding": "base64"})).0,
            json!({"type": "string", "format": "byte", "nullable": true})
        );
        let (out, warnings) =
            schema(json!({"type": "string", "contentEncoding": "quoted-printable"}));
        assert_eq!(out, json!({"type": "string"}));
        assert_eq!(
            warnings[0].location.pointer,
            "/components/schemas/S/contentEncoding"
        );
    }

    #[test]
    fn ref_siblings() {
        assert_eq!(
            schema(json!({"$ref": "#/components/schemas/S", "description": "d", "readOnly": true}))
                .0,
            json!({"allOf": [{"$ref": "#/components/schemas/S"}], "description": "d", "readOnly": true})
        );
        assert_eq!(
            schema(json!({"$ref": "#/components/schemas/S", "description": "d"})).0,
            json!({"allOf": [{"$ref": "#/components/schemas/S"}], "description": "d"})
        );
        assert_eq!(
            schema(json!({"$ref": "#/components/schemas/S", "summary": "s"})).0,
            json!({"$ref": "#/components/schemas/S"})
        );
        assert_eq!(
            schema(json!({"$ref": "#/components/schemas/S"})).0,
            json!({"$ref": "#/components/schemas/S"})
        );
    }

    #[test]
    fn boolean_schemas() {
        assert_eq!(
            schema(json!({"type": "object", "properties": {"a": true, "b": false}, "additionalProperties": false})).0,
            json!({"type": "object", "properties": {"a": {}, "b": {"not": {}}}, "additionalProperties": false})
        );
        let (out, _) = convert(
            json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": "", "content": {"a/b": {"schema": true}}}}}}}}),
        );
        assert_eq!(
            out["paths"]["/a"]["get"]["responses"]["200"]["content"]["a/b"]["schema"],
            json!({})
        );
    }

    #[test]
    fn unsupported_keywords_warn_once_per_kind() {
        let (out, warnings) = schema(json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$comment": "one",
            "type": "object",
            "properties": {"a": {"type": "string", "$comment": "two"}, "b": {"if": {}, "then": {}, "else": {}}},
            "patternProperties": {"^x": {"type": "string"}},
            "unevaluatedProperties": false,
            "dependentRequired": {"a": ["b"]},
        }));
        assert_eq!(
            out,
            json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {}}, "x-patternProperties": {"^x": {"type": "string"}}})
        );
        let comment: Vec<_> = warnings
            .iter()
            .filter(|w| w.message.contains("`$comment`"))
            .collect();
        assert_eq!(comment.len(), 1);
        assert_eq!(
            comment[0].location.pointer,
            "/components/schemas/S/properties/a/$comment"
        );
        assert!(comment[0].message.contains("2 places"), "{}", comment[0]);
        for keyword in [
            "$schema",
            "if",
            "then",
            "else",
            "patternProperties",
            "unevaluatedProperties",
            "dependentRequired",
        ] {
            assert!(
                warnings
                    .iter()
                    .any(|w| w.message.contains(&format!("`{keyword}`"))),
                "{keyword}: {warnings:#?}"
            );
        }
    }

    #[test]
    fn prefix_items() {
        assert_eq!(
            schema(
                json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "string"}]})
            )
            .0,
            json!({"type": "array", "items": {"type": "string"}})
        );
        assert_eq!(
            schema(json!({"type": "array", "prefixItems": [{"type": "string"}], "items": false})).0,
            json!({"type": "array", "items": {"type": "string"}})
        );
        let (out, warnings) = schema(
            json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false}),
        );
        assert_eq!(out, json!({"type": "array"}));
        assert_eq!(
            warnings[0].location.pointer,
            "/components/schemas/S/prefixItems"
        );
    }

    #[test]
    fn defs_are_hoisted_and_refs_rewritten() {
        let (out, warnings) = convert(json!({
            "openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
            "components": {"schemas": {
                "Tag": {"type": "string"},
                "Pet": {
                    "$id": "https://example.com/pet",
                    "type": "object",
                    "properties": {
                        "tag": {"$ref": "#/components/schemas/Pet/$defs/Tag"},
                        "owner": {"$ref": "#/$defs/Owner"}
                    },
                    "$defs": {
                        "Tag": {"type": "object", "properties": {"name": {"type": "string"}}},
                        "Owner": {"type": "object"},
                        "Unused": {"type": "object"}
                    }
                }
            }}
        }));
        assert_eq!(
            out["components"]["schemas"],
            json!({
                "Tag": {"type": "string"},
                "Pet": {
                    "type": "object",
                    "properties": {
                        "tag": {"$ref": "#/components/schemas/Tag2"},
                        "owner": {"$ref": "#/components/schemas/Owner"}
                    }
                },
                "Tag2": {"type": "object", "properties": {"name": {"type": "string"}}},
                "Owner": {"type": "object"}
            })
        );
        assert!(
            warnings.iter().any(|w| w.message.contains("`$defs`")
                && w.location.pointer == "/components/schemas/Pet/$defs"),
            "{warnings:#?}"
        );
        typed(&out);
    }

    #[test]
    fn refs_by_id_and_anchor() {
        let (out, _) = convert(json!({
            "openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
            "components": {"schemas": {
                "Details": {"$id": "/schemas/details", "type": "object", "properties": {"id": {"$anchor": "detail_id", "type": "integer"}}},
                "Pet": {"type": "object", "properties": {
                    "details": {"$ref": "/schemas/details"},
                    "detailId": {"$ref": "/schemas/details#detail_id"},
                    "sameId": {"$ref": "#detail_id"},
                    "idProp": {"$ref": "/schemas/details#/properties/id"},
                    "elsewhere": {"$ref": "https://example.com/other.json"}
                }}
            }}
        }));
        assert_eq!(
            out["components"]["schemas"]["Pet"]["properties"],
            json!({
                "details": {"$ref": "#/components/schemas/Details"},
                "detailId": {"$ref": "#/components/schemas/Details/properties/id"},
                "sameId": {"$ref": "#/components/schemas/Details/properties/id"},
                "idProp": {"$ref": "#/components/schemas/Details/properties/id"},
                "elsewhere": {"$ref": "https://example.com/other.json"}
            })
        );
    }

    #[test]
    fn dynamic_refs_are_instantiated() {
        let (out, warnings) = convert(json!({
            "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {"/planets": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                "$id": "https://x/PaginatedPlanets",
                "$defs": {"itemType": {"$dynamicAnchor": "itemType", "$ref": "#/components/schemas/Planet"}},
                "$ref": "#/components/schemas/Page",
                "xml": {"name": "planets"}
            }}}}}}}},
            "components": {"schemas": {
                "Planet": {"type": "object"},
                "Page": {
                    "$id": "https://x/Page",
                    "$defs": {"itemType": {"$dynamicAnchor": "itemType", "not": {}}},
                    "type": "object",
                    "properties": {"data": {"type": "array", "items": {"$dynamicRef": "#itemType"}}}
                }
            }}
        }));
        assert_eq!(
            out["paths"]["/planets"]["get"]["responses"]["200"]["content"]["application/json"]["schema"],
            json!({"type": "object", "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Planet"}}}, "xml": {"name": "planets"}})
        );
        assert_eq!(
            out["components"]["schemas"]["Page"],
            json!({"type": "object", "properties": {"data": {"type": "array", "items": {"not": {}}}}})
        );
        assert!(
            !warnings
                .iter()
                .any(|w| w.message.contains("$dynamic") || w.message.contains("$defs")),
            "{warnings:#?}"
        );
        typed(&out);
    }

    #[test]
    fn reference_siblings_and_path_items() {
        let (out, _) = convert(json!({
            "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {
                "/a": {"$ref": "#/components/pathItems/A", "summary": "here"},
                "/b": {"get": {
                    "parameters": [{"$ref": "#/components/parameters/P", "description": "why"}],
                    "responses": {"200": {"$ref": "#/components/responses/R", "summary": "s"}}
                }}
            },
            "components": {
                "pathItems": {"A": {"summary": "there", "get": {"responses": {"204": {"description": "none"}}}}},
                "parameters": {"P": {"name": "p", "in": "query", "schema": {"type": ["integer", "null"]}}},
                "responses": {"R": {"description": "ok"}}
            }
        }));
        assert_eq!(
            out["paths"]["/a"],
            json!({"summary": "here", "get": {"responses": {"204": {"description": "none"}}}})
        );
        assert_eq!(
            out["paths"]["/b"]["get"]["parameters"][0],
            json!({"$ref": "#/components/parameters/P"})
        );
        assert_eq!(
            out["paths"]["/b"]["get"]["responses"]["200"],
            json!({"$ref": "#/components/responses/R"})
        );
        assert_eq!(
            out["components"]["parameters"]["P"]["schema"],
            json!({"type": "integer", "nullable": true})
        );
        assert!(out["components"].get("pathItems").is_none());
        typed(&out);
    }

    #[test]
    fn recursive_path_items_end() {
        let (out, warnings) = convert(json!({
            "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"$ref": "#/components/pathItems/A"}},
            "components": {"pathItems": {"A": {"post": {"callbacks": {"c": {"{$url}": {"$ref": "#/components/pathItems/A"}}}, "responses": {}}}}}
        }));
        assert_eq!(
            out["paths"]["/a"],
            json!({"post": {"callbacks": {"c": {"{$url}": {}}}, "responses": {}}})
        );
        assert!(warnings[0].message.contains("circular"), "{warnings:#?}");
        typed(&out);
    }

    #[test]
    fn mutual_tls_is_removed() {
        let (out, warnings) = convert(json!({
            "openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
            "security": [{"mtls": [], "key": []}],
            "components": {"securitySchemes": {
                "mtls": {"type": "mutualTLS"},
                "key": {"type": "apiKey", "in": "header", "name": "X-Key"}
            }}
        }));
        assert_eq!(out["security"], json!([{"key": []}]));
        assert_eq!(
            out["components"]["securitySchemes"],
            json!({"key": {"type": "apiKey", "in": "header", "name": "X-Key"}})
        );
        assert_eq!(
            warnings[0].location.pointer,
            "/components/securitySchemes/mtls"
        );
        typed(&out);
    }

    #[test]
    fn end_to_end() {
        let (out, _) = convert(json!({
            "openapi": "3.1.0",
            "info": {"title": "Pets", "version": "1.0", "summary": "pets", "license": {"name": "MIT", "identifier": "MIT"}},
            "paths": {"/pets/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "exclusiveMinimum": 0}}],
                "get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string", "examples": ["Rex"]},
                        "tag": {"type": ["string", "null"]},
                        "kind": {"const": "dog"},
                        "owner": {"$ref": "#/components/schemas/Owner", "description": "who"},
                        "photo": {"type": "string", "contentMediaType": "image/png"},
                        "ids": {"type": "array", "items": {"type": ["integer", "string"]}},
                        "anything": true
                    }
                }}}}}}
            }},
            "components": {"schemas": {"Owner": {"type": ["object", "null"], "properties": {"n": {"type": "string"}}}}}
        }));
        let doc = typed(&out);
        assert_eq!(doc.openapi, "3.0.3");
        assert_eq!(doc.operations().count(), 1);
    }
}
