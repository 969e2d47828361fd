//! Flat bodies (`--flatten-body`, `flatten_body = true`): a JSON object body's properties as the
//! tool's own arguments, beside the parameters', instead of one `body` argument. For an operation
//! without parameters the tool's input schema then *is* the body's schema, with its root
//! keywords (`allOf`, `anyOf`, `if`/`then`/`else`, `dependentRequired`, …) at the root, where
//! MCP clients and SEP-2106's checks look for them.
//!
//! Flattening is only done where it is exact: every call the nested form accepts has a flat
//! form meaning the same request, and the server sends the same body bytes (the generated build
//! function deserializes what is left after the parameters into the body's type, see the
//! runtime's `args::rest`). Otherwise the operation keeps its `body` argument, and a warning
//! says why. The rules, in the order they are checked:
//!
//! - JSON and form bodies only: both are one object the runtime serializes as a whole. Multipart
//!   bodies stay whole (their file fields take base64 or a file path, which their schema marks
//!   per field); text and binary bodies are not objects.
//! - The body must be required: with an optional body, no flat call could say "no body" apart
//!   from "an empty body", and the body's `required` list would bind calls without a body.
//! - Its schema must be an object (not an array, a scalar, a nullable object or a union with
//!   those), and name its properties (a free-form map has no arguments to give), unless it says
//!   itself what else it takes (`additionalProperties`).
//! - With parameters: no body property may have a parameter argument's name; no keyword may
//!   constrain the whole object (`minProperties`, `maxProperties`, `propertyNames`, `enum`,
//!   `const`, or `additionalProperties` / `unevaluatedProperties` inside an `allOf` / `anyOf`
//!   / `if` … branch), since the parameters' arguments would be part of it; and the body may not
//!   take properties it does not name, since a parameter's argument would be taken for one.
//!
//! Every tool input refuses arguments it does not list (`schema_defs::arguments_root` adds
//! `additionalProperties: false`). A flat body that says how it treats other properties keeps
//! its own word; one whose branches name properties of their own gets `unevaluatedProperties:
//! false` instead, which sees through `allOf` and the rest, where `additionalProperties` would
//! refuse the branches' properties; a name the body requires without giving it a schema is listed
//! with an empty one, so that the closed root still lets it through.

use std::collections::HashSet;

use indexmap::IndexSet;

use serde_json::{Map, Value, json};

use super::build::Builder;
use super::media;
use super::model::{Body, BodyKind, Param};
use super::schema::{Defs, Mode};
use crate::error::{Diagnostic, Location};
use crate::load::refs;

/// Keywords whose value is a subschema applied to the object itself (in place), not to a
/// property or an item.
const IN_PLACE_ONE: [&str; 4] = ["not", "if", "then", "else"];
const IN_PLACE_LISTS: [&str; 3] = ["allOf", "anyOf", "oneOf"];

/// Keywords that constrain the object as a whole, wherever they apply in place: the parameters'
/// arguments, once beside the body's properties, would count for them.
const WHOLE_OBJECT: [&str; 5] = [
    "minProperties",
    "maxProperties",
    "propertyNames",
    "enum",
    "const",
];

/// What the in-place subschemas of a body's schema say about its properties.
#[derive(Debug, Default)]
struct Facts {
    /// Every property name the schema names: in `properties`, `required`, `dependentRequired`
    /// and `dependentSchemas`, at the root and in its branches (in the order found, so what is
    /// built from them is deterministic).
    names: IndexSet<String>,
    /// The names some `properties` declares, at the root or in a branch.
    declared: HashSet<String>,
    /// Whether a branch names properties the root's `properties` does not, or takes other
    /// properties itself: a root `additionalProperties: false` would refuse them.
    branches_add: bool,
    /// The first keyword that constrains the whole object.
    whole_object: Option<String>,
}

impl<'a> Builder<'a> {
    /// Under `flatten_body`, the input root of the tool whose body this is (the body then marked
    /// flat), or `None`: the setting is off, there is no body, or it stays one argument, with a
    /// warning at `location` (the operation's `requestBody`) saying why.
    pub(super) fn flatten(
        &mut self,
        params: &[Param],
        body: Option<&mut Body>,
        schema: Option<&'a Value>,
        defs: &mut Defs,
        location: &Location,
    ) -> Option<Value> {
        let (true, Some(body), Some(schema)) = (self.flatten_body, body, schema) else {
            return None;
        };
        match self.flat_root(params, body, schema, defs) {
            Ok(root) => {
                body.flat = true;
                Some(root)
            }
            Err(why) => {
                let message = format!(
                    "the request body stays one `{}` argument (flatten_body): {why}",
                    body.arg_name
                );
                self.warnings.push(Diagnostic::new(location.clone(), message).hint(
                    "callers pass this body whole, as without flatten_body; the message says what would make it flat",
                ));
                None
            }
        }
    }

