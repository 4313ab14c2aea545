//! What a start command runs, through package.json scripts and package
//! managers down to the program that serves.

use super::imports::imported_packages;
use super::output::AppFiles;
use super::words::{commands, strip_env};
use super::Project;

/// How deep script-calls-script chains are followed.
const MAX_SCRIPT_DEPTH: usize = 6;

/// What a start command is (Node.js commands through package.json
/// scripts; the common Python servers too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartKind {
    /// A server meant for production (`next start`, `node server.js`,
    /// `serve -s build`, `react-router-serve`...).
    Production(Start),
    /// A development server: not a runtime (`react-scripts start`, `vite`,
    /// `ng serve`, `next dev`, `nodemon`...). `Start::why` says so.
    DevServer(Start),
    /// Not understood: why.
    Unknown(String),
}

impl StartKind {
    pub fn start(&self) -> Option<&Start> {
        match self {
            StartKind::Production(s) | StartKind::DevServer(s) => Some(s),
            StartKind::Unknown(_) => None,
        }
    }
}

/// The program a start command ends up running.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Start {
    /// The serving command's words (`["next", "start", "-p", "3000"]`),
    /// with environment assignments taken off.
    pub command: Vec<String>,
    /// The package.json scripts it went through (`["start"]`).
    pub scripts: Vec<String>,
    /// The packages whose programs it runs (`next`, `serve`,
    /// `@react-router/serve`); none for `node FILE`.
    pub packages: Vec<String>,
    /// Those of `packages` and `imports` that are only devDependencies: a
    /// runner installing with `--omit=dev` / `--prod` would not have them.
    pub dev_packages: Vec<String>,
    /// The file `node` (or `ts-node`, `tsx`, `bun`) runs, relative to the
    /// app folder.
    pub file: Option<String>,
    /// The packages that file loads (`require`/`import` with literal names,
    /// following its relative imports), when it could be read; a built
    /// file (`dist/index.js`) is not in the context and gives none.
    pub imports: Vec<String>,
    /// The program serves static files only (`serve`, `http-server`...).
    pub static_server: bool,
    /// For a static server: the folder it serves, relative to the app
    /// folder (`serve -s build` → `build`; `""` for the folder itself).
    pub served_dir: Option<String>,
    /// Why it is a dev server, or notes on a production one (a TypeScript
    /// runner that compiles at start, for instance).
    pub why: String,
}

/// Program → the package that provides it, where the names differ.
fn package_of(program: &str) -> &str {
    match program {
        "ng" => "@angular/cli",
        "nuxi" => "nuxt",
        "react-router-serve" => "@react-router/serve",
        "react-router" => "@react-router/dev",
        "remix-serve" => "@remix-run/serve",
        "remix" => "@remix-run/dev",
        "vue-cli-service" => "@vue/cli-service",
        "nest" => "@nestjs/cli",
        "pm2-runtime" => "pm2",
        "tsnd" => "ts-node-dev",
        "svelte-kit" => "@sveltejs/kit",
        "webpack-dev-server" => "webpack-dev-server",
        "tsc" => "typescript",
        other => other,
    }
}

pub(super) fn start_kind(files: &AppFiles, words: &[String]) -> StartKind {
    resolve(files, words, Vec::new(), 0)
}

/// The command a package manager runs for `words`, if it is one: the
/// script named (with its name), or the program it executes.
pub(super) enum Run {
    Script(String, String),
    Program(Vec<String>),
    NotAManager,
    Unknown(String),
}

