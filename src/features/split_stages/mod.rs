//! "Split into deps, build and runner stages": rewrites a single-stage
//! Node.js Dockerfile that installs dependencies and builds into
//!
//! - `deps`: the manifest and lockfile, and the frozen-lockfile install,
//!   cached on the lockfile alone;
//! - `build`: the installed `node_modules`, the sources, the user's build
//!   steps;
//! - `runner`: the same base, `NODE_ENV=production`, production
//!   dependencies with the cache cleaned, the build output copied by path,
//!   a non-root USER, and the user's runtime instructions in order.
//!
//! Go gets a deps stage (`go mod download`, cached on go.mod and go.sum),
//! a build stage on top of it, and a distroless runner with only the
//! binary `go build -o` wrote (a Debian slim runner when a command needs a
//! shell).
//!
//! Python (`pip install -r <requirements>`) gets a deps stage that builds
//! a virtualenv in /opt/venv (cached on the requirements file) and a
//! runner that copies it; there is no separate build stage.
//!
//! Rust (`cargo build`, with the CMD/ENTRYPOINT naming the
//! `target/release/` binary) gets a deps stage that fetches the crates
//! cached on Cargo.toml and Cargo.lock, a build stage on it, and a Debian
//! slim runner with the binary at the same path.
//!
//! Python keeps a virtualenv the Dockerfile makes where it is (made once,
//! in deps); Rust's binary may also be the file a RUN copies it to.
//!
//! Nothing the user wrote disappears: every instruction and comment is kept
//! in the stage it belongs to, in the original's order, and the steps the
//! deps stage replaces (the manifest COPYs and the install RUN) stay as
//! comments saying so. When a rewrite cannot be shown to keep the build
//! working, [`split_in`] returns [`NotOffered`] with the reason; where only
//! a person can decide, the reason is a comment in the new Dockerfile.
//! How it decides: `docs/design/stages.md (part 2)`.

use std::collections::BTreeMap;

use tree_sitter::{Node, Tree};

use crate::analysis::commands::{self, Action, Ecosystem, Tool};
use crate::analysis::context::ContextFiles;
use crate::analysis::context::MemFiles;
use crate::analysis::project::next::{self, standalone_edit};
use crate::analysis::project::{BuildOutput, Project, StartKind};
use crate::analysis::shell::{Command, Script};
use crate::diagnostics::BuildContext;
use crate::syntax::{self, logical_text, views, Source};

mod facts;
mod generic;
mod node;
#[cfg(test)]
mod tests;

use facts::*;
pub use generic::GENERIC_TITLE;
use generic::*;
use node::*;

/// The rewrite: the new text of the whole document, and the change the
/// project's Next.js config needs for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    pub title: String,
    pub text: String,
    pub config: Option<ConfigChange>,
}

/// Why the split is not offered on a file, in words for people (tests,
/// snapshots and the docs list these).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotOffered {
    pub reason: String,
}

impl NotOffered {
    fn new(reason: impl Into<String>) -> NotOffered {
        NotOffered {
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for NotOffered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

/// What the split may learn from around the Dockerfile.
#[derive(Clone, Copy, Default)]
pub struct Inputs<'a> {
    /// The Dockerfile's folder (the Next.js config is edited through it).
    pub build: Option<&'a BuildContext>,
    /// The build context's files (`package.json`, lockfiles, framework
    /// configs); `None` with `build` set reads `build.files()`.
    pub files: Option<&'a dyn ContextFiles>,
    /// Whether the editor may create a file (a new next.config.mjs).
    pub can_create_files: bool,
}

/// An insertion into (or the creation of) a file of the build context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigChange {
    /// The file's name in the build context directory.
    pub file: String,
    /// Whether the file does not exist yet (`insert` is its whole text).
    pub create: bool,
    /// Byte offset of the insertion in the file's current text.
    pub offset: usize,
    pub insert: String,
}

pub const TITLE: &str = "Split into deps, build and runner stages";
/// The title of a split with no build stage (Python: the virtualenv in
/// deps, the sources in the runner).
pub const DEPS_TITLE: &str = "Split into deps and runner stages";

/// The toolchain a Dockerfile builds with.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Stack {
    Node(Manager),
    /// Go, with the path `go build -o` writes the binary to.
    Go(String),
    /// Python installing a requirements file: a virtualenv stage and a
    /// runner that copies it (no separate build stage).
    Python(String),
    /// Rust, with the path of the binary the CMD/ENTRYPOINT runs.
    Rust(String),
}

const VENV_PATH: &str = "ENV PATH=\"/opt/venv/bin:$PATH\"\n";

fn two_stage_stack(stack: &Stack) -> bool {
    matches!(stack, Stack::Python(_))
}

/// The first WORKDIR's path without a trailing `/` (`/app` without one).
fn first_workdir_value(items: &[Item], source: &dyn Source) -> String {
    items
        .iter()
        .find(|i| i.node.kind() == "workdir_instruction")
        .and_then(|i| i.node.child_by_field_name("value"))
        .map(|v| logical_text(v, source))
        .unwrap_or_else(|| "/app".to_string())
        .trim_end_matches('/')
        .to_string()
}

/// Where an instruction goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// Replaced by the deps stage (kept as a comment in build).
    Replaced,
    /// An ARG, ENV or system set-up before the dependency install: at the
    /// top of every stage that needs it (see `Early`).
    Early,
    Build,
    Runner,
    Both,
    /// Done in deps only (the user's virtualenv), a comment in the runner.
    Deps,
}

/// One instruction of the original stage with the comments right above it.
struct Item<'t> {
    comments: Vec<Node<'t>>,
    node: Node<'t>,
}

/// What every stage of the rewrite is made from: the text before the
/// FROM, and the FROM's keyword, flags and image.
struct Frame {
    prefix: String,
    keyword: String,
    flags: String,
    image: String,
    /// The stage builds for the target platform on the build machine's
    /// (`FROM --platform=$BUILDPLATFORM`, a RUN using `$TARGETARCH`): the
    /// runner is the target's image, not the build machine's.
    cross: bool,
}

impl Frame {
    fn of(stage: Node, from: Node, source: &dyn Source) -> Frame {
        let text = |n: Node| source.text(n.byte_range()).into_owned();
        let mut flags = String::new();
        let mut on_build_platform = false;
        for f in views::flags(from, source) {
            let t = text(f.node);
            if matches!(
                t.as_str(),
                "--platform=$BUILDPLATFORM" | "--platform=${BUILDPLATFORM}"
            ) {
                on_build_platform = true;
            }
            flags.push_str(&t);
            flags.push(' ');
        }
        let body = text(stage);
        let for_target = ["TARGETARCH", "TARGETPLATFORM", "TARGETOS", "TARGETVARIANT"]
            .iter()
            .any(|v| body.contains(&format!("${v}")) || body.contains(&format!("${{{v}")));
        Frame {
            cross: on_build_platform && for_target,
            // directives, global ARGs, comments
            prefix: source.text(0..stage.start_byte()).into_owned(),
            keyword: from.child(0).map(text).unwrap_or_else(|| "FROM".into()),
            flags,
            image: views::from_instruction(from)
                .image
                .map(text)
                .unwrap_or_default(),
        }
    }

    /// The original FROM (flags, image and tag) naming a new stage.
    fn stage_line(&self, name: &str) -> String {
        self.line_on(&self.image, name)
    }

    /// A FROM with the original's flags on another image; the runner of a
    /// cross-compiling build is on the target's platform.
    fn line_on(&self, image: &str, name: &str) -> String {
        if name == "runner" && self.cross {
            let flags: String = self
                .flags
                .split_inclusive(' ')
                .filter(|f| {
                    !matches!(
                        f.trim(),
                        "--platform=$BUILDPLATFORM" | "--platform=${BUILDPLATFORM}"
                    )
                })
                .collect();
            return format!(
                "# the build cross-compiles for $TARGETARCH on the build machine's platform: the runner is the target's image\n{} {flags}{image} AS {name}\n",
                self.keyword
            );
        }
        format!("{} {}{image} AS {name}\n", self.keyword, self.flags)
    }

    /// The non-root user for a runner on this image: `node` on the
    /// official Node images, else an unprivileged uid.
    fn user(&self) -> &'static str {
        let image = self.image.rsplit('/').next().unwrap_or(&self.image);
        let image = image.to_ascii_lowercase();
        if image == "node" || image.starts_with("node:") || image.starts_with("node@") {
            "node"
        } else {
            "65532"
        }
    }
}

/// Writes an instruction with the comments above it.
fn push_item(out: &mut String, item: &Item, source: &dyn Source) {
    for c in &item.comments {
        out.push_str(&source.text(c.byte_range()));
        out.push('\n');
    }
    out.push_str(&source.text(item.node.byte_range()));
    out.push('\n');
}

/// `build`: the files around the Dockerfile, when it is saved in a folder
/// (a Next.js project is recognised and configured through it).
pub fn split(
    tree: &Tree,
    source: &dyn Source,
    build: Option<&BuildContext>,
) -> Result<Split, NotOffered> {
    split_with(tree, source, build, true)
}

