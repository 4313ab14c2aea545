//! Diagnostics of a document: what the server publishes and `check` prints.

use std::collections::BTreeMap;
use std::ops::Range;

use tree_sitter::Tree;

use crate::analysis::dockerignore::DockerIgnore;
use crate::analysis::Analysis;
use crate::config::Config;
use crate::syntax::{self, Source};

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
        let dockerignore =
            build_context
                .dockerignore_path
                .as_ref()
                .and_then(|p| match crate::cli::read_text(p) {
                    Ok(text) => Some(DockerIgnore::parse(&text)),
                    Err(e) => {
                        errors.push(format!("{}: cannot read: {e}", p.display()));
                        None
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }
}

/// A diagnostic located by byte offsets into the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub range: Range<usize>,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    /// Other places that explain it (the stage a reference points at...).
    pub related: Vec<Related>,
    /// The mechanical fix, when there is one.
    pub fix: Option<Fix>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub range: Range<usize>,
    pub message: String,
}

/// Edits that fix a diagnostic, none overlapping another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

impl Edit {
    pub fn new(range: Range<usize>, text: impl Into<String>) -> Edit {
        Edit {
            range,
            text: text.into(),
        }
    }
}

impl Fix {
    pub fn new(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            edits,
        }
    }

    /// The text after applying the edits.
    pub fn apply(&self, text: &str) -> String {
        let mut edits: Vec<&Edit> = self.edits.iter().collect();
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        let mut out = String::with_capacity(text.len());
        let mut pos = 0;
        for e in edits {
            out.push_str(&text[pos..e.range.start]);
            out.push_str(&e.text);
            pos = e.range.end;
        }
        out.push_str(&text[pos..]);
        out
    }
}

/// The page that documents a rule, under the configured base address.
pub fn docs_url(code: &str, config: &Config) -> String {
    let base = config.docs_base_url.as_deref().unwrap_or(DOCS_BASE_URL);
    let sep = if base.ends_with('/') { "" } else { "/" };
    format!("{base}{sep}{code}.md")
}

/// Where the rule pages (`docs/rules/`) are published.
pub const DOCS_BASE_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/rules/");

/// The source name diagnostics carry.
pub const SOURCE: &str = "dockerfile-lsp";

/// Every diagnostic of a parsed document, in document order.
pub fn diagnose(
    tree: &Tree,
    source: &(dyn Source + Sync),
    analysis: &Analysis,
    context: &Context,
) -> Vec<Diagnostic> {
    diagnose_until(tree, source, analysis, context, &|| false).unwrap_or_default()
}

/// [`diagnose`], giving up (`None`) once `cancelled` says the result is no
/// longer wanted (a newer version of the document arrived).
pub fn diagnose_until(
    tree: &Tree,
    source: &(dyn Source + Sync),
    analysis: &Analysis,
    context: &Context,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<Diagnostic>> {
    let mut out: Vec<Diagnostic> = syntax::syntax_errors(tree, source)
        .into_iter()
        .map(|e| Diagnostic {
            range: e.start_byte..e.end_byte,
            severity: Severity::Error,
            code: "SyntaxError",
            fix: e.suggestion.map(|(range, text)| Fix {
                title: format!("Change to {text}"),
                edits: vec![Edit::new(range, text)],
            }),
            message: e.message,
            related: Vec::new(),
        })
        .collect();
    if out.is_empty() && !syntax::has_instructions(tree) {
        out.push(Diagnostic {
            range: 0..0,
            severity: Severity::Error,
            code: "NoInstructions",
            message: "the file has no instructions: a Dockerfile needs at least a FROM".into(),
            related: Vec::new(),
            fix: None,
        });
    }
    let syntax_count = out.len();
    for finding in crate::rules::run_until(tree, source, analysis, context, cancelled)? {
        merge_or_push(&mut out, syntax_count, finding);
    }
    out.sort_by_key(|d| (d.range.start, d.range.end));
    Some(out)
}

/// Adds a rule's finding, unless it is an error on text a syntax error
/// (BuildKit's own message) already covers: then the syntax error keeps
/// BuildKit's words and takes the rule's code (its documentation), related
/// places and fix, so one mistake shows once.
fn merge_or_push(out: &mut Vec<Diagnostic>, syntax_count: usize, finding: Diagnostic) {
    let overlaps = |d: &Diagnostic| {
        d.range.start < finding.range.end.max(finding.range.start + 1)
            && finding.range.start < d.range.end.max(d.range.start + 1)
    };
    if finding.severity == Severity::Error {
        if let Some(syntax) = out[..syntax_count].iter_mut().find(|d| overlaps(d)) {
            if syntax.code == "SyntaxError" {
                syntax.code = finding.code;
            }
            syntax.related.extend(finding.related);
            if syntax.fix.is_none() {
                syntax.fix = finding.fix;
            }
            return;
        }
    }
    out.push(finding);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every diagnostic of `src`, with no files around it.
    fn found(src: &str) -> Vec<Diagnostic> {
        let tree = syntax::parse(src);
        diagnose(
            &tree,
            &src,
            &Analysis::build(&tree, src),
            &Context::default(),
        )
    }

    fn codes(src: &str) -> Vec<&'static str> {
        found(src).iter().map(|d| d.code).collect()
    }

    #[test]
    fn clean_file_has_none() {
        assert!(codes("FROM a:1\n").is_empty());
    }

    #[test]
    fn a_rule_error_on_a_syntax_error_shows_once_in_buildkit_words() {
        let src = "FROM alpine:3 AS a\nCOPY --from=b /x /y\nFROM alpine:3 AS b\n";
        let found = found(src);
        let on_b: Vec<&Diagnostic> = found.iter().filter(|d| d.range.start == 31).collect();
        assert_eq!(on_b.len(), 1, "{found:?}");
        assert_eq!(on_b[0].code, "UnknownStage");
        assert!(on_b[0].message.starts_with("cannot copy from stage \"b\""));
        // The rule's pointer to the later stage is kept.
        assert_eq!(on_b[0].related.len(), 1, "{found:?}");
    }

    #[test]
    fn empty_and_comment_only_files_have_no_instructions() {
        assert_eq!(codes(""), ["NoInstructions"]);
        assert_eq!(codes("# just a comment\n\n"), ["NoInstructions"]);
    }

    #[test]
    fn syntax_errors_are_errors() {
        assert_eq!(codes("FROM a:1\nFOO b\n"), ["SyntaxError"]);
    }

    #[test]
    fn a_misspelled_flag_has_a_fix() {
        let src = "FROM a:1\nCOPY --chwon=1000 . .\n";
        let found = found(src);
        let error = found.iter().find(|d| d.code == "SyntaxError").unwrap();
        assert_eq!(&src[error.range.clone()], "--chwon=1000");
        let fix = error.fix.as_ref().expect("a fix");
        assert_eq!(fix.edits, [Edit::new(14..21, "--chown")]);
    }
}
