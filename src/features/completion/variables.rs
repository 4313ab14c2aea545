//! The variables in scope after `$` / `${`: what the rules see there
//! ([`Variables::scope_at`]), then the environment of the stage's base
//! image (data/images.toml) and PATH. The item replaces the `$` or `${`
//! too, so that clients filtering by the typed text match: its label is
//! `$NAME` or `${NAME}` and is what it inserts (`${NAME` when a `}` or a
//! `:-default}` already follows).

use std::collections::{BTreeMap, HashSet};

use super::{partial, word_end, At, Completions, Item, ItemKind};
use crate::analysis::variables::{DefKind, Variables, Visible, PREDEFINED};
use crate::features::docs;
use crate::syntax::Source;

/// The variables after a `$` or `${` at the cursor; `None` when the cursor
/// is not after one.
pub(super) fn items<S: Source + ?Sized>(at: &At<S>) -> Option<Completions> {
    let prefix = at.place.line_prefix.as_str();
    let typed = partial(prefix, |c| c.is_ascii_alphanumeric() || c == '_');
    let before = &prefix[..prefix.len() - typed.len()];
    let (dollar, braced) = if before.ends_with("${") {
        (before.len() - 2, true)
    } else if before.ends_with('$') {
        (before.len() - 1, false)
    } else {
        return None;
    };
    // `\$` is a dollar sign, not a variable (`\` is an ordinary
    // character in a file whose escape is the backtick); `$$` is the
    // shell's pid.
    if prefix[..dollar].ends_with([at.place.escape, '$']) {
        return Some(Completions::default());
    }
    // A heredoc COPY or ADD copies literally.
    if at.place.heredoc_quoted {
        return Some(Completions::default());
    }
    let (keyword, onbuild) = at.place.keyword();
    if !at.place.in_heredoc && exec_form(at, &keyword) {
        // Exec form runs no shell and BuildKit expands nothing in it.
        return Some(Completions::default());
    }
    // Neither BuildKit nor the shell expands in single quotes.
    if !at.place.in_heredoc && in_single_quotes(&at.place.logical_prefix, at.place.escape) {
        return Some(Completions::default());
    }
    let from_line = !at.place.in_heredoc && !onbuild && keyword == "FROM";
    // The container's command and a trigger of a later build see the
    // image's environment, not this build's ARGs.
    let runtime = onbuild
        || (!at.place.in_heredoc
            && matches!(keyword.as_str(), "CMD" | "ENTRYPOINT" | "HEALTHCHECK"));
    let typed = &prefix[dollar..];
    let mut items = scoped(at, from_line, typed, braced, runtime);
    if onbuild {
        for i in &mut items {
            if let Some(d) = &mut i.detail {
                d.push_str(" (ONBUILD: expanded in the build based on this image)");
            }
        }
    }
    Some(items.into_iter().collect())
}

/// Whether the end of `text` is inside single quotes (outside double
/// quotes, the quote not escaped).
fn in_single_quotes(text: &str, escape: char) -> bool {
    let mut quote = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('\''), '\'') => quote = None,
            (Some('\''), _) => {}
            (_, c) if c == escape => {
                chars.next();
            }
            (None, '"' | '\'') => quote = Some(c),
            (Some('"'), '"') => quote = None,
            _ => {}
        }
    }
    quote == Some('\'')
}

