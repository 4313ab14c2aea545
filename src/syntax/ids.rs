//! Node kind and field ids, looked up once: comparing ids is much cheaper
//! than `Node::kind()` (which measures and checks a C string every call)
//! or looking a field up by name.

use std::num::NonZeroU16;
use std::sync::OnceLock;

pub struct Ids {
    pub stage: u16,
    pub variable: u16,
    pub shell_fragment: u16,
    pub heredoc_block: u16,
    pub line_continuation: u16,
    pub comment: u16,
    pub mount_flag: u16,
    pub end_of_flags: u16,
    pub arg_instruction: u16,
    pub env_instruction: u16,
    pub field_flag: NonZeroU16,
    pub field_name: NonZeroU16,
    pub field_value: NonZeroU16,
    pub field_option: NonZeroU16,
    pub field_key: NonZeroU16,
    instructions: Vec<bool>,
}

impl Ids {
    /// Whether a kind id is an instruction's.
    pub fn is_instruction(&self, kind_id: u16) -> bool {
        self.instructions
            .get(kind_id as usize)
            .copied()
            .unwrap_or(false)
    }
}

pub fn ids() -> &'static Ids {
    static IDS: OnceLock<Ids> = OnceLock::new();
    IDS.get_or_init(|| {
        let language = super::language();
        let kind = |name: &str| language.id_for_node_kind(name, true);
        let field = |name: &str| {
            language
                .field_id_for_name(name)
                .unwrap_or_else(|| panic!("the grammar has a field `{name}`"))
        };
        let mut instructions = vec![false; language.node_kind_count()];
        for id in 0..language.node_kind_count() as u16 {
            if language
                .node_kind_for_id(id)
                .is_some_and(super::is_instruction_kind)
                && language.node_kind_is_named(id)
            {
                instructions[id as usize] = true;
            }
        }
        Ids {
            stage: kind("stage"),
            variable: kind("variable"),
            shell_fragment: kind("shell_fragment"),
            heredoc_block: kind("heredoc_block"),
            line_continuation: kind("line_continuation"),
            comment: kind("comment"),
            mount_flag: kind("mount_flag"),
            end_of_flags: kind("end_of_flags"),
            arg_instruction: kind("arg_instruction"),
            env_instruction: kind("env_instruction"),
            field_flag: field("flag"),
            field_name: field("name"),
            field_value: field("value"),
            field_option: field("option"),
            field_key: field("key"),
            instructions,
        }
    })
}
