//! The build facts of the other ecosystems a split meets: Cargo (the
//! binaries `cargo build --release` writes), Go modules (the binary `go
//! build` names), .NET projects (the `.dll` `dotnet publish` writes), Maven
//! (the jar in `target/`), Gradle (the project name) and Python (the
//! requirement files, lockfiles and the servers the app depends on).
//!
//! TOML is read with the `toml` crate; `.csproj` and `pom.xml` with the
//! small XML reader below (elements, attributes, comments, CDATA).

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::context::ContextFiles;

use super::join;

/// A Cargo package (`Cargo.toml` with `[package]`) or workspace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CargoPackage {
    pub name: Option<String>,
    /// The binaries it builds: `[[bin]]` names, the package's own when
    /// `src/main.rs` exists (or no `[[bin]]` names a path), and
    /// `src/bin/*.rs` stems.
    pub bins: Vec<String>,
    /// `default-run`.
    pub default_run: Option<String>,
    /// `Cargo.lock` is beside it (or at a workspace root above it).
    pub lockfile: bool,
    /// `[workspace] members`, as written.
    pub workspace_members: Vec<String>,
}

impl CargoPackage {
    pub fn read(files: &dyn ContextFiles, app: &str) -> Option<CargoPackage> {
        let text = files.read(&join(app, "Cargo.toml"))?;
        let toml: toml::Table = text.parse().ok()?;
        let package = toml.get("package").and_then(|p| p.as_table());
        let name = package
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .map(str::to_string);
        let mut bins: Vec<String> = Vec::new();
        let explicit = toml.get("bin").and_then(|b| b.as_array());
        let mut main_claimed = false;
        for bin in explicit.into_iter().flatten() {
            let Some(t) = bin.as_table() else { continue };
            if let Some(n) = t.get("name").and_then(|n| n.as_str()) {
                bins.push(n.to_string());
            }
            let path = t.get("path").and_then(|p| p.as_str()).unwrap_or("");
            if path.trim_start_matches("./") == "src/main.rs"
                || path.is_empty() && t.get("name").and_then(|n| n.as_str()) == name.as_deref()
            {
                main_claimed = true;
            }
        }
        let autobins = package
            .and_then(|p| p.get("autobins"))
            .and_then(|a| a.as_bool())
            .unwrap_or(true);
        if let Some(n) = &name {
            if autobins
                && !main_claimed
                && files.exists(&join(app, "src/main.rs"))
                && !bins.contains(n)
            {
                bins.insert(0, n.clone());
            }
        }
        // No sources in sight (a context whose src/ is not there yet): a
        // package without `[lib]` or `[[bin]]` is taken as its one binary.
        if let Some(n) = &name {
            let sources =
                files.exists(&join(app, "src/main.rs")) || files.exists(&join(app, "src/lib.rs"));
            if bins.is_empty() && !sources && !toml.contains_key("lib") && package.is_some() {
                bins.push(n.clone());
            }
        }
        if autobins {
            for entry in files.list(&join(app, "src/bin")) {
                let stem = match entry.strip_suffix(".rs") {
                    Some(s) => s.to_string(),
                    None if files.exists(&join(app, &format!("src/bin/{entry}/main.rs"))) => {
                        entry.clone()
                    }
                    None => continue,
                };
                if !bins.contains(&stem) {
                    bins.push(stem);
                }
            }
        }
        let workspace_members = toml
            .get("workspace")
            .and_then(|w| w.get("members"))
            .and_then(|m| m.as_array())
            .map(|m| {
                m.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let mut lockfile = files.exists(&join(app, "Cargo.lock"));
        let mut dir = app.to_string();
        while !lockfile && !dir.is_empty() {
            dir = dir
                .rsplit_once('/')
                .map_or(String::new(), |(d, _)| d.to_string());
            lockfile = files.exists(&join(&dir, "Cargo.lock"));
        }
        Some(CargoPackage {
            name,
            bins,
            default_run: package
                .and_then(|p| p.get("default-run"))
                .and_then(|d| d.as_str())
                .map(str::to_string),
            lockfile,
            workspace_members,
        })
    }

    /// The file `cargo build --release [--bin NAME]` writes, relative to the
    /// package folder (`target/release/NAME`); `None` when the binary is
    /// not known (several and none named).
    pub fn release_binary(&self, bin: Option<&str>) -> Option<String> {
        let name = match bin {
            Some(b) => self.bins.iter().find(|n| *n == b)?.clone(),
            None => match (self.bins.as_slice(), &self.default_run) {
                (_, Some(d)) => d.clone(),
                ([one], None) => one.clone(),
                _ => return None,
            },
        };
        Some(format!("target/release/{name}"))
    }
}

/// A Go module (`go.mod`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoModule {
    pub module: String,
    /// The `go` directive.
    pub go_version: Option<String>,
    /// `go.sum` is beside it.
    pub sum: bool,
    /// A `vendor/` folder is beside it.
    pub vendor: bool,
    /// The module has requirements (`require`): a build downloads modules.
    pub requires: bool,
    /// Folders (relative to the module) whose Go files say `package main`:
    /// the module root and `cmd/*`.
    pub mains: Vec<String>,
}

impl GoModule {
    pub fn read(files: &dyn ContextFiles, app: &str) -> Option<GoModule> {
        let text = files.read(&join(app, "go.mod"))?;
        let mut module = None;
        let mut go_version = None;
        let mut requires = false;
        for line in text.lines() {
            let line = line.split("//").next().unwrap_or("").trim();
            let mut words = line.split_whitespace();
            match words.next() {
                Some("module") => module = words.next().map(|m| m.trim_matches('"').to_string()),
                Some("go") => go_version = words.next().map(str::to_string),
                Some("require") => requires = true,
                _ => {}
            }
        }
        let module = module.filter(|m| !m.is_empty())?;
        let is_main = |dir: &str| {
            files.list(&join(app, dir)).iter().any(|f| {
                f.ends_with(".go")
                    && !f.ends_with("_test.go")
                    && files
                        .read(&join(app, &join(dir, f)))
                        .is_some_and(|t| go_package(&t) == Some("main"))
            })
        };
        let mut mains = Vec::new();
        if is_main("") {
            mains.push(String::new());
        }
        for d in files.list(&join(app, "cmd")) {
            let dir = format!("cmd/{d}");
            if is_main(&dir) {
                mains.push(dir);
            }
        }
        Some(GoModule {
            module,
            go_version,
            sum: files.exists(&join(app, "go.sum")),
            vendor: files.is_dir(&join(app, "vendor")),
            requires,
            mains,
        })
    }

