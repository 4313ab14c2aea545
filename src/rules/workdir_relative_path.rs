//! WorkdirRelativePath: a relative WORKDIR depends on the base image's
//! working directory, which can change under you; set an absolute one
//! first.

use super::{Ctx, Finding, Group, Rule};
use tree_sitter::Node;

use crate::diagnostics::Severity;

pub const RULE: Rule = Rule {
    code: "WorkdirRelativePath",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "Set an absolute WORKDIR before a relative one",
    check,
};

/// Whether a path is absolute as BuildKit reads WORKDIR and COPY
/// destinations (Windows drive and backslash paths included; a variable
/// may be).
pub(super) fn is_absolute(path: &str) -> bool {
    let path = path.trim_matches(['"', '\'']);
    path.starts_with('/')
        || path.starts_with('$')
        || path.starts_with('\\')
        || path.as_bytes().get(1) == Some(&b':')
}

/// Each WORKDIR with its path and whether an absolute WORKDIR is already in
/// effect before it (earlier in its stage or in a stage it builds on).
pub(super) fn workdirs<'t>(ctx: &Ctx<'t>) -> Vec<(Node<'t>, String, bool)> {
    let stages = &ctx.analysis.stages;
    let mut out = Vec::new();
    // Whether each stage has set an absolute WORKDIR (inherited by children).
    let mut absolute = vec![false; stages.stages.len()];
    for (instructions, stage) in ctx.facts().stages.iter().zip(&stages.stages) {
        let mut set = stage.parent.is_some_and(|p| absolute[p]);
        for &instruction in instructions {
            if instruction.kind() != "workdir_instruction" {
                continue;
            }
            let Some(value) = instruction.child_by_field_name("value") else {
                continue;
            };
            let path = crate::syntax::logical_text(value, ctx.source);
            let absolute_here = is_absolute(&path);
            out.push((instruction, path, set));
            set |= absolute_here;
        }
        absolute[stage.index] = set;
    }
    out
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (instruction, path, absolute_before) in workdirs(ctx) {
        if !absolute_before && !is_absolute(&path) {
            out.push(Finding::new(
                instruction.byte_range(),
                format!("Relative workdir '{path}' can have unexpected results if the base image changes"),
            ));
        }
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
