//! Document and settings notifications: the only place documents change,
//! each change made before any `.await` so notifications take effect in
//! the order they arrive.

use std::panic::{catch_unwind, AssertUnwindSafe};

use tower_lsp_server::ls_types as lsp;

use crate::document::Document;
use crate::server::publisher::Publish;
use crate::server::state::DocumentState;
use crate::server::{from_proto, Backend};

pub(in crate::server) fn did_open(server: &Backend, params: lsp::DidOpenTextDocumentParams) {
    let doc = params.text_document;
    let snapshot = {
        let mut state = server.state();
        let opened = Document::with_limit(&doc.text, doc.version, state.max_file_size());
        let snapshot = opened.snapshot();
        state
            .documents
            .insert(doc.uri.clone(), DocumentState::new(opened));
        snapshot
    };
    server.republish(doc.uri, snapshot);
}

pub(in crate::server) fn did_change(server: &Backend, params: lsp::DidChangeTextDocumentParams) {
    let uri = params.text_document.uri;
    let changes = from_proto::changes(params.content_changes);
    let snapshot = {
        let mut state = server.state();
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
            doc.doc.apply(version, &changes, encoding);
            doc.doc.snapshot()
        }));
        match applied {
            Ok(snapshot) => snapshot,
            Err(_) => {
                // The document may be half-edited: forget it rather than
                // serve a wrong text; the client can reopen it.
                tracing::error!("applying a change panicked; closing {}", uri.as_str());
                state.documents.remove(&uri);
                drop(state);
                let _ = server.publish.send(Publish::Clear(uri));
                return;
            }
        }
    };
    server.republish(uri, snapshot);
}

/// The files around the Dockerfile (its .dockerignore, the context) may
/// have been saved with it: they are read again, and the document
/// diagnosed again.
pub(in crate::server) fn did_save(server: &Backend, params: lsp::DidSaveTextDocumentParams) {
    let uri = params.text_document.uri;
    let snapshot = {
        let mut state = server.state();
        let Some(doc) = state.documents.get_mut(&uri) else {
            return;
        };
        doc.files = None;
        doc.diagnostics = None;
        doc.doc.snapshot()
    };
    server.republish(uri, snapshot);
}

pub(in crate::server) fn did_close(server: &Backend, params: lsp::DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    // everything computed from it goes with it
    server.state().documents.remove(&uri);
    let _ = server.publish.send(Publish::Clear(uri));
}

pub(in crate::server) fn did_change_configuration(
    server: &Backend,
    params: lsp::DidChangeConfigurationParams,
) {
    let snapshots: Vec<_> = {
        let mut state = server.state();
        state.set_settings(&params.settings);
        state
            .documents
            .iter()
            .map(|(uri, doc)| (uri.clone(), doc.doc.snapshot()))
            .collect()
    };
    for (uri, snapshot) in snapshots {
        server.republish(uri, snapshot);
    }
}

/// A watched file changed (a .dockerignore, a project file, a manifest):
/// every open document reads its files again and is diagnosed again.
pub(in crate::server) fn did_change_watched_files(
    server: &Backend,
    params: lsp::DidChangeWatchedFilesParams,
) {
    if params.changes.is_empty() {
        return;
    }
    let snapshots = server.state().forget_files();
    for (uri, snapshot) in snapshots {
        server.republish(uri, snapshot);
    }
}
