//! Protocol glue: capabilities, dispatch and conversions. No logic of its own.
//!
//! Documents are mutated only in `didOpen`/`didChange`/`didClose`, before
//! any `.await`, so notifications take effect in the order they arrive even
//! though tower-lsp runs handlers concurrently. Diagnostics are computed off
//! that path by one publisher task, which takes snapshots in order, skips a
//! snapshot a newer version has superseded (before and after computing) and
//! publishes with the version they belong to.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::{self as lsp, Uri};
use tower_lsp_server::{Client, ClientSocket, LanguageServer, LspService, Server};

use crate::analysis::Analysis;
use crate::config::Config;
use crate::diagnostics::{self, Context, Diagnostic, Severity};
use crate::document::{position, Change, Document, Encoding, Position, Snapshot};
use crate::features::{
    code_actions, completion, create_dockerignore, folding, hover, navigation, semantic_tokens,
    split_stages, symbols,
};
use crate::syntax;

mod client;
mod markup;

pub use client::negotiate_encoding;
use client::{ClientSupport, EditSupport};

/// Serves LSP on stdin/stdout until the client exits. Returns the exit
/// code the specification asks for: 0 after a `shutdown` request, else 1.
pub async fn serve_stdio() -> i32 {
    let (service, socket) = service();
    let shutdown_requested =
        crate::transport::serve_framed(tokio::io::stdin(), tokio::io::stdout(), |input, output| {
            Server::new(input, output, socket).serve(service)
        })
        .await;
    if shutdown_requested {
        0
    } else {
        1
    }
}

/// The LSP service and its client socket, for any transport.
pub fn service() -> (LspService<Backend>, ClientSocket) {
    let mut builder = LspService::build(Backend::new)
        .custom_method("dockerfile-lsp/syntaxTree", Backend::syntax_tree);
    if std::env::var_os("DOCKERFILE_LSP_TEST_HOOKS").is_some() {
        // Lets the end-to-end tests check that a panic in a request handler
        // becomes an error response.
        builder = builder.custom_method("dockerfile-lsp/testPanic", Backend::test_panic);
        // ... and that a request working past `requestTimeout` is answered.
        builder = builder.custom_method("dockerfile-lsp/testSlow", Backend::test_slow);
    }
    builder.finish()
}

#[derive(Default)]
struct State {
    /// What the client takes (from `initialize`).
    support: ClientSupport,
    documents: HashMap<Uri, Document>,
    /// The analysis of each document at the version it was computed for:
    /// requests at an unchanged version share it.
    analyses: HashMap<Uri, (i32, Arc<Analysis>)>,
    /// The diagnostics of each document at a version and settings
    /// generation, for code actions.
    diagnostics: HashMap<Uri, (i32, u64, Arc<Vec<Diagnostic>>)>,
    /// Bumped by every settings change: diagnostics computed with older
    /// settings are neither kept nor reused.
    settings_generation: u64,
    /// `shutdown` was requested: no more diagnostics are computed or sent
    /// (the client may close the connection at any moment).
    shut_down: bool,
    /// The semantic tokens last sent for each document, by result id, for
    /// `semanticTokens/full/delta`.
    semantic: HashMap<Uri, (String, Arc<Vec<u32>>)>,
    /// The client's settings, applied over each project file.
    settings: Config,
    /// Why the client's settings could not be used, if they could not.
    settings_error: Option<String>,
    /// The workspace folders (from `initialize`): the server reads no file
    /// above the one that holds a Dockerfile.
    roots: Vec<std::path::PathBuf>,
}

enum Publish {
    /// Diagnostics for this snapshot, unless a newer version superseded it.
    Snapshot(Uri, Snapshot),
    /// The document was closed: clear its diagnostics.
    Clear(Uri),
}

#[derive(Clone)]
pub struct Backend {
    state: Arc<Mutex<State>>,
    publish: mpsc::UnboundedSender<Publish>,
    /// For the requests the server sends (`workspace/applyEdit`).
    client: Client,
}

impl Backend {
    fn new(client: Client) -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let (publish, queue) = mpsc::unbounded_channel();
        tokio::spawn(publisher(client.clone(), state.clone(), queue));
        Backend {
            state,
            publish,
            client,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Keeps the tokens just computed for a later delta, unless the
    /// document has moved on; returns their result id.
    fn remember_tokens(&self, uri: &Uri, snap: &Snapshot, data: Vec<u32>) -> String {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let id = NEXT
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .to_string();
        let mut state = self.state();
        if state.is_at(uri, snap.version) {
            state
                .semantic
                .insert(uri.clone(), (id.clone(), Arc::new(data)));
        }
        id
    }

    /// The document's snapshot and the negotiated encoding.
    fn snapshot(&self, uri: &Uri) -> Result<(Snapshot, Encoding)> {
        let state = self.state();
        let doc = state.documents.get(uri).ok_or_else(|| not_open(uri))?;
        Ok((doc.snapshot(), state.support.encoding))
    }

    /// Runs a feature at a position: converts the position to an offset,
    /// builds the stage graph and calls `work` (guarded against panics).
    async fn at_position<T: Send + 'static>(
        &self,
        what: &'static str,
        at: &lsp::TextDocumentPositionParams,
        work: impl FnOnce(&Snapshot, &Analysis, usize, Encoding) -> T + Send + 'static,
    ) -> Result<T> {
        let uri = at.text_document.uri.clone();
        let position = at.position;
        let (snapshot, encoding) = self.snapshot(&uri)?;
        self.limited(what, move |this| {
            let offset = position::to_byte(&snapshot.rope, from_lsp(position), encoding);
            let analysis = this.analysis(&uri, &snapshot);
            work(&snapshot, &analysis, offset, encoding)
        })
        .await
    }

