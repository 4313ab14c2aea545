//! What each stage is for, inferred from what it does: installing
//! dependencies, building, testing, or shipping the runtime. Also which
//! stages the final stage needs (the others are never built by default).

use tree_sitter::Tree;

use crate::analysis::commands::{self, Action, Tool};
use crate::analysis::shell::Script;
use crate::analysis::stages::StageGraph;
use crate::syntax::{self, views, Source};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Installs dependencies (from a manifest and lockfile).
    Deps,
    /// Compiles or bundles the application.
    Build,
    /// Runs the tests.
    Test,
    /// The final stage, or one that sets what runs: what ships.
    Runtime,
    /// Nothing recognisable.
    Other,
}

/// What a stage does, as far as its instructions tell.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StageFacts {
    pub installs: Vec<String>,
    pub builds: Vec<String>,
    pub tests: Vec<String>,
    /// Files copied from the build context (not from another stage).
    pub context_copies: Vec<String>,
    /// `COPY . .` or another copy of the whole context.
    pub copies_whole_context: bool,
    pub user: Option<String>,
    pub exposes: Vec<String>,
    pub entrypoint: Option<String>,
    pub cmd: Option<String>,
    pub workdir: Option<String>,
    /// For each `COPY --from=`: (source stage text, sources, destination).
    pub copies_from: Vec<(String, Vec<String>, String)>,
}

/// The script a RUN runs: its shell form (flags left out) with its heredoc
/// bodies, or the strings of its JSON form (`sh -c` unwrapped).
fn run_script<S: Source + ?Sized>(run: tree_sitter::Node, source: &S) -> String {
    let mut body = String::new();
    if let Some(shell) = run.child_by_field_name("shell") {
        body = syntax::logical_text(shell, source);
    } else if let Some(exec) = run.child_by_field_name("exec") {
        let mut cursor = exec.walk();
        let args: Vec<String> = exec
            .named_children(&mut cursor)
            .filter(|c| c.kind() == "json_string")
            .map(|c| {
                let raw = source.text(c.byte_range()).into_owned();
                serde_json::from_str::<String>(&raw).unwrap_or(raw)
            })
            .collect();
        body = match args.as_slice() {
            [sh, c, script, ..] if sh.ends_with("sh") && c == "-c" => script.clone(),
            _ => args.join(" "),
        };
    }
    let mut cursor = run.walk();
    for block in run
        .children(&mut cursor)
        .filter(|c| c.kind() == "heredoc_block")
    {
        if let Some(b) = block.child_by_field_name("body") {
            body.push('\n');
            body.push_str(&source.text(b.byte_range()));
        }
    }
    body
}

/// What the commands of a script do, by `analysis::commands`: dependency
/// installs (language package managers, not the system's), builds, tests.
/// A version check (`bundle --version`) is none of them.
fn read_steps(script: &Script, facts: &mut StageFacts) {
    for step in script.commands.iter().filter_map(commands::step) {
        let system = matches!(step.tool, Some(Tool::Apt | Tool::Apk | Tool::Dnf));
        let list = match step.action {
            Action::Install if !system => &mut facts.installs,
            Action::Build => &mut facts.builds,
            Action::Test => &mut facts.tests,
            _ => continue,
        };
        if !list.contains(&step.label) {
            list.push(step.label);
        }
    }
}

pub fn stage_facts<S: Source + ?Sized>(tree: &Tree, source: &S, stage: usize) -> StageFacts {
    let mut facts = StageFacts::default();
    let Some((node, _)) = views::stages(tree).into_iter().nth(stage) else {
        return facts;
    };
    for instruction in views::stage_instructions(node) {
        let keyword = views::keyword(instruction, source);
        let text = syntax::logical_text(instruction, source);
        let args = text.get(keyword.len()..).unwrap_or("").trim().to_string();
        match keyword.as_str() {
            "RUN" => {
                let script = Script::parse_shared(&run_script(instruction, source));
                read_steps(&script, &mut facts);
            }
            "COPY" | "ADD" => {
                let mut cursor = instruction.walk();
                let paths: Vec<String> = instruction
                    .children_by_field_name("path", &mut cursor)
                    .map(|p| syntax::logical_text(p, source))
                    .collect();
                let from = views::flags(instruction, source)
                    .into_iter()
                    .find(|f| f.name == "from")
                    .and_then(|f| f.value.map(|v| syntax::logical_text(v, source)));
                if let Some((dest, sources)) = paths.split_last() {
                    match from {
                        Some(from) => {
                            facts
                                .copies_from
                                .push((from, sources.to_vec(), dest.clone()))
                        }
                        None => {
                            if sources.iter().any(|s| s == "." || s == "./") {
                                facts.copies_whole_context = true;
                            }
                            facts.context_copies.extend(sources.iter().cloned());
                        }
                    }
                }
            }
            "USER" => facts.user = Some(args),
            "EXPOSE" => facts
                .exposes
                .extend(args.split_whitespace().map(String::from)),
            "ENTRYPOINT" => facts.entrypoint = Some(args),
            "CMD" => facts.cmd = Some(args),
            "WORKDIR" => facts.workdir = Some(args),
            _ => {}
        }
    }
    facts
}

/// The role of a stage: what it does first, its name as a hint after that.
pub fn role(graph: &StageGraph, stage: usize, facts: &StageFacts) -> Role {
    let name = graph.stages[stage]
        .name
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase();
    let is_final = stage + 1 == graph.stages.len();
    if !facts.tests.is_empty() || name.contains("test") {
        return Role::Test;
    }
    if is_final || facts.cmd.is_some() || facts.entrypoint.is_some() {
        return Role::Runtime;
    }
    if !facts.builds.is_empty() {
        return Role::Build;
    }
    if !facts.installs.is_empty() {
        return Role::Deps;
    }
    match name.as_str() {
        n if n.contains("dep") => Role::Deps,
        n if n.contains("build") || n.contains("compile") => Role::Build,
        n if n.contains("run")
            || n.contains("prod")
            || n.contains("release")
            || n.contains("final") =>
        {
            Role::Runtime
        }
        _ => Role::Other,
    }
}

/// Stages the final stage needs (itself included): through FROM and every
/// stage reference.
pub fn reachable_from_final(graph: &StageGraph) -> Vec<bool> {
    reachable_from_any(graph, graph.stages.len().checked_sub(1))
}

/// Stages that any of `starts` needs, the starts included.
pub fn reachable_from_any(
    graph: &StageGraph,
    starts: impl IntoIterator<Item = usize>,
) -> Vec<bool> {
    let n = graph.stages.len();
    let mut uses: Vec<Vec<usize>> = vec![Vec::new(); n];
    for r in &graph.refs {
        if let Some(target) = r.target {
            uses[r.in_stage].push(target);
        }
    }
    let mut reached = vec![false; n];
    let mut stack: Vec<usize> = starts.into_iter().filter(|&s| s < n).collect();
    while let Some(s) = stack.pop() {
        if std::mem::replace(&mut reached[s], true) {
            continue;
        }
        stack.extend(graph.stages[s].parent);
        stack.extend(uses[s].iter().copied());
    }
    reached
}
