//! What a production build writes: the framework's real output folder.

use super::js::{self, Dialect, JsValue};
use super::start::{package_manager_run, Run};
use super::words::{commands, flag, strip_env};
use super::{join, Framework, Project};
use crate::analysis::context::ContextFiles;

const MAX_SCRIPT_DEPTH: usize = 6;

/// What kind of thing a build writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputKind {
    /// Static files for a web server (CRA `build`, Vite `dist`, Angular's
    /// browser folder, `next export`'s `out`, `nuxt generate`).
    Static,
    /// JavaScript run by Node with the production `node_modules`
    /// (a `tsc` build, `nest build`, SvelteKit's adapter-node, React
    /// Router / Remix `build`).
    NodeServer,
    /// Next.js standalone output: `node server.js` with no `node_modules`.
    NextStandalone,
    /// Next.js `.next`: `next start` with `node_modules`.
    NextServer,
    /// Nuxt's `.output`: `node .output/server/index.mjs`, self-contained.
    NuxtServer,
    /// Files written by a bundler or build script; what they are is not known.
    Files,
}

/// One thing a runner stage copies from the build stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputCopy {
    /// Relative to the app folder in the build stage.
    pub from: String,
    /// Relative to the runner's app folder (`""`: the folder itself; for
    /// a static site, the web root).
    pub to: String,
}

/// The output of a production build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildOutput {
    pub kind: OutputKind,
    /// The folder the build writes, relative to the app folder (`build`,
    /// `dist`, `dist/app/browser`, `.next`, `.output`).
    pub dir: String,
    /// What a runner copies, in order. A runner whose `needs_node_modules`
    /// is set also needs `package.json` and the production `node_modules`.
    pub copies: Vec<OutputCopy>,
    /// The file Node runs, relative to the runner's app folder
    /// (`server.js`, `.output/server/index.mjs`, `dist/main.js`), when known.
    pub entry: Option<String>,
    pub needs_node_modules: bool,
    /// The URL path the site is served under (`base`, `basePath`), when set.
    pub base: Option<String>,
    /// Where this was read: `"vite.config.ts build.outDir"`, `"default of
    /// react-scripts build"`...
    pub source: String,
    /// Set when part of this is a guess a human should confirm, with why
    /// (for a comment in the rewrite, or for not offering it).
    pub uncertain: Option<String>,
}

impl BuildOutput {
    fn new(kind: OutputKind, dir: &str, source: impl Into<String>) -> BuildOutput {
        let copy_to = match kind {
            OutputKind::Static => String::new(),
            _ => dir.to_string(),
        };
        BuildOutput {
            kind,
            dir: dir.to_string(),
            copies: vec![OutputCopy {
                from: dir.to_string(),
                to: copy_to,
            }],
            entry: None,
            // what a bundler or script writes may still load packages
            needs_node_modules: matches!(
                kind,
                OutputKind::NodeServer | OutputKind::NextServer | OutputKind::Files
            ),
            base: None,
            source: source.into(),
            uncertain: None,
        }
    }
}

pub(super) fn outputs(files: &AppFiles, words: &[String]) -> Vec<BuildOutput> {
    let mut out = Vec::new();
    steps(files, words, 0, &mut Vec::new(), &mut out);
    out
}

