//! Each client capability the server reads, on and off: the same request
//! from a client that announces it and from one that does not, and the
//! difference it makes. "Off" is VS Code's capabilities less that one, so
//! each test isolates one capability.

mod common;

use common::lsp::{full_capabilities, Server};
use serde_json::{json, Value};

const URI: &str = "file:///capabilities/Dockerfile";

/// VS Code's capabilities with the value at `path` (dot-separated)
/// replaced, or removed when `value` is null.
fn caps_with(path: &str, value: Value) -> Value {
    let mut caps = full_capabilities(&["utf-16"]);
    let mut at = &mut caps;
    let parts: Vec<&str> = path.split('.').collect();
    for part in &parts[..parts.len() - 1] {
        at = at
            .get_mut(*part)
            .unwrap_or_else(|| panic!("no {part} in {path}"));
    }
    let last = parts[parts.len() - 1];
    let object = at.as_object_mut().unwrap();
    assert!(
        object.contains_key(last),
        "{path} is not in the full capabilities"
    );
    if value.is_null() {
        object.remove(last);
    } else {
        object.insert(last.to_string(), value);
    }
    caps
}

/// A server initialized with `caps`, with `text` open at version 1, and its
/// `initialize` result.
fn open(caps: Value, text: &str) -> (Server, Value) {
    let mut server = Server::start();
    let init = server.initialize_as(caps, Value::Null, &[]);
    server.open(URI, 1, text);
    (server, init)
}

fn at(line: u32, character: u32) -> Value {
    json!({ "textDocument": { "uri": URI }, "position": { "line": line, "character": character } })
}

fn completion_items(server: &mut Server, line: u32, character: u32) -> Vec<Value> {
    let reply = server.request("textDocument/completion", at(line, character));
    let result = &reply["result"];
    result["items"]
        .as_array()
        .or(result.as_array())
        .unwrap_or_else(|| panic!("no completion list: {reply}"))
        .clone()
}

fn item<'a>(items: &'a [Value], label: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["label"] == label)
        .unwrap_or_else(|| panic!("no {label} among {items:?}"))
}

fn hover_contents(caps: Value) -> Value {
    let (mut server, _) = open(caps, "FROM alpine\nCOPY a b\n");
    let reply = server.request("textDocument/hover", at(1, 1));
    reply["result"]["contents"].clone()
}

#[test]
fn hover_is_markdown_only_for_a_client_that_takes_it() {
    let markdown = hover_contents(full_capabilities(&["utf-16"]));
    assert_eq!(markdown["kind"], "markdown");
    assert!(markdown["value"].as_str().unwrap().contains("**COPY**"));
    let plain = hover_contents(caps_with(
        "textDocument.hover.contentFormat",
        json!(["plaintext"]),
    ));
    assert_eq!(plain["kind"], "plaintext");
    let text = plain["value"].as_str().unwrap();
    assert!(text.starts_with("COPY — "), "{text}");
    assert!(
        !text.contains("**") && !text.contains('`') && !text.contains("]("),
        "{text}"
    );
    // the link's address is kept, as text
    assert!(
        text.contains("(https://docs.docker.com/reference/dockerfile/#copy)"),
        "{text}"
    );
}

#[test]
fn snippets_only_for_a_client_with_snippet_support() {
    let text = "FROM alpine\nCO\n";
    let (mut server, _) = open(full_capabilities(&["utf-16"]), text);
    let items = completion_items(&mut server, 1, 2);
    let copy = item(&items, "COPY");
    assert_eq!(copy["insertTextFormat"], 2, "{copy}");
    assert!(copy["textEdit"]["newText"]
        .as_str()
        .unwrap()
        .contains("${1:"));
    let (mut server, _) = open(
        caps_with(
            "textDocument.completion.completionItem.snippetSupport",
            Value::Null,
        ),
        text,
    );
    let items = completion_items(&mut server, 1, 2);
    for i in &items {
        assert_ne!(
            i["insertTextFormat"], 2,
            "a snippet for a client without: {i}"
        );
        let new_text = i["textEdit"]["newText"].as_str().unwrap();
        assert!(!new_text.contains("${") && !new_text.contains("$1"), "{i}");
    }
    assert_eq!(item(&items, "COPY")["textEdit"]["newText"], "COPY ");
}

