//! Helpers for emitting Rust: identifiers, literals, doc attributes, types, and rendering a token
//! stream into a formatted file.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use crate::error::Error;
use crate::ir::{RustType, TypeSpace};

/// An identifier, raw (`r#type`) when the name says so.
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// A string literal: raw (`r#"…"#`) when the text has quotes, backslashes or line breaks, so
/// schemas and descriptions stay readable in the generated source.
pub fn str_lit(text: &str) -> Literal {
    if !text.contains(['"', '\\', '\n', '\r']) {
        return Literal::string(text);
    }
    if text.contains('\r') {
        // Raw strings cannot hold a lone CR (rustc rejects it), so fall back to escapes.
        return Literal::string(text);
    }
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let fence = "#".repeat(hashes);
    format!("r{fence}\"{text}\"{fence}")
        .parse()
        .unwrap_or_else(|_| Literal::string(text))
}

/// `Some("…")` or `None`.
pub fn opt_str(text: Option<&str>) -> TokenStream {
    match text {
        Some(text) => {
            let lit = str_lit(text);
            quote!(::std::option::Option::Some(#lit))
        }
        None => quote!(::std::option::Option::None),
    }
}

/// Doc attributes for `text`, one per line, so they print as `///` comments.
pub fn doc(text: Option<&str>) -> TokenStream {
    let Some(text) = text else {
        return TokenStream::new();
    };
    let lines = text.trim().lines().map(|line| {
        let line = line.trim_end();
        let line = if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        };
        quote!(#[doc = #line])
    });
    quote!(#(#lines)*)
}

/// The first sentence of `text` (at most [`SUMMARY_CHARS`] characters, cut at a word), for
/// documentation whose full text the generated code holds elsewhere: an argument's description
/// is in the tool's input schema, right below its struct.
pub fn summary(text: &str) -> String {
    let paragraph = text.trim().split("\n\n").next().unwrap_or("");
    let line = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    // A sentence ends at ". " before a capital, unless the word before is an abbreviation with
    // dots of its own ("e.g.", "U.S.").
    let end = line.match_indices(". ").map(|(at, _)| at).find(|&at| {
        let word = line[..at].rsplit(' ').next().unwrap_or("");
        !word.contains('.') && line[at + 2..].starts_with(char::is_uppercase)
    });
    let sentence = match end {
        Some(end) => &line[..=end],
        None => &line,
    };
    if sentence.chars().count() <= SUMMARY_CHARS {
        return sentence.to_owned();
    }
    let cut: String = sentence.chars().take(SUMMARY_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':']))
}

/// How long a [`summary`] may be.
pub const SUMMARY_CHARS: usize = 160;

/// The tokens of a Rust type. Paths are absolute, so a spec type named `Option` or `Vec` cannot
/// shadow them.
pub fn type_tokens(ty: &RustType, types: &TypeSpace) -> TokenStream {
    type_tokens_with(ty, types, Paths::Full)
}

/// How standard types are named in generated code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paths {
    /// `::std::string::String`: where the spec's own types are declared, one of which may well
    /// be called `String` or `Option`.
    Full,
    /// `String`, `Vec`, `Option` from the prelude: in tool modules, whose items are all named by
    /// mcpwright (`…Args`, statics, functions) and can never shadow them.
    Prelude,
}