/// Walk a build command's steps (through scripts) and collect outputs.
fn steps(
    files: &AppFiles,
    words: &[String],
    depth: usize,
    seen: &mut Vec<String>,
    out: &mut Vec<BuildOutput>,
) {
    if depth > MAX_SCRIPT_DEPTH {
        return;
    }
    let project = files.project;
    let (env, words) = strip_env(words);
    if words.is_empty() {
        return;
    }
    if matches!(words[0].as_str(), "sh" | "bash") && words.get(1).is_some_and(|w| w == "-c") {
        if let Some(line) = words.get(2) {
            for c in commands(line) {
                steps(files, &c, depth + 1, seen, out);
            }
        }
        return;
    }
    match package_manager_run(project, &words) {
        Run::Script(name, line) => {
            if seen.contains(&name) {
                return;
            }
            // npm and yarn 1 run `preX` and `postX` around `X`; pnpm and
            // yarn 2+ do not.
            let program = words[0].rsplit('/').next().unwrap_or(&words[0]);
            let berry = project.node.as_ref().is_some_and(|n| n.yarn_berry);
            let hooks = program == "npm" || (program == "yarn" && !berry);
            let hook = |prefix: &str| {
                hooks
                    .then(|| project.script(&format!("{prefix}{name}")))
                    .flatten()
                    .map(str::to_string)
            };
            let lines: Vec<String> = [hook("pre"), Some(line), hook("post")]
                .into_iter()
                .flatten()
                .collect();
            seen.push(name);
            for line in lines {
                for c in commands(&line) {
                    steps(files, &c, depth + 1, seen, out);
                }
            }
            seen.pop();
        }
        Run::Program(p) if !p.is_empty() => out.extend(step_output(files, &env, &p)),
        Run::NotAManager => out.extend(step_output(files, &env, &words)),
        _ => {}
    }
}

