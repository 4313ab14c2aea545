//! `dockerfile-lsp check [--format human|json|sarif] [--build-arg K=V]... PATH...`
//!
//! Runs the server's diagnostics over files and directories. Exit status: 0
//! when nothing has error severity, 1 when something does, 2 when a path
//! cannot be read or is not text, or a directory holds no Dockerfile (the
//! other files are still checked).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use ropey::Rope;
use serde_json::{json, Value};

use crate::analysis::Analysis;
use crate::config::Config;
use crate::diagnostics::{self, Context, Diagnostic, Severity};
use crate::document::position;
use crate::syntax;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
}

/// One diagnostic located for people: 1-based lines and columns, columns
/// counted in characters.
#[derive(Clone, Debug)]
pub struct Finding {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub diagnostic: Diagnostic,
}

pub fn run(
    paths: &[PathBuf],
    format: Format,
    build_args: &[String],
    fix: bool,
    out: &mut impl Write,
    err: &mut impl Write,
) -> i32 {
    let mut unreadable = false;
    let mut args = BTreeMap::new();
    for arg in build_args {
        match arg.split_once('=') {
            Some((k, v)) if !k.is_empty() => {
                args.insert(k.to_string(), v.to_string());
            }
            None if !arg.is_empty() => {
                // `--build-arg NAME` takes the value from the environment.
                if let Ok(v) = std::env::var(arg) {
                    args.insert(arg.clone(), v);
                }
            }
            _ => {
                let _ = writeln!(
                    err,
                    "check: invalid --build-arg {arg:?}: expected KEY=VALUE"
                );
                return 2;
            }
        }
    }

    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let found = dockerfiles_under(path);
            if found.is_empty() {
                let _ = writeln!(
                    err,
                    "{}: no Dockerfile found in this directory",
                    path.display()
                );
                unreadable = true;
            }
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }

    let mut findings = Vec::new();
    for file in &files {
        let mut source = match super::read_text(file) {
            Ok(source) => source,
            Err(e) => {
                let _ = writeln!(err, "{}: cannot read: {e}", file.display());
                unreadable = true;
                continue;
            }
        };
        let overlay = Config {
            build_args: args.clone(),
            ..Config::default()
        };
        let (context, errors) = Context::load(Some(file), &overlay, None);
        for e in errors {
            let _ = writeln!(err, "{e}");
            unreadable = true;
        }
        if fix {
            let (fixed, count) = apply_fixes(&source, &context);
            if count > 0 {
                match std::fs::write(file, &fixed) {
                    Ok(()) => {
                        let _ = writeln!(err, "{}: fixed {count} problem(s)", file.display());
                        source = fixed;
                    }
                    Err(e) => {
                        let _ = writeln!(err, "{}: cannot write the fixes: {e}", file.display());
                        unreadable = true;
                    }
                }
            }
        }
        findings.extend(check_text(&file.display().to_string(), &source, &context));
    }

    let _ = match format {
        Format::Human => write_human(&findings, files.len(), out),
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&to_json(&findings)).unwrap()
        ),
        Format::Sarif => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&to_sarif(&findings)).unwrap()
        ),
    };

    if unreadable {
        2
    } else if findings
        .iter()
        .any(|f| f.diagnostic.severity == Severity::Error)
    {
        1
    } else {
        0
    }
}

/// The text with every mechanical fix applied (fixes that overlap wait for
/// the next round; a round whose result has new syntax errors is dropped),
/// and how many fixes were applied.
pub fn apply_fixes(source: &str, context: &Context) -> (String, usize) {
    let diagnose = |text: &str| {
        let tree = syntax::parse(text);
        let analysis = Analysis::build(&tree, text);
        diagnostics::diagnose(&tree, &text, &analysis, context)
    };
    let syntax_errors =
        |found: &[Diagnostic]| found.iter().filter(|d| d.code == "SyntaxError").count();
    let mut text = source.to_string();
    let mut applied = 0;
    let mut found = diagnose(&text);
    for _round in 0..10 {
        let mut taken: Vec<std::ops::Range<usize>> = Vec::new();
        let mut edits = Vec::new();
        let mut count = 0;
        for fix in found.iter().filter_map(|d| d.fix.as_ref()) {
            let overlaps = fix.edits.iter().any(|e| {
                taken.iter().any(|t| {
                    e.range.start < t.end.max(t.start + 1)
                        && t.start < e.range.end.max(e.range.start + 1)
                })
            });
            if overlaps {
                continue;
            }
            taken.extend(fix.edits.iter().map(|e| e.range.clone()));
            edits.extend(fix.edits.iter().cloned());
            count += 1;
        }
        if count == 0 {
            break;
        }
        let next = diagnostics::Fix::new("all", edits).apply(&text);
        let next_found = diagnose(&next);
        if syntax_errors(&next_found) > syntax_errors(&found) {
            break;
        }
        text = next;
        found = next_found;
        applied += count;
    }
    (text, applied)
}

