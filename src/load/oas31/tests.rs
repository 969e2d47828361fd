use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;
use crate::load::openapi::KEPT_2020_12;

fn convert(doc: Value) -> (Value, Vec<Diagnostic>) {
    let mut warnings = Vec::new();
    let out = to_openapi30(doc, "api.yaml", &mut warnings).expect("converts");
    (out, warnings)
}

/// Converts a document whose only content is `components.schemas.S = schema`, returns S.
fn schema(schema: Value) -> (Value, Vec<Diagnostic>) {
    let (out, warnings) = convert(json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "components": {"schemas": {"S": schema}}
    }));
    (out["components"]["schemas"]["S"].clone(), warnings)
}

fn typed(doc: &Value) -> openapiv3::OpenAPI {
    serde_json::from_value(doc.clone())
        .unwrap_or_else(|err| panic!("does not load: {err}\n{doc:#}"))
}

#[test]
fn root_fields() {
    let (out, warnings) = convert(json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {"title": "t", "version": "1", "summary": "short", "license": {"name": "MIT", "identifier": "MIT"}},
        "webhooks": {"a": {"post": {}}, "b": {"post": {}}}
    }));
    assert_eq!(
        out,
        json!({
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1", "description": "short",
                     "license": {"name": "MIT", "url": "https://spdx.org/licenses/MIT.html"}},
            "paths": {}
        })
    );
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].location.pointer, "/webhooks");
    assert!(
        warnings[0].message.contains("2 webhooks"),
        "{}",
        warnings[0]
    );
    typed(&out);
}

#[test]
fn info_summary_is_dropped_when_there_is_a_description() {
    let (out, _) = convert(
        json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1", "summary": "s", "description": "d"}, "paths": {}}),
    );
    assert_eq!(
        out["info"],
        json!({"title": "t", "version": "1", "description": "d"})
    );
}

#[test]
fn not_an_object_is_an_error() {
    let mut warnings = Vec::new();
    assert!(to_openapi30(json!([1]), "api.yaml", &mut warnings).is_err());
}