/// The output of one program run by a build.
fn step_output(
    files: &AppFiles,
    env: &[(String, String)],
    words: &[String],
) -> Option<BuildOutput> {
    let project = files.project;
    if let Some(program) = super::words::node_modules_program(words) {
        return step_output(files, env, &program);
    }
    let program = words[0].rsplit('/').next().unwrap_or(&words[0]);
    let args = &words[1..];
    let sub = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .map(String::as_str);
    let env_value = |name: &str| {
        env.iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    match (program, sub) {
        ("react-scripts", Some("build")) => {
            let mut o = match env_value("BUILD_PATH") {
                Some(p) => BuildOutput::new(
                    OutputKind::Static,
                    &join("", p),
                    "BUILD_PATH of react-scripts build",
                ),
                None => BuildOutput::new(
                    OutputKind::Static,
                    "build",
                    "default of react-scripts build",
                ),
            };
            // PUBLIC_URL, else the path of "homepage", is where it is served
            let url = env_value("PUBLIC_URL")
                .map(str::to_string)
                .or_else(|| project.node.as_ref().and_then(|n| n.homepage.clone()));
            o.base = url.and_then(|u| {
                let path = match u.split_once("://") {
                    Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]).to_string(),
                    None => u,
                };
                (!matches!(path.as_str(), "" | "/" | "." | "./")).then_some(path)
            });
            Some(o)
        }
        ("vite", Some("build")) => vite_output(files, args),
        ("next", Some("build")) => Some(next_output(project)),
        ("nuxt" | "nuxi", Some("build")) => {
            if project.node.as_ref().and_then(|n| n.major("nuxt")) == Some(2) {
                // Nuxt 2: .nuxt, served by `nuxt start` with node_modules
                let mut o =
                    BuildOutput::new(OutputKind::NodeServer, ".nuxt", "nuxt 2 build writes .nuxt");
                for extra in ["static", "nuxt.config.js"] {
                    o.copies.push(OutputCopy {
                        from: extra.into(),
                        to: extra.into(),
                    });
                }
                o.uncertain = Some(
                    "Nuxt 2 starts with `nuxt start`, which also reads nuxt.config and static/"
                        .into(),
                );
                return Some(o);
            }
            let mut o = BuildOutput::new(
                OutputKind::NuxtServer,
                ".output",
                "nuxt build writes .output",
            );
            o.entry = Some(".output/server/index.mjs".into());
            Some(o)
        }
        ("nuxt" | "nuxi", Some("generate")) => Some(BuildOutput::new(
            OutputKind::Static,
            ".output/public",
            "nuxt generate writes .output/public",
        )),
        ("ng", Some("build")) => match flag(args, &["--output-path", "--outputPath"]) {
            // the flag replaces outputPath (the browser subfolder stays)
            Some(path) => {
                let mut project = project.clone();
                if let Some(a) = project.angular.as_mut() {
                    a.output_path = Some(join("", path));
                }
                angular_output(&project)
            }
            None => angular_output(project),
        },
        ("tsc", _) => tsc_output(files, args),
        ("nest", Some("build")) => {
            let dir = project
                .tsconfig
                .as_ref()
                .and_then(|t| t.out_dir.clone())
                .unwrap_or_else(|| "dist".into());
            let mut o =
                BuildOutput::new(OutputKind::NodeServer, &dir, "nest build (tsconfig outDir)");
            o.entry = Some(join(&dir, "main.js"));
            Some(o)
        }
        ("remix", Some("build")) if !project.depends_on("vite") => {
            // the classic Remix compiler: the server in build/, assets in public/build
            let mut o = BuildOutput::new(
                OutputKind::NodeServer,
                "build",
                "remix build (classic compiler) writes build/ and public/build/",
            );
            o.copies.push(OutputCopy {
                from: "public".into(),
                to: "public".into(),
            });
            o.entry = Some("build/index.js".into());
            Some(o)
        }
        ("react-router", Some("build")) | ("remix", Some("build" | "vite:build")) => {
            let mut o = BuildOutput::new(
                OutputKind::NodeServer,
                "build",
                format!("{program} build writes build/"),
            );
            o.entry = Some("build/server/index.js".into());
            Some(o)
        }
        ("astro", Some("build")) if project.depends_on("@astrojs/node") => {
            let mut o = BuildOutput::new(
                OutputKind::NodeServer,
                "dist",
                "astro build with @astrojs/node writes dist/",
            );
            o.entry = Some("dist/server/entry.mjs".into());
            Some(o)
        }
        ("astro", Some("build")) => Some(BuildOutput::new(
            OutputKind::Static,
            "dist",
            "default of astro build",
        )),
        ("gatsby", Some("build")) => Some(BuildOutput::new(
            OutputKind::Static,
            "public",
            "gatsby build writes public/",
        )),
        ("vue-cli-service", Some("build")) => {
            let dir = flag(args, &["--dest"]).map_or_else(|| "dist".to_string(), |d| join("", d));
            Some(BuildOutput::new(
                OutputKind::Static,
                &dir,
                "vue-cli-service build",
            ))
        }
        ("parcel", Some("build")) => {
            let dir = flag(args, &["--dist-dir", "-d"])
                .map_or_else(|| "dist".to_string(), |d| join("", d));
            Some(BuildOutput::new(OutputKind::Static, &dir, "parcel build"))
        }
        ("esbuild", _) => {
            // bundled (`--bundle` without `--packages=external`): the
            // dependencies are inside the output
            let bundled = args.iter().any(|a| a == "--bundle")
                && !args
                    .iter()
                    .any(|a| a == "--packages=external" || a.starts_with("--external:"));
            let mut o = if let Some(dir) = flag(args, &["--outdir"]) {
                BuildOutput::new(OutputKind::Files, &join("", dir), "esbuild --outdir")
            } else {
                let file = join("", flag(args, &["--outfile"])?);
                let dir = file
                    .rsplit_once('/')
                    .map_or(String::new(), |(d, _)| d.to_string());
                let mut o = BuildOutput::new(OutputKind::Files, &dir, "esbuild --outfile");
                if dir.is_empty() {
                    o.copies = vec![super::OutputCopy {
                        from: file.clone(),
                        to: file.clone(),
                    }];
                }
                o.entry = Some(file);
                o
            };
            o.needs_node_modules = !bundled;
            Some(o)
        }
        ("webpack" | "webpack-cli", _)
            if !matches!(
                args.first().map(String::as_str),
                Some("serve" | "s" | "watch" | "w" | "info" | "configtest" | "help" | "version")
            ) && !args.iter().any(|a| a == "--watch" || a == "-w") =>
        {
            webpack_output(files, args)
        }
        ("node", Some(file)) => script_output(files, file),
        _ => None,
    }
}

