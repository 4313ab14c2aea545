//! BuildKit's checks on instructions that the grammar accepts: unknown
//! flags, flag values, argument counts, ONBUILD triggers, stages. Each
//! error uses BuildKit's wording and sits on the flag or argument at fault.

use tree_sitter::{Node, Tree};

mod directives;
mod duration;
mod flags;
mod instructions;
mod mount;
mod stages;

pub use flags::known_flags as accepted_flags;
pub use stages::parse_reference as image_reference_error;

use super::errors::SyntaxError;
use super::Source;

pub(super) fn validate<S: Source + ?Sized>(
    tree: &Tree,
    source: &S,
    out: &mut Vec<SyntaxError>,
    stage_checks: &mut dyn FnMut(Node, &mut Vec<SyntaxError>),
) {
    let had_errors = !out.is_empty();
    let root = tree.root_node();
    let mut cursor = root.walk();
    let mut has_stage = false;
    for node in root.named_children(&mut cursor) {
        if node.kind() == "stage" {
            has_stage = true;
            stage_checks(node, out);
        } else if crate::syntax::is_instruction_kind(node.kind()) {
            if node.kind() != "arg_instruction" {
                out.push(at(
                    node.child(0).unwrap_or(node),
                    "no build stage in current context",
                ));
            }
            instructions::instruction(node, source, out);
        }
    }
    directives::check(tree, source, out);
    if has_stage {
        stages::check(tree, source, out);
    }
    if !has_stage && !had_errors && out.is_empty() && super::has_instructions(tree) {
        let first = super::instructions(tree).into_iter().next().unwrap_or(root);
        out.push(at(
            first.child(0).unwrap_or(first),
            "dockerfile contains no stages to build",
        ));
    }
    out.sort_by_key(|e| e.start_byte);
}

/// The checks of each instruction of a stage.
pub(super) fn stage_checks<S: Source + ?Sized>(
    stage: Node,
    source: &S,
    out: &mut Vec<SyntaxError>,
) {
    let mut inner = stage.walk();
    for line in stage.named_children(&mut inner) {
        if crate::syntax::is_instruction_kind(line.kind()) {
            instructions::instruction(line, source, out);
        }
    }
}

pub(super) fn at(node: Node, message: impl Into<String>) -> SyntaxError {
    SyntaxError {
        start_byte: node.start_byte(),
        end_byte: node.end_byte(),
        start: node.start_position(),
        message: message.into(),
        suggestion: None,
    }
}

/// The known name at most 2 edits from `name`, if one is.
pub(super) fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (crate::syntax::edit_distance(name, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}
