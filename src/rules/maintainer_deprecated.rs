//! MaintainerDeprecated: MAINTAINER is deprecated; record the author in a
//! label (`org.opencontainers.image.authors`).

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostic_types::{Edit, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "MaintainerDeprecated",
    aliases: &["DL4000"],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "Use a LABEL instead of MAINTAINER",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for &instruction in ctx.instructions() {
        if instruction.kind() != "maintainer_instruction" {
            continue;
        }
        let text = ctx.text(instruction);
        let author = text
            .split_once(char::is_whitespace)
            .map_or("", |(_, rest)| rest)
            .trim();
        let mut finding = Finding::new(
            instruction.byte_range(),
            "Maintainer instruction is deprecated in favor of using label",
        );
        if !author.is_empty() && !author.contains(['\n', '\r']) {
            let label = format!(
                "LABEL org.opencontainers.image.authors=\"{}\"",
                author.replace('\\', "\\\\").replace('"', "\\\"")
            );
            finding = finding.with_fix(Fix::new(
                "Replace with LABEL org.opencontainers.image.authors",
                vec![Edit::new(instruction.byte_range(), label)],
            ));
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
