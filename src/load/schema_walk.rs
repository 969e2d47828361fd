//! A walker over an OpenAPI 3.x document that visits every Schema object, and every object that
//! can hold one, together with its JSON pointer.
//!
//! The normalization passes ([`super::oas31`], [`super::repair`], [`super::swagger2`]) are all
//! "do this to every schema wherever it is" rules; this module knows where schemas are, so each
//! pass only says what to do with one.
//!
//! The walk follows the structure of the document (never example or default values, never
//! `x-` extensions), and it descends into a value as it is *after* the `enter_*` hook returned, so
//! a hook may rewrite the value it is given. Pointers are computed from the keys seen while
//! descending.

use serde_json::{Map, Value};

use super::openapi::{
    KEPT_2020_12, METHODS, ObjectKind, SCHEMA_ARRAYS, SCHEMA_MAPS, SCHEMA_OBJECT_ONLY,
    SCHEMA_SINGLES,
};
use crate::error::pointer_join;

/// What to do at each place. Every hook has a default that does nothing.
pub trait Visitor {
    /// A schema, before its subschemas are visited. `schema` may be a boolean (3.1).
    fn enter_schema(&mut self, _schema: &mut Value, _pointer: &str) {}
    /// A schema, after its subschemas were visited.
    fn leave_schema(&mut self, _schema: &mut Value, _pointer: &str) {}
    /// A non-schema object (or a Reference object in its place), before its contents.
    fn enter_object(&mut self, _kind: ObjectKind, _value: &mut Value, _pointer: &str) {}
    /// A non-schema object, after its contents.
    fn leave_object(&mut self, _kind: ObjectKind, _value: &mut Value, _pointer: &str) {}
}

/// Visits every schema and schema-holding object of a 3.x document (`paths`, `webhooks`,
/// `components`).
pub fn walk_document(doc: &mut Value, visitor: &mut impl Visitor) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    for section in ["paths", "webhooks"] {
        if let Some(Value::Object(items)) = root.get_mut(section) {
            let pointer = pointer_join("", section);
            for (key, item) in items.iter_mut() {
                if !key.starts_with("x-") {
                    walk_path_item(item, &pointer_join(&pointer, key), visitor);
                }
            }
        }
    }
    if let Some(components) = root.get_mut("components") {
        walk_components(components, "/components", visitor);
    }
}

fn walk_components(components: &mut Value, pointer: &str, visitor: &mut impl Visitor) {
    let Some(map) = components.as_object_mut() else {
        return;
    };
    each_entry(map, "schemas", pointer, |value, at| {
        walk_schema(value, at, visitor)
    });
    each_entry(map, "responses", pointer, |value, at| {
        walk_response(value, at, visitor)
    });
    each_entry(map, "parameters", pointer, |value, at| {
        walk_parameter(value, at, ObjectKind::Parameter, visitor)
    });
    each_entry(map, "examples", pointer, |value, at| {
        leaf_object(value, at, ObjectKind::Example, visitor)
    });
    each_entry(map, "requestBodies", pointer, |value, at| {
        walk_request_body(value, at, visitor)
    });
    each_entry(map, "headers", pointer, |value, at| {
        walk_parameter(value, at, ObjectKind::Header, visitor)
    });
    each_entry(map, "securitySchemes", pointer, |value, at| {
        leaf_object(value, at, ObjectKind::SecurityScheme, visitor)
    });
    each_entry(map, "links", pointer, |value, at| {
        leaf_object(value, at, ObjectKind::Link, visitor)
    });
    each_entry(map, "callbacks", pointer, |value, at| {
        walk_callback(value, at, visitor)
    });
    each_entry(map, "pathItems", pointer, |value, at| {
        walk_path_item(value, at, visitor)
    });
}

/// Visits a Path Item object: its parameters and operations.
pub fn walk_path_item(item: &mut Value, pointer: &str, visitor: &mut impl Visitor) {
    visitor.enter_object(ObjectKind::PathItem, item, pointer);
    if let Some(map) = item.as_object_mut() {
        each_element(map, "parameters", pointer, |value, at| {
            walk_parameter(value, at, ObjectKind::Parameter, visitor)
        });
        for method in METHODS {
            if let Some(operation) = map.get_mut(method) {
                walk_operation(operation, &pointer_join(pointer, method), visitor);
            }
        }
    }
    visitor.leave_object(ObjectKind::PathItem, item, pointer);
}

