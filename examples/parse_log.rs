//! Counts parser actions by kind (for tuning): `cargo run --release --example parse_log FILE`.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

fn main() {
    let path = std::env::args().nth(1).expect("FILE");
    let text = std::fs::read_to_string(path).unwrap();
    let mut parser = dockerfile_lsp::syntax::parser();
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
        *c2.lock().unwrap().entry(key).or_default() += 1;
    })));
    parser.parse(&text, None).unwrap();
    let mut v: Vec<_> = counts.lock().unwrap().clone().into_iter().collect();
    v.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    for (k, n) in v.iter().take(25) {
        println!("{n:6} {k}");
    }
}
