//! MaintainerDeprecated: MAINTAINER is deprecated; record the author in a
//! label (`org.opencontainers.image.authors`).

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostics::Severity;
use crate::syntax;

pub const RULE: Rule = Rule {
    code: "MaintainerDeprecated",
    aliases: &["DL4000"],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "Use a LABEL instead of MAINTAINER",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for instruction in syntax::instructions(ctx.tree) {
        if instruction.kind() == "maintainer_instruction" {
            out.push(Finding {
                range: instruction.byte_range(),
                message: "Maintainer instruction is deprecated in favor of using label".into(),
                ..Default::default()
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
            found_by("MaintainerDeprecated", "FROM a\nMAINTAINER me\n"),
            [2]
        );
        assert!(found_by(
            "MaintainerDeprecated",
            "FROM a\nLABEL org.opencontainers.image.authors=me\n"
        )
        .is_empty());
    }
}
