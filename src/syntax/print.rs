//! A readable rendering of the syntax tree, for `dockerfile-lsp parse`.

use std::fmt::Write;

use ropey::Rope;
use tree_sitter::{Node, Tree};

use crate::document::position::{to_position, Encoding, Position};

/// The tree as indented S-expressions: named nodes with their field names,
/// 1-based `line:column` ranges (LSP's lines, columns in bytes) and, for
/// leaves, the text.
pub fn print_tree(tree: &Tree, source: &str) -> String {
    let mut out = String::new();
    let text = Text {
        source,
        rope: Rope::from_str(source),
    };
    print_node(tree.root_node(), None, &text, 0, &mut out);
    out
}

struct Text<'s> {
    source: &'s str,
    rope: Rope,
}

impl Text<'_> {
    fn at(&self, byte: usize) -> Position {
        to_position(&self.rope, byte, Encoding::Utf8)
    }
}

fn print_node(node: Node, field: Option<&str>, text: &Text, depth: usize, out: &mut String) {
    let start = text.at(node.start_byte());
    let end = text.at(node.end_byte());
    let _ = write!(out, "{:indent$}", "", indent = depth * 2);
    if let Some(field) = field {
        let _ = write!(out, "{field}: ");
    }
    let kind = if node.is_missing() {
        format!("MISSING {}", node.kind())
    } else {
        node.kind().to_string()
    };
    let _ = write!(
        out,
        "({kind} {}:{}-{}:{}",
        start.line + 1,
        start.character + 1,
        end.line + 1,
        end.character + 1
    );
    if node.named_child_count() == 0 && !node.is_missing() {
        let leaf = &text.source[node.byte_range()];
        let _ = write!(out, " {leaf:?}");
    }
    let mut cursor = node.walk();
    if cursor.goto_first_child() {
        loop {
            let child = cursor.node();
            if child.is_named() || child.is_missing() {
                out.push('\n');
                print_node(child, cursor.field_name(), text, depth + 1, out);
            }
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
    out.push(')');
    if depth == 0 {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Places on LSP's lines: a lone `\r` ends a line too (tree-sitter's
    /// own points count `\n` only).
    #[test]
    fn places_are_the_same_whatever_ends_the_lines() {
        let lf = "FROM alpine AS base\n  RUN echo é\nCMD x\n";
        let printed = |src: &str| print_tree(&crate::syntax::parse(src), src);
        let expected = printed(lf);
        assert!(expected.contains("(run_instruction 2:3-2:14"), "{expected}");
        assert!(expected.contains("(cmd_instruction 3:1-3:6"), "{expected}");
        for brk in ["\r", "\r\n"] {
            let src = lf.replace('\n', brk);
            // the leaves' texts hold the breaks: compare all but them
            let places = |s: &str| -> Vec<String> {
                s.lines()
                    .map(|l| l.split('"').next().unwrap_or("").to_string())
                    .collect()
            };
            assert_eq!(places(&printed(&src)), places(&expected), "{src:?}");
        }
    }
}
