//! Reading a spec: YAML or JSON, Swagger 2.0 / OpenAPI 3.0 / 3.1, normalized into one OpenAPI 3.0
//! document, with every local `$ref` checked and its structure proven.
//!
//! The stage runs in order: [`source`] parses the text, [`bundle`] brings in referenced files,
//! [`swagger2`] or [`oas31`] convert to 3.0, [`repair`] fixes what real documents get wrong,
//! [`refs`] checks the references, and the structure check reads the result with `openapiv3`.
//! [`openapi`] holds what all of them know about OpenAPI documents, [`schema_walk`] where the
//! schemas are.
//!
//! **The raw document is the model.** The IR reads the normalized document as JSON
//! ([`Spec::raw`]): schemas, parameters and bodies need the exact keywords (`$ref`s, extensions,
//! 3.1 leftovers) that a typed model drops or cannot follow. `openapiv3` is the structure check:
//! it reads the document one piece at a time (the head, each path item, each component) and
//! each piece is dropped as soon as it is checked, so the typed copy of a big spec never exists
//! whole. The only typed part kept is the document's head ([`Spec::head`]: `info`, `servers`,
//! `security`, `tags`), which the IR takes as it is.

pub mod bundle;
pub mod oas31;
pub mod openapi;
pub mod refs;
pub mod repair;
pub mod schema_walk;
pub mod source;
pub mod swagger2;

use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{Diagnostic, Error, Location, Result};
pub(crate) use source::hex;

/// The version a spec was written in (before normalization).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecVersion {
    Swagger2,
    OpenApi30,
    OpenApi31,
}

impl SpecVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::Swagger2 => "Swagger 2.0",
            SpecVersion::OpenApi30 => "OpenAPI 3.0",
            SpecVersion::OpenApi31 => "OpenAPI 3.1",
        }
    }
}

/// A loaded spec: the normalized document, and what was noticed on the way.
#[derive(Debug)]
pub struct Spec {
    /// The spec's path as the user gave it, for messages.
    pub file: String,
    pub version: SpecVersion,
    /// SHA-256 of the spec's bytes, hex.
    pub hash: String,
    /// The normalized OpenAPI 3.0 document as JSON: what the IR reads.
    pub raw: Value,
    /// The document's head, typed: `info`, `servers`, `security`, `tags` and `externalDocs`
    /// (its `paths` and `components` are empty; they are in [`Spec::raw`]).
    pub head: openapiv3::OpenAPI,
    /// Problems that did not stop loading.
    pub warnings: Vec<Diagnostic>,
}

/// Reads and normalizes the spec at `path`.
pub fn load(path: &Path) -> Result<Spec> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    let file = path.display().to_string();
    load_text(utf8(&bytes, &file)?, &file, path)
}

/// Normalizes a spec given as the bytes of a file; `file` names it in messages and places it for
/// references to other files, as in [`load_str`].
pub fn load_bytes(bytes: &[u8], file: &str) -> Result<Spec> {
    load_text(utf8(bytes, file)?, file, Path::new(file))
}

/// The text of a spec file, which must be UTF-8.
fn utf8<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str, Diagnostic> {
    std::str::from_utf8(bytes).map_err(|err| {
        Diagnostic::new(
            Location::new(file, ""),
            format!(
                "the file is not UTF-8 (invalid byte at offset {})",
                err.valid_up_to()
            ),
        )
        .hint("save the spec as UTF-8")
    })
}

/// Normalizes a spec given as text; `file` names it in messages. References to other files
/// (`./schemas/pet.yaml`) are resolved as if the spec were the file `file` (a relative `file` is
/// relative to the current directory); a spec without such references never touches the file
/// system.
pub fn load_str(text: &str, file: &str) -> Result<Spec> {
    load_text(text, file, Path::new(file))
}

