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
use tree_sitter::Point;

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
}
