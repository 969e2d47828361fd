//! What the loader knows about OpenAPI documents, in one place: the kinds of object and where
//! each sits (the table bundling follows, the kinds the walk reports), the HTTP methods, the
//! schema keyword lists, and the keyword rules that the Swagger 2.0 and OpenAPI 3.1 conversions
//! and the 3.0 repairs share. The converters and repairs import this module, never each other.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use crate::error::pointer_join;

// ---------------------------------------------------------------------------------------------
// Objects and where they sit
// ---------------------------------------------------------------------------------------------

/// The two shapes of document: Swagger 2.0, and OpenAPI 3.x.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Swagger2,
    OpenApi3,
}

/// The objects of an OpenAPI document (2.0 or 3.x), as far as the loader tells them apart. The
/// walk ([`super::schema_walk`]) reports the ones from `PathItem` to `SecurityScheme`; bundling
/// also needs the rest. In each place of an object from `PathItem` to `SecurityScheme` a
/// Reference object (`{"$ref": …}`) may stand instead of the object itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    Root,
    Components,
    PathItem,
    Operation,
    Parameter,
    Header,
    RequestBody,
    Response,
    MediaType,
    Encoding,
    Example,
    Link,
    Callback,
    SecurityScheme,
    Schema,
    /// Anything else (`info`, extensions, example values, …).
    Other,
}

/// A place in a document: one object, a map of name → object, or a list of objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    One(ObjectKind),
    Map(ObjectKind),
    List(ObjectKind),
}

impl At {
    /// The place of `child`, found under `key` here.
    pub fn child(self, key: &str, child: &Value) -> At {
        match self {
            At::List(obj) => At::One(obj),
            // Property names are free; elsewhere `x-` keys are extensions.
            At::Map(ObjectKind::Schema) => At::One(ObjectKind::Schema),
            At::Map(_) if key.starts_with("x-") => At::One(ObjectKind::Other),
            At::Map(obj) => At::One(obj),
            At::One(obj) => object_child(obj, key, child),
        }
    }

    /// What a `$ref` standing here refers to: the object expected here, and a schema wherever
    /// OpenAPI expects no reference at all.
    pub fn referenced(self) -> ObjectKind {
        match self {
            At::One(
                obj @ (ObjectKind::PathItem
                | ObjectKind::Parameter
                | ObjectKind::Header
                | ObjectKind::RequestBody
                | ObjectKind::Response
                | ObjectKind::Example
                | ObjectKind::Link
                | ObjectKind::Callback
                | ObjectKind::SecurityScheme),
            ) => obj,
            _ => ObjectKind::Schema,
        }
    }
}

fn object_child(obj: ObjectKind, key: &str, child: &Value) -> At {
    use ObjectKind::*;
    match (obj, key) {
        (Root, "paths" | "webhooks") => At::Map(PathItem),
        (Root, "components") => At::One(Components),
        // Swagger 2.0's shared definitions.
        (Root, "definitions") => At::Map(Schema),
        (Root, "parameters") => At::Map(Parameter),
        (Root, "responses") => At::Map(Response),
        (Components, "schemas") => At::Map(Schema),
        (Components, "responses") => At::Map(Response),
        (Components, "parameters") => At::Map(Parameter),
        (Components, "examples") => At::Map(Example),
        (Components, "requestBodies") => At::Map(RequestBody),
        (Components, "headers") => At::Map(Header),
        (Components, "securitySchemes") => At::Map(SecurityScheme),
        (Components, "links") => At::Map(Link),
        (Components, "callbacks") => At::Map(Callback),
        (Components, "pathItems") => At::Map(PathItem),
        (PathItem, "parameters") | (Operation, "parameters") => At::List(Parameter),
        (PathItem, method) if METHODS.contains(&method) => At::One(Operation),
        (Operation, "requestBody") => At::One(RequestBody),
        (Operation, "responses") => At::Map(Response),
        (Operation, "callbacks") => At::Map(Callback),
        (Parameter | Header | Response | MediaType, "schema") => At::One(Schema),
        // Swagger 2.0 parameters' `items`.
        (Parameter | Header, "items") => At::One(Schema),
        (Parameter | Header | RequestBody | Response, "content") => At::Map(MediaType),
        (Parameter | Header | MediaType, "examples") => At::Map(Example),
        (Response | Encoding, "headers") => At::Map(Header),
        (Response, "links") => At::Map(Link),
        (MediaType, "encoding") => At::Map(Encoding),
        (Callback, expression) if !expression.starts_with("x-") => At::One(PathItem),
        // Draft-04 `definitions` too: referenced files may be plain JSON Schema documents.
        (Schema, keyword) if SCHEMA_MAPS.contains(&keyword) || keyword == "definitions" => {
            At::Map(Schema)
        }
        (Schema, keyword) if SCHEMA_ARRAYS.contains(&keyword) => At::List(Schema),
        (Schema, keyword)
            if SCHEMA_SINGLES.contains(&keyword) || SCHEMA_OBJECT_ONLY.contains(&keyword) =>
        {
            At::One(Schema)
        }
        (Schema, "items") if child.is_array() => At::List(Schema),
        (Schema, "items") => At::One(Schema),
        _ => At::One(Other),
    }
}

