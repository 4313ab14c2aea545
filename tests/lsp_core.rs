//! End-to-end: the server binary over stdio, driven by a real JSON-RPC client.

mod common;

use common::lsp::{cursor, Server};
use serde_json::{json, Value};

#[test]
fn initialize_advertises_incremental_sync_and_negotiates_the_encoding() {
    let (server, result) = Server::initialized(&["utf-16", "utf-8"]);
    let caps = &result["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-8");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    assert_eq!(result["serverInfo"]["name"], "dockerfile-lsp");
    for feature in [
        "definitionProvider",
        "referencesProvider",
        "documentHighlightProvider",
        "documentSymbolProvider",
        "foldingRangeProvider",
    ] {
        assert_eq!(caps[feature], true, "{feature}");
    }
    assert_eq!(caps["renameProvider"]["prepareProvider"], true);
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix", "refactor.rewrite"])
    );
    assert_eq!(caps["hoverProvider"], true);
    assert!(caps["completionProvider"]["triggerCharacters"]
        .as_array()
        .unwrap()
        .contains(&json!("=")));
    assert_eq!(server.shutdown(), 0);

    let (_, result) = Server::initialized(&[]);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
}

#[test]
fn did_open_publishes_versioned_diagnostics() {
    let (mut server, _) = Server::initialized(&["utf-16"]);
    server.open("file:///bad/Dockerfile", 3, "FROM alpine:3.20\nFOO bar\n");
    let found = server.diagnostics("file:///bad/Dockerfile", 3);
    assert_eq!(found.len(), 1, "{found:?}");
    let d = &found[0];
    assert_eq!(d["code"], "SyntaxError");
    assert_eq!(d["source"], "dockerfile-lsp");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["message"], "unknown instruction `FOO`");
    assert_eq!(
        d["range"],
        json!({ "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 3 } })
    );

    server.open("file:///good/Dockerfile", 1, "FROM alpine:3.20\n");
    assert!(server.diagnostics("file:///good/Dockerfile", 1).is_empty());
}

#[test]
fn an_edit_at_the_cursor_updates_the_diagnostics() {
    let (mut server, _) = Server::initialized(&["utf-16"]);
    let (text, at) = cursor("FROM alpine:3.20\nFOO$0 echo hi\n");
    server.open("file:///a/Dockerfile", 1, &text);
    assert_eq!(server.diagnostics("file:///a/Dockerfile", 1).len(), 1);
    let start = json!({ "line": at["line"], "character": at["character"].as_i64().unwrap() - 3 });
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": "file:///a/Dockerfile", "version": 2 },
            "contentChanges": [{ "range": { "start": start, "end": at }, "text": "RUN" }],
        }),
    );
    assert!(server.diagnostics("file:///a/Dockerfile", 2).is_empty());
    assert_eq!(
        server.text("file:///a/Dockerfile"),
        (2, "FROM alpine:3.20\nRUN echo hi\n".to_string())
    );
}

#[test]
fn did_close_clears_diagnostics() {
    let (mut server, _) = Server::initialized(&["utf-16"]);
    server.open("file:///c/Dockerfile", 1, "FOO\n");
    assert_eq!(server.diagnostics("file:///c/Dockerfile", 1).len(), 1);
    server.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": "file:///c/Dockerfile" } }),
    );
    let cleared = server.wait_for("cleared diagnostics", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == "file:///c/Dockerfile"
            && m["params"]["diagnostics"] == json!([])
    });
    assert!(cleared["params"].get("version").is_none_or(Value::is_null));
}

/// xorshift64*: deterministic, so a failure replays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
    }
}

const SNIPPETS: &[&str] = &[
    "",
    "x",
    " ",
    "\n",
    "\r\n",
    "\\\n",
    "é",
    "𝄞",
    "中文",
    "😀\n",
    "RUN ",
    "FROM a AS b\n",
    "<<EOF\n",
    "EOF\n",
    "\"",
    "[\"a\"]",
    "${A:-b}",
    "# c\n",
    "\t",
    "COPY --from=b / /\n",
];

/// The LSP position of a byte offset: lines end at \n, \r\n or \r;
/// characters are counted in the given encoding.
fn lsp_position(text: &str, byte: usize, encoding: &str) -> Value {
    let before = &text[..byte];
    let mut line = 0;
    let mut line_start = 0;
    let bytes = before.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => {
                line += 1;
                line_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let character: usize = match encoding {
        "utf-8" => before.len() - line_start,
        _ => before[line_start..].chars().map(char::len_utf16).sum(),
    };
    json!({ "line": line, "character": character })
}

/// A char boundary at or before `byte` that LSP can address (not between
/// the \r and \n of a CRLF).
fn addressable(text: &str, mut byte: usize) -> usize {
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    if byte > 0 && text.as_bytes()[byte - 1] == b'\r' && text.as_bytes().get(byte) == Some(&b'\n') {
        byte -= 1;
    }
    byte
}

fn sync_stays_exact(encoding: &str, seed: u64) {
    let (mut server, result) = Server::initialized(&[encoding]);
    assert_eq!(result["capabilities"]["positionEncoding"], encoding);
    let uri = "file:///sync/Dockerfile";
    let mut text = String::from(
        "# syntax=docker/dockerfile:1\nFROM node:20 AS deps\r\nRUN echo é𝄞 \\\n  && npm ci\nCOPY . .\n",
    );
    let mut version = 1;
    server.open(uri, version, &text);
    let mut rng = Rng(seed);
    let mut edits = 0;
    while edits < 500 {
        let mut changes = Vec::new();
        for _ in 0..1 + rng.below(6) {
            let start = addressable(&text, rng.below(text.len() + 1));
            let end = addressable(&text, (start + rng.below(8)).min(text.len())).max(start);
            let insert = SNIPPETS[rng.below(SNIPPETS.len())];
            changes.push(json!({
                "range": { "start": lsp_position(&text, start, encoding), "end": lsp_position(&text, end, encoding) },
                "text": insert,
            }));
            text.replace_range(start..end, insert);
            edits += 1;
        }
        version += 1 + rng.below(2) as i64; // versions may skip
        server.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
        );
    }
    assert_eq!(
        server.text(uri),
        (version, text.clone()),
        "the server's text differs"
    );
    let incremental = server.diagnostics(uri, version);
    server.open("file:///sync/fresh/Dockerfile", 1, &text);
    let fresh = server.diagnostics("file:///sync/fresh/Dockerfile", 1);
    assert_eq!(incremental, fresh);
}

#[test]
fn sync_stays_exact_under_random_edits_in_utf16() {
    sync_stays_exact("utf-16", 0x1234_5678_9ABC_DEF1);
}

#[test]
fn sync_stays_exact_under_random_edits_in_utf8() {
    sync_stays_exact("utf-8", 0x0FED_CBA9_8765_4321);
}
