//! An open document: its text in a rope, its syntax tree and its version.
//!
//! LSP changes are applied in order, each one to the text the previous one
//! produced; each becomes a rope edit and a tree-sitter `InputEdit`, and the
//! document is reparsed once per notification, incrementally, reading the
//! rope's chunks (no copy of the whole text).

pub mod position;

use std::ops::Range;

use ropey::Rope;
use tree_sitter::{InputEdit, Parser, Tree};

use crate::syntax;
pub use position::{Encoding, Position};

/// One `contentChanges` entry: a range and its replacement, or (without a
/// range) the whole new text.
#[derive(Clone, Debug)]
pub struct Change {
    pub range: Option<(Position, Position)>,
    pub text: String,
}

/// Documents larger than this many bytes are kept in sync but not parsed
/// (unless the client's `maxFileSize` setting says otherwise).
pub const DEFAULT_MAX_FILE_SIZE: usize = 8 << 20;

pub struct Document {
    rope: Rope,
    tree: Tree,
    version: i32,
    parser: Parser,
    /// Above this size the tree is left empty (see [`Snapshot::oversized`]).
    limit: usize,
    /// Changes with every change of the tree or text (see [`Snapshot::revision`]).
    revision: u64,
}

/// A fresh revision, never given before in this process: documents opened
/// again, or parsed again at the same version, get new ones.
fn next_revision() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// What analysis needs of a document at one version; cheap to clone and to
/// send to another thread (the rope and the tree are shared, not copied).
#[derive(Clone)]
pub struct Snapshot {
    pub rope: Rope,
    pub tree: Tree,
    pub version: i32,
    /// Identifies this text and tree: every edit, and every reparse without
    /// an edit (a new size limit), gives a new one. What is computed from a
    /// snapshot is cached by revision, never by the client's version alone.
    pub revision: u64,
    /// The text's size when it is over the document's size limit: the text
    /// is exact but the tree is empty, so no feature finds anything in it.
    pub oversized: Option<usize>,
}

impl Document {
    pub fn new(text: &str, version: i32) -> Self {
        Document::with_limit(text, version, DEFAULT_MAX_FILE_SIZE)
    }

    /// A document that is parsed only while it is at most `limit` bytes.
    pub fn with_limit(text: &str, version: i32, limit: usize) -> Self {
        let rope = Rope::from_str(text);
        let mut parser = syntax::parser();
        let tree = if rope.len_bytes() > limit {
            parse_rope(&mut parser, &Rope::new(), None)
        } else {
            parse_rope(&mut parser, &rope, None)
        };
        Document {
            rope,
            tree,
            version,
            parser,
            limit,
            revision: next_revision(),
        }
    }

    fn oversized(&self) -> Option<usize> {
        let len = self.rope.len_bytes();
        (len > self.limit).then_some(len)
    }

    /// Changes the size limit, parsing or dropping the tree as it asks.
    pub fn set_limit(&mut self, limit: usize) {
        let was = self.oversized();
        self.limit = limit;
        match (was, self.oversized()) {
            (Some(_), None) => self.tree = parse_rope(&mut self.parser, &self.rope, None),
            (None, Some(_)) => self.tree = parse_rope(&mut self.parser, &Rope::new(), None),
            _ => return,
        }
        self.revision = next_revision();
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            rope: self.rope.clone(),
            tree: self.tree.clone(),
            version: self.version,
            revision: self.revision,
            oversized: self.oversized(),
        }
    }

    /// Applies the changes of one `didChange` notification, in order, and
    /// reparses once. The version is taken as given: clients may skip
    /// versions.
    pub fn apply(&mut self, version: i32, changes: &[Change], encoding: Encoding) {
        // An oversized document's tree is empty: nothing to edit or reuse.
        let mut reuse_tree = self.oversized().is_none();
        for change in changes {
            match change.range {
                None => {
                    // Memory: the old text and tree go before the new ones
                    // are built (at 10,000 stages the tree is ~98 MiB), unless
                    // a snapshot still holds them.
                    if reuse_tree {
                        self.tree = parse_rope(&mut self.parser, &Rope::new(), None);
                    }
                    self.rope = Rope::new();
                    self.rope = Rope::from_str(&change.text);
                    reuse_tree = false;
                }
                Some((start, end)) => {
                    let edit = self.edit(start, end, &change.text, encoding);
                    if reuse_tree {
                        self.tree.edit(&edit);
                    }
                }
            }
        }
        self.version = version;
        self.revision = next_revision();
        if self.oversized().is_some() {
            if reuse_tree {
                self.tree = parse_rope(&mut self.parser, &Rope::new(), None);
            }
            return;
        }
        let old = reuse_tree.then_some(&self.tree);
        self.tree = parse_rope(&mut self.parser, &self.rope, old);
    }

    /// Replaces an LSP range of the rope and returns the matching InputEdit.
    fn edit(
        &mut self,
        start: Position,
        end: Position,
        text: &str,
        encoding: Encoding,
    ) -> InputEdit {
        let a = position::to_byte(&self.rope, start, encoding);
        let b = position::to_byte(&self.rope, end, encoding);
        let Range { start, end } = a.min(b)..a.max(b);
        let start_position = position::to_point(&self.rope, start);
        let old_end_position = position::to_point(&self.rope, end);
        let start_char = self.rope.byte_to_char(start);
        let end_char = self.rope.byte_to_char(end);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, text);
        let new_end = start + text.len();
        InputEdit {
            start_byte: start,
            old_end_byte: end,
            new_end_byte: new_end,
            start_position,
            old_end_position,
            new_end_position: position::to_point(&self.rope, new_end),
        }
    }
}

