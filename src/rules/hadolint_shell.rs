//! hadolint's checks of the commands in RUN, under hadolint's codes (so
//! `# hadolint ignore=DL3008` keeps working). The commands are read with
//! tree-sitter-bash (`analysis::shell`), not matched as text.
//!
//! DL3003 `cd` in RUN: use WORKDIR. DL3004 no `sudo`. DL3008 pin apt-get
//! package versions. DL3009 delete the apt lists in the final stage's
//! RUN. DL3013 pin pip versions. DL3015 `--no-install-recommends`. DL3016
//! pin npm versions. DL3027 `apt` is for people: use apt-get. DL3042
//! `pip install --no-cache-dir`. DL3059 consecutive RUNs (information).
//! DL3060 `yarn cache clean` after `yarn install` (outside the final stage,
//! where PackageCacheInFinalStage reports it). DL4006 `set -o pipefail`
//! (or a SHELL with it) before a RUN that pipes.

use super::facts::{env_in_stage, Run};
use super::{packages, Ctx, Finding, Group, Rule};
use crate::analysis::shell::Command;
use crate::diagnostics::{Edit, Fix, Severity};

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

/// Each command of each RUN with the RUN it is in.
fn commands<'c, 't>(ctx: &'c Ctx<'t>) -> impl Iterator<Item = (&'c Run<'t>, &'c Command)> {
    ctx.facts()
        .runs
        .iter()
        .flat_map(|r| r.script.commands.iter().map(move |c| (r, c)))
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
    for (run, c) in commands(ctx) {
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
    for (run, c) in commands(ctx) {
        if c.name == "sudo" {
            report(out, run, "do not use sudo: RUN already runs as the current USER; switch with USER root if needed".into());
        }
    }
}

/// The packages an install names (operands after the subcommand).
fn packages_of(c: &Command) -> Vec<&str> {
    c.operands().skip(1).collect()
}

fn is_apt_install(c: &Command) -> bool {
    c.is("apt-get", "install")
}

fn check_apt_pin(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (run, c) in commands(ctx) {
        if !is_apt_install(c) {
            continue;
        }
        let unpinned: Vec<&str> = packages_of(c)
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

fn check_apt_lists(ctx: &Ctx, out: &mut Vec<Finding>) {
    let facts = ctx.facts();
    let Some(last) = facts.final_stage() else {
        return;
    };
    for run in facts.runs_in(last) {
        if run.cache_mount || !run.script.any(is_apt_install) {
            continue;
        }
        let cleaned = run
            .script
            .any(|c| c.name == "rm" && c.operands().any(|o| o.starts_with("/var/lib/apt/lists")));
        if !cleaned {
            report(
                out,
                run,
                "delete the apt-get lists in the same RUN: `&& rm -rf /var/lib/apt/lists/*`".into(),
            );
        }
    }
}

fn is_pip_install(c: &Command) -> bool {
    matches!(c.name.as_str(), "pip" | "pip3") && c.operands().next() == Some("install")
        || (c.name.starts_with("python")
            && c.args.len() >= 3
            && c.args[0] == "-m"
            && c.args[1].starts_with("pip")
            && c.args[2] == "install")
}

fn check_pip_pin(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (run, c) in commands(ctx) {
        if !is_pip_install(c) || c.has_flag(&["-r", "--requirement", "-c", "--constraint"]) {
            continue;
        }
        let pinned = |p: &str| {
            p.contains(['=', '<', '>', '@', '/'])
                || p == "."
                || p.ends_with(".whl")
                || p.ends_with(".tar.gz")
                || p.starts_with('$')
        };
        let unpinned: Vec<&str> = c
            .operands()
            .filter(|p| !matches!(*p, "install" | "pip" | "pip3"))
            .filter(|p| !pinned(p))
            .collect();
        report_unpinned(out, run, &unpinned, "pip install", "<package>==<version>");
    }
}

fn check_recommends(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (run, c) in commands(ctx) {
        if is_apt_install(c)
            && !c.has_flag(&["--no-install-recommends"])
            && !c
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

fn check_npm_pin(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (run, c) in commands(ctx) {
        if !(c.is("npm", "install") || c.is("npm", "i") || c.is("npm", "add")) {
            continue;
        }
        let unpinned: Vec<&str> = packages_of(c)
            .into_iter()
            .filter(|p| {
                let pinned = match p.strip_prefix('@') {
                    Some(scoped) => scoped.contains('@'),
                    None => p.contains(['@', ':', '/', '#']) || p.starts_with(['.', '$']),
                };
                !pinned
            })
            .collect();
        report_unpinned(out, run, &unpinned, "npm install", "<package>@<version>");
    }
}

fn check_apt(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (run, c) in commands(ctx) {
        if c.name == "apt" {
            report(
                out,
                run,
                "`apt` is meant for people and has no stable interface: use apt-get or apt-cache"
                    .into(),
            );
        }
    }
}

fn check_pip_cache(ctx: &Ctx, out: &mut Vec<Finding>) {
    for run in &ctx.facts().runs {
        if run.cache_mount || env_in_stage(ctx, run.stage, "PIP_NO_CACHE_DIR").is_some() {
            continue;
        }
        for c in run.script.commands.iter().filter(|c| is_pip_install(c)) {
            if c.has_flag(&["--no-cache-dir"]) {
                continue;
            }
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
            break;
        }
    }
}

fn check_consecutive(ctx: &Ctx, out: &mut Vec<Finding>) {
    for stage in &ctx.facts().stages {
        for pair in stage.windows(2) {
            let plain = |n: &tree_sitter::Node| {
                n.kind() == "run_instruction"
                    && crate::syntax::views::flags(*n, ctx.source).is_empty()
            };
            if plain(&pair[0]) && plain(&pair[1]) {
                out.push(Finding::new(
                    pair[1].byte_range(),
                    "consecutive RUN instructions: consider joining them with && to make fewer layers",
                ));
            }
        }
    }
}

fn check_yarn_cache(ctx: &Ctx, out: &mut Vec<Finding>) {
    let facts = ctx.facts();
    let last = facts.final_stage();
    for run in facts
        .runs
        .iter()
        .filter(|r| Some(r.stage) != last && !r.cache_mount)
    {
        let installs = run
            .script
            .any(|c| c.name == "yarn" && packages::is_node_install(c));
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
    for run in &facts.runs {
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
}
