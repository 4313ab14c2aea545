//! Prints the "split into stages" rewrite of a Dockerfile, reading its
//! build context (next.config.*, package.json) from its folder:
//! `cargo run --example split -- FILE`.
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: split DOCKERFILE");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let tree = dockerfile_lsp::syntax::parse(&text);
    let build = dockerfile_lsp::diagnostics::BuildContext::of_dockerfile(path.as_ref());
    match dockerfile_lsp::features::split_stages::split(&tree, &text.as_str(), Some(&build)) {
        Ok(split) => {
            print!("{}", split.text);
            if let Some(change) = split.config {
                let verb = if change.create { "create" } else { "edit" };
                eprintln!("and {verb} {}: {:?}", change.file, change.insert);
            }
        }
        Err(why) => eprintln!("not offered: {why}"),
    }
}
