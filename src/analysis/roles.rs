//! What each stage is for, inferred from what it does, in order: what it
//! copies from the build context and from which stages, what it installs,
//! builds and tests, and who takes what from it. Also which stages the
//! final stage needs (the others are never built by default).
//!
//! The rules, in order (see `docs/design/stages.md, part 1`):
//! 1. the stage `docker build` builds (the final stage, or the target a
//!    Compose file names) ships, whatever else it does;
//! 2. a stage another stage copies from, mounts or builds on is a step of
//!    the build (deps, build, test, or a base), whatever its CMD says;
//! 3. a stage nobody uses that sets a CMD or ENTRYPOINT is another image
//!    to run (`--target`);
//! 4. otherwise what its RUNs do: builds over tests over installs.

use std::collections::HashSet;

use tree_sitter::Tree;

use crate::analysis::commands::{self, Action};
use crate::analysis::shell::Script;
use crate::analysis::stages::{RefKind, StageGraph};
use crate::analysis::variables::{DefKind, Variables};
use crate::analysis::Analysis;
use crate::syntax::{self, views, Source};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The stage the default build (or the Compose target) produces.
    Shipped,
    /// Not used by any stage, sets what runs: another image (`--target`).
    Target,
    /// Compiles or bundles the application.
    Build,
    /// Runs the tests.
    Test,
    /// Installs dependencies (from a manifest and lockfile).
    Deps,
    /// Only prepares a base other stages build on (system packages,
    /// environment, a working directory).
    Base,
    /// Only gathers files from other stages or the context.
    Collect,
    /// Nothing recognisable.
    Other,
}

/// Files a stage takes from another stage (or image): `COPY --from=` or a
/// `RUN --mount=...,from=`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taken {
    /// The `--from` text as written.
    pub from: String,
    /// The stage it names, when it names one.
    pub stage: Option<usize>,
    /// The paths taken (variables resolved where their default is known).
    pub sources: Vec<String>,
    /// Where they go (the mount target for a mount).
    pub dest: String,
    /// `dest` made absolute against the WORKDIR in effect, when it is
    /// relative and the WORKDIR is known (`.` under `WORKDIR /app`: `/app`).
    pub dest_resolved: Option<String>,
    /// A mount for one RUN rather than a copy.
    pub mount: bool,
    /// How many COPY instructions took these same paths to the same place
    /// (2 when a COPY repeats an earlier one).
    pub times: usize,
}

/// What a stage does, as far as its instructions tell.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StageFacts {
    /// The base image with the ARG defaults known at its FROM resolved.
    pub base: String,
    /// Dependency installs (language package managers), in order.
    pub installs: Vec<String>,
    /// Installs of the distribution's packages (`apt-get install`).
    pub system_installs: Vec<String>,
    /// Installs of tools for the whole image (`npm install -g`,
    /// `go install`, `cargo install`, `pipx install`, `gem install`).
    pub tool_installs: Vec<String>,
    /// Whether an install reads the project's manifest (`npm ci`,
    /// `pip install -r`, `go mod download`) rather than only naming
    /// packages (`npm install undici@6`).
    pub project_install: bool,
    pub builds: Vec<String>,
    pub tests: Vec<String>,
    /// Test commands that compile the tests without running any, each
    /// with the reason (`go test -run=NON_EXISTING`: a filter no test
    /// name matches; `go test -c`; `cargo test --no-run`).
    pub test_compiles: Vec<String>,
    /// Whether a test ran before the first build of the stage.
    pub tests_before_build: bool,
    /// Paths copied from the build context, in order, each once.
    pub context_copies: Vec<String>,
    /// Paths of the build context bind-mounted for a RUN, in order, each
    /// once (`.` for the whole context).
    pub context_mounts: Vec<String>,
    /// `COPY . .` or another copy (or bind mount) of the whole context.
    pub copies_whole_context: bool,
    /// Whether the whole context was copied before the first install.
    pub whole_context_before_install: bool,
    /// Whether that whole context came in by a bind mount, not a copy.
    pub whole_context_mounted: bool,
    /// Destinations of files written inline by a heredoc
    /// (`COPY <<EOF /etc/x`): not from the context.
    pub inline_files: Vec<String>,
    /// URLs and git repositories ADD downloads.
    pub downloads: Vec<String>,
    /// The tests the CMD or ENTRYPOINT runs (`dotnet test`).
    pub runs_tests: Vec<String>,
    /// How many RUN instructions the stage has.
    pub run_count: usize,
    /// The context paths copied before the first install: what the
    /// install layer's cache depends on.
    pub install_inputs: Vec<String>,
    /// Installs that run after more context files were copied (after the
    /// sources, often): not cached on the manifests alone.
    pub later_installs: Vec<String>,
    /// Directories (or the whole context) that a stage this one is built
    /// on copied from the context: a change to any file in them rebuilds
    /// this stage from its FROM, installs included.
    pub inherited_sources: Vec<String>,
    /// What it takes from other stages and images, in order.
    pub takes: Vec<Taken>,
    pub user: Option<String>,
    pub exposes: Vec<String>,
    /// Variables EXPOSE uses that no ARG or ENV of the file (nor the base
    /// image) sets: empty when the image is built.
    pub unset_port_vars: Vec<String>,
    /// A RUN exits with an error on a condition (`exit 1` in a script):
    /// the stage is a check that fails the build when it does not hold.
    pub checks: bool,
    pub entrypoint: Option<String>,
    pub cmd: Option<String>,
    /// The last WORKDIR, made absolute against the one before it (and
    /// the base stage's).
    pub workdir: Option<String>,
}

