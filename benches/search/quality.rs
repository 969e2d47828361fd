//! Search quality in process: builds a spec's index exactly as `mcpwright generate` does and runs
//! a query set through the same ranking the server uses, without building the generated crate.
//! For developing the ranking; the published figures come from the real server through
//! `../shared/search-bench/score.mjs` (see `benches/search/run.sh`).
//!
//! usage: cargo bench --bench search_quality -- SPEC QUERIES.tsv [--misses N | --repeat N | --explain QUERY]

use std::time::Instant;

use mcpwright::search::search_index::{Index, decode};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [spec, queries, rest @ ..] = args.as_slice() else {
        eprintln!("usage: search_quality SPEC QUERIES.tsv [--misses N]");
        std::process::exit(2);
    };
    let misses: usize = match rest {
        [flag, n] if flag == "--misses" => n.parse().unwrap_or(10),
        _ => 0,
    };
    let repeat: usize = match rest {
        [flag, n] if flag == "--repeat" => n.parse().unwrap_or(1),
        _ => 1,
    };
    let explain = match rest {
        [flag, query] if flag == "--explain" => Some(query.clone()),
        _ => None,
    };
    let api = mcpwright::model(std::path::Path::new(spec), &mcpwright::Options::default())
        .unwrap_or_else(|err| panic!("{spec}: {err}"));
    let started = Instant::now();
    let text = mcpwright::search::index_text(&api, "bench");
    let built = started.elapsed();
    let index: Index = decode(&text).expect("the index reads back");
    let operation = |doc: usize| {
        let tool = &api.tools[doc];
        format!("{} {}", tool.method.as_str(), tool.path)
    };
    if let Some(query) = explain {
        let words = mcpwright::search::search_text::query_words(&query);
        let terms: Vec<(String, f32)> = words
            .iter()
            .flat_map(|w| {
                w.alternatives
                    .iter()
                    .flat_map(|(ts, f)| ts.iter().map(move |t| (t.clone(), *f)))
            })
            .collect();
        println!("terms: {terms:?}");
        for (doc, score) in index.search(&query, 8, |_| true) {
            let parts: Vec<String> = terms
                .iter()
                .map(|(t, _)| (t, index.weight(t, doc)))
                .filter(|(_, w)| *w > 0.0)
                .map(|(t, w)| format!("{t}={w:.2}"))
                .collect();
            println!("{score:7.2} {:<60} {}", operation(doc), parts.join(" "));
        }
        return;
    }
    let table = std::fs::read_to_string(queries).expect("read the queries");
    let mut lines = table.lines();
    assert_eq!(lines.next(), Some("query\tgold"), "{queries}: header");
    let (mut n, mut r1, mut r5, mut r10, mut mrr) = (0usize, 0usize, 0usize, 0usize, 0f64);
    let mut times = Vec::new();
    let mut missed = Vec::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let (query, gold) = line.split_once('\t').expect("two fields");
        let gold: Vec<&str> = gold.split(" | ").map(str::trim).collect();
        let mut found = Vec::new();
        for _ in 0..repeat {
            let t = Instant::now();
            found = index.search(query, 10, |_| true);
            times.push(t.elapsed());
        }
        let ranked: Vec<String> = found.iter().map(|(doc, _)| operation(*doc)).collect();
        let rank = ranked
            .iter()
            .position(|op| gold.contains(&op.as_str()))
            .map(|p| p + 1);
        n += 1;
        if let Some(r) = rank {
            r1 += usize::from(r == 1);
            r5 += usize::from(r <= 5);
            r10 += 1;
            mrr += 1.0 / r as f64;
        }
        if rank.is_none_or(|r| r > 5) {
            missed.push((
                query.to_owned(),
                gold.join(" | "),
                ranked.into_iter().take(3).collect::<Vec<_>>(),
            ));
        }
    }
    times.sort();
    let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
    let p50 = times[times.len() / 2];
    println!(
        "{}: {n} queries, {} operations, {} words, index {} KB built in {:.0} ms; recall@1 {:.3} @5 {:.3} @10 {:.3} MRR@10 {:.3}; search p50 {:.1} µs p99 {:.1} µs",
        std::path::Path::new(queries)
            .file_name()
            .unwrap()
            .to_string_lossy(),
        api.tools.len(),
        index.words(),
        text.len() / 1024,
        built.as_secs_f64() * 1000.0,
        r1 as f64 / n as f64,
        r5 as f64 / n as f64,
        r10 as f64 / n as f64,
        mrr / n as f64,
        p50.as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6,
    );
    for (query, gold, top) in missed.iter().take(misses) {
        println!(
            "  MISS {query}\n    gold {gold}\n    got  {}",
            top.join(" ; ")
        );
    }
}
