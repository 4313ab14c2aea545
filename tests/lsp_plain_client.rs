//! A client that announces nothing optional (plain text only, no snippets,
//! no related information, no code action literals, flat symbols...), swept
//! over every Dockerfile of the corpus with every request type the server
//! answers: no response holds markdown, snippet syntax, or anything else
//! the client did not announce.

mod common;

use common::lsp::{bare_capabilities, Server};
use serde_json::{json, Value};

/// At most this many positions per file for hover and for completion,
/// spread over the file: word starts, word ends and `$` expansions.
const POSITIONS_PER_FILE: usize = 40;

/// Markdown a plain-text client would show raw.
fn markdown_in(text: &str, source: &str) -> Option<&'static str> {
    if text.contains("**") {
        return Some("bold");
    }
    if text.contains("](") {
        return Some("a link");
    }
    // a backtick from the document itself (the escape character) is text,
    // and so is one alone (the docs of `# escape=` name the character)
    let code_span = text.lines().any(|line| {
        let mut parts = line.split('`');
        parts.next();
        match (parts.next(), parts.next()) {
            (Some(inside), Some(_)) => !inside.is_empty() && !inside.starts_with(' '),
            _ => false,
        }
    });
    if code_span && !source.contains('`') {
        return Some("a code span");
    }
    None
}

/// Snippet syntax in an inserted text: `$1`, `${1:...}`, `$0`.
fn snippet_in(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes
        .windows(2)
        .any(|w| w[0] == b'$' && w[1].is_ascii_digit())
        || bytes
            .windows(3)
            .any(|w| w[0] == b'$' && w[1] == b'{' && w[2].is_ascii_digit())
}

/// The positions to ask at: UTF-16 columns of word starts and ends and of
/// the character after each `$`, at most `POSITIONS_PER_FILE`, evenly spread.
fn positions(text: &str) -> Vec<(u32, u32)> {
    let mut all = Vec::new();
    for (line, content) in text.split('\n').enumerate() {
        let mut column = 0u32;
        let mut previous: Option<char> = None;
        for c in content.chars() {
            let boundary = match previous {
                None => !c.is_whitespace(),
                Some(p) => p.is_whitespace() != c.is_whitespace() || p == '$' || p == '=',
            };
            if boundary {
                all.push((line as u32, column));
            }
            column += c.len_utf16() as u32;
            previous = Some(c);
        }
        all.push((line as u32, column));
    }
    let step = all.len().div_ceil(POSITIONS_PER_FILE).max(1);
    all.into_iter().step_by(step).collect()
}

fn at(uri: &str, (line, character): (u32, u32)) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } })
}

