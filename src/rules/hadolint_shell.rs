//! hadolint's checks of the commands in RUN, under hadolint's codes (so
//! `# hadolint ignore=DL3008` keeps working), with hadolint's semantics
//! (tests/hadolint.rs compares them on the corpus; where we differ on
//! purpose is listed in tests/hadolint-differences.txt). The commands are
//! read with tree-sitter-bash (`analysis::shell`) and what they do with
//! `analysis::commands` (sudo, prefixes, paths, `python -m pip`), in every
//! RUN and in those ONBUILD holds.
//!
//! DL3003 `cd` in RUN: use WORKDIR. DL3004 no `sudo`. DL3008 pin apt-get
//! package versions. DL3009 remove the apt lists after an update, in the
//! stages an image is built on. DL3013 pin pip/pipx versions. DL3015
//! `--no-install-recommends`. DL3016 pin npm versions. DL3027 `apt` is for
//! people: use apt-get. DL3042 `pip install --no-cache-dir` (stages an
//! image is built on). DL3059 consecutive single-command RUNs of the same
//! flags (information). DL3060 `yarn cache clean` after `yarn install` in a
//! stage an image is built FROM (the final stage's is
//! PackageCacheInFinalStage). DL4006 `set -o pipefail` (or a SHELL with it)
//! before a RUN that pipes.

use super::facts::{env_in_stage, Run};
use super::{packages, Ctx, Finding, Group, Rule};
use crate::analysis::commands::{self, Action, Invocation, Tool};
use crate::analysis::shell::Command;
use crate::diagnostic_types::{Edit, Fix, Severity};

hadolint_rule!(
    DL3003,
    "DL3003",
    Warning,
    "Use WORKDIR to switch to a directory",
    check_cd
);
hadolint_rule!(DL3004, "DL3004", Warning, "Do not use sudo", check_sudo);
hadolint_rule!(
    DL3008,
    "DL3008",
    Warning,
    "Pin versions in apt-get install",
    check_apt_pin
);
hadolint_rule!(
    DL3009,
    "DL3009",
    Information,
    "Delete the apt-get lists after installing",
    check_apt_lists
);
hadolint_rule!(
    DL3013,
    "DL3013",
    Warning,
    "Pin versions in pip install",
    check_pip_pin
);
hadolint_rule!(
    DL3015,
    "DL3015",
    Information,
    "Avoid additional packages: use --no-install-recommends",
    check_recommends
);
hadolint_rule!(
    DL3016,
    "DL3016",
    Warning,
    "Pin versions in npm install",
    check_npm_pin
);
hadolint_rule!(
    DL3027,
    "DL3027",
    Warning,
    "Use apt-get or apt-cache instead of apt",
    check_apt
);
hadolint_rule!(
    DL3042,
    "DL3042",
    Warning,
    "Use pip install --no-cache-dir",
    check_pip_cache
);
hadolint_rule!(
    DL3059,
    "DL3059",
    Information,
    "Consolidate consecutive RUN instructions",
    check_consecutive
);
hadolint_rule!(
    DL3060,
    "DL3060",
    Information,
    "Run yarn cache clean after yarn install",
    check_yarn_cache
);
hadolint_rule!(
    DL4006,
    "DL4006",
    Warning,
    "Set -o pipefail before RUN with a pipe",
    check_pipefail
);

/// The RUNs hadolint lints: every RUN of the file and those ONBUILD
/// holds (they run in the builds on this image).
fn runs<'c, 't>(ctx: &'c Ctx<'t>, onbuild: &'c [Run<'t>]) -> impl Iterator<Item = &'c Run<'t>> {
    ctx.facts().runs().chain(onbuild)
}