fn walk_operation(operation: &mut Value, pointer: &str, visitor: &mut impl Visitor) {
    visitor.enter_object(ObjectKind::Operation, operation, pointer);
    if let Some(map) = operation.as_object_mut() {
        each_element(map, "parameters", pointer, |value, at| {
            walk_parameter(value, at, ObjectKind::Parameter, visitor)
        });
        if let Some(body) = map.get_mut("requestBody") {
            walk_request_body(body, &pointer_join(pointer, "requestBody"), visitor);
        }
        if let Some(Value::Object(responses)) = map.get_mut("responses") {
            let base = pointer_join(pointer, "responses");
            for (status, response) in responses.iter_mut() {
                if !status.starts_with("x-") {
                    walk_response(response, &pointer_join(&base, status), visitor);
                }
            }
        }
        each_entry(map, "callbacks", pointer, |value, at| {
            walk_callback(value, at, visitor)
        });
    }
    visitor.leave_object(ObjectKind::Operation, operation, pointer);
}

fn walk_callback(callback: &mut Value, pointer: &str, visitor: &mut impl Visitor) {
    visitor.enter_object(ObjectKind::Callback, callback, pointer);
    if let Some(map) = callback.as_object_mut() {
        for (expression, item) in map.iter_mut() {
            if expression != "$ref" && !expression.starts_with("x-") {
                walk_path_item(item, &pointer_join(pointer, expression), visitor);
            }
        }
    }
    visitor.leave_object(ObjectKind::Callback, callback, pointer);
}

/// A Parameter or Header object: `schema`, or `content` media types, and `examples`.
fn walk_parameter(
    parameter: &mut Value,
    pointer: &str,
    kind: ObjectKind,
    visitor: &mut impl Visitor,
) {
    visitor.enter_object(kind, parameter, pointer);
    if let Some(map) = parameter.as_object_mut() {
        if let Some(schema) = map.get_mut("schema") {
            walk_schema(schema, &pointer_join(pointer, "schema"), visitor);
        }
        each_entry(map, "content", pointer, |value, at| {
            walk_media_type(value, at, visitor)
        });
        each_entry(map, "examples", pointer, |value, at| {
            leaf_object(value, at, ObjectKind::Example, visitor)
        });
    }
    visitor.leave_object(kind, parameter, pointer);
}

fn walk_request_body(body: &mut Value, pointer: &str, visitor: &mut impl Visitor) {
    visitor.enter_object(ObjectKind::RequestBody, body, pointer);
    if let Some(map) = body.as_object_mut() {
        each_entry(map, "content", pointer, |value, at| {
            walk_media_type(value, at, visitor)
        });
    }
    visitor.leave_object(ObjectKind::RequestBody, body, pointer);
}

fn walk_response(response: &mut Value, pointer: &str, visitor: &mut impl Visitor) {
    visitor.enter_object(ObjectKind::Response, response, pointer);
    if let Some(map) = response.as_object_mut() {
        each_entry(map, "headers", pointer, |value, at| {
            walk_parameter(value, at, ObjectKind::Header, visitor)
        });
        each_entry(map, "content", pointer, |value, at| {
            walk_media_type(value, at, visitor)
        });
        each_entry(map, "links", pointer, |value, at| {
            leaf_object(value, at, ObjectKind::Link, visitor)
        });
    }
    visitor.leave_object(ObjectKind::Response, response, pointer);
}

fn walk_media_type(media: &mut Value, pointer: &str, visitor: &mut impl Visitor) {
    visitor.enter_object(ObjectKind::MediaType, media, pointer);
    if let Some(map) = media.as_object_mut() {
        if let Some(schema) = map.get_mut("schema") {
            walk_schema(schema, &pointer_join(pointer, "schema"), visitor);
        }
        each_entry(map, "examples", pointer, |value, at| {
            leaf_object(value, at, ObjectKind::Example, visitor)
        });
        each_entry(map, "encoding", pointer, |value, at| {
            visitor.enter_object(ObjectKind::Encoding, value, at);
            if let Some(encoding) = value.as_object_mut() {
                each_entry(encoding, "headers", at, |header, at| {
                    walk_parameter(header, at, ObjectKind::Header, visitor)
                });
            }
            visitor.leave_object(ObjectKind::Encoding, value, at);
        });
    }
    visitor.leave_object(ObjectKind::MediaType, media, pointer);
}

fn leaf_object(value: &mut Value, pointer: &str, kind: ObjectKind, visitor: &mut impl Visitor) {
    visitor.enter_object(kind, value, pointer);
    visitor.leave_object(kind, value, pointer);
}

