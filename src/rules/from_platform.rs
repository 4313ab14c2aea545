//! FROM --platform checks.
//!
//! RedundantTargetPlatform: `--platform=$TARGETPLATFORM` is what FROM does
//! anyway.
//! FromPlatformFlagConstDisallowed: a constant platform pins the stage to
//! one architecture and breaks multi-platform builds; use
//! `$BUILDPLATFORM`/`$TARGETPLATFORM` (a stage whose name says which
//! platform it is for, like `AS build-arm64`, is left alone).

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostics::{Edit, Fix, Severity};
use crate::syntax::{self, views};

pub const REDUNDANT: Rule = Rule {
    code: "RedundantTargetPlatform",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "--platform=$TARGETPLATFORM in FROM is the default",
    check: check_redundant,
};

pub const CONSTANT: Rule = Rule {
    code: "FromPlatformFlagConstDisallowed",
    aliases: &["DL3029"],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "FROM --platform should not be a constant",
    check: check_constant,
};

/// (FROM range, stage name, --platform value) of each stage that has one.
/// (FROM range, stage name, value, flag range) of a `FROM --platform=`.
type Platform = (
    std::ops::Range<usize>,
    Option<String>,
    String,
    std::ops::Range<usize>,
);

/// Each `FROM --platform=`.
fn platforms(ctx: &Ctx) -> Vec<Platform> {
    let mut out = Vec::new();
    for ((_, from), stage) in views::stages(ctx.tree)
        .into_iter()
        .zip(&ctx.analysis.stages.stages)
    {
        for flag in views::flags(from, ctx.source) {
            if flag.name == "platform" {
                if let Some(value) = flag.value {
                    out.push((
                        stage.from_range.clone(),
                        stage.name.clone(),
                        syntax::logical_text(value, ctx.source),
                        flag.node.byte_range(),
                    ));
                }
            }
        }
    }
    out
}

fn check_redundant(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (range, _, value, flag) in platforms(ctx) {
        if value == "$TARGETPLATFORM" || value == "${TARGETPLATFORM}" {
            // the flag and the blanks after it
            let rest = ctx.source.text(flag.end..range.end);
            let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            out.push(
                Finding::new(
                    range,
                    format!(
                        "Setting platform to predefined {value} in FROM is redundant as this is the default behavior"
                    ),
                )
                .with_fix(Fix::new(
                    "Remove the --platform flag",
                    vec![Edit::new(flag.start..flag.end + blanks, "")],
                )),
            );
        }
    }
}

fn check_constant(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (range, name, value, _) in platforms(ctx) {
        if value.contains('$') {
            continue;
        }
        let name = name.unwrap_or_default().to_lowercase();
        if value
            .split('/')
            .any(|part| !part.is_empty() && name.contains(&part.to_lowercase()))
        {
            continue;
        }
        out.push(Finding {
            range,
            message: format!("FROM --platform flag should not use constant value \"{value}\""),
            ..Default::default()
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn bad_and_good() {
        assert_eq!(
            found_by(
                "RedundantTargetPlatform",
                "FROM --platform=${TARGETPLATFORM} a\n"
            ),
            [1]
        );
        assert!(found_by(
            "RedundantTargetPlatform",
            "FROM --platform=$BUILDPLATFORM a\n"
        )
        .is_empty());
        assert_eq!(
            found_by(
                "FromPlatformFlagConstDisallowed",
                "FROM --platform=linux/amd64 a\n"
            ),
            [1]
        );
        assert!(found_by(
            "FromPlatformFlagConstDisallowed",
            "FROM --platform=amd64 a AS vpnkit-amd64\n"
        )
        .is_empty());
    }
}
