//! Stage graph rules: errors BuildKit would fail on, and stages it would
//! never build.
//!
//! UnknownStage: `--from=name` / `from=name` naming no earlier stage, when
//! the name cannot be an image reference either (no `/`, `:`, `.` or `@`)
//! and looks like a stage's name, or names the stage itself or a later one
//! (BuildKit only sees earlier stages).
//! StageIndexOutOfRange: a numeric `--from=N` must name an earlier stage.
//! UnusedStage: a stage nothing reachable from the final stage uses is
//! never built by default (only with `--target`).

use super::{Ctx, Finding, Rule};
use crate::analysis::roles;
use crate::analysis::stages::RefKind;
use crate::diagnostics::Severity;

pub const UNKNOWN: Rule = Rule {
    code: "UnknownStage",
    severity: Severity::Error,
    summary: "Stage references must name an earlier stage",
    check: check_unknown,
};

pub const INDEX: Rule = Rule {
    code: "StageIndexOutOfRange",
    severity: Severity::Error,
    summary: "Numeric stage references must name an earlier stage",
    check: check_index,
};

pub const UNUSED: Rule = Rule {
    code: "UnusedStage",
    severity: Severity::Hint,
    summary: "Stages the final stage does not need are never built by default",
    check: check_unused,
};

fn check_unknown(ctx: &Ctx, out: &mut Vec<Finding>) {
    let stages = &ctx.analysis.stages;
    for r in &stages.refs {
        if r.target.is_some()
            || r.kind == RefKind::FromBase
            || r.text.bytes().all(|b| b.is_ascii_digit())
        {
            continue;
        }
        if r.text.contains(['/', ':', '.', '@', '$']) {
            continue; // an image (or a variable)
        }
        let named = |i: usize| {
            stages.stages[i]
                .name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(&r.text))
        };
        let message = if named(r.in_stage) {
            format!("stage '{}' refers to itself", r.text)
        } else if let Some(later) = (r.in_stage + 1..stages.stages.len()).find(|&i| named(i)) {
            format!(
                "stage '{}' is defined later (stage {later}); only earlier stages can be used",
                r.text
            )
        } else {
            let near = stages.stages[..r.in_stage]
                .iter()
                .filter_map(|s| s.name.as_deref())
                .map(|n| {
                    (
                        super::edit_distance(&r.text.to_lowercase(), &n.to_lowercase()),
                        n,
                    )
                })
                .filter(|(d, _)| *d <= 2)
                .min();
            match near {
                Some((_, n)) => format!("no stage named '{}' (did you mean '{n}'?)", r.text),
                None => continue, // may be an image on Docker Hub
            }
        };
        out.push(Finding {
            range: r.range.clone(),
            message,
        });
    }
}

fn check_index(ctx: &Ctx, out: &mut Vec<Finding>) {
    for r in &ctx.analysis.stages.refs {
        let Ok(index) = r.text.parse::<usize>() else {
            continue;
        };
        if index >= r.in_stage {
            out.push(Finding {
                range: r.range.clone(),
                message: format!(
                    "stage index {index} is not an earlier stage: this is stage {} and only stages 0 to {} come before it",
                    r.in_stage,
                    r.in_stage.saturating_sub(1)
                ),
            });
        }
    }
}

fn check_unused(ctx: &Ctx, out: &mut Vec<Finding>) {
    let stages = &ctx.analysis.stages;
    let reached = roles::reachable_from_final(stages);
    for stage in &stages.stages {
        if !reached[stage.index] {
            let label = stage
                .name
                .clone()
                .unwrap_or_else(|| stage.index.to_string());
            out.push(Finding {
                range: stage.name_range.clone().unwrap_or_else(|| stage.from_range.clone()),
                message: format!(
                    "stage '{label}' is not used by the final stage: it is built only with --target {label}"
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn unknown_stages() {
        let src = "FROM golang AS build\nFROM alpine AS final\nCOPY --from=biuld /a /\nCOPY --from=final /b /\nCOPY --from=nginx:latest /c /\nCOPY --from=busybox /d /\n";
        assert_eq!(found_by("UnknownStage", src), [3, 4]);
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
        let src = "FROM a AS build\nFROM b AS test\nRUN make test\nFROM c\nCOPY --from=build / /\n";
        assert_eq!(found_by("UnusedStage", src), [2]);
        assert!(found_by(
            "UnusedStage",
            "FROM a AS build\nFROM c\nCOPY --from=build / /\n"
        )
        .is_empty());
    }
}
