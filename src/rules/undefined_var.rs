//! UndefinedVar: a `$NAME` BuildKit expands (in COPY, ENV, WORKDIR, ...)
//! that no ARG or ENV in effect defines expands to nothing, usually a typo.
//! Shell text is not checked: the shell expands it at run time.

use super::{Ctx, Finding, Rule};
use crate::diagnostics::Severity;

pub const RULE: Rule = Rule {
    code: "UndefinedVar",
    severity: Severity::Warning,
    summary: "Variables must be defined before use",
    check,
};

/// Defined in every build by BuildKit's default environment.
const DEFAULT_ENV: &[&str] = &["PATH"];

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let vars = &ctx.analysis.variables;
    let stages = &ctx.analysis.stages.stages;
    for u in &vars.uses {
        if u.def.is_some() || u.in_shell || DEFAULT_ENV.contains(&u.name.as_str()) {
            continue;
        }
        // FROM lines are UndefinedArgInFrom's; before the first FROM there
        // is no stage.
        let Some(stage) = stages
            .iter()
            .rev()
            .find(|s| s.from_range.start <= u.range.start)
        else {
            continue;
        };
        if u.range.start < stage.from_range.end {
            continue;
        }
        // BuildKit carries a stage's ARGs into the stages built FROM it.
        let mut parent = stage.parent;
        let mut inherited = false;
        while let Some(p) = parent {
            inherited |= vars
                .defs
                .iter()
                .any(|d| d.stage == Some(p) && d.name == u.name);
            parent = stages[p].parent;
        }
        if inherited {
            continue;
        }
        let Some(instruction) = ctx
            .tree
            .root_node()
            .descendant_for_byte_range(u.range.start, u.range.end)
            .and_then(crate::syntax::views::enclosing_instruction)
        else {
            continue;
        };
        // Suggest a name in effect in this stage, or from the default environment.
        let candidates = vars
            .defs
            .iter()
            .filter(|d| d.stage == Some(stage.index) && d.name_range.start < u.range.start)
            .map(|d| d.name.as_str())
            .chain(DEFAULT_ENV.iter().copied());
        let suggestion = candidates
            .map(|c| (super::edit_distance(&u.name, c), c))
            .filter(|(d, _)| *d <= 2)
            .min();
        let mut message = format!("Usage of undefined variable '${}'", u.name);
        if let Some((_, c)) = suggestion {
            message.push_str(&format!(" (did you mean ${c}?)"));
        }
        out.push(Finding {
            range: instruction.byte_range(),
            message,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn bad_and_good() {
        assert_eq!(
            found_by(
                "UndefinedVar",
                "FROM a\nCOPY $foo .\nARG foo=bar\nRUN echo $foo\nCOPY $foo .\n"
            ),
            [2]
        );
        assert!(found_by(
            "UndefinedVar",
            "FROM a\nENV PATH=$PATH:/x\nRUN echo $UNDEFINED_IN_SHELL\n"
        )
        .is_empty());
        assert!(found_by(
            "UndefinedVar",
            "FROM a AS base\nARG foo=x\nFROM base\nCOPY $foo .\n"
        )
        .is_empty());
    }
}
