//! `dockerfile-lsp parse [--quiet] FILE...`

use std::io::Write;
use std::path::PathBuf;

use ropey::Rope;

use crate::document::position;
use crate::syntax;

/// Exit code: 0 when every file parses clean, 1 when any has a syntax
/// error, 2 when a file cannot be read (the other files are still parsed).
pub fn run(files: &[PathBuf], quiet: bool, out: &mut impl Write, err: &mut impl Write) -> i32 {
    let mut code = 0;
    for path in files {
        let source = match super::read_text(path) {
            Ok(source) => source,
            Err(e) => {
                let _ = writeln!(err, "{}: cannot read: {e}", path.display());
                code = 2;
                continue;
            }
        };
        let tree = syntax::parse(&source);
        let errors = syntax::syntax_errors(&tree, source.as_str());
        if !errors.is_empty() && code == 0 {
            code = 1;
        }
        if quiet {
            let rope = Rope::from_str(&source);
            for e in &errors {
                let (line, col) = position::line_column(&rope, e.start_byte);
                let _ = writeln!(
                    out,
                    "{}:{line}:{col}: syntax error: {}",
                    path.display(),
                    e.message
                );
            }
        } else {
            if files.len() > 1 {
                let _ = writeln!(out, "{}", path.display());
            }
            let _ = write!(out, "{}", syntax::print_tree(&tree, &source));
        }
    }
    code
}
