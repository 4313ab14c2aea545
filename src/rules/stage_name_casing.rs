//! StageNameCasing: stage names should be lowercase (BuildKit compares
//! them in lower case, so `Build` and `build` are the same stage).

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostic_types::{Edit, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "StageNameCasing",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "Stage names should be lowercase",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let graph = &ctx.analysis.stages;
    for stage in &graph.stages {
        let (Some(name), Some(name_range)) = (&stage.name, &stage.name_range) else {
            continue;
        };
        let lower = name.to_lowercase();
        if *name == lower {
            continue;
        }
        // The name and every reference to the stage, lower-cased.
        let mut edits = vec![Edit::new(name_range.clone(), lower.clone())];
        edits.extend(
            graph
                .refs
                .iter()
                .filter(|r| {
                    r.target == Some(stage.index) && !r.text.bytes().all(|b| b.is_ascii_digit())
                })
                .map(|r| Edit::new(r.range.clone(), lower.clone())),
        );
        out.push(
            Finding::new(
                stage.from_range.clone(),
                format!("Stage name '{name}' should be lowercase"),
            )
            .with_fix(Fix::new(format!("Rename stage to '{lower}'"), edits)),
        );
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
