//! The document cut into parts that whole-document features (outline,
//! semantic tokens) compute one at a time and keep: each child of the root
//! (a stage, or what comes before the first FROM: a directive, a comment, an
//! instruction). A part's result is kept with the text of the whole lines
//! it is on and positioned relative to its first line, so after an edit only
//! the parts whose lines changed are computed again; the others are reused,
//! shifted to the line they are now on.
//!
//! What a part's result depends on, and so what must match for it to be
//! reused: the text of its lines (compared in full, not only by hash), where
//! the node starts and ends in them, the node's kind, size in nodes and
//! whether it holds an error (all read in constant time from the tree), and
//! the document's parser directives (`# escape=` changes how every line
//! parses).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

use ropey::Rope;
use tree_sitter::{Node, Tree};

use crate::document::position::{Encoding, LineCursor};

/// One part of the document.
pub struct Part<'t> {
    pub node: Node<'t>,
    /// The whole lines the node is on: from the start of its first line to
    /// the start of the line after its last byte.
    pub lines: Range<usize>,
    /// The number of its first line.
    pub line: u32,
    key: Key,
}

/// What identifies a part's result, with the text of its lines.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct Key {
    text_hash: u64,
    context: u64,
    len: usize,
    /// The node's range inside its lines.
    start: usize,
    end: usize,
    kind: u16,
    descendants: usize,
    has_error: bool,
}

/// The document's parts, in order.
pub fn parts<'t>(tree: &'t Tree, rope: &Rope) -> Vec<Part<'t>> {
    let root = tree.root_node();
    let mut context = DefaultHasher::new();
    let mut lines = LineCursor::new(rope, Encoding::Utf8);
    let mut cursor = root.walk();
    let mut out: Vec<Part> = Vec::with_capacity(root.child_count() as usize);
    for node in root.children(&mut cursor) {
        let range = node.byte_range();
        if node.kind() == "parser_directive" {
            hash_text(rope, range.clone(), &mut context);
        }
        lines.seek(range.start);
        let (first, start) = (lines.line(), lines.line_start());
        let end = if range.end > range.start {
            lines.seek(range.end - 1);
            lines.next_line_start()
        } else {
            lines.next_line_start()
        };
        let mut text = DefaultHasher::new();
        hash_text(rope, start..end, &mut text);
        out.push(Part {
            node,
            lines: start..end,
            line: first,
            key: Key {
                text_hash: text.finish(),
                context: 0,
                len: end - start,
                start: range.start - start,
                end: range.end - start,
                kind: node.kind_id(),
                descendants: node.descendant_count(),
                has_error: node.has_error(),
            },
        });
    }
    let context = context.finish();
    for part in &mut out {
        part.key.context = context;
    }
    out
}

fn hash_text(rope: &Rope, range: Range<usize>, hasher: &mut DefaultHasher) {
    for chunk in rope.byte_slice(range).chunks() {
        hasher.write(chunk.as_bytes());
    }
}

/// Whether the rope's `range` holds exactly `text`.
fn same_text(rope: &Rope, range: Range<usize>, text: &[u8]) -> bool {
    if range.len() != text.len() {
        return false;
    }
    let mut at = 0;
    for chunk in rope.byte_slice(range).chunks() {
        let bytes = chunk.as_bytes();
        if text[at..at + bytes.len()] != *bytes {
            return false;
        }
        at += bytes.len();
    }
    true
}

struct Entry<T> {
    text: Box<[u8]>,
    value: Arc<T>,
}

/// Results kept per part: those of the parts of the last computation.
pub struct Cache<T> {
    entries: HashMap<Key, Arc<Entry<T>>>,
}

impl<T> Default for Cache<T> {
    fn default() -> Self {
        Cache {
            entries: HashMap::new(),
        }
    }
}

impl<T> Clone for Cache<T> {
    fn clone(&self) -> Self {
        Cache {
            entries: self.entries.clone(),
        }
    }
}

impl<T> Cache<T> {
    /// How many parts it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The result of `part`: the one kept here if its lines are unchanged,
    /// else `compute`d. Either way it is kept in `next`, the cache of this
    /// computation (so a cache holds only what the document still has).
    /// Returns whether it was reused.
    pub fn get(
        &self,
        next: &mut Cache<T>,
        rope: &Rope,
        part: &Part,
        compute: impl FnOnce() -> T,
    ) -> (Arc<T>, bool) {
        if let Some(entry) = next.entries.get(&part.key) {
            if same_text(rope, part.lines.clone(), &entry.text) {
                return (entry.value.clone(), true);
            }
        }
        if let Some(entry) = self.entries.get(&part.key) {
            if same_text(rope, part.lines.clone(), &entry.text) {
                let value = entry.value.clone();
                next.entries.insert(part.key, entry.clone());
                return (value, true);
            }
        }
        let value = Arc::new(compute());
        let mut text = Vec::with_capacity(part.lines.len());
        for chunk in rope.byte_slice(part.lines.clone()).chunks() {
            text.extend_from_slice(chunk.as_bytes());
        }
        next.entries.insert(
            part.key,
            Arc::new(Entry {
                text: text.into_boxed_slice(),
                value: value.clone(),
            }),
        );
        (value, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    fn parts_of(text: &str) -> (Rope, Tree) {
        (Rope::from_str(text), syntax::parse(text))
    }

    #[test]
    fn parts_are_the_roots_children_on_whole_lines() {
        let text = "# syntax=docker/dockerfile:1\nARG A=1\nFROM a AS x\nRUN b\n\nFROM x\r\nCMD c";
        let (rope, tree) = parts_of(text);
        let found = parts(&tree, &rope);
        let lines: Vec<(u32, &str)> = found
            .iter()
            .map(|p| (p.line, &text[p.lines.clone()]))
            .collect();
        assert_eq!(
            lines,
            [
                (0, "# syntax=docker/dockerfile:1\n"),
                (1, "ARG A=1\n"),
                (2, "FROM a AS x\nRUN b\n\n"),
                (5, "FROM x\r\nCMD c"),
            ]
        );
    }

    #[test]
    fn a_part_is_reused_while_its_lines_and_context_are_unchanged() {
        let text = "FROM a AS x\nRUN b\nFROM x\nRUN c\n";
        let (rope, tree) = parts_of(text);
        let old: Cache<String> = Cache::default();
        let mut first = Cache::default();
        for part in parts(&tree, &rope) {
            let (_, reused) = old.get(&mut first, &rope, &part, || String::from("x"));
            assert!(!reused);
        }
        assert_eq!(first.len(), 2);
        // the second stage moved a line down, the first changed
        let text = "FROM a AS x\nRUN b b\n\nFROM x\nRUN c\n";
        let (rope, tree) = parts_of(text);
        let mut second = Cache::default();
        let reused: Vec<bool> = parts(&tree, &rope)
            .iter()
            .map(|p| first.get(&mut second, &rope, p, String::new).1)
            .collect();
        assert_eq!(reused, [false, true]);
        assert_eq!(second.len(), 2);
        // a new escape character: nothing is reused
        let text = format!("# escape=`\n{text}");
        let (rope, tree) = parts_of(&text);
        let mut third = Cache::default();
        let reused = parts(&tree, &rope)
            .iter()
            .filter(|p| second.get(&mut third, &rope, p, String::new).1)
            .count();
        assert_eq!(reused, 0);
    }
}
