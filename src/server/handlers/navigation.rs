//! Go to stage and variable: definition, references, highlights, rename.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types as lsp;

use crate::features::navigation;
use crate::server::{request_failed, to_proto, Backend};

pub(in crate::server) async fn definition(
    server: &Backend,
    params: lsp::GotoDefinitionParams,
) -> Result<Option<lsp::GotoDefinitionResponse>> {
    let at = params.text_document_position_params;
    let uri = at.text_document.uri.clone();
    server
        .at_position("definition", &at, move |snap, graph, offset, enc| {
            navigation::definition(&snap.tree, graph, offset).map(|r| {
                lsp::GotoDefinitionResponse::Scalar(lsp::Location::new(
                    uri,
                    to_proto::range(snap, r, enc),
                ))
            })
        })
        .await
}

pub(in crate::server) async fn references(
    server: &Backend,
    params: lsp::ReferenceParams,
) -> Result<Option<Vec<lsp::Location>>> {
    let at = params.text_document_position;
    let uri = at.text_document.uri.clone();
    let include = params.context.include_declaration;
    server
        .at_position("references", &at, move |snap, graph, offset, enc| {
            let found = navigation::references(graph, offset, include);
            (!found.is_empty()).then(|| {
                found
                    .into_iter()
                    .map(|r| lsp::Location::new(uri.clone(), to_proto::range(snap, r, enc)))
                    .collect()
            })
        })
        .await
}

pub(in crate::server) async fn highlight(
    server: &Backend,
    params: lsp::DocumentHighlightParams,
) -> Result<Option<Vec<lsp::DocumentHighlight>>> {
    let at = params.text_document_position_params;
    server
        .at_position("documentHighlight", &at, move |snap, graph, offset, enc| {
            let found = navigation::highlights(graph, offset);
            (!found.is_empty()).then(|| {
                found
                    .into_iter()
                    .map(|(r, kind)| lsp::DocumentHighlight {
                        range: to_proto::range(snap, r, enc),
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

pub(in crate::server) async fn prepare_rename(
    server: &Backend,
    params: lsp::TextDocumentPositionParams,
) -> Result<Option<lsp::PrepareRenameResponse>> {
    server
        .at_position("prepareRename", &params, move |snap, graph, offset, enc| {
            navigation::prepare_rename(graph, offset)
                .map(|r| {
                    Some(lsp::PrepareRenameResponse::Range(to_proto::range(
                        snap, r, enc,
                    )))
                })
                .map_err(request_failed)
        })
        .await?
}

pub(in crate::server) async fn rename(
    server: &Backend,
    params: lsp::RenameParams,
) -> Result<Option<lsp::WorkspaceEdit>> {
    let at = params.text_document_position;
    let uri = at.text_document.uri.clone();
    let new_name = params.new_name;
    let support = server.state().support.edits;
    server
        .at_position("rename", &at, move |snap, graph, offset, enc| {
            let edits = navigation::rename(graph, offset, &new_name).map_err(request_failed)?;
            let edits: Vec<lsp::TextEdit> = edits
                .into_iter()
                .map(|(r, text)| lsp::TextEdit::new(to_proto::range(snap, r, enc), text))
                .collect();
            Ok(to_proto::workspace_edit(
                vec![to_proto::FileChange::Edit {
                    uri,
                    version: Some(snap.version),
                    edits,
                }],
                support,
            ))
        })
        .await?
}