#[test]
fn a_plain_text_client_without_snippets_gets_neither_over_the_corpus() {
    let corpus = common::shared_dir().join("corpus");
    let mut files = common::corpus_dockerfiles(&corpus.join("apps"), false);
    files.extend(common::corpus_dockerfiles(&corpus.join("valid"), true));
    files.extend(common::corpus_dockerfiles(&corpus.join("invalid"), true));
    assert!(files.len() > 100, "the corpus: {} files", files.len());
    let mut server = Server::start();
    let init = server.initialize_as(bare_capabilities(), Value::Null, &[]);
    let caps = &init["capabilities"];
    assert_eq!(
        caps["renameProvider"], true,
        "prepareRename to a client without it"
    );
    assert_eq!(
        caps["executeCommandProvider"]["commands"],
        json!(["dockerfile-lsp.applyEdit"])
    );
    let mut faults: Vec<String> = Vec::new();
    let mut counts = [0usize; 6];
    for (n, path) in files.iter().enumerate() {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue; // not UTF-8: no editor opens it as text
        };
        let name = path.strip_prefix(&corpus).unwrap().display().to_string();
        let uri = format!("file:///plain-client/{n}/Dockerfile");
        server.open(&uri, 1, &text);
        let mut fault = |what: String| faults.push(format!("{name}: {what}"));
        for d in server.diagnostics(&uri, 1) {
            counts[0] += 1;
            for field in ["codeDescription", "relatedInformation", "tags", "data"] {
                if d.get(field).is_some() {
                    fault(format!("a diagnostic with {field}: {d}"));
                }
            }
        }
        let mut resolved = std::collections::BTreeSet::new();
        for position in positions(&text) {
            let hover = server.request("textDocument/hover", at(&uri, position));
            if let Some(contents) = hover["result"].get("contents") {
                counts[1] += 1;
                let value = contents["value"].as_str().unwrap_or_default();
                if contents["kind"] != "plaintext" {
                    fault(format!("hover at {position:?} is {}", contents["kind"]));
                }
                if let Some(what) = markdown_in(value, &text) {
                    fault(format!("{what} in the hover at {position:?}: {value}"));
                }
            }
            let completion = server.request("textDocument/completion", at(&uri, position));
            let items = completion["result"]["items"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for item in items {
                counts[2] += 1;
                let new_text = item["textEdit"]["newText"]
                    .as_str()
                    .or(item["insertText"].as_str())
                    .unwrap_or_default();
                if item["insertTextFormat"] == 2 || snippet_in(new_text) {
                    fault(format!("a snippet at {position:?}: {item}"));
                }
                for field in ["tags", "deprecated", "labelDetails"] {
                    if item.get(field).is_some() {
                        fault(format!("a completion item with {field}: {item}"));
                    }
                }
                if item["textEdit"].get("replace").is_some() {
                    fault(format!("an insert-replace edit: {item}"));
                }
                if !resolved.insert(item["data"].to_string()) {
                    continue;
                }
                let resolved = server.request("completionItem/resolve", item.clone());
                if let Some(doc) = resolved["result"].get("documentation") {
                    counts[3] += 1;
                    let value = doc["value"].as_str().or(doc.as_str()).unwrap_or_default();
                    if doc.is_object() && doc["kind"] != "plaintext" {
                        fault(format!(
                            "documentation in {}: {}",
                            doc["kind"], item["label"]
                        ));
                    }
                    if let Some(what) = markdown_in(value, &text) {
                        fault(format!("{what} in the docs of {}: {value}", item["label"]));
                    }
                }
            }
        }
        let lines = text.split('\n').count() as u32;
        let actions = server.request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri },
                    "range": { "start": { "line": 0, "character": 0 },
                               "end": { "line": lines, "character": 0 } },
                    "context": { "diagnostics": [] } }),
        );
        for action in actions["result"].as_array().cloned().unwrap_or_default() {
            counts[4] += 1;
            if action.get("command").and_then(Value::as_str) != Some("dockerfile-lsp.applyEdit") {
                fault(format!("a code action literal: {action}"));
                continue;
            }
            let edit = &action["arguments"][0];
            if edit.get("documentChanges").is_some() || !edit["changes"].is_object() {
                fault(format!("an edit the client cannot apply: {edit}"));
            }
        }
        let symbols = server.request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": uri } }),
        );
        for symbol in symbols["result"].as_array().cloned().unwrap_or_default() {
            counts[5] += 1;
            if symbol.get("children").is_some() || symbol.get("location").is_none() {
                fault(format!("a nested symbol: {symbol}"));
            }
        }
        let folds = server.request(
            "textDocument/foldingRange",
            json!({ "textDocument": { "uri": uri } }),
        );
        for fold in folds["result"].as_array().cloned().unwrap_or_default() {
            if fold.get("kind").is_some() {
                fault(format!(
                    "a folding kind the client did not announce: {fold}"
                ));
            }
        }
        server.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": uri } }),
        );
    }
    let [diagnostics, hovers, items, docs, actions, symbols] = counts;
    eprintln!(
        "{} files: {diagnostics} diagnostics, {hovers} hovers, {items} completion items \
         ({docs} documented), {actions} code actions, {symbols} symbols",
        files.len()
    );
    // the sweep saw each kind of response, so it checked something
    for (what, count) in [
        ("diagnostics", diagnostics),
        ("hovers", hovers),
        ("completion items", items),
        ("documented items", docs),
        ("code actions", actions),
        ("symbols", symbols),
    ] {
        assert!(count > 50, "only {count} {what}");
    }
    assert!(
        faults.is_empty(),
        "{} faults:\n{}",
        faults.len(),
        faults[..faults.len().min(40)].join("\n")
    );
}