#[test]
fn completion_documentation_is_resolved_in_the_clients_format() {
    let text = "FROM alpine\nCO\n";
    for (caps, kind) in [
        (full_capabilities(&["utf-16"]), "markdown"),
        (
            caps_with(
                "textDocument.completion.completionItem.documentationFormat",
                json!(["plaintext"]),
            ),
            "plaintext",
        ),
    ] {
        let (mut server, _) = open(caps, text);
        let items = completion_items(&mut server, 1, 2);
        let copy = item(&items, "COPY").clone();
        // documentation comes lazily, with completionItem/resolve
        assert!(copy.get("documentation").is_none(), "{copy}");
        let resolved = server.request("completionItem/resolve", copy)["result"].clone();
        assert_eq!(resolved["documentation"]["kind"], kind, "{resolved}");
        let doc = resolved["documentation"]["value"].as_str().unwrap();
        assert_eq!(doc.contains("**COPY**"), kind == "markdown", "{doc}");
        assert!(doc.contains("Copies files"), "{doc}");
    }
}

#[test]
fn insert_replace_edits_only_for_a_client_that_takes_them() {
    // the cursor inside `--from`: `--fr|om`
    let text = "FROM alpine AS a\nFROM alpine\nCOPY --from /x /y\n";
    let (mut server, _) = open(full_capabilities(&["utf-16"]), text);
    let items = completion_items(&mut server, 2, 9);
    let from = item(&items, "--from");
    let edit = &from["textEdit"];
    assert_eq!(edit["insert"]["end"]["character"], 9, "{from}");
    assert_eq!(edit["replace"]["end"]["character"], 11, "{from}");
    let (mut server, _) = open(
        caps_with(
            "textDocument.completion.completionItem.insertReplaceSupport",
            Value::Null,
        ),
        text,
    );
    let items = completion_items(&mut server, 2, 9);
    let edit = &item(&items, "--from")["textEdit"];
    assert!(edit.get("replace").is_none(), "{edit}");
    assert_eq!(edit["range"]["end"]["character"], 9, "{edit}");
}

#[test]
fn label_details_only_for_a_client_that_shows_them() {
    let text = "FROM golang AS build\nFROM alpine\nCOPY --from=\n";
    let (mut server, _) = open(full_capabilities(&["utf-16"]), text);
    let items = completion_items(&mut server, 2, 12);
    let build = item(&items, "build");
    assert!(build["labelDetails"]["description"].is_string(), "{build}");
    assert_eq!(build["labelDetails"]["description"], build["detail"]);
    let (mut server, _) = open(
        caps_with(
            "textDocument.completion.completionItem.labelDetailsSupport",
            Value::Null,
        ),
        text,
    );
    let items = completion_items(&mut server, 2, 12);
    let build = item(&items, "build");
    assert!(build.get("labelDetails").is_none(), "{build}");
    assert!(build["detail"].is_string(), "{build}");
}

#[test]
fn deprecated_items_are_tagged_as_the_client_understands() {
    let text = "FROM alpine\nMA\n";
    let maintainer = |caps: Value| {
        let (mut server, _) = open(caps, text);
        item(&completion_items(&mut server, 1, 2), "MAINTAINER").clone()
    };
    let tagged = maintainer(full_capabilities(&["utf-16"]));
    assert_eq!(tagged["tags"], json!([1]), "{tagged}");
    assert!(tagged.get("deprecated").is_none(), "{tagged}");
    // an older client: the `deprecated` property
    let older = maintainer(caps_with(
        "textDocument.completion.completionItem.tagSupport",
        Value::Null,
    ));
    assert_eq!(older["deprecated"], true, "{older}");
    assert!(older.get("tags").is_none(), "{older}");
    // neither: nothing it would not understand
    let mut caps = caps_with(
        "textDocument.completion.completionItem.tagSupport",
        Value::Null,
    );
    caps["textDocument"]["completion"]["completionItem"]
        .as_object_mut()
        .unwrap()
        .remove("deprecatedSupport");
    let neither = maintainer(caps);
    assert!(neither.get("tags").is_none() && neither.get("deprecated").is_none());
}

