//! Stage graph rules: errors BuildKit would fail on, and stages it would
//! never build.
//!
//! UnknownStage: `--from=name` / `from=name` naming no earlier stage, when
//! the name cannot be an image reference either (no `/`, `:`, `.` or `@`)
//! and looks like a stage's name, or names the stage itself or a later one
//! (BuildKit only sees earlier stages).
//! StageIndexOutOfRange: a numeric `--from=N` must name an earlier stage.
//! UnusedStage: a stage that nothing reachable from the final stage uses
//! and that has no name is never built: `--target` needs a name. (A named
//! stage the final stage does not use is a build target of its own, as in
//! `docker build --target test`, and is not reported.)

use super::{Ctx, Finding, Group, Rule};
use crate::analysis::roles;
use crate::analysis::stages::{RefKind, Stage, StageGraph, StageRef};
use crate::diagnostic_types::{Edit, Fix, Severity};

pub const UNKNOWN: Rule = Rule {
    code: "UnknownStage",
    aliases: &[],
    group: Group::StageGraph,
    severity: Severity::Error,
    summary: "Stage references must name an earlier stage",
    check: check_unknown,
};

pub const INDEX: Rule = Rule {
    code: "StageIndexOutOfRange",
    aliases: &[],
    group: Group::StageGraph,
    severity: Severity::Error,
    summary: "Numeric stage references must name an earlier stage",
    check: check_index,
};

pub const UNUSED: Rule = Rule {
    code: "UnusedStage",
    aliases: &[],
    group: Group::StageGraph,
    severity: Severity::Hint,
    summary: "Stages the final stage does not need are never built by default",
    check: check_unused,
};

/// How a reference that resolved to no stage misses one. UnknownStage
/// reports `Later` and `Near`, hadolint's DL3023 `Own` and DL3022 `None`.
pub(super) enum Miss<'g> {
    /// It names the stage it is in.
    Own,
    /// It names a stage defined after it.
    Later(&'g Stage),
    /// It is a near miss of an earlier stage's name.
    Near(&'g str, &'g Stage),
    /// It names no stage at all.
    None,
}

pub(super) fn miss<'g>(stages: &'g StageGraph, r: &StageRef) -> Miss<'g> {
    let named = |s: &Stage| {
        s.name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(&r.text))
    };
    if named(&stages.stages[r.in_stage]) {
        return Miss::Own;
    }
    if let Some(later) = stages.stages[r.in_stage + 1..].iter().find(|s| named(s)) {
        return Miss::Later(later);
    }
    stages.stages[..r.in_stage]
        .iter()
        .filter_map(|s| Some((s.name.as_deref()?, s)))
        .filter_map(|(n, s)| Some((super::near(&r.text, n)?, n, s)))
        .min_by_key(|(d, _, _)| *d)
        .map_or(Miss::None, |(_, n, s)| Miss::Near(n, s))
}

/// A reference that could only be a stage's name: not a number, and not an
/// image reference or a variable (no `/`, `:`, `.`, `@` or `$`).
pub(super) fn is_bare_name(r: &StageRef) -> bool {
    !r.text.bytes().all(|b| b.is_ascii_digit()) && !r.text.contains(['/', ':', '.', '@', '$'])
}

/// `COPY --from=a` or `RUN --mount=from=a` where a stage named `a` comes
/// before it and another comes at or after it: BuildKit takes the last
/// stage of a name for these, and fails the build because that one is not
/// an earlier stage (`FROM a` takes the earlier one).
fn redefined_later(
    last_named: &std::collections::HashMap<String, &Stage>,
    r: &StageRef,
) -> Option<Finding> {
    if r.kind == RefKind::FromBase || r.target.is_none() {
        return None;
    }
    let last = *last_named.get(&r.text.to_ascii_lowercase())?;
    if last.index < r.in_stage {
        return None;
    }
    let message = if last.index == r.in_stage {
        format!(
            "stage '{}' is this stage: BuildKit reads a name as its last stage, and this stage is the last one named so",
            r.text
        )
    } else {
        format!(
            "stage '{}' is defined again later (stage {}): BuildKit reads a name as its last stage, which is not an earlier one",
            r.text, last.index
        )
    };
    Some(Finding::new(r.range.clone(), message).with_related(
        last.name_range.clone().unwrap_or(last.from_range.clone()),
        "the last stage of that name",
    ))
}