pub(super) fn package_manager_run(project: &Project, words: &[String]) -> Run {
    let Some((program, args)) = words.split_first() else {
        return Run::Unknown("an empty command".into());
    };
    let program = program.rsplit('/').next().unwrap_or(program);
    let script = |name: &str| project.script(name).map(str::to_string);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // Flags before the subcommand (`npm --silent run x`) are skipped; one
    // that moves to another folder or package makes it another app's.
    let mut rest: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (a, None),
        };
        if matches!(
            name,
            "--cwd" | "--prefix" | "-C" | "--dir" | "--filter" | "-F" | "--workspace" | "-w"
        ) && rest.is_empty()
            && matches!(program, "npm" | "pnpm" | "yarn" | "bun")
        {
            let value = inline.or_else(|| args.get(i + 1).copied()).unwrap_or("");
            return Run::Unknown(format!(
                "`{program} {name} {value}` runs in another package ({value}), whose files were not read"
            ));
        }
        if rest.is_empty() && a.starts_with('-') {
            let npx_value =
                matches!(program, "npx" | "pnpx" | "bunx") && matches!(name, "-p" | "--package");
            if inline.is_none()
                && (npx_value || matches!(name, "--loglevel" | "--registry" | "--cache"))
            {
                i += 1;
            }
            i += 1;
            continue;
        }
        rest.push(a);
        i += 1;
    }
    if project.node.is_none() && matches!(program, "npm" | "pnpm" | "yarn" | "bun") {
        return Run::Unknown(format!("`{program}` runs a package.json script, and the app folder has no package.json that could be read"));
    }
    match program {
        "npm" | "pnpm" | "yarn" | "bun" => {}
        "npx" | "pnpx" | "bunx" => {
            return Run::Program(rest.iter().map(|s| s.to_string()).collect());
        }
        _ => return Run::NotAManager,
    }
    if rest.is_empty() {
        return match program {
            "yarn" => Run::Unknown("`yarn` alone installs packages".into()),
            _ => Run::Unknown(format!("`{program}` alone runs nothing")),
        };
    }
    let sub = rest.remove(0);
    let is_file = |a: &str| {
        a.contains('/')
            || [".js", ".mjs", ".cjs", ".ts", ".mts", ".tsx", ".jsx"]
                .iter()
                .any(|e| a.ends_with(e))
    };
    if program == "bun" && is_file(sub) {
        // `bun [--hot] src/index.ts` runs the file
        return Run::NotAManager;
    }
    let named = |name: &str| -> Run {
        match script(name) {
            Some(s) => Run::Script(name.to_string(), s),
            None => Run::Unknown(format!("package.json has no \"{name}\" script")),
        }
    };
    match (program, sub) {
        (_, "run" | "run-script") => {
            if let Some(f) = rest.iter().find(|a| {
                let n = a.split('=').next().unwrap_or(a);
                matches!(
                    n,
                    "--filter"
                        | "-F"
                        | "--workspace"
                        | "-w"
                        | "--workspaces"
                        | "-ws"
                        | "-r"
                        | "--recursive"
                )
            }) {
                return Run::Unknown(format!(
                    "`{program} run {f}` runs scripts of other packages, whose files were not read"
                ));
            }
            let Some(name) = rest.iter().find(|a| !a.starts_with('-')) else {
                return Run::Unknown(format!("`{program} run` without a script name"));
            };
            if program != "npm" && script(name).is_none() {
                // yarn/pnpm/bun run also run a package's program
                return Run::Program(rest.iter().map(|s| s.to_string()).collect());
            }
            named(name)
        }
        ("npm", "start") | (_, "start") => match script("start") {
            Some(s) => Run::Script("start".into(), s),
            None if matches!(program, "npm" | "pnpm") => {
                // npm's and pnpm's default start
                Run::Script("start".into(), "node server.js".into())
            }
            None => Run::Unknown(format!(
                "package.json has no \"start\" script for `{program} start`"
            )),
        },
        (_, "test" | "t") => named("test"),
        ("yarn" | "pnpm" | "bun", "node") if script("node").is_none() => {
            let mut p = vec!["node".to_string()];
            p.extend(rest.iter().map(|s| s.to_string()));
            Run::Program(p)
        }
        ("npm", "exec") | ("pnpm" | "yarn" | "bun", "exec" | "dlx" | "x") => {
            let rest: Vec<String> = rest
                .iter()
                .skip_while(|a| **a == "--")
                .map(|s| s.to_string())
                .collect();
            Run::Program(rest)
        }
        ("npm", other) => Run::Unknown(format!("`npm {other}` does not start the app")),
        (_, "install" | "add" | "i" | "ci") => {
            Run::Unknown(format!("`{program} {sub}` installs packages"))
        }
        (_, name) => {
            if script(name).is_some() {
                named(name)
            } else {
                let mut p = vec![name.to_string()];
                p.extend(rest.iter().map(|s| s.to_string()));
                Run::Program(p)
            }
        }
    }
}

