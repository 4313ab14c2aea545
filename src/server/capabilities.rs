//! What the client can take, read once from its `initialize` capabilities.
//! Every conversion to the protocol asks this, so a capability the client
//! does not announce is never relied on: the LSP default of a missing
//! capability is "not supported".

use tower_lsp_server::ls_types as lsp;

use crate::document::Encoding;

/// The client's capabilities, as the server uses them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientSupport {
    /// The position encoding negotiated from `general.positionEncodings`.
    pub encoding: Encoding,
    /// `hover.contentFormat` offers markdown (else plain text).
    pub hover_markdown: bool,
    pub completion: CompletionSupport,
    pub diagnostics: DiagnosticSupport,
    pub edits: EditSupport,
    /// `codeAction.codeActionLiteralSupport`: code actions as literals;
    /// without it the client takes only commands.
    pub code_action_literals: bool,
    /// `codeAction.isPreferredSupport`.
    pub preferred_actions: bool,
    /// `documentSymbol.hierarchicalDocumentSymbolSupport` (else a flat
    /// list of `SymbolInformation`).
    pub nested_symbols: bool,
    /// `foldingRange.rangeLimit`: at most this many ranges.
    pub folding_limit: Option<u32>,
    /// `foldingRange.foldingRangeKind.valueSet`: the comment kind, the
    /// region kind.
    pub folding_kinds: (bool, bool),
    /// `rename.prepareSupport`.
    pub prepare_rename: bool,
    /// `workspace.didChangeWatchedFiles.dynamicRegistration`: the server
    /// can ask to be told when the files around a Dockerfile change.
    pub watched_files: bool,
}

/// `textDocument.completion.completionItem`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompletionSupport {
    /// `snippetSupport`: tab stops and placeholders.
    pub snippets: bool,
    /// `documentationFormat` offers markdown.
    pub markdown: bool,
    /// `insertReplaceSupport`: an edit with both an insert and a replace range.
    pub insert_replace: bool,
    /// `labelDetailsSupport`.
    pub label_details: bool,
    /// `tagSupport` with the deprecated tag.
    pub deprecated_tag: bool,
    /// `deprecatedSupport`: the older `deprecated` property.
    pub deprecated_property: bool,
}

/// `textDocument.publishDiagnostics`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiagnosticSupport {
    /// `relatedInformation` (else the related places are told in the message).
    pub related_information: bool,
    /// `codeDescriptionSupport`: a link to the rule's docs.
    pub code_description: bool,
    /// `tagSupport` with the unnecessary tag (faded code).
    pub unnecessary_tag: bool,
}

/// What the client's WorkspaceEdits may hold (its `workspace.workspaceEdit`
/// capabilities), and whether it shows disabled code actions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EditSupport {
    /// `textDocument.codeAction.disabledSupport`.
    pub disabled_actions: bool,
    /// Versioned `documentChanges` (else only the `changes` map).
    pub document_changes: bool,
    /// A `create` resource operation in `documentChanges`.
    pub create_files: bool,
}

