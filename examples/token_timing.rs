//! Times semantic tokens over a generated 10,000-stage Dockerfile:
//! `cargo run --release --example token_timing`.
use std::time::Instant;

use dockerfile_lsp::document::position::Encoding;
use dockerfile_lsp::features::semantic_tokens;
use dockerfile_lsp::syntax;

fn main() {
    syntax::use_fast_allocator();
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&format!("FROM stage{i} AS stage{}\nWORKDIR /app/{i}\nENV A_{i}=b MODE=production\nCOPY --from=stage{} /a /b\nRUN --mount=type=cache,target=/x \\\n    echo building {i} && \\\n    make\nLABEL a=\"{i}\"\nUSER app\nEXPOSE 80\n\n", i + 1, i / 2));
    }
    let rope = ropey::Rope::from_str(&text);
    let tree = syntax::parse(&text);
    for encoding in [Encoding::Utf8, Encoding::Utf16] {
        let start = Instant::now();
        let data = semantic_tokens::tokens(&tree, &rope, encoding, None);
        println!(
            "{encoding:?}: {:?} for {} tokens",
            start.elapsed(),
            data.len() / 5
        );
    }
}
