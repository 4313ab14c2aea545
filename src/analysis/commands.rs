//! What the commands of a RUN do, read once for every rule, hover and the
//! split: which package manager or build tool a command runs (through
//! `sudo`, `VAR=value` prefixes, `env`, `python -m pip`), and what that
//! invocation does: install packages, refresh package indexes, clean a
//! cache, build, run the tests, or print a version.
//!
//! The commands themselves come from `analysis::shell` (tree-sitter-bash:
//! `&&`, `;`, `||` chains, pipes, substitutions, heredoc and exec-form
//! bodies alike).

use super::shell::{Command, Script};

/// A package manager or build tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tool {
    /// apt-get, apt, aptitude
    Apt,
    Apk,
    /// dnf, yum, microdnf, tdnf
    Dnf,
    Npm,
    Yarn,
    Pnpm,
    Bun,
    /// pip, pip2, pip3, pip3.12, `python -m pip`
    Pip,
    Pipx,
    Uv,
    Poetry,
    Pipenv,
    Bundler,
    Gem,
    Go,
    Cargo,
    Maven,
    Gradle,
    Dotnet,
    Composer,
}

/// What one invocation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Installs packages: named ones, or a project's from its manifest.
    Install,
    /// Refreshes the package indexes (`apt-get update`, `apk update`).
    UpdateIndex,
    /// Removes the package manager's caches (`apt-get clean`,
    /// `npm cache clean`, `pip cache purge`).
    CleanCache,
    /// Compiles or bundles the project.
    Build,
    /// Runs the project's tests.
    Test,
    /// Prints the tool's version (a smoke test that it is installed).
    Version,
    /// Anything else (`npm config set`, `apt-get purge`, `go env`...).
    Other,
}

/// One invocation of a known tool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invocation<'c> {
    pub tool: Tool,
    pub action: Action,
    /// The program as written (`apt-get`, `pip3`, `./mvnw`, `python3`).
    pub program: &'c str,
    /// The tool's own arguments: after `sudo` and its options, after
    /// `-m pip` for `python -m pip`.
    pub args: &'c [String],
}

impl<'c> Invocation<'c> {
    /// The arguments that are not options.
    pub fn operands(&self) -> impl Iterator<Item = &'c str> + 'c {
        operands(self.args)
    }

    /// The first operand (`install` in `apt-get -y install curl`).
    pub fn subcommand(&self) -> Option<&'c str> {
        self.operands().next()
    }

    /// What an install names after its subcommand: packages, paths, URLs
    /// (options and their values aside as far as they are known).
    pub fn packages(&self) -> Vec<&'c str> {
        let mut out = Vec::new();
        let mut skip_value = false;
        let mut seen_sub = self.tool == Tool::Yarn && self.subcommand().is_none();
        for a in self.args.iter().map(String::as_str) {
            if skip_value {
                skip_value = false;
                continue;
            }
            if a.starts_with('-') {
                skip_value = takes_value(self.tool, a);
                continue;
            }
            if !seen_sub {
                seen_sub = true;
                continue;
            }
            out.push(a);
        }
        out
    }

    pub fn has_flag(&self, flags: &[&str]) -> bool {
        has_flag(self.args, flags)
    }

    /// The value of the first of `options` given (`-o /app` or
    /// `--output=/app`).
    pub fn option_value(&self, options: &[&str]) -> Option<&'c str> {
        option_value(self.args, options)
    }

    /// The requirements file of `pip install -r <file>` (any pip: `pip3`,
    /// `python -m pip`, under `sudo`).
    pub fn requirements_file(&self) -> Option<&'c str> {
        (self.tool == Tool::Pip && self.action == Action::Install)
            .then(|| self.option_value(&["-r", "--requirement"]))
            .flatten()
    }

    /// Where a build writes what it makes, when the command says so:
    /// `go build -o <path>`, `dotnet publish|build -o <dir>`.
    pub fn output(&self) -> Option<&'c str> {
        match (self.tool, self.action) {
            (Tool::Go, Action::Build) => self.option_value(&["-o"]),
            (Tool::Dotnet, Action::Build) => self.option_value(&["-o", "--output"]),
            _ => None,
        }
    }

    /// Whether the invocation fetches (or checks) dependencies from the
    /// manifest and lockfile alone, with no sources: `go mod download`,
    /// `go mod verify` (not `go mod tidy`, which rewrites go.mod from the
    /// sources), `cargo fetch`.
    pub fn fetches_locked_dependencies(&self) -> bool {
        let mut ops = self.operands();
        matches!(
            (self.tool, ops.next(), ops.next()),
            (Tool::Go, Some("mod"), Some("download" | "verify")) | (Tool::Cargo, Some("fetch"), _)
        )
    }
}

