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
