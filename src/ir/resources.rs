//! `GET` operations offered as MCP resources (`--resource`, `--resource-only`, `[resources]`):
//! which operations the user's entries name, their URI templates (given, or made from the path
//! template), and how each template variable fills the operation's arguments. Reading a resource
//! is then a call of the operation (the runtime's `resources`).

use std::collections::HashSet;

use serde_json::Value;

use super::filter::glob;
use super::model::{
    Api, Method, Param, ParamLocation, Resource, ResourceUri, UriVariable, ValueKind,
};
use super::rust_types::{NamedTypeKind, RustType};
use crate::error::{Diagnostic, Location, pointer_join};
use crate::options::{ResourceChoice, ResourceChoices};

// The runtime's own parser: the templates users give are checked as the server will read them.
// (Matching URIs is the server's part, unused here.)
#[allow(dead_code)]
#[path = "../../templates/runtime/src/uri_template.rs"]
mod uri_template;
use uri_template::UriTemplate;

/// The most values a variable offers for completion (MCP returns at most 100 per request).
const MAX_COMPLETIONS: usize = 100;

/// Finds the operations `choices` name, checks each can be a resource, and records them in
/// `api.resources` (marking resource-only tools as not listed). An entry that names an operation
/// that cannot be one is an error; an entry that matches nothing is a warning.
pub fn attach(api: &mut Api, choices: &ResourceChoices, file: &str) -> Result<(), Diagnostic> {
    if choices.entries.is_empty() {
        return Ok(());
    }
    let mut used: HashSet<&str> = HashSet::new();
    let mut resources = Vec::new();
    let mut seen_uris: Vec<(String, String)> = Vec::new();
    for (index, tool) in api.tools.iter().enumerate() {
        let keys = [
            tool.operation_id.as_deref(),
            Some(&tool.name),
            Some(&tool.label),
        ];
        // An entry that names the operation wins over a wildcard; wildcards in the given order.
        let exact = choices
            .entries
            .iter()
            .find(|(key, _)| keys.contains(&Some(key.as_str())));
        let (key, choice, explicit) = match exact {
            Some((key, choice)) => (key, choice, true),
            None => match choices.entries.iter().find(|(key, _)| {
                key.contains('*')
                    && [tool.operation_id.as_deref(), Some(&tool.name)]
                        .into_iter()
                        .flatten()
                        .any(|text| glob(key, text))
            }) {
                Some((key, choice)) => (key, choice, false),
                None => continue,
            },
        };
        used.insert(key.as_str());
        if !choice.on {
            continue;
        }
        let location = Location {
            operation: Some(tool.label.clone()),
            ..Location::new(
                file,
                pointer_join(
                    &pointer_join("/paths", &tool.path),
                    &tool.method.as_str().to_ascii_lowercase(),
                ),
            )
        };
        let problem = |message: String, hint: &str| {
            Diagnostic::new(location.clone(), message).hint(hint.to_owned())
        };
        if tool.method != Method::Get {
            // A wildcard such as `*` means "the reads among these".
            if !explicit {
                continue;
            }
            return Err(problem(
                format!(
                    "`{key}` names {}, which cannot be a resource: only GET operations are read as resources",
                    tool.label
                ),
                "keep it a tool: a resource is data a client reads, a tool an action",
            ));
        }
        if choice.uri.is_some() && !explicit {
            return Err(problem(
                format!("`{key}` matches several operations but gives one URI template"),
                "give each operation its own entry with its template, or leave the URI out for the default",
            ));
        }
        let resource = match resource(api, index, choice) {
            Ok(resource) => resource,
            // A wildcard passes over the operations it cannot read; a named one is an error.
            Err(_) if !explicit => continue,
            Err((message, hint)) => {
                return Err(problem(format!("resource `{key}`: {message}"), &hint));
            }
        };
        // Two templates that differ only in their variables' names match the same URIs.
        let identity = match &resource.uri {
            ResourceUri::Given(template) => shape(template),
            ResourceUri::Default(path) => format!("//{}", shape(path)),
        };
        if let Some((_, other)) = seen_uris.iter().find(|(uri, _)| *uri == identity) {
            return Err(problem(
                format!(
                    "{} and {other} would both be the resource `{identity}`",
                    tool.label
                ),
                "give one of them its own URI template (OPERATION=URI-TEMPLATE)",
            ));
        }
        seen_uris.push((identity, tool.label.clone()));
        resources.push(resource);
    }
    for key in choices.entries.keys() {
        if !used.contains(key.as_str()) {
            let candidates: Vec<&str> = api
                .tools
                .iter()
                .flat_map(|t| [t.operation_id.as_deref(), Some(&t.name), Some(&t.label)])
                .flatten()
                .collect();
            let diagnostic = Diagnostic::new(
                Location::new(file, "/paths"),
                format!("resource settings for `{key}` match no operation"),
            );
            api.warnings.push(
                match crate::suggest::closest(key, candidates.iter().copied()) {
                    Some(close) => diagnostic.hint(format!("did you mean `{close}`?")),
                    None => diagnostic.hint(
                        "name operations by operationId, tool name or `METHOD /path` (see `mcpwright inspect`)",
                    ),
                },
            );
        }
    }
    for resource in &resources {
        if !resource.also_tool {
            api.tools[resource.tool].listed = false;
        }
    }
    api.resources = resources;
    Ok(())
}

