//! Times what the server does for each version of a large document: the
//! analysis, then every rule, on the benchmark's generated file:
//! `cargo run --release --example diagnose_timing [STAGES]` (default 10,000).
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
    let mut text = String::from("# syntax=docker/dockerfile:1\nARG BASE=alpine:3.20\n");
    for i in 0..stages {
        let from = if i == 0 {
            "${BASE}".to_string()
        } else {
            format!("stage{}", i - 1)
        };
        text.push_str(&format!(
            "FROM {from} AS stage{i}\nWORKDIR /app/{i}\nENV STAGE_{i}=value{i} MODE=production\nCOPY --from=stage{} /app/0 /opt/{i}\nRUN --mount=type=cache,target=/root/.cache \\\n    echo building stage {i} && \\\n    make -j4 target{i}\nLABEL org.example.stage=\"{i}\"\nUSER app\nEXPOSE {}\n\n",
            i / 2,
            8000 + i % 1000
        ));
    }
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
