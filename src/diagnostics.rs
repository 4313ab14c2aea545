//! Diagnostics of a document: what the server publishes and `check` prints.

use std::collections::BTreeMap;
use std::ops::Range;

use tree_sitter::Tree;

use crate::analysis::dockerignore::DockerIgnore;
use crate::syntax::{self, Source};

/// What a check knows beyond the Dockerfile's text: build arguments as
/// `--build-arg` gives them, and the build context's `.dockerignore`.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub build_args: BTreeMap<String, String>,
    pub dockerignore: Option<DockerIgnore>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }
}

/// A diagnostic located by byte offsets into the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub range: Range<usize>,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
}

/// The source name diagnostics carry.
pub const SOURCE: &str = "dockerfile-lsp";

/// Every diagnostic of a parsed document, in document order.
pub fn diagnose<S: Source + ?Sized>(
    tree: &Tree,
    source: &S,
    _context: &Context,
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = syntax::syntax_errors(tree, source)
        .into_iter()
        .map(|e| Diagnostic {
            range: e.start_byte..e.end_byte,
            severity: Severity::Error,
            code: "SyntaxError",
            message: e.message,
        })
        .collect();
    if out.is_empty() && !syntax::has_instructions(tree) {
        out.push(Diagnostic {
            range: 0..0,
            severity: Severity::Error,
            code: "NoInstructions",
            message: "the file has no instructions: a Dockerfile needs at least a FROM".into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(src: &str) -> Vec<&'static str> {
        diagnose(&syntax::parse(src), src, &Context::default())
            .iter()
            .map(|d| d.code)
            .collect()
    }

    #[test]
    fn clean_file_has_none() {
        assert!(codes("FROM a\n").is_empty());
    }

    #[test]
    fn empty_and_comment_only_files_have_no_instructions() {
        assert_eq!(codes(""), ["NoInstructions"]);
        assert_eq!(codes("# just a comment\n\n"), ["NoInstructions"]);
    }

    #[test]
    fn syntax_errors_are_errors() {
        assert_eq!(codes("FROM a\nFOO b\n"), ["SyntaxError"]);
    }
}
