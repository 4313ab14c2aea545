//! DuplicateStageName: two stages with one name (compared in lower case)
//! make every reference to that name ambiguous. BuildKit builds such a
//! file and warns, so this is a warning, not an error.

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostic_types::Severity;

pub const RULE: Rule = Rule {
    code: "DuplicateStageName",
    aliases: &["DL3024"],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "Stage names must be unique",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let stages = &ctx.analysis.stages;
    for stage in &stages.stages {
        let Some(name) = &stage.name else { continue };
        if let Some(first) = stages.find_by_name(name, stage.index) {
            let first = &stages.stages[first];
            out.push(
                Finding::new(
                    stage.from_range.clone(),
                    format!(
                        "Duplicate stage name \"{}\", stage names should be unique",
                        name.to_lowercase()
                    ),
                )
                .with_related(
                    first.name_range.clone().unwrap_or(first.from_range.clone()),
                    "the stage first named so",
                ),
            );
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
