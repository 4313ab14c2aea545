//! Conversions from the protocol: positions, content changes, file URIs.

use std::path::PathBuf;

use tower_lsp_server::ls_types::{self as lsp, Uri};

use crate::document::{position, Change, Encoding, Position, Snapshot};

pub(super) fn position(p: lsp::Position) -> Position {
    Position::new(p.line, p.character)
}

/// The byte range of a protocol range in the snapshot's text.
pub(super) fn range(
    snapshot: &Snapshot,
    r: lsp::Range,
    encoding: Encoding,
) -> std::ops::Range<usize> {
    position::to_byte(&snapshot.rope, position(r.start), encoding)
        ..position::to_byte(&snapshot.rope, position(r.end), encoding)
}

/// The changes of one `didChange`, in order.
pub(super) fn changes(changes: Vec<lsp::TextDocumentContentChangeEvent>) -> Vec<Change> {
    changes
        .into_iter()
        .map(|c| Change {
            range: c.range.map(|r| (position(r.start), position(r.end))),
            text: c.text,
        })
        .collect()
}

/// The file a `file:` URI names (other schemes, such as `untitled:`, have
/// no files around them).
pub(super) fn file_path(uri: &Uri) -> Option<PathBuf> {
    let is_file = uri.scheme().as_str().eq_ignore_ascii_case("file");
    if !is_file {
        return None;
    }
    uri.to_file_path().map(|p| p.into_owned())
}
