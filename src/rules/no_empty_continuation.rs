//! NoEmptyContinuation: a blank line inside a continued instruction is
//! skipped today, but BuildKit will turn it into an error; it usually hides
//! a forgotten line or joins two instructions by mistake.

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostic_types::{Edit, Fix, Severity};
use crate::document::position;
use tree_sitter::Node;

pub const RULE: Rule = Rule {
    code: "NoEmptyContinuation",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "No empty lines inside a continued instruction",
    check,
};

/// Whether a continuation or comment token holds a blank line after its
/// line break.
fn holds_blank_line(ctx: &Ctx, node: tree_sitter::Node) -> bool {
    position::line_breaks(&ctx.text(node)) >= 2
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for &instruction in ctx.instructions() {
        // an empty continuation line needs at least two more lines
        if position::line_breaks(&ctx.source.text(instruction.byte_range())) < 2 {
            continue;
        }
        let mut stack = vec![instruction];
        let mut empty = false;
        while let Some(node) = stack.pop() {
            match node.kind() {
                // these tokens hold the blank lines that follow them
                "line_continuation" | "comment" => empty |= holds_blank_line(ctx, node),
                "heredoc_block" => {}
                _ => {
                    let mut cursor = node.walk();
                    stack.extend(node.children(&mut cursor));
                }
            }
        }
        if empty {
            out.push(
                Finding::new(last_line_end(ctx, instruction), "Empty continuation line").with_fix(
                    Fix::new("Remove the empty lines", blank_line_edits(ctx, instruction)),
                ),
            );
        }
    }
    between_instructions(ctx, out);
}

/// The last character of an instruction's last line, before any heredoc
/// body (where BuildKit reports it; the character may take several bytes).
fn last_line_end(ctx: &Ctx, instruction: Node) -> std::ops::Range<usize> {
    let mut cursor = instruction.walk();
    let end = instruction
        .children(&mut cursor)
        .find(|c| c.kind() == "heredoc_block")
        .map_or(instruction.end_byte(), |h| h.start_byte());
    let last = ctx
        .source
        .text(instruction.start_byte()..end)
        .chars()
        .last()
        .map_or(0, char::len_utf8);
    end - last..end
}

/// A continuation between instructions (the tree leaves it outside them)
/// that runs into blank lines. BuildKit joins it to the next instruction
/// and reports that instruction's last line; with none after it, the
/// file's last line. Looked for in the scope's parts and the part before
/// the first (its last continuation may lead into the scope's first
/// FROM); what it finds outside the scope is dropped by the incremental
/// runner.
fn between_instructions(ctx: &Ctx, out: &mut Vec<Finding>) {
    let root = ctx.tree.root_node();
    let mut stack: Vec<Node> = Vec::new();
    let first_stage = ctx.scope_stages().start;
    if ctx.scope_has_preamble() || first_stage == 0 {
        let mut cursor = root.walk();
        stack.extend(
            root.named_children(&mut cursor)
                .filter(|n| n.kind() != "stage"),
        );
    }
    let facts = ctx.facts();
    for s in first_stage.saturating_sub(1)..ctx.scope_stages().end {
        stack.push(facts.stage_node(s));
    }
    let mut reported: Vec<std::ops::Range<usize>> = out.iter().map(|f| f.range.clone()).collect();
    while let Some(node) = stack.pop() {
        if node.kind() == "line_continuation" && holds_blank_line(ctx, node) {
            let range = match next_instruction(node) {
                Some(instruction) => last_line_end(ctx, instruction),
                None => {
                    let end = root.end_byte();
                    let last = ctx
                        .source
                        .text(node.start_byte()..end)
                        .chars()
                        .last()
                        .map_or(0, char::len_utf8);
                    end - last..end
                }
            };
            if !reported.contains(&range) {
                reported.push(range.clone());
                out.push(Finding::new(range, "Empty continuation line"));
            }
            continue;
        }
        // Instructions are checked whole; only what lies between them here.
        if !node.kind().ends_with("_instruction") {
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
        }
    }
}

