//! Times each rule alone on a large generated document (for profiling):
//! `cargo run --release --example rule_timing`. With `loop`, runs every
//! rule 20 times and nothing else, for a profiler (`perf record`).
use std::time::Instant;

use dockerfile_lsp::analysis::Analysis;
use dockerfile_lsp::config::{Config, Level};
use dockerfile_lsp::diagnostics::Context;
use dockerfile_lsp::{rules, syntax};

fn main() {
    syntax::use_fast_allocator();
    let mut text = String::new();
    for i in 0..1000 {
        text.push_str(&format!("FROM stage{i} AS stage{i}\nWORKDIR /app\nENV A=b\nCOPY --from=s /a /b\nRUN --mount=type=cache,target=/x \\\n    echo building {i} && \\\n    make\nLABEL a=\"b\"\nUSER app\nEXPOSE 80\n"));
    }
    let tree = syntax::parse(&text);
    let start = Instant::now();
    let analysis = Analysis::build(&tree, text.as_str());
    if std::env::args().nth(1).as_deref() == Some("loop") {
        for _ in 0..20 {
            std::hint::black_box(rules::run(
                &tree,
                &text.as_str(),
                &analysis,
                &Context::default(),
            ));
        }
        return;
    }
    println!("analysis: {:?}", start.elapsed());
    let start = Instant::now();
    let found = rules::run(&tree, &text.as_str(), &analysis, &Context::default());
    println!(
        "all rules together: {:?} ({} findings)",
        start.elapsed(),
        found.len()
    );
    let all = rules::registry();
    let mut times = Vec::new();
    for rule in all {
        let mut config = Config::default();
        for other in all.iter().filter(|r| r.code != rule.code) {
            config.rules.insert(other.code.to_string(), Level::Off);
        }
        let context = Context {
            config,
            ..Context::default()
        };
        let start = Instant::now();
        let found = rules::run(&tree, &text.as_str(), &analysis, &context);
        times.push((start.elapsed(), rule.code, found.len()));
    }
    times.sort();
    for (t, code, n) in times.iter().rev().take(60) {
        println!("{code}: {t:?} ({n} findings)");
    }
}
