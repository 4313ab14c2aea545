//! BuildKit's checks on instructions that the grammar accepts: unknown
//! flags, flag values, argument counts, ONBUILD triggers, stages. Each
//! error uses BuildKit's wording and sits on the flag or argument at fault.

use tree_sitter::{Node, Tree};

use super::errors::SyntaxError;
use super::Source;

/// The flags an instruction accepts (labs flags included, so that no file
/// that BuildKit accepts gets an error).
fn known_flags(keyword: &str) -> &'static [&'static str] {
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

const BOOL_FLAGS: [&str; 4] = ["link", "keep-git-dir", "parents", "unpack"];
const DURATION_FLAGS: [&str; 4] = ["interval", "timeout", "start-period", "start-interval"];

pub(super) fn validate<S: Source + ?Sized>(tree: &Tree, source: &S, out: &mut Vec<SyntaxError>) {
    let had_errors = !out.is_empty();
    let root = tree.root_node();
    let mut cursor = root.walk();
    let mut has_stage = false;
    for node in root.named_children(&mut cursor) {
        if node.kind() == "stage" {
            has_stage = true;
            let mut inner = node.walk();
            for line in node.named_children(&mut inner) {
                if super::is_instruction_kind(line.kind()) {
                    instruction(line, source, out);
                }
            }
        } else if super::is_instruction_kind(node.kind()) {
            if node.kind() != "arg_instruction" {
                out.push(at(
                    node.child(0).unwrap_or(node),
                    "no build stage in current context",
                ));
            }
            instruction(node, source, out);
        }
    }
    if !has_stage && !had_errors && out.is_empty() && super::has_instructions(tree) {
        let first = super::instructions(tree).into_iter().next().unwrap_or(root);
        out.push(at(
            first.child(0).unwrap_or(first),
            "dockerfile contains no stages to build",
        ));
    }
    out.sort_by_key(|e| e.start_byte);
}

fn at(node: Node, message: impl Into<String>) -> SyntaxError {
    SyntaxError {
        start_byte: node.start_byte(),
        end_byte: node.end_byte(),
        start: node.start_position(),
        message: message.into(),
        suggestion: None,
    }
}

fn instruction<S: Source + ?Sized>(node: Node, source: &S, out: &mut Vec<SyntaxError>) {
    let keyword = super::views::keyword(node, source);
    flags(node, &keyword, source, out);
    match keyword.as_str() {
        "ONBUILD" => {
            if let Some(inner) = node.child_by_field_name("instruction") {
                let inner_keyword = super::views::keyword(inner, source);
                if inner_keyword == "FROM" || inner_keyword == "MAINTAINER" {
                    let kw = inner.child(0).unwrap_or(inner);
                    out.push(at(
                        kw,
                        format!("{inner_keyword} isn't allowed as an ONBUILD trigger"),
                    ));
                }
                instruction(inner, source, out);
            }
        }
        "HEALTHCHECK" if node.child_by_field_name("type").is_none() => {
            out.push(at(
                node.child(0).unwrap_or(node),
                "HEALTHCHECK requires at least one argument",
            ));
        }
        "SHELL" => {
            if let Some(shell) = node.child_by_field_name("shell") {
                out.push(at(shell, "SHELL requires the arguments to be in JSON form"));
            }
        }
        "COPY" | "ADD" => {
            let count = match node.child_by_field_name("exec") {
                Some(exec) => {
                    let mut c = exec.walk();
                    let n = exec
                        .named_children(&mut c)
                        .filter(|n| n.kind() == "json_string")
                        .count();
                    n
                }
                None => {
                    let mut c = node.walk();
                    let n = node.children_by_field_name("path", &mut c).count();
                    n
                }
            };
            if count == 1 {
                let target = node
                    .child_by_field_name("exec")
                    .or_else(|| node.child_by_field_name("path"))
                    .unwrap_or(node);
                out.push(at(
                    target,
                    format!(
                        "{keyword} requires at least two arguments, but only one was provided. \
                         Destination could not be determined"
                    ),
                ));
            }
        }
        "VOLUME" => {
            if let Some(exec) = node.child_by_field_name("exec") {
                let mut c = exec.walk();
                for string in exec.named_children(&mut c) {
                    if source.text(string.byte_range()) == "\"\"" {
                        out.push(at(string, "VOLUME specified can not be an empty string"));
                    }
                }
            }
        }
        "EXPOSE" => {
            let mut c = node.walk();
            for port in node.children_by_field_name("port", &mut c) {
                let text = source.text(port.byte_range());
                if text.contains('$') {
                    continue;
                }
                let number = text.split_once('/').map_or(text.as_ref(), |(n, _)| n);
                if !number.is_empty() && !number.contains(':') && !valid_port_range(number) {
                    out.push(at(port, format!("invalid containerPort: {number}")));
                    continue;
                }
                if let Some((_, proto)) = text.rsplit_once('/') {
                    let lower = proto.to_ascii_lowercase();
                    if !["tcp", "udp", "sctp"].contains(&lower.as_str()) {
                        out.push(at(
                            port,
                            format!("invalid port: \"{text}\": invalid proto: {proto}"),
                        ));
                    }
                }
            }
        }
        _ => {}
    }
}

fn flags<S: Source + ?Sized>(node: Node, keyword: &str, source: &S, out: &mut Vec<SyntaxError>) {
    let known = known_flags(keyword);
    for flag in super::views::flags(node, source) {
        let name = flag.name.as_str();
        if !known.contains(&name) {
            let mut message = format!("unknown flag: --{name}");
            let close = closest(name, known);
            if let Some(close) = close {
                message.push_str(&format!(" (did you mean --{close}?)"));
            }
            let mut error = at(flag.node, message);
            if let (Some(close), Some(name_node)) = (close, flag.node.child_by_field_name("name")) {
                error.suggestion = Some((name_node.byte_range(), format!("--{close}")));
            }
            out.push(error);
            continue;
        }
        if name == "mount" {
            mount(flag.node, source, out);
            continue;
        }
        let Some(value) = flag.value else {
            continue;
        };
        let text = source.text(value.byte_range());
        if text.contains(['$', '"', '\'']) {
            continue;
        }
        let text = text.as_ref();
        if BOOL_FLAGS.contains(&name) {
            if !text.eq_ignore_ascii_case("true") && !text.eq_ignore_ascii_case("false") {
                out.push(at(
                    value,
                    format!("expecting boolean value for flag --{name}, not: {text}"),
                ));
            }
        } else if DURATION_FLAGS.contains(&name) {
            match parse_duration(text) {
                Err(message) => out.push(at(value, message)),
                Ok(nanos) if nanos != 0.0 && nanos < 1e6 => out.push(at(
                    value,
                    format!("Interval \"{name}\" cannot be less than 1ms"),
                )),
                Ok(_) => {}
            }
        } else if name == "retries" {
            match text.parse::<i32>() {
                Err(_) => out.push(at(
                    value,
                    format!("strconv.ParseInt: parsing \"{text}\": invalid syntax"),
                )),
                Ok(n) if n < 0 => {
                    out.push(at(value, format!("--retries cannot be negative ({n})")))
                }
                Ok(_) => {}
            }
        } else if name == "network" && !["none", "host", "default"].contains(&text) {
            out.push(at(value, format!("invalid network mode \"{text}\"")));
        } else if name == "chmod"
            && text.bytes().all(|b| b.is_ascii_digit())
            && u32::from_str_radix(text, 8).map_or(true, |m| m > 0o7777)
        {
            out.push(at(
                value,
                format!(
                    "invalid chmod parameter: '{text}'. it should be octal string and between 0 and 07777"
                ),
            ));
        } else if name == "security" && !["insecure", "sandbox"].contains(&text) {
            out.push(at(value, format!("security \"{text}\" is not valid")));
        }
    }
}

/// `N` or `N-M` with ports up to 65535 and `N <= M`.
fn valid_port_range(text: &str) -> bool {
    let port = |p: &str| {
        !p.is_empty()
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| n <= 65535)
    };
    match text.split_once('-') {
        Some((a, b)) => port(a) && port(b) && a.parse::<u32>().ok() <= b.parse::<u32>().ok(),
        None => port(text),
    }
}

