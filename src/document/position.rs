//! Every conversion between positions lives here: LSP positions (line and
//! character offset in the negotiated encoding), byte offsets into the rope,
//! and tree-sitter points (row and byte column).
//!
//! Lines end at `\n`, `\r\n` or `\r`, as in LSP (ropey is built with
//! `cr_lines` only). Out-of-range positions are clamped, never a panic: a
//! line past the end means the end of the document, a character past the
//! end of its line means the end of that line, and an offset inside a
//! character (half of a UTF-16 surrogate pair) means the start of it.

use std::ops::Range;

use ropey::Rope;
use tree_sitter::{InputEdit, Point};

/// The unit LSP character offsets are counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
    Utf32,
}

impl Encoding {
    /// How many code units of this encoding a character takes.
    pub fn width(self, c: char) -> u32 {
        match self {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
            Encoding::Utf32 => 1,
        }
    }
}

/// A position as LSP sends it: 0-based line and character offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

impl Position {
    pub const fn new(line: u32, character: u32) -> Self {
        Position { line, character }
    }
}

/// The byte offset of an LSP position, clamped to the document.
pub fn to_byte(rope: &Rope, pos: Position, encoding: Encoding) -> usize {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let mut byte = rope.line_to_byte(line);
    let mut units = 0u32;
    for c in rope.line(line).chars() {
        if c == '\n' || c == '\r' {
            break;
        }
        let width = encoding.width(c);
        if units + width > pos.character {
            break;
        }
        units += width;
        byte += c.len_utf8();
    }
    byte
}

/// The LSP position of a byte offset (clamped to the document and moved back
/// to the start of the character it falls in).
pub fn to_position(rope: &Rope, byte: usize, encoding: Encoding) -> Position {
    let byte = byte.min(rope.len_bytes());
    // Only a byte inside a multi-byte character needs moving back.
    let byte = if byte == rope.len_bytes() || rope.byte(byte) & 0xC0 != 0x80 {
        byte
    } else {
        char_boundary(rope, byte)
    };
    let line = rope.byte_to_line(byte);
    let start = rope.line_to_byte(line);
    let character = match encoding {
        Encoding::Utf8 => (byte - start) as u32,
        _ => rope
            .byte_slice(start..byte)
            .chunks()
            .map(|chunk| {
                if chunk.is_ascii() {
                    chunk.len() as u32
                } else {
                    chunk.chars().map(|c| encoding.width(c)).sum()
                }
            })
            .sum(),
    };
    Position::new(line as u32, character)
}

/// The tree-sitter point (row, byte column) of a byte offset.
///
/// Rows follow the rope's lines, so they agree with tree-sitter's own rows
/// except in a document holding a lone `\r`; the server only ever uses byte
/// offsets, so this affects nothing but the points stored in the tree.
pub fn to_point(rope: &Rope, byte: usize) -> Point {
    let byte = char_boundary(rope, byte);
    let row = rope.byte_to_line(byte);
    Point::new(row, byte - rope.line_to_byte(row))
}

/// The tree-sitter edit replacing `old_range` of `old` so that `new` holds
/// `new_len` bytes from its start: byte offsets and their points.
pub fn input_edit(old: &Rope, old_range: Range<usize>, new: &Rope, new_len: usize) -> InputEdit {
    let Range { start, end } = old_range;
    InputEdit {
        start_byte: start,
        old_end_byte: end,
        new_end_byte: start + new_len,
        start_position: to_point(old, start),
        old_end_position: to_point(old, end),
        new_end_position: to_point(new, start + new_len),
    }
}

