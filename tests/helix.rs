//! Helix end to end: the real Helix 25.07.1 in `../shared/tools/helix`,
//! driven in tmux the way a person types, with `editors/helix/languages.toml`
//! and the steps of `editors/helix/README.md` run in a temporary HOME (XDG
//! config, cache and data there too; `../shared` is only read). The server
//! is the binary cargo built, first on PATH.
//!
//! Checked: the grammar builds under the name `dockerfile` and replaces
//! Helix's own, `hx --health` finds the server, parser and queries, every
//! Dockerfile name is detected (`:lang`), our queries colour the buffer,
//! diagnostics reach the picker, hover on a stage, go to definition from
//! `--from=build`, rename of a stage, a quick fix applied, typing a fix
//! clears a diagnostic, and `:q!` exits cleanly with nothing in Helix's log
//! (it logs every stderr line of the server as an error) and the server gone.
//!
//! Without `../shared/tools/helix` or tmux the test fails and says why:
//! `scripts/install/helix.sh` installs tmux.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use toml::Value;

/// How long one step may take: Helix, tmux and the server react in well
/// under a second; this only bounds a broken run.
const STEP: Duration = Duration::from_secs(15);
/// The first diagnostics also wait for the server to start.
const START: Duration = Duration::from_secs(30);
const WIDTH: usize = 160;
const HEIGHT: usize = 45;

/// Every file name `:lang` must call dockerfile.
const NAMES: &[&str] = &[
    "Dockerfile",
    "Containerfile",
    "dockerfile",
    "containerfile",
    "Dockerfile.dev",
    "Containerfile.prod",
    "app.Dockerfile",
    "app.dockerfile",
    "app.Containerfile",
    "app.containerfile",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn config() -> Value {
    let path = root().join("editors/helix/languages.toml");
    let text = std::fs::read_to_string(&path).expect("editors/helix/languages.toml");
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `../shared/tools/helix`: `hx` and its runtime.
fn helix_dir() -> PathBuf {
    let dir = root().join("../shared/tools/helix");
    assert!(
        dir.join("hx").is_file() && dir.join("runtime/queries").is_dir(),
        "Helix is missing: the test needs {}/hx and its runtime/ (the shared material beside \
         the project, see ../shared/tools/helix/README.md)",
        dir.display()
    );
    dir.canonicalize().unwrap()
}

fn require_tmux() {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "tmux is not installed: run scripts/install/helix.sh (it installs the Debian package \
         tmux), which the Helix test drives Helix in"
    );
}

fn sh_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// Removes terminal escape sequences (`hx --health` colours its output).
fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// One row of `capture-pane -e`: each character with its foreground colour
/// (the SGR parameters that set it, e.g. "91", or "" for the default).
fn colours(row: &str) -> Vec<(char, String)> {
    let mut out = Vec::new();
    let mut fg = String::new();
    let mut chars = row.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push((c, fg.clone()));
            continue;
        }
        if chars.peek() != Some(&'[') {
            continue;
        }
        chars.next();
        let mut params = String::new();
        let mut end = ' ';
        for c in chars.by_ref() {
            if c.is_ascii_alphabetic() {
                end = c;
                break;
            }
            params.push(c);
        }
        if end != 'm' {
            continue;
        }
        let params: Vec<&str> = params.split([';', ':']).collect();
        let mut i = 0;
        while i < params.len() {
            match params[i] {
                "" | "0" | "39" => fg.clear(),
                p @ ("30" | "31" | "32" | "33" | "34" | "35" | "36" | "37" | "90" | "91" | "92"
                | "93" | "94" | "95" | "96" | "97") => fg = p.to_string(),
                p @ ("38" | "48") => {
                    let len = match params.get(i + 1) {
                        Some(&"5") => 2,
                        Some(&"2") => 4,
                        _ => 0,
                    };
                    if p == "38" {
                        fg = params[i..(i + 1 + len).min(params.len())].join(";");
                    }
                    i += len;
                }
                _ => {}
            }
            i += 1;
        }
    }
    out
}

