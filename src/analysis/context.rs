//! A read-only view of a build context: the files a Dockerfile's COPY and
//! ADD read, and the project files (manifests, framework configs) features
//! learn from. Paths are relative to the context's root, with `/` between
//! components; a path that is absolute or climbs out with `..` is never
//! read. Reads are bounded, so a huge or endless file costs little.
//!
//! Two views: [`DirFiles`] over a directory on disk, [`MemFiles`] over a
//! map, for tests and for documents that are not saved.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The most bytes a read returns; a longer file reads as absent.
pub const MAX_READ: u64 = 2 * 1024 * 1024;

/// The most entries a listing returns.
pub const MAX_LIST: usize = 4096;

pub trait ContextFiles {
    /// The text of a file, or `None` when it is missing, not UTF-8, larger
    /// than [`MAX_READ`], or outside the context.
    fn read(&self, path: &str) -> Option<String>;
    /// Whether a file or directory exists at `path`.
    fn exists(&self, path: &str) -> bool;
    /// Whether `path` is a directory (`""` and `"."` are the root).
    fn is_dir(&self, path: &str) -> bool;
    /// The names (not paths) of the entries of a directory, sorted; empty
    /// when it is not one.
    fn list(&self, dir: &str) -> Vec<String>;
}

/// `path` made relative and clean (`./a//b/` → `a/b`), or `None` when it
/// is absolute or leaves the root.
pub fn normalize(path: &str) -> Option<String> {
    if path.starts_with('/') || path.starts_with('\\') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// A directory on disk.
#[derive(Clone, Debug)]
pub struct DirFiles {
    pub root: PathBuf,
}

impl DirFiles {
    pub fn new(root: impl Into<PathBuf>) -> DirFiles {
        DirFiles { root: root.into() }
    }

    fn path(&self, rel: &str) -> Option<PathBuf> {
        let rel = normalize(rel)?;
        Some(if rel.is_empty() {
            self.root.clone()
        } else {
            self.root.join(rel)
        })
    }
}

fn read_bounded(path: &Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(MAX_READ + 1).read_to_end(&mut bytes).ok()?;
    if bytes.len() as u64 > MAX_READ {
        return None;
    }
    String::from_utf8(bytes).ok()
}

impl ContextFiles for DirFiles {
    fn read(&self, path: &str) -> Option<String> {
        read_bounded(&self.path(path)?)
    }

    fn exists(&self, path: &str) -> bool {
        self.path(path).is_some_and(|p| p.exists())
    }

    fn is_dir(&self, path: &str) -> bool {
        self.path(path).is_some_and(|p| p.is_dir())
    }

    fn list(&self, dir: &str) -> Vec<String> {
        let Some(path) = self.path(dir) else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(path) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .take(MAX_LIST)
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        names.sort();
        names
    }
}

/// Files held in memory: path → text. A directory exists when a file
/// below it does.
#[derive(Clone, Debug, Default)]
pub struct MemFiles {
    pub files: BTreeMap<String, String>,
}

impl MemFiles {
    pub fn new<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> MemFiles {
        MemFiles {
            files: files
                .into_iter()
                .filter_map(|(p, t)| Some((normalize(p)?, t.to_string())))
                .collect(),
        }
    }
}

impl ContextFiles for MemFiles {
    fn read(&self, path: &str) -> Option<String> {
        self.files.get(&normalize(path)?).cloned()
    }

    fn exists(&self, path: &str) -> bool {
        normalize(path).is_some_and(|p| self.files.contains_key(&p) || self.is_dir(&p))
    }

    fn is_dir(&self, path: &str) -> bool {
        let Some(p) = normalize(path) else {
            return false;
        };
        p.is_empty() || self.files.keys().any(|k| k.starts_with(&format!("{p}/")))
    }

    fn list(&self, dir: &str) -> Vec<String> {
        let Some(p) = normalize(dir) else {
            return Vec::new();
        };
        let prefix = if p.is_empty() { p } else { format!("{p}/") };
        let mut names: Vec<String> = self
            .files
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .map(|rest| rest.split('/').next().unwrap_or(rest).to_string())
            .collect();
        names.dedup();
        names.truncate(MAX_LIST);
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_outside_the_context_are_never_read() {
        assert_eq!(normalize("./a//b/"), Some("a/b".into()));
        assert_eq!(normalize("a/../b"), None);
        assert_eq!(normalize("/etc/passwd"), None);
        let files = DirFiles::new(env!("CARGO_MANIFEST_DIR"));
        assert!(files.read("Cargo.toml").is_some());
        assert!(files.read("../shared/corpus/README.md").is_none());
        assert!(files.is_dir("src") && !files.is_dir("Cargo.toml"));
        assert!(files.list("").contains(&"Cargo.toml".to_string()));
    }

    #[test]
    fn memory_files_have_directories() {
        let files = MemFiles::new([("app/package.json", "{}"), ("app/src/a.js", "")]);
        assert!(files.is_dir("app") && files.is_dir("app/src") && !files.is_dir("app/src/a.js"));
        assert!(files.exists("./app/package.json") && !files.exists("app/x"));
        assert_eq!(files.list("app"), vec!["package.json", "src"]);
        assert_eq!(files.read("app/package.json").as_deref(), Some("{}"));
    }
}
