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
//!
//! The repairs are methods of one repair pass, filed by the kind of object they fix: `document`
//! (root, info, tags), `objects` (path items, operations, parameters, bodies, responses and what
//! they hold), `security` (security schemes) and `schema`; `fixes` holds the pass itself and the
//! small typed fixes they all use.

mod document;
mod fixes;
mod objects;
mod schema;
mod security;

use serde_json::{Map, Value};

use super::openapi::{METHODS, ObjectKind};
use super::schema_walk::{Visitor, walk_document};
use crate::error::Diagnostic;
pub(crate) use document::forget_security_scheme;
use fixes::Repair;

/// The fields of a path item that hold objects a repair may mark unusable: its parameters and
/// its operations.
const PATH_ITEM_CONTAINERS: [&str; 1 + METHODS.len()] = {
    let mut fields = ["parameters"; 1 + METHODS.len()];
    let mut i = 0;
    while i < METHODS.len() {
        fields[i + 1] = METHODS[i];
        i += 1;
    }
    fields
};

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
    let mut repair = Repair::new(file, warnings, callbacks);
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
    let mut repair = Repair::new(file, warnings, Map::new());
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
    Repair::new(file, warnings, Map::new()).parameter(parameter, pointer, false);
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
            // The walk reports no other kind.
            ObjectKind::Root | ObjectKind::Components | ObjectKind::Schema | ObjectKind::Other => {}
        }
    }

    /// Removes what the children marked unusable (`null`) from this object's containers.
    fn leave_object(&mut self, kind: ObjectKind, value: &mut Value, pointer: &str) {
        let Some(map) = value.as_object_mut() else {
            return;
        };
        let containers: &[&str] = match kind {
            ObjectKind::PathItem => &PATH_ITEM_CONTAINERS,
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

#[cfg(test)]
mod tests;