/// The first instruction after `node` in the document.
fn next_instruction(node: Node) -> Option<Node> {
    let mut at = node;
    loop {
        while let Some(next) = at.next_sibling() {
            if let Some(found) = first_instruction_in(next) {
                return Some(found);
            }
            at = next;
        }
        at = at.parent()?;
    }
}

fn first_instruction_in(node: Node) -> Option<Node> {
    if node.kind().ends_with("_instruction") {
        return Some(node);
    }
    let mut cursor = node.walk();
    let children: Vec<Node> = node.children(&mut cursor).collect();
    children.into_iter().find_map(first_instruction_in)
}

/// Edits removing the blank lines inside an instruction's continuations.
fn blank_line_edits(ctx: &Ctx, instruction: tree_sitter::Node) -> Vec<Edit> {
    let text = ctx.text(instruction);
    let start = instruction.start_byte();
    let mut edits = Vec::new();
    let mut offset = 0;
    let mut lines = position::split_lines(&text).peekable();
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
    fn on_the_line_before_the_heredoc_body() {
        let src = "FROM a\nRUN --mount=target=/c \\\n\n  --mount=target=/d <<EOT\nset -ex\nEOT\n";
        assert_eq!(found_by("NoEmptyContinuation", src), [4]);
    }

    #[test]
    fn continued_into_the_end_of_the_file() {
        // BuildKit: on the file's last line.
        assert_eq!(
            found_by("NoEmptyContinuation", "FROM a\nRUN echo \\\n\n"),
            [3]
        );
        assert_eq!(
            found_by("NoEmptyContinuation", "FROM a\nRUN echo \\\n\n\n"),
            [4]
        );
        assert_eq!(
            found_by("NoEmptyContinuation", "FROM a\nRUN echo \\\n  \n"),
            [3]
        );
        assert!(found_by("NoEmptyContinuation", "FROM a\nRUN echo \\\n").is_empty());
    }

    #[test]
    fn a_continuation_between_instructions_reports_the_next_one() {
        // BuildKit joins it to the next instruction: that one's last line.
        let cases: [(&str, &[usize]); 6] = [
            ("FROM a\nRUN x\n\\\n\nRUN y \\\n  z\nRUN w\n", &[6]),
            ("FROM a\nRUN x\n\\\n\nFROM b\nRUN w\n", &[5]),
            ("FROM a\n\\\n\n\\\n\nRUN y\nRUN w\n", &[6]),
            ("FROM a\n\\\n\nRUN y \\\n\n z\nRUN w\n", &[6]),
            ("\\\n\nFROM a\nRUN w\n", &[3]),
            ("FROM a\n\\\n\n# c\nRUN y\nRUN w\n", &[5]),
        ];
        for (src, lines) in cases {
            assert_eq!(found_by("NoEmptyContinuation", src), lines, "{src:?}");
        }
    }

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
    use crate::build_context::Context;
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

    /// The same finding and fix whatever ends the lines: a lone `\r` is a
    /// line break for the grammar, so a blank line after it is one too.
    #[test]
    fn found_and_fixed_with_any_line_breaks() {
        // (the text, what the fix leaves)
        let cases = [
            ("FROM a\nCOPY x \\\n\n  .\n", "FROM a\nCOPY x \\\n  .\n"),
            (
                "FROM a\nRUN a \\\n  \n# c\n\n  b \\\n\n  c\n",
                "FROM a\nRUN a \\\n# c\n  b \\\n  c\n",
            ),
        ];
        for (lf, fixed) in cases {
            for brk in ["\n", "\r", "\r\n"] {
                let src = lf.replace('\n', brk);
                let tree = syntax::parse(&src);
                let analysis = Analysis::build(&tree, src.as_str());
                let found = super::super::run(&tree, &src.as_str(), &analysis, &Context::default());
                let found: Vec<_> = found
                    .iter()
                    .filter(|d| d.code == "NoEmptyContinuation")
                    .collect();
                assert_eq!(found.len(), 1, "{src:?}");
                let mut out = src.clone();
                let mut edits = found[0].fix.clone().expect("a fix").edits;
                edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
                for e in edits {
                    out.replace_range(e.range, &e.text);
                }
                assert_eq!(out, fixed.replace('\n', brk), "{src:?}");
            }
        }
    }
}
