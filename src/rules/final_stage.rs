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
use crate::analysis::paths::absolute;
use crate::diagnostic_types::{Edit, Fix, Severity};

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

/// Whether the package.json a stage copies from the build context (on
/// disk) declares devDependencies; `None` when it cannot be read.
fn declares_dev_dependencies(ctx: &Ctx, stage: usize) -> Option<bool> {
    let dir = &ctx.context.build_context.as_ref()?.dir;
    let facts = ctx.facts();
    let lineage: Vec<usize> = ctx.analysis.stages.lineage(stage).collect();
    let path = facts
        .copies()
        .filter(|c| lineage.contains(&c.stage) && c.from.is_none() && !c.heredoc)
        .flat_map(|c| c.sources().iter())
        .find_map(|src| {
            let s = src.trim_start_matches("./").trim_start_matches('/');
            if s.contains("..") || s.contains('$') {
                return None;
            }
            let (folder, file) = s.rsplit_once('/').unwrap_or(("", s));
            if file == "package.json"
                || (file.starts_with("package") && file.ends_with(".json") && file.contains('*'))
            {
                Some(dir.join(folder).join("package.json"))
            } else if s.is_empty() || s == "*" {
                Some(dir.join("package.json"))
            } else {
                None
            }
        })?;
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(
        json.get("devDependencies")
            .and_then(|d| d.as_object())
            .is_some_and(|d| !d.is_empty()),
    )
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
    // An image that runs nothing of its own (no CMD, ENTRYPOINT or
    // EXPOSE in its stages) is a tool or base image, whose development
    // packages are what it is for (a code generator's).
    let graph = &ctx.analysis.stages;
    let runs = graph.lineage(last).any(|s| {
        facts.instructions(s).iter().any(|n| {
            matches!(
                n.kind(),
                "cmd_instruction" | "entrypoint_instruction" | "expose_instruction"
            )
        })
    });
    if !runs {
        return;
    }
    // A package.json without devDependencies has none to install.
    if declares_dev_dependencies(ctx, last) == Some(false) {
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

/// Files whose names have no extension (`Caddyfile`, `Makefile`): copied
/// alone, they are not a project folder.
fn is_dotless_file_name(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "Caddyfile",
        "Makefile",
        "GNUmakefile",
        "Dockerfile",
        "Containerfile",
        "Gemfile",
        "Procfile",
        "Rakefile",
        "Pipfile",
        "Brewfile",
        "Justfile",
        "justfile",
        "Vagrantfile",
        "Jenkinsfile",
        "Earthfile",
        "Tiltfile",
        "LICENSE",
        "NOTICE",
        "README",
        "VERSION",
        "CODEOWNERS",
    ];
    NAMES.contains(&name)
        || name.ends_with("file") && name.starts_with(|c: char| c.is_ascii_uppercase())
}

/// The directories a stage's lineage copied build-context files into
/// (the working directory for a relative destination).
fn project_dirs(ctx: &Ctx, stage: usize) -> Vec<String> {
    let facts = ctx.facts();
    let mut lineage: Vec<usize> = ctx.analysis.stages.lineage(stage).collect();
    lineage.reverse();
    let mut workdir = "/".to_string();
    let mut out = Vec::new();
    for s in lineage {
        // A stage that copies nothing from the build context only moves
        // the working directory: its summary says where.
        if let Some(summary) = ctx.analysis.summary(s).filter(|x| !x.context_copies) {
            for v in &summary.workdirs {
                workdir = absolute(&workdir, v.trim_matches('"'));
            }
            continue;
        }
        for node in facts.instructions(s) {
            match node.kind() {
                "workdir_instruction" => {
                    if let Some(v) = node.child_by_field_name("value") {
                        let v = ctx.text(v);
                        let v = v.trim_matches('"');
                        workdir = absolute(&workdir, v);
                    }
                }
                "copy_instruction" | "add_instruction" => {
                    let Some(copy) = facts.copies_in(s).find(|c| c.node == *node) else {
                        continue;
                    };
                    if copy.from.is_some() || copy.heredoc {
                        continue;
                    }
                    let Some(dest) = copy.dest() else { continue };
                    // a folder copied (`.`, `src/`, `app`) lands at the
                    // destination; a file (`bootstrap/app.php`) in its folder
                    let folder_copied = copy.sources().iter().any(|src| {
                        let last = src.trim_end_matches('/').rsplit('/').next().unwrap_or("");
                        if src.ends_with('/') || last.is_empty() || last == "." {
                            return true;
                        }
                        // a file of the build context, when it is known
                        // (`COPY web/Caddyfile /etc/caddy/Caddyfile`)
                        let plain = src.trim_start_matches("./");
                        if let Some(build) = ctx
                            .context
                            .build_context
                            .as_ref()
                            .filter(|b| !b.dir.as_os_str().is_empty())
                        {
                            let path = build.dir.join(plain);
                            if !plain.contains('$') && !plain.contains("..") && path.exists() {
                                return path.is_dir();
                            }
                        }
                        !last.contains('.') && !is_dotless_file_name(last)
                    });
                    // files copied to the working directory make it a project
                    // (`COPY package.json ./`); a file put into a subfolder does not
                    let into_workdir = matches!(dest, "." | "./");
                    if !folder_copied && !into_workdir {
                        continue;
                    }
                    let dir = absolute(&workdir, dest);
                    if !out.contains(&dir) {
                        out.push(dir);
                    }
                }
                _ => {}
            }
        }
    }
    out
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
        // Where the source stage (or those it builds on) copied files of
        // the build context: its project, sources and all. A folder a RUN
        // made (`pnpm deploy /dist/app`) is output.
        let projects = project_dirs(ctx, source);
        for src in copy.sources() {
            let s = src.trim_end_matches('/');
            // the project or a folder above it
            let s = absolute("/", s);
            let whole = s == "/"
                || projects
                    .iter()
                    .any(|p| *p == s || p.starts_with(&format!("{s}/")));
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

/// The words of a CMD/ENTRYPOINT: its exec-form strings, or its shell
/// text split on blanks.
fn command_words(ctx: &Ctx, node: tree_sitter::Node) -> Vec<String> {
    if let Some(exec) = node.child_by_field_name("exec") {
        let args = super::facts::json_args(ctx, exec);
        // `["sh", "-c", "script"]`: the script's words
        if let [sh, c, script, ..] = args.as_slice() {
            if sh.ends_with("sh") && c == "-c" {
                return script.split_whitespace().map(String::from).collect();
            }
        }
        return args;
    }
    node.child_by_field_name("shell")
        .map(|s| crate::syntax::logical_text(s, ctx.source))
        .unwrap_or_default()
        .split_whitespace()
        .map(String::from)
        .collect()
}

fn program(word: &str) -> &str {
    word.rsplit(['/', '\\']).next().unwrap_or(word)
}

/// A command that opens a shell or interpreter prompt (`python3`, `php -a`,
/// `node`, `bash`): the image is a base or toolbox, not a service.
fn is_interactive(words: &[String]) -> bool {
    let Some(first) = words.first() else {
        return false;
    };
    let name = program(first).trim_end_matches(".exe").to_ascii_lowercase();
    let prompt = matches!(
        name.as_str(),
        "sh" | "bash"
            | "ash"
            | "dash"
            | "zsh"
            | "fish"
            | "python"
            | "python2"
            | "python3"
            | "pypy"
            | "pypy3"
            | "php"
            | "node"
            | "irb"
            | "jshell"
            | "ghci"
            | "iex"
            | "erl"
            | "pwsh"
            | "powershell"
            | "cmd"
            | "lua"
            | "julia"
            | "r"
    ) || (name.starts_with("python3.")
        && name[8..].chars().all(|c| c.is_ascii_digit()));
    prompt && words[1..].iter().all(|w| w.starts_with('-'))
}

/// An ENTRYPOINT that runs the CMD it is given: an init (tini,
/// dumb-init) or an entrypoint script (`docker-entrypoint.sh`).
fn is_wrapper(words: &[String]) -> bool {
    words.first().is_some_and(|w| {
        let name = program(w).to_ascii_lowercase();
        matches!(
            name.as_str(),
            "tini" | "tini-static" | "dumb-init" | "catatonit" | "init"
        ) || name.contains("entrypoint")
    })
}

/// Whether a command switches from root to an unprivileged user before
/// it runs the service (gosu, su-exec, setpriv, chroot --userspec, runuser,
/// s6-setuidgid...), or is a server that runs its workers as one (nginx,
/// php-fpm, Apache httpd).
pub fn drops_privileges(text: &str) -> bool {
    switches_user(text, true)
}

/// [`drops_privileges`] for a script's text: its comments are left out,
/// and so are servers it may name without running them (`nginx -t`).
fn script_drops_privileges(script: &str) -> bool {
    let code: String = script
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    switches_user(&code, false)
}

fn switches_user(text: &str, servers: bool) -> bool {
    let words: Vec<&str> = text
        .split(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '"' | '\'' | ',' | '[' | ']' | ';' | '&' | '|' | '(' | ')' | '`'
                )
        })
        .filter(|w| !w.is_empty())
        .collect();
    words.iter().enumerate().any(|(i, w)| {
        let rest = &words[i + 1..];
        let has = |flags: &[&str]| {
            rest.iter().take(8).any(|r| {
                flags
                    .iter()
                    .any(|f| r == f || r.starts_with(&format!("{f}=")))
            })
        };
        match program(w) {
            "gosu" | "su-exec" | "runuser" | "s6-setuidgid" | "s6-applyuidgid" | "setuidgid"
            | "envuidgid" | "chpst" => true,
            "nginx" | "php-fpm" | "apache2-foreground" | "httpd-foreground" | "httpd"
            | "apache2" | "apache2ctl" | "apachectl" => servers,
            p if p.starts_with("php-fpm") => servers,
            // IIS: ServiceMonitor runs w3svc, whose sites run as their
            // application pool's identity
            p if p.eq_ignore_ascii_case("ServiceMonitor.exe")
                || p.eq_ignore_ascii_case("ServiceMonitor") =>
            {
                servers
            }
            "setpriv" => has(&["--reuid", "--init-groups", "--regid"]),
            "chroot" => has(&["--userspec"]),
            "su" => has(&["-c", "-", "-l", "--login", "--command"]),
            "sudo" => has(&["-u", "--user"]),
            "start-stop-daemon" => has(&["--chuid", "-c", "--user"]),
            _ => false,
        }
    })
}

/// s6-overlay (`ENTRYPOINT ["/init"]`): whether a service script copied
/// from the build context into its service folders (`/etc/services.d`,
/// `/etc/s6-overlay/s6-rc.d`) runs its program as another user
/// (`s6-setuidgid app ...`).
fn s6_services_drop(ctx: &Ctx, last: usize) -> bool {
    let Some(dir) = ctx.context.build_context.as_ref().map(|b| &b.dir) else {
        return false;
    };
    let facts = ctx.facts();
    let lineage: Vec<usize> = ctx.analysis.stages.lineage(last).collect();
    let is_service_path = |p: &str| p.contains("services.d") || p.contains("s6-rc.d");
    let mut budget = 200usize;
    for copy in facts
        .copies()
        .filter(|c| lineage.contains(&c.stage) && c.from.is_none() && !c.heredoc)
    {
        let Some(dest) = copy.dest() else { continue };
        // into the service folders, or a root tree (`COPY rootfs/ /`)
        // whose files under them count
        let into_services = is_service_path(dest) || dest.contains("s6-overlay");
        if !into_services && !matches!(dest, "/" | "/etc" | "/etc/") {
            continue;
        }
        for src in copy.sources() {
            if src.contains("..") || src.contains(['$', '*']) {
                continue;
            }
            let rel = src.trim_start_matches("./").trim_start_matches('/');
            let found = any_file(&dir.join(rel), 6, &mut budget, &|path, text| {
                (into_services || is_service_path(&path.to_string_lossy()))
                    && script_drops_privileges(text)
            });
            if found {
                return true;
            }
        }
    }
    false
}

/// Whether a file, or one under a folder (to `depth` levels, at most
/// `budget` files in all), satisfies `test`.
fn any_file(
    path: &std::path::Path,
    depth: usize,
    budget: &mut usize,
    test: &dyn Fn(&std::path::Path, &str) -> bool,
) -> bool {
    if *budget == 0 {
        return false;
    }
    if path.is_file() {
        *budget -= 1;
        return std::fs::read_to_string(path).is_ok_and(|t| test(path, &t));
    }
    if depth == 0 || !path.is_dir() {
        return false;
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return false;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    paths
        .iter()
        .any(|p| !p.is_symlink() && any_file(p, depth - 1, budget, test))
}

/// The text of a script an ENTRYPOINT/CMD runs, when a COPY/ADD in the
/// stage's lineage put it there from the build context on disk.
fn script_text(ctx: &Ctx, last: usize, words: &[String]) -> Option<String> {
    let dir = &ctx.context.build_context.as_ref()?.dir;
    let facts = ctx.facts();
    let mut in_order: Vec<usize> = ctx.analysis.stages.lineage(last).collect();
    in_order.sort_unstable();
    for word in words.iter().take(3) {
        let name = program(word);
        if name.is_empty() || word.starts_with('-') {
            continue;
        }
        for copy in in_order.iter().flat_map(|&s| facts.copies_in(s)) {
            if copy.from.is_some() || copy.heredoc {
                continue;
            }
            let Some(dest) = copy.dest() else { continue };
            for src in copy.sources() {
                let base = program(src.trim_end_matches('/'));
                let lands = dest.trim_end_matches('/') == word.trim_end_matches('/')
                    || program(dest) == name
                    || (dest.ends_with('/') && base == name);
                if !lands || src.contains("..") || src.contains('$') || src.contains('*') {
                    continue;
                }
                let rel = src.trim_start_matches("./").trim_start_matches('/');
                if let Ok(text) = std::fs::read_to_string(dir.join(rel)) {
                    return Some(text);
                }
            }
        }
    }
    None
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
    let nearest = |kind: &str| {
        graph
            .lineage(last)
            .find_map(|s| facts.of_kind(s, kind).last().copied())
    };
    let entrypoint = nearest("entrypoint_instruction").map(|n| command_words(ctx, n));
    let cmd = nearest("cmd_instruction").map(|n| command_words(ctx, n));
    let base = super::facts::base_image(ctx, last);
    // An image that runs something: a base image for others may stay root,
    // and so may one whose default command is a shell or REPL prompt.
    let exposes = facts
        .instructions(last)
        .iter()
        .any(|n| n.kind() == "expose_instruction");
    let own_command = facts
        .instructions(last)
        .iter()
        .any(|n| matches!(n.kind(), "cmd_instruction" | "entrypoint_instruction"));
    let interactive = match (&entrypoint, &cmd) {
        (None, Some(c)) => is_interactive(c),
        // an entrypoint script or init that runs the CMD it is given
        (Some(e), Some(c)) if is_wrapper(e) => is_interactive(c),
        (Some(e), _) => is_interactive(e) && cmd.as_ref().is_none_or(|c| c.is_empty()),
        (None, None) => base.facts.as_ref().is_some_and(|f| f.interactive),
    };
    // An image with ONBUILD triggers is a base for other builds.
    let onbuild = graph
        .lineage(last)
        .any(|s| !facts.of_kind(s, "onbuild_instruction").is_empty());
    let runs_app = exposes || (own_command && !interactive);
    if !runs_app || onbuild {
        return;
    }
    let Some(reference) = base.reference.as_deref() else {
        return; // the base is unknown until build time
    };
    let lower = reference.to_ascii_lowercase();
    if lower == "scratch" || lower.contains("nonroot") {
        return;
    }
    if base.facts.as_ref().is_some_and(|f| !f.runs_as_root()) {
        return;
    }
    // The command that runs drops root itself (or the base's does, when
    // the file keeps it).
    let words: Vec<String> = entrypoint
        .iter()
        .chain(cmd.iter())
        .flatten()
        .cloned()
        .collect();
    if drops_privileges(&words.join(" "))
        || (entrypoint.is_none()
            && cmd.is_none()
            && base.facts.as_ref().is_some_and(|f| f.drops_privileges))
        || entrypoint
            .as_deref()
            .and_then(|e| script_text(ctx, last, e))
            .is_some_and(|t| script_drops_privileges(&t))
        || (entrypoint
            .as_deref()
            .and_then(|e| e.first())
            .is_some_and(|e| program(e) == "init")
            && s6_services_drop(ctx, last))
    {
        return;
    }
    let stage = &graph.stages[last];
    let default_user = base.facts.as_ref().map_or("root", |f| f.user);
    let message = if default_user.eq_ignore_ascii_case("ContainerAdministrator") {
        "the final stage sets no USER: the container runs as ContainerAdministrator; add `USER ContainerUser`".to_string()
    } else {
        "the final stage sets no USER: the container runs as root; add a non-root USER".to_string()
    };
    let mut finding = Finding::new(stage.from_range.clone(), message);
    if let Some(user) = base.facts.as_ref().and_then(|f| f.users.first()) {
        // before CMD/ENTRYPOINT, or at the end of the stage
        let instructions = facts.instructions(last);
        let anchor = instructions
            .iter()
            .find(|n| matches!(n.kind(), "cmd_instruction" | "entrypoint_instruction"));
        let edit = match anchor {
            Some(n) => {
                let line = ctx.source.line_start(n.start_byte());
                Edit::new(line..line, format!("USER {user}\n"))
            }
            None => {
                let end = instructions.last().map_or(0, |n| n.end_byte());
                Edit::new(end..end, format!("\nUSER {user}"))
            }
        };
        finding = finding.with_fix(Fix::new(format!("Add USER {user}"), vec![edit]));
    }
    out.push(finding);
}

fn check_healthcheck(ctx: &Ctx, out: &mut Vec<Finding>) {
    let facts = ctx.facts();
    let Some(last) = facts.final_stage() else {
        return;
    };
    let graph = &ctx.analysis.stages;
    // (The stages' summaries rule most of a long lineage out.)
    let has = |kind: &str| {
        graph.lineage(last).any(|s| {
            ctx.analysis.summary(s).is_none_or(|x| x.may_have(kind))
                && !facts.of_kind(s, kind).is_empty()
        })
    };
    if has("healthcheck_instruction") {
        return;
    }
    // A Compose file that builds this stage gives the service its healthcheck.
    let name = graph.stages[last].name.as_deref();
    let compose_checks = ctx.context.build_context.as_ref().is_some_and(|b| {
        b.compose.iter().any(|s| {
            s.healthcheck
                && s.target
                    .as_deref()
                    .is_none_or(|t| name.is_some_and(|n| n.eq_ignore_ascii_case(t)))
        })
    });
    if compose_checks {
        return;
    }
    let serves = has("expose_instruction");
    if serves {
        out.push(Finding::new(
            graph.stages[last].from_range.clone(),
            "the final stage exposes a port but has no HEALTHCHECK: Docker and Compose cannot tell a hung service from a healthy one (Kubernetes uses its own probes)",
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
        assert_eq!(
            found_by(code, "FROM node:22\nRUN npm ci\nCMD [\"node\", \"a.js\"]\n"),
            [2]
        );
        // a tool image (no command of its own): its dev packages are its point
        assert!(found_by(code, "FROM node:22\nRUN npm ci\n").is_empty());
        assert!(found_by(code, "FROM node:22\nRUN npm ci --omit=dev\n").is_empty());
        assert!(found_by(code, "FROM node:22\nENV NODE_ENV=production\nRUN npm ci\n").is_empty());
        assert!(found_by(code, "FROM node:22 AS build\nRUN npm ci\nFROM node:22\n").is_empty());
    }

    #[test]
    fn node_modules_and_whole_trees() {
        let src = "FROM node:22 AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci\nFROM node:22-slim\nCOPY --from=build /app/node_modules ./node_modules\nCOPY --from=build /app .\nCOPY --from=build /app/dist ./dist\n";
        assert_eq!(found_by("DevNodeModulesInFinalStage", src), [6]);
        assert_eq!(found_by("WholeTreeCopyIntoFinalStage", src), [7]);
        // a folder a RUN made is output, not the project
        let deploy = "FROM node:22 AS build\nWORKDIR /app\nCOPY . .\nRUN pnpm deploy /dist/app --prod\nFROM node:22-slim\nCOPY --from=build /dist/app /app\n";
        assert!(found_by("WholeTreeCopyIntoFinalStage", deploy).is_empty());
        // a single file (a Caddyfile) copied on is not a whole tree
        let caddy = "FROM node:22 AS build\nWORKDIR /app\nCOPY web/Caddyfile /etc/caddy/Caddyfile\nCOPY . .\nRUN npm ci && npm run build\nFROM caddy:2\nCOPY --from=build /etc/caddy/Caddyfile /etc/caddy/Caddyfile\nCOPY --from=build /app/dist /srv\n";
        assert!(found_by("WholeTreeCopyIntoFinalStage", caddy).is_empty());
        // a folder without a dot in its name still is
        let src_dir = "FROM node:22 AS build\nCOPY server /srv/server\nFROM node:22-slim\nCOPY --from=build /srv/server /srv/server\n";
        assert_eq!(found_by("WholeTreeCopyIntoFinalStage", src_dir), [4]);
    }

    #[test]
    fn root_healthcheck_and_cache() {
        assert_eq!(
            found_by(
                "FinalStageRunsAsRoot",
                "FROM node:22\nCMD [\"node\", \"server.js\"]\n"
            ),
            [1]
        );
        let root = |src: &str| found_by("FinalStageRunsAsRoot", src);
        // a REPL prompt: a base image, not a service
        assert!(root("FROM node:22\nCMD [\"node\"]\n").is_empty());
        assert!(root(
            "FROM debian\nENTRYPOINT [\"docker-php-entrypoint\"]\nCMD [\"php\", \"-a\"]\n"
        )
        .is_empty());
        // privileges dropped by the entrypoint
        assert!(root(
            "FROM debian\nEXPOSE 5432\nENTRYPOINT [\"gosu\", \"postgres\", \"postgres\"]\n"
        )
        .is_empty());
        assert!(root("FROM alpine\nCMD su-exec app /app\n").is_empty());
        assert!(root("FROM alpine\nCMD [\"setpriv\", \"--reuid=1000\", \"--regid=1000\", \"--init-groups\", \"/app\"]\n").is_empty());
        assert!(root("FROM alpine\nCMD chroot --userspec=app:app / /app\n").is_empty());
        // in a script, a comment or a server it names is no switch of user
        assert!(super::script_drops_privileges(
            "set -e\nexec gosu app \"$@\"\n"
        ));
        assert!(!super::script_drops_privileges(
            "# gosu is not used\nnginx -t\nexec \"$@\"\n"
        ));
        assert_eq!(root("FROM alpine\nCMD [\"setpriv\", \"--dump\"]\n"), [1]);
        // non-root bases, also through a global ARG
        assert!(root(
            "FROM mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled\nENTRYPOINT [\"./app\"]\n"
        )
        .is_empty());
        assert!(root("FROM nginxinc/nginx-unprivileged:1.27\nEXPOSE 8080\n").is_empty());
        assert!(root("FROM bitnami/node:20\nCMD [\"node\", \"a.js\"]\n").is_empty());
        assert!(
            root("ARG TAG=static:nonroot\nFROM gcr.io/distroless/${TAG}\nCMD [\"/app\"]\n")
                .is_empty()
        );
        assert_eq!(
            root("ARG V=20\nFROM node:${V}-alpine\nCMD [\"node\", \"a.js\"]\n"),
            [2]
        );
        // an unresolved base is unknown
        assert!(root("ARG IMAGE\nFROM ${IMAGE}\nCMD [\"/app\"]\n").is_empty());
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
