//! JSONArgsRecommended: CMD and ENTRYPOINT in shell form run under
//! `/bin/sh -c`, which does not pass signals on: the program never sees
//! SIGTERM and is killed after the timeout. The exec form (a JSON array)
//! runs it directly.

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostics::Severity;
use crate::syntax::views;

pub const RULE: Rule = Rule {
    code: "JSONArgsRecommended",
    aliases: &["DL3025"],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "Use the exec form (JSON) for CMD and ENTRYPOINT",
    check,
};

/// A stage whose shell a SHELL instruction changed (there or in the stage
/// it builds on) runs shell-form commands through that shell on purpose:
/// BuildKit does not recommend JSON there.
fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let stages = &ctx.analysis.stages;
    let mut custom_shell = vec![false; stages.stages.len()];
    for ((stage_node, _), stage) in views::stages(ctx.tree).into_iter().zip(&stages.stages) {
        let mut shell = stage.parent.is_some_and(|p| custom_shell[p]);
        for instruction in views::stage_instructions(stage_node) {
            let keyword = match instruction.kind() {
                "shell_instruction" => {
                    shell = true;
                    continue;
                }
                "cmd_instruction" => "CMD",
                "entrypoint_instruction" => "ENTRYPOINT",
                _ => continue,
            };
            if !shell && instruction.child_by_field_name("shell").is_some() {
                out.push(Finding {
                    range: instruction.byte_range(),
                    message: format!(
                        "JSON arguments recommended for {keyword} to prevent unintended behavior related to OS signals"
                    ), ..Default::default()
                });
            }
        }
        custom_shell[stage.index] = shell;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn bad_and_good() {
        assert_eq!(
            found_by("JSONArgsRecommended", "FROM a\nCMD run it\nENTRYPOINT go\n"),
            [2, 3]
        );
        assert!(found_by("JSONArgsRecommended", "FROM a\nCMD [\"run\"]\n").is_empty());
        let custom = "FROM a AS base\nSHELL [\"/bin/custom\"]\nFROM base\nCMD run\n";
        assert!(found_by("JSONArgsRecommended", custom).is_empty());
    }
}
