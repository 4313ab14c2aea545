//! LSP features as plain functions over the analysed document. Each
//! returns our own small types located by byte offsets; `server.rs`
//! converts them to protocol types.

pub mod code_actions;
pub mod completion;
pub mod create_dockerignore;
pub mod docs;
pub mod folding;
pub mod hover;
pub mod navigation;
pub mod segments;
pub mod semantic_tokens;
pub mod split_check;
pub mod split_stages;
pub mod symbols;
