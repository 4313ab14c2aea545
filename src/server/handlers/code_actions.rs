//! Code actions: the quick fixes of the diagnostics in range, the split
//! into stages (or why it is not offered), "Create .dockerignore"; as
//! literals, or as commands for a client without literals.

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{self as lsp, Uri};

use crate::config::Config;
use crate::diagnostics::{self, Diagnostic};
use crate::document::{position, Encoding, Snapshot};
use crate::features::{code_actions, create_dockerignore, split_stages};
use crate::server::capabilities::{ClientSupport, EditSupport, APPLY_EDIT_COMMAND};
use crate::server::{from_proto, request_failed, state, to_proto, Backend};
use crate::syntax;

pub(in crate::server) async fn code_action(
    server: &Backend,
    params: lsp::CodeActionParams,
) -> Result<Option<lsp::CodeActionResponse>> {
    let uri = params.text_document.uri;
    let (snap, enc) = server.snapshot(&uri)?;
    server
        .limited("codeAction", move |this| {
            let found = state::diagnostics_of(&this.state, &uri, &snap);
            let range = from_proto::range(&snap, params.range, enc);
            let (config, client) = {
                let state = this.state();
                (state.settings.clone(), state.support)
            };
            let support = client.edits;
            // The files around the Dockerfile, as the diagnostics read them.
            let files = state::files_of(&this.state, &uri);
            let build = files.context.build_context.clone();
            let split = split_stages::split_with(
                &snap.tree,
                &snap.rope,
                build.as_ref(),
                support.document_changes && support.create_files,
            )
            .map_or_else(
                |not| not_offered_action(not, &snap, support),
                |split| split_action(split, build.as_ref(), &uri, &snap, enc, support),
            );
            let mut actions: Vec<lsp::CodeAction> =
                code_actions::code_actions(&snap.tree, &snap.rope, &found, range)
                    .into_iter()
                    .map(|a| {
                        let edits = a
                            .fix
                            .edits
                            .iter()
                            .map(|e| {
                                lsp::TextEdit::new(
                                    to_proto::range(&snap, e.range.clone(), enc),
                                    e.text.clone(),
                                )
                            })
                            .collect();
                        lsp::CodeAction {
                            title: a.fix.title,
                            kind: Some(lsp::CodeActionKind::QUICKFIX),
                            diagnostics: Some(vec![to_proto::diagnostic(
                                &uri,
                                &snap,
                                &found[a.diagnostic],
                                enc,
                                &config,
                                client.diagnostics,
                            )]),
                            edit: to_proto::workspace_edit(
                                vec![to_proto::FileChange::Edit {
                                    uri: uri.clone(),
                                    version: Some(snap.version),
                                    edits,
                                }],
                                support,
                            ),
                            is_preferred: client.preferred_actions.then_some(a.preferred),
                            ..Default::default()
                        }
                    })
                    .collect();
            actions.extend(split);
            if let Some(build) = &build {
                actions.extend(create_dockerignore_action(
                    build, &uri, &snap, &found, enc, &config, client,
                ));
            }
            let actions: Vec<lsp::CodeActionOrCommand> = if client.code_action_literals {
                actions
                    .into_iter()
                    .map(lsp::CodeActionOrCommand::CodeAction)
                    .collect()
            } else {
                // Commands only: each carries its edit, applied by
                // `workspace/executeCommand`; a disabled action is no command.
                actions
                    .into_iter()
                    .filter_map(|a| {
                        let edit = a.edit?;
                        Some(lsp::CodeActionOrCommand::Command(lsp::Command {
                            title: a.title,
                            command: APPLY_EDIT_COMMAND.to_string(),
                            arguments: Some(vec![serde_json::to_value(edit).ok()?]),
                        }))
                    })
                    .collect()
            };
            (!actions.is_empty()).then_some(actions)
        })
        .await
}

pub(in crate::server) async fn execute_command(
    server: &Backend,
    params: lsp::ExecuteCommandParams,
) -> Result<Option<serde_json::Value>> {
    if params.command != APPLY_EDIT_COMMAND {
        return Err(Error::invalid_params(format!(
            "unknown command {:?}: this server has only {APPLY_EDIT_COMMAND:?}",
            params.command
        )));
    }
    let edit = params
        .arguments
        .into_iter()
        .next()
        .and_then(|a| serde_json::from_value::<lsp::WorkspaceEdit>(a).ok())
        .ok_or_else(|| {
            Error::invalid_params(format!("{APPLY_EDIT_COMMAND} takes one WorkspaceEdit"))
        })?;
    match server.client.apply_edit(edit).await {
        Ok(reply) if reply.applied => Ok(None),
        Ok(reply) => Err(request_failed(format!(
            "the editor did not apply the edit{}",
            reply
                .failure_reason
                .map(|r| format!(": {r}"))
                .unwrap_or_default()
        ))),
        Err(e) => Err(request_failed(format!(
            "the edit could not be sent: {}",
            e.message
        ))),
    }
}

