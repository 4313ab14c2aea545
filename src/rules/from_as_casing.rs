//! FromAsCasing: `AS` should be written in the same case as `FROM`.

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostic_types::{Edit, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "FromAsCasing",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "The AS keyword should match the casing of FROM",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (s, _, from) in ctx.facts().stage_nodes() {
        let Some(stage) = ctx.analysis.stages.stages.get(s) else {
            continue;
        };
        let Some(from_kw) = from.child(0) else {
            continue;
        };
        let mut cursor = from.walk();
        let Some(as_kw) = from.children(&mut cursor).find(|c| c.kind() == "AS") else {
            continue;
        };
        let (f, a) = (ctx.text(from_kw), ctx.text(as_kw));
        let upper = |s: &str| s == s.to_uppercase();
        let lower = |s: &str| s == s.to_lowercase();
        if (upper(&f) && !upper(&a)) || (lower(&f) && !lower(&a)) {
            let fixed = if upper(&f) { "AS" } else { "as" };
            out.push(
                Finding::new(
                    stage.from_range.clone(),
                    format!("'{a}' and '{f}' keywords' casing do not match"),
                )
                .with_fix(Fix::new(
                    format!("Write '{fixed}'"),
                    vec![Edit::new(as_kw.byte_range(), fixed)],
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn bad_and_good() {
        assert_eq!(
            found_by("FromAsCasing", "FROM a as b\nfrom c AS d\n"),
            [1, 2]
        );
        assert!(found_by("FromAsCasing", "FROM a AS b\nfrom c as d\n").is_empty());
    }
}
