//! Each instruction's arguments: counts, forms, keys, signals, heredocs,
//! ports, ONBUILD triggers. The checks read only what is decided by the
//! text: a word holding `$`, an escape or anything BuildKit expands later
//! is left alone.

use tree_sitter::Node;

use super::at;
use crate::syntax::errors::SyntaxError;
use crate::syntax::Source;

pub(super) fn instruction<S: Source + ?Sized>(node: Node, source: &S, out: &mut Vec<SyntaxError>) {
    let keyword = crate::syntax::views::keyword(node, source);
    let kw = node.child(0).unwrap_or(node);
    // BuildKit reads no flags for `HEALTHCHECK NONE`.
    let healthcheck_none = keyword == "HEALTHCHECK"
        && node
            .child_by_field_name("type")
            .is_some_and(|t| source.text(t.byte_range()).eq_ignore_ascii_case("NONE"));
    if !healthcheck_none {
        super::flags::flags(node, &keyword, source, out);
    }
    if !has_arguments(node) {
        if let Some(message) = missing_arguments(&keyword) {
            out.push(at(kw, message));
        }
        return;
    }
    match keyword.as_str() {
        // The trigger is checked when a child image is built: only its
        // keyword matters here.
        "ONBUILD" => {
            if let Some(inner) = node.child_by_field_name("instruction") {
                let inner_keyword = crate::syntax::views::keyword(inner, source);
                if inner_keyword == "FROM" || inner_keyword == "MAINTAINER" {
                    out.push(at(
                        inner.child(0).unwrap_or(inner),
                        format!("{inner_keyword} isn't allowed as an ONBUILD trigger"),
                    ));
                }
            }
        }
        "FROM" => {
            // Two arguments (`FROM image AS`, `FROM image other`) or more
            // than three.
            let mut c = node.walk();
            let as_keyword = node.children(&mut c).find(|n| n.kind() == "AS");
            let wrong = match (node.child_by_field_name("extra"), as_keyword) {
                // (the whole instruction, as tests/buildkit_errors/core.rs has it)
                (Some(_), _) => Some(node),
                (None, Some(as_keyword)) if node.child_by_field_name("name").is_none() => {
                    Some(as_keyword)
                }
                _ => None,
            };
            if let Some(wrong) = wrong {
                out.push(at(wrong, "FROM requires either one or three arguments"));
            }
        }
        "HEALTHCHECK" => healthcheck(node, source, out),
        "SHELL" => {
            if let Some(shell) = node.child_by_field_name("shell") {
                out.push(at(shell, "SHELL requires the arguments to be in JSON form"));
            }
            if let Some(exec) = node.child_by_field_name("exec") {
                if json_strings(exec).is_empty() {
                    out.push(at(exec, "SHELL requires at least one argument"));
                }
            }
        }
        "RUN" => {
            if let Some(exec) = node.child_by_field_name("exec") {
                if json_strings(exec).is_empty() {
                    out.push(at(exec, "arguments are required"));
                }
            }
        }
        "COPY" | "ADD" => copy(node, &keyword, source, out),
        "VOLUME" => volume(node, source, out),
        "EXPOSE" => {
            let mut c = node.walk();
            for port in node.children_by_field_name("port", &mut c) {
                let text = source.text(port.byte_range());
                if let Some(message) = unterminated_quote(&text, escape_of(port, source)) {
                    out.push(at(port, message));
                } else if let Some(word) = processed(port, &text).filter(|w| !w.is_empty()) {
                    // (an empty word is dropped)
                    if let Some(message) = port_spec_error(&word) {
                        out.push(at(port, message));
                    }
                }
            }
        }
        "STOPSIGNAL" | "USER" | "WORKDIR" => {
            if let Some(value) = node.child_by_field_name("value") {
                let text = source.text(value.byte_range());
                if let Some(message) = unterminated_quote(&text, escape_of(value, source)) {
                    out.push(at(value, message));
                } else if keyword == "STOPSIGNAL" {
                    if let Some(word) = processed(value, &text) {
                        if !valid_signal(&word) {
                            out.push(at(value, format!("invalid signal: {word}")));
                        }
                    }
                }
            }
        }
        "ENV" | "LABEL" => key_values(node, &keyword, source, out),
        "ARG" => {
            let mut c = node.walk();
            for declaration in node.children_by_field_name("argument", &mut c) {
                if declaration.child_by_field_name("name").is_none() {
                    out.push(at(declaration, "ARG names can not be blank"));
                }
                // BuildKit expands the default, not the name.
                if let Some(default) = declaration.child_by_field_name("default") {
                    quotes(default, source, out);
                }
            }
        }
        _ => {}
    }
}

