//! The server's state: the client's capabilities and settings, and one
//! [`DocumentState`] per open document. Everything computed from a
//! document hangs off its state, keyed by the document's revision (which
//! changes with every change of its text or tree: an edit, a new size
//! limit), so nothing computed for one tree is ever used with another.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tower_lsp_server::ls_types::Uri;

use super::capabilities::ClientSupport;
use super::from_proto::file_path;
use super::lock;
use crate::analysis::Analysis;
use crate::config::Config;
use crate::diagnostics::{self, Context, Diagnostic, RuleCache, Severity};
use crate::document::{Document, Encoding, Snapshot};
use crate::features::{semantic_tokens::TokenCache, symbols::SymbolCache};

#[derive(Default)]
pub(super) struct State {
    /// What the client takes (from `initialize`).
    pub support: ClientSupport,
    pub documents: HashMap<Uri, DocumentState>,
    /// Bumped by every settings change: what was computed with older
    /// settings (diagnostics, the files around a Dockerfile read with the
    /// project file under them) is neither kept nor reused.
    pub settings_generation: u64,
    /// `shutdown` was requested: no more diagnostics are computed or sent
    /// (the client may close the connection at any moment).
    pub shut_down: bool,
    /// The client's settings, applied over each project file.
    pub settings: Config,
    /// Why the client's settings could not be used, if they could not.
    pub settings_error: Option<String>,
    /// The workspace folders (from `initialize`): the server reads no file
    /// above the one that holds a Dockerfile.
    pub roots: Vec<PathBuf>,
}

/// An open document and what has been computed from it.
pub(super) struct DocumentState {
    pub doc: Document,
    /// The analysis, at the revision it was computed for.
    pub analysis: Option<(u64, Arc<Analysis>)>,
    /// The diagnostics, at a revision and settings generation (for code
    /// actions, and for a publication again after a save).
    pub diagnostics: Option<(u64, u64, Arc<Vec<Diagnostic>>)>,
    /// The semantic tokens last sent, by result id, for
    /// `semanticTokens/full/delta`.
    pub semantic: Option<(String, Arc<Vec<u32>>)>,
    /// The outline and the semantic tokens kept per part of the document
    /// (`features::segments`): keyed by the parts' text, not by revision, so
    /// an edit recomputes only the parts it changed.
    pub symbol_parts: Arc<SymbolCache>,
    pub token_parts: Arc<TokenCache>,
    /// The files around the Dockerfile (project file, `.dockerignore`,
    /// Compose files, the build context's manifests), read once per
    /// settings generation and dropped when they may have changed (a save,
    /// `workspace/didChangeWatchedFiles`).
    pub files: Option<(u64, Arc<Files>)>,
    /// What the rules found per part of the document, for the next
    /// revision's diagnostics (`rules::incremental`): keyed by the parts'
    /// identities and the files' [`Files::id`], not by revision.
    pub rules: Option<Arc<RuleCache>>,
}

/// The files around a Dockerfile, as read, and what could not be read.
pub(super) struct Files {
    pub context: Context,
    pub errors: Vec<String>,
    /// Their state on disk when read ([`diagnostics::files_stamp`]).
    stamp: Option<Stamp>,
    /// A number no other reading of the files has: the rules' cache is
    /// valid only for the files (and settings) it was computed with.
    pub id: u64,
}

type Stamp = Vec<Option<(Option<std::time::SystemTime>, u64, bool)>>;

/// The stamp of the files around the Dockerfile at `path`.
fn stamp(path: Option<&Path>, top: Option<&Path>, context: &Context) -> Option<Stamp> {
    let dir = context.build_context.as_ref().map(|b| b.dir.as_path());
    path.map(|p| diagnostics::files_stamp(p, top, dir))
}

impl DocumentState {
    pub fn new(doc: Document) -> DocumentState {
        DocumentState {
            doc,
            analysis: None,
            diagnostics: None,
            semantic: None,
            symbol_parts: Arc::default(),
            token_parts: Arc::default(),
            files: None,
            rules: None,
        }
    }
}

impl State {
    /// The document's state, if it is open at this revision.
    pub fn at(&mut self, uri: &Uri, revision: u64) -> Option<&mut DocumentState> {
        self.documents
            .get_mut(uri)
            .filter(|d| d.doc.revision() == revision)
    }

    /// Whether the document is open at this revision.
    pub fn is_at(&self, uri: &Uri, revision: u64) -> bool {
        self.documents
            .get(uri)
            .is_some_and(|d| d.doc.revision() == revision)
    }