fn resolve(files: &AppFiles, words: &[String], scripts: Vec<String>, depth: usize) -> StartKind {
    let project = files.project;
    let (_, words) = strip_env(words);
    if words.is_empty() {
        return StartKind::Unknown("an empty command".into());
    }
    if depth > MAX_SCRIPT_DEPTH {
        return StartKind::Unknown("its scripts call each other too deeply".into());
    }
    // `sh -c "..."`
    if matches!(words[0].as_str(), "sh" | "bash" | "/bin/sh" | "/bin/bash")
        && words.get(1).is_some_and(|w| w == "-c")
    {
        let Some(line) = words.get(2) else {
            return StartKind::Unknown("`sh -c` without a command".into());
        };
        return resolve_line(files, line, scripts, depth + 1);
    }
    match package_manager_run(project, &words) {
        Run::Script(name, line) => {
            let mut scripts = scripts;
            if scripts.contains(&name) {
                return StartKind::Unknown(format!("the \"{name}\" script calls itself"));
            }
            scripts.push(name);
            resolve_line(files, &line, scripts, depth + 1)
        }
        Run::Program(p) => {
            if p.is_empty() {
                return StartKind::Unknown("a package runner without a program".into());
            }
            classify(files, &p, scripts)
        }
        Run::Unknown(why) => StartKind::Unknown(why),
        Run::NotAManager => classify(files, &words, scripts),
    }
}

/// A script line: its last command is the one that serves (`npm run
/// migrate && node server.js`), unless an earlier one never returns.
fn resolve_line(files: &AppFiles, line: &str, scripts: Vec<String>, depth: usize) -> StartKind {
    let commands = commands(line);
    let Some(last) = commands.last() else {
        return StartKind::Unknown(format!(
            "the \"{}\" script is empty",
            scripts.last().map_or("", String::as_str)
        ));
    };
    for earlier in &commands[..commands.len() - 1] {
        if let StartKind::DevServer(s) = resolve(files, earlier, scripts.clone(), depth) {
            return StartKind::DevServer(s);
        }
    }
    resolve(files, last, scripts, depth)
}