/// The RUNs inside ONBUILD, read like the others (shell and JSON forms).
fn onbuild_runs<'t>(ctx: &Ctx<'t>) -> Vec<Run<'t>> {
    let facts = ctx.facts();
    let mut out = Vec::new();
    for (stage, instructions) in facts.stages() {
        for n in instructions
            .iter()
            .filter(|n| n.kind() == "onbuild_instruction")
        {
            let mut cursor = n.walk();
            let Some(run) = n
                .named_children(&mut cursor)
                .find(|c| c.kind() == "run_instruction")
            else {
                continue;
            };
            let text = if let Some(shell) = run.child_by_field_name("shell") {
                crate::syntax::logical_text(shell, ctx.source)
            } else if let Some(exec) = run.child_by_field_name("exec") {
                let args = super::facts::json_args(ctx, exec);
                match args.as_slice() {
                    [sh, c, script, ..] if sh.ends_with("sh") && c == "-c" => script.clone(),
                    _ => args.join(" "),
                }
            } else {
                continue;
            };
            out.push(Run {
                node: run,
                stage,
                script: crate::analysis::shell::Script::parse_shared(&text),
                text,
                cache_mount: false,
                secret_mount: false,
            });
        }
    }
    out
}

/// Each command of each RUN (ONBUILD's too) with the RUN it is in.
fn each_command<'c, 't>(
    ctx: &'c Ctx<'t>,
    onbuild: &'c [Run<'t>],
) -> impl Iterator<Item = (&'c Run<'t>, &'c Command)> {
    runs(ctx, onbuild).flat_map(|r| r.script.commands.iter().map(move |c| (r, c)))
}

/// Each invocation of a known tool in each RUN (ONBUILD's too).
fn each_invocation<'c, 't>(
    ctx: &'c Ctx<'t>,
    onbuild: &'c [Run<'t>],
) -> impl Iterator<Item = (&'c Run<'t>, Invocation<'c>)> {
    runs(ctx, onbuild).flat_map(|r| commands::invocations(&r.script).map(move |i| (r, i)))
}

fn report(out: &mut Vec<Finding>, run: &Run, message: String) {
    if !out.iter().any(|f| f.range == run.node.byte_range()) {
        out.push(Finding::new(run.node.byte_range(), message));
    }
}

/// Reports the packages an install leaves unpinned, if any: `install` is
/// the command as users write it, `form` how a pinned package looks.
fn report_unpinned(
    out: &mut Vec<Finding>,
    run: &Run,
    unpinned: &[&str],
    install: &str,
    form: &str,
) {
    if !unpinned.is_empty() {
        report(
            out,
            run,
            format!(
                "pin versions in {install} ({}): `{install} {form}`",
                unpinned.join(", ")
            ),
        );
    }
}

fn check_cd(ctx: &Ctx, out: &mut Vec<Finding>) {
    let onbuild = onbuild_runs(ctx);
    for (run, c) in each_command(ctx, &onbuild) {
        if c.name == "cd" {
            report(
                out,
                run,
                "use WORKDIR to switch to a directory instead of `cd` in RUN".into(),
            );
        }
    }
}

fn check_sudo(ctx: &Ctx, out: &mut Vec<Finding>) {
    let onbuild = onbuild_runs(ctx);
    for (run, c) in each_command(ctx, &onbuild) {
        if c.name == "sudo" {
            report(out, run, "do not use sudo: RUN already runs as the current USER; switch with USER root if needed".into());
        }
    }
}

/// `apt-get install` (as hadolint, `apt` itself is DL3027's).
fn is_apt_get_install(i: &Invocation) -> bool {
    i.tool == Tool::Apt
        && i.program.rsplit('/').next() == Some("apt-get")
        && i.subcommand() == Some("install")
}

fn check_apt_pin(ctx: &Ctx, out: &mut Vec<Finding>) {
    let onbuild = onbuild_runs(ctx);
    for (run, i) in each_invocation(ctx, &onbuild) {
        if !is_apt_get_install(&i) {
            continue;
        }
        let unpinned: Vec<&str> = i
            .packages()
            .into_iter()
            .filter(|p| !p.contains('=') && !p.ends_with(".deb") && !p.starts_with('$'))
            .collect();
        report_unpinned(
            out,
            run,
            &unpinned,
            "apt-get install",
            "<package>=<version>",
        );
    }
}

