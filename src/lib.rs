//! dockerfile-lsp: a language server for Dockerfiles.
//!
//! Layers, each knowing only the one below (see `../shared/DESIGN.md`):
//! the grammar crate (`grammar/`), [`syntax`] (the only module that knows
//! node kinds), then analysis, features and rules, then the protocol glue.

pub mod analysis;
pub mod cli;
pub mod config;
pub mod diagnostics;
pub mod document;
pub mod features;
#[cfg(feature = "fuzzing")]
pub mod robustness;
pub mod rules;
pub mod server;
pub mod syntax;
pub mod transport;
