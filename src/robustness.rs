//! Invariants checked on arbitrary input: the fuzz targets (`fuzz/`), the
//! regression tests that replay what they found (`tests/fuzz_regressions.rs`)
//! and the corpus-seeded runs share these. Each check decodes its input
//! from raw bytes, never fails on bad input, and panics with a message
//! naming the broken invariant when the code under test misbehaves.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::analysis::Analysis;
use crate::diagnostics::{diagnose, Context, Edit};
use crate::document::{position, Change, Document, Encoding};
use crate::features::{
    code_actions, completion, folding, hover, navigation, semantic_tokens, split_stages, symbols,
};
use crate::syntax;

/// Reads a fuzzer's bytes as a sequence of small decisions; past the end
/// every read is zero, so any input decodes.
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        let v = (usize::from(self.byte()) << 8) | usize::from(self.byte());
        v % n
    }

    /// Up to `n` bytes, as text (invalid UTF-8 replaced).
    pub fn text(&mut self, n: usize) -> String {
        let n = n.min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        String::from_utf8_lossy(head).into_owned()
    }

    /// What is left, as text.
    pub fn rest(&mut self) -> String {
        self.text(self.data.len())
    }
}

/// An input the edit and feature checks decode as `text` followed by
/// `choices` (how fuzz corpora are seeded from real Dockerfiles). Text
/// beyond 65,535 bytes is cut at a character boundary.
pub fn seed(text: &str, choices: &[u8]) -> Vec<u8> {
    let mut len = text.len().min(u16::MAX as usize);
    while !text.is_char_boundary(len) {
        len -= 1;
    }
    let mut out = (len as u16).to_be_bytes().to_vec();
    out.extend_from_slice(&text.as_bytes()[..len]);
    out.extend_from_slice(choices);
    out
}

/// Text fragments that stress the grammar and the scanner, mixed into the
/// edits the fuzzer makes.
pub const SNIPPETS: &[&str] = &[
    "\\\n",
    "\n",
    "\r\n",
    "\r",
    "`\n",
    "# escape=`\n",
    "# syntax=docker/dockerfile:1\n",
    "# check=skip=all\n",
    "FROM node:20 AS deps\n",
    "FROM deps AS build\n",
    "COPY --from=deps /app/node_modules ./node_modules\n",
    "RUN --mount=type=cache,from=build,target=/x npm ci\n",
    "RUN <<EOF\necho hi\nEOF\n",
    "<<-\"EOF\"\n",
    "EOF\n",
    "ARG NAME=value\n",
    "ENV A=$B C=${D:-e}\n",
    "CMD [\"node\", \"server.js\"]\n",
    "[\"a\", ",
    "$",
    "${",
    "\"",
    "'",
    " AS ",
    "--from=",
    "é",
    "𝄞",
    "\u{2028}",
    "\u{0085}",
    "\t",
    " ",
    "\0",
];

/// Every byte range is inside the text and on character boundaries.
fn assert_range(text: &str, range: &Range<usize>, what: &str) {
    assert!(
        range.start <= range.end
            && range.end <= text.len()
            && text.is_char_boundary(range.start)
            && text.is_char_boundary(range.end),
        "{what}: range {range:?} is not inside the {}-byte text on character boundaries",
        text.len()
    );
}

/// Applies non-overlapping edits (any order) to a text.
fn apply_edits(text: &str, edits: &[Edit], what: &str) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    for pair in sorted.windows(2) {
        assert!(
            pair[0].range.end <= pair[1].range.start,
            "{what}: edits overlap: {:?} and {:?}",
            pair[0].range,
            pair[1].range
        );
    }
    let mut out = text.to_string();
    for edit in sorted.iter().rev() {
        assert_range(text, &edit.range, what);
        out.replace_range(edit.range.clone(), &edit.text);
    }
    out
}

/// The grammar and everything computed from the whole document, on
/// arbitrary bytes: no panic, every range inside the text.
pub fn check_parse(data: &[u8]) {
    // The grammar on the raw bytes (invalid UTF-8 included).
    let mut parser = syntax::parser();
    let raw = parser
        .parse(data, None)
        .expect("parsing without a timeout always yields a tree");
    assert!(
        raw.root_node().end_byte() <= data.len(),
        "root past the end"
    );

    let text = String::from_utf8_lossy(data).into_owned();
    let tree = syntax::parse(&text);
    check_whole_document(&tree, &text);
}

