//! Hover: on a stage (its name, its FROM line or a reference to it) the
//! stage's purpose and facts; on an instruction keyword or a flag, short
//! docs in our own words with a link to the Dockerfile reference.

use std::ops::Range;

use tree_sitter::Tree;

use crate::analysis::roles::{self, Role, StageFacts};
use crate::analysis::stages::{RefKind, StageGraph};
use crate::analysis::variables::DefKind;
use crate::analysis::Analysis;
use crate::syntax::{self, Source};

const REFERENCE: &str = "https://docs.docker.com/reference/dockerfile/";

pub fn hover<S: Source + ?Sized>(
    tree: &Tree,
    source: &S,
    analysis: &Analysis,
    offset: usize,
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
        return flag_doc(&keyword, &name).map(|doc| (leaf.byte_range(), doc));
    }
    if let Some(r) = graph.ref_at(offset) {
        let target = r.target?;
        return Some((r.range.clone(), stage_hover(tree, source, graph, target)));
    }
    if let Some(stage) = graph.definition_at(offset) {
        return Some((
            stage.name_range.clone()?,
            stage_hover(tree, source, graph, stage.index),
        ));
    }
    if let Some(stage) = graph
        .stages
        .iter()
        .find(|s| s.from_range.start <= offset && offset <= s.from_range.end)
    {
        return Some((
            stage.from_range.clone(),
            stage_hover(tree, source, graph, stage.index),
        ));
    }
    let instruction = syntax::views::enclosing_instruction(leaf)?;
    let keyword_node = instruction.child(0)?;
    if keyword_node.start_byte() <= offset && offset <= keyword_node.end_byte() {
        let keyword = syntax::views::keyword(instruction, source);
        return keyword_doc(&keyword).map(|doc| (keyword_node.byte_range(), doc));
    }
    None
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

const MANIFESTS: &[&str] = &[
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    ".npmrc",
    "requirements",
    "pyproject.toml",
    "poetry.lock",
    "Pipfile",
    "uv.lock",
    "go.mod",
    "go.sum",
    "Cargo.toml",
    "Cargo.lock",
    "Gemfile",
    "composer.json",
    "composer.lock",
    "pom.xml",
    "build.gradle",
];

/// The one-line purpose of a stage.
pub fn purpose(graph: &StageGraph, index: usize, facts: &StageFacts) -> String {
    let is_final = index + 1 == graph.stages.len();
    match roles::role(graph, index, facts) {
        Role::Test => match facts.tests.first() {
            Some(cmd) => format!("runs the tests (`{cmd}`)"),
            None => "runs the tests".to_string(),
        },
        Role::Runtime => {
            let what = facts.entrypoint.as_ref().or(facts.cmd.as_ref());
            let mut line = if is_final {
                "the final stage: what `docker build` ships".to_string()
            } else {
                "a runtime image".to_string()
            };
            if let Some(cmd) = what {
                line.push_str(&format!(", running `{cmd}`"));
            }
            line
        }
        Role::Build => format!("builds the application (`{}`)", facts.builds.join("`, `")),
        Role::Deps => {
            let cmds = format!("`{}`", facts.installs.join("`, `"));
            let manifests: Vec<&String> = facts
                .context_copies
                .iter()
                .filter(|c| MANIFESTS.iter().any(|m| c.contains(m)))
                .collect();
            if facts.copies_whole_context {
                format!("installs dependencies ({cmds}) after copying the whole build context: any source change invalidates the install layer")
            } else if manifests.is_empty() {
                format!("installs dependencies ({cmds})")
            } else {
                let files: Vec<String> = manifests.iter().map(|m| format!("`{m}`")).collect();
                format!(
                    "installs dependencies ({cmds}) from {}; the layer stays cached until they change",
                    files.join(", ")
                )
            }
        }
        Role::Other => match graph.stages[index].parent {
            Some(parent) => format!("continues {}", stage_label(graph, parent)),
            None => format!("a stage based on `{}`", graph.stages[index].base_text),
        },
    }
}

fn stage_hover<S: Source + ?Sized>(
    tree: &Tree,
    source: &S,
    graph: &StageGraph,
    index: usize,
) -> String {
    let stage = &graph.stages[index];
    let facts = roles::stage_facts(tree, source, index);
    let mut out = format!(
        "{} — {}\n\n",
        stage_label(graph, index),
        purpose(graph, index, &facts)
    );
    match stage.parent {
        Some(parent) => out.push_str(&format!("- Base: stage {}\n", stage_label(graph, parent))),
        None => out.push_str(&format!("- Base: `{}`\n", stage.base_text)),
    }
    for (from, sources, dest) in &facts.copies_from {
        let origin = graph
            .resolve(from, index)
            .map_or_else(|| format!("image `{from}`"), |i| stage_label(graph, i));
        out.push_str(&format!(
            "- Takes `{}` from {origin} into `{dest}`\n",
            sources.join("`, `")
        ));
    }
    let users: Vec<String> = graph
        .refs_to(index)
        .map(|r| {
            let how = match r.kind {
                RefKind::FromBase => "builds on it",
                RefKind::CopyFrom => "copies from it",
                RefKind::MountFrom => "mounts it",
            };
            format!("{} {how}", stage_label(graph, r.in_stage))
        })
        .collect();
    if users.is_empty() {
        if index + 1 != graph.stages.len() {
            out.push_str("- No stage uses it\n");
        }
    } else {
        out.push_str(&format!("- Used by: {}\n", users.join("; ")));
    }
    if index + 1 == graph.stages.len() {
        let mut ships = vec![format!(
            "user `{}`",
            facts.user.as_deref().unwrap_or("root")
        )];
        if !facts.exposes.is_empty() {
            ships.push(format!("port {}", facts.exposes.join(", ")));
        }
        if let Some(e) = &facts.entrypoint {
            ships.push(format!("entrypoint `{e}`"));
        }
        if let Some(c) = &facts.cmd {
            ships.push(format!("command `{c}`"));
        }
        out.push_str(&format!("- Final stage, shipped: {}\n", ships.join(", ")));
    } else if !roles::reachable_from_final(graph)[index] {
        out.push_str(
            "- Not reachable from the final stage: never built by default (only with `--target`)\n",
        );
    }
    out
}

