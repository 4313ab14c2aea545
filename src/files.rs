//! Reading the files around a Dockerfile as text: the Dockerfile itself
//! (`check`, `parse`), the project file, `.dockerignore` and Compose files.
//! A leaf: it knows nothing of the rest of the crate.

use std::path::Path;

/// Why a file could not be read as text.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_read_and_binary_refused() {
        let dir = std::env::temp_dir().join(format!("dockerfile-lsp-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = dir.join("text");
        std::fs::write(&text, "FROM a\n").unwrap();
        assert_eq!(read_text(&text).unwrap(), "FROM a\n");
        let nul = dir.join("nul");
        std::fs::write(&nul, b"FROM a\0\n").unwrap();
        assert!(matches!(read_text(&nul), Err(ReadError::NotText)));
        let latin1 = dir.join("latin1");
        std::fs::write(&latin1, b"FROM \xe9\n").unwrap();
        assert!(matches!(read_text(&latin1), Err(ReadError::NotText)));
        assert!(matches!(
            read_text(&dir.join("missing")),
            Err(ReadError::Io(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