/// The hash that identifies a spec: of its text alone when it is one file, else of its text and
/// every file it references (by name and content), so `check` sees a change in any of them.
fn source_hash(text: &str, others: &[(String, String)]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(text.as_bytes());
    if others.is_empty() {
        return hex(&hasher.finalize());
    }
    for (name, sha256) in others {
        hasher.update(b"\0");
        hasher.update(name.as_bytes());
        hasher.update(b"\0");
        hasher.update(sha256.as_bytes());
    }
    hex(&hasher.finalize())
}

/// Normalizes the spec `text`, read from `path` and named `file` in messages.
fn load_text(text: &str, file: &str, path: &Path) -> Result<Spec> {
    use crate::timings::timed;
    let original = timed("load: parse", || source::parse(text, file))?;
    let mut warnings = Vec::new();
    // References to other files are brought in first, in the spec's own version, so everything
    // after this sees one document.
    let (original, others) = timed("load: bundle", || {
        bundle::bundle_files(original, path, file, &mut warnings)
    })?;
    let hash = source_hash(text, &others);
    let version = detect_version(&original, file)?;
    // Dangling pointers are reported against the document as written; references the
    // normalization resolves (3.1 `$id`s) or rewrites are checked again once it is done.
    timed("load: check refs", || refs::check_local(&original, file))?;
    let mut raw = timed("load: normalize", || match version {
        SpecVersion::Swagger2 => swagger2::to_openapi30(original, file, &mut warnings),
        SpecVersion::OpenApi31 => oas31::to_openapi30(original, file, &mut warnings),
        SpecVersion::OpenApi30 => Ok(original),
    })?;
    timed("load: repair", || {
        repair::repair_openapi30(&mut raw, file, &mut warnings)
    });
    let checked = timed("load: check refs again", || refs::check(&raw, file))
        .and_then(|()| timed("load: check structure", || check_structure(&raw, file)));
    // What the later passes say about a kept 2020-12 keyword points where the keyword was
    // written, not into the place the conversion kept it.
    for warning in &mut warnings {
        input_pointer(&mut warning.location.pointer);
    }
    let head = checked.map_err(|mut diagnostic| {
        input_pointer(&mut diagnostic.location.pointer);
        diagnostic
    })?;
    Ok(Spec {
        file: file.to_owned(),
        version,
        hash,
        raw,
        head,
        warnings,
    })
}

/// A pointer into the normalized document as a pointer into the input: the 3.1 conversion keeps
/// the 2020-12 keywords under [`openapi::KEPT_2020_12`], which the input does not have.
fn input_pointer(pointer: &mut String) {
    let token = format!("/{}", openapi::KEPT_2020_12);
    while let Some(at) = pointer.find(&token) {
        let end = at + token.len();
        if pointer[end..].is_empty() || pointer[end..].starts_with('/') {
            pointer.replace_range(at..end, "");
        } else {
            break;
        }
    }
}

/// Reads `openapi` / `swagger` to tell which version the document is written in.
fn detect_version(doc: &Value, file: &str) -> Result<SpecVersion, Diagnostic> {
    let Value::Object(root) = doc else {
        return Err(Diagnostic::new(Location::new(file, ""), "the document is not an object")
            .hint("an OpenAPI document is a YAML or JSON object with an `openapi` (or `swagger`) field"));
    };
    let text = |value: &Value| match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    if let Some(found) = root.get("openapi") {
        let version = text(found).unwrap_or_default();
        if version.starts_with("3.0") || version == "3" {
            return Ok(SpecVersion::OpenApi30);
        }
        if version.starts_with("3.1") {
            return Ok(SpecVersion::OpenApi31);
        }
        return Err(Diagnostic::new(
            Location::new(file, "/openapi"),
            format!("unsupported OpenAPI version `{}`", display(found)),
        )
        .hint("mcpwright reads Swagger 2.0 and OpenAPI 3.0 and 3.1 documents"));
    }
    if let Some(found) = root.get("swagger") {
        if text(found)
            .as_deref()
            .is_some_and(|v| v == "2.0" || v == "2")
        {
            return Ok(SpecVersion::Swagger2);
        }
        return Err(Diagnostic::new(Location::new(file, "/swagger"), format!("unsupported Swagger version `{}`", display(found)))
            .hint("mcpwright reads Swagger 2.0 and OpenAPI 3.0 and 3.1 documents; convert older Swagger 1.x specs first"));
    }
    Err(Diagnostic::new(
        Location::new(file, ""),
        "not an OpenAPI document: there is no `openapi` or `swagger` field",
    )
    .hint("add `openapi: 3.0.3` (or the version the document is written in) at the top"))
}