#[test]
fn type_lists() {
    assert_eq!(
        schema(json!({"type": ["string", "null"], "maxLength": 3})).0,
        json!({"type": "string", "maxLength": 3, "nullable": true})
    );
    assert_eq!(
        schema(json!({"type": ["null"]})).0,
        json!({"nullable": true, "enum": [null]})
    );
    assert_eq!(
        schema(json!({"type": "null", "description": "nothing"})).0,
        json!({"description": "nothing", "nullable": true, "enum": [null]})
    );
    assert_eq!(
        schema(json!({"type": ["string", "integer", "null"], "description": "d", "maxLength": 5, "minimum": 1, "format": "int64", "default": 1})).0,
        json!({
            "description": "d", "default": 1,
            "anyOf": [{"type": "string", "maxLength": 5}, {"type": "integer", "minimum": 1, "format": "int64"}],
            "nullable": true
        })
    );
    // The enum decides which types are really allowed.
    assert_eq!(
        schema(json!({"type": ["string", "integer"], "enum": ["a", 1, "b"]})).0,
        json!({"anyOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "integer", "enum": [1]}]})
    );
    assert_eq!(
        schema(json!({"type": ["string", "integer", "null"], "enum": ["a", "b"]})).0,
        json!({"type": "string", "enum": ["a", "b"]})
    );
    assert_eq!(
        schema(json!({"type": ["string", "null"], "enum": ["a", null]})).0,
        json!({"type": "string", "enum": ["a", null], "nullable": true})
    );
    // Object and array keywords go to their branches.
    assert_eq!(
        schema(json!({"type": ["object", "array"], "properties": {"a": {"type": "string"}}, "items": {"type": "integer"}})).0,
        json!({"anyOf": [{"type": "object", "properties": {"a": {"type": "string"}}}, {"type": "array", "items": {"type": "integer"}}]})
    );
}

#[test]
fn null_branches() {
    assert_eq!(
        schema(json!({"anyOf": [{"$ref": "#/components/schemas/S"}, {"type": "null"}], "description": "d"})).0,
        json!({"description": "d", "nullable": true, "allOf": [{"$ref": "#/components/schemas/S"}]})
    );
    assert_eq!(
        schema(json!({"oneOf": [{"type": "string", "format": "date"}, {"type": "null"}]})).0,
        json!({"nullable": true, "type": "string", "format": "date"})
    );
    assert_eq!(
        schema(json!({"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]})).0,
        json!({"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
    );
    assert_eq!(
        schema(json!({"anyOf": [{"type": "null"}]})).0,
        json!({"enum": [null], "nullable": true})
    );
}

#[test]
fn value_keywords() {
    assert_eq!(
        schema(json!({"const": "x"})).0,
        json!({"enum": ["x"], KEPT_2020_12: {"const": "x"}})
    );
    assert_eq!(
        schema(json!({"type": "string", "examples": ["a", "b"]})).0,
        json!({"type": "string", "example": "a"})
    );
    assert_eq!(
        schema(json!({"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10})).0,
        json!({"type": "integer", "exclusiveMinimum": true, "minimum": 0, "exclusiveMaximum": true, "maximum": 10})
    );
    // The stricter of `minimum` and `exclusiveMinimum` wins.
    assert_eq!(
        schema(json!({"type": "number", "minimum": 5, "exclusiveMinimum": 1})).0,
        json!({"type": "number", "minimum": 5})
    );
    assert_eq!(
        schema(json!({"type": "number", "minimum": 1, "exclusiveMinimum": 5})).0,
        json!({"type": "number", "minimum": 5, "exclusiveMinimum": true})
    );
    assert_eq!(
        schema(json!({"type": "string", "contentEncoding": "base64"})).0,
        json!({"type": "string", "format": "byte"})
    );
    assert_eq!(
        schema(json!({"type": "string", "contentMediaType": "image/png"})).0,
        json!({"type": "string", "format": "binary"})
    );
    assert_eq!(
        schema(json!({"type": "string", "contentMediaType": "application/json"})).0,
        json!({"type": "string"})
    );
    assert_eq!(
        schema(json!({"type": "string", "contentEncoding": "binary"})).0,
        json!({"type": "string", "format": "binary"})
    );
    assert_eq!(
        schema(json!({"type": ["string", "null"], "contentEncoding": "base64"})).0,
        json!({"type": "string", "format": "byte", "nullable": true})
    );
    let (out, warnings) = schema(json!({"type": "string", "contentEncoding": "quoted-printable"}));
    assert_eq!(out, json!({"type": "string"}));
    assert_eq!(
        warnings[0].location.pointer,
        "/components/schemas/S/contentEncoding"
    );
}

#[test]
fn ref_siblings() {
    assert_eq!(
        schema(json!({"$ref": "#/components/schemas/S", "description": "d", "readOnly": true})).0,
        json!({"allOf": [{"$ref": "#/components/schemas/S"}], "description": "d", "readOnly": true})
    );
    assert_eq!(
        schema(json!({"$ref": "#/components/schemas/S", "description": "d"})).0,
        json!({"allOf": [{"$ref": "#/components/schemas/S"}], "description": "d"})
    );
    assert_eq!(
        schema(json!({"$ref": "#/components/schemas/S", "summary": "s"})).0,
        json!({"$ref": "#/components/schemas/S"})
    );
    assert_eq!(
        schema(json!({"$ref": "#/components/schemas/S"})).0,
        json!({"$ref": "#/components/schemas/S"})
    );
}

#[test]
fn boolean_schemas() {
    assert_eq!(
        schema(json!({"type": "object", "properties": {"a": true, "b": false}, "additionalProperties": false})).0,
        json!({"type": "object", "properties": {"a": {}, "b": {"not": {}}}, "additionalProperties": false})
    );
    let (out, _) = convert(
        json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": "", "content": {"a/b": {"schema": true}}}}}}}}),
    );
    assert_eq!(
        out["paths"]["/a"]["get"]["responses"]["200"]["content"]["a/b"]["schema"],
        json!({})
    );
}

#[test]
fn unsupported_keywords_warn_once_per_kind() {
    let (out, warnings) = schema(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": "one",
        "type": "object",
        "properties": {"a": {"type": "string", "$comment": "two"}, "b": {"if": {}, "then": {}, "else": {}}},
        "patternProperties": {"^x": {"type": "string"}},
        "unevaluatedProperties": false,
        "dependentRequired": {"a": ["b"]},
    }));
    // The keywords that constrain values are kept (for the tools' 2020-12 schemas), the others
    // dropped with a warning.
    assert_eq!(
        out,
        json!({
            "type": "object",
            "properties": {
                "a": {"type": "string"},
                "b": {"x-mcpwright-2020-12": {"if": {}, "then": {}, "else": {}}}
            },
            "x-patternProperties": {"^x": {"type": "string"}},
            "x-mcpwright-2020-12": {"unevaluatedProperties": false, "dependentRequired": {"a": ["b"]}}
        })
    );
    let comment: Vec<_> = warnings
        .iter()
        .filter(|w| w.message.contains("`$comment`"))
        .collect();
    assert_eq!(comment.len(), 1);
    assert_eq!(
        comment[0].location.pointer,
        "/components/schemas/S/properties/a/$comment"
    );
    assert!(comment[0].message.contains("2 places"), "{}", comment[0]);
    for keyword in ["$schema", "patternProperties"] {
        assert!(
            warnings
                .iter()
                .any(|w| w.message.contains(&format!("`{keyword}`"))),
            "{keyword}: {warnings:#?}"
        );
    }
    for keyword in [
        "if",
        "then",
        "else",
        "unevaluatedProperties",
        "dependentRequired",
    ] {
        assert!(
            !warnings
                .iter()
                .any(|w| w.message.contains(&format!("`{keyword}`"))),
            "{keyword} is kept, not lost: {warnings:#?}"
        );
    }
}

/// The subschemas of kept keywords are converted like the others: type lists, `const`, and
/// references into hoisted `$defs`.
#[test]
fn kept_keywords_hold_converted_schemas() {
    let (out, _) = schema(json!({
        "type": "object",
        "$defs": {"Code": {"type": "string", "pattern": "^[A-Z]+$"}},
        "if": {"properties": {"kind": {"const": "code"}}},
        "then": {"properties": {"value": {"$ref": "#/$defs/Code"}}},
        "else": {"properties": {"value": {"type": ["integer", "null"]}}},
        "dependentSchemas": {"value": {"required": ["kind"]}}
    }));
    let kept = &out["x-mcpwright-2020-12"];
    assert_eq!(
        kept["if"]["properties"]["kind"],
        json!({"enum": ["code"], KEPT_2020_12: {"const": "code"}})
    );
    let code = kept["then"]["properties"]["value"]["$ref"]
        .as_str()
        .unwrap();
    assert!(code.starts_with("#/components/schemas/"), "{code}");
    assert_eq!(
        kept["else"]["properties"]["value"],
        json!({"type": "integer", "nullable": true})
    );
    assert_eq!(
        kept["dependentSchemas"]["value"],
        json!({"required": ["kind"]})
    );
}

#[test]
fn prefix_items() {
    // The 3.0 form is one `items`; the tuple itself is kept for tool inputs.
    let (out, warnings) =
        schema(json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "string"}]}));
    assert_eq!(out["items"], json!({"type": "string"}));
    assert_eq!(
        out[KEPT_2020_12],
        json!({"prefixItems": [{"type": "string"}, {"type": "string"}], "items": true})
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    let (out, _) =
        schema(json!({"type": "array", "prefixItems": [{"type": "string"}], "items": false}));
    assert_eq!(out["items"], json!({"type": "string"}));
    let (out, warnings) = schema(
        json!({"type": "array", "prefixItems": [{"type": "string"}, {"$ref": "#/$defs/n"}], "items": false, "$defs": {"n": {"type": "integer"}}}),
    );
    assert!(out.get("items").is_none(), "{out}");
    assert_eq!(
        out[KEPT_2020_12],
        json!({"prefixItems": [{"type": "string"}, {"$ref": "#/components/schemas/n"}], "items": {"not": {}}})
    );
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn defs_are_hoisted_and_refs_rewritten() {
    let (out, warnings) = convert(json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
        "components": {"schemas": {
            "Tag": {"type": "string"},
            "Pet": {
                "$id": "https://example.com/pet",
                "type": "object",
                "properties": {
                    "tag": {"$ref": "#/components/schemas/Pet/$defs/Tag"},
                    "owner": {"$ref": "#/$defs/Owner"}
                },
                "$defs": {
                    "Tag": {"type": "object", "properties": {"name": {"type": "string"}}},
                    "Owner": {"type": "object"},
                    "Unused": {"type": "object"}
                }
            }
        }}
    }));
    assert_eq!(
        out["components"]["schemas"],
        json!({
            "Tag": {"type": "string"},
            "Pet": {
                "type": "object",
                "properties": {
                    "tag": {"$ref": "#/components/schemas/Tag2"},
                    "owner": {"$ref": "#/components/schemas/Owner"}
                }
            },
            "Tag2": {"type": "object", "properties": {"name": {"type": "string"}}},
            "Owner": {"type": "object"}
        })
    );
    assert!(
        warnings.iter().any(|w| w.message.contains("`$defs`")
            && w.location.pointer == "/components/schemas/Pet/$defs"),
        "{warnings:#?}"
    );
    typed(&out);
}

#[test]
fn refs_by_id_and_anchor() {
    let (out, _) = convert(json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
        "components": {"schemas": {
            "Details": {"$id": "/schemas/details", "type": "object", "properties": {"id": {"$anchor": "detail_id", "type": "integer"}}},
            "Pet": {"type": "object", "properties": {
                "details": {"$ref": "/schemas/details"},
                "detailId": {"$ref": "/schemas/details#detail_id"},
                "sameId": {"$ref": "#detail_id"},
                "idProp": {"$ref": "/schemas/details#/properties/id"},
                "elsewhere": {"$ref": "https://example.com/other.json"}
            }}
        }}
    }));
    assert_eq!(
        out["components"]["schemas"]["Pet"]["properties"],
        json!({
            "details": {"$ref": "#/components/schemas/Details"},
            "detailId": {"$ref": "#/components/schemas/Details/properties/id"},
            "sameId": {"$ref": "#/components/schemas/Details/properties/id"},
            "idProp": {"$ref": "#/components/schemas/Details/properties/id"},
            "elsewhere": {"$ref": "https://example.com/other.json"}
        })
    );
}

#[test]
fn dynamic_refs_are_instantiated() {
    let (out, warnings) = convert(json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/planets": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
            "$id": "https://x/PaginatedPlanets",
            "$defs": {"itemType": {"$dynamicAnchor": "itemType", "$ref": "#/components/schemas/Planet"}},
            "$ref": "#/components/schemas/Page",
            "xml": {"name": "planets"}
        }}}}}}}},
        "components": {"schemas": {
            "Planet": {"type": "object"},
            "Page": {
                "$id": "https://x/Page",
                "$defs": {"itemType": {"$dynamicAnchor": "itemType", "not": {}}},
                "type": "object",
                "properties": {"data": {"type": "array", "items": {"$dynamicRef": "#itemType"}}}
            }
        }}
    }));
    assert_eq!(
        out["paths"]["/planets"]["get"]["responses"]["200"]["content"]["application/json"]["schema"],
        json!({"type": "object", "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Planet"}}}, "xml": {"name": "planets"}})
    );
    assert_eq!(
        out["components"]["schemas"]["Page"],
        json!({"type": "object", "properties": {"data": {"type": "array", "items": {"not": {}}}}})
    );
    assert!(
        !warnings
            .iter()
            .any(|w| w.message.contains("$dynamic") || w.message.contains("$defs")),
        "{warnings:#?}"
    );
    typed(&out);
}

