//! Emacs end to end: a real `emacs --batch` with `editors/emacs` on its
//! load-path (file name detection, the eglot registration, eglot started
//! from the mode hook) runs `tests/emacs/e2e.el` against the server:
//! flymake gets the diagnostics, hover on a stage gives its purpose,
//! `xref-find-definitions` on `--from=build` moves point, and a quick fix
//! picked from `eglot-code-actions` edits the buffer.
//!
//! Emacs is `DOCKERFILE_LSP_EMACS` or `emacs` on PATH, and must load eglot
//! (Debian's emacs-nox and elpa-eglot: `scripts/install/emacs.sh`); without
//! them the test fails and says so.

mod common;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long the whole Emacs run may take (it needs about a second).
const TIMEOUT: Duration = Duration::from_secs(120);

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn emacs() -> PathBuf {
    let emacs = std::env::var_os("DOCKERFILE_LSP_EMACS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("emacs"));
    let probe = Command::new(&emacs)
        .args(["--batch", "--eval", "(require 'eglot)"])
        .stdin(Stdio::null())
        .output();
    match probe {
        Ok(out) if out.status.success() => emacs,
        Ok(out) => panic!(
            "{} cannot load eglot: run scripts/install/emacs.sh (Debian's emacs-nox and \
             elpa-eglot), or set DOCKERFILE_LSP_EMACS to an Emacs that has it\n{}",
            emacs.display(),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!(
            "no Emacs ({}: {e}): run scripts/install/emacs.sh (Debian's emacs-nox and \
             elpa-eglot), or set DOCKERFILE_LSP_EMACS to an Emacs with eglot",
            emacs.display()
        ),
    }
}

#[test]
fn emacs_eglot_gets_diagnostics_hover_definition_and_code_actions() {
    let emacs = emacs();
    // A copy: the quick fix edits the buffer (and the server reads the
    // folder around it). HOME there too, so no user configuration counts.
    let dir = common::temp_dir("emacs-e2e");
    let file = dir.join("Dockerfile");
    std::fs::copy(root().join("tests/fixtures/editors/Dockerfile"), &file).unwrap();
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let log = dir.join("emacs.log");
    let started = Instant::now();
    let mut child = Command::new(&emacs)
        .arg("--batch")
        .arg("-L")
        .arg(root().join("editors/emacs"))
        .arg("-l")
        .arg(root().join("tests/emacs/e2e.el"))
        .env(
            "DOCKERFILE_LSP_SERVER",
            env!("CARGO_BIN_EXE_dockerfile-lsp"),
        )
        .env("DOCKERFILE_LSP_E2E_FILE", &file)
        .env("HOME", &home)
        .env_remove("XDG_CONFIG_HOME")
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(File::create(dir.join("emacs.out")).unwrap())
        .stderr(File::create(&log).unwrap())
        .spawn()
        .expect("emacs runs");
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let report = std::fs::read_to_string(&log).unwrap_or_default();
    let Some(status) = status else {
        panic!("Emacs did not finish within {TIMEOUT:?}:\n{report}");
    };
    assert!(
        status.success(),
        "Emacs checks failed ({status}):\n{report}"
    );
    let lines: Vec<&str> = report.lines().collect();
    assert!(
        !lines.iter().any(|l| l.starts_with("FAIL ")),
        "a check failed:\n{report}"
    );
    // every step reported: the script reached its end
    assert!(
        lines.iter().any(|l| l.starts_with("done: ")),
        "the script stopped early:\n{report}"
    );
    let ok = lines.iter().filter(|l| l.starts_with("ok   ")).count();
    assert!(ok >= 20, "only {ok} checks passed:\n{report}");
    let _ = std::fs::remove_dir_all(&dir);
}
