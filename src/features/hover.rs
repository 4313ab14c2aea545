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
    if let Some(found) = directive_hover(tree, source, offset) {
        return Some(found);
    }
    let leaf = tree.root_node().descendant_for_byte_range(offset, offset)?;
    if let Some(found) = variable_hover(tree, source, analysis, offset) {
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
    // The keyword (FROM too, and the one an ONBUILD holds): its docs.
    let instruction = syntax::views::enclosing_instruction(leaf);
    if let Some((range, mut doc)) =
        instruction.and_then(|i| keyword_hover(i, source, analysis, offset))
    {
        // A stage with no name on an earlier stage (`FROM build`): its base
        // is a reference to that stage, so no other spot of the line shows
        // this one; its purpose follows the docs.
        let unnamed = graph
            .stages
            .iter()
            .find(|s| s.from_range.start == range.start)
            .filter(|s| s.name.is_none() && s.parent.is_some());
        if let Some(stage) = unnamed {
            let summary = stage_hover(tree, source, analysis, stage.index, target);
            let purpose = summary.lines().next().unwrap_or_default();
            doc = with_paragraph(&doc, &format!("This line starts {purpose}"));
        }
        return Some((range, doc));
    }
    // The rest of a FROM line (its base image, `AS`, the blanks): the
    // stage, from its base on.
    if let Some(stage) = graph
        .stages
        .iter()
        .find(|s| s.from_range.start <= offset && offset <= s.from_range.end)
    {
        let start = stage.base_range.start.min(offset);
        return Some((
            start..stage.from_range.end,
            stage_hover(tree, source, analysis, stage.index, target),
        ));
    }
    None
}

/// On an instruction's keyword: the keyword's docs. Under ONBUILD, the
/// inner instruction's docs say when it runs.
fn keyword_hover<S: Source + ?Sized>(
    instruction: tree_sitter::Node,
    source: &S,
    analysis: &Analysis,
    offset: usize,
) -> Option<(Range<usize>, String)> {
    let keyword_node = instruction.child(0)?;
    if offset < keyword_node.start_byte() || keyword_node.end_byte() < offset {
        return None;
    }
    let keyword = syntax::views::keyword(instruction, source);
    let mut doc = docs::keyword(&keyword)?;
    let under_onbuild = instruction
        .parent()
        .and_then(syntax::views::enclosing_instruction)
        .is_some_and(|outer| syntax::views::keyword(outer, source) == "ONBUILD");
    if under_onbuild {
        // Stages of this file built FROM this one run it too, right after
        // their FROM.
        let graph = &analysis.stages;
        let children: Vec<usize> = stage_at(analysis, instruction.start_byte())
            .map(|here| {
                graph
                    .stages
                    .iter()
                    .filter(|s| s.parent == Some(here))
                    .map(|s| s.index)
                    .collect()
            })
            .unwrap_or_default();
        let when = if children.is_empty() {
            format!("this {keyword} does not run in this stage; it runs in a build whose FROM uses this image, right after that FROM.")
        } else {
            format!(
                "this {keyword} does not run in this stage; it runs right after the FROM of {} (built on it in this file), and in any build whose FROM uses this image.",
                labels(graph, &children)
            )
        };
        doc = with_paragraph(&doc, &format!("Under **ONBUILD**: {when}"));
    }
    Some((keyword_node.byte_range(), doc))
}

/// Docs with one more paragraph before their closing reference link.
fn with_paragraph(doc: &str, paragraph: &str) -> String {
    match doc.rsplit_once("\n\n") {
        Some((body, link)) if link.starts_with('[') => {
            format!("{body}\n\n{paragraph}\n\n{link}")
        }
        _ => format!("{doc}\n\n{paragraph}"),
    }
}

/// The summary of a stage, as its name, its base image and references to
/// it show it (`target`: the stage a Compose file builds, if not the last).
pub fn stage_summary<S: Source + ?Sized>(
    tree: &Tree,
    source: &S,
    analysis: &Analysis,
    index: usize,
    target: Option<&str>,
) -> String {
    stage_hover(tree, source, analysis, index, target)
}

/// On a parser directive at the top of the file (`# syntax=`,
/// `# escape=`, `# check=`): its docs and what its value does. A line of
/// the same shape further down is a comment: no hover there.
fn directive_hover<S: Source + ?Sized>(
    tree: &Tree,
    source: &S,
    offset: usize,
) -> Option<(Range<usize>, String)> {
    for name in ["syntax", "escape", "check"] {
        let nodes = syntax::directive_nodes(tree, source, name);
        for (i, node) in nodes.iter().enumerate() {
            let range = node.byte_range();
            if offset < range.start || range.end < offset {
                continue;
            }
            let doc = docs::directive(name)?;
            if i > 0 {
                let first = line_of(source, nodes[0].start_byte());
                let explained = format!(
                    "A second `# {name}=` directive (the first is on line {first}): BuildKit fails the build (only one `{name}` parser directive can be used)."
                );
                return Some((range, with_paragraph(&doc, &explained)));
            }
            let text = source.text(range.clone());
            let value = syntax::directive_parts(&text).map_or("", |(_, v)| v);
            let explained = match name {
                "syntax" => syntax_value(value),
                "escape" => escape_value(value),
                _ => check_value(value),
            };
            return Some((range, with_paragraph(&doc, &explained)));
        }
    }
    None
}