/// Does the instruction have anything after its keyword and flags?
fn has_arguments(node: Node) -> bool {
    let mut c = node.walk();
    let found = node.named_children(&mut c).any(|child| {
        !matches!(
            child.kind(),
            "flag" | "mount_flag" | "end_of_flags" | "comment" | "line_continuation"
        )
    });
    found
}

/// BuildKit's message for an instruction written without arguments (RUN,
/// CMD and ENTRYPOINT may be).
fn missing_arguments(keyword: &str) -> Option<String> {
    Some(match keyword {
        "RUN" | "CMD" | "ENTRYPOINT" => return None,
        "FROM" => "FROM requires either one or three arguments".to_string(),
        "USER" | "WORKDIR" | "STOPSIGNAL" | "MAINTAINER" => {
            format!("{keyword} requires exactly one argument")
        }
        "COPY" | "ADD" => no_destination(keyword),
        _ => format!("{keyword} requires at least one argument"),
    })
}

fn no_destination(keyword: &str) -> String {
    format!(
        "{keyword} requires at least two arguments, but only one was provided. \
         Destination could not be determined"
    )
}

/// The strings of an exec-form array.
fn json_strings(exec: Node) -> Vec<Node> {
    let mut c = exec.walk();
    let strings = exec
        .named_children(&mut c)
        .filter(|n| n.kind() == "json_string")
        .collect();
    strings
}

fn healthcheck<S: Source + ?Sized>(node: Node, source: &S, out: &mut Vec<SyntaxError>) {
    let Some(kind) = node.child_by_field_name("type") else {
        return;
    };
    let typ = source.text(kind.byte_range()).to_ascii_uppercase();
    let exec = node.child_by_field_name("exec");
    let shell = node.child_by_field_name("shell");
    let command_words = match (exec, shell) {
        (Some(exec), _) => json_strings(exec).len(),
        (None, Some(_)) => 1,
        (None, None) => 0,
    };
    match typ.as_str() {
        "NONE" => {
            if command_words > 0 {
                let args = exec.or(shell).unwrap_or(kind);
                out.push(at(args, "HEALTHCHECK NONE takes no arguments"));
            }
        }
        "CMD" => {
            if command_words == 0 {
                out.push(at(
                    exec.unwrap_or(kind),
                    "Missing command after HEALTHCHECK CMD",
                ));
            }
        }
        _ => {
            // The type is the whole first word (`CMD-SHELL` included).
            let end =
                shell
                    .filter(|s| s.start_byte() == kind.end_byte())
                    .map_or(kind.end_byte(), |s| {
                        let text = source.text(s.byte_range());
                        let word = text.split([' ', '\t']).next().unwrap_or("").len();
                        s.start_byte() + word
                    });
            let word = source.text(kind.start_byte()..end).to_ascii_uppercase();
            let mut error = at(
                kind,
                format!("Unknown type \"{word}\" in HEALTHCHECK (try CMD)"),
            );
            error.end_byte = end;
            out.push(error);
        }
    }
}

fn copy<S: Source + ?Sized>(node: Node, keyword: &str, source: &S, out: &mut Vec<SyntaxError>) {
    if let Some(exec) = node.child_by_field_name("exec") {
        if json_strings(exec).len() < 2 {
            out.push(at(exec, no_destination(keyword)));
        }
        return;
    }
    let mut c = node.walk();
    let paths: Vec<Node> = node.children_by_field_name("path", &mut c).collect();
    // (BuildKit splits the shell form at every blank, escaped or not)
    let escaped_blank = paths
        .iter()
        .any(|p| has_escaped_blank(&source.text(p.byte_range())));
    if paths.len() == 1 && !escaped_blank {
        out.push(at(paths[0], no_destination(keyword)));
        return;
    }
    if paths.is_empty() {
        // (Only after error recovery: the grammar's own error says it.)
        return;
    }
    if let Some(last) = paths.last() {
        if last.kind() == "heredoc_marker" {
            out.push(at(
                *last,
                format!("{keyword} cannot accept a heredoc as a destination"),
            ));
            return;
        }
    }
    for path in &paths {
        if path.kind() != "path" {
            continue;
        }
        let text = source.text(path.byte_range());
        if let Some(message) = unterminated_quote(&text, escape_of(*path, source)) {
            out.push(at(*path, message));
            return;
        }
    }
    if keyword == "COPY" {
        for path in &paths[..paths.len() - 1] {
            let text = source.text(path.byte_range());
            if !is_plain(&text) {
                continue;
            }
            let url = text.starts_with("http://") || text.starts_with("https://");
            // (an http URL of a repository is a git ref)
            let repository = text.ends_with(".git") || text.contains(".git#");
            if url && !repository {
                out.push(at(*path, "source can't be a URL for COPY"));
                return;
            }
            let git = url
                || text.starts_with("git://")
                || text.starts_with("ssh://")
                || (text.starts_with("git@") && text.contains(':'));
            if git {
                out.push(at(*path, "source can't be a git ref for COPY"));
                return;
            }
        }
    }
}

