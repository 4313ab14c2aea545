//! Hover: on a stage (its name, its FROM line or a reference to it) the
//! stage's purpose and facts; on an instruction keyword or a flag, short
//! docs in our own words with a link to the Dockerfile reference.

use std::ops::Range;

use tree_sitter::Tree;

use crate::analysis::images;
use crate::analysis::roles::{self, Role, StageFacts};
use crate::analysis::stages::{RefKind, StageGraph};
use crate::analysis::variables::DefKind;
use crate::analysis::Analysis;
use crate::syntax::{self, Source};

use super::docs;


pub fn hover<S: Source + ?Sized>(
    tree: &Tree,
    source: &S,
    analysis: &Analysis,
    offset: usize,
) -> Option<(Range<usize>, String)> {
    hover_for_target(tree, source, analysis, offset, None)
}

/// Hover when a Compose file builds `target` (a stage name) rather than
/// the last stage: that stage is the one shipped.
pub fn hover_for_target<S: Source + ?Sized>(
    tree: &Tree,
    source: &S,
    analysis: &Analysis,
    offset: usize,
    target: Option<&str>,
) -> Option<(Range<usize>, String)> {
    let graph = &analysis.stages;
    let leaf = tree.root_node().descendant_for_byte_range(offset, offset)?;
    if let Some(found) = variable_hover(source, analysis, offset) {
        return Some(found);
    }
    if leaf.kind() == "flag_name" {
        let name = source
            .text(leaf.byte_range())
            .trim_start_matches('-')
            .to_string();
        let instruction = syntax::views::enclosing_instruction(leaf)?;
        let keyword = syntax::views::keyword(instruction, source);
        return docs::flag(&keyword, &name).map(|doc| (leaf.byte_range(), doc));
    }
    if let Some(r) = graph.ref_at(offset) {
        let index = r.target?;
        return Some((
            r.range.clone(),
            stage_hover(tree, source, analysis, index, target),
        ));
    }
    if let Some(stage) = graph.definition_at(offset) {
        return Some((
            stage.name_range.clone()?,
            stage_hover(tree, source, analysis, stage.index, target),
        ));
    }
    if let Some(stage) = graph
        .stages
        .iter()
        .find(|s| s.from_range.start <= offset && offset <= s.from_range.end)
    {
        return Some((
            stage.from_range.clone(),
            stage_hover(tree, source, analysis, stage.index, target),
        ));
    }
    let instruction = syntax::views::enclosing_instruction(leaf)?;
    let keyword_node = instruction.child(0)?;
    if keyword_node.start_byte() <= offset && offset <= keyword_node.end_byte() {
        let keyword = syntax::views::keyword(instruction, source);
        return docs::keyword(&keyword).map(|doc| (keyword_node.byte_range(), doc));
    }
    None
}

/// The stage the Compose files beside or above a Dockerfile build, when
/// every service that builds it names the same `build.target` (a service
/// with no target builds the last stage, so then there is none).
pub fn compose_target(
    dockerfile: &std::path::Path,
    top: Option<&std::path::Path>,
) -> Option<String> {
    let (services, _) = crate::analysis::compose::services_for(dockerfile, top);
    let mut targets = services.iter().map(|s| s.target.clone());
    let first = targets.next()??;
    targets
        .all(|t| t.as_deref() == Some(first.as_str()))
        .then_some(first)
}

