//! Build arguments in FROM.
//!
//! UndefinedArgInFrom: a FROM line can only use global ARGs (declared
//! before the first FROM) and BuildKit's predefined ones; anything else
//! expands to nothing.
//! InvalidDefaultArgInFrom: with the ARGs' default values, the base image
//! name must be valid, so that a build without `--build-arg` still works.

use super::{Ctx, Finding, Group, Rule};
use crate::analysis::variables::PREDEFINED;
use crate::diagnostic_types::Severity;

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
        // Of the predefined arguments only the platform ones (and
        // TARGETSTAGE) have values in FROM; the proxy ones do not.
        if u.def.is_some() || (u.predefined && platform_default(&u.name).is_some()) {
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

/// The values BuildKit gives its platform arguments (and TARGETSTAGE) in
/// FROM lines: those of the machine building, here a linux/amd64 one (only
/// whether the expansion is a valid image name matters).
fn platform_default(name: &str) -> Option<&'static str> {
    Some(match name {
        "BUILDPLATFORM" | "TARGETPLATFORM" => "linux/amd64",
        "BUILDOS" | "TARGETOS" => "linux",
        "BUILDARCH" | "TARGETARCH" => "amd64",
        "BUILDVARIANT" | "TARGETVARIANT" => "",
        "TARGETSTAGE" => "default",
        _ => return None,
    })
}

fn check_invalid_default(ctx: &Ctx, out: &mut Vec<Finding>) {
    let vars = &ctx.analysis.variables;
    // The global ARGs' defaults, each expanded with those before it (as
    // BuildKit does); a platform argument keeps BuildKit's value when
    // redeclared without one.
    let mut globals: std::collections::HashMap<String, Option<String>> =
        std::collections::HashMap::new();
    for def in vars.defs.iter().filter(|d| d.stage.is_none()) {
        let value = match def.value.as_deref() {
            Some(v) => expand(v, &|name| globals.get(name).cloned().flatten()).map(|v| unquote(&v)),
            None => globals
                .get(&def.name)
                .cloned()
                .flatten()
                .or_else(|| platform_default(&def.name).map(String::from)),
        };
        globals.insert(def.name.clone(), value);
    }
    for name in PREDEFINED {
        if let Some(v) = platform_default(name) {
            globals
                .entry(name.to_string())
                .or_insert_with(|| Some(v.to_string()));
        }
    }
    for stage in &ctx.analysis.stages.stages {
        if !stage.base_text.contains('$') {
            continue;
        }
        let expanded = expand(&stage.base_text, &|name| {
            globals.get(name).cloned().flatten()
        });
        // An expansion BuildKit cannot do (`${X:?}` of an unset X) stops its check.
        let Some(expanded) = expanded else { continue };
        if crate::syntax::image_reference_error(&expanded).is_err() {
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

/// An ARG value as the shell word reads it: quotes removed.
pub(super) fn unquote(value: &str) -> String {
    let mut out = String::new();
    let mut quote = None;
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => out.push(c),
            (_, '\\') => out.extend(chars.next()),
            (_, c) => out.push(c),
        }
    }
    out
}

/// `$NAME` and `${NAME}`, with the operators `:-`, `-`, `:+`, `+`, `:?` and
/// `?`, expanded with `value` (None: not set). None when an `?` operator
/// meets an unset variable (the expansion fails). An escaped `\$` stays.
fn expand(text: &str, value: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(['$', '\\']) {
        out.push_str(&rest[..at]);
        if rest[at..].starts_with('\\') {
            let escaped = rest[at + 1..].chars().next();
            out.push('\\');
            out.extend(escaped);
            rest = &rest[at + 1 + escaped.map_or(0, char::len_utf8)..];
            continue;
        }
        rest = &rest[at + 1..];
        if let Some(inner) = rest.strip_prefix('{') {
            let end = inner.find('}').unwrap_or(inner.len());
            let body = &inner[..end];
            rest = &inner[(end + 1).min(inner.len())..];
            let name_end = body
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(body.len());
            let (name, op) = body.split_at(name_end);
            let v = value(name);
            let set = v.is_some();
            let nonempty = v.as_deref().is_some_and(|v| !v.is_empty());
            let word = |w: &str| expand(w, value);
            let value_or_empty = || Some(v.clone().unwrap_or_default());
            // None: the expansion fails (`?` on an unset variable).
            let got = if let Some(w) = op.strip_prefix(":-") {
                if nonempty {
                    value_or_empty()
                } else {
                    word(w)
                }
            } else if let Some(w) = op.strip_prefix(":+") {
                if nonempty {
                    word(w)
                } else {
                    Some(String::new())
                }
            } else if op.starts_with(":?") {
                if nonempty {
                    value_or_empty()
                } else {
                    None
                }
            } else if let Some(w) = op.strip_prefix('-') {
                if set {
                    value_or_empty()
                } else {
                    word(w)
                }
            } else if let Some(w) = op.strip_prefix('+') {
                if set {
                    word(w)
                } else {
                    Some(String::new())
                }
            } else if op.starts_with('?') {
                if set {
                    value_or_empty()
                } else {
                    None
                }
            } else {
                value_or_empty()
            };
            out.push_str(&got?);
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if end == 0 {
                out.push('$');
                continue;
            }
            out.push_str(&value(&rest[..end]).unwrap_or_default());
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    Some(out)
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
        // As BuildKit: the proxy arguments are not FROM arguments.
        assert_eq!(
            found_by("UndefinedArgInFrom", "FROM alpine:$HTTP_PROXY\n"),
            [1]
        );
        assert!(found_by(
            "UndefinedArgInFrom",
            "ARG HTTP_PROXY=x\nFROM alpine:$HTTP_PROXY\n"
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
        // As BuildKit: the platform arguments have values; `?` passes a
        // set value; defaults that make an invalid name are found.
        for good in [
            "FROM alpine:$TARGETARCH\n",
            "ARG TARGETOS\nFROM alpine:$TARGETOS\n",
            "ARG M=1\nFROM alpine:${M:?}\n",
            "ARG K\nFROM alpine${K:-:3}\n",
            "ARG REG=localhost:5000\nFROM $REG/alpine\n",
            "ARG V='3.19'\nFROM alpine:$V\n",
            "ARG D=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nFROM alpine@$D\n",
        ] {
            assert!(
                found_by("InvalidDefaultArgInFrom", good).is_empty(),
                "{good}"
            );
        }
        for bad in [
            "ARG D=Alpine\nFROM $D\n",
            "ARG G=a:b:c\nFROM $G\n",
            "ARG F=alpine@sha\nFROM $F\n",
            "ARG REG\nFROM $REG/alpine\n",
            "ARG I=x\nFROM ${I:+Bad}\n",
            "ARG H=alpine\nFROM ${H}:\n",
            // (BuildKit's digest check: sha256 takes 64 hex digits)
            "ARG D=sha256:0123456789abcdef0123456789abcdef\nFROM alpine@$D\n",
        ] {
            assert_eq!(found_by("InvalidDefaultArgInFrom", bad), [2], "{bad}");
        }
    }
}
