//! DuplicateStageName: two stages with one name (compared in lower case)
//! make every reference to that name ambiguous.

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostics::Severity;

pub const RULE: Rule = Rule {
    code: "DuplicateStageName",
    aliases: &["DL3024"],
    group: Group::BuildKit,
    severity: Severity::Error,
    summary: "Stage names must be unique",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let stages = &ctx.analysis.stages;
    for stage in &stages.stages {
        let Some(name) = &stage.name else { continue };
        if stages.find_by_name(name, stage.index).is_some() {
            out.push(Finding {
                range: stage.from_range.clone(),
                message: format!(
                    "Duplicate stage name '{}', stage names should be unique",
                    name.to_lowercase()
                ),
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
            found_by("DuplicateStageName", "FROM a AS x\nFROM b AS X\n"),
            [2]
        );
        assert!(found_by("DuplicateStageName", "FROM a AS x\nFROM b AS y\n").is_empty());
    }
}
