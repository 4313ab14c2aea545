//! Variables end to end: definition with Dockerfile scoping, references,
//! rename, hover; heredoc terminators to their `<<NAME`.

mod common;

use common::lsp::Server;
use serde_json::{json, Value};

const URI: &str = "file:///vars/Dockerfile";

fn open(fixture: &str) -> (Server, String, Value, Vec<Value>) {
    common::lsp::open_fixture(URI, fixture)
}

fn at(cursor: &Value) -> Value {
    common::lsp::at(URI, cursor)
}

fn check_definition(fixture: &str) {
    common::lsp::check_definition(URI, fixture)
}

#[test]
fn a_global_arg_in_a_from_line() {
    check_definition("ARG «NODE_VERSION»=20\nFROM node:${NODE_$0VERSION}-alpine\n");
}

#[test]
fn inside_a_stage_the_redeclaration_is_in_effect() {
    check_definition("ARG V=1\nFROM alpine\nARG «V»\nRUN echo $$0V\n");
}

#[test]
fn a_global_arg_without_redeclaration_is_not_visible_in_a_stage() {
    check_definition("ARG V=1\nFROM alpine\nRUN echo $$0V\n");
}

#[test]
fn env_is_inherited_from_the_parent_stage() {
    check_definition("FROM alpine AS base\nENV «APP_HOME»=/app\nFROM base\nWORKDIR $APP$0_HOME\n");
}

#[test]
fn a_heredoc_terminator_goes_to_its_marker() {
    check_definition("FROM alpine\nRUN <<«EOF» cat > /a && cat <<B > /b\nx\nE$0OF\ny\nB\n");
}

#[test]
fn references_and_rename_follow_the_build_argument() {
    let (mut server, _, cursor, ranges) = open(
        "ARG «VER$0SION»=1\nFROM app:${«VERSION»}\nARG «VERSION»\nRUN echo $«VERSION» $OTHER\nFROM b\nRUN echo $VERSION\n",
    );
    let reply = server.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": URI }, "position": cursor, "context": { "includeDeclaration": true } }),
    );
    let found: Vec<Value> = reply["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["range"].clone())
        .collect();
    assert_eq!(found, ranges);

    let reply = server.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": URI }, "position": cursor, "newName": "APP_VERSION" }),
    );
    let edits = reply["result"]["documentChanges"][0]["edits"]
        .as_array()
        .unwrap();
    assert_eq!(edits.len(), 4, "{reply}");
    assert!(edits.iter().all(|e| e["newText"] == "APP_VERSION"));

    let reply = server.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": URI }, "position": cursor, "newName": "1X" }),
    );
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a valid variable name"),
        "{reply}"
    );
}

#[test]
fn hover_tells_where_a_variable_comes_from() {
    let (mut server, _, cursor, _) = open("ARG NODE_VERSION=20\nFROM node:${NODE_VER$0SION}\n");
    let reply = server.request("textDocument/hover", at(&cursor));
    let text = reply["result"]["contents"]["value"].as_str().unwrap();
    assert_eq!(
        text,
        "**$NODE_VERSION** — global build argument, declared on line 1\n\ndefault: `20`"
    );

    let (mut server, _, cursor, _) = open("FROM --platform=$BUILD$0PLATFORM golang\n");
    let reply = server.request("textDocument/hover", at(&cursor));
    let text = reply["result"]["contents"]["value"].as_str().unwrap();
    assert!(text.contains("BuildKit predefines"), "{text}");
}
