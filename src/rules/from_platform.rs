//! FROM --platform checks.
//!
//! RedundantTargetPlatform: `--platform=$TARGETPLATFORM` is what FROM does
//! anyway (as BuildKit: a value that is only `TARGETPLATFORM` expanded,
//! `${TARGETPLATFORM}`, quoted, or with a default `${TARGETPLATFORM:-...}`
//! that is never used since BuildKit always sets it).
//! FromPlatformFlagConstDisallowed: a constant platform pins the stage to
//! one architecture and breaks multi-platform builds; use
//! `$BUILDPLATFORM`/`$TARGETPLATFORM` (a stage whose name says which
//! platform it is for, like `AS build-arm64`, is left alone).

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostic_types::{Edit, Fix, Severity};
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
    for (s, _, from) in ctx.facts().stage_nodes() {
        let Some(stage) = ctx.analysis.stages.stages.get(s) else {
            continue;
        };
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
        if let Some(value) = only_target_platform(&value) {
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

/// Whether a `--platform` value expands to `$TARGETPLATFORM` and nothing
/// else: `$TARGETPLATFORM`, `${TARGETPLATFORM}`, `"${TARGETPLATFORM}"`, or
/// a default or error form (`${TARGETPLATFORM:-x}`, `${TARGETPLATFORM?}`)
/// whose alternative is never taken, TARGETPLATFORM being always set.
/// Returns the value without its quotes (as BuildKit's flag parser reads it).
fn only_target_platform(value: &str) -> Option<&str> {
    let unquoted = ['"', '\'']
        .iter()
        .find_map(|q| {
            value
                .strip_prefix(*q)
                .and_then(|v| v.strip_suffix(*q))
                .filter(|v| !v.contains(*q))
        })
        .unwrap_or(value);
    let rest = unquoted.strip_prefix('$')?;
    if rest == "TARGETPLATFORM" {
        return Some(unquoted);
    }
    let inner = rest
        .strip_prefix("{TARGETPLATFORM")
        .and_then(|r| r.strip_suffix('}'))?;
    // The alternative must hold no expansion of its own (BuildKit then
    // sees more than one variable) and no closing brace.
    let alternative = if inner.is_empty() {
        Some("")
    } else {
        [":-", "-", ":?", "?"]
            .iter()
            .find_map(|op| inner.strip_prefix(op))
    };
    alternative
        .is_some_and(|alt| !alt.contains(['$', '}']))
        .then_some(unquoted)
}

fn check_constant(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (range, name, value, _) in platforms(ctx) {
        if value.contains('$') {
            continue;
        }
        let name = name.unwrap_or_default().to_lowercase();
        let (os, arch) = os_and_arch(&value.to_lowercase());
        // The stage's name says which platform it is for (`AS build-arm64`).
        if name.contains(&os) || name.contains(&arch) {
            continue;
        }
        out.push(Finding {
            range,
            message: format!("FROM --platform flag should not use constant value \"{value}\""),
            ..Default::default()
        });
    }
}

/// The OS and architecture of a platform, normalized as BuildKit's
/// platform parser does (`x86_64` is `amd64`, `aarch64` is `arm64`; a lone
/// architecture is for Linux); the variant does not count.
fn os_and_arch(platform: &str) -> (String, String) {
    let normalize = |arch: &str| {
        match arch {
            "x86_64" | "x86-64" => "amd64",
            "aarch64" => "arm64",
            "i386" | "i486" | "i586" | "i686" => "386",
            "armhf" | "armel" => "arm",
            other => other,
        }
        .to_string()
    };
    let parts: Vec<&str> = platform.split('/').collect();
    match parts[..] {
        [one] if matches!(one, "linux" | "windows" | "darwin" | "freebsd") => {
            (one.to_string(), "amd64".to_string())
        }
        [one] => ("linux".to_string(), normalize(one)),
        [os, arch, ..] => (os.to_string(), normalize(arch)),
        [] => (String::new(), String::new()),
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
        // What BuildKit also reads as TARGETPLATFORM alone.
        for value in [
            "\"$TARGETPLATFORM\"",
            "${TARGETPLATFORM:-linux/amd64}",
            "${TARGETPLATFORM-linux/amd64}",
            "${TARGETPLATFORM:?}",
        ] {
            let src = format!("FROM --platform={value} a\n");
            assert_eq!(found_by("RedundantTargetPlatform", &src), [1], "{value}");
        }
        for value in [
            "${TARGETPLATFORM:+linux/amd64}",
            "${TARGETPLATFORM}x",
            "${TARGETPLATFORM:-$BUILDPLATFORM}",
            "${TARGETOS}/${TARGETARCH}",
            "${TARGETPLATFORM%/*}",
        ] {
            let src = format!("FROM --platform={value} a\n");
            assert!(
                found_by("RedundantTargetPlatform", &src).is_empty(),
                "{value}"
            );
        }
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
        // As BuildKit: the variant does not name the platform, and the
        // architecture is read normalized.
        for src in [
            "FROM --platform=linux/arm/v7 a AS v7\n",
            "FROM --platform=linux/x86_64 a AS x86_64\n",
        ] {
            assert_eq!(
                found_by("FromPlatformFlagConstDisallowed", src),
                [1],
                "{src}"
            );
        }
        assert!(found_by(
            "FromPlatformFlagConstDisallowed",
            "FROM --platform=linux/aarch64 a AS build-arm64\n"
        )
        .is_empty());
    }
}
