//! Hover: on a stage, its purpose; on keywords, flags, directives and
//! variables, their docs and values.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types as lsp;

use crate::features::hover;
use crate::server::{state, to_proto, Backend};

pub(in crate::server) async fn hover(
    server: &Backend,
    params: lsp::HoverParams,
) -> Result<Option<lsp::Hover>> {
    let at = params.text_document_position_params;
    let uri = at.text_document.uri.clone();
    let markdown = server.state().support.hover_markdown;
    server
        .at_position_in("hover", &at, move |this, snap, analysis, offset, enc| {
            // The stage a Compose file builds (`build.target`) is the one shipped.
            let files = state::files_of(&this.state, &uri);
            let target = files
                .context
                .build_context
                .as_ref()
                .and_then(|b| b.compose_target());
            hover::hover_for_target(&snap.tree, &snap.rope, analysis, offset, target.as_deref())
                .map(|(range, text)| lsp::Hover {
                    contents: lsp::HoverContents::Markup(to_proto::markup(text, markdown)),
                    range: Some(to_proto::range(snap, range, enc)),
                })
        })
        .await
}