/// "Create .dockerignore" for a Dockerfile on disk whose build context has
/// none: creates the file (never over an existing one) with content tuned
/// to the Dockerfile's stacks.
fn create_dockerignore_action(
    build: &diagnostics::BuildContext,
    uri: &Uri,
    snap: &Snapshot,
    found: &[Diagnostic],
    enc: Encoding,
    config: &Config,
    client: ClientSupport,
) -> Option<lsp::CodeAction> {
    if build.dockerignore_path.is_some() {
        return None;
    }
    let target = Uri::from_file_path(build.dir.join(".dockerignore"))?;
    let content = create_dockerignore::content(&snap.tree, &snap.rope);
    let reported: Vec<lsp::Diagnostic> = found
        .iter()
        .filter(|d| d.code == "NoDockerignore")
        .map(|d| to_proto::diagnostic(uri, snap, d, enc, config, client.diagnostics))
        .collect();
    let edit = to_proto::workspace_edit(
        vec![
            to_proto::FileChange::Create {
                uri: target.clone(),
            },
            to_proto::FileChange::Edit {
                uri: target,
                version: None,
                edits: vec![lsp::TextEdit::new(lsp::Range::default(), content)],
            },
        ],
        client.edits,
    )?;
    Some(lsp::CodeAction {
        title: create_dockerignore::TITLE.to_string(),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        diagnostics: (!reported.is_empty()).then_some(reported),
        edit: Some(edit),
        ..Default::default()
    })
}

/// Edits to one document at the version they were computed for: the
/// client applies them whole or not at all.
/// The split rewrite as a code action: the whole document replaced, and
/// the Next.js config edited or created in the same WorkspaceEdit, so the
/// client applies both or neither.
fn split_action(
    split: split_stages::Split,
    build: Option<&diagnostics::BuildContext>,
    uri: &Uri,
    snap: &Snapshot,
    enc: Encoding,
    support: EditSupport,
) -> Option<lsp::CodeAction> {
    let whole = to_proto::range(snap, 0..snap.rope.len_bytes(), enc);
    let mut changes = vec![to_proto::FileChange::Edit {
        uri: uri.clone(),
        version: Some(snap.version),
        edits: vec![lsp::TextEdit::new(whole, split.text)],
    }];
    if let Some(change) = split.config {
        let build = build?;
        let target = Uri::from_file_path(build.dir.join(&change.file))?;
        let at = if change.create {
            changes.push(to_proto::FileChange::Create {
                uri: target.clone(),
            });
            lsp::Position::default()
        } else {
            let current = std::fs::read_to_string(build.dir.join(&change.file)).ok()?;
            let rope = ropey::Rope::from_str(&current);
            to_proto::position(position::to_position(&rope, change.offset, enc))
        };
        changes.push(to_proto::FileChange::Edit {
            uri: target,
            version: None,
            edits: vec![lsp::TextEdit::new(lsp::Range::new(at, at), change.insert)],
        });
    }
    Some(lsp::CodeAction {
        title: split.title,
        kind: Some(lsp::CodeActionKind::REFACTOR_REWRITE),
        edit: Some(to_proto::workspace_edit(changes, support)?),
        ..Default::default()
    })
}

/// The split, not offered, as a disabled action that says why: only to a
/// client that shows disabled actions (`codeAction.disabledSupport`: the
/// refactor menu greys it out with the reason; the light bulb hides it),
/// and only on a single-stage file, where the split is what one expects.
fn not_offered_action(
    not: split_stages::NotOffered,
    snap: &Snapshot,
    support: EditSupport,
) -> Option<lsp::CodeAction> {
    let single_stage = syntax::views::stages(&snap.tree).len() == 1;
    (support.disabled_actions && single_stage && !snap.tree.root_node().has_error()).then(|| {
        lsp::CodeAction {
            title: split_stages::TITLE.to_string(),
            kind: Some(lsp::CodeActionKind::REFACTOR_REWRITE),
            disabled: Some(lsp::CodeActionDisabled { reason: not.reason }),
            ..Default::default()
        }
    })
}
