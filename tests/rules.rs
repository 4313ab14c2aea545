//! Every rule end to end through `dockerfile-lsp check`: its bad fixture
//! (`tests/fixtures/rules/<Code>/bad/`, a Dockerfile and the files around
//! it) reports it, its good fixture does not, and `check --fix` on a copy
//! of the bad fixture removes every finding that had a fix without
//! breaking the file.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

fn fixture(code: &str, which: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules")
        .join(code)
        .join(which)
}

fn of_rule<'a>(found: &'a [Value], code: &str) -> Vec<&'a Value> {
    found.iter().filter(|f| f["code"] == code).collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn every_rule_reports_its_bad_fixture_and_not_its_good_one_and_fixes_apply() {
    let mut problems = Vec::new();
    let mut fixed_rules = 0;
    for rule in dockerfile_lsp::rules::registry() {
        let code = rule.code;
        let bad = fixture(code, "bad").join("Dockerfile");
        let good = fixture(code, "good").join("Dockerfile");
        if !bad.is_file() || !good.is_file() {
            problems.push(format!("{code}: missing bad/ or good/ fixture"));
            continue;
        }
        let found = common::check_json(&bad);
        let reported = of_rule(&found, code);
        if reported.is_empty() {
            problems.push(format!("{code}: bad fixture not reported: {found:?}"));
            continue;
        }
        let good_found = common::check_json(&good);
        if !of_rule(&good_found, code).is_empty() {
            problems.push(format!("{code}: good fixture reported: {good_found:?}"));
        }
        if good_found.iter().any(|f| f["code"] == "SyntaxError") {
            problems.push(format!("{code}: good fixture has syntax errors"));
        }

        // Apply the fixes to a copy and check again.
        let fixable = reported.iter().filter(|f| !f["fix"].is_null()).count();
        if fixable == 0 {
            continue;
        }
        let copy = common::temp_dir(&format!("fix-{code}"));
        copy_dir(&fixture(code, "bad"), &copy);
        let (status, _, err) =
            common::run_cli(&["check", "--fix", copy.join("Dockerfile").to_str().unwrap()]);
        assert!(status == 0 || status == 1, "{code}: {err}");
        let after = common::check_json(&copy.join("Dockerfile"));
        let left = of_rule(&after, code).len();
        if left + fixable != reported.len() {
            problems.push(format!(
                "{code}: {fixable} fixable of {} but {left} left after --fix: {after:?}",
                reported.len()
            ));
        }
        if after.iter().any(|f| f["code"] == "SyntaxError") {
            problems.push(format!("{code}: --fix broke the file: {after:?}"));
        }
        fixed_rules += 1;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        fixed_rules >= 19,
        "only {fixed_rules} rules had fixes tested"
    );
}