/// The resource for tool `index`, or what stops it being one (the message and a hint).
fn resource(
    api: &Api,
    index: usize,
    choice: &ResourceChoice,
) -> Result<Resource, (String, String)> {
    let tool = &api.tools[index];
    if let Some(body) = tool.body.as_ref().filter(|b| b.required) {
        return Err((
            format!(
                "it needs a request body (`{}`), which a URI cannot carry",
                body.arg_name
            ),
            "keep it a tool".to_owned(),
        ));
    }
    if let Some(param) = tool
        .params
        .iter()
        .find(|p| p.required && matches!(p.location, ParamLocation::Header | ParamLocation::Cookie))
    {
        return Err((
            format!(
                "it needs the {} parameter `{}`, which a URI cannot carry",
                param.location.as_str(),
                param.wire_name
            ),
            "keep it a tool, or give the parameter a default in the spec".to_owned(),
        ));
    }
    let in_uri: Vec<&Param> = tool
        .params
        .iter()
        .filter(|p| matches!(p.location, ParamLocation::Path | ParamLocation::Query))
        .collect();
    let mut names = crate::naming::Namer::new();
    let default_names: Vec<String> = in_uri
        .iter()
        .map(|p| names.unique(&variable_name(&p.arg_name), "_"))
        .collect();
    let (uri, template_text, variable_of): (ResourceUri, String, Vec<Option<String>>) =
        match &choice.uri {
            None => {
                let path = default_path(&tool.path, &in_uri, &default_names);
                // Checked with a stand-in scheme: the crate's name is a valid one.
                let text = format!("x://{path}");
                let names = default_names.into_iter().map(Some).collect();
                (ResourceUri::Default(path), text, names)
            }
            Some(given) => {
                let template = UriTemplate::parse(given).map_err(|err| {
                    (
                        format!("`{given}` is not a usable URI template: {err}"),
                        "write it like `myapi://pets/{petId}{?limit}`".to_owned(),
                    )
                })?;
                let variables = template.variables();
                let mut variable_of = vec![None; in_uri.len()];
                for variable in &variables {
                    let found = in_uri.iter().zip(&default_names).position(|(p, default)| {
                        p.wire_name == *variable || p.arg_name == *variable || default == variable
                    });
                    let Some(at) = found else {
                        let candidates = in_uri.iter().map(|p| p.wire_name.as_str());
                        let hint = match crate::suggest::closest(variable, candidates) {
                            Some(close) => format!("did you mean `{close}`?"),
                            None => {
                                "each variable names a path or query parameter of the operation"
                                    .to_owned()
                            }
                        };
                        return Err((
                            format!(
                                "`{given}` has the variable `{variable}`, which is not a path or query parameter of the operation"
                            ),
                            hint,
                        ));
                    };
                    if let Some(earlier) = &variable_of[at] {
                        return Err((
                            format!(
                                "`{given}` has both `{{{earlier}}}` and `{{{variable}}}` for the parameter `{}`",
                                in_uri[at].wire_name
                            ),
                            "give each parameter one variable".to_owned(),
                        ));
                    }
                    variable_of[at] = Some((*variable).to_owned());
                }
                if let Some(missing) = in_uri
                    .iter()
                    .zip(&variable_of)
                    .find(|(p, v)| v.is_none() && (p.required || p.location == ParamLocation::Path))
                {
                    return Err((
                        format!(
                            "`{given}` has no variable for the required {} parameter `{}`",
                            missing.0.location.as_str(),
                            missing.0.wire_name
                        ),
                        format!("add `{{{}}}` to the template", missing.0.wire_name),
                    ));
                }
                (
                    ResourceUri::Given(given.clone()),
                    given.clone(),
                    variable_of,
                )
            }
        };
    if let Err(err) = UriTemplate::parse(&template_text) {
        return Err((
            format!(
                "its path `{}` does not make a URI template: {err}",
                tool.path
            ),
            "give it a URI template of your own (OPERATION=URI-TEMPLATE)".to_owned(),
        ));
    }
    let variables = in_uri
        .iter()
        .zip(variable_of)
        .filter_map(|(param, name)| Some((param, name?)))
        .map(|(param, name)| {
            let (mut kind, list) = kind_of(api, &param.ty);
            // An untyped argument (`anyOf` of strings, say) is read as JSON, unless every value
            // its schema admits is a string: then `123` in a URI stays the string "123".
            if kind == ValueKind::Json && only_strings(api, index, &param.schema, 0) {
                kind = ValueKind::String;
            }
            UriVariable {
                name,
                argument: param.arg_name.clone(),
                kind,
                list,
                completions: completions(api, index, &param.schema),
            }
        })
        .collect();
    let mime_type = tool
        .accept
        .as_deref()
        .filter(|accept| !accept.contains(','))
        .map(str::to_owned);
    Ok(Resource {
        tool: index,
        uri,
        variables,
        mime_type,
        also_tool: choice.tool,
    })
}