/// Checks that the normalized document has the structure of OpenAPI 3.0 by reading it into
/// `openapiv3`'s model one piece at a time, and returns the document's head (its `paths` and
/// `components` left empty). A mismatch is reported at the deepest place found.
fn check_structure(raw: &Value, file: &str) -> Result<openapiv3::OpenAPI, Diagnostic> {
    // openapiv3 has an `expect` on a path that should be unreachable; a panic there must still
    // become a located error, never a crash of the generator.
    match std::panic::catch_unwind(|| structure_mismatch(raw)) {
        Ok(Ok(head)) => Ok(head),
        Ok(Err((pointer, err))) => Err(Diagnostic::new(
            Location::new(file, pointer),
            format!("not a valid OpenAPI 3.0 structure: {err}"),
        )
        .hint("fix this part of the spec so that it follows the OpenAPI specification")),
        Err(_) => Err(Diagnostic::new(
            Location::new(file, ""),
            "the OpenAPI model could not be read (the parser failed)",
        )
        .hint(
            "validate the spec with an OpenAPI linter; please report this document to mcpwright",
        )),
    }
}

/// A structural mismatch: the pointer of the place, and what is wrong there.
type Mismatch = (String, String);

/// Checks one section of the Components object, found at the pointer given.
type CheckSection = fn(&Value, &str) -> Result<(), Mismatch>;

/// The head of the document, or the first structural mismatch: the head (everything but the
/// path items and the component entries), then each path item, then each component entry.
fn structure_mismatch(raw: &Value) -> Result<openapiv3::OpenAPI, Mismatch> {
    use openapiv3::{
        Callback, Example, Header, Link, Parameter, PathItem, ReferenceOr, RequestBody, Response,
        Schema, SecurityScheme,
    };
    let Some(root) = raw.as_object() else {
        return typed::<openapiv3::OpenAPI>(raw, "");
    };
    // The head is the root with `paths` and `components` emptied of their entries (extensions
    // kept): small, and its own fields checked exactly as in the whole document.
    let mut head = serde_json::Map::new();
    for (key, value) in root {
        let value = match (key.as_str(), value) {
            ("paths" | "components", Value::Object(map)) => Value::Object(
                map.iter()
                    .filter(|(key, _)| key.starts_with("x-"))
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect(),
            ),
            _ => value.clone(),
        };
        head.insert(key.clone(), value);
    }
    let head = typed::<openapiv3::OpenAPI>(&Value::Object(head), "")?;
    if let Some(Value::Object(paths)) = root.get("paths") {
        for (path, item) in paths.iter().filter(|(path, _)| !path.starts_with("x-")) {
            let at = crate::error::pointer_join("/paths", path);
            if let Err(mismatch) = typed::<ReferenceOr<PathItem>>(item, &at) {
                return Err(narrow_path_item(item, &at).unwrap_or(mismatch));
            }
        }
    }
    if let Some(Value::Object(components)) = root.get("components") {
        let sections: [(&str, CheckSection); 9] = [
            ("schemas", entries::<ReferenceOr<Schema>>),
            ("responses", entries::<ReferenceOr<Response>>),
            ("parameters", entries::<ReferenceOr<Parameter>>),
            ("examples", entries::<ReferenceOr<Example>>),
            ("requestBodies", entries::<ReferenceOr<RequestBody>>),
            ("headers", entries::<ReferenceOr<Header>>),
            ("securitySchemes", entries::<ReferenceOr<SecurityScheme>>),
            ("links", entries::<ReferenceOr<Link>>),
            ("callbacks", entries::<ReferenceOr<Callback>>),
        ];
        for (key, value) in components.iter().filter(|(key, _)| !key.starts_with("x-")) {
            let at = crate::error::pointer_join("/components", key);
            match sections.iter().find(|(section, _)| section == key) {
                Some((_, check)) => check(value, &at)?,
                // Not a section of 3.0's Components object: read it as the whole model would.
                None => {
                    let mut alone = serde_json::Map::new();
                    alone.insert(key.clone(), value.clone());
                    typed::<openapiv3::Components>(&Value::Object(alone), "/components")?;
                }
            }
        }
    }
    Ok(head)
}