fn volume<S: Source + ?Sized>(node: Node, source: &S, out: &mut Vec<SyntaxError>) {
    if let Some(exec) = node.child_by_field_name("exec") {
        let strings = json_strings(exec);
        if strings.is_empty() {
            out.push(at(exec, "VOLUME requires at least one argument"));
        }
        for string in strings {
            let text = source.text(string.byte_range());
            let inner = text.trim_matches('"');
            let blank = inner
                .replace("\\t", " ")
                .replace("\\n", " ")
                .replace("\\r", " ")
                .trim_matches(|c: char| c.is_ascii_whitespace())
                .is_empty();
            if blank {
                out.push(at(string, "VOLUME specified can not be an empty string"));
            }
        }
        return;
    }
    let mut c = node.walk();
    for path in node.children_by_field_name("path", &mut c) {
        let text = source.text(path.byte_range());
        if let Some(message) = unterminated_quote(&text, escape_of(path, source)) {
            out.push(at(path, message));
        } else if processed(path, &text).is_some_and(|w| w.trim().is_empty()) {
            out.push(at(path, "VOLUME specified can not be an empty string"));
        }
    }
}

fn key_values<S: Source + ?Sized>(
    node: Node,
    keyword: &str,
    source: &S,
    out: &mut Vec<SyntaxError>,
) {
    let mut c = node.walk();
    for pair in node.children_by_field_name("pair", &mut c) {
        match pair.kind() {
            // A word without `=` after `name=value` pairs.
            // (not after a syntax error, whose recovery may join lines)
            "key" if !node.has_error() => {
                let text = source.text(pair.byte_range());
                if !text.contains('\n') {
                    out.push(at(
                        pair,
                        format!(
                            "Syntax error - can't find = in {text:?}. \
                             Must be of the form: name=value"
                        ),
                    ));
                }
            }
            // (BuildKit splits the legacy form at the first blank, escaped
            // or not: `a\ b` is a key and a value there)
            "legacy_key_value"
                if pair.child_by_field_name("value").is_none()
                    && !has_escaped_blank(&source.text(pair.byte_range())) =>
            {
                out.push(at(
                    pair.child_by_field_name("key").unwrap_or(pair),
                    format!("{keyword} must have two arguments"),
                ));
            }
            "key_value" if pair.child_by_field_name("key").is_none() => {
                out.push(at(pair, format!("{keyword} names can not be blank")));
            }
            _ => {
                for field in ["key", "value"] {
                    if let Some(part) = pair.child_by_field_name(field) {
                        quotes(part, source, out);
                    }
                }
            }
        }
    }
}

/// A quoted string left open in a key or value that BuildKit expands.
fn quotes<S: Source + ?Sized>(part: Node, source: &S, out: &mut Vec<SyntaxError>) {
    let mut c = part.walk();
    for piece in part.children(&mut c) {
        let quote = match piece.kind() {
            "double_quoted_string" => "\"",
            "single_quoted_string" => "'",
            _ => continue,
        };
        let closed = piece.child_count() >= 2
            && piece
                .child(piece.child_count() - 1)
                .is_some_and(|last| last.kind() == quote);
        if !closed {
            let word = source.text(part.byte_range());
            let name = if quote == "\"" { "double" } else { "single" };
            out.push(at(
                piece,
                format!(
                    "failed to process {word:?}: unexpected end of statement while looking \
                     for matching {name}-quote"
                ),
            ));
            return;
        }
    }
}

/// Does the text hold an escaped blank (`a\ b`), which BuildKit's
/// splitting at blanks does not see as escaped? (Either escape character:
/// the directive decides which one is.)
fn has_escaped_blank(text: &str) -> bool {
    ["\\ ", "\\\t", "` ", "`\t"]
        .iter()
        .any(|e| text.contains(e))
}

/// Does the node hold a `$NAME` or `${...}` (a `$` before anything else is
/// a plain character)?
fn has_expansion(node: Node) -> bool {
    if node.kind() == "expansion" {
        return true;
    }
    let mut c = node.walk();
    let found = node.children(&mut c).any(has_expansion);
    found
}