/// A section of the main document that referenced nodes are added to, as pointer tokens.
pub type Section = &'static [&'static str];

/// Where nodes of kind `obj` go in a document of this flavor; `None`: they are copied in place.
pub fn section(flavor: Flavor, obj: ObjectKind) -> Option<Section> {
    match (flavor, obj) {
        (Flavor::OpenApi3, ObjectKind::Schema) => Some(&["components", "schemas"]),
        (Flavor::OpenApi3, ObjectKind::Parameter) => Some(&["components", "parameters"]),
        (Flavor::OpenApi3, ObjectKind::Response) => Some(&["components", "responses"]),
        (Flavor::OpenApi3, ObjectKind::RequestBody) => Some(&["components", "requestBodies"]),
        (Flavor::OpenApi3, ObjectKind::Header) => Some(&["components", "headers"]),
        (Flavor::Swagger2, ObjectKind::Schema) => Some(&["definitions"]),
        (Flavor::Swagger2, ObjectKind::Parameter) => Some(&["parameters"]),
        (Flavor::Swagger2, ObjectKind::Response) => Some(&["responses"]),
        _ => None,
    }
}

/// Every section of this flavor, with the kind of its entries.
pub fn sections(flavor: Flavor) -> Vec<(ObjectKind, Section)> {
    [
        ObjectKind::Schema,
        ObjectKind::Parameter,
        ObjectKind::Response,
        ObjectKind::RequestBody,
        ObjectKind::Header,
    ]
    .into_iter()
    .filter_map(|obj| section(flavor, obj).map(|section| (obj, section)))
    .collect()
}

pub fn section_pointer(section: Section) -> String {
    section.iter().fold(String::new(), |pointer, token| {
        pointer_join(&pointer, token)
    })
}

// ---------------------------------------------------------------------------------------------
// Methods and keyword lists
// ---------------------------------------------------------------------------------------------

/// The HTTP methods of a Path Item object (OpenAPI 3.x), in the order the walk visits them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Subschema keywords whose value is a map of name → schema.
pub const SCHEMA_MAPS: [&str; 4] = [
    "properties",
    "patternProperties",
    "$defs",
    "dependentSchemas",
];
/// Subschema keywords whose value is an array of schemas.
pub const SCHEMA_ARRAYS: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];
/// Subschema keywords whose value is one schema, where `true`/`false` are boolean schemas.
pub const SCHEMA_SINGLES: [&str; 7] = [
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "contentSchema",
];
/// Subschema keywords whose value is a schema or a boolean that keeps its own meaning in 3.0
/// (`additionalProperties: false` is valid 3.0), so only object values are visited.
pub const SCHEMA_OBJECT_ONLY: [&str; 4] = [
    "additionalProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "additionalItems",
];

/// Where the 3.1 → 3.0 conversion keeps the JSON Schema 2020-12 keywords 3.0 has no place for
/// (an extension, so the 3.0 model and its checks pass over it). The schema walk visits the
/// subschemas inside it like any other, so they are converted, repaired and have their
/// references rewritten too, and the IR puts the keywords back into the tools' schemas, which
/// are 2020-12: validation enforces them.
pub const KEPT_2020_12: &str = "x-mcpwright-2020-12";

