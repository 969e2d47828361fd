//! `$defs` anywhere in a schema, hoisted into `components.schemas` with their references
//! rewritten (3.0 only has the one place for shared schemas).

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use super::notes::Notes;
use crate::error::{pointer_join, pointer_token};
use crate::load::refs::decode_fragment;

// ---------------------------------------------------------------------------------------------
// `$defs`
// ---------------------------------------------------------------------------------------------

/// Moves every `$defs` entry that a `$ref` points at into `components.schemas` (under a name not
/// taken yet), rewrites those references, then drops all `$defs`.
pub(super) fn hoist_defs(doc: &mut Value, notes: &mut Notes) {
    let refs = collect_schema_refs(doc);
    let mut targets: Vec<String> = Vec::new(); // def locations, in order of first reference
    let mut rewrites: HashMap<String, (String, String)> = HashMap::new(); // ref pointer → (def location, rest)
    for (at, reference) in &refs {
        if let Some((location, rest)) = def_location(doc, at, reference) {
            if !targets.contains(&location) {
                targets.push(location.clone());
            }
            rewrites.insert(at.clone(), (location, rest));
        }
    }
    if !targets.is_empty() {
        let names = assign_names(doc, &targets);
        rewrite_def_refs(doc, &rewrites, &names);
        move_defs(doc, &targets, &names);
    }
    drop_all_defs(doc, notes);
}

/// Every `$ref` in a schema position, with the pointer of the schema that holds it.
pub(super) fn collect_schema_refs(doc: &mut Value) -> Vec<(String, String)> {
    let mut refs = Vec::new();
    crate::load::schema_walk::for_each_schema(doc, |schema, pointer| {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            refs.push((pointer.to_owned(), reference.to_owned()));
        }
    });
    refs
}

/// Where the `$defs` entry a reference points at lives (a pointer ending `…/$defs/Name`), and
/// the rest of the reference after it. `#/$defs/X` is relative to the enclosing schema resource
/// (a schema with `$id`): the nearest schema enclosing `at` that has `$defs/X`.
pub(super) fn def_location(doc: &Value, at: &str, reference: &str) -> Option<(String, String)> {
    let fragment = decode_fragment(reference.strip_prefix('#')?);
    let tokens: Vec<String> = fragment
        .split('/')
        .skip(1)
        .map(crate::error::pointer_unescape)
        .collect();
    let last_defs = tokens.iter().rposition(|token| token == "$defs")?;
    let name_end = last_defs + 2;
    if tokens.len() < name_end {
        return None;
    }
    let join = |tokens: &[String]| {
        tokens
            .iter()
            .map(|t| format!("/{}", pointer_token(t)))
            .collect::<String>()
    };
    let rest = join(tokens.get(name_end..).unwrap_or_default());
    let location = join(tokens.get(..name_end).unwrap_or_default());
    if doc.pointer(&location).is_some() {
        return Some((location, rest));
    }
    if last_defs != 0 {
        return None;
    }
    // `#/$defs/…` relative to an enclosing schema resource.
    let mut enclosing = at.to_owned();
    loop {
        let candidate = format!("{enclosing}{location}");
        if doc.pointer(&candidate).is_some() {
            return Some((candidate, rest));
        }
        let cut = enclosing.rfind('/')?;
        enclosing.truncate(cut);
    }
}

/// A `components.schemas` name for each moved definition: its own name, or with a number added
/// when that is taken.
pub(super) fn assign_names(doc: &Value, targets: &[String]) -> HashMap<String, String> {
    let mut taken: HashSet<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();
    let mut names = HashMap::new();
    for location in targets {
        let base = location
            .rsplit('/')
            .next()
            .map(crate::error::pointer_unescape)
            .unwrap_or_default();
        let base = if base.is_empty() {
            "Definition".to_owned()
        } else {
            base
        };
        let mut name = base.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        taken.insert(name.clone());
        names.insert(location.clone(), name);
    }
    names
}

pub(super) fn rewrite_def_refs(
    doc: &mut Value,
    rewrites: &HashMap<String, (String, String)>,
    names: &HashMap<String, String>,
) {
    crate::load::schema_walk::for_each_schema(doc, |schema, pointer| {
        if let Some((location, rest)) = rewrites.get(pointer)
            && let Some(name) = names.get(location)
            && let Some(map) = schema.as_object_mut()
        {
            map.insert(
                "$ref".into(),
                json!(format!(
                    "#/components/schemas/{}{rest}",
                    pointer_token(name)
                )),
            );
        }
    });
}

/// Moves the definitions, innermost first so that moving an outer one cannot invalidate the
/// location of an inner one.
pub(super) fn move_defs(doc: &mut Value, targets: &[String], names: &HashMap<String, String>) {
    let mut order: Vec<&String> = targets.iter().collect();
    order.sort_by_key(|location| std::cmp::Reverse(location.matches('/').count()));
    let mut moved = Vec::new();
    for location in order {
        if let (Some(value), Some(name)) = (doc.pointer_mut(location), names.get(location)) {
            moved.push((name.clone(), std::mem::take(value)));
        }
    }
    moved.reverse();
    let Some(root) = doc.as_object_mut() else {
        return;
    };
    let components = root.entry("components").or_insert_with(|| json!({}));
    if !components.is_object() {
        *components = json!({});
    }
    let Some(components) = components.as_object_mut() else {
        return;
    };
    let schemas = components.entry("schemas").or_insert_with(|| json!({}));
    if !schemas.is_object() {
        *schemas = json!({});
    }
    if let Some(schemas) = schemas.as_object_mut() {
        for (name, value) in moved {
            schemas.insert(name, value);
        }
    }
}

pub(super) fn drop_all_defs(doc: &mut Value, notes: &mut Notes) {
    crate::load::schema_walk::for_each_schema(doc, |schema, pointer| {
        if let Some(map) = schema.as_object_mut()
            && let Some(defs) = map.shift_remove("$defs")
        {
            // Entries that were moved are left as `null`; only the others are a loss.
            let unused = defs
                .as_object()
                .is_some_and(|defs| defs.values().any(|def| !def.is_null()));
            if unused {
                notes.group(
                    "$defs",
                    &pointer_join(pointer, "$defs"),
                    || "dropped `$defs` entries that no `$ref` uses".into(),
                    "move shared schemas to `components.schemas`",
                );
            }
        }
    });
}