/// The word as BuildKit's expansion leaves it when that is decided by the
/// text: its quotes removed; `None` with an expansion (a `$` before
/// anything but a name is a plain character) or an escape (whose character
/// the directive decides).
fn processed(node: Node, text: &str) -> Option<String> {
    if has_expansion(node) || text.contains(['\\', '`', '\n', '\r']) {
        return None;
    }
    // (`$1`, `$@`... are expanded too: only a `$` before a blank or at the
    // end is sure to stay)
    let bytes = text.as_bytes();
    let expands = (0..bytes.len())
        .any(|i| bytes[i] == b'$' && bytes.get(i + 1).is_some_and(|b| !b.is_ascii_whitespace()));
    if expands {
        return None;
    }
    let mut out = String::new();
    let mut quote = None;
    for c in text.chars() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if q == c => quote = None,
            _ => out.push(c),
        }
    }
    quote.is_none().then_some(out)
}

/// Text that BuildKit takes as it is: no expansion, quote or escape.
fn is_plain(text: &str) -> bool {
    !text.contains(['$', '"', '\'', '\\', '`', '\n', '\r'])
}

/// The document's escape character (`# escape=`), found from any node.
fn escape_of<S: Source + ?Sized>(node: Node, source: &S) -> char {
    let mut root = node;
    while let Some(parent) = root.parent() {
        root = parent;
    }
    let mut cursor = root.walk();
    let directives: Vec<Node> = root
        .named_children(&mut cursor)
        .take_while(|n| n.kind() == "parser_directive")
        .collect();
    for directive in directives {
        let name = directive.child_by_field_name("name");
        if name.is_some_and(|n| source.text(n.byte_range()).eq_ignore_ascii_case("escape")) {
            if let Some(value) = directive.child_by_field_name("value") {
                if source.text(value.byte_range()) == "`" {
                    return '`';
                }
            }
        }
    }
    '\\'
}

/// BuildKit's message for a word whose quote is never closed, read as its
/// word processing reads it: outside quotes the escape character takes the
/// next character literally; inside double quotes it escapes only `"`,
/// `$` and itself; inside single quotes nothing. Silent on words spanning
/// lines or holding `${` (whose expansion decides).
fn unterminated_quote(text: &str, escape: char) -> Option<String> {
    if text.contains(['\n', '\r']) || text.contains("${") {
        return None;
    }
    let mut quote = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (None, e) if e == escape => {
                chars.next();
            }
            (Some('"'), e)
                if e == escape
                    && chars
                        .peek()
                        .is_some_and(|&n| n == '"' || n == '$' || n == escape) =>
            {
                chars.next();
            }
            (Some(q), _) if q == c => quote = None,
            _ => {}
        }
    }
    let name = match quote? {
        '"' => "double",
        _ => "single",
    };
    // BuildKit names the word it was expanding: the text up to the first
    // blank for word lists, the rest of the line for single strings.
    Some(format!(
        "failed to process {text:?}: unexpected end of statement while looking for \
         matching {name}-quote"
    ))
}

/// Go's strconv.Atoi: an optional sign and decimal digits.
fn atoi(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<i64>().ok()
}

/// Linux signal names as moby's signal.ParseSignal knows them.
const SIGNALS: [&str; 34] = [
    "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL",
    "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP",
    "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
];

/// signal.ParseSignal: a non-zero number, or a name with or without one
/// `SIG` prefix (any case), real-time signals as `RTMIN+n` / `RTMAX-n`.
fn valid_signal(text: &str) -> bool {
    if let Some(n) = atoi(text) {
        return n != 0;
    }
    if text.len() > 20 {
        return false;
    }
    let upper = text.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    if SIGNALS.contains(&name) || name == "RTMIN" || name == "RTMAX" {
        return true;
    }
    let offset = |rest: &str, max: u32| {
        !rest.is_empty()
            && !rest.starts_with('0')
            && rest.bytes().all(|b| b.is_ascii_digit())
            && rest.parse::<u32>().is_ok_and(|n| (1..=max).contains(&n))
    };
    if let Some(rest) = name.strip_prefix("RTMIN+") {
        return offset(rest, 15);
    }
    if let Some(rest) = name.strip_prefix("RTMAX-") {
        return offset(rest, 14);
    }
    false
}

/// A port number as BuildKit reads it: Atoi, then 0..=65535.
fn port_number(text: &str) -> Option<u32> {
    atoi(text)
        .filter(|n| (0..=65535).contains(n))
        .map(|n| n as u32)
}