/// The script a RUN runs: its shell form (flags left out) with its heredoc
/// bodies, or the strings of its JSON form (`sh -c` unwrapped).
fn run_script<S: Source + ?Sized>(run: tree_sitter::Node, source: &S) -> String {
    let mut body = String::new();
    if let Some(shell) = run.child_by_field_name("shell") {
        body = syntax::logical_text(shell, source);
    } else if let Some(exec) = run.child_by_field_name("exec") {
        let mut cursor = exec.walk();
        let args: Vec<String> = exec
            .named_children(&mut cursor)
            .filter(|c| c.kind() == "json_string")
            .map(|c| {
                let raw = source.text(c.byte_range()).into_owned();
                serde_json::from_str::<String>(&raw).unwrap_or(raw)
            })
            .collect();
        body = match args.as_slice() {
            [sh, c, script, ..] if sh.ends_with("sh") && c == "-c" => script.clone(),
            _ => args
                .iter()
                .map(|a| shell_quoted(a))
                .collect::<Vec<_>>()
                .join(" "),
        };
    }
    let mut cursor = run.walk();
    for block in run
        .children(&mut cursor)
        .filter(|c| c.kind() == "heredoc_block")
    {
        if let Some(b) = block.child_by_field_name("body") {
            body.push('\n');
            body.push_str(&source.text(b.byte_range()));
        }
    }
    body
}

/// One exec-form argument as a shell word that reads back the same.
fn shell_quoted(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// A path or image with `$NAME`, `${NAME}`, `${NAME:-default}` and
/// `${NAME:+alternative}` replaced where `lookup` knows the value
/// (`Some(Some(v))`) or knows the variable is declared without one
/// (`Some(None)`: the `:-` default applies). Anything else stays as written.
pub fn expand(text: &str, lookup: &dyn Fn(&str) -> Option<Option<String>>) -> String {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\\' && i + 1 < bytes.len() {
            // An escaped character stays as written (`\$HOME` is no variable).
            let next = text[i + 1..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&text[i..i + 1 + next]);
            i += 1 + next;
            continue;
        }
        if c != b'$' {
            let ch = text[i..].chars().next().unwrap_or('\u{fffd}');
            out.push(ch);
            i += ch.len_utf8();
            continue;
        }
        let ident = |from: usize| {
            let mut j = from;
            while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                j += 1;
            }
            j
        };
        if bytes.get(i + 1) == Some(&b'{') {
            let Some(close) = text[i..].find('}').map(|k| i + k) else {
                out.push_str(&text[i..]);
                break;
            };
            let end = ident(i + 2);
            let name = &text[i + 2..end];
            let rest = &text[end..close];
            let whole = &text[i..=close];
            let value = if name.is_empty() { None } else { lookup(name) };
            let replaced = match (rest, value) {
                ("", Some(Some(v))) => Some(v),
                (r, Some(v)) if r.starts_with(":-") || r.starts_with('-') => {
                    let word = r.trim_start_matches(':').trim_start_matches('-');
                    let empty_counts = r.starts_with(':');
                    Some(match v {
                        Some(v) if !(empty_counts && v.is_empty()) => v,
                        _ => expand(word, lookup),
                    })
                }
                (r, Some(v)) if r.starts_with(":+") || r.starts_with('+') => {
                    let word = r.trim_start_matches(':').trim_start_matches('+');
                    let empty_counts = r.starts_with(':');
                    Some(match v {
                        Some(v) if !(empty_counts && v.is_empty()) => expand(word, lookup),
                        _ => String::new(),
                    })
                }
                _ => None,
            };
            out.push_str(replaced.as_deref().unwrap_or(whole));
            i = close + 1;
        } else {
            let end = ident(i + 1);
            let name = &text[i + 1..end];
            match (name.is_empty(), lookup(name)) {
                (false, Some(Some(v))) => out.push_str(&v),
                _ => out.push_str(&text[i..end.max(i + 1)]),
            }
            i = end.max(i + 1);
        }
    }
    out
}

/// The names of the variables a text uses (`$A`, `${B:-x}`), each once.
fn variable_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        rest = &rest[at + 1..];
        let body = rest.strip_prefix('{').unwrap_or(rest);
        let end = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        if end > 0 {
            push_once(&mut out, body[..end].to_string());
        }
        rest = &body[end..];
    }
    out
}