/// The stages whose layers make an image: the final stage, every stage
/// that sets what runs (CMD or ENTRYPOINT: a `--target` such as a dev
/// image), and the stages these are built FROM, however far up. A stage
/// only copied from (or built on only by such stages) leaves its files
/// behind; hadolint counts every stage another builds FROM.
fn kept_stages(ctx: &Ctx) -> Vec<bool> {
    let facts = ctx.facts();
    let graph = &ctx.analysis.stages;
    let count = facts.stage_count();
    let mut kept = vec![false; count];
    let runs_something = |s: usize| {
        ["cmd_instruction", "entrypoint_instruction"]
            .iter()
            .any(|k| !facts.of_kind(s, k).is_empty())
    };
    for start in (0..count).filter(|&s| s + 1 == count || runs_something(s)) {
        let mut next = Some(start);
        while let Some(s) = next.filter(|&s| s < count && !kept[s]) {
            kept[s] = true;
            next = graph.stages.get(s).and_then(|st| st.parent);
        }
    }
    kept
}

/// The targets of a RUN's `--mount=type=cache` flags.
fn cache_targets(ctx: &Ctx, run: &Run) -> Vec<String> {
    let mut out = Vec::new();
    for f in crate::syntax::views::flags(run.node, ctx.source) {
        if f.name != "mount" {
            continue;
        }
        let value = |keys: &[&str]| {
            f.options
                .iter()
                .find(|o| keys.contains(&o.key.as_str()))
                .and_then(|o| o.value)
                .map(|v| ctx.text(v))
        };
        if value(&["type"]).as_deref() == Some("cache") {
            out.extend(value(&["target", "dst", "destination"]));
        }
    }
    out
}

fn check_apt_lists(ctx: &Ctx, out: &mut Vec<Finding>) {
    let kept = kept_stages(ctx);
    let onbuild = onbuild_runs(ctx);
    for run in runs(ctx, &onbuild) {
        if !kept.get(run.stage).copied().unwrap_or(false)
            || !commands::updates_apt_lists(&run.script)
            || commands::removes_apt_lists(&run.script)
        {
            continue;
        }
        // The lists kept in a cache mount never reach the layer.
        let targets = cache_targets(ctx, run);
        let cached = |dir: &str| {
            targets
                .iter()
                .any(|t| t.trim_end_matches('/').starts_with(dir))
        };
        if cached("/var/lib/apt/lists") || cached("/var/lib/apt") && cached("/var/cache/apt") {
            continue;
        }
        report(
            out,
            run,
            "delete the apt lists in the same RUN: `&& rm -rf /var/lib/apt/lists/*`".into(),
        );
    }
}

/// `pip install` in any of its spellings (`pip2`, `pip3.12`,
/// `python -m pip`, under sudo); with `pipx` too when `pipx` is true.
fn is_pip_install(i: &Invocation, pipx: bool) -> bool {
    i.action == Action::Install && (i.tool == Tool::Pip || pipx && i.tool == Tool::Pipx)
}

fn check_pip_pin(ctx: &Ctx, out: &mut Vec<Finding>) {
    let onbuild = onbuild_runs(ctx);
    for (run, i) in each_invocation(ctx, &onbuild) {
        if !is_pip_install(&i, true) || i.has_flag(&["-r", "--requirement", "-c", "--constraint"]) {
            continue;
        }
        let pinned = |p: &str| {
            p.contains(['=', '<', '>', '@', '/'])
                || p == "."
                || p.ends_with(".whl")
                || p.ends_with(".tar.gz")
                || p.starts_with('$')
        };
        let unpinned: Vec<&str> = i.packages().into_iter().filter(|p| !pinned(p)).collect();
        let install = if i.tool == Tool::Pipx {
            "pipx install"
        } else {
            "pip install"
        };
        report_unpinned(out, run, &unpinned, install, "<package>==<version>");
    }
}

fn check_recommends(ctx: &Ctx, out: &mut Vec<Finding>) {
    let onbuild = onbuild_runs(ctx);
    for (run, i) in each_invocation(ctx, &onbuild) {
        if is_apt_get_install(&i)
            && !i.has_flag(&["--no-install-recommends"])
            && !i
                .args
                .iter()
                .any(|a| a.contains("Install-Recommends=false"))
        {
            report(
                out,
                run,
                "add --no-install-recommends to apt-get install to avoid unneeded packages".into(),
            );
        }
    }
}