/// The value of the first of `options` in `args` (`-o x`, `-o=x`,
/// `--output=x`).
fn option_value<'a>(args: &'a [String], options: &[&str]) -> Option<&'a str> {
    args.iter().enumerate().find_map(|(at, a)| {
        options.iter().find_map(|o| {
            if a == o {
                args.get(at + 1).map(String::as_str)
            } else {
                a.strip_prefix(o)?.strip_prefix('=')
            }
        })
    })
}

/// The ecosystem a tool or build runner belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ecosystem {
    /// The distribution's packages (apt, apk, dnf).
    Os,
    Node,
    Python,
    Ruby,
    Go,
    Rust,
    /// Java, Kotlin, Scala (mvn, gradle, javac, ant, sbt).
    Jvm,
    Dotnet,
    Php,
    /// Native and other toolchains (make, ninja, cmake, gcc, clang, zig,
    /// swift, cabal, stack, bazel, mix).
    Other,
}

impl Tool {
    pub fn ecosystem(self) -> Ecosystem {
        match self {
            Tool::Apt | Tool::Apk | Tool::Dnf => Ecosystem::Os,
            Tool::Npm | Tool::Yarn | Tool::Pnpm | Tool::Bun => Ecosystem::Node,
            Tool::Pip | Tool::Pipx | Tool::Uv | Tool::Poetry | Tool::Pipenv => Ecosystem::Python,
            Tool::Bundler | Tool::Gem => Ecosystem::Ruby,
            Tool::Go => Ecosystem::Go,
            Tool::Cargo => Ecosystem::Rust,
            Tool::Maven | Tool::Gradle => Ecosystem::Jvm,
            Tool::Dotnet => Ecosystem::Dotnet,
            Tool::Composer => Ecosystem::Php,
        }
    }

    /// Whether the tool installs the distribution's own packages.
    pub fn is_os_package_manager(self) -> bool {
        self.ecosystem() == Ecosystem::Os
    }
}

/// Options whose value is the next argument (so it is not a package).
fn takes_value(tool: Tool, option: &str) -> bool {
    if option.contains('=') {
        return false;
    }
    match tool {
        Tool::Apt => matches!(option, "-o" | "-t" | "--target-release" | "-c"),
        Tool::Pip => matches!(
            option,
            "-r" | "--requirement"
                | "-c"
                | "--constraint"
                | "-e"
                | "--editable"
                | "-i"
                | "--index-url"
                | "--extra-index-url"
                | "-f"
                | "--find-links"
                | "-t"
                | "--target"
                | "--prefix"
                | "--root"
                | "--trusted-host"
                | "--platform"
                | "--python-version"
                | "--only-binary"
                | "--no-binary"
        ),
        Tool::Npm | Tool::Pnpm => {
            matches!(
                option,
                "--prefix" | "--registry" | "--cache" | "-C" | "--filter"
            )
        }
        Tool::Yarn => matches!(
            option,
            "--cwd" | "--modules-folder" | "--cache-folder" | "--network-timeout" | "--mutex"
        ),
        Tool::Apk => matches!(
            option,
            "-X" | "--repository" | "-t" | "--virtual" | "--root" | "-p"
        ),
        Tool::Dnf => matches!(option, "--setopt" | "--installroot" | "--releasever"),
        _ => false,
    }
}

fn operands(args: &[String]) -> impl Iterator<Item = &str> {
    args.iter()
        .map(|a| unescaped(a))
        .filter(|a| !a.starts_with('-'))
}

/// The operands of a tool's arguments, the values of its options that take
/// one left out (`yarn --network-timeout 600000` has none, `pnpm --filter
/// web build` has `build`).
fn operands_of(tool: Tool, args: &[String]) -> Vec<&str> {
    let mut out = Vec::new();
    let mut skip = false;
    for a in args.iter().map(|a| unescaped(a)) {
        if std::mem::take(&mut skip) {
            continue;
        }
        if a.starts_with('-') {
            skip = takes_value(tool, a);
            continue;
        }
        out.push(a);
    }
    out
}

/// A word as the shell reads it when a backslash escapes its first letter
/// (`apt-get \update` runs `apt-get update`).
fn unescaped(word: &str) -> &str {
    match word.strip_prefix('\\') {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_alphanumeric()) => rest,
        _ => word,
    }
}

fn has_flag(args: &[String], flags: &[&str]) -> bool {
    args.iter().any(|a| {
        flags
            .iter()
            .any(|f| a == f || (a.starts_with(f) && a[f.len()..].starts_with('=')))
    })
}

/// The program a command runs and its arguments, `sudo` (with its
/// options) taken off. `env` and `VAR=value` prefixes are already off in
/// `analysis::shell`.
fn unwrapped(c: &Command) -> (&str, &[String]) {
    let mut name = c.name.as_str();
    let mut args = c.args.as_slice();
    while name == "sudo" {
        let mut i = 0;
        while i < args.len() && args[i].starts_with('-') {
            // `-u user`, `-g group` take a value
            let takes = matches!(args[i].as_str(), "-u" | "-g" | "-U" | "-h" | "-p" | "-C");
            i += if takes { 2 } else { 1 };
        }
        while i < args.len() && args[i].contains('=') && !args[i].starts_with('-') {
            i += 1;
        }
        let Some(next) = args.get(i) else {
            break;
        };
        name = next.as_str();
        args = &args[i + 1..];
    }
    (name, args)
}

