//! Parser directives and the parser's own errors.

pub const CASES: &[super::Case] = &[];
