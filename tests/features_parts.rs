//! The outline and the semantic tokens computed per part and kept across
//! edits (`symbols::outline`, `semantic_tokens::tokens_cached`) equal the
//! from-scratch computation the server answered with before
//! (`document_symbols` located with `position::to_position`, and
//! `semantic_tokens::tokens`) after every one of many random edits, on
//! generated files and on the corpus, in each position encoding. Long form:
//! `FEATURES_PARTS_EDITS=20000 cargo test --release --test features_parts`.

mod common;

use dockerfile_lsp::analysis::Analysis;
use dockerfile_lsp::document::position::{self, Encoding};
use dockerfile_lsp::document::{Change, Document};
use dockerfile_lsp::features::semantic_tokens::{self, TokenCache};
use dockerfile_lsp::features::symbols::{self, Located, Symbol, SymbolCache};
use ropey::Rope;

#[path = "../benches/support/generated.rs"]
mod support;

/// A small deterministic generator (xorshift), so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Pieces of Dockerfile text an edit inserts: whole stages and lines,
/// fragments that split or join lines, continuations, heredocs, comments,
/// directives, CR-only and CRLF breaks, and non-ASCII text.
const PIECES: &[&str] = &[
    "x",
    " ",
    "\n",
    "\r\n",
    "\r",
    "\\\n",
    "FROM alpine AS extra\n",
    "FROM stage1\nRUN echo é 𝄞\n",
    "RUN <<EOF\nline one\nEOF\n",
    "# a comment\n",
    "# escape=`\n",
    "# syntax=docker/dockerfile:1\n",
    "ENV A=\"x $B y\" \\\n  C=2\n",
    "COPY --from=stage0 /a /b\n",
    "ARG V=1\n",
    "  FROM scratch\n",
    "\"",
    "${",
    "é",
    "𝄞",
    "[\"a\", ",
    "--mount=type=cache,target=/x ",
];

/// One random edit of `text`, as an LSP change in `encoding`.
fn random_change(rng: &mut Rng, rope: &Rope, encoding: Encoding) -> Change {
    let len = rope.len_bytes();
    let char_at = |rng: &mut Rng| rope.char_to_byte(rng.below(rope.len_chars() + 1));
    let start = char_at(rng);
    let (start, end) = match rng.below(4) {
        // an insertion
        0 | 1 => (start, start),
        // a short deletion or replacement
        2 => {
            let end =
                rope.char_to_byte((rope.byte_to_char(start) + rng.below(4)).min(rope.len_chars()));
            (start, end)
        }
        // a longer one, across lines and stages
        _ => {
            let end = rope
                .char_to_byte((rope.byte_to_char(start) + rng.below(400)).min(rope.len_chars()));
            (start, end.min(len))
        }
    };
    let text = if rng.below(3) == 0 && start != end {
        String::new()
    } else {
        PIECES[rng.below(PIECES.len())].to_string()
    };
    Change {
        range: Some((
            position::to_position(rope, start, encoding),
            position::to_position(rope, end, encoding),
        )),
        text,
    }
}

/// `document_symbols` located as the server located it before.
fn from_scratch(rope: &Rope, s: Symbol, encoding: Encoding) -> Located {
    let at = |b: usize| position::to_position(rope, b, encoding);
    Located {
        name: s.name,
        detail: s.detail,
        kind: s.kind,
        range: at(s.range.start)..at(s.range.end),
        selection_range: at(s.selection_range.start)..at(s.selection_range.end),
        children: s
            .children
            .into_iter()
            .map(|c| from_scratch(rope, c, encoding))
            .collect(),
    }
}

