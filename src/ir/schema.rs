//! OpenAPI 3.0 schemas → JSON Schema (draft 2020-12) for tool input and output schemas.
//!
//! Referenced schemas become shared definitions (referenced with local `$ref`s to
//! `#/$defs/<name>`), converted once per spec and stored once per crate, so shared and recursive
//! schemas stay bounded in size and recursion never turns into an empty schema. Each tool keeps
//! its root and the ids of the definitions it reaches; `schema_defs::assemble` (run by the server,
//! and by mcpwright where it needs the whole schema) inlines those used once and keeps the rest in
//! the tool's own `$defs`.

use std::collections::{HashMap, HashSet};

use indexmap::IndexSet;
use serde_json::{Map, Value, json};

use super::model::{SharedSchema, ToolSchema};
use crate::error::{Diagnostic, Location, pointer_token};
use crate::load::openapi::KEPT_2020_12;
use crate::load::refs;
use crate::naming::Namer;

/// Which side of the call a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Arguments: `readOnly` properties are left out; every constraint is kept, since arguments
    /// are validated against it.
    Input,
    /// Results: `writeOnly` properties are left out, and constraints that real APIs routinely
    /// outgrow (enums, formats, patterns, bounds, closed objects) are dropped, so a response that
    /// gained a new enum value still conforms to the declared output schema.
    Output,
}

/// Definitions that a schema's `$ref`s need, by pointer into the spec.
#[derive(Debug, Default)]
pub struct Defs {
    pointers: IndexSet<String>,
}

impl Defs {
    /// Adds `other`'s definitions after these.
    pub fn extend(&mut self, other: Defs) {
        self.pointers.extend(other.pointers);
    }
}

/// Converts schemas of one spec, caching converted components across tools.
#[derive(Debug)]
pub struct Converter<'a> {
    doc: &'a Value,
    file: &'a str,
    /// Each referenced pointer's name in `$defs`, the same for every tool, and back.
    names: HashMap<String, String>,
    pointers: HashMap<String, String>,
    namer: Namer,
    /// Converted bodies of referenced schemas, with the pointers they reference.
    cache: HashMap<(String, Mode), (Value, Vec<String>)>,
    /// Shared definitions, each distinct body once (see [`ToolSchema`]).
    table: Vec<SharedSchema>,
    /// Ids in `table` by (name, text), and by converted pointer and mode.
    interned: HashMap<(String, String), u32>,
    ids: HashMap<(String, Mode), u32>,
    pub warnings: Vec<Diagnostic>,
    warned: HashSet<String>,
}

impl<'a> Converter<'a> {
    pub fn new(doc: &'a Value, file: &'a str) -> Self {
        Converter {
            doc,
            file,
            names: HashMap::new(),
            pointers: HashMap::new(),
            namer: Namer::new(),
            cache: HashMap::new(),
            table: Vec::new(),
            interned: HashMap::new(),
            ids: HashMap::new(),
            warnings: Vec::new(),
            warned: HashSet::new(),
        }
    }

    /// Converts `schema` (found at `pointer`), recording the definitions it needs in `defs`.
    pub fn convert(&mut self, schema: &Value, mode: Mode, defs: &mut Defs) -> Value {
        let mut refs = Vec::new();
        let out = self.convert_value(schema, mode, &mut refs);
        for pointer in refs {
            self.require(&pointer, mode, defs);
        }
        out
    }

    /// `root` as the crate stores it: its `$ref`s left in place, with the ids of the shared
    /// definitions it reaches (each converted and interned once per spec).
    pub fn finish(&mut self, root: Value, mode: Mode, defs: &Defs) -> ToolSchema {
        let ids = defs
            .pointers
            .iter()
            .filter_map(|pointer| self.shared_id(pointer, mode))
            .collect();
        ToolSchema {
            root,
            defs: ids,
            arguments: false,
        }
    }

    /// The id of `pointer`'s converted body in the shared table.
    fn shared_id(&mut self, pointer: &str, mode: Mode) -> Option<u32> {
        let key = (pointer.to_owned(), mode);
        if let Some(&id) = self.ids.get(&key) {
            return Some(id);
        }
        let body = self.cache.get(&key)?.0.clone();
        let name = self.names.get(pointer)?.clone();
        let id = self.intern(name, body);
        self.ids.insert(key, id);
        Some(id)
    }

