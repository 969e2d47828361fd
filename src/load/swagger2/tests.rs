use pretty_assertions::assert_eq;
use serde_json::json;

use super::converter::MULTIPART;
use super::*;

fn convert(doc: Value) -> (Value, Vec<Diagnostic>) {
    let mut warnings = Vec::new();
    let out = to_openapi30(doc, "api.yaml", &mut warnings).expect("converts");
    (out, warnings)
}

fn typed(doc: &Value) -> openapiv3::OpenAPI {
    serde_json::from_value(doc.clone())
        .unwrap_or_else(|err| panic!("does not load: {err}\n{doc:#}"))
}

fn doc(extra: Value) -> Value {
    let mut doc = json!({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}});
    if let (Some(doc), Value::Object(extra)) = (doc.as_object_mut(), extra) {
        doc.extend(extra);
    }
    doc
}

/// Converts one operation `GET /a` (or whatever `paths` holds) and returns it.
fn operation(op: Value, extra: Value) -> (Value, Vec<Diagnostic>) {
    let mut input = doc(extra);
    input["paths"] = json!({"/a": {"post": op}});
    let (out, warnings) = convert(input);
    typed(&out);
    (out["paths"]["/a"]["post"].clone(), warnings)
}

#[test]
fn root_fields_and_servers() {
    let (out, warnings) = convert(doc(json!({
        "host": "api.example.com", "basePath": "/v1/", "schemes": ["http", "https"],
        "tags": [{"name": "pets"}], "externalDocs": {"url": "https://docs"}, "security": [{"key": []}],
        "x-logo": {"url": "l"}
    })));
    assert_eq!(
        out,
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "servers": [{"url": "http://api.example.com/v1"}, {"url": "https://api.example.com/v1"}],
            "paths": {},
            "tags": [{"name": "pets"}], "externalDocs": {"url": "https://docs"}, "security": [{"key": []}],
            "x-logo": {"url": "l"}
        })
    );
    assert!(warnings.is_empty());
    typed(&out);
}

#[test]
fn server_variants() {
    let servers = |extra: Value| convert(doc(extra)).0.get("servers").cloned();
    assert_eq!(
        servers(json!({"host": "h.io"})),
        Some(json!([{"url": "https://h.io"}]))
    );
    assert_eq!(
        servers(json!({"host": "h.io", "basePath": "/"})),
        Some(json!([{"url": "https://h.io"}]))
    );
    assert_eq!(
        servers(json!({"basePath": "/api"})),
        Some(json!([{"url": "/api"}]))
    );
    assert_eq!(
        servers(json!({"basePath": "/"})),
        Some(json!([{"url": "/"}]))
    );
    assert_eq!(servers(json!({})), None);
}

#[test]
fn query_path_and_header_parameters() {
    let (op, warnings) = operation(
        json!({"parameters": [
            {"name": "ids", "in": "query", "type": "array", "items": {"type": "integer", "format": "int64"}, "maxItems": 3, "x-ext": 1},
            {"name": "tags", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "multi", "allowEmptyValue": true},
            {"name": "s", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "ssv"},
            {"name": "p", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "pipes"},
            {"name": "t", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "tsv"},
            {"name": "id", "in": "path", "required": true, "type": "array", "items": {"type": "string"}},
            {"name": "X-Ids", "in": "header", "type": "array", "items": {"type": "string", "collectionFormat": "pipes"}, "collectionFormat": "multi"},
            {"name": "n", "in": "query", "type": "number", "minimum": 0, "exclusiveMinimum": true, "enum": [1, 2], "default": 1, "description": "d"}
        ], "responses": {"200": {"description": "ok"}}}),
        json!({}),
    );
    assert_eq!(
        op["parameters"],
        json!([
            {"name": "ids", "in": "query", "x-ext": 1, "style": "form", "explode": false, "schema": {"type": "array", "items": {"type": "integer", "format": "int64"}, "maxItems": 3}},
            {"name": "tags", "in": "query", "allowEmptyValue": true, "style": "form", "explode": true, "schema": {"type": "array", "items": {"type": "string"}}},
            {"name": "s", "in": "query", "style": "spaceDelimited", "explode": false, "schema": {"type": "array", "items": {"type": "string"}}},
            {"name": "p", "in": "query", "style": "pipeDelimited", "explode": false, "schema": {"type": "array", "items": {"type": "string"}}},
            {"name": "t", "in": "query", "style": "form", "explode": false, "schema": {"type": "array", "items": {"type": "string"}}},
            {"name": "id", "in": "path", "required": true, "style": "simple", "schema": {"type": "array", "items": {"type": "string"}}},
            {"name": "X-Ids", "in": "header", "style": "simple", "schema": {"type": "array", "items": {"type": "string"}}},
            {"name": "n", "in": "query", "description": "d", "schema": {"type": "number", "enum": [1, 2], "default": 1, "minimum": 0, "exclusiveMinimum": true}}
        ])
    );
    let at: Vec<&str> = warnings
        .iter()
        .map(|w| w.location.pointer.as_str())
        .collect();
    assert_eq!(
        at,
        [
            "/paths/~1a/post/parameters/4/collectionFormat",
            "/paths/~1a/post/parameters/6/items/collectionFormat",
            "/paths/~1a/post/parameters/6/collectionFormat"
        ]
    );
}

