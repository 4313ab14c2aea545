//! Diagnostics of a document: what the server publishes and `check` prints.
//!
//! The runner, on top of the rules: syntax errors, then the rules, merged.
//! What a diagnostic is ([`crate::diagnostic_types`]) and what a check
//! knows of the files around it ([`crate::build_context`]) live in modules
//! below the rules; they are re-exported here under their old paths.

use tree_sitter::Tree;

use crate::analysis::Analysis;
pub use crate::build_context::{files_stamp, BuildContext, Context};
use crate::config::Config;
pub use crate::diagnostic_types::{Diagnostic, Edit, Fix, Related, Severity};
use crate::syntax::{self, Source};

/// The page that documents a rule, under the configured base address.
pub fn docs_url(code: &str, config: &Config) -> String {
    let base = config.docs_base_url.as_deref().unwrap_or(DOCS_BASE_URL);
    let sep = if base.ends_with('/') { "" } else { "/" };
    format!("{base}{sep}{code}.md")
}

/// Where the rule pages (`docs/rules/`) are published.
pub const DOCS_BASE_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/rules/");

/// The source name diagnostics carry.
pub const SOURCE: &str = "dockerfile-lsp";

/// Every diagnostic of a parsed document, in document order.
pub fn diagnose(
    tree: &Tree,
    source: &(dyn Source + Sync),
    analysis: &Analysis,
    context: &Context,
) -> Vec<Diagnostic> {
    diagnose_until(tree, source, analysis, context, &|| false).unwrap_or_default()
}

/// [`diagnose`], giving up (`None`) once `cancelled` says the result is no
/// longer wanted (a newer version of the document arrived).
pub fn diagnose_until(
    tree: &Tree,
    source: &(dyn Source + Sync),
    analysis: &Analysis,
    context: &Context,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<Diagnostic>> {
    let rules = crate::rules::run_until(tree, source, analysis, context, cancelled)?;
    Some(with_syntax_errors(
        tree,
        syntax::syntax_errors(tree, source),
        rules,
    ))
}

/// [`diagnose_until`], reusing what an earlier run on a revision of the
/// same document found in the parts an edit did not touch
/// ([`crate::rules::incremental`]); `context_id` names `context` (change
/// it when the configuration or the files change). Equal to
/// [`diagnose_until`]'s result.
pub fn diagnose_incremental(
    tree: &Tree,
    source: &(dyn Source + Sync),
    analysis: &Analysis,
    context: &Context,
    context_id: u64,
    previous: Option<&RuleCache>,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<(Vec<Diagnostic>, RuleCache, crate::rules::incremental::Reuse)> {
    let (rules, errors, cache, reuse) = crate::rules::incremental::run_until(
        tree, source, analysis, context, context_id, previous, cancelled,
    )?;
    Some((with_syntax_errors(tree, errors, rules), cache, reuse))
}

pub use crate::rules::incremental::RuleCache;

/// The syntax errors, then the rules' findings merged into them, in
/// document order.
fn with_syntax_errors(
    tree: &Tree,
    errors: Vec<syntax::SyntaxError>,
    rules: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = errors
        .into_iter()
        .map(|e| Diagnostic {
            range: e.start_byte..e.end_byte,
            severity: Severity::Error,
            code: "SyntaxError",
            fix: e.suggestion.map(|(range, text)| Fix {
                title: format!("Change to {text}"),
                edits: vec![Edit::new(range, text)],
            }),
            message: e.message,
            related: Vec::new(),
        })
        .collect();
    if out.is_empty() && !syntax::has_instructions(tree) {
        out.push(Diagnostic {
            range: 0..0,
            severity: Severity::Error,
            code: "NoInstructions",
            message: "the file has no instructions: a Dockerfile needs at least a FROM".into(),
            related: Vec::new(),
            fix: None,
        });
    }
    let syntax_count = out.len();
    for finding in rules {
        merge_or_push(&mut out, syntax_count, finding);
    }
    // In document order; at one place the syntax errors first, then the
    // rules in the registry's order (each rule's findings in its own).
    let registry = crate::rules::registry();
    let rank = |code: &str| registry.iter().position(|r| r.code == code).unwrap_or(0) + 1;
    let mut keyed: Vec<((usize, usize, usize), Diagnostic)> = out
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let r = if i < syntax_count { 0 } else { rank(d.code) };
            ((d.range.start, d.range.end, r), d)
        })
        .collect();
    keyed.sort_by_key(|(key, _)| *key);
    keyed.into_iter().map(|(_, d)| d).collect()
}

