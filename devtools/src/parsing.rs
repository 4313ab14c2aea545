//! Programs over one Dockerfile given by name: the parser's work on it,
//! its leaves, and the split-into-stages rewrite.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use dockerfile_lsp::{diagnostics::BuildContext, features::split_stages, syntax};

use crate::{file, number};

/// Parser actions by kind (lexed tokens by symbol), the 25 most frequent.
pub fn log(args: &[String]) -> Result<(), String> {
    let (_, text) = file(args, 0)?;
    let mut parser = syntax::parser();
    let counts = Arc::new(Mutex::new(BTreeMap::<String, usize>::new()));
    let c2 = counts.clone();
    parser.set_logger(Some(Box::new(move |_kind, msg| {
        let key: String = msg.split([' ', ':']).next().unwrap_or("").to_string();
        let key = if key == "lexed_lookahead" {
            format!(
                "lexed {}",
                msg.split("sym:")
                    .nth(1)
                    .and_then(|s| s.split(',').next())
                    .unwrap_or("")
            )
        } else {
            key
        };
        *c2.lock().expect("the counts").entry(key).or_default() += 1;
    })));
    parser.parse(&text, None).expect("a tree");
    let mut v: Vec<_> = counts
        .lock()
        .expect("the counts")
        .clone()
        .into_iter()
        .collect();
    v.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    for (k, n) in v.iter().take(25) {
        println!("{n:6} {k}");
    }
    Ok(())
}

/// Parses the file N times, from scratch each time.
pub fn parse_loop(args: &[String]) -> Result<(), String> {
    let (_, text) = file(args, 0)?;
    let n = number(args, 1, 200)?.max(1);
    let mut parser = syntax::parser();
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(parser.parse(&text, None).expect("a tree"));
    }
    println!("{:?} per parse", start.elapsed() / n as u32);
    Ok(())
}

/// The leaves of the parse by kind, the 15 most frequent.
pub fn token_stats(args: &[String]) -> Result<(), String> {
    let (_, text) = file(args, 0)?;
    let tree = syntax::parse(&text);
    let mut counts = BTreeMap::<String, usize>::new();
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
    Ok(())
}

/// The rewrite on stdout; the config file change, or why it is not
/// offered, on stderr.
pub fn split(args: &[String]) -> Result<(), String> {
    let (path, text) = file(args, 0)?;
    let tree = syntax::parse(&text);
    let build = BuildContext::of_dockerfile(path.as_ref());
    match split_stages::split(&tree, &text.as_str(), Some(&build)) {
        Ok(split) => {
            print!("{}", split.text);
            if let Some(change) = split.config {
                let verb = if change.create { "create" } else { "edit" };
                eprintln!("and {verb} {}: {:?}", change.file, change.insert);
            }
        }
        Err(why) => eprintln!("not offered: {why}"),
    }
    Ok(())
}
