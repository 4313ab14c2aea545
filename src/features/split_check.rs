//! A static check of a Dockerfile the split action wrote, for where a real
//! build cannot reach (a base image we have no stand-in for, modules that
//! cannot be downloaded): a pure function over the new text and the build
//! context's files. It reports only what is surely wrong:
//!
//! - a COPY/ADD source (globs allowed) that is not in the context, or that
//!   `.dockerignore` leaves out;
//! - a `COPY --from=<stage>` path that stage never produced. A stage
//!   produces what its COPYs wrote (context files land where the COPY puts
//!   them, so `/app/dist` exists after `COPY . /app` only when the context
//!   has `dist`), its WORKDIRs, and what its RUNs write where we can tell
//!   (`mkdir`, `go build -o`, `npm ci`'s `node_modules`, the `build` script
//!   of `package.json` read from the context: `tsc`'s `outDir`, `vite
//!   build`'s `dist`, `esbuild --outfile`...). A RUN we cannot read may
//!   write anything, and the base image may hold anything outside the
//!   folders the Dockerfile made its own (its WORKDIRs and COPY
//!   destinations), so neither is ever reported;
//! - a CMD/ENTRYPOINT whose program is a path (`./bin/server`), or a
//!   script run by `node`/`python`, that the runner does not have, and an
//!   `npm start` without a `package.json` in the working directory.

use std::collections::BTreeMap;

use ropey::Rope;
use tree_sitter::Node;

use crate::analysis::context::{normalize, ContextFiles};
use crate::analysis::dockerignore::DockerIgnore;
use crate::analysis::images;
use crate::analysis::paths::absolute;
use crate::analysis::shell::{Command, Script};
use crate::document::position;
use crate::syntax::{self, logical_text, views};

/// One thing surely wrong with the Dockerfile, on a 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Checks `text` (a whole Dockerfile) against the build context `files`.
pub fn check(text: &str, files: &dyn ContextFiles) -> Vec<Problem> {
    let tree = syntax::parse(text);
    let errors = syntax::syntax_errors(&tree, text);
    let rope = Rope::from_str(text);
    if let Some(e) = errors.first() {
        let (line, _) = position::line_column(&rope, e.start_byte);
        return vec![Problem {
            line,
            message: format!("does not parse: {}", e.message),
        }];
    }
    let ignore = files
        .read(".dockerignore")
        .map(|t| DockerIgnore::parse(&t))
        .unwrap_or_default();
    let mut checker = Checker {
        text,
        rope,
        files,
        ignore,
        stages: Vec::new(),
        problems: Vec::new(),
    };
    let mut global: BTreeMap<String, Option<String>> = BTreeMap::new();
    let stages = views::stages(&tree);
    // Global ARGs: the instructions before the first stage.
    for node in syntax::instructions(&tree) {
        if stages
            .first()
            .is_some_and(|(s, _)| node.start_byte() >= s.start_byte())
        {
            break;
        }
        if views::keyword(node, text) == "ARG" {
            for (name, value) in arg_pairs(&args_of(node, text)) {
                let value = value.and_then(|v| expand(&v, &global));
                global.insert(name, value);
            }
        }
    }
    for (stage, from) in &stages {
        checker.stage(*stage, *from, &global);
    }
    checker.final_command();
    checker.problems
}

/// What an instruction or command may have written.
#[derive(Clone, Debug)]
enum Write {
    /// This path and everything under it may exist.
    Path(String),
    /// This directory exists (its contents are not implied).
    Dir(String),
    /// The context directory `src` copied to `dest`: `dest/x` exists when
    /// the context has `src/x` and `.dockerignore` keeps it.
    Context { dest: String, src: String },
    /// What the base image or a system package manager may hold: anything
    /// outside the folders the Dockerfile made its own.
    System,
    /// Anything at all (a command we cannot read).
    Anything,
}

#[derive(Clone, Debug, Default)]
struct StageModel {
    name: Option<String>,
    /// `None`: an image we know nothing about may be anything.
    writes: Vec<Write>,
    /// Folders the Dockerfile made its own: WORKDIRs and COPY destinations.
    own: Vec<String>,
    /// The image's default working directory (kept out of `own`).
    image_workdir: String,
    workdir: String,
    env: BTreeMap<String, Option<String>>,
    /// The last CMD and ENTRYPOINT: words (None when they could not be
    /// read) and line.
    cmd: Option<(Option<Vec<String>>, usize)>,
    /// Whether the stage installs Node production dependencies only
    /// (`npm ci --omit=dev`, `yarn install --production`, `pnpm install
    /// --prod`) and copies no `node_modules` from elsewhere.
    prod_only: bool,
    entrypoint: Option<(Option<Vec<String>>, usize)>,
}

struct Checker<'a> {
    text: &'a str,
    /// The text's lines, for the problems' line numbers.
    rope: Rope,
    files: &'a dyn ContextFiles,
    ignore: DockerIgnore,
    stages: Vec<StageModel>,
    problems: Vec<Problem>,
}

/// The text after the keyword (and flags, when `skip_flags`).
fn args_of(node: Node, source: &str) -> String {
    let keyword = views::keyword(node, source);
    let text = logical_text(node, source);
    text.get(keyword.len()..).unwrap_or("").trim().to_string()
}

/// Words of an instruction's arguments, quotes removed (shell-like).
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}

/// The JSON array of an exec form, or `None`.
fn json_array(text: &str) -> Option<Vec<String>> {
    let t = text.trim();
    if !t.starts_with('[') {
        return None;
    }
    serde_json::from_str::<Vec<String>>(t).ok()
}

/// `ARG a=1 b` → `[(a, Some(1)), (b, None)]`.
fn arg_pairs(args: &str) -> Vec<(String, Option<String>)> {
    words(args)
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (w, None),
        })
        .collect()
}

/// `ENV a=1 b=2` or `ENV a 1`.
fn env_pairs(args: &str) -> Vec<(String, String)> {
    let ws = words(args);
    if ws.first().is_some_and(|w| w.contains('=')) {
        ws.into_iter()
            .filter_map(|w| w.split_once('=').map(|(k, v)| (k.into(), v.into())))
            .collect()
    } else {
        let mut it = args.trim().splitn(2, char::is_whitespace);
        match (it.next(), it.next()) {
            (Some(k), Some(v)) => vec![(k.to_string(), words(v).join(" "))],
            _ => Vec::new(),
        }
    }
}

/// `$A`, `${A}`, `${A:-d}` expanded; `None` when a value is unknown.
fn expand(text: &str, vars: &BTreeMap<String, Option<String>>) -> Option<String> {
    if !text.contains('$') {
        return Some(text.to_string());
    }
    images::resolve(text, &|name| vars.get(name).cloned().flatten())
}

/// Whether a folder lies where base images keep their own files (`/usr`,
/// `/etc`, `/var`...): a WORKDIR there (nginx's `/usr/share/nginx/html`,
/// php's `/var/www/html`) may hold what the image put in it.
fn in_system_tree(dir: &str) -> bool {
    const SYSTEM: &[&str] = &[
        "/usr", "/etc", "/var", "/lib", "/lib64", "/bin", "/sbin", "/opt", "/root", "/tmp", "/run",
        "/srv/www",
    ];
    SYSTEM.iter().any(|s| under(dir, s))
}

