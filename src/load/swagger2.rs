//! Swagger 2.0 → OpenAPI 3.0.3.
//!
//! The 2.0 document is rebuilt in 3.0 shape: `host`/`basePath`/`schemes` become `servers`, body
//! and form parameters become request bodies (with one media type per `consumes` entry), response
//! schemas become `content` (one media type per `produces` entry), the fields of a non-body
//! parameter move into its `schema` with `collectionFormat` turned into `style`/`explode`, and
//! `definitions`, `parameters`, `responses`, `securityDefinitions` move under `components`.
//!
//! Every diagnostic points into the 2.0 input.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::openapi::{PARAMETER_SCHEMA_FIELDS, SWAGGER2_METHODS, inapplicable_keywords};
use super::repair::{repair_parameter, repair_schema};
use super::schema_walk::for_each_subschema;
use crate::error::{Diagnostic, Location, pointer_join};

const JSON: &str = "application/json";
const MULTIPART: &str = "multipart/form-data";
const URLENCODED: &str = "application/x-www-form-urlencoded";

/// Converts a parsed Swagger 2.0 document into an OpenAPI 3.0.3 document.
///
/// Fails only when the root is not an object; everything else becomes a warning and a best-effort
/// conversion.
// The loader's signature: a `Diagnostic` (not boxed) like the other load stages.
pub fn to_openapi30(
    doc: Value,
    file: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Value, Diagnostic> {
    let Value::Object(input) = doc else {
        return Err(
            Diagnostic::new(Location::new(file, ""), "the document is not an object")
                .hint("a Swagger 2.0 document is a YAML or JSON object with a `swagger` field"),
        );
    };
    let body_components = component_names(&input, |param| param_in(param) == "body");
    let mut found = Vec::new();
    let mut converter = Converter {
        input: &input,
        file,
        warnings: &mut found,
        consumes: media_types(input.get("consumes")),
        produces: media_types(input.get("produces")),
        body_components,
    };
    let out = converter.document();
    // A body component used by several operations is converted (and reported) once per use.
    let mut seen = HashSet::new();
    warnings.extend(found.into_iter().filter(|warning| {
        seen.insert((warning.location.pointer.clone(), warning.message.clone()))
    }));
    Ok(out)
}

/// A parameter, sorted by what it becomes in 3.0.
enum Param {
    /// `in: body`: the request body. `component` names `#/parameters/X` when it was a reference.
    Body {
        param: Map<String, Value>,
        pointer: String,
        component: Option<String>,
    },
    /// `in: formData`: one property of the form body.
    Form {
        param: Map<String, Value>,
        pointer: String,
    },
    /// Any other parameter, converted (or a reference to a converted one).
    Other(Value),
    /// Unusable, already reported.
    Skip,
}

struct Converter<'a> {
    input: &'a Map<String, Value>,
    file: &'a str,
    warnings: &'a mut Vec<Diagnostic>,
    /// Global `consumes`/`produces`, when given.
    consumes: Option<Vec<String>>,
    produces: Option<Vec<String>>,
    /// Names of `#/parameters/X` that are body parameters (they become request bodies).
    body_components: HashSet<String>,
}

