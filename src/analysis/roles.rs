//! What each stage is for, inferred from what it does: installing
//! dependencies, building, testing, or shipping the runtime. Also which
//! stages the final stage needs (the others are never built by default).

use tree_sitter::Tree;

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

const INSTALL: &[&str] = &[
    "npm ci",
    "npm install",
    "npm i ",
    "yarn install",
    "yarn --frozen-lockfile",
    "pnpm install",
    "pnpm i ",
    "pip install",
    "pip3 install",
    "poetry install",
    "uv sync",
    "pipenv install",
    "go mod download",
    "bundle install",
    "composer install",
    "cargo fetch",
    "mvn dependency:",
    "gradle dependencies",
    "dotnet restore",
];
const BUILD: &[&str] = &[
    "npm run build",
    "yarn build",
    "yarn run build",
    "pnpm build",
    "pnpm run build",
    "next build",
    "tsc",
    "go build",
    "cargo build",
    "mvn package",
    "mvn install",
    "gradle build",
    "gradlew build",
    "dotnet publish",
    "dotnet build",
    "make",
    "python setup.py build",
    "python -m build",
    "webpack",
    "vite build",
];
const TEST: &[&str] = &[
    "npm test",
    "npm run test",
    "yarn test",
    "pnpm test",
    "go test",
    "pytest",
    "cargo test",
    "mvn test",
    "gradle test",
    "dotnet test",
    "jest",
    "vitest",
    "rspec",
    "tox",
];

fn found(text: &str, needles: &[&str]) -> Vec<String> {
    let padded = format!(" {} ", text.replace(['\n', '\t', ';', '&', '|'], " "));
    needles
        .iter()
        .filter(|n| padded.contains(&format!(" {}", n.trim_end())))
        .map(|n| n.trim().to_string())
        .collect()
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
                let mut body = args.clone();
                let mut cursor = instruction.walk();
                for block in instruction
                    .children(&mut cursor)
                    .filter(|c| c.kind() == "heredoc_block")
                {
                    if let Some(b) = block.child_by_field_name("body") {
                        body.push('\n');
                        body.push_str(&source.text(b.byte_range()));
                    }
                }
                facts.installs.extend(found(&body, INSTALL));
                facts.builds.extend(found(&body, BUILD));
                facts.tests.extend(found(&body, TEST));
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
    for list in [&mut facts.installs, &mut facts.builds, &mut facts.tests] {
        list.dedup();
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