/// Whether `path` is `dir` or below it (both absolute and clean).
fn under(path: &str, dir: &str) -> bool {
    dir == "/" || path == dir || path.starts_with(&format!("{dir}/"))
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// `*`, `?` and `[...]` within one path segment.
fn glob_match(pattern: &str, name: &str) -> bool {
    enum Tok {
        Star,
        Any,
        Lit(char),
        /// Ranges (a single character is `c..=c`) and whether negated.
        Class(Vec<(char, char)>, bool),
    }
    let p: Vec<char> = pattern.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '*' => toks.push(Tok::Star),
            '?' => toks.push(Tok::Any),
            '[' => match p[i + 1..].iter().position(|&c| c == ']') {
                Some(len) => {
                    let mut class = &p[i + 1..i + 1 + len];
                    let negate = matches!(class.first(), Some('!' | '^'));
                    if negate {
                        class = &class[1..];
                    }
                    let mut ranges = Vec::new();
                    let mut k = 0;
                    while k < class.len() {
                        if k + 2 < class.len() && class[k + 1] == '-' {
                            ranges.push((class[k], class[k + 2]));
                            k += 3;
                        } else {
                            ranges.push((class[k], class[k]));
                            k += 1;
                        }
                    }
                    toks.push(Tok::Class(ranges, negate));
                    i += len + 1;
                }
                None => toks.push(Tok::Lit('[')),
            },
            c => toks.push(Tok::Lit(c)),
        }
        i += 1;
    }
    // matched[j]: whether the tokens so far match the first j characters
    // (linear in the pattern times the name, whatever the stars).
    let n: Vec<char> = name.chars().collect();
    let mut matched = vec![false; n.len() + 1];
    matched[0] = true;
    for tok in &toks {
        let mut next = vec![false; n.len() + 1];
        match tok {
            Tok::Star => {
                let mut any = false;
                for j in 0..=n.len() {
                    any |= matched[j];
                    next[j] = any;
                }
            }
            _ => {
                for j in 1..=n.len() {
                    let c = n[j - 1];
                    let fits = match tok {
                        Tok::Any => true,
                        Tok::Lit(l) => *l == c,
                        Tok::Class(ranges, negate) => {
                            ranges.iter().any(|&(a, b)| a <= c && c <= b) != *negate
                        }
                        Tok::Star => true, // handled above
                    };
                    next[j] = matched[j - 1] && fits;
                }
            }
        }
        matched = next;
    }
    matched[n.len()]
}

