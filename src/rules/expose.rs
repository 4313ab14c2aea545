//! EXPOSE checks.
//!
//! ExposeProtoCasing: the protocol after `/` is lowercase (`80/tcp`).
//! ExposeInvalidFormat: EXPOSE takes a container port (and protocol); an IP
//! address or a `host:container` mapping belongs to `docker run -p`.

use tree_sitter::Node;

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostic_types::{Edit, Fix, Severity};

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

/// The text of a word with its `$NAME` and `${NAME}` expansions replaced by
/// the values of the ARG or ENV they resolve to, as BuildKit expands the
/// word before checking it; None when one has no known value (undefined,
/// declared without a default, written with an operator, or a value that
/// itself expands).
pub(super) fn expanded_text(ctx: &Ctx, node: Node) -> Option<String> {
    fn expansions<'t>(node: Node<'t>, out: &mut Vec<Node<'t>>) {
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if child.kind() == "expansion" {
                out.push(child);
            } else {
                expansions(child, out);
            }
        }
    }
    let mut found = Vec::new();
    expansions(node, &mut found);
    let vars = &ctx.analysis.variables;
    let mut out = String::new();
    let mut pos = node.start_byte();
    for expansion in found {
        if expansion.child_by_field_name("operator").is_some() {
            return None;
        }
        let name = expansion.child_by_field_name("name")?;
        let def = vars.use_at(name.start_byte())?.def?;
        let def = &vars.defs[def];
        // An ARG redeclared in a stage without a value keeps the global default.
        let value = def
            .value
            .clone()
            .or_else(|| def.redeclares.and_then(|g| vars.defs[g].value.clone()))?;
        if value.contains('$') {
            return None;
        }
        out.push_str(&ctx.source.text(pos..expansion.start_byte()));
        out.push_str(&super::from_args::unquote(&value));
        pos = expansion.end_byte();
    }
    out.push_str(&ctx.source.text(pos..node.end_byte()));
    Some(out)
}

/// Each EXPOSE port as BuildKit checks it: (instruction, port node, the
/// port, whether it came from expanding variables). A port with variables
/// is checked with their values, each word it expands to on its own.
fn ports<'t>(ctx: &Ctx<'t>) -> Vec<(Node<'t>, Node<'t>, String, bool)> {
    let mut out = Vec::new();
    for &instruction in ctx.instructions() {
        if instruction.kind() != "expose_instruction" {
            continue;
        }
        let mut cursor = instruction.walk();
        for port in instruction.children_by_field_name("port", &mut cursor) {
            let text = crate::syntax::logical_text(port, ctx.source);
            if !text.contains('$') {
                out.push((instruction, port, text, false));
            } else if let Some(value) = expanded_text(ctx, port) {
                for word in value.split_whitespace() {
                    out.push((instruction, port, word.to_string(), true));
                }
            }
        }
    }
    out
}

fn check_casing(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (instruction, node, port, expanded) in ports(ctx) {
        if let Some((_, proto)) = port.split_once('/') {
            if proto != proto.to_lowercase() {
                let mut finding = Finding::new(
                    instruction.byte_range(),
                    format!("Defined protocol '{port}' in EXPOSE instruction should be lowercase"),
                );
                let written = ctx.text(node);
                if let Some((number, proto)) = written.split_once('/').filter(|_| !expanded) {
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
    for (instruction, _, port, _) in ports(ctx) {
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
        // BuildKit checks the ports its variables expand to.
        let src = "FROM a\nARG P=8080:80\nENV Q=\"80/TCP 81\"\nEXPOSE $P\nEXPOSE ${Q}\nEXPOSE $R\n";
        assert_eq!(found_by("ExposeInvalidFormat", src), [4]);
        assert_eq!(found_by("ExposeProtoCasing", src), [5]);
        assert!(found_by("ExposeInvalidFormat", "FROM a\nARG P=80\nEXPOSE ${P}\n").is_empty());
    }
}
