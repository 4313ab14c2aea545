//! Prints the "split into stages" rewrite of a Dockerfile:
//! `cargo run --example split -- FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("a Dockerfile");
    let text = std::fs::read_to_string(path).unwrap();
    let tree = dockerfile_lsp::syntax::parse(&text);
    match dockerfile_lsp::features::split_stages::split(&tree, &text.as_str(), false) {
        Some(split) => print!("{}", split.text),
        None => eprintln!("not offered"),
    }
}