impl Checker<'_> {
    /// The 1-based (LSP) line an instruction starts on.
    fn line_of(&self, node: Node) -> usize {
        position::line_column(&self.rope, node.start_byte()).0
    }

    fn problem(&mut self, line: usize, message: String) {
        self.problems.push(Problem { line, message });
    }

    /// Whether the context (as `.dockerignore` leaves it) has `path`.
    fn in_context(&self, path: &str) -> bool {
        let Some(p) = normalize(path) else {
            return false;
        };
        if p.is_empty() {
            return true;
        }
        self.files.exists(&p) && !self.ignore.is_ignored(&p)
    }

    /// The context paths a source (maybe a glob) names: relative, clean.
    fn context_matches(&self, source: &str) -> Vec<String> {
        let Some(clean) = normalize(source.trim_start_matches('/')) else {
            return Vec::new();
        };
        if !has_glob(&clean) {
            return if self.in_context(&clean) {
                vec![clean]
            } else {
                Vec::new()
            };
        }
        let mut found = vec![String::new()];
        for segment in clean.split('/') {
            let mut next = Vec::new();
            for dir in &found {
                if has_glob(segment) {
                    for name in self.files.list(dir) {
                        if glob_match(segment, &name) {
                            next.push(if dir.is_empty() {
                                name
                            } else {
                                format!("{dir}/{name}")
                            });
                        }
                    }
                } else {
                    let p = if dir.is_empty() {
                        segment.to_string()
                    } else {
                        format!("{dir}/{segment}")
                    };
                    if self.files.exists(&p) {
                        next.push(p);
                    }
                }
            }
            // Bounded, whatever the globs (`*/*/*` over a huge tree).
            next.truncate(crate::analysis::context::MAX_LIST);
            found = next;
        }
        found.retain(|p| !self.ignore.is_ignored(p));
        found
    }

    fn resolve_stage(&self, reference: &str) -> Option<usize> {
        if let Some(i) = self.stages.iter().rposition(|s| {
            s.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(reference))
        }) {
            return Some(i);
        }
        reference
            .parse::<usize>()
            .ok()
            .filter(|&i| i < self.stages.len())
    }

    /// Whether `path` (absolute, clean, maybe with a glob) may exist in a
    /// stage at its end.
    fn may_exist(&self, model: &StageModel, path: &str) -> bool {
        // A glob: its fixed prefix must be possible.
        let path = match path.find(['*', '?', '[']) {
            Some(i) => {
                let prefix = &path[..i];
                match prefix.rfind('/') {
                    Some(0) | None => "/".to_string(),
                    Some(j) => prefix[..j].to_string(),
                }
            }
            None => path.to_string(),
        };
        let path = path.as_str();
        let own = |p: &str| {
            model
                .own
                .iter()
                .any(|d| d != "/" && d != &model.image_workdir && !in_system_tree(d) && under(p, d))
        };
        model.writes.iter().any(|w| match w {
            Write::Anything => true,
            Write::System => !own(path),
            Write::Path(p) => under(path, p) || under(p, path),
            Write::Dir(d) => under(d, path),
            Write::Context { dest, src } => {
                if under(dest, path) {
                    return true;
                }
                if !under(path, dest) {
                    return false;
                }
                let rest = path[dest.len()..].trim_start_matches('/');
                let rel = if src.is_empty() {
                    rest.to_string()
                } else {
                    format!("{src}/{rest}")
                };
                self.in_context(&rel)
            }
        })
    }

    fn stage(&mut self, stage: Node, from: Node, global: &BTreeMap<String, Option<String>>) {
        let text = self.text;
        let parts = views::from_instruction(from);
        let name = parts.stage_name.map(|n| logical_text(n, text));
        let image = parts
            .image
            .map(|i| logical_text(i, text))
            .and_then(|i| expand(&i, global));
        let mut model = match image.as_deref().and_then(|i| self.resolve_stage(i)) {
            Some(parent) => {
                let mut m = self.stages[parent].clone();
                m.cmd = None;
                m.entrypoint = None;
                m
            }
            None => {
                let workdir = image
                    .as_deref()
                    .and_then(images::lookup)
                    .map(|f| f.workdir.to_string())
                    .unwrap_or_else(|| "/".to_string());
                let writes = if image.as_deref() == Some("scratch") {
                    Vec::new()
                } else if image.is_none() {
                    vec![Write::Anything]
                } else {
                    vec![Write::System]
                };
                StageModel {
                    writes,
                    image_workdir: workdir.clone(),
                    workdir,
                    ..Default::default()
                }
            }
        };
        model.name = name;
        let mut vars = model.env.clone();
        for node in views::stage_instructions(stage) {
            if node.id() == from.id() {
                continue;
            }
            let keyword = views::keyword(node, text);
            let line = self.line_of(node);
            let args = args_of(node, text);
            match keyword.as_str() {
                "ARG" => {
                    for (k, v) in arg_pairs(&args) {
                        let v = match v {
                            Some(v) => expand(&v, &vars),
                            None => global.get(&k).cloned().flatten(),
                        };
                        vars.insert(k, v);
                    }
                }
                "ENV" => {
                    for (k, v) in env_pairs(&args) {
                        let v = expand(&v, &vars);
                        vars.insert(k.clone(), v.clone());
                        model.env.insert(k, v);
                    }
                }
                "WORKDIR" => match expand(&words(&args).join(" "), &vars) {
                    Some(w) => {
                        model.workdir = absolute(&model.workdir, &w);
                        model.writes.push(Write::Dir(model.workdir.clone()));
                        model.own.push(model.workdir.clone());
                    }
                    None => model.writes.push(Write::Anything),
                },
                "COPY" | "ADD" => self.copy(node, &keyword, line, &vars, &mut model),
                "RUN" => {
                    let script = run_script(node, text);
                    let mut writes = self.run_writes(&script, &model, &vars);
                    // What lands in a cache, tmpfs or bind mount is not in
                    // the image afterwards.
                    for (program, locks) in lockfiles_needed(&script) {
                        self.check_lockfile(&model, line, &program, &locks);
                    }
                    for (program, file) in files_read(&script) {
                        match expand(&file, &vars) {
                            Some(f) if !self.may_exist(&model, &absolute(&model.workdir, &f)) => {
                                self.problem(
                                    line,
                                    format!(
                                        "RUN {program}: reads {f}, which this stage does not have"
                                    ),
                                );
                            }
                            _ => {}
                        }
                    }
                    let production = vars
                        .get("NODE_ENV")
                        .is_some_and(|v| v.as_deref() == Some("production"));
                    if installs_prod_only(&script, production) {
                        model.prod_only = true;
                    }
                    let mounts = mount_targets(node, text, &model.workdir, &vars);
                    writes.retain(|w| match w {
                        Write::Path(p) | Write::Dir(p) => !mounts.iter().any(|m| under(p, m)),
                        _ => true,
                    });
                    model.writes.extend(writes);
                }
                "CMD" | "ENTRYPOINT" => {
                    let ws = match json_array(&args) {
                        Some(a) => Some(a),
                        None => {
                            let shell = words(&args);
                            // A shell form runs `/bin/sh -c`; read it
                            // only when it is one plain command.
                            (!args.contains(['&', '|', ';', '$', '`', '>', '<'])
                                && !shell.is_empty())
                            .then_some(shell)
                        }
                    };
                    let slot = if keyword == "CMD" {
                        &mut model.cmd
                    } else {
                        &mut model.entrypoint
                    };
                    *slot = Some((ws, line));
                }
                _ => {}
            }
        }
        self.stages.push(model);
    }

    fn copy(
        &mut self,
        node: Node,
        keyword: &str,
        line: usize,
        vars: &BTreeMap<String, Option<String>>,
        model: &mut StageModel,
    ) {
        let text = self.text;
        let flags = views::flags(node, text);
        let from = flags
            .iter()
            .find(|f| f.name == "from")
            .and_then(|f| f.value.map(|v| logical_text(v, text)));
        let mut cursor = node.walk();
        let raw: Vec<String> = node
            .children_by_field_name("path", &mut cursor)
            .map(|p| {
                let t = logical_text(p, text);
                if t.starts_with('"') {
                    serde_json::from_str::<String>(&t).unwrap_or(t)
                } else {
                    t
                }
            })
            .collect();
        let Some((dest, sources)) = raw.split_last() else {
            // A heredoc or a form we do not read: it may write anything.
            model.writes.push(Write::Anything);
            return;
        };
        let Some(dest) = expand(dest, vars) else {
            model.writes.push(Write::Anything);
            return;
        };
        let dir_dest = dest.ends_with('/') || sources.len() > 1 || dest == "." || dest == "..";
        let dest_abs = absolute(&model.workdir, &dest);
        let from_stage = match from.as_deref().map(|f| expand(f, vars)) {
            None => None,
            Some(None) => {
                model.writes.push(Write::Path(dest_abs));
                return;
            }
            Some(Some(f)) => match self.resolve_stage(&f) {
                Some(i) => Some(i),
                None => {
                    // An image: we cannot tell what it holds.
                    model.writes.push(Write::Path(dest_abs));
                    return;
                }
            },
        };
        for source in sources {
            let Some(source) = expand(source, vars) else {
                model.writes.push(Write::Path(dest_abs.clone()));
                continue;
            };
            if let Some(i) = from_stage {
                let path = absolute("/", &source);
                if path.split('/').any(|p| p == "node_modules") {
                    model.prod_only = false;
                }
                let from_model = &self.stages[i];
                if !self.may_exist(from_model, &path) {
                    let name = from_model.name.clone().unwrap_or_else(|| i.to_string());
                    self.problem(
                        line,
                        format!(
                            "{keyword} --from={name} {source}: stage {name} never produced {path}"
                        ),
                    );
                }
                model.writes.push(Write::Path(dest_abs.clone()));
                continue;
            }
            let remote = source.contains("://") || source.starts_with("git@");
            if keyword == "ADD" && remote {
                model.writes.push(Write::Path(dest_abs.clone()));
                continue;
            }
            let matches = self.context_matches(&source);
            // ADD unpacks a local archive into the destination: what it
            // holds is not known here.
            let archive = [
                ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz",
            ];
            if keyword == "ADD"
                && matches
                    .iter()
                    .any(|m| archive.iter().any(|a| m.ends_with(a)))
            {
                model.own.push(dest_abs.clone());
                model.writes.push(Write::Path(dest_abs.clone()));
                continue;
            }
            if matches.is_empty() {
                let why = match normalize(source.trim_start_matches('/')) {
                    Some(p) if !p.is_empty() && self.files.exists(&p) => {
                        "is left out by .dockerignore"
                    }
                    Some(_) => "is not in the build context",
                    None => "is outside the build context",
                };
                self.problem(line, format!("{keyword} {source}: {why}"));
                model.writes.push(Write::Path(dest_abs.clone()));
                continue;
            }
            for m in matches {
                let is_dir = m.is_empty() || self.files.is_dir(&m);
                if is_dir {
                    // A directory's contents land in the destination.
                    model.own.push(dest_abs.clone());
                    model.writes.push(Write::Context {
                        dest: dest_abs.clone(),
                        src: m,
                    });
                } else if dir_dest || has_glob(&source) {
                    let base = m.rsplit('/').next().unwrap_or(&m).to_string();
                    model.own.push(dest_abs.clone());
                    model.writes.push(Write::Context {
                        dest: absolute(&dest_abs, &base),
                        src: m,
                    });
                } else {
                    // `COPY a b`: b, or b/a when b is a directory there.
                    model.writes.push(Write::Path(dest_abs.clone()));
                    model.writes.push(Write::Context {
                        dest: dest_abs.clone(),
                        src: m,
                    });
                }
            }
        }
    }

    /// What a RUN's script may write, run in `cwd`.
    fn run_writes(
        &self,
        script: &str,
        model: &StageModel,
        vars: &BTreeMap<String, Option<String>>,
    ) -> Vec<Write> {
        let parsed = Script::parse(script);
        if parsed.has_errors {
            return vec![Write::Anything];
        }
        let mut out = Vec::new();
        let mut cwd = model.workdir.clone();
        for command in &parsed.commands {
            if !self.command_writes(model, command, &mut cwd, vars, 0, &mut out) {
                return vec![Write::Anything];
            }
        }
        out
    }

    /// Adds what one command may write; false when we cannot tell.
    fn command_writes(
        &self,
        model: &StageModel,
        c: &Command,
        cwd: &mut String,
        vars: &BTreeMap<String, Option<String>>,
        depth: usize,
        out: &mut Vec<Write>,
    ) -> bool {
        // Words with the variables we know expanded; a word we cannot
        // expand makes the command unreadable.
        let name = match expand(&c.name, vars) {
            Some(n) => n,
            None => return false,
        };
        let mut args = Vec::new();
        for a in &c.args {
            match expand(a, vars) {
                Some(a) => args.push(a),
                None => return false,
            }
        }
        for w in &c.writes {
            match expand(w, vars) {
                Some(w) if w.starts_with("/dev/") => {}
                Some(w) => out.push(Write::Path(absolute(cwd, &w))),
                None => return false,
            }
        }
        let operands: Vec<&str> = args
            .iter()
            .map(String::as_str)
            .filter(|a| !a.starts_with('-'))
            .collect();
        let option = |names: &[&str]| -> Option<String> {
            for (i, a) in args.iter().enumerate() {
                for n in names {
                    if a == n {
                        return args.get(i + 1).cloned();
                    }
                    if let Some(v) = a.strip_prefix(&format!("{n}=")) {
                        return Some(v.to_string());
                    }
                    if n.len() == 2 && !n.starts_with("--") && a.starts_with(n) && a.len() > 2 {
                        return Some(a[2..].to_string());
                    }
                }
            }
            None
        };
        let path = |p: &str| Write::Path(absolute(cwd, p));
        let program = name.rsplit('/').next().unwrap_or(&name).to_string();
        match program.as_str() {
            "cd" => match operands.first() {
                Some(d) => *cwd = absolute(cwd, d),
                None => return false,
            },
            "echo" | "printf" | "true" | "false" | "set" | "export" | "test" | "[" | "ls"
            | "cat" | "grep" | "chmod" | "chown" | "rm" | "id" | "whoami" | "sleep" | "env"
            | "which" | "exit" | "rmdir" | "du" | "df" | "find" | "head" | "tail" | "wc"
            | "uname" | "pwd" => {
                if program == "find" && args.iter().any(|a| a == "-exec" || a == "-execdir") {
                    return false;
                }
            }
            "mkdir" => {
                for o in &operands {
                    out.push(Write::Dir(absolute(cwd, o)));
                }
            }
            "touch" => {
                for o in &operands {
                    out.push(path(o));
                }
            }
            "cp" | "mv" | "ln" | "install" => match operands.last() {
                Some(d) if operands.len() >= 2 => out.push(path(d)),
                _ => return false,
            },
            "apt-get"
            | "apt"
            | "apk"
            | "dnf"
            | "yum"
            | "microdnf"
            | "update-ca-certificates"
            | "useradd"
            | "groupadd"
            | "adduser"
            | "addgroup"
            | "usermod"
            | "ldconfig" => out.push(Write::System),
            "npm" | "yarn" | "pnpm" | "bun" => {
                return self
                    .package_manager(model, &program, &args, &operands, cwd, vars, depth, out)
            }
            "npx" => {
                let rest: Vec<String> = args
                    .iter()
                    .skip_while(|a| a.starts_with('-'))
                    .cloned()
                    .collect();
                let Some((n, a)) = rest.split_first() else {
                    return false;
                };
                let inner = Command {
                    name: n.clone(),
                    args: a.to_vec(),
                    ..Default::default()
                };
                return self.command_writes(model, &inner, cwd, vars, depth + 1, out);
            }
            "tsc" => {
                if args.iter().any(|a| a == "-b" || a == "--build") {
                    // Project references: each writes where its own
                    // tsconfig says.
                    out.push(Write::Path(cwd.clone()));
                } else if let Some(dir) = option(&["--outDir"]) {
                    out.push(path(&dir));
                } else {
                    let project = option(&["-p", "--project"]).unwrap_or_else(|| ".".into());
                    let file = if project.ends_with(".json") {
                        project
                    } else {
                        format!("{project}/tsconfig.json")
                    };
                    match self
                        .stage_file(model, &absolute(cwd, &file))
                        .and_then(|t| tsconfig_out_dir(&t))
                    {
                        Some(dir) => {
                            let base = absolute(cwd, &file);
                            let base = base.rsplit_once('/').map_or("/", |(d, _)| d).to_string();
                            let base = if base.is_empty() { "/".into() } else { base };
                            out.push(Write::Path(absolute(&base, &dir)))
                        }
                        // No outDir: the JavaScript lands next to the
                        // sources.
                        None => out.push(Write::Path(cwd.clone())),
                    }
                }
            }
            "esbuild" => {
                if let Some(p) = option(&["--outfile", "--outdir"]) {
                    out.push(path(&p));
                }
            }
            "vite" => {
                if operands.first() != Some(&"build") {
                    return false;
                }
                let configured = ["vite.config.js", "vite.config.ts", "vite.config.mjs"]
                    .iter()
                    .filter_map(|f| self.stage_file(model, &absolute(cwd, f)))
                    .any(|t| t.contains("outDir"));
                match option(&["--outDir"]) {
                    Some(d) => out.push(path(&d)),
                    None if configured => out.push(Write::Path(cwd.clone())),
                    None => out.push(path("dist")),
                }
            }
            "next" if operands.first() == Some(&"build") => {
                // `distDir` in the config moves the output.
                let moved = ["next.config.js", "next.config.mjs", "next.config.ts"]
                    .iter()
                    .filter_map(|f| self.stage_file(model, &absolute(cwd, f)))
                    .any(|t| t.contains("distDir"));
                out.push(if moved {
                    Write::Path(cwd.clone())
                } else {
                    path(".next")
                });
            }
            "react-scripts" if operands.first() == Some(&"build") => {
                match vars.get("BUILD_PATH").cloned().flatten() {
                    Some(p) => out.push(path(&p)),
                    None if vars.contains_key("BUILD_PATH") => out.push(Write::Path(cwd.clone())),
                    None => out.push(path("build")),
                }
            }
            // angular.json's outputPath may be anywhere.
            "ng" if operands.first() == Some(&"build") => out.push(Write::Path(cwd.clone())),
            "nuxt" | "nuxi" if operands.first() == Some(&"build") => {
                out.push(path(".output"));
                out.push(path(".nuxt"));
            }
            "go" => match operands.first().copied() {
                Some("build") => match option(&["-o"]) {
                    Some(o) => out.push(path(&o)),
                    None => out.push(Write::Path(cwd.clone())),
                },
                Some("mod" | "install" | "get" | "env" | "version" | "vet") => {
                    out.push(Write::System)
                }
                _ => return false,
            },
            "cargo" => match operands.first().copied() {
                Some("build" | "install") => {
                    out.push(Write::System);
                    match option(&["--target-dir"]) {
                        Some(d) => out.push(path(&d)),
                        None => out.push(path("target")),
                    }
                }
                Some("fetch") => out.push(Write::System),
                _ => return false,
            },
            p if p.starts_with("pip") => match option(&["-t", "--target", "--prefix", "--root"]) {
                Some(d) => out.push(path(&d)),
                None => out.push(Write::System),
            },
            p if p.starts_with("python") => {
                let module = option(&["-m"]);
                match module.as_deref() {
                    Some("venv" | "virtualenv") => match operands.last() {
                        Some(d) => out.push(path(d)),
                        None => return false,
                    },
                    Some("pip") => {
                        let rest: Vec<String> = args
                            .iter()
                            .skip_while(|a| *a != "pip")
                            .skip(1)
                            .cloned()
                            .collect();
                        let inner = Command {
                            name: "pip".into(),
                            args: rest,
                            ..Default::default()
                        };
                        return self.command_writes(model, &inner, cwd, vars, depth + 1, out);
                    }
                    _ => return false,
                }
            }
            "dotnet" => match option(&["-o", "--output"]) {
                Some(o) => {
                    out.push(path(&o));
                    out.push(Write::Path(cwd.clone()));
                    out.push(Write::System);
                }
                None => {
                    out.push(Write::Path(cwd.clone()));
                    out.push(Write::System);
                }
            },
            "mvn" | "mvnw" | "gradle" | "gradlew" => {
                out.push(Write::Path(cwd.clone()));
                out.push(Write::System);
            }
            "curl" | "wget" => match option(&["-o", "--output", "-O", "--output-document"]) {
                Some(o) => out.push(path(&o)),
                None if program == "curl" => {}
                None => return false,
            },
            _ => return false,
        }
        true
    }

    /// `npm ci`, `yarn install`, `npm run build`, `yarn build`...
    #[allow(clippy::too_many_arguments)]
    fn package_manager(
        &self,
        model: &StageModel,
        program: &str,
        args: &[String],
        operands: &[&str],
        cwd: &str,
        vars: &BTreeMap<String, Option<String>>,
        depth: usize,
        out: &mut Vec<Write>,
    ) -> bool {
        let global = args.iter().any(|a| a == "-g" || a == "--global")
            || operands.first() == Some(&"global");
        let sub = operands.first().copied().unwrap_or("install");
        match sub {
            "install" | "i" | "ci" | "add" | "prune" | "rebuild" | "dedupe" => {
                if global {
                    out.push(Write::System);
                } else {
                    let lockfile = match program {
                        "yarn" => "yarn.lock",
                        "pnpm" => "pnpm-lock.yaml",
                        "bun" => "bun.lockb",
                        _ => "package-lock.json",
                    };
                    out.push(Write::Path(absolute(cwd, "node_modules")));
                    out.push(Write::Path(absolute(cwd, lockfile)));
                    out.push(Write::System);
                }
                true
            }
            "config" | "cache" | "set" | "--version" | "-v" | "version" | "store" => true,
            _ => {
                // A script of package.json: `npm run build`, `yarn build`.
                let script_name = if sub == "run" || sub == "run-script" {
                    match operands.get(1) {
                        Some(s) => *s,
                        None => return false,
                    }
                } else if program == "npm" && !matches!(sub, "start" | "test" | "stop" | "restart")
                {
                    return false;
                } else {
                    sub
                };
                if depth > 4 {
                    return false;
                }
                let Some(manifest) = self.stage_file(model, &absolute(cwd, "package.json")) else {
                    return false;
                };
                let Ok(json) = serde_json::from_str::<serde_json::Value>(&manifest) else {
                    return false;
                };
                let scripts = &json["scripts"];
                let names = [
                    format!("pre{script_name}"),
                    script_name.to_string(),
                    format!("post{script_name}"),
                ];
                let mut any = false;
                for n in &names {
                    let Some(body) = scripts[n.as_str()].as_str() else {
                        continue;
                    };
                    any = true;
                    let parsed = Script::parse(body);
                    if parsed.has_errors {
                        return false;
                    }
                    let mut inner_cwd = cwd.to_string();
                    for c in &parsed.commands {
                        if !self.command_writes(model, c, &mut inner_cwd, vars, depth + 1, out) {
                            return false;
                        }
                    }
                }
                any
            }
        }
    }

    /// The text a stage has at `path` (absolute), when a COPY put a
    /// context file there: read from the context.
    fn stage_file(&self, model: &StageModel, path: &str) -> Option<String> {
        model.writes.iter().rev().find_map(|w| match w {
            Write::Context { dest, src } if under(path, dest) => {
                let rest = path[dest.len()..].trim_start_matches('/');
                let rel = match (src.is_empty(), rest.is_empty()) {
                    (true, _) => rest.to_string(),
                    (false, true) => src.clone(),
                    (false, false) => format!("{src}/{rest}"),
                };
                if rel.is_empty() || !self.in_context(&rel) {
                    return None;
                }
                self.files.read(&rel)
            }
            _ => None,
        })
    }

    /// The final stage's CMD/ENTRYPOINT target.
    fn final_command(&mut self) {
        let Some(model) = self.stages.last().cloned() else {
            return;
        };
        let (words, line) = match (&model.entrypoint, &model.cmd) {
            (Some((w, l)), cmd) => {
                let mut all = w.clone();
                if let (Some(a), Some((Some(c), _))) = (&mut all, cmd) {
                    a.extend(c.iter().cloned());
                }
                (all, *l)
            }
            (None, Some((w, l))) => (w.clone(), *l),
            (None, None) => return,
        };
        let Some(words) = words else { return };
        let Some(words) = words
            .iter()
            .map(|w| expand(w, &model.env))
            .collect::<Option<Vec<String>>>()
        else {
            return;
        };
        let Some(program) = words.first() else { return };
        if program.starts_with('-') {
            // Options for the image's own ENTRYPOINT (`node` in a
            // distroless Node image): nothing we can name.
            return;
        }
        let base = program.rsplit('/').next().unwrap_or(program);
        let mut targets: Vec<String> = Vec::new();
        if program.contains('/') {
            targets.push(program.clone());
        }
        let rest = &words[1..];
        if base == "node" || base == "bun" || base.starts_with("python") {
            let mut it = rest.iter();
            while let Some(a) = it.next() {
                if a == "-m" || a == "-c" || a == "-e" || a == "--eval" || a == "-p" {
                    break;
                }
                if a == "-r" || a == "--require" {
                    it.next();
                    continue;
                }
                if a.starts_with('-') {
                    continue;
                }
                targets.push(a.clone());
                break;
            }
        }
        if matches!(base, "npm" | "yarn" | "pnpm") {
            targets.push("package.json".into());
            self.dev_tool_check(&model, &words, line);
        }
        for t in targets {
            let p = absolute(&model.workdir, &t);
            if !self.may_exist(&model, &p) {
                self.problem(
                    line,
                    format!("the command runs {t}, but the final stage has no {p}"),
                );
            }
        }
    }
}

