//! What one edit costs on a large document: the server's apply (rope edit
//! and incremental reparse), and what tree-sitter's reparse does inside.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use dockerfile_lsp::analysis::Analysis;
use dockerfile_lsp::diagnostics::{diagnose, Context};
use dockerfile_lsp::document::{position, Change, Document, Encoding};
use ropey::Rope;

use crate::generated::generated;
use crate::number;

/// Where `cargo bench --bench servers` types: before `building` in the
/// middle stage's RUN (`echo building stage N`), as a byte offset.
fn edit_place(text: &str, stages: usize) -> usize {
    let needle = format!("echo building stage {} ", stages / 2);
    text.find(&needle).expect("the generated file has the line") + "echo ".len()
}

/// Apply (rope edit and incremental reparse) of a one-character edit typed
/// and deleted in turn, then the analysis and diagnostics of the result.
pub fn apply(args: &[String]) -> Result<(), String> {
    dockerfile_lsp::syntax::use_fast_allocator();
    let stages = number(args, 0, 1000)?.max(1);
    let text = generated(stages);
    let start = Instant::now();
    let mut doc = Document::new(&text, 1);
    println!(
        "open (full parse of {} bytes): {:?}",
        text.len(),
        start.elapsed()
    );
    let at = position::to_position(doc.rope(), edit_place(&text, stages), Encoding::Utf16);
    let n = 200;
    let start = Instant::now();
    for v in 0..n {
        let typed = v % 2 == 0;
        let end = if typed {
            at
        } else {
            position::Position::new(at.line, at.character + 1)
        };
        let change = Change {
            range: Some((at, end)),
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
    Ok(())
}

/// The parser's actions, by kind, in the reparse after one inserted
/// character (with the parser's logging on, so slower than without).
pub fn reuse(args: &[String]) -> Result<(), String> {
    let stages = number(args, 0, 1000)?.max(1);
    let mut text = generated(stages);
    let mut parser = dockerfile_lsp::syntax::parser();
    let mut tree = parser.parse(&text, None).expect("a tree");
    let at = edit_place(&text, stages);
    let before = Rope::from_str(&text);
    text.insert(at, 'x');
    let after = Rope::from_str(&text);
    tree.edit(&position::input_edit(&before, at..at, &after, 1));
    let counts = Arc::new(Mutex::new(BTreeMap::<String, usize>::new()));
    let c2 = counts.clone();
    parser.set_logger(Some(Box::new(move |_, msg| {
        let key: String = msg.split([' ', ':']).next().unwrap_or("").to_string();
        *c2.lock().expect("the counts").entry(key).or_default() += 1;
    })));
    let start = Instant::now();
    parser.parse(&text, Some(&tree)).expect("a tree");
    println!(
        "{stages} stages, {} bytes: {:?} (with logging)",
        text.len(),
        start.elapsed()
    );
    for (k, n) in counts.lock().expect("the counts").iter() {
        println!("{n:8} {k}");
    }
    Ok(())
}
