//! `RUN --mount` options, as BuildKit's mount parser reads them
//! (instructions/commands_runmount.go) and as the conversion checks them
//! (dockerfile2llb: ssh sources). Mounts of stages are checked with the
//! stages.

use tree_sitter::Node;

use super::{at, closest};
use crate::syntax::errors::SyntaxError;
use crate::syntax::{logical_text, Source};

#[path = "mount_workdir.rs"]
mod workdir;

/// The keys BuildKit suggests from (its own list).
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

/// One `key[=value]` field of a `--mount`.
struct Field<'t> {
    node: Node<'t>,
    /// Lower case, as BuildKit compares it.
    key: String,
    /// The value's node, when the value is not empty.
    value_node: Option<Node<'t>>,
    /// The value's text; None for a bare key (no `=`).
    value: Option<String>,
    /// The whole field as written.
    text: String,
}

/// What the options of one mount set, as BuildKit's `validateMount` sees them.
#[derive(Default)]
struct Mount<'t> {
    kind: String,
    from: Option<Node<'t>>,
    source: Option<Node<'t>>,
    target: Option<String>,
    target_node: Option<Node<'t>>,
    id: bool,
    sharing: Option<Node<'t>>,
    file_info: Vec<(Node<'t>, String)>,
}

/// A `--mount` flag's options, as BuildKit's mount parser reads them.
pub(super) fn mount<S: Source + ?Sized>(flag: Node, source: &S, out: &mut Vec<SyntaxError>) {
    let whole = logical_text(flag, source);
    if let Some(value) = whole.split_once('=').map(|(_, v)| v) {
        if value.is_empty() {
            // Nothing for BuildKit's CSV reader to read.
            out.push(at(flag, "failed to parse csv mounts: EOF"));
            return;
        }
    }
    if whole.contains('\\') {
        // Escapes change how the CSV splits: not modelled.
        return;
    }
    let fields = if whole.contains(['"', '\'']) {
        // BuildKit removes the quotes before it splits the fields: read the
        // unquoted text, and report on the flag.
        let Some(fields) = unquoted_fields(flag, &whole) else {
            return;
        };
        fields
    } else {
        let mut cursor = flag.walk();
        let fields: Vec<Field> = flag
            .children_by_field_name("option", &mut cursor)
            .map(|option| {
                let key_node = option.child_by_field_name("key");
                let key = key_node
                    .map(|k| logical_text(k, source).to_ascii_lowercase())
                    .unwrap_or_default();
                let value_node = option.child_by_field_name("value");
                let has_equals = key_node.is_some_and(|k| option.end_byte() > k.end_byte());
                let value = match value_node {
                    Some(v) => Some(logical_text(v, source)),
                    None if has_equals => Some(String::new()),
                    None => None,
                };
                Field {
                    node: option,
                    key,
                    value_node,
                    value,
                    text: logical_text(option, source),
                }
            })
            .collect();
        fields
    };
    if whole.contains('$') {
        // Expanded by BuildKit before it reads the options; only `from`
        // is checked before expansion.
        for field in &fields {
            if field.key == "from" && field.value.as_deref().is_some_and(has_variable) {
                out.push(at(
                    field.node,
                    "'from' doesn't support variable expansion, define alias stage instead",
                ));
            }
        }
        return;
    }
    let mut mount = Mount {
        kind: "bind".to_string(),
        ..Mount::default()
    };
    let before = out.len();
    for field in &fields {
        if !option(field, &mut mount, out) {
            // BuildKit stops at an unknown type: what follows means nothing.
            return;
        }
    }
    if out.len() == before {
        // BuildKit validates the mount only once every field was read.
        validate(flag, &mount, source, out);
    }
}

/// The fields of a quoted `--mount=...` (its logical text), each on the
/// flag; None when a quote holds a comma or is not closed.
fn unquoted_fields<'t>(flag: Node<'t>, whole: &str) -> Option<Vec<Field<'t>>> {
    let (_, value) = whole.split_once('=')?;
    value
        .split(',')
        .map(|raw| {
            let text = super::flags::unquote(raw, false)?;
            let (key, value) = match text.split_once('=') {
                Some((k, v)) => (k.to_ascii_lowercase(), Some(v.to_string())),
                None => (text.to_ascii_lowercase(), None),
            };
            Some(Field {
                node: flag,
                key,
                value_node: None,
                value,
                text,
            })
        })
        .collect()
}