/// Backticked text, with a longer fence when the text holds backticks.
fn code(text: &str) -> String {
    if !text.contains('`') {
        return format!("`{text}`");
    }
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    format!("{fence} {text} {fence}")
}

/// What a `# syntax=` value names: Docker's Dockerfile frontend at some
/// version or channel, or another frontend image.
fn syntax_value(value: &str) -> String {
    // BuildKit takes the reference up to the first space.
    let (value, extra) = match value.split_once(' ') {
        Some((v, rest)) => (v, Some(rest.trim())),
        None => (value, None),
    };
    let said = syntax_reference(value);
    match extra {
        Some(rest) if !rest.is_empty() => format!(
            "{said}\n\nAfter the first space ({}): not part of the frontend's name; BuildKit passes the whole line to the frontend, which may ignore it.",
            code(rest)
        ),
        _ => said,
    }
}

/// What a frontend reference names.
fn syntax_reference(value: &str) -> String {
    if value.is_empty() {
        return "No frontend named: the value is empty.".to_string();
    }
    let (reference, digest) = match value.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (value, None),
    };
    // A `:` after the last `/` starts the tag (one before it is a port).
    let (name, tag) = match reference.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, Some(t)),
        _ => (reference, None),
    };
    let short = name
        .strip_prefix("docker.io/")
        .or_else(|| name.strip_prefix("index.docker.io/"))
        .unwrap_or(name);
    let pinned = digest.map_or(String::new(), |d| {
        format!(
            " Pinned by digest ({}): exactly that build, whatever the tag points to now.",
            code(d)
        )
    });
    let official = match short {
        "docker/dockerfile" => "Docker's Dockerfile frontend",
        "docker/dockerfile-upstream" => {
            "Docker's Dockerfile frontend as built from BuildKit's development branch (for trying unreleased changes)"
        }
        _ => {
            return format!(
                "Frontend: the image {}, not Docker's Dockerfile frontend (`docker/dockerfile`). BuildKit pulls it and hands it this file: that image decides what the file may contain.{pinned}",
                code(name)
            );
        }
    };
    let tag = tag.unwrap_or("latest");
    let (version, labs) = match tag.strip_suffix("-labs") {
        Some(v) => (v, true),
        None if tag == "labs" => ("", true),
        None => (tag, false),
    };
    let numbers: Vec<&str> = version.split('.').collect();
    let numeric = !version.is_empty()
        && numbers
            .iter()
            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let which = if numeric {
        match numbers.len() {
            1 => format!(
                "the newest {version}.x release (it moves as new {version}.x versions come out)"
            ),
            2 => format!("the newest {version}.x patch release"),
            _ => format!("release {version} exactly"),
        }
    } else if version.is_empty() {
        "the newest release".to_string()
    } else if version == "master" && short == "docker/dockerfile-upstream" {
        "its newest build (`master`)".to_string()
    } else if version == "latest" {
        "the newest stable release (`latest`)".to_string()
    } else {
        format!("the version tagged {}", code(version))
    };
    let labs = if labs {
        ", labs channel: with the features not yet in the stable releases"
    } else {
        ""
    };
    format!("Frontend: {official}, {which}{labs}.{pinned}")
}

/// What a `# escape=` value makes the escape character.
fn escape_value(value: &str) -> String {
    match value {
        "\\" => "Escape character: `\\` (the default). A line ending in `\\` continues on the next one.".to_string(),
        "`" => "Escape character: the backtick (`` ` ``). A line ending in `` ` `` continues on the next one, and `\\` is an ordinary character, so Windows paths such as `C:\\app` need no doubling.".to_string(),
        other => format!(
            "{} is not an escape character BuildKit accepts: only `\\` or `` ` `` (BuildKit fails on this line).",
            code(other)
        ),
    }
}

