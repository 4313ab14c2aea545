//! LegacyKeyValueFormat: `ENV key value` sets one variable to the rest of
//! the line, which surprises readers; write `ENV key=value`.

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostics::Severity;
use crate::syntax;

pub const RULE: Rule = Rule {
    code: "LegacyKeyValueFormat",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "Use key=value in ENV and LABEL",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for instruction in syntax::instructions(ctx.tree) {
        let keyword = match instruction.kind() {
            "env_instruction" => "ENV",
            "label_instruction" => "LABEL",
            _ => continue,
        };
        let mut cursor = instruction.walk();
        if instruction
            .children_by_field_name("pair", &mut cursor)
            .any(|p| p.kind() == "legacy_key_value")
        {
            out.push(Finding {
                range: instruction.byte_range(),
                message: format!("\"{keyword} key=value\" should be used instead of legacy \"{keyword} key value\" format"), ..Default::default()
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn bad_and_good() {
        assert_eq!(
            found_by("LegacyKeyValueFormat", "FROM a\nENV A b\nLABEL x y\n"),
            [2, 3]
        );
        assert!(found_by("LegacyKeyValueFormat", "FROM a\nENV A=b\n").is_empty());
    }
}