/// The tool a program name runs, by its file name (`/usr/bin/pip3`,
/// `./mvnw` and `./gradlew` too).
fn tool_of(program: &str) -> Option<Tool> {
    let base = program.rsplit('/').next().unwrap_or(program);
    let pip = |b: &str| {
        b.strip_prefix("pip")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    };
    Some(match base {
        "apt-get" | "apt" | "aptitude" => Tool::Apt,
        "apk" => Tool::Apk,
        "dnf" | "yum" | "microdnf" | "tdnf" => Tool::Dnf,
        "npm" => Tool::Npm,
        "yarn" | "yarnpkg" => Tool::Yarn,
        "pnpm" => Tool::Pnpm,
        "bun" => Tool::Bun,
        "pipx" => Tool::Pipx,
        "uv" => Tool::Uv,
        "poetry" => Tool::Poetry,
        "pipenv" => Tool::Pipenv,
        "bundle" | "bundler" => Tool::Bundler,
        "gem" => Tool::Gem,
        "go" => Tool::Go,
        "cargo" => Tool::Cargo,
        "mvn" | "mvnw" => Tool::Maven,
        "gradle" | "gradlew" => Tool::Gradle,
        "dotnet" => Tool::Dotnet,
        "composer" | "composer.phar" => Tool::Composer,
        b if pip(b) => Tool::Pip,
        _ => return None,
    })
}

/// Whether a program is a Python interpreter (`python`, `python3.12`).
fn is_python(program: &str) -> bool {
    let base = program.rsplit('/').next().unwrap_or(program);
    base.strip_prefix("python")
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// What a command does, when it runs a known tool.
pub fn invocation(c: &Command) -> Option<Invocation<'_>> {
    let (program, mut args) = unwrapped(c);
    let tool = if is_python(program) {
        // `python -m pip install`, `python3 -m pipx`, `python -m uv`
        match args {
            [m, module, rest @ ..] if m == "-m" => {
                args = rest;
                match module.as_str() {
                    "pip" => Tool::Pip,
                    "pipx" => Tool::Pipx,
                    "uv" => Tool::Uv,
                    "poetry" => Tool::Poetry,
                    _ => return None,
                }
            }
            _ => return None,
        }
    } else {
        tool_of(program)?
    };
    let action = action(tool, args);
    Some(Invocation {
        tool,
        action,
        program,
        args,
    })
}

/// Every invocation of a known tool in a script, in order.
pub fn invocations(script: &Script) -> impl Iterator<Item = Invocation<'_>> {
    script.commands.iter().filter_map(invocation)
}

fn prints_version(args: &[String]) -> bool {
    let mut ops = operands(args);
    let first = ops.next();
    (has_flag(args, &["--version", "-V"]) || args.iter().any(|a| a == "-v")) && first.is_none()
        || first == Some("version") && ops.next().is_none() && !has_flag(args, &["--help"])
        || args.len() == 1 && args[0] == "--info"
}

