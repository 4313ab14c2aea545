//! Checks of COPY/ADD that depend on the instruction's sources:
//! `--checksum` needs one HTTP(S) or Git source, an HTTP source's checksum
//! must be a valid digest, and a Git URL's query (`?ref=...`) must agree
//! with itself and with `--keep-git-dir` and `--checksum`.

use tree_sitter::Node;

use super::values::digest;
use crate::syntax::errors::SyntaxError;
use crate::syntax::validate::at;
use crate::syntax::{logical_text, Source};

/// The sources of a COPY/ADD (every argument but the last), or None when
/// one of them is not known statically (a variable, a heredoc, an escape).
fn sources<S: Source + ?Sized>(instruction: Node, source: &S) -> Option<Vec<String>> {
    Some(
        source_nodes(instruction, source)?
            .into_iter()
            .map(|(_, text)| text)
            .collect(),
    )
}

/// The sources with their nodes.
fn source_nodes<'t, S: Source + ?Sized>(
    instruction: Node<'t>,
    source: &S,
) -> Option<Vec<(Node<'t>, String)>> {
    let mut words = Vec::new();
    if let Some(exec) = instruction.child_by_field_name("exec") {
        let mut cursor = exec.walk();
        for string in exec.named_children(&mut cursor) {
            if string.kind() != "json_string" {
                continue;
            }
            let text = logical_text(string, source);
            let inner = text.strip_prefix('"')?.strip_suffix('"')?;
            if inner.contains('\\') {
                return None;
            }
            words.push((string, inner.to_string()));
        }
    } else {
        let mut cursor = instruction.walk();
        for path in instruction.children_by_field_name("path", &mut cursor) {
            let text = logical_text(path, source);
            if text.contains(['"', '\'', '\\']) {
                return None;
            }
            words.push((path, text));
        }
    }
    words.pop()?;
    if words
        .iter()
        .any(|(_, w)| w.contains('$') || w.starts_with("<<"))
    {
        return None;
    }
    Some(words)
}

fn is_http(src: &str) -> bool {
    src.starts_with("http://") || src.starts_with("https://")
}

/// Whether a source may be a Git repository (BuildKit's `ParseGitRef`
/// accepts more forms than we model: any of them silences the check).
fn may_be_git(src: &str) -> bool {
    src.contains(".git")
        || src.contains("://")
        || src.contains('@')
        || src.starts_with("github.com/")
}

/// The error of `ADD --checksum=<text>` for this instruction's sources.
pub(super) fn checksum_error<S: Source + ?Sized>(
    instruction: Node,
    text: &str,
    source: &S,
) -> Option<String> {
    let sources = sources(instruction, source)?;
    match sources.as_slice() {
        [] => None,
        [src] if is_http(src) && !may_be_git_http(src) => digest(text).err().map(String::from),
        [src] if !may_be_git(src) => Some("checksum requires HTTP(S) or Git sources".into()),
        [_] => None,
        _ => Some("checksum can't be specified for multiple sources".into()),
    }
}

/// An HTTP(S) URL that BuildKit reads as a Git repository: its path ends
/// in `.git` (we also treat any `.git` in it so).
fn may_be_git_http(src: &str) -> bool {
    src.contains(".git")
}

/// The flags of a COPY/ADD that a Git source's query must agree with.
pub(super) struct GitFlags {
    /// `--keep-git-dir`, when given.
    pub keep_git_dir: Option<bool>,
    /// `--checksum`, when given and known.
    pub checksum: Option<String>,
}