/// The files a script's installs read, as written: `pip install -r F`
/// (and `-c F`). Like [`lockfiles_needed`], a `cd` ends the reading.
fn files_read(script: &str) -> Vec<(String, String)> {
    let parsed = Script::parse(script);
    let mut out = Vec::new();
    for c in &parsed.commands {
        if c.name == "cd" {
            break;
        }
        let args: Vec<&str> = match c.name.as_str() {
            n if n.starts_with("pip") => c.args.iter().map(String::as_str).collect(),
            n if n.starts_with("python") => match c.args.iter().position(|a| a == "-m") {
                Some(i) if c.args.get(i + 1).is_some_and(|m| m == "pip") => {
                    c.args[i + 2..].iter().map(String::as_str).collect()
                }
                _ => continue,
            },
            _ => continue,
        };
        if args.first() != Some(&"install") {
            continue;
        }
        let words: Vec<&str> = std::iter::once(c.name.as_str())
            .chain(c.args.iter().map(String::as_str))
            .collect();
        let mut it = args.iter().peekable();
        while let Some(a) = it.next() {
            let file = match *a {
                "-r" | "--requirement" | "-c" | "--constraint" => it.next().map(|f| f.to_string()),
                a => a
                    .strip_prefix("--requirement=")
                    .or_else(|| a.strip_prefix("--constraint="))
                    .or_else(|| a.strip_prefix("-r").filter(|f| !f.is_empty()))
                    .map(str::to_string),
            };
            if let Some(f) = file.filter(|f| !f.contains("://")) {
                out.push((words.join(" "), f));
            }
        }
    }
    out
}