fn action(tool: Tool, args: &[String]) -> Action {
    use Action::*;
    if prints_version(args) {
        return Version;
    }
    let mut ops = operands_of(tool, args).into_iter();
    let sub = ops.next();
    let second = ops.next();
    let script_named = |names: &[&str]| {
        // `npm run build`, `yarn build`, `pnpm run test:unit`
        let task = if sub == Some("run") || sub == Some("run-script") {
            second
        } else {
            sub
        };
        task.is_some_and(|t| {
            names
                .iter()
                .any(|n| t == *n || t.starts_with(&format!("{n}:")))
        })
    };
    match tool {
        Tool::Apt => match sub {
            Some("install" | "reinstall" | "upgrade" | "dist-upgrade" | "full-upgrade") => Install,
            Some("update") => UpdateIndex,
            Some("clean" | "autoclean" | "dist-clean" | "distclean") => CleanCache,
            _ => Other,
        },
        Tool::Apk => match sub {
            Some("add" | "upgrade") => Install,
            Some("update") => UpdateIndex,
            Some("cache") if matches!(second, Some("clean" | "purge")) => CleanCache,
            _ => Other,
        },
        Tool::Dnf => match sub {
            Some("install" | "reinstall" | "upgrade" | "update" | "groupinstall") => Install,
            Some("makecache") => UpdateIndex,
            Some("clean") => CleanCache,
            _ => Other,
        },
        Tool::Npm | Tool::Pnpm | Tool::Bun | Tool::Yarn => {
            let install = match tool {
                Tool::Yarn => sub.is_none() || matches!(sub, Some("install" | "add")),
                Tool::Npm => matches!(
                    sub,
                    Some(
                        "install"
                            | "i"
                            | "ci"
                            | "add"
                            | "isntall"
                            | "clean-install"
                            | "ic"
                            | "install-clean"
                            | "isntall-clean"
                    )
                ),
                // `pnpm fetch` fills the store from the lockfile alone
                Tool::Pnpm => matches!(sub, Some("install" | "i" | "ci" | "add" | "fetch")),
                _ => matches!(sub, Some("install" | "i" | "ci" | "add")),
            };
            if install {
                Install
            } else if sub == Some("cache") && matches!(second, Some("clean" | "rm" | "purge"))
                || tool == Tool::Pnpm && sub == Some("store") && second == Some("prune")
            {
                CleanCache
            } else if matches!(sub, Some("test" | "t")) || script_named(&["test"]) {
                Test
            } else if script_named(&["build", "generate"]) {
                Build
            } else {
                Other
            }
        }
        Tool::Pip => match sub {
            Some("install") => Install,
            Some("cache") if matches!(second, Some("purge" | "remove")) => CleanCache,
            _ => Other,
        },
        Tool::Pipx => match sub {
            Some("install" | "inject") => Install,
            _ => Other,
        },
        Tool::Uv => match (sub, second) {
            (Some("sync" | "add"), _) | (Some("pip" | "tool"), Some("install" | "sync")) => Install,
            (Some("cache"), Some("clean" | "prune")) => CleanCache,
            (Some("build"), _) => Build,
            _ => Other,
        },
        Tool::Poetry | Tool::Pipenv => match sub {
            Some("install" | "add" | "sync") => Install,
            Some("build") => Build,
            _ => Other,
        },
        Tool::Bundler => match sub {
            None | Some("install") => Install,
            Some("exec") if ops_test(second) => Test,
            _ => Other,
        },
        Tool::Gem => match sub {
            Some("install") => Install,
            Some("build") => Build,
            _ => Other,
        },
        Tool::Go => match sub {
            Some("get" | "install") => Install,
            Some("mod") if matches!(second, Some("download" | "tidy" | "vendor")) => Install,
            Some("build") => Build,
            Some("test" | "vet") => Test,
            Some("clean") if has_flag(args, &["-cache", "-modcache"]) => CleanCache,
            _ => Other,
        },
        Tool::Cargo => match sub {
            Some("fetch" | "install") => Install,
            Some("build" | "b") => Build,
            Some("test" | "t") => Test,
            _ => Other,
        },
        Tool::Maven => {
            let goals: Vec<&str> = operands(args).collect();
            if goals.iter().any(|g| {
                matches!(*g, "package" | "install" | "verify" | "compile" | "deploy")
                    || g.ends_with(":repackage")
            }) {
                Build
            } else if goals.contains(&"test") {
                Test
            } else if goals.iter().any(|g| g.starts_with("dependency:")) {
                Install
            } else {
                Other
            }
        }
        Tool::Gradle => {
            let tasks: Vec<&str> = operands(args).collect();
            let build = |t: &str| {
                let t = t.rsplit(':').next().unwrap_or(t);
                matches!(
                    t,
                    "build" | "assemble" | "bootJar" | "shadowJar" | "installDist" | "jar"
                ) || t.starts_with("assemble")
                    || t.starts_with("bundle")
            };
            if tasks.iter().any(|t| build(t)) {
                Build
            } else if tasks.iter().any(|t| t.rsplit(':').next() == Some("test")) {
                Test
            } else if tasks.contains(&"dependencies") {
                Install
            } else {
                Other
            }
        }
        Tool::Dotnet => match sub {
            Some("restore") => Install,
            Some("build" | "publish" | "pack") => Build,
            Some("test") => Test,
            Some("nuget") if second == Some("locals") => CleanCache,
            _ => Other,
        },
        Tool::Composer => match sub {
            Some("install" | "require" | "update") => Install,
            Some("dump-autoload" | "dumpautoload") => Build,
            Some("clear-cache" | "clearcache" | "clear") => CleanCache,
            _ => Other,
        },
    }
}

/// `bundle exec rspec`, `bundle exec rake test`.
fn ops_test(tool: Option<&str>) -> bool {
    matches!(tool, Some("rspec" | "rake" | "minitest"))
}

/// One step a command takes, for the tools above and the common build and
/// test runners that are not package managers (`make`, `tsc`, `webpack`,
/// `npx next build`, `pytest`, `jest`...): what it does and how to name it
/// to people (`npm ci`, `go build`, `pytest`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub action: Action,
    /// The tool, when it is one the model knows.
    pub tool: Option<Tool>,
    pub label: String,
}

