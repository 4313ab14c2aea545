//! The rules, run again only where an edit can change what they find.
//!
//! The document is cut into parts: the preamble (the lines before the first
//! FROM) and each stage. What a rule finds in a part is kept with the
//! identities of the parts it was found in ([`Analysis::stage_ids`]: equal
//! ids, equal text), and reused while what the rule's [`Locality`] says it
//! depends on is unchanged; otherwise the rule runs again scoped to that
//! part ([`Scope`]). Rules that look at the whole document run whole.
//! The result equals [`super::run_until`]'s (a property test edits corpus
//! files at random and compares them after every edit).

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

use tree_sitter::{Node, Tree};

use super::{check_rule, facts, inline_skips, on_two_workers, Ctx, Plan, Rule, Scope};
use crate::analysis::Analysis;
use crate::build_context::Context;
use crate::diagnostic_types::{Diagnostic, Severity};
use crate::syntax::{self, Source, SyntaxError};

/// What a rule's findings inside one part depend on, besides the part's
/// text, the text of the part before it (the comments right above a FROM
/// lie there), the preamble, the configuration and the files around the
/// Dockerfile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locality {
    /// Nothing else.
    Local,
    /// Every stage's name, base and parent, in order.
    Names,
    /// What the stages the part builds on (`FROM <stage>`, however far up)
    /// set for their children: their FROM, ENV, ARG, WORKDIR, SHELL, USER
    /// and ONBUILD instructions; and the stage table, as for
    /// [`Locality::Names`] (which stage a FROM names, and UndefinedVar's
    /// `FROM ${VAR}` that names a stage).
    Ancestors,
    /// As Ancestors, and whether the stage's layers are kept (the final
    /// stage, a stage with CMD or ENTRYPOINT, and what these build on)
    /// and whether it is the final one: hadolint's cache rules.
    Kept,
    /// Anything in the document: run whole every time.
    Document,
}

/// The locality of a rule, from `tests/rule_locality.rs`' measurements and
/// a reading of each rule's code (`docs/design/incremental-diagnostics.md`).
pub fn locality(code: &str) -> Locality {
    match code {
        "FromAsCasing"
        | "ReservedStageName"
        | "MaintainerDeprecated"
        | "MultipleInstructionsDisallowed"
        | "LegacyKeyValueFormat"
        | "RedundantTargetPlatform"
        | "FromPlatformFlagConstDisallowed"
        | "SecretsUsedInArgOrEnv"
        | "UndefinedArgInFrom"
        | "InvalidDefaultArgInFrom"
        | "CopyIgnoredFile"
        | "DependencyInstallAfterCopyAll"
        | "SecretInLayer"
        | "DL3003"
        | "DL3004"
        | "DL3007"
        | "DL3008"
        | "DL3013"
        | "DL3015"
        | "DL3016"
        | "DL3020"
        | "DL3021"
        | "DL3027"
        | "DL3059"
        | "NoEmptyContinuation" => Locality::Local,
        "DuplicateStageName"
        | "InvalidDefinitionDescription"
        | "UnknownStage"
        | "StageIndexOutOfRange"
        | "SingleStageBuild"
        | "DL3006"
        | "DL3022"
        | "DL3023" => Locality::Names,
        "WorkdirRelativePath"
        | "UndefinedVar"
        | "DL3000"
        | "DL3045"
        | "JSONArgsRecommended"
        | "ExposeProtoCasing"
        | "ExposeInvalidFormat"
        | "DL4006" => Locality::Ancestors,
        "DL3009" | "DL3042" | "DL3060" => Locality::Kept,
        // CopySourceMissing decides over every COPY of the file whether to
        // report at all.
        _ => Locality::Document,
    }
}

/// What an incremental run keeps for the next one.
#[derive(Default)]
pub struct RuleCache {
    /// The configuration and files the findings were computed with (the
    /// caller's number for them): another value drops everything.
    context: u64,
    /// By the ids of (the part before, the part): the part's findings.
    parts: HashMap<(u64, u64), Arc<PartFindings>>,
}

