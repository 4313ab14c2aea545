//! BuildKit's checks stay BuildKit's: over the shared corpus (apps: the
//! files with a Dockerfile's name; valid/: every file), BuildKit's own
//! frontend (`../shared/tools/buildkit-check`) and our rules that carry a
//! BuildKit check's name must report the same (file, rule, start line).
//! Beside the warnings, the verdicts: a file BuildKit rejects must get an
//! error diagnostic from us, and a file it accepts must get none. The
//! experimental checks (InvalidDefinitionDescription) are compared in a
//! second run of both sides with `# check=experimental=all` put first.
//!
//! Every difference is either fixed or listed, with the reason of its class,
//! in `tests/buildkit-differences.txt`; the test fails on a difference not
//! listed there and on a listed one that no longer occurs.
//!
//! The file's format: `[class] reason` opens a class; each line under it is
//! `ours|buildkit RULE FILE:LINE` (a warning only that side reports), or
//! `ours-error CODE FILE:LINE` (an error of ours on a file BuildKit
//! accepts), or `buildkit-error FILE:LINE` (a file BuildKit rejects and we
//! give no error), FILE relative to `../shared/corpus`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use dockerfile_lsp::cli::check::check_text;
use dockerfile_lsp::config::Config;
use dockerfile_lsp::diagnostics::{Context, Severity};
use dockerfile_lsp::rules::{self, Group};

/// BuildKit's experimental checks we carry: compared in a second run of
/// both sides with `# check=experimental=all` put first in the file.
const EXPERIMENTAL: &[&str] = &["InvalidDefinitionDescription"];

/// The corpus files: (folder, every file or only Dockerfile names).
const FOLDERS: &[(&str, bool)] = &[("apps", false), ("valid", true)];

fn corpus_files(corpus: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for (folder, every_file) in FOLDERS {
        files.extend(common::corpus_dockerfiles(
            &corpus.join(folder),
            *every_file,
        ));
    }
    files.sort();
    files
}

/// What one side sees on one file.
struct Sides {
    verdict: common::Verdict,
    /// (rule, line) of our findings under a BuildKit check's name.
    ours: Vec<(String, usize)>,
    /// (code, line) of our error-severity findings.
    our_errors: Vec<(String, usize)>,
}

/// Whether the file's leading parser directives include `# check=`.
fn has_check_directive(source: &str) -> bool {
    source
        .lines()
        .take_while(|l| l.trim_start().starts_with('#'))
        .any(|l| {
            let body = l.trim_start().trim_start_matches('#').trim_start();
            body.split('=')
                .next()
                .is_some_and(|k| k.trim().eq_ignore_ascii_case("check"))
                && body.contains('=')
        })
}

/// The listed differences: entry -> its class.
fn listed(path: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut class = None;
    for (n, line) in common::read(path).lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let (name, reason) = rest
                .split_once(']')
                .unwrap_or_else(|| panic!("{}:{}: `[class] reason`", path.display(), n + 1));
            assert!(
                !reason.trim().is_empty(),
                "{}:{}: class {name} gives no reason",
                path.display(),
                n + 1
            );
            class = Some(name.to_string());
            continue;
        }
        let class = class
            .clone()
            .unwrap_or_else(|| panic!("{}:{}: entry before any [class]", path.display(), n + 1));
        let entry = line.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            out.insert(entry, class).is_none(),
            "{}:{}: listed twice: {line}",
            path.display(),
            n + 1
        );
    }
    out
}

