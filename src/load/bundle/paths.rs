//! How references name files and nodes: splitting a `$ref` into file and fragment, telling
//! URIs from paths, joining paths for messages, and finding the `$id`s and external references of
//! a document.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use crate::load::refs::{NodePath, try_for_each_object};

/// Splits a reference into its path and its fragment (after `#`, not decoded).
pub(super) fn split_reference(reference: &str) -> (&str, Option<&str>) {
    match reference.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (reference, None),
    }
}

/// Whether a reference's path is a URI with a scheme (`https://…`, `urn:…`), not a file path. A
/// one-letter "scheme" is a Windows drive (`C:\specs\a.yaml`).
pub(super) fn is_uri(path: &str) -> bool {
    let Some((scheme, _)) = path.split_once(':') else {
        return false;
    };
    scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// The name in messages of the file `relative` referenced from the file named `from`: joined to
/// `from`'s folder, with `.` and `..` folded where possible.
pub(super) fn display_join(from: &str, relative: &Path) -> String {
    let joined = match Path::new(from).parent() {
        Some(parent) => parent.join(relative),
        None => relative.to_owned(),
    };
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.display().to_string()
}

/// Visits every object of `doc` with where it is.
pub(super) fn for_each_object<'a>(
    doc: &'a Value,
    mut f: impl FnMut(&'a Map<String, Value>, &NodePath<'a>),
) {
    let _ = try_for_each_object(doc, |map, path| {
        f(map, path);
        Ok::<(), std::convert::Infallible>(())
    });
}

/// The `$id`s declared in a document (without a trailing `#`), with the pointer of the first
/// object declaring each.
pub(super) fn collect_ids(doc: &Value) -> HashMap<String, String> {
    let mut ids = HashMap::new();
    for_each_object(doc, |map, path| {
        if let Some(Value::String(id)) = map.get("$id") {
            ids.entry(id.trim_end_matches('#').to_owned())
                .or_insert_with(|| path.pointer());
        }
    });
    ids
}

/// Whether `doc` has a reference to another file (not its own `#…`, not one of its `$id`s).
pub(super) fn has_external_ref(doc: &Value, ids: &HashSet<String>) -> bool {
    let mut found = false;
    for_each_object(doc, |map, path| {
        if let Some(Value::String(reference)) = map.get("$ref")
            && !crate::load::refs::in_extension(&path.pointer())
        {
            let (path, _) = split_reference(reference);
            found |= !path.is_empty() && !ids.contains(path.trim_end_matches('#'));
        }
    });
    found
}
