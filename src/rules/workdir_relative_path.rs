//! WorkdirRelativePath: a relative WORKDIR depends on the base image's
//! working directory, which can change under you; set an absolute one
//! first.

use super::{Ctx, Finding, Group, Rule};
use tree_sitter::Node;

use crate::diagnostic_types::Severity;

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
    for (instructions, stage) in ctx.facts().all_stages().zip(&stages.stages) {
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

/// As BuildKit: a relative WORKDIR is reported when no WORKDIR (of any
/// kind) came before it in its stage or the stages it builds on; the path
/// is read with its variables' values.
fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let stages = &ctx.analysis.stages;
    let mut set_in = vec![false; stages.stages.len()];
    for (instructions, stage) in ctx.facts().all_stages().zip(&stages.stages) {
        let mut set = stage.parent.is_some_and(|p| set_in[p]);
        for &instruction in instructions {
            if instruction.kind() != "workdir_instruction" {
                continue;
            }
            let Some(value) = instruction.child_by_field_name("value") else {
                continue;
            };
            let mut path = crate::syntax::logical_text(value, ctx.source);
            if path.contains('$') {
                if let Some(expanded) = super::expose::expanded_text(ctx, value) {
                    path = expanded;
                }
            }
            if !set && !is_absolute(&path) {
                out.push(Finding::new(
                    instruction.byte_range(),
                    format!("Relative workdir \"{path}\" can have unexpected results if the base image changes"),
                ));
            }
            set = true;
        }
        set_in[stage.index] = set;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn only_the_first_workdir_of_a_stage_chain() {
        assert_eq!(
            found_by("WorkdirRelativePath", "FROM a\nWORKDIR x\nWORKDIR y\n"),
            [2]
        );
        assert_eq!(
            found_by(
                "WorkdirRelativePath",
                "FROM a AS b\nWORKDIR x\nFROM b\nWORKDIR y\nFROM a\nWORKDIR z\n"
            ),
            [2, 6]
        );
    }

    #[test]
    fn variables_are_read_with_their_values() {
        assert_eq!(
            found_by("WorkdirRelativePath", "FROM a\nENV D=app\nWORKDIR $D\n"),
            [3]
        );
        for src in [
            "FROM a\nENV D=/app\nWORKDIR $D\n",
            "FROM a\nWORKDIR $HOME/app\n",
            "FROM a\nWORKDIR ${D:-/app}\n",
            // a WORKDIR before it, even a relative one, sets the directory
            "FROM a AS b\nWORKDIR /x\nFROM b\nWORKDIR y\n",
        ] {
            assert!(found_by("WorkdirRelativePath", src).is_empty(), "{src}");
        }
    }

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