/// [`type_tokens`] with standard types named as `paths` says.
pub fn type_tokens_with(ty: &RustType, types: &TypeSpace, paths: Paths) -> TokenStream {
    let full = paths == Paths::Full;
    match ty {
        RustType::String if full => quote!(::std::string::String),
        RustType::String => quote!(String),
        RustType::Integer => quote!(i64),
        RustType::Number => quote!(::serde_json::Number),
        RustType::Boolean => quote!(bool),
        RustType::Value => quote!(::serde_json::Value),
        RustType::Vec(item) => {
            let item = type_tokens_with(item, types, paths);
            if full {
                quote!(::std::vec::Vec<#item>)
            } else {
                quote!(Vec<#item>)
            }
        }
        RustType::Map(value) => {
            let value = type_tokens_with(value, types, paths);
            let key = type_tokens_with(&RustType::String, types, paths);
            quote!(::std::collections::BTreeMap<#key, #value>)
        }
        RustType::Option(inner) => {
            let inner = type_tokens_with(inner, types, paths);
            if full {
                quote!(::std::option::Option<#inner>)
            } else {
                quote!(Option<#inner>)
            }
        }
        RustType::Named(index) => {
            let name = ident(&types.types[*index].name);
            quote!(crate::types::#name)
        }
    }
}

/// Formats a token stream as a source file, behind `header`.
pub fn render(header: &str, tokens: TokenStream, path: &str) -> Result<String, Error> {
    let file: syn::File = syn::parse2(tokens).map_err(|err| Error::Output {
        path: path.into(),
        message: format!("internal error: generated code does not parse ({err}); please report this spec to mcpwright"),
    })?;
    Ok(format!(
        "{header}\n{}",
        space_items(&prettyplease::unparse(&file))
    ))
}

/// Puts a blank line between top-level items, which prettyplease packs together: generated files
/// should read like written ones.
fn space_items(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + source.len() / 16);
    let mut prev: Option<&str> = None;
    // Whether the previous top-level construct was an inner attribute (`#![…]`), possibly spanning
    // lines: the `)]` that closes it ends a group, the `)]` of an outer attribute does not.
    let mut in_inner_attr = false;
    let mut after_inner_attr = false;
    for line in source.lines() {
        if let Some(prev) = prev
            && starts_item(line)
            && (after_inner_attr || ends_item(prev, line))
        {
            out.push('\n');
        }
        after_inner_attr = false;
        if line.starts_with("#![") {
            in_inner_attr = !line.ends_with(']');
            after_inner_attr = !in_inner_attr;
        } else if in_inner_attr && line == ")]" {
            in_inner_attr = false;
            after_inner_attr = true;
        }
        out.push_str(line);
        out.push('\n');
        prev = Some(line);
    }
    out
}

/// A top-level line that can begin an item (or its docs and attributes).
fn starts_item(line: &str) -> bool {
    !line.is_empty() && !line.starts_with([' ', '}', ')', ']'])
}

/// Whether `prev`, the line before the top-level line `next`, ends an item or a group of items
/// (a run of `use`s, of `mod`s, or the module's inner docs).
fn ends_item(prev: &str, next: &str) -> bool {
    let group = |line: &str| {
        if line.starts_with("use ") || line.starts_with("pub use ") {
            1
        } else if line.starts_with("pub mod ") || line.starts_with("mod ") {
            2
        } else if line.starts_with("//!") {
            3
        } else {
            0
        }
    };
    match prev {
        "}" | "};" => true,
        _ if prev.starts_with(' ') || prev.is_empty() => false,
        _ if prev.ends_with(';') => group(prev) == 0 || group(prev) != group(next),
        _ if prev.starts_with("//!") => group(next) != 3,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_keep_the_first_sentence() {
        assert_eq!(
            summary("Project ID for this request."),
            "Project ID for this request."
        );
        assert_eq!(
            summary("The id. Unique within the\nproject.\n\nMore text."),
            "The id."
        );
        assert_eq!(summary("Media (e.g. raw). Legacy."), "Media (e.g. raw).");
        let long = "word ".repeat(60);
        let short = summary(&long);
        assert!(
            short.ends_with("word…") && short.chars().count() <= SUMMARY_CHARS + 1,
            "{short}"
        );
    }

    #[test]
    fn literals() {
        assert_eq!(str_lit("plain").to_string(), "\"plain\"");
        assert_eq!(
            str_lit("{\"$ref\":\"#/$defs/A\"}").to_string(),
            "r##\"{\"$ref\":\"#/$defs/A\"}\"##"
        );
        assert_eq!(str_lit("a\nb").to_string(), "r#\"a\nb\"#");
        assert_eq!(str_lit("a\r\nb").to_string(), "\"a\\r\\nb\"");
        assert_eq!(ident("r#type").to_string(), "r#type");
    }
}
