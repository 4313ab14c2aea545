//! hadolint's checks of instructions, under hadolint's codes:
//!
//! DL3000 a relative WORKDIR after an absolute one (a relative one before
//! any is BuildKit's WorkdirRelativePath, reported once under that name).
//! DL3002 the final stage's last USER is root. DL3006 tag images
//! explicitly. DL3007 `latest` is not a version. DL3020 COPY for local
//! files and folders (ADD is for URLs and archives). DL3021 COPY with
//! several sources needs a destination ending in `/`. DL3022 `--from`
//! names no stage (UnknownStage reports the ones that look like a typo
//! or a later stage). DL3023 `--from` names its own stage. DL3045 COPY to
//! a relative destination before any WORKDIR.

use super::stage_graph::{self, Miss};
use super::workdir_relative_path::{is_absolute, workdirs};
use super::{Ctx, Finding, Group, Rule};
use crate::analysis::stages::RefKind;
use crate::diagnostic_types::{Edit, Fix, Severity};
use crate::syntax::{logical_text, views};

hadolint_rule!(
    DL3000,
    "DL3000",
    Warning,
    "Use an absolute WORKDIR",
    check_workdir
);
hadolint_rule!(
    DL3002,
    "DL3002",
    Warning,
    "The last USER should not be root",
    check_root_user
);
hadolint_rule!(
    DL3006,
    "DL3006",
    Warning,
    "Tag the version of an image explicitly",
    check_untagged
);
hadolint_rule!(
    DL3007,
    "DL3007",
    Warning,
    "Do not use the latest tag",
    check_latest
);
hadolint_rule!(
    DL3020,
    "DL3020",
    Warning,
    "Use COPY instead of ADD for files and folders",
    check_add
);
hadolint_rule!(
    DL3021,
    "DL3021",
    Error,
    "COPY with several sources needs a destination ending in /",
    check_copy_dest
);
hadolint_rule!(
    DL3022,
    "DL3022",
    Warning,
    "COPY --from should name an earlier stage",
    check_from_alias
);
hadolint_rule!(
    DL3023,
    "DL3023",
    Error,
    "COPY --from cannot name its own stage",
    check_from_self
);
hadolint_rule!(
    DL3045,
    "DL3045",
    Warning,
    "COPY to a relative destination needs a WORKDIR",
    check_relative_dest
);

fn check_workdir(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (instruction, path, absolute_before) in workdirs(ctx) {
        if absolute_before && !is_absolute(&path) {
            out.push(Finding::new(
                instruction.byte_range(),
                format!("use an absolute WORKDIR: '{path}' depends on the one before it"),
            ));
        }
    }
}

fn check_root_user(ctx: &Ctx, out: &mut Vec<Finding>) {
    let facts = ctx.facts();
    let Some(last) = facts.final_stage() else {
        return;
    };
    let Some(user) = facts.of_kind(last, "user_instruction").into_iter().last() else {
        return;
    };
    let name = user
        .child_by_field_name("value")
        .map(|v| logical_text(v, ctx.source))
        .unwrap_or_default();
    let who = name.split(':').next().unwrap_or_default();
    if who == "root" || who == "0" {
        out.push(Finding::new(
            user.byte_range(),
            "the last USER is root: the container runs as root; switch to an unprivileged user at the end",
        ));
    }
}

/// (FROM range, image text, tag) of each FROM that names an image, not a stage.
fn images(ctx: &Ctx) -> Vec<(std::ops::Range<usize>, String, Option<String>, bool)> {
    let graph = &ctx.analysis.stages;
    ctx.facts()
        .stage_nodes()
        .filter_map(|(s, _, from)| Some((from, graph.stages.get(s)?)))
        .filter(|(_, stage)| stage.parent.is_none())
        .filter_map(|(from, stage)| {
            let f = views::from_instruction(from);
            let image = f.image?;
            let tag = image
                .child_by_field_name("tag")
                .map(|t| logical_text(t, ctx.source));
            let digest = image.child_by_field_name("digest").is_some();
            Some((
                stage.from_range.clone(),
                stage.base_text.clone(),
                tag,
                digest,
            ))
        })
        .collect()
}

fn check_untagged(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (range, image, tag, digest) in images(ctx) {
        if tag.is_none()
            && !digest
            && image != "scratch"
            && !image.contains('$')
            && !image.contains(':')
            && !image.contains('@')
        {
            out.push(Finding::new(
                range,
                format!("tag the version of '{image}' explicitly (`{image}:<version>`): an untagged image changes under you"),
            ));
        }
    }
}

fn check_latest(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (range, image, tag, digest) in images(ctx) {
        let tag = tag.as_deref().map(|t| t.trim_start_matches(':'));
        if tag == Some("latest") && !digest {
            out.push(Finding::new(
                range,
                format!("'{image}' uses the latest tag: it changes under you; pin a version"),
            ));
        }
    }
}

const ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".gz", ".bz2",
    ".xz",
];

