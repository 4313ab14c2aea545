//! What the commands and paths of the Dockerfile say: WORKDIR-relative
//! paths resolved, ARG/ENV values expanded, the folders `mkdir` makes, the
//! files `cp` puts in place, pip, go and cargo invocations.

use super::*;

/// The `target/release/<name>` binary a CMD/ENTRYPOINT text runs, as an
/// absolute path under `workdir`.
pub(super) fn rust_binary(commands: &str, workdir: &str) -> Option<String> {
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
pub(super) fn pip_requirements(c: &Command) -> Option<String> {
    commands::invocation(c)?
        .requirements_file()
        .map(str::to_string)
}

/// The path `go build -o <path>` writes the binary to, as written
/// (relative to the WORKDIR when it is not absolute).
pub(super) fn go_output(c: &Command) -> Option<&str> {
    let i = commands::invocation(c)?;
    if i.tool != Tool::Go || i.action != Action::Build {
        return None;
    }
    i.output().filter(|p| !p.ends_with('/') && !p.is_empty())
}

/// `go mod download` / `go mod verify`: the modules from go.mod and
/// go.sum alone.
pub(super) fn is_go_download(c: &Command) -> bool {
    commands::invocation(c).is_some_and(|i| i.tool == Tool::Go && i.fetches_locked_dependencies())
}

/// Whether a script only sets up the system (installs OS packages, makes
/// directories): the dependency install may need what it installs
/// (python3, make and g++ for native Node modules, libpq for psycopg).
pub(super) fn sets_up_the_system(script: &Script) -> bool {
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

/// `dir/name` for a folder of the context (`""` is its root).
pub(super) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// The program and first operand of a command's words.
pub(super) fn program_and_sub(words: &[String]) -> (&str, Option<&str>) {
    let program = words.first().map(String::as_str).unwrap_or_default();
    let program = program.rsplit('/').next().unwrap_or(program);
    let sub = words
        .iter()
        .skip(1)
        .map(String::as_str)
        .find(|w| !w.starts_with('-'));
    (program, sub)
}

/// `$NAME` and `${NAME}` replaced by the values known; `None` when a
/// variable is unknown.
pub(super) fn expand(text: &str, vars: &BTreeMap<String, String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, len) = if let Some(braced) = after.strip_prefix('{') {
            let end = braced.find('}')?;
            let inner = &braced[..end];
            let name = inner.split([':', '-', '+', '?']).next().unwrap_or(inner);
            (name, end + 2)
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        if name.is_empty() {
            return None;
        }
        out.push_str(vars.get(name)?);
        rest = &after[len..];
    }
    out.push_str(rest);
    Some(out)
}

/// The ENV and ARG values an instruction sets (`ENV A=1 B=2`, `ARG A=1`,
/// the legacy `ENV A 1`).
pub(super) fn assignments(node: Node, source: &dyn Source) -> Vec<(String, String)> {
    let text = logical_text(node, source);
    let body = text
        .trim_start()
        .split_once(char::is_whitespace)
        .map(|(_, b)| b.trim())
        .unwrap_or_default();
    let unquote = |v: &str| v.trim_matches('"').trim_matches('\'').to_string();
    if !body.contains('=') && node.kind() == "env_instruction" {
        if let Some((name, value)) = body.split_once(char::is_whitespace) {
            return vec![(name.to_string(), unquote(value.trim()))];
        }
    }
    body.split_whitespace()
        .filter_map(|w| {
            let (name, value) = w.split_once('=')?;
            Some((name.to_string(), unquote(value)))
        })
        .collect()
}

/// The folder `python -m venv DIR` or `virtualenv DIR` makes.
pub(super) fn venv_dir(c: &Command) -> Option<&str> {
    let base = c.name.rsplit('/').next().unwrap_or(&c.name);
    let mut ops = c.operands();
    if base.starts_with("python") {
        let mut args = c.args.iter().map(String::as_str);
        if args.next()? != "-m" || args.next()? != "venv" {
            return None;
        }
        return args.rfind(|a| !a.starts_with('-'));
    }
    (base == "virtualenv").then(|| ops.next_back()).flatten()
}

/// Whether a command is `pip install` in any form.
pub(super) fn is_pip(c: &Command) -> bool {
    commands::invocation(c).is_some_and(|i| i.tool == Tool::Pip && i.action == Action::Install)
}

/// Folders of the system, not of the app: a `mkdir -p /usr/local/bin` is
/// not a folder the app writes.
pub(super) fn system_dir(path: &str) -> bool {
    [
        "/usr",
        "/bin",
        "/sbin",
        "/lib",
        "/lib64",
        "/etc",
        "/root",
        "/tmp",
        "/proc",
        "/sys",
        "/dev",
        "/run",
        "/var/lib/apt",
        "/var/cache",
    ]
    .iter()
    .any(|d| path == *d || path.starts_with(&format!("{d}/")))
}

/// The folders `mkdir` makes, as written.
pub(super) fn made_dirs(c: &Command) -> Vec<String> {
    if c.name != "mkdir" {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut skip = false;
    for a in &c.args {
        if skip {
            skip = false;
            continue;
        }
        if a == "-m" || a == "--mode" {
            skip = true;
            continue;
        }
        if !a.starts_with('-') {
            // the shell's quotes are not part of the path
            let a = a.trim_matches('"').trim_matches('\'');
            if !a.is_empty() {
                out.push(a.to_string());
            }
        }
    }
    out
}

/// An exec-form RUN's words as a shell script (each word quoted).
pub(super) fn exec_script(body: &str) -> Option<Script> {
    let words: Vec<String> = serde_json::from_str(body.trim()).ok()?;
    let quoted: Vec<String> = words
        .iter()
        .map(|w| {
            let plain = !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:@+,%".contains(c));
            if plain {
                w.clone()
            } else {
                format!("'{}'", w.replace('\'', "'\\''"))
            }
        })
        .collect();
    Some(Script::parse(&quoted.join(" ")))
}

/// The files `cp` and `mv` in the RUNs write, as absolute paths (a
/// destination folder, written with a trailing `/` or `.`, gets the
/// source's name).
pub(super) fn placed_files(
    items: &[Item],
    scripts: &[Option<Script>],
    dirs: &[String],
) -> Vec<String> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if item.node.kind() != "run_instruction" {
            continue;
        }
        for c in scripts[i].iter().flat_map(|s| &s.commands) {
            if !matches!(c.name.as_str(), "cp" | "mv" | "install") {
                continue;
            }
            let ops: Vec<&str> = c.operands().collect();
            let [sources @ .., dest] = ops.as_slice() else {
                continue;
            };
            if sources.is_empty() || dest.contains('$') {
                continue;
            }
            let into_dir = dest.ends_with('/') || *dest == "." || sources.len() > 1;
            for src in sources {
                let name = src.trim_end_matches('/').rsplit('/').next().unwrap_or(src);
                let path = if into_dir {
                    absolute(&dirs[i], &format!("{}/{name}", dest.trim_end_matches('/')))
                } else {
                    absolute(&dirs[i], dest)
                };
                out.push(path);
            }
        }
    }
    out
}