const MOUNT_KEYS: [&str; 16] = [
    "type",
    "from",
    "source",
    "target",
    "readonly",
    "id",
    "sharing",
    "required",
    "mode",
    "uid",
    "gid",
    "src",
    "dst",
    "ro",
    "rw",
    "readwrite",
];

/// A `--mount` flag's options, as BuildKit's mount parser reads them.
fn mount<S: Source + ?Sized>(flag: Node, source: &S, out: &mut Vec<SyntaxError>) {
    let mut cursor = flag.walk();
    let options: Vec<(Node, String, Option<Node>)> = flag
        .children_by_field_name("option", &mut cursor)
        .map(|option| {
            let key = option
                .child_by_field_name("key")
                .map(|k| source.text(k.byte_range()).to_ascii_lowercase())
                .unwrap_or_default();
            (option, key, option.child_by_field_name("value"))
        })
        .collect();
    if source.text(flag.byte_range()).contains('$') {
        // Expanded by BuildKit before it reads the options.
        return;
    }
    let mut kind = "bind".to_string();
    let mut file_info = Vec::new();
    for (option, key, value) in &options {
        let text = value.map(|v| source.text(v.byte_range()).into_owned());
        let Some(text) = text else {
            continue;
        };
        let bool_value = |t: &str| {
            [
                "1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False",
            ]
            .contains(&t)
        };
        let value = value.unwrap_or(*option);
        match key.as_str() {
            "type" => {
                let lower = text.to_ascii_lowercase();
                if ["bind", "cache", "tmpfs", "secret", "ssh"].contains(&lower.as_str()) {
                    kind = lower;
                } else {
                    out.push(at(value, format!("unsupported mount type \"{text}\"")));
                    return;
                }
            }
            // A relative or missing target is joined to the WORKDIR: only `/`
            // itself is always wrong.
            "target" | "dst" | "destination" => {
                if text == "/" {
                    out.push(at(value, "invalid mount target \"/\""));
                }
            }
            "from" | "source" | "src" | "id" | "env" => {}
            "readonly" | "ro" | "readwrite" | "rw" => {
                if !bool_value(&text) {
                    out.push(at(value, format!("invalid value for {key}: {text}")));
                }
            }
            "required" => {
                if kind != "secret" && kind != "ssh" {
                    out.push(at(
                        *option,
                        format!("unexpected key 'required' for mount type '{kind}'"),
                    ));
                } else if !bool_value(&text) {
                    out.push(at(value, format!("invalid value for {key}: {text}")));
                }
            }
            "size" => {
                if kind != "tmpfs" {
                    out.push(at(
                        *option,
                        format!("unexpected key 'size' for mount type '{kind}'"),
                    ));
                }
            }
            "sharing" => {
                let lower = text.to_ascii_lowercase();
                if !["shared", "private", "locked"].contains(&lower.as_str()) {
                    out.push(at(value, format!("unsupported sharing value \"{text}\"")));
                }
            }
            "mode" | "uid" | "gid" => {
                let radix = if key == "mode" { 8 } else { 10 };
                if u32::from_str_radix(&text, radix).is_err() || text.starts_with('+') {
                    out.push(at(value, format!("invalid value {text} for {key}")));
                } else {
                    file_info.push((*option, key.clone()));
                }
            }
            _ => {
                let field = source.text(option.byte_range());
                let mut message = format!("unexpected key '{key}' in '{field}'");
                if let Some(close) = closest(key, &MOUNT_KEYS) {
                    message.push_str(&format!(" (did you mean {close}?)"));
                }
                out.push(at(*option, message));
            }
        }
    }
    if kind == "bind" || kind == "tmpfs" {
        for (option, key) in file_info {
            out.push(at(
                option,
                format!("{key} not allowed for \"{kind}\" type mounts"),
            ));
        }
    }
}

/// Go's `time.ParseDuration`, as nanoseconds (negative ones below 0), or
/// its error message.
fn parse_duration(text: &str) -> Result<f64, String> {
    let invalid = || format!("time: invalid duration \"{text}\"");
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(0.0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let number = &rest[..digits];
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return Err(invalid());
        }
        let value: f64 = number.parse().map_err(|_| invalid())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        if unit.is_empty() {
            return Err(format!("time: missing unit in duration \"{text}\""));
        }
        let scale = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => {
                return Err(format!(
                    "time: unknown unit \"{unit}\" in duration \"{text}\""
                ))
            }
        };
        total += value * scale;
        rest = &rest[unit_len..];
    }
    Ok(if negative { -total } else { total })
}

/// The known name at most 2 edits from `name`, if one is.
fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (super::edit_distance(name, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}
