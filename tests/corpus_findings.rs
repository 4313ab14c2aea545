//! What users see on real Dockerfiles: every finding of `check` on the
//! shared corpus, one line each, in committed reports
//! (`tests/corpus-findings/*.txt`). The test fails when the findings change,
//! so every change in output is reviewed in the diff. `scripts/corpus-report`
//! (`UPDATE_CORPUS_FINDINGS=1`) writes the reports anew.
//!
//! Each report's header counts the findings per rule, beside the review of
//! them kept by hand in `tests/corpus-findings/review.tsv` (rule, reviewed,
//! judged false, fixed, what was wrong).

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use dockerfile_lsp::cli::check::check_text;
use dockerfile_lsp::config::Config;
use dockerfile_lsp::diagnostics::Context;

/// One report: its name, the corpus folder it covers, and whether every
/// file there is a Dockerfile (the official images' files are named
/// `<path>_Dockerfile`) or only those with a Dockerfile's name.
const REPORTS: &[(&str, &str, bool)] = &[("apps", "apps", false), ("valid", "valid", true)];

/// The corpus as a relative path: finding messages name folders, and the
/// report must read the same wherever the project is checked out.
fn corpus() -> PathBuf {
    common::shared_dir();
    PathBuf::from("../shared/corpus")
}

fn report_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/corpus-findings/{name}.txt"))
}

/// The review kept by hand: rule -> (reviewed, judged false, fixed, note).
fn review() -> BTreeMap<String, [String; 4]> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus-findings/review.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut rows = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split('\t').collect();
        let [rule, reviewed, judged_false, fixed, note] = fields[..] else {
            panic!(
                "{}: expected 5 tab-separated fields: {line:?}",
                path.display()
            );
        };
        rows.insert(
            rule.to_string(),
            [reviewed, judged_false, fixed, note].map(str::to_string),
        );
    }
    rows
}

fn render(name: &str, folder: &str, every_file: bool) -> String {
    let root = corpus().join(folder);
    let files = common::corpus_dockerfiles(&root, every_file);
    let prefix = format!("{}/", corpus().display());
    let mut lines = Vec::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for file in &files {
        let source = common::read(file);
        // The project file is looked up no higher than the corpus folder.
        let (context, _) = Context::load(Some(file), &Config::default(), Some(&root));
        for f in check_text(&file.display().to_string(), &source, &context) {
            let d = &f.diagnostic;
            *counts.entry(d.code.to_string()).or_default() += 1;
            let line = format!(
                "{}:{}:{}: {}[{}]: {}",
                f.file,
                f.line,
                f.column,
                d.severity.as_str(),
                d.code,
                d.message
            );
            lines.push(line.replace(&prefix, ""));
        }
    }
    let review = review();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# dockerfile-lsp check on ../shared/corpus/{folder}/: {} files, {} findings.",
        files.len(),
        lines.len()
    );
    let _ = writeln!(
        out,
        "# Written by scripts/corpus-report and compared by tests/corpus_findings.rs:"
    );
    let _ = writeln!(
        out,
        "# review every change. Findings: this report's count; reviewed, judged false"
    );
    let _ = writeln!(
        out,
        "# and fixed: from review.tsv, over all reports ({name} is one)."
    );
    let _ = writeln!(out, "#");
    let _ = writeln!(
        out,
        "# {:<32} {:>8} {:>8} {:>12} {:>6}  notes",
        "rule", "findings", "reviewed", "judged false", "fixed"
    );
    for (rule, count) in &counts {
        let blank = || String::from("-");
        let [reviewed, judged_false, fixed, note] = review
            .get(rule)
            .cloned()
            .unwrap_or_else(|| [blank(), blank(), blank(), String::new()]);
        let _ = writeln!(
            out,
            "# {rule:<32} {count:>8} {reviewed:>8} {judged_false:>12} {fixed:>6}  {note}"
        );
    }
    out.push('\n');
    for line in lines {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[test]
fn the_findings_on_the_corpus_are_the_reviewed_ones() {
    let update = std::env::var_os("UPDATE_CORPUS_FINDINGS").is_some();
    let mut changed = Vec::new();
    for (name, folder, every_file) in REPORTS {
        let now = render(name, folder, *every_file);
        let path = report_path(name);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if now == committed {
            continue;
        }
        if update {
            std::fs::write(&path, &now).unwrap();
            eprintln!("wrote {}", path.display());
        } else {
            changed.push(diff(&committed, &now, &path));
        }
    }
    assert!(
        changed.is_empty(),
        "the findings on the corpus changed; review them and run scripts/corpus-report:\n{}",
        changed.join("\n")
    );
}

/// The lines only in one side (enough to see what changed).
fn diff(old: &str, new: &str, path: &Path) -> String {
    let old_lines: std::collections::BTreeSet<&str> = old.lines().collect();
    let new_lines: std::collections::BTreeSet<&str> = new.lines().collect();
    let mut out = format!("--- {}\n", path.display());
    for l in old_lines.difference(&new_lines).take(40) {
        let _ = writeln!(out, "- {l}");
    }
    for l in new_lines.difference(&old_lines).take(40) {
        let _ = writeln!(out, "+ {l}");
    }
    out
}