/// On a variable: where it is defined and its value or default.
fn variable_hover<S: Source + ?Sized>(
    source: &S,
    analysis: &Analysis,
    offset: usize,
) -> Option<(Range<usize>, String)> {
    let vars = &analysis.variables;
    let (range, name, def) = match vars.use_at(offset) {
        Some(u) => (u.range.clone(), u.name.clone(), u.def),
        None => {
            let i = vars
                .defs
                .iter()
                .position(|d| d.name_range.start <= offset && offset <= d.name_range.end)?;
            (
                vars.defs[i].name_range.clone(),
                vars.defs[i].name.clone(),
                Some(i),
            )
        }
    };
    let Some(def) = def else {
        let text = if crate::analysis::variables::PREDEFINED.contains(&name.as_str()) {
            format!("**${name}** — a build argument BuildKit predefines; declare `ARG {name}` in the stage to use it there")
        } else {
            format!("**${name}** — not defined here: no ARG or ENV in effect declares it")
        };
        return Some((range, text));
    };
    let d = &vars.defs[def];
    let line = line_of(source, d.name_range.start);
    let (what, value_label) = match (d.kind, d.stage) {
        (DefKind::Arg, None) => ("global build argument".to_string(), "default"),
        (DefKind::Arg, Some(s)) => (
            format!("build argument of {}", stage_label(&analysis.stages, s)),
            "default",
        ),
        (DefKind::Env, Some(s)) => (
            format!(
                "environment variable of {}",
                stage_label(&analysis.stages, s)
            ),
            "value",
        ),
        (DefKind::Env, None) => ("environment variable".to_string(), "value"),
    };
    let mut text = format!("**${name}** — {what}, declared on line {line}");
    let value = d
        .value
        .clone()
        .or_else(|| d.redeclares.and_then(|g| vars.defs[g].value.clone()));
    match value {
        Some(v) => text.push_str(&format!("\n\n{value_label}: `{v}`")),
        None => text.push_str(&format!(
            "\n\nno {value_label}: set it with `--build-arg {name}=...`"
        )),
    }
    Some((range, text))
}

fn line_of<S: Source + ?Sized>(source: &S, offset: usize) -> usize {
    source
        .text(0..source.line_start(offset))
        .matches('\n')
        .count()
        + 1
}

fn stage_label(graph: &StageGraph, index: usize) -> String {
    match &graph.stages[index].name {
        Some(name) => format!("**{name}**"),
        None => format!("stage {index}"),
    }
}

/// Backticked, comma-separated.
fn ticked<T: AsRef<str>>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| format!("`{}`", i.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Stage labels joined with "and".
fn labels(graph: &StageGraph, stages: &[usize]) -> String {
    let names: Vec<String> = stages.iter().map(|&s| stage_label(graph, s)).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// How a stage installs its dependencies, and what the install's cache
/// depends on: the context files copied before it, or the whole context.
fn installs_line(facts: &StageFacts) -> Option<String> {
    if facts.installs.is_empty() {
        return None;
    }
    let cmds = ticked(&facts.installs);
    if facts.installs == ["go mod tidy"] {
        // It adds and drops requirements by reading the sources: no
        // manifest-only install.
        let from = if facts.whole_context_mounted {
            " with the whole build context mounted"
        } else {
            ""
        };
        return Some(format!(
            "rewrites go.mod and go.sum from the sources (`go mod tidy`){from}: any source change re-runs it"
        ));
    }
    Some(if facts.whole_context_mounted {
        format!("installs dependencies ({cmds}) with the whole build context mounted: any source change re-runs the install")
    } else if facts.whole_context_before_install {
        format!("installs dependencies ({cmds}) after copying the whole build context: any source change invalidates the install layer")
    } else if facts.install_inputs.is_empty() {
        format!("installs dependencies ({cmds})")
    } else if facts
        .install_inputs
        .iter()
        .any(|p| roles::is_directory_path(p))
    {
        // A directory copied before the install is (usually) the project's
        // sources: the layer is not cached on manifests alone.
        let (dirs, files): (Vec<&String>, Vec<&String>) = facts
            .install_inputs
            .iter()
            .partition(|p| roles::is_directory_path(p));
        let what = if dirs.len() == 1 {
            "the directory"
        } else {
            "the directories"
        };
        let mut line = format!(
            "installs dependencies ({cmds}) after copying {what} {}",
            ticked(&dirs)
        );
        if !files.is_empty() {
            line.push_str(&format!(" (and {})", ticked(&files)));
        }
        line.push_str(": any change to a file in them re-runs the install");
        line
    } else if !facts.inherited_sources.is_empty() {
        // The stage it is built on copied sources: any change to them
        // rebuilds this stage from its FROM, the install with it.
        format!(
            "installs dependencies ({cmds}) from {}, but on a base stage that copies {}: any change to a file in them re-runs the install",
            ticked(&facts.install_inputs),
            ticked(&facts.inherited_sources)
        )
    } else {
        let first: Vec<&String> = facts
            .installs
            .iter()
            .filter(|i| !facts.later_installs.contains(i))
            .collect();
        let mut line = format!(
            "installs dependencies ({}) from {}; the layer stays cached until they change",
            ticked(&first),
            ticked(&facts.install_inputs)
        );
        if !facts.later_installs.is_empty() {
            line.push_str(&format!(
                "; {} runs after more files are copied",
                ticked(&facts.later_installs)
            ));
        }
        line
    })
}

/// An ENTRYPOINT a stage does not set but has: its base stage's, or its
/// base image's (distroless nodejs: `/nodejs/bin/node`).
pub struct Inherited {
    /// The words of the entrypoint, as a shell would read them back.
    pub words: String,
    /// Where it comes from: "the base image's", "**final**'s".
    pub origin: String,
}

/// The exec-form words of a CMD or ENTRYPOINT (`["a", "b"]`), if it is
/// one.
fn exec_words(text: &str) -> Option<Vec<String>> {
    serde_json::from_str::<Vec<String>>(text.trim()).ok()
}

/// Words joined so that a shell reads them back the same.
fn shell_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c))
            {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the container runs: the ENTRYPOINT (with the CMD as its
/// arguments), or the CMD; a CMD under an inherited ENTRYPOINT is that
/// entrypoint's arguments.
fn runs(facts: &StageFacts, inherited: Option<&Inherited>) -> Option<String> {
    match (&facts.entrypoint, &facts.cmd, inherited) {
        (Some(e), Some(c), _) => Some(format!("`{e}` with the arguments `{c}`")),
        (Some(e), None, _) => Some(format!("`{e}`")),
        (None, Some(c), Some(i)) => Some(match exec_words(c) {
            Some(args) => format!(
                "`{} {}` ({} entrypoint `{}` with the CMD as its arguments)",
                i.words,
                shell_words(&args),
                i.origin,
                i.words
            ),
            None => format!(
                "{} entrypoint `{}` with the arguments `{c}`",
                i.origin, i.words
            ),
        }),
        (None, Some(c), None) => Some(format!("`{c}`")),
        (None, None, Some(i)) => Some(format!("{} entrypoint `{}`", i.origin, i.words)),
        (None, None, None) => None,
    }
}

/// File kinds no process can be started from in an image with nothing
/// else in it (scratch): packages, archives, documents, scripts without
/// their interpreter.
fn is_data_file(path: &str) -> Option<&'static str> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "apk" | "aab" => "an Android package",
        "ipa" => "an iOS package",
        "jar" | "war" | "ear" => "a Java archive (scratch has no Java)",
        "zip" | "tar" | "gz" | "tgz" | "xz" | "zst" | "7z" | "deb" | "rpm" | "msi" => "an archive",
        "js" | "mjs" | "cjs" | "py" | "rb" | "php" | "pl" => {
            "a script, and scratch has no interpreter"
        }
        "json" | "yaml" | "yml" | "toml" | "txt" | "md" | "html" | "css" | "wasm" | "pdf" => {
            "a data file"
        }
        _ => return None,
    })
}

