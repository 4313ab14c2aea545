//! StageNameCasing: stage names should be lowercase (BuildKit compares
//! them in lower case, so `Build` and `build` are the same stage).

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostics::Severity;

pub const RULE: Rule = Rule {
    code: "StageNameCasing",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "Stage names should be lowercase",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for stage in &ctx.analysis.stages.stages {
        if let Some(name) = &stage.name {
            if *name != name.to_lowercase() {
                out.push(Finding {
                    range: stage.from_range.clone(),
                    message: format!("Stage name '{name}' should be lowercase"),
                    ..Default::default()
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn bad_and_good() {
        assert_eq!(
            found_by("StageNameCasing", "FROM a AS Build\nFROM b AS test\n"),
            [1]
        );
        assert!(found_by("StageNameCasing", "FROM a AS build\n").is_empty());
    }
}
