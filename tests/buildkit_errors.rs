//! Errors that make BuildKit reject a Dockerfile, each checked against
//! BuildKit itself (`../shared/tools/buildkit-check`): the bad file must be
//! rejected and its minimal good twin accepted; we must report an error
//! with BuildKit's wording on the right line and on the offending text, and
//! none on the twin.

mod common;

use dockerfile_lsp::syntax;

#[path = "buildkit_errors/core.rs"]
mod core_cases;
#[path = "buildkit_errors/directives.rs"]
mod directives_cases;
#[path = "buildkit_errors/flags.rs"]
mod flags_cases;
#[path = "buildkit_errors/instructions.rs"]
mod instructions_cases;
#[path = "buildkit_errors/mount.rs"]
mod mount_cases;
#[path = "buildkit_errors/stages.rs"]
mod stages_cases;

/// (bad file, line of the error, message substring, offending text, good twin).
type Case = (
    &'static str,
    usize,
    &'static str,
    &'static str,
    &'static str,
);

/// Every table, one per family of BuildKit errors.
fn cases() -> Vec<Case> {
    [
        core_cases::CASES,
        flags_cases::CASES,
        mount_cases::CASES,
        instructions_cases::CASES,
        stages_cases::CASES,
        directives_cases::CASES,
    ]
    .concat()
}

#[test]
fn buildkit_errors_are_reported_where_buildkit_reports_them() {
    let dir = common::temp_dir("buildkit-errors");
    let mut failures = Vec::new();
    for (i, (bad, line, message, offending, good)) in cases().iter().enumerate() {
        let bad_path = dir.join(format!("bad-{i}.Dockerfile"));
        let good_path = dir.join(format!("good-{i}.Dockerfile"));
        std::fs::write(&bad_path, bad).unwrap();
        std::fs::write(&good_path, good).unwrap();
        match common::buildkit_rejects(&bad_path) {
            None => failures.push(format!("{bad:?}: BuildKit accepts it")),
            Some((error, at)) => {
                if at.is_some_and(|l| l != *line) {
                    failures.push(format!("{bad:?}: BuildKit's error is on line {at:?}"));
                }
                if !error.contains(message.split(" (").next().unwrap()) {
                    failures.push(format!("{bad:?}: BuildKit says {error:?}"));
                }
            }
        }
        if let Some((error, _)) = common::buildkit_rejects(&good_path) {
            failures.push(format!("{good:?}: BuildKit rejects the twin: {error}"));
        }

        let tree = syntax::parse(bad);
        let errors = syntax::syntax_errors(&tree, *bad);
        let found = errors.iter().any(|e| {
            e.start.row + 1 == *line
                && e.message.contains(message)
                && &bad[e.start_byte..e.end_byte] == *offending
        });
        if !found {
            let got: Vec<String> = errors
                .iter()
                .map(|e| {
                    format!(
                        "{}: {} on {:?}",
                        e.start.row + 1,
                        e.message,
                        &bad[e.start_byte..e.end_byte]
                    )
                })
                .collect();
            failures.push(format!(
                "{bad:?}: expected {message:?} on {offending:?} (line {line}), got {got:?}"
            ));
        }
        let tree = syntax::parse(good);
        let errors = syntax::syntax_errors(&tree, *good);
        if !errors.is_empty() {
            failures.push(format!("{good:?}: false errors {errors:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn check_reports_the_same_errors() {
    let text = "FROM alpine\nCOPY --chwon=1000 . .\nRUN --network=wifi true\n";
    let tree = syntax::parse(text);
    let ours: Vec<String> = syntax::syntax_errors(&tree, text)
        .into_iter()
        .map(|e| e.message)
        .collect();
    assert_eq!(ours.len(), 2, "{ours:?}");
    let dir = common::temp_dir("buildkit-errors-cli");
    let path = dir.join("Dockerfile");
    std::fs::write(&path, text).unwrap();
    let (code, stdout, stderr) = common::run_cli(&["parse", "--quiet", path.to_str().unwrap()]);
    assert_ne!(code, 0, "{stdout}{stderr}");
    let all = format!("{stdout}{stderr}");
    for message in &ours {
        assert!(all.contains(message.as_str()), "{message} not in {all}");
    }
}
