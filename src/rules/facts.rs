//! What several rules ask about instructions, read once per check: the
//! script of each RUN (with tree-sitter-bash), and the sources,
//! destination and `--from` of each COPY/ADD.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

use tree_sitter::{Node, Tree};

use super::Ctx;
use crate::analysis::shell::Script;
use crate::syntax::{logical_text, views, Source};

/// Read lazily, one stage at a time: a rule asking about one stage (or a
/// run of the rules scoped to one stage, [`super::Ctx::scoped`]) reads
/// only that stage and those it asks about.
pub struct Facts<'t> {
    source: &'t (dyn Source + Sync),
    /// The document's stage nodes.
    nodes: Vec<Node<'t>>,
    listed: Vec<OnceLock<Vec<Node<'t>>>>,
    per_stage: Vec<OnceLock<StageFacts<'t>>>,
    /// Per instruction kind asked about, for each stage: the nearest stage
    /// of its lineage (itself included) holding an instruction of the kind.
    nearest: Mutex<HashMap<&'static str, Arc<[Option<usize>]>>>,
}

/// What a stage's RUNs and COPYs hold.
pub struct StageFacts<'t> {
    pub runs: Vec<Run<'t>>,
    pub copies: Vec<Copy<'t>>,
}

/// The facts as a rule's check sees them: every stage can be asked about,
/// and the iterations over "every RUN", "every COPY", "every stage" cover
/// the stages of the check's scope.
pub struct FactsView<'c, 't> {
    pub(super) facts: &'c Facts<'t>,
    pub(super) scope: Range<usize>,
}

impl<'t> std::ops::Deref for FactsView<'_, 't> {
    type Target = Facts<'t>;
    fn deref(&self) -> &Facts<'t> {
        self.facts
    }
}

impl<'c, 't> FactsView<'c, 't> {
    /// The stages of the scope, with their instructions.
    pub fn stages(&self) -> impl Iterator<Item = (usize, &'c [Node<'t>])> + 'c {
        let facts = self.facts;
        self.scope.clone().map(move |s| (s, facts.instructions(s)))
    }

    /// Every stage of the document (for what stages inherit), whatever
    /// the scope.
    pub fn all_stages(&self) -> impl Iterator<Item = &'c [Node<'t>]> + 'c {
        let facts = self.facts;
        (0..facts.stage_count()).map(move |s| facts.instructions(s))
    }

    /// The stage nodes of the scope with their FROM instruction.
    pub fn stage_nodes(&self) -> impl Iterator<Item = (usize, Node<'t>, Node<'t>)> + 'c {
        let facts = self.facts;
        self.scope.clone().filter_map(move |s| {
            let stage = facts.nodes[s];
            stage
                .child_by_field_name("from")
                .map(|from| (s, stage, from))
        })
    }

    /// Every RUN of the scope's stages, in document order.
    pub fn runs(&self) -> impl Iterator<Item = &'c Run<'t>> + 'c {
        let facts = self.facts;
        self.scope
            .clone()
            .flat_map(move |s| facts.stage(s).runs.iter())
    }

    /// Every COPY/ADD of the scope's stages, in document order.
    pub fn copies(&self) -> impl Iterator<Item = &'c Copy<'t>> + 'c {
        let facts = self.facts;
        self.scope
            .clone()
            .flat_map(move |s| facts.stage(s).copies.iter())
    }
}

pub struct Run<'t> {
    pub node: Node<'t>,
    pub stage: usize,
    pub script: std::sync::Arc<Script>,
    /// The script's text as the shell gets it.
    pub text: String,
    /// `--mount=type=cache` is used.
    pub cache_mount: bool,
    /// `--mount=type=secret` is used.
    pub secret_mount: bool,
}

pub struct Copy<'t> {
    pub node: Node<'t>,
    pub stage: usize,
    /// `ADD` rather than `COPY`.
    pub add: bool,
    pub from: Option<String>,
    /// Sources then destination, as written (continuations removed).
    pub paths: Vec<String>,
    pub path_nodes: Vec<Node<'t>>,
    pub heredoc: bool,
}

impl Copy<'_> {
    pub fn sources(&self) -> &[String] {
        &self.paths[..self.paths.len().saturating_sub(1)]
    }

    pub fn dest(&self) -> Option<&str> {
        (self.paths.len() >= 2).then(|| self.paths[self.paths.len() - 1].as_str())
    }
}

