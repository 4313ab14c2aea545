//! Syntax errors: ERROR and MISSING nodes turned into messages a user can act on.

use tree_sitter::{Node, Point, Tree};

use super::{Source, INSTRUCTIONS};
use crate::document::position::line_end;

/// One syntax error, located by byte offsets (and the tree-sitter point,
/// row and byte column, of its start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub start_byte: usize,
    pub end_byte: usize,
    pub start: Point,
    pub message: String,
    /// A replacement that corrects the error (a misspelled flag's name):
    /// the byte range to replace and its new text.
    pub suggestion: Option<(std::ops::Range<usize>, String)>,
}

/// Every ERROR and MISSING node of the tree, outermost first, in document order.
pub fn syntax_errors<S: Source + ?Sized>(tree: &Tree, source: &S) -> Vec<SyntaxError> {
    syntax_errors_with(tree, source, &mut |stage, out| {
        super::validate::stage_checks(stage, source, out)
    })
}

/// [`syntax_errors`], with the checks of each stage's instructions
/// (`stage_checks(stage, out)`: [`stage_checks`] or what it gave before)
/// left to the caller, which may keep them per stage.
pub fn syntax_errors_with<S: Source + ?Sized>(
    tree: &Tree,
    source: &S,
    stage_checks: &mut dyn FnMut(Node, &mut Vec<SyntaxError>),
) -> Vec<SyntaxError> {
    let mut out = Vec::new();
    if tree.root_node().has_error() {
        collect(tree.root_node(), source, &mut out);
    }
    super::validate::validate(tree, source, &mut out, stage_checks);
    out
}

/// BuildKit's checks of each instruction of a stage, in order: they read
/// the stage's text, the preamble (escape character, frontend), the stage
/// table (an ONBUILD a later stage triggers) and the stages it builds on
/// (a mount's target against the WORKDIR).
pub fn stage_checks<S: Source + ?Sized>(stage: Node, source: &S, out: &mut Vec<SyntaxError>) {
    super::validate::stage_checks(stage, source, out)
}

fn collect<S: Source + ?Sized>(node: Node, source: &S, out: &mut Vec<SyntaxError>) {
    if node.is_error() {
        if unexpanded_substitution(node, source) {
            // BuildKit reads that text as it is (an ARG's name, an ONBUILD
            // trigger): nothing to report.
            return;
        }
        if let Some((start, end, message)) = substitution_in(node, source) {
            let mut error = error_at(node, message);
            error.start.column += start - error.start_byte;
            error.start_byte = start;
            error.end_byte = end;
            out.push(error);
            return;
        }
        if let Some(error) = glued_to_keyword(node, source) {
            out.push(error);
            return;
        }
        if empty_mount_field(node, source) {
            out.push(error_at(
                node,
                "invalid field '' must be a key=value pair".into(),
            ));
            return;
        }
        let mut error = error_at(node, message_for_error(node, source));
        // Cover the offending text, not the blanks around it.
        let text = source.text(node.byte_range());
        let after_blanks = text.trim_start_matches([' ', '\t']);
        let offending = after_blanks.trim_end_matches(|c: char| c.is_ascii_whitespace());
        // (Only blanks and line breaks: the range stays as it is.)
        if !offending.is_empty() {
            let blanks = text.len() - after_blanks.len();
            error.start_byte += blanks;
            error.start.column += blanks;
            error.end_byte = error.start_byte + offending.len();
            // An unknown instruction is its word, not the rest of its line;
            // the instruction it is close to (BuildKit's "did you mean") is
            // its quick fix.
            if error.message.starts_with("unknown instruction") {
                let word = offending.split(char::is_whitespace).next().unwrap_or("");
                error.end_byte = error.start_byte + word.len();
                let upper = word.to_ascii_uppercase();
                let close = INSTRUCTIONS
                    .iter()
                    .map(|k| (super::edit_distance(&upper, k), *k))
                    .filter(|(d, _)| *d <= 2 && *d < word.len())
                    .min_by_key(|(d, _)| *d);
                if let Some((_, keyword)) = close {
                    error.suggestion =
                        Some((error.start_byte..error.end_byte, keyword.to_string()));
                }
            }
        }
        out.push(error);
        return;
    }
    if node.is_missing() {
        // An empty `--mount` field is validation's to report.
        if node
            .parent()
            .and_then(|p| p.parent())
            .is_some_and(|p| p.kind() == "option_key" && p.byte_range().is_empty())
        {
            return;
        }
        out.push(error_at(node, message_for_missing(node)));
        return;
    }
    if !node.has_error() {
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        collect(child, source, out);
    }
}

