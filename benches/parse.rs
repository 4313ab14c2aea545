//! Parse benchmarks: a full parse of the largest corpus file, and an
//! incremental reparse after a one-character edit in it.
//!
//! Run with `cargo bench --bench parse`.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use dockerfile_lsp::document::position;
use dockerfile_lsp::syntax;
use ropey::Rope;

/// The largest file of `../shared/corpus/valid`.
fn largest_corpus_file() -> (String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/valid");
    let mut best: Option<(u64, std::path::PathBuf)> = None;
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e} (the benchmark needs ../shared)", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let len = path.metadata().unwrap().len();
                if best.as_ref().is_none_or(|(l, _)| len > *l) {
                    best = Some((len, path));
                }
            }
        }
    }
    let (_, path) = best.expect("the corpus has files");
    let name = path.strip_prefix(&root).unwrap().display().to_string();
    (name, std::fs::read_to_string(&path).unwrap())
}

fn bench_parse(c: &mut Criterion) {
    // As in the server binary.
    syntax::use_fast_allocator();
    let (name, text) = largest_corpus_file();
    let mut parser = syntax::parser();
    let label = format!("full parse of {name} ({} bytes)", text.len());
    // The trees are dropped outside the measurement: freeing the previous
    // tree is not part of parsing.
    c.bench_function(&label, |b| {
        b.iter_with_large_drop(|| parser.parse(&text, None).unwrap());
    });

    // Typing one character inside a RUN line in the middle of the file.
    let at = text[text.len() / 2..]
        .find("RUN ")
        .map(|i| text.len() / 2 + i + 4)
        .expect("a RUN instruction in the second half");
    let mut edited = text.clone();
    edited.insert(at, 'x');
    let (before, after) = (Rope::from_str(&text), Rope::from_str(&edited));
    let edit = position::input_edit(&before, at..at, &after, 1);
    let old_tree = parser.parse(&text, None).unwrap();
    let label = format!("incremental reparse after typing in {name}");
    c.bench_function(&label, |b| {
        b.iter_with_large_drop(|| {
            let mut tree = old_tree.clone();
            tree.edit(&edit);
            parser.parse(&edited, Some(&tree)).unwrap()
        });
    });
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
