//! MultipleInstructionsDisallowed: only the last CMD, ENTRYPOINT or
//! HEALTHCHECK of a stage takes effect; the earlier ones are dead code.

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostic_types::{Edit, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "MultipleInstructionsDisallowed",
    aliases: &["DL4003", "DL4004"],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "One CMD, ENTRYPOINT and HEALTHCHECK per stage",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (_, instructions) in ctx.facts().stages() {
        for (kind, keyword) in [
            ("cmd_instruction", "CMD"),
            ("entrypoint_instruction", "ENTRYPOINT"),
            ("healthcheck_instruction", "HEALTHCHECK"),
        ] {
            let found: Vec<_> = instructions.iter().filter(|i| i.kind() == kind).collect();
            let Some(last) = found.last() else { continue };
            for instruction in found.iter().take(found.len() - 1) {
                out.push(
                    Finding::new(
                        instruction.byte_range(),
                        format!(
                            "Multiple {keyword} instructions should not be used in the same stage because only the last one will be used"
                        ),
                    )
                    .with_related(last.byte_range(), format!("the {keyword} that is used"))
                    .with_fix(Fix::new(
                        format!("Remove this {keyword} (it has no effect)"),
                        vec![Edit::new(super::whole_lines(ctx, instruction.byte_range()), "")],
                    )),
                );
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
            found_by(
                "MultipleInstructionsDisallowed",
                "FROM a\nCMD [\"a\"]\nCMD [\"b\"]\n"
            ),
            [2]
        );
        assert!(found_by(
            "MultipleInstructionsDisallowed",
            "FROM a\nCMD [\"a\"]\nFROM b\nCMD [\"b\"]\n"
        )
        .is_empty());
    }
}