/// The foreground colour of `word`'s first character where it first occurs
/// in `row` at or after `from` characters.
fn colour_of(row: &[(char, String)], word: &str, from: usize) -> Option<String> {
    let text: Vec<char> = row.iter().map(|(c, _)| *c).collect();
    let word: Vec<char> = word.chars().collect();
    (from..text.len().saturating_sub(word.len() - 1))
        .find(|&i| text[i..i + word.len()] == word[..])
        .map(|i| row[i].1.clone())
}

/// A captured screen: HEIGHT rows; the status line is the second to last,
/// the message/prompt line the last.
struct Screen(Vec<String>);

impl Screen {
    fn text(&self) -> String {
        self.0.join("\n")
    }
    fn has(&self, needle: &str) -> bool {
        self.0.iter().any(|row| row.contains(needle))
    }
    fn status(&self) -> &str {
        &self.0[HEIGHT - 2]
    }
    fn message(&self) -> &str {
        self.0[HEIGHT - 1].trim()
    }
    fn mode(&self) -> &str {
        self.status().split_whitespace().next().unwrap_or("")
    }
    /// The cursor's line and column as the status line shows them.
    fn cursor(&self) -> Option<(usize, usize)> {
        let last = self.status().split_whitespace().last()?;
        let (line, col) = last.split_once(':')?;
        Some((line.parse().ok()?, col.parse().ok()?))
    }
}

/// A command's answer on the message line (not the prompt being typed).
fn answered(screen: &Screen) -> bool {
    let message = screen.message();
    !message.is_empty() && !message.starts_with(':')
}

/// Everything Helix reads and writes, in one temporary folder.
struct Sandbox {
    dir: PathBuf,
    home: PathBuf,
    helix_config: PathBuf,
    work: PathBuf,
    path: String,
    runtime: PathBuf,
    hx: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        let helix = helix_dir();
        let dir = common::temp_dir(name).canonicalize().unwrap();
        let home = dir.join("home");
        let helix_config = home.join(".config/helix");
        let work = dir.join("work");
        let bin = dir.join("bin");
        for d in [
            &helix_config,
            &work,
            &bin,
            &home.join(".cache"),
            &home.join(".local/share"),
        ] {
            std::fs::create_dir_all(d).unwrap();
        }
        // `hx` on PATH as the README's steps call it.
        std::os::unix::fs::symlink(helix.join("hx"), bin.join("hx")).unwrap();
        let server = Path::new(env!("CARGO_BIN_EXE_dockerfile-lsp"));
        let path = format!(
            "{}:{}:{}",
            server.parent().unwrap().display(),
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        Sandbox {
            dir,
            home,
            helix_config,
            work,
            path,
            runtime: helix.join("runtime"),
            hx: helix.join("hx"),
        }
    }

    /// The environment Helix runs in: (name, Some(value)) to set, None to unset.
    fn env(&self) -> Vec<(&'static str, Option<String>)> {
        let s = |p: PathBuf| Some(p.display().to_string());
        vec![
            ("HOME", s(self.home.clone())),
            ("XDG_CONFIG_HOME", s(self.home.join(".config"))),
            ("XDG_CACHE_HOME", s(self.home.join(".cache"))),
            ("XDG_DATA_HOME", s(self.home.join(".local/share"))),
            ("HELIX_RUNTIME", s(self.runtime.clone())),
            ("PATH", Some(self.path.clone())),
            // the server's default log level, and the same colours everywhere
            ("DOCKERFILE_LSP_LOG", None),
            ("RUST_LOG", None),
            ("COLORTERM", None),
            ("NO_COLOR", None),
            // cargo sets it for tests; Helix then puts `$CARGO_MANIFEST_DIR/../runtime`
            // first among its runtime folders and builds grammars there
            ("CARGO_MANIFEST_DIR", None),
        ]
    }

    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        for (name, value) in self.env() {
            match value {
                Some(v) => cmd.env(name, v),
                None => cmd.env_remove(name),
            };
        }
        cmd
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.home.join(".cache/helix/helix.log")).unwrap_or_default()
    }
}