/// Visits one schema and, recursively, all its subschemas (`properties`, `items`, `allOf`, …,
/// and the JSON Schema 2020-12 keywords of 3.1 such as `prefixItems` and `$defs`).
pub fn walk_schema(schema: &mut Value, pointer: &str, visitor: &mut impl Visitor) {
    visitor.enter_schema(schema, pointer);
    if let Some(map) = schema.as_object_mut() {
        walk_keywords(map, pointer, visitor);
        // The 2020-12 keywords a 3.1 conversion kept are schemas like the others.
        if let Some(Value::Object(kept)) = map.get_mut(KEPT_2020_12) {
            let at = pointer_join(pointer, KEPT_2020_12);
            walk_keywords(kept, &at, visitor);
            // The items after a kept `prefixItems`.
            if let Some(items @ Value::Object(_)) = kept.get_mut("items") {
                walk_schema(items, &pointer_join(&at, "items"), visitor);
            }
        }
        // `items` is one schema, or (draft 4 tuple form, invalid in OpenAPI) an array of them.
        match map.get_mut("items") {
            Some(Value::Array(_)) => each_element(map, "items", pointer, |value, at| {
                walk_schema(value, at, visitor)
            }),
            Some(value) => walk_schema(value, &pointer_join(pointer, "items"), visitor),
            None => {}
        }
    }
    visitor.leave_schema(schema, pointer);
}

/// The subschemas under map-, single- and object-valued keywords, in a schema or in its kept
/// 2020-12 keywords ([`KEPT_2020_12`]).
fn walk_keywords(map: &mut Map<String, Value>, pointer: &str, visitor: &mut impl Visitor) {
    for keyword in SCHEMA_MAPS {
        each_entry(map, keyword, pointer, |value, at| {
            walk_schema(value, at, visitor)
        });
    }
    for keyword in SCHEMA_ARRAYS {
        each_element(map, keyword, pointer, |value, at| {
            walk_schema(value, at, visitor)
        });
    }
    for keyword in SCHEMA_SINGLES {
        if let Some(value) = map.get_mut(keyword) {
            walk_schema(value, &pointer_join(pointer, keyword), visitor);
        }
    }
    for keyword in SCHEMA_OBJECT_ONLY {
        if let Some(value @ Value::Object(_)) = map.get_mut(keyword) {
            walk_schema(value, &pointer_join(pointer, keyword), visitor);
        }
    }
}

/// Calls `f` for each entry of the map at `map[key]`, with the entry's pointer.
fn each_entry(
    map: &mut Map<String, Value>,
    key: &str,
    pointer: &str,
    mut f: impl FnMut(&mut Value, &str),
) {
    if let Some(Value::Object(entries)) = map.get_mut(key) {
        let base = pointer_join(pointer, key);
        for (name, value) in entries.iter_mut() {
            f(value, &pointer_join(&base, name));
        }
    }
}

/// Calls `f` for each element of the array at `map[key]`, with the element's pointer.
fn each_element(
    map: &mut Map<String, Value>,
    key: &str,
    pointer: &str,
    mut f: impl FnMut(&mut Value, &str),
) {
    if let Some(Value::Array(elements)) = map.get_mut(key) {
        let base = pointer_join(pointer, key);
        for (index, value) in elements.iter_mut().enumerate() {
            f(value, &format!("{base}/{index}"));
        }
    }
}

/// Visits every schema of a 3.x document with one closure, before its subschemas.
pub fn for_each_schema(doc: &mut Value, f: impl FnMut(&mut Value, &str)) {
    struct Pre<F>(F);
    impl<F: FnMut(&mut Value, &str)> Visitor for Pre<F> {
        fn enter_schema(&mut self, schema: &mut Value, pointer: &str) {
            (self.0)(schema, pointer);
        }
    }
    walk_document(doc, &mut Pre(f));
}

