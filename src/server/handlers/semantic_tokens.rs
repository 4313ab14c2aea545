//! Semantic tokens: full, delta against the last result sent, and range.
//! The whole document's are computed per part and kept
//! (`DocumentState::token_parts`), so an edit recomputes one stage.

use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use crate::document::{Encoding, Snapshot};
use crate::features::semantic_tokens::{self, TokenCache};
use crate::server::{from_proto, to_proto, Backend};

pub(in crate::server) async fn full(
    server: &Backend,
    params: lsp::SemanticTokensParams,
) -> Result<Option<lsp::SemanticTokensResult>> {
    let uri = params.text_document.uri;
    let (snap, enc) = server.snapshot(&uri)?;
    let kept = kept_parts(server, &uri);
    server
        .limited("semanticTokens/full", move |this| {
            let data = Arc::new(whole(this, &uri, &snap, enc, kept));
            let id = remember(this, &uri, &snap, &data);
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
    let kept = kept_parts(server, &uri);
    server
        .limited("semanticTokens/full/delta", move |this| {
            let data = Arc::new(whole(this, &uri, &snap, enc, kept));
            let id = remember(this, &uri, &snap, &data);
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

/// The tokens kept per part of the document.
fn kept_parts(server: &Backend, uri: &Uri) -> Arc<TokenCache> {
    let state = server.state();
    let kept = state.documents.get(uri).map(|d| d.token_parts.clone());
    kept.unwrap_or_default()
}

/// The whole document's tokens, from the parts kept where unchanged; the
/// parts of this computation are kept for the next.
fn whole(
    server: &Backend,
    uri: &Uri,
    snap: &Snapshot,
    enc: Encoding,
    kept: Arc<TokenCache>,
) -> Vec<u32> {
    let (data, next, _) = semantic_tokens::tokens_cached(&snap.tree, &snap.rope, enc, &kept);
    // the previous parts are freed outside the lock
    let previous = server
        .state()
        .documents
        .get_mut(uri)
        .map(|doc| std::mem::replace(&mut doc.token_parts, Arc::new(next)));
    drop((kept, previous));
    data
}

/// Keeps the tokens just computed for a later delta, unless the document
/// has moved on; returns their result id.
fn remember(server: &Backend, uri: &Uri, snap: &Snapshot, data: &Arc<Vec<u32>>) -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let id = NEXT
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        .to_string();
    if let Some(doc) = server.state().at(uri, snap.revision) {
        doc.semantic = Some((id.clone(), data.clone()));
    }
    id
}
