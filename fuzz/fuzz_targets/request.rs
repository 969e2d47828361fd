//! Tool arguments → upstream request, for hand-written tools covering every parameter location,
//! style and body kind, with the URL, header, cookie and body invariants checked on each request.
//! The body lives with the runtime's tests (`templates/runtime/tests/support/request_fuzz.rs`),
//! whose `fuzz_request` test also runs it on the committed corpus and crashers.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../templates/runtime/tests/support/request_fuzz.rs"]
mod request_fuzz;

fuzz_target!(|data: &[u8]| {
    request_fuzz::run(data);
});
