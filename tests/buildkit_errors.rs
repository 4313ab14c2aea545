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

/// The file of issue 17's "Why": sixteen mistakes, each of which makes
/// `docker build` fail. BuildKit stops at the first; we must report every
/// one, as an error, on the flag or argument at fault.
#[test]
fn the_sixteen_mistakes_in_one_file_are_each_reported() {
    let lines = [
        ("FROM alpine", None),
        ("COPY --chwon=1000 . .", Some("--chwon=1000")),
        ("HEALTHCHECK --interval=5 CMD true", Some("5")),
        ("HEALTHCHECK --retries=abc CMD true", Some("abc")),
        ("ADD --link=abc a b", Some("abc")),
        ("RUN --mount=type=bogus true", Some("bogus")),
        ("RUN --network=wifi true", Some("wifi")),
        ("EXPOSE 80/tcpx", Some("80/tcpx")),
        ("ONBUILD FROM x", Some("FROM")),
        ("ONBUILD ONBUILD RUN x", Some("ONBUILD")),
        ("SHELL /bin/bash -c", Some("/bin/bash -c")),
        ("COPY onlyone", Some("onlyone")),
        ("ENV", Some("ENV")),
        ("ARG", Some("ARG")),
        ("USER", Some("USER")),
        ("WORKDIR", Some("WORKDIR")),
        ("FOO bar", Some("FOO")),
        ("FROM", Some("FROM")),
    ];
    let text: String = lines.iter().map(|(l, _)| format!("{l}\n")).collect();
    let tree = syntax::parse(&text);
    let errors = syntax::syntax_errors(&tree, text.as_str());
    let mut failures = Vec::new();
    for (row, (line, offending)) in lines.iter().enumerate() {
        let on_line: Vec<&syntax::SyntaxError> =
            errors.iter().filter(|e| e.start.row == row).collect();
        match offending {
            None if !on_line.is_empty() => failures.push(format!("{line}: {on_line:?}")),
            Some(offending)
                if !on_line
                    .iter()
                    .any(|e| &text[e.start_byte..e.end_byte] == *offending) =>
            {
                failures.push(format!(
                    "{line}: expected an error on {offending:?}, got {on_line:?}"
                ))
            }
            _ => {}
        }
    }
    // Each line alone after `FROM alpine` is rejected by BuildKit.
    let dir = common::temp_dir("buildkit-errors-sixteen");
    for (i, (line, offending)) in lines.iter().enumerate().skip(1) {
        let path = dir.join(format!("{i}.Dockerfile"));
        std::fs::write(&path, format!("FROM alpine\n{line}\n")).unwrap();
        if offending.is_some() && common::buildkit_rejects(&path).is_none() {
            failures.push(format!("{line}: BuildKit accepts it"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The table holds at least 150 distinct rejected files, each with its own
/// accepted twin.
#[test]
fn the_table_covers_at_least_150_rejections() {
    let cases = cases();
    let mut bad: Vec<&str> = cases.iter().map(|c| c.0).collect();
    bad.sort();
    bad.dedup();
    assert_eq!(bad.len(), cases.len(), "a rejected file is listed twice");
    assert!(cases.len() >= 150, "only {} cases", cases.len());
}