/// What a `# check=` value turns on and off, as BuildKit's linter reads
/// it: each skipped rule with its summary, names that match no rule
/// exactly, `error=` and `experimental=`, and values that fail the build.
fn check_value(value: &str) -> String {
    use crate::rules::{self, CheckDirective, Group, BUILDKIT_RULES};
    // BuildKit reads the value up to its first space.
    let read = rules::directive_value(value);
    let parsed = CheckDirective::from_buildkit(read);
    let mut lines = Vec::new();
    if read.len() < value.trim().len() {
        lines.push(format!(
            "- BuildKit reads the value only up to its first space: {}",
            code(read)
        ));
    }
    for problem in &parsed.problems {
        lines.push(format!(
            "- {problem}: BuildKit fails the build on this directive"
        ));
    }
    if parsed.skip_all {
        lines.push("- Skips every check (`skip=all`)".to_string());
    }
    let exact = |name: &str| {
        rules::registry()
            .iter()
            .find(|r| r.code == name || (r.group != Group::BuildKit && r.answers_to(name)))
    };
    for name in &parsed.skip {
        if name == "all" {
            lines.push(
                "- `all`: among other names it is no rule; only `skip=all` on its own skips every check"
                    .to_string(),
            );
            continue;
        }
        lines.push(match exact(name) {
            Some(rule) => {
                let alias = if rule.code == name {
                    String::new()
                } else {
                    format!(" ({} here)", code(name))
                };
                let ours = if rule.group == Group::BuildKit {
                    ""
                } else {
                    " (a check of this server; BuildKit has no check of that name)"
                };
                format!("- Skips **{}**{alias}: {}{ours}", rule.code, rule.summary)
            }
            None if BUILDKIT_RULES.contains(&name.as_str()) => {
                format!("- Skips **{name}**: a BuildKit check this server does not run")
            }
            None => {
                let same_letters = BUILDKIT_RULES
                    .iter()
                    .find(|c| c.eq_ignore_ascii_case(name))
                    .copied()
                    .or_else(|| rules::find(name).map(|r| r.code));
                let hint = match same_letters {
                    Some(c) => {
                        format!(" (BuildKit matches rule names exactly: **{c}** is spelled so)")
                    }
                    None => {
                        let mut near: Vec<(usize, &str)> = rules::registry()
                            .iter()
                            .filter_map(|r| rules::near(name, r.code).map(|d| (d, r.code)))
                            .collect();
                        near.sort();
                        near.first()
                            .map_or(String::new(), |(_, c)| format!(" (did you mean **{c}**?)"))
                    }
                };
                format!(
                    "- {}: no rule of that exact name, so it skips nothing{hint}",
                    code(name)
                )
            }
        });
    }
    if !parsed.experimental.is_empty() {
        let mut on = Vec::new();
        for e in &parsed.experimental {
            if e == "all" {
                lines.push("- Turns on every experimental check (`experimental=all`)".to_string());
                continue;
            }
            match exact(e) {
                Some(rule) if rules::is_experimental(rule.code) => {
                    on.push(format!("**{}** ({})", rule.code, rule.summary));
                }
                Some(rule) => lines.push(format!(
                    "- `experimental={e}`: **{}** is not experimental, it runs anyway",
                    rule.code
                )),
                None => lines.push(format!(
                    "- `experimental={e}`: no experimental rule of that exact name"
                )),
            }
        }
        if !on.is_empty() {
            lines.push(format!(
                "- Turns on the experimental checks {}",
                on.join(", ")
            ));
        }
    }
    let error_set = parsed.problems.is_empty()
        && read
            .split(';')
            .any(|p| p.split_once('=').is_some_and(|(k, _)| k.trim() == "error"));
    if parsed.error {
        lines.push("- `error=true`: a failing check fails the build".to_string());
    } else if error_set {
        lines.push(
            "- `error=false`: failing checks are reported as warnings (the default)".to_string(),
        );
    }
    if lines.is_empty() {
        lines.push("- Changes nothing: no `skip=`, `error=` or `experimental=` option".to_string());
    }
    format!(
        "{}\n\nA build passing `--build-arg {}=...` replaces this directive.",
        lines.join("\n"),
        rules::CHECK_BUILD_ARG
    )
}

