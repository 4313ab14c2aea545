//! Go to stage, references, highlights and rename for stage names.

use std::ops::Range;

use crate::analysis::stages::{Stage, StageGraph};

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

/// Go to definition: a reference goes to its stage; a reference to an
/// undefined stage goes nowhere.
pub fn definition(graph: &StageGraph, offset: usize) -> Option<Range<usize>> {
    stage_under(graph, offset).map(definition_range)
}

/// Every reference to the stage under the cursor (and its definition when
/// asked), in document order.
pub fn references(
    graph: &StageGraph,
    offset: usize,
    include_declaration: bool,
) -> Vec<Range<usize>> {
    let Some(stage) = stage_under(graph, offset) else {
        return Vec::new();
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

pub fn highlights(graph: &StageGraph, offset: usize) -> Vec<(Range<usize>, HighlightKind)> {
    let Some(stage) = stage_under(graph, offset) else {
        return Vec::new();
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
pub fn prepare_rename(graph: &StageGraph, offset: usize) -> Result<Range<usize>, String> {
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
    graph: &StageGraph,
    offset: usize,
    new_name: &str,
) -> Result<Vec<(Range<usize>, String)>, String> {
    prepare_rename(graph, offset)?;
    let stage = stage_under(graph, offset).expect("prepare_rename found a stage");
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

    fn graph(src: &str) -> StageGraph {
        StageGraph::build(&syntax::parse(src), src)
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
        let g = graph(src);
        let at = src.find("one /").unwrap();
        assert!(rename(&g, at, "TWO").unwrap_err().contains("already named"));
        assert!(rename(&g, at, "9lives")
            .unwrap_err()
            .contains("not a valid stage name"));
        let edits = rename(&g, at, "first").unwrap();
        assert_eq!(edits.len(), 2);
    }
}
