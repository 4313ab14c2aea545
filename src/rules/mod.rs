//! The rule engine: one file per rule (its code, default severity, summary,
//! check and tests), a registry, and BuildKit's `# check=` directive
//! (`skip=Rule1,Rule2`, `skip=all`, `error=true`).

/// `hadolint_rule!(DL3008, "DL3008", Warning, "summary", check_fn)`: one of
/// hadolint's checks, under its code (the modules that use it import
/// `Group`, `Rule` and `Severity`).
macro_rules! hadolint_rule {
    ($name:ident, $code:literal, $severity:ident, $summary:literal, $check:ident) => {
        pub const $name: Rule = Rule {
            code: $code,
            aliases: &[],
            group: Group::Hadolint,
            severity: Severity::$severity,
            summary: $summary,
            check: $check,
        };
    };
}

mod consistent_instruction_casing;
mod context_files;
mod copy_ignored_file;
mod copy_source_missing;
mod duplicate_stage_name;
mod expose;
pub mod facts;
mod final_stage;
mod from_args;
mod from_as_casing;
mod from_platform;
mod hadolint_instructions;
mod hadolint_shell;
pub mod incremental;
mod install_order;
mod invalid_definition_description;
mod json_args_recommended;
mod legacy_key_value_format;
mod maintainer_deprecated;
mod multiple_instructions_disallowed;
mod no_empty_continuation;
pub mod packages;
mod reserved_stage_name;
mod secrets_in_layers;
mod secrets_used_in_arg_or_env;
mod single_stage_build;
mod stage_graph;
mod stage_name_casing;
mod undefined_var;
mod workdir_relative_path;

use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::analysis::Analysis;
use crate::build_context::Context;
use crate::config::Level;
use crate::diagnostic_types::{Diagnostic, Fix, Related, Severity};
use crate::syntax::{self, Source};

/// What a rule's check sees: the whole document, and the part of it the
/// check is asked about (its scope: every stage, or one part for the
/// incremental runner, [`incremental`]). The iterations over "every
/// instruction", "every RUN", "every stage" cover the scope; anything
/// else can be asked about any stage.
pub struct Ctx<'a> {
    pub tree: &'a Tree,
    pub source: &'a (dyn Source + Sync),
    pub analysis: &'a Analysis,
    pub context: &'a Context,
    facts: &'a facts::Facts<'a>,
    scope: Scope,
    instructions: std::sync::OnceLock<Vec<Node<'a>>>,
}

/// The stages a check covers, and whether the preamble (the lines before
/// the first FROM) is among its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Scope {
    pub preamble: bool,
    pub stages: Range<usize>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        tree: &'a Tree,
        source: &'a (dyn Source + Sync),
        analysis: &'a Analysis,
        context: &'a Context,
        facts: &'a facts::Facts<'a>,
        scope: Scope,
    ) -> Ctx<'a> {
        Ctx {
            tree,
            source,
            analysis,
            context,
            facts,
            scope,
            instructions: std::sync::OnceLock::new(),
        }
    }

    pub fn text(&self, node: Node) -> String {
        self.source.text(node.byte_range()).into_owned()
    }

    /// Every instruction of the scope in document order, listed on first
    /// use.
    pub fn instructions(&self) -> &[Node<'a>] {
        self.instructions.get_or_init(|| {
            if self.scope.preamble && self.scope.stages == (0..self.facts.stage_count()) {
                return syntax::instructions(self.tree);
            }
            let mut out = Vec::new();
            if self.scope.preamble {
                out.extend(syntax::preamble_instructions(self.tree));
            }
            for s in self.scope.stages.clone() {
                out.extend_from_slice(self.facts.instructions(s));
            }
            out
        })
    }

    /// The stages the check covers.
    pub fn scope_stages(&self) -> Range<usize> {
        self.scope.stages.clone()
    }

    /// Whether the check covers the preamble (the lines before the first
    /// FROM).
    pub fn scope_has_preamble(&self) -> bool {
        self.scope.preamble
    }

    /// RUN scripts and COPY parts, read per stage on first use; iterations
    /// cover the scope.
    pub fn facts(&self) -> facts::FactsView<'_, 'a> {
        facts::FactsView {
            facts: self.facts,
            scope: self.scope.stages.clone(),
        }
    }
}

pub struct Rule {
    pub code: &'static str,
    /// Other codes for the same check (hadolint's), accepted wherever a
    /// code is: ignore comments, `# check=skip=`, settings.
    pub aliases: &'static [&'static str],
    pub group: Group,
    pub severity: Severity,
    /// One line on what the rule asks for.
    pub summary: &'static str,
    pub check: fn(&Ctx, &mut Vec<Finding>),
}

