//! `RUN --mount` options, as BuildKit's mount parser reads them.

use tree_sitter::Node;

use super::{at, closest};
use crate::syntax::errors::SyntaxError;
use crate::syntax::Source;

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
pub(super) fn mount<S: Source + ?Sized>(flag: Node, source: &S, out: &mut Vec<SyntaxError>) {
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