/// On a variable: where it is defined and its value or default, as
/// written and as a build without `--build-arg` resolves it.
fn variable_hover<S: Source + ?Sized>(
    tree: &Tree,
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
    // In `ARG A=1 B=$A` the use sees the pair before it on the line.
    let same_line = tree
        .root_node()
        .descendant_for_byte_range(range.start, range.start)
        .and_then(syntax::views::enclosing_instruction)
        .filter(|i| syntax::views::keyword(*i, source) == "ARG")
        .and_then(|i| {
            vars.defs.iter().rposition(|d| {
                d.kind == DefKind::Arg
                    && d.name == name
                    && d.name_range.start >= i.start_byte()
                    && d.name_range.end <= range.start
            })
        });
    let def = same_line.or(def);
    let here = stage_at(analysis, offset).filter(|_| !in_from_line(analysis, offset));
    let def = def.or_else(|| here.and_then(|s| inherited_arg(analysis, s, &name)));
    let in_shell = vars.use_at(offset).is_some_and(|u| u.in_shell);
    let Some(def) = def else {
        let text = if crate::analysis::variables::PREDEFINED.contains(&name.as_str()) {
            let proxy = !syntax::FROM_PREDEFINED_ARGS.contains(&name.as_str());
            if here.is_none() && !proxy {
                format!(
                    "**${name}** — a build argument BuildKit predefines: {}; FROM lines see it without a declaration",
                    predefined_meaning(&name)
                )
            } else if proxy && in_shell {
                format!("**${name}** — a proxy setting BuildKit predefines: RUN commands get it in their environment when the build passes `--build-arg {name}=...` (no ARG needed); else it is empty")
            } else if here.is_none() {
                format!("**${name}** — a proxy setting BuildKit predefines only for RUN commands: not expanded here, it expands to nothing")
            } else {
                format!("**${name}** — a build argument BuildKit predefines, but a stage sees it only after `ARG {name}` in it: here it expands to nothing")
            }
        } else if let Some((image, value)) =
            image_env(tree, source, analysis, stage_at(analysis, offset), &name)
        {
            let value = match value {
                Some(v) => format!("\n\nvalue: {}", code(&v)),
                None => String::new(),
            };
            format!(
                "**${name}** — environment variable of the base image {}{value}",
                code(&image)
            )
        } else if let Some(line) =
            global_line(source, analysis, &name).filter(|_| stage_at(analysis, offset).is_some())
        {
            format!("**${name}** — not defined here: the global ARG on line {line} is seen in a stage only after `ARG {name}` in it")
        } else if in_shell {
            format!("**${name}** — not an ARG or ENV: the shell expands it when the command runs (set by the script, or empty)")
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
    if let (Some(here), Some(s)) = (here, d.stage) {
        if here != s && d.kind == DefKind::Arg {
            text.push_str(&format!(
                " (a stage built FROM {} keeps its build arguments)",
                stage_label(&analysis.stages, s)
            ));
        }
    }
    let owner = match (value_text(source, d), d.redeclares) {
        (Some(_), _) => Some(def),
        (None, Some(g)) if value_text(source, &vars.defs[g]).is_some() => Some(g),
        _ => None,
    };
    let Some(owner) = owner else {
        if d.kind == DefKind::Arg && crate::analysis::variables::PREDEFINED.contains(&name.as_str())
        {
            text.push_str(&format!(
                "\n\nno default: BuildKit sets it, {}",
                predefined_meaning(&name)
            ));
        } else {
            text.push_str(&format!(
                "\n\nno {value_label}: set it with `--build-arg {name}=...`"
            ));
        }
        return Some((range, text));
    };
    let raw = value_text(source, &vars.defs[owner]).unwrap_or_default();
    let label = if owner == def {
        value_label.to_string()
    } else {
        format!(
            "{value_label} (the global ARG's, line {})",
            line_of(source, vars.defs[owner].name_range.start)
        )
    };
    let mut resolver = Resolver::new(tree, source, analysis);
    let resolved = resolver.value_of(def);
    if raw.is_empty() {
        text.push_str(&format!("\n\n{label}: empty (set, to the empty string)"));
    } else {
        text.push_str(&format!("\n\n{label}: {}", code(&raw)));
    }
    if let Looked::Set(v) | Looked::Partial(v) = &resolved {
        // (Only the quotes around it dropped: nothing to add.)
        let unquoted = ['"', '\''].iter().any(|&q| {
            raw.len() >= 2 && raw.starts_with(q) && raw.ends_with(q) && raw[1..raw.len() - 1] == *v
        });
        if *v != raw && !unquoted {
            if v.is_empty() {
                text.push_str(" → empty");
            } else {
                text.push_str(&format!(" → {}", code(v)));
            }
        }
    }
    if !resolver.notes.is_empty() {
        let notes: Vec<String> = resolver
            .notes
            .iter()
            .map(|n| format!("- {}", n.say()))
            .collect();
        text.push_str(&format!("\n\n{}", notes.join("\n")));
    }
    Some((range, text))
}

/// A definition's default or value as written; `ARG E=` and `ENV E=`
/// give the empty string (set, but empty), `ARG E` none.
fn value_text<S: Source + ?Sized>(
    source: &S,
    d: &crate::analysis::variables::VarDef,
) -> Option<String> {
    d.value
        .clone()
        .or_else(|| (source.byte_at(d.name_range.end) == Some(b'=')).then(String::new))
}

/// Whether an offset is in a FROM line.
fn in_from_line(analysis: &Analysis, offset: usize) -> bool {
    analysis
        .stages
        .stages
        .iter()
        .any(|s| s.from_range.start <= offset && offset <= s.from_range.end)
}

/// An ARG of a stage that `stage` is built FROM (nearest first): BuildKit
/// carries a stage's build arguments into the stages built on it.
fn inherited_arg(analysis: &Analysis, stage: usize, name: &str) -> Option<usize> {
    let vars = &analysis.variables;
    analysis.stages.lineage(stage).skip(1).find_map(|p| {
        vars.defs
            .iter()
            .rposition(|d| d.stage == Some(p) && d.kind == DefKind::Arg && d.name == name)
    })
}

/// The line of the global ARG of a name, if there is one.
fn global_line<S: Source + ?Sized>(source: &S, analysis: &Analysis, name: &str) -> Option<usize> {
    let d = analysis
        .variables
        .defs
        .iter()
        .find(|d| d.stage.is_none() && d.kind == DefKind::Arg && d.name == name)?;
    Some(line_of(source, d.name_range.start))
}

/// The stage holding an offset.
fn stage_at(analysis: &Analysis, offset: usize) -> Option<usize> {
    analysis
        .stages
        .stages
        .iter()
        .position(|s| s.range.start <= offset && offset <= s.range.end)
}

/// The base image at the root of a stage's chain of bases, its
/// reference resolved with the global ARG defaults.
fn root_image<S: Source + ?Sized>(
    tree: &Tree,
    source: &S,
    analysis: &Analysis,
    stage: usize,
) -> String {
    let graph = &analysis.stages;
    let root = graph.lineage(stage).last().unwrap_or(stage);
    let s = &graph.stages[root];
    if !s.base_text.contains('$') {
        return s.base_text.clone();
    }
    // As the FROM line expands it (quotes removed); as written when a
    // part is not known.
    match Resolver::new(tree, source, analysis).base_of(root) {
        (value, true) => value,
        _ => s.base_text.clone(),
    }
}

/// A name the base image of a stage sets with ENV: the image and the
/// value when it is known.
fn image_env<S: Source + ?Sized>(
    tree: &Tree,
    source: &S,
    analysis: &Analysis,
    stage: Option<usize>,
    name: &str,
) -> Option<(String, Option<String>)> {
    let image = root_image(tree, source, analysis, stage?);
    let facts = images::lookup(&image)?;
    match facts.values.get(name) {
        Some(v) => Some((image, Some(v.clone()))),
        None => facts.defines(name).then_some((image, None)),
    }
}

/// What BuildKit sets a predefined build argument to.
fn predefined_meaning(name: &str) -> &'static str {
    match name {
        "TARGETPLATFORM" => "the platform built for (`linux/amd64`, `linux/arm64`, ...)",
        "TARGETOS" => "the OS of the platform built for (`linux`, `windows`)",
        "TARGETARCH" => "the architecture of the platform built for (`amd64`, `arm64`, ...)",
        "TARGETVARIANT" => {
            "the variant of the platform built for (`v7` for `linux/arm/v7`; empty for most)"
        }
        "BUILDPLATFORM" => "the platform of the machine running the build (`linux/amd64`, ...)",
        "BUILDOS" => "the OS of the machine running the build",
        "BUILDARCH" => "the architecture of the machine running the build",
        "BUILDVARIANT" => "the variant of the machine running the build",
        "TARGETSTAGE" => "the name of the stage being built",
        _ => "from the proxy settings of the build (empty when none)",
    }
}

/// The PATH BuildKit gives a Linux stage whose image sets none.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// A variable's value as the expansion reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Looked {
    /// Known.
    Set(String),
    /// Known in part: the unknown parts are left as written.
    Partial(String),
    /// Not set in a build without `--build-arg`: it expands to nothing.
    Unset,
    /// Not known here: left as written.
    Opaque,
}