#[test]
fn reference_siblings_and_path_items() {
    let (out, _) = convert(json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {"$ref": "#/components/pathItems/A", "summary": "here"},
            "/b": {"get": {
                "parameters": [{"$ref": "#/components/parameters/P", "description": "why"}],
                "responses": {"200": {"$ref": "#/components/responses/R", "summary": "s"}}
            }}
        },
        "components": {
            "pathItems": {"A": {"summary": "there", "get": {"responses": {"204": {"description": "none"}}}}},
            "parameters": {"P": {"name": "p", "in": "query", "schema": {"type": ["integer", "null"]}}},
            "responses": {"R": {"description": "ok"}}
        }
    }));
    assert_eq!(
        out["paths"]["/a"],
        json!({"summary": "here", "get": {"responses": {"204": {"description": "none"}}}})
    );
    assert_eq!(
        out["paths"]["/b"]["get"]["parameters"][0],
        json!({"$ref": "#/components/parameters/P"})
    );
    assert_eq!(
        out["paths"]["/b"]["get"]["responses"]["200"],
        json!({"$ref": "#/components/responses/R"})
    );
    assert_eq!(
        out["components"]["parameters"]["P"]["schema"],
        json!({"type": "integer", "nullable": true})
    );
    assert!(out["components"].get("pathItems").is_none());
    typed(&out);
}