/// As hadolint: a package is pinned by `@<version>` (after its scope), a
/// git URL by `#<commit>`; tarballs and folders are what they are.
fn npm_pinned(p: &str) -> bool {
    if ["git://", "git+ssh://", "git+http://", "git+https://"]
        .iter()
        .any(|g| p.starts_with(g))
    {
        return p.contains('#');
    }
    if [".tar", ".tar.gz", ".tgz"].iter().any(|t| p.ends_with(t))
        || ["/", "./", "../", "~/"].iter().any(|f| p.starts_with(f))
        || p == "."
        || p.starts_with('$')
    {
        return true;
    }
    match p.strip_prefix('@') {
        Some(scoped) => scoped.split_once('/').is_some_and(|(_, n)| n.contains('@')),
        None => p.contains('@'),
    }
}

fn check_npm_pin(ctx: &Ctx, out: &mut Vec<Finding>) {
    let onbuild = onbuild_runs(ctx);
    for (run, i) in each_invocation(ctx, &onbuild) {
        if i.tool != Tool::Npm || !matches!(i.subcommand(), Some("install" | "i" | "add")) {
            continue;
        }
        let unpinned: Vec<&str> = i
            .packages()
            .into_iter()
            .filter(|p| !npm_pinned(p))
            .collect();
        report_unpinned(out, run, &unpinned, "npm install", "<package>@<version>");
    }
}

fn check_apt(ctx: &Ctx, out: &mut Vec<Finding>) {
    let onbuild = onbuild_runs(ctx);
    for (run, i) in each_invocation(ctx, &onbuild) {
        if i.tool == Tool::Apt && i.program.rsplit('/').next() == Some("apt") {
            report(
                out,
                run,
                "`apt` is meant for people and has no stable interface: use apt-get or apt-cache"
                    .into(),
            );
        }
    }
}

/// Whether a script turns pip's cache off itself: `PIP_NO_CACHE_DIR=1 pip
/// install`, `export PIP_NO_CACHE_DIR=1`.
fn sets_pip_no_cache(text: &str) -> bool {
    text.contains("PIP_NO_CACHE_DIR=")
}

/// In the stages the final image is built on (hadolint: every stage): a
/// builder stage's cache stays behind when only its output is copied.
fn check_pip_cache(ctx: &Ctx, out: &mut Vec<Finding>) {
    let kept = kept_stages(ctx);
    let onbuild = onbuild_runs(ctx);
    for run in runs(ctx, &onbuild) {
        if !kept.get(run.stage).copied().unwrap_or(false)
            || run.cache_mount
            || sets_pip_no_cache(&run.text)
            || env_in_stage(ctx, run.stage, "PIP_NO_CACHE_DIR").is_some()
        {
            continue;
        }
        let Some(_) = commands::invocations(&run.script)
            .find(|i| is_pip_install(i, false) && !i.has_flag(&["--no-cache-dir"]))
        else {
            continue;
        };
        let mut finding = Finding::new(
            run.node.byte_range(),
            "use pip install --no-cache-dir: the download cache would stay in the layer",
        );
        let text = ctx.text(run.node);
        if let Some(at) = text
            .find("pip install")
            .or_else(|| text.find("pip3 install"))
        {
            if text.matches("install").count() == 1 {
                let end = run.node.start_byte()
                    + at
                    + text[at..].find("install").unwrap()
                    + "install".len();
                finding = finding.with_fix(Fix::new(
                    "Add --no-cache-dir",
                    vec![Edit::new(end..end, " --no-cache-dir")],
                ));
            }
        }
        out.push(finding);
    }
}