impl<'t> Facts<'t> {
    pub fn new(tree: &'t Tree, source: &'t (dyn Source + Sync)) -> Facts<'t> {
        let nodes: Vec<Node<'t>> = views::stages(tree).into_iter().map(|(s, _)| s).collect();
        Facts {
            source,
            listed: nodes.iter().map(|_| OnceLock::new()).collect(),
            per_stage: nodes.iter().map(|_| OnceLock::new()).collect(),
            nodes,
            nearest: Default::default(),
        }
    }

    /// A stage's node.
    pub fn stage_node(&self, stage: usize) -> Node<'t> {
        self.nodes[stage]
    }

    /// The number of stages.
    pub fn stage_count(&self) -> usize {
        self.nodes.len()
    }

    /// A stage's facts, read on first use.
    pub fn stage(&self, stage: usize) -> &StageFacts<'t> {
        self.per_stage[stage].get_or_init(|| {
            let instructions = self.instructions(stage);
            let mut runs = Vec::new();
            let mut copies = Vec::new();
            for &node in instructions {
                match node.kind() {
                    "run_instruction" => runs.push(read_run(self.source, node, stage)),
                    "copy_instruction" | "add_instruction" => {
                        copies.push(read_copy(self.source, node, stage))
                    }
                    _ => {}
                }
            }
            StageFacts { runs, copies }
        })
    }

    /// The instructions of a stage (FROM first), listed on first use
    /// (without reading its RUNs and COPYs); none for a stage index past
    /// the end.
    pub fn instructions(&self, stage: usize) -> &[Node<'t>] {
        match self.listed.get(stage) {
            Some(list) => list.get_or_init(|| views::stage_instructions(self.nodes[stage])),
            None => &[],
        }
    }

    /// The RUNs of a stage.
    pub fn runs_in(&self, stage: usize) -> impl Iterator<Item = &Run<'t>> {
        self.stage(stage).runs.iter()
    }

    /// The COPY/ADDs of a stage.
    pub fn copies_in(&self, stage: usize) -> impl Iterator<Item = &Copy<'t>> {
        self.stage(stage).copies.iter()
    }

    /// The instructions of a stage of a kind (`"user_instruction"`...).
    pub fn of_kind(&self, stage: usize, kind: &str) -> Vec<Node<'t>> {
        self.instructions(stage)
            .iter()
            .copied()
            .filter(|n| n.kind() == kind)
            .collect()
    }

    /// The instructions of a kind in effect at `node` of `stage`: those
    /// before it in its stage and all those of the stages it builds on.
    /// Only the stages holding that kind are visited, so a long FROM chain
    /// costs nothing per call.
    pub fn in_effect(
        &self,
        graph: &crate::analysis::stages::StageGraph,
        stage: usize,
        node: Node,
        kind: &'static str,
    ) -> Vec<Node<'t>> {
        let nearest = self.nearest_of(graph, kind);
        let mut out: Vec<Node<'t>> = self
            .of_kind(stage, kind)
            .into_iter()
            .filter(|n| n.start_byte() < node.start_byte())
            .collect();
        let parent = |s: usize| graph.stages.get(s).and_then(|st| st.parent);
        let mut next = parent(stage).and_then(|p| nearest.get(p).copied().flatten());
        while let Some(s) = next {
            out.extend(self.of_kind(s, kind));
            next = parent(s).and_then(|p| nearest.get(p).copied().flatten());
        }
        out
    }

    fn nearest_of(
        &self,
        graph: &crate::analysis::stages::StageGraph,
        kind: &'static str,
    ) -> Arc<[Option<usize>]> {
        if let Some(found) = self.nearest.lock().ok().and_then(|m| m.get(kind).cloned()) {
            return found;
        }
        // Parents come before their children, so one pass in order does.
        let mut nearest: Vec<Option<usize>> = Vec::with_capacity(self.nodes.len());
        for s in 0..self.nodes.len() {
            let own = self
                .instructions(s)
                .iter()
                .any(|n| n.kind() == kind)
                .then_some(s);
            let inherited = graph
                .stages
                .get(s)
                .and_then(|st| st.parent)
                .filter(|&p| p < s)
                .and_then(|p| nearest[p]);
            nearest.push(own.or(inherited));
        }
        let nearest: Arc<[Option<usize>]> = nearest.into();
        if let Ok(mut memo) = self.nearest.lock() {
            memo.insert(kind, nearest.clone());
        }
        nearest
    }

    pub fn final_stage(&self) -> Option<usize> {
        self.nodes.len().checked_sub(1)
    }
}

