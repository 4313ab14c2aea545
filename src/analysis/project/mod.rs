//! Facts about the application in a build context, read from its files
//! with real parsers: `package.json` (JSON), `next.config.*`,
//! `vite.config.*`, `webpack.config.*` and plain build scripts
//! (tree-sitter's JavaScript and TypeScript grammars), `angular.json` and
//! `tsconfig.json` (JSON with comments, read as JavaScript expressions),
//! `Cargo.toml`, `pyproject.toml` and `Pipfile` (TOML), `*.csproj` and
//! `pom.xml` (a small XML reader), `go.mod`, `requirements*.txt` and the
//! plain settings of a Gradle build (line by line).
//!
//! The split action asks two questions of it: what the production build
//! writes ([`Project::build_output`], [`Project::build_outputs_in`]) and
//! what a start command runs ([`Project::start_kind`]). Every path in these
//! facts is relative to the app folder given to [`Project::read`], with `/`
//! separators, unless a field says it is context-relative; nothing is read
//! outside the [`ContextFiles`] view, and no program is run. What cannot be
//! known from the files (a computed setting, a version-dependent layout) is
//! left out, or said in [`BuildOutput::uncertain`], never guessed silently.

pub mod imports;
pub mod js;
pub mod langs;
pub mod next;
mod output;
mod start;
pub mod words;

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::context::{self, ContextFiles};
use js::{Dialect, JsValue};

pub use langs::{
    CargoPackage, DotnetProject, GoModule, GradleProject, MavenProject, PythonManager,
    PythonProject,
};
pub use next::{standalone_edit, NextConfig, TextInsert};
pub use output::{BuildOutput, OutputCopy, OutputKind};
pub use start::{Start, StartKind};

/// What the files of an app folder say.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Project {
    /// The app folder inside the context (`""` for the root).
    pub app: String,
    pub node: Option<NodePackage>,
    pub framework: Option<Framework>,
    /// The Next.js config, when the app has a `next.config.*`.
    pub next: Option<NextConfig>,
    pub vite: Option<ViteConfig>,
    pub angular: Option<AngularConfig>,
    /// `tsconfig.json` (the one a plain `tsc` reads).
    pub tsconfig: Option<TsConfig>,
    /// The app folder has a `public/` folder.
    pub has_public_dir: bool,
    /// `Cargo.toml`.
    pub cargo: Option<CargoPackage>,
    /// `go.mod`.
    pub go: Option<GoModule>,
    /// `*.csproj`/`*.fsproj`/`*.vbproj` of the folder and of `src/`.
    pub dotnet: Vec<DotnetProject>,
    /// `pom.xml`.
    pub maven: Option<MavenProject>,
    /// `build.gradle(.kts)`.
    pub gradle: Option<GradleProject>,
    /// `requirements*.txt`, `pyproject.toml`, `Pipfile`, Python lockfiles.
    pub python: Option<PythonProject>,
    /// Build scripts and configs kept from the context for
    /// [`Project::build_output_for`] (app-relative path → text): files the
    /// package.json scripts run or name, `tsconfig*.json`, and top-level
    /// `*build*`/`webpack*`/`esbuild*`/`rollup*`/`vite*` scripts and
    /// `server.*`/`index.*`/`app.*`/`main.*` entry files (at most 32).
    pub kept: BTreeMap<String, String>,
}

/// The most files [`Project::read`] keeps.
const MAX_KEPT: usize = 32;