/// What a command does as a step of a build, if anything the model knows.
pub fn step(c: &Command) -> Option<Step> {
    if let Some(i) = invocation(c) {
        let label = label(&i);
        return Some(Step {
            action: i.action,
            tool: Some(i.tool),
            label,
        });
    }
    let (program, args) = unwrapped(c);
    let base = program.rsplit('/').next().unwrap_or(program);
    let mut ops = operands(args);
    let first = ops.next();
    let (action, label) = match base {
        "npx" | "pnpx" | "bunx" => {
            let tool = first?;
            let sub = ops.next();
            (runner(tool, sub)?, runner_label(tool, sub))
        }
        b if is_python(b) => match args {
            [m, module, ..] if m == "-m" => {
                let action = match module.as_str() {
                    "build" => Action::Build,
                    "pytest" | "unittest" | "tox" => Action::Test,
                    _ => return None,
                };
                (action, format!("python -m {module}"))
            }
            [script, sub, ..] if script == "setup.py" => match sub.as_str() {
                "build" | "bdist_wheel" | "sdist" | "build_ext" => {
                    (Action::Build, format!("python setup.py {sub}"))
                }
                "install" | "develop" => (Action::Install, format!("python setup.py {sub}")),
                _ => return None,
            },
            _ => return None,
        },
        // `node build.js`, `node scripts/build.mjs`: a build script by name
        "node" | "bun" | "deno" | "tsx" | "ts-node"
            if first.is_some_and(|f| {
                let file = f.rsplit('/').next().unwrap_or(f);
                let stem = file.split('.').next().unwrap_or(file);
                file.contains('.') && (stem == "build" || stem.starts_with("build-"))
            }) =>
        {
            (
                Action::Build,
                format!("{base} {}", first.unwrap_or_default()),
            )
        }
        b => match runner(b, first) {
            Some(action) => (action, runner_label(b, first)),
            None => (Action::Build, native_build(b, args)?),
        },
    };
    Some(Step {
        action,
        tool: None,
        label,
    })
}

/// Build and test runners that are not package managers.
fn runner(tool: &str, sub: Option<&str>) -> Option<Action> {
    Some(match tool {
        "make" | "tsc" | "webpack" | "rollup" | "esbuild" | "ninja" => Action::Build,
        "next" | "vite" | "nest" | "ng" | "nuxt" | "astro" | "react-scripts" | "turbo"
        | "mkdocs" | "jekyll" | "gatsby" | "vue-cli-service" | "parcel" | "docusaurus"
        | "react-router" | "remix" | "svelte-kit" => match sub {
            Some("build" | "generate") => Action::Build,
            Some("test") => Action::Test,
            _ => return None,
        },
        // `xk6 build`: builds a k6 binary with extensions
        "wasm-pack" | "xk6" => match sub {
            Some("build") => Action::Build,
            Some("test") => Action::Test,
            _ => return None,
        },
        "mix" => match sub {
            Some("test") => Action::Test,
            Some("deps.get") => Action::Install,
            _ => return None,
        },
        "pytest" | "jest" | "vitest" | "rspec" | "tox" | "mocha" | "phpunit" => Action::Test,
        _ => return None,
    })
}

/// Native and JVM toolchains that build (`gcc`, `javac`, `cmake --build`,
/// `zig build`, `mix release`, `sbt assembly`), named as written.
fn native_build(base: &str, args: &[String]) -> Option<String> {
    let mut ops = operands(args);
    let sub = ops.next();
    let builds = match base {
        "javac" | "gcc" | "g++" | "cc" | "c++" | "clang" | "clang++" | "ant" => {
            return Some(base.to_string())
        }
        "cmake" => args.iter().any(|a| a == "--build"),
        "mix" => matches!(sub, Some("release" | "compile")),
        "sbt" => sub
            .into_iter()
            .chain(ops)
            .any(|a| matches!(a, "assembly" | "stage")),
        "zig" | "swift" | "cabal" | "stack" | "bazel" => sub == Some("build"),
        _ => false,
    };
    builds.then(|| match base {
        "cmake" => "cmake --build".to_string(),
        "sbt" => "sbt".to_string(),
        _ => format!("{base} {}", sub.unwrap_or_default()),
    })
}

impl Step {
    /// The ecosystem of the tool or runner (`make` and the native
    /// compilers are `Other`).
    pub fn ecosystem(&self) -> Ecosystem {
        if let Some(tool) = self.tool {
            return tool.ecosystem();
        }
        let program = self.label.split(' ').next().unwrap_or_default();
        match program {
            "python" => Ecosystem::Python,
            "pytest" | "tox" => Ecosystem::Python,
            "rspec" => Ecosystem::Ruby,
            "phpunit" => Ecosystem::Php,
            "javac" | "ant" | "sbt" => Ecosystem::Jvm,
            "make" | "ninja" | "gcc" | "g++" | "cc" | "c++" | "clang" | "clang++" | "cmake"
            | "mix" | "zig" | "swift" | "cabal" | "stack" | "bazel" => Ecosystem::Other,
            "xk6" => Ecosystem::Go,
            // tsc, webpack, rollup, esbuild, next, vite, jest, vitest, mocha...
            _ => Ecosystem::Node,
        }
    }
}