#[test]
fn parameter_sloppiness_is_reported_at_the_input() {
    let (op, warnings) = operation(
        json!({"parameters": [{"name": "pet", "in": "body", "schema": {}}, {"name": "id", "in": "path", "type": "string", "required": "yes"}], "responses": {}}),
        json!({}),
    );
    assert_eq!(
        op["parameters"][0],
        json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}})
    );
    let at: Vec<&str> = warnings
        .iter()
        .map(|w| w.location.pointer.as_str())
        .collect();
    assert_eq!(
        at,
        [
            "/paths/~1a/post/parameters/1/required",
            "/paths/~1a/post/parameters/1"
        ]
    );
}

#[test]
fn file_outside_form_data_warns() {
    let (op, warnings) = operation(
        json!({"parameters": [{"name": "f", "in": "query", "type": "file"}], "responses": {}}),
        json!({}),
    );
    assert_eq!(
        op["parameters"][0]["schema"],
        json!({"type": "string", "format": "binary"})
    );
    assert_eq!(
        warnings[0].location.pointer,
        "/paths/~1a/post/parameters/0/type"
    );
}

#[test]
fn body_parameter() {
    let (op, _) = operation(
        json!({"consumes": ["application/json", "application/xml"], "parameters": [
            {"name": "pet", "in": "body", "required": true, "description": "the pet", "schema": {"$ref": "#/definitions/Pet"}}
        ], "responses": {"200": {"description": "ok"}}}),
        json!({"definitions": {"Pet": {"type": "object"}}}),
    );
    assert_eq!(
        op["requestBody"],
        json!({
            "description": "the pet",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}},
                "application/xml": {"schema": {"$ref": "#/components/schemas/Pet"}}
            },
            "required": true
        })
    );
    assert!(op.get("parameters").is_none());
}

#[test]
fn path_level_body_applies_to_operations_without_their_own() {
    let (out, _) = convert(doc(json!({"paths": {"/a": {
        "parameters": [{"name": "b", "in": "body", "schema": {"type": "string"}}, {"name": "q", "in": "query", "type": "string"}],
        "put": {"responses": {}},
        "post": {"parameters": [{"name": "own", "in": "body", "schema": {"type": "integer"}}], "responses": {}}
    }}})));
    let item = &out["paths"]["/a"];
    assert_eq!(
        item["parameters"],
        json!([{"name": "q", "in": "query", "schema": {"type": "string"}}])
    );
    assert_eq!(
        item["put"]["requestBody"]["content"]["application/json"]["schema"],
        json!({"type": "string"})
    );
    assert_eq!(
        item["post"]["requestBody"]["content"]["application/json"]["schema"],
        json!({"type": "integer"})
    );
    typed(&out);
}

#[test]
fn own_form_fields_win_over_a_path_level_body() {
    let (out, _) = convert(doc(json!({"paths": {"/a": {
        "parameters": [{"name": "b", "in": "body", "schema": {"type": "string"}}, {"name": "shared", "in": "formData", "type": "string"}],
        "post": {"parameters": [{"name": "own", "in": "formData", "type": "integer", "x-example": 3}], "responses": {}}
    }}})));
    assert_eq!(
        out["paths"]["/a"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
            ["properties"],
        json!({"shared": {"type": "string"}, "own": {"type": "integer"}})
    );
    let (op, _) = operation(
        json!({"parameters": [{"name": "q", "in": "query", "type": "string", "x-example": "abc"}], "responses": {}}),
        json!({}),
    );
    assert_eq!(
        op["parameters"][0],
        json!({"name": "q", "in": "query", "x-example": "abc", "schema": {"type": "string"}, "example": "abc"})
    );
}

#[test]
fn form_data() {
    let (op, _) = operation(
        json!({"parameters": [
            {"name": "name", "in": "formData", "type": "string", "required": true, "description": "n"},
            {"name": "tags", "in": "formData", "type": "array", "items": {"type": "string"}, "collectionFormat": "multi"},
            {"$ref": "#/parameters/Shared"}
        ], "responses": {}}),
        json!({"parameters": {"Shared": {"name": "shared", "in": "formData", "type": "integer"}}}),
    );
    assert_eq!(
        op["requestBody"],
        json!({
            "content": {"application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": {
                    "name": {"type": "string", "description": "n"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "shared": {"type": "integer"}
                }, "required": ["name"]},
                "encoding": {"tags": {"style": "form", "explode": true}}
            }},
            "required": true
        })
    );
    let (op, _) = operation(
        json!({"parameters": [{"name": "f", "in": "formData", "type": "file"}, {"name": "n", "in": "formData", "type": "string"}], "responses": {}}),
        json!({"consumes": ["application/x-www-form-urlencoded"]}),
    );
    assert_eq!(
        op["requestBody"],
        json!({"content": {"multipart/form-data": {"schema": {"type": "object", "properties": {
            "f": {"type": "string", "format": "binary"}, "n": {"type": "string"}
        }}}}})
    );
    let (op, _) = operation(
        json!({"consumes": ["multipart/form-data"], "parameters": [{"name": "n", "in": "formData", "type": "string"}], "responses": {}}),
        json!({}),
    );
    assert_eq!(
        op["requestBody"]["content"]
            .as_object()
            .map(|c| c.keys().cloned().collect::<Vec<_>>()),
        Some(vec![MULTIPART.to_owned()])
    );
}

