//! OpenAPI 3.1 → 3.0.3: rewrites what 3.0 (and `openapiv3`) cannot read into its closest 3.0 form.
//!
//! 3.1 schemas are JSON Schema 2020-12; most of the difference is there (`type` lists instead of
//! `nullable`, numeric `exclusiveMinimum`, `const`, `$defs`, boolean schemas, `$ref` with
//! siblings). The rest is document level: webhooks, `components.pathItems`, summaries next to
//! `$ref`s, the `mutualTLS` security scheme.
//!
//! Every diagnostic points into the 3.1 input. A keyword 3.0 cannot express is dropped with one
//! warning per keyword per document (naming the first place and how many there were), not one
//! per occurrence: a big spec would otherwise drown the useful warnings.
//!
//! The conversion is a few passes over the document, one file each: `document` (the root,
//! webhooks and path items, `mutualTLS`), `ids` (`$id`/`$anchor` and `$dynamicRef`
//! references turned into pointers), `schemas` (the walk that downgrades every schema) and
//! `defs` (`$defs` hoisted into `components.schemas`); `notes` collects their warnings.

mod defs;
mod document;
mod ids;
mod notes;
mod schemas;

use serde_json::Value;

use crate::error::{Diagnostic, Location};
use crate::load::schema_walk::walk_document;
use defs::hoist_defs;
use document::{downgrade_root, drop_mutual_tls, inline_path_items};
use ids::{instantiate_dynamic_refs, resolve_id_refs};
use notes::Notes;
use schemas::Downgrade;

/// Converts a parsed OpenAPI 3.1 document into an OpenAPI 3.0.3 document.
///
/// Fails only when the root is not an object; everything else becomes a warning and a best-effort
/// conversion.
// The loader's signature: a `Diagnostic` (not boxed) like the other load stages.
pub fn to_openapi30(
    mut doc: Value,
    file: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Value, Diagnostic> {
    if !doc.is_object() {
        return Err(
            Diagnostic::new(Location::new(file, ""), "the document is not an object")
                .hint("an OpenAPI document is a YAML or JSON object with an `openapi` field"),
        );
    }
    let mut notes = Notes::new(file);
    downgrade_root(&mut doc, &mut notes);
    resolve_id_refs(&mut doc);
    instantiate_dynamic_refs(&mut doc);
    walk_document(&mut doc, &mut Downgrade { notes: &mut notes });
    hoist_defs(&mut doc, &mut notes);
    inline_path_items(&mut doc, &mut notes);
    drop_mutual_tls(&mut doc, &mut notes);
    warnings.extend(notes.finish());
    Ok(doc)
}

#[cfg(test)]
mod tests;
