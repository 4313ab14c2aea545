//! Quick fixes for the diagnostics in a range: each rule's mechanical fix,
//! and two ways to silence a rule: for one instruction (a comment above it)
//! or for the whole file (BuildKit's `# check=skip=` directive).

use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::diagnostics::{Diagnostic, Edit, Fix};
use crate::syntax::{self, views, Source};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub fix: Fix,
    /// The rule's own fix (rather than a way to silence it).
    pub preferred: bool,
    /// Index of the diagnostic it resolves, in the slice given.
    pub diagnostic: usize,
}

/// Codes that are not rules and cannot be silenced.
const NOT_RULES: &[&str] = &[
    "SyntaxError",
    "NoInstructions",
    "ConfigError",
    "FileTooLarge",
];

pub fn code_actions(
    tree: &Tree,
    source: &dyn Source,
    diagnostics: &[Diagnostic],
    range: Range<usize>,
) -> Vec<Action> {
    let mut out = Vec::new();
    for (index, d) in diagnostics.iter().enumerate() {
        if d.range.start > range.end || range.start > d.range.end {
            continue;
        }
        if let Some(fix) = &d.fix {
            out.push(Action {
                fix: fix.clone(),
                preferred: true,
                diagnostic: index,
            });
        }
        if NOT_RULES.contains(&d.code) {
            continue;
        }
        if let Some(fix) = ignore_here(tree, source, d) {
            out.push(Action {
                fix,
                preferred: false,
                diagnostic: index,
            });
        }
        out.push(Action {
            fix: skip_in_file(tree, source, d.code),
            preferred: false,
            diagnostic: index,
        });
    }
    out
}

/// A comment above the instruction the diagnostic is on.
fn ignore_here(tree: &Tree, source: &dyn Source, d: &Diagnostic) -> Option<Fix> {
    let node = tree
        .root_node()
        .descendant_for_byte_range(d.range.start, d.range.start)?;
    let mut instruction = views::enclosing_instruction(node)?;
    // ONBUILD's inner instruction: the comment goes above the ONBUILD.
    while let Some(outer) = instruction.parent().and_then(views::enclosing_instruction) {
        instruction = outer;
    }
    let line_start = source.line_start(instruction.start_byte());
    let indent: String = source
        .text(line_start..instruction.start_byte())
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let eol = line_ending(tree, source, instruction);
    // Right after the directives, `# check=...` would itself be read as a
    // directive for the whole file: hadolint's form is not.
    let comment = if in_directive_region(tree, source, instruction) || d.code.starts_with("DL") {
        format!("# hadolint ignore={}", d.code)
    } else {
        format!("# check=skip={}", d.code)
    };
    Some(Fix::new(
        format!("Ignore {} for this instruction", d.code),
        vec![Edit::new(
            line_start..line_start,
            format!("{indent}{comment}{eol}"),
        )],
    ))
}

/// Adds the rule to the file's `# check=skip=` directive.
fn skip_in_file(tree: &Tree, source: &dyn Source, code: &str) -> Fix {
    let title = format!("Disable {code} for this file");
    let existing =
        syntax::directive_node(tree, source, "check").and_then(|n| n.child_by_field_name("value"));
    let edit = match existing {
        Some(value) => {
            let text = source.text(value.byte_range()).into_owned();
            let mut parts: Vec<String> = text.split(';').map(str::to_string).collect();
            match parts
                .iter_mut()
                .find(|p| p.trim_start().to_ascii_lowercase().starts_with("skip="))
            {
                Some(skip) => {
                    *skip = format!("{},{code}", skip.trim_end());
                }
                None => parts.push(format!("skip={code}")),
            }
            Edit::new(value.byte_range(), parts.join(";"))
        }
        None => {
            let first = tree.root_node().named_child(0);
            let eol = first.map_or("\n", |n| line_ending(tree, source, n));
            Edit::new(0..0, format!("# check=skip={code}{eol}"))
        }
    };
    Fix::new(title, vec![edit])
}

