//! The files around a Dockerfile (project file, `.dockerignore`, Compose
//! files, manifests) are read once per document, not on every edit, and
//! read again when they changed: a `workspace/didChangeWatchedFiles` for
//! the watchers the server registers with a client that supports it, a
//! save, or a different state on disk (checked by `stat`, no read).

mod common;

use common::lsp::{full_capabilities, Server};
use serde_json::{json, Value};

const TEXT: &str = "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n";

fn codes(found: &[Value]) -> Vec<String> {
    found
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// A project directory with only a Dockerfile, and its URI.
fn project(name: &str) -> (std::path::PathBuf, String) {
    let dir = common::temp_dir(name);
    let path = dir.join("Dockerfile");
    common::write(&path, TEXT.as_bytes());
    (dir, format!("file://{}", path.display()))
}

fn edit(server: &mut Server, uri: &str, version: i64) {
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [
            { "range": { "start": { "line": 4, "character": 0 }, "end": { "line": 4, "character": 0 } },
              "text": "# edited\n" }
        ] }),
    );
}

#[test]
fn a_watched_file_that_changes_is_read_again() {
    let (dir, uri) = project("lsp-files-watched");
    let mut caps = full_capabilities(&["utf-16"]);
    caps["workspace"]["didChangeWatchedFiles"] = json!({ "dynamicRegistration": true });
    let mut server = Server::start();
    server.initialize_as(caps, Value::Null, &[]);
    // the server asks to watch the files it reads
    let register = server.wait_for("client/registerCapability", |m| {
        m["method"] == "client/registerCapability"
    });
    let registration = &register["params"]["registrations"][0];
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = registration["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    for expected in [
        "**/.dockerignore",
        "**/package.json",
        "**/.dockerfile-lsp.toml",
    ] {
        assert!(
            globs.contains(&expected),
            "{expected} not watched: {globs:?}"
        );
    }
    server.send(&json!({ "jsonrpc": "2.0", "id": register["id"], "result": null }));
    server.open(&uri, 1, TEXT);
    assert!(codes(&server.diagnostics(&uri, 1)).contains(&"NoDockerignore".to_string()));
    common::write(&dir.join(".dockerignore"), b"node_modules\n.git\n");
    let ignore = format!("file://{}", dir.join(".dockerignore").display());
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": ignore, "type": 1 }] }),
    );
    let found = server.diagnostics(&uri, 1);
    assert!(
        !codes(&found).contains(&"NoDockerignore".to_string()),
        "{found:?}"
    );
}

#[test]
fn without_watchers_a_save_or_a_change_on_disk_reads_them_again() {
    let (dir, uri) = project("lsp-files-save");
    let (mut server, _) = Server::initialized(&["utf-16"]);
    server.open(&uri, 1, TEXT);
    assert!(codes(&server.diagnostics(&uri, 1)).contains(&"NoDockerignore".to_string()));
    // a save diagnoses again, with the files read again
    common::write(&dir.join(".dockerignore"), b"node_modules\n.git\n");
    server.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri } }),
    );
    let found = server.diagnostics(&uri, 1);
    assert!(
        !codes(&found).contains(&"NoDockerignore".to_string()),
        "{found:?}"
    );
    // a file that changed on disk (an edit the client applied for a code
    // action, another program) is seen at the next edit of the Dockerfile
    std::fs::remove_file(dir.join(".dockerignore")).unwrap();
    edit(&mut server, &uri, 2);
    assert!(codes(&server.diagnostics(&uri, 2)).contains(&"NoDockerignore".to_string()));
}
