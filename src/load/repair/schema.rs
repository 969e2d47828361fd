//! Repairs of Schema objects: types, flags, `required`, subschema shapes, numbers, enums,
//! keywords of other types and discriminators.

use serde_json::{Map, Number, Value, json};

use super::fixes::{Repair, integral, parse_number, scalar_text};
use crate::error::pointer_join;
use crate::load::openapi::{
    boolean_schema, inapplicable_keywords, nullable_from_type_list, numeric_exclusive_bounds,
};

/// Schema keywords that must be non-negative integers.
const COUNT_KEYWORDS: [&str; 6] = [
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
];

impl Repair<'_> {
    pub(super) fn schema(&mut self, schema: &mut Value, pointer: &str) {
        if schema.is_boolean() {
            self.warn(
                pointer,
                format!("boolean schema `{schema}` (JSON Schema) written as an OpenAPI 3.0 schema"),
            );
            boolean_schema(schema);
        }
        let Some(map) = schema.as_object_mut() else {
            self.warn(
                pointer,
                "a schema must be an object; replaced it by `{}` (any value)",
            );
            *schema = json!({});
            return;
        };
        if map.get("$ref").is_some_and(|r| !r.is_string()) {
            self.warn(
                &pointer_join(pointer, "$ref"),
                "`$ref` must be a string; removed it",
            );
            map.shift_remove("$ref");
        }
        self.fix_schema_type(map, pointer);
        self.fix_schema_flags(map, pointer);
        self.fix_required(map, pointer);
        self.fix_subschema_shapes(map, pointer);
        self.fix_numbers(map, pointer);
        self.fix_enum(map, pointer);
        self.drop_inapplicable(map, pointer);
        for key in ["title", "description", "format", "pattern"] {
            self.fix_string(map, key, pointer);
        }
        self.fix_discriminator(map, pointer);
        self.fix_external_docs(map, pointer);
    }

    /// `type` lists and `type: "null"` (3.1 habits) become `nullable`; `type: file` (2.0) is a
    /// binary string; a `type` that is not a string is removed.
    pub(super) fn fix_schema_type(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let at = pointer_join(pointer, "type");
        match map.get("type") {
            Some(Value::Array(_)) => {
                self.warn(
                    &at,
                    "`type` must be one type name in OpenAPI 3.0 (a list is 3.1); converted it",
                );
                nullable_from_type_list(map);
            }
            Some(Value::String(t)) if t == "null" => {
                self.warn(
                    &at,
                    "`type: null` is OpenAPI 3.1; converted it to `nullable: true`",
                );
                nullable_from_type_list(map);
            }
            Some(Value::String(t)) if t == "file" => {
                self.warn(
                    &at,
                    "`type: file` is Swagger 2.0; read as `type: string, format: binary`",
                );
                map.insert("type".into(), json!("string"));
                map.insert("format".into(), json!("binary"));
            }
            Some(Value::String(t)) if t != &t.to_ascii_lowercase() => {
                let lower = t.to_ascii_lowercase();
                self.warn(&at, format!("type `{t}` read as `{lower}`"));
                map.insert("type".into(), Value::String(lower));
            }
            Some(Value::String(_)) | None => {}
            Some(other) => {
                self.warn(&at, format!("`type` must be a string; removed {other}"));
                map.shift_remove("type");
            }
        }
        if map.get("x-nullable") == Some(&Value::Bool(true)) && !map.contains_key("nullable") {
            self.warn(
                &pointer_join(pointer, "x-nullable"),
                "read the Swagger 2.0 extension `x-nullable: true` as `nullable: true`",
            );
            map.insert("nullable".into(), json!(true));
        }
    }

    pub(super) fn fix_schema_flags(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        for key in [
            "nullable",
            "readOnly",
            "writeOnly",
            "deprecated",
            "uniqueItems",
        ] {
            self.fix_bool(map, key, pointer);
        }
        if map.get("exclusiveMinimum").is_some_and(Value::is_number)
            || map.get("exclusiveMaximum").is_some_and(Value::is_number)
        {
            self.warn(pointer, "a numeric `exclusiveMinimum`/`exclusiveMaximum` is OpenAPI 3.1; converted it to a bound with `exclusive…: true`");
            numeric_exclusive_bounds(map);
        }
        for key in ["exclusiveMinimum", "exclusiveMaximum"] {
            self.fix_bool(map, key, pointer);
        }
    }

    /// `required` is a list of property names. `required: true` on a property (Swagger 2.0 and
    /// JSON Schema draft 3 habit) moves to the parent's list; the walk is pre-order, so the
    /// parent sees its properties before they are visited.
    pub(super) fn fix_required(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let mut hoisted = Vec::new();
        if let Some(Value::Object(properties)) = map.get_mut("properties") {
            for (name, property) in properties.iter_mut() {
                let Some(property) = property.as_object_mut() else {
                    continue;
                };
                let flag = match property.get("required") {
                    Some(Value::Bool(flag)) => *flag,
                    Some(Value::String(s))
                        if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
                    {
                        s.eq_ignore_ascii_case("true")
                    }
                    _ => continue,
                };
                property.shift_remove("required");
                hoisted.push((name.clone(), flag));
            }
        }
        let at = pointer_join(pointer, "required");
        match map.get_mut("required") {
            None | Some(Value::Array(_)) => {}
            Some(Value::String(name)) => {
                let name = name.clone();
                self.warn(
                    &at,
                    "`required` must be a list of property names; read the single name as a list",
                );
                map.insert("required".into(), json!([name]));
            }
            Some(other) => {
                self.warn(&at, format!("`required: {other}` belongs on a property (as an entry in the parent's `required` list); removed it"));
                map.shift_remove("required");
            }
        }
        if let Some(Value::Array(names)) = map.get_mut("required") {
            let before = names.len();
            names.retain(Value::is_string);
            if names.len() != before {
                self.warn(
                    &at,
                    "`required` must list property names; removed the entries that are not strings",
                );
            }
        }
        for (name, flag) in hoisted {
            let property_at = pointer_join(
                &pointer_join(&pointer_join(pointer, "properties"), &name),
                "required",
            );
            if flag {
                self.warn(&property_at, format!("`required: true` on property `{name}` moved to the object's `required` list"));
                let list = map.entry("required").or_insert_with(|| json!([]));
                if let Value::Array(names) = list
                    && !names.contains(&json!(name))
                {
                    names.push(json!(name));
                }
            } else {
                self.warn(&property_at, format!("removed `required: false` from property `{name}` (properties are optional unless listed in `required`)"));
            }
        }
    }

    /// Subschema keywords with the wrong shape: `items` as a list (draft 4 tuples),
    /// `properties` not a map, `allOf` given one schema, and so on.
    pub(super) fn fix_subschema_shapes(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        self.expect_object(map, "properties", pointer);
        if let Some(Value::Array(items)) = map.get("items") {
            let at = pointer_join(pointer, "items");
            let replacement = match items.as_slice() {
                [] => json!({}),
                [first, rest @ ..] if rest.iter().all(|item| item == first) => first.clone(),
                _ => json!({ "anyOf": items }),
            };
            self.warn(&at, "`items` must be one schema in OpenAPI 3.0 (tuples are not supported); merged the list into one");
            map.insert("items".into(), replacement);
        }
        if map
            .get("additionalProperties")
            .is_some_and(|a| !a.is_object() && !a.is_boolean())
        {
            self.warn(
                &pointer_join(pointer, "additionalProperties"),
                "`additionalProperties` must be a boolean or a schema; removed it",
            );
            map.shift_remove("additionalProperties");
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            match map.get(key) {
                Some(Value::Object(_)) => {
                    self.warn(
                        &pointer_join(pointer, key),
                        format!(
                            "`{key}` must be a list of schemas; wrapped the single schema in a list"
                        ),
                    );
                    if let Some(single) = map.shift_remove(key) {
                        map.insert(key.into(), json!([single]));
                    }
                }
                Some(Value::Array(_)) | None => {}
                Some(_) => {
                    self.warn(
                        &pointer_join(pointer, key),
                        format!("`{key}` must be a list of schemas; removed it"),
                    );
                    map.shift_remove(key);
                }
            }
        }
        if map
            .get("not")
            .is_some_and(|not| !not.is_object() && !not.is_boolean())
        {
            self.warn(
                &pointer_join(pointer, "not"),
                "`not` must be a schema; removed it",
            );
            map.shift_remove("not");
        }
    }

    /// Bounds must be numbers (integers for integer schemas and for counts such as `maxLength`).
    pub(super) fn fix_numbers(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let integer = map.get("type").is_some_and(|t| t == "integer");
        for key in ["minimum", "maximum", "multipleOf"] {
            let Some(value) = map.get(key) else { continue };
            let at = pointer_join(pointer, key);
            let number = match value {
                Value::Number(n) => Some(n.clone()),
                Value::String(s) => parse_number(s),
                _ => None,
            };
            let fixed = number.map(|n| {
                if integer {
                    integral(&n).unwrap_or(n)
                } else {
                    n
                }
            });
            match fixed {
                Some(n) if Value::Number(n.clone()) == *value => {}
                Some(n) => {
                    // An integral float on an integer schema is only a spelling; no warning.
                    if !value.is_number() {
                        self.warn(
                            &at,
                            format!("`{key}` must be a number; read {value} as {n}"),
                        );
                    }
                    map.insert(key.into(), Value::Number(n));
                }
                None => {
                    self.warn(&at, format!("`{key}` must be a number; removed {value}"));
                    map.shift_remove(key);
                }
            }
        }
        for key in COUNT_KEYWORDS {
            let Some(value) = map.get(key) else { continue };
            if value.is_u64() {
                continue;
            }
            let at = pointer_join(pointer, key);
            let count = match value {
                Value::Number(n) => integral(n).and_then(|n| n.as_u64()),
                Value::String(s) => s.trim().parse::<u64>().ok(),
                _ => None,
            };
            match count {
                Some(count) => {
                    if !value.is_number() {
                        self.warn(
                            &at,
                            format!("`{key}` must be a whole number; read {value} as {count}"),
                        );
                    }
                    map.insert(key.into(), json!(count));
                }
                None => {
                    self.warn(
                        &at,
                        format!("`{key}` must be a non-negative whole number; removed {value}"),
                    );
                    map.shift_remove(key);
                }
            }
        }
    }

    /// `enum` entries must have the schema's type for `openapiv3` to read a typed schema: numbers
    /// and booleans in a string enum become strings, numeric strings in integer/number enums
    /// become numbers, `"true"`/`"false"` in boolean enums become booleans.
    pub(super) fn fix_enum(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let at = pointer_join(pointer, "enum");
        match map.get("enum") {
            None | Some(Value::Array(_)) => {}
            Some(_) => {
                self.warn(
                    &at,
                    "`enum` must be a list; read the single value as a list",
                );
                if let Some(single) = map.shift_remove("enum") {
                    map.insert("enum".into(), json!([single]));
                }
            }
        }
        let kind = map
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let Some(Value::Array(values)) = map.get_mut("enum") else {
            return;
        };
        let mut changed = false;
        for value in values.iter_mut() {
            if let Some(fixed) = enum_value_as(&kind, value) {
                *value = fixed;
                changed = true;
            }
        }
        if changed {
            self.warn(
                &at,
                format!("`enum` values of a {kind} schema must be {kind}s; converted the others"),
            );
        }
    }

    /// Keywords for other types than the declared one never apply; they also keep `openapiv3`
    /// from reading a typed schema.
    pub(super) fn drop_inapplicable(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let kind = map
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        for keyword in inapplicable_keywords(map) {
            self.warn(
                &pointer_join(pointer, keyword),
                format!("`{keyword}` does not apply to `type: {kind}`; removed it"),
            );
            map.shift_remove(keyword);
        }
    }

    /// `discriminator` is an object with a `propertyName` (a bare string is Swagger 2.0).
    pub(super) fn fix_discriminator(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let at = pointer_join(pointer, "discriminator");
        match map.get_mut("discriminator") {
            None => {}
            Some(Value::String(name)) => {
                let name = name.clone();
                self.warn(&at, "`discriminator` must be an object (a bare property name is Swagger 2.0); read it as `propertyName`");
                map.insert("discriminator".into(), json!({ "propertyName": name }));
            }
            Some(Value::Object(discriminator))
                if discriminator
                    .get("propertyName")
                    .is_some_and(Value::is_string) =>
            {
                if let Some(mapping) = discriminator.get_mut("mapping") {
                    let valid = mapping
                        .as_object()
                        .is_some_and(|m| m.values().all(Value::is_string));
                    if !valid {
                        if let Value::Object(entries) = mapping {
                            entries.retain(|_, target| target.is_string());
                        } else {
                            *mapping = json!({});
                        }
                        self.warn(&pointer_join(&at, "mapping"), "discriminator `mapping` values must be schema names or references; removed the others");
                    }
                }
            }
            Some(_) => {
                self.warn(&at, "`discriminator` needs a `propertyName`; removed it");
                map.shift_remove("discriminator");
            }
        }
    }
}

/// The value converted to the schema type `kind`, when it has another type and converts
/// unambiguously; `None` to keep it.
fn enum_value_as(kind: &str, value: &Value) -> Option<Value> {
    match (kind, value) {
        (_, Value::Null) => None,
        ("string", Value::String(_)) => None,
        ("string", Value::Number(_) | Value::Bool(_)) => scalar_text(value).map(Value::String),
        ("integer", Value::Number(n)) if !n.is_i64() => {
            integral(n).filter(Number::is_i64).map(Value::Number)
        }
        ("integer", Value::String(s)) => s.trim().parse::<i64>().ok().map(Value::from),
        ("number", Value::String(s)) => parse_number(s).map(Value::Number),
        ("boolean", Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(Value::Bool(true)),
        ("boolean", Value::String(s)) if s.eq_ignore_ascii_case("false") => {
            Some(Value::Bool(false))
        }
        _ => None,
    }
}
