//! Replays the committed inputs of the `request` fuzz target (`fuzz/corpus/request`, the minimized
//! corpus, and `fuzz/regressions/request`, the crashers found so far) through the target's own body
//! (`support/request_fuzz.rs`): argument → request building must keep its invariants on all of them.

#[path = "support/request_fuzz.rs"]
mod request_fuzz;

use std::path::Path;

#[test]
fn fuzz_corpus_and_regressions_replay() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let (mut count, mut built) = (0, 0);
    for dir in ["corpus/request", "regressions/request"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
        paths.sort();
        for path in paths.iter().filter(|p| p.is_file()) {
            let bytes = std::fs::read(path).unwrap();
            let replay = std::panic::catch_unwind(|| request_fuzz::run(&bytes));
            let Ok(requests) = replay else {
                panic!("{} breaks an invariant", path.display());
            };
            count += 1;
            built += requests;
        }
    }
    assert!(count > 0, "no fuzz inputs found under {}", root.display());
    // The corpus must reach the checks, not only the argument errors.
    assert!(built > 0, "no request was built from the {count} inputs");
}