#[test]
fn recursive_path_items_end() {
    let (out, warnings) = convert(json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"$ref": "#/components/pathItems/A"}},
        "components": {"pathItems": {"A": {"post": {"callbacks": {"c": {"{$url}": {"$ref": "#/components/pathItems/A"}}}, "responses": {}}}}}
    }));
    assert_eq!(
        out["paths"]["/a"],
        json!({"post": {"callbacks": {"c": {"{$url}": {}}}, "responses": {}}})
    );
    assert!(warnings[0].message.contains("circular"), "{warnings:#?}");
    typed(&out);
}

#[test]
fn mutual_tls_is_removed() {
    let (out, warnings) = convert(json!({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
        "security": [{"mtls": [], "key": []}],
        "components": {"securitySchemes": {
            "mtls": {"type": "mutualTLS"},
            "key": {"type": "apiKey", "in": "header", "name": "X-Key"}
        }}
    }));
    assert_eq!(out["security"], json!([{"key": []}]));
    assert_eq!(
        out["components"]["securitySchemes"],
        json!({"key": {"type": "apiKey", "in": "header", "name": "X-Key"}})
    );
    assert_eq!(
        warnings[0].location.pointer,
        "/components/securitySchemes/mtls"
    );
    typed(&out);
}

#[test]
fn end_to_end() {
    let (out, _) = convert(json!({
        "openapi": "3.1.0",
        "info": {"title": "Pets", "version": "1.0", "summary": "pets", "license": {"name": "MIT", "identifier": "MIT"}},
        "paths": {"/pets/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "exclusiveMinimum": 0}}],
            "get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "examples": ["Rex"]},
                    "tag": {"type": ["string", "null"]},
                    "kind": {"const": "dog"},
                    "owner": {"$ref": "#/components/schemas/Owner", "description": "who"},
                    "photo": {"type": "string", "contentMediaType": "image/png"},
                    "ids": {"type": "array", "items": {"type": ["integer", "string"]}},
                    "anything": true
                }
            }}}}}}
        }},
        "components": {"schemas": {"Owner": {"type": ["object", "null"], "properties": {"n": {"type": "string"}}}}}
    }));
    let doc = typed(&out);
    assert_eq!(doc.openapi, "3.0.3");
    assert_eq!(doc.operations().count(), 1);
}
