//! Side-by-side latency and memory of Dockerfile language servers over
//! stdio, on generated Dockerfiles of 100, 1,000 and 10,000 stages.
//!
//! ```sh
//! cargo bench --bench servers                 # our server
//! cargo bench --bench servers -- --incumbent  # and dockerfile-language-server-nodejs
//! cargo bench --bench servers -- --sizes 1000 --iterations 50
//! cargo bench --bench servers -- --server /path/to/other/dockerfile-lsp
//! cargo bench --bench servers -- --ignore-versions   # match ours as if it sent no versions
//! cargo bench --bench servers -- --memory-phases     # resident and peak memory after each phase
//! ```
//!
//! `--incumbent` installs the npm package `dockerfile-language-server-nodejs`
//! into `.tools/incumbent` (scripts/install-incumbent) unless it is there.
//! Each figure is the median and p95 of many iterations (fewer when one
//! takes seconds: a figure stops after its time budget, `--budget`, with at
//! least three samples); peak memory is the process's VmHWM. Ratios are
//! incumbent / ours. A request not answered within `--limit` seconds
//! (default 120: the incumbent's semantic tokens are quadratic) is shown as
//! `>limit`, and the server is started again for the figures after it.
//!
//! # Which publication answers an edit
//!
//! A figure "to diagnostics" runs from sending the change to the arrival of
//! the publication computed from the text the change produced. Arrivals
//! are stamped by the thread that reads the server's output, so the time
//! the bench spends looking at other messages is not counted.
//!
//! A server that gives each publication the document's version (ours: the
//! bench announces `versionSupport`) is matched on the version. A server
//! that publishes without a version (the incumbent) cannot be matched that
//! way: a publication for an earlier key, arriving late, would be taken
//! for the last key's (the typing figure read 0.06 ms so). It is matched
//! on what it publishes:
//!
//! - Calibration, before any timed figure: each text the figures produce
//!   (the file; one to five `x` typed into the middle RUN line; the middle
//!   stage renamed `stage{n}x`) is reached one change at a time, and after
//!   each change the bench waits until the server has published and then
//!   been quiet for max(1 s, 3 x the time it took to publish); the last
//!   publication is that text's diagnostics.
//! - By content, when the final text's diagnostics differ from those of
//!   every earlier text the server may still be publishing for: the figure
//!   ends at the first publication, arrived after the change, with the
//!   final text's diagnostics. The stage-name edit is timed so (the renamed
//!   stage's references become unknown, and known again), as is didOpen
//!   (after a didClose, whose publication is empty).
//! - By quiet, when they are the same (typing in a RUN line changes no
//!   diagnostic, so content cannot tell the last key's publication from a
//!   late one for an earlier key): the bench waits until no publication
//!   has arrived for a quiet window, and the figure ends at the arrival of
//!   the last publication (the window itself is not counted). The window
//!   is max(200 ms, 2 x the slowest edit seen in calibration): a server
//!   working through queued versions one at a time publishes at most about
//!   one edit's time apart. The RUN edit and typing figures are timed so.
//!
//! `--ignore-versions` matches our server by content and quiet too: its
//! figures should then agree with those matched on versions, which checks
//! the method on a server whose versions say the truth. Versioned
//! publications are checked against the calibrated diagnostics as well;
//! a difference is reported after the figures.

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use dockerfile_lsp::document::position::{self, Encoding};
use serde_json::{json, Value};

const URI: &str = "file:///bench/Dockerfile";

/// How long any wait for diagnostics may take before the bench gives up.
const GIVE_UP: Duration = Duration::from_secs(600);

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
    /// The server's messages, each with the time it was read.
    incoming: Receiver<(Instant, Value)>,
    next_id: i64,
    /// Whether diagnostics are matched on the version they carry; decided
    /// at the first publication (see the module doc).
    versioned: Option<bool>,
    /// Never match on versions (`--ignore-versions`).
    ignore_versions: bool,
    /// The slowest edit to its diagnostics seen in calibration.
    slowest: Duration,
    /// Versioned publications whose diagnostics were not the calibrated ones.
    mismatches: usize,
    /// The last wait ended with the server quiet, and nothing was sent
    /// since: [`Client::settle`] need not wait again.
    quiet_now: bool,
}

