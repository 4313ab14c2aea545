//! Flags: which ones each instruction accepts, how BuildKit's flag parser
//! reads them (unknown, given twice, missing value, boolean values), and
//! the value checks of each flag.

use tree_sitter::Node;

use super::duration::parse_duration;
use super::mount::mount;
use super::{at, closest};
use crate::syntax::errors::SyntaxError;
use crate::syntax::{logical_text, Source};

#[path = "flag_sources.rs"]
mod sources;
#[path = "flag_values.rs"]
mod values;

/// The flags an instruction accepts (labs flags included, so that no file
/// that BuildKit accepts gets an error).
pub fn known_flags(keyword: &str) -> &'static [&'static str] {
    match keyword {
        "ADD" => &[
            "chown",
            "chmod",
            "link",
            "keep-git-dir",
            "checksum",
            "exclude",
            "unpack",
        ],
        "COPY" => &["from", "chown", "chmod", "link", "parents", "exclude"],
        "RUN" => &["mount", "network", "security", "device"],
        "FROM" => &["platform"],
        "HEALTHCHECK" => &[
            "interval",
            "timeout",
            "start-period",
            "start-interval",
            "retries",
        ],
        _ => &[],
    }
}

/// BuildKit's boolean flags: `--link`, `--link=true`, `--link=False`.
const BOOL_FLAGS: [&str; 4] = ["link", "keep-git-dir", "parents", "unpack"];
/// Flags that may be given more than once (BuildKit's `AddStrings`).
const REPEATABLE_FLAGS: [&str; 3] = ["mount", "exclude", "device"];
const DURATION_FLAGS: [&str; 4] = ["interval", "timeout", "start-period", "start-interval"];
/// Flags whose value BuildKit judges as written, before any expansion
/// (`--network=$NET` is an invalid network mode), besides the booleans.
const LITERAL_FLAGS: [&str; 7] = [
    "interval",
    "timeout",
    "start-period",
    "start-interval",
    "retries",
    "network",
    "security",
];

pub(super) fn flags<S: Source + ?Sized>(
    node: Node,
    keyword: &str,
    source: &S,
    out: &mut Vec<SyntaxError>,
) {
    if !flags_are_parsed(node, keyword, source) {
        return;
    }
    let known = known_flags(keyword);
    let mut seen: Vec<String> = Vec::new();
    let mut git_flags = sources::GitFlags {
        keep_git_dir: None,
        checksum: None,
    };
    for flag in crate::syntax::views::flags(node, source) {
        let name = flag.name.as_str();
        let name_node = flag.node.child_by_field_name("name");
        if !known.contains(&name) {
            let mut message = format!("unknown flag: --{name}");
            let close = closest(name, known);
            if let Some(close) = close {
                message.push_str(&format!(" (did you mean --{close}?)"));
            }
            let mut error = at(flag.node, message);
            if let (Some(close), Some(name_node)) = (close, name_node) {
                error.suggestion = Some((name_node.byte_range(), format!("--{close}")));
            }
            out.push(error);
            continue;
        }
        if seen.iter().any(|s| s == name) && !REPEATABLE_FLAGS.contains(&name) {
            out.push(at(flag.node, format!("duplicate flag specified: --{name}")));
            continue;
        }
        seen.push(name.to_string());
        // `--name=` (an equals sign) as opposed to a bare `--name`.
        let has_equals = name_node.is_some_and(|n| flag.node.end_byte() > n.end_byte());
        // The value without its quotes, as BuildKit's parser hands it over;
        // None when not known statically (a variable, an escape).
        let literal = LITERAL_FLAGS.contains(&name) || BOOL_FLAGS.contains(&name);
        let text = match flag.value {
            Some(value) => unquote(&logical_text(value, source), literal),
            None => Some(String::new()),
        };
        let is_bool = BOOL_FLAGS.contains(&name);
        let missing = if is_bool {
            has_equals && text.as_deref() == Some("")
        } else {
            !has_equals
        };
        if missing {
            out.push(at(flag.node, format!("missing a value on flag: --{name}")));
            continue;
        }
        if name == "device" && !labs_frontend(node, source) {
            out.push(at(
                flag.node,
                "device feature is only supported in Dockerfile frontend 1.14.0-labs or later",
            ));
            continue;
        }
        if name == "mount" {
            mount(flag.node, source, out);
            continue;
        }
        let Some(text) = text else {
            continue;
        };
        let target = flag.value.unwrap_or(flag.node);
        match name {
            "keep-git-dir" => {
                git_flags.keep_git_dir = Some(text.is_empty() || text.eq_ignore_ascii_case("true"))
            }
            "checksum" if !text.is_empty() => git_flags.checksum = Some(text.clone()),
            _ => {}
        }
        value_errors(node, name, &text, target, source, out);
    }
    // (COPY reads a Git URL's query too, but rejects any Git source: the
    // instruction checks say so.)
    if keyword == "ADD" {
        sources::git_source_errors(node, &git_flags, source, out);
    }
    if keyword == "ONBUILD" {
        // A stage built from this one runs the trigger, flags and all.
        if let Some(inner) = node.child_by_field_name("instruction") {
            if triggered_in_file(node, source) {
                let inner_keyword = crate::syntax::views::keyword(inner, source);
                flags(inner, &inner_keyword, source, out);
            }
        }
    }
}

