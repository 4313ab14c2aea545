//! `dockerfile-lsp parse`: output and exit status, run as a real process.

mod common;

fn run(args: &[&str]) -> (i32, String, String) {
    common::run_cli(args)
}

fn temp_file(name: &str, content: &[u8]) -> std::path::PathBuf {
    let path = common::temp_dir(&format!("parse-{name}")).join(name);
    common::write(&path, content);
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

/// `parse -q` and `check` place a syntax error on the same line and column
/// whatever ends the lines: LSP's three line breaks, one model.
#[test]
fn parse_quiet_and_check_agree_on_lines_with_any_line_breaks() {
    let cases: [(&str, &[u8], (usize, usize)); 4] = [
        ("lf", b"FROM alpine\n  FOO bar\n", (2, 3)),
        ("cr", b"FROM alpine\r  FOO bar\r", (2, 3)),
        ("crlf", b"FROM alpine\r\n  FOO bar\r\n", (2, 3)),
        ("mixed", b"FROM alpine\rRUN x\n\r\n  FOO bar\n", (4, 3)),
    ];
    for (name, content, expected) in cases {
        let path = temp_file(&format!("{name}.Dockerfile"), content);
        let file = path.to_str().unwrap();
        let (code, parsed, err) = run(&["parse", "-q", file]);
        assert_eq!(code, 1, "{name}: {err}");
        let (_, checked, err) = common::run_cli(&["check", file]);
        // path:line:col: ...
        let place = |line: &str| {
            let rest = line.strip_prefix(file)?.strip_prefix(':')?;
            let mut parts = rest.splitn(3, ':');
            let line = parts.next()?.parse::<usize>().ok()?;
            let col = parts.next()?.parse::<usize>().ok()?;
            Some((line, col, parts.next()?.to_string()))
        };
        let from_parse: Vec<_> = parsed.lines().filter_map(place).collect();
        let from_check: Vec<_> = checked
            .lines()
            .filter_map(place)
            .filter(|(_, _, rest)| rest.contains("[SyntaxError]"))
            .collect();
        assert_eq!(from_parse.len(), 1, "{name}: {parsed}");
        assert_eq!(from_check.len(), 1, "{name}: {checked}{err}");
        let (line, col, _) = &from_parse[0];
        assert_eq!((*line, *col), expected, "{name}: parse -q said {parsed}");
        let (line, col, _) = &from_check[0];
        assert_eq!((*line, *col), expected, "{name}: check said {checked}");
    }
}

/// The printed tree places nodes on the same lines and columns whatever
/// ends the lines (a lone `\r` is a line break, as in LSP and in `-q`).
#[test]
fn the_tree_gives_the_same_places_with_any_line_breaks() {
    let lf = "FROM alpine AS base\n  RUN echo hi\nCMD x\n";
    let printed = |name: &str, text: &str| {
        let path = temp_file(&format!("tree-{name}.Dockerfile"), text.as_bytes());
        let (code, out, err) = run(&["parse", path.to_str().unwrap()]);
        assert_eq!(code, 0, "{name}: {err}");
        // all but the leaves' quoted texts, which hold the breaks
        out.lines()
            .map(|l| l.split('"').next().unwrap_or("").to_string())
            .collect::<Vec<_>>()
    };
    let expected = printed("lf", lf);
    assert!(
        expected
            .iter()
            .any(|l| l.trim() == "(run_instruction 2:3-2:14"),
        "{expected:?}"
    );
    for (name, brk) in [("cr", "\r"), ("crlf", "\r\n")] {
        assert_eq!(printed(name, &lf.replace('\n', brk)), expected, "{name}");
    }
}
