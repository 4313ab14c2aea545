//! Completion: instructions (with snippets), the flags of an instruction,
//! mount types and options, earlier stages after `--from=` / `from=`,
//! variables after `$` / `${`, and parser directives at the top.

use std::ops::Range;

use tree_sitter::Tree;

use crate::analysis::variables::PREDEFINED;
use crate::analysis::Analysis;
use crate::syntax::{self, Source};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Keyword,
    Flag,
    Stage,
    Variable,
    Directive,
    Value,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub kind: ItemKind,
    /// One line shown beside the label.
    pub detail: Option<String>,
    /// The text inserted for a client without snippets (`COPY `); `None`:
    /// the label.
    pub insert: Option<String>,
    /// Snippet text (`${1:placeholder}`) for a client with snippets, when it
    /// differs from the plain text.
    pub snippet: Option<String>,
    /// The text the item replaces: from the start of what is typed to the
    /// cursor.
    pub replace: Range<usize>,
    /// The end of the word under the cursor (at or after `replace.end`): a
    /// client with insert-replace support may replace up to it.
    pub word_end: usize,
    /// A deprecated form (MAINTAINER): the client strikes it through.
    pub deprecated: bool,
    /// The key of its documentation, resolved lazily by
    /// [`documentation`] (`completionItem/resolve`).
    pub doc: Option<String>,
}

/// The documentation (markdown) of a completion item, by its `doc` key.
pub fn documentation(key: &str) -> Option<String> {
    let (kind, rest) = key.split_once(':')?;
    match kind {
        "keyword" => super::docs::keyword(rest),
        "flag" => {
            let (keyword, flag) = rest.split_once(':')?;
            super::docs::flag(keyword, flag)
        }
        "directive" => super::docs::directive(rest),
        _ => None,
    }
}

const INSTRUCTIONS: &[(&str, &str)] = &[
    ("FROM", "FROM ${1:image} AS ${2:name}"),
    ("RUN", "RUN ${1:command}"),
    ("CMD", "CMD [\"${1:executable}\"]"),
    ("LABEL", "LABEL ${1:key}=\"${2:value}\""),
    ("EXPOSE", "EXPOSE ${1:port}"),
    ("ENV", "ENV ${1:NAME}=${2:value}"),
    ("ADD", "ADD ${1:source} ${2:destination}"),
    ("COPY", "COPY ${1:source} ${2:destination}"),
    ("ENTRYPOINT", "ENTRYPOINT [\"${1:executable}\"]"),
    ("VOLUME", "VOLUME ${1:/data}"),
    ("USER", "USER ${1:user}"),
    ("WORKDIR", "WORKDIR ${1:/app}"),
    ("ARG", "ARG ${1:NAME}"),
    ("ONBUILD", "ONBUILD ${1:instruction}"),
    ("STOPSIGNAL", "STOPSIGNAL ${1:SIGTERM}"),
    (
        "HEALTHCHECK",
        "HEALTHCHECK --interval=${1:30s} CMD ${2:command}",
    ),
    ("SHELL", "SHELL [\"${1:/bin/sh}\", \"-c\"]"),
    ("MAINTAINER", "MAINTAINER ${1:name}"),
];

/// The flags offered after `--`: those BuildKit accepts on the
/// instruction, less the ones that need a labs frontend (`RUN --device`).
fn flags_of(keyword: &str) -> impl Iterator<Item = &'static str> {
    crate::syntax::accepted_flags(keyword)
        .iter()
        .copied()
        .filter(|flag| *flag != "device")
}

const MOUNT_TYPES: &[&str] = &["bind", "cache", "tmpfs", "secret", "ssh"];

fn mount_options(mount_type: &str) -> &'static [&'static str] {
    match mount_type {
        "cache" => &[
            "id", "target", "ro", "sharing", "from", "source", "mode", "uid", "gid",
        ],
        "tmpfs" => &["target", "size"],
        "secret" => &["id", "target", "env", "required", "mode", "uid", "gid"],
        "ssh" => &["id", "target", "required", "mode", "uid", "gid"],
        _ => &["target", "source", "from", "rw"],
    }
}

fn item(label: &str, kind: ItemKind, replace: &Range<usize>) -> Item {
    Item {
        label: label.to_string(),
        kind,
        detail: None,
        insert: None,
        snippet: None,
        replace: replace.clone(),
        word_end: replace.end,
        deprecated: false,
        doc: None,
    }
}