/// Why part of a value is unknown or where it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Note {
    NoDefault {
        name: String,
        line: usize,
    },
    Undefined {
        name: String,
    },
    /// A global ARG the stage has not declared with `ARG NAME`.
    GlobalNotDeclared {
        name: String,
        line: usize,
    },
    Predefined {
        name: String,
    },
    /// A predefined build argument in a stage that has not declared it.
    PredefinedNotDeclared {
        name: String,
    },
    /// `$PATH`: the base image's, or BuildKit's default when it sets none
    /// (`known`: the image is known to set none).
    DefaultPath {
        known: bool,
    },
    FromImage {
        name: String,
        image: String,
        known: bool,
    },
    MaybeImage {
        name: String,
    },
    Cycle {
        name: String,
    },
    /// `${NAME:?message}` with the name unset.
    Fails {
        text: String,
        name: String,
    },
    NotEvaluated {
        text: String,
    },
}

impl Note {
    fn say(&self) -> String {
        match self {
            Note::NoDefault { name, line } => format!(
                "`${name}` has no default (line {line}): unset unless the build passes `--build-arg {name}=...`"
            ),
            Note::Undefined { name } => {
                format!("`${name}` is not defined where it is used: it expands to nothing")
            }
            Note::GlobalNotDeclared { name, line } => format!(
                "`${name}` is a global ARG (line {line}), but a stage sees it only after its own `ARG {name}`: here it expands to nothing"
            ),
            Note::Predefined { name } => format!(
                "`${name}` is set by BuildKit: {}",
                predefined_meaning(name)
            ),
            Note::PredefinedNotDeclared { name } => format!(
                "`${name}` is a build argument BuildKit predefines, but a stage sees it only after its own `ARG {name}`: here it expands to nothing"
            ),
            Note::DefaultPath { known: true } => format!(
                "`$PATH`: the base image sets none, so BuildKit sets the default {}",
                code(DEFAULT_PATH)
            ),
            Note::DefaultPath { known: false } => format!(
                "`$PATH` comes from the base image's ENV (not known here); when the image sets none, BuildKit sets the default {}",
                code(DEFAULT_PATH)
            ),
            Note::FromImage { name, image, known: true } => {
                format!("`${name}` comes from the ENV of the base image {}", code(image))
            }
            Note::FromImage { name, image, known: false } => format!(
                "`${name}` comes from the ENV of the base image {} (its value is not known here)",
                code(image)
            ),
            Note::MaybeImage { name } => format!(
                "`${name}` is not set in this file: the base image's ENV may set it (not known here), else it expands to nothing"
            ),
            Note::Cycle { name } => format!("`${name}` refers back to itself: left as written"),
            Note::Fails { text, name } => format!(
                "{}: the build fails unless `${name}` is set",
                code(text)
            ),
            Note::NotEvaluated { text } => {
                format!("{} is left as written (not evaluated here)", code(text))
            }
        }
    }
}

/// Resolves ARG defaults and ENV values through the definitions in effect
/// where each is written, as a build without `--build-arg` would.
struct Resolver<'a, S: Source + ?Sized> {
    tree: &'a Tree,
    source: &'a S,
    analysis: &'a Analysis,
    escape: char,
    /// Definitions being resolved (a name met again is a cycle).
    stack: Vec<usize>,
    notes: Vec<Note>,
}

/// The uses in one definition's value: each name with what it refers to.
struct Scope {
    stage: Option<usize>,
    uses: Vec<(String, Option<usize>, bool)>,
}

