//! The grammar against the shared corpus of real Dockerfiles and against
//! BuildKit's own parse of its test files.

mod common;

use dockerfile_lsp::syntax;

#[test]
fn every_valid_corpus_file_parses_clean() {
    let dir = common::shared_dir().join("corpus/valid");
    let files = common::files_under(&dir);
    assert!(
        files.len() >= 166,
        "expected the 166 valid files, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for path in &files {
        let source = common::read(path);
        let tree = syntax::parse(&source);
        let errors = syntax::syntax_errors(&tree, source.as_str());
        // A few of BuildKit's parser test files do not build (an unknown
        // flag, no FROM, ...): errors there are right when BuildKit rejects
        // the file and one of them is on BuildKit's line.
        if !errors.is_empty() {
            if let Some((_, line)) = common::buildkit_rejects(path) {
                if line.is_none_or(|l| errors.iter().any(|e| e.start.row + 1 == l)) {
                    continue;
                }
            }
        }
        for e in errors {
            failures.push(format!(
                "{}:{}:{}: {}",
                path.display(),
                e.start.row + 1,
                e.start.column + 1,
                e.message
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} errors:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn instructions_and_arguments_agree_with_buildkit() {
    let shared = common::shared_dir();
    let results = common::files_under(&shared.join("corpus/buildkit-parse-results"));
    assert!(
        results.len() >= 33,
        "expected 33 BuildKit results, found {}",
        results.len()
    );
    let mut mismatches = Vec::new();
    for expected_path in &results {
        let name = expected_path.file_name().unwrap().to_str().unwrap();
        let dockerfile = shared.join(format!(
            "corpus/valid/buildkit/frontend_dockerfile_parser_testfiles_{name}_Dockerfile"
        ));
        let source = common::read(&dockerfile);
        let tree = syntax::parse(&source);
        let ours = syntax::buildkit_dump(&tree, &source);
        let expected = common::read(expected_path);
        let ours: Vec<&str> = ours.lines().collect();
        let theirs: Vec<&str> = expected.lines().filter(|l| !l.is_empty()).collect();
        if ours != theirs {
            let mut report = format!("== {name}\n");
            for i in 0..ours.len().max(theirs.len()) {
                let (a, b) = (ours.get(i), theirs.get(i));
                if a != b {
                    report.push_str(&format!(
                        "  ours:     {}\n  buildkit: {}\n",
                        a.unwrap_or(&"<none>"),
                        b.unwrap_or(&"<none>")
                    ));
                }
            }
            mismatches.push(report);
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} files differ:\n{}",
        mismatches.len(),
        mismatches.join("")
    );
}

/// Our own realistic fixtures (Go, Python, Rust with heredocs, Next.js,
/// Windows with the backtick escape and CRLF) with patterns seen in the wild:
/// `case` blocks inside continued RUNs, a lone `;` line, `cross-${VAR}` bases,
/// aligned `COPY --from=x     /src`, URLs with `:` in ADD.
#[test]
fn realistic_fixtures_parse_clean() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parse");
    let files = common::files_under(&dir);
    assert!(files.len() >= 5, "fixtures missing in {}", dir.display());
    for path in files {
        let source = common::read(&path);
        let tree = syntax::parse(&source);
        let errors = syntax::syntax_errors(&tree, source.as_str());
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
}