/// The diagnostics of `text` for a client with `caps`.
fn diagnostics(caps: Value, text: &str) -> Vec<Value> {
    let (mut server, _) = open(caps, text);
    server.diagnostics(URI, 1)
}

fn with_code<'a>(found: &'a [Value], code: &str) -> &'a Value {
    found
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {found:?}"))
}

#[test]
fn related_places_are_related_information_or_part_of_the_message() {
    let text = "FROM alpine AS app\nRUN true\nFROM alpine AS app\nRUN true\n";
    let found = diagnostics(full_capabilities(&["utf-16"]), text);
    let duplicate = with_code(&found, "DuplicateStageName");
    assert_eq!(
        duplicate["relatedInformation"][0]["location"]["range"]["start"]["line"],
        0
    );
    let plain_message = duplicate["message"].as_str().unwrap().to_string();
    let found = diagnostics(
        caps_with(
            "textDocument.publishDiagnostics.relatedInformation",
            Value::Null,
        ),
        text,
    );
    let duplicate = with_code(&found, "DuplicateStageName");
    assert!(duplicate.get("relatedInformation").is_none(), "{duplicate}");
    assert_eq!(
        duplicate["message"],
        format!("{plain_message}\nline 1: the stage first named so")
    );
}

#[test]
fn rule_links_and_faded_code_only_where_announced() {
    let text =
        "FROM alpine AS build\nFROM alpine\nRUN make test\nFROM alpine\nCOPY --from=build / /\n";
    let found = diagnostics(full_capabilities(&["utf-16"]), text);
    let unused = with_code(&found, "UnusedStage");
    assert!(unused["codeDescription"]["href"].is_string(), "{unused}");
    assert_eq!(unused["tags"], json!([1]), "{unused}");
    let found = diagnostics(
        caps_with(
            "textDocument.publishDiagnostics.codeDescriptionSupport",
            Value::Null,
        ),
        text,
    );
    let unused = with_code(&found, "UnusedStage");
    assert!(unused.get("codeDescription").is_none(), "{unused}");
    let found = diagnostics(
        caps_with("textDocument.publishDiagnostics.tagSupport", Value::Null),
        text,
    );
    let unused = with_code(&found, "UnusedStage");
    assert!(unused.get("tags").is_none(), "{unused}");
}

fn rename_edit(caps: Value) -> Value {
    let (mut server, _) = open(caps, "FROM alpine AS a\nFROM a\n");
    let mut params = at(1, 5);
    params["newName"] = json!("base");
    server.request("textDocument/rename", params)["result"].clone()
}

#[test]
fn versioned_document_changes_only_for_a_client_that_takes_them() {
    let edit = rename_edit(full_capabilities(&["utf-16"]));
    assert_eq!(
        edit["documentChanges"][0]["textDocument"]["version"], 1,
        "{edit}"
    );
    assert!(edit.get("changes").is_none());
    let edit = rename_edit(caps_with(
        "workspace.workspaceEdit.documentChanges",
        Value::Null,
    ));
    assert!(edit.get("documentChanges").is_none(), "{edit}");
    assert_eq!(edit["changes"][URI].as_array().unwrap().len(), 2, "{edit}");
}

#[test]
fn prepare_rename_is_offered_only_to_a_client_that_sends_it() {
    let (_, init) = open(full_capabilities(&["utf-16"]), "FROM a\n");
    assert_eq!(
        init["capabilities"]["renameProvider"]["prepareProvider"],
        true
    );
    let (_, init) = open(caps_with("textDocument.rename", Value::Null), "FROM a\n");
    assert_eq!(init["capabilities"]["renameProvider"], true);
}

const FIXABLE: &str = "FROM alpine\nmaintainer me\n";

fn actions(caps: Value) -> (Server, Value) {
    let (mut server, init) = open(caps, FIXABLE);
    server.diagnostics(URI, 1);
    let reply = server.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": URI },
                "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 3 } },
                "context": { "diagnostics": [] } }),
    );
    assert!(init["capabilities"].is_object());
    (server, reply["result"].clone())
}

