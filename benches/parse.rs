//! Parse benchmarks: a full parse of the largest corpus file, and an
//! incremental reparse after a one-character edit in it; on the generated
//! multi-stage files of the servers benchmark (1,000 and 10,000 stages),
//! the reparse after typing in the middle stage's RUN and the analysis of
//! the result, from scratch and updated from the previous revision's.
//!
//! Run with `cargo bench --bench parse` (`-- generated` for the second part).

use std::path::Path;

#[path = "support/generated.rs"]
mod generated;

use criterion::{criterion_group, criterion_main, Criterion};
use dockerfile_lsp::analysis::Analysis;
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

fn bench_generated(c: &mut Criterion) {
    syntax::use_fast_allocator();
    let mut group = c.benchmark_group("generated");
    group.sample_size(10);
    for stages in [1000, 10_000] {
        let text = generated::generated(stages);
        // Where the servers benchmark types: before `building` in the
        // middle stage's RUN.
        let at = text
            .find(&format!("echo building stage {} ", stages / 2))
            .expect("the generated file has the line")
            + "echo ".len();
        let mut edited = text.clone();
        edited.insert(at, 'x');
        let (before, after) = (Rope::from_str(&text), Rope::from_str(&edited));
        let edit = position::input_edit(&before, at..at, &after, 1);
        let mut parser = syntax::parser();
        let old_tree = parser.parse(&text, None).unwrap();
        group.bench_function(format!("{stages} stages: reparse after typing"), |b| {
            b.iter_with_large_drop(|| {
                let mut tree = old_tree.clone();
                tree.edit(&edit);
                parser.parse(&edited, Some(&tree)).unwrap()
            });
        });
        let mut tree = old_tree.clone();
        tree.edit(&edit);
        let new_tree = parser.parse(&edited, Some(&tree)).unwrap();
        let previous = Analysis::build(&old_tree, &before);
        group.bench_function(format!("{stages} stages: analysis from scratch"), |b| {
            b.iter_with_large_drop(|| Analysis::build(&new_tree, &after));
        });
        group.bench_function(format!("{stages} stages: analysis updated"), |b| {
            b.iter_with_large_drop(|| previous.update(&new_tree, &after).0);
        });
    }
    group.finish();
}

criterion_group!(benches, bench_parse, bench_generated);
criterion_main!(benches);
