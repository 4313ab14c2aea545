//! `RUN --mount` types and options.

pub const CASES: &[super::Case] = &[];