fn check_add(ctx: &Ctx, out: &mut Vec<Finding>) {
    for copy in ctx.facts().copies().filter(|c| c.add && !c.heredoc) {
        let remote_or_archive = copy.sources().iter().any(|s| {
            s.contains("://")
                || s.starts_with("git@")
                || s.contains('$')
                || ARCHIVES.iter().any(|a| s.ends_with(a))
        });
        if remote_or_archive || copy.sources().is_empty() {
            continue;
        }
        let mut finding = Finding::new(
            copy.node.byte_range(),
            "use COPY for files and folders: ADD also fetches URLs and unpacks archives, which COPY makes explicit",
        );
        if let Some(keyword) = copy.node.child(0) {
            let fixed = if ctx.text(keyword) == "add" {
                "copy"
            } else {
                "COPY"
            };
            finding = finding.with_fix(Fix::new(
                "Use COPY",
                vec![Edit::new(keyword.byte_range(), fixed)],
            ));
        }
        out.push(finding);
    }
}

fn check_copy_dest(ctx: &Ctx, out: &mut Vec<Finding>) {
    for copy in ctx
        .facts()
        .copies()
        .filter(|c| !c.heredoc && c.paths.len() > 2)
    {
        let Some(dest) = copy.dest() else { continue };
        if dest.ends_with('/') || dest.ends_with('\\') {
            continue;
        }
        let mut finding = Finding::new(
            copy.node.byte_range(),
            format!(
                "COPY with several sources needs a directory destination ending in '/': '{dest}/'"
            ),
        );
        if copy.node.child_by_field_name("exec").is_none() {
            if let Some(node) = copy.path_nodes.last() {
                let end = node.end_byte();
                finding = finding.with_fix(Fix::new(
                    "Add '/' to the destination",
                    vec![Edit::new(end..end, "/")],
                ));
            }
        }
        out.push(finding);
    }
}

fn check_from_alias(ctx: &Ctx, out: &mut Vec<Finding>) {
    let graph = &ctx.analysis.stages;
    for r in graph.refs.iter().filter(|r| {
        r.kind == RefKind::CopyFrom && r.target.is_none() && stage_graph::is_bare_name(r)
    }) {
        if matches!(stage_graph::miss(graph, r), Miss::None) {
            out.push(Finding::new(
                r.range.clone(),
                format!("'{}' is not a stage of this Dockerfile: it is pulled as an image; name an earlier stage or write the image with its tag", r.text),
            ));
        }
    }
}

fn check_from_self(ctx: &Ctx, out: &mut Vec<Finding>) {
    let graph = &ctx.analysis.stages;
    for r in graph
        .refs
        .iter()
        .filter(|r| r.kind != RefKind::FromBase && r.target.is_none())
    {
        if matches!(stage_graph::miss(graph, r), Miss::Own) {
            out.push(
                Finding::new(
                    r.range.clone(),
                    format!(
                        "--from={} names the stage it is in: a stage cannot copy from itself",
                        r.text
                    ),
                )
                .with_related(
                    graph.stages[r.in_stage]
                        .name_range
                        .clone()
                        .unwrap_or_default(),
                    "this stage",
                ),
            );
        }
    }
}

fn check_relative_dest(ctx: &Ctx, out: &mut Vec<Finding>) {
    let graph = &ctx.analysis.stages;
    let facts = ctx.facts();
    for copy in facts.copies().filter(|c| !c.add) {
        let Some(dest) = copy.dest() else { continue };
        if is_absolute(dest) {
            continue;
        }
        // a WORKDIR before it in the stage, or anywhere in a parent stage
        let workdirs = facts.in_effect(graph, copy.stage, copy.node, "workdir_instruction");
        if workdirs.is_empty() {
            out.push(Finding::new(
                copy.node.byte_range(),
                format!("COPY to the relative destination '{dest}' with no WORKDIR set: it depends on the base image's working directory"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn images_and_users() {
        assert_eq!(
            found_by(
                "DL3006",
                "FROM ubuntu\nFROM scratch\nFROM ubuntu:24.04 AS a\nFROM a\n"
            ),
            [1]
        );
        assert_eq!(
            found_by("DL3007", "FROM ubuntu:latest\nFROM ubuntu:24.04\n"),
            [1]
        );
        assert_eq!(found_by("DL3002", "FROM a:1\nUSER app\nUSER root\n"), [3]);
        assert!(found_by("DL3002", "FROM a:1\nUSER root\nRUN x\nUSER app\n").is_empty());
        assert_eq!(
            found_by("DL3000", "FROM a:1\nWORKDIR /app\nWORKDIR src\n"),
            [3]
        );
        assert!(found_by("DL3000", "FROM a:1\nWORKDIR src\n").is_empty());
    }

    #[test]
    fn copies() {
        assert_eq!(
            found_by(
                "DL3020",
                "FROM a:1\nADD app.py /app/\nADD https://x/y.tar.gz /tmp/\nADD data.tar.gz /data\n"
            ),
            [2]
        );
        assert_eq!(
            found_by("DL3021", "FROM a:1\nCOPY a b /dest\nCOPY a b /dest/\n"),
            [2]
        );
        let src = "FROM a:1 AS build\nCOPY --from=build / /\nCOPY --from=busybox /bin/sh /\nFROM b:1\nCOPY --from=buidl / /\nCOPY --from=alpine:3 / /\n";
        assert_eq!(found_by("DL3023", src), [2]);
        assert_eq!(found_by("DL3022", src), [3]);
        assert_eq!(
            found_by(
                "DL3045",
                "FROM a:1\nCOPY x app/\nWORKDIR /srv\nCOPY y app/\n"
            ),
            [2]
        );
    }
}
