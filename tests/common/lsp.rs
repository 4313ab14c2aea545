//! A real LSP client for end-to-end tests: it starts the server binary,
//! speaks JSON-RPC over its stdin/stdout with Content-Length framing, and
//! waits for the `initialize` reply before sending anything else.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const TIMEOUT: Duration = Duration::from_secs(20);

/// What VS Code announces (the parts the server reads), with these
/// position encodings.
pub fn full_capabilities(encodings: &[&str]) -> Value {
    json!({
        "general": { "positionEncodings": encodings },
        "workspace": { "workspaceEdit": {
            "documentChanges": true,
            "resourceOperations": ["create", "rename", "delete"]
        } },
        "textDocument": {
            "hover": { "contentFormat": ["markdown", "plaintext"] },
            "completion": { "completionItem": {
                "snippetSupport": true,
                "documentationFormat": ["markdown", "plaintext"],
                "insertReplaceSupport": true,
                "labelDetailsSupport": true,
                "deprecatedSupport": true,
                "tagSupport": { "valueSet": [1] },
                "resolveSupport": { "properties": ["documentation", "detail"] }
            } },
            "publishDiagnostics": {
                "relatedInformation": true,
                "codeDescriptionSupport": true,
                "dataSupport": true,
                "tagSupport": { "valueSet": [1, 2] }
            },
            "codeAction": {
                "disabledSupport": true,
                "isPreferredSupport": true,
                "dataSupport": true,
                "codeActionLiteralSupport": { "codeActionKind": { "valueSet": [
                    "", "quickfix", "refactor", "refactor.rewrite"
                ] } }
            },
            "documentSymbol": { "hierarchicalDocumentSymbolSupport": true },
            "foldingRange": { "lineFoldingOnly": true,
                "foldingRangeKind": { "valueSet": ["comment", "imports", "region"] } },
            "rename": { "prepareSupport": true }
        },
        "window": { "workDoneProgress": true }
    })
}

/// What a minimal client announces: nothing optional (plain text, no
/// snippets, no related information, commands only...).
pub fn bare_capabilities() -> Value {
    json!({})
}

pub struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Messages received while waiting for something else.
    backlog: VecDeque<Value>,
    next_id: i64,
}