impl Converter<'_> {
    fn warn(&mut self, pointer: &str, message: impl Into<String>, hint: &str) {
        self.warnings
            .push(Diagnostic::new(Location::new(self.file, pointer), message).hint(hint));
    }

    fn document(&mut self) -> Value {
        let input = self.input;
        let mut out = Map::new();
        out.insert("openapi".into(), json!("3.0.3"));
        if let Some(info) = input.get("info") {
            out.insert("info".into(), info.clone());
        }
        let servers = self.servers(input.get("schemes"), "");
        if !servers.is_empty() {
            out.insert("servers".into(), Value::Array(servers));
        }
        for (key, value) in input {
            match key.as_str() {
                "tags" | "externalDocs" | "security" => {
                    out.insert(key.clone(), value.clone());
                }
                "paths" => {
                    out.insert("paths".into(), self.paths(value));
                }
                _ if key.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => {}
            }
        }
        out.entry("paths").or_insert_with(|| json!({}));
        let components = self.components();
        if !components.is_empty() {
            out.insert("components".into(), Value::Object(components));
        }
        Value::Object(out)
    }

    // -----------------------------------------------------------------------------------------
    // Servers
    // -----------------------------------------------------------------------------------------

    /// One server per scheme from `host` and `basePath`; a relative server when there is no host.
    fn servers(&mut self, schemes: Option<&Value>, pointer: &str) -> Vec<Value> {
        let host = self
            .input
            .get("host")
            .and_then(Value::as_str)
            .map(|h| h.trim_end_matches('/').to_owned());
        let base_path = self
            .input
            .get("basePath")
            .and_then(Value::as_str)
            .map(str::to_owned);
        if host.is_none() && base_path.is_none() {
            return Vec::new();
        }
        // Paths start with `/`, so the server URL must not end with one.
        let base_path = base_path.unwrap_or_default();
        let base_path = base_path.trim_end_matches('/');
        let base_path = if base_path.is_empty() || base_path.starts_with('/') {
            base_path.to_owned()
        } else {
            format!("/{base_path}")
        };
        let Some(host) = host else {
            let url = if base_path.is_empty() {
                "/".to_owned()
            } else {
                base_path
            };
            return vec![json!({ "url": url })];
        };
        if host.contains("://") {
            self.warn(
                "/host",
                format!("`host` must not include the scheme; used `{host}` as given"),
                "write the scheme in `schemes` and only the host name (and port) in `host`",
            );
            return vec![json!({ "url": format!("{host}{base_path}") })];
        }
        let schemes: Vec<String> = match schemes.and_then(Value::as_array) {
            Some(list) if !list.is_empty() => list
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_ascii_lowercase)
                .collect(),
            _ => vec!["https".to_owned()],
        };
        if schemes.is_empty() {
            self.warn(
                &pointer_join(pointer, "schemes"),
                "`schemes` lists no scheme names; assumed https",
                "list `http` and/or `https`",
            );
        }
        let schemes = if schemes.is_empty() {
            vec!["https".to_owned()]
        } else {
            schemes
        };
        schemes
            .iter()
            .map(|scheme| json!({ "url": format!("{scheme}://{host}{base_path}") }))
            .collect()
    }

    // -----------------------------------------------------------------------------------------
    // Paths and operations
    // -----------------------------------------------------------------------------------------

    fn paths(&mut self, paths: &Value) -> Value {
        let Some(paths) = paths.as_object() else {
            self.warn(
                "/paths",
                "`paths` must be an object; the document has no operations",
                "map each path to its operations",
            );
            return json!({});
        };
        let mut out = Map::new();
        for (path, item) in paths {
            let pointer = pointer_join("/paths", path);
            let converted = if path.starts_with("x-") {
                item.clone()
            } else {
                self.path_item(item, &pointer)
            };
            out.insert(path.clone(), converted);
        }
        Value::Object(out)
    }

    fn path_item(&mut self, item: &Value, pointer: &str) -> Value {
        let Some(item) = item.as_object() else {
            self.warn(
                pointer,
                "a path item must be an object; it was left out",
                "map the path to its operations",
            );
            return json!({});
        };
        let shared = self.parameters(item.get("parameters"), pointer);
        let mut out = Map::new();
        for (key, value) in item {
            match key.as_str() {
                "$ref" => {
                    out.insert(
                        key.clone(),
                        Value::String(self.rewrite_ref(value.as_str().unwrap_or_default())),
                    );
                }
                "parameters" => {
                    let others: Vec<Value> = shared
                        .iter()
                        .filter_map(|p| {
                            if let Param::Other(v) = p {
                                Some(v.clone())
                            } else {
                                None
                            }
                        })
                        .collect();
                    if !others.is_empty() {
                        out.insert(key.clone(), Value::Array(others));
                    }
                }
                method if SWAGGER2_METHODS.contains(&method) => {
                    let operation = self.operation(value, &pointer_join(pointer, method), &shared);
                    out.insert(key.clone(), operation);
                }
                _ if key.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => {}
            }
        }
        Value::Object(out)
    }

    /// Converts an operation; `shared` are the path item's parameters (its body and form fields
    /// apply to the operation unless it has its own).
    fn operation(&mut self, operation: &Value, pointer: &str, shared: &[Param]) -> Value {
        let Some(operation) = operation.as_object() else {
            self.warn(
                pointer,
                "an operation must be an object; it was left out",
                "describe the operation with `responses` and its parameters",
            );
            return json!({ "responses": {} });
        };
        let consumes = media_types(operation.get("consumes"))
            .or_else(|| self.consumes.clone())
            .unwrap_or_default();
        let consumes = if consumes.is_empty() {
            vec![JSON.to_owned()]
        } else {
            consumes
        };
        let produces = media_types(operation.get("produces"))
            .or_else(|| self.produces.clone())
            .unwrap_or_default();
        let produces = if produces.is_empty() {
            vec![JSON.to_owned()]
        } else {
            produces
        };

        let own = self.parameters(operation.get("parameters"), pointer);
        let body = self.request_body(&own, shared, &consumes, pointer);
        // OpenAPI 3 has no name for the body; keep 2.0's the way common converters do, so tools can
        // call the argument `book` rather than `body`.
        let body_name = body_param_name(&own).or_else(|| body_param_name(shared));
        let parameters: Vec<Value> = own
            .into_iter()
            .filter_map(|p| {
                if let Param::Other(v) = p {
                    Some(v)
                } else {
                    None
                }
            })
            .collect();

        let mut out = Map::new();
        let mut body = body;
        for (key, value) in operation {
            match key.as_str() {
                "tags" | "summary" | "description" | "externalDocs" | "operationId"
                | "deprecated" | "security" => {
                    out.insert(key.clone(), value.clone());
                }
                "parameters" => {
                    if !parameters.is_empty() {
                        out.insert("parameters".into(), Value::Array(parameters.clone()));
                    }
                    if let Some(body) = body.take() {
                        out.insert("requestBody".into(), body);
                    }
                }
                "responses" => {
                    if let Some(body) = body.take() {
                        out.insert("requestBody".into(), body);
                    }
                    out.insert(
                        key.clone(),
                        self.responses(value, &pointer_join(pointer, "responses"), &produces),
                    );
                }
                "schemes" => {
                    let global = self.input.get("schemes");
                    if Some(value) != global {
                        let servers = self.servers(Some(value), pointer);
                        if !servers.is_empty() {
                            out.insert("servers".into(), Value::Array(servers));
                        }
                    }
                }
                _ if key.starts_with("x-") => {
                    out.insert(key.clone(), value.clone());
                }
                _ => {}
            }
        }
        if let Some(body) = body {
            out.insert("requestBody".into(), body);
        }
        if let Some(name) = body_name.filter(|_| out.contains_key("requestBody")) {
            out.entry("x-codegen-request-body-name")
                .or_insert(Value::String(name));
        }
        Value::Object(out)
    }

    // -----------------------------------------------------------------------------------------
    // Parameters
    // -----------------------------------------------------------------------------------------

    fn parameters(&mut self, parameters: Option<&Value>, pointer: &str) -> Vec<Param> {
        let Some(parameters) = parameters else {
            return Vec::new();
        };
        let base = pointer_join(pointer, "parameters");
        let Some(parameters) = parameters.as_array() else {
            self.warn(
                &base,
                "`parameters` must be a list; ignored it",
                "list the parameters",
            );
            return Vec::new();
        };
        parameters
            .iter()
            .enumerate()
            .map(|(index, param)| self.parameter(param, &format!("{base}/{index}")))
            .collect()
    }

    /// Sorts one parameter (following a `#/parameters/X` reference) and converts the others.
    fn parameter(&mut self, param: &Value, pointer: &str) -> Param {
        let Some(map) = param.as_object() else {
            self.warn(
                pointer,
                "a parameter must be an object; ignored it",
                "describe the parameter with `name` and `in`",
            );
            return Param::Skip;
        };
        if let Some(reference) = map.get("$ref") {
            return self.parameter_reference(reference.as_str().unwrap_or_default(), pointer);
        }
        match param_in(param) {
            "body" => Param::Body {
                param: map.clone(),
                pointer: pointer.to_owned(),
                component: None,
            },
            "formData" => Param::Form {
                param: map.clone(),
                pointer: pointer.to_owned(),
            },
            "query" | "path" | "header" => Param::Other(self.simple_parameter(map, pointer)),
            other => {
                self.warn(&pointer_join(pointer, "in"), format!("parameter location `{other}` is not one of query, header, path, formData, body; ignored the parameter"), "fix `in`");
                Param::Skip
            }
        }
    }

    fn parameter_reference(&mut self, reference: &str, pointer: &str) -> Param {
        let name = reference
            .strip_prefix("#/parameters/")
            .map(crate::error::pointer_unescape);
        let target = name.as_ref().and_then(|name| {
            self.input
                .get("parameters")?
                .get(name)?
                .as_object()
                .map(|t| (name.clone(), t))
        });
        let Some((name, target)) = target else {
            if reference.starts_with("#/") {
                self.warn(&pointer_join(pointer, "$ref"), format!("parameter reference `{reference}` does not point at a parameter in `parameters`"), "fix the reference");
            }
            return Param::Other(json!({ "$ref": self.rewrite_ref(reference) }));
        };
        let component_pointer = pointer_join("/parameters", &name);
        match param_in(&Value::Object(target.clone())) {
            "body" => Param::Body {
                param: target.clone(),
                pointer: component_pointer,
                component: Some(name),
            },
            "formData" => Param::Form {
                param: target.clone(),
                pointer: component_pointer,
            },
            _ => Param::Other(json!({ "$ref": self.rewrite_ref(reference) })),
        }
    }

    /// A query, path or header parameter: value fields into `schema`, `collectionFormat` into
    /// `style`/`explode`.
    fn simple_parameter(&mut self, param: &Map<String, Value>, pointer: &str) -> Value {
        let location = param.get("in").and_then(Value::as_str).unwrap_or_default();
        let mut out = Map::new();
        for (key, value) in param {
            match key.as_str() {
                "name" | "in" | "description" | "required" | "deprecated" => {
                    out.insert(key.clone(), value.clone());
                }
                "allowEmptyValue" if location == "query" => {
                    out.insert(key.clone(), value.clone());
                }
                _ if key.starts_with("x-") && key != "x-nullable" => {
                    out.insert(key.clone(), value.clone());
                }
                _ => {}
            }
        }
        if param.get("type").is_some_and(|t| t == "file") {
            self.warn(
                &pointer_join(pointer, "type"),
                "`type: file` is only valid for formData parameters; read it as a binary string",
                "upload files with a formData parameter",
            );
        }
        let schema = self.parameter_schema(param, pointer);
        if param.get("type").is_some_and(|t| t == "array") {
            self.collection_style(param, location, pointer, &mut out);
        }
        out.insert("schema".into(), schema);
        // The common 2.0 extension for what 3.0 has a field for.
        if let Some(example) = param.get("x-example") {
            out.insert("example".into(), example.clone());
        }
        // `required: "true"`, a path parameter not marked required, …: reported here, where the
        // pointer is still the input's.
        let mut out = Value::Object(out);
        repair_parameter(&mut out, pointer, self.file, self.warnings);
        out
    }

    /// [`Self::value_schema`], then repaired: the fields sit on the parameter in 2.0, so the
    /// parameter's pointer is where a repaired field is in the input.
    fn parameter_schema(&mut self, fields: &Map<String, Value>, pointer: &str) -> Value {
        let mut schema = self.value_schema(fields, pointer);
        repair_schema(&mut schema, pointer, self.file, self.warnings);
        schema
    }

    /// The schema of a 2.0 parameter, header or items object: its value fields, with `items`
    /// converted recursively and `type: file` read as a binary string. Fields that do not apply
    /// to the type (generators put `uniqueItems: false` on every parameter) are left out.
    fn value_schema(&mut self, fields: &Map<String, Value>, pointer: &str) -> Value {
        let mut schema = Map::new();
        for field in PARAMETER_SCHEMA_FIELDS {
            let Some(value) = fields.get(field) else {
                continue;
            };
            let value = match (field, value) {
                ("items", Value::Object(items)) => {
                    let at = pointer_join(pointer, "items");
                    if items.contains_key("collectionFormat") {
                        self.warn(&pointer_join(&at, "collectionFormat"), "a `collectionFormat` inside `items` (nested arrays) cannot be expressed in OpenAPI 3.0; ignored it", "flatten the parameter to one array");
                    }
                    self.value_schema(items, &at)
                }
                _ => value.clone(),
            };
            schema.insert(field.into(), value);
        }
        if let Some(Value::String(reference)) = fields.get("$ref") {
            schema.insert("$ref".into(), json!(self.rewrite_ref(reference)));
        }
        if fields.get("x-nullable") == Some(&Value::Bool(true)) {
            schema.insert("nullable".into(), json!(true));
        }
        if schema.get("type").is_some_and(|t| t == "file") {
            schema.insert("type".into(), json!("string"));
            schema.insert("format".into(), json!("binary"));
        }
        if !schema.contains_key("type") && !schema.contains_key("$ref") {
            self.warn(
                pointer,
                "a parameter needs a `type`; assumed `type: string`",
                "add the type of the value",
            );
            schema.shift_insert(0, "type".into(), json!("string"));
        }
        for keyword in inapplicable_keywords(&schema) {
            schema.shift_remove(keyword);
        }
        Value::Object(schema)
    }

    /// `collectionFormat` (csv by default) → `style`/`explode` for the parameter's location.
    fn collection_style(
        &mut self,
        param: &Map<String, Value>,
        location: &str,
        pointer: &str,
        out: &mut Map<String, Value>,
    ) {
        let format = param
            .get("collectionFormat")
            .and_then(Value::as_str)
            .unwrap_or("csv");
        let at = pointer_join(pointer, "collectionFormat");
        let format = if format == "tsv" {
            self.warn(
                &at,
                "`collectionFormat: tsv` has no OpenAPI 3.0 form; treated as csv (comma-separated)",
                "use csv, ssv, pipes or multi",
            );
            "csv"
        } else {
            format
        };
        let (style, explode) = match (location, format) {
            ("query", "csv") => ("form", false),
            ("query", "ssv") => ("spaceDelimited", false),
            ("query", "pipes") => ("pipeDelimited", false),
            ("query", "multi") => ("form", true),
            (_, "csv") => ("simple", false),
            (_, other) => {
                self.warn(&at, format!("`collectionFormat: {other}` is not possible for a {location} parameter in OpenAPI 3.0; treated as csv"), "use csv for path and header arrays");
                ("simple", false)
            }
        };
        out.insert("style".into(), json!(style));
        if location == "query" {
            out.insert("explode".into(), json!(explode));
        }
    }

    // -----------------------------------------------------------------------------------------
    // Request bodies
    // -----------------------------------------------------------------------------------------

    /// The operation's request body: its own body parameter, else its form fields (with the path
    /// item's), else the path item's body, else the path item's form fields.
    fn request_body(
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
    fn body_from_param(
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

    fn global_consumes(&self) -> Vec<String> {
        match &self.consumes {
            Some(list) if !list.is_empty() => list.clone(),
            _ => vec![JSON.to_owned()],
        }
    }

    /// A Request Body object from a body parameter, one media type per `consumes` entry.
    fn body(&mut self, param: &Map<String, Value>, pointer: &str, consumes: &[String]) -> Value {
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
    fn form_body(&mut self, fields: &[(&Map<String, Value>, &str)], consumes: &[String]) -> Value {
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

    fn responses(&mut self, responses: &Value, pointer: &str, produces: &[String]) -> Value {
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

    fn response(&mut self, response: &Value, pointer: &str, produces: &[String]) -> Value {
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
    fn header(&mut self, header: &Value, pointer: &str) -> Value {
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

    // -----------------------------------------------------------------------------------------
    // Components
    // -----------------------------------------------------------------------------------------

    fn components(&mut self) -> Map<String, Value> {
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
    fn component_parameters(
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

    fn security_scheme(&mut self, scheme: &Value, pointer: &str) -> Value {
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
    fn oauth2_flows(&mut self, map: &Map<String, Value>, pointer: &str) -> Value {
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
    fn schema(&mut self, schema: &Value, pointer: &str) -> Value {
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

    fn rewrite_ref(&self, reference: &str) -> String {
        rewrite_ref(reference, &self.body_components)
    }
}

/// The `name` of the first body parameter among `params`.
fn body_param_name(params: &[Param]) -> Option<String> {
    params.iter().find_map(|p| match p {
        Param::Body { param, .. } => param.get("name").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    })
}

/// Rewrites a 2.0 reference to its 3.0 place (`#/definitions/X` → `#/components/schemas/X`, …);
/// the file part of a reference to another document is kept.
fn rewrite_ref(reference: &str, body_components: &HashSet<String>) -> String {
    let Some((document, fragment)) = reference.split_once('#') else {
        return reference.to_owned();
    };
    let rewritten = if let Some(rest) = fragment.strip_prefix("/definitions/") {
        format!("/components/schemas/{rest}")
    } else if let Some(rest) = fragment.strip_prefix("/responses/") {
        format!("/components/responses/{rest}")
    } else if let Some(rest) = fragment.strip_prefix("/parameters/") {
        let name = crate::error::pointer_unescape(&super::refs::decode_fragment(
            rest.split('/').next().unwrap_or(rest),
        ));
        let section = if body_components.contains(&name) {
            "requestBodies"
        } else {
            "parameters"
        };
        format!("/components/{section}/{rest}")
    } else {
        fragment.to_owned()
    };
    format!("{document}#{rewritten}")
}

/// The form fields of an operation: the path item's, overridden by the operation's own (by name).
fn merge_form_fields<'p>(
    shared: &'p [Param],
    own: &'p [Param],
) -> Vec<(&'p Map<String, Value>, &'p str)> {
    let mut fields: Vec<(&Map<String, Value>, &str)> = Vec::new();
    for param in shared.iter().chain(own) {
        if let Param::Form { param, pointer } = param {
            let name = param.get("name");
            fields.retain(|(existing, _)| existing.get("name") != name);
            fields.push((param, pointer.as_str()));
        }
    }
    fields
}

/// The names of `#/parameters` entries that match `predicate`.
fn component_names(
    input: &Map<String, Value>,
    predicate: impl Fn(&Value) -> bool,
) -> HashSet<String> {
    input
        .get("parameters")
        .and_then(Value::as_object)
        .map(|params| {
            params
                .iter()
                .filter(|(_, p)| predicate(p))
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default()
}

fn param_in(param: &Value) -> &str {
    param.get("in").and_then(Value::as_str).unwrap_or_default()
}

/// A `consumes`/`produces` list; `None` when absent (so the global default applies).
fn media_types(value: Option<&Value>) -> Option<Vec<String>> {
    let list = value?.as_array()?;
    Some(
        list.iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

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
        let mut doc =
            json!({"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}});
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
            out["paths"]["/a"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
                ["schema"]["properties"],
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
}
