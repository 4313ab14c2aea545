//! Counts what an incremental reparse does after a one-character edit in a
//! large generated document (for profiling):
//! `cargo run --release --example reuse_stats STAGES`.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tree_sitter::{InputEdit, Point};

fn main() {
    let stages: usize = std::env::args().nth(1).map_or(1000, |s| s.parse().unwrap());
    let mut text = String::new();
    for i in 0..stages {
        text.push_str(&format!("FROM s{i} AS stage{i}\nWORKDIR /app\nRUN echo building {i} && \\\n    make\nUSER app\n"));
    }
    let mut parser = dockerfile_lsp::syntax::parser();
    let mut tree = parser.parse(&text, None).unwrap();
    let at = text.find(&format!("building {} ", stages / 2)).unwrap();
    text.insert(at, 'x');
    let row = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').unwrap() - 1;
    tree.edit(&InputEdit {
        start_byte: at,
        old_end_byte: at,
        new_end_byte: at + 1,
        start_position: Point::new(row, col),
        old_end_position: Point::new(row, col),
        new_end_position: Point::new(row, col + 1),
    });
    let counts = Arc::new(Mutex::new(BTreeMap::<String, usize>::new()));
    let c2 = counts.clone();
    parser.set_logger(Some(Box::new(move |_, msg| {
        let key: String = msg.split([' ', ':']).next().unwrap_or("").to_string();
        *c2.lock().unwrap().entry(key).or_default() += 1;
    })));
    let start = Instant::now();
    parser.parse(&text, Some(&tree)).unwrap();
    println!(
        "{stages} stages, {} bytes: {:?} (with logging)",
        text.len(),
        start.elapsed()
    );
    for (k, n) in counts.lock().unwrap().iter() {
        println!("{n:8} {k}");
    }
}
