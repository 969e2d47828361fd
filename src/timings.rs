//! `MCPWRIGHT_TIMINGS=1`: how long each stage of a run took, on standard error, for the
//! benchmarks (`benches/generate.py`) and for finding where a large spec's time goes.

use std::sync::OnceLock;
use std::time::Instant;

/// Runs `stage`, printing its wall time when timings are asked for.
pub fn timed<T>(stage: &str, run: impl FnOnce() -> T) -> T {
    if !enabled() {
        return run();
    }
    let started = Instant::now();
    let out = run();
    eprintln!(
        "timing: {stage} {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    out
}

fn enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("MCPWRIGHT_TIMINGS").is_some_and(|v| v != "0"))
}
