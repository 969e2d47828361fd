//! References by `$id` and `$anchor`, and `$dynamicRef`/`$dynamicAnchor`, rewritten into the
//! JSON pointers that are all 3.0 has.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::load::refs::decode_fragment;
use crate::load::schema_walk::{Visitor, walk_document};

// ---------------------------------------------------------------------------------------------
// `$id` and `$anchor`
// ---------------------------------------------------------------------------------------------

/// Rewrites references by `$id` (`/schemas/pet`, `https://…/pet.json#/properties/a`) and by
/// `$anchor` (`#pet_id`, `/schemas/pet#pet_id`) into JSON pointers, which is all 3.0 has. This
/// runs before the walk that drops `$id` and `$anchor`. Only identifiers written exactly as in
/// the `$ref` are matched (relative `$id`s are not resolved against a base URI).
pub(super) fn resolve_id_refs(doc: &mut Value) {
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut anchors: Vec<(String, String)> = Vec::new(); // (anchor, pointer of its schema)
    crate::load::schema_walk::for_each_schema(doc, |schema, pointer| {
        if let Some(id) = schema.get("$id").and_then(Value::as_str) {
            ids.entry(id.trim_end_matches('#').to_owned())
                .or_insert_with(|| pointer.to_owned());
        }
        if let Some(anchor) = schema.get("$anchor").and_then(Value::as_str) {
            anchors.push((anchor.to_owned(), pointer.to_owned()));
        }
    });
    if ids.is_empty() && anchors.is_empty() {
        return;
    }
    crate::load::schema_walk::for_each_schema(doc, |schema, _| {
        let Some(map) = schema.as_object_mut() else {
            return;
        };
        let Some(reference) = map.get("$ref").and_then(Value::as_str) else {
            return;
        };
        if let Some(pointer) = id_ref_target(reference, &ids, &anchors) {
            map.insert("$ref".into(), json!(format!("#{pointer}")));
        }
    });
}

/// The JSON pointer a reference by `$id` and/or `$anchor` names, if it names one.
pub(super) fn id_ref_target(
    reference: &str,
    ids: &HashMap<String, String>,
    anchors: &[(String, String)],
) -> Option<String> {
    let (base, fragment) = reference.split_once('#').unwrap_or((reference, ""));
    if base.is_empty() && (fragment.is_empty() || fragment.starts_with('/')) {
        return None; // already a local JSON pointer
    }
    let resource = if base.is_empty() {
        ""
    } else {
        ids.get(base)?.as_str()
    };
    if fragment.starts_with('/') {
        return Some(format!("{resource}{}", decode_fragment(fragment)));
    }
    if fragment.is_empty() {
        return Some(resource.to_owned());
    }
    // A plain-name fragment: the anchor inside the named resource (or anywhere, for `#name`).
    let inside =
        |at: &str| resource.is_empty() || at == resource || at.starts_with(&format!("{resource}/"));
    anchors
        .iter()
        .find(|(anchor, at)| anchor == fragment && inside(at))
        .map(|(_, at)| at.clone())
}

// ---------------------------------------------------------------------------------------------
// `$dynamicRef` and `$dynamicAnchor`
// ---------------------------------------------------------------------------------------------