    /// The file `go build PKG` (no `-o`) writes in the folder it runs in:
    /// the last element of the package's import path (`./cmd/server` →
    /// `server`; `.` → the module's last element, skipping a `/vN` suffix).
    pub fn default_binary(&self, package: &str) -> String {
        let package = package.trim_start_matches("./").trim_end_matches('/');
        let path = if package.is_empty() || package == "." {
            self.module.clone()
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
        parts.last().copied().unwrap_or("main").to_string()
    }
}

/// The package clause of a Go source file.
fn go_package(text: &str) -> Option<&str> {
    let mut in_block = false;
    for line in text.lines() {
        let line = line.trim();
        if in_block {
            if line.contains("*/") {
                in_block = false;
            }
            continue;
        }
        if line.starts_with("/*") {
            in_block = !line.contains("*/");
            continue;
        }
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        return line
            .strip_prefix("package ")
            .map(|p| p.split_whitespace().next().unwrap_or(""));
    }
    None
}

/// A .NET project (`*.csproj`, `*.fsproj`, `*.vbproj`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DotnetProject {
    /// The project file, relative to the app folder.
    pub file: String,
    /// `<AssemblyName>`, else the project file's stem.
    pub assembly_name: String,
    pub target_framework: Option<String>,
    /// The `Sdk` attribute (`Microsoft.NET.Sdk.Web`).
    pub sdk: Option<String>,
    /// `<PublishAot>true`: `dotnet publish` writes a native binary.
    pub publish_aot: bool,
}

impl DotnetProject {
    /// The project files of folder `app` (and of `src/`), sorted.
    pub fn read_all(files: &dyn ContextFiles, app: &str) -> Vec<DotnetProject> {
        let mut out = Vec::new();
        for dir in ["", "src"] {
            for name in files.list(&join(app, dir)) {
                if ![".csproj", ".fsproj", ".vbproj"]
                    .iter()
                    .any(|e| name.ends_with(e))
                {
                    continue;
                }
                let file = join(dir, &name);
                let Some(text) = files.read(&join(app, &file)) else {
                    continue;
                };
                let Some(xml) = Xml::parse(&text) else {
                    continue;
                };
                let stem = name
                    .rsplit_once('.')
                    .map_or(name.as_str(), |(s, _)| s)
                    .to_string();
                out.push(DotnetProject {
                    assembly_name: xml
                        .text("Project/PropertyGroup/AssemblyName")
                        .unwrap_or(stem),
                    target_framework: xml
                        .text("Project/PropertyGroup/TargetFramework")
                        .or_else(|| xml.text("Project/PropertyGroup/TargetFrameworks")),
                    sdk: xml.attribute("Project", "Sdk"),
                    publish_aot: xml
                        .text("Project/PropertyGroup/PublishAot")
                        .is_some_and(|v| v.eq_ignore_ascii_case("true")),
                    file,
                });
            }
        }
        out
    }