fn keyword_doc(keyword: &str) -> Option<String> {
    let text = match keyword {
        "FROM" => "Starts a build stage on a base image or an earlier stage. `AS name` names the stage for `COPY --from=`, `FROM <stage>` and `--target`.",
        "RUN" => "Runs a command in a new layer at build time. Shell form runs through the shell; exec form (a JSON array) runs the program directly. `--mount` gives it caches, secrets or files from other stages.",
        "CMD" => "The default command of a container (or the default arguments of the ENTRYPOINT). Only the last CMD counts.",
        "LABEL" => "Adds metadata to the image as `key=value` pairs.",
        "MAINTAINER" => "Deprecated: record the author with `LABEL org.opencontainers.image.authors=...` instead.",
        "EXPOSE" => "Documents the ports the container listens on (`80`, `443/tcp`, `53/udp`). It publishes nothing by itself.",
        "ENV" => "Sets environment variables for the following instructions and for the running container. Stages built `FROM` this one inherit them.",
        "ADD" => "Copies files, URLs or git repositories into the image and unpacks local archives. Prefer COPY for plain files.",
        "COPY" => "Copies files from the build context, or from another stage or image with `--from=`.",
        "ENTRYPOINT" => "The program the container runs; CMD supplies its default arguments. Exec form lets it receive signals.",
        "VOLUME" => "Declares mount points for volumes; changes made to them after the declaration are discarded at build time.",
        "USER" => "Sets the user (and group) for the following RUN, CMD and ENTRYPOINT instructions and for the container.",
        "WORKDIR" => "Sets the working directory for the following instructions, creating it if needed. Use an absolute path.",
        "ARG" => "Declares a build argument, set with `--build-arg`. An ARG before the first FROM is global: a stage sees it only after its own `ARG NAME`.",
        "ONBUILD" => "Registers an instruction to run when another build uses this image as its base.",
        "STOPSIGNAL" => "The signal that stops the container (default `SIGTERM`).",
        "HEALTHCHECK" => "How to check that the container still works (`CMD ...`), or `NONE` to disable an inherited check.",
        "SHELL" => "Changes the shell used by the shell form of RUN, CMD and ENTRYPOINT (a JSON array).",
        _ => return None,
    };
    Some(format!(
        "**{keyword}** — {text}\n\n[Dockerfile reference]({REFERENCE}#{})",
        keyword.to_ascii_lowercase()
    ))
}

fn flag_doc(keyword: &str, flag: &str) -> Option<String> {
    let text = match (keyword, flag) {
        ("COPY" | "ADD", "from") => "Copy from an earlier stage (by name or index) or from an image instead of the build context.",
        ("COPY" | "ADD", "chown") => "Owner (`user:group`, names or ids) of the copied files.",
        ("COPY" | "ADD", "chmod") => "Permissions of the copied files, octal (`755`) or symbolic.",
        ("COPY" | "ADD", "link") => "Copy into an independent layer, so the layer is reused even when earlier layers change.",
        ("COPY" | "ADD", "parents") => "Keep the parent directories of the sources.",
        ("COPY" | "ADD", "exclude") => "Leave out the paths matching this pattern.",
        ("ADD", "checksum") => "Verify the downloaded file against this checksum (`sha256:...`).",
        ("ADD", "keep-git-dir") => "Keep the `.git` directory when adding a git repository.",
        ("FROM", "platform") => "The platform of the base image, such as `linux/amd64` or `$BUILDPLATFORM`.",
        ("RUN", "mount") => "Mounts for this command only: `type=cache` (a persistent cache), `type=secret` (a secret file or variable), `type=bind` (files from the context or another stage), `type=ssh`, `type=tmpfs`.",
        ("RUN", "network") => "The network of the command: `default`, `none` or `host`.",
        ("RUN", "security") => "`insecure` runs the command with elevated privileges (needs the entitlement).",
        ("HEALTHCHECK", "interval") => "Time between checks (default 30s).",
        ("HEALTHCHECK", "timeout") => "Time a check may take before it counts as failed (default 30s).",
        ("HEALTHCHECK", "start-period") => "Time the container gets to start before failures count (default 0s).",
        ("HEALTHCHECK", "start-interval") => "Time between checks during the start period (default 5s).",
        ("HEALTHCHECK", "retries") => "Consecutive failures before the container is unhealthy (default 3).",
        _ => return None,
    };
    let anchor = keyword.to_ascii_lowercase();
    Some(format!(
        "**--{flag}** ({keyword}) — {text}\n\n[Dockerfile reference]({REFERENCE}#{anchor})"
    ))
}
