//! The working directory a `RUN` runs in, where the file alone tells it: a
//! mount's missing or relative target is joined to it, and BuildKit
//! rejects a mount on `/`.

use tree_sitter::Node;

use crate::syntax::{logical_text, Source};

/// Official base images that set no WORKDIR (they run in `/`); others
/// (golang's /go, redis's /data, ...) may set one.
const ROOT_IMAGES: &[&str] = &[
    "scratch",
    "alpine",
    "busybox",
    "debian",
    "ubuntu",
    "fedora",
    "centos",
    "rockylinux",
    "almalinux",
    "amazonlinux",
    "archlinux",
    "oraclelinux",
    "opensuse/leap",
    "opensuse/tumbleweed",
    "photon",
    "node",
    "python",
];

/// `path.Join` of an absolute directory and a path, cleaned.
pub(super) fn join(dir: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in dir.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The working directory of the instruction holding `flag`, when every
/// step that sets it is known: WORKDIRs of its stage and of the stages it
/// builds on, down to an image known to run in `/`.
pub(super) fn workdir<S: Source + ?Sized>(flag: Node, source: &S) -> Option<String> {
    let instruction = flag.parent()?;
    let stage = instruction.parent()?;
    if stage.kind() != "stage" {
        return None;
    }
    stage_workdir(stage, Some(instruction), source, 0)
}

/// The working directory in `stage` before `until` (after its last
/// instruction when None).
fn stage_workdir<S: Source + ?Sized>(
    stage: Node,
    until: Option<Node>,
    source: &S,
    depth: usize,
) -> Option<String> {
    if depth > 64 {
        return None;
    }
    let mut cursor = stage.walk();
    let lines: Vec<Node> = stage.named_children(&mut cursor).collect();
    let from = stage.child_by_field_name("from")?;
    let mut dir = base_workdir(stage, from, source, depth)?;
    for line in lines {
        if Some(line) == until {
            break;
        }
        if line.kind() == "workdir_instruction" {
            let value = logical_text(line.child_by_field_name("value")?, source);
            if value.contains(['$', '"', '\'', '\\']) || value.is_empty() {
                return None;
            }
            // An absolute WORKDIR replaces the directory, a relative one
            // goes below it.
            let base = if value.starts_with('/') {
                "/"
            } else {
                dir.as_str()
            };
            dir = join(base, &value);
        }
    }
    Some(dir)
}

/// The working directory a stage starts in: its base stage's, or `/` for
/// an image known to set none.
fn base_workdir<S: Source + ?Sized>(
    stage: Node,
    from: Node,
    source: &S,
    depth: usize,
) -> Option<String> {
    let image = from.child_by_field_name("image")?;
    let name = logical_text(image.child_by_field_name("name")?, source);
    if name.contains(['$', '"', '\'', '\\']) {
        return None;
    }
    let lower = name.to_ascii_lowercase();
    let root = stage.parent()?;
    let mut cursor = root.walk();
    let named: Vec<Node> = root
        .named_children(&mut cursor)
        .filter(|s| s.kind() == "stage")
        .filter(|s| {
            s.child_by_field_name("from")
                .and_then(|f| f.child_by_field_name("name"))
                .is_some_and(|n| logical_text(n, source).to_ascii_lowercase() == lower)
        })
        .collect();
    // A name given twice means the last stage of that name before this one
    // (as BuildKit resolves it); a stage named only later is no base.
    let earlier = named.iter().rfind(|s| s.start_byte() < stage.start_byte());
    match (earlier, named.is_empty()) {
        (Some(base), _) => return stage_workdir(*base, None, source, depth + 1),
        (None, false) => return None,
        (None, true) => {}
    }
    let bare = [
        "docker.io/library/",
        "index.docker.io/library/",
        "docker.io/",
        "library/",
    ]
    .iter()
    .find_map(|p| lower.strip_prefix(p))
    .unwrap_or(&lower);
    ROOT_IMAGES.contains(&bare).then(|| "/".to_string())
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn joins() {
        assert_eq!(join("/", ""), "/");
        assert_eq!(join("/", "."), "/");
        assert_eq!(join("/app", ".."), "/");
        assert_eq!(join("/app", "x"), "/app/x");
        assert_eq!(join("/app", "../.."), "/");
    }
}
