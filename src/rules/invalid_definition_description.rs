//! InvalidDefinitionDescription (experimental): a comment right above an
//! ARG or a named FROM documents it when it starts with the name
//! (`# version the release to build`), so tools can show it; a comment
//! there that does not is flagged. Runs only with
//! `# check=experimental=InvalidDefinitionDescription`.

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostic_types::Severity;

pub const RULE: Rule = Rule {
    code: "InvalidDefinitionDescription",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "Comments above ARG and FROM start with the name they describe",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let mut previous_comment: Option<String> = None;
    let mut visit = |node: tree_sitter::Node| {
        if node.kind() == "comment" {
            let text = ctx.text(node);
            let body = text.trim().trim_start_matches('#').trim().to_string();
            // an empty comment line ends the description
            previous_comment = (!body.is_empty()).then_some(body);
            return;
        }
        let Some(comment) = previous_comment.take() else {
            return;
        };
        let first_word = comment.split_whitespace().next().unwrap_or("").to_string();
        let (keyword, names): (&str, Vec<String>) = match node.kind() {
            "arg_instruction" => {
                let mut cursor = node.walk();
                let names = node
                    .children_by_field_name("argument", &mut cursor)
                    .filter_map(|a| a.child_by_field_name("name"))
                    .map(|n| ctx.text(n))
                    .collect();
                ("ARG", names)
            }
            "from_instruction" => match node.child_by_field_name("name") {
                Some(n) => ("FROM", vec![ctx.text(n)]),
                None => return,
            },
            _ => return,
        };
        if names.contains(&first_word) {
            return;
        }
        let expected = match names.as_slice() {
            [one] => one.clone(),
            _ => "<arg_key>".to_string(),
        };
        out.push(Finding {
            range: node.byte_range(),
            message: format!(
                "Comment for {keyword} should follow the format: `# {expected} <description>`"
            ),
            ..Default::default()
        });
    };
    for node in crate::syntax::lines(ctx.tree) {
        visit(node);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn bad_and_good() {
        let on = "# check=experimental=InvalidDefinitionDescription\n";
        assert_eq!(
            found_by(
                "InvalidDefinitionDescription",
                &format!("{on}# bar is it\nARG foo=1\nFROM a\n")
            ),
            [3]
        );
        assert!(found_by(
            "InvalidDefinitionDescription",
            &format!("{on}# foo is it\nARG foo=1\n# base image\nFROM a AS base\n")
        )
        .is_empty());
        assert!(
            found_by(
                "InvalidDefinitionDescription",
                "# bar is it\nARG foo=1\nFROM a\n"
            )
            .is_empty(),
            "off unless asked for"
        );
    }
}