fn classify(files: &AppFiles, words: &[String], scripts: Vec<String>) -> StartKind {
    let project = files.project;
    if let Some(program) = super::words::node_modules_program(words) {
        return classify(files, &program, scripts);
    }
    let Some(first) = words.first() else {
        return StartKind::Unknown("an empty command".into());
    };
    let program = first.rsplit('/').next().unwrap_or(first).to_string();
    let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
    let sub = args.iter().copied().find(|a| !a.starts_with('-'));
    let has = |flag: &str| {
        args.iter()
            .any(|a| *a == flag || a.starts_with(&format!("{flag}=")))
    };
    let mut start = Start {
        command: words.to_vec(),
        scripts,
        ..Start::default()
    };
    let with_package = |mut start: Start, package: &str| {
        start.packages.push(package.to_string());
        start
    };
    let dev = |start: Start, why: &str| {
        StartKind::DevServer(Start {
            why: why.to_string(),
            ..start
        })
    };
    let kind = match (program.as_str(), sub) {
        ("node" | "nodejs" | "bun" | "deno", _) => {
            if has("--watch") || has("--watch-path") || has("--hot") {
                return finish(files, dev(start, "`node --watch` restarts on file changes: a development mode"));
            }
            if program == "bun" && sub.is_some_and(|s| matches!(s, "run" | "x")) {
                let rest: Vec<String> = words[2..].to_vec();
                return classify(files, &rest, start.scripts);
            }
            let file_args: &[&str] = match (program.as_str(), args.first()) {
                ("deno", Some(&"run" | &"serve")) => &args[1..],
                ("deno", _) => &[],
                _ => &args,
            };
            match script_file(file_args) {
                Some(file) => {
                    start.file = Some(super::join("", file));
                    start.imports = imported_packages(files, &super::join("", file));
                    StartKind::Production(start)
                }
                None if program == "deno" => StartKind::Unknown("a deno command without a file".into()),
                None => StartKind::Unknown(format!("`{}` runs no file", words.join(" "))),
            }
        }
        ("next", Some("dev")) => dev(with_package(start, "next"), "`next dev` is Next.js's development server"),
        ("next", Some("start")) => {
            StartKind::Production(with_package(start, "next"))
        }
        ("react-scripts", Some("start")) => dev(
            with_package(start, "react-scripts"),
            "`react-scripts start` is Create React App's development server; the production build is static files in build/",
        ),
        ("vite", None | Some("dev") | Some("serve")) => {
            dev(with_package(start, "vite"), "`vite` is Vite's development server; `vite build` writes static files")
        }
        ("vite", Some("preview")) => dev(
            with_package(start, "vite"),
            "`vite preview` only previews the build locally and is not meant as a production server",
        ),
        ("ng", Some("serve")) | ("ng", Some("s")) => dev(
            with_package(start, "@angular/cli"),
            "`ng serve` is Angular's development server",
        ),
        ("nuxt" | "nuxi", Some("dev")) => dev(with_package(start, package_of(&program)), "`nuxt dev` is Nuxt's development server"),
        ("nuxt" | "nuxi", Some("start" | "preview")) => {
            start.file = Some(".output/server/index.mjs".into());
            StartKind::Production(with_package(start, "nuxt"))
        }
        ("webpack" | "webpack-cli", Some("serve")) | ("webpack-dev-server", _) => {
            dev(with_package(start, "webpack-dev-server"), "webpack's dev server is a development server")
        }
        ("vue-cli-service", Some("serve")) => dev(with_package(start, "@vue/cli-service"), "`vue-cli-service serve` is a development server"),
        ("nodemon", _) => dev(with_package(start, "nodemon"), "nodemon restarts on file changes: a development tool"),
        ("ts-node-dev" | "tsnd", _) => dev(with_package(start, "ts-node-dev"), "ts-node-dev restarts on file changes: a development tool"),
        ("tsx", Some("watch")) => dev(with_package(start, "tsx"), "`tsx watch` restarts on file changes"),
        ("astro", Some("dev")) | ("gatsby", Some("develop")) | ("remix", Some("dev")) | ("react-router", Some("dev"))
        | ("svelte-kit", Some("dev")) | ("parcel", None | Some("serve") | Some("watch")) => {
            let package = package_of(&program).to_string();
            dev(with_package(start, &package), &format!("`{program}` in this mode is a development server"))
        }
        ("parcel", Some(s)) if s != "build" => {
            start.file = None;
            dev(with_package(start, "parcel"), "`parcel` without `build` is a development server")
        }
        ("astro", Some("preview")) | ("gatsby", Some("serve")) => StartKind::Production(with_package(start, &program)),
        ("ts-node" | "tsx", _) => {
            start.file = script_file(&args).map(|f| super::join("", f));
            start.imports = start.file.as_deref().map(|f| imported_packages(files, f)).unwrap_or_default();
            start.why = format!("{program} compiles TypeScript when it starts: it and typescript are needed at run time");
            let mut s = with_package(start, &program);
            if program == "ts-node" {
                s.packages.push("typescript".into());
            }
            StartKind::Production(s)
        }
        ("react-router-serve" | "remix-serve", _) => {
            start.file = args.iter().find(|a| !a.starts_with('-')).map(|f| super::join("", f));
            let package = package_of(&program).to_string();
            StartKind::Production(with_package(start, &package))
        }
        ("serve" | "http-server" | "sirv" | "sirv-cli" | "static-server", _) => {
            start.static_server = true;
            start.served_dir = Some(served_dir(&program, &args));
            let package = if program == "sirv" { "sirv-cli".to_string() } else { program.clone() };
            StartKind::Production(with_package(start, &package))
        }
        ("expo", Some("start")) => dev(
            with_package(start, "expo"),
            "`expo start` is Expo's development server",
        ),
        ("live-server" | "browser-sync", _) => dev(with_package(start, &program), "a live-reloading development server"),
        ("pm2-runtime", _) | ("pm2", Some("start")) => {
            start.file = args.iter().filter(|a| !a.starts_with('-')).find(|a| **a != "start").map(|f| super::join("", f));
            StartKind::Production(with_package(start, "pm2"))
        }
        ("nest", Some("start")) => {
            if has("--watch") || has("-w") {
                dev(with_package(start, "@nestjs/cli"), "`nest start --watch` is a development mode")
            } else {
                start.why = "`nest start` compiles with the Nest CLI and TypeScript before it runs".into();
                let mut s = with_package(start, "@nestjs/cli");
                s.packages.push("typescript".into());
                StartKind::Production(s)
            }
        }
        // Python servers
        ("flask", Some("run")) => dev(with_package(start, "flask"), "`flask run` is Flask's development server; gunicorn or waitress serve in production"),
        ("fastapi", Some("dev")) => dev(with_package(start, "fastapi"), "`fastapi dev` is FastAPI's development mode (auto-reload)"),
        ("fastapi", Some("run")) => StartKind::Production(with_package(start, "fastapi")),
        ("uvicorn" | "hypercorn" | "gunicorn" | "daphne" | "waitress-serve" | "granian", _) => {
            if has("--reload") {
                dev(with_package(start, &program), "`--reload` restarts on file changes: a development mode")
            } else {
                StartKind::Production(with_package(start, &program))
            }
        }
        ("python" | "python3", Some(_)) => {
            let module = args.iter().position(|a| *a == "-m").and_then(|i| args.get(i + 1));
            match module {
                Some(&"flask") if args.contains(&"run") => {
                    dev(with_package(start, "flask"), "`flask run` is Flask's development server; gunicorn or waitress serve in production")
                }
                Some(m @ (&"uvicorn" | &"gunicorn" | &"hypercorn" | &"waitress")) => {
                    let package = m.to_string();
                    if has("--reload") {
                        dev(with_package(start, &package), "`--reload` restarts on file changes: a development mode")
                    } else {
                        StartKind::Production(with_package(start, &package))
                    }
                }
                Some(m) => {
                    let m = m.to_string();
                    StartKind::Unknown(format!("`python -m {m}` is not a server this reader knows"))
                }
                None if args.contains(&"runserver") => dev(
                    with_package(start, "django"),
                    "`manage.py runserver` is Django's development server; gunicorn or uvicorn serve in production",
                ),
                None => match script_file(&args) {
                    Some(file) => {
                        start.file = Some(super::join("", file));
                        StartKind::Production(start)
                    }
                    None => StartKind::Unknown(format!("`{}` runs no file", words.join(" "))),
                },
            }
        }
        ("concurrently" | "npm-run-all" | "run-p" | "run-s", _) => {
            StartKind::Unknown(format!("`{program}` runs several commands; which one serves is not known"))
        }
        (p, _) if project.depends_on(p) || project.depends_on(package_of(p)) => {
            // A package's program we do not know: taken as what it is.
            let package = if project.depends_on(p) { p.to_string() } else { package_of(p).to_string() };
            StartKind::Unknown(format!("`{p}` (from {package}) is not a server this reader knows"))
        }
        (p, _) => StartKind::Unknown(format!("`{p}` is not a start command this reader knows")),
    };
    finish(files, kind)
}