/// The default template's part after `<scheme>://`: the path template without its leading `/`,
/// its parameters renamed to template variables, then the query parameters as `{?…}`.
fn default_path(path: &str, in_uri: &[&Param], names: &[String]) -> String {
    let mut out = path.trim_start_matches('/').to_owned();
    let mut query = Vec::new();
    for (param, name) in in_uri.iter().zip(names) {
        match param.location {
            ParamLocation::Path => {
                out = out.replace(&format!("{{{}}}", param.wire_name), &format!("{{{name}}}"));
            }
            _ => query.push(name.as_str()),
        }
    }
    if !query.is_empty() {
        out.push_str(&format!("{{?{}}}", query.join(",")));
    }
    out
}

/// A template with each expression's variable names left out (`x://a/{id}{?q}` →
/// `x://a/{}{?}`): two templates of one shape match the same URIs.
fn shape(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut inside = false;
    for c in template.chars() {
        match c {
            '{' => {
                inside = true;
                out.push('{');
            }
            '}' => {
                inside = false;
                out.push('}');
            }
            '?' | '+' if inside => out.push(c),
            _ if inside => {}
            _ => out.push(c),
        }
    }
    out
}

/// An RFC 6570 variable name for an argument: characters other than letters, digits and `_`
/// become `_`.
fn variable_name(argument: &str) -> String {
    let name: String = argument
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if name.is_empty() {
        "value".to_owned()
    } else {
        name
    }
}

/// How the runtime reads a variable's text for an argument of type `ty`, and whether it is a list.
fn kind_of(api: &Api, ty: &RustType) -> (ValueKind, bool) {
    match ty {
        RustType::String => (ValueKind::String, false),
        RustType::Integer => (ValueKind::Integer, false),
        RustType::Number => (ValueKind::Number, false),
        RustType::Boolean => (ValueKind::Boolean, false),
        RustType::Vec(item) => (kind_of(api, item).0, true),
        RustType::Named(at) => match api.types.types.get(*at).map(|t| &t.kind) {
            Some(NamedTypeKind::Enum { .. }) => (ValueKind::String, false),
            _ => (ValueKind::Json, false),
        },
        RustType::Value | RustType::Map(_) | RustType::Option(_) => (ValueKind::Json, false),
    }
}

