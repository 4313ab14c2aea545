//! The working directory a `RUN` runs in, where the file and the
//! base-image facts (`data/images.toml`) tell it: a mount's missing or
//! relative target is joined to it, and BuildKit rejects a mount on `/`.

use tree_sitter::Node;

use crate::syntax::{logical_text, Source};

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
/// builds on, down to an image whose working directory is known.
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

/// The working directory a stage starts in: its base stage's, or a known
/// image's.
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
    // An image: its WORKDIR when the base-image facts know it (a Windows
    // one is not judged).
    if lower == "scratch" {
        return Some("/".to_string());
    }
    let reference = logical_text(image, source);
    crate::analysis::images::lookup(&reference)
        .map(|facts| facts.workdir)
        .filter(|dir| dir.starts_with('/'))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::join;

    fn errors(text: &str) -> Vec<String> {
        let tree = crate::syntax::parse(text);
        crate::syntax::syntax_errors(&tree, text)
            .into_iter()
            .map(|e| e.message)
            .collect()
    }

    #[test]
    fn the_base_image_facts_give_the_working_directory() {
        let mount = "RUN --mount=type=cache,target=. true\n";
        // node sets no WORKDIR: `.` is `/`
        assert_eq!(
            errors(&format!("FROM node:20\n{mount}")),
            ["invalid mount target \"/\""]
        );
        // golang works in /go, php's apache images in /var/www/html
        assert!(errors(&format!("FROM golang:1.23\n{mount}")).is_empty());
        assert!(errors("FROM php:8-apache\nRUN --mount=type=cache,target=.. true\n").is_empty());
        // an unknown image's directory is unknown: silent
        assert!(errors(&format!("FROM example.com/app:1\n{mount}")).is_empty());
    }

    #[test]
    fn joins() {
        assert_eq!(join("/", ""), "/");
        assert_eq!(join("/", "."), "/");
        assert_eq!(join("/app", ".."), "/");
        assert_eq!(join("/app", "x"), "/app/x");
        assert_eq!(join("/app", "../.."), "/");
    }
}
