//! Lenient fixes for real-world OpenAPI 3.0 documents (and for the output of the 2.0 and 3.1
//! conversions) so that `openapiv3` reads documents that are sloppy but usable.
//!
//! Every fix is recorded as a warning at the place it was made. The fixes are the ones whose
//! intent is unambiguous (a version written as a number, `required: "true"`, a response without
//! a description); a structure whose meaning cannot be recovered is removed, with a warning saying
//! what was lost. For converted documents the pointers point into the converted 3.0 document.
//!
//! `openapiv3` is strict in ways that matter here: `Info.title`/`version` and `Response.description`
//! are required strings, a Parameter needs `schema` or `content` and a `style` valid for its
//! location, `Operation.responses` is required, operation callbacks cannot be `$ref`s, Example
//! objects must be objects, string/integer/number/boolean schemas only become typed schemas when
//! every `enum` entry has that type, and numbers such as `minLength` must be non-negative integers.

use serde_json::{Map, Number, Value, json};

use super::oas31::{boolean_schema, nullable_from_type_list, numeric_exclusive_bounds};
use super::schema_walk::{ObjectKind, Visitor, walk_document};
use super::swagger2::PARAMETER_SCHEMA_FIELDS;
use crate::error::{Diagnostic, Location, pointer_join};

/// Repairs `doc` in place; every change is pushed to `warnings`.
pub fn repair_openapi30(doc: &mut Value, file: &str, warnings: &mut Vec<Diagnostic>) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let callbacks = root
        .get("components")
        .and_then(|components| components.get("callbacks"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut repair = Repair {
        file,
        warnings,
        callbacks,
        removed_schemes: Vec::new(),
        inlined_callbacks: Vec::new(),
    };
    repair.root(root);
    walk_document(doc, &mut repair);
    repair.prune_document(doc);
    for name in std::mem::take(&mut repair.removed_schemes) {
        forget_security_scheme(doc, &name);
    }
}

/// Repairs one schema tree (the schema fixes of [`repair_openapi30`]), for a conversion that
/// wants the warnings to point into its input.
pub(crate) fn repair_schema(
    schema: &mut Value,
    pointer: &str,
    file: &str,
    warnings: &mut Vec<Diagnostic>,
) {
    let mut repair = Repair {
        file,
        warnings,
        callbacks: Map::new(),
        removed_schemes: Vec::new(),
        inlined_callbacks: Vec::new(),
    };
    super::schema_walk::walk_schema(schema, pointer, &mut repair);
}

/// Repairs one Parameter object (not its schema), for a conversion that wants the warnings to
/// point into its input.
pub(crate) fn repair_parameter(
    parameter: &mut Value,
    pointer: &str,
    file: &str,
    warnings: &mut Vec<Diagnostic>,
) {
    let mut repair = Repair {
        file,
        warnings,
        callbacks: Map::new(),
        removed_schemes: Vec::new(),
        inlined_callbacks: Vec::new(),
    };
    repair.parameter(parameter, pointer, false);
}

/// Validation keywords that only constrain values of another type than the schema's `type`, so
/// they never apply: `minimum` on a string, `uniqueItems` on an integer, `format` on an object.
/// (Subschema keywords such as `items` on an object are not listed: they may carry the author's
/// intent, and `openapiv3` reads them into an untyped schema.)
pub(crate) fn inapplicable_keywords(map: &Map<String, Value>) -> Vec<&'static str> {
    const GROUPS: [(&[&str], &[&str]); 4] = [
        (&["string"], &["pattern", "minLength", "maxLength"]),
        (
            &["number", "integer"],
            &[
                "minimum",
                "maximum",
                "exclusiveMinimum",
                "exclusiveMaximum",
                "multipleOf",
            ],
        ),
        (&["array"], &["minItems", "maxItems", "uniqueItems"]),
        (&["object"], &["required", "minProperties", "maxProperties"]),
    ];
    let Some(kind) = map.get("type").and_then(Value::as_str) else {
        return Vec::new();
    };
    if !matches!(
        kind,
        "string" | "number" | "integer" | "boolean" | "array" | "object"
    ) {
        return Vec::new();
    }
    let mut found: Vec<&'static str> = GROUPS
        .iter()
        .filter(|(types, _)| !types.contains(&kind))
        .flat_map(|(_, keywords)| keywords.iter().copied())
        .filter(|keyword| map.contains_key(*keyword))
        .collect();
    if matches!(kind, "boolean" | "array" | "object") && map.contains_key("format") {
        found.push("format");
    }
    found
}

/// Removes a security scheme from every security requirement (root and operations) that names
/// it, for a scheme that was removed from the document.
pub(crate) fn forget_security_scheme(doc: &mut Value, name: &str) {
    fn forget(requirements: Option<&mut Value>, name: &str) {
        if let Some(Value::Array(requirements)) = requirements {
            for requirement in requirements.iter_mut() {
                if let Some(requirement) = requirement.as_object_mut() {
                    requirement.shift_remove(name);
                }
            }
        }
    }
    struct Forget<'a>(&'a str);
    impl Visitor for Forget<'_> {
        fn enter_object(&mut self, kind: ObjectKind, value: &mut Value, _pointer: &str) {
            if kind == ObjectKind::Operation {
                forget(value.get_mut("security"), self.0);
            }
        }
    }
    forget(doc.get_mut("security"), name);
    walk_document(doc, &mut Forget(name));
}