/// A `package.json` and the lockfiles beside it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodePackage {
    /// From the lockfile, then `"packageManager"`, else npm.
    pub manager: NodeManager,
    /// The version `"packageManager"` names (`pnpm@9.1.0` → `9.1.0`).
    pub manager_version: Option<String>,
    /// Lockfile names present in the app folder (`package-lock.json`,
    /// `yarn.lock`, `pnpm-lock.yaml`, `bun.lock`, `bun.lockb`,
    /// `npm-shrinkwrap.json`), in that order. Lockfiles and workspace
    /// files of a parent folder (a monorepo root) are in
    /// `workspace_files`, as context-relative paths.
    pub lockfiles: Vec<String>,
    /// Context-relative paths of lockfiles and `pnpm-workspace.yaml`
    /// found in folders above the app (the nearest first).
    pub workspace_files: Vec<String>,
    pub name: Option<String>,
    pub scripts: BTreeMap<String, String>,
    pub dependencies: BTreeSet<String>,
    pub dev_dependencies: BTreeSet<String>,
    /// The version range each dependency is given (`"next": "^15.1.0"`),
    /// devDependencies included (dependencies win).
    pub versions: BTreeMap<String, String>,
    /// `engines.node` (`">=20"`).
    pub engines_node: Option<String>,
    pub main: Option<String>,
    /// `"homepage"` (Create React App serves under its path).
    pub homepage: Option<String>,
    /// `"type": "module"`.
    pub esm: bool,
    /// Yarn 2+ (a `.yarnrc.yml`, a lockfile with `__metadata`, or
    /// `packageManager: yarn@2+`): `--immutable` instead of
    /// `--frozen-lockfile`.
    pub yarn_berry: bool,
    /// `"workspaces"` is set (this package is a monorepo root).
    pub workspaces: bool,
    /// Yarn 2+ with Plug'n'Play (its default linker, unless `.yarnrc.yml`
    /// says `nodeLinker: node-modules`, or a `.pnp.cjs` is there): the
    /// install makes no `node_modules`; the runner needs `.pnp.cjs`,
    /// `.pnp.loader.mjs` and `.yarn/`.
    pub pnp: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NodeManager {
    #[default]
    Npm,
    Yarn,
    Pnpm,
    Bun,
}

impl NodeManager {
    pub fn name(self) -> &'static str {
        match self {
            NodeManager::Npm => "npm",
            NodeManager::Yarn => "yarn",
            NodeManager::Pnpm => "pnpm",
            NodeManager::Bun => "bun",
        }
    }
}

/// The framework that shapes the build, from the dependencies (the most
/// specific wins: Next over React, Nuxt over Vue, SvelteKit over Vite).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framework {
    Next,
    Nuxt,
    Angular,
    CreateReactApp,
    SvelteKit,
    Remix,
    ReactRouter,
    Astro,
    Gatsby,
    VueCli,
    Vite,
    Nest,
}

/// A `vite.config.*`.
#[derive(Clone, Debug, PartialEq)]
pub struct ViteConfig {
    pub file: String,
    /// `root`, relative to the app folder, when set literally.
    pub root: Option<String>,
    /// `build.outDir` as written (relative to `root`), when set literally.
    pub out_dir: Option<String>,
    /// `base` when set literally.
    pub base: Option<String>,
    /// Keys whose value could not be evaluated (`root`, `build.outDir`,
    /// `base`), or `config` when the exported object was not found.
    pub computed: Vec<String>,
}

/// The application project of `angular.json` the build uses.
#[derive(Clone, Debug, PartialEq)]
pub struct AngularConfig {
    pub project: String,
    /// The build target's builder (`@angular/build:application`...).
    pub builder: String,
    /// `options.outputPath` (its `base` when it is an object).
    pub output_path: Option<String>,
    /// The browser files go in a subfolder of `output_path` (the
    /// `application` builders: `browser`, or what `outputPath.browser` says).
    pub browser_subfolder: Option<String>,
    /// Server-side rendering is configured (`options.ssr` or `server`).
    pub ssr: bool,
}

/// A `tsconfig.json` (with `extends` followed inside the context).
#[derive(Clone, Debug, PartialEq)]
pub struct TsConfig {
    pub file: String,
    /// `compilerOptions.outDir`, relative to the app folder.
    pub out_dir: Option<String>,
    /// `compilerOptions.rootDir`, relative to the app folder.
    pub root_dir: Option<String>,
    pub no_emit: bool,
}

