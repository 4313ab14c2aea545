//! Bad input: each case of the README's table, each followed by a check
//! that the server still answers.

mod common;

use common::lsp::Server;
use serde_json::{json, Value};

const URI: &str = "file:///robust/Dockerfile";

fn ready() -> Server {
    let (mut server, _) = Server::initialized(&["utf-16"]);
    server.open(URI, 1, "FROM alpine:3.20\n");
    assert!(server.diagnostics(URI, 1).is_empty());
    server
}

/// The server still answers a request about the open document.
fn still_answers(server: &mut Server) {
    let (_, text) = server.text(URI);
    assert!(text.starts_with("FROM"), "{text}");
}

fn error_code(response: &Value) -> i64 {
    response["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("expected an error: {response}"))
}

#[test]
fn malformed_json_gets_a_parse_error() {
    let mut server = ready();
    let body = b"{\"jsonrpc\":\"2.0\",\"id\":7,";
    server.send_raw(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    server.send_raw(body);
    let reply = server.wait_for("a parse error", |m| m.get("error").is_some());
    assert_eq!(error_code(&reply), -32700);
    still_answers(&mut server);
}

#[test]
fn unknown_methods() {
    let mut server = ready();
    let reply = server.request("textDocument/noSuchThing", json!({}));
    assert_eq!(error_code(&reply), -32601);
    server.notify("$/noSuchNotification", json!({}));
    still_answers(&mut server);
}

#[test]
fn requests_for_documents_that_are_not_open() {
    let mut server = ready();
    let reply = server.request(
        "dockerfile-lsp/syntaxTree",
        json!({ "textDocument": { "uri": "file:///nowhere/Dockerfile" } }),
    );
    assert_eq!(error_code(&reply), -32602);
    assert!(reply["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not open"));
    // a change to a document that is not open is ignored
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": "file:///nowhere/Dockerfile", "version": 2 },
                "contentChanges": [{ "text": "FOO" }] }),
    );
    still_answers(&mut server);
}

#[test]
fn ranges_past_the_end_are_clamped() {
    let mut server = ready();
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 2 },
                "contentChanges": [
                    { "range": { "start": { "line": 0, "character": 99 }, "end": { "line": 50, "character": 3 } }, "text": " AS base" },
                    // a reversed range is taken in order
                    { "range": { "start": { "line": 0, "character": 11 }, "end": { "line": 0, "character": 5 } }, "text": "debian" },
                ] }),
    );
    assert_eq!(
        server.text(URI),
        (2, "FROM debian:3.20 AS base".to_string())
    );
    assert!(server.diagnostics(URI, 2).is_empty());
}

#[test]
fn a_position_inside_a_surrogate_pair_means_the_character_start() {
    let (mut server, _) = Server::initialized(&["utf-16"]);
    server.open(URI, 1, "RUN echo 𝄞!\n");
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 0, "character": 10 }, "end": { "line": 0, "character": 10 } }, "text": "x" }] }),
    );
    assert_eq!(server.text(URI), (2, "RUN echo x𝄞!\n".to_string()));
}

#[test]
fn versions_that_skip_or_go_back_are_taken_as_given() {
    let mut server = ready();
    for (version, text) in [(10, "FROM a:1\n"), (4, "FROM b:1\n")] {
        server.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": URI, "version": version },
                    "contentChanges": [{ "text": text }] }),
        );
        assert_eq!(server.text(URI), (version, text.to_string()));
    }
}

#[test]
fn a_panic_in_a_request_becomes_an_error_response() {
    let mut server = ready();
    let reply = server.request("dockerfile-lsp/testPanic", Value::Null);
    assert_eq!(error_code(&reply), -32603);
    assert!(reply["error"]["message"]
        .as_str()
        .unwrap()
        .contains("deliberate panic"));
    still_answers(&mut server);
}

#[test]
fn requests_before_initialize_are_refused() {
    let mut server = Server::start();
    let reply = server.request(
        "dockerfile-lsp/syntaxTree",
        json!({ "textDocument": { "uri": URI } }),
    );
    assert_eq!(error_code(&reply), -32002);
    server.initialize(&[]);
    server.open(URI, 1, "FROM alpine:3.20\n");
    still_answers(&mut server);
}

#[test]
fn requests_after_shutdown_are_refused_and_exit_ends_the_process() {
    let mut server = ready();
    let reply = server.request("shutdown", Value::Null);
    assert!(reply.get("error").is_none(), "{reply}");
    let reply = server.request(
        "dockerfile-lsp/syntaxTree",
        json!({ "textDocument": { "uri": URI } }),
    );
    assert_eq!(error_code(&reply), -32600);
    server.notify("exit", Value::Null);
    // the client-side helper checks the exit code on a fresh server
    let (server, _) = Server::initialized(&[]);
    assert_eq!(server.shutdown(), 0);
}

