//! Semantic tokens from `queries/highlights.scm`: the editor query's
//! captures mapped to LSP's standard token types, nested captures split so
//! that tokens never overlap (the innermost wins), multi-line captures cut
//! at line ends, and the result encoded relative as LSP wants it.

use std::ops::Range;
use std::sync::OnceLock;

use ropey::Rope;
use streaming_iterator::StreamingIterator;
use tree_sitter::{Query, QueryCursor, Tree};

use super::segments;
use crate::document::position::{Encoding, LineCursor};
use crate::syntax;

/// The legend: token types and modifiers, in the order the data indexes them.
pub const TOKEN_TYPES: &[&str] = &[
    "keyword",
    "comment",
    "string",
    "number",
    "operator",
    "variable",
    "parameter",
    "property",
    "type",
    "namespace",
    "enumMember",
    "macro",
];
pub const TOKEN_MODIFIERS: &[&str] = &["declaration"];

/// (token type, modifiers bitset) of a capture name; `None` for captures
/// editors colour themselves (punctuation).
fn token_of(capture: &str) -> Option<(u32, u32)> {
    let ty = match capture {
        "keyword" => "keyword",
        "keyword.directive" => "macro",
        "comment" => "comment",
        "string" | "string.special" | "string.special.path" => "string",
        "number" => "number",
        "operator" => "operator",
        "variable" | "variable.parameter" => "variable",
        "attribute" => "parameter",
        "property" => "property",
        "type" => "type",
        "label" => "namespace",
        "constant" => "enumMember",
        _ => return None,
    };
    let index = TOKEN_TYPES.iter().position(|t| *t == ty)? as u32;
    let modifiers = u32::from(capture == "variable.parameter");
    Some((index, modifiers))
}

struct Highlights {
    query: Query,
    /// Per capture index, its token.
    tokens: Vec<Option<(u32, u32)>>,
}

fn highlights() -> &'static Highlights {
    static QUERY: OnceLock<Highlights> = OnceLock::new();
    QUERY.get_or_init(|| {
        let source = include_str!("../../queries/highlights.scm");
        // The query ships with the binary and is compiled by a test.
        let query = Query::new(&syntax::language(), source).expect("highlights.scm compiles");
        let tokens = query.capture_names().iter().map(|n| token_of(n)).collect();
        Highlights { query, tokens }
    })
}

/// A token as byte offsets, on one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
    ty: u32,
    modifiers: u32,
}

/// The tokens of `range` (the whole document when `None`), LSP-encoded:
/// five numbers per token, each relative to the previous one.
pub fn tokens(
    tree: &Tree,
    rope: &Rope,
    encoding: Encoding,
    range: Option<Range<usize>>,
) -> Vec<u32> {
    let flat = spans(tree.root_node(), rope, range.clone());
    let (lo, hi) = range.map_or((0, rope.len_bytes()), |r| (r.start, r.end));
    let mut data = Vec::with_capacity(flat.len() * 5);
    let mut lines = LineCursor::new(rope, encoding);
    encode(&flat, lo..hi, &mut lines, (0, 0), &mut data);
    data
}

/// The tokens of one part of the document ([`segments`]), encoded as in
/// the whole document's data but relative to the start of the part's first
/// line: the first token's line is counted from that line (and its column
/// from the line's start), every other token from the one before.
pub struct PartTokens {
    data: Vec<u32>,
    /// The last token's line (counted from the part's first line) and column.
    last: (u32, u32),
}

/// The tokens kept per part of a document, in one encoding.
#[derive(Clone, Default)]
pub struct TokenCache {
    encoding: Encoding,
    parts: segments::Cache<PartTokens>,
}

impl TokenCache {
    /// How many parts it holds.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }
}

/// The whole document's tokens, as [`tokens`] gives them with no range,
/// computed part by part: a part whose lines `cache` holds unchanged is
/// reused (shifted to its line), the others are computed. Returns the
/// tokens, the cache for the next call (the parts of this document only)
/// and how many parts were reused.
pub fn tokens_cached(
    tree: &Tree,
    rope: &Rope,
    encoding: Encoding,
    cache: &TokenCache,
) -> (Vec<u32>, TokenCache, usize) {
    let empty = TokenCache::default();
    let old = if cache.encoding == encoding {
        cache
    } else {
        &empty
    };
    let mut next = TokenCache {
        encoding,
        parts: segments::Cache::default(),
    };
    let mut lines = LineCursor::new(rope, encoding);
    let parts = segments::parts(tree, rope);
    let mut found = Vec::with_capacity(parts.len());
    let mut reused = 0;
    for part in &parts {
        let (tokens, hit) = old.parts.get(&mut next.parts, rope, part, || {
            let flat = spans(part.node, rope, None);
            let mut data = Vec::with_capacity(flat.len() * 5);
            let last = encode(
                &flat,
                0..rope.len_bytes(),
                &mut lines,
                (part.line, 0),
                &mut data,
            );
            PartTokens {
                data,
                last: (last.0 - part.line, last.1),
            }
        });
        reused += usize::from(hit);
        found.push((part.line, tokens));
    }
    let total = found.iter().map(|(_, t)| t.data.len()).sum();
    let mut data = Vec::with_capacity(total);
    let (mut last_line, mut last_col) = (0u32, 0u32);
    for (line, tokens) in found {
        if tokens.data.is_empty() {
            continue;
        }
        let (rel, col) = (tokens.data[0], tokens.data[1]);
        let at = data.len();
        data.extend_from_slice(&tokens.data);
        // Only the first token is relative to what comes before the part.
        let first = line + rel;
        data[at] = first - last_line;
        data[at + 1] = if first == last_line {
            col - last_col
        } else {
            col
        };
        (last_line, last_col) = (line + tokens.last.0, tokens.last.1);
    }
    (data, next, reused)
}