#[test]
fn code_actions_are_literals_or_commands_as_the_client_takes_them() {
    let (_, literals) = actions(full_capabilities(&["utf-16"]));
    let fix = literals
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "quickfix")
        .unwrap_or_else(|| panic!("no quick fix: {literals}"));
    assert!(fix["edit"].is_object(), "{fix}");
    assert!(fix.get("isPreferred").is_some(), "{fix}");
    // without literals: commands, which the server carries out by asking
    // the client to apply the edit
    let caps = caps_with(
        "textDocument.codeAction.codeActionLiteralSupport",
        Value::Null,
    );
    let (mut server, commands) = actions(caps);
    let command = commands
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == fix["title"])
        .unwrap_or_else(|| panic!("no command for {}: {commands}", fix["title"]))
        .clone();
    assert_eq!(command["command"], "dockerfile-lsp.applyEdit", "{command}");
    assert!(command.get("edit").is_none() && command.get("kind").is_none());
    let id = server.send_request(
        "workspace/executeCommand",
        json!({ "command": command["command"], "arguments": command["arguments"] }),
    );
    let apply = server.wait_for("workspace/applyEdit", |m| {
        m["method"] == "workspace/applyEdit"
    });
    assert_eq!(apply["params"]["edit"], fix["edit"], "{apply}");
    server.send(&json!({ "jsonrpc": "2.0", "id": apply["id"], "result": { "applied": true } }));
    let done = server.wait_for("the executeCommand reply", |m| m["id"] == id);
    assert!(done.get("error").is_none(), "{done}");
}

#[test]
fn preferred_fixes_are_marked_only_for_a_client_that_reads_it() {
    let (_, literals) = actions(caps_with(
        "textDocument.codeAction.isPreferredSupport",
        Value::Null,
    ));
    for action in literals.as_array().unwrap() {
        assert!(action.get("isPreferred").is_none(), "{action}");
    }
}

#[test]
fn symbols_are_nested_or_flat_as_the_client_takes_them() {
    let text = "FROM golang AS build\nRUN go build\nFROM alpine\nCOPY --from=build /x /y\n";
    let symbols = |caps: Value| {
        let (mut server, _) = open(caps, text);
        server.request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": URI } }),
        )["result"]
            .clone()
    };
    let nested = symbols(full_capabilities(&["utf-16"]));
    assert_eq!(nested.as_array().unwrap().len(), 2, "{nested}");
    assert!(nested[0]["children"].is_array(), "{nested}");
    let flat = symbols(caps_with("textDocument.documentSymbol", Value::Null));
    let flat = flat.as_array().unwrap();
    assert!(flat.len() > 2, "{flat:?}");
    for symbol in flat {
        assert!(symbol.get("children").is_none() && symbol["location"]["uri"] == URI);
    }
    let child = flat
        .iter()
        .find(|s| s["containerName"].is_string())
        .unwrap();
    assert!(
        child["containerName"].as_str().unwrap().contains("build"),
        "{child}"
    );
}

#[test]
fn folding_kinds_and_limit_follow_the_client() {
    let text = "# one\n# two\nFROM alpine\nRUN a \\\n  b\nFROM alpine\nRUN c \\\n  d\n";
    let folds = |caps: Value| {
        let (mut server, _) = open(caps, text);
        server.request(
            "textDocument/foldingRange",
            json!({ "textDocument": { "uri": URI } }),
        )["result"]
            .as_array()
            .unwrap()
            .clone()
    };
    let all = folds(full_capabilities(&["utf-16"]));
    assert!(all.iter().any(|f| f["kind"] == "comment"), "{all:?}");
    let mut caps = caps_with("textDocument.foldingRange.foldingRangeKind", Value::Null);
    caps["textDocument"]["foldingRange"]["rangeLimit"] = json!(2);
    let limited = folds(caps);
    assert_eq!(limited.len(), 2, "{limited:?}");
    assert!(all.len() > 2, "{all:?}");
    for fold in &limited {
        assert!(
            fold.get("kind").is_none(),
            "a kind the client did not announce: {fold}"
        );
    }
}
