use serde_json::json;

use super::*;
use crate::load::source;

/// Writes `files` (path relative to `dir`, contents) into `dir`.
fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Bundles `main` (relative to `dir`), naming it `main` in messages.
fn run(dir: &Path, main: &str) -> Result<(Value, Vec<Diagnostic>), Diagnostic> {
    let path = dir.join(main);
    let text = std::fs::read_to_string(&path).unwrap();
    let doc = source::parse(&text, main).unwrap();
    let mut warnings = Vec::new();
    let doc = bundle(doc, &path, main, &mut warnings)?;
    // What the pipeline checks next; only references to 3.1 `$id`s are left to resolve.
    crate::load::refs::check_local(&doc, main)?;
    let ids = collect_ids(&doc).into_keys().collect();
    assert!(!has_external_ref(&doc, &ids), "{doc:#}");
    Ok((doc, warnings))
}

fn bundled(files: &[(&str, &str)]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), files);
    let (doc, warnings) = run(dir.path(), files[0].0).unwrap_or_else(|d| panic!("{d}"));
    assert!(warnings.is_empty(), "{warnings:#?}");
    // The whole pipeline takes it too.
    crate::load::load(&dir.path().join(files[0].0)).unwrap_or_else(|e| panic!("{e}"));
    doc
}

fn error(files: &[(&str, &str)]) -> Diagnostic {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), files);
    match run(dir.path(), files[0].0) {
        Err(diagnostic) => diagnostic,
        Ok((doc, _)) => panic!("expected an error, got {doc:#}"),
    }
}

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

fn spec(body: &str) -> String {
    format!("{HEAD}{body}")
}

/// `GET /pets` answering 200 with `schema`.
fn get_pets(schema: &str) -> String {
    spec(&format!(
        "paths:\n  /pets:\n    get:\n      operationId: listPets\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {schema}\n"
    ))
}

const SCHEMA: &str = "/paths/~1pets/get/responses/200/content/application~1json/schema";

#[test]
fn schema_by_whole_file() {
    let doc = bundled(&[
        ("openapi.yaml", &get_pets("{$ref: './schemas/Pet.yaml'}")),
        (
            "schemas/Pet.yaml",
            "type: object\nproperties:\n  name: {type: string}\n",
        ),
    ]);
    assert_eq!(
        doc.pointer(SCHEMA).unwrap(),
        &json!({"$ref": "#/components/schemas/Pet"})
    );
    assert_eq!(
        doc["components"]["schemas"]["Pet"],
        json!({"type": "object", "properties": {"name": {"type": "string"}}})
    );
}

#[test]
fn schema_by_fragment_and_local_refs_inside_the_file() {
    let doc = bundled(&[
        (
            "openapi.yaml",
            &get_pets("{$ref: 'common.yaml#/components/schemas/Error'}"),
        ),
        (
            "common.yaml",
            "components:\n  schemas:\n    Error:\n      type: object\n      properties:\n        code: {$ref: '#/components/schemas/Code'}\n    Code: {type: integer}\n    Unused: {type: string}\n",
        ),
    ]);
    assert_eq!(
        doc.pointer(SCHEMA).unwrap(),
        &json!({"$ref": "#/components/schemas/Error"})
    );
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["Error"]["properties"]["code"],
        json!({"$ref": "#/components/schemas/Code"})
    );
    assert_eq!(schemas["Code"], json!({"type": "integer"}));
    assert!(schemas.get("Unused").is_none(), "only what is referenced");
}

#[test]
fn nested_relative_paths() {
    let doc = bundled(&[
        (
            "api/openapi.yaml",
            &spec(
                "paths:\n  /pets:\n    get:\n      parameters:\n        - $ref: '../shared/params.json#/Limit'\n      responses:\n        '200': {description: ok}\n",
            ),
        ),
        (
            "shared/params.json",
            r#"{"Limit": {"name": "limit", "in": "query", "schema": {"$ref": "./types/count.yaml"}}}"#,
        ),
        ("shared/types/count.yaml", "type: integer\nminimum: 0\n"),
    ]);
    assert_eq!(
        doc["paths"]["/pets"]["get"]["parameters"][0],
        json!({"$ref": "#/components/parameters/Limit"})
    );
    assert_eq!(
        doc["components"]["parameters"]["Limit"]["schema"],
        json!({"$ref": "#/components/schemas/count"})
    );
    assert_eq!(
        doc["components"]["schemas"]["count"],
        json!({"type": "integer", "minimum": 0})
    );
}

