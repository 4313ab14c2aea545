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

    /// Where the current line's text ends, before its line break.
    pub fn content_end(&self) -> usize {
        self.content_end
    }

    /// Where the next line starts; the document's length on the last line.
    pub fn next_line_start(&self) -> usize {
        self.next
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
