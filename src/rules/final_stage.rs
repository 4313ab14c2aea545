//! Rules about what the final stage (the image that ships) holds:
//!
//! DevDependenciesInFinalStage: `npm ci`/`npm install` without
//! `--omit=dev` (or NODE_ENV=production) installs development tooling into
//! the runtime image.
//! DevNodeModulesInFinalStage: `node_modules` copied from a stage that
//! installed development dependencies.
//! WholeTreeCopyIntoFinalStage: `COPY --from=<stage> /app .` copies sources,
//! tooling and caches along with the output; copy the built paths.
//! FinalStageRunsAsRoot: a final stage that runs an application (CMD,
//! ENTRYPOINT or EXPOSE) sets no USER, so the container runs as root.
//! MissingHealthcheck: a final stage that runs a service has no
//! HEALTHCHECK (information).
//! PackageCacheInFinalStage: npm/yarn install in the final stage without
//! cleaning the cache in the same RUN (or a cache mount) keeps the cache in
//! the layer.

use super::facts::{env_in_stage, Copy};
use super::{packages, Ctx, Finding, Group, Rule};
use crate::diagnostics::{Edit, Fix, Severity};

pub const DEV_DEPENDENCIES: Rule = Rule {
    code: "DevDependenciesInFinalStage",
    aliases: &[],
    group: Group::BestPractice,
    severity: Severity::Warning,
    summary: "Install only production dependencies in the final stage",
    check: check_dev_dependencies,
};

pub const DEV_NODE_MODULES: Rule = Rule {
    code: "DevNodeModulesInFinalStage",
    aliases: &[],
    group: Group::BestPractice,
    severity: Severity::Warning,
    summary: "Do not copy node_modules with development dependencies into the final stage",
    check: check_dev_node_modules,
};

pub const WHOLE_TREE: Rule = Rule {
    code: "WholeTreeCopyIntoFinalStage",
    aliases: &[],
    group: Group::BestPractice,
    severity: Severity::Warning,
    summary: "Copy specific built paths from earlier stages, not their whole tree",
    check: check_whole_tree,
};

pub const ROOT: Rule = Rule {
    code: "FinalStageRunsAsRoot",
    aliases: &[],
    group: Group::BestPractice,
    severity: Severity::Warning,
    summary: "Run the final image as a non-root USER",
    check: check_root,
};

pub const HEALTHCHECK: Rule = Rule {
    code: "MissingHealthcheck",
    aliases: &[],
    group: Group::BestPractice,
    severity: Severity::Information,
    summary: "Give a service's final image a HEALTHCHECK",
    check: check_healthcheck,
};

pub const CACHE: Rule = Rule {
    code: "PackageCacheInFinalStage",
    aliases: &[],
    group: Group::BestPractice,
    severity: Severity::Warning,
    summary: "Clean the npm/yarn cache in the RUN that installs in the final stage",
    check: check_cache,
};

fn production_env(ctx: &Ctx, stage: usize) -> bool {
    env_in_stage(ctx, stage, "NODE_ENV").is_some_and(|v| v.trim_matches('"') == "production")
}

/// Whether a stage (or the stages it builds on) installs dev dependencies.
fn installs_dev(ctx: &Ctx, stage: usize) -> Option<std::ops::Range<usize>> {
    let facts = ctx.facts();
    for s in ctx.analysis.stages.lineage(stage) {
        for run in facts.runs_in(s) {
            let dev = run
                .script
                .commands
                .iter()
                .any(|c| packages::is_node_install(c) && !packages::omits_dev(c))
                && !packages::sets_production_env(&run.text)
                && !production_env(ctx, s);
            if dev {
                return Some(run.node.byte_range());
            }
        }
    }
    None
}

/// The stage a `COPY --from=<stage>` copies from, when it names one.
fn copied_from(ctx: &Ctx, copy: &Copy) -> Option<usize> {
    ctx.analysis
        .stages
        .refs
        .iter()
        .find(|r| r.in_stage == copy.stage && copy.node.byte_range().contains(&r.range.start))
        .and_then(|r| r.target)
}

