//! Our tree rendered in the format of BuildKit's `Node.Dump()`: one line
//! per instruction, `(keyword ["--flag" ...] "arg" ...)`, with the arguments
//! as BuildKit splits them. Tests compare it with BuildKit's own parse; it is
//! also handy to see how BuildKit will read an instruction.

use tree_sitter::{Node, Tree};

use super::logical_text;

/// One line per instruction, in BuildKit's dump format.
pub fn buildkit_dump(tree: &Tree, source: &str) -> String {
    let escape = escape_char(tree, source);
    let mut out = String::new();
    for node in super::instructions(tree) {
        out.push('(');
        out.push_str(&dump_instruction(node, source, escape));
        out.push_str(")\n");
    }
    out
}

/// The escape character set by a `# escape=` parser directive, or `\`.
pub fn escape_char(tree: &Tree, source: &str) -> char {
    match super::directive(tree, source, "escape").as_deref() {
        Some("`") => '`',
        _ => '\\',
    }
}

fn dump_instruction(node: Node, source: &str, escape: char) -> String {
    let keyword = node.child(0).map_or(String::new(), |k| {
        source[k.byte_range()].to_ascii_lowercase()
    });
    let mut out = keyword;
    let mut flags = Vec::new();
    let mut args: Vec<String> = Vec::new();
    let text = |n: Node| logical_text(n, source);

    let mut cursor = node.walk();
    let mut more = cursor.goto_first_child();
    while more {
        let child = cursor.node();
        let field = cursor.field_name();
        more = cursor.goto_next_sibling();
        match (field, child.kind()) {
            (Some("flag"), "flag" | "mount_flag") => flags.push(unquote_flag(&text(child), escape)),
            (Some("exec"), _) => args.extend(json_strings(child, source)),
            (Some("shell"), _) => args.push(text(child).trim().to_string()),
            (Some("image"), _) | (Some("path"), _) | (Some("port"), _) | (Some("value"), _) => {
                args.push(text(child))
            }
            (Some("argument"), _) | (Some("type"), _) | (Some("name"), _) => args.push(text(child)),
            (None, "AS") => args.push(source[child.byte_range()].to_string()),
            (Some("pair"), "key_value") => {
                args.push(field_text(child, "key", source));
                args.push(field_text(child, "value", source));
                args.push("=".to_string());
            }
            (Some("pair"), "legacy_key_value") => {
                args.push(field_text(child, "key", source));
                args.push(field_text(child, "value", source));
                args.push(String::new());
            }
            (Some("instruction"), _) => {
                return format!("{out} ({})", dump_instruction(child, source, escape));
            }
            _ => {}
        }
    }
    if !flags.is_empty() {
        let quoted: Vec<String> = flags.iter().map(|f| go_quote(f)).collect();
        out.push_str(&format!(" [{}]", quoted.join(" ")));
    }
    for arg in args {
        out.push(' ');
        out.push_str(&go_quote(&arg));
    }
    out
}

fn field_text(node: Node, field: &str, source: &str) -> String {
    node.child_by_field_name(field)
        .map_or(String::new(), |n| logical_text(n, source))
}

/// The strings of an exec-form JSON array, decoded.
fn json_strings(array: Node, source: &str) -> Vec<String> {
    let mut cursor = array.walk();
    array
        .named_children(&mut cursor)
        .filter(|n| n.kind() == "json_string")
        .map(|n| serde_json::from_str::<String>(&source[n.byte_range()]).unwrap_or_default())
        .collect()
}

/// A flag word as BuildKit keeps it: quotes removed, escapes resolved.
fn unquote_flag(word: &str, escape: char) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            None if c == '\'' || c == '"' => quote = Some(c),
            Some(q) if c == q => quote = None,
            _ if c == escape => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Go's `strconv.Quote`.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(src: &str) -> String {
        buildkit_dump(&crate::syntax::parse(src), src)
    }

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("a\"b\\c\u{0}♥"), r#""a\"b\\c\x00♥""#);
    }

    #[test]
    fn dumps_flags_and_onbuild() {
        assert_eq!(
            dump("COPY --chown=\"a b\" x y\nONBUILD RUN [\"echo\", \"t\"]\n"),
            "(copy [\"--chown=a b\"] \"x\" \"y\")\n(onbuild (run \"echo\" \"t\"))\n"
        );
    }
}