    /// The input root of a tool whose body is flattened (parameters first, then the body's
    /// properties), its definitions added to `defs`; or why the body stays one argument.
    fn flat_root(
        &mut self,
        params: &[Param],
        body: &Body,
        schema: &'a Value,
        defs: &mut Defs,
    ) -> Result<Value, String> {
        match body.kind {
            BodyKind::Json | BodyKind::Form => {}
            BodyKind::Multipart => {
                return Err("a multipart body stays whole (its file fields take base64 or a file path, marked in its own schema)".into());
            }
            BodyKind::Text | BodyKind::Binary => {
                return Err(format!("a `{}` body is not an object", body.media_type));
            }
        }
        if !body.required {
            return Err("the body is optional (no `required: true`), and top-level arguments could not tell no body from an empty one".into());
        }
        if !media::is_object_schema(self.doc, schema) {
            return Err("its schema is not an object (an array, a scalar, a nullable object, or a union with one)".into());
        }
        let target = refs::follow(self.doc, schema, String::new()).map_or(schema, |(s, _)| s);
        let mut own = Defs::default();
        let Value::Object(mut map) = self.converter.convert(target, Mode::Input, &mut own) else {
            return Err("its schema is not an object".into());
        };
        let facts = self.facts(&map);
        let says_more =
            map.contains_key("additionalProperties") || map.contains_key("unevaluatedProperties");
        if facts.declared.is_empty() && !says_more {
            return Err(
                "it is a free-form object: it names no properties to become arguments".into(),
            );
        }
        if !params.is_empty() {
            if let Some(param) = params.iter().find(|p| facts.names.contains(&p.arg_name)) {
                return Err(format!(
                    "its property `{}` has the name of a parameter's argument",
                    param.arg_name
                ));
            }
            if let Some(keyword) = &facts.whole_object {
                return Err(format!(
                    "its `{keyword}` constrains the whole object, which the parameters' arguments would be part of"
                ));
            }
            let open = |key: &str| map.get(key).is_some_and(|v| *v != Value::Bool(false));
            if open("additionalProperties") || open("unevaluatedProperties") {
                return Err("it takes properties it does not name, and a parameter's argument could be taken for one".into());
            }
        }
        if !says_more {
            if facts.branches_add {
                map.insert("unevaluatedProperties".into(), Value::Bool(false));
            }
            // A name that is required (or depended on) but has no schema anywhere takes any value
            // in the body; the closed root must list it to let it through.
            let undeclared = facts.names.iter().filter(|n| !facts.declared.contains(*n));
            let undeclared: Vec<String> = undeclared.cloned().collect();
            if !undeclared.is_empty() {
                let properties = map
                    .entry("properties")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(properties) = properties {
                    for name in undeclared {
                        properties.insert(name, json!({}));
                    }
                }
            }
        }
        defs.extend(own);
        Ok(merged(params, map))
    }

