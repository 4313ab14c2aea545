//! CopySourceMissing: a COPY or ADD source from the build context that is
//! not in the build context on disk. BuildKit fails the build ("failed to
//! compute cache key: ... not found").
//!
//! Only what is certain is reported:
//! - sources from the context: no `--from`, no URL or git source, no
//!   heredoc;
//! - literal paths: a wildcard (`*`, `?`, `[...]`) that matches nothing is
//!   no error in BuildKit (it copies nothing);
//! - resolved paths: `$VAR` is expanded from `--build-arg`, ARG defaults
//!   and ENV values of the stage; a variable left unresolved says nothing;
//! - not excluded by `.dockerignore` (that is CopyIgnoredFile's finding);
//! - in a git checkout (a folder of some of a project's files may lack the
//!   rest), and not left out by its `.gitignore` (a build step makes it);
//! - in a context we are sure of: the one a Compose file names, or the
//!   Dockerfile's folder when it holds at least one of the sources (a
//!   folder holding none of what is copied is not the context) and no
//!   folder above it, up to the checkout's root, holds one it lacks (then
//!   the build may be run as `docker build -f sub/Dockerfile .` there).

use std::path::{Path, PathBuf};

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostic_types::Severity;

pub const RULE: Rule = Rule {
    code: "CopySourceMissing",
    aliases: &[],
    group: Group::BestPractice,
    severity: Severity::Warning,
    summary: "A COPY/ADD source must be in the build context",
    check,
};

/// A source of the context to look for: where it is written and the
/// path inside the context it names.
struct Source {
    range: std::ops::Range<usize>,
    written: String,
    /// With its variables expanded.
    resolved: String,
    path: String,
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let Some(build) = &ctx.context.build_context else {
        return;
    };
    let sources = literal_sources(ctx);
    if sources.is_empty() {
        return;
    }
    let ignored = |p: &str| {
        ctx.context
            .dockerignore
            .as_ref()
            .is_some_and(|i| i.is_ignored(p))
    };
    // Only a checkout tells what the project's files are: a folder of
    // some of them (a download, an archive of parts) may lack the rest.
    let Some(repo) = checkout_root(&build.dir, build.top.as_deref()) else {
        return;
    };
    let missing: Vec<&Source> = sources
        .iter()
        .filter(|s| !exists(&build.dir, &s.path))
        .collect();
    if missing.is_empty() {
        return;
    }
    if build.compose.is_empty() {
        // The Dockerfile's folder taken as the context: trust it only when
        // it holds some of the sources and no folder above (in the
        // checkout) holds one it lacks, which would say the build runs
        // there (`docker build -f sub/Dockerfile .`).
        if missing.len() == sources.len() {
            return;
        }
        if ancestors(&build.dir, Some(&repo))
            .iter()
            .any(|a| missing.iter().any(|s| exists(a, &s.path)))
        {
            return;
        }
    }
    for s in missing {
        if ignored(&s.path) || git_ignored(&repo, &build.dir, &s.path) {
            continue;
        }
        let shown = if s.resolved == s.written {
            format!("`{}`", s.written)
        } else {
            format!("`{}` (`{}`)", s.written, s.resolved)
        };
        out.push(Finding::new(
            s.range.clone(),
            format!(
                "{shown} is not in the build context {}: the build fails (\"failed to compute cache key: ... not found\")",
                build.dir.display()
            ),
        ));
    }
}

/// The folders above `dir`, nearest first, not above `top` (when given).
fn ancestors(dir: &Path, top: Option<&Path>) -> Vec<PathBuf> {
    let dir = crate::analysis::compose::normalise(&absolute(dir));
    let top = top.map(|t| crate::analysis::compose::normalise(&absolute(t)));
    let mut out = Vec::new();
    if let Some(top) = &top {
        if !dir.starts_with(top) {
            return out;
        }
    }
    let mut at = dir.parent();
    while let Some(a) = at {
        if let Some(top) = &top {
            if !a.starts_with(top) {
                break;
            }
        }
        out.push(a.to_path_buf());
        at = a.parent();
    }
    out
}

/// The folder of the checkout `dir` is in: the nearest one, `dir` or
/// above (not above `top`), that holds a `.git` (a folder, or a file for a
/// worktree or submodule).
fn checkout_root(dir: &Path, top: Option<&Path>) -> Option<PathBuf> {
    let dir = crate::analysis::compose::normalise(&absolute(dir));
    std::iter::once(dir.clone())
        .chain(ancestors(&dir, top))
        .find(|d| d.join(".git").symlink_metadata().is_ok())
}

/// Whether git leaves `path` (inside the context `context`) out of the
/// checkout: a file a build step makes before `docker build` (`target/`,
/// `dist/`), not one missing. Reads the `.gitignore` of every folder from
/// the checkout's root down to the path's.
fn git_ignored(repo: &Path, context: &Path, path: &str) -> bool {
    let context = crate::analysis::compose::normalise(&absolute(context));
    let full = context.join(path);
    let Ok(rel) = full.strip_prefix(repo) else {
        return false;
    };
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let mut ignored = false;
    for depth in 0..parts.len() {
        let folder = repo.join(parts[..depth].iter().collect::<PathBuf>());
        let Ok(text) = std::fs::read_to_string(folder.join(".gitignore")) else {
            continue;
        };
        let below = parts[depth..].join("/");
        for line in text.lines() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (negated, pattern) = match line.strip_prefix('!') {
                Some(p) => (true, p),
                None => (false, line),
            };
            let pattern = pattern.trim_end_matches('/');
            // A pattern with a slash is anchored at its .gitignore's folder;
            // one without matches a name at any depth.
            let pattern = if pattern.contains('/') {
                pattern.trim_start_matches('/').to_string()
            } else {
                format!("**/{pattern}")
            };
            if pattern.is_empty() {
                continue;
            }
            if crate::analysis::dockerignore::DockerIgnore::parse(&pattern).is_ignored(&below) {
                ignored = !negated;
            }
        }
    }
    ignored
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

