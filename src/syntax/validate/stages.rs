//! FROM and the stage graph, as BuildKit's conversion reads them: stage
//! names, base names after the global ARGs are expanded, `--platform`
//! values, image references, and the `--from` references between stages.
//!
//! Only what no `--build-arg` can change is reported: a variable declared
//! by a global ARG (or predefined by BuildKit) may be given any value at
//! build time, so a FROM using one is left alone; an undeclared one is
//! always empty.

use std::collections::{HashMap, HashSet};

use tree_sitter::{Node, Tree};

use super::at;
use crate::syntax::errors::SyntaxError;
use crate::syntax::{logical_text, views, Source};

/// One stage as the graph sees it.
struct StageInfo {
    /// The name, lower case, when it is a valid one.
    name: Option<String>,
}

impl StageInfo {
    /// The name BuildKit's messages give the stage.
    fn display(&self, index: usize) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("stage-{index}"))
    }
}

/// A `COPY --from` or `RUN --mount=from=` naming a stage.
struct Edge<'t> {
    from_stage: usize,
    to_stage: usize,
    value: Node<'t>,
    text: String,
    /// A mount's target as written (else the edge is a COPY's).
    mounted: Option<String>,
}

pub(super) fn check<S: Source + ?Sized>(tree: &Tree, source: &S, out: &mut Vec<SyntaxError>) {
    let globals = global_args(tree, source);
    let stages = views::stages(tree);
    let mut infos: Vec<StageInfo> = Vec::new();
    for (_, from) in &stages {
        let info = from_instruction(*from, source, &globals, &infos, out);
        infos.push(info);
    }
    graph(&stages, source, &infos, out);
}

/// The names of the ARGs declared before the first FROM.
fn global_args<S: Source + ?Sized>(tree: &Tree, source: &S) -> HashSet<String> {
    let mut names = HashSet::new();
    let root = tree.root_node();
    let mut cursor = root.walk();
    for node in root.named_children(&mut cursor) {
        if node.kind() == "stage" {
            break;
        }
        if node.kind() != "arg_instruction" {
            continue;
        }
        let mut inner = node.walk();
        for decl in node.children_by_field_name("argument", &mut inner) {
            if let Some(name) = decl.child_by_field_name("name") {
                names.insert(logical_text(name, source));
            }
        }
    }
    names
}

fn from_instruction<S: Source + ?Sized>(
    from: Node,
    source: &S,
    globals: &HashSet<String>,
    earlier: &[StageInfo],
    out: &mut Vec<SyntaxError>,
) -> StageInfo {
    let view = views::from_instruction(from);
    let mut info = StageInfo { name: None };
    if let Some(name) = view.stage_name.filter(|n| !n.has_error()) {
        let text = logical_text(name, source);
        if valid_stage_name(&text) {
            info.name = Some(text.to_ascii_lowercase());
        } else {
            out.push(at(
                name,
                format!(
                    "invalid name for build stage: {}, name can't start with a number or contain symbols",
                    go_quote(&text)
                ),
            ));
        }
    }
    if from.has_error() {
        // A name the grammar reads as missing (`FROM @`, `FROM :`) but
        // that is there is BuildKit's to reject as a reference; any other
        // error is the grammar's to report.
        if let Some(image) = view.image.filter(|_| !has_error_node(from)) {
            let text = logical_text(image, source);
            if !text.is_empty() && !text.contains('$') {
                if let Err(reason) = parse_reference(&text) {
                    out.push(at(
                        image,
                        format!("failed to parse stage name {}: {reason}", go_quote(&text)),
                    ));
                }
            }
        }
        return info;
    }
    if let Some(image) = view.image {
        base_name(image, source, globals, earlier, out);
    }
    for flag in views::flags(from, source) {
        if flag.name == "platform" {
            if let Some(value) = flag.value {
                platform(value, source, globals, out);
            }
        }
    }
    info
}

/// Whether an ERROR node (not only a MISSING one) is in `node`.
fn has_error_node(node: Node) -> bool {
    if node.is_error() {
        return true;
    }
    let mut cursor = node.walk();
    let found = node
        .children(&mut cursor)
        .any(|c| c.has_error() && has_error_node(c));
    found
}

