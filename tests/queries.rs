//! The editor queries in `queries/` compile against our grammar and capture
//! what they claim to.

use std::collections::BTreeSet;

use dockerfile_lsp::syntax;
use streaming_iterator::StreamingIterator;
use tree_sitter::{Query, QueryCursor};

fn query(name: &str) -> Query {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/queries/");
    let source = std::fs::read_to_string(format!("{path}{name}")).unwrap();
    Query::new(&syntax::language(), &source).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// (capture name, captured text) pairs of `query` over `src`.
fn captures(query: &Query, src: &str) -> BTreeSet<(String, String)> {
    let tree = syntax::parse(src);
    let mut cursor = QueryCursor::new();
    let mut out = BTreeSet::new();
    let mut matches = cursor.matches(query, tree.root_node(), src.as_bytes());
    while let Some(m) = matches.next() {
        for c in m.captures() {
            let name = query.capture_names()[c.index as usize].to_string();
            out.insert((name, src[c.node.byte_range()].to_string()));
        }
    }
    out
}

const SAMPLE: &str = "# syntax=docker/dockerfile:1
FROM node:20-alpine AS deps
# install
COPY --from=base package.json ./
ENV NODE_ENV=production
RUN --mount=type=cache,target=/root/.npm npm ci && \\
    npm cache clean --force
RUN <<EOF
echo hi
EOF
CMD [\"node\", \"dist/index.js\"]
";

#[test]
fn highlights_capture_keywords_names_and_strings() {
    let found = captures(&query("highlights.scm"), SAMPLE);
    for (capture, text) in [
        ("keyword", "FROM"),
        ("keyword", "AS"),
        ("keyword", "RUN"),
        ("keyword.directive", "# syntax=docker/dockerfile:1"),
        ("comment", "# install"),
        ("type", "node"),
        ("label", "20-alpine"),
        ("label", "deps"),
        ("attribute", "--from"),
        ("attribute", "--mount"),
        ("property", "target"),
        ("property", "NODE_ENV"),
        ("string", "\"dist/index.js\""),
        ("label", "EOF"),
    ] {
        assert!(
            found.contains(&(capture.to_string(), text.to_string())),
            "missing @{capture} on {text:?}; found {found:?}"
        );
    }
}

#[test]
fn injections_hand_shell_text_to_bash() {
    let q = query("injections.scm");
    let found = captures(&q, SAMPLE);
    let injected: Vec<&str> = found
        .iter()
        .filter(|(name, _)| name == "injection.content")
        .map(|(_, text)| text.as_str())
        .collect();
    assert!(
        injected.contains(&"npm ci && \\\n    npm cache clean --force"),
        "{injected:?}"
    );
    assert!(injected.contains(&"echo hi\n"), "{injected:?}");
    // exec form is not shell text
    assert!(
        !injected.iter().any(|t| t.contains("dist/index.js")),
        "{injected:?}"
    );
}
