//! `dockerfile-lsp check`: the server's diagnostics from the command line,
//! and the corpus acceptance (every invalid file gets an error, no valid
//! file gets any).

mod common;

use common::{temp_dir, write};
use dockerfile_lsp::document::position;
use dockerfile_lsp::rules::Group;
use serde_json::Value;

fn check(args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    common::run_cli(&all)
}

#[test]
fn every_invalid_corpus_file_gets_an_error_and_no_valid_file_gets_any() {
    let corpus = common::shared_dir().join("corpus");
    let invalid = common::files_under(&corpus.join("invalid"));
    assert!(invalid.len() >= 4);
    let mut args = vec!["--format".to_string(), "json".to_string()];
    args.extend(invalid.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = check(&args);
    assert_eq!(code, 1, "{err}");
    let findings: Vec<Value> = serde_json::from_str(&out).unwrap();
    for file in &invalid {
        let name = file.display().to_string();
        assert!(
            findings
                .iter()
                .any(|f| f["file"] == name.as_str() && f["severity"] == "error"),
            "no error for {name}: {out}"
        );
    }

    let valid = common::files_under(&corpus.join("valid"));
    assert!(valid.len() >= 166);
    // A few of BuildKit's parser test files do not build (an unknown flag,
    // no FROM, ...): they are left out when BuildKit rejects them and our
    // syntax errors include one on BuildKit's line.
    let valid: Vec<_> = valid
        .into_iter()
        .filter(|path| {
            let source = common::read(path);
            let tree = dockerfile_lsp::syntax::parse(&source);
            let errors = dockerfile_lsp::syntax::syntax_errors(&tree, source.as_str());
            let rope = ropey::Rope::from_str(&source);
            let line_of = |byte| position::line_column(&rope, byte).0;
            errors.is_empty()
                || !common::buildkit_rejects(path).is_some_and(|(_, line)| {
                    line.is_none_or(|l| errors.iter().any(|e| line_of(e.start_byte) == l))
                })
        })
        .collect();
    let mut args = vec!["--format".to_string(), "json".to_string()];
    args.extend(valid.iter().map(|p| p.display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = check(&args);
    assert_eq!(code, 0, "{out}{err}");
    let findings: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert!(findings.iter().all(|f| f["severity"] != "error"), "{out}");
    // BuildKit's checks and the stage graph: only what BuildKit itself
    // reports on these files (read by hand, per rule):
    let buildkit_warns = [
        // `ENV key value` in the older images and parser tests
        "LegacyKeyValueFormat",
        // GPG_KEY in the Python images: BuildKit's name match warns too
        "SecretsUsedInArgOrEnv",
        // BuildKit's parser test files repeat CMD and HEALTHCHECK
        "MultipleInstructionsDisallowed",
        // shell-form CMD in the parser test files
        "JSONArgsRecommended",
        // blank lines inside continuations in the parser test files
        "NoEmptyContinuation",
    ];
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for f in &findings {
        let code = f["code"].as_str().unwrap();
        let rule = dockerfile_lsp::rules::find(code).unwrap();
        if matches!(rule.group, Group::BuildKit | Group::StageGraph) {
            *counts.entry(code.to_string()).or_default() += 1;
        }
    }
    eprintln!("rule sets 1 and 2 on corpus/valid: {counts:?}");
    for code in counts.keys() {
        assert!(
            buildkit_warns.contains(&code.as_str()),
            "{code} reports on corpus/valid: {out}"
        );
    }
}

#[test]
fn json_output_has_the_documented_fields() {
    let dir = temp_dir("json");
    let file = dir.join("Dockerfile");
    write(&file, "FROM alpine:3.20\n  ÉTAPE x\n".as_bytes());
    let (code, out, _) = check(&["--format", "json", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    let findings: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(f["file"], file.display().to_string());
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(
        (f["end_line"].as_u64(), f["end_column"].as_u64()),
        (Some(2), Some(8))
    );
    assert_eq!(f["severity"], "error");
    assert_eq!(f["code"], "SyntaxError");
    assert_eq!(f["source"], "dockerfile-lsp");
    assert_eq!(f["message"], "unknown instruction `ÉTAPE`");
}

#[test]
fn human_and_sarif_output() {
    let dir = temp_dir("formats");
    let file = dir.join("Containerfile");
    write(&file, b"RUN\n");
    let (code, out, _) = check(&[file.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with(&format!(
            "{}:1:1: error[SyntaxError]: no build stage in current context\n",
            file.display()
        )),
        "{out}"
    );
    assert!(out.contains("1 error(s), 0 warning(s)"), "{out}");

    let (_, out, _) = check(&["--format", "sarif", file.to_str().unwrap()]);
    let sarif: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "dockerfile-lsp");
    assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "SyntaxError");
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "SyntaxError");
    assert_eq!(result["level"], "error");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
}

#[test]
fn directories_are_searched_for_the_usual_names() {
    let dir = temp_dir("dirs");
    write(&dir.join("Dockerfile"), b"FROM a\n");
    write(&dir.join("api/api.Dockerfile"), b"FROM a\n");
    write(&dir.join("web/Dockerfile.dev"), b"FOO\n");
    write(
        &dir.join("web/Dockerfile.dev.dockerignore"),
        b"node_modules\n",
    );
    write(&dir.join("node_modules/x/Dockerfile"), b"FOO\n");
    write(&dir.join("README.md"), b"# not a Dockerfile\n");
    let (code, out, _) = check(&[dir.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        out.contains("web/Dockerfile.dev:1:1: error[SyntaxError]"),
        "{out}"
    );
    assert!(!out.contains("node_modules"), "{out}");
    assert!(out.contains("in 3 file(s)"), "{out}");
}

#[test]
fn unreadable_paths_exit_2_and_the_rest_are_checked() {
    let dir = temp_dir("unreadable");
    let bad = dir.join("bad.Dockerfile");
    write(&bad, b"FOO\n");
    let binary = dir.join("bin.Dockerfile");
    write(&binary, b"\x00\x01\x02");
    let (code, out, err) = check(&[
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
        err.contains("bin.Dockerfile: cannot read: not UTF-8 text"),
        "{err}"
    );
    assert!(
        out.contains("bad.Dockerfile:1:1: error[SyntaxError]"),
        "{out}"
    );
}

#[test]
fn a_directory_without_dockerfiles_is_an_error() {
    let dir = temp_dir("empty");
    write(&dir.join("README.md"), b"hello\n");
    let (code, _, err) = check(&[dir.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("no Dockerfile found"), "{err}");
}

#[test]
fn build_args_must_be_key_value() {
    let dir = temp_dir("args");
    let file = dir.join("Dockerfile");
    write(&file, b"FROM a\n");
    let (code, _, _) = check(&[
        "--build-arg",
        "A=1",
        "--build-arg",
        "B=",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let (code, _, err) = check(&["--build-arg", "=1", file.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid --build-arg"), "{err}");
}
