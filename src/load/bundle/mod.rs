//! Bundling a spec split over files into one self-contained document.
//!
//! Real specs are often split: `$ref: './schemas/Pet.yaml'`, `common.yaml#/components/schemas/
//! Error`, `paths: {/pets: {$ref: './paths/pets.yaml'}}`. [`bundle`] runs right after the main
//! document is parsed, before its version is detected and normalized, and brings every referenced
//! node into the main document, in the version the document is written in, so the normalization
//! passes see one ordinary document.
//!
//! What a referenced node *is* is decided by where its `$ref` sits (a `parameters` element is a
//! Parameter, a `responses` entry a Response, a `schema` a Schema, …). Nodes that OpenAPI can
//! reference are added to the section for their kind (`components.schemas`, Swagger 2.0
//! `definitions`, …) under a unique name and the `$ref` is rewritten to point there; the others
//! (path items, examples, links, callbacks, security schemes, and headers in Swagger 2.0) are
//! copied in place. A component entry of the main document that is only a `$ref` to another file
//! (`components: {schemas: {Pet: {$ref: './Pet.yaml'}}}`) is replaced by the node itself and keeps
//! its name.
//!
//! Inside a referenced file, its own local references (`#/components/schemas/X`, `#/Pet`) mean
//! nodes of that file and are bundled the same way. The main document's own `#/…` references are
//! left as they are. Remote references (`https://…`) are never fetched.
//!
//! `bundler` holds the walk over the documents and the placing of what it finds; `paths`
//! how references name files and nodes.

mod bundler;
mod paths;

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value;

use crate::error::Diagnostic;
use crate::load::openapi::{At, Flavor, ObjectKind};
use bundler::{Bundler, Src};
use paths::{collect_ids, has_external_ref};

/// Brings every node that `doc` (the parsed main document, read from `main_file`, named
/// `display_file` in messages) references in other files into `doc`, and rewrites those
/// references to point inside it. The result is in the version `doc` is written in.
///
/// Files are resolved relative to the folder of the file that holds the reference, read once
/// each, and may be YAML or JSON. A document without references to other files is returned
/// unchanged without touching the file system.
pub fn bundle(
    doc: Value,
    main_file: &Path,
    display_file: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Value, Diagnostic> {
    bundle_files(doc, main_file, display_file, warnings).map(|(doc, _)| doc)
}

/// [`bundle`], also returning each other file it read, by name in messages, with the SHA-256 of its
/// text (hex), sorted by name: the generated crate's source hash covers them, so a change in a
/// referenced file makes the crate stale too.
pub fn bundle_files(
    doc: Value,
    main_file: &Path,
    display_file: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(Value, Vec<(String, String)>), Diagnostic> {
    let mut doc = doc;
    let Some(root) = doc.as_object() else {
        return Ok((doc, Vec::new()));
    };
    let flavor = if root.contains_key("swagger") {
        Flavor::Swagger2
    } else {
        Flavor::OpenApi3
    };
    let main_ids: HashSet<String> = collect_ids(&doc).into_keys().collect();
    if !has_external_ref(&doc, &main_ids) {
        return Ok((doc, Vec::new()));
    }
    let mut bundler = Bundler::new(flavor, main_file, display_file, main_ids, &doc);
    bundler.preregister(&doc);
    bundler.walk(&mut doc, At::One(ObjectKind::Root), Src::Main, "")?;
    bundler.drain()?;
    bundler.place(&mut doc)?;
    warnings.append(&mut bundler.warnings);
    let mut files: Vec<(String, String)> = bundler
        .files
        .iter()
        .filter(|file| !file.is_main)
        .map(|file| (file.display.clone(), file.sha256.clone()))
        .collect();
    files.sort();
    Ok((doc, files))
}

#[cfg(test)]
mod tests;
