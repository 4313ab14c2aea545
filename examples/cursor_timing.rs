//! Compares ways of reading an instruction's flags (for profiling):
//! `cargo run --release --example cursor_timing`.
use std::time::Instant;

use dockerfile_lsp::syntax::{self, ids::ids, views};

fn main() {
    let mut text = String::new();
    for i in 0..1000 {
        text.push_str(&format!("FROM s AS s{i}\nARG V{i}=1\nENV E{i}=$V{i}\nCOPY --from=s0 /a /b\nRUN --mount=type=cache,from=s0,target=/x \\\n    echo $E{i} && \\\n    make\nLABEL a=\"b\"\nUSER app\nEXPOSE 80\n"));
    }
    let tree = syntax::parse(&text);
    let instructions = syntax::instructions(&tree);
    let source: &str = &text;

    let start = Instant::now();
    let mut n = 0;
    for i in &instructions {
        n += views::flags(*i, &source).len();
    }
    println!("views::flags: {:?} ({n} flags)", start.elapsed());

    let ids = ids();
    let start = Instant::now();
    let mut n = 0;
    for i in &instructions {
        let mut cursor = i.walk();
        for child in i.children(&mut cursor) {
            if child.kind_id() == ids.mount_flag || child.kind() == "flag" {
                n += 1;
            }
        }
    }
    println!("children(): {:?} ({n} flags)", start.elapsed());

    let start = Instant::now();
    let mut n = 0;
    for i in &instructions {
        for c in 0..i.child_count() {
            let child = i.child(c).unwrap();
            if child.kind_id() == ids.mount_flag || child.kind() == "flag" {
                n += 1;
            }
        }
    }
    println!("child(i): {:?} ({n} flags)", start.elapsed());

    let start = Instant::now();
    let mut n = 0;
    let mut cursor = tree.walk();
    for i in &instructions {
        cursor.reset(*i);
        if cursor.goto_first_child() {
            loop {
                if cursor.node().kind_id() == ids.mount_flag {
                    n += 1;
                }
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
    }
    println!("one cursor, reset: {:?} ({n} mounts)", start.elapsed());
}
