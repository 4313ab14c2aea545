//! The document outline: each stage (name and base) with its instructions.

use std::ops::Range;

use tree_sitter::Tree;

use crate::analysis::stages::StageGraph;
use crate::syntax::{self, views, Source};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Stage,
    Instruction,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub range: Range<usize>,
    pub selection_range: Range<usize>,
    pub children: Vec<Symbol>,
}

pub fn document_symbols<S: Source + ?Sized>(
    tree: &Tree,
    source: &S,
    graph: &StageGraph,
) -> Vec<Symbol> {
    let mut out = Vec::new();
    // Instructions before the first FROM.
    let mut cursor = tree.root_node().walk();
    for node in tree.root_node().named_children(&mut cursor) {
        if syntax::is_instruction_kind(node.kind()) {
            out.push(instruction_symbol(node, source));
        }
    }
    for ((stage_node, _), stage) in views::stages(tree).into_iter().zip(&graph.stages) {
        let name = match &stage.name {
            Some(name) => name.clone(),
            None => format!("stage {}", stage.index),
        };
        let detail = match stage.parent {
            Some(parent) => format!(
                "FROM stage {}",
                graph.stages[parent].name.as_deref().unwrap_or("?")
            ),
            None => format!("FROM {}", stage.base_text),
        };
        out.push(Symbol {
            name,
            detail: Some(detail),
            kind: SymbolKind::Stage,
            range: stage.range.clone(),
            selection_range: stage
                .name_range
                .clone()
                .unwrap_or_else(|| stage.from_range.clone()),
            children: views::stage_instructions(stage_node)
                .into_iter()
                .map(|n| instruction_symbol(n, source))
                .collect(),
        });
    }
    out
}

fn instruction_symbol<S: Source + ?Sized>(node: tree_sitter::Node, source: &S) -> Symbol {
    let keyword = views::keyword(node, source);
    let text = syntax::logical_text(node, source);
    let first_line = text.lines().next().unwrap_or("").trim();
    let detail: String = first_line[keyword.len().min(first_line.len())..]
        .trim()
        .chars()
        .take(60)
        .collect();
    let keyword_range = node.child(0).map_or(node.byte_range(), |k| k.byte_range());
    Symbol {
        name: keyword,
        detail: (!detail.is_empty()).then_some(detail),
        kind: SymbolKind::Instruction,
        range: node.byte_range(),
        selection_range: keyword_range,
        children: Vec::new(),
    }
}