/// The lockfiles a script's frozen installs need: (the command, the file
/// names any one of which will do). `cd` is not followed (the check then
/// says nothing about that command).
fn lockfiles_needed(script: &str) -> Vec<(String, Vec<&'static str>)> {
    let parsed = Script::parse(script);
    let mut out = Vec::new();
    for c in &parsed.commands {
        if c.name == "cd" {
            break;
        }
        let elsewhere = c.has_flag(&["--prefix", "--cwd", "-C", "--dir", "--manifest-path"]);
        if elsewhere {
            continue;
        }
        let sub = c.operands().next().unwrap_or("install");
        let locks: &[&'static str] = match c.name.as_str() {
            "npm" if sub == "ci" => &["package-lock.json", "npm-shrinkwrap.json"],
            "yarn"
                if matches!(sub, "install" | "i")
                    && c.has_flag(&["--frozen-lockfile", "--immutable"]) =>
            {
                &["yarn.lock"]
            }
            "pnpm" if matches!(sub, "install" | "i") && c.has_flag(&["--frozen-lockfile"]) => {
                &["pnpm-lock.yaml"]
            }
            "cargo"
                if matches!(sub, "build" | "fetch" | "test" | "run")
                    && c.has_flag(&["--locked", "--frozen"]) =>
            {
                &["Cargo.lock"]
            }
            _ => continue,
        };
        let words: Vec<&str> = std::iter::once(c.name.as_str())
            .chain(c.args.iter().map(String::as_str))
            .collect();
        out.push((words.join(" "), locks.to_vec()));
    }
    out
}