/// Whether the variable of an item (`$NAME`, `${NAME}`) holds a platform
/// where `--platform=` is read: BUILDPLATFORM, TARGETPLATFORM, or a
/// global ARG whose default is `os/arch[/variant]` or one of those two.
pub(super) fn platform_valued<S: Source + ?Sized>(at: &At<S>, label: &str) -> bool {
    let name = label.trim_start_matches(['$', '{']).trim_end_matches('}');
    if matches!(name, "BUILDPLATFORM" | "TARGETPLATFORM") {
        return true;
    }
    let vars = &at.analysis.variables;
    let Some(def) = vars
        .defs
        .iter()
        .rev()
        .find(|d| d.stage.is_none() && d.name == name && d.name_range.start < at.offset)
    else {
        return false;
    };
    let value = def.value.as_deref().unwrap_or("").trim_matches(['"', '\'']);
    let parts: Vec<&str> = value.split('/').collect();
    let platform = (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    platform
        || matches!(
            value,
            "$BUILDPLATFORM" | "${BUILDPLATFORM}" | "$TARGETPLATFORM" | "${TARGETPLATFORM}"
        )
}

/// RUN, CMD, ENTRYPOINT or SHELL (or HEALTHCHECK CMD) in exec form.
fn exec_form<S: Source + ?Sized>(at: &At<S>, keyword: &str) -> bool {
    if !matches!(
        keyword,
        "RUN" | "CMD" | "ENTRYPOINT" | "SHELL" | "HEALTHCHECK"
    ) {
        return false;
    }
    let current = super::current_word(&at.place);
    let first = super::words(&at.place).and_then(|w| {
        w.args
            .iter()
            .copied()
            .find(|a| !(keyword == "HEALTHCHECK" && a.eq_ignore_ascii_case("CMD")))
    });
    first.unwrap_or(current).starts_with('[')
}

/// Line numbers (from 1) of offsets before `end`.
struct Lines(Vec<usize>);

impl Lines {
    fn new<S: Source + ?Sized>(source: &S, end: usize) -> Lines {
        let text = source.text(0..end);
        Lines(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        )
    }

    fn of(&self, offset: usize) -> usize {
        self.0.partition_point(|&nl| nl < offset) + 1
    }
}

/// A value for a detail: as written, cut to a few dozen characters.
fn short(value: &str) -> String {
    const MAX: usize = 32;
    if value.chars().count() <= MAX {
        return value.to_string();
    }
    let cut: String = value.chars().take(MAX).collect();
    format!("{cut}…")
}

fn stage_name(graph: &crate::analysis::stages::StageGraph, stage: usize) -> String {
    graph.stages[stage]
        .name
        .clone()
        .unwrap_or_else(|| stage.to_string())
}

fn def_detail(
    vars: &Variables,
    graph: &crate::analysis::stages::StageGraph,
    def: usize,
    here: Option<usize>,
    lines: &Lines,
) -> String {
    let d = &vars.defs[def];
    let line = lines.of(d.name_range.start);
    let own = d.value.as_deref().map(short);
    match (d.kind, d.stage) {
        (DefKind::Arg, None) => match own {
            Some(v) => format!("global ARG, line {line}, default {v}"),
            None => format!("global ARG, line {line}"),
        },
        (DefKind::Arg, Some(s)) if Some(s) != here => {
            let name = stage_name(graph, s);
            match own {
                Some(v) => format!("ARG of stage {name}, line {line}, default {v}"),
                None => format!("ARG of stage {name}, line {line}"),
            }
        }
        (DefKind::Arg, Some(_)) => {
            let global = d
                .redeclares
                .and_then(|g| vars.defs[g].value.as_deref())
                .map(short);
            match (own, global) {
                (Some(v), _) => format!("ARG, line {line}, default {v}"),
                (None, Some(g)) => format!("ARG, line {line}, global default {g}"),
                (None, None) if PREDEFINED.contains(&d.name.as_str()) => {
                    format!("ARG, line {line}, predefined by BuildKit")
                }
                (None, None) => format!("ARG, line {line}, no default"),
            }
        }
        (DefKind::Env, stage) => {
            let value = own.unwrap_or_default();
            match stage {
                Some(s) if Some(s) != here => {
                    let name = stage_name(graph, s);
                    format!("ENV of stage {name}, line {line}, value {value}")
                }
                _ => format!("ENV, line {line}, value {value}"),
            }
        }
    }
}

/// The items of the variables in scope at the cursor's instruction (a
/// FROM line's when `from_line`), replacing `typed` (`$`, `${NA`, or
/// nothing) with `$NAME` or `${NAME}`.
pub(super) fn scoped<S: Source + ?Sized>(
    at: &At<S>,
    from_line: bool,
    typed: &str,
    braced: bool,
    runtime: bool,
) -> Vec<Item> {
    let vars = &at.analysis.variables;
    let graph = &at.analysis.stages;
    let start = at.place.instruction_start;
    let scope = vars.scope_at(graph, at.source, start, at.offset, from_line);
    let lines = Lines::new(at.source, at.offset);
    let arg_doc = |name: &str| {
        docs::values("arg")
            .iter()
            .find(|v| v.label == name)
            .map(|v| (v.detail, format!("value:arg:{name}")))
    };
    // (name, detail, doc)
    let mut found: Vec<(String, String, Option<String>)> = Vec::new();
    // The base image's environment: it wins over an ARG of the same name.
    let mut image: Vec<(String, String)> = Vec::new();
    if let Some(stage) = scope.stage {
        let (reference, facts) =
            crate::analysis::images::stage_base(graph, vars, &BTreeMap::new(), stage);
        if let (Some(reference), Some(facts)) = (reference, facts) {
            for name in &facts.env {
                let detail = match facts.values.get(*name) {
                    Some(v) => format!("from the base image {reference}, value {}", short(v)),
                    None => format!("from the base image {reference}"),
                };
                image.push((name.to_string(), detail));
            }
        }
    }
    for (name, visible) in &scope.names {
        let is_env = matches!(visible, Visible::Def(i) if vars.defs[*i].kind == DefKind::Env);
        if !is_env && (runtime || image.iter().any(|(n, _)| n == name)) {
            // (an ARG: not in the container; hidden by the image's ENV)
            continue;
        }
        let doc = arg_doc(name).map(|(_, key)| key);
        let detail = match visible {
            Visible::Def(i) => def_detail(vars, graph, *i, scope.stage, &lines),
            Visible::Predefined => arg_doc(name).map_or_else(
                || "predefined by BuildKit".to_string(),
                |(d, _)| d.to_string(),
            ),
        };
        found.push((name.clone(), detail, doc));
    }
    // A half-typed ARG line (`ARG A=1 B=${`) is not an ARG in the tree:
    // its earlier pairs are read from the text.
    let (keyword, _) = at.place.keyword();
    if keyword == "ARG" && !at.place.in_heredoc {
        let line = lines.of(at.offset);
        // (a quoted value's words joined; an open quote's left out: the
        // pair being typed)
        let mut pairs: Vec<String> = Vec::new();
        let mut open: Vec<&str> = Vec::new();
        let mut quote = None;
        for word in at.place.words_before().into_iter().skip(1) {
            open.push(word);
            let mut chars = word.chars();
            while let Some(c) = chars.next() {
                match (quote, c) {
                    (q, e) if e == at.place.escape && q != Some('\'') => {
                        chars.next();
                    }
                    (None, '"' | '\'') => quote = Some(c),
                    (Some(q), c) if c == q => quote = None,
                    _ => {}
                }
            }
            if quote.is_none() {
                pairs.push(open.join(" "));
                open.clear();
            }
        }
        for pair in &pairs {
            let (name, value) = pair
                .split_once('=')
                .map_or((pair.as_str(), None), |(n, v)| (n, Some(v)));
            let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if valid && !found.iter().any(|f| f.0 == name) {
                let detail = match value {
                    Some(v) => format!("ARG, line {line}, default {}", short(v)),
                    None => format!("ARG, line {line}, no default"),
                };
                found.push((name.to_string(), detail, None));
            }
        }
    }
    if scope.stage.is_some() {
        let mut seen: HashSet<String> = found.iter().map(|f| f.0.clone()).collect();
        for (name, detail) in image {
            if seen.insert(name.clone()) {
                found.push((name, detail, None));
            }
        }
        if seen.insert("PATH".into()) {
            let (detail, key) = arg_doc("PATH").unwrap_or_default();
            found.push(("PATH".into(), detail.to_string(), Some(key)));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    let replace = at.offset - typed.len()..at.offset;
    let end = word_end(at.source, at.offset, |b| {
        b.is_ascii_alphanumeric() || b == b'_'
    });
    // `${NA|}` or `${NA|:-x}`: the rest of the expansion is there already.
    let closed = matches!(
        at.source.byte_at(end),
        Some(b'}' | b':' | b'-' | b'+' | b'?')
    );
    found
        .into_iter()
        .map(|(name, detail, doc)| {
            let (label, insert) = if braced {
                let open = format!("${{{name}");
                let label = format!("{open}}}");
                let insert = if closed { open } else { label.clone() };
                (label, insert)
            } else {
                (format!("${name}"), format!("${name}"))
            };
            let doc = doc.unwrap_or_else(|| format!("text:**{name}** — {detail}"));
            Item::new(&label, ItemKind::Variable, &replace, end)
                .detail(detail)
                .insert(insert)
                .doc(doc)
        })
        .collect()
}