impl ClientSupport {
    pub fn of(caps: &lsp::ClientCapabilities) -> ClientSupport {
        let offered = caps
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.clone())
            .unwrap_or_default();
        let text = caps.text_document.as_ref();
        let markdown = |formats: Option<&Vec<lsp::MarkupKind>>| {
            formats.is_some_and(|f| f.contains(&lsp::MarkupKind::Markdown))
        };
        let item = text
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref());
        let yes = |flag: Option<bool>| flag == Some(true);
        let completion = CompletionSupport {
            snippets: yes(item.and_then(|i| i.snippet_support)),
            markdown: markdown(item.and_then(|i| i.documentation_format.as_ref())),
            insert_replace: yes(item.and_then(|i| i.insert_replace_support)),
            label_details: yes(item.and_then(|i| i.label_details_support)),
            deprecated_tag: item
                .and_then(|i| i.tag_support.as_ref())
                .is_some_and(|t| t.value_set.contains(&lsp::CompletionItemTag::DEPRECATED)),
            deprecated_property: yes(item.and_then(|i| i.deprecated_support)),
        };
        let publish = text.and_then(|t| t.publish_diagnostics.as_ref());
        let diagnostics = DiagnosticSupport {
            related_information: yes(publish.and_then(|p| p.related_information)),
            code_description: yes(publish.and_then(|p| p.code_description_support)),
            unnecessary_tag: publish
                .and_then(|p| p.tag_support.as_ref())
                .is_some_and(|t| t.value_set.contains(&lsp::DiagnosticTag::UNNECESSARY)),
        };
        let code_action = text.and_then(|t| t.code_action.as_ref());
        let workspace_edit = caps
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref());
        let edits = EditSupport {
            disabled_actions: yes(code_action.and_then(|c| c.disabled_support)),
            document_changes: yes(workspace_edit.and_then(|w| w.document_changes)),
            create_files: workspace_edit
                .and_then(|w| w.resource_operations.as_ref())
                .is_some_and(|ops| ops.contains(&lsp::ResourceOperationKind::Create)),
        };
        let folding = text.and_then(|t| t.folding_range.as_ref());
        let folding_kinds = folding
            .and_then(|f| f.folding_range_kind.as_ref())
            .and_then(|k| k.value_set.as_ref());
        let folding_kind =
            |kind: lsp::FoldingRangeKind| folding_kinds.is_some_and(|set| set.contains(&kind));
        ClientSupport {
            encoding: negotiate_encoding(&offered),
            hover_markdown: markdown(
                text.and_then(|t| t.hover.as_ref())
                    .and_then(|h| h.content_format.as_ref()),
            ),
            completion,
            diagnostics,
            edits,
            code_action_literals: code_action
                .is_some_and(|c| c.code_action_literal_support.is_some()),
            preferred_actions: yes(code_action.and_then(|c| c.is_preferred_support)),
            nested_symbols: yes(text
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|s| s.hierarchical_document_symbol_support)),
            folding_limit: folding.and_then(|f| f.range_limit),
            folding_kinds: (
                folding_kind(lsp::FoldingRangeKind::Comment),
                folding_kind(lsp::FoldingRangeKind::Region),
            ),
            prepare_rename: yes(text
                .and_then(|t| t.rename.as_ref())
                .and_then(|r| r.prepare_support)),
            watched_files: yes(caps
                .workspace
                .as_ref()
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)),
        }
    }
}

/// The command a client without code action literals runs for an action:
/// its one argument is the action's WorkspaceEdit.
pub const APPLY_EDIT_COMMAND: &str = "dockerfile-lsp.applyEdit";

/// What the server offers this client.
pub fn server_capabilities(support: &ClientSupport) -> lsp::ServerCapabilities {
    let encoding = support.encoding;
    lsp::ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
            Encoding::Utf32 => lsp::PositionEncodingKind::UTF32,
        }),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                // files around a Dockerfile may change with it
                save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        definition_provider: Some(lsp::OneOf::Left(true)),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(["-", "=", "$", "{", ","].map(String::from).to_vec()),
            resolve_provider: Some(true),
            ..Default::default()
        }),
        references_provider: Some(lsp::OneOf::Left(true)),
        document_highlight_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(if support.prepare_rename {
            lsp::OneOf::Right(lsp::RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: Default::default(),
            })
        } else {
            lsp::OneOf::Left(true)
        }),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(
            lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
                lsp::SemanticTokensOptions {
                    legend: lsp::SemanticTokensLegend {
                        token_types: crate::features::semantic_tokens::TOKEN_TYPES
                            .iter()
                            .map(|t| lsp::SemanticTokenType::new(t))
                            .collect(),
                        token_modifiers: crate::features::semantic_tokens::TOKEN_MODIFIERS
                            .iter()
                            .map(|m| lsp::SemanticTokenModifier::new(m))
                            .collect(),
                    },
                    full: Some(lsp::SemanticTokensFullOptions::Delta { delta: Some(true) }),
                    range: Some(true),
                    ..Default::default()
                },
            ),
        ),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp::CodeActionKind::QUICKFIX,
                    lsp::CodeActionKind::REFACTOR_REWRITE,
                ]),
                ..Default::default()
            },
        )),
        // A client without code action literals takes commands,
        // which the server carries out with `workspace/applyEdit`.
        execute_command_provider: (!support.code_action_literals).then(|| {
            lsp::ExecuteCommandOptions {
                commands: vec![APPLY_EDIT_COMMAND.to_string()],
                ..Default::default()
            }
        }),
        ..Default::default()
    }
}

