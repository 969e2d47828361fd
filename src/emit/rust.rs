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

/// The tokens of a Rust type. Paths are absolute, so a spec type named `Option` or `Vec` cannot
/// shadow them.
pub fn type_tokens(ty: &RustType, types: &TypeSpace) -> TokenStream {
    match ty {
        RustType::String => quote!(::std::string::String),
        RustType::Integer => quote!(i64),
        RustType::Number => quote!(::serde_json::Number),
        RustType::Boolean => quote!(bool),
        RustType::Value => quote!(::serde_json::Value),
        RustType::Vec(item) => {
            let item = type_tokens(item, types);
            quote!(::std::vec::Vec<#item>)
        }
        RustType::Map(value) => {
            let value = type_tokens(value, types);
            quote!(::std::collections::BTreeMap<::std::string::String, #value>)
        }
        RustType::Option(inner) => {
            let inner = type_tokens(inner, types);
            quote!(::std::option::Option<#inner>)
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
