//! The document outline: each stage (name and base) with its instructions;
//! also kept per part of the document ([`outline`]), so that an edit computes
//! only the stages it changed.

use std::ops::Range;

use ropey::Rope;
use tree_sitter::Tree;

use super::segments;
use crate::analysis::stages::{Stage, StageGraph};
use crate::document::position::{Encoding, LineCursor, Position};
use crate::syntax::{self, ids::ids, views, Source};

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
        let (name, detail) = stage_labels(graph, stage);
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

/// A symbol located by positions in the client's encoding (as
/// `position::to_position` gives them), for the outline kept per part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub range: Range<Position>,
    pub selection_range: Range<Position>,
    pub children: Vec<Located>,
}

/// The outline of one part of the document ([`segments`]), its lines
/// counted from the part's first line. A stage's name and detail are not
/// kept: they depend on other stages (the parent's name, the index).
pub enum PartSymbols {
    Instruction(Located),
    Stage {
        range: Range<Position>,
        selection_range: Range<Position>,
        children: Vec<Located>,
    },
    Nothing,
}

/// The outline kept per part of a document, in one encoding.
#[derive(Clone, Default)]
pub struct SymbolCache {
    encoding: Encoding,
    parts: segments::Cache<PartSymbols>,
}

impl SymbolCache {
    /// How many parts it holds.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }
}

/// [`document_symbols`] located in `encoding`, computed part by part: a
/// part whose lines `cache` holds unchanged is reused (shifted to its
/// line), the others are computed. Returns the outline, the cache for the
/// next call (this document's parts only) and how many parts were reused.
pub fn outline(
    tree: &Tree,
    rope: &Rope,
    graph: &StageGraph,
    encoding: Encoding,
    cache: &SymbolCache,
) -> (Vec<Located>, SymbolCache, usize) {
    let empty = SymbolCache::default();
    let old = if cache.encoding == encoding {
        cache
    } else {
        &empty
    };
    let mut next = SymbolCache {
        encoding,
        parts: segments::Cache::default(),
    };
    let stage_kind = ids().stage;
    let mut lines = LineCursor::new(rope, encoding);
    let mut instructions = Vec::new();
    let mut stages = Vec::with_capacity(graph.stages.len());
    let mut reused = 0;
    for part in segments::parts(tree, rope) {
        let node = part.node;
        let stage = if node.kind_id() == stage_kind && node.child_by_field_name("from").is_some() {
            match graph.stages.get(stages.len()) {
                Some(stage) => Some(stage),
                None => continue, // as the zip in `document_symbols`
            }
        } else if syntax::is_instruction_kind(node.kind()) {
            None
        } else {
            continue;
        };
        let base = part.line;
        let mut at = |byte: usize| {
            let p = lines.position(byte);
            Position::new(p.line - base, p.character)
        };
        let (found, hit) = old.parts.get(&mut next.parts, rope, &part, || match stage {
            Some(stage) => PartSymbols::Stage {
                range: at(stage.range.start)..at(stage.range.end),
                selection_range: {
                    let r = stage.name_range.as_ref().unwrap_or(&stage.from_range);
                    at(r.start)..at(r.end)
                },
                children: views::stage_instructions(node)
                    .into_iter()
                    .map(|n| located(instruction_symbol(n, rope), &mut at))
                    .collect(),
            },
            None => PartSymbols::Instruction(located(instruction_symbol(node, rope), &mut at)),
        });
        reused += usize::from(hit);
        let shift = |r: &Range<Position>| {
            Position::new(r.start.line + base, r.start.character)
                ..Position::new(r.end.line + base, r.end.character)
        };
        match (&*found, stage) {
            (PartSymbols::Instruction(symbol), None) => instructions.push(shifted(symbol, &shift)),
            (
                PartSymbols::Stage {
                    range,
                    selection_range,
                    children,
                },
                Some(stage),
            ) => {
                let (name, detail) = stage_labels(graph, stage);
                stages.push(Located {
                    name,
                    detail: Some(detail),
                    kind: SymbolKind::Stage,
                    range: shift(range),
                    selection_range: shift(selection_range),
                    children: children.iter().map(|c| shifted(c, &shift)).collect(),
                });
            }
            // a kept result of another kind (not possible: the node's
            // kind is part of what identifies it)
            _ => unreachable!("a part's symbols of another kind"),
        }
    }
    instructions.extend(stages);
    (instructions, next, reused)
}

/// A stage's name in the outline, and its detail (what it is built on).
fn stage_labels(graph: &StageGraph, stage: &Stage) -> (String, String) {
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
    (name, detail)
}

fn located(s: Symbol, at: &mut impl FnMut(usize) -> Position) -> Located {
    Located {
        name: s.name,
        detail: s.detail,
        kind: s.kind,
        range: at(s.range.start)..at(s.range.end),
        selection_range: at(s.selection_range.start)..at(s.selection_range.end),
        children: s.children.into_iter().map(|c| located(c, at)).collect(),
    }
}

fn shifted(s: &Located, shift: &impl Fn(&Range<Position>) -> Range<Position>) -> Located {
    Located {
        name: s.name.clone(),
        detail: s.detail.clone(),
        kind: s.kind,
        range: shift(&s.range),
        selection_range: shift(&s.selection_range),
        children: s.children.iter().map(|c| shifted(c, shift)).collect(),
    }
}