/// `^[a-z][a-z0-9-_\.]*$`, case-insensitive.
fn valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn base_name<S: Source + ?Sized>(
    image: Node,
    source: &S,
    globals: &HashSet<String>,
    earlier: &[StageInfo],
    out: &mut Vec<SyntaxError>,
) {
    let raw = logical_text(image, source);
    let name = match expand(&raw, globals) {
        Expansion::Unknown => return,
        Expansion::Failed(reason) => {
            out.push(at(
                image,
                format!("failed to process {}: {reason}", go_quote(&raw)),
            ));
            return;
        }
        Expansion::Known(name) => name,
    };
    if name.is_empty() {
        out.push(at(image, format!("base name ({raw}) should not be blank")));
        return;
    }
    // BuildKit looks the base name up as written among the earlier stages'
    // (lower case) names.
    if name == "scratch" || earlier.iter().any(|s| s.name.as_deref() == Some(&name)) {
        return;
    }
    if let Err(reason) = parse_reference(&name) {
        out.push(at(
            image,
            format!("failed to parse stage name {}: {reason}", go_quote(&name)),
        ));
    }
}

fn platform<S: Source + ?Sized>(
    value: Node,
    source: &S,
    globals: &HashSet<String>,
    out: &mut Vec<SyntaxError>,
) {
    let Some(raw) = unquote_flag(&logical_text(value, source)) else {
        return;
    };
    if raw.is_empty() {
        return;
    }
    let result = match expand(&raw, globals) {
        Expansion::Unknown => return,
        Expansion::Failed(reason) => {
            out.push(at(
                value,
                format!(
                    "failed to process arguments for platform : failed to process {}: {reason}",
                    go_quote(&raw)
                ),
            ));
            return;
        }
        Expansion::Known(result) => result,
    };
    if result.is_empty() {
        out.push(at(
            value,
            format!("empty platform value from expression {raw}"),
        ));
        return;
    }
    if let Err(reason) = parse_platform(&result) {
        out.push(at(
            value,
            format!("failed to parse platform {raw}: {reason}"),
        ));
    }
}

/// The result of expanding a FROM word with the global ARGs.
enum Expansion {
    /// The same whatever the build arguments.
    Known(String),
    /// A `${V?message}` of a variable that is never set: the message.
    Failed(String),
    /// Depends on the build, or on shell syntax not modelled here.
    Unknown,
}

/// Expands `$V` and `${V}` (with `-`, `:-`, `+`, `:+`, `?`, `:?`) where V
/// is never set; anything else (a declared or predefined variable, quotes,
/// escapes, other modifiers) is Unknown.
fn expand(text: &str, globals: &HashSet<String>) -> Expansion {
    // A word in single quotes is its inside, as it is; in double quotes,
    // its inside expanded.
    if let Some(inner) = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
        if !inner.contains('\'') {
            return Expansion::Known(inner.to_string());
        }
    }
    let text = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => inner,
        None => text,
    };
    if text.contains(['"', '\'', '\\', '`']) {
        return Expansion::Unknown;
    }
    let name_len = |s: &str| {
        s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len())
    };
    let settable =
        |name: &str| globals.contains(name) || crate::syntax::FROM_PREDEFINED_ARGS.contains(&name);
    // Past a variable the build may set, the expansion still fails when a
    // later `?` meets a variable that is never set.
    let mut unknown = false;
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(inner) = rest.strip_prefix('{') {
            // A `${` never closed (`FROM ${NOPE`) or with an operator
            // BuildKit does not know (`${X!}`) fails the expansion.
            if let Some(reason) = crate::syntax::errors::substitution_error(inner) {
                return Expansion::Failed(reason);
            }
            let Some(close) = inner.find('}') else {
                return Expansion::Unknown;
            };
            let body = &inner[..close];
            rest = &inner[close + 1..];
            let (name, op) = body.split_at(name_len(body));
            if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
                return Expansion::Unknown;
            }
            let word = [":-", "-", ":+", "+"]
                .iter()
                .find_map(|prefix| op.strip_prefix(prefix));
            if settable(name) {
                // Only the forms that cannot fail are passed over.
                if op.is_empty() || word.is_some_and(|w| !w.contains(['$', '{'])) {
                    unknown = true;
                    continue;
                }
                return Expansion::Unknown;
            }
            // `name` is never set.
            if op.is_empty() || op.starts_with('+') || op.starts_with(":+") {
                continue;
            }
            if let Some(word) = op.strip_prefix(":-").or_else(|| op.strip_prefix('-')) {
                // (A word holding a `}` was cut short above.)
                if word.contains('{') {
                    return Expansion::Unknown;
                }
                match expand(word, globals) {
                    Expansion::Known(value) => out.push_str(&value),
                    Expansion::Unknown => unknown = true,
                    failed => return failed,
                }
                continue;
            }
            if let Some(message) = op.strip_prefix(":?").or_else(|| op.strip_prefix('?')) {
                return Expansion::Failed(if message.is_empty() {
                    format!("{name}: is not allowed to be unset")
                } else {
                    format!("{name}: {message}")
                });
            }
            return Expansion::Unknown;
        }
        let name = &rest[..name_len(rest)];
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            return Expansion::Unknown;
        }
        unknown |= settable(name);
        rest = &rest[name.len()..];
    }
    if unknown {
        return Expansion::Unknown;
    }
    out.push_str(rest);
    Expansion::Known(out)
}

