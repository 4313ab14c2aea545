//! UndefinedVar: a `$NAME` BuildKit expands (in COPY, ENV, WORKDIR, ...)
//! that no ARG or ENV in effect defines expands to nothing, usually a typo.
//! Shell text is not checked: the shell expands it at run time.

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostic_types::{Edit, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "UndefinedVar",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "Variables must be defined before use",
    check,
};

/// Defined in every build by BuildKit's default environment.
const DEFAULT_ENV: &[&str] = &["PATH"];

/// Whether the image a stage chain starts from may define `name`: a known
/// image that sets it (data/images.toml), or one named by a variable that
/// does not resolve (unknown until build time).
fn image_may_define(ctx: &Ctx, stage: usize, name: &str) -> bool {
    let base = super::facts::base_image(ctx, stage);
    match (&base.reference, &base.facts) {
        (None, _) => true,
        (_, Some(facts)) => facts.defines(name),
        _ => false,
    }
}

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
        let lineage: Vec<usize> = ctx.analysis.stages.lineage(stage.index).collect();
        let inherited = lineage[1..].iter().any(|&p| {
            vars.defs
                .iter()
                .any(|d| d.stage == Some(p) && d.name == u.name)
        });
        if inherited || image_may_define(ctx, stage.index, &u.name) {
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
        // BuildKit's check does not look at EXPOSE (it expands its ports
        // later, without the lint).
        if instruction.kind() == "expose_instruction" {
            continue;
        }
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
        let mut finding = Finding::new(
            instruction.byte_range(),
            format!("Usage of undefined variable '${}'", u.name),
        );
        if let Some((_, c)) = suggestion {
            finding.message.push_str(&format!(" (did you mean ${c}?)"));
            // the name inside `$name` / `${name...}`
            let text = ctx.source.text(u.range.clone());
            if let Some(at) = text.find(u.name.as_str()) {
                let start = u.range.start + at;
                finding = finding.with_fix(Fix::new(
                    format!("Change to ${c}"),
                    vec![Edit::new(start..start + u.name.len(), c)],
                ));
            }
        }
        out.push(finding);
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
        // the golang image sets GOPATH; an image named by a variable may set anything
        let src = "FROM golang:1.23-alpine AS go\nFROM go\nWORKDIR $GOPATH/src\nFROM alpine\nWORKDIR $GOPATH/src\nFROM $BASE\nWORKDIR $X\n";
        assert_eq!(found_by("UndefinedVar", src), [5]);
        // the base resolved from a global ARG; EXPOSE is not checked (BuildKit)
        let src =
            "ARG V=20\nFROM node:${V}-alpine\nENV A=$NODE_VERSION\nEXPOSE $PORT\nENV B=$GOPATH\n";
        assert_eq!(found_by("UndefinedVar", src), [5]);
        let src =
            "FROM mcr.microsoft.com/dotnet/aspnet:8.0\nUSER $APP_UID\nFROM alpine\nUSER $APP_UID\n";
        assert_eq!(found_by("UndefinedVar", src), [4]);
        // an ARG's pairs see the ones before them on the line (BuildKit
        // expands them one at a time); ENV's pairs do not
        let src = "FROM a\nARG A=1 B=$A\nENV C=$B\nARG X=$Y Y=2\nENV P=1 Q=$P\n";
        assert_eq!(found_by("UndefinedVar", src), [4, 5]);
        // a base ARG naming a stage is not an image to judge by
        let src = "ARG BASE=one\nFROM alpine AS one\nENV X=1\nFROM ${BASE}\nWORKDIR $X\n";
        assert!(found_by("UndefinedVar", src).is_empty());
    }
}
