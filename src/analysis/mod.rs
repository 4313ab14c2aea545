//! Facts derived from the syntax and the files around a Dockerfile.

pub mod commands;
pub mod compose;
pub mod context;
pub mod dockerignore;
pub mod images;
pub mod paths;
pub mod project;
pub mod roles;
pub mod shell;
pub mod stages;
pub mod variables;

use tree_sitter::Tree;

use crate::syntax::Source;

/// The facts features ask about one version of a document.
pub struct Analysis {
    pub stages: stages::StageGraph,
    pub variables: variables::Variables,
}

impl Analysis {
    pub fn build<S: Source + ?Sized>(tree: &Tree, source: &S) -> Analysis {
        let stages = stages::StageGraph::build(tree, source);
        let variables = variables::Variables::build(tree, source, &stages);
        Analysis { stages, variables }
    }
}