/// Where a rule comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// BuildKit's build checks: same names, semantics and lines.
    BuildKit,
    /// Stage references BuildKit fails on, and stages it never builds.
    StageGraph,
    /// Our multi-stage best practice.
    BestPractice,
    /// hadolint's checks, under hadolint's codes.
    Hadolint,
}

/// What a check reports: where and why, related places, and the
/// mechanical fix if there is one.
#[derive(Default)]
pub struct Finding {
    pub range: Range<usize>,
    pub message: String,
    pub related: Vec<Related>,
    pub fix: Option<Fix>,
}

impl Finding {
    pub fn new(range: Range<usize>, message: impl Into<String>) -> Finding {
        Finding {
            range,
            message: message.into(),
            ..Finding::default()
        }
    }

    pub fn with_fix(mut self, fix: Fix) -> Finding {
        self.fix = Some(fix);
        self
    }

    pub fn with_related(mut self, range: Range<usize>, message: impl Into<String>) -> Finding {
        self.related.push(Related {
            range,
            message: message.into(),
        });
        self
    }
}

impl Rule {
    /// Whether `code` names this rule (its code or an alias).
    pub fn answers_to(&self, code: &str) -> bool {
        self.code.eq_ignore_ascii_case(code)
            || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(code))
    }

    fn codes(&self) -> Vec<&'static str> {
        std::iter::once(self.code)
            .chain(self.aliases.iter().copied())
            .collect()
    }
}

/// Whether a code names a rule (or is one of the syntax checks).
pub fn is_known_code(code: &str) -> bool {
    registry().iter().any(|r| r.answers_to(code))
}

/// The rule a code names.
pub fn find(code: &str) -> Option<&'static Rule> {
    registry().iter().find(|r| r.answers_to(code))
}

/// Every rule, in a stable order.
pub fn registry() -> &'static [Rule] {
    &[
        stage_name_casing::RULE,
        from_as_casing::RULE,
        no_empty_continuation::RULE,
        consistent_instruction_casing::RULE,
        duplicate_stage_name::RULE,
        reserved_stage_name::RULE,
        json_args_recommended::RULE,
        maintainer_deprecated::RULE,
        workdir_relative_path::RULE,
        multiple_instructions_disallowed::RULE,
        legacy_key_value_format::RULE,
        expose::PROTO_CASING,
        expose::INVALID_FORMAT,
        from_platform::REDUNDANT,
        from_platform::CONSTANT,
        secrets_used_in_arg_or_env::RULE,
        from_args::UNDEFINED,
        from_args::INVALID_DEFAULT,
        undefined_var::RULE,
        copy_ignored_file::RULE,
        copy_source_missing::RULE,
        invalid_definition_description::RULE,
        stage_graph::UNKNOWN,
        stage_graph::INDEX,
        stage_graph::UNUSED,
        install_order::RULE,
        final_stage::DEV_DEPENDENCIES,
        final_stage::DEV_NODE_MODULES,
        final_stage::WHOLE_TREE,
        final_stage::ROOT,
        final_stage::HEALTHCHECK,
        final_stage::CACHE,
        secrets_in_layers::RULE,
        context_files::NO_DOCKERIGNORE,
        context_files::INCOMPLETE,
        context_files::NEXT_STANDALONE,
        single_stage_build::RULE,
        hadolint_instructions::DL3000,
        hadolint_instructions::DL3002,
        hadolint_shell::DL3003,
        hadolint_shell::DL3004,
        hadolint_instructions::DL3006,
        hadolint_instructions::DL3007,
        hadolint_shell::DL3008,
        hadolint_shell::DL3009,
        hadolint_shell::DL3013,
        hadolint_shell::DL3015,
        hadolint_shell::DL3016,
        hadolint_instructions::DL3020,
        hadolint_instructions::DL3021,
        hadolint_instructions::DL3022,
        hadolint_instructions::DL3023,
        hadolint_shell::DL3027,
        hadolint_shell::DL3042,
        hadolint_instructions::DL3045,
        hadolint_shell::DL3059,
        hadolint_shell::DL3060,
        hadolint_shell::DL4006,
    ]
}

/// Rules BuildKit runs only when `# check=experimental=` names them.
const EXPERIMENTAL: &[&str] = &["InvalidDefinitionDescription"];