fn check_whole_document(tree: &Tree, text: &str) {
    let analysis = Analysis::build(tree, text);
    let found = diagnose(tree, &text, &analysis, &Context::default());
    for d in &found {
        assert_range(text, &d.range, d.code);
        for r in &d.related {
            assert_range(text, &r.range, d.code);
        }
        if let Some(fix) = &d.fix {
            apply_edits(text, &fix.edits, d.code);
        }
    }
    for stage in &analysis.stages.stages {
        assert_range(text, &stage.range, "stage");
        assert_range(text, &stage.base_range, "stage base");
    }
    for r in &analysis.stages.refs {
        assert_range(text, &r.range, "stage reference");
    }
    for u in &analysis.variables.uses {
        assert_range(text, &u.range, "variable use");
    }
    for s in symbols::document_symbols(tree, text, &analysis.stages) {
        assert_range(text, &s.range, "symbol");
        assert_range(text, &s.selection_range, "symbol selection");
    }
    for (range, _) in folding::folding_ranges(tree) {
        assert_range(text, &range, "folding range");
    }
    let rope = ropey::Rope::from_str(text);
    let tokens = semantic_tokens::tokens(tree, &rope, Encoding::Utf16, None);
    assert_eq!(tokens.len() % 5, 0, "semantic tokens come in fives");
    let _ = syntax::print_tree(tree, text);
}

/// Random edit sequences through [`Document::apply`]: after each
/// notification the document's text equals the text edited directly, and
/// its incrementally reparsed tree equals a fresh parse.
pub fn check_edits(data: &[u8]) {
    let mut input = Bytes::new(data);
    let initial_len = input.below(1 << 16);
    let mut model = input.text(initial_len);
    let mut version = 1;
    let mut doc = Document::new(&model, version);
    let mut steps = 0;
    while !input.is_empty() && steps < 64 {
        steps += 1;
        let encoding = [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32][input.below(3)];
        let count = 1 + input.below(3);
        let mut changes = Vec::new();
        for _ in 0..count {
            let rope = ropey::Rope::from_str(&model);
            let chars = model.chars().count();
            let insert = match input.below(4) {
                0 => {
                    let n = input.below(12);
                    input.text(n)
                }
                1 => String::new(),
                _ => SNIPPETS[input.below(SNIPPETS.len())].to_string(),
            };
            if input.below(40) == 0 {
                model = insert.clone();
                changes.push(Change {
                    range: None,
                    text: insert,
                });
                continue;
            }
            let a = char_byte(&model, input.below(chars + 1));
            let b = char_byte(
                &model,
                (model[..a].chars().count() + input.below(8)).min(chars),
            );
            // A position cannot fall between the `\r` and `\n` of a line
            // break: take the offsets the positions stand for.
            let range = (
                position::to_position(&rope, a, encoding),
                position::to_position(&rope, b, encoding),
            );
            let a = position::to_byte(&rope, range.0, encoding);
            let b = position::to_byte(&rope, range.1, encoding).max(a);
            model.replace_range(a..b, &insert);
            changes.push(Change {
                range: Some(range),
                text: insert,
            });
        }
        version += 1 + input.below(2) as i32;
        doc.apply(version, &changes, encoding);
        assert_eq!(
            doc.rope().to_string(),
            model,
            "the document's text after {changes:?}"
        );
        let fresh = syntax::parse(&model);
        if let Some(difference) = first_difference(doc.tree(), &fresh) {
            panic!("incremental tree differs from a fresh parse after {changes:?}: {difference}");
        }
    }
}

fn char_byte(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(byte, _)| byte)
}

