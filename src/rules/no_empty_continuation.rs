//! NoEmptyContinuation: a blank line inside a continued instruction is
//! skipped today, but BuildKit will turn it into an error; it usually hides
//! a forgotten line or joins two instructions by mistake.

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostics::{Edit, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "NoEmptyContinuation",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "No empty lines inside a continued instruction",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for &instruction in ctx.instructions() {
        // an empty continuation line needs at least two more lines
        if instruction.end_position().row < instruction.start_position().row + 2 {
            continue;
        }
        let mut stack = vec![instruction];
        let mut empty = false;
        while let Some(node) = stack.pop() {
            match node.kind() {
                // these tokens hold the blank lines that follow them
                "line_continuation" | "comment" => {
                    let text = ctx.text(node);
                    let after_break = text.find('\n').map_or("", |i| &text[i + 1..]);
                    empty |= after_break.contains('\n');
                }
                "heredoc_block" => {}
                _ => {
                    let mut cursor = node.walk();
                    stack.extend(node.children(&mut cursor));
                }
            }
        }
        if empty {
            // BuildKit reports it on the instruction's last line: the
            // range is its last character (which may take several bytes).
            let end = instruction.end_byte();
            let last = ctx
                .text(instruction)
                .chars()
                .last()
                .map_or(0, char::len_utf8);
            out.push(
                Finding::new(end - last..end, "Empty continuation line").with_fix(Fix::new(
                    "Remove the empty lines",
                    blank_line_edits(ctx, instruction),
                )),
            );
        }
    }
}

/// Edits removing the blank lines inside an instruction's continuations.
fn blank_line_edits(ctx: &Ctx, instruction: tree_sitter::Node) -> Vec<Edit> {
    let text = ctx.text(instruction);
    let start = instruction.start_byte();
    let mut edits = Vec::new();
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n').peekable();
    let mut first = true;
    while let Some(line) = lines.next() {
        // a blank line that continues to a next line (never the first line)
        if !first && line.trim().is_empty() && lines.peek().is_some() {
            edits.push(Edit::new(start + offset..start + offset + line.len(), ""));
        }
        first = false;
        offset += line.len();
    }
    edits
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn bad_and_good() {
        assert_eq!(
            found_by("NoEmptyContinuation", "FROM a\nCOPY x \\\n\n  .\n"),
            [4]
        );
        assert!(found_by("NoEmptyContinuation", "FROM a\nCOPY x \\\n# note\n  .\n").is_empty());
    }
}

#[cfg(test)]
mod range_tests {
    use crate::analysis::Analysis;
    use crate::diagnostics::Context;
    use crate::syntax;

    #[test]
    fn the_range_covers_a_whole_last_character() {
        let src = "FROM a\nRUN echo \\\n\n  é";
        let tree = syntax::parse(src);
        let analysis = Analysis::build(&tree, src);
        let found = super::super::run(&tree, &src, &analysis, &Context::default());
        let d = found
            .iter()
            .find(|d| d.code == "NoEmptyContinuation")
            .expect("reported");
        assert_eq!(&src[d.range.clone()], "é");
    }
}
