//! Resident memory of the tree and of the analysis for a generated
//! 10,000-stage Dockerfile: `cargo run --release --example memory`.
use dockerfile_lsp::analysis::Analysis;
use dockerfile_lsp::syntax;

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    syntax::use_fast_allocator();
    let mut text = String::new();
    for i in 0..10_000 {
        text.push_str(&format!("FROM stage{i} AS stage{}\nWORKDIR /app/{i}\nENV A_{i}=b MODE=production\nCOPY --from=stage{} /a /b\nRUN --mount=type=cache,target=/x \\\n    echo building {i} && \\\n    make\nLABEL a=\"{i}\"\nUSER app\nEXPOSE 80\n\n", i + 1, i / 2));
    }
    let base = rss_mib();
    let tree = syntax::parse(&text);
    let mut nodes = 0usize;
    let mut cursor = tree.walk();
    'walk: loop {
        nodes += 1;
        if cursor.goto_first_child() || cursor.goto_next_sibling() {
            continue;
        }
        while cursor.goto_parent() {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
        }
        break;
    }
    let parsed = rss_mib();
    let analysis = Analysis::build(&tree, text.as_str());
    let analysed = rss_mib();
    println!(
        "{} KiB of text, {nodes} nodes: tree {:.1} MiB, analysis {:.1} MiB",
        text.len() / 1024,
        parsed - base,
        analysed - parsed
    );
    std::hint::black_box(analysis);
}