/// Our languages.toml as the README says to merge it: the grammar path made
/// absolute. Only our grammar is built (the others would need a fetch).
fn write_languages_toml(sandbox: &Sandbox) {
    let mut config = config();
    for grammar in config["grammar"].as_array_mut().unwrap() {
        if grammar["name"].as_str() == Some("dockerfile") {
            grammar["source"]["path"] = Value::String(root().join("grammar").display().to_string());
        }
    }
    let table = config.as_table_mut().unwrap();
    let mut only = toml::Table::new();
    only.insert(
        "only".into(),
        Value::Array(vec![Value::String("dockerfile".into())]),
    );
    table.insert("use-grammars".into(), Value::Table(only));
    std::fs::write(
        sandbox.helix_config.join("languages.toml"),
        toml::to_string(&config).unwrap(),
    )
    .unwrap();
    // A theme with one colour per capture the test looks at.
    std::fs::write(
        sandbox.helix_config.join("config.toml"),
        "theme = \"dockerfile-lsp-test\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(sandbox.helix_config.join("themes")).unwrap();
    std::fs::write(
        sandbox.helix_config.join("themes/dockerfile-lsp-test.toml"),
        "inherits = \"base16_default\"\n\
         \"keyword\" = \"light-red\"\n\
         \"label\" = \"light-green\"\n\
         \"attribute\" = \"light-yellow\"\n",
    )
    .unwrap();
}

/// The first ```sh block of editors/helix/README.md: the install steps.
fn readme_steps() -> String {
    let readme = common::read(&root().join("editors/helix/README.md"));
    let start = readme
        .find("```sh\n")
        .expect("a ```sh block in editors/helix/README.md")
        + 6;
    let len = readme[start..].find("```").unwrap();
    readme[start..start + len]
        .lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n")
}

fn output_text(out: &Output) -> String {
    format!(
        "status {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A tmux server of our own (its own socket), killed when dropped.
struct Tmux {
    socket: String,
    /// The socket's file, removed with the server.
    socket_path: Option<PathBuf>,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .env("TERM", "xterm-256color")
            .output()
            .expect("tmux runs")
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
        if let Some(path) = &self.socket_path {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Helix running in tmux.
struct Helix<'a> {
    tmux: Tmux,
    sandbox: &'a Sandbox,
    exit_status: PathBuf,
}

impl<'a> Helix<'a> {
    fn start(sandbox: &'a Sandbox, file: &str) -> Helix<'a> {
        let exit_status = sandbox.dir.join("hx-exit-status");
        let mut script = format!("cd {}\n", sh_quote(&sandbox.work));
        for (name, value) in sandbox.env() {
            match value {
                Some(v) => script += &format!("export {name}={}\n", sh_quote(Path::new(&v))),
                None => script += &format!("unset {name}\n"),
            }
        }
        script += &format!(
            "{} -v {file}\necho $? > {}\n",
            sh_quote(&sandbox.hx),
            sh_quote(&exit_status)
        );
        // -v: the log holds every message, so it shows when `exit` was sent.
        let script_path = sandbox.dir.join("run-hx.sh");
        std::fs::write(&script_path, script).unwrap();
        let mut tmux = Tmux {
            socket: format!("dockerfile-lsp-helix-{}", std::process::id()),
            socket_path: None,
        };
        let (w, h) = (WIDTH.to_string(), HEIGHT.to_string());
        let command = format!("sh {}", sh_quote(&script_path));
        let out = tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "hx",
            "-x",
            &w,
            "-y",
            &h,
            &command,
        ]);
        assert!(
            out.status.success(),
            "tmux new-session: {}",
            output_text(&out)
        );
        let out = tmux.run(&["display-message", "-p", "#{socket_path}"]);
        let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
        tmux.socket_path = (out.status.success() && !path.is_empty()).then(|| PathBuf::from(path));
        Helix {
            tmux,
            sandbox,
            exit_status,
        }
    }

    fn capture(&self, escapes: bool) -> Option<Vec<String>> {
        let mut args = vec!["capture-pane", "-p", "-t", "hx"];
        if escapes {
            args.push("-e");
        }
        let out = self.tmux.run(&args);
        if !out.status.success() {
            return None;
        }
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut rows: Vec<String> = text
            .strip_suffix('\n')?
            .split('\n')
            .map(String::from)
            .collect();
        if rows.len() > HEIGHT {
            return None;
        }
        rows.resize(HEIGHT, String::new());
        Some(rows)
    }

    fn screen(&self) -> Screen {
        Screen(
            self.capture(false)
                .unwrap_or_else(|| vec![String::new(); HEIGHT]),
        )
    }

    /// Key names as tmux knows them ("Space", "Enter", "Escape", "C-u", "g").
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "hx"];
        args.extend_from_slice(keys);
        let out = self.tmux.run(&args);
        assert!(
            out.status.success(),
            "tmux send-keys {keys:?}: {}",
            output_text(&out)
        );
    }

    /// Text typed as is.
    fn type_text(&self, text: &str) {
        let out = self.tmux.run(&["send-keys", "-t", "hx", "-l", text]);
        assert!(
            out.status.success(),
            "tmux send-keys -l {text:?}: {}",
            output_text(&out)
        );
    }

    /// A command line command, e.g. `lang` for `:lang`.
    /// Typed, then Enter once the prompt shows it (keys typed ahead of a
    /// command Helix is still completing, such as `:open`, can lose their
    /// effect).
    fn command(&self, command: &str) {
        let prompt = format!(":{command}");
        self.type_text(&prompt);
        self.wait(&format!("the prompt {prompt}"), STEP, |s| {
            s.message().starts_with(&prompt)
        });
        self.keys(&["Enter"]);
    }

    /// `:lang`'s answer, the language of the buffer (`name`). Asked a second
    /// time if no answer shows: this is Helix's alone, the server plays no
    /// part, and once in many runs the answer did not show.
    fn language(&self, name: &str) -> String {
        for attempt in 1..=2 {
            self.command("lang");
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                let screen = self.screen();
                if answered(&screen) {
                    return screen.message().to_string();
                }
                std::thread::sleep(Duration::from_millis(40));
            }
            eprintln!(
                "Helix: no answer to :lang in {name} (attempt {attempt}). Screen:\n{}",
                self.screen().text()
            );
        }
        panic!(
            "Helix: no answer to :lang in {name}. helix.log:\n{}",
            self.sandbox.log()
        );
    }

    /// Polls the screen until `done` holds; fails after `timeout` with the
    /// screen and Helix's log.
    fn wait(&self, what: &str, timeout: Duration, done: impl Fn(&Screen) -> bool) -> Screen {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!(
                    "Helix: timed out ({timeout:?}) waiting for {what}. Screen:\n{}\n\nhelix.log:\n{}",
                    screen.text(),
                    self.sandbox.log()
                );
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    fn wait_cursor_line(&self, line: usize) -> Screen {
        self.wait(&format!("the cursor on line {line}"), STEP, |s| {
            s.cursor().is_some_and(|(l, _)| l == line)
        })
    }

    /// Quits with `:q!` and waits for hx to exit; its exit status.
    fn quit(&self) -> String {
        self.command("q!");
        let deadline = Instant::now() + STEP;
        loop {
            if let Ok(status) = std::fs::read_to_string(&self.exit_status) {
                if !status.is_empty() {
                    return status.trim().to_string();
                }
            }
            if Instant::now() > deadline {
                panic!(
                    "Helix did not exit after :q!. Screen:\n{}\n\nhelix.log:\n{}",
                    self.screen().text(),
                    self.sandbox.log()
                );
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    }
}

/// One record of Helix's log: level, target, text (continuation lines
/// included).
fn log_records(log: &str) -> Vec<(String, String, String)> {
    let mut records: Vec<(String, String, String)> = Vec::new();
    for line in log.lines() {
        // `2026-12-01T21:30:32.526 helix_lsp::transport [ERROR] text`
        let b = line.as_bytes();
        let starts = b.len() > 24 && b[4] == b'-' && b[10] == b'T';
        let parsed = starts
            .then(|| {
                let (_, rest) = line.split_once(' ')?;
                let (target, rest) = rest.split_once(" [")?;
                let (level, text) = rest.split_once("] ")?;
                Some((level.to_string(), target.to_string(), text.to_string()))
            })
            .flatten();
        match (parsed, records.last_mut()) {
            (Some(record), _) => records.push(record),
            (None, Some(last)) => {
                last.2.push('\n');
                last.2.push_str(line);
            }
            (None, None) => records.push((String::new(), String::new(), line.to_string())),
        }
    }
    records
}

/// Helix's log holds no warning or error, and no line of the server's
/// stderr (Helix logs those as errors), with one exception: on `:q!` Helix
/// sends `shutdown` and `exit` back to back and does not wait: it kills the
/// server (SIGKILL, when it drops the process) within milliseconds, and its
/// stream readers then log, racily, that the server's streams closed (or
/// ended mid-message, when the kill lands mid-write). Those records, after
/// `exit` was sent, are Helix's own and tolerated.
fn check_log(log: &str) -> Result<(), String> {
    let records = log_records(log);
    let exit = "dockerfile-lsp -> {\"jsonrpc\":\"2.0\",\"method\":\"exit\"";
    let Some(exit_sent) = records.iter().position(|r| r.2.starts_with(exit)) else {
        return Err(format!(
            "Helix's log does not show `exit` sent to the server:\n{log}"
        ));
    };
    let mut problems = Vec::new();
    for (i, (level, target, text)) in records.iter().enumerate() {
        let helix_exit_noise = i > exit_sent
            && level == "ERROR"
            && target == "helix_lsp::transport"
            && (text == "dockerfile-lsp err: <- StreamClosed"
                || text.starts_with("Could not close request on a closed channel (id=")
                || (text.starts_with("Exiting dockerfile-lsp after unexpected error: IO(")
                    && text.contains("UnexpectedEof"))
                || text.starts_with("err: <- Other(failed to send a message to server"));
        if text.starts_with("dockerfile-lsp err <- ") {
            problems.push(format!("the server wrote to stderr: {text}"));
        } else if i > exit_sent && text.starts_with("dockerfile-lsp <- ServerError(-32800)") {
            problems.push(format!(
                "the server answered a request (`shutdown`, sent with `exit` right after it) \
                 with an error: {text}"
            ));
        } else if (level == "ERROR" || level == "WARN") && !helix_exit_noise {
            problems.push(format!("{level} {target}: {text}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "Helix's log has {} problem(s):\n{}",
            problems.len(),
            problems.join("\n")
        ))
    }
}

/// Pids of our server binary running in `dir`.
fn servers_in(dir: &Path) -> Vec<u32> {
    let binary = Path::new(env!("CARGO_BIN_EXE_dockerfile-lsp"))
        .canonicalize()
        .unwrap();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let proc = PathBuf::from(format!("/proc/{pid}"));
            std::fs::read_link(proc.join("exe")).is_ok_and(|exe| exe == binary)
                && std::fs::read_link(proc.join("cwd")).is_ok_and(|cwd| cwd == dir)
        })
        .collect()
}

#[test]
fn helix_detects_highlights_and_uses_the_server() {
    require_tmux();
    let sandbox = Sandbox::new("helix-e2e");
    write_languages_toml(&sandbox);

    // The README's steps, as written, from the repository root.
    let steps = readme_steps();
    let out = sandbox
        .command("bash")
        .args(["-euo", "pipefail", "-c", &steps])
        .current_dir(root())
        .output()
        .expect("bash runs");
    let report = output_text(&out);
    assert!(
        out.status.success(),
        "the README's steps failed:\n{steps}\n{report}"
    );
    assert!(
        !report.contains("Failure")
            && (report.contains("built now") || report.contains("already built")),
        "hx --grammar build did not build our grammar:\n{report}"
    );
    let built = sandbox.helix_config.join("runtime/grammars/dockerfile.so");
    let library =
        std::fs::read(&built).unwrap_or_else(|e| panic!("{}: {e}\n{report}", built.display()));
    // Our grammar's own node names are in it (Helix's grammar of that name
    // has no `end_of_flags`): our [[grammar]] replaced Helix's.
    assert!(
        library.windows(12).any(|w| w == b"end_of_flags"),
        "{} is not built from grammar/",
        built.display()
    );

    // Helix finds the server (the binary cargo built), parser and queries.
    let out = sandbox
        .command(&sandbox.hx)
        .args(["--health", "dockerfile"])
        .current_dir(&sandbox.work)
        .output()
        .expect("hx --health runs");
    let health = strip_ansi(&String::from_utf8_lossy(&out.stdout));
    let server = Path::new(env!("CARGO_BIN_EXE_dockerfile-lsp"));
    for line in [
        format!("dockerfile-lsp: {}", server.display()),
        "Tree-sitter parser: ✓".to_string(),
        "Highlight queries: ✓".to_string(),
    ] {
        assert!(
            health.contains(&line),
            "hx --health dockerfile lacks {line:?}:\n{health}"
        );
    }

    // The document, a .dockerignore (so the only diagnostics are the
    // fixture's own) and one small file per name.
    std::fs::copy(
        root().join("tests/helix/Dockerfile"),
        sandbox.work.join("Dockerfile"),
    )
    .unwrap();
    std::fs::write(sandbox.work.join(".dockerignore"), "node_modules\n").unwrap();
    for name in NAMES[1..].iter().chain(&["notes"]) {
        std::fs::write(sandbox.work.join(name), "FROM alpine:3.20\n").unwrap();
    }

    let hx = Helix::start(&sandbox, "Dockerfile");
    hx.wait("the first diagnostics", START, |s| {
        s.has("unknown instruction `CMND`") && s.has("casing do not match")
    });

    // Highlighting from our grammar and queries: keywords, the stage name
    // (`@label`, from our highlights.scm only) and a flag name.
    let rows = hx.capture(true).expect("capture-pane -e");
    let row = |needle: &str| {
        let plain = |r: &String| colours(r).iter().map(|(c, _)| *c).collect::<String>();
        rows.iter()
            .find(|r| plain(r).contains(needle))
            .map(|r| colours(r))
            .unwrap_or_else(|| panic!("no row with {needle:?}: {rows:#?}"))
    };
    let stage = row("FROM node:22 AS build");
    let keyword = colour_of(&stage, "FROM", 0);
    assert_eq!(
        keyword.as_deref(),
        Some("91"),
        "FROM is coloured as @keyword: {stage:?}"
    );
    assert_eq!(
        colour_of(&stage, "AS", 8).as_deref(),
        Some("91"),
        "AS: {stage:?}"
    );
    assert_eq!(
        colour_of(&stage, "build", 0).as_deref(),
        Some("92"),
        "the stage name is @label: {stage:?}"
    );
    let copy = row("COPY --from=deps");
    assert_eq!(
        colour_of(&copy, "COPY", 0).as_deref(),
        Some("91"),
        "COPY: {copy:?}"
    );
    assert_eq!(
        colour_of(&copy, "from", 0).as_deref(),
        Some("93"),
        "the flag name is @attribute: {copy:?}"
    );

    // Diagnostics in the picker.
    hx.keys(&["Space", "d"]);
    hx.wait("the diagnostics picker", STEP, |s| {
        s.has("SyntaxError") && s.has("FromAsCasing") && s.has("DL3045") && s.has("dockerfile-lsp")
    });
    hx.keys(&["Escape"]);
    hx.wait("the picker to close", STEP, |s| !s.has("SyntaxError"));

    // Hover on the stage named in `--from=build`.
    hx.type_text("/=build");
    hx.keys(&["Enter"]);
    hx.wait_cursor_line(11);
    hx.keys(&["Space", "k"]);
    hx.wait("the hover on stage build", STEP, |s| {
        s.has("Used by: runner")
    });
    hx.keys(&["Escape"]);
    hx.wait("the hover to close", STEP, |s| !s.has("Used by: runner"));

    // Go to definition: to `FROM node:22 AS build`, on `build`.
    hx.keys(&["g", "d"]);
    let screen = hx.wait_cursor_line(6);
    assert_eq!(screen.cursor(), Some((6, 17)), "{}", screen.text());

    // Rename the stage there: the definition and the reference change.
    hx.keys(&["Space", "r"]);
    hx.wait("the rename prompt", STEP, |s| {
        s.message().starts_with("rename-to:")
    });
    hx.keys(&["C-u"]);
    hx.type_text("compile");
    hx.wait("the new name typed", STEP, |s| {
        s.message() == "rename-to:compile"
    });
    hx.keys(&["Enter"]);
    let screen = hx.wait("the rename", STEP, |s| {
        s.has("FROM node:22 AS compile") && s.has("COPY --from=compile /app/dist")
    });
    assert!(
        !screen.has("build /app/dist") && screen.has("COPY --from=deps"),
        "{}",
        screen.text()
    );

    // A quick fix: `as` written `AS`.
    hx.keys(&["2", "g", "g"]);
    hx.wait_cursor_line(2);
    hx.keys(&["Space", "a"]);
    hx.wait("the code actions", STEP, |s| s.has("Write 'AS'"));
    hx.keys(&["Enter"]);
    hx.wait("the quick fix and its diagnostic gone", STEP, |s| {
        s.has("FROM node:22 AS deps") && !s.has("casing do not match")
    });

    // Typing: CMND becomes CMD and its error goes.
    hx.keys(&["1", "2", "g", "g"]);
    hx.wait_cursor_line(12);
    hx.keys(&["e", "c"]);
    hx.wait("insert mode", STEP, |s| s.mode() == "INS");
    hx.type_text("CMD");
    hx.wait("CMD typed", STEP, |s| s.has("CMD [\"node\""));
    hx.keys(&["Escape"]);
    // Wait for the last version's diagnostics: line 12 has none at its
    // end, nor under it (the cursor's line shows them there).
    hx.wait("line 12's diagnostics to go", STEP, |s| {
        let row = s.0.iter().position(|r| {
            r.trim_end()
                .ends_with("12  CMD [\"node\", \"dist/index.js\"]")
        });
        s.mode() == "NOR" && row.is_some_and(|r| !s.0[r + 1].contains('└'))
    });
    hx.keys(&["Space", "d"]);
    let screen = hx.wait("the diagnostics picker", STEP, |s| {
        s.has("DL3045") && s.has("dockerfile-lsp")
    });
    assert!(
        !screen.has("SyntaxError") && !screen.has("FromAsCasing"),
        "{}",
        screen.text()
    );
    hx.keys(&["Escape"]);
    hx.wait("the picker to close", STEP, |s| !s.has("DL3045"));

    // Every Dockerfile name is the dockerfile language.
    // The first is the buffer open already: `:open` of it changes nothing
    // on screen to wait for.
    assert_eq!(NAMES[0], "Dockerfile");
    for name in NAMES {
        if *name != NAMES[0] {
            hx.command(&format!("o {name}"));
            hx.wait(&format!("{name} open"), STEP, |s| {
                s.status().contains(&format!(" {name} ")) && s.message().is_empty()
            });
        }
        assert_eq!(hx.language(name), "dockerfile", "{name}");
    }
    // ... and `:lang` tells: a file of another name is text.
    hx.command("o notes");
    hx.wait("notes open", STEP, |s| {
        s.status().contains(" notes ") && s.message().is_empty()
    });
    assert_eq!(hx.language("notes"), "text", "notes");

    // A clean exit: status 0, the server gone, nothing in Helix's log. (It
    // runs now: otherwise "gone" below would prove nothing.)
    assert!(
        !servers_in(&sandbox.work).is_empty(),
        "the server is not found running in {} before the exit",
        sandbox.work.display()
    );
    let status = hx.quit();
    assert_eq!(status, "0", "hx exit status; helix.log:\n{}", sandbox.log());
    let deadline = Instant::now() + STEP;
    while !servers_in(&sandbox.work).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the server still runs after Helix exited: pids {:?}",
            servers_in(&sandbox.work)
        );
        std::thread::sleep(Duration::from_millis(40));
    }
    if let Err(problems) = check_log(&sandbox.log()) {
        panic!("{problems}");
    }
    drop(hx);
    let _ = std::fs::remove_dir_all(&sandbox.dir);
}