impl Checker<'_> {
    /// A frozen install with none of its lockfiles in the working
    /// directory or above it.
    fn check_lockfile(&mut self, model: &StageModel, line: usize, program: &str, locks: &[&str]) {
        // The working directory and the folders above it that are the
        // Dockerfile's own (above those, the image may hold anything).
        let own = |d: &str| {
            model
                .own
                .iter()
                .any(|o| o != "/" && o != &model.image_workdir && !in_system_tree(o) && under(d, o))
        };
        let mut dir = model.workdir.clone();
        if !own(&dir) {
            return;
        }
        while own(&dir) {
            if locks
                .iter()
                .any(|l| self.may_exist(model, &absolute(&dir, l)))
            {
                return;
            }
            dir = absolute(&dir, "..");
        }
        self.problem(
            line,
            format!(
                "RUN {program}: needs {} in {} (or a folder above), which this stage does not have",
                locks.join(" or "),
                model.workdir
            ),
        );
    }
}

/// Whether a script installs Node production dependencies only (flags,
/// or `NODE_ENV=production`, under which npm, yarn 1 and pnpm leave the
/// devDependencies out).
fn installs_prod_only(script: &str, production: bool) -> bool {
    Script::parse(script).commands.iter().any(|c| {
        let sub = c.operands().next().unwrap_or("install");
        let install = matches!(sub, "install" | "i" | "ci");
        let dev_included = c
            .args
            .iter()
            .any(|a| a == "--include=dev" || a == "--production=false" || a == "--prod=false");
        if production
            && install
            && !dev_included
            && matches!(c.name.as_str(), "npm" | "yarn" | "pnpm")
        {
            return true;
        }
        match c.name.as_str() {
            "npm" => {
                install
                    && c.args.iter().any(|a| {
                        a == "--omit=dev"
                            || a == "--production"
                            || a == "--only=production"
                            || a == "--only=prod"
                    })
            }
            "yarn" => install && c.has_flag(&["--production"]),
            "pnpm" => install && c.has_flag(&["--prod", "-P"]),
            _ => false,
        }
    })
}

impl Checker<'_> {
    /// `npm start` / `npm run dev` whose script runs a devDependency's
    /// program (`vite`, `react-scripts`, `next`...) in a stage that
    /// installed production dependencies only: the program is not there.
    fn dev_tool_check(&mut self, model: &StageModel, words: &[String], line: usize) {
        if !model.prod_only {
            return;
        }
        let operands: Vec<&str> = words[1..]
            .iter()
            .map(String::as_str)
            .filter(|w| !w.starts_with('-'))
            .collect();
        let script_name = match operands.as_slice() {
            ["run" | "run-script", name, ..] => *name,
            [name, ..] if matches!(*name, "start" | "dev" | "serve" | "preview") => *name,
            [] => return,
            [name, ..] if words[0] != "npm" => *name,
            _ => return,
        };
        let manifest_path = absolute(&model.workdir, "package.json");
        let Some(manifest) = self.stage_file(model, &manifest_path) else {
            return;
        };
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&manifest) else {
            return;
        };
        let Some(body) = json["scripts"][script_name].as_str() else {
            return;
        };
        let script = Script::parse(body);
        let Some(first) = script.commands.first() else {
            return;
        };
        let program = first.name.as_str();
        // The package a program comes from, for the common ones whose
        // names differ.
        let package = match program {
            "ng" => "@angular/cli",
            "tsc" => "typescript",
            "nuxi" => "nuxt",
            p => p,
        };
        let dev = json["devDependencies"].get(package).is_some();
        let prod = json["dependencies"].get(package).is_some();
        if dev && !prod {
            self.problem(
                line,
                format!(
                    "the command runs the `{script_name}` script, whose `{program}` comes from the devDependency {package}, but this stage installs production dependencies only"
                ),
            );
        }
    }
}

/// The targets of a RUN's cache, tmpfs and bind mounts (absolute).
fn mount_targets(
    run: Node,
    source: &str,
    cwd: &str,
    vars: &BTreeMap<String, Option<String>>,
) -> Vec<String> {
    let mut out = Vec::new();
    for flag in views::flags(run, source) {
        if flag.name != "mount" {
            continue;
        }
        let value = |keys: &[&str]| {
            flag.options
                .iter()
                .find(|o| keys.contains(&o.key.as_str()))
                .and_then(|o| o.value.map(|v| logical_text(v, source)))
        };
        let kind = value(&["type"]).unwrap_or_else(|| "bind".to_string());
        if !matches!(kind.as_str(), "cache" | "tmpfs" | "bind") {
            continue;
        }
        if let Some(target) = value(&["target", "dst", "destination"]) {
            if let Some(t) = expand(target.trim_matches('"'), vars) {
                out.push(absolute(cwd, &t));
            }
        }
    }
    out
}

/// `compilerOptions.outDir` of a tsconfig (comments and trailing commas
/// allowed, as tsc allows them).
fn tsconfig_out_dir(text: &str) -> Option<String> {
    let mut clean = String::new();
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            clean.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    clean.push(n);
                }
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_string = true;
                clean.push(c);
            }
            ('/', Some('/')) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut last = ' ';
                for n in chars.by_ref() {
                    if last == '*' && n == '/' {
                        break;
                    }
                    last = n;
                }
            }
            _ => clean.push(c),
        }
    }
    // Trailing commas.
    let mut fixed = String::new();
    let cs: Vec<char> = clean.chars().collect();
    for (i, &c) in cs.iter().enumerate() {
        if c == ',' {
            let next = cs[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some('}' | ']')) {
                continue;
            }
        }
        fixed.push(c);
    }
    let json: serde_json::Value = serde_json::from_str(&fixed).ok()?;
    json["compilerOptions"]["outDir"].as_str().map(String::from)
}