impl Server {
    /// Starts the server (with its test hooks enabled).
    pub fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dockerfile-lsp"))
            .env("DOCKERFILE_LSP_TEST_HOOKS", "1")
            .env("DOCKERFILE_LSP_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server binary starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        Server {
            stdin: child.stdin.take(),
            child,
            incoming,
            backlog: VecDeque::new(),
            next_id: 1,
        }
    }

    /// Starts the server and initializes it, offering these position encodings.
    pub fn initialized(encodings: &[&str]) -> (Server, Value) {
        let mut server = Server::start();
        let result = server.initialize(encodings);
        (server, result)
    }

    pub fn initialize(&mut self, encodings: &[&str]) -> Value {
        self.initialize_with(encodings, Value::Null)
    }

    /// Initializes with these `initializationOptions` (the client's settings).
    pub fn initialize_with(&mut self, encodings: &[&str], options: Value) -> Value {
        self.initialize_in(encodings, options, &[])
    }

    /// Initializes with settings and these workspace folders (URIs), as a
    /// full-featured editor (VS Code's capabilities).
    pub fn initialize_in(
        &mut self,
        encodings: &[&str],
        options: Value,
        folders: &[String],
    ) -> Value {
        self.initialize_as(full_capabilities(encodings), options, folders)
    }

    /// Initializes announcing exactly these client capabilities.
    pub fn initialize_as(
        &mut self,
        capabilities: Value,
        options: Value,
        folders: &[String],
    ) -> Value {
        let folders: Vec<Value> = folders
            .iter()
            .map(|uri| json!({ "uri": uri, "name": uri.rsplit('/').next() }))
            .collect();
        let response = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "workspaceFolders": if folders.is_empty() { Value::Null } else { json!(folders) },
                "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        let result = response["result"].clone();
        assert!(result.is_object(), "initialize failed: {response}");
        self.notify("initialized", json!({}));
        result
    }

    pub fn send(&mut self, message: &Value) {
        let body = serde_json::to_string(message).unwrap();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.wait_for(&format!("the response to {method}"), |m| {
            m["id"] == json!(id) && m.get("method").is_none()
        })
    }

    /// Every message received and not yet asked for (emptying the backlog,
    /// so long sessions do not accumulate notifications).
    pub fn take_backlog(&mut self) -> Vec<Value> {
        while let Ok(message) = self.incoming.try_recv() {
            self.backlog.push_back(message);
        }
        self.backlog.drain(..).collect()
    }

    /// The server process's resident memory in KiB (VmRSS).
    pub fn resident_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server's /proc status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .expect("VmRSS in /proc status")
    }

    /// The next message (received now or earlier) that satisfies `wanted`.
    pub fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&wanted) {
            return self.backlog.remove(i).unwrap();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(message) if wanted(&message) => return message,
                Ok(message) => self.backlog.push_back(message),
                Err(RecvTimeoutError::Timeout) => panic!("timed out waiting for {what}"),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server exited while waiting for {what}")
                }
            }
        }
    }

    /// The `publishDiagnostics` notification for `uri` at `version`.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let message = self.wait_for(&format!("diagnostics of {uri} v{version}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        message["params"]["diagnostics"].as_array().unwrap().clone()
    }

    pub fn open(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "dockerfile", "version": version, "text": text } }),
        );
    }

    /// The server's text of an open document (`dockerfile-lsp/syntaxTree`).
    pub fn text(&mut self, uri: &str) -> (i64, String) {
        let response = self.request(
            "dockerfile-lsp/syntaxTree",
            json!({ "textDocument": { "uri": uri } }),
        );
        let result = &response["result"];
        assert!(result.is_object(), "syntaxTree failed: {response}");
        (
            result["version"].as_i64().unwrap(),
            result["text"].as_str().unwrap().to_string(),
        )
    }

    /// Shuts the server down and waits for it to exit; returns its exit code.
    pub fn shutdown(mut self) -> i32 {
        let response = self.request("shutdown", Value::Null);
        assert!(response.get("error").is_none(), "{response}");
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    /// Waits for the process to exit; returns its exit code.
    pub fn wait_exit(&mut self) -> i32 {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// Removes the `$0` cursor marker from a fixture and returns the text and
/// the marker's LSP position (UTF-16 character offset).
pub fn cursor(fixture: &str) -> (String, Value) {
    let at = fixture
        .find("$0")
        .expect("the fixture marks the cursor with $0");
    let text = format!("{}{}", &fixture[..at], &fixture[at + 2..]);
    let before = &fixture[..at];
    let line = before.matches('\n').count();
    let column: usize = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .map(char::len_utf16)
        .sum();
    (text, json!({ "line": line, "character": column }))
}

/// A fixture with a `$0` cursor and expected ranges marked `«...»`: the
/// clean text, the cursor's LSP position and the ranges (UTF-16).
pub fn marked(fixture: &str) -> (String, Value, Vec<Value>) {
    let mut text = String::new();
    let mut cursor_at = None;
    let mut starts = Vec::new();
    let mut ranges = Vec::new();
    let mut rest = fixture;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("$0") {
            cursor_at = Some(text.len());
            rest = &rest[2..];
            continue;
        }
        match c {
            '«' => starts.push(text.len()),
            '»' => ranges.push((starts.pop().expect("« before »"), text.len())),
            _ => text.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    let position = |byte: usize| {
        let before = &text[..byte];
        let line = before.matches('\n').count();
        let character: usize = before[before.rfind('\n').map_or(0, |i| i + 1)..]
            .chars()
            .map(char::len_utf16)
            .sum();
        json!({ "line": line, "character": character })
    };
    ranges.sort();
    let ranges = ranges
        .iter()
        .map(|&(a, b)| json!({ "start": position(a), "end": position(b) }))
        .collect();
    let cursor = position(cursor_at.expect("the fixture marks the cursor with $0"));
    (text, cursor, ranges)
}

/// Starts a server, opens the fixture (markers removed) at `uri` and waits
/// for its first diagnostics; returns the server, the text, the cursor and
/// the marked ranges.
pub fn open_fixture(uri: &str, fixture: &str) -> (Server, String, Value, Vec<Value>) {
    let (text, cursor, ranges) = marked(fixture);
    let (mut server, _) = Server::initialized(&["utf-16"]);
    server.open(uri, 1, &text);
    server.diagnostics(uri, 1);
    (server, text, cursor, ranges)
}

/// `TextDocumentPositionParams` for a cursor.
pub fn at(uri: &str, cursor: &Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": cursor })
}

/// Go to definition at `$0` lands on the one marked range, or nowhere when
/// none is marked.
pub fn check_definition(uri: &str, fixture: &str) {
    let (mut server, _, cursor, ranges) = open_fixture(uri, fixture);
    let reply = server.request("textDocument/definition", at(uri, &cursor));
    let result = &reply["result"];
    match ranges.as_slice() {
        [] => assert!(result.is_null(), "expected no definition: {reply}"),
        [expected] => {
            assert_eq!(result["uri"], uri, "{reply}");
            assert_eq!(&result["range"], expected, "{reply}");
        }
        _ => panic!("a definition fixture marks at most one range"),
    }
}
