//! Walking the spec's operations: the table of HTTP methods, the path items (with `$ref`s
//! followed) and their operations in spec order, normalized path templates, and the check for
//! duplicate operationIds.

use std::collections::HashMap;

use serde_json::Value;

use super::model::Method;
use crate::error::{Diagnostic, Location, pointer_join};
use crate::load::{Spec, refs};

/// Operation keys of a path item, as OpenAPI 3.0 names them.
const METHODS: [(&str, Method); 8] = [
    ("get", Method::Get),
    ("put", Method::Put),
    ("post", Method::Post),
    ("delete", Method::Delete),
    ("options", Method::Options),
    ("head", Method::Head),
    ("patch", Method::Patch),
    ("trace", Method::Trace),
];

/// Duplicate operationIds make tool names ambiguous. They are warnings: the later operation's
/// tool gets a distinct name, and `--strict` turns the warning into an error.
pub(super) fn duplicate_operation_ids(spec: &Spec) -> Vec<Diagnostic> {
    let mut seen: HashMap<&str, String> = HashMap::new();
    let mut warnings = Vec::new();
    let mut ignored = Vec::new();
    for (path, item, path_pointer) in path_items(&spec.raw, &spec.file, &mut ignored) {
        for (key, method) in operations(item) {
            let Some(id) = item
                .get(key)
                .and_then(|op| op.get("operationId"))
                .and_then(Value::as_str)
            else {
                continue;
            };
            let label = format!("{} {path}", method.as_str());
            if let Some(first) = seen.get(id) {
                let pointer = format!("{}/operationId", pointer_join(&path_pointer, key));
                let location = Location::new(&spec.file, pointer).with_operation(&label);
                warnings.push(
                    Diagnostic::new(location, format!("operationId `{id}` is also used by {first}; this tool gets a distinct name"))
                        .hint("operationIds must be unique; rename one of them in the spec"),
                );
            } else {
                seen.insert(id, label);
            }
        }
    }
    warnings
}

/// A path template with JAX-RS style patterns (`{metrics:.*}`) and spaces (`{ id }`) reduced to
/// the parameter names OpenAPI means (`{metrics}`, `{id}`): the pattern is the server's business.
pub(super) fn normalized_template(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        let Some(close) = rest.find('}') else { break };
        let name = rest[..close].split(':').next().unwrap_or_default().trim();
        out.push_str(name);
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// The operations of a path item, in the order the spec lists them.
pub(super) fn operations(path_item: &Value) -> Vec<(&str, Method)> {
    let Some(map) = path_item.as_object() else {
        return Vec::new();
    };
    map.keys()
        .filter_map(|key| {
            METHODS
                .iter()
                .find(|(name, _)| name == key)
                .map(|&(name, method)| (name, method))
        })
        .collect()
}

/// The path items of the spec, in order, with `$ref`s followed.
pub(super) fn path_items<'a>(
    doc: &'a Value,
    file: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<(&'a str, &'a Value, String)> {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, item) in paths {
        if path.starts_with("x-") {
            continue;
        }
        let pointer = pointer_join("/paths", path);
        match refs::follow(doc, item, pointer.clone()) {
            Some((item, _)) => out.push((path.as_str(), item, pointer)),
            None => warnings.push(Diagnostic::new(
                Location::new(file, pointer),
                "path item reference cannot be followed; path left out",
            )),
        }
    }
    out
}

/// One operation being turned into a tool.
pub(super) struct OperationRef<'a> {
    pub(super) path: String,
    pub(super) method: Method,
    pub(super) operation: &'a Value,
    pub(super) pointer: String,
    pub(super) path_item: &'a Value,
    pub(super) path_pointer: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_lose_their_patterns() {
        assert_eq!(
            normalized_template("/metrics/{metrics:.*}"),
            "/metrics/{metrics}"
        );
        assert_eq!(
            normalized_template("/a/{ id }/b/{v:[0-9]+}.json"),
            "/a/{id}/b/{v}.json"
        );
        assert_eq!(normalized_template("/plain"), "/plain");
        assert_eq!(normalized_template("/broken/{x"), "/broken/{x");
    }
}
