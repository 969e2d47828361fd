//! The shared definitions (`definitions`, `parameters`, `responses`, `securityDefinitions`) moved
//! under `components`, and schemas and references rewritten to their 3.0 places.

use serde_json::{Map, Value, json};

use super::converter::{Converter, JSON, Param, rewrite_ref};
use crate::error::pointer_join;
use crate::load::repair::repair_schema;
use crate::load::schema_walk::for_each_subschema;

impl Converter<'_> {
    pub(super) fn components(&mut self) -> Map<String, Value> {
        let input = self.input;
        let mut components = Map::new();
        if let Some(Value::Object(definitions)) = input.get("definitions") {
            let schemas: Map<String, Value> = definitions
                .iter()
                .map(|(name, schema)| {
                    (
                        name.clone(),
                        self.schema(schema, &pointer_join("/definitions", name)),
                    )
                })
                .collect();
            components.insert("schemas".into(), Value::Object(schemas));
        }
        if let Some(Value::Object(responses)) = input.get("responses") {
            let produces = self
                .produces
                .clone()
                .filter(|list| !list.is_empty())
                .unwrap_or_else(|| vec![JSON.to_owned()]);
            let converted: Map<String, Value> = responses
                .iter()
                .map(|(name, response)| {
                    (
                        name.clone(),
                        self.response(response, &pointer_join("/responses", name), &produces),
                    )
                })
                .collect();
            components.insert("responses".into(), Value::Object(converted));
        }
        if let Some(Value::Object(parameters)) = input.get("parameters") {
            let (parameters, bodies) = self.component_parameters(parameters);
            if !parameters.is_empty() {
                components.insert("parameters".into(), Value::Object(parameters));
            }
            if !bodies.is_empty() {
                components.insert("requestBodies".into(), Value::Object(bodies));
            }
        }
        if let Some(Value::Object(definitions)) = input.get("securityDefinitions") {
            let schemes: Map<String, Value> = definitions
                .iter()
                .map(|(name, scheme)| {
                    (
                        name.clone(),
                        self.security_scheme(scheme, &pointer_join("/securityDefinitions", name)),
                    )
                })
                .collect();
            components.insert("securitySchemes".into(), Value::Object(schemes));
        }
        components
    }

    /// `#/parameters`: body parameters become request bodies, form fields are inlined where they
    /// are used (3.0 has no component for one form field), the others stay parameters.
    pub(super) fn component_parameters(
        &mut self,
        parameters: &Map<String, Value>,
    ) -> (Map<String, Value>, Map<String, Value>) {
        let consumes = self.global_consumes();
        let mut others = Map::new();
        let mut bodies = Map::new();
        for (name, param) in parameters {
            let pointer = pointer_join("/parameters", name);
            match self.parameter(param, &pointer) {
                Param::Body { param, .. } => {
                    bodies.insert(name.clone(), self.body(&param, &pointer, &consumes));
                }
                Param::Other(converted) => {
                    others.insert(name.clone(), converted);
                }
                Param::Form { .. } | Param::Skip => {}
            }
        }
        (others, bodies)
    }

    pub(super) fn security_scheme(&mut self, scheme: &Value, pointer: &str) -> Value {
        let Some(map) = scheme.as_object() else {
            return scheme.clone();
        };
        let kind = map.get("type").and_then(Value::as_str).unwrap_or_default();
        let mut out = Map::new();
        match kind {
            "basic" => {
                out.insert("type".into(), json!("http"));
                out.insert("scheme".into(), json!("basic"));
            }
            "apiKey" => {
                for key in ["type", "name", "in"] {
                    if let Some(value) = map.get(key) {
                        out.insert(key.into(), value.clone());
                    }
                }
            }
            "oauth2" => {
                out.insert("type".into(), json!("oauth2"));
                out.insert("flows".into(), self.oauth2_flows(map, pointer));
            }
            other => {
                self.warn(
                    &pointer_join(pointer, "type"),
                    format!("security scheme type `{other}` is not basic, apiKey or oauth2"),
                    "fix the type",
                );
                return scheme.clone();
            }
        }
        for (key, value) in map {
            if key == "description" || key.starts_with("x-") {
                out.insert(key.clone(), value.clone());
            }
        }
        Value::Object(out)
    }

    /// 2.0 has one `flow` per scheme; 3.0 names it differently and nests it under `flows`.
    pub(super) fn oauth2_flows(&mut self, map: &Map<String, Value>, pointer: &str) -> Value {
        let flow = map.get("flow").and_then(Value::as_str).unwrap_or_default();
        let (name, urls): (&str, &[&str]) = match flow {
            "implicit" => ("implicit", &["authorizationUrl"]),
            "password" => ("password", &["tokenUrl"]),
            "application" => ("clientCredentials", &["tokenUrl"]),
            "accessCode" => ("authorizationCode", &["authorizationUrl", "tokenUrl"]),
            other => {
                self.warn(
                    &pointer_join(pointer, "flow"),
                    format!(
                        "oauth2 flow `{other}` is not implicit, password, application or accessCode"
                    ),
                    "fix the flow",
                );
                return json!({});
            }
        };
        let mut out = Map::new();
        for url in urls {
            if let Some(value) = map.get(*url) {
                out.insert((*url).into(), value.clone());
            }
        }
        out.insert(
            "scopes".into(),
            map.get("scopes").cloned().unwrap_or_else(|| json!({})),
        );
        json!({ name: out })
    }

    // -----------------------------------------------------------------------------------------
    // Schemas and references
    // -----------------------------------------------------------------------------------------

    /// A 2.0 Schema object in 3.0 form: references rewritten, `x-nullable` → `nullable`,
    /// `type: file` → binary string, a string `discriminator` → `{propertyName}`.
    pub(super) fn schema(&mut self, schema: &Value, pointer: &str) -> Value {
        let mut schema = schema.clone();
        let bodies = &self.body_components;
        for_each_subschema(&mut schema, pointer, |node, _| {
            let Some(map) = node.as_object_mut() else {
                return;
            };
            if let Some(Value::String(reference)) = map.get("$ref") {
                let rewritten = rewrite_ref(reference, bodies);
                map.insert("$ref".into(), Value::String(rewritten));
            }
            if map.get("x-nullable") == Some(&Value::Bool(true)) {
                let index = map
                    .keys()
                    .position(|key| key == "x-nullable")
                    .unwrap_or(map.len());
                map.shift_remove("x-nullable");
                map.shift_insert(index.min(map.len()), "nullable".into(), json!(true));
            }
            if map.get("type").is_some_and(|t| t == "file") {
                map.insert("type".into(), json!("string"));
                map.insert("format".into(), json!("binary"));
            }
            if let Some(Value::String(property)) = map.get("discriminator") {
                let property = property.clone();
                map.insert("discriminator".into(), json!({ "propertyName": property }));
            }
        });
        repair_schema(&mut schema, pointer, self.file, self.warnings);
        schema
    }

    pub(super) fn rewrite_ref(&self, reference: &str) -> String {
        rewrite_ref(reference, &self.body_components)
    }
}