/// JSON Schema 2020-12 generics: a template declares `$defs: {T: {$dynamicAnchor: T, …}}` (the
/// default) and uses `$dynamicRef: "#T"`; a specialization `$ref`s the template and binds `T`
/// with a `$defs` entry of its own that carries `$dynamicAnchor: T`. 3.0 has no generics, so each
/// specialization becomes a copy of the template with the binding in place of each
/// `$dynamicRef`, and the `$dynamicRef`s left (in the template itself) become the default.
pub(super) fn instantiate_dynamic_refs(doc: &mut Value) {
    let mut sites: Vec<(String, String, Map<String, Value>)> = Vec::new(); // (site, template, bindings)
    crate::load::schema_walk::for_each_schema(doc, |schema, pointer| {
        let Some(map) = schema.as_object() else {
            return;
        };
        let bindings = dynamic_anchors(map);
        if let (false, Some(target)) = (
            bindings.is_empty(),
            map.get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#')),
        ) {
            sites.push((pointer.to_owned(), decode_fragment(target), bindings));
        }
    });
    // Innermost first, so an outer specialization copies inner ones already instantiated.
    for (site, template, bindings) in sites.into_iter().rev() {
        let Some(Value::Object(mut instance)) = doc.pointer(&template).cloned() else {
            continue;
        };
        instance.shift_remove("$id");
        if let Some(Value::Object(defs)) = instance.get_mut("$defs") {
            defs.retain(|_, def| {
                !def.get("$dynamicAnchor")
                    .and_then(Value::as_str)
                    .is_some_and(|a| bindings.contains_key(a))
            });
        }
        let mut instance = Value::Object(instance);
        replace_dynamic_refs(&mut instance, &bindings);
        let Some(Value::Object(site)) = doc.pointer_mut(&site) else {
            continue;
        };
        if let Value::Object(instance) = &mut instance {
            // The specialization's own keywords (an `xml` name, a description) win.
            for (key, value) in site.iter() {
                if !matches!(key.as_str(), "$ref" | "$defs" | "$id") {
                    instance.insert(key.clone(), value.clone());
                }
            }
        }
        *site = match instance {
            Value::Object(instance) => instance,
            _ => continue,
        };
    }
    // What is left are templates used on their own: their `$dynamicRef`s mean the default.
    let mut defaults: Vec<(String, String, Value)> = Vec::new(); // (resource pointer, anchor, default)
    crate::load::schema_walk::for_each_schema(doc, |schema, pointer| {
        if let Some(map) = schema.as_object() {
            for (anchor, default) in dynamic_anchors(map) {
                defaults.push((pointer.to_owned(), anchor, default));
            }
        }
    });
    if defaults.is_empty() {
        return;
    }
    struct Defaults<'a>(&'a [(String, String, Value)]);
    impl Visitor for Defaults<'_> {
        fn leave_schema(&mut self, schema: &mut Value, pointer: &str) {
            let Some(anchor) = dynamic_ref_anchor(schema) else {
                return;
            };
            let nearest = self
                .0
                .iter()
                .filter(|(resource, name, _)| {
                    *name == anchor
                        && (pointer == resource || pointer.starts_with(&format!("{resource}/")))
                })
                .max_by_key(|(resource, _, _)| resource.len());
            if let Some((_, _, default)) = nearest {
                put_in_place(schema, default);
            }
        }
    }
    walk_document(doc, &mut Defaults(&defaults));
    // The anchored definitions are used up: bound in each specialization, or put in place as
    // the default.
    crate::load::schema_walk::for_each_schema(doc, |schema, _| {
        let Some(map) = schema.as_object_mut() else {
            return;
        };
        if let Some(Value::Object(defs)) = map.get_mut("$defs") {
            defs.retain(|_, def| def.get("$dynamicAnchor").is_none());
            if defs.is_empty() {
                map.shift_remove("$defs");
            }
        }
    });
}

/// The `$defs` entries of a schema that carry a `$dynamicAnchor`: anchor → the entry without it.
pub(super) fn dynamic_anchors(map: &Map<String, Value>) -> Map<String, Value> {
    let mut found = Map::new();
    if let Some(Value::Object(defs)) = map.get("$defs") {
        for def in defs.values() {
            if let (Some(anchor), Value::Object(def)) =
                (def.get("$dynamicAnchor").and_then(Value::as_str), def)
            {
                let mut def = def.clone();
                def.shift_remove("$dynamicAnchor");
                found.insert(anchor.to_owned(), Value::Object(def));
            }
        }
    }
    found
}

/// The anchor a `$dynamicRef` names (`#T` or `…#T`).
pub(super) fn dynamic_ref_anchor(schema: &Value) -> Option<String> {
    let reference = schema.get("$dynamicRef")?.as_str()?;
    reference
        .rsplit_once('#')
        .map(|(_, anchor)| anchor.to_owned())
        .filter(|anchor| !anchor.is_empty() && !anchor.starts_with('/'))
}

/// Replaces each `$dynamicRef` to a bound anchor by the binding. Post-order, so a binding is
/// never searched itself (it may mention the anchor again).
pub(super) fn replace_dynamic_refs(schema: &mut Value, bindings: &Map<String, Value>) {
    struct Bind<'a>(&'a Map<String, Value>);
    impl Visitor for Bind<'_> {
        fn leave_schema(&mut self, schema: &mut Value, _pointer: &str) {
            if let Some(binding) = dynamic_ref_anchor(schema).and_then(|anchor| self.0.get(&anchor))
            {
                put_in_place(schema, binding);
            }
        }
    }
    crate::load::schema_walk::walk_schema(schema, "", &mut Bind(bindings));
}

/// Replaces a `{$dynamicRef: …, siblings}` schema by `target`, keeping the siblings.
pub(super) fn put_in_place(schema: &mut Value, target: &Value) {
    let mut replacement = target.as_object().cloned().unwrap_or_default();
    if let Some(siblings) = schema.as_object() {
        for (key, value) in siblings {
            if key != "$dynamicRef" {
                replacement.insert(key.clone(), value.clone());
            }
        }
    }
    *schema = Value::Object(replacement);
}
