//! The build context of a check: what is known beyond the Dockerfile's
//! text (build arguments, the `.dockerignore`, the configuration, the files
//! around it), read from disk by [`Context::load`]. The rules read it; it
//! imports only the leaves, the configuration and the analysis, never the
//! rules or the runner.

use std::collections::BTreeMap;

use crate::analysis::dockerignore::DockerIgnore;
use crate::config::Config;

/// What a check knows beyond the Dockerfile's text: build arguments as
/// `--build-arg` gives them, the build context's `.dockerignore`, the
/// configuration, and facts about the build context on disk.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub build_args: BTreeMap<String, String>,
    pub dockerignore: Option<DockerIgnore>,
    pub config: Config,
    /// The build context, when the Dockerfile is a file on disk (its
    /// directory). `None` when nothing is known of the files around it.
    pub build_context: Option<BuildContext>,
}

impl Context {
    /// The context of a Dockerfile: on disk (`Some(path)`) its project
    /// file, `.dockerignore` and build context are read; `overlay` (the
    /// client's settings, or `check`'s `--build-arg`s) is applied over the
    /// project file. Also returns what could not be read, for the user.
    ///
    /// Files are read next to the Dockerfile (its build context), and the
    /// project file upward from it, not above `top` when given.
    pub fn load(
        dockerfile: Option<&std::path::Path>,
        overlay: &Config,
        top: Option<&std::path::Path>,
    ) -> (Context, Vec<String>) {
        let mut errors = Vec::new();
        let Some(path) = dockerfile else {
            let context = Context {
                build_args: overlay.build_args.clone(),
                config: overlay.clone(),
                ..Context::default()
            };
            return (context, errors);
        };
        let project = Config::load_for(path, top).unwrap_or_else(|e| {
            errors.push(e);
            Config::default()
        });
        let config = project.overlaid(overlay);
        // Compose files that build this Dockerfile give its build context.
        // One that cannot be read or parsed gives nothing: it is not the
        // file being checked, and Compose itself will say what is wrong.
        let (compose, _compose_errors) = crate::analysis::compose::services_for(path, top);
        let mut contexts: Vec<&std::path::Path> =
            compose.iter().map(|s| s.context.as_path()).collect();
        contexts.dedup();
        let context_dir = match contexts.as_slice() {
            [one] => Some(one.to_path_buf()),
            _ => None,
        };
        // The build args of the one service that builds it, under the
        // project's and the client's (or --build-arg's).
        let mut config = config;
        if let [service] = compose.as_slice() {
            for (k, v) in &service.args {
                config
                    .build_args
                    .entry(k.clone())
                    .or_insert_with(|| v.clone());
            }
        }
        let mut build_context = BuildContext::of_dockerfile_in(path, context_dir.as_deref());
        build_context.compose = compose;
        build_context.top = top.map(std::path::Path::to_path_buf);
        let dockerignore = build_context.dockerignore_path.as_ref().and_then(|p| {
            match crate::files::read_text(p) {
                Ok(text) => Some(DockerIgnore::parse(&text)),
                Err(e) => {
                    errors.push(format!("{}: cannot read: {e}", p.display()));
                    None
                }
            }
        });
        let context = Context {
            build_args: config.build_args.clone(),
            dockerignore,
            config,
            build_context: Some(build_context),
        };
        (context, errors)
    }
}