/// Adds a rule's finding, unless it is an error on text a syntax error
/// (BuildKit's own message) already covers: then the syntax error keeps
/// BuildKit's words and takes the rule's code (its documentation), related
/// places and fix, so one mistake shows once.
fn merge_or_push(out: &mut Vec<Diagnostic>, syntax_count: usize, finding: Diagnostic) {
    let overlaps = |d: &Diagnostic| {
        d.range.start < finding.range.end.max(finding.range.start + 1)
            && finding.range.start < d.range.end.max(d.range.start + 1)
    };
    if finding.severity == Severity::Error {
        if let Some(syntax) = out[..syntax_count].iter_mut().find(|d| overlaps(d)) {
            if syntax.code == "SyntaxError" {
                syntax.code = finding.code;
            }
            syntax.related.extend(finding.related);
            if syntax.fix.is_none() {
                syntax.fix = finding.fix;
            }
            return;
        }
    }
    out.push(finding);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every diagnostic of `src`, with no files around it.
    fn found(src: &str) -> Vec<Diagnostic> {
        let tree = syntax::parse(src);
        diagnose(
            &tree,
            &src,
            &Analysis::build(&tree, src),
            &Context::default(),
        )
    }

    fn codes(src: &str) -> Vec<&'static str> {
        found(src).iter().map(|d| d.code).collect()
    }

    #[test]
    fn clean_file_has_none() {
        assert!(codes("FROM a:1\n").is_empty());
    }

    #[test]
    fn a_rule_error_on_a_syntax_error_shows_once_in_buildkit_words() {
        let src = "FROM alpine:3 AS a\nCOPY --from=b /x /y\nFROM alpine:3 AS b\n";
        let found = found(src);
        let on_b: Vec<&Diagnostic> = found.iter().filter(|d| d.range.start == 31).collect();
        assert_eq!(on_b.len(), 1, "{found:?}");
        assert_eq!(on_b[0].code, "UnknownStage");
        assert!(on_b[0].message.starts_with("cannot copy from stage \"b\""));
        // The rule's pointer to the later stage is kept.
        assert_eq!(on_b[0].related.len(), 1, "{found:?}");
    }

    #[test]
    fn empty_and_comment_only_files_have_no_instructions() {
        assert_eq!(codes(""), ["NoInstructions"]);
        assert_eq!(codes("# just a comment\n\n"), ["NoInstructions"]);
    }

    #[test]
    fn syntax_errors_are_errors() {
        assert_eq!(codes("FROM a:1\nFOO b\n"), ["SyntaxError"]);
    }

    #[test]
    fn a_copy_left_without_paths_by_error_recovery_does_not_panic() {
        // (Found by the random edits of tests/incremental.rs.)
        let codes = codes("COPY --li,nk --from=publENTRYPOIN<<EOF");
        assert!(codes.contains(&"SyntaxError"), "{codes:?}");
    }

    #[test]
    fn an_expansion_continued_onto_the_next_line_does_not_panic() {
        // (Found by the random edits of tests/incremental.rs.)
        let codes = codes("FROM --platform=${BUILDP\\\nFORM} alpine:3 AS b\nRUN x\n");
        assert!(!codes.is_empty(), "{codes:?}");
    }

    #[test]
    fn a_misspelled_flag_has_a_fix() {
        let src = "FROM a:1\nCOPY --chwon=1000 . .\n";
        let found = found(src);
        let error = found.iter().find(|d| d.code == "SyntaxError").unwrap();
        assert_eq!(&src[error.range.clone()], "--chwon=1000");
        let fix = error.fix.as_ref().expect("a fix");
        assert_eq!(fix.edits, [Edit::new(14..21, "--chown")]);
    }
}