/// The word being typed: trailing characters of `prefix` in `chars`.
fn partial(prefix: &str, word: impl Fn(char) -> bool) -> &str {
    let start = prefix
        .rfind(|c: char| !word(c))
        .map_or(0, |i| i + prefix[i..].chars().next().unwrap().len_utf8());
    &prefix[start..]
}

/// At most this many stages are offered after `--from=`: the nearest ones
/// matching what is typed, the list marked incomplete so that the editor
/// asks again as the user types (a file of 10,000 stages stays instant).
pub const MAX_STAGE_ITEMS: usize = 100;

/// The completions at `offset`, and whether the list was cut short.
#[derive(Default)]
pub struct Completions {
    pub items: Vec<Item>,
    pub incomplete: bool,
}

impl FromIterator<Item> for Completions {
    fn from_iter<I: IntoIterator<Item = Item>>(items: I) -> Self {
        Completions {
            items: items.into_iter().collect(),
            incomplete: false,
        }
    }
}

/// Whether `typed` occurs in `name` in order (not necessarily together),
/// ignoring case, as editors filter.
fn fuzzy_match(typed: &str, name: &str) -> bool {
    let mut name = name.chars().flat_map(char::to_lowercase);
    typed
        .chars()
        .flat_map(char::to_lowercase)
        .all(|t| name.any(|n| n == t))
}

/// The completions at `offset`.
pub fn complete<S: Source + ?Sized>(
    tree: &Tree,
    source: &S,
    analysis: &Analysis,
    offset: usize,
) -> Completions {
    let graph = &analysis.stages;
    let line_start = source.line_start(offset);
    let prefix = source.text(line_start..offset);
    let prefix = prefix.as_ref();
    let name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');

    // Stages after `--from=` (COPY/ADD) or `from=` (in a --mount).
    let typed = partial(prefix, name_char);
    let before = &prefix[..prefix.len() - typed.len()];
    let replace = offset - typed.len()..offset;
    if before.ends_with("--from=") || (before.ends_with("from=") && prefix.contains("--mount=")) {
        // The stage the cursor is in: the last FROM before it (a half-typed
        // line may sit in an error node outside the stage).
        let current = graph
            .stages
            .iter()
            .take_while(|s| s.from_range.start < offset)
            .count()
            .saturating_sub(1);
        let label = |s: &crate::analysis::stages::Stage| {
            s.name.clone().unwrap_or_else(|| s.index.to_string())
        };
        let matching: Vec<_> = graph.stages[..current]
            .iter()
            .filter(|s| fuzzy_match(typed, &label(s)))
            .collect();
        let incomplete = matching.len() > MAX_STAGE_ITEMS;
        let nearest = &matching[matching.len().saturating_sub(MAX_STAGE_ITEMS)..];
        return Completions {
            items: nearest
                .iter()
                .map(|s| {
                    let mut i = item(&label(s), ItemKind::Stage, &replace);
                    i.detail = Some(format!("stage {}: FROM {}", s.index, s.base_text));
                    i
                })
                .collect(),
            incomplete,
        };
    }
    // Mount types and options.
    if prefix.contains("--mount=") && !before.ends_with(' ') {
        let mount = &prefix[prefix.rfind("--mount=").unwrap() + 8..];
        if !mount.contains(' ') {
            if before.ends_with("type=") {
                return MOUNT_TYPES
                    .iter()
                    .map(|t| item(t, ItemKind::Value, &replace))
                    .collect();
            }
            if before.ends_with(',') || before.ends_with("--mount=") {
                let mount_type = mount
                    .split(',')
                    .find_map(|o| o.strip_prefix("type="))
                    .unwrap_or("bind");
                let mut out: Vec<Item> = mount_options(mount_type)
                    .iter()
                    .map(|o| item(o, ItemKind::Value, &replace))
                    .collect();
                if !mount.contains("type=") {
                    out.insert(0, item("type", ItemKind::Value, &replace));
                }
                return out.into_iter().collect();
            }
        }
    }
    // Variables after `$` or `${`.
    let var_typed = partial(prefix, |c| c.is_ascii_alphanumeric() || c == '_');
    let var_before = &prefix[..prefix.len() - var_typed.len()];
    if var_before.ends_with('$') || var_before.ends_with("${") {
        let replace = offset - var_typed.len()..offset;
        let mut names: Vec<String> = analysis
            .variables
            .defs
            .iter()
            .filter(|d| d.name_range.start < offset)
            .map(|d| d.name.clone())
            .collect();
        names.extend(PREDEFINED.iter().map(|s| s.to_string()));
        names.sort();
        names.dedup();
        return names
            .iter()
            .map(|n| item(n, ItemKind::Variable, &replace))
            .collect();
    }
    // Flags of the instruction: the word being typed starts with `--`.
    let word = partial(prefix, |c| !c.is_whitespace());
    let word_start = prefix.len() - word.len();
    if word.starts_with("--") && !word.contains('=') {
        let words: Vec<&str> = prefix[..word_start].split_whitespace().collect();
        let keyword_at = usize::from(
            words
                .first()
                .is_some_and(|w| w.eq_ignore_ascii_case("ONBUILD")),
        );
        if let Some(keyword) = words.get(keyword_at) {
            let keyword = keyword.to_ascii_uppercase();
            if words[keyword_at + 1..].iter().all(|w| w.starts_with("--")) {
                let replace = line_start + word_start..offset;
                return flags_of(&keyword)
                    .map(|f| {
                        let mut i = item(&format!("--{f}"), ItemKind::Flag, &replace);
                        if !matches!(f, "link" | "parents" | "keep-git-dir" | "unpack") {
                            i.snippet = Some(format!("--{f}=$1"));
                        }
                        i
                    })
                    .collect();
            }
        }
    }
    // Parser directives, before any instruction.
    let trimmed = prefix.trim_start();
    if let Some(rest) = trimmed.strip_prefix('#') {
        let first_instruction = syntax::instructions(tree)
            .first()
            .map_or(usize::MAX, |n| n.start_byte());
        if offset <= first_instruction && rest.trim_start().chars().all(|c| c.is_ascii_alphabetic())
        {
            let typed = rest.trim_start();
            let replace = offset - typed.len()..offset;
            return [
                ("syntax", "syntax=${1:docker/dockerfile:1}"),
                ("escape", "escape=${1:`}"),
                ("check", "check=skip=${1:rule}"),
            ]
            .iter()
            .map(|(label, snippet)| {
                let mut i = item(label, ItemKind::Directive, &replace);
                i.snippet = Some(snippet.to_string());
                i
            })
            .collect();
        }
        return Completions::default();
    }
    // Instructions at the start of a line that is not a continued one.
    if trimmed.chars().all(|c| c.is_ascii_alphabetic())
        && !continues_previous_line(source, line_start)
    {
        let replace = offset - trimmed.len()..offset;
        return INSTRUCTIONS
            .iter()
            .map(|(keyword, snippet)| {
                let mut i = item(keyword, ItemKind::Keyword, &replace);
                i.snippet = Some(snippet.to_string());
                i
            })
            .collect();
    }
    Completions::default()
}

