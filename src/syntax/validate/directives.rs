//! Parser directives, read as BuildKit reads them: the leading `# name=value`
//! lines up to the first line that is not one. `escape` takes `` ` `` or
//! `\`; `syntax`, `escape` and `check` may each be given once; the first
//! `check` directive must hold `skip=`, `error=` and `experimental=`
//! options. A line longer than 65535 bytes stops BuildKit's parser.

use tree_sitter::Tree;

use super::stages::go_quote;
use crate::document::position;
use crate::syntax::errors::SyntaxError;
use crate::syntax::Source;

const NAMES: [&str; 3] = ["syntax", "escape", "check"];

/// A directive line: where its parts are in the document.
struct Directive {
    /// The lower-case name.
    name: String,
    /// The byte range from `#` to the end of the value.
    whole: (usize, usize),
    /// The byte range of the value (blanks around it left out).
    value: (usize, usize),
}

pub(super) fn check<S: Source + ?Sized>(tree: &Tree, source: &S, out: &mut Vec<SyntaxError>) {
    long_line(tree, source, out);
    // The lines before the first instruction: only comments and directives.
    let root = tree.root_node();
    let mut cursor = root.walk();
    let end = root
        .named_children(&mut cursor)
        .find(|n| n.kind() != "parser_directive" && n.kind() != "comment")
        .map_or(root.end_byte(), |n| n.start_byte());
    let text = source.text(0..end);
    let lines = lines(&text);

    // The parser: blanks before `#` are allowed; the first line that is not
    // a known directive ends them.
    let mut seen: Vec<String> = Vec::new();
    for (n, &(start, line)) in lines.iter().enumerate() {
        let (line, start) = if n == 0 {
            strip_bom(line, start)
        } else {
            (line, start)
        };
        let trimmed = line.trim_start();
        let offset = start + line.len() - trimmed.len();
        let Some(rest) = trimmed.strip_prefix('#') else {
            break;
        };
        let Some(d) = directive(rest, offset + 1, offset) else {
            break;
        };
        if seen.contains(&d.name) {
            out.push(error(
                &text,
                d.whole,
                format!("only one {} parser directive can be used", d.name),
            ));
            continue;
        }
        seen.push(d.name.clone());
        if d.name == "escape" {
            let value = &text[d.value.0..d.value.1];
            if value != "`" && value != "\\" {
                out.push(error(
                    &text,
                    d.value,
                    format!("invalid escape token '{value}' does not match ` or \\"),
                ));
            }
        }
    }

    // The `check` directive is looked up on its own: a first line `#!` is
    // skipped, and each directive must start its line with `#`.
    let mut skip = 0;
    if let Some(&(_, first)) = lines.first() {
        if strip_bom(first, 0).0.starts_with("#!") {
            skip = 1;
        }
    }
    let mut names: Vec<String> = Vec::new();
    for (n, &(start, line)) in lines.iter().enumerate().skip(skip) {
        let (line, start) = if n == 0 {
            strip_bom(line, start)
        } else {
            (line, start)
        };
        let Some(rest) = line.strip_prefix('#') else {
            break;
        };
        let Some(d) = directive(rest, start + 1, start) else {
            break;
        };
        if names.contains(&d.name) {
            break;
        }
        if d.name == "check" {
            check_options(&text, d.value, out);
            break;
        }
        names.push(d.name);
    }
}

/// The longest line BuildKit's line scanner reads.
const MAX_LINE: usize = 65535;

