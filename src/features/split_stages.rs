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
//! Nothing the user wrote disappears: every instruction and comment is kept
//! in the stage it belongs to, and the two steps the deps stage replaces
//! (the manifest COPY and the install RUN) stay as comments saying so.

use tree_sitter::{Node, Tree};

use crate::analysis::commands::{self, Action, Ecosystem, Tool};
use crate::analysis::next_config;
use crate::analysis::shell::{Command, Script};
use crate::diagnostics::BuildContext;
use crate::syntax::{self, logical_text, views, Source};

/// The rewrite: the new text of the whole document, and the change the
/// project's Next.js config needs for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    pub title: String,
    pub text: String,
    pub config: Option<ConfigChange>,
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

/// How a Next.js app ships.
#[derive(Clone, Debug, PartialEq, Eq)]
enum NextOutput {
    /// `output: "standalone"`: server.js with the modules it traces, plus
    /// the static files; the config change (if any) that turns it on.
    Standalone(Option<ConfigChange>),
    /// The whole `.next` with production dependencies and `next start`,
    /// and why standalone output could not be used.
    Whole(String),
}

/// Whether a CMD runs `next start` (directly or through the package
/// manager's `start` script).
fn starts_next(cmd: &str) -> bool {
    let words = command_words(cmd);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    matches!(
        words.as_slice(),
        ["npm" | "yarn" | "pnpm", "start", ..]
            | ["npm" | "yarn" | "pnpm", "run", "start", ..]
            | ["next", "start", ..]
            | ["npx", "next", "start", ..]
    )
}

/// How to ship the Next.js app `items` build, given the build context.
fn next_output(items: &[Item], source: &dyn Source, build: Option<&BuildContext>) -> NextOutput {
    let text = |n: Node| source.text(n.byte_range()).into_owned();
    let cmd = items
        .iter()
        .rev()
        .find(|i| i.node.kind() == "cmd_instruction");
    let entrypoint = items
        .iter()
        .any(|i| i.node.kind() == "entrypoint_instruction");
    if entrypoint || !cmd.is_some_and(|c| starts_next(&text(c.node))) {
        return NextOutput::Whole(
            "the CMD does not run `next start` (standalone output replaces it with `node server.js`)"
                .into(),
        );
    }
    let Some(build) = build else {
        return NextOutput::Whole(
            "the Dockerfile is not in a project folder whose next.config could be edited".into(),
        );
    };
    match &build.next_config {
        None => NextOutput::Standalone(Some(ConfigChange {
            file: next_config::NEW_CONFIG_NAME.into(),
            create: true,
            offset: 0,
            insert: next_config::NEW_CONFIG_TEXT.into(),
        })),
        Some((name, config)) => match next_config::add_standalone(config) {
            Ok(None) => NextOutput::Standalone(None),
            Ok(Some((offset, insert))) => NextOutput::Standalone(Some(ConfigChange {
                file: name.clone(),
                create: false,
                offset,
                insert,
            })),
            Err(why) => NextOutput::Whole(format!(
                "{name} cannot be given output: \"standalone\" automatically: {why}"
            )),
        },
    }
}

pub const TITLE: &str = "Split into deps, build and runner stages";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Manager {
    Npm,
    Yarn,
    Pnpm,
}

impl Manager {
    fn lockfile(self) -> &'static str {
        match self {
            Manager::Npm => "package-lock.json",
            Manager::Yarn => "yarn.lock",
            Manager::Pnpm => "pnpm-lock.yaml",
        }
    }

    fn install(self) -> &'static str {
        match self {
            Manager::Npm => "RUN --mount=type=cache,target=/root/.npm npm ci",
            Manager::Yarn => {
                "RUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install --frozen-lockfile"
            }
            Manager::Pnpm => {
                "RUN --mount=type=cache,target=/root/.local/share/pnpm/store corepack enable pnpm && pnpm install --frozen-lockfile"
            }
        }
    }

    fn install_production(self) -> &'static str {
        match self {
            Manager::Npm => "RUN npm ci --omit=dev && npm cache clean --force",
            Manager::Yarn => "RUN yarn install --frozen-lockfile --production && yarn cache clean",
            Manager::Pnpm => {
                "RUN corepack enable pnpm && pnpm install --frozen-lockfile --prod && pnpm store prune"
            }
        }
    }
}

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

/// The `target/release/<name>` binary a CMD/ENTRYPOINT text runs, as an
/// absolute path under `workdir`.
fn rust_binary(commands: &str, workdir: &str) -> Option<String> {
    let at = commands.find("target/release/")?;
    let start = commands[..at].rfind(['"', ' ', '[']).map_or(0, |i| i + 1);
    let end = at
        + commands[at..]
            .find(|c: char| c == '"' || c.is_whitespace() || c == ']')
            .unwrap_or(commands.len() - at);
    let path = &commands[start..end];
    let name = path.rsplit('/').next()?;
    if name.is_empty() {
        return None;
    }
    Some(if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{workdir}/{}", path.trim_start_matches("./"))
    })
}

/// The requirements file of `pip install -r <file>`.
fn pip_requirements(c: &Command) -> Option<String> {
    commands::invocation(c)?
        .requirements_file()
        .map(str::to_string)
}

/// The binary `go build -o <path>` writes (an absolute path).
fn go_binary(c: &Command) -> Option<String> {
    let i = commands::invocation(c)?;
    if i.tool != Tool::Go || i.action != Action::Build {
        return None;
    }
    i.output()
        .filter(|p| p.starts_with('/'))
        .map(str::to_string)
}

/// `go mod download` / `go mod verify`: the modules from go.mod and
/// go.sum alone.
fn is_go_download(c: &Command) -> bool {
    commands::invocation(c).is_some_and(|i| i.tool == Tool::Go && i.fetches_locked_dependencies())
}

/// The Node package manager of a dependency install from the manifest.
fn node_install(c: &Command) -> Option<Manager> {
    if !crate::rules::packages::is_node_install(c) {
        return None;
    }
    Some(match commands::invocation(c)?.tool {
        Tool::Yarn => Manager::Yarn,
        Tool::Pnpm => Manager::Pnpm,
        _ => Manager::Npm,
    })
}

/// Whether a script only sets up the system (installs OS packages, makes
/// directories): the dependency install may need what it installs
/// (python3, make and g++ for native Node modules, libpq for psycopg).
fn sets_up_the_system(script: &Script) -> bool {
    // zypper is not in the command model
    let package_manager = |c: &Command| {
        c.name == "zypper"
            || commands::invocation(c).is_some_and(|i| i.tool.is_os_package_manager())
    };
    let installs = |c: &Command| {
        if c.name == "zypper" {
            return matches!(c.operands().next(), Some("install" | "in"));
        }
        commands::invocation(c)
            .is_some_and(|i| i.tool.is_os_package_manager() && i.action == Action::Install)
    };
    const HELPERS: &[&str] = &[
        "rm",
        "mkdir",
        "ln",
        "echo",
        "true",
        "update-ca-certificates",
    ];
    script.commands.iter().any(installs)
        && script
            .commands
            .iter()
            .all(|c| package_manager(c) || HELPERS.contains(&c.name.as_str()))
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
}

