//! Servers (`host`, `basePath`, `schemes`), path items and operations.

use serde_json::{Map, Value, json};

use super::converter::{Converter, JSON, Param, body_param_name, media_types};
use crate::error::pointer_join;
use crate::load::openapi::SWAGGER2_METHODS;

impl Converter<'_> {
    /// One server per scheme from `host` and `basePath`; a relative server when there is no host.
    pub(super) fn servers(&mut self, schemes: Option<&Value>, pointer: &str) -> Vec<Value> {
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

    pub(super) fn paths(&mut self, paths: &Value) -> Value {
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

    pub(super) fn path_item(&mut self, item: &Value, pointer: &str) -> Value {
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
    pub(super) fn operation(
        &mut self,
        operation: &Value,
        pointer: &str,
        shared: &[Param],
    ) -> Value {
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
}