/// A `,` the grammar could not read in a `--mount` (`a,,b`, a trailing
/// comma): an empty field to BuildKit's CSV reader.
fn empty_mount_field<S: Source + ?Sized>(node: Node, source: &S) -> bool {
    source.text(node.byte_range()) == ","
        && [node.parent(), node.prev_sibling()]
            .into_iter()
            .flatten()
            .any(|n| n.kind() == "mount_flag")
}

/// An instruction keyword with more letters glued to it (`RUNN x`): the
/// parser read the keyword and could not read the rest of the word. The
/// whole word is an unknown instruction, its quick fix the keyword.
fn glued_to_keyword<S: Source + ?Sized>(node: Node, source: &S) -> Option<SyntaxError> {
    let keyword = node.prev_sibling()?;
    let parent = node.parent()?;
    if parent.child(0)? != keyword
        || keyword.is_named()
        || keyword.end_byte() != node.start_byte()
        || !crate::syntax::is_instruction_kind(parent.kind())
    {
        return None;
    }
    let text = source.text(keyword.start_byte()..node.end_byte());
    let word = text.split(char::is_whitespace).next().unwrap_or("");
    if word.len() <= keyword.end_byte() - keyword.start_byte() {
        return None;
    }
    let range = keyword.start_byte()..keyword.start_byte() + word.len();
    let mut error = error_at(keyword, format!("unknown instruction `{word}`"));
    error.end_byte = range.end;
    error.suggestion = Some((
        range,
        source.text(keyword.byte_range()).to_ascii_uppercase(),
    ));
    Some(error)
}

fn error_at(node: Node, message: String) -> SyntaxError {
    SyntaxError {
        start_byte: node.start_byte(),
        end_byte: node.end_byte(),
        start: node.start_position(),
        message,
        suggestion: None,
    }
}

fn message_for_missing(node: Node) -> String {
    let what = node.kind();
    let parent = node.parent().map(|p| p.kind()).unwrap_or("");
    match what {
        "heredoc_end" => "unterminated heredoc: its terminator line is missing".to_string(),
        "]" => "unterminated JSON array: `]` is missing".to_string(),
        "\"" => "unterminated string: `\"` is missing".to_string(),
        // (BuildKit's words for a `${name<operator>word` never closed)
        "}" => "syntax error: missing '}'".to_string(),
        "=" if parent == "key_value" || parent == "mount_option" => {
            "expected `key=value`: `=` is missing".to_string()
        }
        _ => format!("syntax error: missing {}", describe_kind(what)),
    }
}

fn describe_kind(kind: &str) -> String {
    match kind {
        "image_name" | "image_spec" => "the image name".to_string(),
        "stage_name" => "the stage name after AS".to_string(),
        "variable" => "a variable name".to_string(),
        "flag_name" => "a flag name after `--`".to_string(),
        _ if kind.chars().all(|c| c.is_ascii_punctuation()) => format!("`{kind}`"),
        _ => kind.replace('_', " "),
    }
}

