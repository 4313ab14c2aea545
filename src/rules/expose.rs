//! EXPOSE checks.
//!
//! ExposeProtoCasing: the protocol after `/` is lowercase (`80/tcp`).
//! ExposeInvalidFormat: EXPOSE takes a container port (and protocol); an IP
//! address or a `host:container` mapping belongs to `docker run -p`.

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostics::{Edit, Fix, Severity};

pub const PROTO_CASING: Rule = Rule {
    code: "ExposeProtoCasing",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "EXPOSE protocols are lowercase",
    check: check_casing,
};

pub const INVALID_FORMAT: Rule = Rule {
    code: "ExposeInvalidFormat",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "EXPOSE takes ports, not addresses or mappings",
    check: check_format,
};

fn ports<'t>(ctx: &Ctx<'t>) -> Vec<(tree_sitter::Node<'t>, tree_sitter::Node<'t>, String)> {
    let mut out = Vec::new();
    for &instruction in ctx.instructions() {
        if instruction.kind() != "expose_instruction" {
            continue;
        }
        let mut cursor = instruction.walk();
        for port in instruction.children_by_field_name("port", &mut cursor) {
            out.push((
                instruction,
                port,
                crate::syntax::logical_text(port, ctx.source),
            ));
        }
    }
    out
}

fn check_casing(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (instruction, node, port) in ports(ctx) {
        if let Some((_, proto)) = port.split_once('/') {
            if proto != proto.to_lowercase() {
                let mut finding = Finding::new(
                    instruction.byte_range(),
                    format!("Defined protocol '{port}' in EXPOSE instruction should be lowercase"),
                );
                let written = ctx.text(node);
                if let Some((number, proto)) = written.split_once('/') {
                    finding = finding.with_fix(Fix::new(
                        "Write the protocol in lowercase",
                        vec![Edit::new(
                            node.byte_range(),
                            format!("{number}/{}", proto.to_lowercase()),
                        )],
                    ));
                }
                out.push(finding);
            }
        }
    }
}

fn check_format(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (instruction, _, port) in ports(ctx) {
        if maps_host(&port) {
            out.push(Finding {
                range: instruction.byte_range(),
                message: format!("EXPOSE instruction should not define an IP address or host-port mapping, found '{port}'"), ..Default::default()
            });
        }
    }
}

/// Whether a port spec names a host IP or host port, as BuildKit splits
/// it: `[ip:]host:container`, the last two `:` parts host and container
/// port, everything before them the IP (`:80` has neither).
fn maps_host(port: &str) -> bool {
    let parts: Vec<&str> = port.split(':').collect();
    let n = parts.len();
    n > 1 && (!parts[n - 2].is_empty() || !parts[..n - 2].join(":").is_empty())
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn bad_and_good() {
        assert_eq!(
            found_by("ExposeProtoCasing", "FROM a\nEXPOSE 80/TCP 443\n"),
            [2]
        );
        assert_eq!(
            found_by("ExposeInvalidFormat", "FROM a\nEXPOSE 127.0.0.1:80:80\n"),
            [2]
        );
        assert!(found_by("ExposeProtoCasing", "FROM a\nEXPOSE 80/tcp 53/udp\n").is_empty());
        assert!(found_by("ExposeInvalidFormat", "FROM a\nEXPOSE 80 8080-8090/tcp\n").is_empty());
        // BuildKit reads `:80` and `::80` as no host part at all.
        assert!(found_by("ExposeInvalidFormat", "FROM a\nEXPOSE :80 ::80\n").is_empty());
        assert_eq!(
            found_by("ExposeInvalidFormat", "FROM a\nEXPOSE 127.0.0.1::80\n"),
            [2]
        );
    }
}
