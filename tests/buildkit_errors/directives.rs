//! Parser directives and the parser's own errors.

pub const CASES: &[super::Case] = &[
    (
        "# check=skip\nFROM alpine\n",
        1,
        "failed to parse check options: invalid check option \"skip\"",
        "skip",
        "# check=skip=all\nFROM alpine\n",
    ),
    (
        "# check=skip=all;error=yes\nFROM alpine\n",
        1,
        "failed to parse check options: failed to parse check option \"error=yes\": strconv.ParseBool: parsing \"yes\": invalid syntax",
        "error=yes",
        "# check=skip=all;error=true\nFROM alpine\n",
    ),
    (
        "# check=skip=all;errors=true\nFROM alpine\n",
        1,
        "failed to parse check options: invalid check option \"errors\"",
        "errors=true",
        "# check=skip=all;error=true\nFROM alpine\n",
    ),
];

/// Errors BuildKit places one line early (it counts the directive lines
/// from 0): (bad file, our line of the error, message, offending text,
/// good twin). BuildKit's line must be ours minus one.
const ZERO_BASED: &[super::Case] = &[
    (
        "# escape=/\nFROM alpine\n",
        1,
        "invalid escape token '/' does not match ` or \\",
        "/",
        "# escape=`\nFROM alpine\n",
    ),
    (
        "# syntax=docker/dockerfile:1\n# escape=`\n# Escape=\\\nFROM alpine\n",
        3,
        "only one escape parser directive can be used",
        "# Escape=\\",
        "# syntax=docker/dockerfile:1\n# escape=`\n#\n# Escape=\\\nFROM alpine\n",
    ),
];

#[test]
fn directive_errors_buildkit_counts_from_zero() {
    use dockerfile_lsp::syntax;
    let dir = super::common::temp_dir("buildkit-errors-directives");
    let mut failures = Vec::new();
    for (i, (bad, line, message, offending, good)) in ZERO_BASED.iter().enumerate() {
        let bad_path = dir.join(format!("bad-{i}.Dockerfile"));
        let good_path = dir.join(format!("good-{i}.Dockerfile"));
        std::fs::write(&bad_path, bad).unwrap();
        std::fs::write(&good_path, good).unwrap();
        match super::common::buildkit_rejects(&bad_path) {
            None => failures.push(format!("{bad:?}: BuildKit accepts it")),
            Some((error, at)) => {
                if at != Some(line - 1) {
                    failures.push(format!("{bad:?}: BuildKit's error is on line {at:?}"));
                }
                if !error.contains(message) {
                    failures.push(format!("{bad:?}: BuildKit says {error:?}"));
                }
            }
        }
        if let Some((error, _)) = super::common::buildkit_rejects(&good_path) {
            failures.push(format!("{good:?}: BuildKit rejects the twin: {error}"));
        }
        let errors = syntax::syntax_errors(&syntax::parse(bad), *bad);
        if !errors.iter().any(|e| {
            e.start.row + 1 == *line
                && e.message.contains(message)
                && &bad[e.start_byte..e.end_byte] == *offending
        }) {
            failures.push(format!(
                "{bad:?}: expected {message:?} on {offending:?} (line {line}), got {errors:?}"
            ));
        }
        let errors = syntax::syntax_errors(&syntax::parse(good), *good);
        if !errors.is_empty() {
            failures.push(format!("{good:?}: false errors {errors:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// BuildKit's line scanner stops at a line of 65536 bytes (a `\r` before
/// the `\n` counts): its error names the line before it.
#[test]
fn a_line_longer_than_buildkit_reads() {
    use dockerfile_lsp::syntax;
    let dir = super::common::temp_dir("buildkit-errors-long-line");
    let message = "dockerfile line greater than max allowed size of 65535";
    let run = |length: usize| format!("RUN echo {}", "x".repeat(length - "RUN echo ".len()));
    let mut failures = Vec::new();
    for (bad, good, eol) in [(65536, 65535, "\n"), (65535, 65534, "\r\n")] {
        let bad_text = format!("FROM alpine{eol}{}{eol}", run(bad));
        let good_text = format!("FROM alpine{eol}{}{eol}", run(good));
        let bad_path = dir.join(format!("bad-{bad}.Dockerfile"));
        let good_path = dir.join(format!("good-{good}.Dockerfile"));
        std::fs::write(&bad_path, &bad_text).unwrap();
        std::fs::write(&good_path, &good_text).unwrap();
        match super::common::buildkit_rejects(&bad_path) {
            Some((error, Some(1))) if error.contains(message) => {}
            other => failures.push(format!("{bad}{eol:?}: BuildKit says {other:?}")),
        }
        if let Some(rejected) = super::common::buildkit_rejects(&good_path) {
            failures.push(format!("{good}{eol:?}: BuildKit rejects it: {rejected:?}"));
        }
        let errors = syntax::syntax_errors(&syntax::parse(&bad_text), bad_text.as_str());
        let line = run(bad);
        if !errors.iter().any(|e| {
            e.start.row == 1 && e.message == message && bad_text[e.start_byte..e.end_byte] == line
        }) {
            failures.push(format!("{bad}{eol:?}: we report {errors:?}"));
        }
        let errors = syntax::syntax_errors(&syntax::parse(&good_text), good_text.as_str());
        if !errors.is_empty() {
            failures.push(format!("{good}{eol:?}: false errors {errors:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
