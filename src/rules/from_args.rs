//! Build arguments in FROM.
//!
//! UndefinedArgInFrom: a FROM line can only use global ARGs (declared
//! before the first FROM) and BuildKit's predefined ones; anything else
//! expands to nothing.
//! InvalidDefaultArgInFrom: with the ARGs' default values, the base image
//! name must be valid, so that a build without `--build-arg` still works.

use super::{Ctx, Finding, Group, Rule};
use crate::analysis::variables::PREDEFINED;
use crate::diagnostics::Severity;

pub const UNDEFINED: Rule = Rule {
    code: "UndefinedArgInFrom",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "FROM uses only declared global ARGs",
    check: check_undefined,
};

pub const INVALID_DEFAULT: Rule = Rule {
    code: "InvalidDefaultArgInFrom",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "ARG defaults must give FROM a valid image",
    check: check_invalid_default,
};

fn in_from(ctx: &Ctx, offset: usize) -> Option<std::ops::Range<usize>> {
    ctx.analysis
        .stages
        .stages
        .iter()
        .find(|s| s.from_range.start <= offset && offset < s.from_range.end)
        .map(|s| s.from_range.clone())
}

fn check_undefined(ctx: &Ctx, out: &mut Vec<Finding>) {
    let vars = &ctx.analysis.variables;
    let globals: Vec<&str> = vars
        .defs
        .iter()
        .filter(|d| d.stage.is_none())
        .map(|d| d.name.as_str())
        .collect();
    for u in &vars.uses {
        if u.def.is_some() || u.predefined {
            continue;
        }
        let Some(range) = in_from(ctx, u.range.start) else {
            continue;
        };
        let suggestion = globals
            .iter()
            .chain(PREDEFINED)
            .map(|c| (super::edit_distance(&u.name, c), *c))
            .filter(|(d, _)| *d <= 2)
            .min();
        let mut message = format!("FROM argument '{}' is not declared", u.name);
        if let Some((_, c)) = suggestion {
            message.push_str(&format!(" (did you mean {c}?)"));
        }
        out.push(Finding {
            range,
            message,
            ..Default::default()
        });
    }
}

fn check_invalid_default(ctx: &Ctx, out: &mut Vec<Finding>) {
    let vars = &ctx.analysis.variables;
    for stage in &ctx.analysis.stages.stages {
        if !stage.base_text.contains('$') {
            continue;
        }
        let expanded = expand(&stage.base_text, |name| {
            vars.defs
                .iter()
                .rev()
                .find(|d| d.stage.is_none() && d.name == name)
                .and_then(|d| d.value.clone())
                .map(|v| v.trim_matches(['"', '\'']).to_string())
        });
        if !valid_image(&expanded) {
            out.push(Finding {
                range: stage.from_range.clone(),
                message: format!(
                    "Default value for ARG {} results in empty or invalid base image name",
                    stage.base_text
                ),
                ..Default::default()
            });
        }
    }
}

/// `$NAME`, `${NAME}` and `${NAME:-default}` expanded with `value`.
fn expand(text: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        let (name, default, after) = if let Some(inner) = rest.strip_prefix('{') {
            let end = inner.find('}').unwrap_or(inner.len());
            let body = &inner[..end];
            let (name, default) = match body.split_once(":-") {
                Some((n, d)) => (n, Some(d)),
                None => (body, None),
            };
            (name, default, &inner[(end + 1).min(inner.len())..])
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (&rest[..end], None, &rest[end..])
        };
        let v = value(name)
            .filter(|v| !v.is_empty())
            .or(default.map(String::from));
        out.push_str(&v.unwrap_or_default());
        rest = after;
    }
    out.push_str(rest);
    out
}

fn valid_image(image: &str) -> bool {
    !image.is_empty()
        && !image.ends_with(':')
        && !image.ends_with('@')
        && !image.starts_with(':')
        && !image.contains("::")
        && !image.contains(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use crate::rules::edit_distance as distance;
    use crate::rules::test_support::found_by;

    #[test]
    fn distances() {
        assert_eq!(distance("BULIDPLATFORM", "BUILDPLATFORM"), 1);
        assert_eq!(distance("MYARCH", "MY_ARCH"), 1);
    }

    #[test]
    fn bad_and_good() {
        assert_eq!(
            found_by(
                "UndefinedArgInFrom",
                "ARG tag=1\nFROM busybox:${tag}${version}\n"
            ),
            [2]
        );
        assert!(found_by(
            "UndefinedArgInFrom",
            "ARG tag=1\nFROM --platform=$BUILDPLATFORM busybox:$tag\n"
        )
        .is_empty());
        assert_eq!(
            found_by(
                "InvalidDefaultArgInFrom",
                "ARG VERSION\nFROM busybox:$VERSION\n"
            ),
            [2]
        );
        assert!(found_by(
            "InvalidDefaultArgInFrom",
            "ARG VERSION=1\nFROM busybox:$VERSION\n"
        )
        .is_empty());
    }
}