#[test]
fn cycles_across_files_end() {
    let doc = bundled(&[
        ("openapi.yaml", &get_pets("{$ref: './A.yaml'}")),
        (
            "A.yaml",
            "type: object\nproperties:\n  b: {$ref: './B.yaml'}\n",
        ),
        (
            "B.yaml",
            "type: object\nproperties:\n  a: {$ref: './A.yaml'}\n  node: {$ref: 'sub/Node.yaml'}\n",
        ),
        (
            "sub/Node.yaml",
            "type: object\nproperties:\n  children: {type: array, items: {$ref: './Node.yaml'}}\n  again: {$ref: '#'}\n",
        ),
    ]);
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["A"]["properties"]["b"],
        json!({"$ref": "#/components/schemas/B"})
    );
    assert_eq!(
        schemas["B"]["properties"]["a"],
        json!({"$ref": "#/components/schemas/A"})
    );
    let node = &schemas["Node"]["properties"];
    assert_eq!(
        node["children"]["items"],
        json!({"$ref": "#/components/schemas/Node"})
    );
    assert_eq!(node["again"], json!({"$ref": "#/components/schemas/Node"}));
    assert_eq!(schemas.as_object().unwrap().len(), 3);
}

#[test]
fn path_item_file_with_a_parameter_ref() {
    let doc = bundled(&[
        (
            "openapi.yaml",
            &spec(
                "paths:\n  /pets:\n    $ref: './paths/pets.yaml'\n  /cats:\n    $ref: './paths/pets.yaml'\n    summary: Cats\n",
            ),
        ),
        (
            "paths/pets.yaml",
            "summary: Pets\nget:\n  operationId: listPets\n  parameters:\n    - $ref: '../parameters/limit.yaml'\n  responses:\n    '200': {description: ok}\n",
        ),
        (
            "parameters/limit.yaml",
            "name: limit\nin: query\nschema: {type: integer}\n",
        ),
    ]);
    let item = &doc["paths"]["/pets"];
    assert!(item.get("$ref").is_none(), "path items are copied in place");
    assert_eq!(item["summary"], "Pets");
    assert_eq!(
        item["get"]["parameters"][0],
        json!({"$ref": "#/components/parameters/limit"})
    );
    assert_eq!(doc["paths"]["/cats"]["summary"], "Cats", "siblings win");
    assert_eq!(
        doc["components"]["parameters"]["limit"],
        json!({"name": "limit", "in": "query", "schema": {"type": "integer"}})
    );
    assert_eq!(
        doc["components"]["parameters"].as_object().unwrap().len(),
        1
    );
}

#[test]
fn responses_request_bodies_and_headers() {
    let doc = bundled(&[
        (
            "openapi.yaml",
            &spec(
                "paths:\n  /pets:\n    post:\n      requestBody: {$ref: './bodies.yaml#/NewPet'}\n      responses:\n        '201':\n          description: ok\n          headers:\n            X-Rate: {$ref: './headers.yaml'}\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  responses: {$ref: './responses.yaml#/Wrapped'}\n        default: {$ref: './responses.yaml#/Error'}\n",
            ),
        ),
        (
            "bodies.yaml",
            "NewPet:\n  content:\n    application/json:\n      schema: {type: object}\n",
        ),
        ("headers.yaml", "schema: {type: integer}\n"),
        (
            "responses.yaml",
            "Error:\n  description: failed\nWrapped: {type: string}\n",
        ),
    ]);
    let op = &doc["paths"]["/pets"]["post"];
    assert_eq!(
        op["requestBody"],
        json!({"$ref": "#/components/requestBodies/NewPet"})
    );
    assert_eq!(
        op["responses"]["default"],
        json!({"$ref": "#/components/responses/Error"})
    );
    assert_eq!(
        op["responses"]["201"]["headers"]["X-Rate"],
        json!({"$ref": "#/components/headers/headers"})
    );
    // A property named `responses` is a schema, not a response.
    assert_eq!(
        op.pointer("/responses/201/content/application~1json/schema/properties/responses")
            .unwrap(),
        &json!({"$ref": "#/components/schemas/Wrapped"})
    );
    let components = &doc["components"];
    assert_eq!(components["responses"]["Error"]["description"], "failed");
    assert_eq!(components["schemas"]["Wrapped"], json!({"type": "string"}));
    assert!(components["requestBodies"]["NewPet"]["content"].is_object());
    assert_eq!(
        components["headers"]["headers"]["schema"]["type"],
        "integer"
    );
}