fn check_unknown(ctx: &Ctx, out: &mut Vec<Finding>) {
    let stages = &ctx.analysis.stages;
    // the last stage of each name (names compared without regard to case),
    // found once rather than per reference
    let mut last_named = std::collections::HashMap::new();
    for s in &stages.stages {
        if let Some(name) = &s.name {
            last_named.insert(name.to_ascii_lowercase(), s);
        }
    }
    for r in &stages.refs {
        if let Some(finding) = redefined_later(&last_named, r) {
            out.push(finding);
            continue;
        }
        if r.target.is_some() || r.kind == RefKind::FromBase || !is_bare_name(r) {
            continue;
        }
        let finding = match miss(stages, r) {
            Miss::Later(later) => Finding::new(
                r.range.clone(),
                format!(
                    "stage '{}' is defined later (stage {}); only earlier stages can be used",
                    r.text, later.index
                ),
            )
            .with_related(
                later.name_range.clone().unwrap_or(later.from_range.clone()),
                "defined here, after the reference",
            ),
            Miss::Near(n, s) => Finding::new(
                r.range.clone(),
                format!("no stage named '{}' (did you mean '{n}'?)", r.text),
            )
            .with_related(
                s.name_range.clone().unwrap_or(s.from_range.clone()),
                format!("stage '{n}'"),
            )
            .with_fix(Fix::new(
                format!("Change to '{n}'"),
                vec![Edit::new(r.range.clone(), n)],
            )),
            // its own stage is DL3023; a name of no stage may be an image
            // on Docker Hub (DL3022)
            Miss::Own | Miss::None => continue,
        };
        out.push(finding);
    }
}

fn check_index(ctx: &Ctx, out: &mut Vec<Finding>) {
    for r in &ctx.analysis.stages.refs {
        let Ok(index) = r.text.parse::<usize>() else {
            continue;
        };
        if index >= r.in_stage {
            let before = match r.in_stage {
                0 => "no stage comes before it".to_string(),
                1 => "only stage 0 comes before it".to_string(),
                n => format!("only stages 0 to {} come before it", n - 1),
            };
            out.push(Finding {
                range: r.range.clone(),
                message: format!(
                    "stage index {index} is not an earlier stage: this is stage {} and {before}",
                    r.in_stage,
                ),
                ..Default::default()
            });
        }
    }
}

fn check_unused(ctx: &Ctx, out: &mut Vec<Finding>) {
    let stages = &ctx.analysis.stages;
    // What the final stage or a named stage (a possible --target) needs.
    let starts = stages
        .stages
        .iter()
        .filter(|s| s.name.is_some())
        .map(|s| s.index)
        .chain(stages.stages.len().checked_sub(1));
    let built = roles::reachable_from_any(stages, starts);
    for stage in &stages.stages {
        if !built[stage.index] {
            out.push(Finding::new(
                stage.from_range.clone(),
                format!(
                    "stage {} is never built: the final stage does not use it, and without a name (FROM ... AS name) it cannot be built with --target",
                    stage.index
                ),
            ));
        }
    }
}

#[cfg(test)]
mod redefined_tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn a_name_defined_again_later_is_the_later_stage() {
        // BuildKit: "cannot copy from stage "a", it needs to be defined
        // before current stage "b"" (and the same for mounts).
        let src = "FROM alpine AS a\nFROM alpine AS b\nCOPY --from=a /x /y\nRUN --mount=from=a,target=/m true\nFROM alpine AS a\n";
        assert_eq!(found_by("UnknownStage", src), [3, 4]);
        // the current stage is the last one named so: a cycle
        let src = "FROM alpine AS a\nFROM alpine AS a\nCOPY --from=a /x /y\n";
        assert_eq!(found_by("UnknownStage", src), [3]);
        // FROM takes the earlier stage; the last one is before the copy
        for src in [
            "FROM alpine AS a\nFROM a AS b\nFROM alpine AS a\n",
            "FROM alpine AS a\nFROM alpine AS a\nFROM alpine\nCOPY --from=a /x /y\n",
        ] {
            assert!(found_by("UnknownStage", src).is_empty(), "{src}");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn unknown_stages() {
        let src = "FROM golang AS build\nFROM alpine AS final\nCOPY --from=biuld /a /\nCOPY --from=final /b /\nCOPY --from=nginx:latest /c /\nCOPY --from=busybox /d /\n";
        // line 4 refers to its own stage: hadolint's DL3023
        assert_eq!(found_by("UnknownStage", src), [3]);
        assert_eq!(
            found_by(
                "UnknownStage",
                "FROM a AS one\nCOPY --from=two / /\nFROM b AS two\n"
            ),
            [2]
        );
        assert!(found_by(
            "UnknownStage",
            "FROM a AS one\nFROM b\nCOPY --from=one / /\n"
        )
        .is_empty());
    }

    #[test]
    fn numeric_indexes() {
        assert_eq!(
            found_by(
                "StageIndexOutOfRange",
                "FROM a\nFROM b\nCOPY --from=1 / /\nCOPY --from=0 / /\n"
            ),
            [3]
        );
    }

    #[test]
    fn unused_stages() {
        let src = "FROM a AS build\nFROM b\nRUN make test\nFROM c\nCOPY --from=build / /\n";
        assert_eq!(found_by("UnusedStage", src), [2]);
        // a named stage is a target of its own, and so is what it uses
        let src = "FROM a\nFROM b\nFROM c AS test\nCOPY --from=1 / /\nFROM d\n";
        assert_eq!(found_by("UnusedStage", src), [1]);
        assert!(found_by(
            "UnusedStage",
            "FROM a AS build\nFROM c\nCOPY --from=build / /\n"
        )
        .is_empty());
    }
}