/// The first and last line of a byte range, for whole-line spans such as
/// folds: a range ending exactly at the start of a line ends on the line
/// before (its line break is the last thing it covers). `None` when the
/// range covers less than two lines. Offsets are clamped to the document.
pub fn line_span(rope: &Rope, range: Range<usize>) -> Option<(u32, u32)> {
    let len = rope.len_bytes();
    let start_line = rope.byte_to_line(char_boundary(rope, range.start.min(len)));
    let end = char_boundary(rope, range.end.min(len));
    let end_line = rope.byte_to_line(end);
    let end_line = if end == rope.line_to_byte(end_line) {
        end_line.checked_sub(1)?
    } else {
        end_line
    };
    (end_line > start_line).then_some((start_line as u32, end_line as u32))
}

/// The 1-based line and character (Unicode scalar value) column of a byte
/// offset, as command-line output shows places to people; the same lines as
/// LSP positions (clamped likewise).
pub fn line_column(rope: &Rope, byte: usize) -> (usize, usize) {
    let pos = to_position(rope, byte, Encoding::Utf32);
    (pos.line as usize + 1, pos.character as usize + 1)
}

/// A cursor over the document's lines for offsets that mostly move forward
/// (tokens in document order): the line a byte is on, where that line's
/// text and the next line start, and columns counted on from the last one
/// asked for, so a walk over the whole document reads it about once.
pub struct LineCursor<'r> {
    rope: &'r Rope,
    encoding: Encoding,
    line: usize,
    start: usize,
    /// Where the line's text ends (before its line break).
    content_end: usize,
    /// Where the next line starts (the document's end on the last line).
    next: usize,
    /// The last column asked for on this line: (byte, code units).
    mark: (usize, u32),
}

impl<'r> LineCursor<'r> {
    /// A cursor on the first line.
    pub fn new(rope: &'r Rope, encoding: Encoding) -> Self {
        let mut cursor = LineCursor {
            rope,
            encoding,
            line: 0,
            start: 0,
            content_end: 0,
            next: 0,
            mark: (0, 0),
        };
        cursor.go_to(0);
        cursor
    }

    fn go_to(&mut self, line: usize) {
        let rope = self.rope;
        self.line = line;
        self.start = rope.line_to_byte(line);
        self.next = if line + 1 < rope.len_lines() {
            rope.line_to_byte(line + 1)
        } else {
            rope.len_bytes()
        };
        let text = rope.byte_slice(self.start..self.next);
        let breaks = text
            .chars_at(text.len_chars())
            .reversed()
            .take_while(|c| matches!(c, '\n' | '\r'))
            .count();
        self.content_end = self.next - breaks;
        self.mark = (self.start, 0);
    }

    /// Moves to the line holding `byte` (the last line for the end of the
    /// document or past it).
    pub fn seek(&mut self, byte: usize) {
        let len = self.rope.len_bytes();
        if byte >= self.start && (byte < self.next || self.next == len) {
            return;
        }
        let line = self.rope.byte_to_line(byte.min(len));
        self.go_to(line);
    }

    /// The current line's number (0-based).
    pub fn line(&self) -> u32 {
        self.line as u32
    }

    /// Where the current line starts.
    pub fn line_start(&self) -> usize {
        self.start
    }

    /// Where the current line's text ends, before its line break.
    pub fn content_end(&self) -> usize {
        self.content_end
    }

    /// Where the next line starts; the document's length on the last line.
    pub fn next_line_start(&self) -> usize {
        self.next
    }

    /// The LSP position of `byte` (at a character boundary), as
    /// [`to_position`] gives it: also the document's end after a final line
    /// break, which is on a line of its own.
    pub fn position(&mut self, byte: usize) -> Position {
        let byte = byte.min(self.rope.len_bytes());
        self.seek(byte);
        if byte == self.next && self.content_end < self.next {
            self.go_to(self.line + 1);
        }
        Position::new(self.line(), self.column(byte))
    }