    /// What the in-place subschemas of `root` (following references to definitions) say.
    fn facts(&self, root: &Map<String, Value>) -> Facts {
        let mut facts = Facts::default();
        let root_properties: HashSet<&String> = root
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().collect())
            .unwrap_or_default();
        let mut seen = HashSet::new();
        // (schema, whether it is the root)
        let mut queue: Vec<(&Map<String, Value>, bool)> = vec![(root, true)];
        while let Some((map, is_root)) = queue.pop() {
            if let Some(name) = map.get("$ref").and_then(Value::as_str) {
                let target = name
                    .strip_prefix("#/$defs/")
                    .filter(|name| seen.insert(name.to_string()))
                    .and_then(|name| self.converter.definition(name, Mode::Input))
                    .and_then(Value::as_object);
                queue.extend(target.map(|t| (t, false)));
                continue;
            }
            facts.collect_names(map);
            if !is_root {
                let named_here = map
                    .get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|p| p.keys().any(|k| !root_properties.contains(k)));
                let takes_others = [
                    "additionalProperties",
                    "unevaluatedProperties",
                    "patternProperties",
                ]
                .iter()
                .any(|k| map.contains_key(*k));
                facts.branches_add |= named_here || takes_others;
            }
            let mut whole: Vec<&str> = WHOLE_OBJECT.to_vec();
            if !is_root {
                whole.extend(["additionalProperties", "unevaluatedProperties"]);
            }
            if facts.whole_object.is_none() {
                facts.whole_object = whole
                    .into_iter()
                    .find(|k| map.get(*k).is_some_and(|v| *v != Value::Bool(true)))
                    .map(str::to_owned);
            }
            for key in IN_PLACE_ONE {
                queue.extend(map.get(key).and_then(Value::as_object).map(|m| (m, false)));
            }
            for key in IN_PLACE_LISTS {
                if let Some(Value::Array(items)) = map.get(key) {
                    queue.extend(
                        items
                            .iter()
                            .filter_map(Value::as_object)
                            .map(|m| (m, false)),
                    );
                }
            }
            if let Some(Value::Object(schemas)) = map.get("dependentSchemas") {
                queue.extend(
                    schemas
                        .values()
                        .filter_map(Value::as_object)
                        .map(|m| (m, false)),
                );
            }
        }
        facts
    }
}

impl Facts {
    fn collect_names(&mut self, map: &Map<String, Value>) {
        let strings = |value: Option<&Value>| -> Vec<String> {
            value
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        if let Some(Value::Object(props)) = map.get("properties") {
            self.names.extend(props.keys().cloned());
            self.declared.extend(props.keys().cloned());
        }
        if let Some(Value::Object(schemas)) = map.get("dependentSchemas") {
            self.names.extend(schemas.keys().cloned());
        }
        self.names.extend(strings(map.get("required")));
        if let Some(Value::Object(dependent)) = map.get("dependentRequired") {
            for (name, needs) in dependent {
                self.names.insert(name.clone());
                self.names.extend(strings(Some(needs)));
            }
        }
    }
}

/// The body's schema as the tool's root: `type: object`, the parameters' properties and
/// required names before the body's own, then the body's other keywords as they were.
fn merged(params: &[Param], mut body: Map<String, Value>) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for param in params {
        properties.insert(param.arg_name.clone(), param.schema.clone());
        if param.required {
            required.push(Value::String(param.arg_name.clone()));
        }
    }
    if let Some(Value::Object(own)) = body.shift_remove("properties") {
        properties.extend(own);
    }
    if let Some(Value::Array(own)) = body.shift_remove("required") {
        required.extend(own);
    }
    body.shift_remove("type");
    let mut root = Map::new();
    root.insert("type".into(), json!("object"));
    if !properties.is_empty() {
        root.insert("properties".into(), Value::Object(properties));
    }
    if !required.is_empty() {
        root.insert("required".into(), Value::Array(required));
    }
    root.extend(body);
    Value::Object(root)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::ir::Api;

