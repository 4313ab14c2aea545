//! Incremental reparsing is exact: after thousands of random edits applied to
//! corpus files, the edited-and-reparsed tree equals a fresh parse of the same
//! text, node for node, ranges included.

mod common;

use dockerfile_lsp::syntax;
use tree_sitter::{InputEdit, Node, Point, Tree};

use common::Rng;

/// Snippets that stress the scanner: continuations with both escape
/// characters, newlines, heredocs, quotes, JSON, expansions, flags,
/// directives and multi-byte or astral characters.
const SNIPPETS: &[&str] = &[
    "\\",
    "\n",
    "\\\n",
    " \\\n",
    "\r\n",
    " ",
    "\t",
    "`",
    "`\n",
    "# escape=`\n",
    "# syntax=x\n",
    "#",
    "# c\n",
    "é",
    "𝄞",
    "中文",
    "x",
    "RUN ",
    "FROM a AS b\n",
    "COPY --from=b / /\n",
    "<<EOF\n",
    "<<-\"EOF\"\n",
    "EOF\n",
    "\tEOF\n",
    "\"",
    "'",
    "[",
    "]",
    "[\"a\", \"b\"]",
    "$",
    "${",
    "}",
    "${A:-b}",
    "--",
    "--mount=type=cache,target=/x ",
    "=",
    ",",
    ":",
    "@",
    "\n\n",
    "ENV a=b \\\n  c=d\n",
    "ONBUILD ",
    "HEALTHCHECK CMD ",
];

fn point_at(text: &str, byte: usize) -> Point {
    let before = &text.as_bytes()[..byte];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    Point::new(row, byte - line_start)
}

fn char_boundary(text: &str, mut byte: usize) -> usize {
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    byte
}

/// Every node in preorder with its kind, byte range and points.
fn shape(tree: &Tree) -> Vec<String> {
    fn walk(node: Node, out: &mut Vec<String>) {
        out.push(format!(
            "{}{} {:?} {:?}-{:?}",
            if node.is_missing() { "MISSING " } else { "" },
            node.kind(),
            node.byte_range(),
            node.start_position(),
            node.end_position()
        ));
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            walk(child, out);
        }
    }
    let mut out = Vec::new();
    walk(tree.root_node(), &mut out);
    out
}

/// Applies one random edit to `text` and returns the matching InputEdit.
fn random_edit(rng: &mut Rng, text: &mut String) -> InputEdit {
    let len = text.len();
    let start = char_boundary(text, if len == 0 { 0 } else { rng.below(len + 1) });
    let delete = match rng.below(3) {
        0 => 0,
        _ => char_boundary(text, (start + rng.below(12)).min(len)).max(start) - start,
    };
    let insert = match rng.below(4) {
        0 => "",
        _ => SNIPPETS[rng.below(SNIPPETS.len())],
    };
    let start_position = point_at(text, start);
    let old_end_position = point_at(text, start + delete);
    text.replace_range(start..start + delete, insert);
    InputEdit {
        start_byte: start,
        old_end_byte: start + delete,
        new_end_byte: start + insert.len(),
        start_position,
        old_end_position,
        new_end_position: point_at(text, start + insert.len()),
    }
}

#[test]
fn random_edits_reparse_like_a_fresh_parse() {
    let dir = common::shared_dir().join("corpus");
    let files = common::files_under(&dir.join("valid"));
    // Every third file, so that each family of the corpus is represented;
    // DOCKERFILE_LSP_EDIT_STEPS=N runs N edits on every file instead.
    let long_run: Option<usize> = std::env::var("DOCKERFILE_LSP_EDIT_STEPS")
        .ok()
        .and_then(|v| v.parse().ok());
    let picked: Vec<_> = files
        .iter()
        .step_by(if long_run.is_some() { 1 } else { 3 })
        .collect();
    let steps = long_run.unwrap_or(60);
    assert!(picked.len() >= 50);
    let mut parser = syntax::parser();
    let mut fresh_parser = syntax::parser();
    let mut edits = 0;
    for (i, path) in picked.iter().enumerate() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1));
        let mut text = common::read(path);
        let mut tree = parser.parse(&text, None).unwrap();
        for step in 0..steps {
            let before = text.clone();
            let edit = random_edit(&mut rng, &mut text);
            tree.edit(&edit);
            tree = parser.parse(&text, Some(&tree)).unwrap();
            let fresh = fresh_parser.parse(&text, None).unwrap();
            let (ours, theirs) = (shape(&tree), shape(&fresh));
            if ours != theirs {
                let at = ours
                    .iter()
                    .zip(&theirs)
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                panic!(
                    "{} step {step}: incremental parse differs at node {at}\n  incremental: {:?}\n  fresh:       {:?}\nedit: {edit:?}\ntext before:\n{before}\n--- after:\n{text}",
                    path.display(),
                    ours.get(at),
                    theirs.get(at)
                );
            }
            edits += 1;
        }
    }
    assert!(edits >= 3000, "only {edits} edits were checked");
}