/// `dir` joined with `rel` and cleaned (a `..` may stay at the front).
pub(crate) fn join(dir: &str, rel: &str) -> String {
    let joined = js::join_relative(&[dir.to_string(), rel.to_string()]);
    if joined == "." {
        String::new()
    } else {
        joined
    }
}

impl Project {
    /// Read the app in folder `app` of the context (`""` for the root).
    /// Missing or broken files leave their facts out; this never fails.
    pub fn read(files: &dyn ContextFiles, app: &str) -> Project {
        // A folder outside the context has no facts (never the root's).
        let Some(app) = context::normalize(app) else {
            return Project::default();
        };
        let at = |name: &str| join(&app, name);
        let node = NodePackage::read(files, &app);
        let next = next::CONFIG_NAMES
            .iter()
            .find_map(|name| Some(NextConfig::read(name, &files.read(&at(name))?)));
        let vite = [
            "vite.config.ts",
            "vite.config.js",
            "vite.config.mjs",
            "vite.config.mts",
            "vite.config.cjs",
            "vite.config.cts",
        ]
        .iter()
        .find_map(|name| Some(ViteConfig::read(name, &files.read(&at(name))?)));
        let angular = files
            .read(&at("angular.json"))
            .and_then(|t| AngularConfig::read(&t));
        let tsconfig = TsConfig::read(files, &app, "tsconfig.json");
        let cargo = CargoPackage::read(files, &app);
        let go = GoModule::read(files, &app);
        let dotnet = DotnetProject::read_all(files, &app);
        let maven = MavenProject::read(files, &app);
        let gradle = GradleProject::read(files, &app);
        let python = PythonProject::read(files, &app);
        let mut project = Project {
            has_public_dir: files.is_dir(&at("public")),
            app,
            node,
            framework: None,
            next,
            vite,
            angular,
            tsconfig,
            cargo,
            go,
            dotnet,
            maven,
            gradle,
            python,
            kept: BTreeMap::new(),
        };
        project.framework = project.detect_framework();
        project.kept = project.keep(files);
        project
    }

    /// The files build outputs may need to read (see `kept`).
    fn keep(&self, files: &dyn ContextFiles) -> BTreeMap<String, String> {
        let mut wanted: BTreeSet<String> = BTreeSet::new();
        for name in files.list(&self.app) {
            let lower = name.to_ascii_lowercase();
            let script = [".js", ".mjs", ".cjs", ".ts", ".mts"]
                .iter()
                .any(|e| lower.ends_with(e));
            let named = ["build", "webpack", "esbuild", "rollup", "vite"]
                .iter()
                .any(|n| lower.contains(n));
            let entry = ["server", "index", "app", "main"].iter().any(|n| {
                lower
                    .strip_prefix(n)
                    .is_some_and(|rest| rest.starts_with('.'))
            });
            if (script && (named || entry))
                || (lower.starts_with("tsconfig") && lower.ends_with(".json"))
            {
                wanted.insert(name);
            }
        }
        if let Some(node) = &self.node {
            for line in node.scripts.values() {
                for command in words::commands(line) {
                    let (_, command) = words::strip_env(&command);
                    let Some(program) = command.first() else {
                        continue;
                    };
                    let args = &command[1..];
                    let named = match program.as_str() {
                        "node" | "ts-node" | "tsx" | "bun" => {
                            args.iter().find(|a| !a.starts_with('-')).cloned()
                        }
                        "webpack" | "webpack-cli" | "rollup" | "vite" => {
                            words::flag(args, &["--config", "-c"]).map(str::to_string)
                        }
                        "tsc" => words::flag(args, &["-p", "--project"]).map(str::to_string),
                        _ => None,
                    };
                    if let Some(n) = named.and_then(|n| context::normalize(&n)) {
                        wanted.insert(n);
                    }
                }
            }
        }
        wanted
            .into_iter()
            .filter_map(|p| Some((p.clone(), files.read(&join(&self.app, &p))?)))
            .take(MAX_KEPT)
            .collect()
    }