/// [`split`] for an editor that may not create files (`can_create_files`
/// false): a Next.js project without a config then ships all of `.next`.
pub fn split_with(
    tree: &Tree,
    source: &dyn Source,
    build: Option<&BuildContext>,
    can_create_files: bool,
) -> Result<Split, NotOffered> {
    split_in(
        tree,
        source,
        &Inputs {
            build,
            files: None,
            can_create_files,
        },
    )
}

/// The split with everything it may read around the Dockerfile. With the
/// build context's files known, a rewrite the static check
/// (`features::split_check`) finds a new problem in is not offered: the
/// problem is the reason.
pub fn split_in(tree: &Tree, source: &dyn Source, inputs: &Inputs) -> Result<Split, NotOffered> {
    let mut split = split_unchecked(tree, source, inputs)?;
    split.text = one_copy_each(&split.text);
    let dir_files;
    let files: Option<&dyn ContextFiles> = match (inputs.files, inputs.build) {
        (Some(files), _) => Some(files),
        (None, Some(build)) if !build.dir.as_os_str().is_empty() => {
            dir_files = build.files();
            Some(&dir_files)
        }
        _ => None,
    };
    if let Some(files) = files {
        let original = source.text(tree.root_node().byte_range()).into_owned();
        let before: Vec<String> = crate::features::split_check::check(&original, files)
            .into_iter()
            .map(|p| p.message)
            .collect();
        let added = crate::features::split_check::check(&split.text, files)
            .into_iter()
            .find(|p| !before.contains(&p.message));
        if let Some(problem) = added {
            return Err(NotOffered::new(format!(
                "the rewrite would not hold in this build context: {}",
                problem.message
            )));
        }
    }
    Ok(split)
}

