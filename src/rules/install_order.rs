//! DependencyInstallAfterCopyAll: a stage that copies the whole build
//! context (`COPY . .`) and then installs dependencies reinstalls them on
//! every source change, because any changed file invalidates the COPY
//! layer and every layer after it. Copy the manifest and lockfile first,
//! install, then copy the rest.

use super::{packages, whole_lines, Ctx, Finding, Group, Rule};
use crate::analysis::commands::{self, Tool};
use crate::diagnostic_types::{Edit, Fix, Severity};

pub const RULE: Rule = Rule {
    code: "DependencyInstallAfterCopyAll",
    aliases: &[],
    group: Group::BestPractice,
    severity: Severity::Warning,
    summary: "Copy the manifest and lockfile, install, then copy the sources",
    check,
};

fn is_copy_all(paths: &[String]) -> bool {
    paths.len() >= 2
        && paths[..paths.len() - 1]
            .iter()
            .any(|p| matches!(p.as_str(), "." | "./" | "*"))
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let facts = ctx.facts();
    for copy in facts
        .copies()
        .filter(|c| c.from.is_none() && is_copy_all(&c.paths))
    {
        let Some(dest) = copy.dest() else { continue };
        let run = facts.runs_in(copy.stage).find(|r| {
            r.node.start_byte() > copy.node.start_byte()
                && r.script.any(|c| packages::manifest_install(c).is_some())
        });
        let Some(run) = run else { continue };
        // `pnpm fetch` from the lockfile alone, before the copy, is the
        // layer that stays cached: the install after it links offline.
        let fetched = facts.runs_in(copy.stage).any(|r| {
            r.node.start_byte() < copy.node.start_byte()
                && commands::invocations(&r.script)
                    .any(|i| i.tool == Tool::Pnpm && i.subcommand() == Some("fetch"))
        });
        if fetched {
            continue;
        }
        let Some(files) = run
            .script
            .commands
            .iter()
            .find_map(packages::manifest_install)
        else {
            continue;
        };
        let mut finding = Finding::new(
            run.node.byte_range(),
            format!(
                "dependencies are installed after `COPY {}`: any source change reinstalls them; copy {} first, install, then copy the rest",
                copy.paths.join(" "),
                files.join(" and ")
            ),
        )
        .with_related(copy.node.byte_range(), "the whole build context is copied here");
        // Mechanical when the install directly follows the copy.
        let next = copy.node.next_named_sibling();
        if next.is_some_and(|n| n.id() == run.node.id()) {
            let line = ctx.source.line_start(copy.node.start_byte());
            let indent = ctx.source.text(line..copy.node.start_byte()).into_owned();
            // several sources need a directory destination ending in `/`
            let dir = if dest.ends_with('/') {
                dest.to_string()
            } else {
                format!("{dest}/")
            };
            let manifest = format!("COPY {} {dir}", files.join(" "));
            let moved = format!("{manifest}\n{indent}{}\n{indent}", ctx.text(run.node));
            finding = finding.with_fix(Fix::new(
                "Copy the manifest and install before copying the sources",
                vec![
                    Edit::new(copy.node.start_byte()..copy.node.start_byte(), moved),
                    Edit::new(whole_lines(ctx, run.node.byte_range()), ""),
                ],
            ));
        }
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn bad_and_good() {
        let bad = "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n";
        assert_eq!(found_by("DependencyInstallAfterCopyAll", bad), [4]);
        let good = "FROM node:22\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\n";
        assert!(found_by("DependencyInstallAfterCopyAll", good).is_empty());
    }

    /// hoppscotch's prod.Dockerfile: `pnpm fetch` with the lockfile alone,
    /// then the sources, then an install that links from the fetched store.
    #[test]
    fn pnpm_fetch_first_is_the_cached_layer() {
        let src = "FROM node:22\nWORKDIR /app\nCOPY pnpm-lock.yaml .\nRUN pnpm fetch\nCOPY . .\nRUN pnpm install -f --prefer-offline\n";
        assert!(found_by("DependencyInstallAfterCopyAll", src).is_empty());
        let src = "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN pnpm install --frozen-lockfile\n";
        assert_eq!(found_by("DependencyInstallAfterCopyAll", src), [4]);
    }
}