/// The diagnostics of one file's text, located for people.
pub fn check_text(file: &str, source: &str, context: &Context) -> Vec<Finding> {
    let tree = syntax::parse(source);
    let rope = Rope::from_str(source);
    let analysis = Analysis::build(&tree, source);
    diagnostics::diagnose(&tree, &source, &analysis, context)
        .into_iter()
        .map(|d| {
            let (line, column) = position::line_column(&rope, d.range.start);
            let (end_line, end_column) = position::line_column(&rope, d.range.end);
            Finding {
                file: file.to_string(),
                line,
                column,
                end_line,
                end_column,
                diagnostic: d,
            }
        })
        .collect()
}

/// Whether a file name is one of the usual Dockerfile names.
pub fn is_dockerfile_name(name: &str) -> bool {
    if crate::analysis::dockerignore::is_ignore_file_name(name) {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
}

/// Dockerfiles under a directory, sorted; hidden directories and
/// `node_modules` are not searched.
pub fn dockerfiles_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !name.starts_with('.') && name != "node_modules" {
                    stack.push(path);
                }
            } else if is_dockerfile_name(&name) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn write_human(findings: &[Finding], files: usize, out: &mut impl Write) -> std::io::Result<()> {
    for f in findings {
        writeln!(
            out,
            "{}:{}:{}: {}[{}]: {}",
            f.file,
            f.line,
            f.column,
            f.diagnostic.severity.as_str(),
            f.diagnostic.code,
            f.diagnostic.message
        )?;
    }
    let count = |s: Severity| {
        findings
            .iter()
            .filter(|f| f.diagnostic.severity == s)
            .count()
    };
    writeln!(
        out,
        "{} error(s), {} warning(s), {} other finding(s) in {files} file(s)",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Information) + count(Severity::Hint)
    )
}

fn to_json(findings: &[Finding]) -> Value {
    Value::Array(
        findings
            .iter()
            .map(|f| {
                json!({
                    "file": f.file,
                    "line": f.line,
                    "column": f.column,
                    "end_line": f.end_line,
                    "end_column": f.end_column,
                    "severity": f.diagnostic.severity.as_str(),
                    "code": f.diagnostic.code,
                    "source": diagnostics::SOURCE,
                    "message": f.diagnostic.message,
                    "fix": f.diagnostic.fix.as_ref().map(|fix| fix.title.as_str()),
                })
            })
            .collect(),
    )
}

/// SARIF 2.1.0, as GitHub code scanning reads it.
fn to_sarif(findings: &[Finding]) -> Value {
    let mut rules: Vec<&str> = findings.iter().map(|f| f.diagnostic.code).collect();
    rules.sort_unstable();
    rules.dedup();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            json!({
                "ruleId": f.diagnostic.code,
                "level": match f.diagnostic.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Information | Severity::Hint => "note",
                },
                "message": { "text": f.diagnostic.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": f.file.replace('\\', "/") },
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": f.end_column,
                        }
                    }
                }]
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "dockerfile-lsp",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules.iter().map(|r| match crate::rules::find(r) {
                        Some(rule) => json!({
                            "id": r,
                            "name": r,
                            "shortDescription": { "text": rule.summary },
                            "helpUri": diagnostics::docs_url(r, &crate::config::Config::default()),
                        }),
                        None => json!({ "id": r, "name": r }),
                    }).collect::<Vec<_>>(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usual_dockerfile_names() {
        for name in [
            "Dockerfile",
            "Containerfile",
            "Dockerfile.dev",
            "api.Dockerfile",
            "x.dockerfile",
            "y.containerfile",
        ] {
            assert!(is_dockerfile_name(name), "{name}");
        }
        for name in [
            "Dockerfile.dockerignore",
            "README.md",
            ".dockerignore",
            "dockerfile-lsp",
        ] {
            assert!(!is_dockerfile_name(name), "{name}");
        }
    }

    #[test]
    fn columns_count_characters() {
        let found = check_text("f", "FROM a:1\n  ÉÉ bar\n", &Context::default());
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line, found[0].column), (2, 3));
        assert_eq!((found[0].end_line, found[0].end_column), (2, 5));
    }
}
