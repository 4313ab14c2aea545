//! Folding ranges, whole lines.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types as lsp;

use crate::document::position;
use crate::features::folding;
use crate::server::Backend;

pub(in crate::server) async fn folding_range(
    server: &Backend,
    params: lsp::FoldingRangeParams,
) -> Result<Option<Vec<lsp::FoldingRange>>> {
    let (snap, _) = server.snapshot(&params.text_document.uri)?;
    let (limit, (comment_kind, region_kind)) = {
        let state = server.state();
        (state.support.folding_limit, state.support.folding_kinds)
    };
    server
        .limited("foldingRange", move |_| {
            let ranges = folding::folding_ranges(&snap.tree)
                .into_iter()
                .filter_map(|(r, kind)| {
                    // Folds are whole lines: line numbers only, no columns.
                    let (start_line, end_line) = position::line_span(&snap.rope, r)?;
                    Some(lsp::FoldingRange {
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
