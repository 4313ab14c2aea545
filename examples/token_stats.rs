//! Counts the leaves of a parse by kind (for tuning the grammar):
//! `cargo run --release --example token_stats FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("FILE");
    let text = std::fs::read_to_string(path).unwrap();
    let tree = dockerfile_lsp::syntax::parse(&text);
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    let mut cursor = tree.walk();
    let mut total_nodes = 0usize;
    'outer: loop {
        total_nodes += 1;
        let node = cursor.node();
        if node.child_count() == 0 {
            *counts.entry(node.kind().to_string()).or_default() += 1;
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                break 'outer;
            }
        }
    }
    let mut v: Vec<_> = counts.into_iter().collect();
    v.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    println!("visible nodes: {total_nodes}, bytes: {}", text.len());
    for (k, n) in v.iter().take(15) {
        println!("{n:6} {k}");
    }
}