/// Visits every subschema of one schema tree with one closure, before its own subschemas.
pub fn for_each_subschema(schema: &mut Value, pointer: &str, f: impl FnMut(&mut Value, &str)) {
    struct Pre<F>(F);
    impl<F: FnMut(&mut Value, &str)> Visitor for Pre<F> {
        fn enter_schema(&mut self, schema: &mut Value, pointer: &str) {
            (self.0)(schema, pointer);
        }
    }
    walk_schema(schema, pointer, &mut Pre(f));
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[derive(Default)]
    struct Recorder {
        schemas: Vec<String>,
        objects: Vec<(ObjectKind, String)>,
    }

    impl Visitor for Recorder {
        fn enter_schema(&mut self, _schema: &mut Value, pointer: &str) {
            self.schemas.push(pointer.to_owned());
        }
        fn enter_object(&mut self, kind: ObjectKind, _value: &mut Value, pointer: &str) {
            self.objects.push((kind, pointer.to_owned()));
        }
    }

    #[test]
    fn visits_every_schema_position() {
        let mut doc = json!({
            "openapi": "3.0.3",
            "paths": {
                "/pets/{id}": {
                    "parameters": [{"name": "id", "in": "path", "schema": {"type": "string"}}],
                    "get": {
                        "requestBody": {"content": {"application/json": {"schema": {
                            "type": "object",
                            "properties": {"a": {"type": "array", "items": {"type": "string"}}},
                            "additionalProperties": {"type": "integer"}
                        }}}},
                        "responses": {
                            "200": {
                                "description": "ok",
                                "headers": {"X-Rate": {"schema": {"type": "integer"}}},
                                "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/Pet"}], "not": true}}}
                            },
                            "x-extra": {"content": {"a/b": {"schema": {}}}}
                        },
                        "callbacks": {"onEvent": {"{$request.body#/url}": {"post": {"responses": {}}}}}
                    }
                },
                "x-ignored": {"get": {}}
            },
            "components": {
                "schemas": {"Pet": {"type": "object", "additionalProperties": false}},
                "parameters": {"Q": {"name": "q", "in": "query", "content": {"text/plain": {"schema": {"type": "string"}}}}}
            }
        });
        let mut recorder = Recorder::default();
        walk_document(&mut doc, &mut recorder);
        assert_eq!(
            recorder.schemas,
            [
                "/paths/~1pets~1{id}/parameters/0/schema",
                "/paths/~1pets~1{id}/get/requestBody/content/application~1json/schema",
                "/paths/~1pets~1{id}/get/requestBody/content/application~1json/schema/properties/a",
                "/paths/~1pets~1{id}/get/requestBody/content/application~1json/schema/properties/a/items",
                "/paths/~1pets~1{id}/get/requestBody/content/application~1json/schema/additionalProperties",
                "/paths/~1pets~1{id}/get/responses/200/headers/X-Rate/schema",
                "/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema",
                "/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema/allOf/0",
                "/paths/~1pets~1{id}/get/responses/200/content/application~1json/schema/not",
                "/components/schemas/Pet",
                "/components/parameters/Q/content/text~1plain/schema",
            ]
        );
        assert!(recorder.objects.contains(&(
            ObjectKind::PathItem,
            "/paths/~1pets~1{id}/get/callbacks/onEvent/{$request.body#~1url}".into()
        )));
        assert!(!recorder.objects.iter().any(|(_, p)| p.contains("x-")));
    }

    #[test]
    fn tolerates_any_shape() {
        for mut doc in [
            json!(null),
            json!([1]),
            json!({"paths": 3, "components": {"schemas": [1]}}),
            json!({"paths": {"/a": {"get": 1, "parameters": {}}}}),
        ] {
            walk_document(&mut doc, &mut Recorder::default());
        }
    }

    /// The walk and bundling describe the same document: every object the walk reports sits,
    /// by the table in `openapi.rs`, where an object of that kind belongs.
    #[test]
    fn the_walk_agrees_with_the_table_of_object_kinds() {
        use crate::load::openapi::At;
        let operation = json!({
            "parameters": [{"name": "q", "in": "query", "schema": {},
                            "examples": {"one": {"value": 1}},
                            "content": {"application/json": {"schema": {}}}}],
            "requestBody": {"content": {"multipart/form-data": {
                "schema": {}, "encoding": {"file": {"headers": {"X-A": {"schema": {}}}}}
            }}},
            "responses": {"200": {"description": "ok",
                "headers": {"X-Rate": {"schema": {}}},
                "links": {"next": {"operationId": "list"}},
                "content": {"application/json": {"schema": {}, "examples": {"e": {}}}}}},
            "callbacks": {"done": {"{$request.body#/url}": {"post": {"responses": {}}}}}
        });
        let mut doc = json!({
            "openapi": "3.1.0",
            "paths": {"/pets": {"parameters": [{"name": "a", "in": "header"}],
                                "get": operation.clone(), "trace": operation}},
            "webhooks": {"new": {"post": {"responses": {}}}},
            "components": {
                "schemas": {"Pet": {}},
                "responses": {"R": {"description": "r"}},
                "parameters": {"P": {"name": "p", "in": "query"}},
                "examples": {"E": {}},
                "requestBodies": {"B": {"content": {}}},
                "headers": {"H": {}},
                "securitySchemes": {"S": {"type": "http", "scheme": "basic"}},
                "links": {"L": {}},
                "callbacks": {"C": {"{$url}": {"get": {"responses": {}}}}},
                "pathItems": {"I": {"get": {"responses": {}}}}
            }
        });
        let snapshot = doc.clone();
        let mut recorder = Recorder::default();
        walk_document(&mut doc, &mut recorder);
        let mut kinds = std::collections::HashSet::new();
        for (kind, pointer) in &recorder.objects {
            let mut at = At::One(ObjectKind::Root);
            let mut node = &snapshot;
            for token in pointer.split('/').skip(1) {
                let token = crate::error::pointer_unescape(token);
                node = match node {
                    Value::Array(items) => &items[token.parse::<usize>().unwrap()],
                    other => &other[token.as_str()],
                };
                at = at.child(&token, node);
            }
            assert_eq!(at, At::One(*kind), "{pointer}");
            kinds.insert(*kind);
        }
        // Every kind the walk can report was seen.
        assert_eq!(kinds.len(), 12, "{kinds:?}");
    }
}
