//! Semantic tokens over LSP: the legend, full, delta after an edit (which
//! applied to the old data gives the new full data), and range.

mod common;

use common::lsp::Server;
use serde_json::{json, Value};

fn numbers(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect()
}

#[test]
fn semantic_tokens_full_delta_and_range() {
    let (mut server, init) = Server::initialized(&["utf-16"]);
    let provider = &init["capabilities"]["semanticTokensProvider"];
    assert_eq!(provider["full"]["delta"], true);
    assert_eq!(provider["range"], true);
    let types = provider["legend"]["tokenTypes"].as_array().unwrap();
    let keyword = types.iter().position(|t| t == "keyword").unwrap() as u64;

    let uri = "file:///tokens/Dockerfile";
    let text = "FROM node:22 AS build\nRUN npm ci\n\nFROM node:22-slim\nCOPY --from=build /app/dist ./dist\n";
    server.open(uri, 1, text);
    let full = server.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": uri } }),
    );
    let first = numbers(&full["result"]["data"]);
    assert_eq!(first.len() % 5, 0);
    // FROM at 0:0, four characters, a keyword
    assert_eq!(&first[..4], &[0, 0, 4, keyword]);
    let id = full["result"]["resultId"].as_str().unwrap().to_string();

    // rename the stage `build` -> `builder` in the FROM line
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 },
                "contentChanges": [{ "range": { "start": { "line": 0, "character": 21 }, "end": { "line": 0, "character": 21 } }, "text": "er" }] }),
    );
    let delta = server.request(
        "textDocument/semanticTokens/full/delta",
        json!({ "textDocument": { "uri": uri }, "previousResultId": id }),
    );
    let edits = delta["result"]["edits"].as_array().expect("a delta");
    assert_eq!(edits.len(), 1, "{delta}");
    let mut patched = first.clone();
    let start = edits[0]["start"].as_u64().unwrap() as usize;
    let count = edits[0]["deleteCount"].as_u64().unwrap() as usize;
    let inserted = edits[0].get("data").map(numbers).unwrap_or_default();
    patched.splice(start..start + count, inserted);
    let now = server.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(patched, numbers(&now["result"]["data"]));
    assert_ne!(patched, first);

    // an unknown previous id gets the whole set
    let unknown = server.request(
        "textDocument/semanticTokens/full/delta",
        json!({ "textDocument": { "uri": uri }, "previousResultId": "nope" }),
    );
    assert!(unknown["result"]["data"].is_array(), "{unknown}");

    // the last FROM line only
    let range = server.request(
        "textDocument/semanticTokens/range",
        json!({ "textDocument": { "uri": uri },
                "range": { "start": { "line": 3, "character": 0 }, "end": { "line": 4, "character": 0 } } }),
    );
    let data = numbers(&range["result"]["data"]);
    assert_eq!(&data[..4], &[3, 0, 4, keyword], "{data:?}");
    let lines: u64 = data.chunks(5).map(|t| t[0]).sum();
    assert_eq!(lines, 3, "all on line 3: {data:?}");
}
