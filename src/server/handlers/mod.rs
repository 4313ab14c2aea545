//! One handler per request kind: convert the request, call the feature,
//! convert the answer back. Documents change only in `sync.rs`.

pub(super) mod code_actions;
pub(super) mod completion;
pub(super) mod folding;
pub(super) mod hover;
pub(super) mod lifecycle;
pub(super) mod navigation;
pub(super) mod semantic_tokens;
pub(super) mod symbols;
pub(super) mod sync;