    /// The column of `byte`, on the current line, in the encoding's units.
    pub fn column(&mut self, byte: usize) -> u32 {
        if self.encoding == Encoding::Utf8 {
            return (byte - self.start) as u32;
        }
        if byte < self.mark.0 {
            self.mark = (self.start, 0);
        }
        let units: u32 = self
            .rope
            .byte_slice(self.mark.0..byte)
            .chars()
            .map(|c| self.encoding.width(c))
            .sum();
        self.mark = (byte, self.mark.1 + units);
        self.mark.1
    }
}

fn char_boundary(rope: &Rope, byte: usize) -> usize {
    let byte = byte.min(rope.len_bytes());
    rope.char_to_byte(rope.byte_to_char(byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "FROM a\r\nRUN é𝄞x\rCMD\n";

    #[test]
    fn lines_end_at_lf_crlf_and_cr_only() {
        let rope = Rope::from_str("a\u{2028}b\u{85}c\r\nd\re\n");
        assert_eq!(rope.len_lines(), 4);
        let rope = Rope::from_str(TEXT);
        assert_eq!(
            to_byte(&rope, Position::new(2, 0), Encoding::Utf16),
            TEXT.find("CMD").unwrap()
        );
    }

    #[test]
    fn round_trips_in_every_encoding() {
        let rope = Rope::from_str(TEXT);
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for (byte, _) in TEXT.char_indices() {
                let pos = to_position(&rope, byte, encoding);
                if TEXT[byte..].starts_with('\n') && TEXT[..byte].ends_with('\r') {
                    continue; // inside a CRLF pair: not addressable in LSP
                }
                assert_eq!(to_byte(&rope, pos, encoding), byte, "{encoding:?} {pos:?}");
            }
        }
    }

    #[test]
    fn counts_units_of_the_encoding() {
        let rope = Rope::from_str(TEXT);
        let x = TEXT.find('x').unwrap();
        assert_eq!(
            to_position(&rope, x, Encoding::Utf8),
            Position::new(1, 4 + 2 + 4)
        );
        assert_eq!(
            to_position(&rope, x, Encoding::Utf16),
            Position::new(1, 4 + 1 + 2)
        );
        assert_eq!(
            to_position(&rope, x, Encoding::Utf32),
            Position::new(1, 4 + 1 + 1)
        );
    }

    #[test]
    fn clamps_out_of_range_positions() {
        let rope = Rope::from_str(TEXT);
        let end_of_line_1 = TEXT.find('\r').unwrap();
        assert_eq!(
            to_byte(&rope, Position::new(0, 999), Encoding::Utf16),
            end_of_line_1
        );
        assert_eq!(
            to_byte(&rope, Position::new(99, 0), Encoding::Utf16),
            TEXT.len()
        );
        assert_eq!(
            to_byte(&rope, Position::new(u32::MAX, u32::MAX), Encoding::Utf8),
            TEXT.len()
        );
        // half of the surrogate pair of 𝄞: the start of the character
        let clef = TEXT.find('𝄞').unwrap();
        assert_eq!(
            to_byte(&rope, Position::new(1, 4 + 1 + 1), Encoding::Utf16),
            clef
        );
        // a byte inside a multi-byte character
        assert_eq!(
            to_position(&rope, clef + 2, Encoding::Utf16),
            Position::new(1, 5)
        );
        assert_eq!(
            to_position(&rope, usize::MAX, Encoding::Utf16),
            Position::new(3, 0)
        );
    }

    #[test]
    fn line_span_of_byte_ranges() {
        let text = "FROM a\r\nRUN b\rRUN c\nCMD d\n";
        let rope = Rope::from_str(text);
        let at = |s: &str| text.find(s).unwrap();
        // lines 0..=2, whichever break ends each
        assert_eq!(line_span(&rope, 0..at("RUN c") + 3), Some((0, 2)));
        // ending exactly at a line start: the line before
        assert_eq!(line_span(&rope, 0..at("CMD")), Some((0, 2)));
        assert_eq!(line_span(&rope, at("RUN b")..at("RUN c")), None);
        assert_eq!(line_span(&rope, at("RUN b")..at("CMD")), Some((1, 2)));
        // one line, an empty range, a range at the very start
        assert_eq!(line_span(&rope, 0..4), None);
        assert_eq!(line_span(&rope, at("CMD")..at("CMD")), None);
        assert_eq!(line_span(&rope, 0..0), None);
        // to the end of the text (which ends with a break) and past it
        assert_eq!(line_span(&rope, at("RUN c")..text.len()), Some((2, 3)));
        assert_eq!(line_span(&rope, 0..usize::MAX), Some((0, 3)));
        assert_eq!(line_span(&rope, usize::MAX..usize::MAX), None);
        // inside a CRLF pair: still the line the pair ends
        assert_eq!(line_span(&rope, 0..at("\r\n") + 1), None);
        assert_eq!(line_span(&rope, 0..at("\r\n") + 2), None);
        // a text without a final break
        let rope = Rope::from_str("a\nb");
        assert_eq!(line_span(&rope, 0..3), Some((0, 1)));
        assert_eq!(line_span(&rope, 0..2), None);
    }

    #[test]
    fn line_column_counts_lines_as_lsp_does() {
        for (text, line, column) in [
            ("FROM a\n  RUN é", 2, 3),
            ("FROM a\r\n  RUN é", 2, 3),
            ("FROM a\r  RUN é", 2, 3),
            ("FROM a\rRUN x\n\r\n  RUN é", 4, 3),
            ("é𝄞 RUN é", 1, 4),
        ] {
            let rope = Rope::from_str(text);
            let byte = text.find("RUN é").unwrap();
            assert_eq!(line_column(&rope, byte), (line, column), "{text:?}");
            let pos = to_position(&rope, byte, Encoding::Utf32);
            assert_eq!(
                (pos.line as usize + 1, pos.character as usize + 1),
                (line, column)
            );
        }
        assert_eq!(line_column(&Rope::from_str("a\r"), usize::MAX), (2, 1));
    }

    #[test]
    fn line_cursor_agrees_with_to_position() {
        let text = "FROM a\r\nRUN é𝄞x\rCMD\n\nENV 𝄞=1\r\r\n";
        let rope = Rope::from_str(text);
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let mut cursor = LineCursor::new(&rope, encoding);
            // forward, then backwards, then forward again
            let bytes: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
            let order = bytes.iter().chain(bytes.iter().rev()).chain(bytes.iter());
            for &byte in order {
                cursor.seek(byte);
                let expected = to_position(&rope, byte, encoding);
                if text[byte..].starts_with('\n') && text[..byte].ends_with('\r') {
                    continue;
                }
                assert_eq!(cursor.line(), expected.line, "{encoding:?} {byte}");
                assert_eq!(
                    cursor.column(byte),
                    expected.character,
                    "{encoding:?} {byte}"
                );
                let (content_end, next) = (cursor.content_end(), cursor.next_line_start());
                assert!(cursor_line_ok(text, byte, content_end, next), "{byte}");
            }
        }
        let mut cursor = LineCursor::new(&rope, Encoding::Utf16);
        cursor.seek(text.len());
        assert_eq!((cursor.line(), cursor.content_end()), (6, text.len()));
    }

    #[test]
    fn line_cursor_positions_are_to_position() {
        for text in [
            "FROM a\r\nRUN é𝄞x\rCMD\n\nENV 𝄞=1\r\r\n",
            "FROM a\nRUN b",
            "\n\r\n\r",
            "",
        ] {
            let rope = Rope::from_str(text);
            for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                let mut cursor = LineCursor::new(&rope, encoding);
                let bytes: Vec<usize> = text
                    .char_indices()
                    .map(|(b, _)| b)
                    .chain([text.len()])
                    .collect();
                // forward (with each byte twice), then backwards
                let forward = bytes.iter().flat_map(|b| [*b, *b]);
                for byte in forward.chain(bytes.iter().rev().copied()) {
                    assert_eq!(
                        cursor.position(byte),
                        to_position(&rope, byte, encoding),
                        "{text:?} {encoding:?} {byte}"
                    );
                }
            }
        }
    }

    /// `content_end..next` is the line break ending the line `byte` is on.
    fn cursor_line_ok(text: &str, byte: usize, content_end: usize, next: usize) -> bool {
        let brk = &text[content_end..next];
        byte <= content_end
            && !text[byte..content_end].contains(['\r', '\n'])
            && (brk.is_empty() && next == text.len() || ["\n", "\r", "\r\n"].contains(&brk))
    }

    #[test]
    fn input_edit_points_follow_the_line_model() {
        let old = Rope::from_str("FROM a\r\nRUN é\rCMD\n");
        let new = Rope::from_str("FROM a\r\nRUN é\nxy\rCMD\n");
        let at = "FROM a\r\nRUN é".len();
        let edit = input_edit(&old, at..at, &new, 3);
        assert_eq!(
            (edit.start_byte, edit.old_end_byte, edit.new_end_byte),
            (at, at, at + 3)
        );
        assert_eq!(edit.start_position, Point::new(1, 6));
        assert_eq!(edit.old_end_position, Point::new(1, 6));
        assert_eq!(edit.new_end_position, Point::new(2, 2));
        let edit = input_edit(&old, 0..at + 1, &new, 0);
        assert_eq!(edit.old_end_position, Point::new(2, 0));
        assert_eq!(edit.new_end_position, Point::new(0, 0));
    }
}

