//! Semantic tokens: full, delta against the last result sent, and range.

use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use crate::document::Snapshot;
use crate::features::semantic_tokens;
use crate::server::{from_proto, to_proto, Backend};

pub(in crate::server) async fn full(
    server: &Backend,
    params: lsp::SemanticTokensParams,
) -> Result<Option<lsp::SemanticTokensResult>> {
    let uri = params.text_document.uri;
    let (snap, enc) = server.snapshot(&uri)?;
    server
        .limited("semanticTokens/full", move |this| {
            let data = semantic_tokens::tokens(&snap.tree, &snap.rope, enc, None);
            let id = remember(this, &uri, &snap, data.clone());
            Some(lsp::SemanticTokensResult::Tokens(lsp::SemanticTokens {
                result_id: Some(id),
                data: to_proto::tokens(&data),
            }))
        })
        .await
}

pub(in crate::server) async fn delta(
    server: &Backend,
    params: lsp::SemanticTokensDeltaParams,
) -> Result<Option<lsp::SemanticTokensFullDeltaResult>> {
    let uri = params.text_document.uri;
    let (snap, enc) = server.snapshot(&uri)?;
    let previous = server
        .state()
        .documents
        .get(&uri)
        .and_then(|d| d.semantic.clone())
        .filter(|(id, _)| *id == params.previous_result_id)
        .map(|(_, data)| data);
    server
        .limited("semanticTokens/full/delta", move |this| {
            let data = semantic_tokens::tokens(&snap.tree, &snap.rope, enc, None);
            let id = remember(this, &uri, &snap, data.clone());
            Some(match previous {
                Some(old) => {
                    lsp::SemanticTokensFullDeltaResult::TokensDelta(lsp::SemanticTokensDelta {
                        result_id: Some(id),
                        edits: semantic_tokens::delta(&old, &data)
                            .map(|(start, delete_count, inserted)| lsp::SemanticTokensEdit {
                                start,
                                delete_count,
                                data: (!inserted.is_empty()).then(|| to_proto::tokens(&inserted)),
                            })
                            .into_iter()
                            .collect(),
                    })
                }
                // an unknown previous result: the whole set
                None => lsp::SemanticTokensFullDeltaResult::Tokens(lsp::SemanticTokens {
                    result_id: Some(id),
                    data: to_proto::tokens(&data),
                }),
            })
        })
        .await
}

pub(in crate::server) async fn range(
    server: &Backend,
    params: lsp::SemanticTokensRangeParams,
) -> Result<Option<lsp::SemanticTokensRangeResult>> {
    let (snap, enc) = server.snapshot(&params.text_document.uri)?;
    server
        .limited("semanticTokens/range", move |_| {
            let range = from_proto::range(&snap, params.range, enc);
            let data = semantic_tokens::tokens(&snap.tree, &snap.rope, enc, Some(range));
            Some(lsp::SemanticTokensRangeResult::Tokens(
                lsp::SemanticTokens {
                    result_id: None,
                    data: to_proto::tokens(&data),
                },
            ))
        })
        .await
}

/// Keeps the tokens just computed for a later delta, unless the document
/// has moved on; returns their result id.
fn remember(server: &Backend, uri: &Uri, snap: &Snapshot, data: Vec<u32>) -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let id = NEXT
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        .to_string();
    if let Some(doc) = server.state().at(uri, snap.revision) {
        doc.semantic = Some((id.clone(), Arc::new(data)));
    }
    id
}
