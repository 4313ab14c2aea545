//! Command-line subcommands other than serving LSP.

pub mod check;
pub mod parse;

// Reading a file as text is shared with the core modules (the project
// file, `.dockerignore`, Compose files), so it lives in a leaf module.
pub use crate::files::{read_text, ReadError};
