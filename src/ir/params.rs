//! Parameters of an operation: path-level and operation-level ones merged, references followed,
//! locations, styles and names worked out.

use serde_json::Value;

use super::model::{ParamLocation, ParamStyle};
use crate::error::{Diagnostic, Location};
use crate::load::refs;

/// A parameter as the spec declares it, before names and types are given.
#[derive(Debug, Clone)]
pub struct SpecParam<'a> {
    /// Where the parameter object lives (after following `$ref`s).
    pub pointer: String,
    pub wire_name: String,
    pub location: ParamLocation,
    pub style: ParamStyle,
    pub explode: bool,
    pub allow_reserved: bool,
    pub required: bool,
    pub deprecated: bool,
    pub description: Option<String>,
    /// The parameter's schema (from `schema`, or from its `content` media type).
    pub schema: &'a Value,
}

/// The parameters of the operation at `op_pointer` under the path item at `path_pointer`:
/// operation-level ones override path-level ones with the same name and location. Parameters that
/// cannot be sent are left out with a warning.
pub fn collect<'a>(
    doc: &'a Value,
    path_item: &'a Value,
    path_pointer: &str,
    operation: &'a Value,
    op_pointer: &str,
    location: &Location,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<SpecParam<'a>> {
    let mut params: Vec<SpecParam<'a>> = Vec::new();
    let sources = [(path_item, path_pointer), (operation, op_pointer)];
    for (owner, owner_pointer) in sources {
        let Some(Value::Array(list)) = owner.get("parameters") else {
            continue;
        };
        for (index, value) in list.iter().enumerate() {
            let pointer = format!("{owner_pointer}/parameters/{index}");
            let here = || Location {
                pointer: pointer.clone(),
                ..location.clone()
            };
            let Some((param, param_pointer)) = refs::follow(doc, value, pointer.clone()) else {
                warnings.push(Diagnostic::new(
                    here(),
                    "parameter reference cannot be followed; parameter left out",
                ));
                continue;
            };
            match spec_param(param, param_pointer) {
                Ok(Some(param)) => {
                    params.retain(|p| {
                        !(p.wire_name == param.wire_name && p.location == param.location)
                    });
                    params.push(param);
                }
                Ok(None) => {}
                Err(message) => warnings.push(Diagnostic::new(here(), message)),
            }
        }
    }
    params
}

/// Reads one parameter object; `Ok(None)` for parameters OpenAPI says to ignore.
fn spec_param(param: &Value, pointer: String) -> Result<Option<SpecParam<'_>>, String> {
    let name = param
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if name.is_empty() {
        return Err("parameter without a name; left out".into());
    }
    let location = match param.get("in").and_then(Value::as_str) {
        Some("path") => ParamLocation::Path,
        Some("query") => ParamLocation::Query,
        Some("header") => ParamLocation::Header,
        Some("cookie") => ParamLocation::Cookie,
        other => {
            return Err(format!(
                "parameter `{name}` has an unknown location {other:?}; left out"
            ));
        }
    };
    if location == ParamLocation::Header
        && ["accept", "content-type", "authorization"].contains(&name.to_ascii_lowercase().as_str())
    {
        // OpenAPI: such header parameters "SHALL be ignored"; media types and security schemes
        // decide these headers.
        return Ok(None);
    }
    if location == ParamLocation::Header && !is_token(name) {
        return Err(format!(
            "header parameter `{name}` is not a valid header name; left out"
        ));
    }
    let style = match param.get("style").and_then(Value::as_str) {
        Some("simple") => ParamStyle::Simple,
        Some("label") => ParamStyle::Label,
        Some("matrix") => ParamStyle::Matrix,
        Some("form") => ParamStyle::Form,
        Some("spaceDelimited") => ParamStyle::SpaceDelimited,
        Some("pipeDelimited") => ParamStyle::PipeDelimited,
        Some("deepObject") => ParamStyle::DeepObject,
        _ => match location {
            ParamLocation::Path | ParamLocation::Header => ParamStyle::Simple,
            ParamLocation::Query | ParamLocation::Cookie => ParamStyle::Form,
        },
    };
    let explode = param
        .get("explode")
        .and_then(Value::as_bool)
        .unwrap_or(style == ParamStyle::Form);
    let schema = match (
        param.get("schema"),
        param.get("content").and_then(Value::as_object),
    ) {
        (Some(schema), _) => schema,
        (None, Some(content)) => content
            .values()
            .find_map(|media| media.get("schema"))
            .unwrap_or(&Value::Bool(true)),
        (None, None) => &Value::Bool(true),
    };
    Ok(Some(SpecParam {
        pointer,
        wire_name: name.to_owned(),
        location,
        style,
        explode,
        allow_reserved: param
            .get("allowReserved")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        required: location == ParamLocation::Path
            || param
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        deprecated: param
            .get("deprecated")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        description: param
            .get("description")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned),
        schema,
    }))
}

/// RFC 9110 `token`: the characters a header name may have.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The `{names}` in a path template, in order.
pub fn template_names(path: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        names.push(&rest[open + 1..open + close]);
        rest = &rest[open + close + 1..];
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn operation_parameters_override_path_parameters() {
        let doc = json!({
            "components": {"parameters": {"limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}}}},
            "paths": {"/pets/{id}": {
                "parameters": [{"name": "id", "in": "path", "schema": {"type": "string"}}, {"$ref": "#/components/parameters/limit"}],
                "get": {"parameters": [
                    {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}},
                    {"name": "Accept", "in": "header", "schema": {"type": "string"}},
                    {"name": "bad name", "in": "header", "schema": {"type": "string"}},
                    {"name": "tags", "in": "query", "style": "pipeDelimited", "schema": {"type": "array"}}
                ]}
            }}
        });
        let item = &doc["paths"]["/pets/{id}"];
        let mut warnings = Vec::new();
        let params = collect(
            &doc,
            item,
            "/paths/~1pets~1{id}",
            &item["get"],
            "/paths/~1pets~1{id}/get",
            &Location::default(),
            &mut warnings,
        );
        let names: Vec<_> = params
            .iter()
            .map(|p| (p.wire_name.as_str(), p.location))
            .collect();
        assert_eq!(
            names,
            [
                ("limit", ParamLocation::Query),
                ("id", ParamLocation::Path),
                ("tags", ParamLocation::Query)
            ]
        );
        assert_eq!(params[0].pointer, "/components/parameters/limit");
        assert_eq!(params[1].schema, &json!({"type": "integer"}));
        assert!(
            params[0].explode && !params[2].explode,
            "form explodes by default, other styles do not"
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(
            warnings[0].location.pointer,
            "/paths/~1pets~1{id}/get/parameters/2"
        );
    }

    #[test]
    fn template_names_in_order() {
        assert_eq!(template_names("/a/{x}/b/{y}.json"), ["x", "y"]);
        assert_eq!(template_names("/a/{unclosed"), Vec::<&str>::new());
    }
}