    /// The id of a definition body, adding it to the table when no identical one is there.
    pub fn intern(&mut self, name: String, body: Value) -> u32 {
        let text = body.to_string();
        let key = (name, text);
        if let Some(&id) = self.interned.get(&key) {
            return id;
        }
        let id = u32::try_from(self.table.len()).unwrap_or(u32::MAX);
        let (name, text) = key.clone();
        self.table.push(SharedSchema { name, body, text });
        self.interned.insert(key, id);
        id
    }

    /// The shared definition with `id`.
    pub fn shared(&self, id: u32) -> Option<&SharedSchema> {
        self.table.get(id as usize)
    }

    /// Every shared definition, leaving the converter's table empty.
    pub fn take_table(&mut self) -> Vec<SharedSchema> {
        self.interned.clear();
        self.ids.clear();
        std::mem::take(&mut self.table)
    }

    /// Adds `pointer` and everything it references to `defs`, converting each once.
    fn require(&mut self, pointer: &str, mode: Mode, defs: &mut Defs) {
        let mut queue = vec![pointer.to_owned()];
        while let Some(pointer) = queue.pop() {
            if !defs.pointers.insert(pointer.clone()) {
                continue;
            }
            let key = (pointer.clone(), mode);
            if !self.cache.contains_key(&key) {
                let target = refs::resolve(self.doc, &format!("#{pointer}"))
                    .cloned()
                    .unwrap_or(Value::Bool(true));
                let mut refs = Vec::new();
                let body = self.convert_value(&target, mode, &mut refs);
                self.cache.insert(key.clone(), (body, refs));
            }
            queue.extend(self.cache[&key].1.iter().rev().cloned());
        }
    }

    /// The `$defs` name of a referenced pointer, allocated once per spec.
    fn def_name(&mut self, pointer: &str) -> String {
        if let Some(name) = self.names.get(pointer) {
            return name.clone();
        }
        let base = match pointer.strip_prefix("/components/schemas/") {
            Some(rest) => rest
                .split('/')
                .map(crate::error::pointer_unescape)
                .collect::<Vec<_>>()
                .join("."),
            None => pointer
                .split('/')
                .filter(|t| !t.is_empty())
                .map(crate::error::pointer_unescape)
                .collect::<Vec<_>>()
                .join("."),
        };
        let clean: String = base
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let name = self
            .namer
            .unique(if clean.is_empty() { "schema" } else { &clean }, "_");
        self.names.insert(pointer.to_owned(), name.clone());
        self.pointers.insert(name.clone(), pointer.to_owned());
        name
    }

    /// The converted body of the definition a `#/$defs/<name>` reference names, once a
    /// conversion in `mode` has required it.
    pub fn definition(&self, name: &str, mode: Mode) -> Option<&Value> {
        let pointer = self.pointers.get(name)?;
        self.cache
            .get(&(pointer.clone(), mode))
            .map(|(body, _)| body)
    }

    fn convert_value(&mut self, schema: &Value, mode: Mode, refs: &mut Vec<String>) -> Value {
        match schema {
            Value::Object(map) => self.convert_object(map, mode, refs),
            // Boolean schemas are valid JSON Schema as they are.
            Value::Bool(b) => Value::Bool(*b),
            _ => json!({}),
        }
    }