#[test]
fn component_parameters() {
    let (out, _) = convert(doc(json!({
        "consumes": ["application/json"],
        "parameters": {
            "Body": {"name": "b", "in": "body", "required": true, "schema": {"$ref": "#/definitions/Pet"}},
            "Limit": {"name": "limit", "in": "query", "type": "integer"},
            "Field": {"name": "f", "in": "formData", "type": "string"}
        },
        "definitions": {"Pet": {"type": "object"}},
        "paths": {"/a": {
            "post": {"parameters": [{"$ref": "#/parameters/Body"}, {"$ref": "#/parameters/Limit"}], "responses": {}},
            "put": {"consumes": ["text/plain"], "parameters": [{"$ref": "#/parameters/Body"}], "responses": {}}
        }}
    })));
    assert_eq!(
        out["paths"]["/a"]["post"]["parameters"],
        json!([{"$ref": "#/components/parameters/Limit"}])
    );
    assert_eq!(
        out["paths"]["/a"]["post"]["requestBody"],
        json!({"$ref": "#/components/requestBodies/Body"})
    );
    assert_eq!(
        out["paths"]["/a"]["put"]["requestBody"]["content"],
        json!({"text/plain": {"schema": {"$ref": "#/components/schemas/Pet"}}})
    );
    assert_eq!(
        out["components"]["requestBodies"],
        json!({"Body": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}, "required": true}})
    );
    assert_eq!(
        out["components"]["parameters"],
        json!({"Limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}}})
    );
    typed(&out);
}

#[test]
fn responses() {
    let (op, warnings) = operation(
        json!({"produces": ["application/json", "text/csv"], "responses": {
            "200": {"description": "ok", "schema": {"type": "array", "items": {"$ref": "#/definitions/Pet"}},
                    "headers": {"X-Rate": {"type": "integer", "format": "int32", "description": "left"}},
                    "examples": {"application/json": [{"id": 1}], "text/plain": "x"}},
            "204": {},
            "404": {"$ref": "#/responses/NotFound"},
            "x-ext": 1
        }}),
        json!({"responses": {"NotFound": {"description": "missing"}}}),
    );
    assert_eq!(
        op["responses"],
        json!({
            "200": {
                "description": "ok",
                "headers": {"X-Rate": {"description": "left", "schema": {"type": "integer", "format": "int32"}}},
                "content": {
                    "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}, "example": [{"id": 1}]},
                    "text/csv": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}}
                }
            },
            "204": {"description": ""},
            "404": {"$ref": "#/components/responses/NotFound"},
            "x-ext": 1
        })
    );
    assert_eq!(
        warnings[0].location.pointer,
        "/paths/~1a/post/responses/204"
    );
}

#[test]
fn security_definitions() {
    let (out, _) = convert(doc(json!({"securityDefinitions": {
        "basic": {"type": "basic", "description": "b"},
        "key": {"type": "apiKey", "name": "X-Key", "in": "header"},
        "implicit": {"type": "oauth2", "flow": "implicit", "authorizationUrl": "https://a", "scopes": {"read": "r"}},
        "password": {"type": "oauth2", "flow": "password", "tokenUrl": "https://t"},
        "app": {"type": "oauth2", "flow": "application", "tokenUrl": "https://t", "scopes": {}},
        "code": {"type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": {}, "x-ext": 1}
    }})));
    assert_eq!(
        out["components"]["securitySchemes"],
        json!({
            "basic": {"type": "http", "scheme": "basic", "description": "b"},
            "key": {"type": "apiKey", "name": "X-Key", "in": "header"},
            "implicit": {"type": "oauth2", "flows": {"implicit": {"authorizationUrl": "https://a", "scopes": {"read": "r"}}}},
            "password": {"type": "oauth2", "flows": {"password": {"tokenUrl": "https://t", "scopes": {}}}},
            "app": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://t", "scopes": {}}}},
            "code": {"type": "oauth2", "flows": {"authorizationCode": {"authorizationUrl": "https://a", "tokenUrl": "https://t", "scopes": {}}}, "x-ext": 1}
        })
    );
    typed(&out);
}