/// For a scratch stage that runs no RUN and whose ENTRYPOINT or CMD names
/// a file no process starts from (`/reactnativeapp.apk`): that file and
/// what it is.
fn unrunnable_program(facts: &StageFacts) -> Option<(String, &'static str)> {
    if facts.base != "scratch" || facts.run_count != 0 {
        return None;
    }
    let text = facts.entrypoint.as_ref().or(facts.cmd.as_ref())?;
    let program = match exec_words(text) {
        Some(words) => words.into_iter().next()?,
        None => text.split_whitespace().next()?.to_string(),
    };
    let kind = is_data_file(&program)?;
    Some((program, kind))
}

/// The system packages, tools and named packages a stage installs.
fn base_installs(facts: &StageFacts) -> Option<String> {
    let mut parts = Vec::new();
    if !facts.system_installs.is_empty() {
        parts.push(format!(
            "system packages ({})",
            ticked(&facts.system_installs)
        ));
    }
    if !facts.tool_installs.is_empty() {
        parts.push(format!("tools ({})", ticked(&facts.tool_installs)));
    }
    if !facts.installs.is_empty() {
        parts.push(format!("packages ({})", ticked(&facts.installs)));
    }
    match parts.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        [rest @ .., last] => Some(format!("{} and {last}", rest.join(", "))),
    }
}

/// "compiles the tests without running any (...)".
fn compile_words(facts: &StageFacts) -> String {
    format!(
        "compiles the tests without running any ({})",
        facts.test_compiles.join("; ")
    )
}