    fn convert_object(
        &mut self,
        map: &Map<String, Value>,
        mode: Mode,
        refs: &mut Vec<String>,
    ) -> Value {
        if let Some(Value::String(reference)) = map.get("$ref") {
            // OpenAPI 3.0 ignores siblings of `$ref`.
            return match reference.strip_prefix('#') {
                Some(pointer) if refs::resolve(self.doc, reference).is_some() => {
                    let pointer = refs::decode_fragment(pointer);
                    let name = self.def_name(&pointer);
                    if !refs.contains(&pointer) {
                        refs.push(pointer);
                    }
                    json!({ "$ref": format!("#/$defs/{name}") })
                }
                _ => json!({}),
            };
        }
        let input = mode == Mode::Input;
        let mut out = Map::new();
        let mut dropped = HashSet::new();
        // A 3.1 `const` became `enum: [v]` for the 3.0 model and is kept as itself for inputs.
        let kept_const = input
            && map
                .get(KEPT_2020_12)
                .is_some_and(|kept| kept.get("const").is_some());
        for (key, value) in map {
            match key.as_str() {
                "enum" if kept_const => {}
                "type" | "description" | "title" | "default" | "deprecated" => {
                    out.insert(key.clone(), value.clone());
                }
                "format" | "enum" | "pattern" | "minLength" | "maxLength" | "minimum"
                | "maximum" | "multipleOf" | "minItems" | "maxItems" | "uniqueItems"
                | "minProperties" | "maxProperties"
                    if input =>
                {
                    out.insert(key.clone(), value.clone());
                }
                "exclusiveMinimum" | "exclusiveMaximum" if input => {
                    // 3.0 writes `exclusiveMinimum: true` next to `minimum`; 2020-12 writes the
                    // bound itself.
                    let bound = if key == "exclusiveMinimum" {
                        "minimum"
                    } else {
                        "maximum"
                    };
                    match value {
                        Value::Bool(true) => {
                            if let Some(limit) = map.get(bound) {
                                out.insert(key.clone(), limit.clone());
                                dropped.insert(bound);
                            }
                        }
                        Value::Number(_) => {
                            out.insert(key.clone(), value.clone());
                        }
                        _ => {}
                    }
                }
                "example" if input => {
                    out.insert("examples".into(), json!([value]));
                }
                "properties" => {
                    if let Value::Object(props) = value {
                        let mut converted = Map::new();
                        for (name, prop) in props {
                            if self.skipped_property(prop, mode) {
                                dropped.insert(name.as_str());
                                continue;
                            }
                            converted.insert(name.clone(), self.convert_value(prop, mode, refs));
                        }
                        out.insert(key.clone(), Value::Object(converted));
                    }
                }
                "required" => {
                    out.insert(key.clone(), value.clone());
                }
                "items" | "not" => {
                    out.insert(key.clone(), self.convert_value(value, mode, refs));
                }
                "additionalProperties" => match value {
                    Value::Bool(false) if !input => {}
                    Value::Bool(b) => {
                        out.insert(key.clone(), Value::Bool(*b));
                    }
                    other => {
                        out.insert(key.clone(), self.convert_value(other, mode, refs));
                    }
                },
                "allOf" | "anyOf" | "oneOf" => {
                    if let Value::Array(items) = value {
                        let converted = items
                            .iter()
                            .map(|item| self.convert_value(item, mode, refs))
                            .collect();
                        out.insert(key.clone(), Value::Array(converted));
                    }
                }
                // The 2020-12 keywords a 3.1 spec had, kept by the conversion: constraints, so
                // inputs only (like the other constraints above), and `$anchor`, an annotation
                // both sides keep (assembly drops the ones a tool's schema repeats).
                KEPT_2020_12 => {
                    if let Value::Object(kept) = value {
                        for (keyword, value) in kept {
                            if !input && keyword != "$anchor" {
                                continue;
                            }
                            let converted = self.convert_kept(keyword, value, mode, refs);
                            out.insert(keyword.clone(), converted);
                        }
                    }
                }
                _ => {}
            }
        }
        for bound in ["minimum", "maximum"] {
            if dropped.contains(bound) {
                out.remove(bound);
            }
        }
        if let Some(Value::Array(required)) = out.get_mut("required") {
            required.retain(|name| name.as_str().is_none_or(|n| !dropped.contains(n)));
            if required.is_empty() {
                out.remove("required");
            }
        }
        if map.get("nullable") == Some(&Value::Bool(true)) {
            return nullable(out);
        }
        Value::Object(out)
    }

    /// One kept 2020-12 keyword: its subschemas converted like any other, its other values as
    /// they are (`dependentRequired`, `minContains`, `maxContains`, a boolean
    /// `unevaluatedProperties`).
    fn convert_kept(
        &mut self,
        keyword: &str,
        value: &Value,
        mode: Mode,
        refs: &mut Vec<String>,
    ) -> Value {
        match (keyword, value) {
            ("dependentSchemas", Value::Object(schemas)) => Value::Object(
                schemas
                    .iter()
                    .map(|(name, schema)| (name.clone(), self.convert_value(schema, mode, refs)))
                    .collect(),
            ),
            ("prefixItems", Value::Array(positions)) => Value::Array(
                positions
                    .iter()
                    .map(|schema| self.convert_value(schema, mode, refs))
                    .collect(),
            ),
            (
                "if"
                | "then"
                | "else"
                | "items"
                | "contains"
                | "propertyNames"
                | "unevaluatedProperties"
                | "unevaluatedItems",
                Value::Object(_),
            ) => self.convert_value(value, mode, refs),
            _ => value.clone(),
        }
    }

    /// `readOnly` properties are not sent, `writeOnly` ones are not received.
    fn skipped_property(&self, prop: &Value, mode: Mode) -> bool {
        let flag = match mode {
            Mode::Input => "readOnly",
            Mode::Output => "writeOnly",
        };
        let target = match prop.get("$ref").and_then(Value::as_str) {
            Some(reference) => refs::resolve(self.doc, reference).unwrap_or(prop),
            None => prop,
        };
        prop.get(flag) == Some(&Value::Bool(true)) || target.get(flag) == Some(&Value::Bool(true))
    }