fn check_dev_dependencies(ctx: &Ctx, out: &mut Vec<Finding>) {
    let facts = ctx.facts();
    let Some(last) = facts.final_stage() else {
        return;
    };
    // A stage that also builds needs its dev dependencies (SingleStageBuild
    // advises splitting it).
    if production_env(ctx, last)
        || facts
            .runs_in(last)
            .any(|r| r.script.any(packages::is_build))
    {
        return;
    }
    for run in facts.runs_in(last) {
        if packages::sets_production_env(&run.text) {
            continue;
        }
        for c in &run.script.commands {
            if c.name != "npm" || !packages::is_node_install(c) || packages::omits_dev(c) {
                continue;
            }
            let mut finding = Finding::new(
                run.node.byte_range(),
                format!(
                    "`npm {}` in the final stage installs development dependencies: add --omit=dev (or set NODE_ENV=production)",
                    c.args.join(" ")
                ),
            );
            // `npm ci` / `npm install` written once in the RUN: add the flag after it.
            let text = ctx.text(run.node);
            let sub = c.operands().next().unwrap_or("ci");
            let needle = format!("npm {sub}");
            if text.matches(&needle).count() == 1 {
                let at = run.node.start_byte() + text.find(&needle).unwrap() + needle.len();
                finding = finding.with_fix(Fix::new(
                    "Add --omit=dev",
                    vec![Edit::new(at..at, " --omit=dev")],
                ));
            }
            out.push(finding);
        }
    }
}

fn check_dev_node_modules(ctx: &Ctx, out: &mut Vec<Finding>) {
    let facts = ctx.facts();
    let Some(last) = facts.final_stage() else {
        return;
    };
    for copy in facts.copies_in(last) {
        if copy.from.is_none()
            || !copy
                .sources()
                .iter()
                .any(|s| s.trim_end_matches('/').ends_with("node_modules"))
        {
            continue;
        }
        let Some(source) = copied_from(ctx, copy) else {
            continue;
        };
        if let Some(install) = installs_dev(ctx, source) {
            out.push(
                Finding::new(
                    copy.node.byte_range(),
                    format!(
                        "node_modules from stage '{}' includes development dependencies: install with --omit=dev in a stage of its own and copy from there",
                        copy.from.as_deref().unwrap_or_default()
                    ),
                )
                .with_related(install, "development dependencies are installed here"),
            );
        }
    }
}

fn check_whole_tree(ctx: &Ctx, out: &mut Vec<Finding>) {
    let facts = ctx.facts();
    let Some(last) = facts.final_stage() else {
        return;
    };
    for copy in facts.copies_in(last) {
        if copy.from.is_none() {
            continue;
        }
        let Some(source) = copied_from(ctx, copy) else {
            continue;
        };
        // The source stage's working directory: where its whole project is.
        let workdir = facts
            .of_kind(source, "workdir_instruction")
            .last()
            .and_then(|w| w.child_by_field_name("value"))
            .map(|v| ctx.text(v));
        for src in copy.sources() {
            let s = src.trim_end_matches('/');
            let whole = s.is_empty()
                || workdir
                    .as_deref()
                    .is_some_and(|w| w.trim_end_matches('/') == s);
            if whole {
                out.push(Finding::new(
                    copy.node.byte_range(),
                    format!(
                        "copies the whole of '{src}' from stage '{}' (sources, tooling and caches with it): copy only the built output and what runs it",
                        copy.from.as_deref().unwrap_or_default()
                    ),
                ));
                break;
            }
        }
    }
}

fn check_root(ctx: &Ctx, out: &mut Vec<Finding>) {
    let facts = ctx.facts();
    let Some(last) = facts.final_stage() else {
        return;
    };
    let graph = &ctx.analysis.stages;
    if graph
        .lineage(last)
        .any(|s| !facts.of_kind(s, "user_instruction").is_empty())
    {
        return; // DL3002 judges an explicit root USER
    }
    // An image that runs something: a base image for others may stay root.
    let runs_app = facts.stages[last].iter().any(|n| {
        matches!(
            n.kind(),
            "cmd_instruction" | "entrypoint_instruction" | "expose_instruction"
        )
    });
    let stage = &graph.stages[last];
    let base = stage.base_text.to_ascii_lowercase();
    if !runs_app {
        return;
    }
    if base.contains("nonroot") || base.contains('$') || base == "scratch" {
        return;
    }
    let mut finding = Finding::new(
        stage.from_range.clone(),
        "the final stage sets no USER: the container runs as root; add a non-root USER",
    );
    let image = base.rsplit('/').next().unwrap_or(&base);
    if image.starts_with("node:") || image == "node" {
        // before CMD/ENTRYPOINT, or at the end of the stage
        let instructions = &facts.stages[last];
        let anchor = instructions
            .iter()
            .find(|n| matches!(n.kind(), "cmd_instruction" | "entrypoint_instruction"));
        let edit = match anchor {
            Some(n) => {
                let line = ctx.source.line_start(n.start_byte());
                Edit::new(line..line, "USER node\n")
            }
            None => {
                let end = instructions.last().map_or(0, |n| n.end_byte());
                Edit::new(end..end, "\nUSER node")
            }
        };
        finding = finding.with_fix(Fix::new("Add USER node", vec![edit]));
    }
    out.push(finding);
}