/// The tokens under `node` (inside `range`), in order, nesting flattened.
fn spans(node: tree_sitter::Node, rope: &Rope, range: Option<Range<usize>>) -> Vec<Span> {
    let highlights = highlights();
    let mut cursor = QueryCursor::new();
    if let Some(r) = &range {
        cursor.set_byte_range(r.clone());
    }
    let text = |node: tree_sitter::Node| {
        rope.byte_slice(node.byte_range())
            .chunks()
            .map(str::as_bytes)
            .collect::<Vec<_>>()
            .into_iter()
    };
    // Every capture that maps to a token, in document order, outer first.
    let mut captured: Vec<(usize, usize, u32, u32)> = Vec::new();
    // Matches, not captures: no ordering work in the cursor, one sort here.
    let mut matches = cursor.matches(&highlights.query, node, text);
    while let Some(m) = matches.next() {
        for c in m.captures() {
            if let Some((ty, modifiers)) = highlights.tokens[c.index as usize] {
                let r = c.node.byte_range();
                if r.start < r.end {
                    captured.push((r.start, r.end, ty, modifiers));
                }
            }
        }
    }
    captured.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));

    // Flatten nesting: the inner capture wins where it is; a node captured
    // twice keeps its first capture.
    let mut flat: Vec<Span> = Vec::with_capacity(captured.len());
    let mut stack: Vec<Span> = Vec::new();
    let mut pos = 0usize;
    let emit = |flat: &mut Vec<Span>, start: usize, end: usize, outer: &Span| {
        if start < end {
            flat.push(Span {
                start,
                end,
                ..*outer
            });
        }
    };
    for (start, end, ty, modifiers) in captured {
        while let Some(top) = stack.last().copied() {
            if top.end > start {
                break;
            }
            emit(&mut flat, pos.max(top.start), top.end, &top);
            pos = pos.max(top.end);
            stack.pop();
        }
        if let Some(top) = stack.last().copied() {
            if top.start == start && top.end == end {
                continue; // the same node again
            }
            emit(&mut flat, pos.max(top.start), start, &top);
        }
        let end = stack.last().map_or(end, |top| end.min(top.end));
        pos = start;
        stack.push(Span {
            start,
            end,
            ty,
            modifiers,
        });
    }
    while let Some(top) = stack.pop() {
        emit(&mut flat, pos.max(top.start), top.end, &top);
        pos = pos.max(top.end);
    }
    flat
}

/// Clips the spans to `clip`, cuts them at line ends and appends them to
/// `data` LSP-encoded, the first relative to `last` (line, column); returns
/// the last token's line and column. Spans come in order, so one walk over
/// the lines does (no lookup from the top per token).
fn encode(
    flat: &[Span],
    clip: Range<usize>,
    lines: &mut LineCursor,
    last: (u32, u32),
    data: &mut Vec<u32>,
) -> (u32, u32) {
    let (mut last_line, mut last_col) = last;
    for span in flat {
        let (mut start, end) = (span.start.max(clip.start), span.end.min(clip.end));
        while start < end {
            lines.seek(start);
            let seg_end = end.min(lines.content_end());
            let next_line = lines.next_line_start();
            if start < seg_end {
                let line = lines.line();
                let from = lines.column(start);
                let to = lines.column(seg_end);
                let delta_line = line - last_line;
                let delta_col = if delta_line == 0 {
                    from - last_col
                } else {
                    from
                };
                data.extend([delta_line, delta_col, to - from, span.ty, span.modifiers]);
                (last_line, last_col) = (line, from);
            }
            if next_line <= start {
                break; // the last line
            }
            start = next_line;
        }
    }
    (last_line, last_col)
}

