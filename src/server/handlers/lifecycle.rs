//! `initialize` and `initialized`.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types as lsp;

use crate::server::capabilities::{server_capabilities, ClientSupport};
use crate::server::from_proto::file_path;
use crate::server::Backend;

/// The files around a Dockerfile that its diagnostics, hovers and actions
/// read: when one changes, they are read again.
const WATCHED: &[&str] = &[
    "**/.dockerignore",
    "**/*.dockerignore",
    "**/.dockerfile-lsp.toml",
    "**/package.json",
    "**/next.config.{js,mjs,cjs,ts}",
    "**/{compose,docker-compose}*.{yml,yaml}",
];

pub(in crate::server) fn initialize(
    server: &Backend,
    params: lsp::InitializeParams,
) -> Result<lsp::InitializeResult> {
    #[allow(deprecated)] // rootUri: what clients without folders send
    let roots: Vec<std::path::PathBuf> = match &params.workspace_folders {
        Some(folders) => folders.iter().filter_map(|f| file_path(&f.uri)).collect(),
        None => params.root_uri.iter().filter_map(file_path).collect(),
    };
    let support = ClientSupport::of(&params.capabilities);
    {
        let mut state = server.state();
        state.support = support;
        state.roots = roots;
        if let Some(options) = &params.initialization_options {
            state.set_settings(options);
        }
    }
    Ok(lsp::InitializeResult {
        capabilities: server_capabilities(&support),
        server_info: Some(lsp::ServerInfo {
            name: "dockerfile-lsp".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        offset_encoding: None,
    })
}

/// Asks a client that can be asked to tell the server when the files
/// around a Dockerfile change (others: those files are read again on save).
pub(in crate::server) async fn initialized(server: &Backend) {
    tracing::info!("initialized");
    if !server.state().support.watched_files {
        return;
    }
    let options = lsp::DidChangeWatchedFilesRegistrationOptions {
        watchers: WATCHED
            .iter()
            .map(|glob| lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String(glob.to_string()),
                kind: None,
            })
            .collect(),
    };
    let registration = lsp::Registration {
        id: "dockerfile-lsp/watched-files".into(),
        method: "workspace/didChangeWatchedFiles".into(),
        register_options: serde_json::to_value(options).ok(),
    };
    if let Err(e) = server.client.register_capability(vec![registration]).await {
        tracing::info!("the client did not take the file watchers: {}", e.message);
    }
}
