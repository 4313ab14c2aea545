//! Conversions to the protocol: ranges and positions in the negotiated
//! encoding, diagnostics, completion items, symbols, markup and
//! WorkspaceEdits, each in the form the client announced it takes.

use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::capabilities::EditSupport;
use super::markup;
use crate::config::Config;
use crate::diagnostics::{self, Diagnostic, Severity};
use crate::document::{position, Encoding, Position, Snapshot};
use crate::features::{completion, symbols};

/// LSP's token records from our flat five-numbers-per-token data.
pub(super) fn tokens(data: &[u32]) -> Vec<lsp::SemanticToken> {
    data.chunks_exact(5)
        .map(|t| lsp::SemanticToken {
            delta_line: t[0],
            delta_start: t[1],
            length: t[2],
            token_type: t[3],
            token_modifiers_bitset: t[4],
        })
        .collect()
}

pub(super) fn range(
    snapshot: &Snapshot,
    r: std::ops::Range<usize>,
    encoding: Encoding,
) -> lsp::Range {
    lsp::Range::new(
        position(position::to_position(&snapshot.rope, r.start, encoding)),
        position(position::to_position(&snapshot.rope, r.end, encoding)),
    )
}

pub(super) fn position(p: Position) -> lsp::Position {
    lsp::Position::new(p.line, p.character)
}

/// A diagnostic as the client takes it: related places as related
/// information where announced, else told in the message; the rule's docs
/// link and the faded-code tag only where announced.
pub(super) fn diagnostic(
    uri: &Uri,
    snapshot: &Snapshot,
    d: &Diagnostic,
    encoding: Encoding,
    config: &Config,
    support: super::capabilities::DiagnosticSupport,
) -> lsp::Diagnostic {
    let is_rule = crate::rules::find(d.code).is_some();
    let mut message = d.message.clone();
    if !support.related_information {
        for r in &d.related {
            let line = position::to_position(&snapshot.rope, r.range.start, encoding).line + 1;
            message.push_str(&format!("\nline {line}: {}", r.message));
        }
    }
    lsp::Diagnostic {
        range: range(snapshot, d.range.clone(), encoding),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
            Severity::Hint => lsp::DiagnosticSeverity::HINT,
        }),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        code_description: (is_rule && support.code_description)
            .then(|| diagnostics::docs_url(d.code, config).parse().ok())
            .flatten()
            .map(|href| lsp::CodeDescription { href }),
        source: Some(diagnostics::SOURCE.to_string()),
        message,
        related_information: (support.related_information && !d.related.is_empty()).then(|| {
            d.related
                .iter()
                .map(|r| lsp::DiagnosticRelatedInformation {
                    location: lsp::Location::new(
                        uri.clone(),
                        range(snapshot, r.range.clone(), encoding),
                    ),
                    message: r.message.clone(),
                })
                .collect()
        }),
        tags: (d.code == "UnusedStage" && support.unnecessary_tag)
            .then(|| vec![lsp::DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

/// Our markdown as the client takes it: as is, or rendered as plain text.
pub(super) fn markup(markdown: String, client_takes_markdown: bool) -> lsp::MarkupContent {
    if client_takes_markdown {
        lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: markdown,
        }
    } else {
        lsp::MarkupContent {
            kind: lsp::MarkupKind::PlainText,
            value: markup::plain(&markdown),
        }
    }
}

/// A completion item as the client takes it: a snippet only for a client
/// with snippets, an insert-and-replace edit only for one that takes it,
/// label details and the deprecated tag only where announced. Its
/// documentation comes with `completionItem/resolve`, by the key in `data`.
#[allow(deprecated)] // `deprecated`: for clients without tag support
pub(super) fn completion_item(
    snap: &Snapshot,
    i: completion::Item,
    enc: Encoding,
    support: super::capabilities::CompletionSupport,
) -> lsp::CompletionItem {
    let (text, format) = match (&i.snippet, support.snippets) {
        (Some(snippet), true) => (snippet.clone(), lsp::InsertTextFormat::SNIPPET),
        _ => (
            i.insert.clone().unwrap_or_else(|| i.label.clone()),
            lsp::InsertTextFormat::PLAIN_TEXT,
        ),
    };
    let insert = range(snap, i.replace.clone(), enc);
    let text_edit = if support.insert_replace && i.word_end > i.replace.end {
        lsp::CompletionTextEdit::InsertAndReplace(lsp::InsertReplaceEdit {
            new_text: text,
            insert,
            replace: range(snap, i.replace.start..i.word_end, enc),
        })
    } else {
        lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(insert, text))
    };
    lsp::CompletionItem {
        kind: Some(match i.kind {
            completion::ItemKind::Keyword => lsp::CompletionItemKind::KEYWORD,
            completion::ItemKind::Flag => lsp::CompletionItemKind::PROPERTY,
            completion::ItemKind::Stage => lsp::CompletionItemKind::MODULE,
            completion::ItemKind::Variable => lsp::CompletionItemKind::VARIABLE,
            completion::ItemKind::Directive => lsp::CompletionItemKind::KEYWORD,
            completion::ItemKind::Value => lsp::CompletionItemKind::VALUE,
        }),
        label_details: (support.label_details && i.detail.is_some()).then(|| {
            lsp::CompletionItemLabelDetails {
                detail: None,
                description: i.detail.clone(),
            }
        }),
        detail: i.detail,
        insert_text_format: Some(format),
        text_edit: Some(text_edit),
        tags: (i.deprecated && support.deprecated_tag)
            .then(|| vec![lsp::CompletionItemTag::DEPRECATED]),
        deprecated: (i.deprecated && !support.deprecated_tag && support.deprecated_property)
            .then_some(true),
        data: i.doc.map(|key| serde_json::json!({ "doc": key })),
        label: i.label,
        ..Default::default()
    }
}