/// The edit turning `old` into `new`: (start, delete count, inserted data),
/// one span covering what differs between a common prefix and suffix,
/// on whole tokens (LSP's edits carry tokens, five numbers each).
pub fn delta(old: &[u32], new: &[u32]) -> Option<(u32, u32, Vec<u32>)> {
    if old == new {
        return None;
    }
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count() / 5 * 5;
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count()
        / 5
        * 5;
    Some((
        prefix as u32,
        (old.len() - prefix - suffix) as u32,
        new[prefix..new.len() - suffix].to_vec(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokens decoded back to (line, column, text, type) for reading.
    fn decoded(src: &str, range: Option<Range<usize>>) -> Vec<(u32, u32, String, &'static str)> {
        let rope = Rope::from_str(src);
        let tree = syntax::parse(src);
        let data = tokens(&tree, &rope, Encoding::Utf16, range);
        let (mut line, mut col) = (0u32, 0u32);
        let lines: Vec<Vec<u16>> = src
            .split('\n')
            .map(|l| l.encode_utf16().collect())
            .collect();
        data.chunks(5)
            .map(|t| {
                if t[0] > 0 {
                    col = 0;
                }
                line += t[0];
                col += t[1];
                let units = &lines[line as usize][col as usize..(col + t[2]) as usize];
                (
                    line,
                    col,
                    String::from_utf16_lossy(units),
                    TOKEN_TYPES[t[3] as usize],
                )
            })
            .collect()
    }

    #[test]
    fn maps_captures_to_standard_types() {
        let src = "# syntax=docker/dockerfile:1\nFROM node:20 AS build\nARG VERSION=1\nCOPY --from=build /app /app\nEXPOSE 8080\n";
        let tokens = decoded(src, None);
        for expected in [
            (1, 0, "FROM", "keyword"),
            (1, 5, "node", "type"),
            (1, 16, "build", "namespace"),
            (2, 4, "VERSION", "variable"),
            (3, 5, "--from", "parameter"),
            (4, 7, "8080", "number"),
        ] {
            let found = tokens
                .iter()
                .any(|(l, c, t, ty)| (*l, *c, t.as_str(), *ty) == expected);
            assert!(found, "{expected:?} not in {tokens:?}");
        }
        // every capture of the directive line is a token of its own
        assert_eq!(tokens[0].3, "macro", "{tokens:?}");
    }

    #[test]
    fn tokens_never_overlap_and_stay_on_one_line() {
        let src = "FROM alpine\nENV A=\"x $B y\"\nRUN echo \\\n    done\nRUN <<EOF\nline one\nline two\nEOF\n# é comment\n";
        let tokens = decoded(src, None);
        let mut previous_end = (0, 0);
        for (line, col, text, _) in &tokens {
            assert!(
                (*line, *col) >= previous_end,
                "overlap at {line}:{col} in {tokens:?}"
            );
            assert!(!text.contains('\n'), "{tokens:?}");
            previous_end = (*line, col + text.encode_utf16().count() as u32);
        }
        // the variable inside the string splits it
        let on_env: Vec<_> = tokens
            .iter()
            .filter(|t| t.0 == 1)
            .map(|t| (t.2.as_str(), t.3))
            .collect();
        assert!(on_env.contains(&("B", "variable")), "{on_env:?}");
        assert!(on_env.contains(&(" y\"", "string")), "{on_env:?}");
        // the heredoc body is one string token per line
        assert!(
            tokens.contains(&(5, 0, "line one".into(), "string")),
            "{tokens:?}"
        );
        assert!(
            tokens.contains(&(8, 0, "# é comment".into(), "comment")),
            "{tokens:?}"
        );
    }

    #[test]
    fn a_range_gives_the_tokens_inside_it_only() {
        let src = "FROM alpine AS a\nRUN echo one\nFROM a AS b\nRUN echo two\n";
        let start = src.find("FROM a AS b").unwrap();
        let end = src.find("RUN echo two").unwrap();
        let tokens = decoded(src, Some(start..end));
        assert!(!tokens.is_empty());
        assert!(tokens.iter().all(|t| t.0 == 2), "{tokens:?}");
        // absolute positions, the first relative to the document start
        assert_eq!(tokens[0].0, 2);
    }

    #[test]
    fn delta_is_the_span_that_changed() {
        let a = [0, 0, 4, 0, 0, 0, 5, 4, 8, 0, 1, 0, 3, 0, 0];
        assert_eq!(delta(&a, &a), None);
        // one number of the middle token changed: that token is replaced
        let mut b = a;
        b[7] = 6;
        assert_eq!(delta(&a, &b), Some((5, 5, vec![0, 5, 6, 8, 0])));
        // a token added at the end, one removed from the start
        let longer = [&a[..], &[0, 4, 2, 9, 0]].concat();
        assert_eq!(delta(&a, &longer), Some((15, 0, vec![0, 4, 2, 9, 0])));
        assert_eq!(delta(&a, &a[5..]), Some((0, 5, vec![])));
    }
}
