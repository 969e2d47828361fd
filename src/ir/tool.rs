//! Assembling one tool from one operation: its name, description, parameters and body (with
//! their argument names, schemas and Rust types), its input and output schemas, and its security.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::{Map, Value, json};

use super::build::Builder;
use super::media::{self, SpecBody};
use super::model::{
    Annotations, Body, BodyKind, Output, Param, ParamLocation, ParamStyle, Tool, ToolRustNames,
    ToolSchema,
};
use super::operations::OperationRef;
use super::params::{self, SpecParam};
use super::rust_types::RustType;
use super::schema::{Defs, Mode};
use super::security;
use crate::error::{Diagnostic, Location};
use crate::load::refs;
use crate::naming::{self, Namer};

impl<'a> Builder<'a> {
    pub(super) fn tool(&mut self, op: &OperationRef<'a>) -> Tool {
        let label = format!("{} {}", op.method.as_str(), op.path);
        let location = Location::new(self.file, op.pointer.clone()).with_operation(&label);
        let text = |key: &str| {
            op.operation
                .get(key)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let operation_id = text("operationId").map(str::to_owned);
        let name = match self.fixed_names.get(label.as_str()) {
            Some(name) => name.clone(),
            None => self.tool_names.name(&naming::tool_name_base(
                operation_id.as_deref(),
                op.method.as_str(),
                &op.path,
            )),
        };
        let summary = text("summary");
        let deprecated = op
            .operation
            .get("deprecated")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let description = match self.fixed_descriptions.get(label.as_str()) {
            Some(chosen) => chosen.clone(),
            None => description(summary, text("description"), &label, deprecated),
        };
        let tags: Vec<String> = op
            .operation
            .get("tags")
            .and_then(Value::as_array)
            .map(|tags| {
                tags.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let module = tags
            .first()
            .map_or_else(|| "other".to_owned(), |tag| naming::module_ident(tag));

        let mut spec_params = params::collect(
            self.doc,
            op.path_item,
            &op.path_pointer,
            op.operation,
            &op.pointer,
            &location,
            &mut self.warnings,
        );
        self.reconcile_path_params(&op.path, &mut spec_params, &location);
        let spec_body = media::request_body(self.doc, op.operation, &op.pointer);
        let body_schema = spec_body.as_ref().map(|b| b.schema);

        let mut defs = Defs::default();
        let mut body_defs = Defs::default();
        let (params, mut body) = self.arguments(&spec_params, spec_body, &mut defs, &mut body_defs);
        let body_location = Location {
            pointer: crate::error::pointer_join(&op.pointer, "requestBody"),
            ..location.clone()
        };
        let flat = self.flatten(
            &params,
            body.as_mut(),
            body_schema,
            &mut defs,
            &body_location,
        );
        if flat.is_none() {
            defs.extend(body_defs);
        }
        let input_schema = self.input_schema(&params, body.as_ref(), flat, &defs);

        let success = media::success(self.doc, op.operation, &op.pointer);
        let output = success.json_schema.map(|schema| self.output(schema));
        let accept = (!success.media_types.is_empty()).then(|| success.media_types.join(", "));

        let security_list = op
            .operation
            .get("security")
            .and_then(|s| serde_json::from_value(s.clone()).ok());
        let rust = ToolRustNames {
            args_type: self
                .args_types
                .unique(&format!("{}Args", naming::pascal_ident(&name)), ""),
            static_name: self.statics.unique(&naming::shouty_ident(&name), "_"),
            build_fn: self.build_fns.unique(&naming::snake_ident(&name), "_"),
        };
        Tool {
            name,
            operation_id,
            method: op.method,
            path: op.path.to_owned(),
            title: summary.map(str::to_owned),
            description,
            module,
            tags,
            deprecated,
            params,
            body,
            input_schema,
            output,
            accept,
            security: security::requirements(security_list.as_ref(), self.global_security),
            scopes: Vec::new(),
            annotations: Annotations::for_method(op.method),
            rust,
            label,
            listed: true,
        }
    }

    /// Path parameters must match the template: undeclared template names become required string
    /// parameters, declared parameters missing from the template are dropped (both with warnings).
    fn reconcile_path_params(
        &mut self,
        path: &str,
        spec_params: &mut Vec<SpecParam<'a>>,
        location: &Location,
    ) {
        let names = params::template_names(path);
        spec_params.retain(|p| {
            let keep = p.location != ParamLocation::Path || names.contains(&p.wire_name.as_str());
            if !keep {
                self.warnings.push(Diagnostic::new(
                    Location {
                        pointer: p.pointer.clone(),
                        ..location.clone()
                    },
                    format!(
                        "path parameter `{}` does not appear in the path template; left out",
                        p.wire_name
                    ),
                ));
            }
            keep
        });
        for name in names {
            if !spec_params
                .iter()
                .any(|p| p.location == ParamLocation::Path && p.wire_name == name)
            {
                self.warnings.push(
                    Diagnostic::new(location.clone(), format!("path parameter `{name}` is used in the path but not declared; taken as a required string"))
                        .hint("declare it under `parameters` with `in: path`"),
                );
                spec_params.push(SpecParam {
                    pointer: location.pointer.clone(),
                    wire_name: name.to_owned(),
                    location: ParamLocation::Path,
                    style: ParamStyle::Simple,
                    explode: false,
                    allow_reserved: false,
                    required: true,
                    deprecated: false,
                    description: None,
                    schema: &STRING_SCHEMA,
                });
            }
        }
    }

    /// Names, schemas and types of the tool's arguments. Parameters keep their wire names where
    /// they can; when two locations share a name, the later location's argument is prefixed with
    /// it (`query_id`). Locations are named in the order path, query, header, cookie.
    fn arguments(
        &mut self,
        spec_params: &[SpecParam<'_>],
        spec_body: Option<SpecBody<'_>>,
        defs: &mut Defs,
        body_defs: &mut Defs,
    ) -> (Vec<Param>, Option<Body>) {
        let mut arg_names = Namer::new();
        let mut fields = Namer::new();
        let mut ordered: Vec<&SpecParam<'_>> = spec_params.iter().collect();
        ordered.sort_by_key(|p| p.location);
        let mut names: HashMap<(ParamLocation, &str), String> = HashMap::new();
        for p in &ordered {
            let base = naming::argument_base(&p.wire_name);
            let name = if arg_names.is_taken(&base) {
                arg_names.unique(
                    &naming::argument_base(&format!("{}_{}", p.location.as_str(), p.wire_name)),
                    "_",
                )
            } else {
                arg_names.unique(&base, "_")
            };
            names.insert((p.location, p.wire_name.as_str()), name);
        }
        let params = spec_params
            .iter()
            .map(|p| {
                let arg_name = names[&(p.location, p.wire_name.as_str())].clone();
                let mut schema = self.converter.convert(p.schema, Mode::Input, defs);
                annotate(&mut schema, p.description.as_deref(), p.deprecated);
                Param {
                    field: fields.unique(&naming::snake_ident(&arg_name), "_"),
                    arg_name,
                    wire_name: p.wire_name.clone(),
                    location: p.location,
                    style: p.style,
                    explode: p.explode,
                    allow_reserved: p.allow_reserved,
                    required: p.required,
                    description: p.description.clone(),
                    schema,
                    ty: self.types.type_of(self.doc, p.schema),
                }
            })
            .collect();
        let body = spec_body.map(|b| {
            // Swagger 2.0 named its body parameter; converters keep that name in
            // `x-codegen-request-body-name`, and it reads better than `body` (`book`, `order`).
            let preferred = b
                .name
                .as_deref()
                .map(naming::argument_base)
                .filter(|n| !arg_names.is_taken(n));
            let arg_name = preferred
                .or_else(|| {
                    ["body", "request_body"]
                        .into_iter()
                        .find(|n| !arg_names.is_taken(n))
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| "body".to_owned());
            let arg_name = arg_names.unique(&arg_name, "_");
            let mut schema = match b.kind {
                BodyKind::Binary => {
                    let mut schema = file_schema();
                    schema["description"] = json!(format!(
                        "The `{}` body: its bytes base64-encoded, or a local file.",
                        b.media_type
                    ));
                    schema
                }
                _ => self.converter.convert(b.schema, Mode::Input, body_defs),
            };
            let description = b.description.clone();
            annotate(&mut schema, description.as_deref(), false);
            let binary_fields = if b.kind == BodyKind::Multipart {
                binary_fields(self.doc, b.schema)
            } else {
                Vec::new()
            };
            Body {
                field: fields.unique(&naming::snake_ident(&arg_name), "_"),
                arg_name,
                flat: false,
                // File content may be base64 text or `{"path": …}`: only `Value` holds both.
                ty: if b.kind == BodyKind::Binary || !binary_fields.is_empty() {
                    RustType::Value
                } else {
                    self.types.type_of(self.doc, b.schema)
                },
                media_type: b.media_type,
                kind: b.kind,
                required: b.required,
                description,
                schema,
                binary_fields,
            }
        });
        (params, body)
    }

    /// The tool's input schema: an object with one property per argument, or the root of a flat
    /// body (`flat`, from [`Builder::flatten`]).
    fn input_schema(
        &mut self,
        params: &[Param],
        body: Option<&Body>,
        flat: Option<Value>,
        defs: &Defs,
    ) -> ToolSchema {
        if let Some(root) = flat {
            let mut schema = self.converter.finish(root, Mode::Input, defs);
            schema.arguments = true;
            return schema;
        }
        let mut properties = Map::new();
        let mut required = Vec::new();
        for (name, schema, is_required) in params
            .iter()
            .map(|p| (&p.arg_name, &p.schema, p.required))
            .chain(body.map(|b| (&b.arg_name, &b.schema, b.required)))
        {
            properties.insert(name.clone(), schema.clone());
            if is_required {
                required.push(Value::String(name.clone()));
            }
        }
        // Stored without the dialect and `additionalProperties: false`, which every input schema
        // has and assembly adds (`schema_defs::arguments_root`).
        let mut root = json!({"type": "object", "properties": properties});
        if !required.is_empty() {
            root["required"] = Value::Array(required);
        }
        let mut schema = self.converter.finish(root, Mode::Input, defs);
        schema.arguments = true;
        // File fields of a multipart body take base64 or a path: say so where the body's schema
        // is (inline, or a shared definition, which then gets a variant of its own).
        if let Some(body) = body.filter(|b| !b.binary_fields.is_empty()) {
            let target = schema.root["properties"][&body.arg_name]["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/$defs/"))
                .map(str::to_owned);
            let shared = target.and_then(|name| {
                schema.defs.iter().position(|&id| {
                    self.converter
                        .shared(id)
                        .is_some_and(|def| def.name == name)
                })
            });
            match shared {
                Some(at) => {
                    let Some(def) = self.converter.shared(schema.defs[at]) else {
                        return schema;
                    };
                    let (name, mut marked) = (def.name.clone(), def.body.clone());
                    mark_base64(&mut marked, &body.binary_fields);
                    schema.defs[at] = self.converter.intern(name, marked);
                }
                None => mark_base64(
                    &mut schema.root["properties"][&body.arg_name],
                    &body.binary_fields,
                ),
            }
        }
        schema
    }

    /// The output schema of a JSON success body; non-object roots are wrapped.
    fn output(&mut self, schema: &Value) -> Output {
        let mut defs = Defs::default();
        let converted = self.converter.convert(schema, Mode::Output, &mut defs);
        let wrapped = !media::is_object_schema(self.doc, schema);
        let root = if wrapped {
            json!({"type": "object", "properties": {"result": converted}, "required": ["result"]})
        } else {
            converted
        };
        // A root without a `type` (an `allOf` of objects, a `$ref`) gets `"type": "object"` when it
        // is assembled: the root of an output schema must say it is an object.
        let schema = self.converter.finish(root, Mode::Output, &defs);
        Output { schema, wrapped }
    }
}

/// The schema of a path parameter the spec forgot to declare.
static STRING_SCHEMA: LazyLock<Value> = LazyLock::new(|| json!({"type": "string"}));

/// The properties of a multipart body schema that hold files (`format: binary`, or arrays of them).
fn binary_fields(doc: &Value, schema: &Value) -> Vec<String> {
    let Some((schema, _)) = refs::follow(doc, schema, String::new()) else {
        return Vec::new();
    };
    let is_binary = |s: &Value| {
        let s = refs::follow(doc, s, String::new()).map_or(s, |(s, _)| s);
        s.get("format").and_then(Value::as_str) == Some("binary")
            || s.get("items")
                .and_then(|i| i.get("format"))
                .and_then(Value::as_str)
                == Some("binary")
    };
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .filter(|(_, p)| is_binary(p))
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// Tells callers that file fields of a multipart body take base64 content.
fn mark_base64(schema: &mut Value, fields: &[String]) {
    for field in fields {
        let Some(prop) = schema
            .get_mut("properties")
            .and_then(|p| p.get_mut(field.as_str()))
        else {
            continue;
        };
        let target = if prop.get("type").and_then(Value::as_str) == Some("array") {
            prop.get_mut("items")
        } else {
            Some(prop)
        };
        if let Some(target) = target {
            let description = target.get("description").cloned();
            *target = file_schema();
            if let Some(description) = description {
                target["description"] = description;
            }
        }
    }
}

/// A file argument: its bytes base64-encoded, or `{"path": …}` naming a file in a directory the
/// server's operator allows (`MCP_FILE_ROOTS`).
fn file_schema() -> Value {
    json!({
        "description": "The file: its bytes base64-encoded, or {\"path\": …} naming a file the server may read.",
        "anyOf": [
            {"type": "string", "contentEncoding": "base64"},
            {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"], "additionalProperties": false}
        ]
    })
}

/// Adds a parameter's own description and deprecation to its schema.
fn annotate(schema: &mut Value, description: Option<&str>, deprecated: bool) {
    let Value::Object(map) = schema else { return };
    if let Some(description) = description {
        map.insert("description".into(), Value::String(description.to_owned()));
    }
    if deprecated {
        map.insert("deprecated".into(), Value::Bool(true));
    }
}

/// Summary and description, trimmed and never empty.
fn description(
    summary: Option<&str>,
    description: Option<&str>,
    label: &str,
    deprecated: bool,
) -> String {
    let text = match (summary, description) {
        (Some(s), Some(d)) if d.starts_with(s) => d.to_owned(),
        (Some(s), Some(d)) => format!("{s}\n\n{d}"),
        (Some(s), None) => s.to_owned(),
        (None, Some(d)) => d.to_owned(),
        (None, None) => label.to_owned(),
    };
    if deprecated {
        format!("Deprecated. {text}")
    } else {
        text
    }
}