/// The state on disk (modification time, size, kind) of every file
/// [`Context::load`] reads for a Dockerfile, or would read if it existed:
/// the project file and Compose files (with their `.env`) from the
/// Dockerfile's folder up to `top`, and the `.dockerignore`, `package.json`,
/// `next.config.*` and `public/` of the Dockerfile's folder and of the
/// build context `context_dir`. Two equal stamps mean a new read would find
/// the same files; a few dozen `stat` calls, no reads.
pub fn files_stamp(
    dockerfile: &std::path::Path,
    top: Option<&std::path::Path>,
    context_dir: Option<&std::path::Path>,
) -> Vec<Option<(Option<std::time::SystemTime>, u64, bool)>> {
    let state = |p: &std::path::Path| {
        std::fs::metadata(p)
            .ok()
            .map(|m| (m.modified().ok(), m.len(), m.is_dir()))
    };
    let mut out = Vec::new();
    let mut dir = dockerfile.parent();
    while let Some(d) = dir {
        if top.is_some_and(|top| !d.starts_with(top)) {
            break;
        }
        out.push(state(&d.join(crate::config::FILE_NAME)));
        out.push(state(&d.join(".env")));
        for name in crate::analysis::compose::FILE_NAMES {
            out.push(state(&d.join(name)));
        }
        dir = d.parent();
    }
    if let Some(name) = dockerfile.file_name().and_then(|n| n.to_str()) {
        let own = dockerfile
            .parent()
            .map(|d| d.join(format!("{name}.dockerignore")));
        out.extend(own.as_deref().map(state));
    }
    let dirs = dockerfile.parent().into_iter().chain(context_dir);
    let next = crate::analysis::project::next::CONFIG_NAMES;
    for d in dirs {
        for name in [".dockerignore", "package.json", "public"]
            .iter()
            .chain(&next)
        {
            out.push(state(&d.join(name)));
        }
    }
    out
}

/// What the rules need to know of the build context's files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildContext {
    pub dir: std::path::PathBuf,
    /// The `.dockerignore` that applies, if there is one.
    pub dockerignore_path: Option<std::path::PathBuf>,
    /// `next.config.*`: its file name and text.
    pub next_config: Option<(String, String)>,
    /// Whether `package.json` depends on `next`.
    pub uses_next: bool,
    /// Whether the context has a `public/` directory (Next.js static files).
    pub has_public_dir: bool,
    /// The Compose services that build this Dockerfile.
    pub compose: Vec<crate::analysis::compose::Service>,
    /// The highest folder files may be read from (`Context::load`'s `top`).
    pub top: Option<std::path::PathBuf>,
}

impl BuildContext {
    /// The stage the Compose files build, when every service that builds
    /// this Dockerfile names the same `build.target` (a service with no
    /// target builds the last stage, so then there is none).
    pub fn compose_target(&self) -> Option<String> {
        let mut targets = self.compose.iter().map(|s| s.target.clone());
        let first = targets.next()??;
        targets
            .all(|t| t.as_deref() == Some(first.as_str()))
            .then_some(first)
    }

    /// The files of the build context, read on demand.
    pub fn files(&self) -> crate::analysis::context::DirFiles {
        crate::analysis::context::DirFiles::new(&self.dir)
    }

    /// Reads what the rules need from the directory of a Dockerfile.
    pub fn of_dockerfile(dockerfile: &std::path::Path) -> BuildContext {
        BuildContext::of_dockerfile_in(dockerfile, None)
    }

    /// [`BuildContext::of_dockerfile`] with the build context directory a
    /// Compose file gives (`None`: the Dockerfile's directory).
    pub fn of_dockerfile_in(
        dockerfile: &std::path::Path,
        context: Option<&std::path::Path>,
    ) -> BuildContext {
        let dir = context
            .map(std::path::Path::to_path_buf)
            .or_else(|| {
                dockerfile
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .map(std::path::Path::to_path_buf)
            })
            .unwrap_or_else(|| std::path::PathBuf::from("."));
        let next_config = crate::analysis::project::next::CONFIG_NAMES
            .iter()
            .find_map(|name| {
                let text = std::fs::read_to_string(dir.join(name)).ok()?;
                Some((name.to_string(), text))
            });
        let uses_next = std::fs::read_to_string(dir.join("package.json"))
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .is_some_and(|json| {
                ["dependencies", "devDependencies"]
                    .iter()
                    .any(|key| json[key].get("next").is_some())
            });
        BuildContext {
            dockerignore_path: crate::analysis::dockerignore::find_in(dockerfile, &dir),
            next_config,
            uses_next,
            has_public_dir: dir.join("public").is_dir(),
            compose: Vec::new(),
            top: None,
            dir,
        }
    }
}