/// What a stage builds: its build commands, then the tests it compiles.
fn build_words(facts: &StageFacts) -> String {
    match (facts.builds.is_empty(), facts.test_compiles.is_empty()) {
        (false, false) => format!(
            "builds ({}) and {}",
            ticked(&facts.builds),
            compile_words(facts)
        ),
        (false, true) => format!("builds ({})", ticked(&facts.builds)),
        _ => compile_words(facts),
    }
}

/// The one-line purpose of a stage.
pub fn purpose(
    graph: &StageGraph,
    index: usize,
    facts: &StageFacts,
    shipped: Option<usize>,
    inherited: Option<&Inherited>,
) -> String {
    let installs = installs_line(facts);
    let with_installs = |line: String| match &installs {
        Some(i) => format!("{line}; {i}"),
        None => line,
    };
    match roles::role(graph, index, facts, shipped) {
        Role::Shipped => {
            let mut line = if index + 1 == graph.stages.len() {
                "the final stage: what `docker build` ships".to_string()
            } else {
                "the Compose file's target: what its build ships".to_string()
            };
            let files_from = || {
                let mut from: Vec<usize> = facts.takes.iter().filter_map(|t| t.stage).collect();
                from.dedup();
                from
            };
            if let Some((program, kind)) = unrunnable_program(facts) {
                let from = files_from();
                let holds = if from.is_empty() {
                    String::new()
                } else {
                    format!(": it holds only files from {}", labels(graph, &from))
                };
                line.push_str(&format!(
                    "; nothing runs in it{holds} (its entrypoint `{program}` is {kind}, not a program: the image is for taking the file out)"
                ));
            } else if let Some(run) = runs(facts, inherited) {
                line.push_str(&format!(", running {run}"));
            } else if !facts.tests.is_empty() {
                line.push_str(&format!("; it runs the tests ({})", ticked(&facts.tests)));
            } else if !facts.builds.is_empty() || !facts.test_compiles.is_empty() {
                line.push_str(&format!("; it {}", build_words(facts)));
            } else if facts.base == "scratch" && facts.run_count == 0 && !facts.takes.is_empty() {
                let mut from: Vec<usize> = facts.takes.iter().filter_map(|t| t.stage).collect();
                from.dedup();
                line.push_str(&format!(
                    "; nothing runs in it: it holds only files from {}",
                    labels(graph, &from)
                ));
            }
            line
        }
        Role::Target => {
            let how = match &graph.stages[index].name {
                Some(name) => format!("built only with `--target {name}`"),
                None => "never built: it is not the last stage and has no name".to_string(),
            };
            let what = if facts.runs_tests.is_empty() {
                "an image of its own".to_string()
            } else {
                format!(
                    "an image that runs the tests ({}) when started",
                    ticked(&facts.runs_tests)
                )
            };
            match runs(facts, inherited) {
                Some(run) => format!("{what}, running {run}: {how}"),
                None => format!("{what}: {how}"),
            }
        }
        Role::Build if facts.builds.is_empty() => with_installs(build_words(facts)),
        Role::Build => {
            let name = graph.stages[index].name.as_deref().unwrap_or("");
            let what = if name.to_ascii_lowercase().contains("test") {
                "the tests"
            } else {
                "the application"
            };
            let mut line = format!("builds {what} ({})", ticked(&facts.builds));
            if !facts.tool_installs.is_empty() {
                line.push_str(&format!(
                    " with tools it installs ({})",
                    ticked(&facts.tool_installs)
                ));
            }
            if !facts.test_compiles.is_empty() {
                line.push_str(&format!(" and {}", compile_words(facts)));
            }
            if !facts.tests.is_empty() {
                let when = if facts.tests_before_build {
                    "after running"
                } else {
                    "and runs"
                };
                line.push_str(&format!(" {when} the tests ({})", ticked(&facts.tests)));
            }
            with_installs(line)
        }
        Role::Test => with_installs(format!("runs the tests ({})", ticked(&facts.tests))),
        Role::Deps => installs.unwrap_or_default(),
        Role::Base => {
            let users: Vec<usize> = graph
                .refs_to(index)
                .filter(|r| r.kind == RefKind::FromBase)
                .map(|r| r.in_stage)
                .collect();
            let mut line = format!("a base that {} build on", labels(graph, &users));
            if users.len() == 1 {
                line = format!("a base that {} builds on", labels(graph, &users));
            }
            if let Some(installs) = base_installs(facts) {
                line.push_str(&format!(": it installs {installs}"));
            }
            line
        }
        Role::Collect => {
            let mut from: Vec<String> = Vec::new();
            for t in &facts.takes {
                let what = match t.stage {
                    Some(s) => stage_label(graph, s),
                    None => format!("image `{}`", t.from),
                };
                if !from.contains(&what) {
                    from.push(what);
                }
            }
            let unused = graph.refs_to(index).next().is_none();
            if unused && facts.base == "scratch" && facts.run_count == 0 && facts.cmd.is_none() {
                // Nothing to run and nobody takes from it: its files are
                // the result, written out with `--output`.
                let target = match &graph.stages[index].name {
                    Some(name) => format!("`docker build --target {name} --output DIR`"),
                    None => "`--output`".to_string(),
                };
                return format!(
                    "an export stage: it holds only files from {}, for {target} to write them out",
                    from.join(", ")
                );
            }
            format!("gathers files from {}", from.join(", "))
        }
        Role::Other => {
            let mut copiers: Vec<usize> = graph
                .refs_to(index)
                .filter(|r| r.kind != RefKind::FromBase)
                .map(|r| r.in_stage)
                .collect();
            copiers.dedup();
            let quiet =
                facts.context_copies.is_empty() && facts.takes.is_empty() && facts.run_count == 0;
            if !copiers.is_empty() && quiet && graph.stages[index].parent.is_none() {
                return format!(
                    "names the image `{}` so {} can copy from it",
                    facts.base,
                    labels(graph, &copiers)
                );
            }
            if !copiers.is_empty() {
                let mut line = format!("prepares files for {}", labels(graph, &copiers));
                if let Some(installs) = base_installs(facts) {
                    line.push_str(&format!("; it installs {installs}"));
                }
                return line;
            }
            if let Some(installs) = base_installs(facts) {
                return format!("installs {installs}");
            }
            if facts.checks && copiers.is_empty() {
                let build = match &graph.stages[index].name {
                    Some(name) => format!("`docker build --target {name}`"),
                    None => "its build".to_string(),
                };
                let on = match graph.stages[index].parent {
                    Some(parent) => format!(" on {}", stage_label(graph, parent)),
                    None => String::new(),
                };
                return format!(
                    "a check{on}: a RUN exits with an error (`exit` with a non-zero status) when the condition it tests does not hold, so {build} fails"
                );
            }
            match graph.stages[index].parent {
                Some(parent) => format!("continues {}", stage_label(graph, parent)),
                None => format!("a stage based on `{}`", facts.base),
            }
        }
    }
}

