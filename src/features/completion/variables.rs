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
    // `\$` is a dollar sign, not a variable.
    if prefix[..dollar].ends_with(['\\', at.place.escape]) {
        return Some(Completions::default());
    }
    let (keyword, onbuild) = at.place.keyword();
    if !at.place.in_heredoc && exec_form(at, &keyword) {
        // Exec form runs no shell and BuildKit expands nothing in it.
        return Some(Completions::default());
    }
    let from_line = !at.place.in_heredoc && !onbuild && keyword == "FROM";
    let typed = &prefix[dollar..];
    Some(scoped(at, from_line, typed, braced).into_iter().collect())
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
                    let name = graph.stages[s]
                        .name
                        .clone()
                        .unwrap_or_else(|| s.to_string());
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
) -> Vec<Item> {
    let vars = &at.analysis.variables;
    let graph = &at.analysis.stages;
    let start = at.place.instruction_start;
    let scope = vars.scope_at(graph, start, from_line);
    let lines = Lines::new(at.source, start);
    let arg_doc = |name: &str| {
        docs::values("arg")
            .iter()
            .find(|v| v.label == name)
            .map(|v| (v.detail, format!("value:arg:{name}")))
    };
    // (name, detail, doc)
    let mut found: Vec<(String, String, Option<String>)> = Vec::new();
    for (name, visible) in &scope.names {
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
    if let Some(stage) = scope.stage {
        let mut seen: HashSet<String> = found.iter().map(|f| f.0.clone()).collect();
        let (reference, facts) =
            crate::analysis::images::stage_base(graph, vars, &BTreeMap::new(), stage);
        if let (Some(reference), Some(facts)) = (reference, facts) {
            for name in &facts.env {
                if seen.insert(name.to_string()) {
                    let detail = match facts.values.get(*name) {
                        Some(v) => format!("from the base image {reference}, value {}", short(v)),
                        None => format!("from the base image {reference}"),
                    };
                    found.push((name.to_string(), detail, None));
                }
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
            let mut i = Item::new(&label, ItemKind::Variable, &replace, end)
                .detail(detail)
                .insert(insert);
            i.doc = doc;
            i
        })
        .collect()
}
