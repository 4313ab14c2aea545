//! ReservedStageName: `scratch` and `context` mean something to BuildKit
//! and cannot name a stage.

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostic_types::Severity;

pub const RULE: Rule = Rule {
    code: "ReservedStageName",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "Reserved words are not stage names",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for stage in &ctx.analysis.stages.stages {
        let Some(name) = &stage.name else { continue };
        let lower = name.to_lowercase();
        if lower == "scratch" || lower == "context" {
            out.push(Finding {
                range: stage.from_range.clone(),
                message: format!("'{lower}' is reserved and should not be used as a stage name"),
                ..Default::default()
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn bad_and_good() {
        assert_eq!(
            found_by(
                "ReservedStageName",
                "FROM a AS scratch\nFROM b AS context\n"
            ),
            [1, 2]
        );
        assert!(found_by("ReservedStageName", "FROM scratch AS base\n").is_empty());
    }
}
