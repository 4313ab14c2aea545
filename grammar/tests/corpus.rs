//! Runs the grammar's corpus tests (`test/corpus/*.txt`, in the format of
//! `tree-sitter test`) without the tree-sitter CLI: each input must parse to
//! exactly the expected S-expression.

use std::path::Path;

struct Case {
    file: String,
    name: String,
    input: String,
    expected: String,
}

fn is_rule(line: &str, c: char) -> bool {
    line.len() >= 3 && line.chars().all(|x| x == c)
}

fn read_cases(path: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(path).unwrap();
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut cases = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("====") {
        rest = &rest[start..];
        let mut lines = rest.splitn(4, '\n');
        let (open, name, close) = (
            lines.next().unwrap(),
            lines.next().unwrap(),
            lines.next().unwrap(),
        );
        assert!(
            is_rule(open, '=') && is_rule(close, '='),
            "{file}: malformed header near {name:?}"
        );
        let body = lines.next().unwrap_or("");
        let divider = body
            .match_indices("\n---")
            .map(|(i, _)| i)
            .find(|&i| {
                body[i + 1..]
                    .lines()
                    .next()
                    .is_some_and(|l| is_rule(l, '-'))
            })
            .unwrap_or_else(|| panic!("{file}: case {name:?} has no --- divider"));
        let input = body[..divider].to_string();
        let after = &body[divider + 1..];
        let after = &after[after.find('\n').map_or(after.len(), |i| i + 1)..];
        let end = after.find("\n====").map_or(after.len(), |i| i + 1);
        cases.push(Case {
            file: file.clone(),
            name: name.trim().to_string(),
            input,
            expected: after[..end].to_string(),
        });
        rest = &after[end..];
    }
    cases
}

fn normalize(sexp: &str) -> String {
    sexp.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("( ", "(")
        .replace(" )", ")")
}

/// A field label of an S-expression (`name:`).
fn is_field(word: &str) -> bool {
    word.len() > 1
        && word.ends_with(':')
        && word[..word.len() - 1]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_')
}

#[test]
fn corpus_cases_parse_to_their_expected_trees() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_dockerfile_lsp::LANGUAGE.into())
        .unwrap();
    let mut count = 0;
    let mut failures = Vec::new();
    for path in &files {
        for case in read_cases(path) {
            count += 1;
            let tree = parser.parse(&case.input, None).unwrap();
            let mut actual = normalize(&tree.root_node().to_sexp());
            let expected = normalize(&case.expected);
            // As `tree-sitter test` does: a case written without field
            // names compares the nodes alone.
            if !expected.split(' ').any(is_field) {
                actual = actual
                    .split(' ')
                    .filter(|w| !is_field(w))
                    .collect::<Vec<_>>()
                    .join(" ");
            }
            if actual != expected {
                failures.push(format!(
                    "{} / {}\n  expected: {expected}\n  actual:   {actual}",
                    case.file, case.name
                ));
            }
        }
    }
    assert!(
        count >= 31,
        "only {count} corpus cases found in {}",
        dir.display()
    );
    assert!(
        failures.is_empty(),
        "{} of {count} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