/// Whether only parser directives come before the node's line: a comment
/// there would be read as one more directive.
fn in_directive_region(tree: &Tree, source: &dyn Source, node: Node) -> bool {
    let line = source.line_start(node.start_byte());
    let mut cursor = tree.root_node().walk();
    let directives_end = tree
        .root_node()
        .named_children(&mut cursor)
        .take_while(|n| n.kind() == "parser_directive")
        .last()
        .map_or(0, |n| n.end_byte());
    matches!(
        &*source.text(directives_end..line.max(directives_end)),
        "" | "\n" | "\r\n" | "\r"
    )
}

/// The line break the document uses after a node.
fn line_ending(tree: &Tree, source: &dyn Source, node: Node) -> &'static str {
    if node.end_byte() + 2 <= tree.root_node().end_byte()
        && source.line_break_at(node.end_byte()) == 2
    {
        "\r\n"
    } else {
        "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;
    use crate::diagnostics::{diagnose, Context};

    fn actions(src: &str) -> (Vec<Diagnostic>, Vec<Action>) {
        let tree = syntax::parse(src);
        let diags = diagnose(
            &tree,
            &src,
            &Analysis::build(&tree, src),
            &Context::default(),
        );
        let actions = code_actions(&tree, &src, &diags, 0..src.len());
        (diags, actions)
    }

    fn codes_after(src: &str) -> Vec<&'static str> {
        actions(src).0.iter().map(|d| d.code).collect()
    }

    #[test]
    fn silencing_for_one_instruction_and_for_the_file() {
        let src = "FROM a:1 AS Build\nFROM b:1\nMAINTAINER me\n";
        let (diags, found) = actions(src);
        let d = diags
            .iter()
            .position(|d| d.code == "MaintainerDeprecated")
            .unwrap();
        let titles: Vec<_> = found
            .iter()
            .filter(|a| a.diagnostic == d)
            .map(|a| a.fix.title.as_str())
            .collect();
        assert!(titles.contains(&"Ignore MaintainerDeprecated for this instruction"));
        assert!(titles.contains(&"Disable MaintainerDeprecated for this file"));
        for action in found.iter().filter(|a| a.diagnostic == d && !a.preferred) {
            let fixed = action.fix.apply(src);
            assert!(
                !codes_after(&fixed).contains(&"MaintainerDeprecated"),
                "{fixed}"
            );
            assert!(codes_after(&fixed).contains(&"StageNameCasing"), "{fixed}");
        }
    }

    #[test]
    fn extends_an_existing_directive() {
        let src = "# check=error=true\nFROM a:1 AS Build\n";
        let (_, found) = actions(src);
        let file = found
            .iter()
            .find(|a| a.fix.title.contains("for this file"))
            .unwrap();
        let fixed = file.fix.apply(src);
        assert_eq!(
            fixed,
            "# check=error=true;skip=StageNameCasing\nFROM a:1 AS Build\n"
        );
        let src = "# check=skip=A\r\nFROM a:1 AS Build\r\n";
        let (_, found) = actions(src);
        let fixed = found
            .iter()
            .find(|a| a.fix.title.contains("for this file"))
            .unwrap()
            .fix
            .apply(src);
        assert!(fixed.starts_with("# check=skip=A,StageNameCasing\r\n"));
    }

    #[test]
    fn the_first_instruction_gets_a_comment_that_is_not_a_directive() {
        let src = "FROM a:1 AS Build\n";
        let (_, found) = actions(src);
        let here = found
            .iter()
            .find(|a| a.fix.title.contains("this instruction"))
            .unwrap();
        assert_eq!(
            here.fix.apply(src),
            "# hadolint ignore=StageNameCasing\nFROM a:1 AS Build\n"
        );
        assert!(codes_after(&here.fix.apply(src)).is_empty());
    }
}
