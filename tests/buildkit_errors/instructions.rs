//! Each instruction's arguments: counts, forms, keys, signals, heredocs.

pub const CASES: &[super::Case] = &[];
