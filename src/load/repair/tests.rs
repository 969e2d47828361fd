use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;

fn repair(mut doc: Value) -> (Value, Vec<Diagnostic>) {
    let mut warnings = Vec::new();
    repair_openapi30(&mut doc, "api.yaml", &mut warnings);
    (doc, warnings)
}

fn typed(doc: &Value) -> openapiv3::OpenAPI {
    serde_json::from_value(doc.clone())
        .unwrap_or_else(|err| panic!("does not load: {err}\n{doc:#}"))
}

fn base(paths: Value) -> Value {
    json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths})
}

/// Repairs a document whose only content is `components.schemas.S = schema`, returns S.
fn schema(schema: Value) -> (Value, Vec<Diagnostic>) {
    let mut doc = base(json!({}));
    doc["components"] = json!({"schemas": {"S": schema}});
    let (out, warnings) = repair(doc);
    typed(&out);
    (out["components"]["schemas"]["S"].clone(), warnings)
}

fn pointers(warnings: &[Diagnostic]) -> Vec<&str> {
    warnings
        .iter()
        .map(|w| w.location.pointer.as_str())
        .collect()
}

#[test]
fn a_valid_document_is_untouched() {
    let doc = base(json!({"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}));
    let (out, warnings) = repair(doc.clone());
    assert_eq!(out, doc);
    assert!(warnings.is_empty(), "{warnings:#?}");
}

#[test]
fn root_and_info() {
    let (out, warnings) = repair(json!({"openapi": 3.0, "info": {"version": 2}}));
    assert_eq!(
        out,
        json!({"openapi": "3.0", "info": {"version": "2", "title": "API"}, "paths": {}})
    );
    assert_eq!(
        pointers(&warnings),
        ["/openapi", "/info", "/info/version", "/paths"]
    );
    typed(&out);
    let (out, _) = repair(json!({"openapi": "3.0.0", "paths": {}}));
    assert_eq!(out["info"], json!({"title": "API", "version": "0.0.0"}));
}

#[test]
fn paths_not_starting_with_a_slash_only_warn() {
    let (out, warnings) = repair(base(json!({"pets": {}})));
    assert!(out["paths"].get("pets").is_some());
    assert_eq!(pointers(&warnings), ["/paths/pets"]);
}

#[test]
fn responses() {
    let (out, warnings) = repair(base(json!({"/a": {
        "get": {"responses": {"200": {"content": {"application/json": {}}}, "404": "Not found", "2OO": {"description": "typo"}}},
        "post": {}
    }})));
    assert_eq!(
        out["paths"]["/a"]["get"]["responses"]["200"]["description"],
        ""
    );
    assert_eq!(
        out["paths"]["/a"]["get"]["responses"]["404"],
        json!({"description": "Not found"})
    );
    assert_eq!(out["paths"]["/a"]["post"]["responses"], json!({}));
    assert_eq!(
        pointers(&warnings),
        [
            "/paths/~1a/get/responses/2OO",
            "/paths/~1a/get/responses/200",
            "/paths/~1a/get/responses/404",
            "/paths/~1a/post"
        ]
    );
    typed(&out);
}

#[test]
fn parameters() {
    let (out, warnings) = repair(base(json!({"/a/{id}": {"get": {
        "parameters": [
            {"name": "id", "in": "path", "type": "integer"},
            {"name": "q", "in": "Query", "required": "true", "style": "simple", "examples": ["x"]},
            {"name": "b", "in": "body", "schema": {}},
            {"name": "h", "in": "header", "schema": {"type": "string"}, "content": {"text/plain": {}}, "style": "Simple"},
            {"name": "e", "in": "query", "schema": {}, "examples": {"one": 1, "two": {"value": 2}}}
        ],
        "responses": {}
    }}})));
    assert_eq!(
        out["paths"]["/a/{id}"]["get"]["parameters"],
        json!([
            {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}},
            {"name": "q", "in": "query", "required": true, "schema": {"type": "string"}, "example": "x"},
            {"name": "h", "in": "header", "schema": {"type": "string"}, "style": "simple"},
            {"name": "e", "in": "query", "schema": {}, "examples": {"one": {"value": 1}, "two": {"value": 2}}}
        ])
    );
    assert!(pointers(&warnings).contains(&"/paths/~1a~1{id}/get/parameters/2/in"));
    assert!(pointers(&warnings).contains(&"/paths/~1a~1{id}/get/parameters/1/style"));
    typed(&out);
}

#[test]
fn schema_required_flags_move_to_the_parent() {
    let (out, warnings) = schema(json!({
        "type": "object",
        "properties": {"a": {"type": "string", "required": true}, "b": {"type": "string", "required": false}, "c": {"type": "string"}},
        "required": ["c"]
    }));
    assert_eq!(
        out,
        json!({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"}}, "required": ["c", "a"]})
    );
    assert_eq!(
        pointers(&warnings),
        [
            "/components/schemas/S/properties/a/required",
            "/components/schemas/S/properties/b/required"
        ]
    );
    assert_eq!(
        schema(json!({"type": "string", "required": true})).0,
        json!({"type": "string"})
    );
}

#[test]
fn enums_take_the_schema_type() {
    assert_eq!(
        schema(json!({"type": "string", "enum": ["a", 1, true, null]})).0,
        json!({"type": "string", "enum": ["a", "1", "true", null]})
    );
    assert_eq!(
        schema(json!({"type": "integer", "enum": ["1", 2.0, 3]})).0,
        json!({"type": "integer", "enum": [1, 2, 3]})
    );
    assert_eq!(
        schema(json!({"type": "number", "enum": ["1.5", 2]})).0,
        json!({"type": "number", "enum": [1.5, 2]})
    );
    assert_eq!(
        schema(json!({"type": "boolean", "enum": ["true", false]})).0,
        json!({"type": "boolean", "enum": [true, false]})
    );
    let typed_schema: openapiv3::Schema =
        serde_json::from_value(schema(json!({"type": "string", "enum": ["a", 1]})).0).unwrap();
    assert!(matches!(
        typed_schema.schema_kind,
        openapiv3::SchemaKind::Type(openapiv3::Type::String(_))
    ));
}

#[test]
fn keywords_of_other_types_are_dropped() {
    let (out, warnings) =
        schema(json!({"type": "string", "minimum": 1, "maxLength": 2, "uniqueItems": true}));
    assert_eq!(out, json!({"type": "string", "maxLength": 2}));
    assert_eq!(
        pointers(&warnings),
        [
            "/components/schemas/S/minimum",
            "/components/schemas/S/uniqueItems"
        ]
    );
    assert_eq!(
        schema(json!({"type": "object", "format": "uri-map", "maxLength": 1, "items": {}})).0,
        json!({"type": "object", "items": {}})
    );
    assert_eq!(
        schema(json!({"type": "array", "required": ["a"], "maximum": 3, "items": {}})).0,
        json!({"type": "array", "items": {}})
    );
    assert_eq!(
        schema(json!({"minimum": 1, "maxLength": 2})).0,
        json!({"minimum": 1, "maxLength": 2})
    );
}

#[test]
fn schema_shapes_and_numbers() {
    assert_eq!(
        schema(
            json!({"type": ["string", "null"], "minLength": "1", "maxLength": 3.0, "pattern": 5})
        )
        .0,
        json!({"type": "string", "minLength": 1, "maxLength": 3, "pattern": "5", "nullable": true})
    );
    assert_eq!(
        schema(
            json!({"type": "integer", "minimum": 0.0, "maximum": "10", "exclusiveMinimum": "true"})
        )
        .0,
        json!({"type": "integer", "minimum": 0, "maximum": 10, "exclusiveMinimum": true})
    );
    assert_eq!(
        schema(json!({"type": "number", "exclusiveMaximum": 5})).0,
        json!({"type": "number", "exclusiveMaximum": true, "maximum": 5})
    );
    assert_eq!(
        schema(json!({"type": "array", "items": [{"type": "string"}, {"type": "string"}]})).0,
        json!({"type": "array", "items": {"type": "string"}})
    );
    assert_eq!(
        schema(json!({"type": "array", "items": [{"type": "string"}, {"type": "integer"}]})).0,
        json!({"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}})
    );
    assert_eq!(
        schema(json!({"allOf": {"type": "string"}})).0,
        json!({"allOf": [{"type": "string"}]})
    );
    assert_eq!(
        schema(json!({"type": "file"})).0,
        json!({"type": "string", "format": "binary"})
    );
    assert_eq!(
        schema(json!({"type": "String", "x-nullable": true})).0,
        json!({"type": "string", "x-nullable": true, "nullable": true})
    );
    assert_eq!(
        schema(json!({"type": "object", "discriminator": "kind"})).0,
        json!({"type": "object", "discriminator": {"propertyName": "kind"}})
    );
    assert_eq!(
        schema(json!({"type": "object", "properties": {"a": true, "b": "string"}})).0,
        json!({"type": "object", "properties": {"a": {}, "b": {}}})
    );
    assert_eq!(
        schema(json!({"minLength": -1, "externalDocs": {"description": "x"}})).0,
        json!({})
    );
}

#[test]
fn security_schemes() {
    let mut doc =
        base(json!({"/a": {"get": {"security": [{"broken": [], "key": []}], "responses": {}}}}));
    doc["security"] = json!([{"broken": []}, {"oauth": "read"}]);
    doc["components"] = json!({"securitySchemes": {
        "key": {"type": "apikey", "in": "Header", "name": "X-Key"},
        "basic": {"type": "basic"},
        "bearer": {"type": "http", "bearerFormat": "JWT"},
        "broken": {"type": "magic"},
        "oauth": {"type": "oauth2", "flows": {
            "implicit": {"authorizationUrl": "https://a"},
            "password": {"scopes": {}},
            "clientCredentials": {"tokenUrl": "https://t", "scopes": ["read", "write"]}
        }}
    }});
    let (out, warnings) = repair(doc);
    assert_eq!(
        out["components"]["securitySchemes"],
        json!({
            "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
            "basic": {"type": "http", "scheme": "basic"},
            "bearer": {"type": "http", "bearerFormat": "JWT", "scheme": "bearer"},
            "oauth": {"type": "oauth2", "flows": {
                "implicit": {"authorizationUrl": "https://a", "scopes": {}},
                "clientCredentials": {"tokenUrl": "https://t", "scopes": {"read": "", "write": ""}}
            }}
        })
    );
    assert_eq!(out["security"], json!([{}, {"oauth": []}]));
    assert_eq!(out["paths"]["/a"]["get"]["security"], json!([{"key": []}]));
    assert!(pointers(&warnings).contains(&"/components/securitySchemes/broken"));
    typed(&out);
}

#[test]
fn callbacks_links_and_servers() {
    let mut doc = base(json!({"/a": {"post": {
        "callbacks": {"ok": {"$ref": "#/components/callbacks/Hook"}, "gone": {"$ref": "#/nowhere"}},
        "responses": {"200": {"description": "", "links": {"none": {"parameters": {}}, "both": {"operationId": "a", "operationRef": "#/b"}}}}
    }}}));
    doc["servers"] = json!([{"url": "https://{env}.x", "variables": {"env": {"enum": ["prod", 2]}}}, {"description": "no url"}]);
    doc["components"] = json!({"callbacks": {"Hook": {"{$request.body#/url}": {"post": {"responses": {"200": {"description": ""}}}}}}});
    let (out, _) = repair(doc);
    let operation = &out["paths"]["/a"]["post"];
    assert_eq!(
        operation["callbacks"],
        json!({"ok": {"{$request.body#/url}": {"post": {"responses": {"200": {"description": ""}}}}}})
    );
    assert_eq!(
        operation["responses"]["200"]["links"],
        json!({"both": {"operationId": "a"}})
    );
    assert_eq!(
        out["servers"],
        json!([{"url": "https://{env}.x", "variables": {"env": {"enum": ["prod", "2"], "default": "prod"}}}])
    );
    typed(&out);
}

#[test]
fn recursive_callbacks_end() {
    let mut doc = base(
        json!({"/a": {"post": {"callbacks": {"c": {"$ref": "#/components/callbacks/C"}}, "responses": {}}}}),
    );
    doc["components"] = json!({"callbacks": {"C": {"{$url}": {"post": {
        "callbacks": {"again": {"$ref": "#/components/callbacks/C"}}, "responses": {}
    }}}}});
    let (out, warnings) = repair(doc);
    assert_eq!(
        out["paths"]["/a"]["post"]["callbacks"],
        json!({"c": {"{$url}": {"post": {"callbacks": {}, "responses": {}}}}})
    );
    assert!(!warnings.is_empty());
    typed(&out);
}

#[test]
fn never_panics_on_odd_shapes() {
    // Repairable: the result loads.
    for doc in [
        json!({"paths": [], "info": "x"}),
        json!({"paths": {"/b": {"get": {"responses": {}}}}, "tags": [1, {"name": 2}], "security": [1, {"a": 1}]}),
        json!({"paths": {"/a": {"get": {"parameters": [{"$ref": 1}, {"in": "query"}], "responses": {"200": 1}}}}}),
        json!({"components": {"schemas": {"a": 1, "b": {"properties": 1, "items": 1, "enum": 1, "required": 1, "discriminator": 1}}, "securitySchemes": {"a": {"type": "oauth2"}}}}),
    ] {
        typed(&repair(doc).0);
    }
    // Structural garbage is left for the typed load to report at its pointer.
    for doc in [
        json!(null),
        json!({"components": 1, "paths": {"/a": 1, "/b": {"get": 1, "parameters": {"a": 1}}}}),
        json!({"paths": {"/a": {"get": {"parameters": [1], "responses": 7}}}}),
    ] {
        let (out, _) = repair(doc.clone());
        if doc.is_object() {
            assert!(serde_json::from_value::<openapiv3::OpenAPI>(out).is_err());
        }
    }
}

/// Every spec in the shared corpus (when it is there) goes through its conversion and the
/// repairs and then loads into `openapiv3`.
#[test]
fn real_specs_load() {
    let Ok(entries) = std::fs::read_dir("/work/shared/specs") else {
        return;
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    paths.sort();
    let mut failures = Vec::new();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !(name.ends_with(".json") || name.ends_with(".yaml") || name.ends_with(".yml")) {
            continue;
        }
        if let Err(problem) = load_real_spec(&path) {
            failures.push(format!("{name}: {problem}"));
        }
    }
    assert!(
        failures.is_empty(),
        "specs that do not load:\n{}",
        failures.join("\n")
    );
}

fn load_real_spec(path: &std::path::Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|err| err.to_string())?;
    let doc = crate::load::source::parse(&text, "spec").map_err(|err| err.to_string())?;
    let version = |key: &str| {
        doc.get(key).map(|v| {
            v.as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| v.to_string())
        })
    };
    let file = path.display().to_string();
    let mut warnings = Vec::new();
    let mut converted = match (version("swagger"), version("openapi")) {
        (Some(v), _) if v.starts_with('2') => {
            super::super::swagger2::to_openapi30(doc, &file, &mut warnings)
                .map_err(|d| d.to_string())?
        }
        (_, Some(v)) if v.starts_with("3.1") => {
            super::super::oas31::to_openapi30(doc, &file, &mut warnings)
                .map_err(|d| d.to_string())?
        }
        (_, Some(v)) if v.starts_with("3.0") => doc,
        other => return Err(format!("unknown version {other:?}")),
    };
    repair_openapi30(&mut converted, &file, &mut warnings);
    let loaded = std::panic::catch_unwind(|| {
        serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&converted)
    });
    match loaded {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(err)) => Err(format!("at {}: {}", err.path(), err.inner())),
        Err(_) => Err("openapiv3 panicked".into()),
    }
}
