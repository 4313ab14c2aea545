//! Times the parts of an incremental edit on a large document (for
//! profiling): `cargo run --release --example apply_timing`.
use std::time::Instant;

use dockerfile_lsp::analysis::Analysis;
use dockerfile_lsp::diagnostics::{diagnose, Context};
use dockerfile_lsp::document::{Change, Document, Encoding, Position};

fn main() {
    dockerfile_lsp::syntax::use_fast_allocator();
    let mut text = String::new();
    for i in 0..1000 {
        text.push_str(&format!("FROM stage{i} AS stage{i}\nWORKDIR /app\nENV A=b\nCOPY --from=s /a /b\nRUN --mount=type=cache,target=/x \\\n    echo building {i} && \\\n    make\nLABEL a=\"b\"\nUSER app\nEXPOSE 80\n"));
    }
    let start = Instant::now();
    let mut doc = Document::new(&text, 1);
    println!(
        "open (full parse of {} bytes): {:?}",
        text.len(),
        start.elapsed()
    );
    let n = 200;
    let start = Instant::now();
    for v in 0..n {
        let typed = v % 2 == 0;
        let change = Change {
            range: Some((
                Position::new(5005, 8),
                Position::new(5005, if typed { 8 } else { 9 }),
            )),
            text: if typed { "x".into() } else { String::new() },
        };
        doc.apply(v + 2, &[change], Encoding::Utf16);
    }
    println!("apply: {:?}", start.elapsed() / n as u32);
    let start = Instant::now();
    for _ in 0..n {
        let snap = doc.snapshot();
        let analysis = Analysis::build(&snap.tree, &snap.rope);
        std::hint::black_box(diagnose(
            &snap.tree,
            &snap.rope,
            &analysis,
            &Context::default(),
        ));
    }
    println!("diagnose: {:?}", start.elapsed() / n as u32);
}
