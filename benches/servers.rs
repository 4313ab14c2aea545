//! Side-by-side latency and memory of Dockerfile language servers over
//! stdio, on generated Dockerfiles of 100, 1,000 and 10,000 stages.
//!
//! ```sh
//! cargo bench --bench servers                 # our server
//! cargo bench --bench servers -- --incumbent  # and dockerfile-language-server-nodejs
//! cargo bench --bench servers -- --sizes 1000 --iterations 50
//! cargo bench --bench servers -- --server /path/to/other/dockerfile-lsp
//! ```
//!
//! `--incumbent` installs the npm package `dockerfile-language-server-nodejs`
//! into `.tools/incumbent` (scripts/install-incumbent) unless it is there.
//! Each figure is the median and p95 of many iterations (fewer when one
//! takes seconds: a figure stops after its time budget with at least three
//! samples); peak memory is the process's VmHWM. Ratios are incumbent / ours.

use std::collections::HashMap;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use dockerfile_lsp::document::position::{self, Encoding};
use serde_json::{json, Value};

const URI: &str = "file:///bench/Dockerfile";

#[path = "support/generated.rs"]
mod support;
use support::generated;

#[path = "../tests/common/lsp.rs"]
mod lsp;
use lsp::read_message;

/// A language server process and a JSON-RPC client for it.
struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// The last publishDiagnostics per uri seen while waiting.
    published: HashMap<String, Value>,
    /// Whether the server's diagnostics carry no document version.
    unversioned: bool,
}

impl Client {
    fn start(command: &[String]) -> Client {
        let mut child = Command::new(&command[0])
            .args(&command[1..])
            .env("DOCKERFILE_LSP_LOG", "error")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(m) = read_message(&mut reader) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
        Client {
            stdin: child.stdin.take().unwrap(),
            child,
            incoming,
            next_id: 1,
            published: HashMap::new(),
            unversioned: false,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Waits for a message matching `wanted`, answering the server's own
    /// requests (configuration, registrations) on the way.
    fn wait(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message = self
                .incoming
                .recv_timeout(Duration::from_secs(600))
                .unwrap_or_else(|_| panic!("no {what} within 600 s"));
            if message.get("method").is_some() && message.get("id").is_some() {
                let result = if message["method"] == "workspace/configuration" {
                    let n = message["params"]["items"].as_array().map_or(1, Vec::len);
                    Value::Array(vec![Value::Null; n])
                } else {
                    Value::Null
                };
                let id = message["id"].clone();
                self.send(json!({ "jsonrpc": "2.0", "id": id, "result": result }));
                continue;
            }
            if message["method"] == "textDocument/publishDiagnostics" {
                let uri = message["params"]["uri"].as_str().unwrap_or("").to_string();
                self.published.insert(uri, message.clone());
            }
            if wanted(&message) {
                return message;
            }
        }
    }

    /// A didChange replacing `delete` characters at `at` with `insert`.
    fn change(&mut self, version: i64, at: &Value, delete: u64, insert: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": URI, "version": version },
                    "contentChanges": [{ "range": { "start": at, "end": shifted(at, delete) },
                                         "text": insert }] }),
        );
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.wait(method, |m| m["id"] == id && m.get("method").is_none())
    }

    fn initialize(&mut self) -> Value {
        let capabilities = json!({
            "general": { "positionEncodings": ["utf-16"] },
            "textDocument": {
                "publishDiagnostics": { "versionSupport": true },
                "hover": { "contentFormat": ["markdown", "plaintext"] },
                "completion": { "completionItem": { "snippetSupport": true } },
                "semanticTokens": {
                    "requests": { "full": { "delta": true }, "range": true },
                    "tokenTypes": [], "tokenModifiers": [], "formats": ["relative"]
                },
                "documentSymbol": { "hierarchicalDocumentSymbolSupport": true }
            },
            "workspace": { "configuration": true }
        });
        let response = self.request(
            "initialize",
            json!({ "processId": std::process::id(), "rootUri": null, "capabilities": capabilities }),
        );
        self.notify("initialized", json!({}));
        response
    }

    /// Waits for the diagnostics that follow a change: of `version` when
    /// the server says which version they are for, else the next ones.
    fn diagnostics_after(&mut self, version: i64) {
        self.published.remove(URI);
        let message = self.wait("diagnostics", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == URI
                && (m["params"]["version"].is_null() || m["params"]["version"] == version)
        });
        if message["params"]["version"].is_null() {
            self.unversioned = true;
        }
    }

    /// Before timing the next change to a server whose diagnostics carry no
    /// version: lets late publications of earlier changes arrive (until
    /// 100 ms pass without one), so they are not taken for the next one's.
    fn settle(&mut self) {
        if !self.unversioned {
            return;
        }
        while let Ok(message) = self.incoming.recv_timeout(Duration::from_millis(100)) {
            if message.get("method").is_some() && message.get("id").is_some() {
                let id = message["id"].clone();
                self.send(json!({ "jsonrpc": "2.0", "id": id, "result": null }));
            }
        }
    }

    /// Peak resident memory (VmHWM), in MiB, of the process and its
    /// children (node runs the incumbent under a wrapper on some setups).
    fn peak_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    }

    fn stop(mut self) {
        let _ = self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
    }
}

