//! What several rules ask about instructions, read once per check: the
//! script of each RUN (with tree-sitter-bash), and the sources,
//! destination and `--from` of each COPY/ADD.

use tree_sitter::Node;

use super::Ctx;
use crate::analysis::shell::Script;
use crate::syntax::{logical_text, views};

pub struct Facts<'t> {
    /// Every instruction of each stage, in order (FROM first).
    pub stages: Vec<Vec<Node<'t>>>,
    pub runs: Vec<Run<'t>>,
    pub copies: Vec<Copy<'t>>,
    /// Per instruction kind asked about, for each stage: the nearest stage
    /// of its lineage (itself included) holding an instruction of the kind.
    nearest:
        std::sync::Mutex<std::collections::HashMap<&'static str, std::sync::Arc<[Option<usize>]>>>,
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
    pub fn read(ctx: &Ctx<'t>) -> Facts<'t> {
        let mut facts = Facts {
            stages: Vec::new(),
            runs: Vec::new(),
            copies: Vec::new(),
            nearest: Default::default(),
        };
        for (index, (stage, _)) in views::stages(ctx.tree).into_iter().enumerate() {
            let instructions = views::stage_instructions(stage);
            for &node in &instructions {
                match node.kind() {
                    "run_instruction" => facts.runs.push(read_run(ctx, node, index)),
                    "copy_instruction" | "add_instruction" => {
                        facts.copies.push(read_copy(ctx, node, index))
                    }
                    _ => {}
                }
            }
            facts.stages.push(instructions);
        }
        facts
    }

    /// The RUNs of a stage (runs are read in document order, so by stage).
    pub fn runs_in(&self, stage: usize) -> impl Iterator<Item = &Run<'t>> {
        let from = self.runs.partition_point(|r| r.stage < stage);
        let to = self.runs.partition_point(|r| r.stage <= stage);
        self.runs[from..to].iter()
    }

    /// The COPY/ADDs of a stage.
    pub fn copies_in(&self, stage: usize) -> impl Iterator<Item = &Copy<'t>> {
        let from = self.copies.partition_point(|c| c.stage < stage);
        let to = self.copies.partition_point(|c| c.stage <= stage);
        self.copies[from..to].iter()
    }

    /// The instructions of a stage of a kind (`"user_instruction"`...).
    pub fn of_kind(&self, stage: usize, kind: &str) -> Vec<Node<'t>> {
        self.stages
            .get(stage)
            .map(|i| i.iter().copied().filter(|n| n.kind() == kind).collect())
            .unwrap_or_default()
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
    ) -> std::sync::Arc<[Option<usize>]> {
        if let Some(found) = self.nearest.lock().ok().and_then(|m| m.get(kind).cloned()) {
            return found;
        }
        // Parents come before their children, so one pass in order does.
        let mut nearest: Vec<Option<usize>> = Vec::with_capacity(self.stages.len());
        for (s, instructions) in self.stages.iter().enumerate() {
            let own = instructions.iter().any(|n| n.kind() == kind).then_some(s);
            let inherited = graph
                .stages
                .get(s)
                .and_then(|st| st.parent)
                .filter(|&p| p < s)
                .and_then(|p| nearest[p]);
            nearest.push(own.or(inherited));
        }
        let nearest: std::sync::Arc<[Option<usize>]> = nearest.into();
        if let Ok(mut memo) = self.nearest.lock() {
            memo.insert(kind, nearest.clone());
        }
        nearest
    }

    pub fn final_stage(&self) -> Option<usize> {
        self.stages.len().checked_sub(1)
    }
}

fn read_run<'t>(ctx: &Ctx<'t>, node: Node<'t>, stage: usize) -> Run<'t> {
    let mut text = String::new();
    if let Some(shell) = node.child_by_field_name("shell") {
        let command = logical_text(shell, ctx.source);
        let mut cursor = node.walk();
        let bodies: Vec<String> = node
            .children(&mut cursor)
            .filter(|c| c.kind() == "heredoc_block")
            .map(|b| ctx.text(b))
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
        let args = json_args(ctx, exec);
        text = match args.as_slice() {
            [sh, c, script, ..] if sh.ends_with("sh") && c == "-c" => script.clone(),
            _ => args.join(" "),
        };
    }
    let flags = views::flags(node, ctx.source);
    let mount_type = |wanted: &str| {
        flags.iter().any(|f| {
            f.name == "mount"
                && f.options
                    .iter()
                    .any(|o| o.key == "type" && o.value.is_some_and(|v| ctx.text(v) == wanted))
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
    let mut cursor = array.walk();
    array
        .named_children(&mut cursor)
        .filter(|c| c.kind() == "json_string")
        .map(|s| {
            let raw = ctx.text(s);
            serde_json::from_str::<String>(&raw).unwrap_or(raw)
        })
        .collect()
}

fn read_copy<'t>(ctx: &Ctx<'t>, node: Node<'t>, stage: usize) -> Copy<'t> {
    let from = views::flags(node, ctx.source)
        .into_iter()
        .find(|f| f.name == "from")
        .and_then(|f| f.value)
        .map(|v| logical_text(v, ctx.source));
    let mut cursor = node.walk();
    let path_nodes: Vec<Node> = node.children_by_field_name("path", &mut cursor).collect();
    let heredoc = path_nodes.iter().any(|p| p.kind() == "heredoc_marker");
    let paths = if let Some(exec) = node.child_by_field_name("exec") {
        json_args(ctx, exec)
    } else {
        path_nodes
            .iter()
            .map(|p| logical_text(*p, ctx.source))
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
