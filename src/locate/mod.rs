//! Line and column for diagnostics that point into a spec by JSON pointer.
//!
//! The loader works on plain JSON values, which forget where they came from; keeping spans for
//! every node of a large spec would cost memory on every run. So positions are found afterwards,
//! only for the diagnostics that get printed: each file is parsed once more, walking only the
//! branches that lead to a wanted pointer.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::error::{Diagnostic, pointer_token};

mod json;

/// Fills in line and column for every diagnostic that has a pointer into a readable YAML or JSON
/// file and no position yet.
pub fn fill(diagnostics: &mut [Diagnostic]) {
    let mut files: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in diagnostics.iter() {
        if d.location.line_col.is_none() && !d.location.pointer.is_empty() {
            files
                .entry(d.location.file.clone())
                .or_default()
                .push(d.location.pointer.clone());
        }
    }
    for (file, pointers) in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let found = positions(&text, &pointers);
        for d in diagnostics.iter_mut() {
            if d.location.file == file && d.location.line_col.is_none() {
                d.location.line_col = found.get(&d.location.pointer).copied();
            }
        }
    }
}

/// The 1-based line and column of each pointer's value in `text`, for those it can find.
pub fn positions(text: &str, pointers: &[String]) -> BTreeMap<String, (usize, usize)> {
    let prefixes = prefixes(pointers);
    let walk = WalkState {
        wanted: pointers.iter().cloned().collect(),
        prefixes,
        path: String::new(),
        found: BTreeMap::new(),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{')
        && let Some(found) = json::positions(text, &walk.wanted, &walk.prefixes)
    {
        return found;
    }
    STATE.with(|state| *state.borrow_mut() = Some(walk));
    let options = crate::load::source::yaml_options(text.len());
    let parsed = serde_saphyr::from_str_with_options::<Walk>(text, options);
    let state = STATE.with(|state| state.borrow_mut().take());
    match (parsed, state) {
        (Ok(_), Some(state)) => state.found,
        _ => BTreeMap::new(),
    }
}

/// Every proper prefix of each pointer: the branches a walk must enter.
fn prefixes<S: AsRef<str>>(pointers: &[S]) -> HashSet<String> {
    let mut prefixes = HashSet::new();
    for pointer in pointers {
        let pointer = pointer.as_ref();
        let mut end = 0;
        // `get`: an empty pointer (the document root) has no prefix.
        while let Some(next) = pointer.get(end + 1..).and_then(|rest| rest.find('/')) {
            end += 1 + next;
            prefixes.insert(pointer[..end].to_owned());
        }
    }
    prefixes
}

struct WalkState {
    wanted: HashSet<String>,
    /// Every proper prefix of a wanted pointer: the branches worth walking into.
    prefixes: HashSet<String>,
    /// The pointer of the node being read.
    path: String,
    found: BTreeMap<String, (usize, usize)>,
}

// The walk's state lives beside the parser rather than in a seed, because `Spanned<T>` (which
// knows positions) only wraps plain `Deserialize` types.
thread_local! {
    static STATE: RefCell<Option<WalkState>> = const { RefCell::new(None) };
}

/// A node the walk reads: it descends into branches that lead to wanted pointers and skips the
/// rest without building anything.
struct Walk;

impl<'de> Deserialize<'de> for Walk {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(WalkVisitor)
    }
}

struct WalkVisitor;

/// What to do with a child node.
enum Step {
    Skip,
    Enter { wanted: bool },
}

fn step(token: &str) -> (Step, usize) {
    STATE.with(|state| {
        let mut state = state.borrow_mut();
        let Some(state) = state.as_mut() else {
            return (Step::Skip, 0);
        };
        let parent = state.path.len();
        state.path.push('/');
        state.path.push_str(&pointer_token(token));
        let wanted = state.wanted.contains(&state.path);
        if wanted || state.prefixes.contains(&state.path) {
            (Step::Enter { wanted }, parent)
        } else {
            state.path.truncate(parent);
            (Step::Skip, parent)
        }
    })
}

/// Records the child's position (when wanted) and goes back to the parent.
fn leave(wanted: bool, at: Option<(usize, usize)>, parent: usize) {
    STATE.with(|state| {
        if let Some(state) = state.borrow_mut().as_mut() {
            if let (true, Some(at)) = (wanted, at) {
                state.found.entry(state.path.clone()).or_insert(at);
            }
            state.path.truncate(parent);
        }
    });
}

fn position(node: &Spanned<Walk>) -> Option<(usize, usize)> {
    let at = node.referenced;
    (at.line() > 0).then(|| (at.line() as usize, at.column() as usize))
}

impl<'de> Visitor<'de> for WalkVisitor {
    type Value = Walk;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML or JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Walk, A::Error> {
        while let Some(Key(key)) = map.next_key::<Key>()? {
            match step(&key) {
                (Step::Skip, _) => {
                    map.next_value::<IgnoredAny>()?;
                }
                (Step::Enter { wanted }, parent) => {
                    let node = map.next_value::<Spanned<Walk>>()?;
                    leave(wanted, position(&node), parent);
                }
            }
        }
        Ok(Walk)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Walk, A::Error> {
        for index in 0usize.. {
            let more = match step(&index.to_string()) {
                (Step::Skip, _) => seq.next_element::<IgnoredAny>()?.is_some(),
                (Step::Enter { wanted }, parent) => {
                    let node = seq.next_element::<Spanned<Walk>>()?;
                    leave(wanted, node.as_ref().and_then(position), parent);
                    node.is_some()
                }
            };
            if !more {
                break;
            }
        }
        Ok(Walk)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_i128<E>(self, _: i128) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_u128<E>(self, _: u128) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_str<E>(self, _: &str) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_unit<E>(self) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_none<E>(self) -> Result<Walk, E> {
        Ok(Walk)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Walk, D::Error> {
        Walk::deserialize(d)
    }
}

/// A mapping key as the loader sees it: YAML allows numbers and booleans as keys (`200:`), which
/// the JSON value model turns into strings.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping key")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v.to_owned()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<Key, E> {
                Ok(Key("null".to_owned()))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, pointer: &str) -> Option<(usize, usize)> {
        positions(text, &[pointer.to_owned()]).get(pointer).copied()
    }

    #[test]
    fn yaml_positions() {
        let text = "openapi: 3.0.3\npaths:\n  /pets/{id}:\n    get:\n      responses:\n        200:\n          description: ok\n      tags: [a, b]\n";
        assert_eq!(at(text, "/paths/~1pets~1{id}/get"), Some((5, 7)));
        assert_eq!(
            at(text, "/paths/~1pets~1{id}/get/responses/200/description"),
            Some((7, 24))
        );
        assert_eq!(at(text, "/paths/~1pets~1{id}/get/tags/1"), Some((8, 17)));
        assert_eq!(at(text, "/paths/~1nothing"), None);
    }

    #[test]
    fn json_positions() {
        let text = "{\n  \"paths\": {\n    \"/a\": {\n      \"get\": {\"operationId\": \"x\"}\n    }\n  }\n}\n";
        assert_eq!(at(text, "/paths/~1a/get/operationId"), Some((4, 30)));
    }

    #[test]
    fn several_pointers_in_one_pass() {
        let text = "a:\n  b: 1\n  c: [x, {d: 2}]\n";
        let found = positions(
            text,
            &["/a/b".to_owned(), "/a/c/1/d".to_owned(), "/a/c".to_owned()],
        );
        assert_eq!(found["/a/b"], (2, 6));
        assert_eq!(found["/a/c/1/d"], (3, 14));
        assert!(found.contains_key("/a/c"));
    }
}
