//! Rules about the files around the Dockerfile (only when it is a file on
//! disk, so its build context is known):
//!
//! NoDockerignore: no `.dockerignore`, so the whole directory (with
//! `node_modules`, `.git`, local builds and secrets) is sent as the build
//! context, and `COPY . .` copies it into the image.
//! DockerignoreIncomplete: the `.dockerignore` does not leave out
//! `node_modules` (for a Node.js build), `.git`, or `.next` (for Next.js).
//! NextStandaloneWithoutOutput: `.next/standalone` is copied but the
//! Next.js config does not set `output: "standalone"`, so the build does
//! not produce it.

use super::{Ctx, Finding, Group, Rule};
use crate::build_context::BuildContext;
use crate::diagnostic_types::Severity;

pub const NO_DOCKERIGNORE: Rule = Rule {
    code: "NoDockerignore",
    aliases: &[],
    group: Group::BestPractice,
    severity: Severity::Warning,
    summary: "Keep a .dockerignore beside the build context",
    check: check_missing,
};

pub const INCOMPLETE: Rule = Rule {
    code: "DockerignoreIncomplete",
    aliases: &[],
    group: Group::BestPractice,
    severity: Severity::Warning,
    summary: ".dockerignore should leave out node_modules, .git and .next",
    check: check_incomplete,
};

pub const NEXT_STANDALONE: Rule = Rule {
    code: "NextStandaloneWithoutOutput",
    aliases: &[],
    group: Group::BestPractice,
    severity: Severity::Warning,
    summary: "Copying .next/standalone needs output: \"standalone\" in the Next.js config",
    check: check_next,
};

/// Where file-level findings go: the first FROM (or the start).
fn anchor(ctx: &Ctx) -> std::ops::Range<usize> {
    ctx.analysis
        .stages
        .stages
        .first()
        .map_or(0..0, |s| s.from_range.clone())
}

fn uses_node(ctx: &Ctx) -> bool {
    let facts = ctx.facts();
    facts.runs().any(|r| {
        r.script
            .any(|c| matches!(c.name.as_str(), "npm" | "yarn" | "pnpm" | "npx"))
    }) || ctx.analysis.stages.stages.iter().any(|s| {
        // `FROM node:${NODE_VERSION}-alpine` resolved from the global ARGs
        let reference = super::facts::base_image(ctx, s.index)
            .reference
            .unwrap_or_default();
        let base = reference.rsplit('/').next().unwrap_or_default();
        base == "node" || base.starts_with("node:")
    })
}

fn uses_next(ctx: &Ctx) -> bool {
    ctx.context
        .build_context
        .as_ref()
        .is_some_and(|b| b.uses_next || b.next_config.is_some())
        || ctx
            .facts()
            .copies()
            .any(|c| c.sources().iter().any(|s| s.contains(".next")))
}

/// Whether the build context is sent at all (some COPY/ADD reads it).
fn reads_context(ctx: &Ctx) -> bool {
    ctx.facts().copies().any(|c| c.from.is_none() && !c.heredoc)
}

/// The first COPY/ADD source from the build context that is a whole
/// directory (`.`, `./`, `*`, or a folder that is there on disk), which
/// copies whatever the folder holds; named files do not. A folder that is
/// not in the directory taken as the context says the context is another
/// one (a Compose file or a script gives it), so it is not judged.
fn copied_directory(ctx: &Ctx, build: &BuildContext) -> Option<String> {
    ctx.facts()
        .copies()
        .filter(|c| c.from.is_none() && !c.heredoc)
        .flat_map(|c| c.sources().iter())
        .find(|src| {
            let s = src.trim_start_matches("./").trim_start_matches('/');
            let s = s.trim_end_matches("/*").trim_end_matches('*');
            !src.contains("://")
                && (s.is_empty()
                    || s == "."
                    || (!s.contains("..") && !s.contains('$') && build.dir.join(s).is_dir()))
        })
        .cloned()
}

fn check_missing(ctx: &Ctx, out: &mut Vec<Finding>) {
    let Some(build) = &ctx.context.build_context else {
        return;
    };
    if build.dockerignore_path.is_some() {
        return;
    }
    if let Some(src) = copied_directory(ctx, build) {
        out.push(Finding::new(
            anchor(ctx),
            format!(
                "no .dockerignore in {}: `{src}` is copied whole, with whatever it holds (node_modules, .git, local builds, secrets): add a .dockerignore that leaves them out",
                build.dir.display()
            ),
        ));
    }
}

fn check_incomplete(ctx: &Ctx, out: &mut Vec<Finding>) {
    let (Some(build), Some(ignore)) = (&ctx.context.build_context, &ctx.context.dockerignore)
    else {
        return;
    };
    if build.dockerignore_path.is_none() || !reads_context(ctx) || ignore.excludes_everything() {
        return;
    }
    // Named files copied one by one bring nothing else into the image.
    if copied_directory(ctx, build).is_none() {
        return;
    }
    let mut missing = Vec::new();
    if uses_node(ctx) && !ignore.is_ignored("node_modules") {
        missing.push("node_modules");
    }
    // `.git` is at a repository's top: only a context that holds one, and
    // only a copy of the context's root (`COPY . .`) takes it along.
    let root_copied = ctx
        .facts()
        .copies()
        .filter(|c| c.from.is_none() && !c.heredoc)
        .flat_map(|c| c.sources().iter())
        .any(|src| matches!(src.as_str(), "." | "./" | "*" | "./*" | "/" | "/*"));
    if root_copied && build.dir.join(".git").exists() && !ignore.is_ignored(".git") {
        missing.push(".git");
    }
    if uses_next(ctx) && !ignore.is_ignored(".next") {
        missing.push(".next");
    }
    if !missing.is_empty() {
        out.push(Finding::new(
            anchor(ctx),
            format!(
                ".dockerignore does not leave out {}: add {} to it",
                missing.join(", "),
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        ));
    }
}

fn check_next(ctx: &Ctx, out: &mut Vec<Finding>) {
    let Some(build) = &ctx.context.build_context else {
        return;
    };
    let Some(copy) = ctx
        .facts()
        .copies()
        .find(|c| c.sources().iter().any(|s| s.contains(".next/standalone")))
    else {
        return;
    };
    let message = match &build.next_config {
        Some((name, text)) if !crate::analysis::project::NextConfig::read(name, text).standalone => format!(
            "copies .next/standalone, but {name} does not set output: \"standalone\", so `next build` does not create it"
        ),
        None => "copies .next/standalone, but no next.config.* beside the Dockerfile sets output: \"standalone\"".to_string(),
        _ => return,
    };
    out.push(Finding::new(copy.node.byte_range(), message));
}