/// Samples of one figure, in milliseconds.
#[derive(Default)]
struct Samples(Vec<f64>);

impl Samples {
    fn quantile(&self, q: f64) -> f64 {
        let mut v = self.0.clone();
        if v.is_empty() {
            return f64::NAN;
        }
        v.sort_by(|a, b| a.total_cmp(b));
        v[((v.len() - 1) as f64 * q).round() as usize]
    }
}

/// Runs `work` up to `iterations` times, or until `budget` is spent once
/// three samples are in.
fn measure(iterations: usize, budget: Duration, mut work: impl FnMut() -> Duration) -> Samples {
    let started = Instant::now();
    let mut samples = Samples::default();
    for _ in 0..iterations {
        samples.0.push(work().as_secs_f64() * 1000.0);
        if samples.0.len() >= 3 && started.elapsed() > budget {
            break;
        }
    }
    samples
}

/// The LSP position (UTF-16) `offset` bytes into the first occurrence of
/// `needle` (a needle ending in a newline must end a line).
fn position_of(text: &str, needle: &str, offset: usize) -> Value {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in the file"));
    let rope = ropey::Rope::from_str(text);
    let pos = position::to_position(&rope, at + offset, Encoding::Utf16);
    json!({ "line": pos.line, "character": pos.character })
}

/// `at` moved right by `n` characters.
fn shifted(at: &Value, n: u64) -> Value {
    let mut moved = at.clone();
    moved["character"] = json!(at["character"].as_u64().unwrap() + n);
    moved
}

/// Times edits that type an `x` at `at` and take it out again, each to its
/// diagnostics; leaves the document as it found it.
fn time_toggling(
    client: &mut Client,
    version: &mut i64,
    at: &Value,
    iterations: usize,
    budget: Duration,
) -> Samples {
    let mut typed = false;
    let samples = measure(iterations, budget, || {
        *version += 1;
        client.settle();
        let t = Instant::now();
        if typed {
            client.change(*version, at, 1, "");
        } else {
            client.change(*version, at, 0, "x");
        }
        client.diagnostics_after(*version);
        typed = !typed;
        t.elapsed()
    });
    if typed {
        *version += 1;
        client.change(*version, at, 1, "");
        client.diagnostics_after(*version);
    }
    samples
}

/// Every figure for one server on one file.
fn run(
    command: &[String],
    stages: usize,
    iterations: usize,
    budget: Duration,
) -> Vec<(String, Samples)> {
    let text = generated(stages);
    let mut figures = Vec::new();

    figures.push((
        "initialize".to_string(),
        measure(iterations.min(20), budget, || {
            let mut client = Client::start(command);
            let t = Instant::now();
            client.initialize();
            let took = t.elapsed();
            client.stop();
            took
        }),
    ));

    let mut client = Client::start(command);
    let init = client.initialize();
    let semantic = init["result"]["capabilities"]["semanticTokensProvider"].clone();
    let mut version = 1;
    let open = measure(iterations.min(10), budget, || {
        version += 1;
        client.settle();
        let t = Instant::now();
        client.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": URI, "languageId": "dockerfile", "version": version, "text": text } }),
        );
        client.diagnostics_after(version);
        let took = t.elapsed();
        client.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": URI } }),
        );
        took
    });
    figures.push(("didOpen to diagnostics".into(), open));
    version += 1;
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "dockerfile", "version": version, "text": text } }),
    );
    client.diagnostics_after(version);

    // Typing inside a RUN line in the middle (a character in, then out).
    let middle = stages / 2;
    let run_at = position_of(&text, &format!("echo building stage {middle} "), 5);
    let edit = time_toggling(&mut client, &mut version, &run_at, iterations, budget);
    figures.push(("edit RUN to diagnostics".into(), edit));

    // Typing: five characters 100 ms apart, then the time from the last
    // keystroke to its diagnostics (a server that finishes each superseded
    // version first is slow here).
    let burst = measure(iterations.min(20), budget, || {
        client.settle();
        let mut t = Instant::now();
        for k in 0..5u64 {
            if k > 0 {
                std::thread::sleep(Duration::from_millis(100));
            }
            t = Instant::now();
            version += 1;
            client.change(version, &shifted(&run_at, k), 0, "x");
        }
        client.diagnostics_after(version);
        let took = t.elapsed();
        // take the five characters out again (not timed)
        version += 1;
        client.change(version, &run_at, 5, "");
        client.diagnostics_after(version);
        took
    });
    figures.push(("typing, last of 5 keys to diagnostics".into(), burst));

    // Renaming a stage others refer to, one character at a time
    // (`stage{middle}` -> `stage{middle}x` -> back).
    let name_at = position_of(
        &text,
        &format!("AS stage{middle}\n"),
        3 + format!("stage{middle}").len(),
    );
    let rename = time_toggling(&mut client, &mut version, &name_at, iterations, budget);
    figures.push(("edit stage name to diagnostics".into(), rename));

    let doc = json!({ "uri": URI });
    let from_ref = position_of(&text, &format!("--from=stage{}", middle / 2), 9);
    let stage_name = position_of(&text, &format!("AS stage{middle}\n"), 4);
    let completion_at = position_of(&text, &format!("--from=stage{}", middle / 2), 7);
    let last_line = text.lines().count();
    let requests: Vec<(&str, &str, Value)> = vec![
        (
            "hover",
            "textDocument/hover",
            json!({ "textDocument": doc, "position": stage_name }),
        ),
        (
            "definition",
            "textDocument/definition",
            json!({ "textDocument": doc, "position": from_ref }),
        ),
        (
            "references",
            "textDocument/references",
            json!({ "textDocument": doc, "position": stage_name, "context": { "includeDeclaration": true } }),
        ),
        (
            "completion after --from=",
            "textDocument/completion",
            json!({ "textDocument": doc, "position": completion_at }),
        ),
        (
            "documentSymbol",
            "textDocument/documentSymbol",
            json!({ "textDocument": doc }),
        ),
        (
            "foldingRange",
            "textDocument/foldingRange",
            json!({ "textDocument": doc }),
        ),
        (
            "semanticTokens full",
            "textDocument/semanticTokens/full",
            json!({ "textDocument": doc }),
        ),
        (
            "semanticTokens range",
            "textDocument/semanticTokens/range",
            json!({ "textDocument": doc, "range": {
                "start": { "line": last_line / 2, "character": 0 },
                "end": { "line": last_line / 2 + 60, "character": 0 } } }),
        ),
    ];
    for (name, method, params) in requests {
        if method.contains("semanticTokens") && semantic.is_null() {
            figures.push((format!("{name} (not provided)"), Samples::default()));
            continue;
        }
        let mut failed = None;
        let samples = measure(iterations, budget, || {
            let t = Instant::now();
            let response = client.request(method, params.clone());
            if let Some(e) = response.get("error") {
                failed = Some(e.clone());
            }
            t.elapsed()
        });
        match failed {
            Some(e) => figures.push((
                format!("{name} (error {})", e["message"]),
                Samples::default(),
            )),
            None => figures.push((name.to_string(), samples)),
        }
    }
    let peak = client.peak_mib();
    figures.push(("peak memory (MiB)".into(), Samples(vec![peak])));
    client.stop();
    figures
}

