//! Our docs and hovers are written in a small markdown subset: `**bold**`,
//! `` `code` `` (any run of backticks), `[text](url)`, `- ` lists, `#`
//! headings, fenced code and `\` escapes. For a client that takes only
//! plain text, [`plain`] renders them as what a reader of the markdown
//! sees: the words, the code as written, a link as its text and address.

/// The plain-text rendering of our markdown.
pub fn plain(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut fenced = false;
    for (i, line) in markdown.split('\n').enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if i > 0 && !out.is_empty() {
            out.push('\n');
        }
        if fenced {
            out.push_str(line);
            continue;
        }
        let heading = trimmed.trim_start_matches('#');
        let line = if heading.len() < trimmed.len() && heading.starts_with(' ') {
            heading.trim_start()
        } else {
            line
        };
        inline(line, &mut out);
    }
    out
}

/// One line's inline markup.
fn inline(line: &str, out: &mut String) {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < line.len() {
        match bytes[i] {
            b'`' => {
                let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
                let fence = &line[i..i + run];
                // the closing run of the same length
                let rest = &line[i + run..];
                match find_run(rest, run) {
                    Some(end) => {
                        let code = &rest[..end];
                        // one space padding on both sides is the syntax's
                        let code = match code.strip_prefix(' ').and_then(|c| c.strip_suffix(' ')) {
                            Some(inner) if !inner.trim().is_empty() => inner,
                            _ => code,
                        };
                        out.push_str(code);
                        i += run + end + run;
                    }
                    None => {
                        out.push_str(fence);
                        i += run;
                    }
                }
            }
            b'*' if line[i..].starts_with("**") => i += 2,
            b'\\' if bytes.get(i + 1).is_some_and(|b| b.is_ascii_punctuation()) => {
                out.push(bytes[i + 1] as char);
                i += 2;
            }
            b'[' => match link(&line[i..]) {
                Some((text, url, len)) => {
                    let mut label = String::new();
                    inline(text, &mut label);
                    if label == url {
                        out.push_str(url);
                    } else {
                        out.push_str(&format!("{label} ({url})"));
                    }
                    i += len;
                }
                None => {
                    out.push('[');
                    i += 1;
                }
            },
            _ => {
                let c = line[i..].chars().next().unwrap();
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
}

/// Where a run of exactly `run` backticks starts in `text`.
fn find_run(text: &str, run: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let n = bytes[i..].iter().take_while(|&&b| b == b'`').count();
            if n == run {
                return Some(i);
            }
            i += n;
        } else {
            i += 1;
        }
    }
    None
}

/// `[text](url)` at the start of `text`: the text, the url and the length.
fn link(text: &str) -> Option<(&str, &str, usize)> {
    let close = text.find("](")?;
    let label = &text[1..close];
    if label.contains('[') || label.contains(']') {
        return None;
    }
    let after = &text[close + 2..];
    let end = after.find(')')?;
    let url = &after[..end];
    (!url.contains(char::is_whitespace)).then_some((label, url, close + 2 + end + 1))
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn bold_code_and_links_become_their_text() {
        assert_eq!(
            plain("**COPY** — copies `src` with `--from=`.\n\n[Dockerfile reference](https://docs.docker.com/reference/dockerfile/#copy)"),
            "COPY — copies src with --from=.\n\nDockerfile reference (https://docs.docker.com/reference/dockerfile/#copy)"
        );
    }

    #[test]
    fn code_keeps_what_looks_like_markup() {
        assert_eq!(
            plain("`package*.json` and `**/*.go`"),
            "package*.json and **/*.go"
        );
        assert_eq!(
            plain("the escape `` ` `` character"),
            "the escape ` character"
        );
        assert_eq!(plain("an unclosed ` tick"), "an unclosed ` tick");
    }

    #[test]
    fn lists_headings_fences_and_escapes() {
        assert_eq!(plain("# Title\n- one\n- `two`"), "Title\n- one\n- two");
        assert_eq!(
            plain("text\n```dockerfile\nRUN **x**\n```\nafter"),
            "text\nRUN **x**\nafter"
        );
        assert_eq!(plain(r"a \* b \_ c"), "a * b _ c");
        assert_eq!(plain("[a](b c) [x]"), "[a](b c) [x]");
        assert_eq!(plain("[https://x.y](https://x.y)"), "https://x.y");
    }

    #[test]
    fn nothing_is_lost_from_plain_text() {
        for text in ["plain words", "a*b", "50% [draft]", "ünïcode — dash", ""] {
            assert_eq!(plain(text), text);
        }
    }
}