/// BuildKit's `# check=` settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckDirective {
    pub skip_all: bool,
    pub skip: Vec<String>,
    pub error: bool,
    /// Experimental rules turned on (`all` for every one).
    pub experimental: Vec<String>,
    /// Why BuildKit fails the build on this value (an unknown option, a
    /// value that is no boolean); nothing is skipped then.
    pub problems: Vec<String>,
}

/// The names of BuildKit's build checks (its linter's ruleset), those this
/// server implements and those it does not.
pub const BUILDKIT_RULES: &[&str] = &[
    "StageNameCasing",
    "FromAsCasing",
    "NoEmptyContinuation",
    "ConsistentInstructionCasing",
    "DuplicateStageName",
    "ReservedStageName",
    "JSONArgsRecommended",
    "MaintainerDeprecated",
    "UndefinedArgInFrom",
    "WorkdirRelativePath",
    "UndefinedVar",
    "MultipleInstructionsDisallowed",
    "LegacyKeyValueFormat",
    "InvalidBaseImagePlatform",
    "RedundantTargetPlatform",
    "SecretsUsedInArgOrEnv",
    "InvalidDefaultArgInFrom",
    "FromPlatformFlagConstDisallowed",
    "CopyIgnoredFile",
    "InvalidDefinitionDescription",
    "ExposeProtoCasing",
    "ExposeInvalidFormat",
];

/// Whether BuildKit runs a rule only when `experimental=` names it.
pub fn is_experimental(code: &str) -> bool {
    EXPERIMENTAL.contains(&code)
}

impl CheckDirective {
    /// Parses a `check` value: `skip=A,B;error=true`.
    pub fn parse(value: &str) -> CheckDirective {
        let mut out = CheckDirective::default();
        for part in value.split(';') {
            let Some((key, val)) = part.split_once('=') else {
                continue;
            };
            match key.trim().to_ascii_lowercase().as_str() {
                "skip" => {
                    // a note may follow a rule name: `skip=Rule // why`
                    for rule in val.split(',').filter_map(|r| r.split_whitespace().next()) {
                        if rule.eq_ignore_ascii_case("all") {
                            out.skip_all = true;
                        } else {
                            out.skip.push(rule.to_string());
                        }
                    }
                }
                "error" => out.error = val.trim().eq_ignore_ascii_case("true"),
                "experimental" => out.experimental.extend(
                    val.split(',')
                        .filter_map(|r| r.split_whitespace().next())
                        .map(String::from),
                ),
                _ => {}
            }
        }
        out
    }

    /// A value as BuildKit's linter reads it (the `# check=` directive's,
    /// or the `BUILDKIT_DOCKERFILE_CHECK` build argument's): options split
    /// at `;`, keys `skip`, `error` and `experimental` spelled exactly so,
    /// `all` only as the whole list, rule names as written. A value BuildKit
    /// fails on skips nothing and says why in `problems`.
    pub fn from_buildkit(value: &str) -> CheckDirective {
        let mut out = CheckDirective::default();
        let value = value.trim();
        if value.is_empty() {
            return out;
        }
        let list = |v: &str| -> Vec<String> {
            v.split(',')
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect()
        };
        for part in value.split(';') {
            let Some((key, val)) = part.split_once('=') else {
                out.problems
                    .push(format!("`{part}` is no `key=value` option"));
                continue;
            };
            let val = val.trim();
            match key.trim() {
                "skip" if val == "all" => out.skip_all = true,
                "skip" => out.skip = list(val),
                "error" => match val {
                    "1" | "t" | "T" | "true" | "TRUE" | "True" => out.error = true,
                    "0" | "f" | "F" | "false" | "FALSE" | "False" => out.error = false,
                    _ => out
                        .problems
                        .push(format!("`error={val}` is not a boolean (`true` or `false`)")),
                },
                "experimental" => out.experimental = list(val),
                other => out.problems.push(format!(
                    "`{other}` is not an option (only `skip`, `error` and `experimental`, in lower case)"
                )),
            }
        }
        if !out.problems.is_empty() {
            return CheckDirective {
                problems: out.problems,
                ..CheckDirective::default()
            };
        }
        out
    }

    /// The directive of a document, if it has one. BuildKit takes its
    /// value up to the first blank.
    pub fn of(tree: &Tree, source: &dyn Source) -> CheckDirective {
        syntax::directive(tree, source, "check").map_or_else(CheckDirective::default, |value| {
            CheckDirective::from_buildkit(directive_value(&value))
        })
    }

