//! Go to definition, references, highlights and rename: for stage names,
//! for ARG/ENV variables, and (definition) from a heredoc terminator to its
//! `<<NAME`.

use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::analysis::stages::{Stage, StageGraph};
use crate::analysis::variables::Variables;
use crate::analysis::Analysis;

/// The stage the cursor is on: its `AS name`, or a reference to it.
fn stage_under(graph: &StageGraph, offset: usize) -> Option<&Stage> {
    if let Some(stage) = graph.definition_at(offset) {
        return Some(stage);
    }
    let target = graph.ref_at(offset)?.target?;
    graph.stages.get(target)
}

/// Where a stage is defined: its `AS name`, or its FROM line when unnamed.
fn definition_range(stage: &Stage) -> Range<usize> {
    stage
        .name_range
        .clone()
        .unwrap_or_else(|| stage.from_range.clone())
}

/// Go to definition: a stage reference goes to its stage, a variable to
/// the ARG or ENV in effect, a heredoc terminator to its `<<NAME`; an
/// undefined stage or variable goes nowhere.
pub fn definition(tree: &Tree, analysis: &Analysis, offset: usize) -> Option<Range<usize>> {
    if let Some(stage) = stage_under(&analysis.stages, offset) {
        return Some(definition_range(stage));
    }
    if let Some(def) = analysis.variables.def_at(offset) {
        return Some(analysis.variables.defs[def].name_range.clone());
    }
    heredoc_start(tree, offset)
}

/// From a heredoc terminator line to the delimiter of its `<<NAME`.
fn heredoc_start(tree: &Tree, offset: usize) -> Option<Range<usize>> {
    let end = tree.root_node().descendant_for_byte_range(offset, offset)?;
    if end.kind() != "heredoc_end" {
        return None;
    }
    let block = end.parent()?;
    let instruction = block.parent()?;
    let mut cursor = instruction.walk();
    let blocks: Vec<Node> = instruction
        .children(&mut cursor)
        .filter(|c| c.kind() == "heredoc_block")
        .collect();
    let index = blocks.iter().position(|b| *b == block)?;
    let mut markers = Vec::new();
    collect_kind(instruction, "heredoc_delimiter", &mut markers);
    markers.get(index).map(|m| m.byte_range())
}

fn collect_kind<'t>(node: Node<'t>, kind: &str, out: &mut Vec<Node<'t>>) {
    if node.kind() == kind {
        out.push(node);
        return;
    }
    if node.kind() == "heredoc_block" {
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        collect_kind(child, kind, out);
    }
}

/// The ranges of a variable family: its definitions and every use of them.
fn variable_ranges(
    vars: &Variables,
    def: usize,
    include_declaration: bool,
) -> Vec<(Range<usize>, HighlightKind)> {
    let family = vars.family(def);
    let mut out: Vec<(Range<usize>, HighlightKind)> = Vec::new();
    if include_declaration {
        out.extend(
            family
                .iter()
                .map(|&d| (vars.defs[d].name_range.clone(), HighlightKind::Write)),
        );
    }
    out.extend(
        vars.uses
            .iter()
            .filter(|u| u.def.is_some_and(|d| family.contains(&d)))
            .map(|u| (u.range.clone(), HighlightKind::Read)),
    );
    out.sort_by_key(|(r, _)| r.start);
    out
}