    /// Records a warning once per distinct message.
    pub fn warn(&mut self, pointer: &str, message: String) {
        if self.warned.insert(message.clone()) {
            self.warnings
                .push(Diagnostic::new(Location::new(self.file, pointer), message));
        }
    }
}

/// 3.0's `nullable: true` in 2020-12 terms.
fn nullable(mut out: Map<String, Value>) -> Value {
    if let Some(Value::Array(values)) = out.get_mut("enum")
        && !values.contains(&Value::Null)
    {
        values.push(Value::Null);
    }
    match out.get("type").cloned() {
        Some(Value::String(ty)) => {
            out.insert("type".into(), json!([ty, "null"]));
            Value::Object(out)
        }
        Some(Value::Array(mut types)) => {
            if !types.contains(&json!("null")) {
                types.push(json!("null"));
            }
            out.insert("type".into(), Value::Array(types));
            Value::Object(out)
        }
        _ if out.is_empty() => Value::Object(out),
        _ => {
            let mut wrapper = Map::new();
            for key in ["description", "title", "default"] {
                if let Some(value) = out.remove(key) {
                    wrapper.insert(key.into(), value);
                }
            }
            wrapper.insert(
                "anyOf".into(),
                json!([Value::Object(out), {"type": "null"}]),
            );
            Value::Object(wrapper)
        }
    }
}