    fn skips(&self, rule: &Rule) -> bool {
        // BuildKit's own checks answer to their exact names only.
        let named = |name: &str| {
            if rule.group == Group::BuildKit {
                rule.code == name
            } else {
                rule.answers_to(name)
            }
        };
        let off = EXPERIMENTAL.contains(&rule.code)
            && !self.experimental.iter().any(|e| named(e) || e == "all");
        off || self.skip_all || self.skip.iter().any(|s| named(s))
    }
}

/// A directive's value as BuildKit uses it: up to its first space.
pub fn directive_value(value: &str) -> &str {
    let value = value.trim();
    value.split(' ').next().unwrap_or("")
}

/// A range grown to whole lines, its line break included (for removing an
/// instruction).
pub(crate) fn whole_lines(ctx: &Ctx, range: Range<usize>) -> Range<usize> {
    let start = ctx.source.line_start(range.start);
    let file_end = ctx.tree.root_node().end_byte();
    let eol = ctx
        .source
        .line_break_at(range.end)
        .min(file_end.saturating_sub(range.end));
    start..range.end + eol
}

/// The edit distance of two names when it is at most 2 (a "did you mean"
/// candidate), compared without regard to case; `None` when farther. Names
/// whose lengths differ by more than 2 are ruled out without computing it.
pub(crate) fn near(a: &str, b: &str) -> Option<usize> {
    if a.len().abs_diff(b.len()) > 2 {
        return None;
    }
    let d = edit_distance(&a.to_lowercase(), &b.to_lowercase());
    (d <= 2).then_some(d)
}

pub(crate) use crate::syntax::edit_distance;

/// The build argument that replaces the file's `# check=` directive.
pub const CHECK_BUILD_ARG: &str = "BUILDKIT_DOCKERFILE_CHECK";

/// Runs every rule the directive does not skip, leaving out what an
/// inline comment before an instruction silences.
pub fn run(
    tree: &Tree,
    source: &(dyn Source + Sync),
    analysis: &Analysis,
    context: &Context,
) -> Vec<Diagnostic> {
    run_until(tree, source, analysis, context, &|| false).unwrap_or_default()
}

