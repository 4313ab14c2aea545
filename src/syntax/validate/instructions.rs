//! Each instruction's arguments: counts, forms, ONBUILD triggers.

use tree_sitter::Node;

use super::at;
use crate::syntax::errors::SyntaxError;
use crate::syntax::Source;

pub(super) fn instruction<S: Source + ?Sized>(node: Node, source: &S, out: &mut Vec<SyntaxError>) {
    let keyword = crate::syntax::views::keyword(node, source);
    super::flags::flags(node, &keyword, source, out);
    match keyword.as_str() {
        "ONBUILD" => {
            if let Some(inner) = node.child_by_field_name("instruction") {
                let inner_keyword = crate::syntax::views::keyword(inner, source);
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