/// Where two trees differ (kind, range, missing), if they do.
pub fn first_difference(a: &Tree, b: &Tree) -> Option<String> {
    fn describe(n: Node) -> String {
        format!(
            "{}{} {:?}",
            n.kind(),
            if n.is_missing() { " (missing)" } else { "" },
            n.byte_range()
        )
    }
    let (mut x, mut y) = (a.walk(), b.walk());
    loop {
        let (n, m) = (x.node(), y.node());
        if n.kind_id() != m.kind_id()
            || n.byte_range() != m.byte_range()
            || n.is_missing() != m.is_missing()
            || n.child_count() != m.child_count()
        {
            return Some(format!("{} against {}", describe(n), describe(m)));
        }
        if x.goto_first_child() {
            y.goto_first_child();
            continue;
        }
        loop {
            if x.goto_next_sibling() {
                y.goto_next_sibling();
                break;
            }
            if !x.goto_parent() {
                return None;
            }
            y.goto_parent();
        }
    }
}

/// Every feature at positions the input picks: no panic, ranges inside
/// the text, rename edits only on references, and fixes and code actions
/// that keep an error-free document error-free.
pub fn check_features(data: &[u8]) {
    let mut input = Bytes::new(data);
    let len = input.below(1 << 16);
    let text = input.text(len);
    let text = text.as_str();
    let tree = syntax::parse(text);
    let analysis = Analysis::build(&tree, text);
    let clean = !tree.root_node().has_error();
    let found = diagnose(&tree, &text, &analysis, &Context::default());
    let rope = ropey::Rope::from_str(text);
    let chars = text.chars().count();
    let mut asked = 0;
    while asked < 16 && (asked == 0 || !input.is_empty()) {
        asked += 1;
        let offset = char_byte(text, input.below(chars + 1));
        if let Some((range, _)) = hover::hover(&tree, text, &analysis, offset) {
            assert_range(text, &range, "hover");
        }
        if let Some(range) = navigation::definition(&tree, &analysis, offset) {
            assert_range(text, &range, "definition");
        }
        let references = navigation::references(&analysis, offset, true);
        for range in &references {
            assert_range(text, range, "references");
        }
        for (range, _) in navigation::highlights(&analysis, offset) {
            assert_range(text, &range, "highlight");
        }
        let completions = completion::complete(&tree, text, &analysis, offset);
        for item in &completions.items {
            assert_range(text, &item.replace, "completion");
        }
        let new_name = ["next", "build2", "x", "", "a b", "Ünï", "1st"][input.below(7)];
        if let Ok(edits) = navigation::rename(&analysis, offset, new_name) {
            for (range, _) in &edits {
                assert!(
                    references.contains(range),
                    "rename at {offset} edits {range:?}, which is not a reference ({references:?})"
                );
            }
            let edits: Vec<Edit> = edits.into_iter().map(|(r, t)| Edit::new(r, t)).collect();
            let renamed = apply_edits(text, &edits, "rename");
            if clean {
                assert!(
                    !syntax::parse(&renamed).root_node().has_error(),
                    "rename at {offset} to {new_name:?} broke the syntax:\n{renamed}"
                );
            }
        }
        let end = char_byte(
            text,
            (text[..offset].chars().count() + input.below(80)).min(chars),
        );
        for action in code_actions::code_actions(&tree, &text, &found, offset..end) {
            let fixed = apply_edits(text, &action.fix.edits, &action.fix.title);
            if clean {
                assert!(
                    !syntax::parse(&fixed).root_node().has_error(),
                    "{} broke the syntax:\n{fixed}",
                    action.fix.title
                );
            }
        }
        let tokens = semantic_tokens::tokens(&tree, &rope, Encoding::Utf16, Some(offset..end));
        assert_eq!(tokens.len() % 5, 0, "semantic tokens come in fives");
    }
    if let Ok(split) = split_stages::split(&tree, &text, None) {
        if clean {
            assert!(
                !syntax::parse(&split.text).root_node().has_error(),
                "the split broke the syntax:\n{}",
                split.text
            );
        }
    }
}

/// The JSON-RPC framing on an arbitrary byte stream: it ends, never
/// panics, and the messages it passes on come from the input.
pub fn check_transport(data: &[u8]) {
    let frames = crate::transport::frames(data);
    let passed: usize = frames.iter().flatten().map(Vec::len).sum();
    assert!(passed <= data.len(), "more message bytes than input");
}