// Lines of a plain string (a file read from disk, a node's text), in the
// same line model as the rope: `\n`, `\r\n` or `\r` ends a line.

/// The byte offset where the line holding `byte` starts in `text`. A byte
/// between the `\r` and the `\n` of a pair is on the line the pair ends, as
/// in the rope; an offset past the end is clamped, and one inside a
/// character is fine (line breaks are ASCII).
pub fn line_start(text: &str, byte: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = byte.min(bytes.len());
    if end > 0 && bytes[end - 1] == b'\r' && bytes.get(end) == Some(&b'\n') {
        end -= 1;
    }
    bytes[..end]
        .iter()
        .rposition(|&b| b == b'\n' || b == b'\r')
        .map_or(0, |i| i + 1)
}

/// Where the text of the line holding `byte` ends in `text`: before its
/// line break, or at the end of `text` on a last line without one (clamped
/// like `line_start`).
pub fn line_end(text: &str, byte: usize) -> usize {
    let bytes = text.as_bytes();
    let from = line_start(text, byte).max(byte.min(bytes.len()));
    let from = if from > 0 && bytes[from - 1] == b'\r' && bytes.get(from) == Some(&b'\n') {
        from - 1
    } else {
        from
    };
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(bytes.len(), |i| from + i)
}

/// How many line breaks `text` holds (`\r\n` counts once).
pub fn line_breaks(text: &str) -> usize {
    let bytes = text.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count()
}

