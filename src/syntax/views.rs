//! Typed views over instruction nodes: the rest of the server asks these
//! instead of knowing node kinds and field names.

use tree_sitter::Node;

use super::ids::ids;
use super::{logical_text, Source};

/// The instruction keyword, upper case (`RUN`, `FROM`, ...).
pub fn keyword<S: Source + ?Sized>(instruction: Node, source: &S) -> String {
    instruction
        .child(0)
        .map(|k| source.text(k.byte_range()).to_ascii_uppercase())
        .unwrap_or_default()
}

/// The instruction a node belongs to (the node itself if it is one).
pub fn enclosing_instruction(mut node: Node) -> Option<Node> {
    let ids = ids();
    loop {
        if ids.is_instruction(node.kind_id()) {
            return Some(node);
        }
        node = node.parent()?;
    }
}

/// A `--name[=value]` flag of an instruction.
#[derive(Clone, Debug)]
pub struct Flag<'t> {
    pub node: Node<'t>,
    /// The name without the leading `--`.
    pub name: String,
    pub value: Option<Node<'t>>,
    /// For `--mount`: the `key=value` options.
    pub options: Vec<MountOption<'t>>,
}

#[derive(Clone, Debug)]
pub struct MountOption<'t> {
    pub key: String,
    pub value: Option<Node<'t>>,
}

pub fn flags<'t, S: Source + ?Sized>(instruction: Node<'t>, source: &S) -> Vec<Flag<'t>> {
    let mut out = Vec::new();
    let mut cursor = instruction.walk();
    for node in instruction.children_by_field_name("flag", &mut cursor) {
        if node.kind() == "end_of_flags" {
            continue;
        }
        let name = node
            .child_by_field_name("name")
            .map(|n| {
                source
                    .text(n.byte_range())
                    .trim_start_matches('-')
                    .to_string()
            })
            .unwrap_or_default();
        let mut options = Vec::new();
        if node.kind() == "mount_flag" {
            let mut inner = node.walk();
            for option in node.children_by_field_name("option", &mut inner) {
                let key = option
                    .child_by_field_name("key")
                    .map(|k| logical_text(k, source))
                    .unwrap_or_default();
                options.push(MountOption {
                    key,
                    value: option.child_by_field_name("value"),
                });
            }
        }
        out.push(Flag {
            node,
            name,
            value: node.child_by_field_name("value"),
            options,
        });
    }
    out
}

/// The `FROM` instruction's parts.
pub struct From<'t> {
    pub node: Node<'t>,
    pub image: Option<Node<'t>>,
    /// The image name part (without tag or digest).
    pub image_name: Option<Node<'t>>,
    pub has_tag_or_digest: bool,
    pub stage_name: Option<Node<'t>>,
}

pub fn from_instruction(node: Node<'_>) -> From<'_> {
    let image = node.child_by_field_name("image");
    From {
        node,
        image,
        image_name: image.and_then(|i| i.child_by_field_name("name")),
        has_tag_or_digest: image.is_some_and(|i| {
            i.child_by_field_name("tag").is_some() || i.child_by_field_name("digest").is_some()
        }),
        stage_name: node.child_by_field_name("name"),
    }
}

/// The stages of a document: each `stage` node with its FROM.
pub fn stages(tree: &tree_sitter::Tree) -> Vec<(Node<'_>, Node<'_>)> {
    let stage = ids().stage;
    let mut cursor = tree.root_node().walk();
    tree.root_node()
        .named_children(&mut cursor)
        .filter(|n| n.kind_id() == stage)
        .filter_map(|stage| stage.child_by_field_name("from").map(|from| (stage, from)))
        .collect()
}

/// The instructions of a stage (its FROM first).
pub fn stage_instructions(stage: Node<'_>) -> Vec<Node<'_>> {
    let ids = ids();
    let mut cursor = stage.walk();
    stage
        .named_children(&mut cursor)
        .filter(|n| ids.is_instruction(n.kind_id()))
        .collect()
}

/// A WORKDIR's path node.
pub fn workdir_value(instruction: Node<'_>) -> Option<Node<'_>> {
    (instruction.kind() == "workdir_instruction")
        .then(|| instruction.child_by_field_name("value"))
        .flatten()
}

/// Whether the instruction is a COPY or an ADD.
pub fn is_copy(instruction: Node) -> bool {
    matches!(instruction.kind(), "copy_instruction" | "add_instruction")
}

/// The value of a COPY's (or ADD's) first `--from` flag, when it has one.
pub fn copy_from_value<'t, S: Source + ?Sized>(
    instruction: Node<'t>,
    source: &S,
) -> Option<Node<'t>> {
    flags(instruction, source)
        .into_iter()
        .find(|f| f.name == "from")
        .and_then(|f| f.value)
}