/// In a runner that runs the user's steps itself (Python), the folders
/// they made as root are handed to the runner's user before it switches.
pub(super) fn push_owned_dirs(out: &mut String, runs: bool, made: &[String], chown: &str) {
    if !runs || made.is_empty() {
        return;
    }
    out.push_str(&format!(
        "# the folders made above belong to the user the app runs as\nRUN chown -R {chown} {}\n",
        made.join(" ")
    ));
}

/// Whether a `*` glob (no other wildcards) matches a name.
pub(super) fn glob_matches(glob: &str, name: &str) -> bool {
    match glob.split_once('*') {
        None => glob == name,
        Some((head, tail)) => {
            name.len() >= head.len() + tail.len()
                && name.starts_with(head)
                && glob_matches_rest(tail, &name[head.len()..])
        }
    }
}

pub(super) fn glob_matches_rest(glob: &str, name: &str) -> bool {
    if !glob.contains('*') {
        return name.ends_with(glob);
    }
    (0..=name.len()).any(|k| name.is_char_boundary(k) && glob_matches(glob, &name[k..]))
}

pub(super) use crate::analysis::paths::absolute;

/// The words of a CMD/ENTRYPOINT instruction's text, after the keyword
/// (exec form or shell form).
pub(super) fn command_words(instruction: &str) -> Vec<String> {
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

/// The first port below 1024 the stage EXPOSEs.
pub(super) fn low_port(items: &[Item], source: &dyn Source) -> Option<String> {
    items
        .iter()
        .filter(|i| i.node.kind() == "expose_instruction")
        .flat_map(|i| command_words(&source.text(i.node.byte_range())))
        .find(|w| {
            let port = w.split('/').next().unwrap_or(w);
            port.parse::<u16>().is_ok_and(|p| p < 1024)
        })
}

/// The runner's USER, or why it stays root.
pub(super) fn push_user(out: &mut String, user: &str, root_port: Option<&str>) {
    match root_port {
        Some(port) => out.push_str(&format!(
            "# runs as root, as the original did: it listens on port {port}, which an unprivileged user cannot bind\n"
        )),
        None => out.push_str(&format!("USER {user}\n")),
    }
}

/// The package `go build` (without `-o`) builds: its one operand, `.`
/// when none; `None` for several or a pattern (`./...`).
pub(super) fn go_package(c: &Command) -> Option<String> {
    let i = commands::invocation(c)?;
    if i.tool != Tool::Go || i.action != Action::Build || i.output().is_some() {
        return None;
    }
    let mut skip = false;
    let mut packages = Vec::new();
    for a in i.args.iter().skip(1) {
        if skip {
            skip = false;
            continue;
        }
        if a.starts_with('-') {
            // the flags of go build that take a value
            skip = !a.contains('=')
                && matches!(
                    a.as_str(),
                    "-ldflags"
                        | "-gcflags"
                        | "-tags"
                        | "-mod"
                        | "-p"
                        | "-asmflags"
                        | "-buildmode"
                        | "-pkgdir"
                        | "-trimpath=false"
                );
            continue;
        }
        packages.push(a.clone());
    }
    match packages.as_slice() {
        [] => Some(".".into()),
        [one] if !one.contains("...") && !one.ends_with(".go") => Some(one.clone()),
        _ => None,
    }
}

/// The file `go build PACKAGE` writes: the package path's last element
/// (`./cmd/backend` → `backend`), for `.` the module's (without `/vN`).
pub(super) fn default_go_binary(package: &str, module: Option<&str>) -> Option<String> {
    let package = package.trim_start_matches("./").trim_end_matches('/');
    let path = if package.is_empty() || package == "." {
        module?.to_string()
    } else {
        package.to_string()
    };
    let mut parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if parts.len() > 1
        && parts.last().is_some_and(|l| {
            l.len() > 1 && l.starts_with('v') && l[1..].chars().all(|c| c.is_ascii_digit())
        })
    {
        parts.pop();
    }
    let name = parts.last()?.to_string();
    (!name.contains('$')).then_some(name)
}

/// What a system set-up installs, for a runner that only copies built
/// things (a virtualenv, a binary, a standalone server).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SetUp {
    /// Compilers, headers and build helpers only: the deps or build
    /// stage needs them, the runner does not.
    BuildTooling,
    /// Build tooling with runtime packages in one RUN: kept whole.
    Mixed,
    /// Runtime packages (or packages not known to be build tooling).
    Runtime,
}