    /// Takes the client's settings; settings that cannot be read leave the
    /// previous ones in force and are reported in each document.
    pub fn set_settings(&mut self, value: &serde_json::Value) {
        match Config::from_settings(value) {
            Ok(settings) => {
                self.settings = settings;
                self.settings_error = None;
            }
            Err(e) => {
                tracing::warn!("client settings ignored: {e}");
                self.settings_error = Some(e);
            }
        }
        self.settings_generation += 1;
        let limit = self.max_file_size();
        for state in self.documents.values_mut() {
            // a new limit may parse the document again: a new revision
            state.doc.set_limit(limit);
            state.diagnostics = None;
            state.files = None;
        }
    }

    /// Forgets the files read around every document (they may have
    /// changed on disk) and their diagnostics; returns the snapshots to
    /// diagnose again.
    pub fn forget_files(&mut self) -> Vec<(Uri, Snapshot)> {
        self.documents
            .iter_mut()
            .map(|(uri, state)| {
                state.files = None;
                state.diagnostics = None;
                (uri.clone(), state.doc.snapshot())
            })
            .collect()
    }

    /// How long a request may work before it is answered with an error.
    pub fn request_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(
            self.settings
                .request_timeout_ms
                .unwrap_or(crate::config::DEFAULT_REQUEST_TIMEOUT_MS),
        )
    }

    pub fn max_file_size(&self) -> usize {
        self.settings
            .max_file_size
            .unwrap_or(crate::document::DEFAULT_MAX_FILE_SIZE)
    }
}

/// The encoding, if the document is still at this revision (and the server
/// is not shutting down).
pub(super) fn current(state: &Mutex<State>, uri: &Uri, revision: u64) -> Option<Encoding> {
    let state = lock(state);
    (state.is_at(uri, revision) && !state.shut_down).then_some(state.support.encoding)
}

/// The analysis of a snapshot, computed once per revision: updated from
/// the document's previous one (of any earlier revision), which reads
/// again only the stages whose text changed.
pub(super) fn analysis_of(state: &Mutex<State>, uri: &Uri, snapshot: &Snapshot) -> Arc<Analysis> {
    let mut previous = None;
    if let Some(doc) = lock(state).documents.get(uri) {
        if let Some((revision, analysis)) = &doc.analysis {
            if *revision == snapshot.revision {
                return analysis.clone();
            }
            previous = Some(analysis.clone());
        }
    }
    let analysis = Arc::new(match previous {
        Some(previous) => previous.update(&snapshot.tree, &snapshot.rope).0,
        None => Analysis::build(&snapshot.tree, &snapshot.rope),
    });
    // Only kept while the document is at this revision.
    if let Some(doc) = lock(state).at(uri, snapshot.revision) {
        doc.analysis = Some((snapshot.revision, analysis.clone()));
    }
    analysis
}

/// The files around the document's Dockerfile, read once per settings
/// generation: the project file (upward, not above the workspace folder),
/// the client's settings over it, `.dockerignore`, Compose files and the
/// build context. Read again when their state on disk changed (an edit the
/// client applied for a code action, a file written by another program),
/// besides a save and `workspace/didChangeWatchedFiles`. A document that
/// is no file (`untitled:`) has none.
pub(super) fn files_of(state: &Mutex<State>, uri: &Uri) -> Arc<Files> {
    let path = file_path(uri);
    let (settings, generation, top, cached) = {
        let state = lock(state);
        let generation = state.settings_generation;
        let cached = state
            .documents
            .get(uri)
            .and_then(|doc| doc.files.clone())
            .filter(|(read_with, _)| *read_with == generation)
            .map(|(_, files)| files);
        let top = path.as_deref().map(|p| read_limit(&state.roots, p));
        (state.settings.clone(), generation, top, cached)
    };
    if let Some(files) = cached {
        if files.stamp == stamp(path.as_deref(), top.as_deref(), &files.context) {
            return files;
        }
    }
    let (context, errors) = Context::load(path.as_deref(), &settings, top.as_deref());
    let stamp = stamp(path.as_deref(), top.as_deref(), &context);
    static READS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let files = Arc::new(Files {
        context,
        errors,
        stamp,
        id: READS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
    });
    let mut state = lock(state);
    if state.settings_generation == generation {
        if let Some(doc) = state.documents.get_mut(uri) {
            // the files do not depend on the text: kept across edits
            doc.files = Some((generation, files.clone()));
        }
    }
    files
}

