//! Node.js: the package managers, what a start command runs (a dev
//! server, a devDependency), and how a Next.js app ships.

use super::*;

/// How a Next.js app ships.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum NextOutput {
    /// `output: "standalone"`: server.js with the modules it traces, plus
    /// the static files; the config change (if any) that turns it on.
    Standalone(Option<ConfigChange>),
    /// The whole `.next` with production dependencies and `next start`,
    /// and why standalone output could not be used.
    Whole(String),
}

/// Whether a CMD runs `next start` (directly or through the package
/// manager's `start` script).
pub(super) fn starts_next(cmd: &str) -> bool {
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

/// What the split knows of a Next.js project: its config (file name and
/// text) and whether it sits in a folder whose files could be edited.
pub(super) struct NextProject<'a> {
    pub(super) config: Option<&'a (String, String)>,
    pub(super) editable: bool,
}

/// How to ship the Next.js app `items` build, and whether the CMD is
/// replaced by `node server.js`.
pub(super) fn next_output(
    items: &[Item],
    source: &dyn Source,
    project: &NextProject,
) -> (NextOutput, bool) {
    let text = |n: Node| source.text(n.byte_range()).into_owned();
    let cmd = items
        .iter()
        .rev()
        .find(|i| i.node.kind() == "cmd_instruction");
    // an ENTRYPOINT that is node itself (distroless nodejs's
    // `/nodejs/bin/node`) runs the CMD as node's arguments
    let entry_words = items
        .iter()
        .rev()
        .find(|i| i.node.kind() == "entrypoint_instruction")
        .map(|i| command_words(&text(i.node)));
    let node_entrypoint = entry_words
        .as_ref()
        .is_some_and(|w| w.len() == 1 && w[0].rsplit('/').next() == Some("node"));
    let entrypoint = entry_words.is_some() && !node_entrypoint;
    let already = project
        .config
        .is_some_and(|(name, text)| standalone_edit(name, text).is_ok_and(|e| e.is_empty()));
    // The app already builds standalone and starts its server.js.
    // `node server.js`, with node's options (`--require=./instrument.js`)
    let runs_server = cmd.is_some_and(|c| {
        let mut words = command_words(&text(c.node));
        // the Node images' entrypoint runs `node` with a CMD of options
        // (`CMD ["--require=./Instrumentation.js", "server.js"]`)
        if node_entrypoint || words.first().is_some_and(|w| w.starts_with('-')) {
            words.insert(0, "node".to_string());
        }
        words.first().is_some_and(|w| w == "node")
            && words
                .last()
                .is_some_and(|w| w == "server.js" || w == "./server.js")
            && words[1..words.len() - 1]
                .iter()
                .all(|w| w.starts_with('-') || w.ends_with(".js"))
    });
    // the file itself puts the standalone output in place
    // (`RUN cp -a .next/standalone/. /app/`): it is built standalone
    let copies_standalone = items.iter().any(|i| {
        i.node.kind() == "run_instruction"
            && text(i.node).contains(".next/standalone")
            && text(i.node).contains("cp ")
    });
    if (already || copies_standalone) && runs_server && !entrypoint {
        return (NextOutput::Standalone(None), false);
    }
    if entrypoint || !cmd.is_some_and(|c| starts_next(&text(c.node))) {
        return (
            NextOutput::Whole(
                "the CMD does not run `next start` (standalone output replaces it with `node server.js`)"
                    .into(),
            ),
            false,
        );
    }
    if !project.editable {
        return (
            NextOutput::Whole(
                "the Dockerfile is not in a project folder whose next.config could be edited"
                    .into(),
            ),
            false,
        );
    }
    let output = match project.config {
        None => NextOutput::Standalone(Some(ConfigChange {
            file: next::NEW_CONFIG_NAME.into(),
            create: true,
            offset: 0,
            insert: next::NEW_CONFIG_TEXT.into(),
        })),
        Some((name, config)) => match standalone_edit(name, config) {
            Ok(edit) if edit.is_empty() => NextOutput::Standalone(None),
            Ok(edit) => NextOutput::Standalone(Some(ConfigChange {
                file: name.clone(),
                create: false,
                offset: edit.offset,
                insert: edit.text,
            })),
            Err(why) => NextOutput::Whole(format!(
                "{name} cannot be given output: \"standalone\" automatically: {why}"
            )),
        },
    };
    (output, true)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Manager {
    Npm,
    Yarn,
    Pnpm,
}

impl Manager {
    pub(super) fn lockfile(self) -> &'static str {
        match self {
            Manager::Npm => "package-lock.json",
            Manager::Yarn => "yarn.lock",
            Manager::Pnpm => "pnpm-lock.yaml",
        }
    }

    /// The install from the manifest and (when it is there) the lockfile.
    pub(super) fn install(self, locked: bool) -> String {
        match (self, locked) {
            (Manager::Npm, true) => "RUN --mount=type=cache,target=/root/.npm npm ci",
            (Manager::Npm, false) => "RUN --mount=type=cache,target=/root/.npm npm install",
            (Manager::Yarn, true) => {
                "RUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install --frozen-lockfile"
            }
            (Manager::Yarn, false) => {
                "RUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install"
            }
            (Manager::Pnpm, true) => {
                "RUN --mount=type=cache,target=/root/.local/share/pnpm/store corepack enable pnpm && pnpm install --frozen-lockfile"
            }
            (Manager::Pnpm, false) => {
                "RUN --mount=type=cache,target=/root/.local/share/pnpm/store corepack enable pnpm && pnpm install"
            }
        }
        .to_string()
    }

    /// Every dependency, devDependencies too, whatever NODE_ENV says (the
    /// runner sets it to production, which would leave them out).
    pub(super) fn install_all(self) -> String {
        match self {
            Manager::Npm => "RUN npm ci --include=dev && npm cache clean --force",
            Manager::Yarn => {
                "RUN yarn install --frozen-lockfile --production=false && yarn cache clean"
            }
            Manager::Pnpm => {
                "RUN corepack enable pnpm && pnpm install --frozen-lockfile --prod=false && pnpm store prune"
            }
        }
        .to_string()
    }

    pub(super) fn install_production(self, locked: bool) -> String {
        match (self, locked) {
            (Manager::Npm, true) => "RUN npm ci --omit=dev && npm cache clean --force",
            (Manager::Npm, false) => "RUN npm install --omit=dev && npm cache clean --force",
            (Manager::Yarn, true) => {
                "RUN yarn install --frozen-lockfile --production && yarn cache clean"
            }
            (Manager::Yarn, false) => "RUN yarn install --production && yarn cache clean",
            (Manager::Pnpm, true) => {
                "RUN corepack enable pnpm && pnpm install --frozen-lockfile --prod && pnpm store prune"
            }
            (Manager::Pnpm, false) => {
                "RUN corepack enable pnpm && pnpm install --prod && pnpm store prune"
            }
        }
        .to_string()
    }
}

