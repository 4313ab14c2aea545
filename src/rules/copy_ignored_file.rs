//! CopyIgnoredFile: a COPY or ADD source that `.dockerignore` excludes is
//! not in the build context, so the copy fails or copies less than it says.

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostic_types::Severity;
use crate::syntax::{self, views};

pub const RULE: Rule = Rule {
    code: "CopyIgnoredFile",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "Do not copy files .dockerignore excludes",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let Some(ignore) = &ctx.context.dockerignore else {
        return;
    };
    for &instruction in ctx.instructions() {
        let verb = match instruction.kind() {
            "copy_instruction" => "Copy",
            "add_instruction" => "Add",
            _ => continue,
        };
        if views::flags(instruction, ctx.source)
            .iter()
            .any(|f| f.name == "from")
        {
            continue; // copies from a stage or an image, not the context
        }
        let mut cursor = instruction.walk();
        let paths: Vec<_> = instruction
            .children_by_field_name("path", &mut cursor)
            .collect();
        let Some((_, sources)) = paths.split_last() else {
            continue;
        };
        for source in sources {
            if source.kind() != "path" {
                continue; // a heredoc
            }
            let text = syntax::logical_text(*source, ctx.source);
            if text.contains('$') || text.contains("://") {
                continue;
            }
            // The context root counts as excluded only when everything is.
            let root = text == "." || text == "./";
            if (root && ignore.excludes_everything()) || (!root && ignore.is_ignored(&text)) {
                out.push(Finding {
                    range: instruction.byte_range(),
                    message: format!(
                        "Attempting to {verb} file \"{text}\" that is excluded by .dockerignore"
                    ),
                    ..Default::default()
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::dockerignore::DockerIgnore;
    use crate::analysis::Analysis;
    use crate::build_context::Context;
    use crate::{rules, syntax};

    fn lines(src: &str, ignore: &str) -> Vec<usize> {
        let tree = syntax::parse(src);
        let analysis = Analysis::build(&tree, &src);
        let context = Context {
            dockerignore: Some(DockerIgnore::parse(ignore)),
            ..Default::default()
        };
        rules::run(&tree, &src, &analysis, &context)
            .iter()
            .filter(|d| d.code == "CopyIgnoredFile")
            .map(|d| src[..d.range.start].matches('\n').count() + 1)
            .collect()
    }

    #[test]
    fn bad_and_good() {
        assert_eq!(
            lines(
                "FROM a\nCOPY Dockerfile .\nADD secret.env /x\nCOPY src /src\n",
                "Dockerfile\n*.env\n"
            ),
            [2, 3]
        );
        assert!(lines(
            "FROM a AS b\nFROM c\nCOPY --from=b Dockerfile .\n",
            "Dockerfile\n"
        )
        .is_empty());
        assert_eq!(lines("FROM a\nCOPY . .\n", "*\n"), [2]);
        assert!(lines("FROM a\nCOPY . .\n", "**\n!Dockerfile\n").is_empty());
        assert!(lines("FROM a\nCOPY . .\n", ".*\n").is_empty());
    }
}