fn read_run<'t>(source: &(dyn Source + Sync), node: Node<'t>, stage: usize) -> Run<'t> {
    let mut text = String::new();
    if let Some(shell) = node.child_by_field_name("shell") {
        let command = logical_text(shell, source);
        let mut cursor = node.walk();
        let bodies: Vec<String> = node
            .children(&mut cursor)
            .filter(|c| c.kind() == "heredoc_block")
            .map(|b| source.text(b.byte_range()).into_owned())
            .collect();
        let only_markers = command.split_whitespace().all(|w| w.starts_with("<<"));
        if only_markers && !bodies.is_empty() {
            // `RUN <<EOF` runs the body; drop each body's end delimiter.
            for body in bodies {
                let body = body.trim_end_matches(['\n', '\r']);
                let without_end = body.rfind('\n').map_or("", |i| &body[..i]);
                text.push_str(without_end);
                text.push('\n');
            }
        } else {
            text = command;
            for body in bodies {
                text.push('\n');
                text.push_str(&body);
            }
        }
    } else if let Some(exec) = node.child_by_field_name("exec") {
        let args = json_args_in(source, exec);
        text = match args.as_slice() {
            [sh, c, script, ..] if sh.ends_with("sh") && c == "-c" => script.clone(),
            _ => args.join(" "),
        };
    }
    let flags = views::flags(node, source);
    let mount_type = |wanted: &str| {
        flags.iter().any(|f| {
            f.name == "mount"
                && f.options.iter().any(|o| {
                    o.key == "type"
                        && o.value
                            .is_some_and(|v| source.text(v.byte_range()) == wanted)
                })
        })
    };
    Run {
        node,
        stage,
        script: Script::parse_shared(&text),
        text,
        cache_mount: mount_type("cache"),
        secret_mount: mount_type("secret"),
    }
}

/// The strings of a JSON array, unquoted.
pub fn json_args(ctx: &Ctx, array: Node) -> Vec<String> {
    json_args_in(ctx.source, array)
}

fn json_args_in(source: &(dyn Source + Sync), array: Node) -> Vec<String> {
    let mut cursor = array.walk();
    array
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "json_string")
        .map(|s| {
            let raw = source.text(s.byte_range()).into_owned();
            serde_json::from_str::<String>(&raw).unwrap_or(raw)
        })
        .collect()
}

fn read_copy<'t>(source: &(dyn Source + Sync), node: Node<'t>, stage: usize) -> Copy<'t> {
    let from = views::copy_from_value(node, source).map(|v| logical_text(v, source));
    let mut cursor = node.walk();
    let path_nodes: Vec<Node> = node.children_by_field_name("path", &mut cursor).collect();
    let heredoc = path_nodes.iter().any(|p| p.kind() == "heredoc_marker");
    let paths = if let Some(exec) = node.child_by_field_name("exec") {
        json_args_in(source, exec)
    } else {
        path_nodes
            .iter()
            .map(|p| logical_text(*p, source))
            .collect()
    };
    Copy {
        node,
        stage,
        add: node.kind() == "add_instruction",
        from,
        paths,
        path_nodes,
        heredoc,
    }
}

/// The ENV values a stage sets (its own and its parents' in the file).
pub fn env_in_stage(ctx: &Ctx, stage: usize, name: &str) -> Option<String> {
    // One pass over the definitions, then one walk up the lineage (not a
    // scan of every definition for each ancestor: long FROM chains).
    let mut last_in_stage: std::collections::HashMap<usize, &crate::analysis::variables::VarDef> =
        std::collections::HashMap::new();
    for d in &ctx.analysis.variables.defs {
        if d.kind == crate::analysis::variables::DefKind::Env && d.name == name {
            if let Some(s) = d.stage {
                last_in_stage.insert(s, d);
            }
        }
    }
    if last_in_stage.is_empty() {
        return None;
    }
    ctx.analysis
        .stages
        .lineage(stage)
        .find_map(|s| last_in_stage.get(&s))
        .map(|d| d.value.clone().unwrap_or_default())
}

/// The image a stage's lineage starts from, with `${VAR}` resolved from
/// global ARG defaults and `--build-arg`: its reference when it resolves,
/// and its facts when it is a known image.
pub struct BaseImage {
    pub reference: Option<String>,
    pub facts: Option<crate::analysis::images::ImageFacts>,
}

pub fn base_image(ctx: &Ctx, stage: usize) -> BaseImage {
    let (reference, facts) = crate::analysis::images::stage_base(
        &ctx.analysis.stages,
        &ctx.analysis.variables,
        &ctx.context.build_args,
        stage,
    );
    BaseImage { reference, facts }
}