/// The Node package manager of a dependency install from the manifest.
pub(super) fn node_install(c: &Command) -> Option<Manager> {
    if !crate::rules::packages::is_node_install(c) {
        return None;
    }
    Some(match commands::invocation(c)?.tool {
        Tool::Yarn => Manager::Yarn,
        Tool::Pnpm => Manager::Pnpm,
        _ => Manager::Npm,
    })
}

/// Whether a script only installs a Node package manager (`npm i -g
/// pnpm@9`, `corepack enable`, `corepack prepare yarn@1 --activate`).
pub(super) fn installs_a_package_manager(script: &Script) -> bool {
    !script.commands.is_empty()
        && script.commands.iter().all(|c| match c.name.as_str() {
            "corepack" => true,
            "npm" => {
                c.has_flag(&["-g", "--global"])
                    && c.operands().skip(1).all(|p| {
                        let name = p.split('@').next().unwrap_or(p);
                        matches!(name, "pnpm" | "yarn" | "npm" | "corepack")
                    })
            }
            _ => false,
        })
}

pub(super) const MANIFESTS: &[&str] = &[
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

/// `node build.js`, `node scripts/build.mjs`: a build written as a script.
pub(super) fn is_node_script(c: &Command) -> bool {
    c.name == "node"
        && c.operands()
            .next()
            .is_some_and(|f| [".js", ".mjs", ".cjs"].iter().any(|e| f.ends_with(e)))
}

/// How a Node app ships.
pub(super) enum NodeShip {
    /// Next.js, and whether the CMD becomes `node server.js`.
    Next(NextOutput, bool),
    /// The folder the build writes and the start command runs from
    /// (`dist`), with production dependencies installed again.
    Dir(String),
    /// The start command runs the sources (`node server.js`): the
    /// runner copies them from the context as the original did, with what
    /// the build wrote (the folders named here) from the build stage.
    Sources(Vec<String>),
}

/// The Next.js config (from the context's files, else the build
/// context's) and whether the project depends on Next.js.
pub(super) fn build_next_project(
    build: Option<&BuildContext>,
    files: Option<&dyn ContextFiles>,
    app_dir: &str,
    project: &Project,
) -> (Option<(String, String)>, bool) {
    let from_files = files.and_then(|f| {
        NEXT_CONFIGS
            .iter()
            .find_map(|name| Some((name.to_string(), f.read(&join(app_dir, name))?)))
    });
    let config = from_files.or_else(|| build.and_then(|b| b.next_config.clone()));
    let uses = project.depends_on("next") || build.is_some_and(|b| b.uses_next);
    let uses = uses || config.is_some();
    (config, uses)
}

/// The words of the package.json script a package manager runs
/// (`npm run dev`, `yarn start`), its last command.
pub(super) fn script_words(words: &[String], project: &Project) -> Option<Vec<String>> {
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let name = match w.as_slice() {
        ["npm" | "yarn" | "pnpm" | "bun", "start", ..] => "start",
        ["npm", "run" | "run-script", name, ..] | ["yarn" | "pnpm" | "bun", "run", name, ..] => {
            name
        }
        ["yarn" | "pnpm", name, ..] if !name.starts_with('-') => name,
        _ => return None,
    };
    let line = project.script(name)?;
    let last = line.rsplit("&&").next().unwrap_or(line);
    Some(last.split_whitespace().map(str::to_string).collect())
}

/// Whether a command's words run a framework's development server, by
/// its words rather than its first operand (options may come first).
pub(super) fn dev_server_words(words: &[String]) -> bool {
    let words = start_words_clean(words);
    let Some(program) = words.first() else {
        return false;
    };
    let program = program.rsplit('/').next().unwrap_or(program);
    let has = |w: &str| words.iter().skip(1).any(|a| a == w);
    match program {
        "vite" => !has("build"),
        "react-scripts" => has("start"),
        "ng" => has("serve"),
        "next" | "nuxt" | "nuxi" | "astro" => has("dev"),
        "webpack" => has("serve"),
        "webpack-dev-server" => true,
        _ => false,
    }
}

/// A start command's words without `VAR=value` prefixes, `exec` and `npx`.
pub(super) fn start_words_clean(words: &[String]) -> Vec<String> {
    let mut rest = words;
    while let Some((first, tail)) = rest.split_first() {
        let assignment = first.contains('=') && !first.starts_with('-') && !first.contains('/');
        if assignment || matches!(first.as_str(), "exec" | "npx") {
            rest = tail;
        } else {
            break;
        }
    }
    rest.to_vec()
}

/// Folders of a Node app that servers commonly read at run time.
pub(super) const RUNTIME_DIRS: &[&str] = &[
    "public",
    "views",
    "templates",
    "static",
    "prisma",
    "locales",
];

pub(super) const NEXT_CONFIGS: &[&str] = &crate::analysis::project::next::CONFIG_NAMES;

/// The script files a `node` start command names besides its entry
/// (`--require=./Instrumentation.js`, `-r ./tracing.js`), relative to the
/// folder it starts in.
pub(super) fn node_preloads(words: &[String]) -> Vec<String> {
    if words.first().map(String::as_str) != Some("node") {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut take = false;
    for w in &words[1..words.len().saturating_sub(1)] {
        let file = if take {
            take = false;
            Some(w.as_str())
        } else if let Some(v) = w
            .strip_prefix("--require=")
            .or_else(|| w.strip_prefix("--import="))
        {
            Some(v)
        } else {
            take = matches!(w.as_str(), "-r" | "--require" | "--import");
            None
        };
        if let Some(f) = file.filter(|f| {
            f.starts_with("./")
                && (f.ends_with(".js") || f.ends_with(".mjs") || f.ends_with(".cjs"))
        }) {
            out.push(f.trim_start_matches("./").to_string());
        }
    }
    out
}

/// The deps stage's install with its cache mount where the install's user
/// keeps it: root's as written, `node`'s home (owned by uid 1000) for the
/// Node images' `node` user, none for another user (whose home and uid
/// are unknown: a root-owned cache would not be writable).
pub(super) fn cache_mount_for(install: &str, user: Option<&str>) -> String {
    let user = user.map(|u| u.split(':').next().unwrap_or(u).trim());
    let Some(user) = user.filter(|u| !matches!(*u, "root" | "0" | "")) else {
        return install.to_string();
    };
    let Some(at) = install.find("--mount=type=cache,target=") else {
        return install.to_string();
    };
    let rest = &install[at..];
    let end = rest.find(' ').unwrap_or(rest.len());
    let target = &rest["--mount=type=cache,target=".len()..end];
    let tail = rest[end..].trim_start();
    if matches!(user, "node" | "1000") {
        let home_path = target
            .strip_prefix("/root/")
            .map(str::to_string)
            // yarn's global cache as root; ~/.cache/yarn for a user
            .unwrap_or_else(|| ".cache/yarn".to_string());
        format!(
            "{}--mount=type=cache,target=/home/node/{home_path},uid=1000,gid=1000 {tail}",
            &install[..at]
        )
    } else {
        format!("{}{tail}", &install[..at])
    }
}

/// What the deps stage's install changes from the file's, said in a
/// comment: `npm ci` where the file ran `npm install` (the lockfile is in
/// the context), or the lock-aware branch of a conditional install.
pub(super) fn install_change_note(
    manager: Manager,
    locked: bool,
    written: &Script,
) -> Option<String> {
    let installs: Vec<&Command> = written
        .commands
        .iter()
        .filter(|c| node_install(c).is_some())
        .collect();
    let frozen = |c: &Command| {
        c.operands().next() == Some("ci")
            || c.operands().next() == Some("clean-install")
            || c.operands().next() == Some("ic")
            || c.has_flag(&["--frozen-lockfile", "--immutable"])
    };
    let first = installs.first()?;
    let shown = |c: &Command| {
        format!("{} {}", c.name, c.args.join(" "))
            .trim()
            .to_string()
    };
    let lockfile = manager.lockfile();
    if installs.len() > 1 && locked {
        return Some(format!(
            "the file's install chose between `{}` and `{}` by whether {lockfile} exists; it is in the context, so the deps stage runs the locked install",
            shown(installs[0]),
            shown(installs[1])
        ));
    }
    if locked && !frozen(first) {
        return Some(format!(
            "the locked install where the file ran `{}`: {lockfile} is in the context, and the deps stage installs exactly the versions it locks (it fails if {lockfile} disagrees with package.json)",
            shown(first)
        ));
    }
    if !locked && frozen(first) {
        return Some(format!(
            "the file runs `{}`, but the build context has no {lockfile} (that install would fail without it): the deps stage installs from package.json",
            shown(first)
        ));
    }
    None
}