fn symbol_kind(kind: symbols::SymbolKind) -> lsp::SymbolKind {
    match kind {
        symbols::SymbolKind::Stage => lsp::SymbolKind::MODULE,
        symbols::SymbolKind::Instruction => lsp::SymbolKind::FUNCTION,
    }
}

fn located_range(r: std::ops::Range<Position>) -> lsp::Range {
    lsp::Range::new(position(r.start), position(r.end))
}

/// An outline symbol (located in the client's encoding) and its children.
#[allow(deprecated)] // `deprecated` is a required field of DocumentSymbol
pub(super) fn symbol(s: symbols::Located) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: s.name,
        detail: s.detail,
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        range: located_range(s.range),
        selection_range: located_range(s.selection_range),
        children: (!s.children.is_empty()).then(|| s.children.into_iter().map(symbol).collect()),
    }
}

/// A symbol and its children as the flat `SymbolInformation` list of a
/// client without nested symbols, each child naming its container.
#[allow(deprecated)] // `deprecated` is a required field of SymbolInformation
pub(super) fn flat_symbol(
    uri: &Uri,
    s: symbols::Located,
    container: Option<&str>,
    out: &mut Vec<lsp::SymbolInformation>,
) {
    out.push(lsp::SymbolInformation {
        name: s.name.clone(),
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        location: lsp::Location::new(uri.clone(), located_range(s.range)),
        container_name: container.map(str::to_string),
    });
    for child in s.children {
        flat_symbol(uri, child, Some(&s.name), out);
    }
}

/// One part of a WorkspaceEdit.
pub(super) enum FileChange {
    Edit {
        uri: Uri,
        /// The document version the edits are for (open documents).
        version: Option<i32>,
        edits: Vec<lsp::TextEdit>,
    },
    /// Create an empty file (unless it exists), for the edits after it.
    Create { uri: Uri },
}

/// `changes` in the form the client applies: versioned `documentChanges`
/// when it supports them, else the plain `changes` map. `None` when the
/// client cannot apply them (a file to create without resource operations).
pub(super) fn workspace_edit(
    changes: Vec<FileChange>,
    support: EditSupport,
) -> Option<lsp::WorkspaceEdit> {
    let creates = changes
        .iter()
        .any(|c| matches!(c, FileChange::Create { .. }));
    if creates && !(support.document_changes && support.create_files) {
        return None;
    }
    if !support.document_changes {
        let mut map: std::collections::HashMap<Uri, Vec<lsp::TextEdit>> =
            std::collections::HashMap::new();
        for change in changes {
            if let FileChange::Edit { uri, edits, .. } = change {
                map.entry(uri).or_default().extend(edits);
            }
        }
        return Some(lsp::WorkspaceEdit {
            changes: Some(map),
            ..Default::default()
        });
    }
    let edit = |uri: Uri, version: Option<i32>, edits: Vec<lsp::TextEdit>| lsp::TextDocumentEdit {
        text_document: lsp::OptionalVersionedTextDocumentIdentifier { uri, version },
        edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
    };
    let document_changes = if creates {
        lsp::DocumentChanges::Operations(
            changes
                .into_iter()
                .map(|change| match change {
                    FileChange::Edit {
                        uri,
                        version,
                        edits,
                    } => lsp::DocumentChangeOperation::Edit(edit(uri, version, edits)),
                    FileChange::Create { uri } => {
                        lsp::DocumentChangeOperation::Op(lsp::ResourceOp::Create(lsp::CreateFile {
                            uri,
                            options: Some(lsp::CreateFileOptions {
                                overwrite: Some(false),
                                ignore_if_exists: Some(true),
                            }),
                            annotation_id: None,
                        }))
                    }
                })
                .collect(),
        )
    } else {
        lsp::DocumentChanges::Edits(
            changes
                .into_iter()
                .filter_map(|change| match change {
                    FileChange::Edit {
                        uri,
                        version,
                        edits,
                    } => Some(edit(uri, version, edits)),
                    FileChange::Create { .. } => None,
                })
                .collect(),
        )
    };
    Some(lsp::WorkspaceEdit {
        document_changes: Some(document_changes),
        ..Default::default()
    })
}