/// The first line longer than BuildKit reads: it stops there.
fn long_line<S: Source + ?Sized>(tree: &Tree, source: &S, out: &mut Vec<SyntaxError>) {
    let len = tree.root_node().end_byte();
    if len <= MAX_LINE {
        return;
    }
    let text = source.text(0..len);
    // (The scanner's buffer holds a `\r` before the `\n` too.)
    // BuildKit's lines on purpose, not LSP's: its scanner splits at `\n` only.
    let mut start = 0;
    for line in text.split('\n') {
        if line.len() > MAX_LINE {
            let end = start + line.strip_suffix('\r').unwrap_or(line).len();
            out.push(error(
                &text,
                (start, end),
                format!("dockerfile line greater than max allowed size of {MAX_LINE}"),
            ));
            return;
        }
        start += line.len() + 1;
    }
}

/// Each line with the offset where it starts (line breaks left out, and a
/// `\r` before a `\n`): BuildKit's lines on purpose, not LSP's, as its
/// scanner splits at `\n` only.
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        let body = body.strip_suffix('\r').unwrap_or(body);
        out.push((start, body));
        start += line.len();
    }
    out
}

fn strip_bom(line: &str, start: usize) -> (&str, usize) {
    match line.strip_prefix('\u{feff}') {
        Some(rest) => (rest, start + 3),
        None => (line, start),
    }
}

/// `name = value` after the `#` (at `offset`): a known directive, or None.
fn directive(rest: &str, offset: usize, hash: usize) -> Option<Directive> {
    let body = rest.trim_start();
    let mut at = offset + rest.len() - body.len();
    let name_len = body
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(body.len());
    let name = &body[..name_len];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let name = name.to_ascii_lowercase();
    if !NAMES.contains(&name.as_str()) {
        return None;
    }
    let after_name = &body[name_len..];
    let after_blanks = after_name.trim_start_matches(go_space);
    let value = after_blanks.strip_prefix('=')?;
    at += name_len + (after_name.len() - after_blanks.len()) + 1;
    let trimmed = value.trim_start_matches(go_space);
    at += value.len() - trimmed.len();
    let trimmed = trimmed.trim_end_matches(go_space);
    if trimmed.is_empty() {
        return None;
    }
    Some(Directive {
        name,
        whole: (hash, at + trimmed.len()),
        value: (at, at + trimmed.len()),
    })
}

/// `\s` of Go's regular expressions.
fn go_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0c' | '\r')
}

/// BuildKit's reading of `# check=`: the value up to its first space,
/// split at `;` into `skip=`, `error=` and `experimental=` options.
fn check_options(text: &str, (start, end): (usize, usize), out: &mut Vec<SyntaxError>) {
    let value = &text[start..end];
    let value = value.split(' ').next().unwrap_or("");
    if value.trim().is_empty() {
        return;
    }
    let mut at = start;
    for part in value.split(';') {
        let range = (at, at + part.len());
        at += part.len() + 1;
        let message = match part.split_once('=') {
            None => format!("invalid check option {}", go_quote(part)),
            Some((key, v)) => match key.trim() {
                "skip" | "experimental" => continue,
                "error" => {
                    let v = v.trim();
                    if go_bool(v) {
                        continue;
                    }
                    format!(
                        "failed to parse check option {}: strconv.ParseBool: parsing {}: invalid syntax",
                        go_quote(part),
                        go_quote(v)
                    )
                }
                key => format!("invalid check option {}", go_quote(key)),
            },
        };
        let range = if range.0 == range.1 {
            (start, end)
        } else {
            range
        };
        out.push(error(
            text,
            range,
            format!("failed to parse check options: {message}"),
        ));
        // BuildKit stops at the first bad option.
        return;
    }
}

/// Go's `strconv.ParseBool`.
fn go_bool(v: &str) -> bool {
    matches!(
        v,
        "1" | "t" | "T" | "TRUE" | "true" | "True" | "0" | "f" | "F" | "FALSE" | "false" | "False"
    )
}

fn error(text: &str, (start, end): (usize, usize), message: String) -> SyntaxError {
    SyntaxError {
        start_byte: start,
        end_byte: end,
        // the point a node there would have, as for the other syntax errors
        start: position::lexer_point(text, start),
        message,
        suggestion: None,
    }
}