/// Every reference to the stage under the cursor (and its definition when
/// asked), in document order.
pub fn references(
    analysis: &Analysis,
    offset: usize,
    include_declaration: bool,
) -> Vec<Range<usize>> {
    let graph = &analysis.stages;
    let Some(stage) = stage_under(graph, offset) else {
        return match analysis.variables.def_at(offset) {
            Some(def) => variable_ranges(&analysis.variables, def, include_declaration)
                .into_iter()
                .map(|(r, _)| r)
                .collect(),
            None => Vec::new(),
        };
    };
    let mut out = Vec::new();
    if include_declaration {
        out.push(definition_range(stage));
    }
    out.extend(graph.refs_to(stage.index).map(|r| r.range.clone()));
    out.sort_by_key(|r| r.start);
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HighlightKind {
    /// The definition (`AS name`).
    Write,
    /// A reference.
    Read,
}

pub fn highlights(analysis: &Analysis, offset: usize) -> Vec<(Range<usize>, HighlightKind)> {
    let graph = &analysis.stages;
    let Some(stage) = stage_under(graph, offset) else {
        return match analysis.variables.def_at(offset) {
            Some(def) => variable_ranges(&analysis.variables, def, true),
            None => Vec::new(),
        };
    };
    let mut out: Vec<_> = stage
        .name_range
        .iter()
        .map(|r| (r.clone(), HighlightKind::Write))
        .collect();
    out.extend(
        graph
            .refs_to(stage.index)
            .map(|r| (r.range.clone(), HighlightKind::Read)),
    );
    out.sort_by_key(|(r, _)| r.start);
    out
}

/// The range a rename would change at the cursor, or why it cannot.
pub fn prepare_rename(analysis: &Analysis, offset: usize) -> Result<Range<usize>, String> {
    let graph = &analysis.stages;
    let vars = &analysis.variables;
    if let Some(d) = vars
        .defs
        .iter()
        .find(|d| d.name_range.start <= offset && offset <= d.name_range.end)
    {
        return Ok(d.name_range.clone());
    }
    if let Some(u) = vars.use_at(offset) {
        return match u.def {
            Some(_) => Ok(u.range.clone()),
            None if u.predefined => Err(format!("`{}` is predefined by BuildKit", u.name)),
            None => Err(format!("`{}` is not defined here", u.name)),
        };
    }
    if let Some(stage) = graph.definition_at(offset) {
        return Ok(stage.name_range.clone().expect("a definition has a name"));
    }
    let reference = graph
        .ref_at(offset)
        .ok_or_else(|| "only stage names can be renamed here".to_string())?;
    let target = reference
        .target
        .ok_or_else(|| format!("`{}` is not a stage of this Dockerfile", reference.text))?;
    if graph.stages[target].name.is_none() || is_index(&reference.text) {
        return Err("a numeric stage reference cannot be renamed; name the stage with AS".into());
    }
    Ok(reference.range.clone())
}

/// The edits that rename the stage under the cursor: its `AS name` and
/// every reference by name (numeric references stay as they are).
pub fn rename(
    analysis: &Analysis,
    offset: usize,
    new_name: &str,
) -> Result<Vec<(Range<usize>, String)>, String> {
    prepare_rename(analysis, offset)?;
    let graph = &analysis.stages;
    if stage_under(graph, offset).is_none() {
        return rename_variable(&analysis.variables, offset, new_name);
    }
    let stage = stage_under(graph, offset).expect("checked above");
    if !is_valid_stage_name(new_name) {
        return Err(format!(
            "`{new_name}` is not a valid stage name: it must start with a letter and hold only letters, digits, `-`, `_` and `.`"
        ));
    }
    if let Some(other) = graph.stages.iter().find(|s| {
        s.index != stage.index
            && s.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(new_name))
    }) {
        return Err(format!(
            "stage {} is already named `{}`",
            other.index,
            other.name.as_deref().unwrap_or_default()
        ));
    }
    let mut edits = vec![(
        stage
            .name_range
            .clone()
            .expect("renamable stages are named"),
        new_name.to_string(),
    )];
    edits.extend(
        graph
            .refs_to(stage.index)
            .filter(|r| !is_index(&r.text))
            .map(|r| (r.range.clone(), new_name.to_string())),
    );
    edits.sort_by_key(|(r, _)| r.start);
    Ok(edits)
}

fn rename_variable(
    vars: &Variables,
    offset: usize,
    new_name: &str,
) -> Result<Vec<(Range<usize>, String)>, String> {
    let def = vars
        .def_at(offset)
        .ok_or_else(|| "nothing to rename here".to_string())?;
    let mut chars = new_name.chars();
    let valid = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(format!("`{new_name}` is not a valid variable name"));
    }
    let family = vars.family(def);
    let stages: Vec<Option<usize>> = family.iter().map(|&d| vars.defs[d].stage).collect();
    if vars
        .defs
        .iter()
        .any(|d| d.name == new_name && (d.stage.is_none() || stages.contains(&d.stage)))
    {
        return Err(format!("a variable named `{new_name}` already exists"));
    }
    Ok(variable_ranges(vars, def, true)
        .into_iter()
        .map(|(r, _)| (r, new_name.to_string()))
        .collect())
}

fn is_index(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// BuildKit's rule for stage names (compared in lower case).
pub fn is_valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    fn analysis(src: &str) -> Analysis {
        Analysis::build(&syntax::parse(src), src)
    }

    #[test]
    fn stage_names() {
        for ok in ["build", "Build", "a.b-c_d", "x1"] {
            assert!(is_valid_stage_name(ok), "{ok}");
        }
        for bad in ["", "1abc", "a b", "a/b", "$X", "é"] {
            assert!(!is_valid_stage_name(bad), "{bad}");
        }
    }

    #[test]
    fn rename_refuses_collisions_and_bad_names() {
        let src = "FROM a AS one\nFROM b AS two\nCOPY --from=one / /\n";
        let g = analysis(src);
        let at = src.find("one /").unwrap();
        assert!(rename(&g, at, "TWO").unwrap_err().contains("already named"));
        assert!(rename(&g, at, "9lives")
            .unwrap_err()
            .contains("not a valid stage name"));
        let edits = rename(&g, at, "first").unwrap();
        assert_eq!(edits.len(), 2);
    }
}