/// The lines of `text`, each with its line break, as `str::split_inclusive`
/// gives them for `\n` alone: no empty item after a final break, none at
/// all for an empty text.
pub fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = line_end(rest, 0);
        let end = end + break_len(&rest[end..]);
        let (line, after) = rest.split_at(end);
        rest = after;
        Some(line)
    })
}

/// `line` without the line break that ends it, if any.
pub fn without_line_break(line: &str) -> &str {
    line.strip_suffix("\r\n")
        .or_else(|| line.strip_suffix(['\n', '\r']))
        .unwrap_or(line)
}

/// The length of the line break `text` starts with: 2, 1 or 0.
fn break_len(text: &str) -> usize {
    match text.as_bytes() {
        [b'\r', b'\n', ..] => 2,
        [b'\n' | b'\r', ..] => 1,
        _ => 0,
    }
}

/// The point tree-sitter's lexer gives `byte` of `text` in a fresh parse:
/// its rows count `\n` only (as BuildKit numbers lines) and its column is
/// in bytes from the last `\n`. Not the LSP line of the byte in a text with
/// a lone `\r`: use `to_position` or `line_column` for that.
pub fn lexer_point(text: &str, byte: usize) -> Point {
    let before = &text.as_bytes()[..byte.min(text.len())];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    Point::new(row, before.len() - start)
}