#[test]
fn swagger2_sections() {
    let doc = bundled(&[
        (
            "swagger.yaml",
            "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    post:\n      parameters:\n        - $ref: 'params.yaml#/Limit'\n        - {name: body, in: body, schema: {$ref: 'Pet.yaml'}}\n      responses:\n        '200':\n          description: ok\n          schema: {$ref: 'Pet.yaml'}\n          headers:\n            X-Rate: {$ref: 'rate.yaml'}\n        default: {$ref: 'responses.yaml#/Error'}\n",
        ),
        (
            "params.yaml",
            "Limit: {name: limit, in: query, type: integer}\n",
        ),
        (
            "Pet.yaml",
            "type: object\nproperties:\n  name: {type: string}\n",
        ),
        ("rate.yaml", "type: integer\n"),
        (
            "responses.yaml",
            "Error:\n  description: failed\n  schema: {$ref: '#/Problem'}\nProblem: {type: object}\n",
        ),
    ]);
    let op = &doc["paths"]["/pets"]["post"];
    assert_eq!(op["parameters"][0], json!({"$ref": "#/parameters/Limit"}));
    assert_eq!(
        op["parameters"][1]["schema"],
        json!({"$ref": "#/definitions/Pet"})
    );
    assert_eq!(
        op["responses"]["200"]["headers"]["X-Rate"],
        json!({"type": "integer"}),
        "2.0 has no shared headers: copied in place"
    );
    assert_eq!(
        op["responses"]["default"],
        json!({"$ref": "#/responses/Error"})
    );
    assert_eq!(doc["parameters"]["Limit"]["name"], "limit");
    assert_eq!(
        doc["responses"]["Error"]["schema"],
        json!({"$ref": "#/definitions/Problem"})
    );
    assert_eq!(doc["definitions"]["Pet"]["type"], "object");
    assert!(doc.get("components").is_none());
}

#[test]
fn openapi31_keeps_id_refs() {
    let doc = bundled(&[
        (
            "openapi.yaml",
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'Pet.yaml'}\ncomponents:\n  schemas:\n    Tag: {$id: 'https://example.com/tag', type: string}\n",
        ),
        (
            "Pet.yaml",
            "type: object\nproperties:\n  tag: {$ref: 'https://example.com/tag'}\n  nick: {type: [string, 'null']}\n  kind: {$ref: '#/$defs/Kind'}\n$defs:\n  Kind: {const: dog}\n",
        ),
    ]);
    let pet = &doc["components"]["schemas"]["Pet"];
    assert_eq!(
        pet["properties"]["tag"],
        json!({"$ref": "https://example.com/tag"})
    );
    assert_eq!(
        pet["properties"]["kind"],
        json!({"$ref": "#/components/schemas/Kind"})
    );
    assert_eq!(
        doc["components"]["schemas"]["Kind"],
        json!({"const": "dog"})
    );
}

#[test]
fn names_do_not_collide() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "openapi.yaml",
                &spec(
                    "paths:\n  /pets:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                oneOf:\n                  - $ref: './a/Error.yaml'\n                  - $ref: './b/Error.yaml'\n                  - $ref: './a/Error.yaml'\n                  - $ref: './Pet.yaml'\ncomponents:\n  schemas:\n    Pet: {type: string}\n",
                ),
            ),
            ("a/Error.yaml", "type: object\n"),
            ("b/Error.yaml", "type: array\n"),
            ("Pet.yaml", "type: integer\n"),
        ],
    );
    let (doc, warnings) = run(dir.path(), "openapi.yaml").unwrap();
    assert_eq!(
        doc.pointer(&format!("{SCHEMA}/oneOf")).unwrap(),
        &json!([
            {"$ref": "#/components/schemas/Error"},
            {"$ref": "#/components/schemas/Error_2"},
            {"$ref": "#/components/schemas/Error"},
            {"$ref": "#/components/schemas/Pet_2"},
        ])
    );
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["Pet"], json!({"type": "string"}));
    assert_eq!(schemas["Pet_2"], json!({"type": "integer"}));
    assert_eq!(schemas["Error_2"], json!({"type": "array"}));
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    assert!(warnings[0].message.contains("Error_2"), "{}", warnings[0]);
    assert_eq!(
        warnings[0].location.pointer,
        format!("{SCHEMA}/oneOf/1/$ref")
    );
}

