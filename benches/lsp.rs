//! Time from an incremental edit to the published diagnostics of that
//! version, on a generated 10,000-line Dockerfile, through the real server
//! binary over stdio (JSON-RPC framing included).
//!
//! Run with `cargo bench --bench lsp`.

#[path = "../tests/common/lsp.rs"]
mod lsp;

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;

/// 1,000 stages of 10 lines each.
fn generated_dockerfile() -> String {
    let mut text = String::from("# syntax=docker/dockerfile:1\nARG BASE=alpine:3.20\n");
    for i in 0..1000 {
        let from = if i == 0 {
            "${BASE}".to_string()
        } else {
            format!("stage{}", i - 1)
        };
        text.push_str(&format!(
            "FROM {from} AS stage{i}\n\
             WORKDIR /app/{i}\n\
             ENV STAGE_{i}=value{i} MODE=production\n\
             COPY --from=stage0 /app/0 /opt/{i}\n\
             RUN --mount=type=cache,target=/root/.cache \\\n    echo building stage {i} && \\\n    make -j4 target{i}\n\
             LABEL org.example.stage=\"{i}\"\n\
             USER app\n\
             EXPOSE {}\n",
            8000 + i
        ));
    }
    text
}

fn bench_edit_to_diagnostics(c: &mut Criterion) {
    let text = generated_dockerfile();
    let lines = text.lines().count();
    let (mut server, _) = lsp::Server::initialized(&["utf-16"]);
    let uri = "file:///bench/Dockerfile";
    server.open(uri, 1, &text);
    server.diagnostics(uri, 1);
    // Type into a RUN line in the middle of the file, then delete it again.
    let line = text
        .lines()
        .position(|l| l.contains("echo building stage 500"))
        .unwrap();
    let mut version = 1;
    let mut typed = false;
    let label = format!("edit to diagnostics, {lines} lines");
    c.bench_function(&label, |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                version += 1;
                let (range, insert) = if typed {
                    (json!({ "start": { "line": line, "character": 8 }, "end": { "line": line, "character": 9 } }), "")
                } else {
                    (json!({ "start": { "line": line, "character": 8 }, "end": { "line": line, "character": 8 } }), "x")
                };
                typed = !typed;
                let start = Instant::now();
                server.notify(
                    "textDocument/didChange",
                    json!({ "textDocument": { "uri": uri, "version": version },
                            "contentChanges": [{ "range": range, "text": insert }] }),
                );
                server.diagnostics(uri, version);
                total += start.elapsed();
            }
            total
        });
    });
}

criterion_group!(benches, bench_edit_to_diagnostics);
criterion_main!(benches);
