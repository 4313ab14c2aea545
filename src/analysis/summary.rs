//! What the document-level rules read of every stage, kept with the
//! stage's part while its text is unchanged ([`super::Analysis::update`]):
//! a rule over the whole document (the casing majority, the final stage's
//! lineage) reads these instead of walking every stage's tree again.

use tree_sitter::Node;

use crate::syntax::{views, Source};

/// One stage's summary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StageSummary {
    /// A filter of the instruction kinds the stage holds: one bit per
    /// kind, chosen by a hash of its name (two kinds may share a bit).
    kinds: u64,
    /// Instruction keywords written in lower case (`k == k.to_lowercase()`),
    /// in upper case, and not so.
    pub lower: u32,
    pub upper: u32,
    pub not_lower: u32,
    pub not_upper: u32,
    /// The WORKDIR values as written, in order.
    pub workdirs: Vec<String>,
    /// Whether a COPY or ADD copies from the build context (has no
    /// `--from` with a value).
    pub context_copies: bool,
}

/// The bit of an instruction kind in [`StageSummary`]'s filter.
fn kind_bit(kind: &str) -> u64 {
    // FNV-1a
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in kind.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    1 << (h % 64)
}

impl StageSummary {
    pub fn read<S: Source + ?Sized>(stage: Node, source: &S) -> StageSummary {
        let mut out = StageSummary::default();
        for instruction in views::stage_instructions(stage) {
            let kind = instruction.kind();
            out.kinds |= kind_bit(kind);
            if let Some(keyword) = instruction.child(0) {
                let k = source.text(keyword.byte_range());
                let lower = *k == k.to_lowercase();
                let upper = *k == k.to_uppercase();
                out.lower += u32::from(lower);
                out.upper += u32::from(upper);
                out.not_lower += u32::from(!lower);
                out.not_upper += u32::from(!upper);
            }
            if let Some(value) = views::workdir_value(instruction) {
                out.workdirs
                    .push(source.text(value.byte_range()).into_owned());
            }
            if views::is_copy(instruction) && views::copy_from_value(instruction, source).is_none()
            {
                out.context_copies = true;
            }
        }
        out
    }

    /// False when the stage has no instruction of this kind (true when it
    /// may have one).
    pub fn may_have(&self, kind: &str) -> bool {
        self.kinds & kind_bit(kind) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax;

    fn summary(src: &str) -> StageSummary {
        let tree = syntax::parse(src);
        let (stage, _) = views::stages(&tree)[0];
        StageSummary::read(stage, src)
    }

    #[test]
    fn kinds_counts_workdirs_and_copies() {
        let s = summary("FROM a\nrun x\nWorkdir /a\nWORKDIR \"b c\"\nCOPY --from=x / /\n");
        assert!(s.may_have("from_instruction"));
        assert!(s.may_have("workdir_instruction"));
        assert!(!s.may_have("healthcheck_instruction"));
        assert_eq!((s.lower, s.upper, s.not_lower, s.not_upper), (1, 3, 4, 2));
        assert_eq!(s.workdirs, ["/a", "\"b c\""]);
        assert!(!s.context_copies);
        assert!(summary("FROM a\nCOPY . .\n").context_copies);
        assert!(summary("FROM a\nADD --from= x /\n").context_copies);
    }
}