    /// Whether the app depends on `package` (dependencies or devDependencies).
    pub fn depends_on(&self, package: &str) -> bool {
        self.node.as_ref().is_some_and(|n| {
            n.dependencies.contains(package) || n.dev_dependencies.contains(package)
        })
    }

    fn detect_framework(&self) -> Option<Framework> {
        let has = |p: &str| self.depends_on(p);
        let any_prefix = |prefix: &str| {
            self.node.as_ref().is_some_and(|n| {
                n.dependencies
                    .iter()
                    .chain(&n.dev_dependencies)
                    .any(|d| d.starts_with(prefix))
            })
        };
        Some(if has("next") || self.next.is_some() {
            Framework::Next
        } else if has("nuxt") || has("nuxt3") {
            Framework::Nuxt
        } else if has("@angular/core") || self.angular.is_some() {
            Framework::Angular
        } else if has("react-scripts") {
            Framework::CreateReactApp
        } else if has("@sveltejs/kit") {
            Framework::SvelteKit
        } else if any_prefix("@remix-run/") {
            Framework::Remix
        } else if has("@react-router/dev") {
            Framework::ReactRouter
        } else if has("astro") {
            Framework::Astro
        } else if has("gatsby") {
            Framework::Gatsby
        } else if has("@vue/cli-service") {
            Framework::VueCli
        } else if has("vite") || self.vite.is_some() {
            Framework::Vite
        } else if has("@nestjs/core") {
            Framework::Nest
        } else {
            return None;
        })
    }

    /// The folder the production build (`npm run build`) writes and what
    /// it is. See [`Project::build_output_for`].
    pub fn build_output(&self) -> Option<BuildOutput> {
        self.build_output_for(&["npm".to_string(), "run".to_string(), "build".to_string()])
    }

    /// The output of the build a command runs (`npm run build:prod`,
    /// `node build.js`, `npx vite build`, `ng build`...): the last output
    /// its steps produce. `None` when no step's output is known.
    pub fn build_output_for(&self, command_words: &[String]) -> Option<BuildOutput> {
        self.build_outputs_for(command_words).pop()
    }

    /// Every output the steps of a build command produce, in order.
    pub fn build_outputs_for(&self, command_words: &[String]) -> Vec<BuildOutput> {
        output::outputs(
            &output::AppFiles {
                project: self,
                live: None,
            },
            command_words,
        )
    }

    /// [`Project::build_outputs_for`] reading build scripts and configs
    /// from `files` (the same context [`Project::read`] was given) rather
    /// than from the kept ones: for a Dockerfile's own `RUN node x.js`.
    pub fn build_outputs_in(
        &self,
        files: &dyn ContextFiles,
        command_words: &[String],
    ) -> Vec<BuildOutput> {
        output::outputs(
            &output::AppFiles {
                project: self,
                live: Some(files),
            },
            command_words,
        )
    }

    /// What a start command runs: a production server, a dev server, or
    /// unknown, and the packages it needs at run time.
    pub fn start_kind(&self, command_words: &[String]) -> StartKind {
        start::start_kind(
            &output::AppFiles {
                project: self,
                live: None,
            },
            command_words,
        )
    }

    /// [`Project::start_kind`] reading the files the started program
    /// imports from `files` (the same context [`Project::read`] was given)
    /// rather than from the kept ones, so `imports` and `dev_packages` cover
    /// a `node server.js` that no package.json script names.
    pub fn start_kind_in(&self, files: &dyn ContextFiles, command_words: &[String]) -> StartKind {
        start::start_kind(
            &output::AppFiles {
                project: self,
                live: Some(files),
            },
            command_words,
        )
    }

    /// The `package.json` script `name`.
    pub fn script(&self, name: &str) -> Option<&str> {
        self.node.as_ref()?.scripts.get(name).map(String::as_str)
    }
}