#[cfg(test)]
mod str_line_tests {
    use super::*;

    const MIXED: &str = "FROM a\r\nRUN é\rCMD\n\nENV x\r\r\nEND";

    /// Each function against the rope, at every byte of the text.
    #[test]
    fn line_start_and_line_end_agree_with_the_rope() {
        for text in [MIXED, "", "\n", "\r", "\r\n", "a\r\r", "x"] {
            let rope = Rope::from_str(text);
            for byte in 0..=text.len() + 2 {
                let line = rope.byte_to_line(byte.min(text.len()));
                let start = rope.line_to_byte(line);
                let next = rope.line_to_byte((line + 1).min(rope.len_lines()));
                let content = rope.byte_slice(start..next).to_string();
                let content_end = start + without_line_break(&content).len();
                assert_eq!(line_start(text, byte), start, "{text:?} {byte}");
                assert_eq!(line_end(text, byte), content_end, "{text:?} {byte}");
            }
        }
        // inside a CRLF pair: the line the pair ends
        let between = MIXED.find("\r\n").unwrap() + 1;
        assert_eq!(line_start(MIXED, between), 0);
        assert_eq!(line_end(MIXED, between), between - 1);
        assert_eq!(line_start("é", 1), 0);
    }

    #[test]
    fn line_breaks_count_pairs_once() {
        assert_eq!(line_breaks(MIXED), 6);
        assert_eq!(line_breaks(MIXED), Rope::from_str(MIXED).len_lines() - 1);
        assert_eq!(line_breaks("\r\n\r\n"), 2);
        assert_eq!(line_breaks("\n\r"), 2);
        assert_eq!(line_breaks("abc"), 0);
    }

    #[test]
    fn split_lines_keeps_each_break() {
        let lines: Vec<&str> = split_lines(MIXED).collect();
        assert_eq!(
            lines,
            [
                "FROM a\r\n",
                "RUN é\r",
                "CMD\n",
                "\n",
                "ENV x\r",
                "\r\n",
                "END"
            ]
        );
        assert_eq!(lines.concat(), MIXED);
        let bodies: Vec<&str> = lines.iter().map(|l| without_line_break(l)).collect();
        assert_eq!(bodies, ["FROM a", "RUN é", "CMD", "", "ENV x", "", "END"]);
        assert_eq!(split_lines("").count(), 0);
        assert_eq!(split_lines("a\n").collect::<Vec<_>>(), ["a\n"]);
        // as split_inclusive('\n') for text with \n only
        let lf = "a\n\nb\nc";
        assert!(split_lines(lf).eq(lf.split_inclusive('\n')));
        assert_eq!(without_line_break("a\n\r"), "a\n");
    }

    #[test]
    fn lexer_point_counts_lf_only() {
        let tree = crate::syntax::parse(MIXED);
        let cmd = MIXED.find("CMD").unwrap();
        let node = tree
            .root_node()
            .descendant_for_byte_range(cmd, cmd + 3)
            .unwrap();
        assert_eq!(lexer_point(MIXED, cmd), node.start_position());
        // `CMD` is on LSP line 2 but on the lexer's row 1, 6 bytes from `\n`
        assert_eq!(lexer_point(MIXED, cmd), Point::new(1, "RUN é\r".len()));
        assert_eq!(
            to_position(&Rope::from_str(MIXED), cmd, Encoding::Utf8).line,
            2
        );
        assert_eq!(lexer_point("a\nb", 99), Point::new(1, 1));
    }
}