/// Whether an OS package is build tooling: a compiler, headers, a build
/// system (`g++`, `build-essential`, `linux-headers`, `libpq-dev`,
/// `python3-dev`, `make`). Runtime libraries (`libpq5`, `libstdc++`,
/// `ca-certificates`, `tzdata`) are not.
pub(super) fn is_build_tooling(package: &str) -> bool {
    // `gcc=4:12.2.0-3`, `g++~=12`, `musl-dev>1.2`
    let name = package
        .split(['=', '<', '>', '~'])
        .next()
        .unwrap_or(package)
        .to_ascii_lowercase();
    const TOOLS: &[&str] = &[
        "gcc",
        "g++",
        "c++",
        "cc",
        "clang",
        "make",
        "cmake",
        "ninja",
        "ninja-build",
        "build-essential",
        "build-base",
        "alpine-sdk",
        "linux-headers",
        "musl-dev",
        "libc-dev",
        "libc6-dev",
        "autoconf",
        "automake",
        "libtool",
        "pkg-config",
        "pkgconf",
        "pkgconfig",
        "swig",
        "bison",
        "flex",
        "rust",
        "cargo",
        "gfortran",
    ];
    if TOOLS.contains(&name.as_str()) {
        return true;
    }
    // versioned compilers (`gcc-12`, `g++-12`, `clang-16`)
    let versioned = ["gcc-", "g++-", "clang-", "cpp-"].iter().any(|p| {
        name.strip_prefix(p)
            .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    });
    // headers: `libpq-dev`, `python3-dev`, `openssl-devel`, `libffi-dev`
    versioned || name.ends_with("-dev") || name.ends_with("-devel")
}

