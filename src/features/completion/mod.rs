//! Completion that knows where the cursor is: instructions at a line start
//! (and after ONBUILD), the flags of an instruction and their values
//! (`--platform=`, `--network=`, `--security=`, `--chmod=`, durations,
//! mount types and options, earlier stages after `--from=` / `from=`),
//! earlier stages after `FROM`, HEALTHCHECK's `CMD`/`NONE`, STOPSIGNAL
//! signals, SHELL shells, the variables in scope after `$` / `${`, and
//! parser directives and their values where a directive may go. Nothing
//! in comments, and only variables in heredoc bodies and shell text.

mod place;
#[cfg(test)]
mod tests;
mod variables;

use std::ops::Range;

use tree_sitter::Tree;

use super::docs;
use crate::analysis::Analysis;
use crate::syntax::Source;
use place::Place;

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

impl Item {
    fn new(label: &str, kind: ItemKind, replace: &Range<usize>, word_end: usize) -> Item {
        Item {
            label: label.to_string(),
            kind,
            detail: None,
            insert: None,
            snippet: None,
            replace: replace.clone(),
            word_end: word_end.max(replace.end),
            deprecated: false,
            doc: None,
        }
    }

    fn detail(mut self, detail: impl Into<String>) -> Item {
        self.detail = Some(detail.into());
        self
    }

    fn insert(mut self, text: impl Into<String>) -> Item {
        let text = text.into();
        self.insert = (text != self.label).then_some(text);
        self
    }

    fn doc(mut self, key: impl Into<String>) -> Item {
        self.doc = Some(key.into());
        self
    }
}

/// The documentation (markdown) of a completion item, by its `doc` key:
/// `keyword:COPY`, `flag:RUN:mount`, `directive:syntax`,
/// `value:network:host` (see [`docs::values`]), `value:rule:CODE`.
pub fn documentation(key: &str) -> Option<String> {
    let (kind, rest) = key.split_once(':')?;
    match kind {
        "keyword" => docs::keyword(rest),
        "flag" => {
            let (keyword, flag) = rest.split_once(':')?;
            docs::flag(keyword, flag)
        }
        "directive" => docs::directive(rest),
        "value" => {
            let (what, value) = rest.split_once(':')?;
            docs::value(what, value)
        }
        // The markdown itself, for the docs of one document's items
        // (stages, variables).
        "text" => Some(rest.to_string()),
        _ => None,
    }
}

/// Each instruction: its snippet and a one-line detail.
const INSTRUCTIONS: &[(&str, &str, &str)] = &[
    (
        "FROM",
        "FROM ${1:image} AS ${2:name}",
        "start a build stage from an image or a stage",
    ),
    ("RUN", "RUN ${1:command}", "run a command in a new layer"),
    (
        "CMD",
        "CMD [\"${1:executable}\"]",
        "the container's default command",
    ),
    (
        "LABEL",
        "LABEL ${1:key}=\"${2:value}\"",
        "add metadata to the image",
    ),
    (
        "EXPOSE",
        "EXPOSE ${1:port}",
        "document a port the container listens on",
    ),
    (
        "ENV",
        "ENV ${1:NAME}=${2:value}",
        "set an environment variable",
    ),
    (
        "ADD",
        "ADD ${1:source} ${2:destination}",
        "copy files, URLs or git repositories, unpacking archives",
    ),
    (
        "COPY",
        "COPY ${1:source} ${2:destination}",
        "copy files from the context, a stage or an image",
    ),
    (
        "ENTRYPOINT",
        "ENTRYPOINT [\"${1:executable}\"]",
        "the program the container runs",
    ),
    ("VOLUME", "VOLUME ${1:/data}", "declare a mount point"),
    (
        "USER",
        "USER ${1:user}",
        "the user the next instructions and the container run as",
    ),
    ("WORKDIR", "WORKDIR ${1:/app}", "set the working directory"),
    ("ARG", "ARG ${1:NAME}", "declare a build argument"),
    (
        "ONBUILD",
        "ONBUILD ${1:instruction}",
        "an instruction for the builds based on this image",
    ),
    (
        "STOPSIGNAL",
        "STOPSIGNAL ${1:SIGTERM}",
        "the signal that stops the container",
    ),
    (
        "HEALTHCHECK",
        "HEALTHCHECK --interval=${1:30s} CMD ${2:command}",
        "how to check that the container works",
    ),
    (
        "SHELL",
        "SHELL [\"${1:/bin/sh}\", \"-c\"]",
        "the shell of shell-form commands",
    ),
    (
        "MAINTAINER",
        "MAINTAINER ${1:name}",
        "deprecated: use LABEL org.opencontainers.image.authors",
    ),
];

