//! Times building the analysis of a large document (for profiling):
//! `cargo run --release --example analysis_timing`.
fn main() {
    dockerfile_lsp::syntax::use_fast_allocator();
    let mut text = String::new();
    for i in 0..1000 {
        let from = if i == 0 {
            "alpine".to_string()
        } else {
            format!("s{}", i - 1)
        };
        text.push_str(&format!("FROM {from} AS s{i}\nARG V{i}=1\nENV E{i}=$V{i}\nCOPY --from=s0 /a /b\nRUN --mount=type=cache,from=s0,target=/x \\\n    echo $E{i} && \\\n    make\nLABEL a=\"b\"\nUSER app\nEXPOSE 80\n"));
    }
    let rope = ropey::Rope::from_str(&text);
    let tree = dockerfile_lsp::syntax::parse(&text);
    let n = 20;
    let start = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(dockerfile_lsp::analysis::Analysis::build(&tree, &rope));
    }
    println!(
        "{} lines: analysis {:?}",
        text.lines().count(),
        start.elapsed() / n
    );
    let start = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(dockerfile_lsp::analysis::stages::StageGraph::build(
            &tree, &rope,
        ));
    }
    println!("stage graph {:?}", start.elapsed() / n);
    let start = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(dockerfile_lsp::analysis::stages::StageGraph::build(
            &tree,
            text.as_str(),
        ));
    }
    println!("stage graph over a str {:?}", start.elapsed() / n);
}