    /// A 3.1 spec whose one operation is `POST /people/{org}` (parameters as given) with `body`.
    fn spec(params: Value, body: Value) -> Value {
        json!({
            "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {"/people": {"post": {
                "operationId": "register", "parameters": params, "requestBody": body,
                "responses": {"201": {"description": "ok"}}
            }}},
            "components": {"schemas": {
                "address": {"$anchor": "addressDef", "type": "object", "properties": {
                    "street": {"type": "string"}, "city": {"type": "string"},
                    "previous": {"$ref": "#/components/schemas/address"}
                }},
                "Base": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]},
                "Closed": {"type": "object", "properties": {"id": {"type": "string"}}, "additionalProperties": false}
            }}
        })
    }

    fn json_body(schema: Value) -> Value {
        json!({"required": true, "content": {"application/json": {"schema": schema}}})
    }

    fn api(spec: &Value, flatten_body: bool) -> Api {
        let options = crate::Options {
            flatten_body,
            ..Default::default()
        };
        crate::pipeline::model_from_bytes(spec.to_string().as_bytes(), "api.json", &options)
            .expect("the spec builds")
    }

    /// The tool's assembled input schema, and the warnings about its body.
    fn input(spec: &Value) -> (Value, Vec<String>) {
        let api = api(spec, true);
        let tool = &api.tools[0];
        let warnings = api
            .warnings
            .iter()
            .map(|w| w.message.clone())
            .filter(|m| m.contains("flatten_body"))
            .collect();
        (api.assemble(&tool.input_schema), warnings)
    }

    fn person() -> Value {
        json!({
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "address": {"$ref": "#/components/schemas/address"},
                "contactMethod": {"type": "string", "enum": ["phone", "email"]},
                "phone": {"type": "string"}, "email": {"type": "string"}
            },
            "allOf": [{"anyOf": [{"required": ["phone"]}, {"required": ["email"]}]}],
            "if": {"properties": {"contactMethod": {"const": "phone"}}, "required": ["contactMethod"]},
            "then": {"required": ["phone"]},
            "else": {"required": ["email"]},
            "dependentRequired": {"phone": ["name"]},
            "additionalProperties": false
        })
    }

    #[test]
    fn a_body_only_tool_is_its_body() {
        let (schema, warnings) = input(&spec(json!([]), json_body(person())));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(schema["type"], "object");
        assert_eq!(
            schema["allOf"][0]["anyOf"][1],
            json!({"required": ["email"]})
        );
        assert_eq!(
            schema["if"]["properties"]["contactMethod"],
            json!({"const": "phone"})
        );
        assert_eq!(schema["then"], json!({"required": ["phone"]}));
        assert_eq!(schema["else"], json!({"required": ["email"]}));
        assert_eq!(schema["dependentRequired"], json!({"phone": ["name"]}));
        assert_eq!(schema["additionalProperties"], false);
        assert!(schema.get("unevaluatedProperties").is_none(), "{schema}");
        assert!(schema["properties"].get("body").is_none(), "{schema}");
        assert_eq!(
            schema["properties"]["address"],
            json!({"$ref": "#/$defs/address"})
        );
        // `$anchor` reaches the definition.
        assert_eq!(schema["$defs"]["address"]["$anchor"], "addressDef");
        let api = api(&spec(json!([]), json_body(person())), true);
        assert!(api.tools[0].body.as_ref().is_some_and(|b| b.flat));
    }

    #[test]
    fn off_by_default() {
        let api = api(&spec(json!([]), json_body(person())), false);
        let schema = api.assemble(&api.tools[0].input_schema);
        assert_eq!(
            schema["properties"]["body"]["if"]["required"],
            json!(["contactMethod"])
        );
        assert!(schema.get("if").is_none());
        assert_eq!(schema["additionalProperties"], false);
        assert!(!api.tools[0].body.as_ref().unwrap().flat);
    }

    #[test]
    fn parameters_join_the_body_at_the_root() {
        let params = json!([
            {"name": "org", "in": "query", "required": true, "schema": {"type": "string"}},
            {"name": "dryRun", "in": "query", "schema": {"type": "boolean"}}
        ]);
        let body = json!({"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}});
        let (schema, warnings) = input(&spec(params, json_body(body)));
        assert!(warnings.is_empty(), "{warnings:?}");
        let names: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
        assert_eq!(names, ["org", "dryRun", "name"]);
        assert_eq!(schema["required"], json!(["org", "name"]));
        // No body keyword of its own about other properties: the usual closed root.
        assert_eq!(schema["additionalProperties"], false);
    }

    /// Properties named only in an `allOf` branch would be refused by a root
    /// `additionalProperties: false`; `unevaluatedProperties: false` sees them.
    #[test]
    fn properties_from_branches_are_not_refused() {
        let body = json!({"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"name": {"type": "string"}}}]});
        let params = json!([{"name": "org", "in": "query", "schema": {"type": "string"}}]);
        let (schema, warnings) = input(&spec(params, json_body(body)));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(schema["unevaluatedProperties"], false);
        assert!(schema.get("additionalProperties").is_none(), "{schema}");
        assert_eq!(schema["properties"], json!({"org": {"type": "string"}}));
        assert_eq!(schema["allOf"][0]["required"], json!(["id"]));
    }

    /// Every reason a body stays one argument, each named in a warning.
    #[test]
    fn bodies_that_cannot_be_flat_exactly_stay_whole() {
        let org = json!([{"name": "id", "in": "query", "schema": {"type": "string"}}]);
        let none = json!([]);
        let object = json!({"type": "object", "properties": {"name": {"type": "string"}}});
        let cases = [
            (
                none.clone(),
                json_body(json!({"type": "array", "items": {"type": "string"}})),
                "not an object",
            ),
            (
                none.clone(),
                json_body(json!({"type": ["object", "null"], "properties": {"a": {}}})),
                "not an object",
            ),
            (
                none.clone(),
                json!({"content": {"application/json": {"schema": object.clone()}}}),
                "optional",
            ),
            (
                none.clone(),
                json!({"required": true, "content": {"multipart/form-data": {"schema": object.clone()}}}),
                "multipart",
            ),
            (
                none.clone(),
                json!({"required": true, "content": {"application/octet-stream": {}}}),
                "not an object",
            ),
            (
                none.clone(),
                json_body(json!({"type": "object"})),
                "free-form",
            ),
            // With a parameter: a shared name, a branch closed to its own properties, a count
            // of properties, and properties the body does not name.
            (
                org.clone(),
                json_body(json!({"$ref": "#/components/schemas/Base"})),
                "property `id`",
            ),
            (
                org.clone(),
                json_body(
                    json!({"allOf": [{"$ref": "#/components/schemas/Closed"}], "properties": {"x": {}}}),
                ),
                "property `id`",
            ),
            (
                org.clone(),
                json_body(
                    json!({"allOf": [{"properties": {"a": {}}, "additionalProperties": false}]}),
                ),
                "`additionalProperties` constrains the whole object",
            ),
            (
                org.clone(),
                json_body(json!({"type": "object", "properties": {"a": {}}, "maxProperties": 2})),
                "`maxProperties`",
            ),
            (
                org.clone(),
                json_body(
                    json!({"type": "object", "properties": {"a": {}}, "additionalProperties": {"type": "string"}}),
                ),
                "does not name",
            ),
        ];
        for (params, body, why) in cases {
            let spec = spec(params, body.clone());
            let (schema, warnings) = input(&spec);
            assert_eq!(warnings.len(), 1, "{body}: {warnings:?}");
            assert!(warnings[0].contains(why), "{body}: {warnings:?}");
            assert!(
                warnings[0].contains("stays one `body` argument"),
                "{warnings:?}"
            );
            assert!(
                schema["properties"].get("body").is_some(),
                "{body}: {schema}"
            );
            let api = api(&spec, true);
            assert!(!api.tools[0].body.as_ref().unwrap().flat);
        }
    }

    /// A property the body requires without a schema for it takes any value there; the closed
    /// root lists it so that it still can.
    #[test]
    fn required_names_without_a_schema_stay_allowed() {
        let body = json_body(
            json!({"type": "object", "required": ["id", "name"], "properties": {"name": {"type": "string"}}}),
        );
        let (schema, warnings) = input(&spec(json!([]), body));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            schema["properties"],
            json!({"name": {"type": "string"}, "id": {}})
        );
        assert_eq!(schema["additionalProperties"], false);
    }

    /// A form body is one object too; a free-form body that says what it takes is exact
    /// without parameters.
    #[test]
    fn form_bodies_and_declared_maps_flatten() {
        let form = json!({"required": true, "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {"q": {"type": "string"}}}}}});
        let (schema, warnings) = input(&spec(json!([]), form));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(schema["properties"], json!({"q": {"type": "string"}}));
        let map = json_body(json!({"type": "object", "additionalProperties": {"type": "integer"}}));
        let (schema, warnings) = input(&spec(json!([]), map));
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(schema["additionalProperties"], json!({"type": "integer"}));
    }

    /// Two definitions with the same anchor in one tool's schema would make it invalid: the
    /// anchor goes from both, and a unique one stays.
    #[test]
    fn only_unique_anchors_stay() {
        let mut spec = spec(
            json!([]),
            json_body(json!({"type": "object", "properties": {
                "a": {"$ref": "#/components/schemas/A"}, "b": {"$ref": "#/components/schemas/B"},
                "home": {"$ref": "#/components/schemas/address"}
            }})),
        );
        spec["components"]["schemas"]["A"] = json!({"$anchor": "dup", "type": "string"});
        spec["components"]["schemas"]["B"] = json!({"$anchor": "dup", "type": "integer"});
        let (schema, _) = input(&spec);
        assert_eq!(schema["properties"]["a"], json!({"type": "string"}));
        assert_eq!(schema["properties"]["b"], json!({"type": "integer"}));
        assert_eq!(schema["$defs"]["address"]["$anchor"], "addressDef");
    }
}