fn vite_output(files: &AppFiles, args: &[String]) -> Option<BuildOutput> {
    let project = files.project;
    // SvelteKit, Remix and React Router run on Vite but write their own layout.
    match project.framework {
        Some(Framework::SvelteKit) => {
            let node_adapter = project.depends_on("@sveltejs/adapter-node");
            return Some(if node_adapter {
                let mut o = BuildOutput::new(
                    OutputKind::NodeServer,
                    "build",
                    "@sveltejs/adapter-node writes build/",
                );
                o.entry = Some("build/index.js".into());
                o
            } else if project.depends_on("@sveltejs/adapter-static") {
                BuildOutput::new(
                    OutputKind::Static,
                    "build",
                    "@sveltejs/adapter-static writes build/",
                )
            } else {
                let mut o = BuildOutput::new(
                    OutputKind::Files,
                    ".svelte-kit/output",
                    "SvelteKit without a known adapter",
                );
                o.uncertain = Some(
                    "SvelteKit's output depends on its adapter, and adapter-auto finds no platform in a container build: @sveltejs/adapter-node makes a server in build/".into(),
                );
                o
            });
        }
        Some(Framework::Remix) | Some(Framework::ReactRouter) => {
            let mut o = BuildOutput::new(
                OutputKind::NodeServer,
                "build",
                "the Vite plugin writes build/",
            );
            o.entry = Some("build/server/index.js".into());
            return Some(o);
        }
        _ => {}
    }
    // `vite build --config other.config.ts` reads that file instead
    let named_config = flag(args, &["--config", "-c"])
        .and_then(|name| Some(super::ViteConfig::read(name, &files.read(name)?)));
    if flag(args, &["--config", "-c"]).is_some() && named_config.is_none() {
        return None;
    }
    let config = named_config.as_ref().or(project.vite.as_ref());
    // `vite build [root] --outDir X`
    let positional = args
        .iter()
        .skip(1)
        .find(|a| !a.starts_with('-') && !is_flag_value(args, a));
    let root_arg = positional.map(|r| join("", r));
    if let Some(dir) = flag(args, &["--outDir"]) {
        let root = root_arg
            .or_else(|| config.and_then(|c| c.root.clone()))
            .unwrap_or_default();
        return Some(BuildOutput::new(
            OutputKind::Static,
            &join(&root, dir),
            "vite build --outDir",
        ));
    }
    let (dir, source) = match config {
        Some(c) => {
            let dir = if root_arg.is_some() {
                join(
                    root_arg.as_deref().unwrap_or(""),
                    c.out_dir.as_deref().unwrap_or("dist"),
                )
            } else {
                c.out_dir_from_app()?
            };
            let source = if c.out_dir.is_some() {
                format!("{} build.outDir", c.file)
            } else {
                format!("default of {} (dist in root)", c.file)
            };
            (dir, source)
        }
        None => (
            join(root_arg.as_deref().unwrap_or(""), "dist"),
            "default of vite build".to_string(),
        ),
    };
    let mut o = BuildOutput::new(OutputKind::Static, &dir, source);
    o.base = config
        .and_then(|c| c.base.clone())
        .filter(|b| b != "/" && b != "./" && !b.is_empty());
    Some(o)
}

/// Whether `arg` is the value of the flag before it (`--outDir dist`).
fn is_flag_value(args: &[String], arg: &str) -> bool {
    args.windows(2).any(|w| {
        w[1] == arg
            && w[0].starts_with("--")
            && !w[0].contains('=')
            && matches!(
                w[0].as_str(),
                "--outDir"
                    | "--mode"
                    | "--config"
                    | "-c"
                    | "--base"
                    | "--emptyOutDir"
                    | "--logLevel"
                    | "--ssr"
            )
    })
}

