//! Parsing and typed access to the syntax tree.
//!
//! This is the only module that knows the grammar's node kinds and field
//! names; everything above asks it.

mod buildkit_dump;
mod errors;
mod print;
mod text;

pub use buildkit_dump::{buildkit_dump, escape_char};
pub use errors::{syntax_errors, SyntaxError};
pub use print::print_tree;
pub use text::logical_text;

use tree_sitter::{Language, Parser, Tree};

/// The Dockerfile language of our grammar.
pub fn language() -> Language {
    tree_sitter_dockerfile::LANGUAGE.into()
}

/// A parser set up for Dockerfiles.
pub fn parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&language())
        .expect("the grammar crate and the tree-sitter crate agree on the ABI");
    parser
}

/// Parses a whole document from scratch.
pub fn parse(text: &str) -> Tree {
    parser()
        .parse(text, None)
        .expect("parsing without a timeout or cancellation flag always yields a tree")
}

/// The instruction keywords BuildKit knows, upper case.
pub const INSTRUCTIONS: [&str; 18] = [
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Whether `kind` is the node kind of an instruction (`run_instruction`, ...).
pub fn is_instruction_kind(kind: &str) -> bool {
    kind.ends_with("_instruction")
}