#[test]
fn frames_without_a_usable_content_length_are_answered_and_skipped() {
    let mut server = ready();
    server.send_raw(b"this is not a header\r\n\r\n");
    let reply = server.wait_for("a parse error", |m| m.get("error").is_some());
    assert_eq!(error_code(&reply), -32700);
    server.send_raw(b"Content-Length: twelve\r\n\r\n");
    let reply = server.wait_for("a parse error", |m| m.get("error").is_some());
    assert_eq!(error_code(&reply), -32700);
    still_answers(&mut server);
}

#[test]
fn exit_without_shutdown_exits_with_1() {
    let mut server = ready();
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(), 1);
}

#[test]
fn an_oversized_message_is_answered_and_skipped_without_buffering() {
    let mut server = ready();
    let size = dockerfile_lsp::transport::MAX_MESSAGE + 1;
    server.send_raw(format!("Content-Length: {size}\r\n\r\n").as_bytes());
    let chunk = vec![b' '; 1 << 20];
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len());
        server.send_raw(&chunk[..n]);
        left -= n;
    }
    let reply = server.wait_for("a parse error", |m| m.get("error").is_some());
    assert_eq!(error_code(&reply), -32700);
    assert!(reply["error"]["message"]
        .as_str()
        .unwrap()
        .contains("exceeds the limit"));
    still_answers(&mut server);
}

#[test]
fn a_file_over_the_size_limit_is_synced_but_not_analysed() {
    let mut server = Server::start();
    server.initialize_with(&["utf-16"], json!({ "maxFileSize": 40 }));
    let big = "FROM alpine:3.20 AS base\nRUN echo one two three\n";
    server.open(URI, 1, big);
    let found = server.diagnostics(URI, 1);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["code"], "FileTooLarge");
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.contains("48 bytes") && message.contains("maxFileSize"),
        "{message}"
    );
    let hover = server.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 22 } }),
    );
    assert!(hover["result"].is_null(), "{hover}");
    // Under the limit again: analysed as usual.
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 2 }, "contentChanges": [
            { "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 2, "character": 0 } }, "text": "" }
        ] }),
    );
    assert!(server.diagnostics(URI, 2).is_empty());
    let (_, text) = server.text(URI);
    assert_eq!(text, "FROM alpine:3.20 AS base\n");
    // A lower limit from the settings applies to open documents.
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "maxFileSize": 10 } }),
    );
    let found = server.diagnostics(URI, 2);
    assert_eq!(found[0]["code"], "FileTooLarge");
}

/// Raising the limit parses the document again at the same version: what
/// was computed from the empty tree (the outline an editor asks for on
/// open) must not be taken for the new tree's.
#[test]
fn raising_the_size_limit_analyses_the_document_afresh() {
    let mut server = Server::start();
    server.initialize_with(&["utf-16"], json!({ "maxFileSize": 10 }));
    let text = "FROM alpine:3.20 AS base\nRUN true\nFROM base\nCMD [\"true\"]\n";
    server.open(URI, 1, text);
    assert_eq!(server.diagnostics(URI, 1)[0]["code"], "FileTooLarge");
    let outline = |server: &mut Server| {
        server.request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": URI } }),
        )["result"]
            .clone()
    };
    assert_eq!(outline(&mut server), json!([]));
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "maxFileSize": 1000 } }),
    );
    let found = server.diagnostics(URI, 1);
    assert!(
        found.iter().all(|d| d["code"] != "FileTooLarge"),
        "the warning stays: {found:?}"
    );
    assert_eq!(outline(&mut server).as_array().unwrap().len(), 2);
    let definition = server.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 2, "character": 6 } }),
    );
    assert_eq!(
        definition["result"]["range"]["start"]["line"], 0,
        "{definition}"
    );
    still_answers(&mut server);
}

#[test]
fn a_request_working_past_the_time_limit_is_answered_with_an_error() {
    let mut server = Server::start();
    server.initialize_with(&["utf-16"], json!({ "requestTimeout": 100 }));
    server.open(URI, 1, "FROM alpine:3.20\n");
    // the hook works for two seconds; the answer comes at the limit
    let response = server.request("dockerfile-lsp/testSlow", Value::Null);
    assert_eq!(error_code(&response), -32803, "{response}");
    let message = response["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("gave up after 100 ms") && message.contains("requestTimeout"),
        "{message}"
    );
    still_answers(&mut server);
}
