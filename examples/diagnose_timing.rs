//! Times what the server does for each version of a large document: the
//! analysis, then every rule, on the benchmark's generated file:
//! `cargo run --release --example diagnose_timing [STAGES]` (default 10,000).
#[path = "../benches/support/generated.rs"]
mod support;

use std::time::Instant;

use dockerfile_lsp::analysis::Analysis;
use dockerfile_lsp::diagnostics::{diagnose, Context};
use dockerfile_lsp::syntax;

fn main() {
    syntax::use_fast_allocator();
    let stages: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let text = support::generated(stages);
    let rope = ropey::Rope::from_str(&text);
    let tree = syntax::parse(&text);
    let start = Instant::now();
    let stages = syntax::views::stages(&tree);
    let listed = start.elapsed();
    let start = Instant::now();
    let n: usize = stages
        .iter()
        .map(|(s, _)| syntax::views::stage_instructions(*s).len())
        .sum();
    println!(
        "stages listed in {listed:?}; their {n} instructions in {:?}",
        start.elapsed()
    );
    for round in 0..3 {
        let start = Instant::now();
        let analysis = Analysis::build(&tree, &rope);
        let analysed = start.elapsed();
        let start = Instant::now();
        let found = diagnose(&tree, &rope, &analysis, &Context::default());
        println!(
            "round {round}: analysis {analysed:?}, diagnostics {:?} ({} found)",
            start.elapsed(),
            found.len()
        );
    }
}
