//! Runs every rule repeatedly on a large generated document, for a
//! profiler: `perf record cargo run --release --example all_rules_loop`.
use dockerfile_lsp::analysis::Analysis;
use dockerfile_lsp::diagnostics::Context;
use dockerfile_lsp::{rules, syntax};

fn main() {
    syntax::use_fast_allocator();
    let mut text = String::new();
    for i in 0..1000 {
        text.push_str(&format!("FROM stage{i} AS stage{i}\nWORKDIR /app\nENV A=b\nCOPY --from=s /a /b\nRUN --mount=type=cache,target=/x \\\n    echo building {i} && \\\n    make\nLABEL a=\"b\"\nUSER app\nEXPOSE 80\n"));
    }
    let tree = syntax::parse(&text);
    let analysis = Analysis::build(&tree, text.as_str());
    for _ in 0..20 {
        std::hint::black_box(rules::run(
            &tree,
            &text.as_str(),
            &analysis,
            &Context::default(),
        ));
    }
}