/// The diagnostics of a publication for the bench's document, in a form
/// that compares equal exactly when they are the same diagnostics.
fn published(message: &Value) -> Option<String> {
    if message["method"] != "textDocument/publishDiagnostics" || message["params"]["uri"] != URI {
        return None;
    }
    let mut items: Vec<String> = message["params"]["diagnostics"]
        .as_array()
        .map(|all| all.iter().map(canonical).collect())
        .unwrap_or_default();
    items.sort();
    Some(items.join("\n"))
}

/// JSON text with the keys of every object in order.
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&map[k])))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

impl Client {
    fn start(command: &[String], ignore_versions: bool) -> Client {
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
                if tx.send((Instant::now(), m)).is_err() {
                    break;
                }
            }
        });
        Client {
            stdin: child.stdin.take().unwrap(),
            child,
            incoming,
            next_id: 1,
            versioned: None,
            ignore_versions,
            slowest: Duration::ZERO,
            mismatches: 0,
            quiet_now: false,
        }
    }

    fn send(&mut self, message: Value) {
        self.quiet_now = false;
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends a notification; returns when it was sent.
    fn notify(&mut self, method: &str, params: Value) -> Instant {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
        Instant::now()
    }

    /// The next message that is not a request of the server's own
    /// (configuration, registrations: answered on the way), or `None` at
    /// `deadline`.
    fn next_until(&mut self, deadline: Instant) -> Option<(Instant, Value)> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (at, message) = match self.incoming.recv_timeout(left) {
                Ok(received) => received,
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
            };
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
            return Some((at, message));
        }
    }

    /// The first message matching `wanted`, with its arrival, or `None` at
    /// `deadline`.
    fn wait_until(
        &mut self,
        deadline: Instant,
        wanted: impl Fn(&Value) -> bool,
    ) -> Option<(Instant, Value)> {
        loop {
            let (at, message) = self.next_until(deadline)?;
            if wanted(&message) {
                return Some((at, message));
            }
        }
    }

    /// A didChange replacing `delete` characters at `at` with `insert`;
    /// returns when it was sent.
    fn change(&mut self, version: i64, at: &Value, delete: u64, insert: &str) -> Instant {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": URI, "version": version },
                    "contentChanges": [{ "range": { "start": at, "end": shifted(at, delete) },
                                         "text": insert }] }),
        )
    }

    fn open(&mut self, version: i64, text: &str) -> Instant {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": URI, "languageId": "dockerfile", "version": version, "text": text } }),
        )
    }

    /// The response to a request, or `None` if none came within `limit`.
    fn request_within(&mut self, method: &str, params: Value, limit: Duration) -> Option<Value> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.wait_until(Instant::now() + limit, |m| {
            m["id"] == id && m.get("method").is_none()
        })
        .map(|(_, response)| response)
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.request_within(method, params, GIVE_UP)
            .unwrap_or_else(|| panic!("no answer to {method} within {GIVE_UP:?}"))
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

    /// The publication for `version` (a versioned server), with its arrival
    /// and diagnostics.
    fn versioned_publication(&mut self, version: i64) -> (Instant, String) {
        let (at, message) = self
            .wait_until(Instant::now() + GIVE_UP, |m| {
                published(m).is_some() && m["params"]["version"] == version
            })
            .unwrap_or_else(|| panic!("no diagnostics for version {version} within {GIVE_UP:?}"));
        (at, published(&message).unwrap())
    }

    /// Calibration (see the module doc): the diagnostics of the text
    /// `version` (sent at `sent`) produced. The first call decides whether
    /// the server is matched on versions. `edit`: count the time it took
    /// into [`Client::quiet`].
    fn calibrate(&mut self, version: i64, sent: Instant, edit: bool) -> String {
        let first = match self.versioned {
            Some(true) => {
                let (at, found) = self.versioned_publication(version);
                self.calibrated(edit, at - sent);
                return found;
            }
            Some(false) => None,
            None => {
                let (at, first) = self
                    .wait_until(sent + GIVE_UP, |m| published(m).is_some())
                    .expect("no diagnostics after the first didOpen");
                let versioned = !self.ignore_versions && first["params"]["version"] == version;
                self.versioned = Some(versioned);
                let found = published(&first).unwrap();
                if versioned {
                    self.calibrated(edit, at - sent);
                    return found;
                }
                Some((at, found))
            }
        };
        // without versions: the last publication before the server is quiet
        let mut first_at = first.as_ref().map(|(at, _)| *at);
        let mut last = first;
        loop {
            let deadline = match (&last, first_at) {
                (Some((at, _)), Some(first)) => {
                    *at + ((first - sent) * 3).max(Duration::from_secs(1))
                }
                _ => sent + GIVE_UP,
            };
            match self.next_until(deadline) {
                Some((at, message)) if at >= sent => {
                    if let Some(found) = published(&message) {
                        first_at.get_or_insert(at);
                        last = Some((at, found));
                    }
                }
                Some(_) => {}
                None => break,
            }
        }
        self.quiet_now = true;
        let (_, found) = last.unwrap_or_else(|| panic!("no diagnostics within {GIVE_UP:?}"));
        if let Some(first) = first_at {
            self.calibrated(edit, first - sent);
        }
        found
    }

    /// Counts an edit's time to its diagnostics into [`Client::quiet`].
    fn calibrated(&mut self, edit: bool, took: Duration) {
        if edit {
            self.slowest = self.slowest.max(took);
        }
    }

    /// The quiet window for servers without versions (see the module doc).
    fn quiet(&self) -> Duration {
        (self.slowest * 2).max(Duration::from_millis(200))
    }

    /// The time from `sent` to the diagnostics of the text the change of
    /// `version` produced: `expected`, where the server may still publish
    /// for earlier texts whose diagnostics are `earlier` (module doc).
    fn diagnostics_after(
        &mut self,
        version: i64,
        sent: Instant,
        expected: &str,
        earlier: &[&str],
    ) -> Duration {
        if self.versioned == Some(true) {
            let (at, found) = self.versioned_publication(version);
            if found != expected {
                self.mismatches += 1;
            }
            return at - sent;
        }
        if !earlier.contains(&expected) {
            loop {
                let (at, message) = self
                    .next_until(sent + GIVE_UP)
                    .unwrap_or_else(|| panic!("not the expected diagnostics within {GIVE_UP:?}"));
                if at >= sent && published(&message).as_deref() == Some(expected) {
                    return at - sent;
                }
            }
        }
        let quiet = self.quiet();
        let mut last: Option<Instant> = None;
        loop {
            let deadline = last.map_or(sent + GIVE_UP, |at| at + quiet);
            match self.next_until(deadline) {
                Some((at, message)) if at >= sent => {
                    if let Some(found) = published(&message) {
                        // a publication of other diagnostics after a
                        // matching one: that one was not the last
                        last = (found == expected).then_some(at);
                    }
                }
                Some(_) => {}
                None => match last {
                    Some(at) => {
                        self.quiet_now = true;
                        return at - sent;
                    }
                    None => panic!("not the expected diagnostics within {GIVE_UP:?}"),
                },
            }
        }
    }

    /// Takes what the server sent and has not been looked at, waiting for
    /// quiet first when the server is matched without versions (unless the
    /// last wait ended so, and nothing was sent since).
    fn settle(&mut self) {
        let quiet = if self.versioned == Some(true) || self.quiet_now {
            Duration::ZERO
        } else {
            self.quiet()
        };
        while self.next_until(Instant::now() + quiet).is_some() {}
        self.quiet_now = self.versioned != Some(true);
    }

    /// Peak resident memory (VmHWM), in MiB, of the server process.
    fn peak_mib(&self) -> f64 {
        self.status_mib("VmHWM:")
    }

    /// A memory figure of the server process's `/proc/PID/status`, in MiB.
    fn status_mib(&self, field: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    }

    /// With `--memory-phases`: the resident and peak memory now, after `phase`.
    fn phase(&self, phases: &mut Vec<String>, phase: &str) {
        phases.push(format!(
            "| {phase} | {:.1} | {:.1} |",
            self.status_mib("VmRSS:"),
            self.peak_mib()
        ));
    }

    fn stop(mut self) {
        let _ = self.request_within("shutdown", Value::Null, Duration::from_secs(5));
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        self.kill();
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Samples of one figure, in milliseconds.
#[derive(Default)]
struct Samples {
    ms: Vec<f64>,
    /// No answer within this many milliseconds.
    over: Option<f64>,
}

impl Samples {
    fn of(ms: Vec<f64>) -> Samples {
        Samples { ms, over: None }
    }

    fn quantile(&self, q: f64) -> f64 {
        let mut v = self.ms.clone();
        if v.is_empty() {
            return f64::NAN;
        }
        v.sort_by(|a, b| a.total_cmp(b));
        v[((v.len() - 1) as f64 * q).round() as usize]
    }

    fn show(&self, q: f64) -> String {
        match self.over {
            Some(limit) => format!(">{limit:.0}"),
            None => format!("{:.2}", self.quantile(q)),
        }
    }
}

/// Runs `work` up to `iterations` times, or until `budget` is spent once
/// three samples are in.
fn measure(iterations: usize, budget: Duration, mut work: impl FnMut() -> Duration) -> Samples {
    let started = Instant::now();
    let mut samples = Samples::default();
    for _ in 0..iterations {
        samples.ms.push(work().as_secs_f64() * 1000.0);
        if samples.ms.len() >= 3 && started.elapsed() > budget {
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
/// diagnostics (`[without, with]` the `x`, from calibration); leaves the
/// document as it found it.
fn time_toggling(
    client: &mut Client,
    version: &mut i64,
    at: &Value,
    diagnostics: [&str; 2],
    iterations: usize,
    budget: Duration,
) -> Samples {
    let [without, with] = diagnostics;
    let mut typed = false;
    let samples = measure(iterations, budget, || {
        *version += 1;
        client.settle();
        let took = if typed {
            let sent = client.change(*version, at, 1, "");
            client.diagnostics_after(*version, sent, without, &[with])
        } else {
            let sent = client.change(*version, at, 0, "x");
            client.diagnostics_after(*version, sent, with, &[without])
        };
        typed = !typed;
        took
    });
    if typed {
        *version += 1;
        let sent = client.change(*version, at, 1, "");
        client.diagnostics_after(*version, sent, without, &[with]);
    }
    samples
}

/// What calibration found: the diagnostics of each text the figures produce.
struct Calibrated {
    /// The generated file.
    file: String,
    /// With 1 to 5 `x` typed into the middle RUN line (`run[k - 1]`).
    run: Vec<String>,
    /// With the middle stage renamed.
    renamed: String,
}

/// Opens the file in a server started afresh and waits for its diagnostics.
fn start_open(
    command: &[String],
    ignore_versions: bool,
    text: &str,
    version: &mut i64,
) -> (Client, Value, String) {
    let mut client = Client::start(command, ignore_versions);
    let init = client.initialize();
    *version += 1;
    let sent = client.open(*version, text);
    let found = client.calibrate(*version, sent, false);
    (client, init, found)
}

/// What [`run`] found for one server on one file.
struct Run {
    figures: Vec<(String, Samples)>,
    /// How its diagnostics were matched.
    matched: String,
    /// Table rows: the resident and peak memory after each phase.
    phases: Vec<String>,
}

/// Every figure for one server on one file.
fn run(command: &[String], stages: usize, options: &Options) -> Run {
    let Options {
        iterations,
        budget,
        limit,
        ignore_versions,
    } = *options;
    let mut phases = Vec::new();
    let text = generated(stages);
    let mut figures = Vec::new();

    figures.push((
        "initialize".to_string(),
        measure(iterations.min(20), budget, || {
            let mut client = Client::start(command, ignore_versions);
            let t = Instant::now();
            client.initialize();
            let took = t.elapsed();
            client.stop();
            took
        }),
    ));

    let mut version = 1;
    let (mut client, init, file) = start_open(command, ignore_versions, &text, &mut version);
    client.phase(&mut phases, "initialize, didOpen, diagnostics");
    let semantic = init["result"]["capabilities"]["semanticTokensProvider"].clone();

    // Calibration: the diagnostics of every text the edits produce.
    let middle = stages / 2;
    let run_at = position_of(&text, &format!("echo building stage {middle} "), 5);
    let name_at = position_of(
        &text,
        &format!("AS stage{middle}\n"),
        3 + format!("stage{middle}").len(),
    );
    let mut run_texts = Vec::new();
    for k in 0..5u64 {
        version += 1;
        let sent = client.change(version, &shifted(&run_at, k), 0, "x");
        run_texts.push(client.calibrate(version, sent, true));
    }
    version += 1;
    let sent = client.change(version, &run_at, 5, "");
    let back = client.calibrate(version, sent, true);
    assert_eq!(back, file, "typing and deleting changed the diagnostics");
    version += 1;
    let sent = client.change(version, &name_at, 0, "x");
    let renamed = client.calibrate(version, sent, true);
    version += 1;
    let sent = client.change(version, &name_at, 1, "");
    let back = client.calibrate(version, sent, true);
    assert_eq!(back, file, "renaming and back changed the diagnostics");
    let calibrated = Calibrated {
        file,
        run: run_texts,
        renamed,
    };
    let file = calibrated.file.as_str();
    client.phase(&mut phases, "calibration (8 edits)");
    let matched = if client.versioned == Some(true) {
        "matched on versions".to_string()
    } else {
        format!(
            "matched on content and quiet (window {:.0} ms; diagnostics: {} in the file, {} renamed, RUN edits {})",
            client.quiet().as_secs_f64() * 1000.0,
            calibrated.file.lines().filter(|l| !l.is_empty()).count(),
            calibrated.renamed.lines().filter(|l| !l.is_empty()).count(),
            if calibrated.run.iter().all(|r| r == file) {
                "change none"
            } else {
                "change some"
            }
        )
    };

    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": URI } }),
    );
    client.settle();
    let open = measure(iterations.min(10), budget, || {
        version += 1;
        client.settle();
        let sent = client.open(version, &text);
        // after a didClose, whose publication is empty
        let took = client.diagnostics_after(version, sent, file, &[""]);
        client.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": URI } }),
        );
        took
    });
    figures.push(("didOpen to diagnostics".into(), open));
    client.phase(&mut phases, "didOpen to diagnostics, didClose (timed loop)");
    client.settle();
    version += 1;
    let sent = client.open(version, &text);
    client.diagnostics_after(version, sent, file, &[""]);

    // Typing inside a RUN line in the middle (a character in, then out).
    let edit = time_toggling(
        &mut client,
        &mut version,
        &run_at,
        [file, &calibrated.run[0]],
        iterations,
        budget,
    );
    client.phase(&mut phases, "edit RUN to diagnostics");
    figures.push(("edit RUN to diagnostics".into(), edit));

    // Typing: five characters 100 ms apart, then the time from the last
    // keystroke to its diagnostics (a server that finishes each superseded
    // version first is slow here).
    let burst = measure(iterations.min(20), budget, || {
        client.settle();
        let mut sent = Instant::now();
        for k in 0..5u64 {
            if k > 0 {
                std::thread::sleep(Duration::from_millis(100));
            }
            version += 1;
            sent = client.change(version, &shifted(&run_at, k), 0, "x");
        }
        let mut earlier: Vec<&str> = vec![file];
        earlier.extend(calibrated.run[..4].iter().map(String::as_str));
        let took = client.diagnostics_after(version, sent, &calibrated.run[4], &earlier);
        // take the five characters out again (not timed)
        version += 1;
        let sent = client.change(version, &run_at, 5, "");
        client.diagnostics_after(version, sent, file, &[&calibrated.run[4]]);
        took
    });
    client.phase(&mut phases, "typing, last of 5 keys to diagnostics");
    figures.push(("typing, last of 5 keys to diagnostics".into(), burst));

    // Renaming a stage others refer to, one character at a time
    // (`stage{middle}` -> `stage{middle}x` -> back).
    let rename = time_toggling(
        &mut client,
        &mut version,
        &name_at,
        [file, &calibrated.renamed],
        iterations,
        budget,
    );
    client.phase(&mut phases, "edit stage name to diagnostics");
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
    // the peak over this process and any killed for a request too slow
    let mut peak = f64::NAN;
    for (name, method, params) in requests {
        if method.contains("semanticTokens") && semantic.is_null() {
            figures.push((format!("{name} (not provided)"), Samples::default()));
            continue;
        }
        let mut failed = None;
        let mut timed_out = false;
        let samples = measure(iterations, budget, || {
            if timed_out {
                return Duration::ZERO;
            }
            let t = Instant::now();
            match client.request_within(method, params.clone(), limit) {
                Some(response) => {
                    if let Some(e) = response.get("error") {
                        failed = Some(e.clone());
                    }
                }
                None => timed_out = true,
            }
            t.elapsed()
        });
        if timed_out {
            figures.push((
                name.to_string(),
                Samples {
                    ms: Vec::new(),
                    over: Some(limit.as_secs_f64() * 1000.0),
                },
            ));
            // still working on it: a fresh process for the next figures
            peak = peak.max(client.peak_mib());
            let (fresh, _, found) = start_open(command, ignore_versions, &text, &mut version);
            let slowest = client.slowest;
            client.kill();
            client = fresh;
            client.slowest = slowest;
            assert_eq!(found, file, "the same file, other diagnostics");
            continue;
        }
        match failed {
            Some(e) => figures.push((
                format!("{name} (error {})", e["message"]),
                Samples::default(),
            )),
            None => figures.push((name.to_string(), samples)),
        }
        client.phase(&mut phases, name);
    }
    peak = peak.max(client.peak_mib());
    figures.push(("peak memory (MiB)".into(), Samples::of(vec![peak])));
    if client.mismatches > 0 {
        eprintln!(
            "{} versioned publications had other diagnostics than calibration found",
            client.mismatches
        );
    }
    client.stop();
    Run {
        figures,
        matched,
        phases,
    }
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

#[derive(Clone, Copy)]
struct Options {
    iterations: usize,
    budget: Duration,
    /// The longest a request may take.
    limit: Duration,
    /// Match our server's diagnostics as if they had no version.
    ignore_versions: bool,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let with_incumbent = args.iter().any(|a| a == "--incumbent");
    let memory_phases = args.iter().any(|a| a == "--memory-phases");
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let sizes: Vec<usize> = value("--sizes")
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100, 1000, 10000]);
    let seconds = |flag: &str, default: u64| {
        Duration::from_secs(value(flag).and_then(|n| n.parse().ok()).unwrap_or(default))
    };
    let options = Options {
        iterations: value("--iterations")
            .and_then(|n| n.parse().ok())
            .unwrap_or(100),
        budget: seconds("--budget", 20),
        limit: seconds("--limit", 120),
        ignore_versions: args.iter().any(|a| a == "--ignore-versions"),
    };

    // `--server PATH`: another build of ours (to compare two versions).
    let ours = value("--server").map_or_else(ours, |path| vec![path]);
    let theirs = with_incumbent.then(incumbent);
    for stages in sizes {
        let lines = generated(stages).lines().count();
        println!("\n## {stages} stages, {lines} lines\n");
        let mine = run(&ours, stages, &options);
        let other = theirs.as_ref().map(|cmd| {
            run(
                cmd,
                stages,
                &Options {
                    ignore_versions: false,
                    ..options
                },
            )
        });
        if other.is_some() {
            println!("| figure | ours median | ours p95 | incumbent median | incumbent p95 | ratio (median) |");
            println!("| --- | ---: | ---: | ---: | ---: | ---: |");
        } else {
            println!("| figure | median | p95 | samples |");
            println!("| --- | ---: | ---: | ---: |");
        }
        for (i, (name, samples)) in mine.figures.iter().enumerate() {
            let (m, p) = (samples.show(0.5), samples.show(0.95));
            match &other {
                Some(other) => {
                    let (oname, os) = &other.figures[i];
                    let (om, op) = (os.show(0.5), os.show(0.95));
                    let label = if oname == name {
                        name.clone()
                    } else {
                        format!("{name} / {oname}")
                    };
                    let ratio = match os.over {
                        Some(limit) => format!(">{:.0}x", limit / samples.quantile(0.5)),
                        None => format!("{:.0}x", os.quantile(0.5) / samples.quantile(0.5)),
                    };
                    println!("| {label} | {m} | {p} | {om} | {op} | {ratio} |");
                }
                None => println!("| {name} | {m} | {p} | {} |", samples.ms.len()),
            }
        }
        match &other {
            Some(other) => println!(
                "\nDiagnostics: ours {}; incumbent {}.",
                mine.matched, other.matched
            ),
            None => println!("\nDiagnostics: {}.", mine.matched),
        }
        if memory_phases {
            for (who, result) in
                std::iter::once(("ours", &mine)).chain(other.iter().map(|o| ("incumbent", o)))
            {
                println!("\nMemory of {who} after each phase:\n");
                println!("| after | VmRSS (MiB) | VmHWM (MiB) |");
                println!("| --- | ---: | ---: |");
                for row in &result.phases {
                    println!("{row}");
                }
            }
        }
    }
}
