//! Text of nodes as BuildKit sees it.

use tree_sitter::Node;

use super::Source;
use crate::document::position;

/// The text of `node` with line continuations removed, as BuildKit joins a
/// logical line: the escape character and the line break go, and so do the
/// comment lines and blank lines inside the continuation. Heredoc bodies
/// are not part of the logical line and are left out.
pub fn logical_text<S: Source + ?Sized>(node: Node, source: &S) -> String {
    let mut removed = Vec::new();
    collect_removed(node, source, &mut removed);
    if removed.is_empty() {
        return source.text(node.byte_range()).into_owned();
    }
    let mut out = String::with_capacity(node.byte_range().len());
    let mut pos = node.start_byte();
    for (start, end) in removed {
        if start < pos {
            continue;
        }
        out.push_str(&source.text(pos..start));
        pos = skip_blank_lines(source, end, node.end_byte());
    }
    if pos < node.end_byte() {
        out.push_str(&source.text(pos..node.end_byte()));
    }
    out
}

/// Byte ranges inside `node` that are not part of its logical line, in order.
fn collect_removed<S: Source + ?Sized>(node: Node, source: &S, out: &mut Vec<(usize, usize)>) {
    let ids = super::ids::ids();
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        let id = child.kind_id();
        let kind = if id == ids.line_continuation || id == ids.comment {
            "removed"
        } else if id == ids.heredoc_block {
            "heredoc_block"
        } else {
            ""
        };
        match kind {
            // A continuation or a comment inside one may end with the
            // indentation of the next line, which stays in the logical line.
            "removed" => {
                let text = source.text(child.byte_range());
                let last_line = position::line_start(&text, text.len());
                let end = if last_line == 0 {
                    child.end_byte()
                } else {
                    child.start_byte() + last_line
                };
                out.push((child.start_byte(), end));
            }
            "heredoc_block" => out.push((child.start_byte(), child.end_byte())),
            _ if child.child_count() > 0 => collect_removed(child, source, out),
            _ => {}
        }
    }
}

/// From `pos` (a line start after a continuation), skips lines that hold
/// only blanks; BuildKit drops them from the logical line.
fn skip_blank_lines<S: Source + ?Sized>(source: &S, mut pos: usize, limit: usize) -> usize {
    let text = source.text(pos..limit);
    let bytes = text.as_bytes();
    let base = pos;
    let limit = limit - base;
    pos = 0;
    loop {
        let mut i = pos;
        while i < limit && (bytes[i] == b' ' || bytes[i] == b'\t') {
            i += 1;
        }
        if i < limit && (bytes[i] == b'\n' || bytes[i] == b'\r') {
            if bytes[i] == b'\r' && i + 1 < limit && bytes[i + 1] == b'\n' {
                i += 1;
            }
            pos = i + 1;
        } else {
            return base + pos;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_instruction_text(src: &str) -> String {
        let tree = crate::syntax::parse(src);
        let node = tree.root_node().named_child(0).unwrap();
        logical_text(node, src)
    }

    #[test]
    fn joins_continued_lines() {
        assert_eq!(
            first_instruction_text("RUN echo hello \\\n  world\n"),
            "RUN echo hello   world"
        );
    }

    #[test]
    fn drops_comment_and_blank_lines_inside_a_continuation() {
        assert_eq!(
            first_instruction_text("RUN a \\\n# note\n\n   \nb\n"),
            "RUN a b"
        );
    }

    #[test]
    fn glues_a_word_split_by_a_continuation() {
        assert_eq!(
            first_instruction_text("ENV A hello\\\n\\\nworld\n"),
            "ENV A helloworld"
        );
    }

    /// The same logical line whichever break ends the lines (a lone `\r`
    /// included, which the grammar reads as one).
    #[test]
    fn the_same_text_whatever_ends_the_lines() {
        for (src, logical) in [
            ("RUN echo hello \\\n  world\n", "RUN echo hello   world"),
            ("RUN a \\\n# note\n\n   \nb\n", "RUN a b"),
            ("ENV A hello\\\n\\\nworld\n", "ENV A helloworld"),
        ] {
            for brk in ["\n", "\r", "\r\n"] {
                let src = src.replace('\n', brk);
                assert_eq!(first_instruction_text(&src), logical, "{src:?}");
            }
        }
    }

    #[test]
    fn follows_the_backtick_escape_directive() {
        let src = "# escape=`\nRUN dir `\n  C:\\\n";
        let tree = crate::syntax::parse(src);
        let node = tree.root_node().named_child(1).unwrap();
        assert_eq!(logical_text(node, src), "RUN dir   C:\\");
    }
}
