//! `.dockerignore`, read and matched as BuildKit does: comment lines start
//! with `#`, patterns are trimmed and cleaned (`./a/../b` is `b`, a leading
//! `/` is dropped), `!` re-includes, the last matching pattern wins, and a
//! pattern that matches a parent directory matches everything under it.
//! `*` and `?` stay within one path segment, `**` spans segments, `[...]` is
//! a character class and `\` escapes.

use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DockerIgnore {
    patterns: Vec<Pattern>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Pattern {
    text: String,
    exclusion: bool,
}

impl DockerIgnore {
    pub fn parse(content: &str) -> Self {
        let content = content.strip_prefix('\u{feff}').unwrap_or(content);
        let mut patterns = Vec::new();
        for line in content.lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut pattern = line.trim();
            if pattern.is_empty() {
                continue;
            }
            let exclusion = pattern.starts_with('!');
            if exclusion {
                pattern = pattern[1..].trim();
            }
            let mut text = clean(pattern);
            if text.len() > 1 && text.starts_with('/') {
                text.remove(0);
            }
            patterns.push(Pattern { text, exclusion });
        }
        DockerIgnore { patterns }
    }

    /// The patterns, as written after cleaning, `!` kept.
    pub fn patterns(&self) -> impl Iterator<Item = String> + '_ {
        self.patterns.iter().map(|p| {
            if p.exclusion {
                format!("!{}", p.text)
            } else {
                p.text.clone()
            }
        })
    }

    /// Whether the whole build context is left out: a `*` or `**` pattern
    /// and no exception.
    pub fn excludes_everything(&self) -> bool {
        self.patterns
            .iter()
            .any(|p| !p.exclusion && (p.text == "*" || p.text == "**"))
            && !self.patterns.iter().any(|p| p.exclusion)
    }

    /// Whether a path relative to the build context is left out of it.
    pub fn is_ignored(&self, path: &str) -> bool {
        let path = clean(path.trim_start_matches('/'));
        let mut ignored = false;
        for pattern in &self.patterns {
            if matches_or_parent_matches(&pattern.text, &path) {
                ignored = !pattern.exclusion;
            }
        }
        ignored
    }
}

/// Whether a file name is an ignore file (`.dockerignore`, or
/// `<Dockerfile name>.dockerignore`), which editors' `Dockerfile.*` patterns
/// also match: it holds patterns, not instructions.
pub fn is_ignore_file_name(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".dockerignore")
}

