//! Non-body parameters: their fields moved into `schema`, `collectionFormat` into `style` and
//! `explode`.

use serde_json::{Map, Value, json};

use super::converter::{Converter, Param, param_in};
use crate::error::pointer_join;
use crate::load::openapi::{PARAMETER_SCHEMA_FIELDS, inapplicable_keywords};
use crate::load::repair::{repair_parameter, repair_schema};

impl Converter<'_> {
    pub(super) fn parameters(&mut self, parameters: Option<&Value>, pointer: &str) -> Vec<Param> {
        let Some(parameters) = parameters else {
            return Vec::new();
        };
        let base = pointer_join(pointer, "parameters");
        let Some(parameters) = parameters.as_array() else {
            self.warn(
                &base,
                "`parameters` must be a list; ignored it",
                "list the parameters",
            );
            return Vec::new();
        };
        parameters
            .iter()
            .enumerate()
            .map(|(index, param)| self.parameter(param, &format!("{base}/{index}")))
            .collect()
    }

    /// Sorts one parameter (following a `#/parameters/X` reference) and converts the others.
    pub(super) fn parameter(&mut self, param: &Value, pointer: &str) -> Param {
        let Some(map) = param.as_object() else {
            self.warn(
                pointer,
                "a parameter must be an object; ignored it",
                "describe the parameter with `name` and `in`",
            );
            return Param::Skip;
        };
        if let Some(reference) = map.get("$ref") {
            return self.parameter_reference(reference.as_str().unwrap_or_default(), pointer);
        }
        match param_in(param) {
            "body" => Param::Body {
                param: map.clone(),
                pointer: pointer.to_owned(),
                component: None,
            },
            "formData" => Param::Form {
                param: map.clone(),
                pointer: pointer.to_owned(),
            },
            "query" | "path" | "header" => Param::Other(self.simple_parameter(map, pointer)),
            other => {
                self.warn(&pointer_join(pointer, "in"), format!("parameter location `{other}` is not one of query, header, path, formData, body; ignored the parameter"), "fix `in`");
                Param::Skip
            }
        }
    }

    pub(super) fn parameter_reference(&mut self, reference: &str, pointer: &str) -> Param {
        let name = reference
            .strip_prefix("#/parameters/")
            .map(crate::error::pointer_unescape);
        let target = name.as_ref().and_then(|name| {
            self.input
                .get("parameters")?
                .get(name)?
                .as_object()
                .map(|t| (name.clone(), t))
        });
        let Some((name, target)) = target else {
            if reference.starts_with("#/") {
                self.warn(&pointer_join(pointer, "$ref"), format!("parameter reference `{reference}` does not point at a parameter in `parameters`"), "fix the reference");
            }
            return Param::Other(json!({ "$ref": self.rewrite_ref(reference) }));
        };
        let component_pointer = pointer_join("/parameters", &name);
        match param_in(&Value::Object(target.clone())) {
            "body" => Param::Body {
                param: target.clone(),
                pointer: component_pointer,
                component: Some(name),
            },
            "formData" => Param::Form {
                param: target.clone(),
                pointer: component_pointer,
            },
            _ => Param::Other(json!({ "$ref": self.rewrite_ref(reference) })),
        }
    }

    /// A query, path or header parameter: value fields into `schema`, `collectionFormat` into
    /// `style`/`explode`.
    pub(super) fn simple_parameter(&mut self, param: &Map<String, Value>, pointer: &str) -> Value {
        let location = param.get("in").and_then(Value::as_str).unwrap_or_default();
        let mut out = Map::new();
        for (key, value) in param {
            match key.as_str() {
                "name" | "in" | "description" | "required" | "deprecated" => {
                    out.insert(key.clone(), value.clone());
                }
                "allowEmptyValue" if location == "query" => {
                    out.insert(key.clone(), value.clone());
                }
                _ if key.starts_with("x-") && key != "x-nullable" => {
                    out.insert(key.clone(), value.clone());
                }
                _ => {}
            }
        }
        if param.get("type").is_some_and(|t| t == "file") {
            self.warn(
                &pointer_join(pointer, "type"),
                "`type: file` is only valid for formData parameters; read it as a binary string",
                "upload files with a formData parameter",
            );
        }
        let schema = self.parameter_schema(param, pointer);
        if param.get("type").is_some_and(|t| t == "array") {
            self.collection_style(param, location, pointer, &mut out);
        }
        out.insert("schema".into(), schema);
        // The common 2.0 extension for what 3.0 has a field for.
        if let Some(example) = param.get("x-example") {
            out.insert("example".into(), example.clone());
        }
        // `required: "true"`, a path parameter not marked required, …: reported here, where the
        // pointer is still the input's.
        let mut out = Value::Object(out);
        repair_parameter(&mut out, pointer, self.file, self.warnings);
        out
    }

    /// [`Self::value_schema`], then repaired: the fields sit on the parameter in 2.0, so the
    /// parameter's pointer is where a repaired field is in the input.
    pub(super) fn parameter_schema(&mut self, fields: &Map<String, Value>, pointer: &str) -> Value {
        let mut schema = self.value_schema(fields, pointer);
        repair_schema(&mut schema, pointer, self.file, self.warnings);
        schema
    }

    /// The schema of a 2.0 parameter, header or items object: its value fields, with `items`
    /// converted recursively and `type: file` read as a binary string. Fields that do not apply
    /// to the type (generators put `uniqueItems: false` on every parameter) are left out.
    pub(super) fn value_schema(&mut self, fields: &Map<String, Value>, pointer: &str) -> Value {
        let mut schema = Map::new();
        for field in PARAMETER_SCHEMA_FIELDS {
            let Some(value) = fields.get(field) else {
                continue;
            };
            let value = match (field, value) {
                ("items", Value::Object(items)) => {
                    let at = pointer_join(pointer, "items");
                    if items.contains_key("collectionFormat") {
                        self.warn(&pointer_join(&at, "collectionFormat"), "a `collectionFormat` inside `items` (nested arrays) cannot be expressed in OpenAPI 3.0; ignored it", "flatten the parameter to one array");
                    }
                    self.value_schema(items, &at)
                }
                _ => value.clone(),
            };
            schema.insert(field.into(), value);
        }
        if let Some(Value::String(reference)) = fields.get("$ref") {
            schema.insert("$ref".into(), json!(self.rewrite_ref(reference)));
        }
        if fields.get("x-nullable") == Some(&Value::Bool(true)) {
            schema.insert("nullable".into(), json!(true));
        }
        if schema.get("type").is_some_and(|t| t == "file") {
            schema.insert("type".into(), json!("string"));
            schema.insert("format".into(), json!("binary"));
        }
        if !schema.contains_key("type") && !schema.contains_key("$ref") {
            self.warn(
                pointer,
                "a parameter needs a `type`; assumed `type: string`",
                "add the type of the value",
            );
            schema.shift_insert(0, "type".into(), json!("string"));
        }
        for keyword in inapplicable_keywords(&schema) {
            schema.shift_remove(keyword);
        }
        Value::Object(schema)
    }

    /// `collectionFormat` (csv by default) → `style`/`explode` for the parameter's location.
    pub(super) fn collection_style(
        &mut self,
        param: &Map<String, Value>,
        location: &str,
        pointer: &str,
        out: &mut Map<String, Value>,
    ) {
        let format = param
            .get("collectionFormat")
            .and_then(Value::as_str)
            .unwrap_or("csv");
        let at = pointer_join(pointer, "collectionFormat");
        let format = if format == "tsv" {
            self.warn(
                &at,
                "`collectionFormat: tsv` has no OpenAPI 3.0 form; treated as csv (comma-separated)",
                "use csv, ssv, pipes or multi",
            );
            "csv"
        } else {
            format
        };
        let (style, explode) = match (location, format) {
            ("query", "csv") => ("form", false),
            ("query", "ssv") => ("spaceDelimited", false),
            ("query", "pipes") => ("pipeDelimited", false),
            ("query", "multi") => ("form", true),
            (_, "csv") => ("simple", false),
            (_, other) => {
                self.warn(&at, format!("`collectionFormat: {other}` is not possible for a {location} parameter in OpenAPI 3.0; treated as csv"), "use csv for path and header arrays");
                ("simple", false)
            }
        };
        out.insert("style".into(), json!(style));
        if location == "query" {
            out.insert("explode".into(), json!(explode));
        }
    }
}