fn check_healthcheck(ctx: &Ctx, out: &mut Vec<Finding>) {
    let facts = ctx.facts();
    let Some(last) = facts.final_stage() else {
        return;
    };
    let graph = &ctx.analysis.stages;
    let has = |kind: &str| {
        graph
            .lineage(last)
            .any(|s| !facts.of_kind(s, kind).is_empty())
    };
    if has("healthcheck_instruction") {
        return;
    }
    let serves = has("expose_instruction");
    if serves {
        out.push(Finding::new(
            graph.stages[last].from_range.clone(),
            "the final stage exposes a port but has no HEALTHCHECK: orchestrators cannot tell a hung service from a healthy one",
        ));
    }
}

fn check_cache(ctx: &Ctx, out: &mut Vec<Finding>) {
    let facts = ctx.facts();
    let Some(last) = facts.final_stage() else {
        return;
    };
    for run in facts.runs_in(last) {
        if run.cache_mount {
            continue;
        }
        for manager in ["npm", "yarn"] {
            let installs = run
                .script
                .commands
                .iter()
                .any(|c| c.name == manager && packages::is_node_install(c));
            if !installs || packages::cleans_cache(&run.script, manager) {
                continue;
            }
            let clean = if manager == "npm" {
                "npm cache clean --force"
            } else {
                "yarn cache clean"
            };
            let mut finding = Finding::new(
                run.node.byte_range(),
                format!("the {manager} cache stays in the final image's layer: end the RUN with `&& {clean}` (or use a cache mount)"),
            );
            if run.node.child_by_field_name("shell").is_some() && !run.text.contains("<<") {
                let end = run.node.end_byte();
                finding = finding.with_fix(Fix::new(
                    format!("Add `&& {clean}`"),
                    vec![Edit::new(end..end, format!(" && {clean}"))],
                ));
            }
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn dev_dependencies() {
        let code = "DevDependenciesInFinalStage";
        assert_eq!(found_by(code, "FROM node:22\nRUN npm ci\n"), [2]);
        assert!(found_by(code, "FROM node:22\nRUN npm ci --omit=dev\n").is_empty());
        assert!(found_by(code, "FROM node:22\nENV NODE_ENV=production\nRUN npm ci\n").is_empty());
        assert!(found_by(code, "FROM node:22 AS build\nRUN npm ci\nFROM node:22\n").is_empty());
    }

    #[test]
    fn node_modules_and_whole_trees() {
        let src = "FROM node:22 AS build\nWORKDIR /app\nRUN npm ci\nFROM node:22-slim\nCOPY --from=build /app/node_modules ./node_modules\nCOPY --from=build /app .\nCOPY --from=build /app/dist ./dist\n";
        assert_eq!(found_by("DevNodeModulesInFinalStage", src), [5]);
        assert_eq!(found_by("WholeTreeCopyIntoFinalStage", src), [6]);
    }

    #[test]
    fn root_healthcheck_and_cache() {
        assert_eq!(
            found_by("FinalStageRunsAsRoot", "FROM node:22\nCMD [\"node\"]\n"),
            [1]
        );
        assert!(found_by("FinalStageRunsAsRoot", "FROM node:22\nUSER node\n").is_empty());
        assert!(found_by(
            "FinalStageRunsAsRoot",
            "FROM gcr.io/distroless/static:nonroot\n"
        )
        .is_empty());
        assert_eq!(
            found_by("MissingHealthcheck", "FROM nginx:1\nEXPOSE 80\n"),
            [1]
        );
        assert!(found_by(
            "MissingHealthcheck",
            "FROM nginx:1\nEXPOSE 80\nHEALTHCHECK NONE\n"
        )
        .is_empty());
        assert_eq!(
            found_by(
                "PackageCacheInFinalStage",
                "FROM node:22\nRUN npm ci --omit=dev\n"
            ),
            [2]
        );
        assert!(found_by(
            "PackageCacheInFinalStage",
            "FROM node:22\nRUN npm ci --omit=dev && npm cache clean --force\n"
        )
        .is_empty());
    }
}