fn runner_label(tool: &str, sub: Option<&str>) -> String {
    match (tool, sub) {
        (
            "next" | "vite" | "nest" | "ng" | "nuxt" | "astro" | "react-scripts" | "turbo"
            | "mkdocs" | "jekyll" | "gatsby" | "vue-cli-service" | "parcel" | "docusaurus"
            | "react-router" | "remix" | "svelte-kit" | "wasm-pack" | "mix" | "xk6",
            Some(s),
        ) => {
            format!("{tool} {s}")
        }
        _ => tool.to_string(),
    }
}

/// How people name an invocation: the program and the words that say
/// what it does (`npm run build`, `go mod download`, `pip install`,
/// `bundle --version`).
fn label(i: &Invocation) -> String {
    let base = i.program.rsplit('/').next().unwrap_or(i.program);
    let program = match i.tool {
        Tool::Pip if is_python(base) => "python -m pip".to_string(),
        _ => base.to_string(),
    };
    if i.action == Action::Version {
        let flag = i
            .args
            .iter()
            .find(|a| a.starts_with('-') || *a == "version")
            .map(String::as_str)
            .unwrap_or("--version");
        return format!("{program} {flag}");
    }
    let mut ops = operands_of(i.tool, i.args).into_iter();
    let words: Vec<&str> = match i.tool {
        Tool::Maven | Tool::Gradle => {
            let all: Vec<&str> = i.operands().collect();
            let wanted = |g: &&str| match i.action {
                Action::Build => {
                    matches!(
                        g.rsplit(':').next().unwrap_or(g),
                        "package"
                            | "install"
                            | "verify"
                            | "compile"
                            | "deploy"
                            | "build"
                            | "assemble"
                            | "bootJar"
                            | "shadowJar"
                            | "installDist"
                            | "jar"
                            | "repackage"
                    ) || {
                        let task = g.rsplit(':').next().unwrap_or(g);
                        task.starts_with("assemble") || task.starts_with("bundle")
                    }
                }
                Action::Test => g.rsplit(':').next() == Some("test"),
                Action::Install => g.starts_with("dependency:") || *g == "dependencies",
                _ => false,
            };
            all.into_iter().find(wanted).into_iter().collect()
        }
        _ => match ops.next() {
            None => Vec::new(),
            Some(
                first @ ("run" | "run-script" | "mod" | "pip" | "tool" | "cache" | "store" | "exec"
                | "nuget"),
            ) => {
                let mut w = vec![first];
                w.extend(ops.next());
                w
            }
            Some(first) => vec![first],
        },
    };
    if words.is_empty() {
        program
    } else {
        format!("{program} {}", words.join(" "))
    }
}

/// Whether a script refreshes the apt lists (`apt-get update`, `apt
/// update`, `aptitude update`).
pub fn updates_apt_lists(script: &Script) -> bool {
    invocations(script).any(|i| i.tool == Tool::Apt && i.action == Action::UpdateIndex)
}