/// A definition's value without the quotes around it.
fn unquoted(value: &str) -> &str {
    let v = value.trim();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

/// The value of a variable at a byte offset: in a stage (its own ARG and
/// ENV before the offset, the ENV of the stages it builds on) or before
/// the first FROM (`stage` None: the global ARGs). `Some(None)`: declared
/// with no value known.
fn value_at(
    vars: &Variables,
    graph: &StageGraph,
    stage: Option<usize>,
    at: usize,
    name: &str,
    depth: usize,
) -> Option<Option<String>> {
    let found =
        vars.defs
            .iter()
            .enumerate()
            .rev()
            .find(|(_, d)| d.stage == stage && d.name == name && d.name_range.start < at)
            .or_else(|| {
                let mut parent = stage.and_then(|s| graph.stages.get(s)?.parent);
                while let Some(p) = parent {
                    let env = vars.defs.iter().enumerate().rev().find(|(_, d)| {
                        d.stage == Some(p) && d.kind == DefKind::Env && d.name == name
                    });
                    if env.is_some() {
                        return env;
                    }
                    parent = graph.stages[p].parent;
                }
                None
            });
    let (_, def) = found?;
    let (raw, def_stage, def_at) = match (&def.value, def.redeclares) {
        (Some(v), _) => (v.clone(), def.stage, def.name_range.start),
        (None, Some(g)) => match &vars.defs[g].value {
            Some(v) => (v.clone(), None, vars.defs[g].name_range.start),
            None => return Some(None),
        },
        (None, None) => return Some(None),
    };
    let raw = unquoted(&raw).to_string();
    if depth > 4 || !raw.contains('$') {
        return Some(Some(raw));
    }
    Some(Some(expand(&raw, &|n| {
        value_at(vars, graph, def_stage, def_at, n, depth + 1)
    })))
}

/// Text of a stage with the variables known at `at` resolved.
pub fn expand_at(analysis: &Analysis, stage: Option<usize>, at: usize, text: &str) -> String {
    if !text.contains('$') {
        return text.to_string();
    }
    expand(text, &|n| {
        value_at(&analysis.variables, &analysis.stages, stage, at, n, 0)
    })
}

/// Whether an install puts a tool on the whole image rather than the
/// project's dependencies: `npm install -g`, `yarn global add`,
/// `go install`, `cargo install`, `pipx install`, `gem install`.
fn installs_a_tool(i: &commands::Invocation) -> bool {
    use commands::Tool;
    match i.tool {
        Tool::Npm | Tool::Pnpm | Tool::Bun => i.has_flag(&["-g", "--global"]),
        Tool::Yarn => i.subcommand() == Some("global"),
        Tool::Go => i.subcommand() == Some("install"),
        Tool::Cargo => i.subcommand() == Some("install"),
        Tool::Pipx | Tool::Gem => true,
        _ => false,
    }
}

/// Whether an install reads the project's manifest or lockfile rather than
/// only naming packages.
fn reads_the_manifest(i: &commands::Invocation) -> bool {
    use commands::Tool;
    match i.tool {
        Tool::Npm | Tool::Pnpm | Tool::Bun | Tool::Yarn | Tool::Pip | Tool::Uv => {
            i.packages().is_empty()
                || i.requirements_file().is_some()
                || i.has_flag(&["-e", "--editable"])
                || i.packages()
                    .iter()
                    .any(|p| *p == "." || p.starts_with("./"))
        }
        Tool::Composer => i.subcommand() == Some("install"),
        _ => true,
    }
}

/// Whether an ADD source is a download (a URL or a git repository).
fn is_download(path: &str) -> bool {
    path.starts_with("http://")
        || path.starts_with("https://")
        || path.starts_with("git@")
        || path.ends_with(".git")
}

/// Whether a COPY source is the whole build context.
fn is_whole_context(path: &str) -> bool {
    matches!(path.trim_end_matches('/'), "." | "" | "./." | "*")
}

/// Whether a COPY source names a directory rather than a file: it ends in
/// `/` or `/.`, or its last part has no extension and is not one of the
/// extensionless files projects keep at the top (`Gemfile`, `Pipfile`,
/// `Makefile`, `gradlew`...). A dot file (`.npmrc`, `.mvn`) counts as a
/// file: a configuration, not sources.
pub fn is_directory_path(path: &str) -> bool {
    if path.ends_with('/') || path.ends_with("/.") || is_whole_context(path) {
        return true;
    }
    let last = path.rsplit(['/', '\\']).next().unwrap_or(path);
    if last.contains(['*', '?', '[']) || last.starts_with('.') || last.contains('.') {
        return false;
    }
    const FILES: &[&str] = &[
        "Gemfile",
        "Pipfile",
        "Makefile",
        "GNUmakefile",
        "Rakefile",
        "Procfile",
        "Podfile",
        "Brewfile",
        "Justfile",
        "justfile",
        "Dockerfile",
        "Containerfile",
        "gradlew",
        "mvnw",
        "VERSION",
        "LICENSE",
    ];
    !FILES.contains(&last)
}

/// A COPY source that is a heredoc written inline (`COPY <<EOF /etc/x`).
fn is_inline(path: &str) -> bool {
    path.starts_with("<<")
}

/// `rel` made absolute against the directory `dir`.
fn join_path(dir: &str, rel: &str) -> String {
    if rel.starts_with('/') || rel.contains('$') || dir.contains('$') {
        return rel.to_string();
    }
    let rel = rel.trim_start_matches("./");
    let dir = dir.trim_end_matches('/');
    match rel {
        "" | "." => {
            if dir.is_empty() {
                "/".to_string()
            } else {
                dir.to_string()
            }
        }
        _ => format!("{dir}/{rel}"),
    }
}

/// Whether a `go test -run` pattern selects no test: `^$`, an anchored
/// name no test function can have (they start `Test`, `Example`,
/// `Benchmark` or `Fuzz`), or a word written to match nothing
/// (`NON_EXISTING`, `NONE`, `XXX`).
fn selects_no_test(pattern: &str) -> bool {
    let p = pattern.trim_matches(['"', '\'']);
    let top = p.split('/').next().unwrap_or(p);
    if matches!(top, "^$" | "$^" | "^$/" | "a^") {
        return true;
    }
    if let Some(rest) = top.strip_prefix('^') {
        let starts_like_a_test = ["Test", "Example", "Benchmark", "Fuzz"]
            .iter()
            .any(|t| rest.starts_with(t) || t.starts_with(rest));
        return rest.starts_with(|c: char| c.is_ascii_alphanumeric()) && !starts_like_a_test;
    }
    if !top.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return false;
    }
    let upper = top.to_ascii_uppercase();
    [
        "NON_EXIST",
        "NONEXIST",
        "NOTHING",
        "NO_TEST",
        "NOTEST",
        "XXX",
    ]
    .iter()
    .any(|w| upper.contains(w))
        || upper == "NONE"
}

