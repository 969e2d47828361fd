//! `src/resources.rs`: the operations offered as MCP resources, each a URI template over the
//! static definition of its operation's tool (in `src/tools/`).

use proc_macro2::TokenStream;
use quote::quote;

use super::model::Options;
use super::rust::{ident, opt_str, str_lit};
use crate::ir::Api;

pub fn resources_rs(api: &Api, options: &Options) -> TokenStream {
    let entries = api.resources.iter().map(|resource| {
        let tool = &api.tools[resource.tool];
        let uri = str_lit(&resource.uri_template(&options.crate_name));
        let module = ident(&tool.module);
        let definition = ident(&tool.rust.static_name);
        let mime = opt_str(resource.mime_type.as_deref());
        let variables = resource.variables.iter().map(|variable| {
            let name = str_lit(&variable.name);
            let argument = str_lit(&variable.argument);
            let kind = ident(variable.kind.variant());
            let list = variable.list;
            let completions = variable.completions.iter().map(|value| str_lit(value));
            quote! {
                UriVariable {
                    name: #name,
                    argument: #argument,
                    kind: ValueKind::#kind,
                    list: #list,
                    completions: &[#(#completions),*],
                },
            }
        });
        quote! {
            ResourceDef {
                uri_template: #uri,
                tool: &crate::tools::#module::#definition,
                variables: &[#(#variables)*],
                mime_type: #mime,
            },
        }
    });
    let uses_variables = api.resources.iter().any(|r| !r.variables.is_empty());
    let imports = if uses_variables {
        quote!(
            use crate::runtime::{ResourceDef, UriVariable, ValueKind};
        )
    } else {
        quote!(
            use crate::runtime::ResourceDef;
        )
    };
    quote! {
        //! The operations offered as MCP resources: `resources/read` of a URI that matches a
        //! template calls its operation with the URI's variables as arguments.
        #imports

        /// Every resource, in the order of the spec.
        pub static ALL: &[ResourceDef] = &[#(#entries)*];
    }
}
