//! The document-level differences: the root and `info`, webhooks and `components.pathItems`
//! (inlined where 3.0 has no place for them), summaries next to `$ref`s, and the `mutualTLS`
//! security scheme.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::notes::Notes;
use crate::error::pointer_join;
use crate::load::openapi::ObjectKind;
use crate::load::refs::decode_fragment;
use crate::load::repair::forget_security_scheme;
use crate::load::schema_walk::{Visitor, walk_document};

pub(super) fn downgrade_root(doc: &mut Value, notes: &mut Notes) {
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    root.insert("openapi".into(), json!("3.0.3"));
    root.shift_remove("jsonSchemaDialect");
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        downgrade_info(info);
    }
    if let Some(webhooks) = root.shift_remove("webhooks") {
        let count = webhooks.as_object().map_or(0, Map::len);
        if count > 0 {
            notes.warn(
                "/webhooks",
                format!(
                    "skipped {count} webhook{} (OpenAPI 3.0 has no webhooks)",
                    if count == 1 { "" } else { "s" }
                ),
                "webhooks describe requests the API sends, which an MCP server does not serve",
            );
        }
    }
    if !root.contains_key("paths") {
        root.insert("paths".into(), json!({}));
    }
}

/// `info.summary` and `license.identifier` are 3.1 additions: the summary becomes the description
/// when there is none, the SPDX identifier becomes the license URL when there is none.
pub(super) fn downgrade_info(info: &mut Map<String, Value>) {
    if let Some(summary) = info.shift_remove("summary")
        && !info.contains_key("description")
        && summary.is_string()
    {
        info.insert("description".into(), summary);
    }
    if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut)
        && let Some(identifier) = license.shift_remove("identifier")
        && let Some(identifier) = identifier.as_str()
        && !license.contains_key("url")
    {
        license.insert(
            "url".into(),
            json!(format!("https://spdx.org/licenses/{identifier}.html")),
        );
    }
}

/// `components.pathItems` (3.1) does not exist in 3.0: each `$ref` to one is replaced by a copy,
/// then the section is removed.
pub(super) fn inline_path_items(doc: &mut Value, notes: &mut Notes) {
    let Some(items) = doc
        .get_mut("components")
        .and_then(Value::as_object_mut)
        .and_then(|components| components.shift_remove("pathItems"))
    else {
        return;
    };
    let Value::Object(items) = items else { return };
    struct Inline<'a> {
        items: Map<String, Value>,
        notes: &'a mut Notes,
        /// The path items being inlined (pointer, names), outermost first: a path item whose
        /// callbacks use the path item itself must not be inlined forever.
        active: Vec<(String, HashSet<String>)>,
    }
    impl Visitor for Inline<'_> {
        fn enter_object(&mut self, kind: ObjectKind, value: &mut Value, pointer: &str) {
            if kind == ObjectKind::PathItem {
                let mut seen: HashSet<String> = self
                    .active
                    .iter()
                    .flat_map(|(_, names)| names.iter().cloned())
                    .collect();
                let before = seen.len();
                inline_path_item(value, pointer, &self.items, &mut seen, self.notes);
                if seen.len() > before {
                    self.active.push((pointer.to_owned(), seen));
                }
            }
        }
        fn leave_object(&mut self, kind: ObjectKind, _value: &mut Value, pointer: &str) {
            if kind == ObjectKind::PathItem
                && self.active.last().is_some_and(|(at, _)| at == pointer)
            {
                self.active.pop();
            }
        }
    }
    walk_document(
        doc,
        &mut Inline {
            items,
            notes,
            active: Vec::new(),
        },
    );
}

/// Replaces a `$ref` to `#/components/pathItems/X` by a copy of X, following chains of such
/// references but none in `seen` (the chain so far and the path items being inlined around this
/// one: a cycle). Sibling fields of the `$ref` override the copy's.
pub(super) fn inline_path_item(
    value: &mut Value,
    pointer: &str,
    items: &Map<String, Value>,
    seen: &mut HashSet<String>,
    notes: &mut Notes,
) {
    while let Some(reference) = value.get("$ref").and_then(Value::as_str).map(str::to_owned) {
        let Some(name) = reference.strip_prefix("#/components/pathItems/") else {
            return;
        };
        let name = crate::error::pointer_unescape(&decode_fragment(name));
        let target = match items.get(&name) {
            Some(target) if seen.insert(name.clone()) => target.clone(),
            Some(_) => {
                notes.warn(
                    pointer,
                    format!("path item reference `{reference}` is circular; left it out"),
                    "remove the cycle between path items",
                );
                *value = json!({});
                return;
            }
            None => {
                notes.warn(
                    pointer,
                    format!("path item reference `{reference}` points at nothing"),
                    "add the path item or fix the reference",
                );
                return;
            }
        };
        let Value::Object(mut copy) = target else {
            return;
        };
        if let Some(siblings) = value.as_object() {
            for (key, sibling) in siblings {
                if key != "$ref" {
                    copy.insert(key.clone(), sibling.clone());
                }
            }
        }
        *value = Value::Object(copy);
    }
}

/// The `mutualTLS` security scheme (3.1) has no 3.0 form; it is removed, and so are its uses.
pub(super) fn drop_mutual_tls(doc: &mut Value, notes: &mut Notes) {
    let names: Vec<String> = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .map(|schemes| {
            schemes
                .iter()
                .filter(|(_, scheme)| {
                    scheme.get("type").and_then(Value::as_str) == Some("mutualTLS")
                })
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default();
    for name in names {
        if let Some(schemes) = doc
            .pointer_mut("/components/securitySchemes")
            .and_then(Value::as_object_mut)
        {
            schemes.shift_remove(&name);
        }
        forget_security_scheme(doc, &name);
        notes.warn(
            &pointer_join("/components/securitySchemes", &name),
            format!("security scheme `{name}` (mutualTLS) cannot be expressed in OpenAPI 3.0; it was removed from the spec and from the security requirements that named it"),
            "configure the client certificate outside the spec",
        );
    }
}