fn message_for_error<S: Source + ?Sized>(node: Node, source: &S) -> String {
    if let Some(message) = unterminated_heredoc(node, source) {
        return message;
    }
    let text = source.text(node.byte_range());
    let first_line = text[..line_end(&text, 0)].trim();
    let first_word: String = first_line
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    // An unreadable line stands alone in the file or in its stage.
    let at_top = node
        .parent()
        .is_none_or(|p| p.kind() == "source_file" || p.kind() == "stage");
    let in_json = std::iter::successors(node.parent(), |p| p.parent())
        .take_while(|p| !crate::syntax::is_instruction_kind(p.kind()))
        .any(|p| p.kind() == "json_array");
    let line_start = source.line_start(node.start_byte());
    let starts_line = source.text(line_start..node.start_byte()).trim().is_empty();

    if starts_line
        && first_word.eq_ignore_ascii_case("ONBUILD")
        && first_line.len() == first_word.len()
        && node.next_sibling().is_some_and(|n| {
            n.kind() == "onbuild_instruction" && source.line_start(n.start_byte()) == line_start
        })
    {
        return "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".to_string();
    }
    if at_top && starts_line && !first_word.is_empty() {
        let upper = first_word.to_ascii_uppercase();
        if INSTRUCTIONS.contains(&upper.as_str()) {
            if first_line.eq_ignore_ascii_case(&first_word) {
                return missing_arguments(&upper);
            }
            if upper == "FROM" {
                let words = first_line
                    .split_whitespace()
                    .skip(1)
                    .filter(|w| !w.starts_with("--"))
                    .count();
                if words == 2 || words > 3 {
                    return "FROM requires either one or three arguments".to_string();
                }
            }
            return format!(
                "invalid {upper} instruction: cannot read `{}`",
                snippet(first_line)
            );
        }
        if first_word.chars().all(char::is_alphabetic) {
            return format!("unknown instruction `{first_word}`");
        }
    }
    if in_json || first_line.starts_with('[') {
        return "when using JSON array syntax, arrays must be comprised of strings only"
            .to_string();
    }
    if first_line.is_empty() {
        return "unexpected line break".to_string();
    }
    format!("unexpected `{}`", snippet(first_line))
}

/// BuildKit's error for `${` followed by `inside` (the rest of its word),
/// `None` when it expands (or holds an escape, whose character the
/// directive decides, or a nested expansion or quote, not followed here).
pub(super) fn substitution_error(inside: &str) -> Option<String> {
    if inside.contains(['\\', '`', '$', '"', '\'']) {
        return None;
    }
    match inside.chars().next() {
        None => return Some("syntax error: missing '}'".to_string()),
        Some('{' | '}' | ':') => return Some("syntax error: bad substitution".to_string()),
        _ => {}
    }
    let name_len = if inside.starts_with(|c: char| c.is_ascii_digit()) {
        inside.bytes().take_while(u8::is_ascii_digit).count()
    } else {
        inside
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count()
    };
    after_name_error(&inside[name_len..])
}

/// BuildKit's error for what follows a variable's name in `${...}`.
fn after_name_error(after: &str) -> Option<String> {
    if after.contains(['\\', '`', '$', '"', '\'']) {
        return None;
    }
    let missing = || Some("syntax error: missing '}'".to_string());
    let closed = after.contains('}');
    let mut chars = after.chars();
    match chars.next() {
        Some('}') | Some('/') => None,
        Some(':') => match chars.next() {
            None | Some('}') => missing(),
            Some(_) if !closed => missing(),
            Some('-' | '+' | '?') => None,
            Some(c) => Some(format!("unsupported modifier (:{c}) in substitution")),
        },
        Some('+' | '-' | '?' | '#' | '%') => (!closed).then(missing).flatten(),
        Some(c) => Some(format!("unsupported modifier ({c}) in substitution")),
        None => Some("unsupported modifier (\u{FFFD}) in substitution".to_string()),
    }
}

/// Where a `${...}` on the error's first line cannot be expanded: its
/// word's range and BuildKit's error.
fn substitution_in<S: Source + ?Sized>(node: Node, source: &S) -> Option<(usize, usize, String)> {
    let start = node.start_byte();
    let line_end = (start..)
        .find(|&i| matches!(source.byte_at(i), None | Some(b'\n' | b'\r')))
        .unwrap_or(node.end_byte());
    let line = source.text(start..line_end);
    let word_end = |from: usize| {
        line[from..]
            .find([' ', '\t'])
            .map_or(line.len(), |i| from + i)
    };
    // (an unknown instruction is that error, whatever follows)
    let first = line.split([' ', '\t']).next().unwrap_or("");
    let line_start = source.line_start(start);
    let starts_line = source.text(line_start..start).trim().is_empty();
    if starts_line
        && !first.is_empty()
        && first.chars().all(char::is_alphabetic)
        && !INSTRUCTIONS.contains(&first.to_ascii_uppercase().as_str())
    {
        return None;
    }
    // BuildKit expands nothing in an ONBUILD trigger nor in an ARG's name:
    // `dollar` (an offset in the file) is expanded when its line is neither
    // and, in an ARG, an `=` comes before it in its word.
    let whole_line = source.text(line_start..line_end);
    let keyword = whole_line
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    let expanded = |dollar: usize| {
        // (a `${` that began on an earlier line, before a continuation,
        // has nothing before it on this one)
        let before = dollar
            .checked_sub(line_start)
            .and_then(|at| whole_line.get(..at))
            .unwrap_or("");
        let word = before.rsplit([' ', '\t']).next().unwrap_or("");
        keyword != "ONBUILD" && (keyword != "ARG" || word.contains('='))
    };
    if let Some(expansion) = node.parent().filter(|p| p.kind() == "expansion") {
        if !expanded(expansion.start_byte()) {
            return None;
        }
        let end = word_end(0);
        return after_name_error(&line[..end]).map(|m| (start, start + end, m));
    }
    let mut from = 0;
    while let Some(i) = line[from..].find("${") {
        let at = from + i;
        let end = word_end(at);
        if !expanded(start + at) {
            from = at + 2;
            continue;
        }
        if let Some(message) = substitution_error(&line[at + 2..end]) {
            // the word's text from `${` on
            return Some((start + at, start + end, message));
        }
        from = at + 2;
    }
    None
}