#[test]
fn component_entries_keep_their_names() {
    let doc = bundled(&[
        (
            "openapi.yaml",
            &spec(
                "paths:\n  /pets:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: './schemas/pet.yaml'}\ncomponents:\n  schemas:\n    Animal: {type: object}\n    ThePet: {$ref: './schemas/pet.yaml'}\n",
            ),
        ),
        (
            "schemas/pet.yaml",
            "type: object\nproperties:\n  self: {$ref: './pet.yaml'}\n  error: {$ref: '../openapi.yaml#/components/schemas/Animal'}\n",
        ),
    ]);
    assert_eq!(
        doc.pointer(SCHEMA).unwrap(),
        &json!({"$ref": "#/components/schemas/ThePet"})
    );
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    assert_eq!(
        schemas.keys().collect::<Vec<_>>(),
        ["Animal", "ThePet"],
        "in place, nothing added"
    );
    assert_eq!(
        schemas["ThePet"]["properties"],
        json!({
            "self": {"$ref": "#/components/schemas/ThePet"},
            "error": {"$ref": "#/components/schemas/Animal"},
        })
    );
}

#[test]
fn discriminator_mappings_to_files() {
    let doc = bundled(&[
        (
            "openapi.yaml",
            &get_pets(
                "{oneOf: [{$ref: './Cat.yaml'}], discriminator: {propertyName: kind, mapping: {cat: './Cat.yaml', other: Cat}}}",
            ),
        ),
        (
            "Cat.yaml",
            "type: object\nproperties:\n  kind: {type: string}\n",
        ),
    ]);
    assert_eq!(
        doc.pointer(&format!("{SCHEMA}/discriminator/mapping"))
            .unwrap(),
        &json!({"cat": "#/components/schemas/Cat", "other": "Cat"})
    );
}

#[test]
fn missing_files_and_fragments_are_located() {
    let d = error(&[("openapi.yaml", &get_pets("{$ref: './schemas/Nope.yaml'}"))]);
    assert_eq!(d.location.file, "openapi.yaml");
    assert_eq!(d.location.pointer, format!("{SCHEMA}/$ref"));
    assert!(d.message.contains("schemas/Nope.yaml"), "{d}");

    let d = error(&[
        ("openapi.yaml", &get_pets("{$ref: './schemas/Pet.yaml'}")),
        (
            "schemas/Pet.yaml",
            "type: object\nproperties:\n  tag: {$ref: 'common.yaml#/Tag'}\n",
        ),
        ("schemas/common.yaml", "Other: {type: string}\n"),
    ]);
    assert_eq!(d.location.file, "schemas/Pet.yaml");
    assert_eq!(d.location.pointer, "/properties/tag/$ref");
    assert!(d.message.contains("points at nothing"), "{d}");
    assert!(d.message.contains("schemas/common.yaml"), "{d}");

    let d = error(&[
        ("openapi.yaml", &get_pets("{$ref: './bad.yaml'}")),
        ("bad.yaml", "a: [1\nb: 2\n"),
    ]);
    assert_eq!(d.location.file, "bad.yaml");
    assert!(d.location.line_col.is_some(), "{d}");

    let d = error(&[
        ("openapi.yaml", &get_pets("{$ref: './schemas'}")),
        ("schemas/Pet.yaml", "type: object\n"),
    ]);
    assert!(d.message.contains("not a regular file"), "{d}");
}

#[test]
fn remote_references_are_not_fetched() {
    for reference in [
        "https://example.com/schemas/pet.yaml",
        "http://example.com/x.json#/Pet",
        "ftp://example.com/pet.yaml",
    ] {
        let d = error(&[(
            "openapi.yaml",
            &get_pets(&format!("{{$ref: '{reference}'}}")),
        )]);
        assert!(
            d.message
                .contains("remote references are not fetched; download the file next to the spec"),
            "{d}"
        );
        assert_eq!(d.location.pointer, format!("{SCHEMA}/$ref"));
    }
}

#[test]
fn copied_in_place_cycles_are_errors() {
    let d = error(&[
        ("openapi.yaml", &spec("paths:\n  /a: {$ref: './a.yaml'}\n")),
        (
            "a.yaml",
            "get:\n  responses:\n    '200': {description: ok}\n  callbacks:\n    onEvent:\n      '{$request.body#/url}': {$ref: './a.yaml'}\n",
        ),
    ]);
    assert!(d.message.contains("leads back to itself"), "{d}");
    assert_eq!(d.location.file, "a.yaml");
}