#[test]
fn the_helix_config_names_what_exists() {
    let config = config();
    let languages = config["language"].as_array().expect("[[language]]");
    let [language] = languages.as_slice() else {
        panic!("one [[language]] entry: {languages:?}");
    };
    assert_eq!(language["name"].as_str(), Some("dockerfile"));

    // The server it starts is the binary this package builds.
    let servers = language["language-servers"].as_array().unwrap();
    for server in servers {
        let name = server.as_str().unwrap();
        let command = config["language-server"][name]["command"]
            .as_str()
            .unwrap_or_else(|| panic!("no [language-server.{name}] command"));
        let built = Path::new(env!("CARGO_BIN_EXE_dockerfile-lsp"));
        assert_eq!(Some(command), built.file_name().and_then(|f| f.to_str()));
    }

    // The grammar: named as its parser's symbol (`tree_sitter_<name>`, which
    // Helix looks up), its source path holds our generated parser.
    let grammar_name = language["grammar"].as_str().unwrap();
    let grammars = config["grammar"].as_array().unwrap();
    let grammar = grammars
        .iter()
        .find(|g| g["name"].as_str() == Some(grammar_name))
        .unwrap_or_else(|| panic!("no [[grammar]] named {grammar_name}"));
    let source = grammar["source"]["path"].as_str().unwrap();
    let dir = root().join("editors/helix").join(source);
    for file in ["src/parser.c", "src/scanner.c", "grammar.js"] {
        assert!(dir.join(file).is_file(), "{}", dir.join(file).display());
    }
    let parser = common::read(&dir.join("src/parser.c"));
    assert!(
        parser.contains(&format!(
            "const TSLanguage *tree_sitter_{grammar_name}(void)"
        )),
        "grammar/src/parser.c does not export tree_sitter_{grammar_name}"
    );
    for query in ["highlights.scm", "injections.scm"] {
        assert!(root().join("queries").join(query).is_file(), "{query}");
    }

    // Every file name is a glob: Helix reads a plain string as an extension.
    for t in language["file-types"].as_array().unwrap() {
        assert!(t.get("glob").is_some(), "{t} is not {{ glob = ... }}");
    }
    let globs: Vec<&str> = language["file-types"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.get("glob")?.as_str())
        .collect();
    for name in [
        "Dockerfile",
        "Containerfile",
        "Dockerfile.*",
        "Containerfile.*",
        "*.Dockerfile",
        "*.dockerfile",
        "*.containerfile",
    ] {
        assert!(globs.contains(&name), "{name} not in {globs:?}");
    }
}