/// Docker's reference grammar, as `reference.ParseNormalizedNamed` applies
/// it, with its error messages.
pub fn parse_reference(s: &str) -> Result<(), String> {
    if s.len() == 64 && s.bytes().all(|b| matches!(b, b'a'..=b'f' | b'0'..=b'9')) {
        return Err(format!(
            "invalid repository name ({s}), cannot specify 64-byte hexadecimal strings"
        ));
    }
    // The domain is the part before the first `/` when it has a `.` or a
    // `:`, is `localhost`, or has an upper-case letter.
    let (domain, mut remainder) = match s.find('/') {
        Some(i)
            if s[..i].contains(['.', ':'])
                || &s[..i] == "localhost"
                || s[..i].to_ascii_lowercase() != s[..i] =>
        {
            (s[..i].to_string(), s[i + 1..].to_string())
        }
        _ => ("docker.io".to_string(), s.to_string()),
    };
    let domain = if domain == "index.docker.io" {
        "docker.io".to_string()
    } else {
        domain
    };
    if domain == "docker.io" && !remainder.contains('/') {
        remainder = format!("library/{remainder}");
    }
    let remote = remainder.split(':').next().unwrap_or("");
    if remote.to_lowercase() != remote {
        return Err(format!(
            "invalid reference format: repository name ({remote}) must be lowercase"
        ));
    }
    let full = format!("{domain}/{remainder}");
    match match_reference(&full) {
        Some((name, digest)) => {
            // (The limit is on the path, the domain left out.)
            if name.len().saturating_sub(domain.len() + 1) > 255 {
                return Err("repository name must not be more than 255 characters".into());
            }
            if let Some(digest) = digest {
                validate_digest(digest)?;
            }
            Ok(())
        }
        None if match_reference(&full.to_lowercase()).is_some() => {
            Err("repository name must be lowercase".into())
        }
        None => Err("invalid reference format".into()),
    }
}

/// `name[:tag][@digest]` of the reference grammar: the name and digest.
fn match_reference(s: &str) -> Option<(&str, Option<&str>)> {
    let (name_tag, digest) = match s.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (s, None),
    };
    if let Some(d) = digest {
        if !digest_syntax(d) {
            return None;
        }
    }
    let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_tag[last_slash..].find(':') {
        Some(i) => (
            &name_tag[..last_slash + i],
            Some(&name_tag[last_slash + i + 1..]),
        ),
        None => (name_tag, None),
    };
    if let Some(tag) = tag {
        let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let ok = tag.len() <= 128
            && tag.starts_with(word)
            && tag.chars().all(|c| word(c) || c == '.' || c == '-');
        if !ok {
            return None;
        }
    }
    let parts: Vec<&str> = name.split('/').collect();
    let all_components = parts.iter().all(|p| path_component(p));
    let with_domain =
        parts.len() > 1 && domain(parts[0]) && parts[1..].iter().all(|p| path_component(p));
    (all_components || with_domain).then_some((name, digest))
}

