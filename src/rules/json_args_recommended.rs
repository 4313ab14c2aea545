//! JSONArgsRecommended: CMD and ENTRYPOINT in shell form run under
//! `/bin/sh -c`, which does not pass signals on: the program never sees
//! SIGTERM and is killed after the timeout. The exec form (a JSON array)
//! runs it directly.

use super::{Ctx, Finding, Rule};
use crate::diagnostics::Severity;

pub const RULE: Rule = Rule {
    code: "JSONArgsRecommended",
    severity: Severity::Warning,
    summary: "Use the exec form (JSON) for CMD and ENTRYPOINT",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for instruction in super::instructions(ctx.tree) {
        let keyword = match instruction.kind() {
            "cmd_instruction" => "CMD",
            "entrypoint_instruction" => "ENTRYPOINT",
            _ => continue,
        };
        if instruction.child_by_field_name("shell").is_some() {
            out.push(Finding {
                range: instruction.byte_range(),
                message: format!(
                    "JSON arguments recommended for {keyword} to prevent unintended behavior related to OS signals"
                ),
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
            found_by("JSONArgsRecommended", "FROM a\nCMD run it\nENTRYPOINT go\n"),
            [2, 3]
        );
        assert!(found_by("JSONArgsRecommended", "FROM a\nCMD [\"run\"]\n").is_empty());
    }
}