fn exists(dir: &Path, path: &str) -> bool {
    // `symlink_metadata`: a link in the context counts as there.
    dir.join(path).symlink_metadata().is_ok()
}

/// The literal, resolved sources from the build context of every COPY and
/// ADD, as paths inside the context.
fn literal_sources(ctx: &Ctx) -> Vec<Source> {
    let mut out = Vec::new();
    for copy in ctx.facts().copies() {
        if copy.from.is_some() || copy.heredoc {
            continue;
        }
        let parents = crate::syntax::views::flags(copy.node, ctx.source)
            .iter()
            .any(|f| f.name == "parents");
        for (i, written) in copy.sources().iter().enumerate() {
            let range = copy
                .path_nodes
                .get(i)
                .map_or_else(|| copy.node.byte_range(), |n| n.byte_range());
            let Some(resolved) = resolve(ctx, copy.stage, written) else {
                continue; // a variable we do not know
            };
            let Some(path) = context_path(&resolved, copy.add, parents) else {
                continue;
            };
            out.push(Source {
                range,
                written: written.clone(),
                resolved,
                path,
            });
        }
    }
    out
}

/// `$VAR` and `${VAR}` expanded from `--build-arg`, ARG defaults and the
/// stage's ENV values; `None` when one is not known.
fn resolve(ctx: &Ctx, stage: usize, text: &str) -> Option<String> {
    if !text.contains('$') {
        return Some(text.to_string());
    }
    let globals =
        crate::analysis::images::global_args(&ctx.analysis.variables, &ctx.context.build_args);
    let lineage: Vec<usize> = ctx.analysis.stages.lineage(stage).collect();
    let value = |name: &str| -> Option<String> {
        if let Some(v) = super::facts::env_in_stage(ctx, stage, name) {
            return Some(v.trim_matches(['"', '\'']).to_string());
        }
        let defs = &ctx.analysis.variables.defs;
        let arg = lineage.iter().find_map(|&s| {
            defs.iter().rev().find(|d| {
                d.kind == crate::analysis::variables::DefKind::Arg
                    && d.stage == Some(s)
                    && d.name == name
            })
        })?;
        if let Some(v) = ctx.context.build_args.get(name) {
            return Some(v.clone());
        }
        match &arg.value {
            Some(v) => Some(v.trim_matches(['"', '\'']).to_string()),
            None => globals.get(name).cloned(),
        }
    };
    let out = crate::analysis::images::resolve(text, &value)?;
    (!out.contains('$')).then_some(out)
}

/// The path inside the context a source names: `./` and a leading `/` are
/// the context's root, `--parents`' `/./` marks where the kept parents
/// start. `None` for what is not a literal path of the context: a URL, a
/// git source, a wildcard, the root itself, or a path leaving the context.
fn context_path(source: &str, add: bool, parents: bool) -> Option<String> {
    if source.contains("://") || (add && source.starts_with("git@")) {
        return None;
    }
    if source.contains(['*', '?', '[']) {
        return None; // a wildcard matching nothing copies nothing
    }
    let source = if parents {
        source.replace("/./", "/")
    } else {
        source.to_string()
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in source.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::context_path;
    use crate::analysis::Analysis;
    use crate::build_context::{BuildContext, Context};
    use crate::{rules, syntax};

    fn found(dockerfile: &std::path::Path) -> usize {
        let text = std::fs::read_to_string(dockerfile).unwrap();
        let src: &str = &text;
        let tree = syntax::parse(src);
        let analysis = Analysis::build(&tree, &src);
        let context = Context {
            build_context: Some(BuildContext::of_dockerfile(dockerfile)),
            ..Default::default()
        };
        rules::run(&tree, &src, &analysis, &context)
            .iter()
            .filter(|d| d.code == "CopySourceMissing")
            .count()
    }

    /// Only a checkout says which files the project has (git keeps no
    /// `.git` in a fixture, so the case is made here).
    #[test]
    fn only_in_a_checkout() {
        let dir = std::env::temp_dir().join(format!("copy-source-missing-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let dockerfile = dir.join("Dockerfile");
        std::fs::write(&dockerfile, "FROM alpine\nCOPY app.sh conf.ini /app/\n").unwrap();
        std::fs::write(dir.join("app.sh"), "echo\n").unwrap();
        let outside_any_checkout = found(&dockerfile);
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        assert_eq!(found(&dockerfile), 1);
        std::fs::write(dir.join(".gitignore"), "*.ini\n").unwrap();
        assert_eq!(
            found(&dockerfile),
            0,
            "a file git leaves out is made by a build step"
        );
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(outside_any_checkout, 0);
    }

    #[test]
    fn paths_inside_the_context() {
        assert_eq!(context_path("./a/b/", false, false).as_deref(), Some("a/b"));
        assert_eq!(
            context_path("/etc/x", false, false).as_deref(),
            Some("etc/x")
        );
        assert_eq!(
            context_path("./x/./y/z.txt", false, true).as_deref(),
            Some("x/y/z.txt")
        );
        assert_eq!(context_path("a/../b", false, false).as_deref(), Some("b"));
        for none in [".", "./", "/", "*.txt", "a?", "[ab]", "../x", "https://x/y"] {
            assert_eq!(context_path(none, false, false), None, "{none}");
        }
        assert_eq!(context_path("git@github.com:a/b.git", true, false), None);
    }
}