/// Instructions BuildKit refuses as ONBUILD triggers.
const NOT_TRIGGERS: &[&str] = &["FROM", "ONBUILD", "MAINTAINER"];

/// The flags offered after `--`: those BuildKit accepts on the
/// instruction, less the ones that need a labs frontend (`RUN --device`).
fn flags_of(keyword: &str) -> impl Iterator<Item = &'static str> {
    crate::syntax::accepted_flags(keyword)
        .iter()
        .copied()
        .filter(|flag| *flag != "device")
}

/// Flags that take no value (`--link`, or `--link=true`).
const BOOL_FLAGS: &[&str] = &["link", "parents", "keep-git-dir", "unpack"];
/// Flags that may be given more than once.
const REPEATABLE_FLAGS: &[&str] = &["mount", "exclude", "device"];

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

fn mount_option_detail(mount_type: &str, option: &str) -> &'static str {
    match (mount_type, option) {
        (_, "type") => "the kind of mount: bind, cache, tmpfs, secret or ssh",
        (_, "target") => "where it is mounted in the container",
        ("secret" | "ssh", "id") => "the id given to docker build (--secret id=..., --ssh id)",
        (_, "id") => "the cache's name (default: its target)",
        (_, "ro") => "read-only",
        (_, "rw") => "writable (the writes are discarded)",
        (_, "sharing") => "shared, private or locked between concurrent builds",
        (_, "from") => "a stage or image to mount from",
        (_, "source") => "the path in the source to mount",
        (_, "mode") => "the file mode, octal",
        (_, "uid") => "the owner's user id",
        (_, "gid") => "the owner's group id",
        (_, "size") => "the size limit in bytes",
        (_, "env") => "the environment variable that gets the secret",
        (_, "required") => "fail the build when it is not given",
        _ => "mount option",
    }
}

/// The word being typed: trailing characters of `prefix` in `word`.
fn partial(prefix: &str, word: impl Fn(char) -> bool) -> &str {
    let start = prefix
        .rfind(|c: char| !word(c))
        .map_or(0, |i| i + prefix[i..].chars().next().unwrap().len_utf8());
    &prefix[start..]
}

/// The end of the word at `offset`: the ASCII characters of `class` that
/// follow it on the line.
fn word_end<S: Source + ?Sized>(source: &S, offset: usize, class: impl Fn(u8) -> bool) -> usize {
    let mut end = offset;
    while let Some(b) = source.byte_at(end) {
        if !b.is_ascii() || !class(b) {
            break;
        }
        end += 1;
    }
    end
}

/// The end of the line holding `offset`, trailing blanks left out.
fn line_end<S: Source + ?Sized>(source: &S, offset: usize) -> usize {
    let mut end = offset;
    while source
        .byte_at(end)
        .is_some_and(|b| !matches!(b, b'\n' | b'\r'))
    {
        end += 1;
    }
    offset + source.text(offset..end).trim_end().len()
}

/// Whether only blanks follow `offset` on its line.
fn rest_of_line_blank<S: Source + ?Sized>(source: &S, offset: usize) -> bool {
    let end = word_end(source, offset, |b| b == b' ' || b == b'\t');
    matches!(source.byte_at(end), None | Some(b'\n' | b'\r'))
}

fn name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

fn value_byte(b: u8) -> bool {
    !b.is_ascii_whitespace() && b != b','
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

/// What the cursor is in, for the completers.
struct At<'a, S: ?Sized> {
    source: &'a S,
    analysis: &'a Analysis,
    offset: usize,
    place: Place,
}