/// UTF-8 when the client offers it (no conversion at all), else UTF-16,
/// which every client supports.
pub fn negotiate_encoding(offered: &[lsp::PositionEncodingKind]) -> Encoding {
    if offered.contains(&lsp::PositionEncodingKind::UTF8) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn support(caps: serde_json::Value) -> ClientSupport {
        ClientSupport::of(&serde_json::from_value(caps).unwrap())
    }

    #[test]
    fn prefers_utf8_and_falls_back_to_utf16() {
        use lsp::PositionEncodingKind as K;
        assert_eq!(negotiate_encoding(&[K::UTF16, K::UTF8]), Encoding::Utf8);
        assert_eq!(negotiate_encoding(&[K::UTF32]), Encoding::Utf16);
        assert_eq!(negotiate_encoding(&[]), Encoding::Utf16);
    }

    #[test]
    fn a_client_that_announces_nothing_gets_nothing_optional() {
        let none = support(serde_json::json!({}));
        assert_eq!(none, ClientSupport::default());
    }

    #[test]
    fn each_capability_is_read_from_where_the_specification_puts_it() {
        let all = support(serde_json::json!({
            "general": { "positionEncodings": ["utf-8"] },
            "workspace": { "workspaceEdit": {
                "documentChanges": true, "resourceOperations": ["create"] },
                "didChangeWatchedFiles": { "dynamicRegistration": true } },
            "textDocument": {
                "hover": { "contentFormat": ["plaintext", "markdown"] },
                "completion": { "completionItem": {
                    "snippetSupport": true, "documentationFormat": ["markdown"],
                    "insertReplaceSupport": true, "labelDetailsSupport": true,
                    "tagSupport": { "valueSet": [1] }, "deprecatedSupport": true } },
                "publishDiagnostics": { "relatedInformation": true,
                    "codeDescriptionSupport": true, "tagSupport": { "valueSet": [1, 2] } },
                "codeAction": { "disabledSupport": true, "isPreferredSupport": true,
                    "codeActionLiteralSupport": { "codeActionKind": { "valueSet": [] } } },
                "documentSymbol": { "hierarchicalDocumentSymbolSupport": true },
                "foldingRange": { "rangeLimit": 10,
                    "foldingRangeKind": { "valueSet": ["comment", "region"] } },
                "rename": { "prepareSupport": true }
            }
        }));
        assert_eq!(
            all,
            ClientSupport {
                encoding: Encoding::Utf8,
                hover_markdown: true,
                completion: CompletionSupport {
                    snippets: true,
                    markdown: true,
                    insert_replace: true,
                    label_details: true,
                    deprecated_tag: true,
                    deprecated_property: true,
                },
                diagnostics: DiagnosticSupport {
                    related_information: true,
                    code_description: true,
                    unnecessary_tag: true,
                },
                edits: EditSupport {
                    disabled_actions: true,
                    document_changes: true,
                    create_files: true,
                },
                code_action_literals: true,
                preferred_actions: true,
                nested_symbols: true,
                folding_limit: Some(10),
                folding_kinds: (true, true),
                prepare_rename: true,
                watched_files: true,
            }
        );
        // plain text only: no markdown even though hover is announced
        let plain = support(serde_json::json!({
            "textDocument": { "hover": { "contentFormat": ["plaintext"] } }
        }));
        assert!(!plain.hover_markdown);
    }
}
