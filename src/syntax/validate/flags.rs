//! Flags: which ones each instruction accepts, and their values.

use tree_sitter::Node;

use super::duration::parse_duration;
use super::mount::mount;
use super::{at, closest};
use crate::syntax::errors::SyntaxError;
use crate::syntax::Source;

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

pub(super) fn flags<S: Source + ?Sized>(
    node: Node,
    keyword: &str,
    source: &S,
    out: &mut Vec<SyntaxError>,
) {
    let known = known_flags(keyword);
    for flag in crate::syntax::views::flags(node, source) {
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
