//! Protocol glue: the client's capabilities, one handler per request kind,
//! conversions to and from the protocol, and the diagnostics publisher. No
//! logic of its own: each handler converts the request, calls a feature
//! (`crate::features`) and converts the answer back.
//!
//! - `state.rs`: one [`state::DocumentState`] per open document; every
//!   cache (analysis, diagnostics, semantic tokens, the files around the
//!   Dockerfile) hangs off it, keyed by the document's revision.
//! - `handlers/`: documents are mutated only in `sync.rs` (didOpen,
//!   didChange, didClose, settings), before any `.await`, so notifications
//!   take effect in the order they arrive even though tower-lsp runs
//!   handlers concurrently. Requests run on the blocking pool
//!   ([`Backend::limited`]), panics caught, bounded by `requestTimeout`.
//! - `publisher.rs`: diagnostics are computed off the notification path by
//!   one task, in order, on the blocking pool, skipping a snapshot a newer
//!   revision superseded (before and after computing), and published with
//!   the version they belong to.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::{self as lsp, Uri};
use tower_lsp_server::{Client, ClientSocket, LanguageServer, LspService, Server};

use crate::analysis::Analysis;
use crate::document::{position, Encoding, Snapshot};
use crate::syntax;

mod capabilities;
mod from_proto;
mod handlers;
mod markup;
mod publisher;
mod state;
mod to_proto;

pub use capabilities::negotiate_encoding;
use publisher::Publish;
use state::State;

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

#[derive(Clone)]
pub struct Backend {
    state: Arc<Mutex<State>>,
    publish: mpsc::UnboundedSender<Publish>,
    /// For the requests the server sends (`workspace/applyEdit`,
    /// `client/registerCapability`).
    client: Client,
}

impl Backend {
    fn new(client: Client) -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let (publish, queue) = mpsc::unbounded_channel();
        tokio::spawn(publisher::run(client.clone(), state.clone(), queue));
        Backend {
            state,
            publish,
            client,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// The document's snapshot and the negotiated encoding.
    fn snapshot(&self, uri: &Uri) -> Result<(Snapshot, Encoding)> {
        let state = self.state();
        let doc = state.documents.get(uri).ok_or_else(|| not_open(uri))?;
        Ok((doc.doc.snapshot(), state.support.encoding))
    }

    /// Queues the document's current snapshot for diagnostics.
    fn republish(&self, uri: Uri, snapshot: Snapshot) {
        let _ = self.publish.send(Publish::Snapshot(uri, snapshot));
    }

    /// Runs a feature at a position: converts the position to an offset,
    /// takes the document's analysis and calls `work` (guarded against
    /// panics, on the blocking pool).
    async fn at_position<T: Send + 'static>(
        &self,
        what: &'static str,
        at: &lsp::TextDocumentPositionParams,
        work: impl FnOnce(&Snapshot, &Analysis, usize, Encoding) -> T + Send + 'static,
    ) -> Result<T> {
        self.at_position_in(what, at, |_, snapshot, analysis, offset, encoding| {
            work(snapshot, analysis, offset, encoding)
        })
        .await
    }

    /// [`Backend::at_position`] for work that also reads the server's state.
    async fn at_position_in<T: Send + 'static>(
        &self,
        what: &'static str,
        at: &lsp::TextDocumentPositionParams,
        work: impl FnOnce(&Backend, &Snapshot, &Analysis, usize, Encoding) -> T + Send + 'static,
    ) -> Result<T> {
        let uri = at.text_document.uri.clone();
        let position = at.position;
        let (snapshot, encoding) = self.snapshot(&uri)?;
        self.limited(what, move |this| {
            let offset =
                position::to_byte(&snapshot.rope, from_proto::position(position), encoding);
            let analysis = state::analysis_of(&this.state, &uri, &snapshot);
            work(this, &snapshot, &analysis, offset, encoding)
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

    async fn syntax_tree(&self, params: SyntaxTreeParams) -> Result<SyntaxTree> {
        let (snapshot, _) = self.snapshot(&params.text_document.uri)?;
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

/// Each method hands over to its handler in `handlers/`.
impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        handlers::lifecycle::initialize(self, params)
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        handlers::lifecycle::initialized(self).await
    }

    async fn shutdown(&self) -> Result<()> {
        self.state().shut_down = true;
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        handlers::sync::did_open(self, params)
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        handlers::sync::did_change(self, params)
    }

    async fn did_save(&self, params: lsp::DidSaveTextDocumentParams) {
        handlers::sync::did_save(self, params)
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        handlers::sync::did_close(self, params)
    }

    async fn did_change_configuration(&self, params: lsp::DidChangeConfigurationParams) {
        handlers::sync::did_change_configuration(self, params)
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        handlers::sync::did_change_watched_files(self, params)
    }

    async fn goto_definition(
        &self,
        params: lsp::GotoDefinitionParams,
    ) -> Result<Option<lsp::GotoDefinitionResponse>> {
        handlers::navigation::definition(self, params).await
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        handlers::navigation::references(self, params).await
    }

    async fn document_highlight(
        &self,
        params: lsp::DocumentHighlightParams,
    ) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
        handlers::navigation::highlight(self, params).await
    }

    async fn prepare_rename(
        &self,
        params: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>> {
        handlers::navigation::prepare_rename(self, params).await
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        handlers::navigation::rename(self, params).await
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        handlers::hover::hover(self, params).await
    }

    async fn completion(
        &self,
        params: lsp::CompletionParams,
    ) -> Result<Option<lsp::CompletionResponse>> {
        handlers::completion::completion(self, params).await
    }

    async fn completion_resolve(&self, item: lsp::CompletionItem) -> Result<lsp::CompletionItem> {
        Ok(handlers::completion::resolve(self, item))
    }

    async fn document_symbol(
        &self,
        params: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        handlers::symbols::document_symbol(self, params).await
    }

    async fn folding_range(
        &self,
        params: lsp::FoldingRangeParams,
    ) -> Result<Option<Vec<lsp::FoldingRange>>> {
        handlers::folding::folding_range(self, params).await
    }

    async fn semantic_tokens_full(
        &self,
        params: lsp::SemanticTokensParams,
    ) -> Result<Option<lsp::SemanticTokensResult>> {
        handlers::semantic_tokens::full(self, params).await
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: lsp::SemanticTokensDeltaParams,
    ) -> Result<Option<lsp::SemanticTokensFullDeltaResult>> {
        handlers::semantic_tokens::delta(self, params).await
    }

    async fn semantic_tokens_range(
        &self,
        params: lsp::SemanticTokensRangeParams,
    ) -> Result<Option<lsp::SemanticTokensRangeResult>> {
        handlers::semantic_tokens::range(self, params).await
    }

    async fn code_action(
        &self,
        params: lsp::CodeActionParams,
    ) -> Result<Option<lsp::CodeActionResponse>> {
        handlers::code_actions::code_action(self, params).await
    }

    async fn execute_command(
        &self,
        params: lsp::ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        handlers::code_actions::execute_command(self, params).await
    }
}

/// A request that cannot be carried out, with the reason for the user.
fn request_failed(message: String) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into(),
        data: None,
    }
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