#[test]
fn our_buildkit_checks_agree_with_buildkit_on_the_corpus() {
    let shared = common::shared_dir();
    let tool = shared.join("tools/buildkit-check");
    assert!(
        tool.is_file(),
        "{} is missing: this test needs BuildKit's frontend (see ../shared/tools/README.md)",
        tool.display()
    );
    // Relative paths, so the names in the differences file read the same
    // wherever the project is checked out.
    let corpus = PathBuf::from("../shared/corpus");
    let files = corpus_files(&corpus);
    assert!(files.len() > 250, "the corpus has {} files", files.len());

    // The rules we carry under BuildKit's names. CopyIgnoredFile needs the
    // build client's .dockerignore, which buildkit-check does not read.
    let names: BTreeSet<&str> = rules::registry()
        .iter()
        .filter(|r| r.group == Group::BuildKit && r.code != "CopyIgnoredFile")
        .map(|r| r.code)
        .collect();

    let results: Mutex<BTreeMap<String, Sides>> = Mutex::new(BTreeMap::new());
    let scratch = common::temp_dir("buildkit-checks");
    let count = Mutex::new(0usize);
    let next = Mutex::new(0usize);
    let prefix = format!("{}/", corpus.display());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| loop {
                let file = {
                    let mut i = next.lock().unwrap();
                    let Some(file) = files.get(*i) else { break };
                    *i += 1;
                    file
                };
                let mut verdict = common::buildkit_check(file);
                let source = common::read(file);
                let root = corpus.join(
                    file.strip_prefix(&corpus)
                        .unwrap()
                        .components()
                        .next()
                        .unwrap(),
                );
                let (context, _) = Context::load(Some(file), &Config::default(), Some(&root));
                let findings = check_text(&file.display().to_string(), &source, &context);
                let mut ours: Vec<(String, usize)> = findings
                    .iter()
                    .filter(|f| names.contains(f.diagnostic.code))
                    .map(|f| (f.diagnostic.code.to_string(), f.line))
                    .collect();
                // The experimental checks, turned on for both sides by a
                // `# check=experimental=all` line put first (lines then
                // count one more). A file with a check directive of its own
                // keeps it.
                if !has_check_directive(&source) {
                    let text = format!("# check=experimental=all\n{source}");
                    let n = {
                        let mut count = count.lock().unwrap();
                        *count += 1;
                        *count
                    };
                    let copy = scratch.join(format!("{n}.Dockerfile"));
                    std::fs::write(&copy, &text).unwrap();
                    let extra = common::buildkit_check(&copy);
                    verdict.warnings.extend(
                        extra
                            .warnings
                            .into_iter()
                            .filter(|(rule, _)| EXPERIMENTAL.contains(&rule.as_str()))
                            .map(|(rule, line)| (rule, line - 1)),
                    );
                    ours.extend(
                        check_text(&file.display().to_string(), &text, &context)
                            .iter()
                            .filter(|f| EXPERIMENTAL.contains(&f.diagnostic.code))
                            .map(|f| (f.diagnostic.code.to_string(), f.line - 1)),
                    );
                }
                let our_errors = findings
                    .iter()
                    .filter(|f| f.diagnostic.severity == Severity::Error)
                    .map(|f| (f.diagnostic.code.to_string(), f.line))
                    .collect();
                let name = file.display().to_string().replace(&prefix, "");
                results.lock().unwrap().insert(
                    name,
                    Sides {
                        verdict,
                        ours,
                        our_errors,
                    },
                );
            });
        }
    });
    let results = results.into_inner().unwrap();
    let _ = std::fs::remove_dir_all(&scratch);

    // Per rule: BuildKit's count, ours, matched; and every difference.
    let mut table: BTreeMap<String, [usize; 3]> =
        names.iter().map(|n| (n.to_string(), [0, 0, 0])).collect();
    let mut differences: Vec<String> = Vec::new();
    for (file, sides) in &results {
        let count = |list: &[(String, usize)]| {
            let mut m: BTreeMap<(String, usize), usize> = BTreeMap::new();
            for key in list {
                *m.entry(key.clone()).or_default() += 1;
            }
            m
        };
        // BuildKit stops at its first error: its warnings on a file it
        // rejects are only those found before, so there only its warnings
        // missing from ours are differences.
        let theirs = count(
            &sides
                .verdict
                .warnings
                .iter()
                .filter(|(rule, _)| names.contains(rule.as_str()))
                .cloned()
                .collect::<Vec<_>>(),
        );
        let ours = count(&sides.ours);
        let keys: BTreeSet<&(String, usize)> = theirs.keys().chain(ours.keys()).collect();
        for key in keys {
            let (rule, line) = key;
            let t = theirs.get(key).copied().unwrap_or(0);
            let o = ours.get(key).copied().unwrap_or(0);
            let row = table.get_mut(rule).unwrap();
            row[0] += t;
            row[1] += o;
            row[2] += t.min(o);
            for _ in o..t {
                differences.push(format!("buildkit {rule} {file}:{line}"));
            }
            if sides.verdict.ok {
                for _ in t..o {
                    differences.push(format!("ours {rule} {file}:{line}"));
                }
            }
        }
        if sides.verdict.ok {
            for (code, line) in &sides.our_errors {
                differences.push(format!("ours-error {code} {file}:{line}"));
            }
        } else if sides.our_errors.is_empty() {
            differences.push(format!(
                "buildkit-error {file}:{}",
                sides.verdict.error_line.unwrap_or(0)
            ));
            eprintln!(
                "BuildKit rejects {file}: {} (no error of ours)",
                sides.verdict.error
            );
        }
    }

    eprintln!(
        "{:<34} {:>8} {:>8} {:>8}",
        "rule", "BuildKit", "ours", "matched"
    );
    for (rule, [theirs, ours, matched]) in &table {
        eprintln!("{rule:<34} {theirs:>8} {ours:>8} {matched:>8}");
    }

    let list_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/buildkit-differences.txt");
    let listed = listed(&list_path);
    let mut seen = BTreeSet::new();
    let mut unlisted = Vec::new();
    for d in &differences {
        // A line may repeat (two findings of one rule on one line): listed once.
        if listed.contains_key(d) {
            seen.insert(d.clone());
        } else {
            unlisted.push(d.clone());
        }
    }
    let gone: Vec<String> = listed
        .iter()
        .filter(|(entry, _)| !seen.contains(*entry))
        .map(|(entry, class)| format!("[{class}] {entry}"))
        .collect();
    if !(unlisted.is_empty() && gone.is_empty()) {
        // Every difference as it is now, to update the file from.
        eprintln!("every difference now:");
        for d in &differences {
            eprintln!("{d}");
        }
    }
    assert!(
        unlisted.is_empty() && gone.is_empty(),
        "{} differences with BuildKit are not in {}:\n{}\n\n{} listed there no longer occur:\n{}",
        unlisted.len(),
        list_path.display(),
        unlisted.join("\n"),
        gone.len(),
        gone.join("\n")
    );
}
