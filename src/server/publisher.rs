//! The diagnostics publisher: one task takes the snapshots in the order the
//! notifications queued them, computes their diagnostics on the blocking
//! pool, and publishes them with the version they belong to, unless a
//! newer revision (or new settings) superseded them, checked before and
//! after computing and between two rules.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tower_lsp_server::ls_types::Uri;
use tower_lsp_server::Client;

use super::state::{current, diagnostics_until, State};
use super::{guarded, lock, to_proto};
use crate::document::Snapshot;

pub(super) enum Publish {
    /// Diagnostics for this snapshot, unless a newer revision superseded it.
    Snapshot(Uri, Snapshot),
    /// The document was closed: clear its diagnostics.
    Clear(Uri),
}

pub(super) async fn run(
    client: Client,
    state: Arc<Mutex<State>>,
    mut queue: mpsc::UnboundedReceiver<Publish>,
) {
    while let Some(item) = queue.recv().await {
        match item {
            Publish::Clear(_) if lock(&state).shut_down => continue,
            Publish::Clear(uri) => client.publish_diagnostics(uri, Vec::new(), None).await,
            Publish::Snapshot(uri, snapshot) => {
                if current(&state, &uri, snapshot.revision).is_none() {
                    continue;
                }
                let shared = state.clone();
                let version = snapshot.version;
                let work = tokio::task::spawn_blocking(move || {
                    let found = compute(&shared, &uri, &snapshot)?;
                    Some((uri, found))
                });
                if let Ok(Some((uri, found))) = work.await {
                    client.publish_diagnostics(uri, found, Some(version)).await;
                }
            }
        }
    }
}

/// The protocol's diagnostics of a snapshot, or `None` when a newer
/// revision or new settings (whose change queued this document again)
/// made them useless: stop between two rules rather than finish them, and
/// never publish them.
fn compute(
    state: &Mutex<State>,
    uri: &Uri,
    snapshot: &Snapshot,
) -> Option<Vec<tower_lsp_server::ls_types::Diagnostic>> {
    let (config, generation, support) = {
        let state = lock(state);
        (
            state.settings.clone(),
            state.settings_generation,
            state.support.diagnostics,
        )
    };
    let superseded = || {
        current(state, uri, snapshot.revision).is_none()
            || lock(state).settings_generation != generation
    };
    let computed = guarded("diagnostics", || {
        let encoding = current(state, uri, snapshot.revision)?;
        diagnostics_until(state, uri, snapshot, &superseded).map(|found| {
            found
                .iter()
                .map(|d| to_proto::diagnostic(uri, snapshot, d, encoding, &config, support))
                .collect::<Vec<_>>()
        })
    });
    let found = computed.ok()??;
    (!superseded()).then_some(found)
}