/// Fill in which packages are devDependencies only.
fn finish(files: &AppFiles, mut kind: StartKind) -> StartKind {
    let project = files.project;
    if let StartKind::Production(s) | StartKind::DevServer(s) = &mut kind {
        // A Python server the app's requirements do not name
        if let Some(python) = &project.python {
            let python_servers = [
                "gunicorn",
                "uvicorn",
                "hypercorn",
                "daphne",
                "waitress",
                "waitress-serve",
                "granian",
                "flask",
                "fastapi",
                "django",
            ];
            for p in &s.packages {
                let dist = if p == "waitress-serve" {
                    "waitress"
                } else {
                    p.as_str()
                };
                if python_servers.contains(&p.as_str()) && !python.dependencies.contains(dist) {
                    if !s.why.is_empty() {
                        s.why.push_str("; ");
                    }
                    s.why.push_str(&format!(
                        "{dist} is not among the requirements the app's files name"
                    ));
                }
            }
        }
        if let Some(node) = &project.node {
            let mut dev: Vec<String> = Vec::new();
            for p in s.packages.iter().chain(&s.imports) {
                if node.dev_only(p) && !dev.contains(p) {
                    dev.push(p.clone());
                }
            }
            s.dev_packages = dev;
        }
    }
    kind
}

/// The folder a static server serves: its first argument that is neither
/// an option nor an option's value.
fn served_dir(program: &str, args: &[&str]) -> String {
    let takes_value: &[&str] = match program {
        "serve" => &[
            "-l",
            "--listen",
            "-p",
            "--port",
            "-c",
            "--config",
            "--ssl-cert",
            "--ssl-key",
            "--ssl-pass",
        ],
        "http-server" => &[
            "-p",
            "--port",
            "-a",
            "--address",
            "-c",
            "-e",
            "--ext",
            "-P",
            "--proxy",
            "-C",
            "--cert",
            "-K",
            "--key",
            "--username",
            "--password",
            "-t",
            "--timeout",
            "--proxy-options",
            "--log-ip",
        ],
        _ => &[
            "-p",
            "--port",
            "-H",
            "--host",
            "-m",
            "--maxage",
            "--etag",
            "--ssl-cert",
            "--ssl-key",
            "-c",
        ],
    };
    let mut iter = args.iter();
    while let Some(a) = iter.next() {
        if takes_value.contains(a) {
            iter.next();
        } else if !a.starts_with('-') {
            return super::join("", a);
        }
    }
    String::new()
}

/// The script file of a `node`-like command: the first argument that is
/// not an option (or an option's value).
fn script_file<'a>(args: &[&'a str]) -> Option<&'a str> {
    let mut iter = args.iter();
    while let Some(a) = iter.next() {
        match *a {
            "-r"
            | "--require"
            | "--import"
            | "--loader"
            | "--experimental-loader"
            | "--env-file"
            | "--title"
            | "--max-old-space-size"
            | "--conditions"
            | "-C" => {
                iter.next();
            }
            "-e" | "--eval" | "-p" | "--print" => return None,
            a if a.starts_with('-') => {}
            a => return Some(a),
        }
    }
    None
}