/// Whether a script removes the apt lists: `rm` of `/var/lib/apt/lists`
/// (or below), or `apt-get dist-clean` (apt 2.7.8+, which removes them).
pub fn removes_apt_lists(script: &Script) -> bool {
    script.any(|c| {
        let (program, args) = unwrapped(c);
        program == "rm" && operands(args).any(|o| o.starts_with("/var/lib/apt/lists"))
    }) || invocations(script)
        .any(|i| i.tool == Tool::Apt && matches!(i.subcommand(), Some("dist-clean" | "distclean")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(text: &str) -> (Tool, Action) {
        let script = Script::parse(text);
        let i = invocation(&script.commands[0]).unwrap_or_else(|| panic!("{text}"));
        (i.tool, i.action)
    }

    #[test]
    fn tools_and_actions() {
        use Action::*;
        for (text, tool, action) in [
            ("apt-get -y install curl", Tool::Apt, Install),
            ("sudo -E apt-get update", Tool::Apt, UpdateIndex),
            ("aptitude update", Tool::Apt, UpdateIndex),
            ("apt-get dist-clean", Tool::Apt, CleanCache),
            ("apk add --no-cache git", Tool::Apk, Install),
            ("microdnf install -y tar", Tool::Dnf, Install),
            ("yarn", Tool::Yarn, Install),
            ("yarn install --frozen-lockfile", Tool::Yarn, Install),
            ("yarn build", Tool::Yarn, Build),
            ("npm run build", Tool::Npm, Build),
            ("npm test", Tool::Npm, Test),
            ("npm cache clean --force", Tool::Npm, CleanCache),
            ("PIP_NO_CACHE_DIR=1 pip2 install x", Tool::Pip, Install),
            ("python3 -m pip install x", Tool::Pip, Install),
            ("/usr/local/bin/pip3.12 install x", Tool::Pip, Install),
            ("pipx install poetry", Tool::Pipx, Install),
            ("uv pip install x", Tool::Uv, Install),
            ("uv sync --frozen", Tool::Uv, Install),
            ("bundle install", Tool::Bundler, Install),
            ("bundle --version", Tool::Bundler, Version),
            ("gem --version", Tool::Gem, Version),
            ("go version", Tool::Go, Version),
            ("go mod download", Tool::Go, Install),
            ("go build -o /app .", Tool::Go, Build),
            ("cargo build --release", Tool::Cargo, Build),
            ("./mvnw -B package -DskipTests", Tool::Maven, Build),
            ("mvn dependency:go-offline", Tool::Maven, Install),
            ("./gradlew :app:bootJar", Tool::Gradle, Build),
            ("dotnet restore", Tool::Dotnet, Install),
            ("dotnet publish -c Release", Tool::Dotnet, Build),
            ("dotnet --info", Tool::Dotnet, Version),
            ("composer install --no-dev", Tool::Composer, Install),
        ] {
            assert_eq!(first(text), (tool, action), "{text}");
        }
        assert!(invocation(&Script::parse("python3 app.py").commands[0]).is_none());
    }

    #[test]
    fn packages_skip_options_and_their_values() {
        let script = Script::parse("apt-get install -y -o Dpkg::Options::=x curl git");
        let i = invocation(&script.commands[0]).unwrap();
        assert_eq!(i.packages(), ["curl", "git"]);
        let script = Script::parse("sudo -u app pip install -i https://x flask");
        let i = invocation(&script.commands[0]).unwrap();
        assert_eq!((i.tool, i.packages()), (Tool::Pip, vec!["flask"]));
        let script = Script::parse("yarn --frozen-lockfile");
        assert!(invocation(&script.commands[0])
            .unwrap()
            .packages()
            .is_empty());
    }

    #[test]
    fn steps_and_their_names() {
        let step = |t: &str| {
            let s = Script::parse(t);
            super::step(&s.commands[0]).map(|s| (s.action, s.label))
        };
        use Action::*;
        assert_eq!(step("npm ci"), Some((Install, "npm ci".into())));
        assert_eq!(step("npm run build"), Some((Build, "npm run build".into())));
        assert_eq!(
            step("go mod download"),
            Some((Install, "go mod download".into()))
        );
        assert_eq!(
            step("bundle --version"),
            Some((Version, "bundle --version".into()))
        );
        assert_eq!(step("npx next build"), Some((Build, "next build".into())));
        assert_eq!(step("make -j4"), Some((Build, "make".into())));
        assert_eq!(
            step("xk6 build v2.1.0 --with x=./x --output /build/k6"),
            Some((Build, "xk6 build".into()))
        );
        assert_eq!(
            step("python -m pytest -q"),
            Some((Test, "python -m pytest".into()))
        );
        assert_eq!(
            step("./mvnw -B package"),
            Some((Build, "mvnw package".into()))
        );
        assert_eq!(
            step("sudo pip3 install flask"),
            Some((Install, "pip3 install".into()))
        );
        assert_eq!(step("echo hi"), None);
        assert_eq!(step("mkdocs build"), Some((Build, "mkdocs build".into())));
        assert_eq!(step("mkdocs serve"), None);
        assert_eq!(step("node build.js"), Some((Build, "node build.js".into())));
        assert_eq!(
            step("node scripts/build.mjs --prod"),
            Some((Build, "node scripts/build.mjs".into()))
        );
        assert_eq!(step("node server.js"), None);
        assert_eq!(step("pnpm fetch"), Some((Install, "pnpm fetch".into())));
        assert_eq!(
            step("yarn --frozen-lockfile --network-timeout 600000"),
            Some((Install, "yarn".into()))
        );
        assert_eq!(
            step("pnpm --filter web build"),
            Some((Build, "pnpm build".into()))
        );
        assert_eq!(
            step("npm run generate"),
            Some((Build, "npm run generate".into()))
        );
        assert_eq!(
            step("./gradlew assembleRelease"),
            Some((Build, "gradlew assembleRelease".into()))
        );
        assert_eq!(step("mix test"), Some((Test, "mix test".into())));
        assert_eq!(
            step("mix deps.get --only prod"),
            Some((Install, "mix deps.get".into()))
        );
        assert_eq!(step("mix release"), Some((Build, "mix release".into())));
        assert_eq!(
            step("wasm-pack build --release"),
            Some((Build, "wasm-pack build".into()))
        );
        assert_eq!(
            step("mvn -B dependency:go-offline"),
            Some((Install, "mvn dependency:go-offline".into()))
        );
        assert_eq!(
            step("./mvnw dependency:resolve-plugins dependency:go-offline -B"),
            Some((Install, "mvnw dependency:resolve-plugins".into()))
        );
    }

    #[test]
    fn option_values_outputs_and_requirements() {
        let inv = |t: &str| {
            let s = Script::parse(t);
            let c = s.commands[0].clone();
            (s, c)
        };
        let (_, c) = inv("go build -ldflags=-s -o /bin/app ./cmd/app");
        assert_eq!(invocation(&c).unwrap().output(), Some("/bin/app"));
        let (_, c) = inv("CGO_ENABLED=0 go build -o=/bin/app .");
        assert_eq!(invocation(&c).unwrap().output(), Some("/bin/app"));
        let (_, c) = inv("dotnet publish -c Release --output=/app/out");
        assert_eq!(invocation(&c).unwrap().output(), Some("/app/out"));
        let (_, c) = inv("go test -o /bin/t ./...");
        assert_eq!(invocation(&c).unwrap().output(), None);
        for text in [
            "pip install --no-cache-dir -r requirements.txt",
            "python -m pip install --require-hashes -r requirements.txt",
            "sudo pip3.12 install --requirement=requirements.txt",
        ] {
            let (_, c) = inv(text);
            let i = invocation(&c).unwrap();
            assert_eq!(i.requirements_file(), Some("requirements.txt"), "{text}");
        }
        let (_, c) = inv("pip install flask");
        assert_eq!(invocation(&c).unwrap().requirements_file(), None);
        let (_, c) = inv("pip download -r requirements.txt");
        assert_eq!(invocation(&c).unwrap().requirements_file(), None);
    }

    #[test]
    fn locked_fetches() {
        let fetches = |t: &str| {
            let s = Script::parse(t);
            invocation(&s.commands[0]).is_some_and(|i| i.fetches_locked_dependencies())
        };
        assert!(fetches("go mod download"));
        assert!(fetches("go mod verify"));
        assert!(fetches("cargo fetch --locked"));
        // tidy rewrites go.mod from the sources
        assert!(!fetches("go mod tidy"));
        assert!(!fetches("go build ."));
    }

    #[test]
    fn ecosystems() {
        let eco = |t: &str| {
            let s = Script::parse(t);
            super::step(&s.commands[0]).map(|s| (s.action, s.ecosystem()))
        };
        use Action::*;
        assert_eq!(eco("./mvnw -B package"), Some((Build, Ecosystem::Jvm)));
        assert_eq!(eco("mvn compile"), Some((Build, Ecosystem::Jvm)));
        assert_eq!(eco("gradle shadowJar"), Some((Build, Ecosystem::Jvm)));
        assert_eq!(eco("javac Main.java"), Some((Build, Ecosystem::Jvm)));
        assert_eq!(eco("sbt clean assembly"), Some((Build, Ecosystem::Jvm)));
        assert_eq!(
            eco("dotnet publish -c Release"),
            Some((Build, Ecosystem::Dotnet))
        );
        assert_eq!(eco("make -j4"), Some((Build, Ecosystem::Other)));
        assert_eq!(
            eco("gcc -O2 -o app main.c"),
            Some((Build, Ecosystem::Other))
        );
        assert_eq!(eco("cmake --build build"), Some((Build, Ecosystem::Other)));
        assert_eq!(
            eco("zig build -Doptimize=ReleaseSafe"),
            Some((Build, Ecosystem::Other))
        );
        assert_eq!(eco("mix release"), Some((Build, Ecosystem::Other)));
        assert_eq!(eco("npm run build"), Some((Build, Ecosystem::Node)));
        assert_eq!(eco("tsc -p ."), Some((Build, Ecosystem::Node)));
        assert_eq!(eco("npx next build"), Some((Build, Ecosystem::Node)));
        assert_eq!(eco("python -m build"), Some((Build, Ecosystem::Python)));
        assert_eq!(eco("cargo build --release"), Some((Build, Ecosystem::Rust)));
        assert_eq!(eco("go build ."), Some((Build, Ecosystem::Go)));
        assert_eq!(eco("cmake -S . -B build"), None);
        assert_eq!(eco("zig version"), None);
        assert_eq!(
            super::step(&Script::parse("mix release").commands[0])
                .unwrap()
                .label,
            "mix release"
        );
        assert!(Tool::Apk.is_os_package_manager());
        assert!(Tool::Dnf.is_os_package_manager());
        assert!(!Tool::Pip.is_os_package_manager());
    }

    #[test]
    fn apt_lists() {
        let s = |t: &str| Script::parse(t);
        assert!(updates_apt_lists(&s(
            "set -eux; apt-get update; apt-get install -y x"
        )));
        assert!(updates_apt_lists(&s("apt update && apt install -y x")));
        assert!(!updates_apt_lists(&s("apt-get install -y x")));
        assert!(removes_apt_lists(&s(
            "apt-get update && rm -rf /var/lib/apt/lists/*"
        )));
        assert!(removes_apt_lists(&s("apt-get update; apt-get dist-clean")));
        assert!(!removes_apt_lists(&s("apt-get update && rm -rf /tmp/x")));
        assert!(!removes_apt_lists(&s("apt-get update && apt-get clean")));
        assert!(updates_apt_lists(&s("apt-get \\update")));
    }
}
