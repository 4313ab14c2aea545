//! Folding ranges: stages, instructions that span lines, heredocs and
//! blocks of comment lines. Ranges are byte ranges; the server folds the
//! lines they cover.

use std::ops::Range;

use tree_sitter::{Node, Tree};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldKind {
    Region,
    Comment,
}

pub fn folding_ranges(tree: &Tree) -> Vec<(Range<usize>, FoldKind)> {
    let mut out = Vec::new();
    let root = tree.root_node();
    let mut cursor = root.walk();
    let mut comments: Option<Range<usize>> = None;
    let mut last_comment_row = 0;
    for node in root.named_children(&mut cursor) {
        visit(node, &mut out, &mut comments, &mut last_comment_row);
    }
    if let Some(block) = comments {
        out.push((block, FoldKind::Comment));
    }
    out.retain(|(r, _)| r.end > r.start);
    out
}

fn visit(
    node: Node,
    out: &mut Vec<(Range<usize>, FoldKind)>,
    comments: &mut Option<Range<usize>>,
    last_row: &mut usize,
) {
    if node.kind() == "comment" {
        let row = node.start_position().row;
        match comments {
            Some(block) if row == *last_row + 1 => block.end = node.end_byte(),
            _ => {
                if let Some(block) = comments.take() {
                    out.push((block, FoldKind::Comment));
                }
                *comments = Some(node.byte_range());
            }
        }
        *last_row = row;
        return;
    }
    let multi_line = node.end_position().row > node.start_position().row;
    if node.kind() == "stage" {
        out.push((node.byte_range(), FoldKind::Region));
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            visit(child, out, comments, last_row);
        }
        return;
    }
    if crate::syntax::is_instruction_kind(node.kind()) && multi_line {
        out.push((node.byte_range(), FoldKind::Region));
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if child.kind() == "heredoc_block" {
                out.push((child.byte_range(), FoldKind::Region));
            }
        }
    }
}