/// Whether the line before `line_start` ends with a continuation.
fn continues_previous_line<S: Source + ?Sized>(source: &S, line_start: usize) -> bool {
    if line_start == 0 {
        return false;
    }
    let previous = source.line_start(line_start - 1);
    let text = source.text(previous..line_start);
    let line = text.trim_end_matches(['\n', '\r']).trim_end();
    line.ends_with('\\') || line.ends_with('`')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;
    use crate::syntax;

    #[test]
    fn every_offered_flag_is_one_buildkit_accepts() {
        for keyword in ["FROM", "RUN", "COPY", "ADD", "HEALTHCHECK"] {
            let src = format!("FROM a\n{keyword} --");
            let tree = syntax::parse(&src);
            let analysis = Analysis::build(&tree, src.as_str());
            let found = complete(&tree, src.as_str(), &analysis, src.len());
            let labels: Vec<&str> = found.items.iter().map(|i| i.label.as_str()).collect();
            assert!(!labels.is_empty(), "{keyword}: nothing offered");
            for label in &labels {
                let used = format!("FROM a\n{keyword} {label}=1 x y\n");
                let tree = syntax::parse(&used);
                for error in syntax::syntax_errors(&tree, used.as_str()) {
                    assert!(
                        !error.message.starts_with("unknown flag"),
                        "{keyword} {label} is offered but BuildKit rejects it: {}",
                        error.message
                    );
                }
            }
            if keyword == "ADD" {
                assert!(!labels.contains(&"--from"), "{labels:?}");
            }
        }
    }

    #[test]
    fn a_multi_byte_space_before_the_word_is_a_boundary() {
        // U+2028 is whitespace three bytes long
        let src = "FROM a\nRUN echo\u{2028}--fo";
        let tree = syntax::parse(src);
        let analysis = Analysis::build(&tree, src);
        let found = complete(&tree, src, &analysis, src.len());
        for item in &found.items {
            assert!(src.is_char_boundary(item.replace.start));
        }
    }
}
