//! `src/types.rs`: the named types tool arguments use.

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::{Paths, doc, ident, str_lit, type_tokens, type_tokens_with};
use crate::ir::{Field, NamedType, NamedTypeKind, RustType, TypeSpace};

/// The module's items.
pub fn types_file(types: &TypeSpace) -> TokenStream {
    let items = types.types.iter().map(|ty| named_type(ty, types));
    quote! {
        //! Types from the spec's component schemas, used by the tools' arguments.
        #![allow(
            clippy::doc_lazy_continuation,
            clippy::doc_overindented_list_items,
            clippy::tabs_in_doc_comments,
            clippy::large_enum_variant,
            clippy::enum_variant_names,
            rustdoc::broken_intra_doc_links,
            rustdoc::bare_urls,
            rustdoc::invalid_html_tags
        )]
        #(#items)*
    }
}

fn named_type(ty: &NamedType, types: &TypeSpace) -> TokenStream {
    let name = ident(&ty.name);
    let docs = doc(ty.doc.as_deref());
    match &ty.kind {
        NamedTypeKind::Struct { fields, additional } => {
            let fields = fields.iter().map(|field| struct_field(field, types));
            let additional = additional.as_ref().map(|field| {
                let field = ident(field);
                quote! {
                    /// Properties the schema does not list, passed through as they are.
                    #[serde(flatten)]
                    pub #field: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
            });
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
                pub struct #name {
                    #(#fields)*
                    #additional
                }
            }
        }
        NamedTypeKind::Union { variants } => {
            let variants = variants.iter().map(|variant| {
                let rust = ident(&variant.rust_name);
                let mut ty = type_tokens(&variant.ty, types);
                if variant.boxed {
                    ty = quote!(::std::boxed::Box<#ty>);
                }
                quote!(#rust(#ty),)
            });
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
                #[serde(untagged)]
                pub enum #name {
                    #(#variants)*
                }
            }
        }
        NamedTypeKind::Opaque => quote! {
            #docs
            pub type #name = ::serde_json::Value;
        },
        NamedTypeKind::Enum { variants } => {
            let variants = variants.iter().map(|variant| {
                let rust = ident(&variant.rust_name);
                let rename = (variant.rust_name != variant.wire).then(|| {
                    let wire = str_lit(&variant.wire);
                    quote!(#[serde(rename = #wire)])
                });
                quote!(#rename #rust,)
            });
            quote! {
                #docs
                #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
                pub enum #name {
                    #(#variants)*
                }
            }
        }
    }
}

/// A field whose type and serde attributes keep the difference between absent, `null` and a
/// value exactly as the schema allows it.
fn struct_field(field: &Field, types: &TypeSpace) -> TokenStream {
    let name = ident(&field.rust_name);
    let docs = doc(field.doc.as_deref());
    let mut ty = type_tokens(&field.ty, types);
    if field.boxed {
        ty = quote!(::std::boxed::Box<#ty>);
    }
    let rename = rename_attr(&field.rust_name, &field.wire_name);
    let (ty, attrs) = match (field.required, field.nullable) {
        (true, false) => (ty, quote!()),
        (true, true) => (quote!(::std::option::Option<#ty>), quote!()),
        (false, false) => (
            quote!(::std::option::Option<#ty>),
            quote!(#[serde(default, skip_serializing_if = "::std::option::Option::is_none")]),
        ),
        (false, true) => (
            quote!(::std::option::Option<::std::option::Option<#ty>>),
            quote!(#[serde(default, skip_serializing_if = "::std::option::Option::is_none", with = "crate::runtime::serde_ext::double_option")]),
        ),
    };
    quote! {
        #docs
        #rename
        #attrs
        pub #name: #ty,
    }
}

/// `#[serde(rename = "…")]` when the Rust name differs from the wire name.
fn rename_attr(rust_name: &str, wire_name: &str) -> TokenStream {
    if rust_name.strip_prefix("r#").unwrap_or(rust_name) == wire_name {
        return quote!();
    }
    let wire = str_lit(wire_name);
    quote!(#[serde(rename = #wire)])
}

/// The type of an argument field: optional when not required (or when `null` is allowed). The
/// argument structs are only ever deserialized, and serde reads a missing `Option` field as
/// `None`, so optional fields need no attribute.
pub fn argument_type(
    ty: &RustType,
    required: bool,
    nullable: bool,
    types: &TypeSpace,
) -> TokenStream {
    let ty = type_tokens_with(ty, types, Paths::Prelude);
    if required && !nullable {
        ty
    } else {
        quote!(Option<#ty>)
    }
}
