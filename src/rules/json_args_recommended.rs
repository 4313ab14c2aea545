//! JSONArgsRecommended: CMD and ENTRYPOINT in shell form run under
//! `/bin/sh -c`, which does not pass signals on: the program never sees
//! SIGTERM and is killed after the timeout. The exec form (a JSON array)
//! runs it directly.

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostic_types::{Edit, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "JSONArgsRecommended",
    aliases: &["DL3025"],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "Use the exec form (JSON) for CMD and ENTRYPOINT",
    check,
};

/// A stage whose shell a SHELL instruction changed (there or in the stage
/// it builds on) runs shell-form commands through that shell on purpose:
/// BuildKit does not recommend JSON there.
fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let stages = &ctx.analysis.stages;
    let mut custom_shell = vec![false; stages.stages.len()];
    for (instructions, stage) in ctx.facts().all_stages().zip(&stages.stages) {
        let mut shell = stage.parent.is_some_and(|p| custom_shell[p]);
        for &instruction in instructions {
            let keyword = match instruction.kind() {
                "shell_instruction" => {
                    shell = true;
                    continue;
                }
                "cmd_instruction" => "CMD",
                "entrypoint_instruction" => "ENTRYPOINT",
                _ => continue,
            };
            let Some(command) = instruction.child_by_field_name("shell") else {
                continue;
            };
            if !shell {
                let mut finding = Finding::new(
                    instruction.byte_range(),
                    format!(
                        "JSON arguments recommended for {keyword} to prevent unintended behavior related to OS signals"
                    ),
                );
                if let Some(json) = exec_form(&ctx.text(command)) {
                    finding = finding.with_fix(Fix::new(
                        "Use the JSON (exec) form",
                        vec![Edit::new(command.byte_range(), json)],
                    ));
                }
                out.push(finding);
            }
        }
        custom_shell[stage.index] = shell;
    }
}

/// The exec form of a shell command made of plain words only (no quotes,
/// variables, globs, operators or continuations, which need a shell).
fn exec_form(command: &str) -> Option<String> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=,+@%".contains(c);
    let words: Vec<&str> = command.split_ascii_whitespace().collect();
    if words.is_empty() || !words.iter().all(|w| w.chars().all(plain)) {
        return None;
    }
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    Some(format!("[{}]", quoted.join(", ")))
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
        let custom = "FROM a AS base\nSHELL [\"/bin/custom\"]\nFROM base\nCMD run\n";
        assert!(found_by("JSONArgsRecommended", custom).is_empty());
    }
}
