//! Repairs of the objects that sit in paths and components: path items, operations, parameters
//! and headers, request bodies, responses, media types, encodings, examples, links and
//! callbacks.

use serde_json::{Map, Value, json};

use super::fixes::{Repair, scalar_text};
use crate::error::{Diagnostic, Location, pointer_join};
use crate::load::openapi::PARAMETER_SCHEMA_FIELDS;

/// Valid `style` values per parameter location.
const STYLES: [(&str, &[&str]); 4] = [
    (
        "query",
        &["form", "spaceDelimited", "pipeDelimited", "deepObject"],
    ),
    ("path", &["matrix", "label", "simple"]),
    ("header", &["simple"]),
    ("cookie", &["form"]),
];

impl Repair<'_> {
    /// A path item, operation, parameter or response of the wrong JSON type is left as it is:
    /// dropping it would silently change the API, so the typed load reports it at its pointer.
    pub(super) fn path_item(&mut self, item: &mut Value, pointer: &str) {
        let Some(map) = item.as_object_mut() else {
            return;
        };
        for key in ["summary", "description"] {
            self.fix_string(map, key, pointer);
        }
        self.fix_servers(map, pointer);
    }

    pub(super) fn operation(&mut self, operation: &mut Value, pointer: &str) {
        let Some(map) = operation.as_object_mut() else {
            return;
        };
        for key in ["summary", "description", "operationId"] {
            self.fix_string(map, key, pointer);
        }
        self.fix_bool(map, "deprecated", pointer);
        self.fix_string_list(map, "tags", pointer, "tags must be strings; converted them");
        self.expect_object(map, "callbacks", pointer);
        if !map.contains_key("responses") {
            // Optional in 3.1, and often left out of hand-written 3.0 specs.
            self.warn(
                pointer,
                "an operation needs `responses`; added an empty list of responses",
            );
            map.insert("responses".into(), json!({}));
        }
        if let Some(Value::Object(responses)) = map.get("responses") {
            let ignored: Vec<String> = responses
                .keys()
                .filter(|key| !is_response_key(key))
                .cloned()
                .collect();
            for key in ignored {
                self.warn(&pointer_join(&pointer_join(pointer, "responses"), &key), format!("`{key}` is not a status code (like `200` or `4XX`) or `default`; the response is ignored"));
            }
        }
        self.fix_security(map, pointer);
        self.fix_servers(map, pointer);
        self.fix_external_docs(map, pointer);
    }

    /// A Parameter (`is_header` false) or Header object.
    pub(super) fn parameter(&mut self, parameter: &mut Value, pointer: &str, is_header: bool) {
        let Some(map) = parameter.as_object_mut() else {
            return;
        };
        if map.contains_key("$ref") {
            self.fix_reference(parameter, pointer);
            return;
        }
        let location = if is_header {
            "header".to_owned()
        } else {
            match self.parameter_location(map, pointer) {
                Some(location) => location,
                None => {
                    *parameter = Value::Null;
                    return;
                }
            }
        };
        for key in [
            "required",
            "deprecated",
            "allowEmptyValue",
            "explode",
            "allowReserved",
        ] {
            self.fix_bool(map, key, pointer);
        }
        if location == "path" && map.get("required") != Some(&Value::Bool(true)) {
            self.warn(
                pointer,
                "a path parameter is always required; set `required: true`",
            );
            map.insert("required".into(), json!(true));
        }
        self.fix_string(map, "description", pointer);
        self.fix_style(map, &location, pointer);
        self.fix_schema_or_content(map, pointer);
        self.fix_examples(map, pointer);
    }

    /// Checks `in` and `name` of a parameter; `None` when it is unusable (and was reported).
    pub(super) fn parameter_location(
        &mut self,
        map: &mut Map<String, Value>,
        pointer: &str,
    ) -> Option<String> {
        self.fix_string(map, "name", pointer);
        if !map.contains_key("name") {
            self.warn(pointer, "a parameter needs a `name`; removed it");
            return None;
        }
        let given = map
            .get("in")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let Some((canonical, _)) = STYLES
            .iter()
            .find(|(location, _)| location.eq_ignore_ascii_case(&given))
        else {
            self.warnings.push(
                Diagnostic::new(Location::new(self.file, pointer_join(pointer, "in")), format!("parameter location `{given}` is not one of query, header, path, cookie; removed the parameter"))
                    .hint("in OpenAPI 3.0 a body is a `requestBody`, and form fields are properties of its schema"),
            );
            return None;
        };
        if given != *canonical {
            self.warn(
                &pointer_join(pointer, "in"),
                format!("parameter location `{given}` read as `{canonical}`"),
            );
            map.insert("in".into(), json!(canonical));
        }
        Some((*canonical).to_owned())
    }

    /// Drops a `style` that is not valid for the location (fixing only its case).
    pub(super) fn fix_style(
        &mut self,
        map: &mut Map<String, Value>,
        location: &str,
        pointer: &str,
    ) {
        let Some(style) = map.get("style") else {
            return;
        };
        let valid = STYLES
            .iter()
            .find(|(l, _)| *l == location)
            .map(|(_, styles)| *styles)
            .unwrap_or_default();
        let given = style.as_str().unwrap_or_default().to_owned();
        let at = pointer_join(pointer, "style");
        match valid
            .iter()
            .find(|style| style.eq_ignore_ascii_case(&given))
        {
            Some(canonical) if given == *canonical => {}
            Some(canonical) => {
                self.warn(&at, format!("style `{given}` read as `{canonical}`"));
                map.insert("style".into(), json!(canonical));
            }
            None => {
                self.warn(&at, format!("style {style} is not valid for a {location} parameter (use one of {}); removed it", valid.join(", ")));
                map.shift_remove("style");
            }
        }
    }

    /// A parameter or header needs exactly one of `schema` and `content`. Swagger 2.0-style
    /// `type`/`format`/… fields written on the parameter itself are moved into a `schema`.
    pub(super) fn fix_schema_or_content(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        self.expect_object(map, "content", pointer);
        if map.contains_key("schema") && map.contains_key("content") {
            self.warn(
                &pointer_join(pointer, "content"),
                "a parameter has either `schema` or `content`; removed `content`",
            );
            map.shift_remove("content");
        }
        if map.contains_key("schema") || map.contains_key("content") {
            return;
        }
        let mut schema = Map::new();
        for field in PARAMETER_SCHEMA_FIELDS {
            if let Some(value) = map.shift_remove(field) {
                schema.insert(field.into(), value);
            }
        }
        map.shift_remove("collectionFormat");
        if schema.is_empty() {
            self.warn(
                pointer,
                "a parameter needs a `schema`; assumed `type: string`",
            );
            schema.insert("type".into(), json!("string"));
        } else {
            self.warn(pointer, "`type` and the other schema fields of a parameter belong in its `schema` (OpenAPI 3.0); moved them there");
        }
        map.insert("schema".into(), Value::Object(schema));
    }

    /// A Reference object must have a string `$ref`.
    pub(super) fn fix_reference(&mut self, value: &mut Value, pointer: &str) {
        if !value.get("$ref").is_some_and(Value::is_string) {
            self.warn(
                &pointer_join(pointer, "$ref"),
                "`$ref` must be a string; removed the reference",
            );
            *value = Value::Null;
        }
    }

    pub(super) fn request_body(&mut self, body: &mut Value, pointer: &str) {
        let Some(map) = body.as_object_mut() else {
            return;
        };
        if map.contains_key("$ref") {
            return self.fix_reference(body, pointer);
        }
        self.fix_bool(map, "required", pointer);
        self.fix_string(map, "description", pointer);
        self.expect_object(map, "content", pointer);
    }

    pub(super) fn response(&mut self, response: &mut Value, pointer: &str) {
        let Some(map) = response.as_object_mut() else {
            // A bare string is a habit from hand-written specs: it is the description.
            if let Some(text) = scalar_text(response) {
                self.warn(
                    pointer,
                    "a response must be an object; read the text as its description",
                );
                *response = json!({ "description": text });
            }
            return;
        };
        if map.contains_key("$ref") {
            return self.fix_reference(response, pointer);
        }
        self.require_string(map, "description", pointer, "");
        for key in ["headers", "content", "links"] {
            self.expect_object(map, key, pointer);
        }
    }

    pub(super) fn media_type(&mut self, media: &mut Value, pointer: &str) {
        let Some(map) = media.as_object_mut() else {
            return;
        };
        if map
            .get("schema")
            .is_some_and(|schema| !schema.is_object() && !schema.is_boolean())
        {
            self.warn(
                &pointer_join(pointer, "schema"),
                "a schema must be an object; removed it",
            );
            map.shift_remove("schema");
        }
        self.fix_examples(map, pointer);
        self.expect_object(map, "encoding", pointer);
    }

    pub(super) fn encoding(&mut self, encoding: &mut Value, pointer: &str) {
        let Some(map) = encoding.as_object_mut() else {
            self.warn(pointer, "an encoding must be an object; removed it");
            *encoding = Value::Null;
            return;
        };
        self.fix_string(map, "contentType", pointer);
        self.fix_bool(map, "explode", pointer);
        self.fix_bool(map, "allowReserved", pointer);
        self.fix_style(map, "query", pointer);
        self.expect_object(map, "headers", pointer);
    }

    pub(super) fn example(&mut self, example: &mut Value, pointer: &str) {
        if !example.is_object() {
            self.warn(
                pointer,
                "an example must be an Example object (`value: …`); wrapped the plain value in one",
            );
            *example = json!({ "value": std::mem::take(example) });
        }
    }

    pub(super) fn link(&mut self, link: &mut Value, pointer: &str) {
        let Some(map) = link.as_object_mut() else {
            self.warn(pointer, "a link must be an object; removed it");
            *link = Value::Null;
            return;
        };
        if map.contains_key("$ref") {
            return self.fix_reference(link, pointer);
        }
        self.fix_string(map, "operationId", pointer);
        self.fix_string(map, "operationRef", pointer);
        match (
            map.contains_key("operationId"),
            map.contains_key("operationRef"),
        ) {
            (false, false) => {
                self.warn(
                    pointer,
                    "a link needs `operationId` or `operationRef`; removed it",
                );
                *link = Value::Null;
            }
            (true, true) => {
                self.warn(
                    &pointer_join(pointer, "operationRef"),
                    "a link has either `operationId` or `operationRef`; removed `operationRef`",
                );
                map.shift_remove("operationRef");
            }
            _ => self.expect_object(map, "parameters", pointer),
        }
    }

    /// A callback given as a `$ref` to `components.callbacks` is inlined (`openapiv3` reads
    /// operation callbacks only inline); one pointing elsewhere is removed.
    pub(super) fn callback(&mut self, callback: &mut Value, pointer: &str) {
        let Some(reference) = callback
            .get("$ref")
            .map(|r| r.as_str().unwrap_or_default().to_owned())
        else {
            if !callback.is_object() {
                self.warn(pointer, "a callback must be an object; removed it");
                *callback = Value::Null;
            }
            return;
        };
        let name = reference
            .strip_prefix("#/components/callbacks/")
            .map(crate::error::pointer_unescape)
            .unwrap_or_default();
        if self
            .inlined_callbacks
            .iter()
            .any(|(_, inlined)| *inlined == name)
        {
            self.warn(
                pointer,
                format!("callback `{reference}` refers to itself; removed the inner use"),
            );
            *callback = Value::Null;
            return;
        }
        let target = self
            .callbacks
            .get(&name)
            .filter(|target| target.is_object() && target.get("$ref").is_none())
            .cloned();
        match target {
            Some(target) => {
                *callback = target;
                self.inlined_callbacks.push((pointer.to_owned(), name));
            }
            None => {
                self.warn(
                    pointer,
                    format!(
                        "callback reference `{reference}` cannot be followed; removed the callback"
                    ),
                );
                *callback = Value::Null;
            }
        }
    }
}

/// A response key `openapiv3` reads: `default`, an extension, a status code or a range (`4XX`).
fn is_response_key(key: &str) -> bool {
    if key == "default" || key.starts_with("x-") {
        return true;
    }
    let bytes = key.as_bytes();
    match bytes {
        [first, rest @ ..] if bytes.len() == 3 && first.is_ascii_digit() => {
            rest.iter().all(u8::is_ascii_digit) && (b'1'..=b'9').contains(first)
                || rest.iter().all(|b| b.eq_ignore_ascii_case(&b'x'))
        }
        _ => false,
    }
}