/// Whether every value `schema` admits is a string (`type: string`, a string `enum` or `const`,
/// alternatives that all are, or a conjunction with one that is).
fn only_strings(api: &Api, tool: usize, schema: &Value, depth: usize) -> bool {
    if depth > 16 {
        return false;
    }
    let schema = resolve(api, tool, schema);
    if schema.get("type").and_then(Value::as_str) == Some("string") {
        return true;
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return !values.is_empty() && values.iter().all(Value::is_string);
    }
    if let Some(value) = schema.get("const") {
        return value.is_string();
    }
    let branches = |key: &str| schema.get(key).and_then(Value::as_array);
    if let Some(all) = branches("allOf")
        && all.iter().any(|b| only_strings(api, tool, b, depth + 1))
    {
        return true;
    }
    ["anyOf", "oneOf"].iter().any(|key| {
        branches(key).is_some_and(|alternatives| {
            !alternatives.is_empty()
                && alternatives
                    .iter()
                    .all(|b| only_strings(api, tool, b, depth + 1))
        })
    })
}

/// The values to offer for a parameter: its schema's (or its array items') `enum`, else its
/// examples, following a `$ref` into the tool's shared definitions.
fn completions(api: &Api, tool: usize, schema: &Value) -> Vec<String> {
    let schema = resolve(api, tool, schema);
    let schema = match schema.get("items") {
        Some(items) if schema.get("enum").is_none() => resolve(api, tool, items),
        _ => schema,
    };
    let listed = schema
        .get("enum")
        .or_else(|| schema.get("examples"))
        .and_then(Value::as_array)
        .cloned()
        .or_else(|| schema.get("example").map(|one| vec![one.clone()]))
        .unwrap_or_default();
    let mut values: Vec<String> = Vec::new();
    for value in listed {
        let text = match value {
            Value::String(text) => text,
            Value::Number(_) | Value::Bool(_) => value.to_string(),
            _ => continue,
        };
        if !values.contains(&text) {
            values.push(text);
        }
    }
    values.truncate(MAX_COMPLETIONS);
    values
}

fn resolve<'a>(api: &'a Api, tool: usize, schema: &'a Value) -> &'a Value {
    let Some(name) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    else {
        return schema;
    };
    api.tools[tool]
        .input_schema
        .defs
        .iter()
        .filter_map(|&id| api.schemas.get(id as usize))
        .find(|def| def.name == name)
        .map_or(schema, |def| &def.body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Options;

    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: Shop, version: "1"}
paths:
  /items:
    get:
      operationId: listItems
      parameters:
        - {name: page-size, in: query, schema: {type: integer}}
        - {name: kind, in: query, schema: {type: string, enum: [book, game]}}
        - {name: code, in: query, schema: {anyOf: [{type: string}, {enum: [""]}]}}
        - {name: any, in: query, schema: {anyOf: [{type: string}, {type: integer}]}}
      responses: {'200': {description: ok, content: {application/json: {schema: {type: array}}}}}
    post:
      operationId: addItem
      responses: {'201': {description: ok}}
  /items/{id}:
    get:
      operationId: getItem
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer, example: 7}}
      responses: {'200': {description: ok, content: {text/plain: {schema: {type: string}}}}}
  /about:
    get:
      operationId: getAbout
      responses: {'200': {description: ok}}
  /secret:
    get:
      operationId: getSecret
      parameters:
        - {name: X-Key, in: header, required: true, schema: {type: string}}
      responses: {'200': {description: ok}}