impl NodePackage {
    /// `package.json` of folder `app`, `None` when it is missing or not a
    /// JSON object.
    pub fn read(files: &dyn ContextFiles, app: &str) -> Option<NodePackage> {
        let at = |name: &str| join(app, name);
        let text = files.read(&at("package.json"))?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        let json = json.as_object()?;
        let names = |key: &str| -> BTreeSet<String> {
            json.get(key)
                .and_then(|v| v.as_object())
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default()
        };
        let scripts = json
            .get("scripts")
            .and_then(|v| v.as_object())
            .map(|o| {
                o.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        let string = |key: &str| json.get(key).and_then(|v| v.as_str()).map(str::to_string);
        let lockfiles: Vec<String> = [
            "package-lock.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "bun.lock",
            "bun.lockb",
            "npm-shrinkwrap.json",
        ]
        .iter()
        .filter(|l| files.exists(&at(l)))
        .map(|l| l.to_string())
        .collect();
        let mut workspace_files = Vec::new();
        let mut dir = app.to_string();
        while !dir.is_empty() {
            dir = dir
                .rsplit_once('/')
                .map_or(String::new(), |(d, _)| d.to_string());
            for name in [
                "pnpm-workspace.yaml",
                "package-lock.json",
                "yarn.lock",
                "pnpm-lock.yaml",
                "bun.lock",
                "bun.lockb",
            ] {
                let path = join(&dir, name);
                if files.exists(&path) {
                    workspace_files.push(path);
                }
            }
        }
        let package_manager = string("packageManager");
        let (pm_name, manager_version) = match package_manager.as_deref().map(|p| p.split_once('@'))
        {
            Some(Some((n, v))) => (
                Some(n.to_string()),
                Some(v.split('+').next().unwrap_or(v).to_string()),
            ),
            Some(None) => (package_manager.clone(), None),
            None => (None, None),
        };
        let from_lock = |l: &str| match l {
            "yarn.lock" => Some(NodeManager::Yarn),
            "pnpm-lock.yaml" => Some(NodeManager::Pnpm),
            "bun.lock" | "bun.lockb" => Some(NodeManager::Bun),
            "package-lock.json" | "npm-shrinkwrap.json" => Some(NodeManager::Npm),
            _ => None,
        };
        let from_pm = match pm_name.as_deref() {
            Some("yarn") => Some(NodeManager::Yarn),
            Some("pnpm") => Some(NodeManager::Pnpm),
            Some("bun") => Some(NodeManager::Bun),
            Some("npm") => Some(NodeManager::Npm),
            _ => None,
        };
        // A lockfile beside package.json decides; "packageManager" breaks
        // ties between several, then a workspace root's lockfile.
        let manager = match lockfiles.as_slice() {
            [one] => from_lock(one),
            [] => from_pm.or_else(|| {
                workspace_files
                    .iter()
                    .find_map(|p| from_lock(p.rsplit('/').next().unwrap_or(p)))
            }),
            many => from_pm
                .filter(|m| many.iter().any(|l| from_lock(l) == Some(*m)))
                .or_else(|| from_lock(&many[0])),
        }
        .unwrap_or_default();
        let yarn_berry = manager == NodeManager::Yarn
            && (files.exists(&at(".yarnrc.yml"))
                || (pm_name.as_deref() == Some("yarn")
                    && manager_version
                        .as_deref()
                        .and_then(|v| v.split('.').next()?.parse::<u32>().ok())
                        .is_some_and(|major| major >= 2))
                || files.read(&at("yarn.lock")).is_some_and(|l| {
                    l.lines()
                        .take(20)
                        .any(|line| line.starts_with("__metadata:"))
                }));
        let linker = files
            .read(&at(".yarnrc.yml"))
            .and_then(|t| yaml_rust2::YamlLoader::load_from_str(&t).ok())
            .and_then(|docs| docs.first()?["nodeLinker"].as_str().map(str::to_string));
        let pnp = files.exists(&at(".pnp.cjs"))
            || (yarn_berry && linker.as_deref().is_none_or(|l| l == "pnp"));
        Some(NodePackage {
            pnp,
            manager,
            manager_version,
            lockfiles,
            workspace_files,
            name: string("name"),
            scripts,
            dependencies: names("dependencies"),
            dev_dependencies: names("devDependencies"),
            versions: ["devDependencies", "dependencies"]
                .iter()
                .filter_map(|key| json.get(*key)?.as_object())
                .flat_map(|o| {
                    o.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                })
                .collect(),
            engines_node: json
                .get("engines")
                .and_then(|e| e.get("node"))
                .and_then(|v| v.as_str())
                .map(str::to_string),
            main: string("main"),
            homepage: string("homepage"),
            esm: string("type").as_deref() == Some("module"),
            yarn_berry,
            workspaces: json.contains_key("workspaces"),
        })
    }

    /// The major version a dependency's range starts at (`"^15.1.0"` → 15,
    /// `"~14"` → 14, `">=13 <15"` → 13); `None` for tags, URLs, workspaces.
    pub fn major(&self, package: &str) -> Option<u64> {
        let range = self.versions.get(package)?;
        let start = range.trim_start_matches(['^', '~', '>', '=', 'v', ' ']);
        start.split(['.', ' ', '-']).next()?.parse().ok()
    }

    /// Whether `package` is needed only for development (in
    /// devDependencies and not in dependencies).
    pub fn dev_only(&self, package: &str) -> bool {
        self.dev_dependencies.contains(package) && !self.dependencies.contains(package)
    }
}

impl ViteConfig {
    pub fn read(file: &str, text: &str) -> ViteConfig {
        let mut config = ViteConfig {
            file: file.to_string(),
            root: None,
            out_dir: None,
            base: None,
            computed: Vec::new(),
        };
        let value = js::parse(text, Dialect::of(file)).and_then(|s| {
            let object = s.config_object(s.exported()?, true).ok()?;
            Some(s.value(object))
        });
        let Some(value) = value else {
            config.computed.push("config".into());
            return config;
        };
        let mut take = |keys: &[&str], name: &str| match value.path(keys) {
            Some(JsValue::Str(s)) => Some(s.clone()),
            Some(JsValue::Null) | None => None,
            Some(_) => {
                config.computed.push(name.to_string());
                None
            }
        };
        let root = take(&["root"], "root");
        let out_dir = take(&["build", "outDir"], "build.outDir");
        let base = take(&["base"], "base");
        config.root = root.map(|r| join("", &r));
        config.out_dir = out_dir;
        config.base = base;
        config
    }

    /// The folder `vite build` writes, relative to the app folder:
    /// `build.outDir` (default `dist`) inside `root`. `None` when a
    /// setting it depends on is computed.
    pub fn out_dir_from_app(&self) -> Option<String> {
        if self.computed.iter().any(|c| c != "base") {
            return None;
        }
        let root = self.root.clone().unwrap_or_default();
        Some(join(&root, self.out_dir.as_deref().unwrap_or("dist")))
    }
}

impl AngularConfig {
    /// The app project of `angular.json` (`defaultProject`, else the first
    /// with `projectType: application`, else the first).
    pub fn read(text: &str) -> Option<AngularConfig> {
        let json = js::jsonc(text)?;
        let JsValue::Object(projects) = json.get("projects")? else {
            return None;
        };
        let default = json.get("defaultProject").and_then(JsValue::as_str);
        let (name, project) = projects
            .iter()
            .find(|(n, _)| Some(n.as_str()) == default)
            .or_else(|| {
                projects.iter().find(|(_, p)| {
                    p.get("projectType").and_then(JsValue::as_str) == Some("application")
                })
            })
            .or_else(|| projects.first())?;
        let build = project
            .path(&["architect", "build"])
            .or_else(|| project.path(&["targets", "build"]))?;
        let builder = build
            .get("builder")
            .and_then(JsValue::as_str)
            .unwrap_or("")
            .to_string();
        let options = build.get("options");
        let output = options.and_then(|o| o.get("outputPath"));
        let application = builder.ends_with(":application");
        let (output_path, browser) = match output {
            Some(JsValue::Str(s)) => (Some(s.clone()), application.then(|| "browser".to_string())),
            Some(o @ JsValue::Object(_)) => (
                o.get("base").and_then(JsValue::as_str).map(str::to_string),
                Some(
                    o.get("browser")
                        .and_then(JsValue::as_str)
                        .unwrap_or("browser")
                        .to_string(),
                ),
            ),
            _ if application => (Some(format!("dist/{name}")), Some("browser".to_string())),
            _ => (None, None),
        };
        let ssr = options.is_some_and(|o| {
            o.get("server").is_some()
                || matches!(o.get("ssr"), Some(v) if v.as_bool() != Some(false))
        });
        Some(AngularConfig {
            project: name.clone(),
            builder,
            output_path: output_path.map(|p| join("", &p)),
            browser_subfolder: browser.filter(|b| !b.is_empty()),
            ssr,
        })
    }
}

impl TsConfig {
    /// `file` of folder `app`, following `extends` (relative paths, up to
    /// four levels) for `outDir`, `rootDir` and `noEmit`.
    pub fn read(files: &dyn ContextFiles, app: &str, file: &str) -> Option<TsConfig> {
        let path = join(app, file);
        let mut config = TsConfig {
            file: file.to_string(),
            out_dir: None,
            root_dir: None,
            no_emit: false,
        };
        let mut no_emit = None;
        let mut current = path;
        let mut first = true;
        for _ in 0..5 {
            let Some(json) = files.read(&current).and_then(|t| js::jsonc(&t)) else {
                if first {
                    return None;
                }
                break;
            };
            first = false;
            // Paths in a tsconfig are relative to the file that says them.
            let dir = current.rsplit_once('/').map_or("", |(d, _)| d);
            let rel_to_app = |p: &str| -> String {
                let full = join(dir, p);
                relative_to(app, &full)
            };
            let options = json.get("compilerOptions");
            if config.out_dir.is_none() {
                config.out_dir = options
                    .and_then(|o| o.get("outDir"))
                    .and_then(JsValue::as_str)
                    .map(rel_to_app);
            }
            if config.root_dir.is_none() {
                config.root_dir = options
                    .and_then(|o| o.get("rootDir"))
                    .and_then(JsValue::as_str)
                    .map(rel_to_app);
            }
            if no_emit.is_none() {
                no_emit = options
                    .and_then(|o| o.get("noEmit"))
                    .and_then(JsValue::as_bool);
            }
            // `"extends": "./base"` or, since TypeScript 5, a list whose
            // later entries win: the last one in the context is followed.
            let parent = match json.get("extends") {
                Some(JsValue::Str(p)) => Some(p.as_str()),
                Some(JsValue::Array(list)) => list
                    .iter()
                    .rev()
                    .filter_map(JsValue::as_str)
                    .find(|p| p.starts_with('.')),
                _ => None,
            };
            let Some(parent) = parent else {
                break;
            };
            if !parent.starts_with('.') {
                break; // a package's config (node_modules): not in the context
            }
            let parent = if parent.ends_with(".json") {
                parent.to_string()
            } else {
                format!("{parent}.json")
            };
            current = join(dir, &parent);
        }
        config.no_emit = no_emit.unwrap_or(false);
        Some(config)
    }
}

/// Context-relative `path` made relative to folder `base` (both clean).
pub(crate) fn relative_to(base: &str, path: &str) -> String {
    let b: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    let p: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let common = b.iter().zip(&p).take_while(|(x, y)| x == y).count();
    let mut out: Vec<&str> = vec![".."; b.len() - common];
    out.extend(&p[common..]);
    out.join("/")
}

#[cfg(test)]
mod tests;
