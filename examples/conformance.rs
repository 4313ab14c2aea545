//! Measures the rules against BuildKit's build-check cases
//! (`../shared/conformance/buildkit-checks.json`): for each case, the set
//! of (rule, line) we report for BuildKit rule names against the expected
//! set. `cargo run --release --example conformance [-- --verbose]`.
//!
//! A measurement for the rules work in progress; the acceptance test comes
//! with the complete rule set.

use std::collections::BTreeSet;

use dockerfile_lsp::analysis::Analysis;
use dockerfile_lsp::diagnostics::Context;
use dockerfile_lsp::{rules, syntax};
use serde_json::Value;

fn main() {
    let verbose = std::env::args().any(|a| a == "--verbose");
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/buildkit-checks.json"
    );
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(path).expect("../shared is needed")).unwrap();
    let known: BTreeSet<&str> = rules::registry().iter().map(|r| r.code).collect();
    let mut agree = 0;
    let mut in_scope = 0;
    for case in &cases {
        let text = case["dockerfile"].as_str().unwrap();
        let mut context = Context::default();
        for (key, value) in case["build_args"].as_object().into_iter().flatten() {
            context
                .build_args
                .insert(key.clone(), value.as_str().unwrap_or_default().to_string());
        }
        if let Some(ignore) = case["dockerignore"].as_str() {
            context.dockerignore = Some(
                dockerfile_lsp::analysis::dockerignore::DockerIgnore::parse(ignore),
            );
        }
        let tree = syntax::parse(text);
        let analysis = Analysis::build(&tree, &text);
        let ours: BTreeSet<(String, usize)> = rules::run(&tree, &text, &analysis, &context)
            .into_iter()
            .map(|d| {
                (
                    d.code.to_string(),
                    text[..d.range.start].matches('\n').count() + 1,
                )
            })
            .collect();
        let expected: BTreeSet<(String, usize)> = case["expected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["rule"].as_str().unwrap().to_string(),
                    e["line"].as_u64().unwrap() as usize,
                )
            })
            .collect();
        // Only cases whose expected rules we implement say anything yet.
        if expected.iter().all(|(r, _)| known.contains(r.as_str())) {
            in_scope += 1;
            if ours == expected {
                agree += 1;
            } else if verbose {
                println!("{}: expected {expected:?}, ours {ours:?}", case["name"]);
            }
        }
    }
    println!(
        "{agree} of {in_scope} cases within the implemented rules agree ({} cases in all)",
        cases.len()
    );
}