/// Is the error a `${` that BuildKit never expands: in an ARG's name (no
/// `=` before it in its word) or anywhere in an ONBUILD trigger?
fn unexpanded_substitution<S: Source + ?Sized>(node: Node, source: &S) -> bool {
    let from = node
        .parent()
        .filter(|p| p.kind() == "expansion")
        .map_or(node.start_byte(), |p| p.start_byte());
    let line_start = source.line_start(from);
    let line_end = (from..)
        .find(|&i| matches!(source.byte_at(i), None | Some(b'\n' | b'\r')))
        .unwrap_or(node.end_byte().max(from));
    let line = source.text(line_start..line_end);
    let keyword = line
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    let error_text = source.text(from..node.end_byte().max(from));
    if !error_text.contains("${") && from == node.start_byte() {
        return false;
    }
    match keyword.as_str() {
        "ONBUILD" => true,
        "ARG" => {
            let offset = from - line_start + error_text.find("${").unwrap_or(0);
            let word = line[..offset].rsplit([' ', '\t']).next().unwrap_or("");
            !word.contains('=')
        }
        _ => false,
    }
}

/// BuildKit's message for an instruction written without arguments.
fn missing_arguments(keyword: &str) -> String {
    match keyword {
        "FROM" => "FROM requires either one or three arguments".to_string(),
        "USER" | "WORKDIR" | "STOPSIGNAL" | "MAINTAINER" => {
            format!("{keyword} requires exactly one argument")
        }
        "COPY" | "ADD" => format!(
            "{keyword} requires at least two arguments, but only one was provided. \
             Destination could not be determined"
        ),
        "ENV" | "ARG" | "LABEL" | "EXPOSE" | "VOLUME" | "SHELL" | "ONBUILD" | "HEALTHCHECK" => {
            format!("{keyword} requires at least one argument")
        }
        _ => format!("{keyword} is missing its arguments"),
    }
}

/// An ERROR that holds a heredoc body but no terminator: the file ended
/// before the heredoc's terminator line.
fn unterminated_heredoc<S: Source + ?Sized>(node: Node, source: &S) -> Option<String> {
    let mut cursor = node.walk();
    let children: Vec<Node> = node.children(&mut cursor).collect();
    if !children.iter().any(|c| c.kind() == "heredoc_body") {
        return None;
    }
    if children.iter().any(|c| c.kind() == "heredoc_end") {
        return None;
    }
    let mut delimiters = Vec::new();
    for child in &children {
        collect_delimiters(*child, source, &mut delimiters);
    }
    Some(match delimiters.last() {
        Some(name) => format!("unterminated heredoc: no line `{name}` ends it"),
        None => "unterminated heredoc".to_string(),
    })
}

fn collect_delimiters<S: Source + ?Sized>(node: Node, source: &S, out: &mut Vec<String>) {
    if node.kind() == "heredoc_delimiter" {
        out.push(
            source
                .text(node.byte_range())
                .trim_matches(['"', '\''])
                .to_string(),
        );
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        collect_delimiters(child, source, out);
    }
}