struct Repair<'a> {
    file: &'a str,
    warnings: &'a mut Vec<Diagnostic>,
    /// `components.callbacks`, to inline operation callbacks given as `$ref` (which 3.0 allows
    /// but `openapiv3` does not read).
    callbacks: Map<String, Value>,
    /// Security schemes removed as unusable; their uses are removed at the end.
    removed_schemes: Vec<String>,
    /// The callbacks being inlined, innermost last, as (pointer, name): a callback whose
    /// operations use the callback itself must not be inlined forever.
    inlined_callbacks: Vec<(String, String)>,
}

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

/// Schema keywords that must be non-negative integers.
const COUNT_KEYWORDS: [&str; 6] = [
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
];

impl Repair<'_> {
    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push(
            Diagnostic::new(Location::new(self.file, pointer), message)
                .hint("fix the spec so that it follows OpenAPI 3.0"),
        );
    }

    // -----------------------------------------------------------------------------------------
    // Small typed fixes
    // -----------------------------------------------------------------------------------------

    /// Makes `map[key]` a boolean when it is a string or number that clearly says one; removes
    /// anything else that is not a boolean.
    fn fix_bool(&mut self, map: &mut Map<String, Value>, key: &str, pointer: &str) {
        let Some(value) = map.get(key) else { return };
        if value.is_boolean() {
            return;
        }
        let at = pointer_join(pointer, key);
        let fixed = match value {
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            Value::Number(n) if n.as_f64() == Some(1.0) => Some(true),
            Value::Number(n) if n.as_f64() == Some(0.0) => Some(false),
            _ => None,
        };
        match fixed {
            Some(flag) => {
                self.warn(
                    &at,
                    format!("`{key}` must be a boolean; read {value} as {flag}"),
                );
                map.insert(key.into(), Value::Bool(flag));
            }
            None => {
                self.warn(&at, format!("`{key}` must be a boolean; removed {value}"));
                map.shift_remove(key);
            }
        }
    }

    /// Makes `map[key]` a string when it is a number or boolean; removes anything else that is
    /// not a string.
    /// `map[key]` must be an array of strings: scalars are converted (with `message` as the
    /// warning), anything else dropped.
    fn fix_string_list(
        &mut self,
        map: &mut Map<String, Value>,
        key: &str,
        pointer: &str,
        message: &str,
    ) {
        self.expect_array(map, key, pointer);
        if let Some(Value::Array(values)) = map.get_mut(key) {
            let texts: Vec<Value> = values
                .iter()
                .filter_map(scalar_text)
                .map(Value::String)
                .collect();
            if texts != *values {
                *values = texts;
                self.warn(&pointer_join(pointer, key), message);
            }
        }
    }

    fn fix_string(&mut self, map: &mut Map<String, Value>, key: &str, pointer: &str) {
        let Some(value) = map.get(key) else { return };
        if value.is_string() {
            return;
        }
        let at = pointer_join(pointer, key);
        match scalar_text(value) {
            Some(text) => {
                self.warn(
                    &at,
                    format!("`{key}` must be a string; read {value} as \"{text}\""),
                );
                map.insert(key.into(), Value::String(text));
            }
            None => {
                self.warn(&at, format!("`{key}` must be a string; removed it"));
                map.shift_remove(key);
            }
        }
    }

    /// A required string field: fixed like [`Self::fix_string`], filled with `default` when
    /// missing.
    fn require_string(
        &mut self,
        map: &mut Map<String, Value>,
        key: &str,
        pointer: &str,
        default: &str,
    ) {
        self.fix_string(map, key, pointer);
        if !map.contains_key(key) {
            self.warn(
                pointer,
                format!("`{key}` is required; set it to \"{default}\""),
            );
            map.insert(key.into(), json!(default));
        }
    }

    /// Removes `map[key]` unless it is an object.
    fn expect_object(&mut self, map: &mut Map<String, Value>, key: &str, pointer: &str) {
        if map.get(key).is_some_and(|value| !value.is_object()) {
            self.warn(
                &pointer_join(pointer, key),
                format!("`{key}` must be an object; removed it"),
            );
            map.shift_remove(key);
        }
    }

    /// Removes `map[key]` unless it is an array.
    fn expect_array(&mut self, map: &mut Map<String, Value>, key: &str, pointer: &str) {
        if map.get(key).is_some_and(|value| !value.is_array()) {
            self.warn(
                &pointer_join(pointer, key),
                format!("`{key}` must be a list; removed it"),
            );
            map.shift_remove(key);
        }
    }

    /// Removes an External Documentation object without a `url`.
    fn fix_external_docs(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let Some(docs) = map.get_mut("externalDocs") else {
            return;
        };
        let at = pointer_join(pointer, "externalDocs");
        let usable = docs
            .as_object_mut()
            .is_some_and(|docs| docs.get("url").is_some_and(Value::is_string));
        if usable {
            if let Some(docs) = docs.as_object_mut() {
                self.fix_string(docs, "description", &at);
            }
        } else {
            self.warn(&at, "`externalDocs` needs a `url`; removed it");
            map.shift_remove("externalDocs");
        }
    }

    /// `servers`: entries need a string `url`; server variables need a string `default`.
    fn fix_servers(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        self.expect_array(map, "servers", pointer);
        let Some(Value::Array(servers)) = map.get_mut("servers") else {
            return;
        };
        let base = pointer_join(pointer, "servers");
        let mut kept = Vec::new();
        for (index, mut server) in std::mem::take(servers).into_iter().enumerate() {
            let at = format!("{base}/{index}");
            let Some(fields) = server
                .as_object_mut()
                .filter(|fields| fields.get("url").is_some_and(Value::is_string))
            else {
                self.warn(&at, "a server needs a `url`; removed it");
                continue;
            };
            self.fix_string(fields, "description", &at);
            self.expect_object(fields, "variables", &at);
            if let Some(Value::Object(variables)) = fields.get_mut("variables") {
                let vars_at = pointer_join(&at, "variables");
                let before = variables.len();
                variables.retain(|_, variable| variable.is_object());
                if variables.len() != before {
                    self.warn(
                        &vars_at,
                        "server variables must be objects with a `default`; removed the others",
                    );
                }
                for (name, variable) in variables.iter_mut() {
                    if let Some(variable) = variable.as_object_mut() {
                        self.fix_server_variable(variable, &pointer_join(&vars_at, name));
                    }
                }
            }
            kept.push(server);
        }
        map.insert("servers".into(), Value::Array(kept));
    }

    fn fix_server_variable(&mut self, variable: &mut Map<String, Value>, pointer: &str) {
        self.fix_string_list(
            variable,
            "enum",
            pointer,
            "server variable values must be strings; converted them",
        );
        self.fix_string(variable, "default", pointer);
        self.fix_string(variable, "description", pointer);
        if !variable.contains_key("default") {
            let first = variable
                .get("enum")
                .and_then(|values| values.get(0))
                .cloned()
                .unwrap_or(json!(""));
            self.warn(
                pointer,
                format!("a server variable needs a `default`; set it to {first}"),
            );
            variable.insert("default".into(), first);
        }
    }

    /// `security`: a list of objects mapping scheme names to lists of scope strings.
    fn fix_security(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        self.expect_array(map, "security", pointer);
        let Some(Value::Array(requirements)) = map.get_mut("security") else {
            return;
        };
        let base = pointer_join(pointer, "security");
        let before = requirements.len();
        requirements.retain(Value::is_object);
        if requirements.len() != before {
            self.warn(
                &base,
                "security requirements must be objects; removed the others",
            );
        }
        for (index, requirement) in requirements.iter_mut().enumerate() {
            let Some(requirement) = requirement.as_object_mut() else {
                continue;
            };
            for (name, scopes) in requirement.iter_mut() {
                let texts: Vec<Value> = match scopes {
                    Value::Array(scopes) => scopes
                        .iter()
                        .filter_map(scalar_text)
                        .map(Value::String)
                        .collect(),
                    _ => Vec::new(),
                };
                if *scopes != Value::Array(texts.clone()) {
                    self.warnings.push(
                        Diagnostic::new(Location::new(self.file, pointer_join(&format!("{base}/{index}"), name)), "the scopes of a security requirement must be a list of strings; converted them")
                            .hint("write `[]` for a scheme without scopes"),
                    );
                    *scopes = Value::Array(texts);
                }
            }
        }
    }

    /// `examples` of a Parameter, Header or Media Type: a list (a JSON Schema habit) becomes
    /// `example`, and entries that are plain values become Example objects with that `value`.
    fn fix_examples(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let at = pointer_join(pointer, "examples");
        match map.get_mut("examples") {
            Some(Value::Array(list)) => {
                let first = list.first().cloned();
                map.shift_remove("examples");
                if let Some(first) = first
                    && !map.contains_key("example")
                {
                    map.insert("example".into(), first);
                }
                self.warn(&at, "`examples` must be a map of Example objects; used the first entry of the list as `example`");
            }
            Some(Value::Object(examples)) => {
                let mut wrapped = Vec::new();
                for (name, example) in examples.iter_mut() {
                    if !looks_like_example_object(example) {
                        *example = json!({ "value": std::mem::take(example) });
                        wrapped.push(pointer_join(&at, name));
                    }
                }
                for place in wrapped {
                    self.warn(&place, "an example must be an Example object (`value: …`); wrapped the plain value in one");
                }
            }
            Some(_) => {
                map.shift_remove("examples");
                self.warn(
                    &at,
                    "`examples` must be a map of Example objects; removed it",
                );
            }
            None => {}
        }
    }

    // -----------------------------------------------------------------------------------------
    // Document level
    // -----------------------------------------------------------------------------------------

    fn root(&mut self, root: &mut Map<String, Value>) {
        match root.get("openapi") {
            Some(Value::String(_)) => {}
            Some(value @ Value::Number(_)) => {
                let text = value.to_string();
                self.warn(
                    "/openapi",
                    format!("`openapi` must be a string; read {text} as \"{text}\""),
                );
                root.insert("openapi".into(), Value::String(text));
            }
            _ => {
                self.warn("/openapi", "`openapi` is missing; set it to \"3.0.3\"");
                root.insert("openapi".into(), json!("3.0.3"));
            }
        }
        self.fix_info(root);
        self.fix_servers(root, "");
        if !root.get("paths").is_some_and(Value::is_object) {
            self.warn(
                "/paths",
                "`paths` is missing or not an object; the document has no operations",
            );
            root.insert("paths".into(), json!({}));
        }
        if let Some(Value::Object(paths)) = root.get("paths") {
            let stray: Vec<String> = paths
                .keys()
                .filter(|key| !key.starts_with('/') && !key.starts_with("x-"))
                .cloned()
                .collect();
            for key in stray {
                self.warnings.push(
                    Diagnostic::new(
                        Location::new(self.file, pointer_join("/paths", &key)),
                        format!("path `{key}` does not start with `/`; it is ignored"),
                    )
                    .hint("paths are relative to the server URL and start with `/`"),
                );
            }
        }
        self.fix_tags(root);
        self.fix_external_docs(root, "");
        self.fix_security(root, "");
    }

    fn fix_info(&mut self, root: &mut Map<String, Value>) {
        if !root.get("info").is_some_and(Value::is_object) {
            self.warn("/info", "`info` is missing; added a title and version");
            root.insert("info".into(), json!({}));
        }
        let Some(Value::Object(info)) = root.get_mut("info") else {
            return;
        };
        self.require_string(info, "title", "/info", "API");
        self.require_string(info, "version", "/info", "0.0.0");
        for key in ["description", "termsOfService"] {
            self.fix_string(info, key, "/info");
        }
        self.expect_object(info, "contact", "/info");
        if let Some(Value::Object(contact)) = info.get_mut("contact") {
            for key in ["name", "url", "email"] {
                self.fix_string(contact, key, "/info/contact");
            }
        }
        self.expect_object(info, "license", "/info");
        if let Some(Value::Object(license)) = info.get_mut("license") {
            self.fix_string(license, "name", "/info/license");
            self.fix_string(license, "url", "/info/license");
            if !license.contains_key("name") {
                match license.get("url").cloned() {
                    Some(url) => {
                        self.warn("/info/license", "a license needs a `name`; used its URL");
                        license.insert("name".into(), url);
                    }
                    None => {
                        self.warn(
                            "/info/license",
                            "a license needs a `name`; removed the license",
                        );
                        info.shift_remove("license");
                    }
                }
            }
        }
    }

    fn fix_tags(&mut self, root: &mut Map<String, Value>) {
        self.expect_array(root, "tags", "");
        let Some(Value::Array(tags)) = root.get_mut("tags") else {
            return;
        };
        let mut kept = Vec::new();
        for (index, mut tag) in std::mem::take(tags).into_iter().enumerate() {
            let at = format!("/tags/{index}");
            let Some(fields) = tag.as_object_mut() else {
                self.warn(&at, "a tag must be an object with a `name`; removed it");
                continue;
            };
            self.fix_string(fields, "name", &at);
            if !fields.contains_key("name") {
                self.warn(&at, "a tag needs a `name`; removed it");
                continue;
            }
            self.fix_string(fields, "description", &at);
            self.fix_external_docs(fields, &at);
            kept.push(tag);
        }
        root.insert("tags".into(), Value::Array(kept));
    }

    /// Removes the entries the walk marked unusable (set to `null`) from `paths` and
    /// `components`.
    fn prune_document(&mut self, doc: &mut Value) {
        if let Some(Value::Object(paths)) = doc.get_mut("paths") {
            paths.retain(|_, item| !item.is_null());
        }
        if let Some(Value::Object(components)) = doc.get_mut("components") {
            for section in components.values_mut() {
                if let Value::Object(entries) = section {
                    entries.retain(|_, entry| !entry.is_null());
                }
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Objects
    // -----------------------------------------------------------------------------------------

    /// A path item, operation, parameter or response of the wrong JSON type is left as it is:
    /// dropping it would silently change the API, so the typed load reports it at its pointer.
    fn path_item(&mut self, item: &mut Value, pointer: &str) {
        let Some(map) = item.as_object_mut() else {
            return;
        };
        for key in ["summary", "description"] {
            self.fix_string(map, key, pointer);
        }
        self.fix_servers(map, pointer);
    }

    fn operation(&mut self, operation: &mut Value, pointer: &str) {
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
    fn parameter(&mut self, parameter: &mut Value, pointer: &str, is_header: bool) {
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
    fn parameter_location(
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
    fn fix_style(&mut self, map: &mut Map<String, Value>, location: &str, pointer: &str) {
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
    fn fix_schema_or_content(&mut self, map: &mut Map<String, Value>, pointer: &str) {
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
    fn fix_reference(&mut self, value: &mut Value, pointer: &str) {
        if !value.get("$ref").is_some_and(Value::is_string) {
            self.warn(
                &pointer_join(pointer, "$ref"),
                "`$ref` must be a string; removed the reference",
            );
            *value = Value::Null;
        }
    }

    fn request_body(&mut self, body: &mut Value, pointer: &str) {
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

    fn response(&mut self, response: &mut Value, pointer: &str) {
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

    fn media_type(&mut self, media: &mut Value, pointer: &str) {
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

    fn encoding(&mut self, encoding: &mut Value, pointer: &str) {
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

    fn example(&mut self, example: &mut Value, pointer: &str) {
        if !example.is_object() {
            self.warn(
                pointer,
                "an example must be an Example object (`value: …`); wrapped the plain value in one",
            );
            *example = json!({ "value": std::mem::take(example) });
        }
    }

    fn link(&mut self, link: &mut Value, pointer: &str) {
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
    fn callback(&mut self, callback: &mut Value, pointer: &str) {
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

    fn security_scheme(&mut self, scheme: &mut Value, pointer: &str) {
        if scheme.get("$ref").is_some() {
            return self.fix_reference(scheme, pointer);
        }
        let problem = match scheme.as_object_mut() {
            Some(map) => self.fix_security_scheme(map, pointer).err(),
            None => Some("it is not an object".to_owned()),
        };
        if let Some(problem) = problem {
            self.warnings.push(
                Diagnostic::new(Location::new(self.file, pointer), format!("security scheme removed: {problem}"))
                    .hint("operations that required only this scheme are now described as not needing it; fix the scheme so it can be used"),
            );
            *scheme = Value::Null;
            if let Some(name) = pointer.rsplit('/').next() {
                self.removed_schemes
                    .push(crate::error::pointer_unescape(name));
            }
        }
    }

    /// Normalizes a security scheme; `Err` says why it cannot be used.
    fn fix_security_scheme(
        &mut self,
        map: &mut Map<String, Value>,
        pointer: &str,
    ) -> Result<(), String> {
        self.fix_string(map, "description", pointer);
        let given = map
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let canonical = match given.to_ascii_lowercase().as_str() {
            "apikey" => "apiKey",
            "http" => "http",
            "oauth2" => "oauth2",
            "openidconnect" => "openIdConnect",
            "basic" => {
                // Swagger 2.0's `basic` left in a 3.0 document.
                map.entry("scheme").or_insert(json!("basic"));
                "http"
            }
            _ => return Err(format!("unknown type `{given}`")),
        };
        if given != canonical {
            self.warn(
                &pointer_join(pointer, "type"),
                format!("security scheme type `{given}` read as `{canonical}`"),
            );
            map.insert("type".into(), json!(canonical));
        }
        match canonical {
            "apiKey" => self.fix_api_key(map, pointer),
            "http" => self.fix_http_scheme(map, pointer),
            "oauth2" => self.fix_oauth2(map, pointer),
            _ => {
                self.fix_string(map, "openIdConnectUrl", pointer);
                if map.contains_key("openIdConnectUrl") {
                    Ok(())
                } else {
                    Err("`openIdConnectUrl` is missing".into())
                }
            }
        }
    }

    fn fix_api_key(&mut self, map: &mut Map<String, Value>, pointer: &str) -> Result<(), String> {
        self.fix_string(map, "name", pointer);
        if !map.contains_key("name") {
            return Err(
                "an apiKey scheme needs the `name` of its header, query parameter or cookie".into(),
            );
        }
        let given = map
            .get("in")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let canonical = ["header", "query", "cookie"]
            .into_iter()
            .find(|l| l.eq_ignore_ascii_case(&given))
            .ok_or_else(|| format!("apiKey location `{given}` is not header, query or cookie"))?;
        if given != canonical {
            self.warn(
                &pointer_join(pointer, "in"),
                format!("apiKey location `{given}` read as `{canonical}`"),
            );
            map.insert("in".into(), json!(canonical));
        }
        Ok(())
    }

    fn fix_http_scheme(
        &mut self,
        map: &mut Map<String, Value>,
        pointer: &str,
    ) -> Result<(), String> {
        self.fix_string(map, "scheme", pointer);
        self.fix_string(map, "bearerFormat", pointer);
        if !map.contains_key("scheme") {
            if !map.contains_key("bearerFormat") {
                return Err("an http scheme needs `scheme` (such as `bearer` or `basic`)".into());
            }
            self.warn(
                pointer,
                "an http scheme needs `scheme`; it has a `bearerFormat`, so set it to `bearer`",
            );
            map.insert("scheme".into(), json!("bearer"));
        }
        Ok(())
    }

    fn fix_oauth2(&mut self, map: &mut Map<String, Value>, pointer: &str) -> Result<(), String> {
        let Some(Value::Object(flows)) = map.get_mut("flows") else {
            return Err("an oauth2 scheme needs `flows`".into());
        };
        let flows_at = pointer_join(pointer, "flows");
        let mut unusable = Vec::new();
        for (flow, needs) in [
            ("implicit", &["authorizationUrl"][..]),
            ("password", &["tokenUrl"][..]),
            ("clientCredentials", &["tokenUrl"][..]),
            ("authorizationCode", &["authorizationUrl", "tokenUrl"][..]),
        ] {
            let Some(fields) = flows.get_mut(flow) else {
                continue;
            };
            let at = pointer_join(&flows_at, flow);
            let Some(fields) = fields.as_object_mut() else {
                unusable.push((flow, at, "it is not an object".to_owned()));
                continue;
            };
            for url in needs.iter().copied().chain(["refreshUrl"]) {
                self.fix_string(fields, url, &at);
            }
            if let Some(missing) = needs.iter().find(|url| !fields.contains_key(**url)) {
                unusable.push((flow, at, format!("`{missing}` is missing")));
                continue;
            }
            self.fix_scopes(fields, &at);
        }
        for (flow, at, why) in unusable {
            self.warn(&at, format!("removed the oauth2 `{flow}` flow: {why}"));
            flows.shift_remove(flow);
        }
        Ok(())
    }

    /// `scopes` is a map of scope name → description; a list of names is accepted too.
    fn fix_scopes(&mut self, flow: &mut Map<String, Value>, pointer: &str) {
        let at = pointer_join(pointer, "scopes");
        let fixed: Map<String, Value> = match flow.get("scopes") {
            Some(Value::Object(scopes)) if scopes.values().all(Value::is_string) => return,
            Some(Value::Object(scopes)) => scopes
                .iter()
                .map(|(name, text)| {
                    (
                        name.clone(),
                        Value::String(scalar_text(text).unwrap_or_default()),
                    )
                })
                .collect(),
            Some(Value::Array(names)) => names
                .iter()
                .filter_map(scalar_text)
                .map(|name| (name, json!("")))
                .collect(),
            _ => Map::new(),
        };
        self.warn(
            &at,
            "`scopes` must map scope names to descriptions; repaired it",
        );
        flow.insert("scopes".into(), Value::Object(fixed));
    }

    // -----------------------------------------------------------------------------------------
    // Schemas
    // -----------------------------------------------------------------------------------------

    fn schema(&mut self, schema: &mut Value, pointer: &str) {
        if schema.is_boolean() {
            self.warn(
                pointer,
                format!("boolean schema `{schema}` (JSON Schema) written as an OpenAPI 3.0 schema"),
            );
            boolean_schema(schema);
        }
        let Some(map) = schema.as_object_mut() else {
            self.warn(
                pointer,
                "a schema must be an object; replaced it by `{}` (any value)",
            );
            *schema = json!({});
            return;
        };
        if map.get("$ref").is_some_and(|r| !r.is_string()) {
            self.warn(
                &pointer_join(pointer, "$ref"),
                "`$ref` must be a string; removed it",
            );
            map.shift_remove("$ref");
        }
        self.fix_schema_type(map, pointer);
        self.fix_schema_flags(map, pointer);
        self.fix_required(map, pointer);
        self.fix_subschema_shapes(map, pointer);
        self.fix_numbers(map, pointer);
        self.fix_enum(map, pointer);
        self.drop_inapplicable(map, pointer);
        for key in ["title", "description", "format", "pattern"] {
            self.fix_string(map, key, pointer);
        }
        self.fix_discriminator(map, pointer);
        self.fix_external_docs(map, pointer);
    }

    /// `type` lists and `type: "null"` (3.1 habits) become `nullable`; `type: file` (2.0) is a
    /// binary string; a `type` that is not a string is removed.
    fn fix_schema_type(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let at = pointer_join(pointer, "type");
        match map.get("type") {
            Some(Value::Array(_)) => {
                self.warn(
                    &at,
                    "`type` must be one type name in OpenAPI 3.0 (a list is 3.1); converted it",
                );
                nullable_from_type_list(map);
            }
            Some(Value::String(t)) if t == "null" => {
                self.warn(
                    &at,
                    "`type: null` is OpenAPI 3.1; converted it to `nullable: true`",
                );
                nullable_from_type_list(map);
            }
            Some(Value::String(t)) if t == "file" => {
                self.warn(
                    &at,
                    "`type: file` is Swagger 2.0; read as `type: string, format: binary`",
                );
                map.insert("type".into(), json!("string"));
                map.insert("format".into(), json!("binary"));
            }
            Some(Value::String(t)) if t != &t.to_ascii_lowercase() => {
                let lower = t.to_ascii_lowercase();
                self.warn(&at, format!("type `{t}` read as `{lower}`"));
                map.insert("type".into(), Value::String(lower));
            }
            Some(Value::String(_)) | None => {}
            Some(other) => {
                self.warn(&at, format!("`type` must be a string; removed {other}"));
                map.shift_remove("type");
            }
        }
        if map.get("x-nullable") == Some(&Value::Bool(true)) && !map.contains_key("nullable") {
            self.warn(
                &pointer_join(pointer, "x-nullable"),
                "read the Swagger 2.0 extension `x-nullable: true` as `nullable: true`",
            );
            map.insert("nullable".into(), json!(true));
        }
    }

    fn fix_schema_flags(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        for key in [
            "nullable",
            "readOnly",
            "writeOnly",
            "deprecated",
            "uniqueItems",
        ] {
            self.fix_bool(map, key, pointer);
        }
        if map.get("exclusiveMinimum").is_some_and(Value::is_number)
            || map.get("exclusiveMaximum").is_some_and(Value::is_number)
        {
            self.warn(pointer, "a numeric `exclusiveMinimum`/`exclusiveMaximum` is OpenAPI 3.1; converted it to a bound with `exclusive…: true`");
            numeric_exclusive_bounds(map);
        }
        for key in ["exclusiveMinimum", "exclusiveMaximum"] {
            self.fix_bool(map, key, pointer);
        }
    }

    /// `required` is a list of property names. `required: true` on a property (Swagger 2.0 and
    /// JSON Schema draft 3 habit) moves to the parent's list; the walk is pre-order, so the
    /// parent sees its properties before they are visited.
    fn fix_required(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let mut hoisted = Vec::new();
        if let Some(Value::Object(properties)) = map.get_mut("properties") {
            for (name, property) in properties.iter_mut() {
                let Some(property) = property.as_object_mut() else {
                    continue;
                };
                let flag = match property.get("required") {
                    Some(Value::Bool(flag)) => *flag,
                    Some(Value::String(s))
                        if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") =>
                    {
                        s.eq_ignore_ascii_case("true")
                    }
                    _ => continue,
                };
                property.shift_remove("required");
                hoisted.push((name.clone(), flag));
            }
        }
        let at = pointer_join(pointer, "required");
        match map.get_mut("required") {
            None | Some(Value::Array(_)) => {}
            Some(Value::String(name)) => {
                let name = name.clone();
                self.warn(
                    &at,
                    "`required` must be a list of property names; read the single name as a list",
                );
                map.insert("required".into(), json!([name]));
            }
            Some(other) => {
                self.warn(&at, format!("`required: {other}` belongs on a property (as an entry in the parent's `required` list); removed it"));
                map.shift_remove("required");
            }
        }
        if let Some(Value::Array(names)) = map.get_mut("required") {
            let before = names.len();
            names.retain(Value::is_string);
            if names.len() != before {
                self.warn(
                    &at,
                    "`required` must list property names; removed the entries that are not strings",
                );
            }
        }
        for (name, flag) in hoisted {
            let property_at = pointer_join(
                &pointer_join(&pointer_join(pointer, "properties"), &name),
                "required",
            );
            if flag {
                self.warn(&property_at, format!("`required: true` on property `{name}` moved to the object's `required` list"));
                let list = map.entry("required").or_insert_with(|| json!([]));
                if let Value::Array(names) = list
                    && !names.contains(&json!(name))
                {
                    names.push(json!(name));
                }
            } else {
                self.warn(&property_at, format!("removed `required: false` from property `{name}` (properties are optional unless listed in `required`)"));
            }
        }
    }

    /// Subschema keywords with the wrong shape: `items` as a list (draft 4 tuples),
    /// `properties` not a map, `allOf` given one schema, and so on.
    fn fix_subschema_shapes(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        self.expect_object(map, "properties", pointer);
        if let Some(Value::Array(items)) = map.get("items") {
            let at = pointer_join(pointer, "items");
            let replacement = match items.as_slice() {
                [] => json!({}),
                [first, rest @ ..] if rest.iter().all(|item| item == first) => first.clone(),
                _ => json!({ "anyOf": items }),
            };
            self.warn(&at, "`items` must be one schema in OpenAPI 3.0 (tuples are not supported); merged the list into one");
            map.insert("items".into(), replacement);
        }
        if map
            .get("additionalProperties")
            .is_some_and(|a| !a.is_object() && !a.is_boolean())
        {
            self.warn(
                &pointer_join(pointer, "additionalProperties"),
                "`additionalProperties` must be a boolean or a schema; removed it",
            );
            map.shift_remove("additionalProperties");
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            match map.get(key) {
                Some(Value::Object(_)) => {
                    self.warn(
                        &pointer_join(pointer, key),
                        format!(
                            "`{key}` must be a list of schemas; wrapped the single schema in a list"
                        ),
                    );
                    if let Some(single) = map.shift_remove(key) {
                        map.insert(key.into(), json!([single]));
                    }
                }
                Some(Value::Array(_)) | None => {}
                Some(_) => {
                    self.warn(
                        &pointer_join(pointer, key),
                        format!("`{key}` must be a list of schemas; removed it"),
                    );
                    map.shift_remove(key);
                }
            }
        }
        if map
            .get("not")
            .is_some_and(|not| !not.is_object() && !not.is_boolean())
        {
            self.warn(
                &pointer_join(pointer, "not"),
                "`not` must be a schema; removed it",
            );
            map.shift_remove("not");
        }
    }

    /// Bounds must be numbers (integers for integer schemas and for counts such as `maxLength`).
    fn fix_numbers(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let integer = map.get("type").is_some_and(|t| t == "integer");
        for key in ["minimum", "maximum", "multipleOf"] {
            let Some(value) = map.get(key) else { continue };
            let at = pointer_join(pointer, key);
            let number = match value {
                Value::Number(n) => Some(n.clone()),
                Value::String(s) => parse_number(s),
                _ => None,
            };
            let fixed = number.map(|n| {
                if integer {
                    integral(&n).unwrap_or(n)
                } else {
                    n
                }
            });
            match fixed {
                Some(n) if Value::Number(n.clone()) == *value => {}
                Some(n) => {
                    // An integral float on an integer schema is only a spelling; no warning.
                    if !value.is_number() {
                        self.warn(
                            &at,
                            format!("`{key}` must be a number; read {value} as {n}"),
                        );
                    }
                    map.insert(key.into(), Value::Number(n));
                }
                None => {
                    self.warn(&at, format!("`{key}` must be a number; removed {value}"));
                    map.shift_remove(key);
                }
            }
        }
        for key in COUNT_KEYWORDS {
            let Some(value) = map.get(key) else { continue };
            if value.is_u64() {
                continue;
            }
            let at = pointer_join(pointer, key);
            let count = match value {
                Value::Number(n) => integral(n).and_then(|n| n.as_u64()),
                Value::String(s) => s.trim().parse::<u64>().ok(),
                _ => None,
            };
            match count {
                Some(count) => {
                    if !value.is_number() {
                        self.warn(
                            &at,
                            format!("`{key}` must be a whole number; read {value} as {count}"),
                        );
                    }
                    map.insert(key.into(), json!(count));
                }
                None => {
                    self.warn(
                        &at,
                        format!("`{key}` must be a non-negative whole number; removed {value}"),
                    );
                    map.shift_remove(key);
                }
            }
        }
    }

    /// `enum` entries must have the schema's type for `openapiv3` to read a typed schema: numbers
    /// and booleans in a string enum become strings, numeric strings in integer/number enums
    /// become numbers, `"true"`/`"false"` in boolean enums become booleans.
    fn fix_enum(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let at = pointer_join(pointer, "enum");
        match map.get("enum") {
            None | Some(Value::Array(_)) => {}
            Some(_) => {
                self.warn(
                    &at,
                    "`enum` must be a list; read the single value as a list",
                );
                if let Some(single) = map.shift_remove("enum") {
                    map.insert("enum".into(), json!([single]));
                }
            }
        }
        let kind = map
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let Some(Value::Array(values)) = map.get_mut("enum") else {
            return;
        };
        let mut changed = false;
        for value in values.iter_mut() {
            if let Some(fixed) = enum_value_as(&kind, value) {
                *value = fixed;
                changed = true;
            }
        }
        if changed {
            self.warn(
                &at,
                format!("`enum` values of a {kind} schema must be {kind}s; converted the others"),
            );
        }
    }

    /// Keywords for other types than the declared one never apply; they also keep `openapiv3`
    /// from reading a typed schema.
    fn drop_inapplicable(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let kind = map
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        for keyword in inapplicable_keywords(map) {
            self.warn(
                &pointer_join(pointer, keyword),
                format!("`{keyword}` does not apply to `type: {kind}`; removed it"),
            );
            map.shift_remove(keyword);
        }
    }

    /// `discriminator` is an object with a `propertyName` (a bare string is Swagger 2.0).
    fn fix_discriminator(&mut self, map: &mut Map<String, Value>, pointer: &str) {
        let at = pointer_join(pointer, "discriminator");
        match map.get_mut("discriminator") {
            None => {}
            Some(Value::String(name)) => {
                let name = name.clone();
                self.warn(&at, "`discriminator` must be an object (a bare property name is Swagger 2.0); read it as `propertyName`");
                map.insert("discriminator".into(), json!({ "propertyName": name }));
            }
            Some(Value::Object(discriminator))
                if discriminator
                    .get("propertyName")
                    .is_some_and(Value::is_string) =>
            {
                if let Some(mapping) = discriminator.get_mut("mapping") {
                    let valid = mapping
                        .as_object()
                        .is_some_and(|m| m.values().all(Value::is_string));
                    if !valid {
                        if let Value::Object(entries) = mapping {
                            entries.retain(|_, target| target.is_string());
                        } else {
                            *mapping = json!({});
                        }
                        self.warn(&pointer_join(&at, "mapping"), "discriminator `mapping` values must be schema names or references; removed the others");
                    }
                }
            }
            Some(_) => {
                self.warn(&at, "`discriminator` needs a `propertyName`; removed it");
                map.shift_remove("discriminator");
            }
        }
    }
}

impl Visitor for Repair<'_> {
    fn enter_schema(&mut self, schema: &mut Value, pointer: &str) {
        self.schema(schema, pointer);
    }

    fn enter_object(&mut self, kind: ObjectKind, value: &mut Value, pointer: &str) {
        match kind {
            ObjectKind::PathItem => self.path_item(value, pointer),
            ObjectKind::Operation => self.operation(value, pointer),
            ObjectKind::Parameter => self.parameter(value, pointer, false),
            ObjectKind::Header => self.parameter(value, pointer, true),
            ObjectKind::RequestBody => self.request_body(value, pointer),
            ObjectKind::Response => self.response(value, pointer),
            ObjectKind::MediaType => self.media_type(value, pointer),
            ObjectKind::Encoding => self.encoding(value, pointer),
            ObjectKind::Example => self.example(value, pointer),
            ObjectKind::Link => self.link(value, pointer),
            ObjectKind::Callback => self.callback(value, pointer),
            ObjectKind::SecurityScheme => self.security_scheme(value, pointer),
        }
    }

    /// Removes what the children marked unusable (`null`) from this object's containers.
    fn leave_object(&mut self, kind: ObjectKind, value: &mut Value, pointer: &str) {
        let Some(map) = value.as_object_mut() else {
            return;
        };
        let containers: &[&str] = match kind {
            ObjectKind::PathItem => &[
                "parameters",
                "get",
                "put",
                "post",
                "delete",
                "options",
                "head",
                "patch",
                "trace",
            ],
            ObjectKind::Operation => &["parameters", "requestBody", "responses", "callbacks"],
            ObjectKind::Parameter | ObjectKind::Header => &["content", "examples"],
            ObjectKind::RequestBody => &["content"],
            ObjectKind::Response => &["headers", "content", "links"],
            ObjectKind::MediaType => &["examples", "encoding"],
            ObjectKind::Encoding => &["headers"],
            ObjectKind::Callback => {
                map.retain(|_, item| !item.is_null());
                if self
                    .inlined_callbacks
                    .last()
                    .is_some_and(|(at, _)| at == pointer)
                {
                    self.inlined_callbacks.pop();
                }
                return;
            }
            _ => return,
        };
        for key in containers {
            match map.get_mut(*key) {
                Some(Value::Null) => {
                    map.shift_remove(*key);
                }
                Some(Value::Array(entries)) => entries.retain(|entry| !entry.is_null()),
                Some(Value::Object(entries)) if *key != "requestBody" => {
                    entries.retain(|_, entry| !entry.is_null())
                }
                _ => {}
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

/// Whether a value in an `examples` map is an Example object rather than an example value.
fn looks_like_example_object(value: &Value) -> bool {
    value.as_object().is_some_and(|map| {
        !map.is_empty()
            && map.keys().all(|key| {
                matches!(
                    key.as_str(),
                    "summary" | "description" | "value" | "externalValue" | "$ref"
                ) || key.starts_with("x-")
            })
    })
}

/// The text of a string, number or boolean.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn parse_number(text: &str) -> Option<Number> {
    let text = text.trim();
    if let Ok(n) = text.parse::<i64>() {
        return Some(n.into());
    }
    text.parse::<f64>().ok().and_then(Number::from_f64)
}

/// An integral float (`3.0`) as an integer; `None` for other numbers.
fn integral(n: &Number) -> Option<Number> {
    if n.is_i64() || n.is_u64() {
        return Some(n.clone());
    }
    let f = n.as_f64()?;
    // Only floats that convert exactly (|f| < 2^53) are integral values worth reading as integers.
    (f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0).then(|| Number::from(f as i64))
}

/// The value converted to the schema type `kind`, when it has another type and converts
/// unambiguously; `None` to keep it.
fn enum_value_as(kind: &str, value: &Value) -> Option<Value> {
    match (kind, value) {
        (_, Value::Null) => None,
        ("string", Value::String(_)) => None,
        ("string", Value::Number(_) | Value::Bool(_)) => scalar_text(value).map(Value::String),
        ("integer", Value::Number(n)) if !n.is_i64() => {
            integral(n).filter(Number::is_i64).map(Value::Number)
        }
        ("integer", Value::String(s)) => s.trim().parse::<i64>().ok().map(Value::from),
        ("number", Value::String(s)) => parse_number(s).map(Value::Number),
        ("boolean", Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(Value::Bool(true)),
        ("boolean", Value::String(s)) if s.eq_ignore_ascii_case("false") => {
            Some(Value::Bool(false))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
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
            schema(json!({"type": ["string", "null"], "minLength": "1", "maxLength": 3.0, "pattern": 5})).0,
            json!({"type": "string", "minLength": 1, "maxLength": 3, "pattern": "5", "nullable": true})
        );
        assert_eq!(schema(json!({"type": "integer", "minimum": 0.0, "maximum": "10", "exclusiveMinimum": "true"})).0, json!({"type": "integer", "minimum": 0, "maximum": 10, "exclusiveMinimum": true}));
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
        let mut doc = base(
            json!({"/a": {"get": {"security": [{"broken": [], "key": []}], "responses": {}}}}),
        );
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
}