fn split_unchecked(tree: &Tree, source: &dyn Source, inputs: &Inputs) -> Result<Split, NotOffered> {
    let dir_files;
    let files: Option<&dyn ContextFiles> = match (inputs.files, inputs.build) {
        (Some(files), _) => Some(files),
        // a build context with a folder (tests make some without one)
        (None, Some(build)) if !build.dir.as_os_str().is_empty() => {
            dir_files = build.files();
            Some(&dir_files)
        }
        (None, Some(_)) => None,
        (None, None) => None,
    };
    if tree.root_node().has_error() {
        return Err(NotOffered::new("the Dockerfile has syntax errors"));
    }
    let stages = views::stages(tree);
    let [(stage, from)] = stages.as_slice() else {
        return Err(NotOffered::new(if stages.is_empty() {
            "the Dockerfile has no stage"
        } else {
            "the Dockerfile already has several stages"
        }));
    };
    let text = |n: Node| source.text(n.byte_range()).into_owned();
    let image = views::from_instruction(*from)
        .image
        .map(text)
        .unwrap_or_default()
        .to_ascii_lowercase();
    if image == "scratch" {
        return Err(NotOffered::new(
            "the image is FROM scratch: nothing to split",
        ));
    }
    if [
        "nanoserver",
        "windowsservercore",
        "servercore",
        "windows/server",
    ]
    .iter()
    .any(|w| image.contains(w))
    {
        return Err(NotOffered::new(
            "a Windows image: the split writes Linux stages (a numeric non-root USER, shell commands)",
        ));
    }

    // The stage's lines: each instruction with the comments above it.
    let mut items: Vec<Item> = Vec::new();
    let mut pending: Vec<Node> = Vec::new();
    let mut cursor = stage.walk();
    for node in stage.named_children(&mut cursor) {
        if node.id() == from.id() {
            continue;
        }
        if node.kind() == "comment" {
            pending.push(node);
        } else if syntax::is_instruction_kind(node.kind()) {
            items.push(Item {
                comments: std::mem::take(&mut pending),
                node,
            });
        }
    }
    let trailing_comments = pending;
    if !items
        .iter()
        .any(|i| matches!(i.node.kind(), "cmd_instruction" | "entrypoint_instruction"))
    {
        // what runs is the base image's own command (nginx, caddy,
        // kafka): unknown here
        const SERVERS: &[&str] = &[
            "nginx",
            "caddy",
            "httpd",
            "traefik",
            "haproxy",
            "kafka",
            "opensearch",
            "elasticsearch",
            "postgres",
            "mysql",
            "redis",
            "envoy",
        ];
        let base = image
            .rsplit('/')
            .next()
            .unwrap_or(&image)
            .split([':', '@'])
            .next()
            .unwrap_or_default()
            .to_string();
        let server = SERVERS
            .iter()
            .any(|s| base == *s || base.starts_with(&format!("{s}-")));
        return Err(NotOffered::new(if server {
            format!(
                "the image has no CMD or ENTRYPOINT of its own: it runs what its base image ({base}) starts, which the split cannot read to know what a runner must hold"
            )
        } else {
            "the image starts no command of its own (no CMD or ENTRYPOINT): it is a tool or artifact image, not an app a runner could be shown to start".to_string()
        }));
    }
    // `ENTRYPOINT ["/app.apk"]`: a package to take out of the image, not
    // a program (an artifact export)
    if let Some(start) = items
        .iter()
        .rev()
        .find(|i| matches!(i.node.kind(), "cmd_instruction" | "entrypoint_instruction"))
    {
        let words = command_words(&text(start.node));
        if let Some(program) = words.first() {
            let lower = program.to_ascii_lowercase();
            const PACKAGES: &[&str] = &[
                ".apk", ".aab", ".ipa", ".zip", ".tar", ".tar.gz", ".tgz", ".nupkg", ".whl",
                ".deb", ".rpm", ".msi", ".dmg",
            ];
            if PACKAGES.iter().any(|e| lower.ends_with(e)) {
                return Err(NotOffered::new(format!(
                    "the start command names a package file (`{program}`), not a program: the image exports a build artifact, it runs nothing a runner could start"
                )));
            }
        }
    }
    // a port below 1024: the original ran as root to bind it
    let root_port = low_port(&items, source);

    // The WORKDIR in effect at each item, and the ENV/ARG values known.
    // global ARG defaults (before the FROM) are what `ARG NAME` takes up
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    for line in source.text(0..stage.start_byte()).lines() {
        let line = line.trim();
        let Some(rest) = line
            .strip_prefix("ARG ")
            .or_else(|| line.strip_prefix("arg "))
        else {
            continue;
        };
        for w in rest.split_whitespace() {
            if let Some((name, value)) = w.split_once('=') {
                let value = value.trim_matches('"').trim_matches('\'');
                vars.insert(name.to_string(), value.to_string());
            }
        }
    }
    let mut dir = "/".to_string();
    let mut dirs = Vec::new();
    let mut vars_at = Vec::new();
    for item in &items {
        match item.node.kind() {
            "workdir_instruction" => {
                if let Some(v) = item.node.child_by_field_name("value") {
                    let written = logical_text(v, source);
                    let value = expand(&written, &vars).unwrap_or(written);
                    dir = absolute(&dir, &value);
                }
            }
            "env_instruction" | "arg_instruction" => {
                for (name, value) in assignments(item.node, source) {
                    let value = expand(&value, &vars).unwrap_or(value);
                    vars.insert(name, value);
                }
            }
            _ => {}
        }
        dirs.push(dir.clone());
        vars_at.push(vars.clone());
    }
    // A path as the item at `i` reads it: variables expanded, absolute.
    let resolve = |i: usize, path: &str| -> Option<String> {
        let path = expand(path, &vars_at[i])?;
        let path = absolute(&dirs[i], &path);
        (!path.contains('$')).then_some(path)
    };

    // What the stage does.
    let mut manager = None;
    let mut go = None;
    let mut go_relative_unknown = false;
    let mut go_default: Option<(usize, String)> = None;
    let mut python = None;
    // `pip install --require-hashes`: the deps stage checks them too
    let mut require_hashes = false;
    // how the install ran pip (`pip3`, `python -m pip`)
    let mut pip_program = "pip".to_string();
    let mut cargo = false;
    let mut cargo_locked = false;
    let mut install = None;
    let mut builds = false;
    // The build commands, as words (`npm run build`, `node build.js`).
    let mut build_steps: Vec<String> = Vec::new();
    // the item of each build step (its WORKDIR)
    let mut build_at: Vec<usize> = Vec::new();
    let mut output_hint = String::new();
    // The user's own virtualenv: the item that makes it and its folder.
    let mut venv: Option<(usize, String)> = None;
    // The script of each RUN (shell or exec form), read once.
    let scripts: Vec<Option<Script>> = items
        .iter()
        .map(|item| {
            if item.node.kind() != "run_instruction" {
                return None;
            }
            if let Some(shell) = item.node.child_by_field_name("shell") {
                return Some(Script::parse(&logical_text(shell, source)));
            }
            let body = text(item.node);
            let at = body.find('[')?;
            exec_script(&body[at..])
        })
        .collect();
    for (i, item) in items.iter().enumerate() {
        match item.node.kind() {
            "run_instruction" => {
                let Some(script) = &scripts[i] else {
                    continue;
                };
                for c in &script.commands {
                    if let Some(m) = node_install(c).filter(|_| install.is_none()) {
                        install = Some(i);
                        manager = Some(m);
                    }
                    if crate::rules::packages::is_build(c)
                        || (manager.is_some() && is_node_script(c))
                    {
                        builds = true;
                        let mut words = vec![c.name.clone()];
                        words.extend(c.args.iter().cloned());
                        build_steps.push(words.join(" "));
                        build_at.push(i);
                    }
                    if go.is_none() {
                        if let Some(out) = go_output(c) {
                            match resolve(i, out) {
                                Some(path) => go = Some(path),
                                None => go_relative_unknown = true,
                            }
                        } else if go_default.is_none() {
                            // `go build ./cmd/server`: the binary is named
                            // after the package, in the WORKDIR
                            go_default = go_package(c).map(|p| (i, p));
                        }
                    }
                    if is_go_download(c) && install.is_none() {
                        install = Some(i);
                    }
                    if commands::invocation(c)
                        .is_some_and(|i| i.tool == Tool::Cargo && i.action == Action::Build)
                    {
                        cargo = true;
                        cargo_locked |= c.has_flag(&["--locked", "--frozen"]);
                    }
                    if venv.is_none() && python.is_none() {
                        if let Some(d) = venv_dir(c).and_then(|d| resolve(i, d)) {
                            venv = Some((i, d));
                        }
                    }
                    if let Some(file) = pip_requirements(c) {
                        if python.is_none() {
                            python = Some(file);
                            require_hashes = commands::invocation(c)
                                .is_some_and(|i| i.has_flag(&["--require-hashes"]));
                            pip_program = commands::invocation(c).map_or_else(
                                || "pip".to_string(),
                                |i| {
                                    let base = i.program.rsplit('/').next().unwrap_or(i.program);
                                    if base.starts_with("python") {
                                        format!("{} -m pip", i.program)
                                    } else {
                                        i.program.to_string()
                                    }
                                },
                            );
                            install = install.or(Some(i));
                        }
                    }
                }
            }
            "cmd_instruction" | "entrypoint_instruction" => output_hint.push_str(&text(item.node)),
            _ => {}
        }
    }
    if python.is_none() {
        venv = None;
    }
    if go.is_none() {
        if let Some((i, package)) = &go_default {
            let module = files.and_then(|f| f.read("go.mod")).and_then(|t| {
                t.lines().find_map(|l| {
                    l.trim()
                        .strip_prefix("module ")
                        .map(|m| m.trim().to_string())
                })
            });
            let name = default_go_binary(package, module.as_deref());
            go = name.and_then(|n| resolve(*i, &n));
        }
    }
    let stack = match (manager, &go) {
        (Some(m), _) if install.is_some() && builds => Stack::Node(m),
        (Some(_), _) if install.is_some() => {
            return Err(NotOffered::new(
                "nothing is built after the Node install (no `npm run build`, `node build.js`, `tsc`...): a build stage would hold nothing the runner lacks",
            ))
        }
        (None, Some(binary)) => Stack::Go(binary.clone()),
        (None, None) if go_relative_unknown => {
            return Err(NotOffered::new(
                "`go build -o` names a path with a variable whose value is unknown",
            ))
        }
        (None, None) if python.is_some() => Stack::Python(python.clone().unwrap_or_default()),
        (None, None) if cargo => {
            let workdir = first_workdir_value(&items, source);
            let named = rust_binary(&output_hint, &workdir);
            // else the file the start program is, where a RUN put it
            // (`cp target/release/server /usr/local/bin/`, CMD ["server"])
            let placed = || {
                let at = items.iter().rposition(|i| {
                    matches!(i.node.kind(), "cmd_instruction" | "entrypoint_instruction")
                })?;
                let words = command_words(&text(items[at].node));
                let program = start_words_clean(&words).into_iter().next()?;
                let placed = placed_files(&items, &scripts, &dirs);
                if program.contains('/') {
                    let path = resolve(at, &program)?;
                    placed.contains(&path).then_some(path)
                } else {
                    placed.into_iter().find(|p| {
                        p.rsplit('/').next() == Some(program.as_str())
                            && ["/usr/local/bin/", "/usr/bin/", "/bin/"]
                                .iter()
                                .any(|d| p.starts_with(d))
                    })
                }
            };
            Stack::Rust(named.or_else(placed).ok_or_else(|| {
                NotOffered::new(
                    "the CMD/ENTRYPOINT does not name the `target/release/` binary the runner would copy, nor a file a RUN put the binary at",
                )
            })?)
        }
        (None, None) => {
            return generic(*stage, *from, &items, &scripts, &trailing_comments, source)
        }
        _ => {
            return Err(NotOffered::new(
                "the Node install is missing or comes with a Go build: the stage mixes toolchains",
            ))
        }
    };
    if let Stack::Python(_) = stack {
        let elsewhere = install.and_then(|i| scripts[i].as_ref()).and_then(|s| {
            s.commands.iter().find_map(|c| {
                let inv = commands::invocation(c)?;
                (inv.tool == Tool::Pip
                    && inv.has_flag(&["--prefix", "--target", "-t", "--root", "--user"]))
                .then(|| format!("{} {}", c.name, c.args.join(" ")))
            })
        });
        if let Some(command) = elsewhere {
            return Err(NotOffered::new(format!(
                "the install puts the packages in a folder of its own (`{command}`): the split's virtualenv would not be where the rest of the file looks"
            )));
        }
    }
    // Go's deps stage downloads modules even when the file did not.
    let install_at = install;
    let install = install.unwrap_or(usize::MAX);
    // The install RUN must do nothing but install (else it stays in build).
    let install_only = scripts
        .get(install)
        .and_then(Option::as_ref)
        .is_some_and(|script| {
            script.commands.iter().all(|c| match stack {
                Stack::Node(_) => node_install(c).is_some(),
                // `go mod download || true`: a download allowed to fail
                Stack::Go(_) => is_go_download(c) || c.name == "true",
                // a cache removed after the install (`&& rm -rf /root/.cache`)
                Stack::Python(_) if venv.is_some() => {
                    is_pip(c) || venv_dir(c).is_some() || c.name == "rm"
                }
                Stack::Python(_) => pip_requirements(c).is_some() || c.name == "rm",
                Stack::Rust(_) => false,
            })
        });
    let manifest_files: Vec<&str> = match &stack {
        Stack::Node(_) => MANIFESTS.to_vec(),
        Stack::Go(_) => vec!["go.mod", "go.sum"],
        Stack::Python(file) => vec![file.as_str(), "requirements.txt", "constraints.txt"],
        Stack::Rust(_) => vec!["Cargo.toml", "Cargo.lock"],
    };

    let first_workdir = items
        .iter()
        .position(|i| i.node.kind() == "workdir_instruction");
    // The first WORKDIR as BuildKit resolves it (`WORKDIR $APP_HOME`).
    let workdir = first_workdir
        .map(|i| dirs[i].clone())
        .filter(|d| !d.contains('$'))
        .unwrap_or_else(|| first_workdir_value(&items, source));
    let _ = items
        .iter()
        .position(|i| i.node.kind() == "workdir_instruction");

    // The sources a COPY names (all its paths but the destination).
    let copy_sources = |n: Node| -> Vec<String> {
        let mut c = n.walk();
        let mut paths: Vec<String> = n
            .children_by_field_name("path", &mut c)
            .map(|p| logical_text(p, source))
            .collect();
        paths.pop();
        paths
    };
    // Which COPY brings the manifest (only manifest files, before the
    // install; --chown and --chmod do not change what it brings).
    let is_manifest_copy = |n: Node| {
        if n.kind() != "copy_instruction"
            || views::flags(n, source).iter().any(|f| {
                let t = text(f.node);
                !(t.starts_with("--chown") || t.starts_with("--chmod"))
            })
        {
            return false;
        }
        let sources = copy_sources(n);
        // before a real install, any COPY of named paths (patches, a
        // vendor folder, .yarnrc.yml) may be what it reads: it goes with
        // the manifests (Python's runner replays its COPYs itself)
        let named_paths = sources.iter().all(|p| {
            let p = p.trim_start_matches("./").trim_end_matches('/');
            !p.is_empty() && p != "." && !p.contains('*') && !p.contains('$')
        });
        if named_paths && install_at.is_some() && install_only && !matches!(stack, Stack::Python(_))
        {
            return true;
        }
        !sources.is_empty()
            && sources.iter().all(|p| {
                // from the context's root or a subfolder of it
                // (`COPY ./src/app/requirements.txt requirements.txt`)
                let p = p.trim_start_matches("./");
                let name = p.rsplit('/').next().unwrap_or(p);
                manifest_files.contains(&p)
                    || manifest_files.contains(&name)
                    // `go.sum*`: the manifest if it is there
                    || (name.contains('*')
                        && manifest_files.iter().any(|m| glob_matches(name, m)))
            })
    };

    // Where the install happened in the original (Go: before the first
    // step that copies files or runs go).
    let deps_point = if install == usize::MAX {
        items
            .iter()
            .enumerate()
            .position(|(i, item)| {
                matches!(item.node.kind(), "copy_instruction" | "add_instruction")
                    || scripts[i].as_ref().is_some_and(|s| {
                        s.commands
                            .iter()
                            .any(|c| c.name == "go" || c.name.ends_with("/go"))
                    })
            })
            .unwrap_or(items.len())
    } else {
        install
    };
    let user_venv_item = venv.as_ref().map(|(i, _)| *i);
    let early = |i: usize, n: Node| {
        i < deps_point
            && Some(i) != first_workdir
            && Some(i) != user_venv_item
            && (matches!(
                n.kind(),
                "arg_instruction" | "env_instruction" | "shell_instruction" | "user_instruction"
            ) || scripts[i].as_ref().is_some_and(|s| {
                sets_up_the_system(s)
                    // the package manager itself (`npm i -g pnpm`, `corepack enable`)
                    || installs_a_package_manager(s)
                    // what runs before the first WORKDIR (`RUN mkdir /home/app`)
                    || first_workdir.is_some_and(|w| i < w)
            }))
    };
    let place = |i: usize, n: Node| -> Place {
        if Some(i) == first_workdir {
            return Place::Replaced; // every stage has it at its place
        }
        if early(i, n) {
            return Place::Early;
        }
        if i == install && install_only {
            return Place::Replaced;
        }
        if Some(i) == user_venv_item && i < install {
            // the virtualenv is made once, in deps
            let only_venv = scripts[i].as_ref().is_some_and(|s| {
                s.commands
                    .iter()
                    .all(|c| venv_dir(c).is_some() || is_pip(c))
            });
            if only_venv {
                return Place::Deps;
            }
        }
        // the manifests the install read: in deps with it, else where the
        // install (kept in the build) still reads them
        if i < install && (install_only || install == usize::MAX) && is_manifest_copy(n) {
            return Place::Replaced;
        }
        match n.kind() {
            "run_instruction" | "copy_instruction" | "add_instruction" => Place::Build,
            "env_instruction" | "arg_instruction" | "workdir_instruction" | "shell_instruction" => {
                Place::Both
            }
            _ => Place::Runner,
        }
    };
    if user_venv_item.is_some_and(|i| i > install || place(i, items[i].node) == Place::Build) {
        return Err(NotOffered::new(
            "the virtualenv is made together with other steps than the install: it cannot move to the deps stage alone",
        ));
    }

    // The user's manifest COPYs, in order (a manifest and its lockfile
    // may come in two).
    let manifest_copies: Vec<usize> = (0..items.len().min(install))
        .filter(|&i| is_manifest_copy(items[i].node))
        .collect();
    let copied: Vec<String> = manifest_copies
        .iter()
        .flat_map(|&i| copy_sources(items[i].node))
        .collect();
    // No manifest COPY: the sources' COPY of a subfolder into the WORKDIR
    // (`COPY /src/shipping/ /app/`) says where the manifests are.
    let sources_dir = if manifest_copies.is_empty() {
        let mut found = None;
        for (i, item) in items.iter().enumerate() {
            if item.node.kind() != "copy_instruction" || !views::flags(item.node, source).is_empty()
            {
                continue;
            }
            let mut c = item.node.walk();
            let paths: Vec<String> = item
                .node
                .children_by_field_name("path", &mut c)
                .map(|p| logical_text(p, source))
                .collect();
            let [src, dest] = paths.as_slice() else {
                continue;
            };
            let sub = src.trim_start_matches("./").trim_matches('/');
            let last = sub.rsplit('/').next().unwrap_or(sub);
            let folder = src.ends_with('/') || sub.is_empty() || sub == "." || !last.contains('.');
            if !folder || absolute(&dirs[i], dest) != absolute(&dirs[i], ".") {
                continue;
            }
            // the first folder copied into the WORKDIR: the sources
            if !sub.is_empty() && sub != "." && !sub.contains(['*', '$']) && !sub.contains("..") {
                found = Some(sub.to_string());
            }
            break;
        }
        found
    } else {
        None
    };
    // The folder of the context the manifest comes from.
    let app_dir = copied
        .iter()
        .find(|p| p.ends_with("package.json") || p.ends_with("package*.json"))
        .and_then(|p| p.trim_start_matches("./").rsplit_once('/'))
        .map(|(d, _)| d.to_string())
        .or_else(|| sources_dir.clone())
        .unwrap_or_default();
    let project = match files {
        Some(f) => Project::read(f, &app_dir),
        None => Project::read(&MemFiles::default(), ""),
    };
    if stack == Stack::Node(Manager::Yarn) && project.node.as_ref().is_some_and(|n| n.yarn_berry) {
        return Err(NotOffered::new(
            "the app uses Yarn Berry (2+): its install flags differ from Yarn 1's (`--immutable`, no `--production`; a production install is `yarn workspaces focus --production`), which the split does not write",
        ));
    }
    let in_context = |name: &str| files.map(|f| f.exists(&join(&app_dir, name)));
    // Whether the lockfile is in the stage when the install runs: copied
    // by name or glob, and (when the context is known) there.
    let brings = |name: &str| {
        if manifest_copies.is_empty() {
            return in_context(name) != Some(false);
        }
        let named = copied.iter().any(|p| {
            let base = p.rsplit('/').next().unwrap_or(p);
            base == name || (base.contains('*') && glob_matches(base, name))
        });
        named && in_context(name) != Some(false)
    };

    let frame = Frame::of(*stage, *from, source);
    let mut out = frame.prefix.clone();
    let keyword = &frame.keyword;
    let from_line = |name: &str| frame.stage_line(name);
    // The manifest COPYs as written, else the manifest and the lockfile.
    let workspace = project.node.as_ref().is_some_and(|n| n.workspaces)
        || files.is_some_and(|f| f.exists(&join(&app_dir, "pnpm-workspace.yaml")));
    if manifest_copies.is_empty() && workspace && matches!(stack, Stack::Node(_)) {
        return Err(NotOffered::new(
            "the app is a workspace (a monorepo root): its install needs every package's manifest, which the deps stage would have to copy one by one",
        ));
    }
    // an install that runs the package's own scripts, after the sources
    // were copied: those scripts may read them (`prisma generate`)
    if manifest_copies.is_empty() && matches!(stack, Stack::Node(_)) {
        let lifecycle = ["preinstall", "install", "postinstall", "prepare"]
            .into_iter()
            .find_map(|name| Some((name, project.script(name)?)));
        if let Some((name, script)) = lifecycle {
            return Err(NotOffered::new(format!(
                "package.json has a `{name}` script (`{script}`) that the install runs, and the install comes after the sources are copied: the script may read them, so the install cannot move to a stage with the manifests alone"
            )));
        }
    }
    // the sources come from a RUN (`git clone`, `git fetch`), not the
    // build context: there is no manifest in the context to copy
    let copies_context = items.iter().any(|i| {
        matches!(i.node.kind(), "copy_instruction" | "add_instruction")
            && !views::flags(i.node, source)
                .iter()
                .any(|f| text(f.node).starts_with("--from"))
    });
    let fetchers = || {
        scripts
            .iter()
            .flatten()
            .flat_map(|s| &s.commands)
            .filter(|c| matches!(c.name.as_str(), "git" | "curl" | "wget"))
    };
    // `git fetch`/`git clone` rather than the `git init` before it
    let fetch = fetchers()
        .find(|c| {
            c.name != "git" || matches!(c.operands().next(), Some("clone" | "fetch" | "pull"))
        })
        .or_else(|| fetchers().next());
    if let (true, false, Some(c)) = (manifest_copies.is_empty(), copies_context, fetch) {
        return Err(NotOffered::new(format!(
            "the sources come from a RUN (`{} {}`), not from the build context: there is no manifest in the context for a deps stage to copy",
            c.name,
            c.operands().next().unwrap_or_default()
        )));
    }
    if manifest_copies.is_empty() {
        let manifest = match &stack {
            Stack::Node(_) => "package.json",
            Stack::Go(_) => "go.mod",
            Stack::Python(file) => file.as_str(),
            Stack::Rust(_) => "Cargo.toml",
        };
        if in_context(manifest) == Some(false) {
            return Err(NotOffered::new(match &sources_dir {
                Some(sub) => format!(
                    "the build context has no {}, where the COPY of the sources (`{sub}`) would bring it from (the context the file is built with may be another folder): the deps stage could not copy it on its own",
                    join(&app_dir, manifest)
                ),
                None => format!(
                    "the build context has no {manifest} at its root (the Dockerfile copies it with other files): the deps stage could not copy it on its own"
                ),
            }));
        }
    }
    let manifest_lines: String = if manifest_copies.is_empty() {
        let list = match &stack {
            Stack::Node(manager) if brings(manager.lockfile()) => {
                format!("package.json {}", manager.lockfile())
            }
            Stack::Node(_) => "package.json".to_string(),
            Stack::Go(_) if in_context("go.sum") == Some(false) => "go.mod".to_string(),
            Stack::Go(_) => "go.mod go.sum".to_string(),
            Stack::Python(file) => file.clone(),
            Stack::Rust(_) => match in_context("Cargo.lock") {
                Some(true) => "Cargo.toml Cargo.lock".to_string(),
                Some(false) => "Cargo.toml".to_string(),
                None if cargo_locked => "Cargo.toml Cargo.lock".to_string(),
                None => "Cargo.toml Cargo.lock*".to_string(),
            },
        };
        match &sources_dir {
            Some(sub) => {
                let list: Vec<String> = list.split(' ').map(|m| format!("{sub}/{m}")).collect();
                format!("COPY {} ./\n", list.join(" "))
            }
            None => format!("COPY {list} ./\n"),
        }
    } else {
        manifest_copies
            .iter()
            .map(|&i| format!("{}\n", text(items[i].node)))
            .collect()
    };
    let locked = match &stack {
        Stack::Node(manager) => brings(manager.lockfile()),
        Stack::Rust(_) => {
            cargo_locked || (in_context("Cargo.lock") == Some(true) && manifest_copies.is_empty())
        }
        _ => true,
    };
    if let (Stack::Go(_), Some(false)) = (&stack, in_context("go.mod")) {
        return Err(NotOffered::new(
            "the build context has no go.mod: modules cannot be downloaded on their own",
        ));
    }
    // The user's first WORKDIR, as written, at its place in every stage.
    let workdir_line = match first_workdir {
        Some(i) => format!("{}\n", text(items[i].node)),
        None => format!("WORKDIR {workdir}\n"),
    };

    let push_item = |out: &mut String, item: &Item| push_item(out, item, source);
    // pnpm installed by the user's set-up (`npm install -g pnpm@9`): no
    // corepack, which would fetch another pnpm
    let user_pnpm = items.iter().enumerate().any(|(i, item)| {
        place(i, item.node) == Place::Early
            && scripts[i].as_ref().is_some_and(|s| {
                s.commands
                    .iter()
                    .any(|c| c.args.iter().any(|a| a == "pnpm" || a.starts_with("pnpm@")))
            })
    });
    let own_pnpm = |install: String| {
        if user_pnpm {
            install.replace("corepack enable pnpm && ", "")
        } else {
            install
        }
    };

    // The start of a stage on the original base: the early items (the
    // system set-up only when `runs`) and the first WORKDIR at its place.
    // The comments above them go to deps only.
    // an install before the first WORKDIR ran in `/`: the deps stage
    // installs there too (Python's venv path was read there)
    let install_before_workdir =
        install != usize::MAX && first_workdir.is_some_and(|w| w > install);
    // where the install ran, and the WORKDIR each stage writes after its
    // install lines when the original set it only then
    let install_dir = if install_before_workdir {
        dirs[install].clone()
    } else {
        workdir.clone()
    };
    let late_workdir = if install_before_workdir {
        workdir_line.clone()
    } else {
        String::new()
    };
    // `lean`: the runner copies what was built (a virtualenv, a binary, a
    // standalone server) and needs no compilers or headers
    let emit_head = |out: &mut String, runs: bool, comments: bool, lean: bool| {
        // the deps stage is the one written with the comments
        let deps = comments;
        if first_workdir.is_none() {
            out.push_str(&workdir_line);
        }
        for (i, item) in items.iter().enumerate() {
            if Some(i) == first_workdir {
                // after the install when the original set it only then
                if !install_before_workdir {
                    out.push_str(&workdir_line);
                }
                continue;
            }
            let p = place(i, item.node);
            if deps && p == Place::Deps {
                push_item(out, item);
                continue;
            }
            // a runner on another base has neither the set-up nor its users
            let needs_base = matches!(item.node.kind(), "run_instruction" | "user_instruction");
            if p != Place::Early || (!runs && needs_base) {
                continue;
            }
            if lean {
                let kind = scripts[i].as_ref().and_then(set_up_kind);
                if kind == Some(SetUp::BuildTooling) {
                    let tools = scripts[i]
                        .as_ref()
                        .map(build_tooling_named)
                        .unwrap_or_default()
                        .join(", ");
                    out.push_str(&format!(
                        "# build tooling ({tools}), needed only where the dependencies are installed or built:\n# {}\n",
                        text(item.node).replace('\n', "\n# ")
                    ));
                    continue;
                }
                if kind == Some(SetUp::Mixed) {
                    let tools = scripts[i]
                        .as_ref()
                        .map(build_tooling_named)
                        .unwrap_or_default()
                        .join(", ");
                    out.push_str(&format!(
                        "# kept whole: this RUN installs build tooling ({tools}) with runtime packages; split it by hand to leave the tooling out of the runner\n"
                    ));
                }
            }
            if comments {
                push_item(out, item);
            } else {
                out.push_str(&text(item.node));
                out.push('\n');
            }
        }
    };

    // deps
    out.push_str("# Dependencies, cached until the manifest or lockfile changes.\n");
    out.push_str(&from_line("deps"));
    emit_head(&mut out, true, true, false);
    let two_stage = two_stage_stack(&stack);
    // a pip install after the requirements one (`pip install gunicorn`)
    let later_pip = scripts.iter().enumerate().any(|(i, s)| {
        i > install && i != usize::MAX && s.as_ref().is_some_and(|s| s.commands.iter().any(is_pip))
    });
    // Where the virtualenv lives in the runner.
    let venv_path = venv
        .as_ref()
        .map_or_else(|| "/opt/venv".to_string(), |(_, d)| d.clone());
    if two_stage {
        match venv.as_ref().map(|(i, _)| *i) {
            // made in its place by emit_head
            Some(_) => {}
            // a virtualenv without its own pip (the base's pip installs
            // into it), so the runner is no larger than the original; with
            // one when later steps install more with pip (into the venv,
            // which is first on the runner's PATH)
            None if later_pip => {
                out.push_str("RUN python -m venv /opt/venv\n");
                out.push_str(VENV_PATH);
            }
            None => out.push_str("RUN python -m venv --without-pip /opt/venv\n"),
        }
    }
    out.push_str(&manifest_lines);
    match &stack {
        Stack::Node(manager) => {
            // the user in effect at the install: the cache mount is in
            // their home, or there is none
            let deps_user = items
                .iter()
                .enumerate()
                .filter(|(i, item)| {
                    item.node.kind() == "user_instruction" && place(*i, item.node) == Place::Early
                })
                .filter_map(|(_, item)| item.node.child_by_field_name("value").map(text))
                .next_back();
            let written = scripts.get(install).and_then(Option::as_ref);
            if let Some(note) = written.and_then(|s| install_change_note(*manager, locked, s)) {
                out.push_str(&format!("# {note}\n"));
            }
            out.push_str(&cache_mount_for(
                &own_pnpm(manager.install(locked)),
                deps_user.as_deref(),
            ))
        }
        // no cache mount: the build stage is `FROM deps` and needs the modules
        // in the layer
        // the user's own download, as written (`|| true` kept)
        Stack::Go(_) if install_only => out.push_str(&text(items[install].node)),
        Stack::Go(_) => out.push_str("RUN go mod download"),
        // the user's own virtualenv: their install, as written
        Stack::Python(_) if venv.is_some() => out.push_str(&text(items[install].node)),
        Stack::Python(file) => out.push_str(&format!(
            "RUN --mount=type=cache,target=/root/.cache/pip {} install {}-r {file}",
            if later_pip {
                pip_program.clone()
            } else {
                format!("{pip_program} --python /opt/venv/bin/python")
            },
            if require_hashes { "--require-hashes " } else { "" }
        )),
        // `cargo fetch` needs a target to read the manifest: a stub main
        Stack::Rust(_) => out.push_str(&format!(
            "RUN mkdir -p src && echo 'fn main() {{}}' > src/main.rs && cargo fetch{} && rm -rf src",
            if locked { " --locked" } else { "" }
        )),
    }
    out.push_str("\n\n");
    let replaced = |out: &mut String, i: usize, item: &Item| {
        for c in &item.comments {
            out.push_str(&text(*c));
            out.push('\n');
        }
        if Some(i) != first_workdir {
            let original = text(item.node).replace('\n', "\n# ");
            out.push_str(&format!("# done in the deps stage: {original}\n"));
        }
    };

    // How a Node app ships.
    let start = {
        let last = |kind: &str| {
            items
                .iter()
                .rev()
                .find(|i| i.node.kind() == kind)
                .map(|i| command_words(&text(i.node)))
        };
        let mut words = last("entrypoint_instruction").unwrap_or_default();
        words.extend(last("cmd_instruction").unwrap_or_default());
        words
    };
    let start_words = start.clone();
    let next_project = build_next_project(inputs.build, files, &app_dir, &project);
    let next = matches!(stack, Stack::Node(_))
        && (next_project.1
            || output_hint.contains("next ")
            || items.iter().any(|i| text(i.node).contains("next build")));
    let mut ship = NodeShip::Dir(String::new());
    let mut dev_note: Option<String> = None;
    if let Stack::Node(_) = stack {
        let start_kind = project.start_kind(&start);
        // a dev server whose options hide its subcommand (`vite --host 0.0.0.0`)
        let serving = match start_kind.start() {
            Some(s) => s.command.clone(),
            None => script_words(&start, &project).unwrap_or_else(|| start.clone()),
        };
        if dev_server_words(&serving) {
            return Err(NotOffered::new(format!(
                "the start command `{}` is a development server, not a runtime: the runner would need the sources and every devDependency. Serve the build output with a production server (nginx, or `serve` as a dependency) and the split is offered",
                serving.join(" ")
            )));
        }
        // the start program installed globally by a step the runner does not run
        let program = start_words_clean(&start)
            .into_iter()
            .next()
            .unwrap_or_default();
        let global_install = items.iter().enumerate().find_map(|(i, item)| {
            if place(i, item.node) != Place::Build {
                return None;
            }
            scripts[i].as_ref()?.commands.iter().find_map(|c| {
                let global = c.has_flag(&["-g", "--global"])
                    || c.args.first().is_some_and(|a| a == "global");
                let names = c
                    .args
                    .iter()
                    .any(|a| a.split('@').next() == Some(program.as_str()) && !program.is_empty());
                (matches!(c.name.as_str(), "npm" | "yarn" | "pnpm") && global && names)
                    .then(|| format!("{} {}", c.name, c.args.join(" ")))
            })
        });
        if let Some(install) = global_install {
            return Err(NotOffered::new(format!(
                "the start command runs `{program}`, which a build step installs globally (`{install}`): the runner would not have it; make it a dependency of the app and the split is offered"
            )));
        }
        match &start_kind {
            StartKind::DevServer(s) => {
                return Err(NotOffered::new(format!(
                    "the start command `{}` is a development server, not a runtime ({}): the runner would need the sources and every devDependency. Serve the build output with a production server (nginx, or `serve` as a dependency) and the split is offered",
                    s.command.join(" "),
                    s.why.trim_end_matches('.')
                )))
            }
            StartKind::Production(s) if !s.dev_packages.is_empty() => {
                dev_note = Some(format!(
                    "the start command `{}` runs what only devDependencies have ({}): every dependency ships",
                    s.command.join(" "),
                    s.dev_packages
                        .iter()
                        .map(|p| format!("`{p}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            _ => {}
        }
        ship = if next {
            let project = NextProject {
                config: next_project.0.as_ref(),
                editable: inputs.build.is_some() || files.is_some(),
            };
            let (output, replace_cmd) = next_output(&items, source, &project);
            NodeShip::Next(
                match output {
                    NextOutput::Standalone(Some(change))
                        if change.create && !inputs.can_create_files =>
                    {
                        NextOutput::Whole(format!(
                            "the editor cannot create {} (output: \"standalone\")",
                            change.file
                        ))
                    }
                    other => other,
                },
                replace_cmd,
            )
        } else {
            // What the build steps write, read from the project's scripts
            // and configs: (the output, the folder under the workdir its
            // build ran in)
            let mut outputs: Vec<(BuildOutput, String)> = Vec::new();
            for (step, &at) in build_steps.iter().zip(&build_at) {
                let words: Vec<String> = step.split(' ').map(str::to_string).collect();
                // a build run in a subfolder (`WORKDIR packages/web`) reads
                // that folder's package.json
                let sub = dirs[at]
                    .strip_prefix(&format!("{workdir}/"))
                    .unwrap_or_default()
                    .to_string();
                let sub_project;
                let reader = match files {
                    Some(f) if !sub.is_empty() => {
                        sub_project = Project::read(f, &join(&app_dir, &sub));
                        &sub_project
                    }
                    _ => &project,
                };
                let found = match files {
                    Some(f) => reader.build_outputs_in(f, &words),
                    None => reader.build_outputs_for(&words),
                };
                outputs.extend(found.into_iter().map(|o| (o, sub.clone())));
            }
            let mut built: Vec<String> = Vec::new();
            for (o, sub) in &outputs {
                let dir = o
                    .dir
                    .trim_start_matches("./")
                    .trim_end_matches('/')
                    .to_string();
                let dir = if sub.is_empty() { dir } else { join(sub, &dir) };
                if !dir.is_empty() && dir != "." && !dir.contains("..") && !built.contains(&dir) {
                    built.push(dir);
                }
            }
            // The file the start command runs (`node dist/server.js`), or
            // the folder a static server serves (`serve -s build`).
            let start = start_kind.start();
            let target = start.and_then(|s| {
                s.file.clone().or_else(|| {
                    s.static_server
                        .then(|| program_and_sub(&s.command).1.map(str::to_string))
                        .flatten()
                })
            });
            let target = target.or_else(|| {
                // no project facts: `node FILE` as written
                let words = start_words_clean(&start_words);
                let (program, sub) = program_and_sub(&words);
                (program == "node")
                    .then(|| sub.map(str::to_string))
                    .flatten()
            });
            let target =
                target.map(|t| t.trim_start_matches("./").trim_end_matches('/').to_string());
            let inside = |dir: &str| {
                target
                    .as_deref()
                    .is_some_and(|t| t == dir || t.starts_with(&format!("{dir}/")))
            };
            match built.iter().find(|d| inside(d)) {
                Some(dir) => NodeShip::Dir(dir.clone()),
                // nothing known of the project: the usual output folders
                None if built.is_empty() => match ["dist", "build", "lib", "out", ".output"]
                    .into_iter()
                    .find(|d| inside(d))
                {
                    Some(dir) => NodeShip::Dir(dir.to_string()),
                    None => NodeShip::Sources(built),
                },
                None => NodeShip::Sources(built),
            }
        };
    }
    let user = frame.user();
    let chown = match user {
        "node" => "node:node".to_string(),
        uid => format!("{uid}:{uid}"),
    };

    // build
    match &stack {
        Stack::Node(_) => {
            out.push_str("# Build with every dependency, dev ones included.\n");
            out.push_str(&from_line("build"));
            emit_head(&mut out, true, false, false);
            out.push_str(&format!(
                "COPY --from=deps {install_dir}/node_modules ./node_modules\n"
            ));
        }
        Stack::Go(_) | Stack::Rust(_) => {
            out.push_str("# Build on the downloaded dependencies.\n");
            out.push_str(&format!("{keyword} deps AS build\n"));
            // ENV and the set-up are inherited from deps; ARGs are not
            for (i, item) in items.iter().enumerate() {
                if place(i, item.node) == Place::Early && item.node.kind() == "arg_instruction" {
                    out.push_str(&text(item.node));
                    out.push('\n');
                }
            }
        }
        Stack::Python(_) => {}
    }
    // The sources: the user's own COPY/ADD, or all of them before the build.
    let copies_sources = items.iter().enumerate().any(|(i, item)| {
        matches!(item.node.kind(), "copy_instruction" | "add_instruction")
            && place(i, item.node) == Place::Build
    });
    if !copies_sources && !two_stage {
        out.push_str("COPY . .\n");
    }
    for (i, item) in items.iter().enumerate().filter(|_| !two_stage) {
        match place(i, item.node) {
            Place::Replaced => {
                // the first WORKDIR at its place, when it came after the install
                if Some(i) == first_workdir && install_before_workdir {
                    out.push_str(&workdir_line);
                }
                replaced(&mut out, i, item)
            }
            Place::Build | Place::Both => push_item(&mut out, item),
            Place::Runner | Place::Early | Place::Deps => {}
        }
    }
    if !two_stage {
        out.push('\n');
    }

    // Folders the kept steps made (`mkdir`) that the runner lacks or that
    // its non-root user must own, and files copied outside the workdir.
    // a USER the runner keeps (one in the set-up only on the original base)
    let runner_on_base = matches!(stack, Stack::Node(_) | Stack::Python(_));
    let mut user_added = items.iter().enumerate().any(|(i, item)| {
        item.node.kind() == "user_instruction"
            && (runner_on_base || place(i, item.node) != Place::Early)
    });
    let switches_user = !user_added;
    let mut made: Vec<String> = Vec::new();
    // (the item, its destination, whether it was written absolute)
    let mut outside: Vec<(usize, String, bool)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = place(i, item.node);
        if let Some(script) = &scripts[i] {
            for c in &script.commands {
                for d in made_dirs(c) {
                    if let Some(d) = resolve(i, &d) {
                        let d = d.trim_end_matches('/').to_string();
                        if !made.contains(&d) && d != "/" && !system_dir(&d) {
                            made.push(d);
                        }
                    }
                }
                // a folder made and then removed (a stub `src` for a deps build)
                if c.name == "rm" {
                    for gone in c.operands() {
                        if let Some(gone) = resolve(i, gone) {
                            made.retain(|d| *d != gone);
                        }
                    }
                }
            }
        }
        if p == Place::Build
            && matches!(item.node.kind(), "copy_instruction" | "add_instruction")
            && !two_stage
        {
            let mut c = item.node.walk();
            let dest = item
                .node
                .children_by_field_name("path", &mut c)
                .last()
                .map(|d| logical_text(d, source));
            let written_absolute = dest.as_deref().is_some_and(|d| d.starts_with('/'));
            if let Some(dest) = dest.and_then(|d| resolve(i, &d)) {
                let dest = dest.trim_end_matches('/').to_string();
                let under_workdir = dest == workdir || dest.starts_with(&format!("{workdir}/"));
                if !under_workdir && !outside.iter().any(|o| o.1 == dest) && !dest.is_empty() {
                    outside.push((i, dest, written_absolute));
                }
            }
        }
        if item.node.kind() == "volume_instruction" {
            for v in command_words(&text(item.node)) {
                if let Some(v) = resolve(i, &v) {
                    if !made.contains(&v) {
                        made.push(v);
                    }
                }
            }
        }
    }

    // Steps after the last build step that set up what the app runs with:
    // OS packages (chromium, ffmpeg, ICU), users and folders, files copied
    // from the context (templates, an agent jar): the runner has them too.
    let last_build = items.iter().enumerate().rposition(|(i, item)| {
        item.node.kind() == "run_instruction"
            && scripts[i].as_ref().is_some_and(|s| {
                s.commands.iter().any(|c| {
                    crate::rules::packages::is_build(c)
                        || is_node_script(c)
                        || commands::invocation(c).is_some_and(|v| v.action == Action::Build)
                })
            })
    });
    let runtime_step = |i: usize| -> bool {
        if two_stage || last_build.is_none_or(|b| i <= b) || place(i, items[i].node) != Place::Build
        {
            return false;
        }
        let node = items[i].node;
        match node.kind() {
            // a file from an image (`COPY --from=ghcr.io/grpc-health-probe
            // /probe /bin/probe`: a single stage has no other to name)
            "copy_instruction" | "add_instruction" => !views::flags(node, source).iter().any(|f| {
                text(f.node)
                    .strip_prefix("--from=")
                    .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit()))
            }),
            "run_instruction" => scripts[i].as_ref().is_some_and(|s| {
                sets_up_the_system(s)
                    || s.commands.iter().all(|c| {
                        matches!(
                            c.name.as_str(),
                            "useradd"
                                | "adduser"
                                | "groupadd"
                                | "addgroup"
                                | "mkdir"
                                | "chown"
                                | "chmod"
                        )
                    })
            }),
            _ => false,
        }
    };
    let sources_runner = matches!(ship, NodeShip::Sources(_)) && matches!(stack, Stack::Node(_));
    let runtime_runs =
        (0..items.len()).any(|i| runtime_step(i) && items[i].node.kind() == "run_instruction");

    // Whether the build stage copied the whole context into the workdir
    // (so the folders a server reads at run time are there).
    let whole_context = items.iter().enumerate().any(|(i, item)| {
        item.node.kind() == "copy_instruction"
            && place(i, item.node) == Place::Build
            && copy_sources(item.node)
                .iter()
                .any(|p| matches!(p.trim_end_matches('/'), "." | ""))
            && dirs[i] == workdir
    });
    // The folders of the context a compiled server reads from disk
    // (`http.Dir("static")`), copied beside its binary.
    let binary_assets = |out: &mut String| {
        if let (Some(f), true) = (files, whole_context) {
            for extra in RUNTIME_DIRS
                .iter()
                .chain(["assets", "web", "migrations"].iter())
            {
                if f.is_dir(&join(&app_dir, extra)) {
                    out.push_str(&format!(
                        "COPY --from=build {workdir}/{extra} {workdir}/{extra}\n"
                    ));
                }
            }
        }
    };

    // runner
    let standalone = matches!(ship, NodeShip::Next(NextOutput::Standalone(_), _));
    let replace_cmd = matches!(ship, NodeShip::Next(NextOutput::Standalone(_), true));
    let mut runner_has_shell = true;
    match &stack {
        Stack::Node(manager) => {
            out.push_str(if standalone {
                "# The image that ships: the standalone server and the static files.\n"
            } else {
                "# The image that ships: production dependencies and the build output.\n"
            });
            out.push_str(&from_line("runner"));
            emit_head(&mut out, true, false, standalone);
            out.push_str("ENV NODE_ENV=production\n");
            if let Some(note) = &dev_note {
                out.push_str(&format!("# {note}\n"));
            }
            if !standalone {
                out.push_str(&manifest_lines);
                // no lockfile in the context: the one the deps stage's
                // install wrote, so the runner gets the build's versions
                if !locked {
                    out.push_str(&format!(
                        "# the lockfile the deps stage's install wrote: the versions the build used\nCOPY --from=deps {workdir}/{} ./\n",
                        manager.lockfile()
                    ));
                }
                if dev_note.is_some() {
                    out.push_str(&own_pnpm(manager.install_all()));
                } else {
                    out.push_str(&own_pnpm(manager.install_production(true)));
                }
                out.push('\n');
            }
            out.push_str(&late_workdir);
        }
        Stack::Go(binary) => {
            // Distroless has no shell: shell-form commands need a small distribution.
            let needs_shell = items.iter().any(|i| {
                matches!(
                    i.node.kind(),
                    "cmd_instruction" | "entrypoint_instruction" | "healthcheck_instruction"
                ) && i.node.child_by_field_name("shell").is_some()
            });
            out.push_str("# The image that ships: the binary alone.\n");
            if runtime_runs {
                // steps after the build set up the system: on the original base
                out.push_str(&from_line("runner"));
            } else if needs_shell || root_port.is_some() {
                // a shell, or root for a port below 1024
                out.push_str(&format!("{keyword} debian:12-slim AS runner\n"));
            } else {
                out.push_str(&format!(
                    "{keyword} gcr.io/distroless/base-debian12:nonroot AS runner\n"
                ));
                user_added = true; // the nonroot image runs as an unprivileged user
                runner_has_shell = false;
            }
            emit_head(&mut out, runtime_runs, false, true);
            out.push_str(&format!("COPY --from=build {binary} {binary}\n"));
            binary_assets(&mut out);
            out.push_str(&late_workdir);
        }
        Stack::Rust(binary) => {
            out.push_str("# The image that ships: the binary on a slim glibc base.\n");
            if runtime_runs {
                // steps after the build set up the system: on the original base
                out.push_str(&from_line("runner"));
                emit_head(&mut out, true, false, true);
            } else {
                out.push_str(&format!("{keyword} debian:12-slim AS runner\n"));
                emit_head(&mut out, false, false, true);
            }
            out.push_str(&format!("COPY --from=build {binary} {binary}\n"));
            binary_assets(&mut out);
            out.push_str(&late_workdir);
        }
        Stack::Python(_) => {
            // a later step that runs a program of the virtualenv
            // (`venv/bin/opentelemetry-bootstrap -a install` runs pip):
            // it may compile, so the tooling stays
            let venv_bin = format!("{}/bin/", venv_path.trim_end_matches('/'));
            let venv_run_after = (0..items.len()).any(|i| {
                i > install
                    && i != usize::MAX
                    && scripts[i].as_ref().is_some_and(|s| {
                        s.commands
                            .iter()
                            .any(|c| resolve(i, &c.name).is_some_and(|p| p.starts_with(&venv_bin)))
                    })
            });
            let needs_tooling = later_pip || venv_run_after;
            let installed = |kinds: &[SetUp]| {
                items.iter().enumerate().any(|(i, item)| {
                    place(i, item.node) == Place::Early
                        && scripts[i]
                            .as_ref()
                            .and_then(set_up_kind)
                            .is_some_and(|k| kinds.contains(&k))
                })
            };
            out.push_str(if needs_tooling && installed(&[SetUp::BuildTooling, SetUp::Mixed]) {
                "# The image that ships: the virtualenv and the sources; the build tooling stays, as a later step installs into the virtualenv and may compile.\n"
            } else if installed(&[SetUp::Mixed]) {
                "# The image that ships: the virtualenv and the sources; a RUN that installs build tooling with runtime packages stays whole (see its comment).\n"
            } else {
                "# The image that ships: the virtualenv, the sources, no build tooling.\n"
            });
            out.push_str(&from_line("runner"));
            emit_head(&mut out, true, false, !needs_tooling);
            if venv.is_none() {
                out.push_str(VENV_PATH);
            }
            out.push_str(&format!("COPY --from=deps {venv_path} {venv_path}\n"));
        }
    }
    let node_output = matches!(stack, Stack::Node(_));
    let public = match (files, inputs.build) {
        (Some(f), _) => f.is_dir(&join(&app_dir, "public")),
        (None, Some(b)) => b.has_public_dir,
        (None, None) => true,
    };
    match &ship {
        NodeShip::Next(next, _) => {
            if public {
                out.push_str(&format!("COPY --from=build {workdir}/public ./public\n"));
            }
            match next {
                NextOutput::Standalone(_) => {
                    let chown = if user == "node" {
                        "--chown=node:node "
                    } else {
                        ""
                    };
                    out.push_str(&format!(
                        "# output: \"standalone\": server.js and only the modules it needs\n\
                         COPY --from=build {chown}{workdir}/.next/standalone ./\n\
                         COPY --from=build {chown}{workdir}/.next/static ./.next/static\n"
                    ));
                    // server.js listens where HOSTNAME and PORT say: what
                    // the file or `next start -H/-p` said, else everywhere
                    let sets = |name: &str| {
                        items.iter().any(|i| {
                            matches!(i.node.kind(), "env_instruction" | "arg_instruction")
                                && assignments(i.node, source).iter().any(|(n, _)| n == name)
                        })
                    };
                    let serving = script_words(&start_words, &project)
                        .unwrap_or_else(|| start_words_clean(&start_words));
                    let option = |names: &[&str]| {
                        serving.iter().enumerate().find_map(|(k, w)| {
                            names.iter().find_map(|n| {
                                if w == n {
                                    serving.get(k + 1).cloned()
                                } else {
                                    w.strip_prefix(&format!("{n}=")).map(str::to_string)
                                }
                            })
                        })
                    };
                    if !sets("HOSTNAME") {
                        let host =
                            option(&["-H", "--hostname"]).unwrap_or_else(|| "0.0.0.0".into());
                        out.push_str(&format!("ENV HOSTNAME={host}\n"));
                    }
                    if let Some(port) = option(&["-p", "--port"]).filter(|_| !sets("PORT")) {
                        out.push_str(&format!("ENV PORT={port}\n"));
                    }
                }
                NextOutput::Whole(why) => {
                    out.push_str(&format!(
                        "# All of .next ships: {why}.\nCOPY --from=build {workdir}/.next ./.next\n"
                    ));
                    // a custom server (`node server.mjs`) is a file of the sources
                    let words = start_words_clean(&start_words);
                    let entry = words.last().filter(|e| {
                        words.first().is_some_and(|p| p == "node")
                            && words.len() > 1
                            && [".js", ".mjs", ".cjs"].iter().any(|x| e.ends_with(x))
                            && !e.contains('$')
                    });
                    if let Some(entry) = entry {
                        let entry = entry.trim_start_matches("./");
                        out.push_str(&format!("COPY --from=build {workdir}/{entry} ./{entry}\n"));
                    }
                }
            }
            // files node preloads (`--require=./Instrumentation.js`)
            for file in node_preloads(&start_words_clean(&start_words)) {
                out.push_str(&format!("COPY --from=build {workdir}/{file} ./{file}\n"));
            }
        }
        NodeShip::Dir(dir) if node_output => {
            out.push_str(&format!("COPY --from=build {workdir}/{dir} ./{dir}\n"));
            // folders a server reads at run time beside its build output
            // (views, templates, public...), when the build stage has them
            if let (Some(f), true) = (files, whole_context) {
                for extra in RUNTIME_DIRS {
                    if *extra != dir.as_str() && f.is_dir(&join(&app_dir, extra)) {
                        out.push_str(&format!("COPY --from=build {workdir}/{extra} ./{extra}\n"));
                    }
                }
            }
        }
        NodeShip::Sources(built) if node_output => {
            // the sources as the original copied them, then what the build wrote
            for (i, item) in items.iter().enumerate() {
                let from_context =
                    matches!(item.node.kind(), "copy_instruction" | "add_instruction")
                        && place(i, item.node) == Place::Build
                        && !views::flags(item.node, source)
                            .iter()
                            .any(|f| text(f.node).starts_with("--from"));
                if from_context {
                    push_item(&mut out, item);
                }
            }
            for dir in built {
                out.push_str(&format!("COPY --from=build {workdir}/{dir} ./{dir}\n"));
            }
            if built.is_empty() {
                let steps: Vec<String> = build_steps.iter().map(|s| format!("`{s}`")).collect();
                out.push_str(&format!(
                    "# A human must decide: what {} writes is not known here; if the app needs it at run time, copy it from the build stage (COPY --from=build {workdir}/<folder> ./<folder>).\n",
                    steps.join(", ")
                ));
            }
        }
        _ => {}
    }
    // What the build put outside the workdir, and the folders it made.
    if !two_stage {
        let copied_whole = |d: &str| {
            // the workdir and its parents: the runner's WORKDIR makes them
            let holds_workdir = d == workdir || workdir.starts_with(&format!("{d}/"));
            let in_output = match &ship {
                NodeShip::Dir(o) if !o.is_empty() => {
                    let o = format!("{workdir}/{o}");
                    d == o || d.starts_with(&format!("{o}/"))
                }
                _ => false,
            };
            holds_workdir || in_output
        };
        // a file copied from the context to an absolute path: the same
        // COPY in the runner (the Sources runner replays them all already)
        let replayed = matches!(ship, NodeShip::Sources(_)) && node_output;
        for (i, d, written_absolute) in &outside {
            if runtime_step(*i) {
                continue; // replayed at its place below
            }
            if *written_absolute {
                if !replayed {
                    push_item(&mut out, &items[*i]);
                }
            } else {
                out.push_str(&format!("COPY --from=build {d} {d}\n"));
            }
        }
        // what the start command runs, when it is not the binary
        if let Stack::Go(binary) | Stack::Rust(binary) = &stack {
            let start_item = items.iter().rposition(|i| {
                matches!(i.node.kind(), "entrypoint_instruction" | "cmd_instruction")
            });
            let program = start_words_clean(&start_words).into_iter().next();
            if let (Some(at), Some(program)) = (start_item, program) {
                let is_path = program.starts_with('/') || program.contains('/');
                if let Some(path) = resolve(at, &program).filter(|_| is_path) {
                    let covered = &path == binary
                        || outside
                            .iter()
                            .any(|o| path == o.1 || path.starts_with(&format!("{}/", o.1)));
                    if !covered {
                        out.push_str(&format!("COPY --from=build {path} {path}\n"));
                        // a RUN copied the binary there (`cp -a /app/server
                        // /usr/local/bin/server`): that copy is the one
                        // the runner needs, not the binary a second time
                        let copied_there = scripts.iter().enumerate().any(|(i, s)| {
                            s.iter().flat_map(|s| &s.commands).any(|c| {
                                let ops: Vec<&str> = c.operands().collect();
                                matches!(c.name.as_str(), "cp" | "mv" | "install")
                                    && ops.len() == 2
                                    && resolve(i, ops[0]).as_deref() == Some(binary.as_str())
                                    && resolve(i, ops[1]).as_deref() == Some(path.as_str())
                            })
                        });
                        let line = format!("COPY --from=build {binary} {binary}\n");
                        if let (true, Some(at)) = (copied_there, out.rfind(&line)) {
                            out.replace_range(at..at + line.len(), "");
                        }
                    }
                }
            }
        }
        for d in made
            .iter()
            .filter(|d| !copied_whole(d) && !outside.iter().any(|o| &o.1 == *d))
        {
            let is_binary = matches!(&stack, Stack::Go(b) | Stack::Rust(b) if b == d);
            if is_binary {
                continue;
            }
            let owner = if switches_user {
                format!("--chown={chown} ")
            } else {
                String::new()
            };
            out.push_str(&format!("COPY --from=build {owner}{d} {d}\n"));
        }
    }
    for (i, item) in items.iter().enumerate() {
        match place(i, item.node) {
            Place::Early => continue,
            Place::Runner | Place::Both => {}
            Place::Build if two_stage => {}
            // a runtime step (a Sources runner has replayed its COPYs)
            Place::Build
                if runtime_step(i)
                    && !(sources_runner
                        && matches!(item.node.kind(), "copy_instruction" | "add_instruction")) => {}
            Place::Replaced | Place::Deps if two_stage => {
                if Some(i) == first_workdir && install_before_workdir {
                    out.push_str(&workdir_line);
                }
                replaced(&mut out, i, item);
                continue;
            }
            _ => continue,
        }
        if !user_added
            && matches!(
                item.node.kind(),
                "cmd_instruction" | "entrypoint_instruction"
            )
        {
            push_owned_dirs(&mut out, two_stage && runner_has_shell, &made, &chown);
            push_user(&mut out, user, root_port.as_deref());
            user_added = true;
        }
        if replace_cmd && item.node.kind() == "cmd_instruction" {
            for c in &item.comments {
                out.push_str(&text(*c));
                out.push('\n');
            }
            let original = text(item.node).replace('\n', "\n# ");
            out.push_str(&format!(
                "# the standalone server replaces `next start`: {original}\nCMD [\"node\", \"server.js\"]\n"
            ));
            continue;
        }
        push_item(&mut out, item);
    }
    if !user_added {
        push_owned_dirs(&mut out, two_stage && runner_has_shell, &made, &chown);
        push_user(&mut out, user, root_port.as_deref());
    }
    for c in &trailing_comments {
        out.push_str(&text(*c));
        out.push('\n');
    }
    let config = match ship {
        NodeShip::Next(NextOutput::Standalone(change), _) => change,
        _ => None,
    };
    Ok(Split {
        title: if two_stage { DEPS_TITLE } else { TITLE }.to_string(),
        text: out,
        config,
    })
}