/// `[a-z0-9]+` joined by `.`, `_`, `__` or runs of `-`.
fn path_component(s: &str) -> bool {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = s.as_bytes();
    if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &s[start..i];
        if !(sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|b| b == b'-')) {
            return false;
        }
    }
    true
}

/// `host[:port]`, the host a dotted name or a bracketed IPv6 address.
fn domain(s: &str) -> bool {
    let (host, port) = match s.strip_prefix('[') {
        Some(rest) => {
            let Some((address, after)) = rest.split_once(']') else {
                return false;
            };
            if address.is_empty() || !address.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
                return false;
            }
            match after {
                "" => (None, None),
                _ => match after.strip_prefix(':') {
                    Some(port) => (None, Some(port)),
                    None => return false,
                },
            }
        }
        None => match s.split_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(s), None),
        },
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    host.is_none_or(|h| {
        h.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
    })
}

/// `algorithm:hex` as the reference grammar matches it.
fn digest_syntax(s: &str) -> bool {
    let Some((algorithm, hex)) = s.split_once(':') else {
        return false;
    };
    let algorithm_ok = algorithm.split(['-', '_', '+', '.']).all(|part| {
        part.starts_with(|c: char| c.is_ascii_alphabetic())
            && part.chars().all(|c| c.is_ascii_alphanumeric())
    });
    algorithm_ok && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// go-digest's checks on a digest that has the right syntax.
fn validate_digest(s: &str) -> Result<(), String> {
    let (algorithm, hex) = s.split_once(':').unwrap_or((s, ""));
    let size = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return Err("unsupported digest algorithm".into()),
    };
    if hex.len() != size {
        return Err("invalid checksum digest length".into());
    }
    if !hex.bytes().all(|b| matches!(b, b'a'..=b'f' | b'0'..=b'9')) {
        return Err("invalid checksum digest format".into());
    }
    Ok(())
}

const KNOWN_OS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "windows",
    "zos",
    "macos",
];

const KNOWN_ARCH: &[&str] = &[
    "386",
    "amd64",
    "amd64p32",
    "arm",
    "armbe",
    "arm64",
    "arm64be",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64p32",
    "mips64p32le",
    "ppc",
    "ppc64",
    "ppc64le",
    "riscv",
    "riscv64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "wasm",
    "i386",
    "x86_64",
    "x86-64",
    "aarch64",
    "armhf",
    "armel",
];

/// containerd's platform specifier (`os`, `arch`, `os/arch`,
/// `os/arch/variant`), with its error messages; Ok for the forms not
/// modelled here (OS versions and features).
fn parse_platform(s: &str) -> Result<(), String> {
    if s.contains('*') {
        return Err(format!(
            "{}: wildcards not yet supported: invalid argument",
            go_quote(s)
        ));
    }
    if s.contains(['(', ')', '%', '+']) {
        return Ok(());
    }
    // (An OS part with a version, `os(version)`, is not modelled.)
    let parts: Vec<&str> = s.splitn(4, '/').collect();
    let os_ok = !parts[0].is_empty()
        && parts[0]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !os_ok {
        return Err(format!(
            "{} is an invalid OS component of {}: OSAndVersion specifier component must match {}: invalid argument",
            go_quote(parts[0]),
            go_quote(s),
            go_quote(r"^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?$")
        ));
    }
    for part in &parts[1..] {
        let ok = !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if !ok {
            return Err(format!(
                "{} is an invalid component of {}: platform specifier component must match \"^[A-Za-z0-9_.-]+$\": invalid argument",
                go_quote(part),
                go_quote(s)
            ));
        }
    }
    match parts.len() {
        1 => {
            let lower = s.to_ascii_lowercase();
            if KNOWN_OS.contains(&lower.as_str()) || KNOWN_ARCH.contains(&lower.as_str()) {
                Ok(())
            } else {
                Err(format!(
                    "{}: unknown operating system or architecture: invalid argument",
                    go_quote(s)
                ))
            }
        }
        2 | 3 => Ok(()),
        _ => Err(format!(
            "{}: cannot parse platform specifier: invalid argument",
            go_quote(s)
        )),
    }
}