/// What the cacheable rules found in one part.
struct PartFindings {
    /// For [`Locality::Ancestors`]: the hash of what the part's stage
    /// inherits (0 for the preamble).
    inherited: u64,
    /// For [`Locality::Names`] and [`Locality::Ancestors`]: the hash of the
    /// stage table.
    names: u64,
    /// What this stage passes to the stages built on it (its own share of
    /// [`PartFindings::inherited`]'s input).
    passes_on: u64,
    /// Whether the stage has a CMD or ENTRYPOINT.
    runs_something: bool,
    /// For [`Locality::Kept`]: whether the stage is kept, and final.
    role: (bool, bool),
    /// Each finding with the rule's place in the run's plan, ranges
    /// relative to the part's start, in the order the rules found them.
    found: Vec<(u16, Diagnostic)>,
    /// The rules (places in the plan) whose findings here reach outside
    /// the part (a related place in another stage): found again each time.
    volatile: Vec<u16>,
    /// The syntax checks of the stage's instructions
    /// ([`syntax::stage_checks`]), bytes relative to the part's start and
    /// rows to its first row; kept under the key of
    /// [`Locality::Ancestors`].
    syntax: Vec<SyntaxError>,
}

/// How much an incremental run reused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reuse {
    /// (rule, part) results taken from the cache.
    pub reused: usize,
    /// (rule, part) results found again by a scoped run.
    pub scoped: usize,
    /// Rules run over the whole document.
    pub whole: usize,
}

/// A part: the preamble or a stage.
struct Part {
    /// (id of the part before, id of the part).
    key: (u64, u64),
    range: Range<usize>,
    /// The stage, for a stage part.
    stage: Option<usize>,
}

/// What inline comments silence: instructions' ranges and the codes.
type Silenced = Vec<(Range<usize>, Vec<String>)>;

/// Above this share of a rule's parts to run again (1 in N), the rule runs
/// once over the whole document instead.
const WHOLE_RUN_SHARE: usize = 8;

/// What one rule found this time.
enum Found {
    /// Over the whole document, for a rule that is never cached.
    Document(Vec<Diagnostic>),
    /// Per part found again (absolute ranges), the others reused.
    Parts(Vec<(usize, Vec<Diagnostic>)>),
}