/// At most 40 characters of `text`, for a message.
fn snippet(text: &str) -> String {
    let mut out: String = text.chars().take(40).collect();
    if text.chars().count() > 40 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(src: &str) -> Vec<String> {
        let tree = crate::syntax::parse(src);
        syntax_errors(&tree, src)
            .into_iter()
            .map(|e| e.message)
            .collect()
    }

    #[test]
    fn clean_file_has_no_errors() {
        assert!(messages("FROM alpine\nRUN echo hi\n").is_empty());
    }

    #[test]
    fn unknown_instruction() {
        assert_eq!(
            messages("FROM alpine\nFOO bar\n"),
            ["unknown instruction `FOO`"]
        );
    }

    #[test]
    fn instruction_without_arguments() {
        // BuildKit accepts a bare RUN, CMD or ENTRYPOINT; the others are
        // rejected on their own line, not on the lines after them.
        assert!(messages("FROM alpine\nRUN\nCMD\nENTRYPOINT\n").is_empty());
        assert_eq!(
            messages("FROM alpine\nUSER\nRUN x\n"),
            ["USER requires exactly one argument"]
        );
    }

    #[test]
    fn an_unreadable_line_stops_at_its_end() {
        assert_eq!(
            messages("FROM alpine\nCMD <<EOF\nx\nEOF\nFROM\n"),
            [
                "unknown instruction `x`",
                "unknown instruction `EOF`",
                "FROM requires either one or three arguments"
            ]
        );
    }

    #[test]
    fn substitutions_buildkit_cannot_expand() {
        for (inside, message) in [
            ("", Some("syntax error: missing '}'")),
            ("}", Some("syntax error: bad substitution")),
            (":-x}", Some("syntax error: bad substitution")),
            ("b", Some("unsupported modifier (\u{FFFD}) in substitution")),
            ("b.c}", Some("unsupported modifier (.) in substitution")),
            ("b:x}", Some("unsupported modifier (:x) in substitution")),
            ("b:}", Some("syntax error: missing '}'")),
            ("b:-x", Some("syntax error: missing '}'")),
            ("b}", None),
            ("1}", None),
            ("b:-x}", None),
            ("b%%.*}", None),
            ("b/x/y}", None),
            ("b:-$c}", None),
        ] {
            assert_eq!(substitution_error(inside).as_deref(), message, "{inside}");
        }
    }

    #[test]
    fn an_unknown_instruction_close_to_one_is_fixed() {
        let src = "FROM alpine\nRUNN x\n";
        let tree = crate::syntax::parse(src);
        let errors = syntax_errors(&tree, src);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(&src[errors[0].start_byte..errors[0].end_byte], "RUNN");
        assert_eq!(errors[0].suggestion, Some((12..16, "RUN".to_string())));
    }

    #[test]
    fn unterminated_heredoc() {
        let found = messages("FROM alpine\nRUN <<EOF\necho hi\n");
        assert!(
            found.iter().any(|m| m.contains("unterminated heredoc")),
            "{found:?}"
        );
    }

    /// The same messages whatever ends the lines: a line starts after any
    /// of LSP's three breaks, not after the last `\n` only.
    #[test]
    fn messages_do_not_depend_on_the_line_breaks() {
        for src in [
            "FROM alpine\n  FOO bar\n",
            "FROM alpine\nUSER\nRUN x\n",
            "FROM alpine\nCMD <<EOF\nx\nEOF\nFROM\n",
            "FROM alpine\nONBUILD\nONBUILD RUN x\n",
            "FROM alpine\nONBUILD ONBUILD RUN x\n",
            "FROM alpine\nENV a=${b:x}\n",
            "FROM alpine\n  FROB ${a:x}\n",
            "FROM alpine\nARG a=${b:x}\nONBUILD RUN ${c\n",
            "FROM alpine\n[\"a\"]\n",
        ] {
            let lf = messages(src);
            assert!(!lf.is_empty(), "{src:?}");
            for brk in ["\r", "\r\n"] {
                let other = src.replace('\n', brk);
                assert_eq!(messages(&other), lf, "{other:?}");
            }
        }
    }

    #[test]
    fn nested_json_is_an_error() {
        let found = messages("CMD [ \"echo\", [ \"nested json\" ] ]\n");
        assert!(!found.is_empty());
    }
}
