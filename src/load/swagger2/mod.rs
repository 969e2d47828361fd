//! Swagger 2.0 → OpenAPI 3.0.3.
//!
//! The 2.0 document is rebuilt in 3.0 shape: `host`/`basePath`/`schemes` become `servers`, body
//! and form parameters become request bodies (with one media type per `consumes` entry), response
//! schemas become `content` (one media type per `produces` entry), the fields of a non-body
//! parameter move into its `schema` with `collectionFormat` turned into `style`/`explode`, and
//! `definitions`, `parameters`, `responses`, `securityDefinitions` move under `components`.
//!
//! Every diagnostic points into the 2.0 input.
//!
//! The converter is one pass over the input, its methods filed by what they convert: `paths`
//! (servers, path items and operations), `parameters`, `bodies` (request bodies and
//! responses) and `components` (the shared definitions, schemas and references);
//! `converter` holds the pass itself and the helpers they share.

mod bodies;
mod components;
mod converter;
mod parameters;
mod paths;

use std::collections::HashSet;

use serde_json::Value;

use crate::error::{Diagnostic, Location};
use converter::{Converter, component_names, media_types, param_in};

/// Converts a parsed Swagger 2.0 document into an OpenAPI 3.0.3 document.
///
/// Fails only when the root is not an object; everything else becomes a warning and a best-effort
/// conversion.
// The loader's signature: a `Diagnostic` (not boxed) like the other load stages.
pub fn to_openapi30(
    doc: Value,
    file: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Value, Diagnostic> {
    let Value::Object(input) = doc else {
        return Err(
            Diagnostic::new(Location::new(file, ""), "the document is not an object")
                .hint("a Swagger 2.0 document is a YAML or JSON object with a `swagger` field"),
        );
    };
    let body_components = component_names(&input, |param| param_in(param) == "body");
    let mut found = Vec::new();
    let mut converter = Converter {
        input: &input,
        file,
        warnings: &mut found,
        consumes: media_types(input.get("consumes")),
        produces: media_types(input.get("produces")),
        body_components,
    };
    let out = converter.document();
    // A body component used by several operations is converted (and reported) once per use.
    let mut seen = HashSet::new();
    warnings.extend(found.into_iter().filter(|warning| {
        seen.insert((warning.location.pointer.clone(), warning.message.clone()))
    }));
    Ok(out)
}

#[cfg(test)]
mod tests;