/// The diagnostics of a snapshot, computed once per revision (and again
/// after the settings change): the rules, with the files around the
/// Dockerfile, and a `ConfigError` for settings or files that could not be
/// read.
pub(super) fn diagnostics_of(
    state: &Mutex<State>,
    uri: &Uri,
    snapshot: &Snapshot,
) -> Arc<Vec<Diagnostic>> {
    diagnostics_until(state, uri, snapshot, &|| false).unwrap_or_default()
}

/// [`diagnostics_of`], given up (`None`) when `cancelled` says so between
/// two rules.
pub(super) fn diagnostics_until(
    state: &Mutex<State>,
    uri: &Uri,
    snapshot: &Snapshot,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Arc<Vec<Diagnostic>>> {
    let (settings, settings_error, generation) = {
        let mut state = lock(state);
        let generation = state.settings_generation;
        let settings = (
            state.settings.clone(),
            state.settings_error.clone(),
            generation,
        );
        if let Some(doc) = state.at(uri, snapshot.revision) {
            if let Some((revision, computed_with, found)) = &doc.diagnostics {
                if *revision == snapshot.revision && *computed_with == generation {
                    return Some(found.clone());
                }
            }
        }
        settings
    };
    // `Dockerfile.dockerignore` opened as a Dockerfile (editors' patterns
    // `Dockerfile.*` match it): its patterns are no instructions to report.
    let name = uri.path().as_str().rsplit('/').next().unwrap_or("");
    if crate::analysis::dockerignore::is_ignore_file_name(name) {
        return Some(Arc::new(Vec::new()));
    }
    if let Some(size) = snapshot.oversized {
        return Some(Arc::new(vec![too_large(size, &settings)]));
    }
    let analysis = analysis_of(state, uri, snapshot);
    let files = files_of(state, uri);
    let previous = lock(state).documents.get(uri).and_then(|d| d.rules.clone());
    let (mut found, rules, _) = diagnostics::diagnose_incremental(
        &snapshot.tree,
        &snapshot.rope,
        &analysis,
        &files.context,
        files.id,
        previous.as_deref(),
        cancelled,
    )?;
    if let Some(doc) = lock(state).documents.get_mut(uri) {
        // (valid for any revision: keyed by the parts' identities)
        doc.rules = Some(Arc::new(rules));
    }
    let errors = files
        .errors
        .iter()
        .cloned()
        .chain(settings_error.map(|e| format!("the client's dockerfile-lsp settings: {e}")));
    found.extend(errors.map(|message| Diagnostic {
        range: 0..0,
        severity: Severity::Error,
        code: "ConfigError",
        message,
        related: Vec::new(),
        fix: None,
    }));
    let found = Arc::new(found);
    let mut state = lock(state);
    // Settings that changed meanwhile make this result stale: the change
    // queued a new computation, which must not find this one.
    if state.settings_generation == generation {
        if let Some(doc) = state.at(uri, snapshot.revision) {
            doc.diagnostics = Some((snapshot.revision, generation, found.clone()));
        }
    }
    Some(found)
}

/// The one diagnostic of a document over the size limit.
fn too_large(size: usize, settings: &Config) -> Diagnostic {
    let limit = settings
        .max_file_size
        .unwrap_or(crate::document::DEFAULT_MAX_FILE_SIZE);
    let size_of = |n: usize| match n {
        0..1024 => format!("{n} bytes"),
        1024..1048576 => format!("{:.1} KiB", n as f64 / 1024.0),
        _ => format!("{:.1} MiB", n as f64 / 1048576.0),
    };
    Diagnostic {
        range: 0..0,
        severity: Severity::Warning,
        code: "FileTooLarge",
        message: format!(
            "This file is not analysed: it is {}, over the limit of {} (the `maxFileSize` setting, in bytes). Raise the setting to analyse it.",
            size_of(size),
            size_of(limit)
        ),
        related: Vec::new(),
        fix: None,
    }
}

/// The highest directory the server reads for a Dockerfile: the workspace
/// folder that holds it (the innermost), else the Dockerfile's own folder.
pub(super) fn read_limit(roots: &[PathBuf], dockerfile: &Path) -> PathBuf {
    roots
        .iter()
        .filter(|root| dockerfile.starts_with(root))
        .max_by_key(|root| root.components().count())
        .cloned()
        .or_else(|| dockerfile.parent().map(Path::to_path_buf))
        .unwrap_or_default()
}
