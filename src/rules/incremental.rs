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
use crate::syntax::{self, Source};

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
        | "DL3059" => Locality::Local,
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
        // CopySourceMissing decides over every COPY of the file whether to
        // report at all; NoEmptyContinuation's end-of-file check walks the
        // whole tree.
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

/// What was found in one part.
struct PartFindings {
    /// For [`Locality::Ancestors`]: the hash of what the part's stage
    /// inherits (0 for the preamble).
    inherited: u64,
    /// For [`Locality::Names`]: the hash of the stage table.
    names: u64,
    /// What this stage passes to the stages built on it (its own share of
    /// [`PartFindings::inherited`]'s input).
    passes_on: u64,
    /// Per rule code: the diagnostics, ranges relative to the part's
    /// start; none when one of them reaches outside the part (a related
    /// place in another stage), so it is found again next time.
    by_rule: HashMap<&'static str, Option<Vec<Diagnostic>>>,
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

/// Above this share of a rule's parts to run again (1 in N), the rule runs
/// once over the whole document instead.
const WHOLE_RUN_SHARE: usize = 8;

/// [`super::run_until`]'s diagnostics (in the same order), reusing what
/// `previous` found in parts an edit did not touch. `context_id` names the
/// configuration and files in `context`: the caller changes it when they
/// change.
pub fn run_until(
    tree: &Tree,
    source: &(dyn Source + Sync),
    analysis: &Analysis,
    context: &Context,
    context_id: u64,
    previous: Option<&RuleCache>,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<(Vec<Diagnostic>, RuleCache, Reuse)> {
    let facts = facts::Facts::new(tree, source);
    let plan = Plan::new(tree, source, context);
    let stage_ids: Vec<u64> = analysis.stage_ids().collect();
    if stage_ids.len() != facts.stage_count() || stage_ids.len() != analysis.stages.stages.len() {
        // (Never expected: the analysis lists the same stages.)
        let found = super::run_until(tree, source, analysis, context, cancelled)?;
        return Some((found, RuleCache::default(), Reuse::default()));
    }
    let previous = previous.filter(|p| p.context == context_id);
    let parts = parts(tree, analysis, &stage_ids);
    let names = names_hash(analysis);
    // What each stage passes on, then what each inherits (parents come
    // before their children).
    let passes_on: Vec<u64> = parts
        .iter()
        .map(
            |part| match (part.stage, previous.and_then(|p| p.parts.get(&part.key))) {
                (Some(_), Some(old)) => old.passes_on,
                (Some(s), None) => passes_on(&facts, s, source),
                (None, _) => 0,
            },
        )
        .collect();
    let mut chain = vec![0u64; stage_ids.len()];
    for s in 0..stage_ids.len() {
        let parent = analysis.stages.stages[s].parent.filter(|&p| p < s);
        let mut h = DefaultHasher::new();
        passes_on[s + 1].hash(&mut h);
        parent.map(|p| chain[p]).hash(&mut h);
        chain[s] = h.finish();
    }
    let inherited = |part: &Part| -> u64 {
        part.stage
            .and_then(|s| analysis.stages.stages[s].parent.filter(|&p| p < s))
            .map_or(0, |p| chain[p])
    };
    let lines: Vec<Vec<Node>> = parts.iter().map(|p| part_lines(tree, &facts, p)).collect();
    let scoped_ctx: Vec<std::sync::OnceLock<(Ctx, Vec<(Range<usize>, Vec<String>)>)>> =
        parts.iter().map(|_| std::sync::OnceLock::new()).collect();
    let ctx_of = |k: usize| {
        scoped_ctx[k].get_or_init(|| {
            let part = &parts[k];
            let scope = Scope {
                preamble: part.stage.is_none(),
                stages: part.stage.map_or(0..0, |s| s..s + 1),
            };
            let ctx = Ctx::new(tree, source, analysis, context, &facts, scope);
            // The comments right before the part's first line lie at the
            // end of the part before it.
            let mut around: Vec<Node> = Vec::new();
            if k > 0 {
                around.extend_from_slice(&lines[k - 1]);
            }
            around.extend_from_slice(&lines[k]);
            (ctx, inline_skips(&around, source))
        })
    };
    let whole_ctx = std::sync::OnceLock::new();
    let whole = || {
        whole_ctx.get_or_init(|| {
            let scope = Scope {
                preamble: true,
                stages: 0..facts.stage_count(),
            };
            let ctx = Ctx::new(tree, source, analysis, context, &facts, scope);
            (ctx, inline_skips(&syntax::lines(tree), source))
        })
    };
    let starts: Vec<usize> = parts.iter().map(|p| p.range.start).collect();
    let bucket = |d: &Diagnostic| starts.partition_point(|&s| s <= d.range.start).max(1) - 1;

    // Per rule: reuse what holds, run the rest scoped or whole.
    enum Found {
        /// Per part: the diagnostics (absolute ranges) and whether they
        /// may be kept.
        Parts(Vec<(Vec<Diagnostic>, bool)>, Reuse),
        Whole(Vec<Diagnostic>),
    }
    let one_rule = |&(rule, severity): &(&'static Rule, Severity)| -> Option<Found> {
        if cancelled() {
            return None;
        }
        let class = locality(rule.code);
        if class == Locality::Document || parts.len() < 2 {
            let (ctx, silenced) = whole();
            return Some(Found::Whole(check_rule(ctx, rule, severity, silenced)));
        }
        let cached: Vec<Option<Vec<Diagnostic>>> = parts
            .iter()
            .map(|part| {
                let old = previous?.parts.get(&part.key)?;
                let holds = match class {
                    Locality::Names => old.names == names,
                    Locality::Ancestors => old.names == names && old.inherited == inherited(part),
                    _ => true,
                };
                let found = old.by_rule.get(rule.code)?.as_ref().filter(|_| holds)?;
                Some(
                    found
                        .iter()
                        .map(|d| shifted(d, part.range.start as isize))
                        .collect(),
                )
            })
            .collect();
        let missing = cached.iter().filter(|c| c.is_none()).count();
        let mut reuse = Reuse::default();
        let mut out: Vec<(Vec<Diagnostic>, bool)> = Vec::with_capacity(parts.len());
        if missing * WHOLE_RUN_SHARE > parts.len() {
            reuse.whole += 1;
            let (ctx, silenced) = whole();
            out.resize_with(parts.len(), || (Vec::new(), true));
            for d in check_rule(ctx, rule, severity, silenced) {
                out[bucket(&d)].0.push(d);
            }
        } else {
            for (k, c) in cached.into_iter().enumerate() {
                match c {
                    Some(found) => {
                        reuse.reused += 1;
                        out.push((found, true));
                    }
                    None => {
                        if cancelled() {
                            return None;
                        }
                        reuse.scoped += 1;
                        let (ctx, silenced) = ctx_of(k);
                        let found: Vec<Diagnostic> = check_rule(ctx, rule, severity, silenced)
                            .into_iter()
                            .filter(|d| bucket(d) == k)
                            .collect();
                        out.push((found, true));
                    }
                }
            }
        }
        for (k, (found, keep)) in out.iter_mut().enumerate() {
            let range = &parts[k].range;
            *keep = found.iter().all(|d| inside(d, range));
        }
        Some(Found::Parts(out, reuse))
    };
    // The whole-document rules are the expensive ones: spread them (and
    // the rest) over two workers, in the registry's order.
    let results = on_two_workers(&plan.wanted, &one_rule)?;

    let mut diagnostics = Vec::new();
    let mut reuse = Reuse::default();
    let mut kept: Vec<HashMap<&'static str, Option<Vec<Diagnostic>>>> =
        parts.iter().map(|_| HashMap::new()).collect();
    for ((rule, _), found) in plan.wanted.iter().zip(results) {
        match found {
            Found::Whole(found) => {
                reuse.whole += 1;
                diagnostics.extend(found);
            }
            Found::Parts(per_part, r) => {
                reuse.reused += r.reused;
                reuse.scoped += r.scoped;
                reuse.whole += r.whole;
                for (k, (found, keep)) in per_part.into_iter().enumerate() {
                    let start = parts[k].range.start as isize;
                    kept[k].insert(
                        rule.code,
                        keep.then(|| found.iter().map(|d| shifted(d, -start)).collect()),
                    );
                    diagnostics.extend(found);
                }
            }
        }
    }
    let cache = RuleCache {
        context: context_id,
        parts: parts
            .iter()
            .zip(kept)
            .enumerate()
            .map(|(k, (part, by_rule))| {
                let entry = PartFindings {
                    inherited: inherited(part),
                    names,
                    passes_on: passes_on[k],
                    by_rule,
                };
                (part.key, Arc::new(entry))
            })
            .collect(),
    };
    Some((diagnostics, cache, reuse))
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
