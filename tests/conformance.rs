//! BuildKit's own build-check cases (`../shared/conformance/
//! buildkit-checks.json`): for each case, the set of (rule, line) our
//! rules report for BuildKit rule names must equal the expected set, with
//! the case's `.dockerignore` and build arguments.

mod common;

use std::collections::BTreeSet;

use dockerfile_lsp::analysis::dockerignore::DockerIgnore;
use dockerfile_lsp::analysis::Analysis;
use dockerfile_lsp::diagnostics::Context;
use dockerfile_lsp::{rules, syntax};
use serde_json::Value;

#[test]
fn buildkit_check_cases_agree() {
    let path = common::shared_dir().join("conformance/buildkit-checks.json");
    let cases: Vec<Value> = serde_json::from_str(&common::read(&path)).unwrap();
    assert_eq!(cases.len(), 87);
    let buildkit_rules: BTreeSet<String> = cases
        .iter()
        .flat_map(|c| c["expected"].as_array().unwrap().iter())
        .map(|e| e["rule"].as_str().unwrap().to_string())
        .collect();
    let mut misses = Vec::new();
    for case in &cases {
        let text = case["dockerfile"].as_str().unwrap();
        let mut context = Context::default();
        for (key, value) in case["build_args"].as_object().into_iter().flatten() {
            context
                .build_args
                .insert(key.clone(), value.as_str().unwrap_or_default().to_string());
        }
        if let Some(ignore) = case["dockerignore"].as_str() {
            context.dockerignore = Some(DockerIgnore::parse(ignore));
        }
        let tree = syntax::parse(text);
        let analysis = Analysis::build(&tree, &text);
        let ours: BTreeSet<(String, usize)> = rules::run(&tree, &text, &analysis, &context)
            .into_iter()
            .filter(|d| buildkit_rules.contains(d.code))
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
        if ours != expected {
            misses.push(format!(
                "{}: expected {expected:?}, ours {ours:?}",
                case["name"]
            ));
        }
    }
    assert!(
        misses.len() <= 2,
        "{} of 87 cases differ (at most 2 may):\n{}",
        misses.len(),
        misses.join("\n")
    );
}