/// As hadolint: a RUN right after another RUN of the same flags (comments
/// between them aside), when each runs a single command. A RUN that
/// already chains commands, or a heredoc script, was split on purpose.
fn check_consecutive(ctx: &Ctx, out: &mut Vec<Finding>) {
    let facts = ctx.facts();
    let by_start: std::collections::HashMap<usize, &Run> =
        facts.runs().map(|r| (r.node.start_byte(), r)).collect();
    let single = |n: tree_sitter::Node| -> Option<(String, usize)> {
        if n.kind() != "run_instruction" {
            return None;
        }
        let run = by_start.get(&n.start_byte())?;
        let mut cursor = n.walk();
        if n.children(&mut cursor).any(|c| c.kind() == "heredoc_block") {
            return None;
        }
        // The flags as a set: `--mount` options in any order are one mount.
        let mut flags: Vec<String> = crate::syntax::views::flags(n, ctx.source)
            .iter()
            .map(|f| {
                if f.options.is_empty() {
                    return ctx.text(f.node);
                }
                let mut options: Vec<String> = f
                    .options
                    .iter()
                    .map(|o| {
                        format!(
                            "{}={}",
                            o.key,
                            o.value.map(|v| ctx.text(v)).unwrap_or_default()
                        )
                    })
                    .collect();
                options.sort();
                format!("--{}={}", f.name, options.join(","))
            })
            .collect();
        flags.sort();
        Some((flags.join(" "), run.script.commands.len()))
    };
    for (_, stage) in facts.stages() {
        for pair in stage.windows(2) {
            if let (Some((a, 0..=1)), Some((b, 0..=1))) = (single(pair[0]), single(pair[1])) {
                if a == b {
                    out.push(Finding::new(
                        pair[1].byte_range(),
                        "consecutive RUN instructions of one command each: consider joining them with && to make fewer layers",
                    ));
                }
            }
        }
    }
}

/// As hadolint, in the stages whose layers are kept (a stage another builds
/// FROM); the final stage's is PackageCacheInFinalStage's. A stage only
/// copied from leaves its cache behind.
fn check_yarn_cache(ctx: &Ctx, out: &mut Vec<Finding>) {
    let kept = kept_stages(ctx);
    let last = ctx.facts().final_stage();
    let onbuild = onbuild_runs(ctx);
    for run in runs(ctx, &onbuild).filter(|r| {
        Some(r.stage) != last && kept.get(r.stage).copied().unwrap_or(false) && !r.cache_mount
    }) {
        let installs = commands::invocations(&run.script)
            .any(|i| i.tool == Tool::Yarn && i.action == Action::Install);
        if installs && !packages::cleans_cache(&run.script, "yarn") {
            report(
                out,
                run,
                "run `yarn cache clean` in the same RUN as yarn install".into(),
            );
        }
    }
}