/// `\$.` somewhere in the text, as BuildKit's check for a variable.
fn has_variable(text: &str) -> bool {
    text.find('$').is_some_and(|i| i + 1 < text.len())
}

fn is_bool(text: &str) -> bool {
    [
        "1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False",
    ]
    .contains(&text)
}

/// One field, in order (a key's meaning can depend on the `type` before
/// it); false after an unsupported type.
fn option<'t>(field: &Field<'t>, mount: &mut Mount<'t>, out: &mut Vec<SyntaxError>) -> bool {
    let key = field.key.as_str();
    let Some(text) = field.value.as_deref() else {
        // A bare key: only the booleans and `required` may go without a value.
        match key {
            "readonly" | "ro" | "readwrite" | "rw" => {}
            "required" if mount.kind == "secret" || mount.kind == "ssh" => {}
            "required" => out.push(at(
                field.node,
                format!("unexpected key 'required' for mount type '{}'", mount.kind),
            )),
            _ => out.push(at(
                field.node,
                format!("invalid field '{}' must be a key=value pair", field.text),
            )),
        }
        return true;
    };
    let value = field.value_node.unwrap_or(field.node);
    match key {
        "type" => {
            let lower = text.to_ascii_lowercase();
            if ["bind", "cache", "tmpfs", "secret", "ssh"].contains(&lower.as_str()) {
                mount.kind = lower;
            } else {
                out.push(at(value, format!("unsupported mount type \"{text}\"")));
                return false;
            }
        }
        "target" | "dst" | "destination" => {
            mount.target = Some(text.to_string());
            mount.target_node = Some(value);
        }
        "from" => mount.from = (!text.is_empty()).then_some(value),
        "source" | "src" => mount.source = (!text.is_empty()).then_some(field.node),
        "id" => mount.id = !text.is_empty(),
        "env" => {}
        "readonly" | "ro" | "readwrite" | "rw" => {
            if !is_bool(text) {
                out.push(at(value, format!("invalid value for {key}: {text}")));
            }
        }
        "required" => {
            if mount.kind != "secret" && mount.kind != "ssh" {
                out.push(at(
                    field.node,
                    format!("unexpected key 'required' for mount type '{}'", mount.kind),
                ));
            } else if !is_bool(text) {
                out.push(at(value, format!("invalid value for {key}: {text}")));
            }
        }
        "size" => {
            if mount.kind != "tmpfs" {
                out.push(at(
                    field.node,
                    format!("unexpected key 'size' for mount type '{}'", mount.kind),
                ));
            } else if !ram_in_bytes(text) {
                out.push(at(value, format!("invalid value for size: {text}")));
            }
        }
        "sharing" => {
            let lower = text.to_ascii_lowercase();
            if !["shared", "private", "locked"].contains(&lower.as_str()) {
                out.push(at(value, format!("unsupported sharing value \"{text}\"")));
            } else {
                mount.sharing = Some(field.node);
            }
        }
        "mode" | "uid" | "gid" => {
            let radix = if key == "mode" { 8 } else { 10 };
            if u32::from_str_radix(text, radix).is_err() || text.starts_with('+') {
                out.push(at(value, format!("invalid value {text} for {key}")));
            } else {
                mount.file_info.push((field.node, key.to_string()));
            }
        }
        _ => {
            let mut message = format!("unexpected key '{key}' in '{}'", field.text);
            let close = closest(key, &MOUNT_KEYS).filter(|_| !key.is_empty());
            if let Some(close) = close {
                message.push_str(&format!(" (did you mean {close}?)"));
            }
            let mut error = at(field.node, message);
            if let (Some(close), Some(key_node)) = (close, field.node.child_by_field_name("key")) {
                error.suggestion = Some((key_node.byte_range(), close.to_string()));
            }
            out.push(error);
        }
    }
    true
}

