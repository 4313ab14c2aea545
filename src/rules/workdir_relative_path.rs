//! WorkdirRelativePath: a relative WORKDIR depends on the base image's
//! working directory, which can change under you; set an absolute one
//! first.

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostics::Severity;
use crate::syntax::views;

pub const RULE: Rule = Rule {
    code: "WorkdirRelativePath",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "Set an absolute WORKDIR before a relative one",
    check,
};

fn is_absolute(path: &str) -> bool {
    let path = path.trim_matches(['"', '\'']);
    path.starts_with('/')
        || path.starts_with('$')
        || path.starts_with('\\')
        || path.as_bytes().get(1) == Some(&b':')
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let stages = &ctx.analysis.stages;
    // Whether each stage has set an absolute WORKDIR (inherited by children).
    let mut absolute = vec![false; stages.stages.len()];
    for ((stage_node, _), stage) in views::stages(ctx.tree).into_iter().zip(&stages.stages) {
        let mut set = stage.parent.is_some_and(|p| absolute[p]);
        for instruction in views::stage_instructions(stage_node) {
            if instruction.kind() != "workdir_instruction" {
                continue;
            }
            let Some(value) = instruction.child_by_field_name("value") else {
                continue;
            };
            let path = crate::syntax::logical_text(value, ctx.source);
            if is_absolute(&path) {
                set = true;
            } else if !set {
                out.push(Finding {
                    range: instruction.byte_range(),
                    message: format!("Relative workdir '{path}' can have unexpected results if the base image changes"), ..Default::default()
                });
            }
        }
        absolute[stage.index] = set;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn bad_and_good() {
        assert_eq!(
            found_by("WorkdirRelativePath", "FROM a\nWORKDIR app\n"),
            [2]
        );
        assert!(found_by(
            "WorkdirRelativePath",
            "FROM a AS b\nWORKDIR /app\nFROM b\nWORKDIR src\n"
        )
        .is_empty());
    }
}