/// What a set-up script installs (see `SetUp`); `None` when it installs
/// no OS package. A package named by a variable counts as runtime.
pub(super) fn set_up_kind(script: &Script) -> Option<SetUp> {
    let mut tools = false;
    let mut runtime = false;
    for c in &script.commands {
        if c.name == "zypper" {
            if matches!(c.operands().next(), Some("install" | "in")) {
                for p in c.operands().skip(1) {
                    if is_build_tooling(p) {
                        tools = true;
                    } else {
                        runtime = true;
                    }
                }
            }
            continue;
        }
        let Some(i) = commands::invocation(c) else {
            continue;
        };
        if !(i.tool.is_os_package_manager() && i.action == Action::Install) {
            continue;
        }
        for p in i.packages() {
            if !p.contains('$') && is_build_tooling(p) {
                tools = true;
            } else {
                runtime = true;
            }
        }
    }
    match (tools, runtime) {
        (false, false) => None,
        (true, false) => Some(SetUp::BuildTooling),
        (true, true) => Some(SetUp::Mixed),
        (false, true) => Some(SetUp::Runtime),
    }
}

/// The build tooling a set-up script installs, for a comment.
pub(super) fn build_tooling_named(script: &Script) -> Vec<String> {
    let mut out = Vec::new();
    for c in &script.commands {
        let packages: Vec<&str> = if c.name == "zypper" {
            c.operands().skip(1).collect()
        } else {
            match commands::invocation(c) {
                Some(i) if i.tool.is_os_package_manager() && i.action == Action::Install => {
                    i.packages()
                }
                _ => continue,
            }
        };
        for p in packages {
            if is_build_tooling(p) && !out.iter().any(|o| o == p) {
                out.push(p.to_string());
            }
        }
    }
    out
}

/// The last stage of a rewrite with each `COPY --from=<stage> <src>
/// <dest>` once: a later copy of the same files to the same place (a
/// folder a RUN made that is also an output) is dropped, its `--chown`
/// kept on the first.
pub(super) fn one_copy_each(text: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let last_from = lines
        .iter()
        .rposition(|l| l.trim_start().to_ascii_uppercase().starts_with("FROM "))
        .unwrap_or(0);
    // (from, sources and destination) of a one-line COPY --from, and its --chown
    let key = |line: &str| -> Option<(String, Option<String>)> {
        let line = line.trim_end();
        if !line.starts_with("COPY --from=") || line.ends_with('\\') {
            return None;
        }
        let mut rest = Vec::new();
        let mut chown = None;
        for w in line.split_whitespace().skip(1) {
            if let Some(c) = w.strip_prefix("--chown=") {
                chown = Some(c.to_string());
            } else if w.starts_with("--") && !w.starts_with("--from=") {
                // --chmod, --link: not merged
                return None;
            } else {
                rest.push(w);
            }
        }
        Some((rest.join(" "), chown))
    };
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let mut seen: Vec<(String, usize)> = Vec::new();
    let mut drop = vec![false; lines.len()];
    for (n, line) in lines.iter().enumerate().skip(last_from + 1) {
        let Some((k, chown)) = key(line) else {
            continue;
        };
        if let Some((_, first)) = seen.iter().find(|(s, _)| *s == k) {
            let first = *first;
            if let Some(c) = chown {
                if key(&out[first]).is_some_and(|(_, had)| had.is_none()) {
                    out[first] = out[first].replacen(
                        "COPY --from=",
                        &format!("COPY --chown={c} --from="),
                        1,
                    );
                }
            }
            drop[n] = true;
        } else {
            seen.push((k, n));
        }
    }
    out.into_iter()
        .zip(drop)
        .filter(|(_, d)| !d)
        .map(|(l, _)| l)
        .collect()
}