/// A word without its quotes (`"a b"`, `'a'`, `x"y"z`), or None when it
/// holds an escape, or a variable that BuildKit expands (`literal` when it
/// does not: `$X` is then taken as written), or a quote is not closed.
pub(super) fn unquote(word: &str, literal: bool) -> Option<String> {
    if word.contains('\\') || (!literal && word.contains('$')) {
        return None;
    }
    let mut out = String::with_capacity(word.len());
    let mut quote = None;
    for c in word.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            _ => out.push(c),
        }
    }
    quote.is_none().then_some(out)
}

/// The checks on one flag's value (`text`, unquoted and without `$`),
/// reported on `target`.
fn value_errors<S: Source + ?Sized>(
    instruction: Node,
    name: &str,
    text: &str,
    target: Node,
    source: &S,
    out: &mut Vec<SyntaxError>,
) {
    let mut error = |message: String| out.push(at(target, message));
    if BOOL_FLAGS.contains(&name) {
        if !text.is_empty()
            && !text.eq_ignore_ascii_case("true")
            && !text.eq_ignore_ascii_case("false")
        {
            error(format!(
                "expecting boolean value for flag --{name}, not: {text}"
            ));
        }
        return;
    }
    match name {
        _ if DURATION_FLAGS.contains(&name) => {
            if text.is_empty() {
                return;
            }
            match parse_duration(text) {
                Err(message) => error(message),
                Ok(nanos) if nanos != 0.0 && nanos < 1e6 => {
                    error(format!("Interval \"{name}\" cannot be less than 1ms"))
                }
                Ok(_) => {}
            }
        }
        "retries" if !text.is_empty() => match values::parse_int32(text) {
            Err(reason) => error(format!("strconv.ParseInt: parsing \"{text}\": {reason}")),
            Ok(n) if n < 0 => error(format!("--retries cannot be negative ({n})")),
            Ok(_) => {}
        },
        "network" if !["none", "host", "default"].contains(&text) => {
            error(format!("invalid network mode \"{text}\""))
        }
        "security" if !["insecure", "sandbox"].contains(&text) => {
            error(format!("security \"{text}\" is not valid"))
        }
        "chmod" if !text.is_empty() => {
            if let Err(message) = values::chmod(text) {
                error(message);
            }
        }
        "checksum" if !text.is_empty() => {
            if let Some(message) = sources::checksum_error(instruction, text, source) {
                error(message);
            }
        }
        _ => {}
    }
}