/// The completions at `offset`.
pub fn complete<S: Source + ?Sized>(
    tree: &Tree,
    source: &S,
    analysis: &Analysis,
    offset: usize,
) -> Completions {
    let at = At {
        source,
        analysis,
        offset,
        place: Place::at(tree, source, offset),
    };
    let trimmed = at.place.line_prefix.trim_start();
    if !at.place.in_heredoc && trimmed.is_empty() && !at.place.continued {
        // `|# comment`: the line is a comment, whatever is typed before it.
        let rest = line_end(source, offset);
        if source.text(offset..rest).trim_start().starts_with('#') {
            return Completions::default();
        }
    }
    if !at.place.in_heredoc && trimmed.starts_with('#') {
        // A comment: a directive where one may go, else nothing.
        return directives(&at).unwrap_or_default();
    }
    if at.place.in_heredoc {
        return variables::items(&at).unwrap_or_default();
    }
    if let Some(found) = mount(&at) {
        return found;
    }
    if let Some(found) = flag_value(&at) {
        return found;
    }
    if let Some(found) = variables::items(&at) {
        return found;
    }
    if let Some(found) = flags(&at) {
        return found;
    }
    if let Some(found) = arguments(&at) {
        return found;
    }
    if !at.place.continued && trimmed.chars().all(|c| c.is_ascii_alphabetic()) {
        return keywords(&at, |_| true);
    }
    Completions::default()
}

/// The keywords (those `keep` keeps), replacing the word being typed.
fn keywords<S: Source + ?Sized>(at: &At<S>, keep: impl Fn(&str) -> bool) -> Completions {
    let typed = partial(&at.place.line_prefix, |c| c.is_ascii_alphabetic());
    let replace = at.offset - typed.len()..at.offset;
    let end = word_end(at.source, at.offset, |b| b.is_ascii_alphabetic());
    // On a line that already has its arguments, only the keyword changes.
    let bare = !rest_of_line_blank(at.source, end);
    INSTRUCTIONS
        .iter()
        .filter(|(keyword, ..)| keep(keyword))
        .map(|(keyword, snippet, detail)| {
            let mut i = Item::new(keyword, ItemKind::Keyword, &replace, end)
                .detail(*detail)
                .doc(format!("keyword:{keyword}"));
            if !bare {
                i = i.insert(format!("{keyword} "));
                i.snippet = Some(snippet.to_string());
            }
            i.deprecated = *keyword == "MAINTAINER";
            i
        })
        .collect()
}

/// The stages before the instruction at the cursor (the cursor's own stage
/// left out unless `in_from`: a FROM line starts the next stage).
fn earlier_stages<'g, S: Source + ?Sized>(
    at: &'g At<S>,
    in_from: bool,
) -> &'g [crate::analysis::stages::Stage] {
    let stages = &at.analysis.stages.stages;
    let before = stages
        .iter()
        .take_while(|s| s.from_range.start < at.place.instruction_start)
        .count();
    &stages[..if in_from {
        before
    } else {
        before.saturating_sub(1)
    }]
}

/// Stage items matching `typed`, the nearest [`MAX_STAGE_ITEMS`].
/// The item replaces the word up to `class`'s end (a whole image
/// reference after `FROM`, up to a comma in a mount).
fn stage_items<S: Source + ?Sized>(
    at: &At<S>,
    stages: &[crate::analysis::stages::Stage],
    named_only: bool,
    typed: &str,
    class: impl Fn(u8) -> bool,
) -> Completions {
    let replace = at.offset - typed.len()..at.offset;
    let end = word_end(at.source, at.offset, class);
    let label =
        |s: &crate::analysis::stages::Stage| s.name.clone().unwrap_or_else(|| s.index.to_string());
    let mut seen = std::collections::HashSet::new();
    let mut matching: Vec<_> = stages
        .iter()
        .rev()
        .filter(|s| !named_only || s.name.is_some())
        .filter(|s| seen.insert(label(s).to_ascii_lowercase()))
        .filter(|s| fuzzy_match(typed, &label(s)))
        .collect();
    matching.reverse();
    let incomplete = matching.len() > MAX_STAGE_ITEMS;
    let nearest = &matching[matching.len().saturating_sub(MAX_STAGE_ITEMS)..];
    Completions {
        items: nearest
            .iter()
            .map(|s| {
                Item::new(&label(s), ItemKind::Stage, &replace, end)
                    .detail(format!("stage {}: FROM {}", s.index, s.base_text))
                    .doc(format!(
                        "text:**stage {}{}** — `FROM {}` (line {})",
                        s.index,
                        s.name
                            .as_deref()
                            .map_or_else(String::new, |n| format!(" `{n}`")),
                        s.base_text,
                        crate::document::position::line_breaks(
                            &at.source.text(0..s.from_range.start)
                        ) + 1
                    ))
            })
            .collect(),
        incomplete,
    }
}

