//! The conversion pass: the converter with its inputs and warnings, how parameters sort into
//! what they become in 3.0, and the helpers every part of the conversion uses.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use crate::error::{Diagnostic, Location};

pub(super) const JSON: &str = "application/json";
pub(super) const MULTIPART: &str = "multipart/form-data";
pub(super) const URLENCODED: &str = "application/x-www-form-urlencoded";

/// A parameter, sorted by what it becomes in 3.0.
pub(super) enum Param {
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

pub(super) struct Converter<'a> {
    pub(super) input: &'a Map<String, Value>,
    pub(super) file: &'a str,
    pub(super) warnings: &'a mut Vec<Diagnostic>,
    /// Global `consumes`/`produces`, when given.
    pub(super) consumes: Option<Vec<String>>,
    pub(super) produces: Option<Vec<String>>,
    /// Names of `#/parameters/X` that are body parameters (they become request bodies).
    pub(super) body_components: HashSet<String>,
}
impl Converter<'_> {
    pub(super) fn warn(&mut self, pointer: &str, message: impl Into<String>, hint: &str) {
        self.warnings
            .push(Diagnostic::new(Location::new(self.file, pointer), message).hint(hint));
    }

    pub(super) fn document(&mut self) -> Value {
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
}

/// The `name` of the first body parameter among `params`.
pub(super) fn body_param_name(params: &[Param]) -> Option<String> {
    params.iter().find_map(|p| match p {
        Param::Body { param, .. } => param.get("name").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    })
}

/// Rewrites a 2.0 reference to its 3.0 place (`#/definitions/X` → `#/components/schemas/X`, …);
/// the file part of a reference to another document is kept.
pub(super) fn rewrite_ref(reference: &str, body_components: &HashSet<String>) -> String {
    let Some((document, fragment)) = reference.split_once('#') else {
        return reference.to_owned();
    };
    let rewritten = if let Some(rest) = fragment.strip_prefix("/definitions/") {
        format!("/components/schemas/{rest}")
    } else if let Some(rest) = fragment.strip_prefix("/responses/") {
        format!("/components/responses/{rest}")
    } else if let Some(rest) = fragment.strip_prefix("/parameters/") {
        let name = crate::error::pointer_unescape(&crate::load::refs::decode_fragment(
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
pub(super) fn merge_form_fields<'p>(
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
pub(super) fn component_names(
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

pub(super) fn param_in(param: &Value) -> &str {
    param.get("in").and_then(Value::as_str).unwrap_or_default()
}

/// A `consumes`/`produces` list; `None` when absent (so the global default applies).
pub(super) fn media_types(value: Option<&Value>) -> Option<Vec<String>> {
    let list = value?.as_array()?;
    Some(
        list.iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
    )
}