/// The keywords kept in [`KEPT_2020_12`]: the applicators and assertions that constrain the
/// values a tool accepts, and `$anchor`, an annotation once the conversion has resolved the
/// references that used it to pointers (MCP's SEP-2106 asks servers to keep it; the IR keeps it
/// only where it is unique in a tool's schema). `$id` and dynamic anchors are not kept: they
/// would change how a tool schema's own references resolve.
pub const KEPT_KEYWORDS: [&str; 12] = [
    "$anchor",
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

/// The operation keys of a 2.0 Path Item (2.0 has no `trace`).
pub const SWAGGER2_METHODS: [&str; 7] =
    ["get", "put", "post", "delete", "options", "head", "patch"];

/// The fields of a Swagger 2.0 parameter (or items, or header) that describe its value and move
/// into the `schema` in 3.0.
pub const PARAMETER_SCHEMA_FIELDS: [&str; 16] = [
    "type",
    "format",
    "items",
    "enum",
    "default",
    "maximum",
    "minimum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
];

// ---------------------------------------------------------------------------------------------
// Keyword rules shared by the conversions and the repairs
// ---------------------------------------------------------------------------------------------

/// Validation keywords that only constrain values of another type than the schema's `type`, so
/// they never apply: `minimum` on a string, `uniqueItems` on an integer, `format` on an object.
/// (Subschema keywords such as `items` on an object are not listed: they may carry the author's
/// intent, and `openapiv3` reads them into an untyped schema.)
pub fn inapplicable_keywords(map: &Map<String, Value>) -> Vec<&'static str> {
    const GROUPS: [(&[&str], &[&str]); 4] = [
        (&["string"], &["pattern", "minLength", "maxLength"]),
        (
            &["number", "integer"],
            &[
                "minimum",
                "maximum",
                "exclusiveMinimum",
                "exclusiveMaximum",
                "multipleOf",
            ],
        ),
        (&["array"], &["minItems", "maxItems", "uniqueItems"]),
        (&["object"], &["required", "minProperties", "maxProperties"]),
    ];
    let Some(kind) = map.get("type").and_then(Value::as_str) else {
        return Vec::new();
    };
    if !matches!(
        kind,
        "string" | "number" | "integer" | "boolean" | "array" | "object"
    ) {
        return Vec::new();
    }
    let mut found: Vec<&'static str> = GROUPS
        .iter()
        .filter(|(types, _)| !types.contains(&kind))
        .flat_map(|(_, keywords)| keywords.iter().copied())
        .filter(|keyword| map.contains_key(*keyword))
        .collect();
    if matches!(kind, "boolean" | "array" | "object") && map.contains_key("format") {
        found.push("format");
    }
    found
}

/// `true` accepts everything (`{}`), `false` nothing (`{not: {}}`).
pub fn boolean_schema(schema: &mut Value) {
    match schema {
        Value::Bool(true) => *schema = json!({}),
        Value::Bool(false) => *schema = json!({"not": {}}),
        _ => {}
    }
}

/// Numeric `exclusiveMinimum: n` → `minimum: n, exclusiveMinimum: true` (and for the maximum),
/// keeping the stricter bound when `minimum` is given too.
pub fn numeric_exclusive_bounds(map: &mut Map<String, Value>) {
    for (exclusive, inclusive, stricter) in [
        ("exclusiveMinimum", "minimum", std::cmp::Ordering::Greater),
        ("exclusiveMaximum", "maximum", std::cmp::Ordering::Less),
    ] {
        let Some(Value::Number(bound)) = map.get(exclusive).cloned() else {
            continue;
        };
        let existing = map.get(inclusive).and_then(Value::as_f64);
        let exclusive_wins = match (existing, bound.as_f64()) {
            (Some(existing), Some(bound)) => {
                bound.partial_cmp(&existing) != Some(stricter.reverse())
            }
            _ => true,
        };
        if exclusive_wins {
            map.insert(inclusive.into(), Value::Number(bound));
            map.insert(exclusive.into(), json!(true));
        } else {
            map.shift_remove(exclusive);
        }
    }
}

/// `type: [T, "null"]` → `type: T, nullable: true`; `type: "null"` → `nullable: true, enum: [null]`;
/// several non-null types → an `anyOf` with one branch per type, each with the keywords that
/// constrain that type.
pub fn nullable_from_type_list(map: &mut Map<String, Value>) {
    let types: Vec<String> = match map.get("type") {
        Some(Value::String(t)) if t == "null" => vec![t.clone()],
        Some(Value::Array(list)) => {
            let mut types = Vec::new();
            for t in list.iter().filter_map(Value::as_str) {
                if !types.iter().any(|seen| seen == t) {
                    types.push(t.to_owned());
                }
            }
            types
        }
        _ => return,
    };
    let has_null = types.iter().any(|t| t == "null");
    let concrete: Vec<&str> = types
        .iter()
        .map(String::as_str)
        .filter(|t| *t != "null")
        .collect();
    // With an `enum` that leaves `null` out, `null` is not actually allowed.
    let null_allowed = has_null
        && map
            .get("enum")
            .and_then(Value::as_array)
            .is_none_or(|values| values.contains(&Value::Null));
    match concrete.as_slice() {
        [] => {
            map.shift_remove("type");
            map.insert("nullable".into(), json!(true));
            map.insert("enum".into(), json!([null]));
        }
        [only] => {
            map.insert("type".into(), json!(only));
            if null_allowed {
                map.insert("nullable".into(), json!(true));
            }
        }
        several => {
            let several: Vec<String> = several.iter().map(|t| (*t).to_owned()).collect();
            split_by_type(map, &several);
            if null_allowed {
                map.insert("nullable".into(), json!(true));
            }
        }
    }
}

