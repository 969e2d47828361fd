//! The repair pass and the small typed fixes every object kind uses: booleans, strings and
//! lists of them written loosely, containers of the wrong JSON type, external docs, servers,
//! security requirements and examples.

use serde_json::{Map, Number, Value, json};

use crate::error::{Diagnostic, Location, pointer_join};

/// One repair pass over a document (or one schema or parameter of it), with the warnings it
/// writes.
pub(super) struct Repair<'a> {
    pub(super) file: &'a str,
    pub(super) warnings: &'a mut Vec<Diagnostic>,
    /// `components.callbacks`, to inline operation callbacks given as `$ref` (which 3.0 allows
    /// but `openapiv3` does not read).
    pub(super) callbacks: Map<String, Value>,
    /// Security schemes removed as unusable; their uses are removed at the end.
    pub(super) removed_schemes: Vec<String>,
    /// The callbacks being inlined, innermost last, as (pointer, name): a callback whose
    /// operations use the callback itself must not be inlined forever.
    pub(super) inlined_callbacks: Vec<(String, String)>,
}

impl<'a> Repair<'a> {
    /// A pass writing to `warnings`; `callbacks` are the document's `components.callbacks` (none
    /// when repairing a single schema or parameter).
    pub(super) fn new(
        file: &'a str,
        warnings: &'a mut Vec<Diagnostic>,
        callbacks: Map<String, Value>,
    ) -> Self {
        Repair {
            file,
            warnings,
            callbacks,
            removed_schemes: Vec::new(),
            inlined_callbacks: Vec::new(),
        }
    }

