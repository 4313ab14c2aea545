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
pub mod summary;
pub mod variables;

use std::sync::Arc;

use tree_sitter::Tree;

use crate::syntax::{views, Source};

/// The facts features ask about one version of a document.
pub struct Analysis {
    pub stages: stages::StageGraph,
    pub variables: variables::Variables,
    /// What each part of the document says on its own, for the next
    /// revision's [`Analysis::update`].
    parts: Parts,
}

/// The preamble (everything before the first stage) and each stage, with
/// the text they were read from: a part whose text is unchanged is reused
/// as it is (its ranges are relative to its start), and only the linking
/// of the parts (names, inherited ENV, global ARGs) is done again.
#[derive(Default)]
struct Parts {
    /// Who read the preamble: a new number each time it is read.
    preamble_id: u64,
    preamble_text: String,
    preamble: variables::Local,
    stages: Vec<StagePart>,
}

struct StagePart {
    /// A number given when the part is read and kept while it is reused:
    /// equal ids, equal text (and tree) of the part.
    id: u64,
    text: String,
    graph: Arc<stages::Local>,
    variables: Arc<variables::Local>,
    summary: Arc<summary::StageSummary>,
}

/// How much of the previous revision an [`Analysis::update`] reused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reuse {
    /// Stages whose part was taken from the previous revision.
    pub reused: usize,
    /// Stages read again from the tree.
    pub read: usize,
}

/// A number no part read before has had.
fn next_part_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Analysis {
    pub fn build<S: Source + ?Sized>(tree: &Tree, source: &S) -> Analysis {
        Analysis::assemble(tree, source, None).0
    }

    /// The analysis of a new revision of the document `self` analysed:
    /// equal to [`Analysis::build`] of it, reading again only the stages
    /// whose text changed (and everything when the text before the first
    /// FROM changed: global ARGs and the escape character reach every
    /// stage).
    pub fn update<S: Source + ?Sized>(&self, tree: &Tree, source: &S) -> (Analysis, Reuse) {
        Analysis::assemble(tree, source, Some(&self.parts))
    }

    /// What the document-level rules read of stage `s`.
    pub fn summary(&self, s: usize) -> Option<&summary::StageSummary> {
        self.parts.stages.get(s).map(|p| &*p.summary)
    }

    /// The identity of the preamble's part: it changes when the preamble
    /// is read again (its text changed, or the analysis was built anew).
    pub fn preamble_id(&self) -> u64 {
        self.parts.preamble_id
    }

    /// The identity of each stage's part: equal in two analyses (of one
    /// document's revisions) only when the stage was reused, so its text
    /// and the preamble's are unchanged.
    pub fn stage_ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.parts.stages.iter().map(|p| p.id)
    }

    fn assemble<S: Source + ?Sized>(
        tree: &Tree,
        source: &S,
        previous: Option<&Parts>,
    ) -> (Analysis, Reuse) {
        let nodes = views::stages(tree);
        let preamble_end = nodes
            .first()
            .map_or(tree.root_node().end_byte(), |(s, _)| s.start_byte());
        let preamble_text = source.text(0..preamble_end).into_owned();
        let previous = previous.filter(|p| p.preamble_text == preamble_text);
        let texts: Vec<String> = nodes
            .iter()
            .map(|(s, _)| source.text(s.byte_range()).into_owned())
            .collect();
        // The unchanged stages at both ends (an edit changes a run of
        // stages in between; inserted or deleted stages shift the rest).
        let old: &[StagePart] = previous.map_or(&[], |p| &p.stages);
        let prefix = old
            .iter()
            .zip(&texts)
            .take_while(|(o, t)| o.text == **t)
            .count();
        let room = old.len().min(texts.len()) - prefix;
        let suffix = old
            .iter()
            .rev()
            .zip(texts.iter().rev())
            .take(room)
            .take_while(|(o, t)| o.text == **t)
            .count();
        let mut reuse = Reuse::default();
        let mut parts = Vec::with_capacity(nodes.len());
        for (k, (text, &(stage, from))) in texts.into_iter().zip(&nodes).enumerate() {
            // A stage with a syntax error is always read again: error
            // recovery may look past the stage, so the same text need not
            // give the same tree.
            let kept = if stage.has_error() {
                None
            } else if k < prefix {
                Some(&old[k])
            } else if k >= nodes.len() - suffix {
                Some(&old[old.len() - (nodes.len() - k)])
            } else {
                None
            };
            let part = match kept {
                Some(o) => {
                    reuse.reused += 1;
                    StagePart {
                        id: o.id,
                        text,
                        graph: Arc::clone(&o.graph),
                        variables: Arc::clone(&o.variables),
                        summary: Arc::clone(&o.summary),
                    }
                }
                None => {
                    reuse.read += 1;
                    StagePart {
                        id: next_part_id(),
                        text,
                        graph: Arc::new(stages::Local::read(stage, from, source)),
                        variables: Arc::new(variables::Local::stage(stage, from, source)),
                        summary: Arc::new(summary::StageSummary::read(stage, source)),
                    }
                }
            };
            parts.push(part);
        }
        let (preamble, preamble_id) = match previous {
            Some(p) => (p.preamble.clone(), p.preamble_id),
            None => (variables::Local::preamble(tree, source), next_part_id()),
        };
        let graph_parts: Vec<&stages::Local> = parts.iter().map(|p| &*p.graph).collect();
        let starts: Vec<usize> = nodes.iter().map(|(s, _)| s.start_byte()).collect();
        let stages = stages::StageGraph::link(&graph_parts, &starts);
        let variable_parts: Vec<&variables::Local> = parts.iter().map(|p| &*p.variables).collect();
        let variables = variables::Variables::link(&stages, &preamble, &variable_parts);
        let analysis = Analysis {
            stages,
            variables,
            parts: Parts {
                preamble_id,
                preamble_text,
                preamble,
                stages: parts,
            },
        };
        (analysis, reuse)
    }
}
