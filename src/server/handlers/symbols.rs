//! The outline: stages with their instructions.

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
    let nested = server.state().support.nested_symbols;
    server
        .limited("documentSymbol", move |this| {
            let analysis = state::analysis_of(&this.state, &uri, &snap);
            let found = symbols::document_symbols(&snap.tree, &snap.rope, &analysis.stages);
            Some(if nested {
                lsp::DocumentSymbolResponse::Nested(
                    found
                        .into_iter()
                        .map(|s| to_proto::symbol(&snap, s, enc))
                        .collect(),
                )
            } else {
                let mut flat = Vec::new();
                for s in found {
                    to_proto::flat_symbol(&uri, &snap, s, None, enc, &mut flat);
                }
                lsp::DocumentSymbolResponse::Flat(flat)
            })
        })
        .await
}