/// Checks a map of components one entry at a time (or the map itself, when it is not one).
fn entries<T: serde::de::DeserializeOwned>(section: &Value, at: &str) -> Result<(), Mismatch> {
    match section {
        Value::Object(map) => {
            for (name, entry) in map {
                typed::<T>(entry, &crate::error::pointer_join(at, name))?;
            }
            Ok(())
        }
        other => typed::<indexmap::IndexMap<String, T>>(other, at).map(drop),
    }
}

/// Reads `value` (found at `at`) as a `T`, naming the place of a mismatch.
fn typed<T: serde::de::DeserializeOwned>(value: &Value, at: &str) -> Result<T, Mismatch> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|err| {
        (
            format!("{at}{}", path_to_pointer(err.path())),
            err.into_inner().to_string(),
        )
    })
}

/// Finds the operation of a mismatched path item that is wrong: `openapiv3` flattens a path
/// item's operations, which hides the path below them, so each is read on its own.
fn narrow_path_item(item: &Value, at: &str) -> Option<Mismatch> {
    item.as_object()?.iter().find_map(|(key, operation)| {
        if !openapi::METHODS.contains(&key.as_str()) {
            return None;
        }
        let at = crate::error::pointer_join(at, key);
        typed::<openapiv3::Operation>(operation, &at).err()
    })
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer = format!("{pointer}/{index}"),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                pointer = crate::error::pointer_join(&pointer, key)
            }
            Segment::Unknown => {}
        }
    }
    pointer
}

fn display(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> Diagnostic {
        match load_str(text, "api.yaml") {
            Err(Error::Spec(d)) => *d,
            other => panic!("expected a spec error, got {other:?}"),
        }
    }

    #[test]
    fn versions() {
        let d = err("openapi: 4.0.0\ninfo: {title: t, version: v}\npaths: {}\n");
        assert_eq!(d.location.pointer, "/openapi");
        assert!(d.message.contains("4.0.0"));
        let d = err("swagger: '1.2'\n");
        assert_eq!(d.location.pointer, "/swagger");
        let d = err("info: {title: t}\n");
        assert!(d.message.contains("not an OpenAPI document"));
    }

    #[test]
    fn warnings_about_kept_keywords_point_where_they_were_written() {
        let spec = load_str(
            "openapi: 3.1.0\ninfo: {title: t, version: v}\npaths: {}\ncomponents:\n  schemas:\n    S:\n      type: object\n      if: {properties: {a: {const: 1}}}\n      then:\n        properties:\n          b: {type: string, required: true}\n",
            "api.yaml",
        )
        .unwrap();
        let pointers: Vec<&str> = spec
            .warnings
            .iter()
            .map(|w| w.location.pointer.as_str())
            .collect();
        assert!(
            pointers
                .iter()
                .any(|p| p.starts_with("/components/schemas/S/then/properties/b")),
            "{pointers:?}"
        );
        assert!(
            !pointers.iter().any(|p| p.contains("x-mcpwright")),
            "{pointers:?}"
        );
    }

    #[test]
    fn structural_errors_name_the_pointer() {
        let d = err(
            "openapi: 3.0.3\ninfo: {title: t, version: v}\npaths:\n  /a:\n    get:\n      responses: 7\n",
        );
        assert!(d.location.pointer.starts_with("/paths/~1a/get"), "{d}");
    }
}