    /// What `dotnet publish -o DIR` leaves to run, in DIR: `NAME.dll`
    /// (`dotnet NAME.dll`), or the native `NAME` with PublishAot.
    pub fn entry(&self) -> String {
        if self.publish_aot {
            self.assembly_name.clone()
        } else {
            format!("{}.dll", self.assembly_name)
        }
    }
}

/// A Maven project (`pom.xml`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MavenProject {
    pub artifact_id: Option<String>,
    /// The version (the parent's when the project has none).
    pub version: Option<String>,
    /// `jar` unless said otherwise.
    pub packaging: String,
    /// `<build><finalName>`.
    pub final_name: Option<String>,
    /// `<modules>`: a multi-module build.
    pub modules: Vec<String>,
}

impl MavenProject {
    pub fn read(files: &dyn ContextFiles, app: &str) -> Option<MavenProject> {
        let xml = Xml::parse(&files.read(&join(app, "pom.xml"))?)?;
        Some(MavenProject {
            artifact_id: xml.text("project/artifactId"),
            version: xml
                .text("project/version")
                .or_else(|| xml.text("project/parent/version")),
            packaging: xml
                .text("project/packaging")
                .unwrap_or_else(|| "jar".into()),
            final_name: xml.text("project/build/finalName"),
            modules: xml.texts("project/modules/module"),
        })
    }

    /// The archive `mvn package` writes, relative to the project
    /// (`target/app-1.0.jar`); `None` when a part is a `${property}`.
    pub fn archive(&self) -> Option<String> {
        let name = match &self.final_name {
            Some(f) => f.clone(),
            None => format!(
                "{}-{}",
                self.artifact_id.as_deref()?,
                self.version.as_deref()?
            ),
        };
        if name.contains("${") || !matches!(self.packaging.as_str(), "jar" | "war" | "ear") {
            return None;
        }
        Some(format!("target/{name}.{}", self.packaging))
    }
}

/// A Gradle build (`build.gradle`, `build.gradle.kts`). Gradle scripts are
/// programs (Groovy or Kotlin); only their plain top-level settings are
/// read, line by line: `version = "1.0"`, the plugins applied,
/// `applicationName = "X"`, `rootProject.name` in the settings file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GradleProject {
    /// The build file's name.
    pub file: String,
    /// `rootProject.name` from `settings.gradle(.kts)`, else `None` (Gradle
    /// then uses the folder's name).
    pub name: Option<String>,
    /// `version = "..."` at the top level.
    pub version: Option<String>,
    /// The `application` plugin is applied (`installDist`, `distTar`).
    pub application: bool,
    /// `applicationName = "..."` (the first one), else the project name.
    pub application_name: Option<String>,
    /// A shadow plugin is applied (`shadowJar` writes `NAME-VERSION-all.jar`).
    pub shadow: bool,
    /// The wrapper script `gradlew` is beside it.
    pub wrapper: bool,
}