/// [`super::run_until`]'s diagnostics (the same, in an order
/// `diagnostics` sorts the same way), reusing what `previous` found in
/// parts an edit did not touch. `context_id` names the configuration and
/// files in `context`: the caller changes it when they change.
pub fn run_until(
    tree: &Tree,
    source: &(dyn Source + Sync),
    analysis: &Analysis,
    context: &Context,
    context_id: u64,
    previous: Option<&RuleCache>,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<(Vec<Diagnostic>, Vec<SyntaxError>, RuleCache, Reuse)> {
    let facts = facts::Facts::new(tree, source);
    let plan = Plan::new(tree, source, context);
    let stage_ids: Vec<u64> = analysis.stage_ids().collect();
    if stage_ids.len() != facts.stage_count() || stage_ids.len() != analysis.stages.stages.len() {
        // (Never expected: the analysis lists the same stages.)
        let found = super::run_until(tree, source, analysis, context, cancelled)?;
        let errors = syntax::syntax_errors(tree, source);
        return Some((found, errors, RuleCache::default(), Reuse::default()));
    }
    let previous = previous.filter(|p| p.context == context_id);
    let parts = parts(tree, analysis, &stage_ids);
    let old: Vec<Option<&Arc<PartFindings>>> = parts
        .iter()
        .map(|part| previous.and_then(|p| p.parts.get(&part.key)))
        .collect();
    let names = names_hash(analysis);
    // What each stage passes on, then what each inherits (parents come
    // before their children).
    let passes_on: Vec<u64> = parts
        .iter()
        .zip(&old)
        .map(|(part, old)| match (part.stage, old) {
            (Some(_), Some(old)) => old.passes_on,
            (Some(s), None) => passes_on(&facts, s, source),
            (None, _) => 0,
        })
        .collect();
    let runs_something: Vec<bool> = parts
        .iter()
        .zip(&old)
        .map(|(part, old)| match (part.stage, old) {
            (Some(_), Some(old)) => old.runs_something,
            (Some(s), None) => facts
                .instructions(s)
                .iter()
                .any(|n| matches!(n.kind(), "cmd_instruction" | "entrypoint_instruction")),
            (None, _) => false,
        })
        .collect();
    // Kept: the final stage, those that run something, and what they
    // build on (as `hadolint_shell::kept_stages`).
    let count = stage_ids.len();
    let mut kept = vec![false; count];
    for start in (0..count).filter(|&s| s + 1 == count || runs_something[s + 1]) {
        let mut next = Some(start);
        while let Some(s) = next.filter(|&s| s < count && !kept[s]) {
            kept[s] = true;
            next = analysis.stages.stages[s].parent;
        }
    }
    let role: Vec<(bool, bool)> = parts
        .iter()
        .map(|p| {
            p.stage
                .map_or((false, false), |s| (kept[s], s + 1 == count))
        })
        .collect();
    let mut chain = vec![0u64; stage_ids.len()];
    for s in 0..stage_ids.len() {
        let parent = analysis.stages.stages[s].parent.filter(|&p| p < s);
        let mut h = DefaultHasher::new();
        passes_on[s + 1].hash(&mut h);
        parent.map(|p| chain[p]).hash(&mut h);
        chain[s] = h.finish();
    }
    let inherited: Vec<u64> = parts
        .iter()
        .map(|part| {
            part.stage
                .and_then(|s| analysis.stages.stages[s].parent.filter(|&p| p < s))
                .map_or(0, |p| chain[p])
        })
        .collect();
    // The parts each class of rule must look at again.
    let stale = |class: Locality| -> Vec<usize> {
        (0..parts.len())
            .filter(|&k| match old[k] {
                None => true,
                Some(o) => match class {
                    Locality::Names => o.names != names,
                    Locality::Ancestors => o.names != names || o.inherited != inherited[k],
                    Locality::Kept => {
                        o.names != names || o.inherited != inherited[k] || o.role != role[k]
                    }
                    _ => false,
                },
            })
            .collect()
    };
    let stale_by_class = [
        stale(Locality::Local),
        stale(Locality::Names),
        stale(Locality::Ancestors),
        stale(Locality::Kept),
    ];
    let mut volatile: HashMap<u16, Vec<usize>> = HashMap::new();
    for (k, o) in old.iter().enumerate() {
        for &r in o.map_or(&[][..], |o| &o.volatile) {
            volatile.entry(r).or_default().push(k);
        }
    }

    let scoped_ctx: Vec<std::sync::OnceLock<Ctx>> =
        parts.iter().map(|_| std::sync::OnceLock::new()).collect();
    let scoped_silenced: Vec<std::sync::OnceLock<Silenced>> =
        parts.iter().map(|_| std::sync::OnceLock::new()).collect();
    let ctx_of = |k: usize| {
        scoped_ctx[k].get_or_init(|| {
            let part = &parts[k];
            let scope = Scope {
                preamble: part.stage.is_none(),
                stages: part.stage.map_or(0..0, |s| s..s + 1),
            };
            Ctx::new(tree, source, analysis, context, &facts, scope)
        })
    };
    let silenced_of = |k: usize| -> &[(Range<usize>, Vec<String>)] {
        scoped_silenced[k].get_or_init(|| {
            // The comments right before the part's first line lie at the
            // end of the part before it.
            let mut around: Vec<Node> = Vec::new();
            if k > 0 {
                around.extend(part_lines(tree, &facts, &parts[k - 1]));
            }
            around.extend(part_lines(tree, &facts, &parts[k]));
            inline_skips(&around, source)
        })
    };
    let whole_ctx = std::sync::OnceLock::new();
    let whole = || {
        whole_ctx.get_or_init(|| {
            let scope = Scope {
                preamble: true,
                stages: 0..facts.stage_count(),
            };
            Ctx::new(tree, source, analysis, context, &facts, scope)
        })
    };
    let whole_silenced_cell = std::sync::OnceLock::new();
    let whole_silenced = || -> &[(Range<usize>, Vec<String>)] {
        whole_silenced_cell.get_or_init(|| inline_skips(&syntax::lines(tree), source))
    };
    let starts: Vec<usize> = parts.iter().map(|p| p.range.start).collect();
    let bucket = |d: &Diagnostic| starts.partition_point(|&s| s <= d.range.start).max(1) - 1;

    let items: Vec<(usize, &'static Rule, Severity)> = plan
        .wanted
        .iter()
        .enumerate()
        .map(|(i, &(rule, severity))| (i, rule, severity))
        .collect();
    let one_rule = |&(i, rule, severity): &(usize, &'static Rule, Severity)| -> Option<Found> {
        if cancelled() {
            return None;
        }
        let class = locality(rule.code);
        if class == Locality::Document || parts.len() < 2 {
            let found = check_rule(whole(), rule, severity, &whole_silenced);
            return Some(Found::Document(found));
        }
        let stale = match class {
            Locality::Names => &stale_by_class[1],
            Locality::Ancestors => &stale_by_class[2],
            Locality::Kept => &stale_by_class[3],
            _ => &stale_by_class[0],
        };
        let mut again: Vec<usize> = stale.clone();
        if let Some(more) = volatile.get(&(i as u16)) {
            again.extend(more);
            again.sort_unstable();
            again.dedup();
        }
        if again.len() * WHOLE_RUN_SHARE > parts.len() {
            let mut per_part: Vec<(usize, Vec<Diagnostic>)> =
                (0..parts.len()).map(|k| (k, Vec::new())).collect();
            for d in check_rule(whole(), rule, severity, &whole_silenced) {
                per_part[bucket(&d)].1.push(d);
            }
            return Some(Found::Parts(per_part));
        }
        let mut per_part = Vec::with_capacity(again.len());
        for k in again {
            if cancelled() {
                return None;
            }
            let silenced = || silenced_of(k);
            let found: Vec<Diagnostic> = check_rule(ctx_of(k), rule, severity, &silenced)
                .into_iter()
                .filter(|d| bucket(d) == k)
                .collect();
            per_part.push((k, found));
        }
        Some(Found::Parts(per_part))
    };
    // The syntax checks of each stage, kept per part like the Ancestors
    // rules' findings.
    let syntax_work = || {
        let mut syntax_again: Vec<Option<Vec<SyntaxError>>> = parts.iter().map(|_| None).collect();
        let mut ancestors_stale = vec![false; parts.len()];
        for &k in &stale_by_class[2] {
            ancestors_stale[k] = true;
        }
        let errors = syntax::syntax_errors_with(tree, source, &mut |stage, out| {
            let start = stage.start_byte();
            let row = stage.start_position().row;
            let k = starts.partition_point(|&s| s < start);
            let known = parts
                .get(k)
                .filter(|p| p.range.start == start && p.stage.is_some());
            let Some(k) = known.map(|_| k) else {
                syntax::stage_checks(stage, source, out);
                return;
            };
            match old[k].filter(|_| !ancestors_stale[k]) {
                Some(o) => out.extend(
                    o.syntax
                        .iter()
                        .map(|e| moved(e, start as isize, row as isize)),
                ),
                None => {
                    let mut found = Vec::new();
                    syntax::stage_checks(stage, source, &mut found);
                    syntax_again[k] = Some(
                        found
                            .iter()
                            .map(|e| moved(e, -(start as isize), -(row as isize)))
                            .collect(),
                    );
                    out.extend(found);
                }
            }
        });
        (errors, syntax_again)
    };
    // The rules on two workers, the syntax checks beside them (the whole-
    // document rules and the stage graph's checks are what remains of an
    // edit's work: spread over the cores).
    let (results, (errors, mut syntax_again)) = std::thread::scope(|scope| {
        let syntax = scope.spawn(syntax_work);
        let results = on_two_workers(&items, &one_rule);
        let syntax = syntax
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (results, syntax)
    });
    let results = results?;

    let mut diagnostics = Vec::new();
    let mut reuse = Reuse::default();
    // Per part: the rules found again there, with what they found.
    let mut again: Vec<Vec<(u16, Vec<Diagnostic>)>> = parts.iter().map(|_| Vec::new()).collect();
    let mut cacheable = 0;
    for ((i, _, _), found) in items.iter().zip(results) {
        match found {
            Found::Document(found) => {
                reuse.whole += 1;
                diagnostics.extend(found);
            }
            Found::Parts(per_part) => {
                cacheable += 1;
                if per_part.len() == parts.len() && parts.len() > 1 {
                    reuse.whole += 1;
                } else {
                    reuse.scoped += per_part.len();
                }
                for (k, found) in per_part {
                    again[k].push((*i as u16, found));
                }
            }
        }
    }
    let mut kept = HashMap::with_capacity(parts.len());
    for (k, part) in parts.iter().enumerate() {
        let start = part.range.start as isize;
        let entry = match (old[k], again[k].is_empty() && syntax_again[k].is_none()) {
            (Some(o), true) => o.clone(),
            (o, _) => {
                let redone: Vec<u16> = again[k].iter().map(|(r, _)| *r).collect();
                let mut found: Vec<(u16, Diagnostic)> = o
                    .map(|o| {
                        o.found
                            .iter()
                            .filter(|(r, _)| !redone.contains(r))
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                let mut volatile = Vec::new();
                for (r, new) in std::mem::take(&mut again[k]) {
                    if new.iter().all(|d| inside(d, &part.range)) {
                        found.extend(new.iter().map(|d| (r, shifted(d, -start))));
                    } else {
                        // used this time, found again the next
                        volatile.push(r);
                        diagnostics.extend(new);
                    }
                }
                let syntax = match syntax_again[k].take() {
                    Some(found) => found,
                    None => o.map(|o| o.syntax.clone()).unwrap_or_default(),
                };
                Arc::new(PartFindings {
                    inherited: inherited[k],
                    names,
                    passes_on: passes_on[k],
                    runs_something: runs_something[k],
                    role: role[k],
                    found,
                    volatile,
                    syntax,
                })
            }
        };
        reuse.reused += cacheable - entry.volatile.len().min(cacheable);
        diagnostics.extend(entry.found.iter().map(|(_, d)| shifted(d, start)));
        kept.insert(part.key, entry);
    }
    reuse.reused = reuse.reused.saturating_sub(reuse.scoped);
    let cache = RuleCache {
        context: context_id,
        parts: kept,
    };
    Some((diagnostics, errors, cache, reuse))
}

/// The parts of the document: the preamble, then each stage, keyed by the
/// ids of the part before and of the part.
fn parts(tree: &Tree, analysis: &Analysis, stage_ids: &[u64]) -> Vec<Part> {
    let stages = &analysis.stages.stages;
    let first = stages
        .first()
        .map_or(tree.root_node().end_byte(), |s| s.range.start);
    let end = tree.root_node().end_byte();
    let mut out = vec![Part {
        key: (0, analysis.preamble_id()),
        range: 0..first,
        stage: None,
    }];
    for (s, stage) in stages.iter().enumerate() {
        let next = stages.get(s + 1).map_or(end, |n| n.range.start);
        let before = if s == 0 {
            analysis.preamble_id()
        } else {
            stage_ids[s - 1]
        };
        out.push(Part {
            key: (before, stage_ids[s]),
            range: stage.range.start..next.max(stage.range.start),
            stage: Some(s),
        });
    }
    out
}

/// The lines of a part (as [`syntax::lines`] lists them).
fn part_lines<'t>(tree: &'t Tree, facts: &facts::Facts<'t>, part: &Part) -> Vec<Node<'t>> {
    match part.stage {
        Some(s) => {
            let node = facts.stage_node(s);
            let mut cursor = node.walk();
            let lines: Vec<Node> = node.named_children(&mut cursor).collect();
            lines
        }
        None => {
            let root = tree.root_node();
            let mut cursor = root.walk();
            let lines: Vec<Node> = root
                .named_children(&mut cursor)
                .take_while(|n| n.start_byte() < part.range.end)
                .filter(|n| n.kind() != "stage")
                .collect();
            lines
        }
    }
}

/// The stage table NAMES rules read: every stage's name, base text and
/// parent, in order.
fn names_hash(analysis: &Analysis) -> u64 {
    let mut h = DefaultHasher::new();
    for stage in &analysis.stages.stages {
        stage.name.hash(&mut h);
        stage.base_text.hash(&mut h);
        stage.parent.hash(&mut h);
    }
    h.finish()
}

/// The hash of what stage `s` sets for the stages built on it.
fn passes_on(facts: &facts::Facts, s: usize, source: &dyn Source) -> u64 {
    const KINDS: &[&str] = &[
        "from_instruction",
        "env_instruction",
        "arg_instruction",
        "workdir_instruction",
        "shell_instruction",
        "user_instruction",
        "onbuild_instruction",
    ];
    let mut h = DefaultHasher::new();
    for node in facts.instructions(s) {
        if KINDS.contains(&node.kind()) {
            source.text(node.byte_range()).hash(&mut h);
        }
    }
    h.finish()
}

/// Whether every place a diagnostic names lies in `range` (its end
/// included: a finding at the end of the file).
fn inside(d: &Diagnostic, range: &Range<usize>) -> bool {
    let within = |r: &Range<usize>| range.start <= r.start && r.end <= range.end;
    within(&d.range)
        && d.related.iter().all(|r| within(&r.range))
        && d.fix
            .as_ref()
            .is_none_or(|f| f.edits.iter().all(|e| within(&e.range)))
}

/// A syntax error moved by `bytes` and `rows`.
fn moved(e: &SyntaxError, bytes: isize, rows: isize) -> SyntaxError {
    let at = |b: usize| (b as isize + bytes) as usize;
    let mut out = e.clone();
    out.start_byte = at(e.start_byte);
    out.end_byte = at(e.end_byte);
    out.start.row = (e.start.row as isize + rows) as usize;
    if let Some((range, _)) = &mut out.suggestion {
        *range = at(range.start)..at(range.end);
    }
    out
}

/// A diagnostic with every range moved by `by` bytes.
fn shifted(d: &Diagnostic, by: isize) -> Diagnostic {
    let shift = |r: &Range<usize>| (r.start as isize + by) as usize..(r.end as isize + by) as usize;
    let mut out = d.clone();
    out.range = shift(&d.range);
    for r in &mut out.related {
        r.range = shift(&r.range);
    }
    if let Some(fix) = &mut out.fix {
        for e in &mut fix.edits {
            e.range = shift(&e.range);
        }
    }
    out
}
