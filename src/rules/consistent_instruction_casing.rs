//! ConsistentInstructionCasing: write every instruction keyword in the
//! case most of the file uses (all upper or all lower case). As BuildKit,
//! the global ARGs before the first FROM are neither counted nor checked.

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostic_types::{Edit, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "ConsistentInstructionCasing",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "Instruction keywords should all use the same case",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    // The majority over every stage, from the stages' summaries (the
    // preamble's ARGs are not counted).
    let count = ctx.analysis.stages.stages.len();
    let summaries: Option<Vec<_>> = (0..count).map(|s| ctx.analysis.summary(s)).collect();
    let Some(summaries) = summaries.filter(|s| !s.is_empty()) else {
        return;
    };
    let lower: u32 = summaries.iter().map(|s| s.lower).sum();
    let upper: u32 = summaries.iter().map(|s| s.upper).sum();
    let majority_lower = lower > upper;
    let facts = ctx.facts();
    for (s, instructions) in facts.stages() {
        let misfits = summaries.get(s).map_or(1, |x| {
            if majority_lower {
                x.not_lower
            } else {
                x.not_upper
            }
        });
        if misfits == 0 {
            continue;
        }
        for &instruction in instructions {
            let Some(keyword_node) = instruction.child(0) else {
                continue;
            };
            let keyword = ctx.text(keyword_node);
            let fits = if majority_lower {
                keyword == keyword.to_lowercase()
            } else {
                keyword == keyword.to_uppercase()
            };
            if fits {
                continue;
            }
            let fixed = if majority_lower {
                keyword.to_lowercase()
            } else {
                keyword.to_uppercase()
            };
            out.push(
                Finding::new(
                    instruction.byte_range(),
                    format!(
                        "Command '{keyword}' should match the case of the command majority ({})",
                        if majority_lower {
                            "lowercase"
                        } else {
                            "uppercase"
                        }
                    ),
                )
                .with_fix(Fix::new(
                    format!("Write '{fixed}'"),
                    vec![Edit::new(keyword_node.byte_range(), fixed)],
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn global_args_do_not_count() {
        assert!(found_by("ConsistentInstructionCasing", "arg V=1\nFROM a\nRUN x\n").is_empty());
        assert_eq!(
            found_by(
                "ConsistentInstructionCasing",
                "ARG A\nARG B\nARG C\nFROM a\nrun x\nrun y\n"
            ),
            [4]
        );
    }

    #[test]
    fn bad_and_good() {
        assert_eq!(
            found_by("ConsistentInstructionCasing", "From a\nRUN x\nCOPY a b\n"),
            [1]
        );
        assert_eq!(
            found_by("ConsistentInstructionCasing", "from a\nrun x\nCOPY a b\n"),
            [3]
        );
        assert!(found_by("ConsistentInstructionCasing", "from a\nrun x\n").is_empty());
    }
}