/// The quoted value of `KEY = "v"` / `KEY = 'v'` on a line.
fn assigned_string(line: &str, key: &str) -> Option<String> {
    let rest = line.trim().strip_prefix(key)?.trim_start();
    let value = rest.strip_prefix('=')?.trim();
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &value[1..];
    Some(value[..value.find(quote)?].to_string())
}

impl GradleProject {
    pub fn read(files: &dyn ContextFiles, app: &str) -> Option<GradleProject> {
        let file = ["build.gradle.kts", "build.gradle"]
            .into_iter()
            .find(|f| files.exists(&join(app, f)))?;
        let text = files.read(&join(app, file)).unwrap_or_default();
        let name = ["settings.gradle.kts", "settings.gradle"]
            .iter()
            .find_map(|s| files.read(&join(app, s)))
            .and_then(|settings| {
                settings
                    .lines()
                    .find_map(|l| assigned_string(l, "rootProject.name"))
            });
        let mut g = GradleProject {
            file: file.to_string(),
            name,
            wrapper: files.exists(&join(app, "gradlew")),
            ..GradleProject::default()
        };
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or("").trim();
            if g.version.is_none() && !line.starts_with([' ', '\t']) {
                g.version = assigned_string(code, "version");
            }
            if g.application_name.is_none() {
                g.application_name = assigned_string(code, "applicationName");
            }
            let plugin = |id: &str| {
                [
                    format!("id '{id}'"),
                    format!("id \"{id}\""),
                    format!("id(\"{id}\")"),
                    format!("apply plugin: '{id}'"),
                    format!("apply plugin: \"{id}\""),
                ]
                .iter()
                .any(|p| code.starts_with(p.as_str()))
            };
            if plugin("application") || code == "application" {
                g.application = true;
            }
            if [
                "com.github.johnrengelman.shadow",
                "com.gradleup.shadow",
                "io.github.goooler.shadow",
            ]
            .iter()
            .any(|id| plugin(id))
            {
                g.shadow = true;
            }
        }
        Some(g)
    }

    /// The project's name: `rootProject.name`, else the folder's name.
    pub fn project_name(&self, folder: &str) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| folder.rsplit('/').next().unwrap_or(folder).to_string())
    }

    /// What a Gradle task writes, relative to the project: `installDist`
    /// (`build/install/NAME/bin/APP`), `shadowJar`
    /// (`build/libs/NAME-VERSION-all.jar`), `jar`/`build`/`assemble`/
    /// `bootJar` (`build/libs/NAME-VERSION.jar`). `folder` names the
    /// project when the settings do not.
    pub fn task_output(&self, task: &str, folder: &str) -> Option<String> {
        let name = self.project_name(folder);
        let versioned = match &self.version {
            Some(v) => format!("{name}-{v}"),
            None => name.clone(),
        };
        let task = task.rsplit(':').next().unwrap_or(task);
        match task {
            "installDist" if self.application => {
                let app = self
                    .application_name
                    .clone()
                    .unwrap_or_else(|| name.clone());
                Some(format!("build/install/{name}/bin/{app}"))
            }
            "shadowJar" if self.shadow => Some(format!("build/libs/{versioned}-all.jar")),
            "jar" | "build" | "assemble" | "bootJar" => Some(format!("build/libs/{versioned}.jar")),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PythonManager {
    #[default]
    Pip,
    Poetry,
    Uv,
    Pipenv,
    Pdm,
}

/// A Python app's dependency files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PythonProject {
    /// From the lockfile, then pyproject's tool tables, else pip.
    pub manager: PythonManager,
    /// `requirements*.txt` files in the app folder (and `requirements/`).
    pub requirements: Vec<String>,
    /// `uv.lock`, `poetry.lock`, `Pipfile.lock`, `pdm.lock` present.
    pub lockfiles: Vec<String>,
    /// Context-relative paths of `uv.lock`/`poetry.lock` in folders above
    /// the app (a uv or Poetry workspace root), the nearest first.
    pub workspace_lockfiles: Vec<String>,
    pub pyproject: bool,
    /// The distribution names the app depends on (lower case, `_` as `-`):
    /// from `requirements.txt`, `[project] dependencies`,
    /// `[tool.poetry.dependencies]`, `Pipfile [packages]`.
    pub dependencies: BTreeSet<String>,
}

impl PythonProject {
    pub fn read(files: &dyn ContextFiles, app: &str) -> Option<PythonProject> {
        let at = |n: &str| join(app, n);
        let mut p = PythonProject::default();
        for name in files.list(app) {
            if name.starts_with("requirements") && name.ends_with(".txt") {
                p.requirements.push(name);
            }
        }
        for name in files.list(&at("requirements")) {
            if name.ends_with(".txt") {
                p.requirements.push(format!("requirements/{name}"));
            }
        }
        for lock in ["uv.lock", "poetry.lock", "Pipfile.lock", "pdm.lock"] {
            if files.exists(&at(lock)) {
                p.lockfiles.push(lock.to_string());
            }
        }
        let pyproject: Option<toml::Table> = files
            .read(&at("pyproject.toml"))
            .and_then(|t| t.parse().ok());
        p.pyproject = files.exists(&at("pyproject.toml"));
        let pipfile: Option<toml::Table> = files.read(&at("Pipfile")).and_then(|t| t.parse().ok());
        if p.requirements.is_empty() && !p.pyproject && pipfile.is_none() && p.lockfiles.is_empty()
        {
            return None;
        }
        // the main requirements file: requirements.txt, else the first
        let main_reqs: Vec<&String> = p
            .requirements
            .iter()
            .filter(|r| r.as_str() == "requirements.txt")
            .collect();
        let reqs = if main_reqs.is_empty() {
            p.requirements.iter().collect()
        } else {
            main_reqs
        };
        for r in reqs {
            if let Some(text) = files.read(&at(r)) {
                p.dependencies
                    .extend(text.lines().filter_map(requirement_name));
            }
        }
        let tool = |name: &str| {
            pyproject
                .as_ref()
                .and_then(|t| t.get("tool"))
                .and_then(|t| t.get(name))
                .is_some()
        };
        if let Some(t) = &pyproject {
            if let Some(deps) = t
                .get("project")
                .and_then(|p| p.get("dependencies"))
                .and_then(|d| d.as_array())
            {
                p.dependencies
                    .extend(deps.iter().filter_map(|d| requirement_name(d.as_str()?)));
            }
            if let Some(deps) = t
                .get("tool")
                .and_then(|t| t.get("poetry"))
                .and_then(|p| p.get("dependencies"))
                .and_then(|d| d.as_table())
            {
                p.dependencies.extend(
                    deps.keys()
                        .filter(|k| *k != "python")
                        .map(|k| normalize_name(k)),
                );
            }
        }
        if let Some(deps) = pipfile
            .as_ref()
            .and_then(|t| t.get("packages"))
            .and_then(|d| d.as_table())
        {
            p.dependencies
                .extend(deps.keys().map(|k| normalize_name(k)));
        }
        let own_lock = |name: &str| p.lockfiles.iter().any(|l| l == name);
        let above = |name: &str| {
            p.lockfiles.is_empty()
                && p.workspace_lockfiles
                    .first()
                    .is_some_and(|l| l.ends_with(name))
        };
        p.manager = if own_lock("uv.lock") || tool("uv") || above("uv.lock") {
            PythonManager::Uv
        } else if own_lock("poetry.lock") || tool("poetry") || above("poetry.lock") {
            PythonManager::Poetry
        } else if own_lock("Pipfile.lock") || pipfile.is_some() {
            PythonManager::Pipenv
        } else if own_lock("pdm.lock") || tool("pdm") {
            PythonManager::Pdm
        } else {
            PythonManager::Pip
        };
        Some(p)
    }
}

fn normalize_name(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace(['_', '.'], "-")
}

/// The distribution a requirement line names (`Flask[async]>=2 ; python_version>"3"` → `flask`).
fn requirement_name(line: &str) -> Option<String> {
    let line = line.split('#').next().unwrap_or("").trim();
    if line.is_empty() || line.starts_with('-') || line.contains("://") {
        return None;
    }
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(line.len());
    let name = &line[..end];
    (!name.is_empty()).then(|| normalize_name(name))
}

/// A small XML reader: element paths (`Project/PropertyGroup/AssemblyName`)
/// to their text, and the root's attributes. Namespaces prefixes are kept
/// out of the path; comments, CDATA and processing instructions are skipped.
#[derive(Debug, Default)]
pub struct Xml {
    texts: Vec<(String, String)>,
    attributes: BTreeMap<String, Vec<(String, String)>>,
}

impl Xml {
    /// `None` when the tags do not nest.
    pub fn parse(text: &str) -> Option<Xml> {
        let mut xml = Xml::default();
        let mut stack: Vec<String> = Vec::new();
        let mut current_text = String::new();
        let mut rest = text;
        while let Some(lt) = rest.find('<') {
            current_text.push_str(&rest[..lt]);
            rest = &rest[lt..];
            if let Some(r) = rest.strip_prefix("<!--") {
                rest = &r[r.find("-->")? + 3..];
                continue;
            }
            if let Some(r) = rest.strip_prefix("<![CDATA[") {
                let end = r.find("]]>")?;
                current_text.push_str(&r[..end]);
                rest = &r[end + 3..];
                continue;
            }
            if rest.starts_with("<?") || rest.starts_with("<!") {
                rest = &rest[rest.find('>')? + 1..];
                continue;
            }
            let gt = tag_end(rest)?;
            let tag = &rest[1..gt];
            rest = &rest[gt + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                let name = local(name.trim());
                if stack.last().map(String::as_str) != Some(name) {
                    return None;
                }
                let path = stack.join("/");
                let t = unescape(current_text.trim());
                if !t.is_empty() {
                    xml.texts.push((path, t));
                }
                stack.pop();
                current_text.clear();
                continue;
            }
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let name_end = tag.find(|c: char| c.is_whitespace()).unwrap_or(tag.len());
            let name = local(&tag[..name_end]).to_string();
            if name.is_empty() {
                return None;
            }
            stack.push(name);
            current_text.clear();
            let path = stack.join("/");
            let attrs = attributes(&tag[name_end..]);
            if !attrs.is_empty() {
                xml.attributes.entry(path).or_default().extend(attrs);
            }
            if self_closing {
                stack.pop();
            }
        }
        stack.is_empty().then_some(xml)
    }

    /// The text of the first element at `path`.
    pub fn text(&self, path: &str) -> Option<String> {
        self.texts
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, t)| t.clone())
    }

    /// The texts of every element at `path`.
    pub fn texts(&self, path: &str) -> Vec<String> {
        self.texts
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, t)| t.clone())
            .collect()
    }

    pub fn attribute(&self, path: &str, name: &str) -> Option<String> {
        self.attributes
            .get(path)?
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }
}