impl<'a, S: Source + ?Sized> Resolver<'a, S> {
    fn new(tree: &'a Tree, source: &'a S, analysis: &'a Analysis) -> Self {
        let escape = match syntax::directive(tree, source, "escape").as_deref() {
            Some("`") => '`',
            _ => '\\',
        };
        Resolver {
            tree,
            source,
            analysis,
            escape,
            stack: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn note(&mut self, note: Note) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    /// The value a definition gives its variable.
    fn value_of(&mut self, def: usize) -> Looked {
        let vars = &self.analysis.variables;
        let d = &vars.defs[def];
        if self.stack.contains(&def) || self.stack.len() > 32 {
            self.note(Note::Cycle {
                name: d.name.clone(),
            });
            return Looked::Opaque;
        }
        let owner = match (value_text(self.source, d), d.redeclares) {
            (Some(_), _) => def,
            (None, Some(g)) if value_text(self.source, &vars.defs[g]).is_some() => g,
            _ => {
                let name = d.name.clone();
                if d.kind == DefKind::Arg
                    && crate::analysis::variables::PREDEFINED.contains(&name.as_str())
                {
                    self.note(Note::Predefined { name });
                    return Looked::Opaque;
                }
                let line = line_of(self.source, d.name_range.start);
                self.note(Note::NoDefault { name, line });
                return Looked::Unset;
            }
        };
        let raw = value_text(self.source, &vars.defs[owner]).unwrap_or_default();
        let scope = self.scope_of(owner);
        self.stack.push(def);
        let (value, exact) = self.word(&raw, &scope);
        self.stack.pop();
        if exact {
            Looked::Set(value)
        } else {
            Looked::Partial(value)
        }
    }

    /// A stage's base image reference as its FROM line expands it (only
    /// global ARGs and the predefined platform arguments are seen there),
    /// and whether it is known in full.
    fn base_of(&mut self, stage: usize) -> (String, bool) {
        let s = &self.analysis.stages.stages[stage];
        let range = s.from_range.clone();
        let uses = self
            .analysis
            .variables
            .uses
            .iter()
            .filter(|u| u.range.start >= range.start && u.range.end <= range.end)
            .map(|u| (u.name.clone(), u.def, u.predefined))
            .collect();
        let scope = Scope { stage: None, uses };
        let text = s.base_text.clone();
        self.word(&text, &scope)
    }

    /// The uses written in a definition's value: after its name, before
    /// the next definition of the same instruction.
    fn scope_of(&self, owner: usize) -> Scope {
        let vars = &self.analysis.variables;
        let d = &vars.defs[owner];
        let start = d.name_range.end;
        let instruction = self
            .tree
            .root_node()
            .descendant_for_byte_range(d.name_range.start, d.name_range.end)
            .and_then(syntax::views::enclosing_instruction);
        let instruction_start = instruction.map_or(d.name_range.start, |i| i.start_byte());
        let instruction_end = instruction.map_or(start, |i| i.end_byte());
        let end = vars
            .defs
            .get(owner + 1)
            .map(|next| next.name_range.start)
            .filter(|&n| n > start)
            .map_or(instruction_end, |n| n.min(instruction_end));
        // An ARG expands its pairs one by one, each with those before it
        // on the same line (ENV expands with what was set before the line).
        let same_line = |name: &str| {
            (d.kind == DefKind::Arg)
                .then(|| {
                    (0..owner).rev().find(|&k| {
                        let e = &vars.defs[k];
                        e.kind == DefKind::Arg
                            && e.stage == d.stage
                            && e.name == name
                            && e.name_range.start >= instruction_start
                    })
                })
                .flatten()
        };
        let uses = vars
            .uses
            .iter()
            .filter(|u| u.range.start >= start && u.range.end <= end)
            .map(|u| match same_line(&u.name) {
                Some(k) => (u.name.clone(), Some(k), false),
                None => (u.name.clone(), u.def, u.predefined),
            })
            .collect();
        Scope {
            stage: d.stage,
            uses,
        }
    }

    /// A name as the value's expansion reads it.
    fn lookup(&mut self, name: &str, scope: &Scope) -> Looked {
        let mut found = scope.uses.iter().find(|(n, _, _)| n == name).cloned();
        if let (Some((_, None, _)) | None, Some(stage)) = (&found, scope.stage) {
            if let Some(k) = inherited_arg(self.analysis, stage, name) {
                found = Some((name.to_string(), Some(k), false));
            }
        }
        match found {
            Some((_, Some(def), _)) => self.value_of(def),
            Some((_, None, true)) if scope.stage.is_some() => {
                self.note(Note::PredefinedNotDeclared {
                    name: name.to_string(),
                });
                Looked::Unset
            }
            Some((_, None, true)) => {
                self.note(Note::Predefined {
                    name: name.to_string(),
                });
                Looked::Opaque
            }
            _ => {
                let name = name.to_string();
                let Some(stage) = scope.stage else {
                    self.note(Note::Undefined { name });
                    return Looked::Unset;
                };
                if let Some(line) = global_line(self.source, self.analysis, &name) {
                    if image_env(self.tree, self.source, self.analysis, Some(stage), &name)
                        .is_none()
                    {
                        self.note(Note::GlobalNotDeclared { name, line });
                        return Looked::Unset;
                    }
                }
                let image = root_image(self.tree, self.source, self.analysis, stage);
                match images::lookup(&image) {
                    Some(facts) => match facts.values.get(&name) {
                        Some(v) => {
                            self.note(Note::FromImage {
                                name,
                                image,
                                known: true,
                            });
                            Looked::Set(v.clone())
                        }
                        None if facts.defines(&name) => {
                            self.note(Note::FromImage {
                                name,
                                image,
                                known: false,
                            });
                            Looked::Opaque
                        }
                        None if name == "PATH" => {
                            self.note(Note::DefaultPath { known: true });
                            Looked::Set(DEFAULT_PATH.to_string())
                        }
                        None => {
                            self.note(Note::Undefined { name });
                            Looked::Unset
                        }
                    },
                    None if name == "PATH" => {
                        self.note(Note::DefaultPath { known: false });
                        Looked::Opaque
                    }
                    None => {
                        self.note(Note::MaybeImage { name });
                        Looked::Opaque
                    }
                }
            }
        }
    }

    /// A value as BuildKit's word expansion reads it: quotes removed,
    /// escapes applied, `$NAME`, `${NAME}` and `${NAME<op>word}` replaced.
    fn word(&mut self, text: &str, scope: &Scope) -> (String, bool) {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::new();
        let mut exact = true;
        let mut in_double = false;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == self.escape && i + 1 < chars.len() {
                let next = chars[i + 1];
                if !in_double || matches!(next, '"' | '$') || next == self.escape {
                    out.push(next);
                } else {
                    out.push(c);
                    out.push(next);
                }
                i += 2;
                continue;
            }
            if c == '\'' && !in_double {
                let close = chars[i + 1..].iter().position(|&q| q == '\'');
                match close {
                    Some(k) => {
                        out.extend(&chars[i + 1..i + 1 + k]);
                        i += k + 2;
                    }
                    None => {
                        out.extend(&chars[i..]);
                        i = chars.len();
                    }
                }
                continue;
            }
            if c == '"' {
                in_double = !in_double;
                i += 1;
                continue;
            }
            if c != '$' {
                out.push(c);
                i += 1;
                continue;
            }
            let ident_end = |from: usize| {
                let mut j = from;
                while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                j
            };
            if chars.get(i + 1) == Some(&'{') {
                // The matching brace (nested `${...}` in the word).
                let mut depth = 0;
                let mut close = None;
                let mut j = i + 1;
                while j < chars.len() {
                    match chars[j] {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                close = Some(j);
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                let Some(close) = close else {
                    out.extend(&chars[i..]);
                    exact = false;
                    break;
                };
                let whole: String = chars[i..=close].iter().collect();
                let end = ident_end(i + 2);
                let name: String = chars[i + 2..end].iter().collect();
                let rest: String = chars[end..close].iter().collect();
                i = close + 1;
                if name.is_empty() {
                    out.push_str(&whole);
                    exact = false;
                    continue;
                }
                let (replaced, known) = self.modified(&name, &rest, &whole, scope);
                out.push_str(&replaced);
                exact &= known;
                continue;
            }
            let end = ident_end(i + 1);
            if end == i + 1 {
                out.push('$');
                i += 1;
                continue;
            }
            let name: String = chars[i + 1..end].iter().collect();
            match self.lookup(&name, scope) {
                Looked::Set(v) => out.push_str(&v),
                Looked::Partial(v) => {
                    out.push_str(&v);
                    exact = false;
                }
                Looked::Unset => {}
                Looked::Opaque => {
                    out.push_str(&format!("${name}"));
                    exact = false;
                }
            }
            i = end;
        }
        (out, exact)
    }

    /// `${NAME<rest>}`: the plain value, or one of the modifiers
    /// (`:-`, `-`, `:+`, `+`, `:?`, `?`, `#`, `##`, `%`, `%%`), and whether
    /// it is known in full. What depends on an unknown value stays as
    /// written.
    fn modified(&mut self, name: &str, rest: &str, whole: &str, scope: &Scope) -> (String, bool) {
        let value = self.lookup(name, scope);
        let as_written = (whole.to_string(), false);
        if rest.is_empty() {
            return match value {
                Looked::Set(v) => (v, true),
                Looked::Partial(v) => (v, false),
                Looked::Unset => (String::new(), true),
                Looked::Opaque => as_written,
            };
        }
        let colon = rest.starts_with(':');
        let op_rest = rest.strip_prefix(':').unwrap_or(rest);
        let Some(op) = op_rest.chars().next() else {
            self.note(Note::NotEvaluated {
                text: whole.to_string(),
            });
            return as_written;
        };
        let word = &op_rest[op.len_utf8()..];
        // Set and (with a colon) not empty; None when not known.
        let present = match &value {
            Looked::Set(v) => Some(!(colon && v.is_empty())),
            Looked::Unset => Some(false),
            Looked::Partial(_) | Looked::Opaque => None,
        };
        let Some(present) = present else {
            return as_written;
        };
        let set = match &value {
            Looked::Set(v) => v.clone(),
            _ => String::new(),
        };
        match op {
            '-' if present => (set, true),
            '-' => self.word(word, scope),
            '+' if present => self.word(word, scope),
            '+' => (String::new(), true),
            '?' if present => (set, true),
            '?' => {
                self.note(Note::Fails {
                    text: whole.to_string(),
                    name: name.to_string(),
                });
                as_written
            }
            '#' | '%' if !colon => {
                let longest = word.starts_with(op);
                let pattern = if longest { &word[1..] } else { word };
                let (pattern, known) = self.word(pattern, scope);
                match strip_pattern(&set, &pattern, op == '#', longest) {
                    Some(stripped) if known => (stripped, true),
                    _ => {
                        self.note(Note::NotEvaluated {
                            text: whole.to_string(),
                        });
                        as_written
                    }
                }
            }
            _ => {
                self.note(Note::NotEvaluated {
                    text: whole.to_string(),
                });
                as_written
            }
        }
    }
}

/// `${v#p}` / `${v##p}` (prefix) and `${v%p}` / `${v%%p}` (suffix) with a
/// pattern of literal characters and `*`; `None` for other patterns.
fn strip_pattern(value: &str, pattern: &str, prefix: bool, longest: bool) -> Option<String> {
    if pattern.contains(['?', '[', '\\']) {
        return None;
    }
    let mut cuts: Vec<usize> = value.char_indices().map(|(k, _)| k).collect();
    cuts.push(value.len());
    if prefix == longest {
        // Longest prefix or shortest suffix: try cuts from the end.
        cuts.reverse();
    }
    for cut in cuts {
        let (part, kept) = if prefix {
            (&value[..cut], &value[cut..])
        } else {
            (&value[cut..], &value[..cut])
        };
        if glob(pattern, part) {
            return Some(kept.to_string());
        }
    }
    Some(value.to_string())
}

/// Whether `text` matches a pattern of literal characters and `*`.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            let Some(rest) = text.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len())
                .filter(|&k| rest.is_char_boundary(k))
                .any(|k| glob(tail, &rest[k..]))
        }
    }
}