/// Parses the rope, reading it chunk by chunk.
fn parse_rope(parser: &mut Parser, rope: &Rope, old: Option<&Tree>) -> Tree {
    let len = rope.len_bytes();
    let mut read = |byte: usize, _| -> &[u8] {
        if byte >= len {
            return &[];
        }
        let (chunk, chunk_start, _, _) = rope.chunk_at_byte(byte);
        &chunk.as_bytes()[byte - chunk_start..]
    };
    parser
        .parse_with_options(&mut read, old, None)
        .expect("parsing without a timeout or cancellation flag always yields a tree")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(tree: &Tree) -> String {
        tree.root_node().to_sexp()
    }

    #[test]
    fn every_new_tree_has_a_new_revision() {
        let mut doc = Document::with_limit("FROM a\n", 1, 3);
        let first = doc.revision();
        // a limit that changes nothing keeps the tree and the revision
        doc.set_limit(4);
        assert_eq!(doc.revision(), first);
        // a limit that parses the text: same version, new revision
        doc.set_limit(100);
        assert_ne!(doc.revision(), first);
        assert_eq!(doc.snapshot().revision, doc.revision());
        let parsed = doc.revision();
        doc.apply(2, &[], Encoding::Utf16);
        assert_ne!(doc.revision(), parsed);
        // a document opened again at the same version is another revision
        assert_ne!(
            Document::new("FROM a\n", 1).revision(),
            Document::new("FROM a\n", 1).revision()
        );
    }

    #[test]
    fn an_oversized_document_keeps_its_text_but_no_tree() {
        let mut doc = Document::with_limit("FROM a\n", 1, 10);
        assert_eq!(doc.snapshot().oversized, None);
        let grow = Change {
            range: Some((Position::new(1, 0), Position::new(1, 0))),
            text: "RUN echo hi\n".into(),
        };
        doc.apply(2, &[grow], Encoding::Utf16);
        let snap = doc.snapshot();
        assert_eq!(snap.oversized, Some(19));
        assert_eq!(snap.rope.to_string(), "FROM a\nRUN echo hi\n");
        assert_eq!(snap.tree.root_node().end_byte(), 0);
        // edits keep applying to the text while it is too large
        let shrink = Change {
            range: Some((Position::new(1, 0), Position::new(2, 0))),
            text: String::new(),
        };
        doc.apply(3, &[shrink], Encoding::Utf16);
        assert_eq!(shape(doc.tree()), shape(&syntax::parse("FROM a\n")));
        doc.set_limit(3);
        assert_eq!(doc.snapshot().oversized, Some(7));
        doc.set_limit(100);
        assert_eq!(shape(doc.tree()), shape(&syntax::parse("FROM a\n")));
    }

    #[test]
    fn a_full_replacement_drops_the_old_tree() {
        // over the limit: the text is kept, the old text's tree is not
        let mut doc = Document::with_limit("FROM a\n", 1, 10);
        let whole = |text: &str| Change {
            range: None,
            text: text.into(),
        };
        doc.apply(2, &[whole("FROM alpine AS base\n")], Encoding::Utf16);
        assert_eq!(doc.snapshot().oversized, Some(20));
        assert_eq!(doc.tree().root_node().end_byte(), 0);
        // under it: the new text's tree, parsed from scratch
        doc.apply(3, &[whole("RUN a\n")], Encoding::Utf16);
        assert_eq!(shape(doc.tree()), shape(&syntax::parse("RUN a\n")));
    }

    #[test]
    fn several_changes_apply_in_order() {
        let mut doc = Document::new("FROM a\nRUN x\n", 1);
        doc.apply(
            7,
            &[
                Change {
                    range: Some((Position::new(0, 5), Position::new(0, 6))),
                    text: "alpine AS base".into(),
                },
                // relative to the text after the first change
                Change {
                    range: Some((Position::new(1, 4), Position::new(1, 5))),
                    text: "echo é𝄞".into(),
                },
            ],
            Encoding::Utf16,
        );
        assert_eq!(doc.rope().to_string(), "FROM alpine AS base\nRUN echo é𝄞\n");
        assert_eq!(doc.version(), 7);
        assert_eq!(
            shape(doc.tree()),
            shape(&syntax::parse(&doc.rope().to_string()))
        );
    }

    #[test]
    fn full_replacement_then_range_change() {
        let mut doc = Document::new("FROM a\n", 1);
        doc.apply(
            2,
            &[
                Change {
                    range: None,
                    text: "RUN a\n".into(),
                },
                Change {
                    range: Some((Position::new(0, 0), Position::new(0, 3))),
                    text: "CMD".into(),
                },
            ],
            Encoding::Utf8,
        );
        assert_eq!(doc.rope().to_string(), "CMD a\n");
        assert_eq!(shape(doc.tree()), shape(&syntax::parse("CMD a\n")));
    }

    #[test]
    fn reversed_and_out_of_range_ranges_are_clamped() {
        let mut doc = Document::new("FROM a\n", 1);
        doc.apply(
            2,
            &[Change {
                range: Some((Position::new(9, 9), Position::new(0, 6))),
                text: " AS b".into(),
            }],
            Encoding::Utf16,
        );
        assert_eq!(doc.rope().to_string(), "FROM a AS b");
    }
}
