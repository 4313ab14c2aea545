//! What one edit costs on a large document: the server's apply (rope edit
//! and incremental reparse), and what tree-sitter's reparse does inside.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use dockerfile_lsp::analysis::Analysis;
use dockerfile_lsp::diagnostics::{diagnose, diagnose_incremental, Context};
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
    let change = |v: usize| {
        let typed = v.is_multiple_of(2);
        let end = if typed {
            at
        } else {
            position::Position::new(at.line, at.character + 1)
        };
        Change {
            range: Some((at, end)),
            text: if typed { "x".into() } else { String::new() },
        }
    };
    let start = Instant::now();
    for v in 0..n {
        doc.apply(v as i32 + 2, &[change(v)], Encoding::Utf16);
    }
    println!(
        "apply (the edit and the reparse): {:?}",
        start.elapsed() / n as u32
    );
    // What the server does per version: the edit, the analysis updated,
    // the diagnostics from the rules' cache.
    let snap = doc.snapshot();
    let mut analysis = Analysis::build(&snap.tree, &snap.rope);
    let (_, mut cache, _) = diagnose_incremental(
        &snap.tree,
        &snap.rope,
        &analysis,
        &Context::default(),
        1,
        None,
        &|| false,
    )
    .ok_or("cancelled")?;
    let (mut t_apply, mut t_update, mut t_rules) = Default::default();
    let mut reuse = dockerfile_lsp::rules::incremental::Reuse::default();
    for v in 0..n {
        let t = Instant::now();
        doc.apply(v as i32 + 1000, &[change(v)], Encoding::Utf16);
        let snap = doc.snapshot();
        t_apply += t.elapsed();
        let t = Instant::now();
        analysis = analysis.update(&snap.tree, &snap.rope).0;
        t_update += t.elapsed();
        let t = Instant::now();
        let (found, next, r) = diagnose_incremental(
            &snap.tree,
            &snap.rope,
            &analysis,
            &Context::default(),
            1,
            Some(&cache),
            &|| false,
        )
        .ok_or("cancelled")?;
        t_rules += t.elapsed();
        std::hint::black_box(found);
        cache = next;
        reuse.reused += r.reused;
        reuse.scoped += r.scoped;
        reuse.whole += r.whole;
    }
    let per = |d: std::time::Duration| d / n as u32;
    println!(
        "edit to diagnostics: {:?} (apply {:?}, analysis update {:?}, diagnostics {:?}); per edit {} (rule, part) results reused, {} found again, {} rules run whole",
        per(t_apply + t_update + t_rules),
        per(t_apply),
        per(t_update),
        per(t_rules),
        reuse.reused / n,
        reuse.scoped / n,
        reuse.whole / n
    );
    let start = Instant::now();
    for _ in 0..n / 10 {
        let snap = doc.snapshot();
        let analysis = Analysis::build(&snap.tree, &snap.rope);
        std::hint::black_box(diagnose(
            &snap.tree,
            &snap.rope,
            &analysis,
            &Context::default(),
        ));
    }
    println!(
        "from scratch (analysis and diagnose): {:?}",
        start.elapsed() / (n / 10) as u32
    );
    let snap = doc.snapshot();
    let start = Instant::now();
    for _ in 0..n / 10 {
        std::hint::black_box(dockerfile_lsp::syntax::syntax_errors(
            &snap.tree, &snap.rope,
        ));
    }
    println!(
        "of which the syntax errors: {:?}",
        start.elapsed() / (n / 10) as u32
    );
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