/// Items for the values of a table of [`docs::values`].
fn value_items<S: Source + ?Sized>(
    at: &At<S>,
    what: &str,
    typed: &str,
    class: impl Fn(u8) -> bool,
) -> Vec<Item> {
    let replace = at.offset - typed.len()..at.offset;
    let end = word_end(at.source, at.offset, class);
    docs::values(what)
        .iter()
        .map(|v| {
            Item::new(v.label, ItemKind::Value, &replace, end)
                .detail(v.detail)
                .doc(format!("value:{what}:{}", v.label))
        })
        .collect()
}

/// Mount types and options inside a `--mount=` value, and the stages
/// after its `from=`.
fn mount<S: Source + ?Sized>(at: &At<S>) -> Option<Completions> {
    let prefix = at.place.line_prefix.as_str();
    let name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    let typed = partial(prefix, name_char);
    let before = &prefix[..prefix.len() - typed.len()];
    let flag = before.rfind("--mount=")?;
    let mount = &prefix[flag + 8..];
    if mount.contains(char::is_whitespace) {
        return None;
    }
    // Only RUN's own flag: in the command (`RUN docker run --mount=...`)
    // it is the command's argument.
    let w = words(&at.place)?;
    if w.keyword != "RUN" || !w.args.is_empty() || !current_word(&at.place).starts_with("--mount=")
    {
        return None;
    }
    if before.ends_with("from=") {
        return Some(stage_items(
            at,
            earlier_stages(at, false),
            false,
            typed,
            value_byte,
        ));
    }
    // BuildKit expands variables in the mount's options.
    if let Some(found) = variables::items(at) {
        return Some(found);
    }
    let replace = at.offset - typed.len()..at.offset;
    let end = word_end(at.source, at.offset, name_byte);
    // The other options: those before the one typed, and after it up to
    // the end of the word.
    let rest_end = word_end(at.source, at.offset, |b| !b.is_ascii_whitespace());
    let rest = at.source.text(end..rest_end);
    let after = rest.split_once(',').map_or("", |(_, a)| a);
    let current = mount[..mount.len() - typed.len()]
        .rsplit(',')
        .next()
        .unwrap_or("");
    let others: Vec<&str> = mount[..mount.len() - typed.len() - current.len()]
        .split(',')
        .chain(after.split(','))
        .filter(|o| !o.is_empty())
        .collect();
    if before.ends_with("type=") {
        // The types that take every other option given.
        let keys: Vec<&str> = others
            .iter()
            .map(|o| o.split_once('=').map_or(*o, |(k, _)| k))
            .collect();
        let known: Vec<&str> = keys
            .into_iter()
            .filter(|k| {
                ["bind", "cache", "tmpfs", "secret", "ssh"]
                    .iter()
                    .any(|t| mount_options(t).contains(k))
            })
            .collect();
        let mut items = value_items(at, "mount-type", typed, name_byte);
        items.retain(|i| known.iter().all(|k| mount_options(&i.label).contains(k)));
        return Some(items.into_iter().collect());
    }
    if before.ends_with(',') || before.ends_with("--mount=") {
        let mount_type = others
            .iter()
            .find_map(|o| o.strip_prefix("type="))
            .unwrap_or("bind");
        let given: Vec<&str> = others
            .iter()
            .map(|o| o.split_once('=').map_or(*o, |(k, _)| k))
            .collect();
        // `tar|get=/x` or `|target=/x`: an option written already, that
        // another name would not fit.
        if rest.starts_with('=') {
            return Some(Completions::default());
        }
        let option = |o: &str| {
            let mut i = Item::new(o, ItemKind::Value, &replace, end)
                .detail(mount_option_detail(mount_type, o))
                .doc(format!(
                    "text:**{o}** — `--mount` option: {}.",
                    mount_option_detail(mount_type, o)
                ));
            if !matches!(o, "ro" | "rw") {
                i = i.insert(format!("{o}="));
            }
            i
        };
        let mut out: Vec<Item> = Vec::new();
        if !given.contains(&"type") {
            out.push(option("type"));
        }
        out.extend(
            mount_options(mount_type)
                .iter()
                .filter(|o| !given.contains(o))
                .map(|o| option(o)),
        );
        return Some(out.into_iter().collect());
    }
    Some(Completions::default())
}

