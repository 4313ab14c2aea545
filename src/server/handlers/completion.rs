//! Completion and `completionItem/resolve`.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types as lsp;

use crate::features::completion;
use crate::server::{to_proto, Backend};

pub(in crate::server) async fn completion(
    server: &Backend,
    params: lsp::CompletionParams,
) -> Result<Option<lsp::CompletionResponse>> {
    let at = params.text_document_position;
    let support = server.state().support.completion;
    server
        .at_position("completion", &at, move |snap, graph, offset, enc| {
            let found = completion::complete(&snap.tree, &snap.rope, graph, offset);
            let items: Vec<lsp::CompletionItem> = found
                .items
                .into_iter()
                .map(|i| to_proto::completion_item(snap, i, enc, support))
                .collect();
            (!items.is_empty()).then_some(lsp::CompletionResponse::List(lsp::CompletionList {
                is_incomplete: found.incomplete,
                items,
            }))
        })
        .await
}

/// `completionItem/resolve`: the item's documentation, by the key its
/// `data` carries (an item without one comes back as it was).
pub(in crate::server) fn resolve(
    server: &Backend,
    mut item: lsp::CompletionItem,
) -> lsp::CompletionItem {
    let markdown = server.state().support.completion.markdown;
    let doc = item
        .data
        .as_ref()
        .and_then(|d| d.get("doc"))
        .and_then(|k| k.as_str())
        .and_then(completion::documentation);
    if let Some(doc) = doc {
        item.documentation = Some(lsp::Documentation::MarkupContent(to_proto::markup(
            doc, markdown,
        )));
    }
    item
}