fn check_pipefail(ctx: &Ctx, out: &mut Vec<Finding>) {
    let facts = ctx.facts();
    let graph = &ctx.analysis.stages;
    for run in facts.runs() {
        if run.node.child_by_field_name("shell").is_none() || !run.script.any(|c| c.piped) {
            continue;
        }
        // `set -o pipefail` (or `set -euo pipefail`) in the script itself
        if run
            .script
            .any(|c| c.name == "set" && c.args.iter().any(|a| a == "pipefail"))
        {
            continue;
        }
        // a SHELL with pipefail (or a non-POSIX shell) before it, here or in a parent
        let shell_ok = facts
            .in_effect(graph, run.stage, run.node, "shell_instruction")
            .into_iter()
            .any(|n| {
                let t = ctx.text(n);
                ["pipefail", "pwsh", "powershell", "cmd"]
                    .iter()
                    .any(|w| t.contains(w))
            });
        if !shell_ok {
            report(out, run, "a pipe hides the failure of all but its last command: `set -o pipefail &&` first, or SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    /// A SHELL with pipefail counts in the stage after it and in every
    /// stage built on that one, however far down the FROM chain; not in a
    /// stage on another base, nor before it.
    #[test]
    fn pipefail_is_inherited_down_the_chain() {
        let mut src = String::from("FROM debian:12 AS s0\nRUN a | b\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n");
        for i in 1..6 {
            src.push_str(&format!("FROM s{} AS s{i}\nRUN c | d\n", i - 1));
        }
        src.push_str("FROM debian:12\nRUN e | f\n");
        // line 2 (before the SHELL) and the last stage (another base) only
        assert_eq!(found_by("DL4006", &src), [2, 15]);
    }

    #[test]
    fn apt() {
        let bad = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n";
        for code in ["DL3008", "DL3009", "DL3015"] {
            assert_eq!(found_by(code, bad), [2], "{code}");
        }
        let good = "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10 && rm -rf /var/lib/apt/lists/*\n";
        for code in ["DL3008", "DL3009", "DL3015"] {
            assert!(found_by(code, good).is_empty(), "{code}");
        }
        assert_eq!(
            found_by("DL3027", "FROM debian:12\nRUN apt install -y curl\n"),
            [2]
        );
    }

    #[test]
    fn shell_habits() {
        assert_eq!(found_by("DL3003", "FROM a:1\nRUN cd /src && make\n"), [2]);
        assert_eq!(found_by("DL3004", "FROM a:1\nRUN sudo make install\n"), [2]);
        assert_eq!(
            found_by("DL4006", "FROM a:1\nRUN curl -fsSL https://x | sh\n"),
            [2]
        );
        assert!(found_by(
            "DL4006",
            "FROM a:1\nRUN set -o pipefail && curl -fsSL https://x | sh\n"
        )
        .is_empty());
        assert!(found_by("DL4006", "FROM a:1\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl https://x | sh\n").is_empty());
        assert_eq!(found_by("DL3059", "FROM a:1\nRUN a\nRUN b\n"), [3]);
    }

    #[test]
    fn pins_and_caches() {
        assert_eq!(
            found_by("DL3013", "FROM python:3\nRUN pip install flask\n"),
            [2]
        );
        assert!(found_by(
            "DL3013",
            "FROM python:3\nRUN pip install flask==3.0.0 -r req.txt\n"
        )
        .is_empty());
        assert_eq!(
            found_by("DL3042", "FROM python:3\nRUN pip install flask==3.0.0\n"),
            [2]
        );
        assert!(found_by(
            "DL3042",
            "FROM python:3\nRUN pip install --no-cache-dir flask==3.0.0\n"
        )
        .is_empty());
        assert_eq!(
            found_by("DL3016", "FROM node:22\nRUN npm install -g typescript\n"),
            [2]
        );
        assert!(found_by(
            "DL3016",
            "FROM node:22\nRUN npm install -g typescript@5.6.2 @scope/x@1\n"
        )
        .is_empty());
        assert_eq!(
            found_by("DL3060", "FROM node:22 AS b\nRUN yarn install\nFROM b\n"),
            [2]
        );
    }

    /// hadolint's DL3059: only RUNs of one command each, of the same
    /// flags, with nothing but comments between them.
    #[test]
    fn consecutive_runs_as_hadolint() {
        let f = |src: &str| found_by("DL3059", &format!("FROM a:1\n{src}"));
        assert_eq!(f("RUN a\nRUN b\nRUN c\n"), [3, 4]);
        assert_eq!(f("RUN a\n# why\nRUN b\n"), [4]);
        assert!(f("RUN a && b\nRUN c\n").is_empty());
        assert!(f("RUN a\nRUN set -eux; b\n").is_empty());
        assert!(f("RUN a | b\nRUN c\n").is_empty());
        assert!(f("RUN a\nEXPOSE 1\nRUN b\n").is_empty());
        assert!(f("RUN --mount=type=cache,target=/x a\nRUN b\n").is_empty());
        assert_eq!(
            f("RUN --mount=type=cache,target=/x a\nRUN --mount=type=cache,target=/x b\n"),
            [3]
        );
        assert_eq!(f("RUN [\"a\"]\nRUN [\"b\"]\n"), [3]);
        assert_eq!(
            f("RUN --mount=type=cache,target=/x,id=1 a\nRUN --mount=id=1,type=cache,target=/x b\n"),
            [3]
        );
    }

    /// DL3009 follows the lists: an update without their removal, in a
    /// stage the final image is built on.
    #[test]
    fn apt_lists_in_the_final_image() {
        let f = |src: &str| found_by("DL3009", src);
        assert_eq!(f("FROM a:1\nRUN apt-get update\n"), [2]);
        assert_eq!(
            f("FROM a:1\nRUN sudo apt update && sudo apt install x\n"),
            [2]
        );
        assert!(f("FROM a:1\nRUN apt-get install -y x\n").is_empty());
        assert!(
            f("FROM a:1\nRUN apt-get update; apt-get install -y x; apt-get dist-clean\n")
                .is_empty()
        );
        assert!(f("FROM a:1\nRUN apt-get update && rm -rf /var/lib/apt/lists\n").is_empty());
        assert!(
            f("FROM a:1\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update\n")
                .is_empty()
        );
        // built on: kept; only copied from: left behind
        assert_eq!(f("FROM a:1 AS b\nRUN apt-get update\nFROM b\n"), [2]);
        // the base of a dev target that runs something ships too
        assert_eq!(
            f("FROM a:1 AS base\nRUN apt-get update\nFROM base AS dev\nCMD [\"sh\"]\nFROM c:1\n"),
            [2]
        );
        assert!(f("FROM a:1 AS b\nRUN apt-get update\nFROM c:1\nCOPY --from=b / /\n").is_empty());
        assert!(
            f("FROM a:1 AS b\nRUN apt-get update\nFROM b AS c\nFROM d:1\nCOPY --from=c / /\n")
                .is_empty()
        );
        assert_eq!(f("FROM a:1\nONBUILD RUN apt-get update\n"), [2]);
    }

    #[test]
    fn package_managers_in_their_spellings() {
        assert_eq!(found_by("DL3042", "FROM a:1\nRUN pip2 install x==1\n"), [2]);
        assert_eq!(
            found_by("DL3042", "FROM a:1\nRUN python3 -m pip install x==1\n"),
            [2]
        );
        assert!(found_by(
            "DL3042",
            "FROM a:1\nRUN PIP_NO_CACHE_DIR=1 pip install x==1\n"
        )
        .is_empty());
        assert!(found_by("DL3042", "FROM a:1\nRUN pipx install x==1\n").is_empty());
        // a builder whose site-packages alone are copied keeps its cache
        let builder = "FROM python:3 AS builder\nRUN pip install -r r.txt\nFROM python:3-slim\nCOPY --from=builder /usr/local/lib/python3.14/ /usr/local/lib/python3.14/\n";
        assert!(found_by("DL3042", builder).is_empty());
        assert_eq!(
            found_by(
                "DL3042",
                "FROM python:3 AS base\nRUN pip install -r r.txt\nFROM base\n"
            ),
            [2]
        );
        assert_eq!(
            found_by("DL3013", "FROM a:1\nRUN pipx install poetry\n"),
            [2]
        );
        assert_eq!(
            found_by(
                "DL3016",
                "FROM a:1\nRUN npm install git+https://h/u/r.git\n"
            ),
            [2]
        );
        assert!(found_by(
            "DL3016",
            "FROM a:1\nRUN npm install git+https://h/u/r.git#v1 x.tgz ./lib\n"
        )
        .is_empty());
        assert_eq!(
            found_by("DL3016", "FROM a:1\nONBUILD RUN npm install x\n"),
            [2]
        );
        assert_eq!(
            found_by("DL3008", "FROM a:1\nRUN sudo apt-get install -y curl\n"),
            [2]
        );
    }

    #[test]
    fn apt_under_sudo_and_yarn_installs() {
        assert_eq!(
            found_by("DL3027", "FROM a:1\nRUN sudo apt install -y curl\n"),
            [2]
        );
        // `yarn install <pkg>` fills the cache like any install
        let yarn = |run: &str| found_by("DL3060", &format!("FROM node:22 AS b\n{run}\nFROM b\n"));
        assert_eq!(yarn("RUN yarn install left-pad"), [2]);
        assert_eq!(yarn("RUN yarn"), [2]);
        assert!(yarn("RUN yarn --version").is_empty());
    }
}