#[test]
fn documents_without_file_refs_are_untouched() {
    let text = spec(
        "paths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: '#/components/responses/Ok'}\ncomponents:\n  responses:\n    Ok: {description: ok}\n",
    );
    let doc = source::parse(&text, "api.yaml").unwrap();
    let mut warnings = Vec::new();
    let out = bundle(
        doc.clone(),
        Path::new("/nonexistent/api.yaml"),
        "api.yaml",
        &mut warnings,
    )
    .unwrap();
    assert_eq!(out, doc);
    assert!(crate::load::load_str(&text, "api.yaml").is_ok());
}

#[test]
fn references_inside_extensions_are_not_followed() {
    // Spotify's published spec: `components.x-spotify-policy.$ref` names a file it does not
    // ship; a `$ref` in a schema beside it still bundles.
    let doc = bundled(&[
        (
            "openapi.yaml",
            &format!(
                "{}components:\n  x-policy: {{$ref: '../policies.yaml', Other: {{$ref: './missing.yaml'}}}}\n",
                get_pets("{$ref: './Pet.yaml'}")
            ),
        ),
        (
            "Pet.yaml",
            "type: object\nproperties:\n  x-name: {$ref: './Name.yaml'}\n",
        ),
        ("Name.yaml", "type: string\n"),
    ]);
    assert_eq!(
        doc["components"]["x-policy"]["$ref"],
        json!("../policies.yaml")
    );
    assert_eq!(
        doc["components"]["schemas"]["Pet"]["properties"]["x-name"],
        json!({"$ref": "#/components/schemas/Name"})
    );
}

#[test]
fn multi_file_fixture() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/multi-file/openapi.yaml");
    let spec = crate::load::load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(spec.warnings.is_empty(), "{:#?}", spec.warnings);
    // `load_str` resolves against its `file`, relative to the current directory (the crate's
    // folder under `cargo test`).
    let text = std::fs::read_to_string(&path).unwrap();
    let same = crate::load::load_str(&text, "tests/fixtures/multi-file/openapi.yaml")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(same.raw, spec.raw);
    // The typed model of the bundled document (the loader keeps only its head).
    let doc: openapiv3::OpenAPI = serde_json::from_value(spec.raw.clone()).unwrap();
    let mut operations = Vec::new();
    for (path, item) in &doc.paths.paths {
        let item = item.as_item().expect("path items are inlined");
        for (method, operation) in item.iter() {
            operations.push(format!(
                "{method} {path} {}",
                operation.operation_id.as_deref().unwrap_or("")
            ));
        }
    }
    assert_eq!(
        operations,
        [
            "get /pets listPets",
            "post /pets createPet",
            "get /pets/{petId} showPetById",
            "delete /pets/{petId} deletePet",
            "get /owners/{ownerId} getOwner",
        ]
    );
    let components = doc.components.as_ref().unwrap();
    fn names<T>(map: &indexmap::IndexMap<String, T>) -> Vec<&str> {
        map.keys().map(String::as_str).collect()
    }
    assert_eq!(
        names(&components.schemas),
        ["Pet", "Owner", "PetStatus", "Pets", "NewPet", "Error"]
    );
    assert_eq!(names(&components.parameters), ["limit", "offset", "petId"]);
    assert_eq!(names(&components.responses), ["Error", "NotFound"]);
    // The cycle: Pet → Owner → Pet.
    assert_eq!(
        spec.raw["components"]["schemas"]["Owner"]["properties"]["pets"]["items"],
        json!({"$ref": "#/components/schemas/Pet"})
    );
    assert_eq!(
        spec.raw["components"]["schemas"]["Pet"]["properties"]["owner"],
        json!({"$ref": "#/components/schemas/Owner"})
    );

    let api =
        crate::ir::build(&spec, &crate::ir::Options::default()).unwrap_or_else(|e| panic!("{e}"));
    let tools: Vec<&str> = api.tools.iter().map(|tool| tool.name.as_str()).collect();
    assert_eq!(
        tools,
        [
            "listPets",
            "createPet",
            "showPetById",
            "deletePet",
            "getOwner"
        ]
    );
    assert!(api.warnings.is_empty(), "{:#?}", api.warnings);
    assert!(api.skipped.is_empty(), "{:#?}", api.skipped);
    let list = &api.tools[0];
    let params: Vec<&str> = list.params.iter().map(|p| p.wire_name.as_str()).collect();
    assert_eq!(params, ["limit", "offset", "status"]);
}