/// Replaces `type: [A, B, …]` by `anyOf: [{type: A, …}, {type: B, …}]`, moving each keyword that
/// constrains only some types into those branches and leaving annotations on the outer schema.
fn split_by_type(map: &mut Map<String, Value>, types: &[String]) {
    let enum_values = map.get("enum").and_then(Value::as_array).cloned();
    let mut moved: HashSet<String> = HashSet::new();
    let mut branches = Vec::new();
    for t in types {
        let mut branch = Map::new();
        branch.insert("type".into(), json!(t));
        for (keyword, value) in map.iter() {
            if keyword_types(keyword, value, types)
                .is_some_and(|applies| applies.contains(&t.as_str()))
            {
                branch.insert(keyword.clone(), value.clone());
                moved.insert(keyword.clone());
            }
        }
        if let Some(values) = &enum_values {
            let matching: Vec<Value> = values
                .iter()
                .filter(|v| value_has_type(v, t))
                .cloned()
                .collect();
            if matching.is_empty() {
                // The enum allows no value of this type: the branch would accept nothing.
                continue;
            }
            branch.insert("enum".into(), Value::Array(matching));
        }
        branches.push(Value::Object(branch));
    }
    if branches.is_empty() {
        // An enum with none of the listed types: keep the outer enum, and every type.
        return split_by_type_without_enum(map, types);
    }
    map.shift_remove("type");
    if enum_values.is_some() {
        map.shift_remove("enum");
    }
    map.retain(|keyword, _| !moved.contains(keyword));
    if branches.len() == 1 {
        if let Some(Value::Object(only)) = branches.pop() {
            for (keyword, value) in only {
                map.insert(keyword, value);
            }
        }
        return;
    }
    attach_branches(map, branches);
}

fn split_by_type_without_enum(map: &mut Map<String, Value>, types: &[String]) {
    let enum_values = map.shift_remove("enum");
    split_by_type(map, types);
    if let Some(values) = enum_values {
        map.insert("enum".into(), values);
    }
}

/// `anyOf` for the type branches, or an `allOf` entry holding it when the schema has its own
/// `anyOf` already.
fn attach_branches(map: &mut Map<String, Value>, branches: Vec<Value>) {
    if !map.contains_key("anyOf") {
        map.insert("anyOf".into(), Value::Array(branches));
        return;
    }
    let any_of = json!({ "anyOf": branches });
    match map.get_mut("allOf") {
        Some(Value::Array(all_of)) => all_of.push(any_of),
        _ => {
            map.insert("allOf".into(), json!([any_of]));
        }
    }
}

/// The types (among `types`) a keyword constrains, or `None` for keywords that apply to any value
/// (annotations, `enum`, composition).
fn keyword_types(
    keyword: &str,
    value: &Value,
    types: &[String],
) -> Option<&'static [&'static str]> {
    let has = |t: &str| types.iter().any(|have| have == t);
    match keyword {
        "minLength" | "maxLength" | "pattern" => Some(&["string"]),
        "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" => {
            Some(&["number", "integer"])
        }
        "items" | "minItems" | "maxItems" | "uniqueItems" => Some(&["array"]),
        "properties"
        | "required"
        | "additionalProperties"
        | "minProperties"
        | "maxProperties"
        | "x-patternProperties" => Some(&["object"]),
        "format" => match value.as_str() {
            Some("int32" | "int64") if has("integer") || has("number") => {
                Some(&["integer", "number"])
            }
            Some("float" | "double") if has("number") => Some(&["number"]),
            _ if has("string") => Some(&["string"]),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a JSON value is an instance of a JSON Schema type.
fn value_has_type(value: &Value, t: &str) -> bool {
    match t {
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        _ => false,
    }
}