/// The `.dockerignore` BuildKit uses for a Dockerfile whose build context is
/// its directory: `<name>.dockerignore` beside it, else `.dockerignore`.
pub fn find_for(dockerfile: &Path) -> Option<PathBuf> {
    let dir = dockerfile.parent().unwrap_or(Path::new("."));
    let name = dockerfile.file_name()?.to_str()?;
    [
        dir.join(format!("{name}.dockerignore")),
        dir.join(".dockerignore"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

/// The `.dockerignore` that applies when `context` is the build context:
/// `<Dockerfile>.dockerignore` beside the Dockerfile, else `.dockerignore`
/// at the context's root.
pub fn find_in(dockerfile: &Path, context: &Path) -> Option<PathBuf> {
    let dir = dockerfile.parent().unwrap_or(Path::new("."));
    let name = dockerfile.file_name()?.to_str()?;
    [
        dir.join(format!("{name}.dockerignore")),
        context.join(".dockerignore"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

fn matches_or_parent_matches(pattern: &str, path: &str) -> bool {
    if glob(pattern.as_bytes(), path.as_bytes()) {
        return true;
    }
    path.match_indices('/')
        .any(|(i, _)| glob(pattern.as_bytes(), &path.as_bytes()[..i]))
}

/// Lexical cleaning of a slash-separated path, like Go's `path.Clean`.
fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

fn glob(p: &[u8], s: &[u8]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some(b'*') if p.get(1) == Some(&b'*') => {
            let rest = &p[2..];
            if let Some(after_slash) = rest.strip_prefix(b"/") {
                // `**/`: zero or more whole directories
                glob(after_slash, s)
                    || s.iter()
                        .enumerate()
                        .any(|(i, &c)| c == b'/' && glob(after_slash, &s[i + 1..]))
            } else {
                (0..=s.len()).any(|i| glob(rest, &s[i..]))
            }
        }
        Some(b'*') => {
            let segment = s.iter().position(|&c| c == b'/').unwrap_or(s.len());
            (0..=segment).any(|i| glob(&p[1..], &s[i..]))
        }
        Some(b'?') => {
            let width = char_width(s);
            width > 0 && s[0] != b'/' && glob(&p[1..], &s[width..])
        }
        Some(b'[') => match class(&p[1..], s) {
            Some((rest, width)) => glob(rest, &s[width..]),
            None => false,
        },
        Some(b'\\') if p.len() > 1 => s.first() == Some(&p[1]) && glob(&p[2..], &s[1..]),
        Some(&c) => s.first() == Some(&c) && glob(&p[1..], &s[1..]),
    }
}

fn char_width(s: &[u8]) -> usize {
    std::str::from_utf8(&s[..s.len().min(4)])
        .ok()
        .or_else(|| {
            (1..=s.len().min(4))
                .rev()
                .find_map(|n| std::str::from_utf8(&s[..n]).ok())
        })
        .and_then(|t| t.chars().next())
        .map_or(usize::from(!s.is_empty()), char::len_utf8)
}

/// Matches a `[...]` class (the `[` already consumed) against the first
/// character of `s`; returns the pattern after `]` and the character width.
fn class<'p>(p: &'p [u8], s: &[u8]) -> Option<(&'p [u8], usize)> {
    let c = *s.first()?;
    if c == b'/' {
        return None;
    }
    let (negated, mut i) = match p.first() {
        Some(b'^') | Some(b'!') => (true, 1),
        _ => (false, 0),
    };
    let mut matched = false;
    let mut first = true;
    while i < p.len() && (p[i] != b']' || first) {
        first = false;
        let mut lo = p[i];
        if lo == b'\\' && i + 1 < p.len() {
            i += 1;
            lo = p[i];
        }
        let mut hi = lo;
        if i + 2 < p.len() && p[i + 1] == b'-' && p[i + 2] != b']' {
            hi = p[i + 2];
            i += 2;
        }
        if lo <= c && c <= hi {
            matched = true;
        }
        i += 1;
    }
    if i >= p.len() {
        return None; // unterminated class: no match, as in Go
    }
    (matched != negated).then_some((&p[i + 1..], 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignored(file: &str, path: &str) -> bool {
        DockerIgnore::parse(file).is_ignored(path)
    }

    #[test]
    fn directories_and_their_contents() {
        let file = "# comment\nnode_modules\n/.git\n  dist/  \n";
        assert!(ignored(file, "node_modules"));
        assert!(ignored(file, "node_modules/a/b.js"));
        assert!(ignored(file, ".git/HEAD"));
        assert!(ignored(file, "dist/index.js"));
        assert!(!ignored(file, "src/node_modules_helper.js"));
        assert!(!ignored(file, "src/dist/x")); // patterns are anchored at the context root
    }

    #[test]
    fn stars_questions_classes_and_double_stars() {
        assert!(ignored("*.md", "README.md"));
        assert!(!ignored("*.md", "docs/README.md"));
        assert!(ignored("**/*.md", "docs/a/README.md"));
        assert!(ignored("**/*.md", "README.md"));
        assert!(ignored("docs/**", "docs/a/b"));
        assert!(ignored("file?.txt", "file1.txt"));
        assert!(!ignored("file?.txt", "file10.txt"));
        assert!(ignored("[a-c]*.log", "b.log"));
        assert!(!ignored("[!a-c]*.log", "b.log"));
        assert!(ignored("\\*literal", "*literal"));
    }

    #[test]
    fn exceptions_and_the_last_match_wins() {
        let file = "*.env\n!example.env\n";
        assert!(ignored(file, "prod.env"));
        assert!(!ignored(file, "example.env"));
        let file = "!keep\nkeep\n";
        assert!(ignored(file, "keep"));
    }

    #[test]
    fn patterns_are_cleaned() {
        let file = "./build/../out\n";
        assert!(ignored(file, "out/x"));
        assert_eq!(
            DockerIgnore::parse("! ./a/\n")
                .patterns()
                .collect::<Vec<_>>(),
            ["!a"]
        );
    }
}