/// The definitions worth inlining: used once or small, and not part of a cycle.
/// The pointer of a component schema by name.
pub fn component_pointer(name: &str) -> String {
    format!("/components/schemas/{}", pointer_token(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(doc: &Value, schema: Value, mode: Mode) -> Value {
        let mut converter = Converter::new(doc, "api.yaml");
        let mut defs = Defs::default();
        let root = converter.convert(&schema, mode, &mut defs);
        let parts = converter.finish(root, mode, &defs);
        if parts.defs.is_empty() {
            return parts.root;
        }
        let table = converter.take_table();
        let bodies: Vec<(&str, &Value)> = parts
            .defs
            .iter()
            .map(|&id| (table[id as usize].name.as_str(), &table[id as usize].body))
            .collect();
        super::super::schema_defs::assemble(parts.root, &bodies)
    }

    #[test]
    fn keeps_types_and_constraints_for_input() {
        let doc = json!({});
        let out = convert(
            &doc,
            json!({"type": "integer", "format": "int32", "minimum": 1, "exclusiveMinimum": true, "maximum": 100, "example": 5, "x-foo": 1}),
            Mode::Input,
        );
        assert_eq!(
            out,
            json!({"type": "integer", "format": "int32", "exclusiveMinimum": 1, "maximum": 100, "examples": [5]})
        );
    }

    #[test]
    fn nullable_becomes_a_type_array() {
        let doc = json!({});
        let out = convert(
            &doc,
            json!({"type": "string", "enum": ["a"], "nullable": true}),
            Mode::Input,
        );
        assert_eq!(
            out,
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
        let out = convert(
            &doc,
            json!({"allOf": [{"type": "string"}], "nullable": true, "description": "d"}),
            Mode::Input,
        );
        assert_eq!(
            out,
            json!({"description": "d", "anyOf": [{"allOf": [{"type": "string"}]}, {"type": "null"}]})
        );
    }

    #[test]
    fn read_only_properties_are_not_inputs() {
        let doc = json!({});
        let schema = json!({"type": "object", "required": ["id", "name"], "properties": {
            "id": {"type": "integer", "readOnly": true}, "name": {"type": "string"}, "secret": {"type": "string", "writeOnly": true}}});
        assert_eq!(
            convert(&doc, schema.clone(), Mode::Input),
            json!({"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "secret": {"type": "string"}}})
        );
        assert_eq!(
            convert(&doc, schema, Mode::Output),
            json!({"type": "object", "required": ["id", "name"], "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}})
        );
    }

    #[test]
    fn references_used_once_are_inlined_and_cycles_stay_in_defs() {
        let doc = json!({"components": {"schemas": {
            "Pet": {"type": "object", "properties": {"owner": {"$ref": "#/components/schemas/Person"}}},
            "Person": {"type": "object", "properties": {"name": {"type": "string"}, "pets": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}}},
            "Tag": {"type": "string", "description": "a tag"},
        }}});
        let out = convert(
            &doc,
            json!({"$ref": "#/components/schemas/Tag"}),
            Mode::Input,
        );
        assert_eq!(out, json!({"type": "string", "description": "a tag"}));
        let out = convert(
            &doc,
            json!({"type": "object", "properties": {"pet": {"$ref": "#/components/schemas/Pet"}}}),
            Mode::Input,
        );
        assert_eq!(out["properties"]["pet"], json!({"$ref": "#/$defs/Pet"}));
        assert_eq!(
            out["$defs"]["Pet"]["properties"]["owner"],
            json!({"$ref": "#/$defs/Person"})
        );
        assert_eq!(
            out["$defs"]["Person"]["properties"]["pets"]["items"],
            json!({"$ref": "#/$defs/Pet"})
        );
    }

    #[test]
    fn a_self_referencing_alias_does_not_loop() {
        let doc = json!({"components": {"schemas": {"A": {"$ref": "#/components/schemas/A"}}}});
        let out = convert(&doc, json!({"$ref": "#/components/schemas/A"}), Mode::Input);
        assert_eq!(
            out,
            json!({"$ref": "#/$defs/A", "$defs": {"A": {"$ref": "#/$defs/A"}}})
        );
    }

    /// The 2020-12 keywords a 3.1 conversion kept come back as themselves, their subschemas
    /// converted (references into `$defs`, 3.0 `nullable` into type lists); outputs leave them
    /// out like the other constraints.
    #[test]
    fn kept_2020_12_keywords_return_in_inputs() {
        let doc =
            json!({"components": {"schemas": {"Code": {"type": "string", "pattern": "^[A-Z]+$"}}}});
        let schema = json!({
            "type": "object",
            "properties": {"kind": {"type": "string"}, "value": {}},
            "x-mcpwright-2020-12": {
                "if": {"properties": {"kind": {"enum": ["code"]}}},
                "then": {"properties": {"value": {"$ref": "#/components/schemas/Code"}}},
                "else": {"properties": {"value": {"type": "integer", "nullable": true}}},
                "dependentRequired": {"value": ["kind"]},
                "unevaluatedProperties": false
            }
        });
        let out = convert(&doc, schema.clone(), Mode::Input);
        assert_eq!(
            out["if"],
            json!({"properties": {"kind": {"enum": ["code"]}}})
        );
        assert_eq!(
            out["then"]["properties"]["value"],
            json!({"type": "string", "pattern": "^[A-Z]+$"})
        );
        assert_eq!(
            out["else"]["properties"]["value"]["type"],
            json!(["integer", "null"])
        );
        assert_eq!(out["dependentRequired"], json!({"value": ["kind"]}));
        assert_eq!(out["unevaluatedProperties"], json!(false));
        assert!(out.get("x-mcpwright-2020-12").is_none());
        let out = convert(&doc, schema, Mode::Output);
        assert!(
            out.get("if").is_none() && out.get("dependentRequired").is_none(),
            "{out}"
        );
    }

    /// A 3.1 `const` and tuple come back as themselves in inputs, in place of their 3.0 forms.
    #[test]
    fn kept_const_and_tuples_replace_their_3_0_forms() {
        let doc = json!({});
        let schema = json!({"type": "object", "properties": {
            "kind": {"enum": ["task"], "x-mcpwright-2020-12": {"const": "task"}},
            "at": {"type": "array", "items": {"type": "number"}, "x-mcpwright-2020-12": {
                "prefixItems": [{"type": "number"}, {"type": "number", "nullable": true}], "items": {"not": {}}}}
        }});
        let out = convert(&doc, schema.clone(), Mode::Input);
        assert_eq!(out["properties"]["kind"], json!({"const": "task"}));
        assert_eq!(
            out["properties"]["at"],
            json!({"type": "array", "items": {"not": {}}, "prefixItems": [{"type": "number"}, {"type": ["number", "null"]}]})
        );
        let out = convert(&doc, schema, Mode::Output);
        assert_eq!(out["properties"]["kind"], json!({}));
        assert_eq!(
            out["properties"]["at"],
            json!({"type": "array", "items": {"type": "number"}})
        );
    }

    #[test]
    fn output_mode_drops_constraints_that_responses_outgrow() {
        let doc = json!({});
        let out = convert(
            &doc,
            json!({"type": "object", "additionalProperties": false, "properties": {"s": {"type": "string", "enum": ["a"], "format": "date-time", "maxLength": 3}}}),
            Mode::Output,
        );
        assert_eq!(
            out,
            json!({"type": "object", "properties": {"s": {"type": "string"}}})
        );
    }
}