/// Edits `text` `edits` times at random, checking both features after each
/// edit against the from-scratch result; returns how many parts were reused
/// in all.
fn check(name: &str, text: &str, seed: u64, edits: usize) -> usize {
    let mut rng = Rng(seed | 1);
    let mut doc = Document::new(text, 0);
    let mut token_cache = TokenCache::default();
    let mut symbol_cache = SymbolCache::default();
    let mut reused = 0;
    for edit in 0..=edits {
        // the encoding changes now and then: nothing kept in another is used
        let encoding = [Encoding::Utf16, Encoding::Utf8, Encoding::Utf32][(edit / 7) % 3];
        if edit > 0 {
            let change = random_change(&mut rng, doc.rope(), encoding);
            doc.apply(edit as i32, &[change], encoding);
        }
        let (tree, rope) = (doc.tree(), doc.rope());
        let expected = semantic_tokens::tokens(tree, rope, encoding, None);
        let (found, kept, hits) =
            semantic_tokens::tokens_cached(tree, rope, encoding, &token_cache);
        assert!(
            found == expected,
            "{name} (seed {seed}), edit {edit}: semantic tokens differ\n{}",
            rope
        );
        token_cache = kept;
        reused += hits;

        let analysis = Analysis::build(tree, rope);
        let expected: Vec<Located> = symbols::document_symbols(tree, rope, &analysis.stages)
            .into_iter()
            .map(|s| from_scratch(rope, s, encoding))
            .collect();
        let (found, kept, hits) =
            symbols::outline(tree, rope, &analysis.stages, encoding, &symbol_cache);
        assert!(
            found == expected,
            "{name} (seed {seed}), edit {edit}: outline differs\n{}",
            rope
        );
        symbol_cache = kept;
        reused += hits;
    }
    reused
}

fn edits(default: usize) -> usize {
    std::env::var("FEATURES_PARTS_EDITS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

#[test]
fn generated_files_after_random_edits() {
    let text = support::generated(40);
    let mut reused = 0;
    for seed in 1..=4 {
        reused += check("generated(40)", &text, seed * 7919, edits(60));
    }
    // the parts an edit leaves alone are reused, not computed again
    assert!(reused > 4 * 60 * 2 * 20, "only {reused} parts reused");
}

#[test]
fn corpus_files_after_random_edits() {
    let shared = common::shared_dir();
    let mut files = common::corpus_dockerfiles(&shared.join("corpus/valid"), true);
    files.extend(common::corpus_dockerfiles(
        &shared.join("corpus/apps"),
        false,
    ));
    files.sort();
    assert!(files.len() > 100, "the corpus has {} files", files.len());
    // every file a little, every eighth file longer
    for (i, path) in files.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let n = if i % 8 == 0 { edits(12) } else { edits(12) / 4 };
        check(&path.display().to_string(), &text, i as u64 + 1, n);
    }
}

#[test]
fn an_edit_recomputes_only_the_stage_it_touched() {
    let text = support::generated(200);
    let mut doc = Document::new(&text, 0);
    let encoding = Encoding::Utf16;
    let (tree, rope) = (doc.tree(), doc.rope());
    let analysis = Analysis::build(tree, rope);
    let (_, tokens_kept, hits) =
        semantic_tokens::tokens_cached(tree, rope, encoding, &TokenCache::default());
    assert_eq!(hits, 0);
    let (_, symbols_kept, _) = symbols::outline(
        tree,
        rope,
        &analysis.stages,
        encoding,
        &SymbolCache::default(),
    );
    // one character typed into stage 100's RUN line
    let at = text.find("echo building stage 100 ").unwrap() + 5;
    let at = position::to_position(doc.rope(), at, encoding);
    doc.apply(
        1,
        &[Change {
            range: Some((at, at)),
            text: "x".into(),
        }],
        encoding,
    );
    let (tree, rope) = (doc.tree(), doc.rope());
    let analysis = Analysis::build(tree, rope);
    let (tokens, _, hits) = semantic_tokens::tokens_cached(tree, rope, encoding, &tokens_kept);
    // 200 stages and the lines before the first FROM (a directive, an ARG)
    assert_eq!((tokens_kept.len(), hits), (202, 201));
    assert_eq!(tokens, semantic_tokens::tokens(tree, rope, encoding, None));
    let (_, _, hits) = symbols::outline(tree, rope, &analysis.stages, encoding, &symbols_kept);
    assert_eq!((symbols_kept.len(), hits), (201, 200));
}