/// The stage graph: `COPY --from` and `RUN --mount=from=` references to
/// stages (by name or index), their cycles, references to later stages,
/// indexes out of range and image names that are no valid reference.
fn graph<'t, S: Source + ?Sized>(
    stages: &[(Node<'t>, Node<'t>)],
    source: &S,
    infos: &[StageInfo],
    out: &mut Vec<SyntaxError>,
) {
    // A name refers to the last stage of that name.
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for (i, info) in infos.iter().enumerate() {
        if let Some(name) = &info.name {
            by_name.insert(name, i);
        }
    }
    // Each reference to an image (each mount without `from` mounts
    // `scratch`, an image unless a stage has that name) adds a state after
    // the stages, which later indexes may name; `uncertain` when a name
    // cannot be read here.
    let mut extra = 0;
    let mut uncertain = false;
    let mut edges: Vec<Edge> = Vec::new();
    for (i, (stage, _)) in stages.iter().enumerate() {
        for node in views::stage_instructions(*stage) {
            if node.has_error() {
                continue;
            }
            let keyword = views::keyword(node, source);
            let mut added = 0;
            for flag in views::flags(node, source) {
                if keyword == "COPY" && flag.name == "from" {
                    let Some(value) = flag.value else { continue };
                    // (An escaped name may be an image's.)
                    let Some(text) = unquote_flag(&logical_text(value, source)) else {
                        uncertain = true;
                        continue;
                    };
                    if text.is_empty() {
                        continue;
                    }
                    if text.contains('$') {
                        out.push(at(
                            value,
                            "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround",
                        ));
                        continue;
                    }
                    if let Some(index) = go_atoi(&text) {
                        let states = infos.len() + extra;
                        if index < 0 || index as usize >= states {
                            if !uncertain {
                                out.push(at(value, format!("invalid stage index {index}")));
                            }
                        } else if (index as usize) < infos.len() {
                            edges.push(Edge {
                                from_stage: i,
                                to_stage: index as usize,
                                value,
                                text,
                                mounted: None,
                            });
                        }
                        continue;
                    }
                    match by_name.get(text.to_ascii_lowercase().as_str()) {
                        Some(&j) => edges.push(Edge {
                            from_stage: i,
                            to_stage: j,
                            value,
                            text,
                            mounted: None,
                        }),
                        None => {
                            added += 1;
                            image_reference(value, &text, out);
                        }
                    }
                } else if keyword == "RUN" && flag.node.kind() == "mount_flag" {
                    match mount(i, &flag, source, &by_name, &mut edges, out) {
                        Some(images) => added += images,
                        None => uncertain = true,
                    }
                }
            }
            extra += added;
        }
    }
    let cyclic = cycle(infos.len(), &edges);
    if let Some((stage, edge)) = cyclic {
        out.push(at(
            edges[edge].value,
            format!(
                "circular dependency detected on stage: {}",
                infos[stage].display(stage)
            ),
        ));
    }
    for (k, edge) in edges.iter().enumerate() {
        // An earlier stage is fine; the stage itself is a cycle.
        if edge.to_stage <= edge.from_stage || cyclic.is_some_and(|(_, e)| e == k) {
            continue;
        }
        let message = match &edge.mounted {
            Some(target) => format!(
                "cannot mount from stage {} to {}, stage needs to be defined before current command",
                go_quote(&edge.text),
                go_quote(target)
            ),
            None => format!(
                "cannot copy from stage {}, it needs to be defined before current stage {}",
                go_quote(&edge.text),
                go_quote(&infos[edge.from_stage].display(edge.from_stage))
            ),
        };
        out.push(at(edge.value, message));
    }
}