    /// Runs a request's work on the blocking pool, guarded against panics,
    /// and answers with an error naming the `requestTimeout` setting when
    /// it takes longer than that (the work is left to finish unobserved)
    /// rather than keep the client waiting.
    async fn limited<T: Send + 'static>(
        &self,
        what: &'static str,
        work: impl FnOnce(&Backend) -> T + Send + 'static,
    ) -> Result<T> {
        let this = self.clone();
        let limit = self.state().request_timeout();
        let task = tokio::task::spawn_blocking(move || guarded(what, || work(&this)));
        match tokio::time::timeout(limit, task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(Error {
                code: ErrorCode::InternalError,
                message: format!("internal error in {what}: {join}").into(),
                data: None,
            }),
            Err(_) => Err(Error {
                code: ErrorCode::ServerError(-32803), // RequestFailed
                message: format!(
                    "{what} gave up after {} ms on this document (the `requestTimeout` setting)",
                    limit.as_millis()
                )
                .into(),
                data: None,
            }),
        }
    }

    /// The analysis of a snapshot, computed once per document version.
    fn analysis(&self, uri: &Uri, snapshot: &Snapshot) -> Arc<Analysis> {
        analysis_of(&self.state, uri, snapshot)
    }

    async fn syntax_tree(&self, params: SyntaxTreeParams) -> Result<SyntaxTree> {
        let uri = params.text_document.uri;
        let snapshot = self
            .state()
            .documents
            .get(&uri)
            .map(Document::snapshot)
            .ok_or_else(|| not_open(&uri))?;
        self.limited("dockerfile-lsp/syntaxTree", move |_| {
            let text = snapshot.rope.to_string();
            SyntaxTree {
                version: snapshot.version,
                tree: syntax::print_tree(&snapshot.tree, &text),
                text,
            }
        })
        .await
    }

    async fn test_slow(&self) -> Result<()> {
        self.limited("dockerfile-lsp/testSlow", |_| {
            std::thread::sleep(std::time::Duration::from_secs(2));
        })
        .await
    }

    async fn test_panic(&self) -> Result<()> {
        guarded("dockerfile-lsp/testPanic", || {
            panic!("a deliberate panic for the tests")
        })
    }
}

/// Parameters of `dockerfile-lsp/syntaxTree`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyntaxTreeParams {
    pub text_document: lsp::TextDocumentIdentifier,
}

/// The server's view of a document: its version, text and syntax tree.
#[derive(Serialize)]
pub struct SyntaxTree {
    pub version: i32,
    pub text: String,
    pub tree: String,
}

impl State {
    /// Whether the document is open at this version.
    fn is_at(&self, uri: &Uri, version: i32) -> bool {
        self.documents
            .get(uri)
            .is_some_and(|d| d.version() == version)
    }

    /// Takes the client's settings; settings that cannot be read leave the
    /// previous ones in force and are reported in each document.
    fn set_settings(&mut self, value: &serde_json::Value) {
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
        self.diagnostics.clear();
        self.settings_generation += 1;
        let limit = self.max_file_size();
        for doc in self.documents.values_mut() {
            doc.set_limit(limit);
        }
    }

