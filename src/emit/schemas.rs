//! `src/schemas.tsv`: every distinct schema definition the tools reach, once per crate, one per
//! line (`name<TAB>JSON`; the line number after the two header lines is the id the tools' schemas
//! use). Files stay reviewable: past [`MAX_FILE_BYTES`] the lines continue in `src/schemas-2.tsv`
//! and so on, ids running on across files.

use crate::ir::Api;
use crate::ir::schema_defs::FORMAT_LINE;

/// Where one schema file ends, so that no generated file grows past what a git host or a
/// reviewer accepts.
pub const MAX_FILE_BYTES: usize = 4 << 20;

/// The schema files, as (path relative to the crate, contents), in id order.
pub fn schema_files(api: &Api, marker: &str) -> Vec<(String, String)> {
    let head = format!("# {marker}\n{FORMAT_LINE}\n");
    let mut files = Vec::new();
    let mut text = head.clone();
    for def in &api.schemas {
        let line = def.name.len() + def.text.len() + 2;
        if text.len() > head.len() && text.len() + line > MAX_FILE_BYTES {
            files.push(std::mem::replace(&mut text, head.clone()));
        }
        text.push_str(&def.name);
        text.push('\t');
        text.push_str(&def.text);
        text.push('\n');
    }
    files.push(text);
    files
        .into_iter()
        .enumerate()
        .map(|(at, text)| (file_name(at), text))
        .collect()
}

/// `src/schemas.tsv`, then `src/schemas-2.tsv`, ….
fn file_name(at: usize) -> String {
    match at {
        0 => "src/schemas.tsv".to_owned(),
        n => format!("src/schemas-{}.tsv", n + 1),
    }
}