/// BuildKit's `validateMount` and the conversion's checks of one mount.
fn validate<S: Source + ?Sized>(flag: Node, mount: &Mount, source: &S, out: &mut Vec<SyntaxError>) {
    let kind = mount.kind.as_str();
    if kind == "bind" || kind == "tmpfs" {
        for (option, key) in &mount.file_info {
            out.push(at(
                *option,
                format!("{key} not allowed for \"{kind}\" type mounts"),
            ));
        }
    }
    // An absolute target is taken as written (BuildKit takes `/x/..` and
    // `//.`); a relative or missing one is joined to the working directory.
    // Secrets and ssh sockets may go anywhere.
    if let "bind" | "cache" | "tmpfs" = kind {
        let target = mount.target.as_deref().unwrap_or("");
        let on_root = if target.starts_with('/') {
            target == "/"
        } else {
            // Joined to the working directory, when the file tells it.
            workdir::workdir(flag, source).is_some_and(|dir| workdir::join(&dir, target) == "/")
        };
        if on_root {
            out.push(at(
                mount.target_node.unwrap_or(flag),
                "invalid mount target \"/\"",
            ));
        }
    }
    match kind {
        "secret" => {
            if let Some(from) = mount.from {
                out.push(at(
                    from.parent().unwrap_or(from),
                    "secret mount should not have a from",
                ));
            } else if let Some(sharing) = mount.sharing {
                out.push(at(sharing, "secret mount should not define sharing"));
            } else if mount.source.is_none() && mount.target.is_none() && !mount.id {
                out.push(at(
                    flag,
                    "invalid secret mount. one of source, target required",
                ));
            } else if let (Some(source), true) = (mount.source, mount.id) {
                out.push(at(source, "both source and id can't be set"));
            }
        }
        "bind" | "tmpfs" | "ssh" => {
            if let Some(sharing) = mount.sharing {
                out.push(at(
                    sharing,
                    format!("invalid cache sharing set for {kind} mount"),
                ));
            } else if let (Some(source), "ssh") = (mount.source, kind) {
                out.push(at(source, "ssh does not support source"));
            }
        }
        _ => {}
    }
}

/// go-units' `RAMInBytes`: a number, an optional space, and an optional
/// `b`, `k`, `m`, `g`, `t` or `p` suffix (`kb`, `kib`, any case).
fn ram_in_bytes(text: &str) -> bool {
    let Some(sep) = text.rfind(|c: char| c.is_ascii_digit() || c == '.' || c == ' ') else {
        return false;
    };
    let (number, suffix) = if text.as_bytes()[sep] == b' ' {
        (&text[..sep], &text[sep + 1..])
    } else {
        (&text[..=sep], &text[sep + 1..])
    };
    if number.starts_with('-') {
        return false;
    }
    if number.parse::<f64>().is_err() {
        // Go's ParseFloat takes more forms (hex, underscores): only a
        // plain decimal is judged.
        return !number.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    }
    let suffix = suffix.to_ascii_lowercase();
    match suffix.as_bytes() {
        [] | [b'b'] => true,
        [unit, rest @ ..] if b"kmgtp".contains(unit) => {
            matches!(rest, [] | [b'i'] | [b'b'] | [b'i', b'b'])
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::ram_in_bytes;

    #[test]
    fn sizes() {
        for good in ["1m", "1", "1.5g", "10 MiB", "2kb", "3B", "1e5"] {
            assert!(ram_in_bytes(good), "{good}");
        }
        for bad in ["abc", "-1", "1q", "1mx", "1kbb", ""] {
            assert!(!ram_in_bytes(bad), "{bad}");
        }
    }
}

#[cfg(test)]
mod accepted {
    use crate::syntax::{parse, syntax_errors};

    /// Mounts BuildKit accepts (checked with buildkit-check, but for the
    /// last).
    #[test]
    fn mounts_buildkit_accepts() {
        for text in [
            "FROM alpine\nRUN --mount=type=secret,target=/ true\n",
            "FROM alpine\nRUN --mount=target=/,type=ssh true\n",
            "FROM alpine\nRUN --mount=type=ssh true\n",
            "FROM alpine\nRUN --mount=type=cache,target=/x/.. true\n",
            "FROM alpine\nRUN --mount=type=secret,id=x,required true\n",
            "FROM alpine\nRUN --mount=type=cache,target=/x,ro true\n",
            "FROM alpine\nRUN --mount=type=secret,id=x,env=X true\n",
            "FROM alpine\nRUN --mount=type=tmpfs,target=/x,size=1kib true\n",
            "FROM alpine\nWORKDIR /x\nRUN --mount=type=tmpfs true\n",
            "FROM alpine AS a\nWORKDIR /x\nFROM a\nRUN --mount=type=cache true\n",
            // golang's image sets WORKDIR /go (buildkit-check's stand-in
            // image has none, so it rejects this one): unknown, so silent.
            "FROM golang\nRUN --mount=type=cache true\n",
        ] {
            let tree = parse(text);
            let errors = syntax_errors(&tree, text);
            assert!(errors.is_empty(), "{text}: {errors:?}");
        }
    }
}
