//! Spec bytes (YAML or JSON, any version) → load, normalize, IR, inspect and emit: never a panic,
//! and a spec that loads always generates a crate. The body is `mcpwright::fuzz::load_and_emit`,
//! which `cargo test` also runs on the committed corpus and crashers.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    mcpwright::fuzz::load_and_emit(data);
});
