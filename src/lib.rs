//! dockerfile-lsp: a language server for Dockerfiles.
//!
//! Layers, each knowing only the one below (see `../shared/DESIGN.md`):
//! the grammar crate (`grammar/`), [`syntax`] (the only module that knows
//! node kinds), then analysis, features and rules, then the protocol glue.

pub mod analysis;
pub mod build_context;
pub mod cli;
pub mod config;
pub mod diagnostic_types;
pub mod diagnostics;
pub mod document;
pub mod features;
pub mod files;
#[cfg(feature = "fuzzing")]
pub mod robustness;
pub mod rule_codes;
pub mod rules;
pub mod server;
pub mod syntax;
pub mod transport;