/// The 1-based line of an offset, as editors count lines (`\n`, `\r\n`, `\r`).
fn line_of<S: Source + ?Sized>(source: &S, offset: usize) -> usize {
    crate::document::position::line_breaks(&source.text(0..source.line_start(offset))) + 1
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
                let written = &graph.stages[index].base_text;
                // A base whose ARG defaults did not resolve it cleanly
                // (quotes left in, a name still unknown).
                if written.contains('$') && facts.base.contains(['"', '\'', '$']) {
                    // Its name depends on build arguments (maybe on the
                    // platform): not resolved here.
                    return format!(
                        "names {} (the image or stage it names is chosen by build arguments when the build runs) so {} can copy from it",
                        code(written),
                        labels(graph, &copiers)
                    );
                }
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
        None if stage.base_text.contains('$') => {
            let mut resolver = Resolver::new(tree, source, analysis);
            let (value, exact) = resolver.base_of(index);
            if exact && value.is_empty() {
                out.push_str(&format!(
                    "- Base: {} (empty unless the build passes `--build-arg`: BuildKit fails on an empty base)\n",
                    code(&stage.base_text)
                ));
            } else if exact {
                out.push_str(&format!(
                    "- Base: {} ({} with its ARG defaults)\n",
                    code(&value),
                    code(&stage.base_text)
                ));
            } else if value != stage.base_text && !value.contains(['"', '\'']) {
                // Known in part: the rest is set when the build runs.
                out.push_str(&format!(
                    "- Base: {} ({} with its ARG defaults; the rest is known only when the build runs)\n",
                    code(&value),
                    code(&stage.base_text)
                ));
            } else {
                out.push_str(&format!(
                    "- Base: {} (it depends on build arguments not known here)\n",
                    code(&stage.base_text)
                ));
            }
        }
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
        stage_summary(&tree, FILE, &analysis, stage, target)
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

    /// Lines as editors count them, whatever the line breaks: the third
    /// line is line 3 with `\n`, `\r\n` and `\r` alike.
    #[test]
    fn lines_are_counted_at_every_kind_of_break() {
        for br in ["\n", "\r\n", "\r"] {
            let file = format!("FROM a{br}ARG X=1{br}RUN echo $X{br}");
            let at = file.find("echo").unwrap();
            assert_eq!(line_of(file.as_str(), at), 3, "{br:?}");
            assert_eq!(line_of(file.as_str(), 0), 1, "{br:?}");
        }
    }

    /// The analysis only links a use to an earlier definition, so a file
    /// cannot loop; a loop forced into the analysis ends, said as one.
    #[test]
    fn a_definition_loop_stops_and_says_so() {
        let file = "ARG A=$B\nARG B=$A\nFROM alpine\n";
        let tree = syntax::parse(file);
        let mut analysis = Analysis::build(&tree, file);
        let b_in_a = analysis
            .variables
            .uses
            .iter()
            .position(|u| u.name == "B")
            .unwrap();
        assert_eq!(analysis.variables.uses[b_in_a].def, None);
        analysis.variables.uses[b_in_a].def = Some(1);
        let at = file.find("B=").unwrap();
        let (_, text) = hover(&tree, file, &analysis, at).unwrap();
        assert_eq!(
            text,
            "**$B** — global build argument, declared on line 2\n\ndefault: `$A` → `$B`\n\n- `$B` refers back to itself: left as written"
        );
    }

    #[test]
    fn patterns_strip_prefixes_and_suffixes() {
        assert_eq!(
            strip_pattern("v1.2.3", "v", true, false).as_deref(),
            Some("1.2.3")
        );
        assert_eq!(
            strip_pattern("1.2.3", "*.", true, false).as_deref(),
            Some("2.3")
        );
        assert_eq!(
            strip_pattern("1.2.3", "*.", true, true).as_deref(),
            Some("3")
        );
        assert_eq!(
            strip_pattern("1.2.3", ".*", false, false).as_deref(),
            Some("1.2")
        );
        assert_eq!(
            strip_pattern("1.2.3", ".*", false, true).as_deref(),
            Some("1")
        );
        assert_eq!(
            strip_pattern("abc", "x", true, false).as_deref(),
            Some("abc")
        );
        assert_eq!(strip_pattern("abc", "[a]", true, false), None);
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
        // what the server reads around the Dockerfile, and hovers with
        let compose_target = |dockerfile: &std::path::Path, top: Option<&std::path::Path>| {
            let config = crate::config::Config::default();
            let (context, _) = crate::diagnostics::Context::load(Some(dockerfile), &config, top);
            context.build_context?.compose_target()
        };
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
