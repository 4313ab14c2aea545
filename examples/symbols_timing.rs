//! Times the outline of a generated 10,000-stage Dockerfile, and the size
//! of its JSON: `cargo run --release --example symbols_timing`.
use std::time::Instant;

use dockerfile_lsp::analysis::Analysis;
use dockerfile_lsp::features::symbols;
use dockerfile_lsp::syntax;

fn main() {
    syntax::use_fast_allocator();
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&format!("FROM stage{i} AS stage{}\nWORKDIR /app/{i}\nENV A_{i}=b MODE=production\nCOPY --from=stage{} /a /b\nRUN --mount=type=cache,target=/x \\\n    echo building {i} && \\\n    make\nLABEL a=\"{i}\"\nUSER app\nEXPOSE 80\n\n", i + 1, i / 2));
    }
    let rope = ropey::Rope::from_str(&text);
    let tree = syntax::parse(&text);
    let analysis = Analysis::build(&tree, &rope);
    let start = Instant::now();
    let found = symbols::document_symbols(&tree, &rope, &analysis.stages);
    let n: usize = found.iter().map(|s| 1 + s.children.len()).sum();
    println!("{n} symbols in {:?}", start.elapsed());
}