fn next_output(project: &Project) -> BuildOutput {
    let config = project.next.as_ref();
    let dist = config
        .and_then(|c| c.dist_dir.clone())
        .map_or_else(|| ".next".to_string(), |d| join("", &d));
    let base = config.and_then(|c| c.base_path.clone());
    let source = config.map_or_else(
        || "Next.js defaults (no next.config)".to_string(),
        |c| c.file.clone(),
    );
    let public = |copies: &mut Vec<OutputCopy>| {
        if project.has_public_dir {
            copies.push(OutputCopy {
                from: "public".into(),
                to: "public".into(),
            });
        }
    };
    let mut o = match config.and_then(|c| c.output.as_deref()) {
        Some("standalone") => {
            // Next traces files from the tracing root: the config's, else the
            // folder of the lockfile above an app that has none of its own.
            // Next 15 and later infer it from the lockfiles above (earlier
            // versions trace from the app folder).
            let mut uncertain = None;
            let root = config.and_then(|c| c.tracing_root.clone()).or_else(|| {
                let node = project.node.as_ref()?;
                if !node.lockfiles.is_empty() {
                    return None;
                }
                let lock = node.workspace_files.iter().find(|f| !f.ends_with("pnpm-workspace.yaml"))?;
                let dir = lock.rsplit_once('/').map_or("", |(d, _)| d);
                let major = node.major("next");
                if major.is_none_or(|m| m == 15) {
                    uncertain = Some(format!(
                        "the app has no lockfile of its own and {lock} is above it: recent Next.js versions take that folder as the tracing root and nest server.js under the app's path; set outputFileTracingRoot in the config to be sure"
                    ));
                }
                major.is_none_or(|m| m >= 15).then(|| super::relative_to(&project.app, dir))
            });
            let nest = match root.as_deref() {
                None | Some("") | Some(".") => String::new(),
                Some(root) => {
                    let root_dir = join(&project.app, root);
                    if root_dir.starts_with("..") {
                        String::new()
                    } else {
                        super::relative_to(&root_dir, &project.app)
                    }
                }
            };
            let mut o = BuildOutput::new(
                OutputKind::NextStandalone,
                &join(&dist, "standalone"),
                format!("{source} output: \"standalone\""),
            );
            o.copies = vec![
                OutputCopy {
                    from: join(&dist, "standalone"),
                    to: String::new(),
                },
                OutputCopy {
                    from: join(&dist, "static"),
                    to: join(&nest, &join(&dist, "static")),
                },
            ];
            if project.has_public_dir {
                o.copies.push(OutputCopy {
                    from: "public".into(),
                    to: join(&nest, "public"),
                });
            }
            o.entry = Some(join(&nest, "server.js"));
            o.uncertain = uncertain;
            o.needs_node_modules = false;
            o
        }
        Some("export") => BuildOutput::new(
            OutputKind::Static,
            "out",
            format!("{source} output: \"export\""),
        ),
        _ => {
            let mut o = BuildOutput::new(
                OutputKind::NextServer,
                &dist,
                format!("{source} (next start)"),
            );
            public(&mut o.copies);
            if let Some(c) = config {
                o.copies.push(OutputCopy {
                    from: c.file.clone(),
                    to: c.file.clone(),
                });
            }
            o
        }
    };
    o.base = base;
    o
}

fn angular_output(project: &Project) -> Option<BuildOutput> {
    let a = project.angular.as_ref()?;
    let path = a.output_path.clone()?;
    let dir = match &a.browser_subfolder {
        Some(b) => join(&path, b),
        None => path.clone(),
    };
    let mut o = BuildOutput::new(
        OutputKind::Static,
        &dir,
        format!("angular.json {} outputPath ({})", a.project, a.builder),
    );
    if a.ssr {
        o = BuildOutput::new(
            OutputKind::NodeServer,
            &path,
            format!("angular.json {} outputPath with SSR", a.project),
        );
        o.entry = Some(join(&path, "server/server.mjs"));
    }
    Some(o)
}

