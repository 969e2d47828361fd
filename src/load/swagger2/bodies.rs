//! Request bodies (from body and form parameters, one media type per `consumes` entry) and
//! responses (`schema` into `content`, one media type per `produces` entry).

use serde_json::{Map, Value, json};

use super::converter::{Converter, JSON, MULTIPART, Param, URLENCODED, merge_form_fields};
use crate::error::pointer_join;

impl Converter<'_> {
    /// The operation's request body: its own body parameter, else its form fields (with the path
    /// item's), else the path item's body, else the path item's form fields.
    pub(super) fn request_body(
        &mut self,
        own: &[Param],
        shared: &[Param],
        consumes: &[String],
        pointer: &str,
    ) -> Option<Value> {
        fn first_body(params: &[Param]) -> Option<&Param> {
            params.iter().find(|p| matches!(p, Param::Body { .. }))
        }
        let own_bodies = own
            .iter()
            .filter(|p| matches!(p, Param::Body { .. }))
            .count();
        if own_bodies > 1 {
            self.warn(
                &pointer_join(pointer, "parameters"),
                "an operation has at most one body parameter; used the first",
                "merge the body parameters into one schema",
            );
        }
        let own_forms = merge_form_fields(&[], own);
        let body = match (first_body(own), own_forms.is_empty()) {
            (Some(body), forms_empty) => {
                if !forms_empty {
                    self.warn(
                        &pointer_join(pointer, "parameters"),
                        "an operation cannot have both a body parameter and formData parameters; the formData parameters were ignored",
                        "send the form fields inside the body schema",
                    );
                }
                Some(body)
            }
            (None, false) => None,
            (None, true) => first_body(shared),
        };
        if let Some(Param::Body {
            param,
            pointer: body_pointer,
            component,
        }) = body
        {
            return Some(self.body_from_param(param, body_pointer, component.as_deref(), consumes));
        }
        let forms = merge_form_fields(shared, own);
        (!forms.is_empty()).then(|| self.form_body(&forms, consumes))
    }

    /// A request body from a body parameter: a `$ref` to the component when its media types are
    /// the global ones, else a body of its own.
    pub(super) fn body_from_param(
        &mut self,
        param: &Map<String, Value>,
        pointer: &str,
        component: Option<&str>,
        consumes: &[String],
    ) -> Value {
        if let Some(name) = component
            && consumes == self.global_consumes().as_slice()
        {
            return json!({ "$ref": format!("#/components/requestBodies/{}", crate::error::pointer_token(name)) });
        }
        self.body(param, pointer, consumes)
    }

    pub(super) fn global_consumes(&self) -> Vec<String> {
        match &self.consumes {
            Some(list) if !list.is_empty() => list.clone(),
            _ => vec![JSON.to_owned()],
        }
    }

    /// A Request Body object from a body parameter, one media type per `consumes` entry.
    pub(super) fn body(
        &mut self,
        param: &Map<String, Value>,
        pointer: &str,
        consumes: &[String],
    ) -> Value {
        let schema = match param.get("schema") {
            Some(schema) => self.schema(schema, &pointer_join(pointer, "schema")),
            None => {
                self.warn(
                    pointer,
                    "a body parameter needs a `schema`; accepted any value",
                    "add the schema of the body",
                );
                json!({})
            }
        };
        let mut out = Map::new();
        if let Some(description) = param.get("description") {
            out.insert("description".into(), description.clone());
        }
        let content: Map<String, Value> = consumes
            .iter()
            .map(|media| (media.clone(), json!({ "schema": schema.clone() })))
            .collect();
        out.insert("content".into(), Value::Object(content));
        if let Some(required) = param.get("required") {
            out.insert("required".into(), required.clone());
        }
        for (key, value) in param {
            if key.starts_with("x-") {
                out.insert(key.clone(), value.clone());
            }
        }
        Value::Object(out)
    }

    /// A form body from formData parameters: an object schema with one property per field.
    pub(super) fn form_body(
        &mut self,
        fields: &[(&Map<String, Value>, &str)],
        consumes: &[String],
    ) -> Value {
        let has_file = fields
            .iter()
            .any(|(field, _)| field.get("type").is_some_and(|t| t == "file"));
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut encoding = Map::new();
        for (field, pointer) in fields {
            let name = field
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let mut schema = self.parameter_schema(field, pointer);
            if let (Some(description), Some(schema)) =
                (field.get("description"), schema.as_object_mut())
            {
                schema.insert("description".into(), description.clone());
            }
            if field.get("type").is_some_and(|t| t == "array") {
                let mut style = Map::new();
                self.collection_style(field, "query", pointer, &mut style);
                encoding.insert(name.clone(), Value::Object(style));
            }
            if field.get("required") == Some(&Value::Bool(true)) {
                required.push(json!(name));
            }
            properties.insert(name, schema);
        }
        let mut schema = Map::new();
        schema.insert("type".into(), json!("object"));
        schema.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            schema.insert("required".into(), Value::Array(required.clone()));
        }
        let listed: Vec<&str> = consumes
            .iter()
            .map(String::as_str)
            .filter(|m| *m == MULTIPART || *m == URLENCODED)
            .collect();
        let media_types: Vec<&str> = match (has_file, listed.is_empty()) {
            (true, _) => vec![MULTIPART],
            (false, true) => vec![URLENCODED],
            (false, false) => listed,
        };
        let content: Map<String, Value> = media_types
            .into_iter()
            .map(|media| {
                let mut entry = json!({ "schema": schema.clone() });
                // `style`/`explode` of form fields only mean something for urlencoded bodies.
                if media == URLENCODED && !encoding.is_empty() {
                    entry["encoding"] = Value::Object(encoding.clone());
                }
                (media.to_owned(), entry)
            })
            .collect();
        let mut out = json!({ "content": content });
        if !required.is_empty() {
            out["required"] = json!(true);
        }
        out
    }

    // -----------------------------------------------------------------------------------------
    // Responses
    // -----------------------------------------------------------------------------------------

    pub(super) fn responses(
        &mut self,
        responses: &Value,
        pointer: &str,
        produces: &[String],
    ) -> Value {
        let Some(responses) = responses.as_object() else {
            self.warn(
                pointer,
                "`responses` must be an object; left it empty",
                "map status codes to responses",
            );
            return json!({});
        };
        let mut out = Map::new();
        for (code, response) in responses {
            let converted = if code.starts_with("x-") {
                response.clone()
            } else {
                self.response(response, &pointer_join(pointer, code), produces)
            };
            out.insert(code.clone(), converted);
        }
        Value::Object(out)
    }

    pub(super) fn response(
        &mut self,
        response: &Value,
        pointer: &str,
        produces: &[String],
    ) -> Value {
        let Some(map) = response.as_object() else {
            self.warn(
                pointer,
                "a response must be an object; left it without content",
                "give the response a `description`",
            );
            return json!({ "description": "" });
        };
        if let Some(reference) = map.get("$ref") {
            return json!({ "$ref": self.rewrite_ref(reference.as_str().unwrap_or_default()) });
        }
        let mut out = Map::new();
        match map.get("description") {
            Some(description) => {
                out.insert("description".into(), description.clone());
            }
            None => {
                self.warn(
                    pointer,
                    "a response needs a `description`; set it to \"\"",
                    "describe the response",
                );
                out.insert("description".into(), json!(""));
            }
        }
        if let Some(Value::Object(headers)) = map.get("headers") {
            let base = pointer_join(pointer, "headers");
            let converted: Map<String, Value> = headers
                .iter()
                .map(|(name, header)| {
                    (
                        name.clone(),
                        self.header(header, &pointer_join(&base, name)),
                    )
                })
                .collect();
            out.insert("headers".into(), Value::Object(converted));
        }
        if let Some(schema) = map.get("schema") {
            let schema = self.schema(schema, &pointer_join(pointer, "schema"));
            let examples = map.get("examples").and_then(Value::as_object);
            let content: Map<String, Value> = produces
                .iter()
                .map(|media| {
                    let mut entry = json!({ "schema": schema.clone() });
                    // 2.0 examples are keyed by media type; one that matches becomes its example.
                    if let Some(example) = examples.and_then(|examples| examples.get(media)) {
                        entry["example"] = example.clone();
                    }
                    (media.clone(), entry)
                })
                .collect();
            out.insert("content".into(), Value::Object(content));
        }
        for (key, value) in map {
            if key.starts_with("x-") {
                out.insert(key.clone(), value.clone());
            }
        }
        Value::Object(out)
    }

    /// A 2.0 response header: its value fields move into `schema`.
    pub(super) fn header(&mut self, header: &Value, pointer: &str) -> Value {
        let Some(map) = header.as_object() else {
            self.warn(
                pointer,
                "a header must be an object; assumed a string",
                "give the header a `type`",
            );
            return json!({ "schema": { "type": "string" } });
        };
        let mut out = Map::new();
        if let Some(description) = map.get("description") {
            out.insert("description".into(), description.clone());
        }
        out.insert("schema".into(), self.parameter_schema(map, pointer));
        for (key, value) in map {
            if key.starts_with("x-") {
                out.insert(key.clone(), value.clone());
            }
        }
        Value::Object(out)
    }
}
