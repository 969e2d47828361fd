//! `src/tools/*.rs`: per tool, its typed argument struct, its static definition, and the function
//! that turns its arguments into the upstream request (through the runtime's shared `Request`
//! builder, so per-tool code stays small).

use proc_macro2::TokenStream;
use quote::quote;

use super::rust::{doc, ident, str_lit, summary};
use super::types::argument_type;
use crate::ir::{Api, Body, BodyKind, Param, ParamLocation, ParamStyle, Tool};

/// `src/tools/mod.rs`: the module list and the table of every tool.
pub fn tools_mod(api: &Api, modules: &[String]) -> TokenStream {
    let mods = modules.iter().map(|m| {
        let m = ident(m);
        quote!(pub mod #m;)
    });
    let entries = api.listed().map(|tool| {
        let module = ident(&tool.module);
        let name = ident(&tool.rust.static_name);
        quote!(&#module::#name,)
    });
    quote! {
        //! The tools, one module per tag of the spec.
        #(#mods)*

        /// Every tool, in the order of the spec (the operations offered only as resources are in
        /// `crate::resources`).
        pub static ALL: &[&crate::runtime::ToolDef] = &[#(#entries)*];
    }
}

/// One tool module.
/// `schemas` holds each tool's stored schema ids, in the API's order.
pub fn tools_file(api: &Api, module: &str, schemas: &[(u32, Option<u32>)]) -> TokenStream {
    let tools: Vec<(&Tool, (u32, Option<u32>))> = api
        .tools
        .iter()
        .zip(schemas.iter().copied())
        .filter(|(t, _)| t.module == module)
        .collect();
    // Import only what this module uses: unused imports would fail `clippy -D warnings`.
    let uses_path_style = tools.iter().flat_map(|(t, _)| &t.params).any(|p| {
        p.location == ParamLocation::Path
            && (p.explode || matches!(p.style, ParamStyle::Label | ParamStyle::Matrix))
    });
    let uses_query_style = tools
        .iter()
        .flat_map(|(t, _)| &t.params)
        .any(|p| p.location == ParamLocation::Query && uses_query_with(p));
    let uses_take = tools
        .iter()
        .any(|(t, _)| !t.params.is_empty() || t.body.as_ref().is_some_and(|b| !b.flat));
    let uses_rest = tools
        .iter()
        .any(|(t, _)| t.body.as_ref().is_some_and(|b| b.flat));
    let take = match (uses_take, uses_rest) {
        (true, true) => Some(quote!(
            use crate::runtime::args::{rest, take};
        )),
        (true, false) => Some(quote!(
            use crate::runtime::args::take;
        )),
        (false, true) => Some(quote!(
            use crate::runtime::args::rest;
        )),
        (false, false) => None,
    };
    let path_style = uses_path_style.then(|| quote!(PathStyle,));
    let query_style = uses_query_style.then(|| quote!(QueryStyle,));
    let tools = tools
        .into_iter()
        .map(|(t, (input, output))| tool(api, t, input, output));
    quote! {
        //! Tools generated from the spec's operations.
        #![allow(
            clippy::doc_lazy_continuation,
            clippy::doc_overindented_list_items,
            clippy::tabs_in_doc_comments,
            rustdoc::broken_intra_doc_links,
            rustdoc::bare_urls,
            rustdoc::invalid_html_tags
        )]
        use crate::api::SCHEMAS;
        #take
        use crate::runtime::{Annotations, ArgError, JsonObject, Method, OutputShape, #path_style #query_style Request, Schema, ToolDef};

        #(#tools)*
    }
}

fn tool(api: &Api, tool: &Tool, input: u32, output: Option<u32>) -> TokenStream {
    let args_type = ident(&tool.rust.args_type);
    let static_name = ident(&tool.rust.static_name);
    let build_fn = ident(&tool.rust.build_fn);
    let struct_doc = doc(Some(&format!(
        "Arguments of the `{}` tool: `{}`.",
        tool.name, tool.label
    )));
    let fields = tool
        .params
        .iter()
        .map(|p| {
            field(
                api,
                &p.field,
                p.description.as_deref(),
                &p.ty,
                p.required,
                is_nullable_schema(&p.schema),
            )
        })
        .chain(tool.body.iter().map(|b| {
            field(
                api,
                &b.field,
                b.description.as_deref(),
                &b.ty,
                b.required,
                false,
            )
        }));
    let static_doc = doc(Some(&format!(
        "`{}`{}",
        tool.label,
        tool.title
            .as_deref()
            .map(|t| format!(": {t}"))
            .unwrap_or_default()
    )));
    let name = str_lit(&tool.name);
    let title = some_str(tool.title.as_deref());
    let description = str_lit(&tool.description);
    let method = ident(tool.method.variant());
    let path = str_lit(&tool.path);
    let input = proc_macro2::Literal::u32_unsuffixed(input);
    let input_schema = quote!(Schema::at(&SCHEMAS, #input));
    let output_schema = match output {
        Some(output) => {
            let output = proc_macro2::Literal::u32_unsuffixed(output);
            quote!(Some(Schema::at(&SCHEMAS, #output)))
        }
        None => quote!(None),
    };
    let output = if tool.output.as_ref().is_some_and(|o| o.wrapped) {
        quote!(Wrapped)
    } else {
        quote!(Object)
    };
    let annotations = annotations(tool.annotations);
    let accept = some_str(tool.accept.as_deref());
    let security = tool.security.iter().map(|requirement| {
        let schemes = requirement.schemes.iter().map(|(name, scopes)| {
            let name = str_lit(name);
            let scopes = scopes.iter().map(|s| str_lit(s));
            quote!((#name, &[#(#scopes),*]))
        });
        quote!(&[#(#schemes),*])
    });
    let scopes = tool.scopes.iter().map(|alternative| {
        let scopes = alternative.iter().map(|s| str_lit(s));
        quote!(&[#(#scopes),*])
    });
    let calls = tool
        .params
        .iter()
        .map(param_call)
        .chain(tool.body.iter().map(body_call));
    let has_args = !tool.params.is_empty() || tool.body.is_some();
    let args_binding = if has_args {
        quote!(args)
    } else {
        quote!(_args)
    };
    let mutability = if has_args { quote!(mut) } else { quote!() };
    let parameter = if has_args {
        quote!(mut args)
    } else {
        quote!(_)
    };
    // Validated arguments become the typed struct field by field (`args::take`); a flat body
    // is what the parameters leave (`args::rest`), so its field comes last, as it is declared.
    let takes = tool
        .params
        .iter()
        .map(|p| (&p.field, Some(&p.arg_name)))
        .chain(
            tool.body
                .iter()
                .map(|b| (&b.field, (!b.flat).then_some(&b.arg_name))),
        )
        .map(|(field, arg)| {
            let field = ident(field);
            match arg {
                Some(arg) => {
                    let arg = str_lit(arg);
                    quote!(#field: take(&mut args, #arg)?,)
                }
                None => quote!(#field: rest(&mut args)?,),
            }
        });
    // No derives: the struct only carries validated arguments from `take` to the request, and a
    // derive per tool is compile time and memory a large API pays for nothing (a `Debug` derive
    // on each of 11,826 tools cost `cargo check` 0.6 GB and 12 %).
    quote! {
        #struct_doc
        pub struct #args_type {
            #(#fields)*
        }

        #static_doc
        pub static #static_name: ToolDef = ToolDef {
            name: #name,
            title: #title,
            description: #description,
            method: Method::#method,
            path: #path,
            input_schema: #input_schema,
            output_schema: #output_schema,
            output: OutputShape::#output,
            annotations: #annotations,
            accept: #accept,
            security: &[#(#security),*],
            scopes: &[#(#scopes),*],
            build: #build_fn,
        };

        fn #build_fn(#parameter: JsonObject) -> Result<Request, ArgError> {
            let #args_binding = #args_type { #(#takes)* };
            let #mutability request = Request::new(Method::#method, #path);
            #(#calls)*
            request.finish()
        }
    }
}

fn field(
    api: &Api,
    name: &str,
    description: Option<&str>,
    ty: &crate::ir::RustType,
    required: bool,
    nullable: bool,
) -> TokenStream {
    let docs = doc(description.map(summary).as_deref());
    let ty = argument_type(ty, required, nullable, &api.types);
    let name = ident(name);
    quote! {
        #docs
        pub #name: #ty,
    }
}

/// Whether an argument's schema admits `null` (then its field is optional even when required).
fn is_nullable_schema(schema: &serde_json::Value) -> bool {
    schema
        .get("type")
        .and_then(serde_json::Value::as_array)
        .is_some_and(|types| types.iter().any(|t| t == "null"))
}

/// The `Request` call that puts one parameter in its place.
fn param_call(param: &Param) -> TokenStream {
    // One name when the wire's and the argument's are the same, as they nearly always are.
    let names = if param.wire_name == param.arg_name {
        let name = str_lit(&param.wire_name);
        quote!(#name)
    } else {
        let (wire, arg) = (str_lit(&param.wire_name), str_lit(&param.arg_name));
        quote!((#wire, #arg))
    };
    let field = ident(&param.field);
    let explode = param.explode;
    match param.location {
        ParamLocation::Path => match param.style {
            ParamStyle::Label | ParamStyle::Matrix => {
                let style = if param.style == ParamStyle::Label {
                    quote!(Label)
                } else {
                    quote!(Matrix)
                };
                quote!(request.path_with(#names, &args.#field, PathStyle::#style, #explode)?;)
            }
            _ if explode => {
                quote!(request.path_with(#names, &args.#field, PathStyle::Simple, true)?;)
            }
            _ => quote!(request.path(#names, &args.#field)?;),
        },
        ParamLocation::Query => {
            let style = match param.style {
                ParamStyle::SpaceDelimited => quote!(SpaceDelimited),
                ParamStyle::PipeDelimited => quote!(PipeDelimited),
                ParamStyle::DeepObject => quote!(DeepObject),
                _ => quote!(Form),
            };
            if !uses_query_with(param) {
                quote!(request.query(#names, &args.#field)?;)
            } else {
                let reserved = param.allow_reserved;
                quote!(request.query_with(#names, &args.#field, QueryStyle::#style, #explode, #reserved)?;)
            }
        }
        ParamLocation::Header => quote!(request.header(#names, &args.#field, #explode)?;),
        ParamLocation::Cookie => quote!(request.cookie(#names, &args.#field)?;),
    }
}

/// Whether a query parameter needs `query_with` (anything but exploded `form` without
/// `allowReserved`, the OpenAPI default).
fn uses_query_with(param: &Param) -> bool {
    let plain_form = !matches!(
        param.style,
        ParamStyle::SpaceDelimited | ParamStyle::PipeDelimited | ParamStyle::DeepObject
    );
    !(plain_form && param.explode && !param.allow_reserved)
}

/// The `Request` call that sets the body.
fn body_call(body: &Body) -> TokenStream {
    let media = str_lit(&body.media_type);
    // Errors name the argument; a flat body's properties are named from the arguments' root.
    let arg = str_lit(if body.flat { "" } else { &body.arg_name });
    let field = ident(&body.field);
    let method = match body.kind {
        BodyKind::Json => quote!(json),
        BodyKind::Form => quote!(form),
        BodyKind::Multipart => quote!(multipart),
        BodyKind::Text => quote!(text),
        BodyKind::Binary => quote!(bytes),
    };
    if body.kind == BodyKind::Multipart {
        let binary = body.binary_fields.iter().map(|f| str_lit(f));
        return quote!(request.#method(#media, #arg, &args.#field, &[#(#binary),*])?;);
    }
    quote!(request.#method(#media, #arg, &args.#field)?;)
}

/// `Some("…")` or `None`, from the prelude (see [`super::rust::Paths`]).
fn some_str(text: Option<&str>) -> TokenStream {
    match text {
        Some(text) => {
            let lit = str_lit(text);
            quote!(Some(#lit))
        }
        None => quote!(None),
    }
}

/// The runtime's named annotations when they fit (they always do for annotations derived from
/// the method), else the four values.
fn annotations(a: crate::ir::Annotations) -> TokenStream {
    match (a.read_only, a.destructive, a.idempotent, a.open_world) {
        (true, false, true, true) => quote!(Annotations::READ_ONLY),
        (false, false, false, true) => quote!(Annotations::ADDITIVE),
        (false, false, true, true) => quote!(Annotations::IDEMPOTENT),
        (false, true, true, true) => quote!(Annotations::DESTRUCTIVE),
        (read_only, destructive, idempotent, open_world) => quote!(Annotations {
            read_only: #read_only,
            destructive: #destructive,
            idempotent: #idempotent,
            open_world: #open_world,
        }),
    }
}
