//! Project facts on real shapes.

use super::*;
use crate::analysis::context::MemFiles;

fn w(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}