/// The `>` that ends a tag (not one inside a quoted attribute value).
fn tag_end(tag: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

fn attributes(mut s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    loop {
        s = s.trim_start();
        let Some(eq) = s.find('=') else { break };
        let name = s[..eq].trim().to_string();
        let value = s[eq + 1..].trim_start();
        let Some(q) = value.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            break;
        };
        let Some(end) = value[1..].find(q) else { break };
        out.push((name, unescape(&value[1..1 + end])));
        s = &value[end + 2..];
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::context::{DirFiles, MemFiles};

    #[test]
    fn cargo_binaries() {
        let files = MemFiles::new([
            ("Cargo.toml", "[package]\nname = \"api\"\n\n[[bin]]\nname = \"migrate\"\npath = \"tools/migrate.rs\"\n"),
            ("src/main.rs", "fn main() {}"),
            ("src/bin/worker.rs", "fn main() {}"),
        ]);
        let c = CargoPackage::read(&files, "").unwrap();
        assert_eq!(c.bins, vec!["api", "migrate", "worker"]);
        assert!(!c.lockfile);
        assert_eq!(c.release_binary(None), None);
        assert_eq!(
            c.release_binary(Some("worker")).as_deref(),
            Some("target/release/worker")
        );
        assert_eq!(c.release_binary(Some("nope")), None);
        let files = MemFiles::new([
            ("Cargo.lock", ""),
            ("svc/Cargo.toml", "[package]\nname = \"svc\"\n"),
            ("svc/src/main.rs", ""),
        ]);
        let c = CargoPackage::read(&files, "svc").unwrap();
        assert!(c.lockfile);
        assert_eq!(
            c.release_binary(None).as_deref(),
            Some("target/release/svc")
        );
        assert_eq!(
            CargoPackage::read(&MemFiles::new([("Cargo.toml", "[package")]), ""),
            None
        );
    }

    #[test]
    fn go_modules() {
        let files = MemFiles::new([
            ("go.mod", "module github.com/acme/shop/v2 // the shop\n\ngo 1.22\n\nrequire (\n\tgithub.com/x/y v1.0.0\n)\n"),
            ("go.sum", ""),
            ("main.go", "// Package main serves.\npackage main\n\nfunc main() {}\n"),
            ("cmd/migrate/main.go", "/* tool */\npackage main\n"),
            ("cmd/lib/lib.go", "package lib\n"),
        ]);
        let g = GoModule::read(&files, "").unwrap();
        assert_eq!(g.module, "github.com/acme/shop/v2");
        assert_eq!(g.go_version.as_deref(), Some("1.22"));
        assert!(g.sum && g.requires && !g.vendor);
        assert_eq!(g.mains, vec!["", "cmd/migrate"]);
        assert_eq!(g.default_binary("."), "shop");
        assert_eq!(g.default_binary("./cmd/migrate/"), "migrate");
        assert_eq!(
            GoModule::read(&MemFiles::new([("go.mod", "go 1.22\n")]), ""),
            None
        );
    }

    #[test]
    fn dotnet_maven_gradle() {
        let files = MemFiles::new([
            ("src/Api.csproj", "<?xml version=\"1.0\"?>\n<Project Sdk=\"Microsoft.NET.Sdk.Web\">\n  <!-- <AssemblyName>no</AssemblyName> -->\n  <PropertyGroup>\n    <TargetFramework>net8.0</TargetFramework>\n    <AssemblyName>Shop.Api</AssemblyName>\n  </PropertyGroup>\n  <ItemGroup><PackageReference Include=\"X\" Version=\"1\" /></ItemGroup>\n</Project>\n"),
            ("pom.xml", "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n<parent><artifactId>p</artifactId><version>2.1</version></parent>\n<artifactId>svc</artifactId>\n<build><plugins/></build>\n</project>"),
            ("build.gradle.kts", "plugins { application }"),
            ("settings.gradle.kts", "rootProject.name = \"ads\"\n"),
        ]);
        let d = DotnetProject::read_all(&files, "");
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].file, "src/Api.csproj");
        assert_eq!(d[0].assembly_name, "Shop.Api");
        assert_eq!(d[0].entry(), "Shop.Api.dll");
        assert_eq!(d[0].sdk.as_deref(), Some("Microsoft.NET.Sdk.Web"));
        assert_eq!(d[0].target_framework.as_deref(), Some("net8.0"));
        let m = MavenProject::read(&files, "").unwrap();
        assert_eq!(m.archive().as_deref(), Some("target/svc-2.1.jar"));
        let g = GradleProject::read(&files, "").unwrap();
        assert_eq!(
            (g.file.as_str(), g.name.as_deref(), g.wrapper),
            ("build.gradle.kts", Some("ads"), false)
        );
        let files = MemFiles::new([
            ("build.gradle.kts", "plugins {\n    application\n    id(\"com.gradleup.shadow\") version \"8.3.0\"\n}\nversion = \"1.0\"\napplication {\n    mainClass.set(\"x.Main\")\n}\n"),
            ("gradlew", ""),
        ]);
        let g = GradleProject::read(&files, "").unwrap();
        assert!(g.application && g.shadow && g.wrapper);
        assert_eq!(
            g.task_output("shadowJar", "svc/fraud").as_deref(),
            Some("build/libs/fraud-1.0-all.jar")
        );
        assert_eq!(
            g.task_output("installDist", "fraud").as_deref(),
            Some("build/install/fraud/bin/fraud")
        );
        assert_eq!(g.task_output("test", "fraud"), None);
        assert!(Xml::parse("<a><b></a></b>").is_none());
        assert!(Xml::parse("<a><b>").is_none());
        assert_eq!(
            Xml::parse("<a x='1 > 2'><b>&amp;<![CDATA[<c>]]></b></a>")
                .unwrap()
                .text("a/b")
                .as_deref(),
            Some("&<c>")
        );
    }

    #[test]
    fn python_dependencies() {
        let files = MemFiles::new([
            ("requirements.txt", "# web\nFlask[async]>=2.0 ; python_version > '3.8'\ngunicorn==21.2\n-r base.txt\nhttps://x/y.whl\n"),
            ("requirements-dev.txt", "pytest\n"),
        ]);
        let p = PythonProject::read(&files, "").unwrap();
        assert_eq!(p.manager, PythonManager::Pip);
        assert_eq!(
            p.requirements,
            vec!["requirements-dev.txt", "requirements.txt"]
        );
        assert_eq!(
            p.dependencies.iter().collect::<Vec<_>>(),
            ["flask", "gunicorn"]
        );
        let files = MemFiles::new([
            ("pyproject.toml", "[project]\nname = \"app\"\ndependencies = [\"fastapi[standard]>=0.1\", \"Uvicorn\"]\n"),
            ("uv.lock", ""),
        ]);
        let p = PythonProject::read(&files, "").unwrap();
        assert_eq!(p.manager, PythonManager::Uv);
        assert!(p.dependencies.contains("fastapi") && p.dependencies.contains("uvicorn"));
        assert_eq!(
            PythonProject::read(&MemFiles::new([("app.py", "")]), ""),
            None
        );
    }

    #[test]
    fn the_corpus_projects() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/apps");
        if !root.is_dir() {
            return;
        }
        let files = DirFiles::new(&root);
        let shipping =
            CargoPackage::read(&files, "open-telemetry+opentelemetry-demo/src/shipping").unwrap();
        assert_eq!(shipping.bins, vec!["shipping", "healthcheck"]);
        assert!(shipping.lockfile);
        let go = GoModule::read(&files, "vercel+examples/container-images/demo/apps/go").unwrap();
        assert_eq!(go.default_binary("."), "go-server");
        let api = DotnetProject::read_all(&files, "dotnet+dotnet-docker/samples/releasesapi");
        assert_eq!(api[0].assembly_name, "releasesapi");
        assert!(api[0].publish_aot);
        assert_eq!(api[0].entry(), "releasesapi");
        let cart = DotnetProject::read_all(
            &files,
            "GoogleCloudPlatform+microservices-demo/src/cartservice",
        );
        assert_eq!(cart[0].file, "src/cartservice.csproj");
        let ads = GradleProject::read(
            &files,
            "GoogleCloudPlatform+microservices-demo/src/adservice",
        )
        .unwrap();
        assert!(ads.application && !ads.shadow);
        assert_eq!(ads.version.as_deref(), Some("0.1.0-SNAPSHOT"));
        assert_eq!(ads.application_name.as_deref(), Some("AdService"));
        let fraud = GradleProject::read(
            &files,
            "open-telemetry+opentelemetry-demo/src/fraud-detection",
        )
        .unwrap();
        assert_eq!(
            fraud.task_output("shadowJar", "fraud-detection").as_deref(),
            Some("build/libs/fraud-detection-1.0-all.jar"),
            "{fraud:?}"
        );
        let backend =
            PythonProject::read(&files, "fastapi+full-stack-fastapi-template/backend").unwrap();
        assert!(
            backend.dependencies.contains("fastapi") && backend.dependencies.contains("alembic")
        );
        let email = PythonProject::read(
            &files,
            "GoogleCloudPlatform+microservices-demo/src/emailservice",
        )
        .unwrap();
        assert_eq!(email.requirements, vec!["requirements.txt"]);
        assert!(!email.dependencies.is_empty());
    }
}
