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
    let Some(first_from) = ctx
        .analysis
        .stages
        .stages
        .first()
        .map(|s| s.from_range.start)
    else {
        return;
    };
    let keywords: Vec<_> = ctx
        .instructions()
        .iter()
        .copied()
        .filter(|i| i.start_byte() >= first_from)
        .filter_map(|i| i.child(0).map(|k| (i, ctx.text(k))))
        .collect();
    let lower = keywords
        .iter()
        .filter(|(_, k)| *k == k.to_lowercase())
        .count();
    let upper = keywords
        .iter()
        .filter(|(_, k)| *k == k.to_uppercase())
        .count();
    let majority_lower = lower > upper;
    for (instruction, keyword) in keywords {
        let fits = if majority_lower {
            keyword == keyword.to_lowercase()
        } else {
            keyword == keyword.to_uppercase()
        };
        if !fits {
            let fixed = if majority_lower {
                keyword.to_lowercase()
            } else {
                keyword.to_uppercase()
            };
            let Some(keyword_node) = instruction.child(0) else {
                continue;
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
