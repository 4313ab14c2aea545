//! The outline: stages with their instructions, computed per stage and
//! kept (`DocumentState::symbol_parts`), so an edit recomputes one stage.

use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types as lsp;

use crate::features::symbols;
use crate::server::{state, to_proto, Backend};

pub(in crate::server) async fn document_symbol(
    server: &Backend,
    params: lsp::DocumentSymbolParams,
) -> Result<Option<lsp::DocumentSymbolResponse>> {
    let uri = params.text_document.uri;
    let (snap, enc) = server.snapshot(&uri)?;
    let (nested, kept) = {
        let state = server.state();
        let kept = state.documents.get(&uri).map(|d| d.symbol_parts.clone());
        (state.support.nested_symbols, kept.unwrap_or_default())
    };
    server
        .limited("documentSymbol", move |this| {
            let analysis = state::analysis_of(&this.state, &uri, &snap);
            let (found, next, _) =
                symbols::outline(&snap.tree, &snap.rope, &analysis.stages, enc, &kept);
            // the previous parts are freed outside the lock
            let previous = this
                .state()
                .documents
                .get_mut(&uri)
                .map(|doc| std::mem::replace(&mut doc.symbol_parts, Arc::new(next)));
            drop((kept, previous));
            Some(if nested {
                lsp::DocumentSymbolResponse::Nested(
                    found.into_iter().map(to_proto::symbol).collect(),
                )
            } else {
                let mut flat = Vec::new();
                for s in found {
                    to_proto::flat_symbol(&uri, s, None, &mut flat);
                }
                lsp::DocumentSymbolResponse::Flat(flat)
            })
        })
        .await
}
