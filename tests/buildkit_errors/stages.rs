//! FROM and stages: arguments, names, variables, the stage graph.

pub const CASES: &[super::Case] = &[];