/// Whether BuildKit reads this instruction's flags at all: it never parses
/// those of ARG, STOPSIGNAL and `HEALTHCHECK NONE`, and an ONBUILD trigger
/// only when a stage is built from the one that holds it (an image built
/// from this one is out of sight).
fn flags_are_parsed<S: Source + ?Sized>(node: Node, keyword: &str, source: &S) -> bool {
    if let Some(onbuild) = node.parent().filter(|p| p.kind() == "onbuild_instruction") {
        if !triggered_in_file(onbuild, source) {
            return false;
        }
    }
    match keyword {
        "ARG" | "STOPSIGNAL" => false,
        "HEALTHCHECK" => !node
            .child_by_field_name("type")
            .is_some_and(|t| source.text(t.byte_range()).eq_ignore_ascii_case("NONE")),
        _ => true,
    }
}

/// Whether a later stage of the file is built `FROM` the stage holding
/// this ONBUILD, which runs its trigger.
fn triggered_in_file<S: Source + ?Sized>(onbuild: Node, source: &S) -> bool {
    let Some(stage) = onbuild.parent().filter(|s| s.kind() == "stage") else {
        return false;
    };
    let name = |from: Node, field| {
        from.child_by_field_name(field)
            .map(|n| logical_text(n, source).to_ascii_lowercase())
    };
    let Some(own) = stage
        .child_by_field_name("from")
        .and_then(|from| name(from, "name"))
    else {
        return false;
    };
    let Some(root) = stage.parent() else {
        return false;
    };
    let mut cursor = root.walk();
    let found = root
        .named_children(&mut cursor)
        .filter(|s| s.kind() == "stage" && s.start_byte() > stage.start_byte())
        .filter_map(|s| s.child_by_field_name("from"))
        .filter_map(|from| from.child_by_field_name("image"))
        .any(|image| {
            image.child_by_field_name("tag").is_none()
                && image.child_by_field_name("digest").is_none()
                && name(image, "name").as_deref() == Some(own.as_str())
        });
    found
}

/// Whether the file may be built by a labs frontend: a `# syntax=`
/// directive naming anything but a stable `docker/dockerfile` release (we
/// cannot tell what another frontend accepts).
fn labs_frontend<S: Source + ?Sized>(node: Node, source: &S) -> bool {
    let mut root = node;
    while let Some(parent) = root.parent() {
        root = parent;
    }
    let mut cursor = root.walk();
    let found = root
        .named_children(&mut cursor)
        .take_while(|n| n.kind() == "parser_directive")
        .any(|directive| {
            let text = |field| {
                directive
                    .child_by_field_name(field)
                    .map(|n| source.text(n.byte_range()).trim().to_string())
                    .unwrap_or_default()
            };
            text("name").eq_ignore_ascii_case("syntax")
                && !values::stable_dockerfile_frontend(&text("value"))
        });
    found
}

#[cfg(test)]
mod tests {
    use crate::syntax::{parse, syntax_errors};

    fn errors(text: &str) -> Vec<String> {
        let tree = parse(text);
        syntax_errors(&tree, text)
            .into_iter()
            .map(|e| e.message)
            .collect()
    }

    /// BuildKit accepts each of these (checked with buildkit-check): it
    /// never reads the flags of ARG, STOPSIGNAL, `HEALTHCHECK NONE` or of an
    /// ONBUILD trigger.
    #[test]
    fn flags_buildkit_never_reads_are_not_judged() {
        for text in [
            "ARG --x=1 a\nFROM alpine\n",
            "FROM alpine\nARG --x=1 a\n",
            "FROM alpine\nSTOPSIGNAL --chown=1 --chown=2 9\n",
            "FROM alpine\nHEALTHCHECK --interval=5 --foo NONE\n",
            "FROM alpine\nONBUILD RUN --foo true\n",
            "FROM alpine\nONBUILD RUN --mount=type=bogus true\n",
            "FROM alpine\nONBUILD COPY --chmod=9 a b\n",
        ] {
            assert_eq!(errors(text), Vec::<String>::new(), "{text}");
        }
    }

