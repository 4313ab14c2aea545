//! The dockerfile-lsp tree-sitter grammar for Dockerfiles.
//!
//! ```
//! let mut parser = tree_sitter::Parser::new();
//! parser
//!     .set_language(&tree_sitter_dockerfile_lsp::LANGUAGE.into())
//!     .expect("the grammar's ABI matches the tree-sitter crate");
//! let tree = parser.parse("FROM alpine AS base\n", None).unwrap();
//! assert!(!tree.root_node().has_error());
//! ```

use tree_sitter_language::LanguageFn;

extern "C" {
    fn tree_sitter_dockerfile() -> *const ();
}

/// The tree-sitter [`LanguageFn`] of this grammar.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_dockerfile) };

/// The content of the `node-types.json` file of this grammar.
pub const NODE_TYPES: &str = include_str!("../../src/node-types.json");

#[cfg(test)]
mod tests {
    #[test]
    fn loads_the_grammar() {
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&super::LANGUAGE.into())
            .expect("Error loading Dockerfile parser");
        let tree = parser.parse("FROM scratch\n", None).unwrap();
        assert_eq!(
            tree.root_node().to_sexp(),
            "(source_file (stage from: (from_instruction image: (image_spec name: (image_name)))))"
        );
    }
}