fn tsc_output(files: &AppFiles, args: &[String]) -> Option<BuildOutput> {
    let project = files.project;
    if args
        .iter()
        .any(|a| matches!(a.as_str(), "--noEmit" | "--watch" | "-w"))
    {
        return None;
    }
    // `tsc -b [config]` builds like `tsc -p config`
    let build_config = args
        .iter()
        .position(|a| a == "-b" || a == "--build")
        .and_then(|i| args.get(i + 1))
        .filter(|a| !a.starts_with('-'))
        .map(String::as_str);
    let config = match flag(args, &["-p", "--project"]).or(build_config) {
        Some(p) => {
            let file = if p.ends_with(".json") {
                p.to_string()
            } else {
                join(p, "tsconfig.json")
            };
            super::TsConfig::read(files, "", &file).or_else(|| project.tsconfig.clone())
        }
        None => project.tsconfig.clone(),
    };
    if let Some(dir) = flag(args, &["--outDir"]) {
        return Some(BuildOutput::new(
            OutputKind::NodeServer,
            &join("", dir),
            "tsc --outDir",
        ));
    }
    let config = config?;
    if config.no_emit {
        return None;
    }
    let dir = config.out_dir.clone()?;
    let mut o = BuildOutput::new(
        OutputKind::NodeServer,
        &dir,
        format!("{} compilerOptions.outDir", config.file),
    );
    if let Some(main) = project.node.as_ref().and_then(|n| n.main.clone()) {
        let main = join("", &main);
        if main.starts_with(&format!("{dir}/")) {
            o.entry = Some(main);
        }
    }
    Some(o)
}

fn webpack_output(files: &AppFiles, args: &[String]) -> Option<BuildOutput> {
    let file = flag(args, &["--config", "-c"]).unwrap_or("webpack.config.js");
    let text = files.read(file)?;
    let script = js::parse(&text, Dialect::of(file))?;
    let object = script.config_object(script.exported()?, true).ok()?;
    let value = script.value(object);
    let dir = match value.path(&["output", "path"]) {
        Some(JsValue::Str(p)) => join("", p),
        None => "dist".to_string(),
        Some(_) => return None,
    };
    Some(BuildOutput::new(
        OutputKind::Files,
        &dir,
        format!("{file} output.path"),
    ))
}

