//! The intermediate model: everything the emitters need, and the only thing they read.
//!
//! Built once from a loaded spec by [`build`]; names are resolved here, deterministically, so
//! every emitter agrees on them.
//!
//! This file is the stage's front door: it declares the modules and re-exports what other stages
//! use, and defines nothing, so the modules can import each other's items without going through it
//! (the data types are in `model`, the build's choices in `options`).

mod build;
pub mod filter;
// The runtime's own file: the generator and generated servers find cycles the same way.
#[path = "../../templates/runtime/src/graph.rs"]
mod graph;
mod media;
mod model;
mod operations;
mod options;
mod params;
pub mod rust_types;
pub mod schema;
#[path = "../../templates/runtime/src/schema_defs.rs"]
pub mod schema_defs;
mod scopes;
mod security;
mod servers;
mod tool;

pub use build::build;
pub use filter::Filters;
pub use model::{
    Annotations, Api, Body, BodyKind, Method, OAuthFlow, OAuthFlowKind, Output, Param,
    ParamLocation, ParamStyle, SecurityRequirement, SecurityScheme, Server, SharedSchema, Source,
    Tool, ToolRustNames, ToolSchema,
};
pub use options::Options;
pub use rust_types::{
    EnumVariant, Field, NamedType, NamedTypeKind, RustType, TypeSpace, UnionVariant,
};
pub use scopes::ScopeMap;