/// The instruction's words before the cursor's, split into the keyword,
/// its flags (`--name...`) and the arguments after them; `None` when an
/// argument comes before a flag (the flags are over).
struct Words<'p> {
    keyword: String,
    lower_case: bool,
    flags: Vec<&'p str>,
    args: Vec<&'p str>,
}

fn words(place: &Place) -> Option<Words<'_>> {
    let before = place.words_before();
    let (first, rest) = before.split_first()?;
    let flags: Vec<&str> = rest
        .iter()
        .copied()
        .take_while(|w| w.starts_with("--"))
        .collect();
    let args = rest[flags.len()..].to_vec();
    Some(Words {
        keyword: first.to_ascii_uppercase(),
        lower_case: first.chars().all(|c| c.is_ascii_lowercase()),
        flags,
        args,
    })
}

/// The word under the cursor on its line (up to the cursor).
fn current_word(place: &Place) -> &str {
    partial(&place.line_prefix, |c| !c.is_whitespace())
}

/// Values after `--name=` in the flags of an instruction.
fn flag_value<S: Source + ?Sized>(at: &At<S>) -> Option<Completions> {
    let word = current_word(&at.place);
    let (name, typed) = word.strip_prefix("--")?.split_once('=')?;
    let w = words(&at.place)?;
    if !w.args.is_empty() {
        return None;
    }
    let name = name.to_ascii_lowercase();
    let keyword = w.keyword.as_str();
    if !flags_of(keyword).any(|f| f == name) {
        return Some(Completions::default());
    }
    // BuildKit expands the values of the flags but --from
    // (`--chown=$USER`, `--chmod=$MODE`); --platform's are chosen below.
    if !matches!(name.as_str(), "from" | "platform") {
        if let Some(found) = variables::items(at) {
            return Some(found);
        }
    }
    let items: Vec<Item> = match name.as_str() {
        "from" => {
            let typed = partial(typed, |c| name_byte(c as u8) && c.is_ascii());
            return Some(stage_items(
                at,
                earlier_stages(at, false),
                false,
                typed,
                |b| !b.is_ascii_whitespace(),
            ));
        }
        "platform" => {
            let mut items = value_items(at, "platform", typed, value_byte);
            if typed.is_empty() || typed.starts_with('$') {
                let known: Vec<String> = items.iter().map(|i| i.label.clone()).collect();
                let vars = variables::scoped(at, true, typed, false, false);
                items.extend(vars.into_iter().filter(|v| {
                    !known.contains(&v.label) && variables::platform_valued(at, &v.label)
                }));
            }
            items
        }
        "network" | "security" | "chmod" => value_items(at, &name, typed, value_byte),
        "interval" | "timeout" | "start-period" | "start-interval" => {
            value_items(at, "duration", typed, value_byte)
        }
        _ => Vec::new(),
    };
    Some(items.into_iter().collect())
}

/// Flags after `-` where the instruction's flags go.
fn flags<S: Source + ?Sized>(at: &At<S>) -> Option<Completions> {
    let word = current_word(&at.place);
    if !word.starts_with('-') || word.contains('=') {
        return None;
    }
    let w = words(&at.place)?;
    if !w.args.is_empty() {
        return Some(Completions::default());
    }
    let replace = at.offset - word.len()..at.offset;
    Some(flag_items(at, &w, &replace).into_iter().collect())
}

