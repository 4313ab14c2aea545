//! LegacyKeyValueFormat: `ENV key value` sets one variable to the rest of
//! the line, which surprises readers; write `ENV key=value`.

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostic_types::{Edit, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "LegacyKeyValueFormat",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "Use key=value in ENV and LABEL",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for &instruction in ctx.instructions() {
        let keyword = match instruction.kind() {
            "env_instruction" => "ENV",
            "label_instruction" => "LABEL",
            _ => continue,
        };
        let mut cursor = instruction.walk();
        let legacy: Vec<_> = instruction
            .children_by_field_name("pair", &mut cursor)
            .filter(|p| p.kind() == "legacy_key_value")
            .collect();
        if legacy.is_empty() {
            continue;
        }
        let mut finding = Finding::new(
            instruction.byte_range(),
            format!("\"{keyword} key=value\" should be used instead of legacy \"{keyword} key value\" format"),
        );
        let edits: Option<Vec<Edit>> = legacy.iter().map(|pair| to_key_value(ctx, *pair)).collect();
        if let Some(edits) = edits {
            finding = finding.with_fix(Fix::new(format!("Use {keyword} key=value"), edits));
        }
        out.push(finding);
    }
}

/// `key value` as `key=value` (quoted when the value has blanks); `None`
/// when the value's quotes, escapes or continuations make it not mechanical.
fn to_key_value(ctx: &Ctx, pair: tree_sitter::Node) -> Option<Edit> {
    let key = ctx.text(pair.child_by_field_name("key")?);
    let value = pair
        .child_by_field_name("value")
        .map(|v| ctx.text(v))
        .unwrap_or_default();
    if value.contains(['"', '\'', '\\', '`', '\n', '\r']) {
        return None;
    }
    let value = value.trim();
    let value = if value.is_empty() || value.contains(char::is_whitespace) {
        format!("\"{value}\"")
    } else {
        value.to_string()
    };
    Some(Edit::new(pair.byte_range(), format!("{key}={value}")))
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
