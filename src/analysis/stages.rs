//! The stage graph: stages, their bases, and every reference to a stage
//! (`COPY --from=`, `FROM <stage>`, `RUN --mount=...,from=`, numeric
//! indexes), resolved as BuildKit does: names are compared without regard
//! to case, and only earlier stages can be referred to.

use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::Tree;

use crate::syntax::{self, views, Source};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    /// The name after `AS`, as written.
    pub name: Option<String>,
    pub name_range: Option<Range<usize>>,
    /// The FROM instruction.
    pub from_range: Range<usize>,
    /// The whole stage: its FROM and the lines up to the next FROM.
    pub range: Range<usize>,
    /// The image (or stage) after FROM, as written.
    pub base_text: String,
    pub base_range: Range<usize>,
    /// The earlier stage this one builds on, when FROM names one.
    pub parent: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    /// `COPY --from=` (or `ADD --from=`)
    CopyFrom,
    /// `FROM <stage>`
    FromBase,
    /// `RUN --mount=...,from=`
    MountFrom,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageRef {
    pub kind: RefKind,
    /// The referring text (the flag or option value, or the FROM image).
    pub range: Range<usize>,
    pub text: String,
    /// The stage the reference sits in.
    pub in_stage: usize,
    /// The stage it refers to, if any.
    pub target: Option<usize>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StageGraph {
    pub stages: Vec<Stage>,
    pub refs: Vec<StageRef>,
    /// Stage indexes by lower-case name, in order.
    by_name: HashMap<String, Vec<usize>>,
}

impl StageGraph {
    pub fn build<S: Source + ?Sized>(tree: &Tree, source: &S) -> StageGraph {
        let mut graph = StageGraph::default();
        for (index, (stage, from)) in views::stages(tree).into_iter().enumerate() {
            let f = views::from_instruction(from);
            let name_range = f.stage_name.map(|n| n.byte_range());
            let name = f
                .stage_name
                .map(|n| source.text(n.byte_range()).into_owned());
            let base_range = f.image.map_or(from.byte_range(), |i| i.byte_range());
            let base_text = f
                .image
                .map(|i| syntax::logical_text(i, source))
                .unwrap_or_default();
            // FROM <stage>: a bare name (no tag or digest) that an earlier stage has.
            let parent = if f.has_tag_or_digest {
                None
            } else {
                graph.find_by_name(&base_text, index)
            };
            if parent.is_some() {
                graph.refs.push(StageRef {
                    kind: RefKind::FromBase,
                    range: base_range.clone(),
                    text: base_text.clone(),
                    in_stage: index,
                    target: parent,
                });
            }
            if let Some(name) = &name {
                graph
                    .by_name
                    .entry(name.to_ascii_lowercase())
                    .or_default()
                    .push(index);
            }
            graph.stages.push(Stage {
                index,
                name,
                name_range,
                from_range: from.byte_range(),
                range: stage.byte_range(),
                base_text,
                base_range,
                parent,
            });
            for instruction in views::stage_instructions(stage) {
                graph.collect_refs(instruction, index, source);
            }
        }
        graph
    }

    fn collect_refs<S: Source + ?Sized>(
        &mut self,
        instruction: tree_sitter::Node,
        stage: usize,
        source: &S,
    ) {
        let kind = instruction.kind();
        for flag in views::flags(instruction, source) {
            let found = match (kind, flag.name.as_str()) {
                ("copy_instruction" | "add_instruction", "from") => {
                    flag.value.map(|v| (RefKind::CopyFrom, v))
                }
                ("run_instruction", "mount") => flag
                    .options
                    .iter()
                    .find(|o| o.key.eq_ignore_ascii_case("from"))
                    .and_then(|o| o.value)
                    .map(|v| (RefKind::MountFrom, v)),
                _ => None,
            };
            if let Some((kind, value)) = found {
                let text = syntax::logical_text(value, source);
                self.refs.push(StageRef {
                    kind,
                    range: value.byte_range(),
                    target: self.resolve(&text, stage),
                    text,
                    in_stage: stage,
                });
            }
        }
    }

    /// A `--from` value: a numeric index of an earlier stage, or the name of
    /// an earlier stage; anything else is an image.
    pub fn resolve(&self, text: &str, before: usize) -> Option<usize> {
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            return text.parse::<usize>().ok().filter(|&i| i < before);
        }
        self.find_by_name(text, before)
    }

    /// The last stage before `before` with this name (case-insensitive).
    /// A stage and the stages it builds on (`FROM <stage>`), nearest first.
    pub fn lineage(&self, stage: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(stage).filter(|&s| s < self.stages.len()), |&s| {
            self.stages[s].parent
        })
    }

    pub fn find_by_name(&self, name: &str, before: usize) -> Option<usize> {
        let found = self.by_name.get(&name.to_lowercase())?;
        found.iter().rev().copied().find(|&i| i < before)
    }

    /// The reference under a byte offset.
    pub fn ref_at(&self, offset: usize) -> Option<&StageRef> {
        self.refs
            .iter()
            .find(|r| r.range.start <= offset && offset <= r.range.end)
    }

    /// The stage whose `AS name` is under a byte offset.
    pub fn definition_at(&self, offset: usize) -> Option<&Stage> {
        self.stages.iter().find(|s| {
            s.name_range
                .as_ref()
                .is_some_and(|r| r.start <= offset && offset <= r.end)
        })
    }

    /// The references to a stage, in document order.
    pub fn refs_to(&self, stage: usize) -> impl Iterator<Item = &StageRef> {
        self.refs.iter().filter(move |r| r.target == Some(stage))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(src: &str) -> StageGraph {
        StageGraph::build(&syntax::parse(src), src)
    }

    #[test]
    fn resolves_every_reference_form() {
        let src = "FROM golang AS Base\n\
                   FROM base AS build\n\
                   RUN --mount=type=cache,from=BASE,target=/x go build\n\
                   FROM alpine\n\
                   COPY --from=build /out /\n\
                   COPY --from=0 /a /\n\
                   COPY --from=nginx:latest /b /\n\
                   COPY --from=7 /c /\n";
        let g = graph(src);
        assert_eq!(g.stages.len(), 3);
        assert_eq!(g.stages[1].parent, Some(0));
        let found: Vec<(RefKind, &str, Option<usize>)> = g
            .refs
            .iter()
            .map(|r| (r.kind, r.text.as_str(), r.target))
            .collect();
        assert_eq!(
            found,
            [
                (RefKind::FromBase, "base", Some(0)),
                (RefKind::MountFrom, "BASE", Some(0)),
                (RefKind::CopyFrom, "build", Some(1)),
                (RefKind::CopyFrom, "0", Some(0)),
                (RefKind::CopyFrom, "nginx:latest", None),
                (RefKind::CopyFrom, "7", None),
            ]
        );
    }

    #[test]
    fn only_earlier_stages_count() {
        let g = graph("FROM a AS one\nCOPY --from=two / /\nCOPY --from=one / /\nFROM b AS two\n");
        assert_eq!(g.refs[0].target, None, "a later stage");
        assert_eq!(g.refs[1].target, None, "the stage itself");
    }

    #[test]
    fn a_tagged_image_named_like_a_stage_is_an_image() {
        let g = graph("FROM alpine AS node\nFROM node:20\n");
        assert_eq!(g.stages[1].parent, None);
    }
}