fn flag_items<S: Source + ?Sized>(at: &At<S>, w: &Words, replace: &Range<usize>) -> Vec<Item> {
    let end = word_end(at.source, at.offset, |b| {
        b.is_ascii_alphanumeric() || b == b'-'
    });
    // `--fr|om=x`: the `=` is there already.
    let has_value = at.source.byte_at(end) == Some(b'=');
    let given: Vec<String> = w
        .flags
        .iter()
        .map(|f| {
            let name = f.trim_start_matches('-');
            name.split('=').next().unwrap_or(name).to_ascii_lowercase()
        })
        .collect();
    let keyword = w.keyword.as_str();
    flags_of(keyword)
        .filter(|f| REPEATABLE_FLAGS.contains(f) || !given.iter().any(|g| g == f))
        .map(|f| {
            let label = format!("--{f}");
            let insert = if BOOL_FLAGS.contains(&f) || has_value {
                label.clone()
            } else {
                format!("{label}=")
            };
            let mut i = Item::new(&label, ItemKind::Flag, replace, end)
                .detail(format!("{keyword} flag"))
                .insert(insert);
            if docs::flag(keyword, f).is_some() {
                i = i.doc(format!("flag:{keyword}:{f}"));
            }
            i
        })
        .collect()
}

/// The first arguments of instructions that take known words: a stage
/// after FROM (and `AS` after the image), an instruction after ONBUILD,
/// `CMD`/`NONE` after HEALTHCHECK, a signal after STOPSIGNAL, a shell
/// after SHELL.
fn arguments<S: Source + ?Sized>(at: &At<S>) -> Option<Completions> {
    let word = current_word(&at.place);
    let before = at.place.words_before();
    let onbuild = at
        .place
        .logical_prefix
        .split_whitespace()
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("ONBUILD"));
    if onbuild && before.is_empty() {
        return word
            .chars()
            .all(|c| c.is_ascii_alphabetic())
            .then(|| keywords(at, |k| !NOT_TRIGGERS.contains(&k)));
    }
    // The cursor before a flag (`FROM |--platform=...`): not an argument.
    if word.is_empty() && at.source.byte_at(at.offset) == Some(b'-') {
        return None;
    }
    let w = words(&at.place)?;
    let replace = at.offset - word.len()..at.offset;
    match (w.keyword.as_str(), w.args.len()) {
        ("FROM", 0) if !onbuild => {
            let typed = partial(word, |c| name_byte(c as u8) && c.is_ascii());
            (typed.len() == word.len()).then(|| {
                stage_items(at, earlier_stages(at, true), true, typed, |b| {
                    !b.is_ascii_whitespace()
                })
            })
        }
        ("FROM", 1) if !onbuild && word.chars().all(|c| c.is_ascii_alphabetic()) => {
            let label = if w.lower_case { "as" } else { "AS" };
            let end = word_end(at.source, at.offset, |b| b.is_ascii_alphabetic());
            Some(
                [Item::new(label, ItemKind::Keyword, &replace, end)
                    .detail("name this stage")
                    .insert(format!("{label} "))
                    .doc("keyword:FROM")]
                .into_iter()
                .collect(),
            )
        }
        ("HEALTHCHECK", 0) if word.chars().all(|c| c.is_ascii_alphabetic()) => {
            let mut items = value_items(at, "healthcheck", word, |b| b.is_ascii_alphabetic());
            // NONE takes no flags and no command.
            let end = word_end(at.source, at.offset, |b| b.is_ascii_alphabetic());
            if !w.flags.is_empty() || !rest_of_line_blank(at.source, end) {
                items.retain(|i| i.label != "NONE");
            }
            for i in &mut items {
                if i.label == "CMD" {
                    i.insert = Some("CMD ".into());
                }
            }
            let at_word = at
                .source
                .byte_at(at.offset)
                .is_some_and(|b| !b.is_ascii_whitespace());
            if word.is_empty() && !at_word {
                items.extend(flag_items(at, &w, &replace));
            }
            Some(items.into_iter().collect())
        }
        ("STOPSIGNAL", 0) => Some(
            value_items(at, "signal", word, value_byte)
                .into_iter()
                .collect(),
        ),
        ("SHELL", 0) => {
            // The whole array written after the cursor is replaced.
            let mut items = value_items(at, "shell", word, |b| !b.is_ascii_whitespace());
            if at.source.byte_at(at.offset) == Some(b'[') || word.starts_with('[') {
                let end = line_end(at.source, at.offset);
                for i in &mut items {
                    i.word_end = end;
                }
            }
            Some(items.into_iter().collect())
        }
        _ => None,
    }
}