    /// How long a request may work before it is answered with an error.
    fn request_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(
            self.settings
                .request_timeout_ms
                .unwrap_or(crate::config::DEFAULT_REQUEST_TIMEOUT_MS),
        )
    }

    fn max_file_size(&self) -> usize {
        self.settings
            .max_file_size
            .unwrap_or(crate::document::DEFAULT_MAX_FILE_SIZE)
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        #[allow(deprecated)] // rootUri: what clients without folders send
        let roots: Vec<std::path::PathBuf> = match &params.workspace_folders {
            Some(folders) => folders.iter().filter_map(|f| file_path(&f.uri)).collect(),
            None => params.root_uri.iter().filter_map(file_path).collect(),
        };
        let support = ClientSupport::of(&params.capabilities);
        let encoding = support.encoding;
        {
            let mut state = self.state();
            state.support = support;
            state.roots = roots;
            if let Some(options) = &params.initialization_options {
                state.set_settings(options);
            }
        }
        Ok(lsp::InitializeResult {
            capabilities: lsp::ServerCapabilities {
                position_encoding: Some(match encoding {
                    Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
                    Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
                    Encoding::Utf32 => lsp::PositionEncodingKind::UTF32,
                }),
                text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
                    lsp::TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                        // files around a Dockerfile may change with it
                        save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                        ..Default::default()
                    },
                )),
                definition_provider: Some(lsp::OneOf::Left(true)),
                hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
                completion_provider: Some(lsp::CompletionOptions {
                    trigger_characters: Some(["-", "=", "$", "{", ","].map(String::from).to_vec()),
                    resolve_provider: Some(true),
                    ..Default::default()
                }),
                references_provider: Some(lsp::OneOf::Left(true)),
                document_highlight_provider: Some(lsp::OneOf::Left(true)),
                rename_provider: Some(if support.prepare_rename {
                    lsp::OneOf::Right(lsp::RenameOptions {
                        prepare_provider: Some(true),
                        work_done_progress_options: Default::default(),
                    })
                } else {
                    lsp::OneOf::Left(true)
                }),
                document_symbol_provider: Some(lsp::OneOf::Left(true)),
                folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
                semantic_tokens_provider: Some(
                    lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                        lsp::SemanticTokensOptions {
                            legend: lsp::SemanticTokensLegend {
                                token_types: semantic_tokens::TOKEN_TYPES
                                    .iter()
                                    .map(|t| lsp::SemanticTokenType::new(t))
                                    .collect(),
                                token_modifiers: semantic_tokens::TOKEN_MODIFIERS
                                    .iter()
                                    .map(|m| lsp::SemanticTokenModifier::new(m))
                                    .collect(),
                            },
                            full: Some(lsp::SemanticTokensFullOptions::Delta { delta: Some(true) }),
                            range: Some(true),
                            ..Default::default()
                        },
                    ),
                ),
                code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
                    lsp::CodeActionOptions {
                        code_action_kinds: Some(vec![
                            lsp::CodeActionKind::QUICKFIX,
                            lsp::CodeActionKind::REFACTOR_REWRITE,
                        ]),
                        ..Default::default()
                    },
                )),
                // A client without code action literals takes commands,
                // which the server carries out with `workspace/applyEdit`.
                execute_command_provider: (!support.code_action_literals).then(|| {
                    lsp::ExecuteCommandOptions {
                        commands: vec![APPLY_EDIT_COMMAND.to_string()],
                        ..Default::default()
                    }
                }),
                ..Default::default()
            },
            server_info: Some(lsp::ServerInfo {
                name: "dockerfile-lsp".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        tracing::info!("initialized");
    }

    async fn shutdown(&self) -> Result<()> {
        self.state().shut_down = true;
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let snapshot = {
            let mut state = self.state();
            let opened = Document::with_limit(&doc.text, doc.version, state.max_file_size());
            let snapshot = opened.snapshot();
            state.documents.insert(doc.uri.clone(), opened);
            snapshot
        };
        let _ = self.publish.send(Publish::Snapshot(doc.uri, snapshot));
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let changes: Vec<Change> = params
            .content_changes
            .into_iter()
            .map(|c| Change {
                range: c.range.map(|r| (from_lsp(r.start), from_lsp(r.end))),
                text: c.text,
            })
            .collect();
        let snapshot = {
            let mut state = self.state();
            let encoding = state.support.encoding;
            let Some(doc) = state.documents.get_mut(&uri) else {
                tracing::warn!(
                    "didChange for a document that is not open: {}",
                    uri.as_str()
                );
                return;
            };
            let version = params.text_document.version;
            let applied = catch_unwind(AssertUnwindSafe(|| {
                doc.apply(version, &changes, encoding);
                doc.snapshot()
            }));
            match applied {
                Ok(snapshot) => snapshot,
                Err(_) => {
                    // The document may be half-edited: forget it rather than
                    // serve a wrong text; the client can reopen it.
                    tracing::error!("applying a change panicked; closing {}", uri.as_str());
                    state.documents.remove(&uri);
                    drop(state);
                    let _ = self.publish.send(Publish::Clear(uri));
                    return;
                }
            }
        };
        let _ = self.publish.send(Publish::Snapshot(uri, snapshot));
    }

    async fn goto_definition(
        &self,
        params: lsp::GotoDefinitionParams,
    ) -> Result<Option<lsp::GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        let uri = at.text_document.uri.clone();
        self.at_position("definition", &at, move |snap, graph, offset, enc| {
            navigation::definition(&snap.tree, graph, offset).map(|r| {
                lsp::GotoDefinitionResponse::Scalar(lsp::Location::new(
                    uri,
                    to_lsp_range(snap, r, enc),
                ))
            })
        })
        .await
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let at = params.text_document_position_params;
        // The stage a Compose file builds (`build.target`) is the one shipped.
        let dockerfile = file_path(&at.text_document.uri).map(|p| {
            let top = read_limit(&self.state().roots, &p);
            (p, top)
        });
        let markdown = self.state().support.hover_markdown;
        self.at_position("hover", &at, move |snap, graph, offset, enc| {
            let target = dockerfile
                .as_ref()
                .and_then(|(p, top)| hover::compose_target(p, Some(top)));
            hover::hover_for_target(&snap.tree, &snap.rope, graph, offset, target.as_deref()).map(
                |(range, text)| lsp::Hover {
                    contents: lsp::HoverContents::Markup(markup(text, markdown)),
                    range: Some(to_lsp_range(snap, range, enc)),
                },
            )
        })
        .await
    }

    async fn completion(
        &self,
        params: lsp::CompletionParams,
    ) -> Result<Option<lsp::CompletionResponse>> {
        let at = params.text_document_position;
        let support = self.state().support.completion;
        self.at_position("completion", &at, move |snap, graph, offset, enc| {
            let found = completion::complete(&snap.tree, &snap.rope, graph, offset);
            let items: Vec<lsp::CompletionItem> = found
                .items
                .into_iter()
                .map(|i| to_lsp_completion(snap, i, enc, support))
                .collect();
            (!items.is_empty()).then_some(lsp::CompletionResponse::List(lsp::CompletionList {
                is_incomplete: found.incomplete,
                items,
            }))
        })
        .await
    }

    async fn completion_resolve(&self, item: lsp::CompletionItem) -> Result<lsp::CompletionItem> {
        let markdown = self.state().support.completion.markdown;
        Ok(resolve_completion(item, markdown))
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        let at = params.text_document_position;
        let uri = at.text_document.uri.clone();
        let include = params.context.include_declaration;
        self.at_position("references", &at, move |snap, graph, offset, enc| {
            let found = navigation::references(graph, offset, include);
            (!found.is_empty()).then(|| {
                found
                    .into_iter()
                    .map(|r| lsp::Location::new(uri.clone(), to_lsp_range(snap, r, enc)))
                    .collect()
            })
        })
        .await
    }

    async fn document_highlight(
        &self,
        params: lsp::DocumentHighlightParams,
    ) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
        let at = params.text_document_position_params;
        self.at_position("documentHighlight", &at, move |snap, graph, offset, enc| {
            let found = navigation::highlights(graph, offset);
            (!found.is_empty()).then(|| {
                found
                    .into_iter()
                    .map(|(r, kind)| lsp::DocumentHighlight {
                        range: to_lsp_range(snap, r, enc),
                        kind: Some(match kind {
                            navigation::HighlightKind::Write => lsp::DocumentHighlightKind::WRITE,
                            navigation::HighlightKind::Read => lsp::DocumentHighlightKind::READ,
                        }),
                    })
                    .collect()
            })
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>> {
        self.at_position("prepareRename", &params, move |snap, graph, offset, enc| {
            navigation::prepare_rename(graph, offset)
                .map(|r| {
                    Some(lsp::PrepareRenameResponse::Range(to_lsp_range(
                        snap, r, enc,
                    )))
                })
                .map_err(request_failed)
        })
        .await?
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        let at = params.text_document_position;
        let uri = at.text_document.uri.clone();
        let new_name = params.new_name;
        let support = self.state().support.edits;
        self.at_position("rename", &at, move |snap, graph, offset, enc| {
            let edits = navigation::rename(graph, offset, &new_name).map_err(request_failed)?;
            let edits: Vec<lsp::TextEdit> = edits
                .into_iter()
                .map(|(r, text)| lsp::TextEdit::new(to_lsp_range(snap, r, enc), text))
                .collect();
            Ok(workspace_edit(
                vec![FileChange::Edit {
                    uri,
                    version: Some(snap.version),
                    edits,
                }],
                support,
            ))
        })
        .await?
    }

    async fn document_symbol(
        &self,
        params: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        let uri = params.text_document.uri;
        let (snap, enc) = self.snapshot(&uri)?;
        let nested = self.state().support.nested_symbols;
        self.limited("documentSymbol", move |this| {
            let analysis = this.analysis(&uri, &snap);
            let found = symbols::document_symbols(&snap.tree, &snap.rope, &analysis.stages);
            Some(if nested {
                lsp::DocumentSymbolResponse::Nested(
                    found
                        .into_iter()
                        .map(|s| to_lsp_symbol(&snap, s, enc))
                        .collect(),
                )
            } else {
                let mut flat = Vec::new();
                for s in found {
                    flatten_symbol(&uri, &snap, s, None, enc, &mut flat);
                }
                lsp::DocumentSymbolResponse::Flat(flat)
            })
        })
        .await
    }

    async fn semantic_tokens_full(
        &self,
        params: lsp::SemanticTokensParams,
    ) -> Result<Option<lsp::SemanticTokensResult>> {
        let uri = params.text_document.uri;
        let (snap, enc) = self.snapshot(&uri)?;
        self.limited("semanticTokens/full", move |this| {
            let data = semantic_tokens::tokens(&snap.tree, &snap.rope, enc, None);
            let id = this.remember_tokens(&uri, &snap, data.clone());
            Some(lsp::SemanticTokensResult::Tokens(lsp::SemanticTokens {
                result_id: Some(id),
                data: to_lsp_tokens(&data),
            }))
        })
        .await
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: lsp::SemanticTokensDeltaParams,
    ) -> Result<Option<lsp::SemanticTokensFullDeltaResult>> {
        let uri = params.text_document.uri;
        let (snap, enc) = self.snapshot(&uri)?;
        let previous = self
            .state()
            .semantic
            .get(&uri)
            .filter(|(id, _)| *id == params.previous_result_id)
            .map(|(_, data)| data.clone());
        self.limited("semanticTokens/full/delta", move |this| {
            let data = semantic_tokens::tokens(&snap.tree, &snap.rope, enc, None);
            let id = this.remember_tokens(&uri, &snap, data.clone());
            Some(match previous {
                Some(old) => {
                    lsp::SemanticTokensFullDeltaResult::TokensDelta(lsp::SemanticTokensDelta {
                        result_id: Some(id),
                        edits: semantic_tokens::delta(&old, &data)
                            .map(|(start, delete_count, inserted)| lsp::SemanticTokensEdit {
                                start,
                                delete_count,
                                data: (!inserted.is_empty()).then(|| to_lsp_tokens(&inserted)),
                            })
                            .into_iter()
                            .collect(),
                    })
                }
                // an unknown previous result: the whole set
                None => lsp::SemanticTokensFullDeltaResult::Tokens(lsp::SemanticTokens {
                    result_id: Some(id),
                    data: to_lsp_tokens(&data),
                }),
            })
        })
        .await
    }

    async fn semantic_tokens_range(
        &self,
        params: lsp::SemanticTokensRangeParams,
    ) -> Result<Option<lsp::SemanticTokensRangeResult>> {
        let (snap, enc) = self.snapshot(&params.text_document.uri)?;
        self.limited("semanticTokens/range", move |_| {
            let range = position::to_byte(&snap.rope, from_lsp(params.range.start), enc)
                ..position::to_byte(&snap.rope, from_lsp(params.range.end), enc);
            let data = semantic_tokens::tokens(&snap.tree, &snap.rope, enc, Some(range));
            Some(lsp::SemanticTokensRangeResult::Tokens(
                lsp::SemanticTokens {
                    result_id: None,
                    data: to_lsp_tokens(&data),
                },
            ))
        })
        .await
    }

    async fn folding_range(
        &self,
        params: lsp::FoldingRangeParams,
    ) -> Result<Option<Vec<lsp::FoldingRange>>> {
        let (snap, _) = self.snapshot(&params.text_document.uri)?;
        let (limit, (comment_kind, region_kind)) = {
            let state = self.state();
            (state.support.folding_limit, state.support.folding_kinds)
        };
        self.limited("foldingRange", move |_| {
            let ranges = folding::folding_ranges(&snap.tree)
                .into_iter()
                .filter_map(|(r, kind)| {
                    // Folds are whole lines: line numbers only, no columns.
                    let rope = &snap.rope;
                    let start_line = rope.byte_to_line(r.start.min(rope.len_bytes())) as u32;
                    let end = r.end.min(rope.len_bytes());
                    let end_line = rope.byte_to_line(end);
                    // a range ending at a line start ends on the line before
                    let end_line = if end == rope.line_to_byte(end_line) {
                        (end_line as u32).saturating_sub(1)
                    } else {
                        end_line as u32
                    };
                    (end_line > start_line).then(|| lsp::FoldingRange {
                        start_line,
                        end_line,
                        // only the kinds the client knows
                        kind: match kind {
                            folding::FoldKind::Region => {
                                region_kind.then_some(lsp::FoldingRangeKind::Region)
                            }
                            folding::FoldKind::Comment => {
                                comment_kind.then_some(lsp::FoldingRangeKind::Comment)
                            }
                        },
                        ..Default::default()
                    })
                })
                .take(limit.map_or(usize::MAX, |n| n as usize))
                .collect();
            Some(ranges)
        })
        .await
    }

    async fn did_change_configuration(&self, params: lsp::DidChangeConfigurationParams) {
        let snapshots: Vec<(Uri, Snapshot)> = {
            let mut state = self.state();
            state.set_settings(&params.settings);
            state
                .documents
                .iter()
                .map(|(uri, doc)| (uri.clone(), doc.snapshot()))
                .collect()
        };
        for (uri, snapshot) in snapshots {
            let _ = self.publish.send(Publish::Snapshot(uri, snapshot));
        }
    }

    async fn code_action(
        &self,
        params: lsp::CodeActionParams,
    ) -> Result<Option<lsp::CodeActionResponse>> {
        let uri = params.text_document.uri;
        let (snap, enc) = self.snapshot(&uri)?;
        self.limited("codeAction", move |this| {
            let found = diagnostics_of(&this.state, &uri, &snap);
            let range = position::to_byte(&snap.rope, from_lsp(params.range.start), enc)
                ..position::to_byte(&snap.rope, from_lsp(params.range.end), enc);
            let (config, client) = {
                let state = this.state();
                (state.settings.clone(), state.support)
            };
            let support = client.edits;
            // The files around the Dockerfile, read once for both actions.
            let build = file_path(&uri).map(|p| diagnostics::BuildContext::of_dockerfile(&p));
            let split = split_stages::split_with(
                &snap.tree,
                &snap.rope,
                build.as_ref(),
                support.document_changes && support.create_files,
            )
            .map_or_else(
                |not| not_offered_action(not, &snap, support),
                |split| split_action(split, build.as_ref(), &uri, &snap, enc, support),
            );
            let mut actions: Vec<lsp::CodeAction> =
                code_actions::code_actions(&snap.tree, &snap.rope, &found, range)
                    .into_iter()
                    .map(|a| {
                        let edits = a
                            .fix
                            .edits
                            .iter()
                            .map(|e| {
                                lsp::TextEdit::new(
                                    to_lsp_range(&snap, e.range.clone(), enc),
                                    e.text.clone(),
                                )
                            })
                            .collect();
                        lsp::CodeAction {
                            title: a.fix.title,
                            kind: Some(lsp::CodeActionKind::QUICKFIX),
                            diagnostics: Some(vec![to_lsp_diagnostic(
                                &uri,
                                &snap,
                                &found[a.diagnostic],
                                enc,
                                &config,
                                client.diagnostics,
                            )]),
                            edit: workspace_edit(
                                vec![FileChange::Edit {
                                    uri: uri.clone(),
                                    version: Some(snap.version),
                                    edits,
                                }],
                                support,
                            ),
                            is_preferred: client.preferred_actions.then_some(a.preferred),
                            ..Default::default()
                        }
                    })
                    .collect();
            actions.extend(split);
            if let Some(build) = &build {
                actions.extend(create_dockerignore_action(
                    build, &uri, &snap, &found, enc, &config, client,
                ));
            }
            let actions: Vec<lsp::CodeActionOrCommand> = if client.code_action_literals {
                actions
                    .into_iter()
                    .map(lsp::CodeActionOrCommand::CodeAction)
                    .collect()
            } else {
                // Commands only: each carries its edit, applied by
                // `workspace/executeCommand`; a disabled action is no command.
                actions
                    .into_iter()
                    .filter_map(|a| {
                        let edit = a.edit?;
                        Some(lsp::CodeActionOrCommand::Command(lsp::Command {
                            title: a.title,
                            command: APPLY_EDIT_COMMAND.to_string(),
                            arguments: Some(vec![serde_json::to_value(edit).ok()?]),
                        }))
                    })
                    .collect()
            };
            (!actions.is_empty()).then_some(actions)
        })
        .await
    }

    async fn execute_command(
        &self,
        params: lsp::ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        if params.command != APPLY_EDIT_COMMAND {
            return Err(Error::invalid_params(format!(
                "unknown command {:?}: this server has only {APPLY_EDIT_COMMAND:?}",
                params.command
            )));
        }
        let edit = params
            .arguments
            .into_iter()
            .next()
            .and_then(|a| serde_json::from_value::<lsp::WorkspaceEdit>(a).ok())
            .ok_or_else(|| {
                Error::invalid_params(format!("{APPLY_EDIT_COMMAND} takes one WorkspaceEdit"))
            })?;
        match self.client.apply_edit(edit).await {
            Ok(reply) if reply.applied => Ok(None),
            Ok(reply) => Err(request_failed(format!(
                "the editor did not apply the edit{}",
                reply
                    .failure_reason
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ))),
            Err(e) => Err(request_failed(format!(
                "the edit could not be sent: {}",
                e.message
            ))),
        }
    }

    async fn did_save(&self, params: lsp::DidSaveTextDocumentParams) {
        // The files around the Dockerfile (its .dockerignore, the context)
        // may have been saved with it: diagnose again.
        let uri = params.text_document.uri;
        let snapshot = {
            let mut state = self.state();
            state.diagnostics.remove(&uri);
            state.documents.get(&uri).map(Document::snapshot)
        };
        if let Some(snapshot) = snapshot {
            let _ = self.publish.send(Publish::Snapshot(uri, snapshot));
        }
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        {
            let mut state = self.state();
            state.documents.remove(&uri);
            state.analyses.remove(&uri);
            state.diagnostics.remove(&uri);
            state.semantic.remove(&uri);
        }
        let _ = self.publish.send(Publish::Clear(uri));
    }
}

/// LSP's token records from our flat five-numbers-per-token data.
fn to_lsp_tokens(data: &[u32]) -> Vec<lsp::SemanticToken> {
    data.chunks_exact(5)
        .map(|t| lsp::SemanticToken {
            delta_line: t[0],
            delta_start: t[1],
            length: t[2],
            token_type: t[3],
            token_modifiers_bitset: t[4],
        })
        .collect()
}

/// The analysis of a snapshot, computed once per document version.
fn analysis_of(state: &Mutex<State>, uri: &Uri, snapshot: &Snapshot) -> Arc<Analysis> {
    if let Some((version, analysis)) = lock(state).analyses.get(uri) {
        if *version == snapshot.version {
            return analysis.clone();
        }
    }
    let analysis = Arc::new(Analysis::build(&snapshot.tree, &snapshot.rope));
    let mut state = lock(state);
    // Only keep it if the document is still at this version.
    if state.is_at(uri, snapshot.version) {
        state
            .analyses
            .insert(uri.clone(), (snapshot.version, analysis.clone()));
    }
    analysis
}

/// The diagnostics of a snapshot, computed once per document version (and
/// again after the settings change): the rules, with the project file,
/// `.dockerignore` and build context of the document's file when it has
/// one, and a `ConfigError` for settings or files that could not be read.
fn diagnostics_of(state: &Mutex<State>, uri: &Uri, snapshot: &Snapshot) -> Arc<Vec<Diagnostic>> {
    diagnostics_until(state, uri, snapshot, &|| false).unwrap_or_default()
}

/// [`diagnostics_of`], given up (`None`) when `cancelled` says so between
/// two rules.
fn diagnostics_until(
    state: &Mutex<State>,
    uri: &Uri,
    snapshot: &Snapshot,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Arc<Vec<Diagnostic>>> {
    let settings = {
        let state = lock(state);
        let generation = state.settings_generation;
        if let Some((version, computed_with, found)) = state.diagnostics.get(uri) {
            if *version == snapshot.version && *computed_with == generation {
                return Some(found.clone());
            }
        }
        (
            state.settings.clone(),
            state.settings_error.clone(),
            generation,
        )
    };
    let (settings, settings_error, generation) = settings;
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
    let path = file_path(uri);
    let top = {
        let state = lock(state);
        path.as_deref().map(|p| read_limit(&state.roots, p))
    };
    let (context, mut errors) = Context::load(path.as_deref(), &settings, top.as_deref());
    errors.extend(settings_error.map(|e| format!("the client's dockerfile-lsp settings: {e}")));
    let mut found = diagnostics::diagnose_until(
        &snapshot.tree,
        &snapshot.rope,
        &analysis,
        &context,
        cancelled,
    )?;
    found.extend(errors.into_iter().map(|message| Diagnostic {
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
    if state.is_at(uri, snapshot.version) && state.settings_generation == generation {
        state
            .diagnostics
            .insert(uri.clone(), (snapshot.version, generation, found.clone()));
    }
    Some(found)
}

/// The one diagnostic of a document over the size limit.
fn too_large(size: usize, settings: &crate::config::Config) -> Diagnostic {
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

/// Publishes diagnostics in the order snapshots were taken, skipping the
/// ones a newer version superseded.
async fn publisher(
    client: Client,
    state: Arc<Mutex<State>>,
    mut queue: mpsc::UnboundedReceiver<Publish>,
) {
    while let Some(item) = queue.recv().await {
        match item {
            Publish::Clear(_) if lock(&state).shut_down => continue,
            Publish::Clear(uri) => client.publish_diagnostics(uri, Vec::new(), None).await,
            Publish::Snapshot(uri, snapshot) => {
                let Some(encoding) = current(&state, &uri, snapshot.version) else {
                    continue;
                };
                // A newer version, or new settings (whose change queued
                // this version again), make these diagnostics useless: stop
                // between two rules rather than finish them, and never
                // publish them.
                let (config, generation, support) = {
                    let state = lock(&state);
                    (
                        state.settings.clone(),
                        state.settings_generation,
                        state.support.diagnostics,
                    )
                };
                let superseded = || {
                    current(&state, &uri, snapshot.version).is_none()
                        || lock(&state).settings_generation != generation
                };
                let computed = guarded("diagnostics", || {
                    diagnostics_until(&state, &uri, &snapshot, &superseded).map(|found| {
                        found
                            .iter()
                            .map(|d| {
                                to_lsp_diagnostic(&uri, &snapshot, d, encoding, &config, support)
                            })
                            .collect::<Vec<_>>()
                    })
                });
                let Ok(Some(found)) = computed else { continue };
                if superseded() {
                    continue;
                }
                client
                    .publish_diagnostics(uri, found, Some(snapshot.version))
                    .await;
            }
        }
    }
}

/// The encoding, if `version` is still the document's current version (and
/// the server is not shutting down).
fn current(state: &Mutex<State>, uri: &Uri, version: i32) -> Option<Encoding> {
    let state = lock(state);
    (state.is_at(uri, version) && !state.shut_down).then_some(state.support.encoding)
}

/// A diagnostic as the client takes it: related places as related
/// information where announced, else told in the message; the rule's docs
/// link and the faded-code tag only where announced.
fn to_lsp_diagnostic(
    uri: &Uri,
    snapshot: &Snapshot,
    d: &Diagnostic,
    encoding: Encoding,
    config: &Config,
    support: client::DiagnosticSupport,
) -> lsp::Diagnostic {
    let is_rule = crate::rules::find(d.code).is_some();
    let mut message = d.message.clone();
    if !support.related_information {
        for r in &d.related {
            let line = position::to_position(&snapshot.rope, r.range.start, encoding).line + 1;
            message.push_str(&format!("\nline {line}: {}", r.message));
        }
    }
    lsp::Diagnostic {
        range: to_lsp_range(snapshot, d.range.clone(), encoding),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
            Severity::Hint => lsp::DiagnosticSeverity::HINT,
        }),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        code_description: (is_rule && support.code_description)
            .then(|| diagnostics::docs_url(d.code, config).parse().ok())
            .flatten()
            .map(|href| lsp::CodeDescription { href }),
        source: Some(diagnostics::SOURCE.to_string()),
        message,
        related_information: (support.related_information && !d.related.is_empty()).then(|| {
            d.related
                .iter()
                .map(|r| lsp::DiagnosticRelatedInformation {
                    location: lsp::Location::new(
                        uri.clone(),
                        to_lsp_range(snapshot, r.range.clone(), encoding),
                    ),
                    message: r.message.clone(),
                })
                .collect()
        }),
        tags: (d.code == "UnusedStage" && support.unnecessary_tag)
            .then(|| vec![lsp::DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

fn to_lsp_range(snapshot: &Snapshot, r: std::ops::Range<usize>, encoding: Encoding) -> lsp::Range {
    lsp::Range::new(
        to_lsp(position::to_position(&snapshot.rope, r.start, encoding)),
        to_lsp(position::to_position(&snapshot.rope, r.end, encoding)),
    )
}

/// Our markdown as the client takes it: as is, or rendered as plain text.
fn markup(markdown: String, client_takes_markdown: bool) -> lsp::MarkupContent {
    if client_takes_markdown {
        lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: markdown,
        }
    } else {
        lsp::MarkupContent {
            kind: lsp::MarkupKind::PlainText,
            value: markup::plain(&markdown),
        }
    }
}

/// A completion item as the client takes it: a snippet only for a client
/// with snippets, an insert-and-replace edit only for one that takes it,
/// label details and the deprecated tag only where announced. Its
/// documentation comes with `completionItem/resolve`, by the key in `data`.
#[allow(deprecated)] // `deprecated`: for clients without tag support
fn to_lsp_completion(
    snap: &Snapshot,
    i: completion::Item,
    enc: Encoding,
    support: client::CompletionSupport,
) -> lsp::CompletionItem {
    let (text, format) = match (&i.snippet, support.snippets) {
        (Some(snippet), true) => (snippet.clone(), lsp::InsertTextFormat::SNIPPET),
        _ => (
            i.insert.clone().unwrap_or_else(|| i.label.clone()),
            lsp::InsertTextFormat::PLAIN_TEXT,
        ),
    };
    let insert = to_lsp_range(snap, i.replace.clone(), enc);
    let text_edit = if support.insert_replace && i.word_end > i.replace.end {
        lsp::CompletionTextEdit::InsertAndReplace(lsp::InsertReplaceEdit {
            new_text: text,
            insert,
            replace: to_lsp_range(snap, i.replace.start..i.word_end, enc),
        })
    } else {
        lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(insert, text))
    };
    lsp::CompletionItem {
        kind: Some(match i.kind {
            completion::ItemKind::Keyword => lsp::CompletionItemKind::KEYWORD,
            completion::ItemKind::Flag => lsp::CompletionItemKind::PROPERTY,
            completion::ItemKind::Stage => lsp::CompletionItemKind::MODULE,
            completion::ItemKind::Variable => lsp::CompletionItemKind::VARIABLE,
            completion::ItemKind::Directive => lsp::CompletionItemKind::KEYWORD,
            completion::ItemKind::Value => lsp::CompletionItemKind::VALUE,
        }),
        label_details: (support.label_details && i.detail.is_some()).then(|| {
            lsp::CompletionItemLabelDetails {
                detail: None,
                description: i.detail.clone(),
            }
        }),
        detail: i.detail,
        insert_text_format: Some(format),
        text_edit: Some(text_edit),
        tags: (i.deprecated && support.deprecated_tag)
            .then(|| vec![lsp::CompletionItemTag::DEPRECATED]),
        deprecated: (i.deprecated && !support.deprecated_tag && support.deprecated_property)
            .then_some(true),
        data: i.doc.map(|key| serde_json::json!({ "doc": key })),
        label: i.label,
        ..Default::default()
    }
}

/// `completionItem/resolve`: the item's documentation, by the key its
/// `data` carries (an item without one comes back as it was).
fn resolve_completion(mut item: lsp::CompletionItem, markdown: bool) -> lsp::CompletionItem {
    let doc = item
        .data
        .as_ref()
        .and_then(|d| d.get("doc"))
        .and_then(|k| k.as_str())
        .and_then(completion::documentation);
    if let Some(doc) = doc {
        item.documentation = Some(lsp::Documentation::MarkupContent(markup(doc, markdown)));
    }
    item
}

#[allow(deprecated)] // `deprecated` is a required field of DocumentSymbol
fn to_lsp_symbol(
    snapshot: &Snapshot,
    s: symbols::Symbol,
    encoding: Encoding,
) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: s.name,
        detail: s.detail,
        kind: match s.kind {
            symbols::SymbolKind::Stage => lsp::SymbolKind::MODULE,
            symbols::SymbolKind::Instruction => lsp::SymbolKind::FUNCTION,
        },
        tags: None,
        deprecated: None,
        range: to_lsp_range(snapshot, s.range, encoding),
        selection_range: to_lsp_range(snapshot, s.selection_range, encoding),
        children: (!s.children.is_empty()).then(|| {
            s.children
                .into_iter()
                .map(|c| to_lsp_symbol(snapshot, c, encoding))
                .collect()
        }),
    }
}

/// A symbol and its children as the flat `SymbolInformation` list of a
/// client without nested symbols, each child naming its container.
#[allow(deprecated)] // `deprecated` is a required field of SymbolInformation
fn flatten_symbol(
    uri: &Uri,
    snapshot: &Snapshot,
    s: symbols::Symbol,
    container: Option<&str>,
    encoding: Encoding,
    out: &mut Vec<lsp::SymbolInformation>,
) {
    out.push(lsp::SymbolInformation {
        name: s.name.clone(),
        kind: match s.kind {
            symbols::SymbolKind::Stage => lsp::SymbolKind::MODULE,
            symbols::SymbolKind::Instruction => lsp::SymbolKind::FUNCTION,
        },
        tags: None,
        deprecated: None,
        location: lsp::Location::new(uri.clone(), to_lsp_range(snapshot, s.range, encoding)),
        container_name: container.map(str::to_string),
    });
    for child in s.children {
        flatten_symbol(uri, snapshot, child, Some(&s.name), encoding, out);
    }
}

/// "Create .dockerignore" for a Dockerfile on disk whose build context has
/// none: creates the file (never over an existing one) with content tuned
/// to the Dockerfile's stacks.
fn create_dockerignore_action(
    build: &diagnostics::BuildContext,
    uri: &Uri,
    snap: &Snapshot,
    found: &[Diagnostic],
    enc: Encoding,
    config: &Config,
    client: ClientSupport,
) -> Option<lsp::CodeAction> {
    if build.dockerignore_path.is_some() {
        return None;
    }
    let target = Uri::from_file_path(build.dir.join(".dockerignore"))?;
    let content = create_dockerignore::content(&snap.tree, &snap.rope);
    let reported: Vec<lsp::Diagnostic> = found
        .iter()
        .filter(|d| d.code == "NoDockerignore")
        .map(|d| to_lsp_diagnostic(uri, snap, d, enc, config, client.diagnostics))
        .collect();
    let edit = workspace_edit(
        vec![
            FileChange::Create {
                uri: target.clone(),
            },
            FileChange::Edit {
                uri: target,
                version: None,
                edits: vec![lsp::TextEdit::new(lsp::Range::default(), content)],
            },
        ],
        client.edits,
    )?;
    Some(lsp::CodeAction {
        title: create_dockerignore::TITLE.to_string(),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: (!reported.is_empty()).then_some(reported),
        edit: Some(edit),
        ..Default::default()
    })
}

/// The file a `file:` URI names (other schemes, such as `untitled:`, have
/// no files around them).
/// The highest directory the server reads for a Dockerfile: the workspace
/// folder that holds it (the innermost), else the Dockerfile's own folder.
fn read_limit(roots: &[std::path::PathBuf], dockerfile: &std::path::Path) -> std::path::PathBuf {
    roots
        .iter()
        .filter(|root| dockerfile.starts_with(root))
        .max_by_key(|root| root.components().count())
        .cloned()
        .or_else(|| dockerfile.parent().map(std::path::Path::to_path_buf))
        .unwrap_or_default()
}

fn file_path(uri: &Uri) -> Option<std::path::PathBuf> {
    let is_file = uri.scheme().as_str().eq_ignore_ascii_case("file");
    if !is_file {
        return None;
    }
    uri.to_file_path().map(|p| p.into_owned())
}

/// Edits to one document at the version they were computed for: the
/// client applies them whole or not at all.
/// The split rewrite as a code action: the whole document replaced, and
/// the Next.js config edited or created in the same WorkspaceEdit, so the
/// client applies both or neither.
fn split_action(
    split: split_stages::Split,
    build: Option<&diagnostics::BuildContext>,
    uri: &Uri,
    snap: &Snapshot,
    enc: Encoding,
    support: EditSupport,
) -> Option<lsp::CodeAction> {
    let whole = to_lsp_range(snap, 0..snap.rope.len_bytes(), enc);
    let mut changes = vec![FileChange::Edit {
        uri: uri.clone(),
        version: Some(snap.version),
        edits: vec![lsp::TextEdit::new(whole, split.text)],
    }];
    if let Some(change) = split.config {
        let build = build?;
        let target = Uri::from_file_path(build.dir.join(&change.file))?;
        let at = if change.create {
            changes.push(FileChange::Create {
                uri: target.clone(),
            });
            lsp::Position::default()
        } else {
            let current = std::fs::read_to_string(build.dir.join(&change.file)).ok()?;
            let rope = ropey::Rope::from_str(&current);
            to_lsp(position::to_position(&rope, change.offset, enc))
        };
        changes.push(FileChange::Edit {
            uri: target,
            version: None,
            edits: vec![lsp::TextEdit::new(lsp::Range::new(at, at), change.insert)],
        });
    }
    Some(lsp::CodeAction {
        title: split.title,
        kind: Some(lsp::CodeActionKind::REFACTOR_REWRITE),
        edit: Some(workspace_edit(changes, support)?),
        ..Default::default()
    })
}

/// The split, not offered, as a disabled action that says why: only to a
/// client that shows disabled actions (`codeAction.disabledSupport`: the
/// refactor menu greys it out with the reason; the light bulb hides it),
/// and only on a single-stage file, where the split is what one expects.
fn not_offered_action(
    not: split_stages::NotOffered,
    snap: &Snapshot,
    support: EditSupport,
) -> Option<lsp::CodeAction> {
    let single_stage = syntax::views::stages(&snap.tree).len() == 1;
    (support.disabled_actions && single_stage && !snap.tree.root_node().has_error()).then(|| {
        lsp::CodeAction {
            title: split_stages::TITLE.to_string(),
            kind: Some(lsp::CodeActionKind::REFACTOR_REWRITE),
            disabled: Some(lsp::CodeActionDisabled { reason: not.reason }),
            ..Default::default()
        }
    })
}

/// The command a client without code action literals runs for an action:
/// its one argument is the action's WorkspaceEdit.
const APPLY_EDIT_COMMAND: &str = "dockerfile-lsp.applyEdit";

/// One part of a WorkspaceEdit.
enum FileChange {
    Edit {
        uri: Uri,
        /// The document version the edits are for (open documents).
        version: Option<i32>,
        edits: Vec<lsp::TextEdit>,
    },
    /// Create an empty file (unless it exists), for the edits after it.
    Create { uri: Uri },
}

/// `changes` in the form the client applies: versioned `documentChanges`
/// when it supports them, else the plain `changes` map. `None` when the
/// client cannot apply them (a file to create without resource operations).
fn workspace_edit(changes: Vec<FileChange>, support: EditSupport) -> Option<lsp::WorkspaceEdit> {
    let creates = changes
        .iter()
        .any(|c| matches!(c, FileChange::Create { .. }));
    if creates && !(support.document_changes && support.create_files) {
        return None;
    }
    if !support.document_changes {
        let mut map: std::collections::HashMap<Uri, Vec<lsp::TextEdit>> =
            std::collections::HashMap::new();
        for change in changes {
            if let FileChange::Edit { uri, edits, .. } = change {
                map.entry(uri).or_default().extend(edits);
            }
        }
        return Some(lsp::WorkspaceEdit {
            changes: Some(map),
            ..Default::default()
        });
    }
    let edit = |uri: Uri, version: Option<i32>, edits: Vec<lsp::TextEdit>| lsp::TextDocumentEdit {
        text_document: lsp::OptionalVersionedTextDocumentIdentifier { uri, version },
        edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
    };
    let document_changes = if creates {
        lsp::DocumentChanges::Operations(
            changes
                .into_iter()
                .map(|change| match change {
                    FileChange::Edit {
                        uri,
                        version,
                        edits,
                    } => lsp::DocumentChangeOperation::Edit(edit(uri, version, edits)),
                    FileChange::Create { uri } => {
                        lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(lsp::CreateFile {
                            uri,
                            options: Some(lsp::CreateFileOptions {
                                overwrite: Some(false),
                                ignore_if_exists: Some(true),
                            }),
                            annotation_id: None,
                        }))
                    }
                })
                .collect(),
        )
    } else {
        lsp::DocumentChanges::Edits(
            changes
                .into_iter()
                .filter_map(|change| match change {
                    FileChange::Edit {
                        uri,
                        version,
                        edits,
                    } => Some(edit(uri, version, edits)),
                    FileChange::Create { .. } => None,
                })
                .collect(),
        )
    };
    Some(lsp::WorkspaceEdit {
        document_changes: Some(document_changes),
        ..Default::default()
    })
}

/// A request that cannot be carried out, with the reason for the user.
fn request_failed(message: String) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into(),
        data: None,
    }
}

fn from_lsp(p: lsp::Position) -> Position {
    Position::new(p.line, p.character)
}

fn to_lsp(p: Position) -> lsp::Position {
    lsp::Position::new(p.line, p.character)
}

fn not_open(uri: &Uri) -> Error {
    Error {
        code: ErrorCode::InvalidParams,
        message: format!("document not open: {}", uri.as_str()).into(),
        data: None,
    }
}

/// Runs a request's work, turning a panic into an internal-error response
/// so that the server keeps serving.
fn guarded<T>(what: &str, work: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|panic| {
        let detail = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::error!("{what} panicked: {detail}");
        Error {
            code: ErrorCode::InternalError,
            message: format!("internal error in {what}: {detail}").into(),
            data: None,
        }
    })
}

/// Locks the state even if a panic poisoned the lock: every mutation is
/// complete or undone before a panic can escape it.
fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let result: Result<()> = guarded("test", || panic!("boom"));
        let error = result.unwrap_err();
        assert_eq!(error.code, ErrorCode::InternalError);
        assert!(error.message.contains("boom"));
    }
}