/// The stage hover with the default build's stage (`None`: the last).
fn stage_hover<S: Source + ?Sized>(
    tree: &Tree,
    source: &S,
    analysis: &Analysis,
    index: usize,
    target: Option<&str>,
) -> String {
    let graph = &analysis.stages;
    let stage = &graph.stages[index];
    let all = roles::all_facts(tree, source, analysis);
    let facts = &all[index];
    let shipped = roles::shipped_stage(graph, target);
    let inherited = inherited_entrypoint(graph, &all, index);
    let mut out = format!(
        "{} — {}\n\n",
        stage_label(graph, index),
        purpose(graph, index, facts, shipped, inherited.as_ref())
    );
    match stage.parent {
        Some(parent) => out.push_str(&format!("- Base: stage {}\n", stage_label(graph, parent))),
        None if facts.base != stage.base_text => out.push_str(&format!(
            "- Base: `{}` (`{}` with its ARG defaults)\n",
            facts.base, stage.base_text
        )),
        None => out.push_str(&format!("- Base: `{}`\n", stage.base_text)),
    }
    let context_paths = |paths: &[String]| {
        paths
            .iter()
            .map(|p| {
                if p == "." || p == "./" {
                    format!("`{p}` (all of it)")
                } else {
                    format!("`{p}`")
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !facts.context_copies.is_empty() {
        out.push_str(&format!(
            "- From the context: {}\n",
            context_paths(&facts.context_copies)
        ));
    }
    if !facts.context_mounts.is_empty() {
        out.push_str(&format!(
            "- Mounts from the context: {}\n",
            context_paths(&facts.context_mounts)
        ));
    }
    if !facts.inline_files.is_empty() {
        out.push_str(&format!(
            "- Writes inline (heredoc): {}\n",
            ticked(&facts.inline_files)
        ));
    }
    if !facts.downloads.is_empty() {
        out.push_str(&format!("- Downloads: {}\n", ticked(&facts.downloads)));
    }
    for t in &facts.takes {
        let origin = match t.stage {
            Some(i) => stage_label(graph, i),
            None => format!("image `{}`", t.from),
        };
        if t.mount {
            let at = if t.dest.is_empty() {
                String::new()
            } else {
                format!(" at `{}`", t.dest)
            };
            out.push_str(&format!(
                "- Mounts `{}` from {origin}{at} for one RUN\n",
                t.sources.join("`, `"),
            ));
        } else {
            let into = match &t.dest_resolved {
                Some(abs) => format!("`{}` (`{abs}`)", t.dest),
                None => format!("`{}`", t.dest),
            };
            let repeated = match t.times {
                1 => String::new(),
                2 => " (twice: a second COPY repeats the first)".to_string(),
                n => format!(" ({n} times: the later COPYs repeat the first)"),
            };
            out.push_str(&format!(
                "- Takes `{}` from {origin} into {into}{repeated}\n",
                t.sources.join("`, `"),
            ));
        }
    }
    let users: Vec<String> = roles::consumers(graph, index, &all)
        .into_iter()
        .map(|c| {
            let mut how = Vec::new();
            if c.builds_on {
                how.push("builds on it".to_string());
            }
            if !c.copies.is_empty() {
                how.push(format!("copies {}", ticked(&c.copies)));
            }
            if !c.mounts.is_empty() {
                how.push(format!("mounts {}", ticked(&c.mounts)));
            }
            format!("{} {}", stage_label(graph, c.stage), how.join(" and "))
        })
        .collect();
    if users.is_empty() {
        if Some(index) != shipped {
            out.push_str("- No stage uses it\n");
        }
    } else {
        out.push_str(&format!("- Used by: {}\n", users.join("; ")));
    }
    if Some(index) == shipped {
        let mut ships = Vec::new();
        // A scratch image holding only files runs nothing: no user to tell.
        let runs_nothing = facts.base == "scratch"
            && facts.run_count == 0
            && (unrunnable_program(facts).is_some()
                || facts.entrypoint.is_none() && facts.cmd.is_none());
        if !runs_nothing {
            ships.push(shipped_user(graph, &all, index));
        }
        if !facts.exposes.is_empty() {
            let mut port = format!("port {}", facts.exposes.join(", "));
            if !facts.unset_port_vars.is_empty() {
                let names: Vec<String> = facts
                    .unset_port_vars
                    .iter()
                    .map(|n| format!("${n}"))
                    .collect();
                port.push_str(&format!(
                    " (unset: no ARG or ENV in the file sets {})",
                    ticked(&names)
                ));
            }
            ships.push(port);
        }
        if let Some(e) = &facts.entrypoint {
            ships.push(format!("entrypoint `{e}`"));
        } else if let Some(i) = &inherited {
            ships.push(format!("entrypoint `{}` ({})", i.words, i.origin));
        }
        if let Some(c) = &facts.cmd {
            ships.push(format!("command `{c}`"));
        }
        if ships.is_empty() {
            ships.push("files only (nothing runs in it)".to_string());
        }
        let what = if index + 1 == graph.stages.len() {
            "Final stage"
        } else {
            "Compose target"
        };
        out.push_str(&format!("- {what}, shipped: {}\n", ships.join(", ")));
    } else if roles::reachable_from_any(graph, shipped)[index] {
        let who = if shipped.is_some_and(|s| s + 1 != graph.stages.len()) {
            "the Compose target needs it"
        } else {
            "the final stage needs it"
        };
        out.push_str(&format!("- Built by default: {who}\n"));
    } else if shipped.is_some_and(|s| s + 1 != graph.stages.len()) {
        out.push_str("- Not reachable from the Compose target: not built by its build\n");
    } else {
        out.push_str(
            "- Not reachable from the final stage: never built by default (only with `--target`)\n",
        );
    }
    out
}

/// The ENTRYPOINT a stage has without setting one: the nearest base stage
/// that sets one, else the base image's (when it is a known image whose
/// entrypoint makes the CMD its arguments).
fn inherited_entrypoint(graph: &StageGraph, all: &[StageFacts], index: usize) -> Option<Inherited> {
    if all.get(index)?.entrypoint.is_some() {
        return None;
    }
    let mut s = index;
    while let Some(parent) = graph.stages.get(s).and_then(|st| st.parent) {
        if parent >= s {
            return None;
        }
        if let Some(e) = &all[parent].entrypoint {
            return Some(Inherited {
                words: exec_words(e).map_or_else(|| e.clone(), |w| shell_words(&w)),
                origin: format!("{}'s", stage_label(graph, parent)),
            });
        }
        s = parent;
    }
    let image = images::lookup(&all[s].base)?;
    (!image.entrypoint.is_empty()).then(|| Inherited {
        words: shell_words(image.entrypoint),
        origin: "the base image's".to_string(),
    })
}

/// Who the shipped container runs as: the last USER of the stage or of
/// the stages it builds on, else the base image's default user when the
/// image is known; an unknown image's user is not guessed.
fn shipped_user(graph: &StageGraph, all: &[StageFacts], index: usize) -> String {
    // The image at the root of the stage's chain of bases.
    let mut root = index;
    while let Some(parent) = graph.stages.get(root).and_then(|st| st.parent) {
        if parent >= root {
            break;
        }
        root = parent;
    }
    let image = images::lookup(&all[root].base);
    // `USER $APP_UID` with the value the image's ENV gives it.
    let told = |user: &str| {
        let value = image
            .as_ref()
            .filter(|_| user.contains('$'))
            .map(|i| roles::expand(user, &|n| i.values.get(n).map(|v| Some(v.clone()))));
        match value {
            Some(v) if v != user && !v.contains('$') => {
                format!("user `{user}` (`{v}`, from the base image's ENV)")
            }
            _ => format!("user `{user}`"),
        }
    };
    let mut s = index;
    loop {
        if let Some(user) = &all[s].user {
            return if s == index {
                told(user)
            } else {
                format!("{} (set in {})", told(user), stage_label(graph, s))
            };
        }
        match graph.stages.get(s).and_then(|st| st.parent) {
            Some(parent) if parent < s => s = parent,
            _ => break,
        }
    }
    if all[s].base == "scratch" {
        return "user `root` (scratch sets no user: uid 0)".to_string();
    }
    match image {
        Some(image) if image.runs_as_root() => {
            format!("user `{}` (the base image's default)", image.user)
        }
        Some(image) => format!("user `{}` (the base image's default: not root)", image.user),
        None => {
            "the base image's user (no USER in the file; the image is not one we know)".to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory under the system's temporary directory.
    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "dockerfile-lsp-hover-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    const FILE: &str = "FROM node:20 AS prod\nCMD [\"node\", \"server.js\"]\n\nFROM prod AS dev\nCMD [\"npm\", \"run\", \"dev\"]\n";

    fn stage_text(target: Option<&str>, stage: usize) -> String {
        let tree = syntax::parse(FILE);
        let analysis = Analysis::build(&tree, FILE);
        let at = analysis.stages.stages[stage].from_range.start;
        hover_for_target(&tree, FILE, &analysis, at, target)
            .unwrap()
            .1
    }

    #[test]
    fn the_compose_target_is_what_ships() {
        let text = stage_text(Some("prod"), 0);
        assert!(
            text.starts_with("**prod** — the Compose file's target: what its build ships, running `[\"node\", \"server.js\"]`"),
            "{text}"
        );
        assert!(
            text.contains("- Compose target, shipped: user `root`"),
            "{text}"
        );
        let text = stage_text(Some("prod"), 1);
        assert!(
            text.contains("- Not reachable from the Compose target: not built by its build"),
            "{text}"
        );
        // Without Compose the last stage ships and prod is its base.
        let text = stage_text(None, 0);
        assert!(
            text.starts_with("**prod** — a base that **dev** builds on"),
            "{text}"
        );
    }

    #[test]
    fn compose_target_read_from_the_compose_file() {
        let dir = scratch("target");
        std::fs::write(dir.join("Dockerfile"), FILE).unwrap();
        std::fs::write(
            dir.join("compose.yaml"),
            "services:\n  web:\n    build:\n      context: .\n      target: prod\n",
        )
        .unwrap();
        let dockerfile = dir.join("Dockerfile");
        assert_eq!(
            compose_target(&dockerfile, Some(&dir)).as_deref(),
            Some("prod")
        );
        // A second service building the last stage: no single target.
        std::fs::write(
            dir.join("compose.yaml"),
            "services:\n  web:\n    build:\n      context: .\n      target: prod\n  dev:\n    build: .\n",
        )
        .unwrap();
        assert_eq!(compose_target(&dockerfile, Some(&dir)), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
