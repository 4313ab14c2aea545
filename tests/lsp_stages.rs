//! Stage navigation end to end: definition, references, highlights,
//! rename, outline and folding, with fixtures that mark the cursor (`$0`)
//! and the expected ranges (`«...»`).

mod common;

use common::lsp::Server;
use serde_json::{json, Value};

const URI: &str = "file:///stages/Dockerfile";

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
fn definition_follows_copy_from() {
    check_definition(
        "FROM golang AS «build»\nRUN go build\nFROM alpine\nCOPY --from=bu$0ild /out /app\n",
    );
}

#[test]
fn definition_follows_from_stage() {
    check_definition("FROM node:20 AS «deps»\nFROM de$0ps AS build\n");
}

#[test]
fn definition_follows_mount_from() {
    check_definition(
        "FROM golang:1.23 AS «base»\nFROM base AS build\nRUN --mount=type=cache,from=ba$0se,target=/go/pkg/mod go build ./...\n",
    );
}

#[test]
fn definition_of_a_numeric_reference_is_the_from_line() {
    check_definition("«FROM golang»\nFROM alpine\nCOPY --from=$00 /out /app\n");
}

#[test]
fn stage_names_are_case_insensitive() {
    check_definition("FROM golang AS «Builder»\nFROM alpine\nCOPY --from=BUIL$0DER /out /app\n");
}

#[test]
fn an_undefined_stage_has_no_definition() {
    check_definition("FROM golang AS build\nFROM alpine\nCOPY --from=bi$0ld /out /app\n");
    check_definition("FROM alpine AS one\nCOPY --from=tw$0o / /\nFROM alpine AS two\n");
}

#[test]
fn references_cover_every_form() {
    let (mut server, _, cursor, ranges) = open(
        "FROM golang AS «ba$0se»\n\
         FROM «base» AS build\n\
         RUN --mount=type=cache,from=«BASE»,target=/x go build\n\
         FROM alpine\n\
         COPY --from=«base» /a /\n\
         COPY --from=«0» /b /\n",
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

    let reply = server.request("textDocument/documentHighlight", at(&cursor));
    let found: Vec<Value> = reply["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["range"].clone())
        .collect();
    assert_eq!(found, ranges);
}

#[test]
fn rename_changes_the_name_and_every_named_reference() {
    let (mut server, text, cursor, _) = open(
        "FROM golang AS base\nFROM base AS build\nRUN --mount=from=Base,target=/x true\nFROM alpine\nCOPY --from=bu$0ild /a /\nCOPY --from=1 /b /\n",
    );
    let prepared = server.request("textDocument/prepareRename", at(&cursor));
    assert_eq!(prepared["result"]["start"]["line"], 4, "{prepared}");
    let reply = server.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": URI }, "position": cursor, "newName": "compile" }),
    );
    let change = &reply["result"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["version"], 1);
    let mut edits: Vec<&Value> = change["edits"].as_array().unwrap().iter().collect();
    // apply from the end so earlier offsets stay valid
    edits.sort_by_key(|e| {
        std::cmp::Reverse((
            e["range"]["start"]["line"].as_u64(),
            e["range"]["start"]["character"].as_u64(),
        ))
    });
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    for e in edits {
        let line = e["range"]["start"]["line"].as_u64().unwrap() as usize;
        let (a, b) = (
            e["range"]["start"]["character"].as_u64().unwrap() as usize,
            e["range"]["end"]["character"].as_u64().unwrap() as usize,
        );
        lines[line].replace_range(a..b, e["newText"].as_str().unwrap());
    }
    assert_eq!(
        lines.join("\n") + "\n",
        "FROM golang AS base\nFROM base AS compile\nRUN --mount=from=Base,target=/x true\nFROM alpine\nCOPY --from=compile /a /\nCOPY --from=1 /b /\n"
    );
}

#[test]
fn rename_refuses_collisions_invalid_names_and_unknown_stages() {
    let (mut server, _, cursor, _) = open("FROM a AS one\nFROM b AS two\nCOPY --from=o$0ne / /\n");
    for (name, why) in [("Two", "already named"), ("2x", "not a valid stage name")] {
        let reply = server.request(
            "textDocument/rename",
            json!({ "textDocument": { "uri": URI }, "position": cursor, "newName": name }),
        );
        assert!(
            reply["error"]["message"].as_str().unwrap().contains(why),
            "{reply}"
        );
    }
    let (mut server, _, cursor, _) = open("FROM a AS one\nCOPY --from=nginx:la$0test / /\n");
    let reply = server.request("textDocument/prepareRename", at(&cursor));
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a stage"),
        "{reply}"
    );
}

#[test]
fn outline_lists_stages_with_their_instructions() {
    let (mut server, _, _, _) =
        open("ARG V=1\nFROM golang:$V AS build\nRUN make\n$0FROM build\nCOPY . .\n");
    let reply = server.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": URI } }),
    );
    let symbols = reply["result"].as_array().unwrap();
    let names: Vec<&str> = symbols
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ARG", "build", "stage 1"]);
    assert_eq!(symbols[1]["detail"], "FROM golang:$V");
    assert_eq!(symbols[2]["detail"], "FROM stage build");
    let children: Vec<&str> = symbols[1]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(children, ["FROM", "RUN"]);
}

#[test]
fn folding_covers_stages_continued_instructions_and_comment_blocks() {
    let (mut server, _, _, _) =
        open("# one\n# two\nFROM a\nRUN a \\\n  b \\\n  c\n$0FROM b\nRUN x\n");
    let reply = server.request(
        "textDocument/foldingRange",
        json!({ "textDocument": { "uri": URI } }),
    );
    let mut found: Vec<(u64, u64)> = reply["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["startLine"].as_u64().unwrap(),
                f["endLine"].as_u64().unwrap(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(found, [(0, 1), (2, 5), (3, 5), (6, 7)]);
}
