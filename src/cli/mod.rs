//! Command-line subcommands other than serving LSP.

pub mod check;
pub mod parse;

use std::path::Path;

/// Why a file could not be read as a Dockerfile.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    NotText,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::NotText => write!(f, "not UTF-8 text"),
        }
    }
}

/// Reads a file that must be UTF-8 text (a NUL byte also counts as binary).
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let bytes = std::fs::read(path).map_err(ReadError::Io)?;
    if bytes.contains(&0) {
        return Err(ReadError::NotText);
    }
    String::from_utf8(bytes).map_err(|_| ReadError::NotText)
}