/// Whether a line is a parser directive BuildKit reads (`# syntax=...`).
fn is_directive_line(line: &str) -> bool {
    let Some(rest) = line.trim_start().strip_prefix('#') else {
        return false;
    };
    let Some((name, value)) = rest.split_once('=') else {
        return false;
    };
    matches!(
        name.trim().to_ascii_lowercase().as_str(),
        "syntax" | "escape" | "check"
    ) && !value.trim().is_empty()
}

/// The directive lines right below the cursor's line.
fn directives_below<S: Source + ?Sized>(at: &At<S>) -> Vec<String> {
    let mut out = Vec::new();
    let mut at_line = line_end(at.source, at.offset);
    loop {
        // past the line break
        while matches!(at.source.byte_at(at_line), Some(b' ' | b'\t')) {
            at_line += 1;
        }
        match at.source.byte_at(at_line) {
            Some(b'\r') if at.source.byte_at(at_line + 1) == Some(b'\n') => at_line += 2,
            Some(b'\n' | b'\r') => at_line += 1,
            _ => return out,
        }
        let end = line_end(at.source, at_line);
        let line = at.source.text(at_line..end).into_owned();
        if !is_directive_line(&line) {
            return out;
        }
        out.push(line);
        at_line = end;
    }
}

/// Directive names and values on a comment line where a directive may go:
/// every line above it is a directive.
fn directives<S: Source + ?Sized>(at: &At<S>) -> Option<Completions> {
    let above = at.source.text(0..at.place.line_start);
    let above = above.strip_prefix('\u{feff}').unwrap_or(&above);
    // (BuildKit reads `# check=` below a `#!` first line too)
    if !above
        .lines()
        .enumerate()
        .all(|(n, line)| is_directive_line(line) || (n == 0 && line.starts_with("#!")))
    {
        return None;
    }
    let prefix = at.place.line_prefix.trim_start();
    let prefix = prefix.strip_prefix('\u{feff}').unwrap_or(prefix);
    let rest = prefix.strip_prefix('#')?.trim_start();
    let Some((name, value)) = rest.split_once('=') else {
        if !rest.chars().all(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        let replace = at.offset - rest.len()..at.offset;
        let end = word_end(at.source, at.offset, |b| b.is_ascii_alphabetic());
        // `# sy|ntax=...`: the name only changes.
        let has_value = at.source.byte_at(end) == Some(b'=');
        // BuildKit refuses a directive given twice: the names the other
        // directive lines (above, and the block below) use are left out.
        let below = directives_below(at);
        let mut used: Vec<String> = above
            .lines()
            .chain(below.iter().map(String::as_str))
            .filter(|l| is_directive_line(l))
            .filter_map(|l| {
                let name = l.trim_start().strip_prefix('#')?.split_once('=')?.0;
                Some(name.trim().to_ascii_lowercase())
            })
            .collect();
        used.dedup();
        return Some(
            [
                (
                    "syntax",
                    "syntax=${1:docker/dockerfile:1}",
                    "the frontend that builds this file",
                ),
                ("escape", "escape=${1:`}", "the escape character (\\ or `)"),
                (
                    "check",
                    "check=skip=${1:rule}",
                    "which build checks run, and whether they fail the build",
                ),
            ]
            .iter()
            .filter(|(label, ..)| !used.iter().any(|u| u == label))
            .map(|(label, snippet, detail)| {
                let mut i = Item::new(label, ItemKind::Directive, &replace, end)
                    .detail(format!("parser directive: {detail}"))
                    .doc(format!("directive:{label}"));
                if !has_value {
                    i = i.insert(format!("{label}="));
                    i.snippet = Some(snippet.to_string());
                }
                i
            })
            .collect(),
        );
    };
    let value = value.trim_start();
    let items = match name.trim().to_ascii_lowercase().as_str() {
        // (the value written after the cursor is replaced, up to the line end)
        what @ ("syntax" | "escape") => {
            let end = line_end(at.source, at.offset);
            let mut items = value_items(at, what, value, |b| !b.is_ascii_whitespace());
            for i in &mut items {
                i.word_end = end;
            }
            items
        }
        "check" => {
            let option = value.rsplit(';').next().unwrap_or(value);
            // The options written before the cursor's and after it: given.
            let after = at.source.text(at.offset..line_end(at.source, at.offset));
            let after = after.split_whitespace().next().unwrap_or("").to_string();
            let later: Vec<&str> = after.split(';').skip(1).collect();
            let earlier: Vec<&str> = value.split(';').collect();
            let given: Vec<String> = earlier[..earlier.len() - 1]
                .iter()
                .chain(&later)
                .map(|o| {
                    o.split('=')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_ascii_lowercase()
                })
                .collect();
            match option.split_once('=') {
                None => {
                    let end = word_end(at.source, at.offset, |b| b.is_ascii_alphabetic());
                    // `# check=sk|ip=...`: the key only changes.
                    let has_value = at.source.byte_at(end) == Some(b'=');
                    let mut items = value_items(at, "check", option, |b| b.is_ascii_alphabetic());
                    items.retain(|i| {
                        let key = i.label.split('=').next().unwrap_or("");
                        !given.iter().any(|g| g == key)
                    });
                    if has_value {
                        items.retain(|i| i.label != "error=false");
                        for i in &mut items {
                            let key = i.label.split('=').next().unwrap_or("").to_string();
                            i.label = key.clone();
                            i.insert = None;
                        }
                    }
                    items
                }
                Some((key, list)) => {
                    let typed = partial(list, |c| !c.is_whitespace() && !matches!(c, ',' | ';'));
                    let replace = at.offset - typed.len()..at.offset;
                    let end = word_end(at.source, at.offset, |b| b.is_ascii_alphanumeric());
                    // BuildKit's skip list knows only its own checks; ours
                    // are silenced by this server (the detail says which).
                    let rule = |r: &crate::rules::Rule| {
                        let source = if r.group == crate::rules::Group::BuildKit {
                            "BuildKit check"
                        } else {
                            "dockerfile-lsp rule"
                        };
                        Item::new(r.code, ItemKind::Value, &replace, end)
                            .detail(format!("{source}: {}", r.summary))
                            .doc(format!("value:rule:{}", r.code))
                    };
                    match key.trim().to_ascii_lowercase().as_str() {
                        "skip" => {
                            // The rules named already in the list.
                            let rest = at.source.text(end..line_end(at.source, at.offset));
                            let rest = rest.split([';', ' ', '\t']).next().unwrap_or("");
                            let named: Vec<&str> = list
                                .split(',')
                                .rev()
                                .skip(1)
                                .chain(rest.split(',').skip(1))
                                .map(str::trim)
                                .filter(|r| !r.is_empty())
                                .collect();
                            let mut items = Vec::new();
                            if !named.iter().any(|n| n.eq_ignore_ascii_case("all")) {
                                items.push(
                                    Item::new("all", ItemKind::Value, &replace, end)
                                        .detail("every check")
                                        .doc("text:**all** — turns every check off."),
                                );
                            }
                            items.extend(
                                crate::rules::registry()
                                    .iter()
                                    .filter(|r| {
                                        !named.iter().any(|n| n.eq_ignore_ascii_case(r.code))
                                    })
                                    .map(rule),
                            );
                            items
                        }
                        "experimental" => {
                            let mut items = vec![Item::new("all", ItemKind::Value, &replace, end)
                                .detail("every experimental check")
                                .doc("text:**all** — turns every experimental check on.")];
                            if let Some(r) = crate::rules::find("InvalidDefinitionDescription") {
                                items.push(rule(r));
                            }
                            items
                        }
                        "error" => ["true", "false"]
                            .iter()
                            .map(|v| {
                                Item::new(v, ItemKind::Value, &replace, end)
                                    .detail(if *v == "true" {
                                        "a failing check fails the build"
                                    } else {
                                        "checks only warn (the default)"
                                    })
                                    .doc(format!("value:check:error={v}"))
                            })
                            .collect(),
                        _ => Vec::new(),
                    }
                }
            }
        }
        _ => Vec::new(),
    };
    Some(items.into_iter().collect())
}