/// The query and fragment of a source BuildKit reads as a Git URL
/// (`git://`, `ssh://`, `git@host:path`, or an HTTP(S) URL whose path ends
/// in `.git`), or None.
fn git_parts(src: &str) -> Option<(Option<&str>, Option<&str>)> {
    let (before_fragment, fragment) = match src.split_once('#') {
        Some((a, b)) => (a, Some(b)),
        None => (src, None),
    };
    let (path, query) = match before_fragment.split_once('?') {
        Some((a, b)) => (a, Some(b)),
        None => (before_fragment, None),
    };
    let git = src.starts_with("git://")
        || src.starts_with("ssh://")
        || (src.starts_with("git@") && src.contains(':'))
        || (is_http(src) && path.ends_with(".git"));
    git.then_some((query, fragment))
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// BuildKit's reading of a Git URL's query and fragment, and its checks
/// against the flags: the first error.
fn git_error(src: &str, flags: &GitFlags) -> Option<String> {
    let (query, fragment) = git_parts(src)?;
    let query = query?;
    if query.contains(['%', '+', ';']) {
        // Escapes and separators of Go's query parser: not modelled.
        return None;
    }
    let (mut reference, mut subdir) = match fragment {
        Some(fragment) => match fragment.split_once(':') {
            Some((r, s)) => (r.to_string(), s.to_string()),
            None => (fragment.to_string(), String::new()),
        },
        None => (String::new(), String::new()),
    };
    let pairs: Vec<(&str, &str)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .collect();
    let (mut tag, mut branch, mut checksum, mut keep_git_dir) = ("", "", "", None);
    for (i, (key, value)) in pairs.iter().enumerate() {
        if pairs[..i]
            .iter()
            .chain(&pairs[i + 1..])
            .any(|(k, _)| k == key)
        {
            return Some(format!("query \"{key}\" has multiple values"));
        }
        let bare = value.is_empty();
        if bare && *key != "submodules" && *key != "keep-git-dir" {
            return Some(format!("query \"{key}\" has no value"));
        }
        match *key {
            "ref" => {
                if !reference.is_empty() && reference != *value {
                    return Some(format!("ref conflicts: \"{reference}\" vs \"{value}\""));
                }
                reference = value.to_string();
            }
            "tag" => tag = value,
            "branch" => branch = value,
            "subdir" => {
                if !subdir.is_empty() && subdir != *value {
                    return Some(format!("subdir conflicts: \"{subdir}\" vs \"{value}\""));
                }
                subdir = value.to_string();
            }
            "checksum" | "commit" => checksum = value,
            "keep-git-dir" | "submodules" => {
                let parsed = if bare { Some(true) } else { parse_bool(value) };
                let Some(parsed) = parsed else {
                    return Some(format!("invalid {key} value: \"{value}\""));
                };
                if *key == "keep-git-dir" {
                    keep_git_dir = Some(parsed);
                }
            }
            _ => return Some(format!("unexpected query \"{key}\"")),
        }
    }
    if !tag.is_empty() {
        let tag_ref = format!("refs/tags/{tag}");
        if !reference.is_empty() && reference != tag_ref {
            return Some(format!("ref conflicts: \"{reference}\" vs \"{tag_ref}\""));
        }
        reference = tag_ref;
    }
    if !branch.is_empty() {
        if !tag.is_empty() {
            return Some("branch conflicts with tag".into());
        }
        let branch_ref = format!("refs/heads/{branch}");
        if !reference.is_empty() && reference != branch_ref {
            return Some(format!(
                "ref conflicts: \"{reference}\" vs \"{branch_ref}\""
            ));
        }
    }
    if let (Some(flag), Some(query)) = (flags.keep_git_dir, keep_git_dir) {
        if flag != query {
            return Some("inconsistent keep-git-dir configuration".into());
        }
    }
    if let Some(flag) = &flags.checksum {
        if !checksum.is_empty() && flag != checksum {
            return Some(format!("checksum mismatch \"{flag}\" != \"{checksum}\""));
        }
    }
    None
}

/// The errors of the Git URLs among a COPY/ADD's sources, each on its source.
pub(super) fn git_source_errors<S: Source + ?Sized>(
    instruction: Node,
    flags: &GitFlags,
    source: &S,
    out: &mut Vec<SyntaxError>,
) {
    let Some(sources) = source_nodes(instruction, source) else {
        return;
    };
    for (node, src) in sources {
        if let Some(message) = git_error(&src, flags) {
            out.push(at(node, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(src: &str) -> Option<String> {
        let flags = GitFlags {
            keep_git_dir: None,
            checksum: None,
        };
        git_error(src, &flags)
    }

    #[test]
    fn git_queries() {
        let repo = "https://github.com/a/b.git";
        assert_eq!(error(&format!("{repo}?ref=main")), None);
        assert_eq!(error(&format!("{repo}#main?ref=dev")), None);
        assert_eq!(error("https://x.com/a?foo=1"), None);
        assert_eq!(error(&format!("{repo}?keep-git-dir")), None);
        assert_eq!(
            error(&format!("{repo}?foo=bar")).as_deref(),
            Some("unexpected query \"foo\"")
        );
        assert_eq!(
            error(&format!("{repo}?ref=a&ref=b")).as_deref(),
            Some("query \"ref\" has multiple values")
        );
        assert_eq!(
            error(&format!("{repo}?tag=v1#main")).as_deref(),
            Some("ref conflicts: \"main\" vs \"refs/tags/v1\"")
        );
        assert_eq!(
            error(&format!("{repo}?tag=v1&branch=x")).as_deref(),
            Some("branch conflicts with tag")
        );
        assert_eq!(
            error("git@github.com:a/b.git?foo=1").as_deref(),
            Some("unexpected query \"foo\"")
        );
    }
}
