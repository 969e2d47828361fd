//! Reading a spec: YAML or JSON, Swagger 2.0 / OpenAPI 3.0 / 3.1, normalized into one OpenAPI 3.0
//! model (`openapiv3::OpenAPI`), with every local `$ref` checked.

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

/// A loaded spec: the normalized document, typed and raw, and what was noticed on the way.
#[derive(Debug)]
pub struct Spec {
    /// The spec's path as the user gave it, for messages.
    pub file: String,
    pub version: SpecVersion,
    /// SHA-256 of the spec's bytes, hex.
    pub hash: String,
    /// The normalized OpenAPI 3.0 document as JSON, for references the typed model cannot follow.
    pub raw: Value,
    /// The normalized document, typed.
    pub doc: openapiv3::OpenAPI,
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
    timed("load: check refs again", || refs::check(&raw, file))?;
    let doc = timed("load: typed", || typed(&raw, file))?;
    Ok(Spec {
        file: file.to_owned(),
        version,
        hash,
        raw,
        doc,
        warnings,
    })
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

/// Deserializes the normalized document into `openapiv3`'s model, naming the place of a mismatch.
fn typed(raw: &Value, file: &str) -> Result<openapiv3::OpenAPI, Diagnostic> {
    // openapiv3 has an `expect` on a path that should be unreachable; a panic there must still
    // become a located error, never a crash of the generator.
    let result =
        std::panic::catch_unwind(|| serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(raw));
    match result {
        Ok(Ok(doc)) => Ok(doc),
        Ok(Err(err)) => {
            let pointer = path_to_pointer(err.path());
            // openapiv3 flattens maps (paths, responses), which hides the path below them: look
            // again, one path item and one operation at a time, to point at the real place.
            let (pointer, err) = narrow(raw, pointer, err.into_inner().to_string());
            Err(Diagnostic::new(
                Location::new(file, pointer),
                format!("not a valid OpenAPI 3.0 structure: {err}"),
            )
            .hint("fix this part of the spec so that it follows the OpenAPI specification"))
        }
        Err(_) => Err(Diagnostic::new(
            Location::new(file, ""),
            "the OpenAPI model could not be read (the parser failed)",
        )
        .hint(
            "validate the spec with an OpenAPI linter; please report this document to mcpwright",
        )),
    }
}

/// Finds the deepest place of a structural error below `/paths` by deserializing path items and
/// then operations on their own.
fn narrow(raw: &Value, pointer: String, message: String) -> (String, String) {
    if pointer != "/paths" && !pointer.is_empty() {
        return (pointer, message);
    }
    let Some(paths) = raw.get("paths").and_then(Value::as_object) else {
        return (pointer, message);
    };
    for (path, item) in paths.iter().filter(|(path, _)| !path.starts_with("x-")) {
        let item_pointer = crate::error::pointer_join("/paths", path);
        let Err(err) = serde_path_to_error::deserialize::<
            _,
            openapiv3::ReferenceOr<openapiv3::PathItem>,
        >(item) else {
            continue;
        };
        for (key, operation) in item.as_object().into_iter().flatten() {
            let op_pointer = crate::error::pointer_join(&item_pointer, key);
            let found = match key.as_str() {
                method if openapi::METHODS.contains(&method) => {
                    serde_path_to_error::deserialize::<_, openapiv3::Operation>(operation)
                        .err()
                        .map(|e| (path_to_pointer(e.path()), e.into_inner().to_string()))
                }
                "parameters" | "servers" => continue,
                _ => None,
            };
            if let Some((inner, message)) = found {
                return (format!("{op_pointer}{inner}"), message);
            }
        }
        return (
            format!("{item_pointer}{}", path_to_pointer(err.path())),
            err.into_inner().to_string(),
        );
    }
    (pointer, message)
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
    fn structural_errors_name_the_pointer() {
        let d = err(
            "openapi: 3.0.3\ninfo: {title: t, version: v}\npaths:\n  /a:\n    get:\n      responses: 7\n",
        );
        assert!(d.location.pointer.starts_with("/paths/~1a/get"), "{d}");
    }
}
