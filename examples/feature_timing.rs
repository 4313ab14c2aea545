//! Times the whole-file features (outline, semantic tokens) over the
//! generated 10,000-stage Dockerfile:
//! `cargo run --release --example feature_timing`.
#[path = "../benches/support/generated.rs"]
mod support;

use std::time::Instant;

use dockerfile_lsp::analysis::Analysis;
use dockerfile_lsp::document::position::Encoding;
use dockerfile_lsp::features::{semantic_tokens, symbols};
use dockerfile_lsp::syntax;

fn main() {
    syntax::use_fast_allocator();
    let text = support::generated(10_000);
    let rope = ropey::Rope::from_str(&text);
    let tree = syntax::parse(&text);
    let analysis = Analysis::build(&tree, &rope);
    let start = Instant::now();
    let found = symbols::document_symbols(&tree, &rope, &analysis.stages);
    let n: usize = found.iter().map(|s| 1 + s.children.len()).sum();
    println!("outline: {n} symbols in {:?}", start.elapsed());
    for encoding in [Encoding::Utf8, Encoding::Utf16] {
        let start = Instant::now();
        let data = semantic_tokens::tokens(&tree, &rope, encoding, None);
        println!(
            "semantic tokens, {encoding:?}: {:?} for {} tokens",
            start.elapsed(),
            data.len() / 5
        );
    }
}