/// A plain build script (`node build.js`): the output folder or file its
/// options name (`outdir`, `outDir`, `outfile`, `outputDir`, `distDir`),
/// else the folder its `fs` calls create or write into (`mkdirSync("dist")`,
/// `copyFileSync(a, "dist/a")`), found on its tree. A plain string is
/// relative to the folder the script runs in (the app folder); a
/// `path.resolve(__dirname, ...)` to the script's own folder.
fn script_output(files: &AppFiles, file: &str) -> Option<BuildOutput> {
    let text = files.read(file)?;
    let script = js::parse(&text, Dialect::of(file))?;
    let script_dir = file.rsplit_once('/').map_or("", |(d, _)| d);
    // (what named it, the path from the app folder, a file rather than a folder)
    let mut option: Option<(String, String, bool)> = None;
    let mut fs_target: Option<(String, String, bool)> = None;
    let path_of = |node: tree_sitter::Node| -> Option<String> {
        let from_script = matches!(
            script.unwrap(node).kind(),
            "call_expression" | "new_expression"
        );
        match script.value(node) {
            JsValue::Str(p) if !p.starts_with('/') && !p.is_empty() => Some(if from_script {
                join(script_dir, &p)
            } else {
                join("", &p)
            }),
            _ => None,
        }
    };
    let mut stack = vec![script.root()];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "pair" if option.is_none() => {
                let key = node.child_by_field_name("key").and_then(|k| script.key(k));
                if let (Some(key), Some(value)) = (key, node.child_by_field_name("value")) {
                    if matches!(
                        key.as_str(),
                        "outdir" | "outDir" | "outfile" | "outputDir" | "distDir" | "outFile"
                    ) {
                        if let Some(p) = path_of(value) {
                            let is_file = key.eq_ignore_ascii_case("outfile");
                            option = Some((key, p, is_file));
                        }
                    }
                }
            }
            "call_expression" if fs_target.is_none() => {
                let callee = node
                    .child_by_field_name("function")
                    .map(|f| script.text_of(f))
                    .unwrap_or("");
                let name = callee.rsplit('.').next().unwrap_or(callee);
                let arg = |i: usize| {
                    node.child_by_field_name("arguments").and_then(|args| {
                        let mut c = args.walk();
                        let nth = args
                            .named_children(&mut c)
                            .filter(|n| n.kind() != "comment")
                            .nth(i);
                        nth
                    })
                };
                let target = match name {
                    "mkdirSync" | "mkdir" | "mkdirp" | "ensureDirSync" | "ensureDir" => {
                        arg(0).map(|a| (a, false))
                    }
                    "writeFileSync" | "writeFile" | "outputFileSync" => arg(0).map(|a| (a, true)),
                    "copyFileSync" | "copyFile" | "cpSync" | "cp" | "copySync" | "copy" => {
                        arg(1).map(|a| (a, name.contains("File")))
                    }
                    _ => None,
                };
                if let Some((a, is_file)) = target {
                    if let Some(p) = path_of(a) {
                        fs_target = Some((format!("{name}()"), p, is_file));
                    }
                }
            }
            _ => {}
        }
        let mut c = node.walk();
        let children: Vec<_> = node.named_children(&mut c).collect();
        stack.extend(children.into_iter().rev());
    }
    let (how, target, is_file) = option.or(fs_target)?;
    if target.starts_with("..") {
        return None;
    }
    let source = format!("{file} {how}");
    let mut o = if is_file {
        let dir = target
            .rsplit_once('/')
            .map_or(String::new(), |(d, _)| d.to_string());
        if dir.is_empty() {
            return None;
        }
        let mut o = BuildOutput::new(OutputKind::Files, &dir, source);
        o.entry = Some(target);
        o
    } else {
        BuildOutput::new(OutputKind::Files, &target, source)
    };
    // esbuild-style options that inline every package
    o.needs_node_modules = !bundles_everything(&script);
    Some(o)
}

/// `bundle: true` with no `external`/`packages: "external"` option.
fn bundles_everything(script: &js::Script) -> bool {
    let mut bundle = false;
    let mut external = false;
    let mut stack = vec![script.root()];
    while let Some(node) = stack.pop() {
        if node.kind() == "pair" {
            let key = node.child_by_field_name("key").and_then(|k| script.key(k));
            let value = node.child_by_field_name("value").map(|v| script.value(v));
            match (key.as_deref(), value) {
                (Some("bundle"), Some(JsValue::Bool(true))) => bundle = true,
                (Some("external" | "packages"), _) => external = true,
                _ => {}
            }
        }
        let mut c = node.walk();
        let children: Vec<_> = node.named_children(&mut c).collect();
        stack.extend(children);
    }
    bundle && !external
}

/// The project's files as the build sees them, with `""` the app folder:
/// the context itself when the caller gives it, else the files
/// [`Project::read`] kept (build scripts and configs its scripts name).
pub struct AppFiles<'a> {
    pub project: &'a Project,
    pub live: Option<&'a dyn ContextFiles>,
}

impl AppFiles<'_> {
    pub fn read(&self, path: &str) -> Option<String> {
        let path = crate::analysis::context::normalize(path)?;
        match self.live {
            Some(files) => files.read(&join(&self.project.app, &path)),
            None => self.project.kept.get(&path).cloned(),
        }
    }
}

impl ContextFiles for AppFiles<'_> {
    fn read(&self, path: &str) -> Option<String> {
        AppFiles::read(self, path)
    }
    fn exists(&self, path: &str) -> bool {
        self.read(path).is_some()
    }
    fn is_dir(&self, _: &str) -> bool {
        false
    }
    fn list(&self, _: &str) -> Vec<String> {
        Vec::new()
    }
}