    /// A stage built from the one that holds an ONBUILD runs its trigger:
    /// BuildKit then rejects these (on the child's FROM line).
    #[test]
    fn a_trigger_run_in_the_file_is_judged() {
        for text in [
            "FROM alpine AS a\nONBUILD RUN --foo true\nFROM a\n",
            "FROM alpine AS A\nONBUILD COPY --chmod=u+q x y\nFROM alpine\nFROM a\n",
        ] {
            assert_eq!(errors(text).len(), 1, "{text}");
        }
        // Not run: the name is an image (a tag), or no stage is built from it.
        for text in [
            "FROM alpine AS a\nONBUILD RUN --foo true\nFROM a:latest\n",
            "FROM a AS a\nONBUILD RUN --foo true\n",
        ] {
            assert_eq!(errors(text), Vec::<String>::new(), "{text}");
        }
    }

    /// BuildKit judges these flags before it expands anything: `$NET` is
    /// an invalid network mode; `--chmod=$M` waits for the expansion.
    #[test]
    fn some_values_are_taken_as_written() {
        for (text, message) in [
            (
                "FROM alpine\nRUN --network=$NET true\n",
                "invalid network mode \"$NET\"",
            ),
            (
                "FROM alpine\nRUN --security=$S true\n",
                "security \"$S\" is not valid",
            ),
            (
                "FROM alpine\nCOPY --link=$L a b\n",
                "expecting boolean value for flag --link, not: $L",
            ),
            (
                "FROM alpine\nHEALTHCHECK --interval=$I CMD true\n",
                "time: invalid duration \"$I\"",
            ),
            (
                "FROM alpine\nHEALTHCHECK --retries=${R} CMD true\n",
                "strconv.ParseInt: parsing \"${R}\": invalid syntax",
            ),
        ] {
            assert_eq!(errors(text), vec![message.to_string()], "{text}");
        }
        for text in [
            "FROM alpine\nCOPY --chmod=$M a b\n",
            "FROM alpine\nADD --checksum=$C https://example.com/a b\n",
        ] {
            assert_eq!(errors(text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn device_is_left_to_a_labs_frontend() {
        let device = "FROM alpine\nRUN --device=/dev/fuse true\n";
        assert_eq!(errors(device).len(), 1);
        for syntax in ["docker/dockerfile:1", "docker.io/docker/dockerfile:1.7"] {
            let text = format!("# syntax={syntax}\n{device}");
            assert_eq!(errors(&text).len(), 1, "{text}");
        }
        for syntax in [
            "docker/dockerfile:1-labs",
            "docker/dockerfile:1.14-labs",
            "example/frontend",
        ] {
            let text = format!("# syntax={syntax}\n{device}");
            assert_eq!(errors(&text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn repeatable_flags_are_not_duplicates() {
        for text in [
            "FROM alpine\nCOPY --exclude=a --exclude=b a b\n",
            "FROM alpine\nRUN --mount=type=tmpfs,target=/a --mount=type=tmpfs,target=/b true\n",
        ] {
            assert_eq!(errors(text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn values_buildkit_accepts() {
        for text in [
            "FROM alpine\nCOPY --chmod= a b\n",
            "FROM alpine\nCOPY --chmod=u=rwx,go=rx a b\n",
            "FROM alpine\nCOPY --link=TRUE a b\n",
            "FROM alpine\nHEALTHCHECK --retries=+3 --interval= CMD true\n",
            "FROM alpine\nADD --checksum= https://example.com/a b\n",
            "FROM alpine\nADD --checksum=abc https://github.com/a/b.git b\n",
            "FROM alpine\nADD --checksum=abc git@github.com:a/b.git b\n",
            "FROM alpine\nADD https://github.com/a/b.git?keep-git-dir /src\n",
            "FROM alpine\nADD https://github.com/a/b.git#main?ref=dev /src\n",
            "FROM alpine\nADD https://example.com/a?foo=1 /src\n",
            "FROM alpine\nADD --checksum=abc https://github.com/a/b.git?commit=abc /src\n",
        ] {
            assert_eq!(errors(text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn a_misspelled_mount_key_gets_a_quick_fix() {
        let text = "FROM alpine\nRUN --mount=type=cache,tagret=/x true\n";
        let tree = parse(text);
        let errors = syntax_errors(&tree, text);
        let (range, replacement) = errors[0].suggestion.clone().expect("a quick fix");
        assert_eq!(&text[range], "tagret");
        assert_eq!(replacement, "target");
    }
}
