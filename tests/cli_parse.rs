//! `dockerfile-lsp parse`: output and exit status, run as a real process.

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_dockerfile-lsp"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().expect("exited normally"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn temp_file(name: &str, content: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("dockerfile-lsp-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[test]
fn clean_file_prints_its_tree_and_exits_0() {
    let path = temp_file("clean.Dockerfile", b"FROM alpine AS base\n");
    let (code, out, err) = run(&["parse", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(from_instruction 1:1-1:20"), "{out}");
    assert!(
        out.contains("name: (stage_name 1:16-1:20 \"base\")"),
        "{out}"
    );
}

#[test]
fn quiet_prints_only_errors_with_positions_and_exits_1() {
    let clean = temp_file("ok.Dockerfile", b"FROM alpine\n");
    let bad = temp_file("bad.Dockerfile", "FROM alpine\n  FÖÖ bar\n".as_bytes());
    let (code, out, _) = run(&[
        "parse",
        "--quiet",
        clean.to_str().unwrap(),
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    let expected = format!(
        "{}:2:3: syntax error: unknown instruction `FÖÖ`\n",
        bad.display()
    );
    assert_eq!(out, expected);
}

#[test]
fn unreadable_or_binary_files_exit_2_and_the_rest_are_still_parsed() {
    let bad = temp_file("bad2.Dockerfile", b"RUN\n");
    let binary = temp_file("binary.Dockerfile", b"FROM a\n\x00\xff\n");
    let (code, out, err) = run(&[
        "parse",
        "-q",
        "/nonexistent/Dockerfile",
        binary.to_str().unwrap(),
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("/nonexistent/Dockerfile: cannot read"),
        "{err}"
    );
    assert!(
        err.contains("binary.Dockerfile: cannot read: not UTF-8 text"),
        "{err}"
    );
    assert!(out.contains("bad2.Dockerfile:1:1: syntax error:"), "{out}");
}