impl Frame {
    fn of(stage: Node, from: Node, source: &dyn Source) -> Frame {
        let text = |n: Node| source.text(n.byte_range()).into_owned();
        let mut flags = String::new();
        for f in views::flags(from, source) {
            flags.push_str(&text(f.node));
            flags.push(' ');
        }
        Frame {
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
        format!("{} {}{} AS {name}\n", self.keyword, self.flags, self.image)
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

const MANIFESTS: &[&str] = &[
    "package.json",
    "package*.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    ".npmrc",
    ".yarnrc",
    ".yarnrc.yml",
];

/// `build`: the files around the Dockerfile, when it is saved in a folder
/// (a Next.js project is recognised and configured through it).
pub fn split(tree: &Tree, source: &dyn Source, build: Option<&BuildContext>) -> Option<Split> {
    split_with(tree, source, build, true)
}

/// [`split`] for an editor that may not create files (`can_create_files`
/// false): a Next.js project without a config then ships all of `.next`.
pub fn split_with(
    tree: &Tree,
    source: &dyn Source,
    build: Option<&BuildContext>,
    can_create_files: bool,
) -> Option<Split> {
    if tree.root_node().has_error() {
        return None;
    }
    let stages = views::stages(tree);
    let [(stage, from)] = stages.as_slice() else {
        return None;
    };
    let text = |n: Node| source.text(n.byte_range()).into_owned();

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

    // What the stage does.
    let mut manager = None;
    let mut go = None;
    let mut python = None;
    // `pip install --require-hashes`: the deps stage checks them too
    let mut require_hashes = false;
    let mut cargo = false;
    let mut install = None;
    let mut builds = false;
    let mut output_hint = String::new();
    // The script of each shell-form RUN, read once.
    let scripts: Vec<Option<Script>> = items
        .iter()
        .map(|item| {
            let shell = item.node.child_by_field_name("shell")?;
            (item.node.kind() == "run_instruction")
                .then(|| Script::parse(&logical_text(shell, source)))
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
                    if crate::rules::packages::is_build(c) {
                        builds = true;
                    }
                    if go.is_none() {
                        go = go_binary(c);
                    }
                    if is_go_download(c) && install.is_none() {
                        install = Some(i);
                    }
                    cargo |= commands::invocation(c)
                        .is_some_and(|i| i.tool == Tool::Cargo && i.action == Action::Build);
                    if let Some(file) = pip_requirements(c) {
                        if python.is_none() {
                            python = Some(file);
                            require_hashes = commands::invocation(c)
                                .is_some_and(|i| i.has_flag(&["--require-hashes"]));
                            install = install.or(Some(i));
                        }
                    }
                }
            }
            "cmd_instruction" | "entrypoint_instruction" => output_hint.push_str(&text(item.node)),
            _ => {}
        }
    }
    let stack = match (manager, go) {
        (Some(m), _) if install.is_some() && builds => Stack::Node(m),
        (None, Some(binary)) => Stack::Go(binary),
        (None, None) if python.is_some() => Stack::Python(python.unwrap_or_default()),
        (None, None) if cargo => {
            let workdir = first_workdir_value(&items, source);
            Stack::Rust(rust_binary(&output_hint, &workdir)?)
        }
        (None, None) => {
            return generic(*stage, *from, &items, &scripts, &trailing_comments, source)
        }
        _ => return None,
    };
    // Go's deps stage downloads modules even when the file did not.
    let install = install.unwrap_or(usize::MAX);
    // The install RUN must do nothing but install (else it stays in build).
    let install_only = scripts
        .get(install)
        .and_then(Option::as_ref)
        .is_some_and(|script| {
            script.commands.iter().all(|c| match stack {
                Stack::Node(_) => node_install(c).is_some(),
                Stack::Go(_) => is_go_download(c),
                Stack::Python(_) => pip_requirements(c).is_some(),
                Stack::Rust(_) => false,
            })
        });
    let manifest_files: Vec<&str> = match &stack {
        Stack::Node(_) => MANIFESTS.to_vec(),
        Stack::Go(_) => vec!["go.mod", "go.sum"],
        Stack::Python(file) => vec![file.as_str(), "requirements.txt", "constraints.txt"],
        Stack::Rust(_) => vec!["Cargo.toml", "Cargo.lock"],
    };

    let workdir = first_workdir_value(&items, source);
    let first_workdir = items
        .iter()
        .position(|i| i.node.kind() == "workdir_instruction");

    // Which COPY brings the manifest (only manifest files, before the install).
    let is_manifest_copy = |n: Node| {
        if n.kind() != "copy_instruction" || !views::flags(n, source).is_empty() {
            return false;
        }
        let mut c = n.walk();
        let paths: Vec<String> = n
            .children_by_field_name("path", &mut c)
            .map(|p| logical_text(p, source))
            .collect();
        paths.len() >= 2
            && paths[..paths.len() - 1].iter().all(|p| {
                // from the context's root or a subfolder of it
                // (`COPY ./src/app/requirements.txt requirements.txt`)
                let p = p.trim_start_matches("./");
                let name = p.rsplit('/').next().unwrap_or(p);
                manifest_files.contains(&p) || manifest_files.contains(&name)
            })
    };

    // Where the install happened in the original (Go: before the first RUN).
    let deps_point = if install == usize::MAX {
        scripts
            .iter()
            .position(Option::is_some)
            .unwrap_or(items.len())
    } else {
        install
    };
    let early = |i: usize, n: Node| {
        i < deps_point
            && Some(i) != first_workdir
            && (matches!(n.kind(), "arg_instruction" | "env_instruction")
                || scripts[i].as_ref().is_some_and(sets_up_the_system))
    };
    let place = |i: usize, n: Node| -> Place {
        if Some(i) == first_workdir {
            return Place::Replaced; // every stage starts with it
        }
        if early(i, n) {
            return Place::Early;
        }
        if i == install && install_only {
            return Place::Replaced;
        }
        if i < install && is_manifest_copy(n) {
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

    let frame = Frame::of(*stage, *from, source);
    let mut out = frame.prefix.clone();
    let keyword = &frame.keyword;
    let from_line = |name: &str| frame.stage_line(name);
    // The user's own manifest COPY sources (a `package*.json` glob copes
    // with a missing lockfile), else the manifest and the lockfile.
    let user_manifests = items
        .iter()
        .take(install)
        .find(|i| is_manifest_copy(i.node))
        .map(|i| {
            let mut c = i.node.walk();
            let paths: Vec<String> = i
                .node
                .children_by_field_name("path", &mut c)
                .map(|p| logical_text(p, source))
                .collect();
            paths[..paths.len() - 1].join(" ")
        });
    let manifests = user_manifests.unwrap_or_else(|| match &stack {
        Stack::Node(manager) => format!("package.json {}", manager.lockfile()),
        Stack::Go(_) => "go.mod go.sum".to_string(),
        Stack::Python(file) => file.clone(),
        Stack::Rust(_) => "Cargo.toml Cargo.lock".to_string(),
    });
    // The user's first WORKDIR, as written, starts every stage.
    let workdir_line = match first_workdir {
        Some(i) => format!("{}\n", text(items[i].node)),
        None => format!("WORKDIR {workdir}\n"),
    };

    let push_item = |out: &mut String, item: &Item| push_item(out, item, source);

    // The early items: `runs` with the system set-up (stages on the
    // original base), without it for stages that inherit it or do not
    // start from the base. The comments above them go to deps only.
    let emit_early = |out: &mut String, runs: bool, comments: bool| {
        for (i, item) in items.iter().enumerate() {
            if place(i, item.node) != Place::Early
                || (!runs && item.node.kind() == "run_instruction")
            {
                continue;
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
    out.push_str(&workdir_line);
    emit_early(&mut out, true, true);
    if two_stage_stack(&stack) {
        out.push_str("RUN python -m venv /opt/venv\n");
        out.push_str(VENV_PATH);
    }
    out.push_str(&format!("COPY {manifests} ./\n"));
    match &stack {
        Stack::Node(manager) => out.push_str(manager.install()),
        Stack::Go(_) => out.push_str("RUN --mount=type=cache,target=/go/pkg/mod go mod download"),
        Stack::Python(file) => out.push_str(&format!(
            "RUN --mount=type=cache,target=/root/.cache/pip pip install {}-r {file}",
            if require_hashes { "--require-hashes " } else { "" }
        )),
        // `cargo fetch` needs a target to read the manifest: a stub main
        Stack::Rust(_) => out.push_str(
            "RUN mkdir -p src && echo 'fn main() {}' > src/main.rs && cargo fetch --locked && rm -rf src",
        ),
    }
    out.push_str("\n\n");
    let two_stage = two_stage_stack(&stack);
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

    // build
    match &stack {
        Stack::Node(_) => {
            out.push_str("# Build with every dependency, dev ones included.\n");
            out.push_str(&from_line("build"));
            out.push_str(&workdir_line);
            emit_early(&mut out, true, false);
            out.push_str(&format!(
                "COPY --from=deps {workdir}/node_modules ./node_modules\n"
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
            Place::Replaced => replaced(&mut out, i, item),
            Place::Build | Place::Both => push_item(&mut out, item),
            Place::Runner | Place::Early => {}
        }
    }
    if !two_stage {
        out.push('\n');
    }

    // runner
    let next = build.is_some_and(|b| b.uses_next || b.next_config.is_some())
        || output_hint.contains("next ")
        || items.iter().any(|i| text(i.node).contains("next build"));
    let next = (next && matches!(stack, Stack::Node(_))).then(|| {
        match next_output(&items, source, build) {
            NextOutput::Standalone(Some(change)) if change.create && !can_create_files => {
                NextOutput::Whole(format!(
                    "the editor cannot create {} (output: \"standalone\")",
                    change.file
                ))
            }
            other => other,
        }
    });
    let standalone = matches!(next, Some(NextOutput::Standalone(_)));
    let mut user_added = items.iter().any(|i| i.node.kind() == "user_instruction");
    match &stack {
        Stack::Node(manager) => {
            out.push_str(if standalone {
                "# The image that ships: the standalone server and the static files.\n"
            } else {
                "# The image that ships: production dependencies and the build output.\n"
            });
            out.push_str(&from_line("runner"));
            out.push_str(&workdir_line);
            emit_early(&mut out, true, false);
            out.push_str("ENV NODE_ENV=production\n");
            if !standalone {
                out.push_str(&format!("COPY {manifests} ./\n"));
                out.push_str(manager.install_production());
                out.push('\n');
            }
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
            if needs_shell {
                out.push_str(&format!("{keyword} debian:12-slim AS runner\n"));
            } else {
                out.push_str(&format!(
                    "{keyword} gcr.io/distroless/base-debian12:nonroot AS runner\n"
                ));
                user_added = true; // the nonroot image runs as an unprivileged user
            }
            out.push_str(&workdir_line);
            emit_early(&mut out, false, false);
            out.push_str(&format!("COPY --from=build {binary} {binary}\n"));
        }
        Stack::Rust(binary) => {
            out.push_str("# The image that ships: the binary on a slim glibc base.\n");
            out.push_str(&format!("{keyword} debian:12-slim AS runner\n"));
            out.push_str(&workdir_line);
            emit_early(&mut out, false, false);
            out.push_str(&format!("COPY --from=build {binary} {binary}\n"));
        }
        Stack::Python(_) => {
            out.push_str(
                "# The image that ships: the virtualenv, the sources, no build tooling.\n",
            );
            out.push_str(&from_line("runner"));
            out.push_str(&workdir_line);
            emit_early(&mut out, true, false);
            out.push_str(VENV_PATH);
            out.push_str("COPY --from=deps /opt/venv /opt/venv\n");
        }
    }
    let user = frame.user();
    let node_output = matches!(stack, Stack::Node(_));
    let public = build.is_none_or(|b| b.has_public_dir);
    if let Some(next) = &next {
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
                     COPY --from=build {chown}{workdir}/.next/static ./.next/static\n\
                     ENV HOSTNAME=0.0.0.0\n"
                ));
            }
            NextOutput::Whole(why) => {
                out.push_str(&format!(
                    "# All of .next ships: {why}.\nCOPY --from=build {workdir}/.next ./.next\n"
                ));
            }
        }
    } else if node_output {
        let dir = ["dist", "build", "lib", "out"]
            .into_iter()
            .find(|d| output_hint.contains(&format!("{d}/")))
            .unwrap_or("dist");
        out.push_str(&format!("COPY --from=build {workdir}/{dir} ./{dir}\n"));
    }
    for (i, item) in items.iter().enumerate() {
        match place(i, item.node) {
            Place::Early => continue,
            Place::Runner | Place::Both => {}
            Place::Build if two_stage => {}
            Place::Replaced if two_stage => {
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
            out.push_str(&format!("USER {user}\n"));
            user_added = true;
        }
        if standalone && item.node.kind() == "cmd_instruction" {
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
        out.push_str(&format!("USER {user}\n"));
    }
    for c in &trailing_comments {
        out.push_str(&text(*c));
        out.push('\n');
    }
    let config = match next {
        Some(NextOutput::Standalone(change)) => change,
        _ => None,
    };
    Some(Split {
        title: TITLE.to_string(),
        text: out,
        config,
    })
}

pub const GENERIC_TITLE: &str = "Split into build and runner stages";

/// Whether a command builds with a toolchain the split has no deps stage
/// for (Node, Go, Python and Rust have their own): the JVM's, .NET's and
/// the native ones (make, cmake, gcc, zig...), as the command model reads
/// them.
fn builds_generically(c: &Command) -> bool {
    commands::step(c).is_some_and(|s| {
        s.action == Action::Build
            && matches!(
                s.ecosystem(),
                Ecosystem::Jvm | Ecosystem::Dotnet | Ecosystem::Other
            )
    })
}

/// The runtime image for a toolchain image, where there is a well-known
/// one (the JRE for a JDK, ASP.NET for the .NET SDK); else the original.
fn runtime_image(image: &str) -> String {
    let (repo, tag) = image.split_once(':').unwrap_or((image, ""));
    let alpine = if tag.ends_with("-alpine") {
        "-alpine"
    } else {
        ""
    };
    let jdk = |version: &str| {
        let digits: String = version.chars().take_while(char::is_ascii_digit).collect();
        (!digits.is_empty()).then(|| format!("eclipse-temurin:{digits}-jre{alpine}"))
    };
    let mapped = match repo {
        "maven" => tag.split_once("eclipse-temurin-").and_then(|(_, v)| jdk(v)),
        "gradle" => tag.split_once("-jdk").and_then(|(_, v)| jdk(v)),
        "eclipse-temurin" => tag
            .contains("-jdk")
            .then(|| format!("{repo}:{}", tag.replacen("-jdk", "-jre", 1))),
        "mcr.microsoft.com/dotnet/sdk" => Some(format!("mcr.microsoft.com/dotnet/aspnet:{tag}")),
        _ => None,
    };
    mapped.unwrap_or_else(|| image.to_string())
}

/// The directory `dotnet publish -o <dir>` writes to.
fn publish_dir(c: &Command) -> Option<String> {
    let i = commands::invocation(c)?;
    if i.tool != Tool::Dotnet || i.subcommand() != Some("publish") {
        return None;
    }
    i.output().map(str::to_string)
}

/// `path` resolved against the directory `dir`.
fn absolute(dir: &str, path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!(
            "{}/{}",
            dir.trim_end_matches('/'),
            path.trim_start_matches("./")
        )
    }
}

/// The words of a CMD/ENTRYPOINT instruction's text, after the keyword
/// (exec form or shell form).
fn command_words(instruction: &str) -> Vec<String> {
    let body = instruction
        .trim_start()
        .trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .trim();
    if body.starts_with('[') {
        serde_json::from_str(body).unwrap_or_default()
    } else {
        body.split_whitespace().map(str::to_string).collect()
    }
}

/// Another stack's build/runner split: the build stage runs everything the
/// original did; the runner starts from the runtime image (the original
/// base unless a well-known runtime exists) and gets only what the CMD or
/// ENTRYPOINT runs (or what `dotnet publish -o` wrote), copied by path.
fn generic(
    stage: Node,
    from: Node,
    items: &[Item],
    scripts: &[Option<Script>],
    trailing_comments: &[Node],
    source: &dyn Source,
) -> Option<Split> {
    let text = |n: Node| source.text(n.byte_range()).into_owned();
    let first_build = scripts.iter().position(|s| {
        s.as_ref()
            .is_some_and(|s| s.commands.iter().any(builds_generically))
    })?;
    let runs: String = items
        .iter()
        .filter(|i| i.node.kind() == "run_instruction")
        .map(|i| text(i.node))
        .collect();
    // The WORKDIR in effect at each item.
    let mut dir = "/".to_string();
    let mut dirs = Vec::new();
    for item in items {
        if item.node.kind() == "workdir_instruction" {
            if let Some(v) = item.node.child_by_field_name("value") {
                dir = absolute(&dir, &logical_text(v, source));
            }
        }
        dirs.push(dir.clone());
    }
    // What the runner needs from the build.
    let mut outputs: Vec<String> = Vec::new();
    for (i, script) in scripts.iter().enumerate() {
        for c in script.iter().flat_map(|s| &s.commands) {
            outputs.extend(publish_dir(c).map(|d| absolute(&dirs[i], &d)));
        }
    }
    if outputs.is_empty() {
        for (i, item) in items.iter().enumerate() {
            if !matches!(
                item.node.kind(),
                "cmd_instruction" | "entrypoint_instruction"
            ) {
                continue;
            }
            for word in command_words(&source.text(item.node.byte_range())) {
                let artifact = [".jar", ".war", ".dll", ".exe", ".bin"]
                    .iter()
                    .any(|e| word.ends_with(e));
                let built = if word.starts_with('/') {
                    runs.contains(&word)
                } else {
                    !word.starts_with(['-', '$']) && (word.contains('/') || artifact)
                };
                if built && !word.contains(['*', '?', '$']) {
                    outputs.push(absolute(&dirs[i], &word));
                }
            }
        }
    }
    outputs.dedup();
    if outputs.is_empty() {
        return None;
    }

    let frame = Frame::of(stage, from, source);
    let runtime = runtime_image(&frame.image);
    let same_base = runtime == frame.image;
    let first_workdir = items
        .iter()
        .position(|i| i.node.kind() == "workdir_instruction");
    let mut out = frame.prefix.clone();
    out.push_str("# Build with the whole toolchain.\n");
    out.push_str(&frame.stage_line("build"));
    // What follows the last step that touches files is for the runner only.
    let last_step = items
        .iter()
        .rposition(|i| {
            matches!(
                i.node.kind(),
                "run_instruction" | "copy_instruction" | "add_instruction"
            )
        })
        .unwrap_or(0);
    for item in &items[..=last_step] {
        if !matches!(
            item.node.kind(),
            "run_instruction"
                | "copy_instruction"
                | "add_instruction"
                | "env_instruction"
                | "arg_instruction"
                | "workdir_instruction"
                | "shell_instruction"
        ) {
            continue;
        }
        push_item(&mut out, item, source);
    }
    out.push_str("\n# The image that ships: what the build made, without the toolchain.\n");
    if same_base {
        out.push_str(&frame.stage_line("runner"));
    } else {
        out.push_str(&format!(
            "{} {}{runtime} AS runner\n",
            frame.keyword, frame.flags
        ));
    }
    if let Some(i) = first_workdir {
        push_item(&mut out, &items[i], source);
    }
    for (i, item) in items.iter().enumerate() {
        // OS packages set up before the build are runtime libraries too
        let setup =
            i < first_build && same_base && scripts[i].as_ref().is_some_and(sets_up_the_system);
        if setup
            || matches!(item.node.kind(), "arg_instruction" | "env_instruction") && i < first_build
        {
            out.push_str(&text(item.node));
            out.push('\n');
        }
    }
    for output in &outputs {
        out.push_str(&format!("COPY --from=build {output} {output}\n"));
    }
    let mut user_added = items.iter().any(|i| i.node.kind() == "user_instruction");
    for (i, item) in items.iter().enumerate() {
        let kind = item.node.kind();
        let runner = match kind {
            "run_instruction" | "copy_instruction" | "add_instruction" => false,
            "arg_instruction" | "env_instruction" => i >= first_build,
            "workdir_instruction" => Some(i) != first_workdir,
            _ => true,
        };
        if !runner {
            continue;
        }
        if !user_added && matches!(kind, "cmd_instruction" | "entrypoint_instruction") {
            out.push_str(&format!("USER {}\n", frame.user()));
            user_added = true;
        }
        push_item(&mut out, item, source);
    }
    if !user_added {
        out.push_str(&format!("USER {}\n", frame.user()));
    }
    for c in trailing_comments {
        out.push_str(&text(*c));
        out.push('\n');
    }
    Some(Split {
        title: GENERIC_TITLE.to_string(),
        text: out,
        config: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;
    use crate::diagnostics::{diagnose, Context, Severity};

    fn split_text(src: &str) -> Option<String> {
        split(&syntax::parse(src), &src, None).map(|s| s.text)
    }

    /// The rewrite parses clean and our rules give it no warning.
    fn assert_clean(out: &str) -> Analysis {
        let tree = syntax::parse(out);
        assert!(!tree.root_node().has_error(), "{out}");
        let analysis = Analysis::build(&tree, out);
        let warnings: Vec<_> = diagnose(&tree, &out, &analysis, &Context::default())
            .into_iter()
            .filter(|d| d.severity <= Severity::Warning)
            .collect();
        assert!(warnings.is_empty(), "{warnings:?}\n{out}");
        analysis
    }

    /// The write-up's single-stage TypeScript image.
    const TYPESCRIPT: &str = "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm install\n# the sources\nCOPY . .\nRUN npm run build\nENV PORT=3000\nEXPOSE 3000\nCMD [\"node\", \"dist/index.js\"]\n";

    #[test]
    fn splits_the_typescript_example() {
        let out = split_text(TYPESCRIPT).unwrap();
        let analysis = assert_clean(&out);
        let names: Vec<_> = analysis
            .stages
            .stages
            .iter()
            .map(|s| s.name.clone().unwrap())
            .collect();
        assert_eq!(names, ["deps", "build", "runner"]);
        assert!(analysis
            .stages
            .refs
            .iter()
            .all(|r| r.target.is_some() || r.kind == crate::analysis::stages::RefKind::FromBase));
        for kept in [
            "# the sources",
            "ENV PORT=3000",
            "EXPOSE 3000",
            "CMD [\"node\", \"dist/index.js\"]",
            "npm run build",
            "RUN npm install",
        ] {
            assert!(out.contains(kept), "{kept} lost:\n{out}");
        }
        assert!(out.contains("USER node\nCMD"), "{out}");
        assert!(out.contains("COPY --from=build /app/dist ./dist"), "{out}");
        assert!(
            out.contains("COPY package*.json ./\nRUN npm ci --omit=dev"),
            "{out}"
        );
        // not offered twice
        assert!(split_text(&out).is_none());
    }

    /// A small deterministic generator of single-stage Node Dockerfiles.
    fn generated(seed: u64) -> String {
        let mut state = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as usize) % n
        };
        const BASES: &[&str] = &[
            "node:20",
            "node:22-alpine",
            "--platform=$BUILDPLATFORM node:20",
            "registry.example.com/node:18",
        ];
        const INSTALLS: &[&str] = &[
            "RUN npm install",
            "RUN npm ci",
            "RUN yarn install --frozen-lockfile",
            "RUN pnpm install",
            "RUN npm install \\\n    && npm ls",
        ];
        const BUILDS: &[&str] = &[
            "RUN npm run build",
            "RUN yarn build",
            "RUN pnpm build",
            "RUN npx tsc && npm run build",
        ];
        let stack = next(6);
        let (go, python, rust, other) = (stack == 0, stack == 1, stack == 2, stack == 5);
        const GO_BUILDS: &[&str] = &[
            "RUN go build -o /bin/app .",
            "RUN CGO_ENABLED=0 go build -trimpath -o /usr/local/bin/app ./cmd/app",
            "RUN --mount=type=cache,target=/root/.cache/go-build \\\n    go build -o /bin/app .",
        ];
        const OTHERS: &[&str] = &[
            "# a comment",
            "ENV PORT=3000",
            "ARG VERSION=1",
            "LABEL org.opencontainers.image.title=app",
            "EXPOSE 3000",
            "COPY . .",
            "COPY src ./src",
            "RUN echo hi",
            "RUN apt-get update && \\\n    echo done",
            "RUN apt-get update && apt-get install -y --no-install-recommends make \\\n    && rm -rf /var/lib/apt/lists/*",
            "WORKDIR /srv/app",
            "HEALTHCHECK CMD curl -f http://localhost:3000/ || exit 1",
            "VOLUME /data",
            "STOPSIGNAL SIGTERM",
            "SHELL [\"/bin/sh\", \"-c\"]",
            "# another\n# comment block",
            "USER node",
        ];
        let mut lines = Vec::new();
        if next(3) == 0 {
            lines.push("# syntax=docker/dockerfile:1".to_string());
            lines.push("ARG NODE=20".to_string());
        }
        if go {
            lines.push(format!("FROM golang:1.{}", 20 + next(4)));
        } else if python {
            lines.push(format!("FROM python:3.{}-slim", 10 + next(4)));
        } else if rust {
            lines.push(format!("FROM rust:1.{}", 80 + next(4)));
        } else if other {
            lines.push(["FROM maven:3.9-eclipse-temurin-21", "FROM gcc:14"][next(2)].into());
        } else {
            lines.push(format!("FROM {}", BASES[next(BASES.len())]));
        }
        if next(2) == 0 {
            lines.push("WORKDIR /app".into());
        }
        for _ in 0..next(3) {
            lines.push(OTHERS[next(OTHERS.len())].into());
        }
        if go {
            if next(2) == 0 {
                lines.push("COPY go.mod go.sum ./".into());
                lines.push("RUN go mod download".into());
            }
        } else if rust {
            if next(2) == 0 {
                lines.push("COPY Cargo.toml Cargo.lock ./".into());
            }
        } else if other {
            lines.push("COPY . .".into());
        } else if python {
            if next(2) == 0 {
                lines.push("COPY requirements.txt .".into());
            }
            lines.push(
                ["RUN pip install -r requirements.txt", "RUN pip install --no-cache-dir -r requirements.txt && \\\n    python -m compileall ."][next(2)].into(),
            );
        } else {
            if next(2) == 0 {
                lines.push("COPY package.json package-lock.json ./".into());
            }
            lines.push(INSTALLS[next(INSTALLS.len())].into());
        }
        for _ in 0..next(4) {
            lines.push(OTHERS[next(OTHERS.len())].into());
        }
        if go {
            lines.push(GO_BUILDS[next(GO_BUILDS.len())].into());
        } else if python {
            lines.push("RUN python manage.py collectstatic --noinput".into());
        } else if rust {
            lines.push("RUN cargo build --release --locked".into());
        } else if other {
            lines.push(["RUN mvn -B package", "RUN make -j4 \\\n    && make test"][next(2)].into());
        } else {
            lines.push(BUILDS[next(BUILDS.len())].into());
        }
        for _ in 0..next(5) {
            lines.push(OTHERS[next(OTHERS.len())].into());
        }
        if rust {
            lines.push("CMD [\"./target/release/app\"]".into());
        } else if other {
            lines.push(
                [
                    "CMD [\"java\", \"-jar\", \"target/app.jar\"]",
                    "ENTRYPOINT [\"./bin/server\"]",
                ][next(2)]
                .into(),
            );
        } else if next(2) == 0 {
            lines.push("CMD [\"node\", \"dist/index.js\"]".into());
        } else {
            lines.push("ENTRYPOINT [\"node\"]\nCMD [\"build/server.js\"]".into());
        }
        lines.join("\n") + "\n"
    }

    /// The action never loses an instruction or a comment and never makes
    /// an unparseable file, on 2,000 generated single-stage files.
    #[test]
    fn never_loses_anything_and_always_parses() {
        for seed in 0..2000 {
            let src = generated(seed);
            let tree = syntax::parse(&src);
            assert!(
                !tree.root_node().has_error(),
                "generator made a bad file:\n{src}"
            );
            let out = split_text(&src).unwrap_or_else(|| panic!("not offered on:\n{src}"));
            let new_tree = syntax::parse(&out);
            assert!(
                !new_tree.root_node().has_error(),
                "unparseable:\n{src}\n--->\n{out}"
            );
            for node in syntax::lines(&tree) {
                let original = &src[node.byte_range()];
                let kept = out.contains(original)
                    || out.contains(&format!(
                        "# done in the deps stage: {}",
                        original.replace('\n', "\n# ")
                    ));
                assert!(kept, "lost {original:?}:\n{src}\n--->\n{out}");
            }
            assert!(split_text(&out).is_none(), "offered twice:\n{out}");
        }
    }

    #[test]
    #[ignore = "prints a sample: cargo test --lib split_sample -- --ignored --nocapture"]
    fn split_sample() {
        let src = generated(11);
        println!("{src}\n--->\n{}", split_text(&src).unwrap());
    }

    #[test]
    fn splits_a_go_service() {
        let src = "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /bin/server ./cmd/server\nEXPOSE 8080\nENTRYPOINT [\"/bin/server\"]\n";
        let out = split_text(src).unwrap();
        for line in [
            "FROM golang:1.23 AS deps\nWORKDIR /src\nCOPY go.mod go.sum ./\n",
            "FROM deps AS build\n",
            "FROM gcr.io/distroless/base-debian12:nonroot AS runner\nWORKDIR /src\nCOPY --from=build /bin/server /bin/server\nEXPOSE 8080\nENTRYPOINT [\"/bin/server\"]\n",
        ] {
            assert!(out.contains(line), "{line}\n--->\n{out}");
        }
        assert_clean(&out);
        assert!(split_text(&out).is_none());
        // no -o: where the binary goes is unknown, so no split
        assert!(split_text("FROM golang:1.23\nCOPY . .\nRUN go build ./...\n").is_none());
    }

    #[test]
    fn splits_a_python_app() {
        let src = "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nEXPOSE 8000\nCMD [\"gunicorn\", \"app:app\"]\n";
        let out = split_text(src).unwrap();
        for line in [
            "FROM python:3.12-slim AS deps\nWORKDIR /app\nRUN python -m venv /opt/venv\n",
            "FROM python:3.12-slim AS runner\nWORKDIR /app\nENV PATH=\"/opt/venv/bin:$PATH\"\nCOPY --from=deps /opt/venv /opt/venv\n",
            "COPY . .\nEXPOSE 8000\nUSER 65532\nCMD",
        ] {
            assert!(out.contains(line), "{line}\n--->\n{out}");
        }
        assert_clean(&out);
        assert!(split_text(&out).is_none());
    }

    #[test]
    fn splits_a_rust_service() {
        let src = "FROM rust:1.82\nWORKDIR /usr/src/app\nCOPY . .\nRUN cargo build --release --locked\nEXPOSE 8080\nCMD [\"./target/release/server\"]\n";
        let out = split_text(src).unwrap();
        for line in [
            "FROM rust:1.82 AS deps\nWORKDIR /usr/src/app\nCOPY Cargo.toml Cargo.lock ./\n",
            "FROM deps AS build\n",
            "FROM debian:12-slim AS runner\nWORKDIR /usr/src/app\nCOPY --from=build /usr/src/app/target/release/server /usr/src/app/target/release/server\n",
            "USER 65532\nCMD [\"./target/release/server\"]",
        ] {
            assert!(out.contains(line), "{line}\n--->\n{out}");
        }
        assert_clean(&out);
        assert!(split_text(&out).is_none());
        // no binary named by the CMD: not offered
        assert!(split_text("FROM rust:1.82\nCOPY . .\nRUN cargo build --release\n").is_none());
    }

    /// The write-up's Next.js app.
    const NEXT_APP: &str = "FROM node:18-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nEXPOSE 3000\nCMD [\"npm\", \"start\"]\n";

    fn next_project(config: Option<&str>) -> BuildContext {
        BuildContext {
            uses_next: true,
            has_public_dir: true,
            next_config: config.map(|c| ("next.config.js".to_string(), c.to_string())),
            ..Default::default()
        }
    }

    /// The rewrite of `src` in `build`, checked clean with the config as
    /// the action leaves it.
    fn split_next(src: &str, build: &BuildContext) -> Split {
        let split = split(&syntax::parse(src), &src, Some(build)).unwrap();
        let mut after = build.clone();
        if let Some(change) = &split.config {
            let mut text = match (&build.next_config, change.create) {
                (Some((_, text)), false) => text.clone(),
                _ => String::new(),
            };
            text.insert_str(change.offset, &change.insert);
            after.next_config = Some((change.file.clone(), text));
        }
        let tree = syntax::parse(&split.text);
        assert!(!tree.root_node().has_error(), "{}", split.text);
        let analysis = Analysis::build(&tree, split.text.as_str());
        let context = Context {
            build_context: Some(after),
            ..Context::default()
        };
        let warnings: Vec<_> = diagnose(&tree, &split.text.as_str(), &analysis, &context)
            .into_iter()
            .filter(|d| d.severity <= Severity::Warning && d.code != "NoDockerignore")
            .collect();
        assert!(warnings.is_empty(), "{warnings:?}\n{}", split.text);
        split
    }

    #[test]
    fn ships_a_next_js_app_standalone_and_sets_its_config() {
        let build = next_project(Some("module.exports = {\n  reactStrictMode: true,\n};\n"));
        let split = split_next(NEXT_APP, &build);
        let out = &split.text;
        for line in [
            "FROM node:18-alpine AS runner\nWORKDIR /app\nENV NODE_ENV=production\nCOPY --from=build /app/public ./public\n",
            "COPY --from=build --chown=node:node /app/.next/standalone ./\nCOPY --from=build --chown=node:node /app/.next/static ./.next/static\n",
            "EXPOSE 3000\nUSER node\n# the standalone server replaces `next start`: CMD [\"npm\", \"start\"]\nCMD [\"node\", \"server.js\"]\n",
        ] {
            assert!(out.contains(line), "{line}\n--->\n{out}");
        }
        // standalone output carries its own modules: no install in the runner
        let runner = &out[out.find("AS runner").unwrap()..];
        assert!(!runner.contains("npm ci"), "{out}");
        assert_eq!(
            split.config,
            Some(ConfigChange {
                file: "next.config.js".into(),
                create: false,
                offset: "module.exports = {".len(),
                insert: "\n  output: \"standalone\",".into(),
            })
        );
        assert!(split_text(out).is_none());

        // already standalone: nothing to change; no config: one is created
        let set = next_project(Some("module.exports = { output: 'standalone' }"));
        assert_eq!(split_next(NEXT_APP, &set).config, None);
        let created = split_next(NEXT_APP, &next_project(None)).config.unwrap();
        assert!(
            created.create && created.file == "next.config.mjs",
            "{created:?}"
        );
    }

    #[test]
    fn ships_all_of_next_when_standalone_cannot_be_set() {
        // a config we cannot edit: the reason is written in the runner
        let build = next_project(Some("module.exports = (phase) => ({})\n"));
        let split = split_next(NEXT_APP, &build);
        assert_eq!(split.config, None);
        for line in [
            "# All of .next ships: next.config.js cannot be given output: \"standalone\" automatically: it exports a function",
            "COPY --from=build /app/.next ./.next\n",
            "COPY package.json package-lock.json ./\nRUN npm ci --omit=dev && npm cache clean --force\n",
            "USER node\nCMD [\"npm\", \"start\"]\n",
        ] {
            assert!(split.text.contains(line), "{line}\n--->\n{}", split.text);
        }
        // a custom server is kept as it is
        let custom = NEXT_APP.replace("[\"npm\", \"start\"]", "[\"node\", \"server.mjs\"]");
        let split = split_next(&custom, &next_project(None));
        assert!(
            split.text.contains("the CMD does not run `next start`"),
            "{}",
            split.text
        );
        assert!(split.text.contains("CMD [\"node\", \"server.mjs\"]"));
        // an unsaved file: Next.js is seen in the build command, no config to edit
        let unsaved = NEXT_APP.replace("npm run build", "npx next build");
        let out = split_text(&unsaved).unwrap();
        assert!(out.contains("not in a project folder"), "{out}");
        assert!(
            out.contains("COPY --from=build /app/.next ./.next"),
            "{out}"
        );
    }

    #[test]
    fn an_editor_that_cannot_create_files_gets_the_whole_next_dir() {
        let split = split_with(
            &syntax::parse(NEXT_APP),
            &NEXT_APP,
            Some(&next_project(None)),
            false,
        )
        .unwrap();
        assert_eq!(split.config, None);
        assert!(
            split
                .text
                .contains("# All of .next ships: the editor cannot create next.config.mjs"),
            "{}",
            split.text
        );
        // editing an existing config needs no new file
        let existing = next_project(Some("module.exports = {}\n"));
        let split =
            split_with(&syntax::parse(NEXT_APP), &NEXT_APP, Some(&existing), false).unwrap();
        assert!(split.config.is_some_and(|c| !c.create));
    }

    #[test]
    fn recognises_next_start_commands() {
        for yes in [
            "CMD [\"npm\", \"start\"]",
            "CMD npm run start",
            "CMD [\"yarn\", \"start\"]",
            "cmd next start -p 3000",
            "CMD [\"npx\", \"next\", \"start\"]",
        ] {
            assert!(starts_next(yes), "{yes}");
        }
        for no in [
            "CMD [\"node\", \"server.js\"]",
            "CMD npm run dev",
            "CMD [\"npm\"",
        ] {
            assert!(!starts_next(no), "{no}");
        }
    }

    /// What the install needs (build args, registry settings, a compiler
    /// for native modules) is in every stage that installs.
    #[test]
    fn the_install_keeps_what_it_needed() {
        let src = "FROM node:20-alpine\nARG REGISTRY=https://registry.npmjs.org/\nENV NPM_CONFIG_REGISTRY=$REGISTRY\n# native modules\nRUN apk add --no-cache python3 make g++\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nARG MODE=production\nRUN npm run build\nCMD [\"node\", \"dist/index.js\"]\n";
        let out = split_text(src).unwrap();
        let early = "ARG REGISTRY=https://registry.npmjs.org/\nENV NPM_CONFIG_REGISTRY=$REGISTRY\n";
        let setup = "RUN apk add --no-cache python3 make g++\n";
        for line in [
            format!("AS deps\nWORKDIR /app\n{early}# native modules\n{setup}COPY package.json"),
            format!("AS build\nWORKDIR /app\n{early}{setup}COPY --from=deps"),
            format!("AS runner\nWORKDIR /app\n{early}{setup}ENV NODE_ENV=production\n"),
            "COPY . .\nARG MODE=production\nRUN npm run build\n".to_string(),
        ] {
            assert!(out.contains(&line), "{line}\n--->\n{out}");
        }
        assert_eq!(out.matches("# native modules").count(), 1, "{out}");
        assert_clean(&out);

        // Go: the build stage inherits ENV from deps but re-declares ARGs
        let go = "FROM golang:1.23\nARG GOPROXY=https://proxy.golang.org\nENV CGO_ENABLED=0\nWORKDIR /src\nCOPY . .\nRUN go build -o /bin/app .\nENTRYPOINT [\"/bin/app\"]\n";
        let out = split_text(go).unwrap();
        for line in [
            "AS deps\nWORKDIR /src\nARG GOPROXY=https://proxy.golang.org\nENV CGO_ENABLED=0\nCOPY go.mod",
            "FROM deps AS build\nARG GOPROXY=https://proxy.golang.org\nCOPY . .",
        ] {
            assert!(out.contains(line), "{line}\n--->\n{out}");
        }
        assert_clean(&out);
    }

    fn split_generic(src: &str) -> String {
        let split = split(&syntax::parse(src), &src, None).unwrap();
        assert_eq!(split.title, GENERIC_TITLE);
        assert_clean(&split.text);
        assert!(split_text(&split.text).is_none());
        split.text
    }

    #[test]
    fn splits_other_stacks_into_build_and_runner() {
        let maven = split_generic("FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY . .\nRUN mvn -B package -DskipTests\nEXPOSE 8080\nCMD [\"java\", \"-jar\", \"target/app.jar\"]\n");
        assert!(
            maven.contains(
                "FROM maven:3.9-eclipse-temurin-21 AS build\nWORKDIR /app\nCOPY . .\nRUN mvn"
            ),
            "{maven}"
        );
        assert!(maven.contains("FROM eclipse-temurin:21-jre AS runner\nWORKDIR /app\nCOPY --from=build /app/target/app.jar /app/target/app.jar\nEXPOSE 8080\nUSER 65532\nCMD"), "{maven}");

        let dotnet = split_generic("FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\nRUN dotnet publish -c Release -o /app\nWORKDIR /app\nENTRYPOINT [\"dotnet\", \"MyApp.dll\"]\n");
        assert!(dotnet.contains("FROM mcr.microsoft.com/dotnet/aspnet:8.0 AS runner\nWORKDIR /src\nCOPY --from=build /app /app\nWORKDIR /app\nUSER 65532\nENTRYPOINT"), "{dotnet}");

        // no well-known runtime: the same base, the runtime libraries kept
        let c = split_generic("FROM gcc:14\nRUN apt-get update && apt-get install -y --no-install-recommends libssl3=3.0.15-1~deb12u1\nWORKDIR /src\nCOPY . .\nRUN make\n# serve\nCMD [\"./server\"]\n");
        assert!(c.contains("FROM gcc:14 AS runner\nWORKDIR /src\nRUN apt-get update && apt-get install -y --no-install-recommends libssl3=3.0.15-1~deb12u1\nCOPY --from=build /src/server /src/server\nUSER 65532\n# serve\nCMD"), "{c}");

        // what ships is unknown: not offered
        assert!(split_text("FROM gcc:14\nCOPY . .\nRUN make\nCMD [\"sh\"]\n").is_none());
        assert!(split_text("FROM ubuntu:24.04\nRUN echo hi\nCMD [\"./server\"]\n").is_none());
    }

    #[test]
    fn reads_what_commands_do_from_the_command_model() {
        // `python -m pip`, as `pip`: the requirements install
        let out = split_text("FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN python -m pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n").unwrap();
        assert!(out.contains("pip install -r requirements.txt\n"), "{out}");
        assert!(
            out.contains("# done in the deps stage: RUN python -m pip"),
            "{out}"
        );
        assert_clean(&out);
        // `cargo b` builds
        let out = split_text("FROM rust:1.82\nWORKDIR /app\nCOPY . .\nRUN cargo b --release\nCMD [\"./target/release/server\"]\n").unwrap();
        assert!(
            out.contains(
                "COPY --from=build /app/target/release/server /app/target/release/server\n"
            ),
            "{out}"
        );
        // `go build -o=/bin/app`, `go mod download` under `sudo` in the deps stage
        let out = split_text("FROM golang:1.23\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN sudo go mod download && go mod verify\nCOPY . .\nRUN go build -o=/bin/app .\nENTRYPOINT [\"/bin/app\"]\n").unwrap();
        assert!(
            out.contains("COPY --from=build /bin/app /bin/app\n"),
            "{out}"
        );
        assert!(
            out.contains("# done in the deps stage: RUN sudo go mod download"),
            "{out}"
        );
        // `go mod tidy` needs the sources: it stays in the build
        let out = split_text("FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go mod tidy\nRUN go build -o /bin/app .\nENTRYPOINT [\"/bin/app\"]\n").unwrap();
        assert!(out.contains("COPY . .\nRUN go mod tidy\n"), "{out}");
        // the JVM, .NET and native builds the model knows
        let out = split_generic("FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY . .\nRUN ./mvnw -B compile\nCMD [\"java\", \"-jar\", \"target/app.jar\"]\n");
        assert!(
            out.contains("FROM eclipse-temurin:21-jre AS runner\n"),
            "{out}"
        );
        let out = split_generic("FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\nRUN dotnet publish -c Release --output=/app\nENTRYPOINT [\"dotnet\", \"/app/MyApp.dll\"]\n");
        assert!(out.contains("COPY --from=build /app /app\n"), "{out}");
        let out = split_generic("FROM gcc:14\nWORKDIR /src\nCOPY . .\nRUN cmake -S . -B build && cmake --build build\nCMD [\"./build/server\"]\n");
        assert!(
            out.contains("COPY --from=build /src/build/server /src/build/server\n"),
            "{out}"
        );
        // a Node build tool alone is no generic build
        assert!(split_text("FROM node:22\nWORKDIR /app\nCOPY . .\nRUN tsc -p .\nCMD [\"node\", \"dist/index.js\"]\n").is_none());
        // a version check is not a build
        assert!(
            split_text("FROM gcc:14\nCOPY . .\nRUN zig version\nCMD [\"./server\"]\n").is_none()
        );
    }

    #[test]
    fn a_manifest_copied_from_a_subfolder_is_the_one_the_deps_stage_copies() {
        // opentelemetry-demo's src/agent: the context is the repository's
        // root, the requirements are pinned with hashes
        let src = "FROM python:3.14-slim\nWORKDIR /app\nCOPY src/agent/requirements.txt .\nRUN pip install --no-cache-dir --require-hashes -r requirements.txt\nCOPY src/agent/run.py .\nCMD [\"python\", \"run.py\"]\n";
        let out = split_text(src).unwrap();
        assert!(
            out.contains("COPY src/agent/requirements.txt ./\nRUN --mount=type=cache,target=/root/.cache/pip pip install --require-hashes -r requirements.txt\n"),
            "{out}"
        );
        assert!(
            out.contains("# done in the deps stage: COPY src/agent/requirements.txt .\n"),
            "{out}"
        );
        assert_clean(&out);
        // Node: the manifests of a subfolder
        let src = "FROM node:22\nWORKDIR /app\nCOPY web/package.json web/package-lock.json ./\nRUN npm ci\nCOPY web .\nRUN npm run build\nCMD [\"node\", \"dist/server.js\"]\n";
        let out = split_text(src).unwrap();
        assert!(
            out.contains("COPY web/package.json web/package-lock.json ./\nRUN --mount=type=cache,target=/root/.npm npm ci\n"),
            "{out}"
        );
        assert!(
            out.contains("# done in the deps stage: COPY web/package.json"),
            "{out}"
        );
        // without hashes, none are asked for
        let out = split_text("FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n").unwrap();
        assert!(out.contains(" pip install -r requirements.txt\n"), "{out}");
    }

    #[test]
    fn maps_toolchain_images_to_runtimes() {
        for (sdk, runtime) in [
            (
                "maven:3-eclipse-temurin-17-alpine",
                "eclipse-temurin:17-jre-alpine",
            ),
            ("gradle:8.10-jdk21", "eclipse-temurin:21-jre"),
            (
                "eclipse-temurin:21-jdk-jammy",
                "eclipse-temurin:21-jre-jammy",
            ),
            (
                "mcr.microsoft.com/dotnet/sdk:9.0",
                "mcr.microsoft.com/dotnet/aspnet:9.0",
            ),
            ("maven:3-openjdk-17", "maven:3-openjdk-17"),
            ("gcc:14", "gcc:14"),
        ] {
            assert_eq!(runtime_image(sdk), runtime);
        }
    }

    #[test]
    fn not_offered_where_it_makes_no_sense() {
        assert!(
            split_text("FROM node:20\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"index.js\"]\n")
                .is_none()
        );
        assert!(
            split_text("FROM node:20 AS a\nRUN npm ci && npm run build\nFROM node:20\n").is_none()
        );
        assert!(split_text("FROM node:20\nRUN npm ci && npm run build\nFOO\n").is_none());
    }
}