"#;

    fn build(entries: &[(&str, &str)]) -> crate::error::Result<Api> {
        let mut options = Options::default();
        for (flag, entry) in entries {
            options
                .resources
                .parse(&[(*entry).to_owned()], *flag == "--resource")
                .unwrap();
        }
        crate::pipeline::model_from_bytes(SPEC.as_bytes(), "shop.yaml", &options)
    }

    fn error(entries: &[(&str, &str)]) -> String {
        build(entries).unwrap_err().to_string()
    }

    #[test]
    fn default_templates_and_typed_variables() {
        let api = build(&[("--resource", "listItems"), ("--resource-only", "getItem")]).unwrap();
        let uris: Vec<String> = api
            .resources
            .iter()
            .map(|r| r.uri_template("shop_mcp"))
            .collect();
        assert_eq!(
            uris,
            [
                "shop-mcp://items{?page_size,kind,code,any}",
                "shop-mcp://items/{id}"
            ]
        );
        let list = &api.resources[0];
        assert_eq!(list.variables[0].argument, "page-size");
        assert_eq!(list.variables[0].kind, ValueKind::Integer);
        assert_eq!(list.variables[1].completions, ["book", "game"]);
        // Untyped, but only strings: `123` stays a string; a string-or-integer is read as JSON.
        assert_eq!(list.variables[2].kind, ValueKind::String);
        assert_eq!(list.variables[3].kind, ValueKind::Json);
        assert_eq!(list.mime_type.as_deref(), Some("application/json"));
        let item = &api.resources[1];
        assert_eq!(item.variables[0].completions, ["7"]);
        assert!(!item.also_tool);
        assert!(
            !api.tools[item.tool].listed,
            "a resource-only operation is not listed"
        );
        assert_eq!(api.listed_count(), api.tools.len() - 1);
    }

    #[test]
    fn a_wildcard_takes_the_reads_it_can() {
        // `*` passes over the POST and the operation that needs a header; no warning.
        let api = build(&[("--resource", "*")]).unwrap();
        let ops: Vec<&str> = api
            .resources
            .iter()
            .map(|r| api.tools[r.tool].label.as_str())
            .collect();
        assert_eq!(ops, ["GET /items", "GET /items/{id}", "GET /about"]);
        // `false` leaves one out of the wildcard.
        let mut options = Options::default();
        options.resources.parse(&["*".into()], true).unwrap();
        options.resources.entries.insert(
            "getItem".into(),
            crate::options::ResourceChoice {
                on: false,
                uri: None,
                tool: true,
            },
        );
        let api =
            crate::pipeline::model_from_bytes(SPEC.as_bytes(), "shop.yaml", &options).unwrap();
        assert_eq!(api.resources.len(), 2);
    }

    #[test]
    fn given_templates_are_checked_against_the_parameters() {
        let api = build(&[("--resource", "getItem=shop://item/{id}")]).unwrap();
        assert_eq!(api.resources[0].uri_template("x"), "shop://item/{id}");
        let api = build(&[("--resource", "listItems=shop://items{?page-size}")]);
        assert!(api.unwrap_err().to_string().contains("variable name"));
        let api = build(&[("--resource", "listItems=shop://items{?page_size}")]).unwrap();
        assert_eq!(api.resources[0].variables[0].argument, "page-size");
        for (entry, expected) in [
            (
                "getItem=shop://item/{ident}",
                "not a path or query parameter",
            ),
            (
                "getItem=shop://item",
                "no variable for the required path parameter `id`",
            ),
            ("getItem=item/{id}", "URI scheme"),
            ("addItem", "only GET operations"),
            ("getSecret", "the header parameter `X-Key`"),
            ("get*=shop://x", "several operations"),
        ] {
            let message = error(&[("--resource", entry)]);
            assert!(message.contains(expected), "{entry}: {message}");
        }
        let message = error(&[
            ("--resource", "getAbout=shop://a"),
            ("--resource", "listItems=shop://a"),
        ]);
        assert!(message.contains("would both be the resource"), "{message}");
        // Variables' names do not make two templates different.
        let message = error(&[
            ("--resource", "getItem=shop://x/{id}"),
            ("--resource", "listItems=shop://x/{page_size}"),
        ]);
        assert!(message.contains("would both be the resource"), "{message}");
        let message = error(&[("--resource", "getItem=shop://x/{id}/{+id}")]);
        assert!(message.contains("twice"), "{message}");
    }

    #[test]
    fn an_entry_that_matches_nothing_is_a_warning() {
        let api = build(&[("--resource", "getItems")]).unwrap();
        assert!(api.resources.is_empty());
        let warning = api
            .warnings
            .iter()
            .map(ToString::to_string)
            .find(|w| w.contains("getItems"));
        assert!(warning.is_some_and(|w| w.contains("did you mean `getItem`")));
    }

    #[test]
    fn variable_names_are_rfc_6570_names() {
        assert_eq!(variable_name("pet-id"), "pet_id");
        assert_eq!(variable_name("petId"), "petId");
        assert_eq!(variable_name(""), "value");
    }
}
