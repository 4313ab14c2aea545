//! Where the cursor is: in which instruction (continuation lines joined),
//! in a heredoc body, or in a comment. Read from the text of the lines
//! between the last top-level line of the tree before the cursor and the
//! cursor, so that a half-typed line (an ERROR node, an unterminated
//! heredoc) reads as the user means it.

use tree_sitter::Tree;

use crate::syntax::{self, Source};

pub(super) struct Place {
    /// The start of the cursor's line.
    pub line_start: usize,
    /// The cursor's line up to the cursor.
    pub line_prefix: String,
    /// The start of the instruction the cursor is in: the line start, or
    /// the start of the line it continues.
    pub instruction_start: usize,
    /// The instruction's text up to the cursor, continuation lines joined
    /// with a space (comment lines inside them left out).
    pub logical_prefix: String,
    /// The cursor's line continues an earlier line.
    pub continued: bool,
    /// The cursor's line is in the body (or on the terminator) of a heredoc.
    pub in_heredoc: bool,
    /// The heredoc the cursor is in is copied as written (COPY or ADD
    /// with a quoted delimiter, `<<'EOF'`): nothing expands in it.
    pub heredoc_quoted: bool,
    /// The file's escape character.
    pub escape: char,
}

/// The file's escape character (`\` unless `# escape=` says otherwise).
pub(super) fn escape_char<S: Source + ?Sized>(tree: &Tree, source: &S) -> char {
    match syntax::directive(tree, source, "escape").as_deref() {
        Some("`") => '`',
        _ => '\\',
    }
}

/// The instructions whose lines may open heredocs.
fn takes_heredocs(keyword: &str) -> bool {
    matches!(keyword, "RUN" | "COPY" | "ADD")
}

/// The heredocs a line opens: each `<<NAME`, `<<-NAME`, `<<"NAME"` or
/// `<<'NAME'` (not a `<<<` here-string), with whether `-` strips the
/// terminator's leading tabs and whether the delimiter is quoted.
fn heredoc_markers(line: &str) -> Vec<(String, bool, bool)> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] != b'<' || bytes[i + 1] != b'<' || (i > 0 && bytes[i - 1] == b'<') {
            i += 1;
            continue;
        }
        let mut j = i + 2;
        if bytes.get(j) == Some(&b'<') {
            i = j + 1;
            continue;
        }
        let strip = bytes.get(j) == Some(&b'-');
        if strip {
            j += 1;
        }
        let quote = bytes.get(j).copied().filter(|b| *b == b'"' || *b == b'\'');
        if quote.is_some() {
            j += 1;
        }
        let start = j;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
            j += 1;
        }
        let word = &line[start..j];
        if word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            out.push((word.to_string(), strip, quote.is_some()));
        }
        i = j.max(i + 2);
    }
    out
}

/// The instruction keyword of a logical line (the one after ONBUILD
/// for a trigger), upper case.
fn keyword_of(logical: &str) -> String {
    let mut words = logical.split_whitespace();
    let first = words.next().unwrap_or("").to_ascii_uppercase();
    if first == "ONBUILD" {
        return words.next().unwrap_or("").to_ascii_uppercase();
    }
    first
}

/// The start of the last line of the tree ([`syntax::lines`]: top-level
/// lines and the lines of stages) that starts at or before `offset`; 0
/// when none does. A descent, not a walk of every line.
fn anchor_line(tree: &Tree, offset: usize) -> usize {
    let stage = syntax::ids::ids().stage;
    let mut parent = tree.root_node();
    let mut found = 0;
    loop {
        // The first child ending after `offset`, or the one before it when
        // it starts later.
        let mut child = match parent.first_child_for_byte(offset) {
            Some(c) if c.start_byte() <= offset => Some(c),
            Some(c) => c.prev_sibling(),
            None => parent.child(parent.child_count().saturating_sub(1)),
        };
        while let Some(c) = child.filter(|c| !c.is_named() || c.start_byte() > offset) {
            child = c.prev_sibling();
        }
        let Some(c) = child else {
            return found;
        };
        if c.kind_id() != stage {
            return c.start_byte();
        }
        found = c.start_byte();
        parent = c;
    }
}

/// A line without its line break.
fn body(line: &str) -> &str {
    line.trim_end_matches(['\n', '\r'])
}

