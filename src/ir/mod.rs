//! The intermediate model: everything the emitters need, and the only thing they read.
//!
//! Built once from a loaded spec by [`build`]; names are resolved here, deterministically, so
//! every emitter agrees on them.
//!
//! This file is the stage's front door: it declares the modules and re-exports what other stages
//! use, and defines nothing, so the modules can import each other's items without going through it
//! (the data types are in `model`; the build's choices are the crate's one `Options`).

mod build;
pub mod filter;
mod flat;
// The runtime's own file: the generator and generated servers find cycles the same way.
#[path = "../../templates/runtime/src/graph.rs"]
mod graph;
mod media;
mod model;
mod operations;
mod params;
mod resources;
pub mod rust_types;
pub mod schema;
#[path = "../../templates/runtime/src/schema_anchors.rs"]
mod schema_anchors;
#[path = "../../templates/runtime/src/schema_defs.rs"]
pub mod schema_defs;
mod scopes;
mod security;
mod servers;
mod tool;

pub use build::build;
pub use model::{
    Annotations, Api, Body, BodyKind, Method, OAuthFlow, OAuthFlowKind, Output, Param,
    ParamLocation, ParamStyle, Resource, ResourceUri, SecurityRequirement, SecurityScheme, Server,
    SharedSchema, Source, Tool, ToolRustNames, ToolSchema, UriVariable, ValueKind,
};
// The build reads the crate's one `Options` itself rather than a copy of the fields it uses: a
// view would be a second list of the same settings to keep in step, which is what made a new
// setting touch five places. The filter and scope-map types live there too (the file and the
// flags fill them); their matching stays in `filter` and `scopes`.
pub use crate::options::{Filters, Options, ScopeMap};
pub use rust_types::{
    EnumVariant, Field, NamedType, NamedTypeKind, RustType, TypeSpace, UnionVariant,
};