    pub(super) fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push(
            Diagnostic::new(Location::new(self.file, pointer), message)
                .hint("fix the spec so that it follows OpenAPI 3.0"),
        );
    }

    // -----------------------------------------------------------------------------------------
    // Small typed fixes
    // -----------------------------------------------------------------------------------------

    /// Makes `map[key]` a boolean when it is a string or number that clearly says one; removes
    /// anything else that is not a boolean.
    pub(super) fn fix_bool(&mut self, map: &mut Map<String, Value>, key: &str, pointer: &str) {
        let Some(value) = map.get(key) else { return };
        if value.is_boolean() {
            return;
        }
        let at = pointer_join(pointer, key);
        let fixed = match value {
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            Value::Number(n) if n.as_f64() == Some(1.0) => Some(true),
            Value::Number(n) if n.as_f64() == Some(0.0) => Some(false),
            _ => None,
        };
        match fixed {
            Some(flag) => {
                self.warn(
                    &at,
                    format!("`{key}` must be a boolean; read {value} as {flag}"),
                );
                map.insert(key.into(), Value::Bool(flag));
            }
            None => {
                self.warn(&at, format!("`{key}` must be a boolean; removed {value}"));
                map.shift_remove(key);
            }
        }
    }

    /// Makes `map[key]` a string when it is a number or boolean; removes anything else that is
    /// not a string.
    /// `map[key]` must be an array of strings: scalars are converted (with `message` as the
    /// warning), anything else dropped.
    pub(super) fn fix_string_list(
        &mut self,
        map: &mut Map<String, Value>,
        key: &str,
        pointer: &str,
        message: &str,
    ) {
        self.expect_array(map, key, pointer);
        if let Some(Value::Array(values)) = map.get_mut(key) {
            let texts: Vec<Value> = values
                .iter()
                .filter_map(scalar_text)
                .map(Value::String)
                .collect();
            if texts != *values {
                *values = texts;
                self.warn(&pointer_join(pointer, key), message);
            }
        }
    }

    pub(super) fn fix_string(&mut self, map: &mut Map<String, Value>, key: &str, pointer: &str) {
        let Some(value) = map.get(key) else { return };
        if value.is_string() {
            return;
        }
        let at = pointer_join(pointer, key);
        match scalar_text(value) {
            Some(text) => {
                self.warn(
                    &at,
                    format!("`{key}` must be a string; read {value} as \"{text}\""),
                );
                map.insert(key.into(), Value::String(text));
            }
            None => {
                self.warn(&at, format!("`{key}` must be a string; removed it"));
                map.shift_remove(key);
            }
        }
    }

    /// A required string field: fixed like [`Self::fix_string`], filled with `default` when
    /// missing.
    pub(super) fn require_string(
        &mut self,
        map: &mut Map<String, Value>,
        key: &str,
        pointer: &str,
        default: &str,
    ) {
        self.fix_string(map, key, pointer);
        if !map.contains_key(key) {
            self.warn(
                pointer,
                format!("`{key}` is required; set it to \"{default}\""),
            );
            map.insert(key.into(), json!(default));
        }
    }

    /// Removes `map[key]` unless it is an object.
    pub(super) fn expect_object(&mut self, map: &mut Map<String, Value>, key: &str, pointer: &str) {
        if map.get(key).is_some_and(|value| !value.is_object()) {
            self.warn(
                &pointer_join(pointer, key),
                format!("`{key}` must be an object; removed it"),
            );
            map.shift_remove(key);
        }
    }

    /// Removes `map[key]` unless it is an array.
    pub(super) fn expect_array(&mut self, map: &mut Map<String, Value>, key: &str, pointer: &str) {
        if map.get(key).is_some_and(|value| !value.is_array()) {
            self.warn(
                &pointer_join(pointer, key),
                format!("`{key}` must be a list; removed it"),
            );
            map.shift_remove(key);
        }
    }

    /// Removes an External Documentation object without a `url`.
    pub(super) fn fix_external_docs(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let Some(docs) = map.get_mut("externalDocs") else {
            return;
        };
        let at = pointer_join(pointer, "externalDocs");
        let usable = docs
            .as_object_mut()
            .is_some_and(|docs| docs.get("url").is_some_and(Value::is_string));
        if usable {
            if let Some(docs) = docs.as_object_mut() {
                self.fix_string(docs, "description", &at);
            }
        } else {
            self.warn(&at, "`externalDocs` needs a `url`; removed it");
            map.shift_remove("externalDocs");
        }
    }

    /// `servers`: entries need a string `url`; server variables need a string `default`.
    pub(super) fn fix_servers(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        self.expect_array(map, "servers", pointer);
        let Some(Value::Array(servers)) = map.get_mut("servers") else {
            return;
        };
        let base = pointer_join(pointer, "servers");
        let mut kept = Vec::new();
        for (index, mut server) in std::mem::take(servers).into_iter().enumerate() {
            let at = format!("{base}/{index}");
            let Some(fields) = server
                .as_object_mut()
                .filter(|fields| fields.get("url").is_some_and(Value::is_string))
            else {
                self.warn(&at, "a server needs a `url`; removed it");
                continue;
            };
            self.fix_string(fields, "description", &at);
            self.expect_object(fields, "variables", &at);
            if let Some(Value::Object(variables)) = fields.get_mut("variables") {
                let vars_at = pointer_join(&at, "variables");
                let before = variables.len();
                variables.retain(|_, variable| variable.is_object());
                if variables.len() != before {
                    self.warn(
                        &vars_at,
                        "server variables must be objects with a `default`; removed the others",
                    );
                }
                for (name, variable) in variables.iter_mut() {
                    if let Some(variable) = variable.as_object_mut() {
                        self.fix_server_variable(variable, &pointer_join(&vars_at, name));
                    }
                }
            }
            kept.push(server);
        }
        map.insert("servers".into(), Value::Array(kept));
    }

    pub(super) fn fix_server_variable(&mut self, variable: &mut Map<String, Value>, pointer: &str) {
        self.fix_string_list(
            variable,
            "enum",
            pointer,
            "server variable values must be strings; converted them",
        );
        self.fix_string(variable, "default", pointer);
        self.fix_string(variable, "description", pointer);
        if !variable.contains_key("default") {
            let first = variable
                .get("enum")
                .and_then(|values| values.get(0))
                .cloned()
                .unwrap_or(json!(""));
            self.warn(
                pointer,
                format!("a server variable needs a `default`; set it to {first}"),
            );
            variable.insert("default".into(), first);
        }
    }

    /// `security`: a list of objects mapping scheme names to lists of scope strings.
    pub(super) fn fix_security(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        self.expect_array(map, "security", pointer);
        let Some(Value::Array(requirements)) = map.get_mut("security") else {
            return;
        };
        let base = pointer_join(pointer, "security");
        let before = requirements.len();
        requirements.retain(Value::is_object);
        if requirements.len() != before {
            self.warn(
                &base,
                "security requirements must be objects; removed the others",
            );
        }
        for (index, requirement) in requirements.iter_mut().enumerate() {
            let Some(requirement) = requirement.as_object_mut() else {
                continue;
            };
            for (name, scopes) in requirement.iter_mut() {
                let texts: Vec<Value> = match scopes {
                    Value::Array(scopes) => scopes
                        .iter()
                        .filter_map(scalar_text)
                        .map(Value::String)
                        .collect(),
                    _ => Vec::new(),
                };
                if *scopes != Value::Array(texts.clone()) {
                    self.warnings.push(
                        Diagnostic::new(Location::new(self.file, pointer_join(&format!("{base}/{index}"), name)), "the scopes of a security requirement must be a list of strings; converted them")
                            .hint("write `[]` for a scheme without scopes"),
                    );
                    *scopes = Value::Array(texts);
                }
            }
        }
    }

    /// `examples` of a Parameter, Header or Media Type: a list (a JSON Schema habit) becomes
    /// `example`, and entries that are plain values become Example objects with that `value`.
    pub(super) fn fix_examples(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let at = pointer_join(pointer, "examples");
        match map.get_mut("examples") {
            Some(Value::Array(list)) => {
                let first = list.first().cloned();
                map.shift_remove("examples");
                if let Some(first) = first
                    && !map.contains_key("example")
                {
                    map.insert("example".into(), first);
                }
                self.warn(&at, "`examples` must be a map of Example objects; used the first entry of the list as `example`");
            }
            Some(Value::Object(examples)) => {
                let mut wrapped = Vec::new();
                for (name, example) in examples.iter_mut() {
                    if !looks_like_example_object(example) {
                        *example = json!({ "value": std::mem::take(example) });
                        wrapped.push(pointer_join(&at, name));
                    }
                }
                for place in wrapped {
                    self.warn(&place, "an example must be an Example object (`value: …`); wrapped the plain value in one");
                }
            }
            Some(_) => {
                map.shift_remove("examples");
                self.warn(
                    &at,
                    "`examples` must be a map of Example objects; removed it",
                );
            }
            None => {}
        }
    }
}

/// The text of a string, number or boolean.
pub(super) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(super) fn parse_number(text: &str) -> Option<Number> {
    let text = text.trim();
    if let Ok(n) = text.parse::<i64>() {
        return Some(n.into());
    }
    text.parse::<f64>().ok().and_then(Number::from_f64)
}

/// An integral float (`3.0`) as an integer; `None` for other numbers.
pub(super) fn integral(n: &Number) -> Option<Number> {
    if n.is_i64() || n.is_u64() {
        return Some(n.clone());
    }
    let f = n.as_f64()?;
    // Only floats that convert exactly (|f| < 2^53) are integral values worth reading as integers.
    (f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0).then(|| Number::from(f as i64))
}

/// Whether a value in an `examples` map is an Example object rather than an example value.
fn looks_like_example_object(value: &Value) -> bool {
    value.as_object().is_some_and(|map| {
        !map.is_empty()
            && map.keys().all(|key| {
                matches!(
                    key.as_str(),
                    "summary" | "description" | "value" | "externalValue" | "$ref"
                ) || key.starts_with("x-")
            })
    })
}
