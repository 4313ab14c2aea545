//! A readable rendering of the syntax tree, for `dockerfile-lsp parse`.

use std::fmt::Write;

use tree_sitter::{Node, Tree};

/// The tree as indented S-expressions: named nodes with their field names,
/// 1-based `line:column` ranges (columns in bytes) and, for leaves, the text.
pub fn print_tree(tree: &Tree, source: &str) -> String {
    let mut out = String::new();
    print_node(tree.root_node(), None, source, 0, &mut out);
    out
}

fn print_node(node: Node, field: Option<&str>, source: &str, depth: usize, out: &mut String) {
    let start = node.start_position();
    let end = node.end_position();
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
        start.row + 1,
        start.column + 1,
        end.row + 1,
        end.column + 1
    );
    if node.named_child_count() == 0 && !node.is_missing() {
        let text = &source[node.byte_range()];
        let _ = write!(out, " {text:?}");
    }
    let mut cursor = node.walk();
    if cursor.goto_first_child() {
        loop {
            let child = cursor.node();
            if child.is_named() || child.is_missing() {
                out.push('\n');
                print_node(child, cursor.field_name(), source, depth + 1, out);
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