/// A `--mount`'s source: an edge when it names a stage. Its `from`, or
/// `scratch` without one (for every mount type, as BuildKit reads it).
/// Some(1) when it names an image (checked as a reference), Some(0) for a
/// stage, None when the name cannot be read here.
fn mount<'t, S: Source + ?Sized>(
    stage: usize,
    flag: &views::Flag<'t>,
    source: &S,
    by_name: &HashMap<&str, usize>,
    edges: &mut Vec<Edge<'t>>,
    out: &mut Vec<SyntaxError>,
) -> Option<usize> {
    let mut from = None;
    let mut target = String::new();
    for option in &flag.options {
        if ["target", "dst", "destination"]
            .iter()
            .any(|k| option.key.eq_ignore_ascii_case(k))
        {
            target = option
                .value
                .and_then(|v| unquote_flag(&logical_text(v, source)))
                .unwrap_or_default();
        }
        if option.key.eq_ignore_ascii_case("from") {
            from = Some(
                option
                    .value
                    .and_then(|v| Some((v, unquote_flag(&logical_text(v, source))?))),
            );
        }
    }
    let (value, text, explicit) = match from {
        Some(Some((value, text))) => (value, text, true),
        Some(None) => return None,
        None => (flag.node, "scratch".to_string(), false),
    };
    if text.is_empty() || text.contains('$') {
        return None;
    }
    match by_name.get(text.to_ascii_lowercase().as_str()) {
        Some(&j) => {
            edges.push(Edge {
                from_stage: stage,
                to_stage: j,
                value,
                text,
                mounted: Some(target),
            });
            Some(0)
        }
        None => {
            if explicit {
                image_reference(value, &text, out);
            }
            Some(1)
        }
    }
}

/// `COPY --from=image`: the image must be a valid reference.
fn image_reference(value: Node, text: &str, out: &mut Vec<SyntaxError>) {
    if text == "scratch" {
        return;
    }
    if let Err(reason) = parse_reference(text) {
        out.push(at(
            value,
            format!("failed to parse stage name {}: {reason}", go_quote(text)),
        ));
    }
}

/// BuildKit's cycle search: from each stage in order, a depth-first walk
/// over its references; the first stage that reaches a cycle is named, and
/// the walk's first reference is where it starts. (When a stage refers to
/// the same one twice, BuildKit keeps the last reference.)
fn cycle(count: usize, edges: &[Edge]) -> Option<(usize, usize)> {
    let mut out_edges: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (k, e) in edges.iter().enumerate() {
        let list = &mut out_edges[e.from_stage];
        list.retain(|&other| edges[other].to_stage != e.to_stage);
        list.push(k);
    }
    let mut visited = vec![false; count];
    for start in 0..count {
        let mut on_path = vec![false; count];
        if let Some(first) = visit(start, &out_edges, edges, &mut visited, &mut on_path, None) {
            return Some((start, first));
        }
    }
    None
}

fn visit(
    stage: usize,
    out_edges: &[Vec<usize>],
    edges: &[Edge],
    visited: &mut [bool],
    on_path: &mut [bool],
    first: Option<usize>,
) -> Option<usize> {
    if visited[stage] {
        return None;
    }
    visited[stage] = true;
    on_path[stage] = true;
    for &k in &out_edges[stage] {
        let first = first.or(Some(k));
        let to = edges[k].to_stage;
        if on_path[to] {
            return first;
        }
        if let Some(found) = visit(to, out_edges, edges, visited, on_path, first) {
            return Some(found);
        }
    }
    on_path[stage] = false;
    None
}

/// A flag's value as BuildKit reads it: quotes removed. None when it holds
/// an escape or leaves a quote open.
fn unquote_flag(word: &str) -> Option<String> {
    if word.contains(['\\', '`']) {
        return None;
    }
    let mut out = String::with_capacity(word.len());
    let mut quote = None;
    for c in word.chars() {
        match quote {
            None if c == '"' || c == '\'' => quote = Some(c),
            Some(q) if c == q => quote = None,
            _ => out.push(c),
        }
    }
    quote.is_none().then_some(out)
}

/// Go's `strconv.Atoi`: an optional sign and decimal digits.
fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

/// Go's `%q` for the text BuildKit quotes in its messages.
pub(super) fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