#[test]
fn schemas() {
    let (out, _) = convert(doc(json!({"definitions": {
        "Pet": {
            "type": "object",
            "discriminator": "kind",
            "properties": {
                "kind": {"type": "string", "readOnly": true},
                "owner": {"$ref": "#/definitions/Owner", "x-nullable": true},
                "photo": {"type": "file"},
                "tags": {"type": "array", "items": {"type": "string", "x-nullable": true}},
                "extra": {"additionalProperties": {"$ref": "#/definitions/Owner"}}
            }
        },
        "Owner": {"allOf": [{"$ref": "#/definitions/Pet"}]}
    }})));
    assert_eq!(
        out["components"]["schemas"],
        json!({
            "Pet": {
                "type": "object",
                "discriminator": {"propertyName": "kind"},
                "properties": {
                    "kind": {"type": "string", "readOnly": true},
                    "owner": {"$ref": "#/components/schemas/Owner", "nullable": true},
                    "photo": {"type": "string", "format": "binary"},
                    "tags": {"type": "array", "items": {"type": "string", "nullable": true}},
                    "extra": {"additionalProperties": {"$ref": "#/components/schemas/Owner"}}
                }
            },
            "Owner": {"allOf": [{"$ref": "#/components/schemas/Pet"}]}
        })
    );
    typed(&out);
}

#[test]
fn operation_schemes_become_operation_servers() {
    let (op, _) = operation(
        json!({"schemes": ["wss"], "responses": {}}),
        json!({"host": "h.io", "schemes": ["https"]}),
    );
    assert_eq!(op["servers"], json!([{"url": "wss://h.io"}]));
}

#[test]
fn never_panics_on_odd_shapes() {
    let mut warnings = Vec::new();
    assert!(to_openapi30(json!("x"), "api.yaml", &mut warnings).is_err());
    for input in [
        json!({"paths": 1}),
        json!({"paths": {"/a": 1, "/b": {"get": 1, "parameters": 1}}}),
        json!({"paths": {"/a": {"get": {"parameters": [1, {"$ref": 2}, {"in": "nowhere"}, {"$ref": "#/parameters/Missing"}], "responses": 1}}}}),
        json!({"parameters": {"A": 1}, "securityDefinitions": {"a": 1, "b": {"type": "oauth2"}}, "definitions": {"A": 1}, "responses": {"R": 1}}),
    ] {
        to_openapi30(input, "api.yaml", &mut warnings).expect("converts");
    }
}

#[test]
fn end_to_end_petstore() {
    let (out, _) = convert(json!({
        "swagger": "2.0",
        "info": {"title": "Petstore", "version": "1.0.0"},
        "host": "petstore.swagger.io", "basePath": "/api", "schemes": ["https"],
        "consumes": ["application/json"], "produces": ["application/json"],
        "paths": {
            "/pets": {
                "get": {"operationId": "findPets", "parameters": [
                    {"name": "tags", "in": "query", "type": "array", "items": {"type": "string"}, "collectionFormat": "csv"},
                    {"name": "limit", "in": "query", "type": "integer", "format": "int32"}
                ], "responses": {"200": {"description": "pets", "schema": {"type": "array", "items": {"$ref": "#/definitions/Pet"}}}, "default": {"description": "error", "schema": {"$ref": "#/definitions/Error"}}}},
                "post": {"operationId": "addPet", "parameters": [{"name": "pet", "in": "body", "required": true, "schema": {"$ref": "#/definitions/NewPet"}}],
                         "responses": {"200": {"description": "pet", "schema": {"$ref": "#/definitions/Pet"}}}}
            },
            "/pets/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": true, "type": "integer", "format": "int64"}],
                "delete": {"operationId": "deletePet", "responses": {"204": {"description": "deleted"}}}
            }
        },
        "definitions": {
            "Pet": {"allOf": [{"$ref": "#/definitions/NewPet"}, {"required": ["id"], "properties": {"id": {"type": "integer", "format": "int64"}}}]},
            "NewPet": {"required": ["name"], "properties": {"name": {"type": "string"}, "tag": {"type": "string"}}},
            "Error": {"required": ["code", "message"], "properties": {"code": {"type": "integer", "format": "int32"}, "message": {"type": "string"}}}
        }
    }));
    let doc = typed(&out);
    assert_eq!(doc.operations().count(), 3);
    assert_eq!(doc.servers[0].url, "https://petstore.swagger.io/api");
}