/// [`run`], giving up (`None`) as soon as `cancelled` says so; it is asked
/// before each rule, so a superseded version stops within one rule's time.
pub fn run_until(
    tree: &Tree,
    source: &(dyn Source + Sync),
    analysis: &Analysis,
    context: &Context,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<Diagnostic>> {
    let plan = Plan::new(tree, source, context);
    let silenced = std::sync::OnceLock::new();
    let silenced = || -> &[(Range<usize>, Vec<String>)] {
        silenced.get_or_init(|| inline_skips(&syntax::lines(tree), source))
    };
    let facts = facts::Facts::new(tree, source);
    let whole = Scope {
        preamble: true,
        stages: 0..facts.stage_count(),
    };
    let ctx = Ctx::new(tree, source, analysis, context, &facts, whole);
    let check = |&(rule, severity): &(&'static Rule, Severity)| -> Option<Vec<Diagnostic>> {
        if cancelled() {
            return None;
        }
        Some(check_rule(&ctx, rule, severity, &silenced))
    };
    let found = on_two_workers(&plan.wanted, &check)?;
    Some(found.into_iter().flatten().collect())
}

/// The rules a run asks, each with the severity it reports at.
pub(crate) struct Plan {
    pub wanted: Vec<(&'static Rule, Severity)>,
}

impl Plan {
    /// Every rule neither the `# check=` directive (or the build argument
    /// that replaces it) nor the configuration turns off, at the level the
    /// configuration gives it (`error=true` turns the warnings of
    /// BuildKit's own checks into errors).
    pub fn new(tree: &Tree, source: &dyn Source, context: &Context) -> Plan {
        let directive = match context.build_args.get(CHECK_BUILD_ARG) {
            Some(value) => CheckDirective::from_buildkit(value),
            None => CheckDirective::of(tree, source),
        };
        let wanted = registry()
            .iter()
            .map(|rule| (rule, context.config.level(&rule.codes())))
            .filter(|(rule, configured)| !directive.skips(rule) && *configured != Some(Level::Off))
            .map(|(rule, configured)| {
                let mut severity = match configured {
                    Some(Level::On(severity)) => severity,
                    _ => rule.severity,
                };
                if directive.error && rule.group == Group::BuildKit && severity <= Severity::Warning
                {
                    severity = Severity::Error;
                }
                (rule, severity)
            })
            .collect();
        Plan { wanted }
    }
}

/// One rule's diagnostics in a check's scope, less those an inline comment
/// silences.
pub(crate) fn check_rule<'s>(
    ctx: &Ctx,
    rule: &'static Rule,
    severity: Severity,
    silenced: &(dyn Fn() -> &'s [(Range<usize>, Vec<String>)] + Sync),
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    (rule.check)(ctx, &mut found);
    // (the comments are read only when there is something to silence)
    let silenced = if found.is_empty() {
        &[][..]
    } else {
        silenced()
    };
    let silenced_here = |f: &Finding| {
        silenced.iter().any(|(range, codes)| {
            range.start <= f.range.start
                && f.range.start < range.end
                && codes.iter().any(|c| rule.answers_to(c) || c == "all")
        })
    };
    found
        .into_iter()
        .filter(|f| !silenced_here(f))
        .map(|f| Diagnostic {
            range: f.range,
            severity,
            code: rule.code,
            message: f.message,
            related: f.related,
            fix: f.fix,
        })
        .collect()
}

/// `job` for each item, on two workers taking every other one (the tree
/// walks are bound by memory, and the machines we target have at least two
/// cores); the results in the items' order, or `None` when a job gave up.
pub(crate) fn on_two_workers<T: Sync, R: Send>(
    items: &[T],
    job: &(dyn Fn(&T) -> Option<R> + Sync),
) -> Option<Vec<R>> {
    let run_every_other =
        |first: usize| -> Option<Vec<R>> { items.iter().skip(first).step_by(2).map(job).collect() };
    let (even, odd) = std::thread::scope(|scope| {
        let odd = scope.spawn(|| run_every_other(1));
        let even = run_every_other(0);
        let odd = odd
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (even, odd)
    });
    let (even, odd) = (even?, odd?);
    let mut out = Vec::with_capacity(items.len());
    let mut odd = odd.into_iter();
    for found in even {
        out.push(found);
        out.extend(odd.next());
    }
    Some(out)
}

/// Instructions and the rules the comments right before them silence:
/// `# check=skip=Rule1,Rule2` (as BuildKit reads it) or
/// `# hadolint ignore=DL3008,DL3009`.
/// `lines` are top-level lines and stages' lines in document order
/// ([`syntax::lines`], or those of consecutive parts).
pub(crate) fn inline_skips(
    lines: &[Node],
    source: &dyn Source,
) -> Vec<(Range<usize>, Vec<String>)> {
    let mut out = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    let mut visit = |node: Node| {
        if node.kind() == "comment" {
            let text = source.text(node.byte_range());
            let body = text.trim().trim_start_matches('#').trim();
            if let Some(value) = body.strip_prefix("check=") {
                let d = CheckDirective::parse(value);
                pending.extend(d.skip);
                if d.skip_all {
                    pending.push("all".into());
                }
            } else if let Some(codes) = body.strip_prefix("hadolint ignore=") {
                pending.extend(codes.split(',').map(|c| c.trim().to_string()));
            }
        } else if syntax::is_instruction_kind(node.kind()) && !pending.is_empty() {
            out.push((node.byte_range(), std::mem::take(&mut pending)));
        }
    };
    for &node in lines {
        visit(node);
    }
    out
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// (code, 1-based line) of what the rules report on `src`.
    pub fn found(src: &str) -> Vec<(&'static str, usize)> {
        let tree = syntax::parse(src);
        let analysis = Analysis::build(&tree, src);
        let mut out: Vec<_> = run(&tree, &src, &analysis, &Context::default())
            .into_iter()
            .map(|d| (d.code, src[..d.range.start].matches('\n').count() + 1))
            .collect();
        out.sort();
        out
    }

    /// What BuildKit's checks and the stage graph report (the engine's
    /// tests use these).
    pub fn found_core(src: &str) -> Vec<(&'static str, usize)> {
        found(src)
            .into_iter()
            .filter(|(c, _)| {
                find(c).is_some_and(|r| matches!(r.group, Group::BuildKit | Group::StageGraph))
            })
            .collect()
    }

    /// What one rule reports.
    pub fn found_by(code: &str, src: &str) -> Vec<usize> {
        found(src)
            .into_iter()
            .filter(|(c, _)| *c == code)
            .map(|(_, l)| l)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::found_core as found;
    use super::*;

    #[test]
    fn check_directive() {
        let d = CheckDirective::parse("skip=JSONArgsRecommended, StageNameCasing;error=true");
        assert_eq!(d.skip, ["JSONArgsRecommended", "StageNameCasing"]);
        assert!(d.error && !d.skip_all);
        assert!(CheckDirective::parse("skip=all").skip_all);
    }

    #[test]
    fn the_check_directive_is_read_as_buildkit_reads_it() {
        // Rule names, keys and `all` exactly; a bad option skips nothing.
        let src = "# check=skip=jsonargsrecommended\nFROM a\nCMD run\n";
        assert_eq!(found(src), [("JSONArgsRecommended", 3)]);
        let src = "# check=skip=JSONArgsRecommended\nFROM a\nCMD run\n";
        assert!(found(src).is_empty());
        let src = "# check=skip=FromAsCasing,all\nFROM a as b\nCMD run\n";
        assert_eq!(found(src), [("JSONArgsRecommended", 3)]);
        let src = "# check=Skip=all\nFROM a\nCMD run\n";
        assert_eq!(found(src), [("JSONArgsRecommended", 3)]);
        // BuildKit takes the value up to its first space.
        let src = "# check=skip=JSONArgsRecommended other\nFROM a\nCMD run\n";
        assert!(found(src).is_empty());
        let d = CheckDirective::from_buildkit("error=yes");
        assert!(!d.error && d.problems.len() == 1, "{d:?}");
        assert!(CheckDirective::from_buildkit("skip=a;error=True").error);
    }

    #[test]
    fn inline_comments_silence_the_next_instruction() {
        let src = "FROM a\n# check=skip=MaintainerDeprecated\nMAINTAINER me\nMAINTAINER you\n";
        assert_eq!(found(src), [("MaintainerDeprecated", 4)]);
        let src = "FROM a\n# hadolint ignore=DL3000,JSONArgsRecommended\nCMD run\n";
        assert!(found(src).is_empty());
    }

    #[test]
    fn the_build_arg_replaces_the_directive() {
        let src = "#check=skip=all\nFROM scratch as base\n";
        let tree = syntax::parse(src);
        let analysis = Analysis::build(&tree, &src);
        let mut context = Context::default();
        context
            .build_args
            .insert(CHECK_BUILD_ARG.into(), "skip=StageNameCasing".into());
        let codes: Vec<_> = run(&tree, &src, &analysis, &context)
            .iter()
            .map(|d| d.code)
            .collect();
        assert_eq!(codes, ["FromAsCasing"]);
    }

    fn rules_core(code: &str) -> bool {
        find(code).is_some_and(|r| matches!(r.group, Group::BuildKit | Group::StageGraph))
    }

    #[test]
    fn skip_and_error_apply() {
        assert!(found("# check=skip=all\nFROM scratch as Base\nCMD run\n").is_empty());
        let src = "# check=skip=JSONArgsRecommended;error=true\nFROM a AS Base\nCMD run\n";
        let tree = syntax::parse(src);
        let analysis = Analysis::build(&tree, src);
        let diags: Vec<_> = run(&tree, &src, &analysis, &Context::default())
            .into_iter()
            .filter(|d| rules_core(d.code))
            .collect();
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, "StageNameCasing");
        assert_eq!(diags[0].severity, Severity::Error);
    }
}

#[cfg(test)]
mod docs {
    /// Every rule has a page in docs/rules with a bad and a good example.
    #[test]
    fn every_rule_has_a_docs_page() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
        for rule in super::registry() {
            let path = dir.join(format!("{}.md", rule.code));
            let page = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                page.starts_with(&format!("# {}\n", rule.code)),
                "{}",
                path.display()
            );
            for section in ["## Why", "## Bad", "## Good"] {
                assert!(page.contains(section), "{} lacks {section}", path.display());
            }
        }
    }
}

#[cfg(test)]
mod cancel_tests {
    use super::*;

    #[test]
    fn a_cancelled_run_stops_at_the_next_rule() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let src = "FROM alpine\nRUN echo hi\n";
        let tree = syntax::parse(src);
        let analysis = Analysis::build(&tree, src);
        let asked = AtomicUsize::new(0);
        let after_three = || asked.fetch_add(1, Ordering::SeqCst) >= 3;
        let result = run_until(&tree, &src, &analysis, &Context::default(), &after_three);
        assert!(result.is_none());
        // each of the two workers stops at its next question
        let asked = asked.load(Ordering::SeqCst);
        assert!((4..=5).contains(&asked), "asked {asked} times");
        let whole = run_until(&tree, &src, &analysis, &Context::default(), &|| false);
        assert_eq!(
            whole,
            Some(run(&tree, &src, &analysis, &Context::default()))
        );
    }
}