fn incumbent() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin: PathBuf = root.join(
        ".tools/incumbent/node_modules/dockerfile-language-server-nodejs/bin/docker-langserver",
    );
    if !bin.exists() {
        let status = Command::new(root.join("scripts/install-incumbent"))
            .status()
            .expect("scripts/install-incumbent runs");
        assert!(status.success(), "installing the incumbent failed");
    }
    vec!["node".into(), bin.display().to_string(), "--stdio".into()]
}

fn ours() -> Vec<String> {
    // The release binary beside this bench (cargo bench builds it).
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let bin = dir.join("dockerfile-lsp");
    assert!(
        bin.exists(),
        "{} is missing: cargo build --release",
        bin.display()
    );
    vec![bin.display().to_string()]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let with_incumbent = args.iter().any(|a| a == "--incumbent");
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let sizes: Vec<usize> = value("--sizes")
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100, 1000, 10000]);
    let iterations: usize = value("--iterations")
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    let budget = Duration::from_secs(value("--budget").and_then(|n| n.parse().ok()).unwrap_or(20));

    // `--server PATH`: another build of ours (to compare two versions).
    let ours = value("--server").map_or_else(ours, |path| vec![path]);
    let theirs = with_incumbent.then(incumbent);
    for stages in sizes {
        let lines = generated(stages).lines().count();
        println!("\n## {stages} stages, {lines} lines\n");
        let mine = run(&ours, stages, iterations, budget);
        let other = theirs
            .as_ref()
            .map(|cmd| run(cmd, stages, iterations, budget));
        if other.is_some() {
            println!("| figure | ours median | ours p95 | incumbent median | incumbent p95 | ratio (median) |");
            println!("| --- | ---: | ---: | ---: | ---: | ---: |");
        } else {
            println!("| figure | median | p95 | samples |");
            println!("| --- | ---: | ---: | ---: |");
        }
        for (i, (name, samples)) in mine.iter().enumerate() {
            let (m, p) = (samples.quantile(0.5), samples.quantile(0.95));
            match &other {
                Some(other) => {
                    let (oname, os) = &other[i];
                    let (om, op) = (os.quantile(0.5), os.quantile(0.95));
                    let label = if oname == name {
                        name.clone()
                    } else {
                        format!("{name} / {oname}")
                    };
                    println!(
                        "| {label} | {m:.2} | {p:.2} | {om:.2} | {op:.2} | {:.0}x |",
                        om / m
                    );
                }
                None => println!("| {name} | {m:.2} | {p:.2} | {} |", samples.0.len()),
            }
        }
    }
}
