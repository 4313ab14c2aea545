//! Flags: unknown ones, labs-only ones, and every flag value BuildKit parses.

pub const CASES: &[super::Case] = &[];
