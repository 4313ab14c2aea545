//! A long session over one server process: random edits (several changes
//! per notification, skipped versions, whole-text replacements), requests
//! at random positions, pipelined requests and cancellations, and applied
//! rename and code-action edits. After every step the server's text must
//! equal the client's; every request gets its response; memory stays flat.
//!
//! Short by default (CI); `DOCKERFILE_LSP_SOAK_SECONDS=600` runs it for ten
//! minutes (it stops at whichever comes first of the seconds and
//! `DOCKERFILE_LSP_SOAK_STEPS`, default 5,000 steps).

mod common;

use std::time::{Duration, Instant};

use common::lsp::Server;
use common::Rng;
use dockerfile_lsp::document::{position, Encoding, Position};
use dockerfile_lsp::robustness::SNIPPETS;
use ropey::Rope;
use serde_json::{json, Value};

const NEW_NAMES: [&str; 3] = ["next", "b2", "x y"];

struct Doc {
    uri: String,
    text: String,
    version: i64,
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn lsp_position(text: &str, byte: usize) -> Value {
    let p = position::to_position(&Rope::from_str(text), byte, Encoding::Utf16);
    json!({ "line": p.line, "character": p.character })
}

/// A byte offset on a character boundary that an LSP position can name.
fn random_offset(rng: &mut Rng, text: &str) -> usize {
    let rope = Rope::from_str(text);
    let byte = rng.below(text.len() + 1);
    let p = position::to_position(&rope, byte, Encoding::Utf16);
    position::to_byte(&rope, p, Encoding::Utf16)
}

fn byte_of(text: &str, p: &Value) -> usize {
    let p = Position::new(
        p["line"].as_u64().unwrap() as u32,
        p["character"].as_u64().unwrap() as u32,
    );
    position::to_byte(&Rope::from_str(text), p, Encoding::Utf16)
}

/// Applies LSP `TextEdit`s (computed on `text`) as the client would.
fn apply_text_edits(text: &str, edits: &[Value]) -> String {
    let mut ranges: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                byte_of(text, &e["range"]["start"]),
                byte_of(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    ranges.sort_by_key(|r| (r.0, r.1));
    for pair in ranges.windows(2) {
        assert!(pair[0].1 <= pair[1].0, "overlapping edits: {edits:?}");
    }
    let mut out = text.to_string();
    for (a, b, new) in ranges.iter().rev() {
        out.replace_range(*a..*b, new);
    }
    out
}

/// The edits of a WorkspaceEdit for `uri`, checked to be for `version`
/// when they carry one.
fn edits_for(edit: &Value, uri: &str, version: i64) -> Option<Vec<Value>> {
    if let Some(changes) = edit["documentChanges"].as_array() {
        let mut out = Vec::new();
        for change in changes {
            if change["textDocument"]["uri"] == uri {
                assert_eq!(
                    change["textDocument"]["version"], version,
                    "an edit for another version: {change}"
                );
                out.extend(change["edits"].as_array().unwrap().iter().cloned());
            } else if change.get("kind").is_some() || change["textDocument"]["uri"] != uri {
                return None; // it touches other files: not applied here
            }
        }
        return Some(out);
    }
    edit["changes"][uri].as_array().cloned()
}

/// The server's text equals the client's (else: where they part).
fn assert_same(server: &str, client: &str, when: &str) {
    if server != client {
        let at = server
            .bytes()
            .zip(client.bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(server.len().min(client.len()));
        let around = |t: &str| {
            let lo = at.saturating_sub(40);
            String::from_utf8_lossy(&t.as_bytes()[lo..(at + 40).min(t.len())]).into_owned()
        };
        panic!(
            "the server's text differs at {when}, byte {at} (lengths {} and {}):\nserver: {:?}\nclient: {:?}",
            server.len(),
            client.len(),
            around(server),
            around(client)
        );
    }
}

#[test]
fn a_long_session_stays_exact_and_responsive() {
    let corpus: Vec<String> = common::files_under(&common::shared_dir().join("corpus/valid"))
        .iter()
        .filter(|p| p.to_string_lossy().to_lowercase().contains("dockerfile"))
        .map(|p| common::read(p))
        .collect();
    let seconds = env_number("DOCKERFILE_LSP_SOAK_SECONDS", 0);
    let steps = if seconds > 0 {
        u64::MAX
    } else {
        env_number("DOCKERFILE_LSP_SOAK_STEPS", 5000)
    };
    let deadline = (seconds > 0).then(|| Instant::now() + Duration::from_secs(seconds));
    let mut rng = Rng(0x5EED_0F50_A4C0 ^ env_number("DOCKERFILE_LSP_SOAK_SEED", 1));

    let (mut server, _) = Server::initialized(&["utf-16"]);
    let mut docs: Vec<Doc> = (0..3)
        .map(|i| {
            let doc = Doc {
                uri: format!("file:///soak/{i}/Dockerfile"),
                text: corpus[rng.below(corpus.len())].clone(),
                version: 1,
            };
            server.open(&doc.uri, doc.version, &doc.text);
            doc
        })
        .collect();

    let mut pending: Vec<i64> = Vec::new();
    // the newest diagnostics version seen per document (drained messages)
    let mut published: std::collections::HashMap<String, i64> = Default::default();
    // resident memory every 200 steps
    let mut samples: Vec<u64> = Vec::new();
    let mut step = 0u64;
    let (mut edits_sent, mut requests_sent, mut cancelled, mut applied) = (0, 0, 0, 0);
    while step < steps && deadline.is_none_or(|d| Instant::now() < d) {
        step += 1;
        // Every 200 steps (before anything that may `continue`): collect
        // the pipelined answers, drain notifications, sample memory.
        if step.is_multiple_of(200) {
            for id in pending.drain(..) {
                let response = server.wait_for(&format!("the response to request {id}"), |m| {
                    m["id"] == json!(id) && m.get("method").is_none()
                });
                if let Some(error) = response.get("error") {
                    assert_ne!(error["code"], -32603, "an internal error: {response}");
                }
            }
            for message in server.take_backlog() {
                if message["method"] == "textDocument/publishDiagnostics" {
                    let uri = message["params"]["uri"].as_str().unwrap_or("").to_string();
                    published.insert(uri, message["params"]["version"].as_i64().unwrap_or(0));
                }
            }
            let kib = server.resident_kib();
            samples.push(kib);
            if step.is_multiple_of(100_000) {
                let sizes: Vec<usize> = docs.iter().map(|d| d.text.len()).collect();
                eprintln!("soak: step {step}, {kib} KiB resident, documents {sizes:?} bytes");
            }
        }
        let d = rng.below(docs.len());
        let action = rng.below(20);
        if action < 9 {
            // one notification, one to three changes
            let doc = &mut docs[d];
            let mut changes = Vec::new();
            for _ in 0..1 + rng.below(3) {
                let insert = match rng.below(4) {
                    0 => String::new(),
                    1 => {
                        let line = corpus[rng.below(corpus.len())].lines().nth(rng.below(40));
                        format!("{}\n", line.unwrap_or(""))
                    }
                    _ => SNIPPETS[rng.below(SNIPPETS.len())].to_string(),
                };
                // (whole texts now and then, and always once a document
                // has grown past 64 KiB, so its size stays bounded)
                if rng.below(200) == 0 || doc.text.len() > 64 * 1024 {
                    doc.text = corpus[rng.below(corpus.len())].clone();
                    changes.push(json!({ "text": doc.text }));
                    continue;
                }
                let a = random_offset(&mut rng, &doc.text);
                let mut b = (a + rng.below(64)).min(doc.text.len());
                while !doc.text.is_char_boundary(b) {
                    b -= 1;
                }
                // positions the client names (a range may not end inside `\r\n`)
                let (start, end) = (lsp_position(&doc.text, a), lsp_position(&doc.text, b));
                let (a, b) = (byte_of(&doc.text, &start), byte_of(&doc.text, &end));
                let b = b.max(a);
                doc.text.replace_range(a..b, &insert);
                changes.push(json!({ "range": { "start": start, "end": end }, "text": insert }));
            }
            doc.version += 1 + rng.below(2) as i64;
            server.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": doc.uri, "version": doc.version }, "contentChanges": changes }),
            );
            edits_sent += 1;
        } else if action < 17 {
            let doc = &docs[d];
            // Half the time on a stage name or reference, where rename and
            // the stage features have work to do.
            let kind = ["AS ", "as ", "--from=", "FROM ", "${", "$"][rng.below(6)];
            let marks: Vec<usize> = doc
                .text
                .match_indices(kind)
                .map(|(i, m)| i + m.len())
                .collect();
            let at = if rng.below(2) == 0 && !marks.is_empty() {
                let mark = marks[rng.below(marks.len())];
                let mut at = (mark + rng.below(4)).min(doc.text.len());
                while !doc.text.is_char_boundary(at) {
                    at -= 1;
                }
                byte_of(&doc.text, &lsp_position(&doc.text, at))
            } else {
                random_offset(&mut rng, &doc.text)
            };
            let position = lsp_position(&doc.text, at);
            let end = if rng.below(4) == 0 {
                doc.text.len() // code actions over the whole rest
            } else {
                random_offset(&mut rng, &doc.text).max(at)
            };
            let end = lsp_position(&doc.text, end);
            let td = json!({ "uri": doc.uri });
            let (method, params) = match rng.below(14) {
                0 => (
                    "textDocument/hover",
                    json!({ "textDocument": td, "position": position }),
                ),
                1 => (
                    "textDocument/definition",
                    json!({ "textDocument": td, "position": position }),
                ),
                2 => (
                    "textDocument/references",
                    json!({ "textDocument": td, "position": position, "context": { "includeDeclaration": true } }),
                ),
                3 => (
                    "textDocument/completion",
                    json!({ "textDocument": td, "position": position }),
                ),
                4 => ("textDocument/documentSymbol", json!({ "textDocument": td })),
                5 => ("textDocument/foldingRange", json!({ "textDocument": td })),
                6 => (
                    "textDocument/semanticTokens/full",
                    json!({ "textDocument": td }),
                ),
                7 => (
                    "textDocument/semanticTokens/range",
                    json!({ "textDocument": td, "range": { "start": position, "end": end } }),
                ),
                8 => (
                    "textDocument/documentHighlight",
                    json!({ "textDocument": td, "position": position }),
                ),
                9 => (
                    "textDocument/codeAction",
                    json!({ "textDocument": td, "range": { "start": position, "end": end }, "context": { "diagnostics": [] } }),
                ),
                _ => (
                    "textDocument/rename",
                    json!({ "textDocument": td, "position": position, "newName": NEW_NAMES[rng.below(3)] }),
                ),
            };
            requests_sent += 1;
            if rng.below(3) == 0 {
                // pipelined: answered later, sometimes cancelled first
                let id = server.send_request(method, params);
                if rng.below(2) == 0 {
                    server.notify("$/cancelRequest", json!({ "id": id }));
                    cancelled += 1;
                }
                pending.push(id);
                continue;
            }
            let response = server.request(method, params);
            if let Some(error) = response.get("error") {
                // a refused rename is an answer; anything else is a failure
                assert!(
                    method == "textDocument/rename" && error["code"] != -32603,
                    "{method} failed at step {step}: {response}"
                );
                continue;
            }
            let result = &response["result"];
            // Apply rename and code-action edits now and then, as the
            // editor would, and check the server follows.
            let edit = match method {
                "textDocument/rename" => Some(result.clone()),
                "textDocument/codeAction" => {
                    // one of the actions that edit this document only
                    let doc = &docs[d];
                    let local: Vec<&Value> = result
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|a| &a["edit"])
                        .filter(|e| !e.is_null() && edits_for(e, &doc.uri, doc.version).is_some())
                        .collect();
                    (!local.is_empty()).then(|| local[rng.below(local.len())].clone())
                }
                _ => None,
            };
            if let Some(edit) = edit.filter(|e| !e.is_null()) {
                let doc = &mut docs[d];
                if let Some(edits) = edits_for(&edit, &doc.uri, doc.version) {
                    let was_clean = !dockerfile_lsp::syntax::parse(&doc.text)
                        .root_node()
                        .has_error();
                    let new_text = apply_text_edits(&doc.text, &edits);
                    if was_clean {
                        assert!(
                            !dockerfile_lsp::syntax::parse(&new_text)
                                .root_node()
                                .has_error(),
                            "{method} at step {step} broke the syntax:\n{new_text}"
                        );
                    }
                    // As content changes, applied one after another: the
                    // last edit first, so each range still holds.
                    // (Reversed first so that inserts at one place keep
                    // their order under the stable sort.)
                    let mut ordered = edits.clone();
                    ordered.reverse();
                    ordered.sort_by_key(|e| {
                        std::cmp::Reverse(byte_of(&doc.text, &e["range"]["start"]))
                    });
                    let changes: Vec<Value> = ordered
                        .iter()
                        .map(|e| json!({ "range": e["range"], "text": e["newText"] }))
                        .collect();
                    doc.text = new_text;
                    doc.version += 1;
                    server.notify(
                        "textDocument/didChange",
                        json!({ "textDocument": { "uri": doc.uri, "version": doc.version }, "contentChanges": changes }),
                    );
                    applied += 1;
                }
            }
        } else {
            // the server's view of the text is exact
            let doc = &docs[d];
            let (version, text) = server.text(&doc.uri);
            assert_eq!(version, doc.version, "version at step {step}");
            assert_same(&text, &doc.text, &format!("step {step}"));
        }
    }
    // Every document ends exact, with diagnostics for its last version.
    for doc in &docs {
        let (version, text) = server.text(&doc.uri);
        assert_eq!(version, doc.version);
        assert_same(&text, &doc.text, "the end");
        if published.get(&doc.uri) == Some(&doc.version) {
            continue;
        }
        server.wait_for("the last diagnostics", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == doc.uri
                && m["params"]["version"] == doc.version
        });
    }
    let end_kib = server.resident_kib();
    // Flat: the second half of the run never needs much more than the
    // first half did (the documents' sizes vary, so single samples do).
    let (first, second) = samples.split_at(samples.len() / 2);
    let first_peak = first.iter().copied().max().unwrap_or(0);
    let second_peak = second.iter().copied().max().unwrap_or(0);
    eprintln!(
        "soak: {step} steps, {edits_sent} edit notifications, {requests_sent} requests ({cancelled} cancelled), {applied} edits applied; resident memory peak {first_peak} KiB in the first half, {second_peak} KiB in the second, {end_kib} KiB at the end"
    );
    assert!(
        second_peak <= first_peak + first_peak / 4 + 16 * 1024,
        "memory grew: peak {first_peak} KiB in the first half, {second_peak} KiB in the second"
    );
    assert_eq!(server.shutdown(), 0);
}