/// When a test command only compiles the tests: its label with the reason.
fn compiles_tests_only(i: &commands::Invocation) -> Option<String> {
    use commands::Tool;
    match i.tool {
        Tool::Go if i.subcommand() == Some("test") => {
            if i.has_flag(&["-c"]) {
                return Some("`go test -c`: it writes the test binary and runs nothing".into());
            }
            // `-bench` runs benchmarks even when no test is selected.
            if i.has_flag(&["-bench", "--bench", "-fuzz", "--fuzz"]) {
                return None;
            }
            let pattern = i.option_value(&["-run", "--run"])?;
            selects_no_test(pattern)
                .then(|| format!("`go test -run={pattern}`: a filter no test name matches"))
        }
        Tool::Cargo if i.has_flag(&["--no-run"]) => {
            Some("`cargo test --no-run`: it compiles the tests and runs none".into())
        }
        _ => None,
    }
}

/// Whether a script exits with an error on some condition (`exit 1`).
fn exits_with_error(script: &str) -> bool {
    let words: Vec<&str> = script
        .split(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|')
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .any(|w| w[0] == "exit" && w[1].parse::<u32>().is_ok_and(|n| n != 0))
}

fn push_once(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// The bind mounts of a RUN: `(from, source, target)`, `from` None for the
/// build context.
fn bind_mounts<S: Source + ?Sized>(
    instruction: tree_sitter::Node,
    source: &S,
) -> Vec<(Option<String>, String, String)> {
    let mut out = Vec::new();
    for flag in views::flags(instruction, source) {
        if flag.name != "mount" {
            continue;
        }
        let get = |key: &str| {
            flag.options
                .iter()
                .find(|o| o.key.eq_ignore_ascii_case(key))
                .map(|o| {
                    o.value
                        .map(|v| syntax::logical_text(v, source))
                        .unwrap_or_default()
                })
        };
        let kind = get("type").unwrap_or_else(|| "bind".to_string());
        if !kind.eq_ignore_ascii_case("bind") {
            continue;
        }
        let src = get("source")
            .or_else(|| get("src"))
            .unwrap_or_else(|| "/".to_string());
        let target = get("target")
            .or_else(|| get("dst"))
            .or_else(|| get("destination"))
            .unwrap_or_default();
        out.push((get("from"), src, target));
    }
    out
}

pub fn stage_facts<S: Source + ?Sized>(
    tree: &Tree,
    source: &S,
    analysis: &Analysis,
    stage: usize,
) -> StageFacts {
    facts_with(&views::stages(tree), source, analysis, stage, &[])
}

/// The facts of a stage, with the facts of the stages before it when
/// they are known (`earlier[i]` for stage i), so a base stage's WORKDIR
/// is not worked out again.
/// `nodes` are the document's stages (`views::stages`), listed once by the
/// caller: listing them per stage made a whole-document pass quadratic.
fn facts_with<S: Source + ?Sized>(
    nodes: &[(tree_sitter::Node, tree_sitter::Node)],
    source: &S,
    analysis: &Analysis,
    stage: usize,
    earlier: &[StageFacts],
) -> StageFacts {
    let mut facts = StageFacts::default();
    let graph = &analysis.stages;
    let Some(&(node, _)) = nodes.get(stage) else {
        return facts;
    };
    if let Some(s) = graph.stages.get(stage) {
        facts.base = expand_at(analysis, None, s.from_range.start, &s.base_text);
    }
    // The working directory COPY destinations are relative to: the base
    // stage's last, or the image's default.
    let mut workdir: Option<String> = match graph.stages.get(stage).and_then(|s| s.parent) {
        Some(parent) if parent < stage => match earlier.get(parent) {
            Some(known) => known.workdir.clone(),
            None => facts_with(nodes, source, analysis, parent, earlier).workdir,
        },
        Some(_) => None,
        None if facts.base == "scratch" => Some("/".to_string()),
        None => crate::analysis::images::lookup(&facts.base).map(|i| i.workdir.to_string()),
    };
    let mut installed = false;
    // Context files copied after the first install: installs from then on
    // are not in the layer the manifests keep cached.
    let mut copied_after_install = false;
    for instruction in views::stage_instructions(node) {
        let at = instruction.start_byte();
        let keyword = views::keyword(instruction, source);
        let text = syntax::logical_text(instruction, source);
        let args = text.get(keyword.len()..).unwrap_or("").trim().to_string();
        let resolve = |t: &str| expand_at(analysis, Some(stage), at, t);
        match keyword.as_str() {
            "RUN" => {
                facts.run_count += 1;
                for (from, src, target) in bind_mounts(instruction, source) {
                    match from {
                        Some(from) => facts.takes.push(Taken {
                            stage: graph.resolve(&from, stage),
                            from,
                            sources: vec![resolve(&src)],
                            dest: resolve(&target),
                            dest_resolved: None,
                            mount: true,
                            times: 1,
                        }),
                        None => {
                            let src = resolve(&src);
                            if is_whole_context(&src) || src == "/" {
                                facts.copies_whole_context = true;
                                if !installed {
                                    facts.whole_context_before_install = true;
                                    facts.whole_context_mounted = true;
                                }
                                push_once(&mut facts.context_mounts, ".".to_string());
                            } else {
                                push_once(&mut facts.context_mounts, src.clone());
                                if !installed {
                                    push_once(&mut facts.install_inputs, src);
                                }
                            }
                        }
                    }
                }
                let text = run_script(instruction, source);
                if exits_with_error(&text) {
                    facts.checks = true;
                }
                let script = Script::parse_shared(&text);
                for command in &script.commands {
                    let Some(step) = commands::step(command) else {
                        continue;
                    };
                    let system = step.tool.is_some_and(|t| t.is_os_package_manager());
                    let invocation = commands::invocation(command);
                    let tool = invocation.as_ref().is_some_and(installs_a_tool);
                    match step.action {
                        Action::Install if system => {
                            push_once(&mut facts.system_installs, step.label)
                        }
                        Action::Install if tool => {
                            let label = match invocation.as_ref() {
                                Some(i) if i.has_flag(&["-g", "--global"]) => {
                                    format!("{} -g", step.label)
                                }
                                _ => step.label,
                            };
                            push_once(&mut facts.tool_installs, label)
                        }
                        Action::Install => {
                            installed = true;
                            if copied_after_install {
                                push_once(&mut facts.later_installs, step.label.clone());
                            }
                            if invocation.as_ref().is_none_or(reads_the_manifest) {
                                facts.project_install = true;
                            }
                            push_once(&mut facts.installs, step.label)
                        }
                        Action::Build => push_once(&mut facts.builds, step.label),
                        Action::Test => {
                            if let Some(why) = invocation.as_ref().and_then(compiles_tests_only) {
                                push_once(&mut facts.test_compiles, why);
                                continue;
                            }
                            if facts.builds.is_empty() {
                                facts.tests_before_build = true;
                            }
                            push_once(&mut facts.tests, step.label)
                        }
                        _ => {}
                    }
                }
            }
            "COPY" | "ADD" => {
                let mut cursor = instruction.walk();
                let mut paths: Vec<String> = instruction
                    .children_by_field_name("path", &mut cursor)
                    .map(|p| resolve(&syntax::logical_text(p, source)))
                    .collect();
                if let Some(exec) = instruction.child_by_field_name("exec") {
                    // COPY ["src", "dest"]
                    let mut inner = exec.walk();
                    paths = exec
                        .named_children(&mut inner)
                        .filter(|c| c.kind() == "json_string")
                        .map(|c| {
                            let raw = source.text(c.byte_range()).into_owned();
                            resolve(&serde_json::from_str::<String>(&raw).unwrap_or(raw))
                        })
                        .collect();
                }
                let from = views::flags(instruction, source)
                    .into_iter()
                    .find(|f| f.name == "from")
                    .and_then(|f| f.value.map(|v| syntax::logical_text(v, source)));
                if let Some((dest, sources)) = paths.split_last() {
                    match from {
                        Some(from) => {
                            let dest_resolved = workdir
                                .as_deref()
                                .filter(|_| !dest.starts_with('/'))
                                .map(|w| join_path(w, dest))
                                .filter(|d| d != dest);
                            let taken = Taken {
                                stage: graph.resolve(&from, stage),
                                from,
                                sources: sources.to_vec(),
                                dest: dest.clone(),
                                dest_resolved,
                                mount: false,
                                times: 1,
                            };
                            let same = facts.takes.iter_mut().find(|t| {
                                !t.mount
                                    && t.from == taken.from
                                    && t.sources == taken.sources
                                    && t.dest == taken.dest
                                    && t.dest_resolved == taken.dest_resolved
                            });
                            match same {
                                Some(t) => t.times += 1,
                                None => facts.takes.push(taken),
                            }
                        }
                        None => {
                            for s in sources {
                                if is_inline(s) {
                                    let d = workdir
                                        .as_deref()
                                        .map_or_else(|| dest.clone(), |w| join_path(w, dest));
                                    push_once(&mut facts.inline_files, d);
                                    continue;
                                }
                                if is_download(s) {
                                    push_once(&mut facts.downloads, s.clone());
                                    continue;
                                }
                                if installed {
                                    copied_after_install = true;
                                }
                                if is_whole_context(s) {
                                    facts.copies_whole_context = true;
                                    if !installed {
                                        facts.whole_context_before_install = true;
                                    }
                                } else if !installed {
                                    push_once(&mut facts.install_inputs, s.clone());
                                }
                                push_once(&mut facts.context_copies, s.clone());
                            }
                        }
                    }
                }
            }
            "USER" => facts.user = Some(resolve(&args)),
            "EXPOSE" => {
                for port in args.split_whitespace() {
                    let resolved = resolve(port);
                    if resolved.contains('$') {
                        for name in variable_names(&resolved) {
                            let image_sets = crate::analysis::images::lookup(&facts.base)
                                .is_some_and(|i| i.defines(&name));
                            let declared =
                                value_at(&analysis.variables, graph, Some(stage), at, &name, 0)
                                    .is_some();
                            if !declared && !image_sets {
                                push_once(&mut facts.unset_port_vars, name);
                            }
                        }
                    }
                    facts.exposes.push(resolved);
                }
            }
            "ENTRYPOINT" | "CMD" => {
                let script = Script::parse_shared(&run_script(instruction, source));
                for step in script.commands.iter().filter_map(commands::step) {
                    if step.action == Action::Test {
                        push_once(&mut facts.runs_tests, step.label);
                    }
                }
                if keyword == "CMD" {
                    facts.cmd = Some(args);
                } else {
                    facts.entrypoint = Some(args);
                }
            }
            "WORKDIR" => {
                let dir = resolve(unquoted(&args));
                let dir = match &workdir {
                    Some(w) if !dir.starts_with('/') && !dir.contains(':') => join_path(w, &dir),
                    _ => dir,
                };
                workdir = Some(dir.clone());
                facts.workdir = Some(dir);
            }
            _ => {}
        }
    }
    if facts.workdir.is_none() {
        facts.workdir = workdir;
    }
    if let Some(parent) = graph.stages.get(stage).and_then(|s| s.parent) {
        if let Some(known) = earlier.get(parent).filter(|_| parent < stage) {
            let mut inherited = known.inherited_sources.clone();
            for path in known.context_copies.iter().chain(&known.context_mounts) {
                let mounted = known.context_mounts.contains(path);
                if is_directory_path(path) && !mounted && !inherited.contains(path) {
                    inherited.push(path.clone());
                }
            }
            facts.inherited_sources = inherited;
        }
    }
    if facts.installs.is_empty() {
        facts.install_inputs.clear();
        facts.whole_context_before_install = false;
        facts.whole_context_mounted = false;
    }
    facts
}

/// The facts of every stage, in order.
pub fn all_facts<S: Source + ?Sized>(
    tree: &Tree,
    source: &S,
    analysis: &Analysis,
) -> Vec<StageFacts> {
    let nodes = views::stages(tree);
    let mut all: Vec<StageFacts> = Vec::new();
    for i in 0..analysis.stages.stages.len() {
        let facts = facts_with(&nodes, source, analysis, i, &all);
        all.push(facts);
    }
    all
}

/// The stage a default build produces: the `target` (a Compose file's
/// `build.target`, by name) when it names a stage, else the last one.
pub fn shipped_stage(graph: &StageGraph, target: Option<&str>) -> Option<usize> {
    let n = graph.stages.len();
    target
        .and_then(|t| graph.find_by_name(t, n))
        .or_else(|| n.checked_sub(1))
}

/// The role of a stage (see the module's rules).
pub fn role(graph: &StageGraph, stage: usize, facts: &StageFacts, shipped: Option<usize>) -> Role {
    if Some(stage) == shipped {
        return Role::Shipped;
    }
    let used = graph.refs_to(stage).next().is_some();
    if !used && (facts.cmd.is_some() || facts.entrypoint.is_some()) {
        return Role::Target;
    }
    if !facts.builds.is_empty() {
        return Role::Build;
    }
    if !facts.tests.is_empty() {
        return Role::Test;
    }
    // `go test -run=NON_EXISTING`: it compiles the tests, runs none.
    if !facts.test_compiles.is_empty() {
        return Role::Build;
    }
    let built_on = graph.refs_to(stage).any(|r| r.kind == RefKind::FromBase);
    let copied = graph.refs_to(stage).any(|r| r.kind != RefKind::FromBase);
    if !facts.installs.is_empty() {
        // Named packages only (no manifest) in a stage others build on:
        // it prepares their base.
        if !facts.project_install && built_on && !copied {
            return Role::Base;
        }
        return Role::Deps;
    }
    if built_on && !copied {
        return Role::Base;
    }
    if !facts.takes.is_empty() && facts.system_installs.is_empty() {
        return Role::Collect;
    }
    if built_on {
        return Role::Base;
    }
    Role::Other
}

/// Stages the final stage needs (itself included): through FROM and every
/// stage reference.
pub fn reachable_from_final(graph: &StageGraph) -> Vec<bool> {
    reachable_from_any(graph, graph.stages.len().checked_sub(1))
}

/// Stages that any of `starts` needs, the starts included.
pub fn reachable_from_any(
    graph: &StageGraph,
    starts: impl IntoIterator<Item = usize>,
) -> Vec<bool> {
    let n = graph.stages.len();
    let mut uses: Vec<Vec<usize>> = vec![Vec::new(); n];
    for r in &graph.refs {
        if let Some(target) = r.target {
            uses[r.in_stage].push(target);
        }
    }
    let mut reached = vec![false; n];
    let mut stack: Vec<usize> = starts.into_iter().filter(|&s| s < n).collect();
    while let Some(s) = stack.pop() {
        if std::mem::replace(&mut reached[s], true) {
            continue;
        }
        stack.extend(graph.stages[s].parent);
        stack.extend(uses[s].iter().copied());
    }
    reached
}

/// What each consumer of a stage takes from it: per consumer stage (each
/// once, in order), whether it builds on it and the paths it copies or
/// mounts.
pub struct Consumer {
    pub stage: usize,
    pub builds_on: bool,
    pub copies: Vec<String>,
    pub mounts: Vec<String>,
}

pub fn consumers(graph: &StageGraph, stage: usize, facts: &[StageFacts]) -> Vec<Consumer> {
    let mut out: Vec<Consumer> = Vec::new();
    let mut seen = HashSet::new();
    for r in graph.refs_to(stage) {
        if seen.insert(r.in_stage) {
            out.push(Consumer {
                stage: r.in_stage,
                builds_on: false,
                copies: Vec::new(),
                mounts: Vec::new(),
            });
        }
        let c = out
            .iter_mut()
            .find(|c| c.stage == r.in_stage)
            .expect("just added");
        if r.kind == RefKind::FromBase {
            c.builds_on = true;
        }
    }
    for c in &mut out {
        for t in facts
            .get(c.stage)
            .map(|f| f.takes.as_slice())
            .unwrap_or_default()
        {
            if t.stage != Some(stage) {
                continue;
            }
            let list = if t.mount {
                &mut c.mounts
            } else {
                &mut c.copies
            };
            for s in &t.sources {
                push_once(list, s.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(src: &str, stage: usize) -> StageFacts {
        let tree = syntax::parse(src);
        let analysis = Analysis::build(&tree, src);
        stage_facts(&tree, src, &analysis, stage)
    }

    fn role_of(src: &str, stage: usize) -> Role {
        let tree = syntax::parse(src);
        let analysis = Analysis::build(&tree, src);
        let f = stage_facts(&tree, src, &analysis, stage);
        role(
            &analysis.stages,
            stage,
            &f,
            shipped_stage(&analysis.stages, None),
        )
    }

    #[test]
    fn expansion_with_known_defaults() {
        let lookup = |n: &str| match n {
            "V" => Some(Some("20".to_string())),
            "EMPTY" => Some(None),
            _ => None,
        };
        assert_eq!(expand("node:${V}-alpine", &lookup), "node:20-alpine");
        assert_eq!(expand("node:$V", &lookup), "node:20");
        assert_eq!(expand("${EMPTY:-x}/y", &lookup), "x/y");
        assert_eq!(expand("${NOPE}/y", &lookup), "${NOPE}/y");
        assert_eq!(expand("$NOPE", &lookup), "$NOPE");
        assert_eq!(expand("${V:+set}", &lookup), "set");
        assert_eq!(expand("a$", &lookup), "a$");
        assert_eq!(expand("${V", &lookup), "${V");
        assert_eq!(expand("é${V}", &lookup), "é20");
        assert_eq!(expand("\\é$V", &lookup), "\\é20");
        assert_eq!(expand("\\$V", &lookup), "\\$V");
        assert_eq!(expand("${}", &lookup), "${}");
        assert_eq!(expand("${V:-}", &lookup), "20");
    }

    #[test]
    fn base_and_paths_resolved_from_arg_defaults() {
        let src = "ARG NODE_VERSION=20\nARG APP=/srv\nFROM node:${NODE_VERSION}-alpine\nARG APP\nENV OUT=${APP}/dist\nCOPY src ${APP}/src\nCOPY --from=x ${OUT} /y\n";
        let f = facts(src, 0);
        assert_eq!(f.base, "node:20-alpine");
        assert_eq!(f.takes[0].sources, ["/srv/dist"]);
        // An ARG not redeclared in the stage is not visible there.
        let f = facts("ARG D=/d\nFROM a\nCOPY x $D\nCOPY --from=b $D /\n", 0);
        assert_eq!(f.takes[0].sources, ["$D"]);
    }

    #[test]
    fn exec_form_run_is_read() {
        let f = facts(
            "FROM sdk\nRUN [\"dotnet\", \"restore\"]\nRUN [\"dotnet\", \"publish\", \"-c\", \"Release\", \"-o\", \"/app\"]\n",
            0,
        );
        assert_eq!(f.installs, ["dotnet restore"]);
        assert_eq!(f.builds, ["dotnet publish"]);
    }

    #[test]
    fn whole_context_only_when_it_precedes_the_install() {
        let good = facts(
            "FROM node\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n",
            0,
        );
        assert!(good.copies_whole_context && !good.whole_context_before_install);
        assert_eq!(good.install_inputs, ["package.json", "package-lock.json"]);
        assert!(good.later_installs.is_empty());
        let fetch_then_install = facts(
            "FROM node\nCOPY pnpm-lock.yaml .\nRUN pnpm fetch\nCOPY . .\nRUN pnpm install --offline\n",
            0,
        );
        assert_eq!(fetch_then_install.install_inputs, ["pnpm-lock.yaml"]);
        assert_eq!(fetch_then_install.later_installs, ["pnpm install"]);
        let bad = facts("FROM node\nCOPY . .\nRUN npm ci\n", 0);
        assert!(bad.whole_context_before_install);
        let mounted = facts(
            "FROM golang\nRUN --mount=type=bind,target=. go mod download\n",
            0,
        );
        assert!(mounted.whole_context_before_install);
    }

    #[test]
    fn a_stage_copied_from_is_not_a_runtime() {
        let src = "FROM golang AS build\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n\nFROM scratch\nCOPY --from=build /app /app\n";
        assert_eq!(role_of(src, 0), Role::Build);
        assert_eq!(role_of(src, 1), Role::Shipped);
        let dev = "FROM node AS dev\nCMD [\"npm\", \"run\", \"dev\"]\n\nFROM node\nRUN true\n";
        assert_eq!(role_of(dev, 0), Role::Target);
    }

    #[test]
    fn builds_win_over_tests_and_installs() {
        let src = "FROM golang AS build\nCOPY . .\nRUN go mod download\nRUN go vet\nRUN go test ./...\nRUN go build -o /app\n\nFROM scratch\nCOPY --from=build /app /\n";
        assert_eq!(role_of(src, 0), Role::Build);
        assert!(facts(src, 0).tests_before_build);
    }

    #[test]
    fn consumers_each_once_with_their_paths() {
        let src = "FROM a AS deps\nRUN npm ci\n\nFROM a\nCOPY --from=deps /app/node_modules ./node_modules\nCOPY --from=deps /app/package.json ./\nRUN --mount=type=bind,from=deps,source=/cache,target=/c true\n";
        let tree = syntax::parse(src);
        let analysis = Analysis::build(&tree, src);
        let all = all_facts(&tree, src, &analysis);
        let c = consumers(&analysis.stages, 0, &all);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].copies, ["/app/node_modules", "/app/package.json"]);
        assert_eq!(c[0].mounts, ["/cache"]);
    }

    #[test]
    fn directories_and_files_among_copy_sources() {
        for dir in [
            "/src/accounting/",
            "./pb/",
            "aspnetapp/.",
            "src",
            "xk6-otel",
            ".",
        ] {
            assert!(is_directory_path(dir), "{dir}");
        }
        for file in [
            "package.json",
            "go.*",
            "*.csproj",
            "Gemfile",
            "Pipfile",
            ".npmrc",
            "/pb/demo.proto",
            "gradlew",
        ] {
            assert!(!is_directory_path(file), "{file}");
        }
    }

    #[test]
    fn test_filters_that_select_nothing() {
        for p in ["NON_EXISTING", "^$", "'^$'", "XXX", "none", "^NoSuch"] {
            assert!(selects_no_test(p), "{p}");
        }
        for p in ["TestParse", "^TestA$", "Parse|Lex", ".", "^Te", "Example"] {
            assert!(!selects_no_test(p), "{p}");
        }
        let f = facts(
            "FROM golang\nRUN go test -run=NON_EXISTING ./... && go vet ./...\n",
            0,
        );
        assert_eq!(f.tests, ["go vet"]);
        assert_eq!(f.test_compiles.len(), 1);
        let f = facts("FROM rust\nRUN cargo test --no-run\n", 0);
        assert!(f.tests.is_empty() && f.test_compiles.len() == 1);
    }

    #[test]
    fn destinations_resolve_against_the_workdir() {
        assert_eq!(join_path("/app", "."), "/app");
        assert_eq!(join_path("/app/", "./node_modules"), "/app/node_modules");
        assert_eq!(join_path("/", "."), "/");
        assert_eq!(join_path("/app", "/x"), "/x");
        let src = "FROM golang AS b\nWORKDIR /src\nRUN go build -o /a\n\nFROM b AS c\nWORKDIR sub\nCOPY --from=b /a .\nCOPY --from=b /a .\n";
        let f = facts(src, 1);
        assert_eq!(f.workdir.as_deref(), Some("/src/sub"));
        assert_eq!(f.takes.len(), 1);
        assert_eq!(f.takes[0].times, 2);
        assert_eq!(f.takes[0].dest_resolved.as_deref(), Some("/src/sub"));
        // The image's default working directory when the file sets none.
        let f = facts("FROM golang:1.23\nCOPY --from=x /a .\n", 0);
        assert_eq!(f.takes[0].dest_resolved.as_deref(), Some("/go"));
        // Unknown image, no WORKDIR: not guessed.
        let f = facts("FROM myorg/x\nCOPY --from=x /a .\n", 0);
        assert_eq!(f.takes[0].dest_resolved, None);
    }

    #[test]
    fn heredoc_sources_and_checks() {
        let f = facts("FROM ubuntu\nCOPY <<EOF /etc/x\nhi\nEOF\nCOPY . .\n", 0);
        assert_eq!(f.context_copies, ["."]);
        assert_eq!(f.inline_files, ["/etc/x"]);
        assert!(!facts("FROM a\nRUN test -f x || exit 0\n", 0).checks);
        assert!(facts("FROM a\nRUN test -f x || exit 1\n", 0).checks);
    }

    #[test]
    fn compose_target_ships() {
        let src = "FROM a AS prod\nCMD x\n\nFROM a AS dev\nCMD y\n";
        let tree = syntax::parse(src);
        let analysis = Analysis::build(&tree, src);
        let g = &analysis.stages;
        assert_eq!(shipped_stage(g, Some("prod")), Some(0));
        assert_eq!(shipped_stage(g, Some("PROD")), Some(0));
        assert_eq!(shipped_stage(g, Some("nope")), Some(1));
        assert_eq!(shipped_stage(g, None), Some(1));
    }
}