/// The script a RUN runs: its shell form, or its exec form's words.
fn run_script(run: Node, source: &str) -> String {
    if let Some(shell) = run.child_by_field_name("shell") {
        return logical_text(shell, source);
    }
    if let Some(exec) = run.child_by_field_name("exec") {
        let raw = logical_text(exec, source);
        if let Some(args) = json_array(&raw) {
            return match args.as_slice() {
                [sh, c, script, ..] if sh.ends_with("sh") && c == "-c" => script.clone(),
                _ => args
                    .iter()
                    .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
                    .collect::<Vec<_>>()
                    .join(" "),
            };
        }
    }
    // A heredoc or a form we cannot read.
    "\u{0}unreadable(".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::context::MemFiles;

    fn problems(dockerfile: &str, files: &[(&str, &str)]) -> Vec<String> {
        check(dockerfile, &MemFiles::new(files.iter().copied()))
            .iter()
            .map(Problem::to_string)
            .collect()
    }

    const NODE_APP: &[(&str, &str)] = &[
        (
            "package.json",
            r#"{"scripts": {"build": "tsc -p .", "start": "node dist/server.js"}}"#,
        ),
        ("package-lock.json", "{}"),
        (
            "tsconfig.json",
            "{\n  // out\n  \"compilerOptions\": {\"outDir\": \"dist\",},\n}",
        ),
        ("src/server.ts", ""),
        (".dockerignore", "node_modules\ndist\n"),
    ];

    #[test]
    fn a_good_node_split_has_no_problem() {
        let df = "FROM node:20 AS deps\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\n\
FROM node:20 AS build\nWORKDIR /app\nCOPY --from=deps /app/node_modules ./node_modules\nCOPY . .\nRUN npm run build\n\
FROM node:20 AS runner\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev\n\
COPY --from=build /app/dist ./dist\nUSER node\nCMD [\"node\", \"dist/server.js\"]\n";
        assert_eq!(problems(df, NODE_APP), Vec::<String>::new());
    }

    /// Problems are on LSP's lines, whatever ends them (a fresh tree's
    /// points count `\n` only).
    #[test]
    fn lines_are_counted_whatever_ends_them() {
        let df = "FROM node:20\nWORKDIR /app\nCOPY package.json yarn.lock ./\n";
        let bad = "FROM node:20\nWORKDIR /app\n  FOO bar\n";
        for brk in ["\n", "\r", "\r\n"] {
            assert_eq!(
                problems(&df.replace('\n', brk), NODE_APP),
                ["line 3: COPY yarn.lock: is not in the build context"],
                "{brk:?}"
            );
            let found = problems(&bad.replace('\n', brk), NODE_APP);
            assert!(found[0].starts_with("line 3: does not parse"), "{found:?}");
        }
    }

    #[test]
    fn a_source_missing_from_the_context_or_ignored_is_reported() {
        let df = "FROM node:20\nWORKDIR /app\nCOPY package.json yarn.lock ./\nCOPY node_modules ./node_modules\nCOPY *.lock ./\nCOPY src/*.ts ./src/\n";
        assert_eq!(
            problems(df, NODE_APP),
            vec![
                "line 3: COPY yarn.lock: is not in the build context",
                "line 4: COPY node_modules: is not in the build context",
                "line 5: COPY *.lock: is not in the build context",
            ]
        );
        let ignored = [("dist/a.js", ""), (".dockerignore", "dist\n")];
        assert_eq!(
            problems("FROM alpine\nCOPY dist /d\n", &ignored),
            vec!["line 2: COPY dist: is left out by .dockerignore"]
        );
        assert_eq!(
            problems("FROM alpine\nCOPY ../x /d\n", &ignored),
            vec!["line 2: COPY ../x: is outside the build context"]
        );
    }

    #[test]
    fn a_from_path_the_stage_never_produced_is_reported() {
        // The build output is `dist` (tsconfig's outDir), not `build`; the
        // context's copy has no `build` either.
        let df = "FROM node:20 AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\
FROM node:20\nWORKDIR /app\nCOPY --from=build /app/build ./build\nCOPY --from=build /app/dist ./dist\n\
COPY --from=build /app/src ./src\nCOPY --from=build /app/node_modules ./node_modules\nCOPY --from=build /app/nope.txt ./\n";
        assert_eq!(
            problems(df, NODE_APP),
            vec![
                "line 7: COPY --from=build /app/build: stage build never produced /app/build",
                "line 11: COPY --from=build /app/nope.txt: stage build never produced /app/nope.txt",
            ]
        );
    }

    #[test]
    fn a_run_we_cannot_read_or_the_base_image_may_hold_anything() {
        let df = "FROM node:20 AS build\nWORKDIR /app\nCOPY . .\nRUN node build.js\n\
FROM node:20\nCOPY --from=build /app/out ./out\nCOPY --from=build /usr/local/bin/node /n\n";
        assert_eq!(problems(df, NODE_APP), Vec::<String>::new());
        // Without the unreadable RUN, /app/out is surely missing; the
        // image's /usr/local stays possible.
        let df = df.replace("RUN node build.js\n", "");
        assert_eq!(
            problems(&df, NODE_APP),
            vec!["line 5: COPY --from=build /app/out: stage build never produced /app/out"]
        );
    }

    #[test]
    fn go_and_python_outputs_are_told_from_their_commands() {
        let files = [
            ("go.mod", "module x\n"),
            ("main.go", ""),
            ("requirements.txt", ""),
        ];
        let df =
            "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o bin/server .\n\
FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /src/bin/server /app/server\n\
COPY --from=build /src/server /app/x\nCMD [\"/app/server\"]\n";
        assert_eq!(
            problems(df, &files),
            vec!["line 7: COPY --from=build /src/server: stage build never produced /src/server"]
        );
        let df = "FROM python:3.12-slim AS deps\nWORKDIR /app\nCOPY requirements.txt .\n\
RUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt\n\
FROM python:3.12-slim\nCOPY --from=deps /opt/venv /opt/venv\nCOPY --from=deps /app/.venv /app/.venv\n";
        assert_eq!(
            problems(df, &files),
            vec!["line 7: COPY --from=deps /app/.venv: stage deps never produced /app/.venv"]
        );
    }

    #[test]
    fn variables_in_paths_are_expanded_with_their_defaults() {
        let files = [("app.py", "")];
        let df = "FROM python:3.12-slim AS b\nARG HOME_DIR=/srv/app\nWORKDIR ${HOME_DIR}\nCOPY app.py .\n\
FROM python:3.12-slim\nARG HOME_DIR=/srv/app\nCOPY --from=b ${HOME_DIR}/app.py /x/app.py\nCOPY --from=b $HOME_DIR/main.py /x/\n\
COPY --from=b $UNKNOWN/main.py /x/\n";
        assert_eq!(
            problems(df, &files),
            vec!["line 8: COPY --from=b /srv/app/main.py: stage b never produced /srv/app/main.py"]
        );
    }

    #[test]
    fn the_command_target_must_be_in_the_runner() {
        let files = [("server.js", ""), ("package.json", "{}")];
        let ok = "FROM node:20\nWORKDIR /app\nCOPY server.js .\nCMD [\"node\", \"server.js\"]\n";
        assert_eq!(problems(ok, &files), Vec::<String>::new());
        let bad = "FROM node:20 AS b\nWORKDIR /app\nCOPY . .\n\
FROM node:20\nWORKDIR /app\nCOPY --from=b /app/server.js ./server.js\nCMD node --enable-source-maps main.js\n";
        assert_eq!(
            problems(bad, &files),
            vec!["line 7: the command runs main.js, but the final stage has no /app/main.js"]
        );
        let bin = "FROM gcr.io/distroless/static-debian12\nWORKDIR /app\nENTRYPOINT [\"./bin/backend\"]\n";
        assert_eq!(
            problems(bin, &files),
            vec!["line 3: the command runs ./bin/backend, but the final stage has no /app/bin/backend"]
        );
        let npm = "FROM node:20\nWORKDIR /app\nCOPY server.js .\nCMD [\"npm\", \"start\"]\n";
        assert_eq!(
            problems(npm, &files),
            vec!["line 4: the command runs package.json, but the final stage has no /app/package.json"]
        );
        // A program on the PATH, a shell script and a python module are
        // not checked.
        let other = "FROM python:3.12-slim\nWORKDIR /app\nCMD python -m app && echo\n";
        assert_eq!(problems(other, &files), Vec::<String>::new());
        // Options for the image's own ENTRYPOINT are not a program.
        let other = "FROM gcr.io/distroless/nodejs20\nWORKDIR /app\nCMD [\"--require=./x.js\", \"server.js\"]\n";
        assert_eq!(problems(other, &files), Vec::<String>::new());
    }

    #[test]
    fn bad_input_gets_a_clear_result() {
        let p = problems("FROM alpine\nRUN [\"unclosed\n", &[]);
        assert!(p.iter().all(|p| p.starts_with("line ")), "{p:?}");
        assert!(problems("", &[]).is_empty());
        assert!(
            problems(
                "FROM scratch\nCOPY --from=9 /a /b\nCOPY --from= /a /b\n",
                &[]
            )
            .len()
                <= 2
        );
    }

    #[test]
    fn what_a_run_writes_into_a_cache_mount_is_not_in_the_image() {
        let df = "FROM node:20 AS deps\nWORKDIR /app\nCOPY package.json package-lock.json ./\n\
RUN --mount=type=cache,target=/app/node_modules npm ci\n\
RUN --mount=type=cache,target=/root/.npm mkdir -p /root/.npm/x /app/made\n\
FROM node:20\nWORKDIR /app\nCOPY --from=deps /app/node_modules ./node_modules\n\
COPY --from=deps /app/made ./made\n";
        assert_eq!(
            problems(df, NODE_APP),
            vec!["line 8: COPY --from=deps /app/node_modules: stage deps never produced /app/node_modules"]
        );
    }

    #[test]
    fn a_dev_server_run_without_dev_dependencies_is_reported() {
        let files = [
            (
                "package.json",
                r#"{"scripts": {"dev": "vite --host", "start": "serve -s dist"},
                    "dependencies": {"serve": "14"}, "devDependencies": {"vite": "5"}}"#,
            ),
            ("package-lock.json", "{}"),
        ];
        let runner = |install: &str, cmd: &str| {
            format!(
                "FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN {install}\nCMD {cmd}\n"
            )
        };
        assert_eq!(
            problems(&runner("npm ci --omit=dev", r#"["npm", "run", "dev"]"#), &files),
            vec!["line 5: the command runs the `dev` script, whose `vite` comes from the devDependency vite, but this stage installs production dependencies only"]
        );
        // A production program, or every dependency installed: fine.
        assert!(problems(&runner("npm ci --omit=dev", r#"["npm", "start"]"#), &files).is_empty());
        assert!(problems(&runner("npm ci", r#"["npm", "run", "dev"]"#), &files).is_empty());
        assert_eq!(
            problems(&runner("yarn install --production", "yarn dev"), &files).len(),
            1
        );
        let under_production = runner("npm ci", r#"["npm", "run", "dev"]"#)
            .replace("WORKDIR /app\n", "WORKDIR /app\nENV NODE_ENV=production\n");
        assert_eq!(problems(&under_production, &files).len(), 1);
        let dev_included = under_production.replace("npm ci", "npm ci --include=dev");
        assert!(problems(&dev_included, &files).is_empty());
    }

    #[test]
    fn a_workdir_in_the_image_s_own_folders_may_hold_the_image_s_files() {
        let df = "FROM nginx:alpine AS web\nWORKDIR /usr/share/nginx/html\n\
FROM alpine\nCOPY --from=web /usr/share/nginx/html/index.html /x\n";
        assert!(problems(df, &[]).is_empty());
    }

    #[test]
    fn build_outputs_moved_by_configuration_are_not_guessed() {
        let files = [
            ("package.json", r#"{"scripts": {"build": "next build"}}"#),
            ("next.config.js", "module.exports = { distDir: 'out' }"),
            (
                "tsconfig.json",
                r#"{"compilerOptions": {"outDir": "dist"}}"#,
            ),
        ];
        let df = "FROM node:20 AS b\nWORKDIR /app\nCOPY . .\nRUN npm run build\n\
FROM node:20\nCOPY --from=b /app/out /app/out\n";
        assert!(problems(df, &files).is_empty());
        let df = "FROM node:20 AS b\nWORKDIR /app\nCOPY . .\nRUN npx tsc -b\n\
FROM node:20\nCOPY --from=b /app/packages/a/lib /app/lib\n";
        assert!(problems(df, &files).is_empty());
        let df = "FROM node:20 AS b\nWORKDIR /app\nCOPY . .\nENV BUILD_PATH=public-build\nRUN npx react-scripts build\n\
FROM node:20\nCOPY --from=b /app/public-build /a\nCOPY --from=b /app/build /b\n";
        assert_eq!(
            problems(df, &files),
            vec!["line 8: COPY --from=b /app/build: stage b never produced /app/build"]
        );
    }

    #[test]
    fn a_frozen_install_without_its_lockfile_is_reported() {
        let df = "FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci\n";
        assert_eq!(
            problems(df, NODE_APP),
            vec!["line 4: RUN npm ci: needs package-lock.json or npm-shrinkwrap.json in /app (or a folder above), which this stage does not have"]
        );
        let with_lock = df.replace(
            "COPY package.json ./",
            "COPY package.json ./\nCOPY package-lock.json ./",
        );
        assert!(problems(&with_lock, NODE_APP).is_empty());
        let cargo = "FROM rust:1\nWORKDIR /src\nCOPY Cargo.toml ./\nRUN cargo fetch --locked\nRUN cargo build --release\n";
        assert_eq!(
            problems(cargo, &[("Cargo.toml", "")]),
            vec!["line 4: RUN cargo fetch --locked: needs Cargo.lock in /src (or a folder above), which this stage does not have"]
        );
        // `npm install` needs no lockfile; a RUN we cannot read may have
        // written one.
        let df = "FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN ./gen-lock.sh\nRUN npm ci && npm install\n";
        assert!(problems(df, NODE_APP).is_empty());
    }

    #[test]
    fn an_added_archive_may_hold_anything() {
        let files = [("rootfs.tar.gz", "")];
        let df = "FROM alpine AS b\nADD rootfs.tar.gz /srv/app/\n\
FROM alpine\nCOPY --from=b /srv/app/bin/tool /usr/local/bin/tool\n";
        assert!(problems(df, &files).is_empty());
        let copied = df.replace("ADD", "COPY");
        assert_eq!(
            problems(&copied, &files),
            vec![
                "line 4: COPY --from=b /srv/app/bin/tool: stage b never produced /srv/app/bin/tool"
            ]
        );
    }

    #[test]
    fn a_requirements_file_the_stage_lacks_is_reported() {
        let files = [("requirements.txt", ""), ("src/app.py", "")];
        let df = "FROM python:3.12-slim AS deps\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n\
FROM python:3.12-slim\nWORKDIR /app\nRUN pip install --no-cache-dir -r requirements.txt && rm -rf /root/.cache\n\
RUN python -m pip install -rdev.txt -c https://example.com/c.txt\n";
        assert_eq!(
            problems(df, &files),
            vec![
                "line 7: RUN pip install --no-cache-dir -r requirements.txt: reads requirements.txt, which this stage does not have",
                "line 8: RUN python -m pip install -rdev.txt -c https://example.com/c.txt: reads dev.txt, which this stage does not have",
            ]
        );
    }

    #[test]
    fn globs_match_within_a_segment() {
        assert!(glob_match("package*.json", "package-lock.json"));
        assert!(glob_match("package*.json", "package.json"));
        assert!(!glob_match("package*.json", "yarn.lock"));
        assert!(glob_match("[ab]?.txt", "b1.txt"));
        assert!(!glob_match("[!ab]?.txt", "b1.txt"));
        assert!(glob_match("*", "") && !glob_match("?", ""));
        assert!(glob_match("[unclosed", "[unclosed"));
        // Many stars cost no more than one.
        let stars = "*a".repeat(40) + "b";
        assert!(!glob_match(&stars, &"a".repeat(200)));
        assert!(glob_match(&stars, &("a".repeat(200) + "b")));
    }
}