/// `N` or `N-M` with `N <= M`.
fn port_range(text: &str) -> Option<(u32, u32)> {
    match text.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (port_number(a)?, port_number(b)?);
            (a <= b).then_some((a, b))
        }
        None => port_number(text).map(|n| (n, n)),
    }
}

/// A literal IPv4 address; anything holding `:` (IPv6) or `[` is not judged.
fn ip_is_wrong(ip: &str) -> bool {
    if ip.contains([':', '[']) {
        return false;
    }
    if !ip.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return true;
    }
    let parts: Vec<&str> = ip.split('.').collect();
    if parts.iter().any(|p| p.len() > 1 && p.starts_with('0')) {
        return false;
    }
    parts.len() != 4
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 3 || p.parse::<u32>().map_or(true, |n| n > 255))
}

/// nat.ParsePortSpec's verdict on one EXPOSE word, in its order of checks.
fn port_spec_error(raw: &str) -> Option<String> {
    let parts: Vec<&str> = raw.split(':').collect();
    let n = parts.len();
    let (ip, host, container) = match n {
        1 => (String::new(), "", parts[0]),
        2 => (String::new(), parts[0], parts[1]),
        _ => (parts[..n - 2].join(":"), parts[n - 2], parts[n - 1]),
    };
    let (port, proto) = container.split_once('/').unwrap_or((container, ""));
    if port.is_empty() {
        return Some(format!("invalid port: {raw:?}: no port specified"));
    }
    let proto = proto.to_ascii_lowercase();
    if !["", "tcp", "udp", "sctp"].contains(&proto.as_str()) {
        return Some(format!("invalid port: {raw:?}: invalid proto: {proto}"));
    }
    if !ip.is_empty() && ip_is_wrong(&ip) {
        return Some(format!("invalid IP address: {ip}"));
    }
    let Some((start, end)) = port_range(port) else {
        return Some(format!("invalid containerPort: {port}"));
    };
    if !host.is_empty() {
        let Some((host_start, host_end)) = port_range(host) else {
            return Some(format!("invalid hostPort: {host}"));
        };
        if end - start != host_end - host_start && end != start {
            return Some(format!(
                "invalid ranges specified for container and host Ports: {port} and {host}"
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals() {
        for good in [
            "9",
            "-1",
            "+5",
            "KILL",
            "sigterm",
            "SIGRTMIN+3",
            "RTMAX-14",
            "rtmax",
        ] {
            assert!(valid_signal(good), "{good}");
        }
        for bad in [
            "0",
            "+0",
            "FOO",
            "SIGSIGKILL",
            "RTMIN+16",
            "RTMAX-0",
            "a b",
            "",
        ] {
            assert!(!valid_signal(bad), "{bad}");
        }
    }

    #[test]
    fn port_specs() {
        for good in [
            "80",
            "+80",
            "080",
            "0",
            "80-80",
            "80/",
            "80/TCP",
            "80:90",
            ":80",
            "80-90:100",
            "1.2.3.4:80:90",
            "1.2.3.4::80",
            "::1:80:90",
        ] {
            assert_eq!(port_spec_error(good), None, "{good}");
        }
        for (bad, message) in [
            ("/tcp", "invalid port: \"/tcp\": no port specified"),
            (
                "80/tcp/udp",
                "invalid port: \"80/tcp/udp\": invalid proto: tcp/udp",
            ),
            ("a:80:90", "invalid IP address: a"),
            ("90-80", "invalid containerPort: 90-80"),
            ("-5", "invalid containerPort: -5"),
            ("65536", "invalid containerPort: 65536"),
            ("1.2.3.4:a:80", "invalid hostPort: a"),
            (
                "80:100-110",
                "invalid ranges specified for container and host Ports: 100-110 and 80",
            ),
        ] {
            assert_eq!(port_spec_error(bad).as_deref(), Some(message), "{bad}");
        }
    }

    #[test]
    fn quotes_left_open() {
        let q = |t: &str| unterminated_quote(t, '\\');
        assert!(q("\"a").unwrap().contains("double-quote"));
        assert!(q("'a").unwrap().contains("single-quote"));
        assert_eq!(q("\"a\""), None);
        assert_eq!(q("'\"'"), None);
        assert_eq!(q("\\\"a"), None);
        // The escapes take `\c` and `\\`: the quote opens a string.
        assert!(q("\\conf\\\\\"").is_some());
        assert_eq!(q("\"a\\\"b\""), None);
        assert!(q("'a\\'b'").is_some());
        assert_eq!(unterminated_quote("`\"a", '`'), None);
        assert!(unterminated_quote("\\\"a", '`').is_some());
    }
}