impl Place {
    pub fn at<S: Source + ?Sized>(tree: &Tree, source: &S, offset: usize) -> Place {
        let escape = escape_char(tree, source);
        let line_start = source.line_start(offset);
        let line_prefix = source.text(line_start..offset).into_owned();
        // Read from the last top-level line starting at or before the
        // cursor's line: no heredoc or continuation runs into it.
        let anchor = source.line_start(anchor_line(tree, line_start).min(line_start));
        let text = source.text(anchor..line_start);
        let mut pending: std::collections::VecDeque<(String, bool, bool)> = Default::default();
        let mut continuing = false;
        let mut instruction_start = anchor;
        let mut logical = String::new();
        let mut at = anchor;
        for line in text.split_inclusive('\n') {
            let start = at;
            at += line.len();
            let line = body(line);
            if !continuing {
                if let Some((delimiter, strip, _)) = pending.front() {
                    let ends = if *strip {
                        line.trim_start_matches('\t')
                    } else {
                        line
                    };
                    if ends == delimiter {
                        pending.pop_front();
                    }
                    continue;
                }
            }
            let trimmed = line.trim_start();
            if continuing && (trimmed.is_empty() || trimmed.starts_with('#')) {
                // BuildKit drops comment and blank lines inside a continuation.
                continue;
            }
            if !continuing {
                instruction_start = start;
                logical.clear();
            }
            let stripped = line.trim_end();
            continuing = stripped.ends_with(escape) && !trimmed.starts_with('#');
            if continuing {
                logical.push_str(&stripped[..stripped.len() - escape.len_utf8()]);
                logical.push(' ');
            } else {
                logical.push_str(line);
            }
            if !trimmed.starts_with('#') && takes_heredocs(&keyword_of(&logical)) {
                // COPY and ADD copy a quoted heredoc's body literally.
                let copies = matches!(keyword_of(&logical).as_str(), "COPY" | "ADD");
                pending.extend(
                    heredoc_markers(line)
                        .into_iter()
                        .map(|(word, strip, quoted)| (word, strip, quoted && copies)),
                );
            }
        }
        let in_heredoc = !continuing && !pending.is_empty();
        let heredoc_quoted = in_heredoc && pending.front().is_some_and(|p| p.2);
        if !continuing {
            instruction_start = line_start;
            logical.clear();
        }
        logical.push_str(&line_prefix);
        Place {
            line_start,
            line_prefix,
            instruction_start,
            logical_prefix: logical,
            continued: continuing,
            in_heredoc,
            heredoc_quoted,
            escape,
        }
    }

    /// The instruction keyword (upper case), the one after ONBUILD for a
    /// trigger, and whether it is an ONBUILD trigger.
    pub fn keyword(&self) -> (String, bool) {
        let mut words = self.logical_prefix.split_whitespace();
        let first = words.next().unwrap_or("").to_ascii_uppercase();
        if first == "ONBUILD" {
            return (words.next().unwrap_or("").to_ascii_uppercase(), true);
        }
        (first, false)
    }

    /// The words of the instruction before the one under the cursor
    /// (keyword included, ONBUILD left out).
    pub fn words_before(&self) -> Vec<&str> {
        let prefix = &self.logical_prefix;
        let current = prefix.len()
            - prefix.rfind(char::is_whitespace).map_or(0, |i| {
                i + prefix[i..].chars().next().map_or(1, char::len_utf8)
            });
        let mut words: Vec<&str> = prefix[..prefix.len() - current]
            .split_whitespace()
            .collect();
        if words
            .first()
            .is_some_and(|w| w.eq_ignore_ascii_case("ONBUILD"))
        {
            words.remove(0);
        }
        words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(src: &str) -> Place {
        let offset = src.find('|').unwrap();
        let text = src.replacen('|', "", 1);
        let tree = syntax::parse(&text);
        Place::at(&tree, text.as_str(), offset)
    }

    #[test]
    fn heredoc_bodies_terminated_or_not() {
        assert!(place("FROM a\nRUN <<EOF\necho hi\n|\nEOF\n").in_heredoc);
        assert!(place("FROM a\nRUN <<EOF\necho hi\nec|").in_heredoc);
        assert!(!place("FROM a\nRUN <<-EOF cat\n\tx\n\tEOF\nRU|").in_heredoc);
        assert!(!place("FROM a\nRUN <<EOF\nx\nEOF\n|").in_heredoc);
        assert!(place("FROM a\nCOPY <<A <<\"B\" /\na\nA\n|\nB\n").in_heredoc);
        assert!(!place("FROM a\nRUN cat <<<word\n|").in_heredoc);
        assert!(!place("FROM a\nRUN echo $((1<<2))\n|").in_heredoc);
        // a heredoc opened on a continued line starts after the whole line
        let p = place("FROM a\nRUN cat <<EOF \\\n  > /x\n|");
        assert!(p.in_heredoc);
    }

    #[test]
    fn continuation_lines_join_into_the_instruction() {
        let p = place("FROM a\nRUN --mount=type=cache,target=/x \\\n  # note\n  --net|");
        assert!(p.continued);
        assert_eq!(p.instruction_start, 7);
        assert_eq!(p.keyword(), ("RUN".to_string(), false));
        assert_eq!(p.words_before(), ["RUN", "--mount=type=cache,target=/x"]);
        let p = place("# escape=`\nFROM a\nRUN echo `\n  |");
        assert!(p.continued);
        let p = place("FROM a\nRUN echo\n|");
        assert!(!p.continued);
        assert_eq!(p.logical_prefix, "");
        assert_eq!(
            place("FROM a\nONBUILD COPY --|").keyword(),
            ("COPY".into(), true)
        );
    }
}
