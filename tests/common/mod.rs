//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod lsp;

use std::path::{Path, PathBuf};

/// A small deterministic generator (xorshift64*), so failures replay.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `../shared` beside the project. Tests that need it fail, never skip,
/// when it is missing.
pub fn shared_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    assert!(
        dir.join("corpus").is_dir(),
        "../shared/corpus is missing: the tests need the shared material beside the project ({})",
        dir.display()
    );
    dir
}

/// The Dockerfiles of a corpus folder, sorted: every file but the `.txt`
/// and `.md` ones when `every_file` (the official images' files are named
/// `<path>_Dockerfile`), else the files with a Dockerfile's name.
pub fn corpus_dockerfiles(dir: &Path, every_file: bool) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = files_under(dir)
        .into_iter()
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if every_file {
                !name.ends_with(".txt") && !name.ends_with(".md")
            } else {
                dockerfile_lsp::cli::check::is_dockerfile_name(name)
            }
        })
        .collect();
    files.sort();
    files
}

/// Every regular file under `dir`, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs the `dockerfile-lsp` binary; returns its exit code, stdout and stderr.
/// `check --format json` on one Dockerfile: its findings (the check must
/// run, with or without findings).
pub fn check_json(dockerfile: &Path) -> Vec<serde_json::Value> {
    let (status, out, err) = run_cli(&["check", "--format", "json", dockerfile.to_str().unwrap()]);
    assert!(
        status == 0 || status == 1,
        "{}: {err}",
        dockerfile.display()
    );
    serde_json::from_str(&out).unwrap()
}

pub fn run_cli(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dockerfile-lsp"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().expect("exited normally"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A fresh, empty temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dockerfile-lsp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes a file, creating its directories.
pub fn write(path: &Path, content: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// BuildKit's verdict on one file.
pub struct Verdict {
    pub ok: bool,
    pub error: String,
    pub error_line: Option<usize>,
    /// (rule, start line) of each warning.
    pub warnings: Vec<(String, usize)>,
}

/// Runs `../shared/tools/buildkit-check` on a file.
pub fn buildkit_check(file: &Path) -> Verdict {
    buildkit_check_with_ranges(file).0
}

/// [`buildkit_check`], and every line range (first, last) BuildKit gives
/// its error (an instruction's error covers the instruction's lines).
pub fn buildkit_check_with_ranges(file: &Path) -> (Verdict, Vec<(usize, usize)>) {
    let tool = shared_dir().join("tools/buildkit-check");
    let out = std::process::Command::new(&tool)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("{} does not run: {e}", tool.display()));
    assert!(
        out.status.success(),
        "{} {}: exit {:?}: {}",
        tool.display(),
        file.display(),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{} {}: not JSON ({e}): {}",
            tool.display(),
            file.display(),
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let first_line = |v: &serde_json::Value| {
        v.get(0)
            .and_then(|r| r.get(0))
            .and_then(serde_json::Value::as_u64)
    };
    let ranges = json["error_lines"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|r| Some((r.get(0)?.as_u64()? as usize, r.get(1)?.as_u64()? as usize)))
                .collect()
        })
        .unwrap_or_default();
    let verdict = Verdict {
        ok: json["ok"].as_bool().expect("ok is a boolean"),
        error: json["error"].as_str().unwrap_or_default().to_string(),
        error_line: first_line(&json["error_lines"]).map(|l| l as usize),
        warnings: json["warnings"]
            .as_array()
            .expect("warnings is a list")
            .iter()
            .map(|w| {
                (
                    w["rule"].as_str().expect("a rule name").to_string(),
                    first_line(&w["lines"]).unwrap_or(0) as usize,
                )
            })
            .collect(),
    };
    (verdict, ranges)
}

/// BuildKit's rejection of a file, if it rejects it: its error message and
/// the first line of the error (when BuildKit gives one).
pub fn buildkit_rejects(file: &Path) -> Option<(String, Option<usize>)> {
    let verdict = buildkit_check(file);
    (!verdict.ok).then_some((verdict.error, verdict.error_line))
}
