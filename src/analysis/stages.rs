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

/// What one stage says about itself, read from its own text alone (ranges
/// relative to the stage's start); [`StageGraph::link`] resolves the
/// names. An unchanged stage's part is reused from the previous revision
/// ([`crate::analysis::Analysis::update`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Local {
    name: Option<String>,
    name_range: Option<Range<usize>>,
    from_range: Range<usize>,
    len: usize,
    base_text: String,
    base_range: Range<usize>,
    /// The base has a tag or digest: an image, never a stage.
    tagged: bool,
    /// `COPY --from=` and `RUN --mount=...,from=` values, in order.
    refs: Vec<(RefKind, Range<usize>, String)>,
}

impl Local {
    pub fn read<S: Source + ?Sized>(
        stage: tree_sitter::Node,
        from: tree_sitter::Node,
        source: &S,
    ) -> Local {
        let base = stage.start_byte();
        let rel = |r: Range<usize>| r.start - base..r.end - base;
        let f = views::from_instruction(from);
        let mut local = Local {
            name: f
                .stage_name
                .map(|n| source.text(n.byte_range()).into_owned()),
            name_range: f.stage_name.map(|n| rel(n.byte_range())),
            from_range: rel(from.byte_range()),
            len: stage.end_byte() - base,
            base_text: f
                .image
                .map(|i| syntax::logical_text(i, source))
                .unwrap_or_default(),
            base_range: rel(f.image.map_or(from.byte_range(), |i| i.byte_range())),
            tagged: f.has_tag_or_digest,
            refs: Vec::new(),
        };
        for instruction in views::stage_instructions(stage) {
            local.collect_refs(instruction, base, source);
        }
        local
    }

    fn collect_refs<S: Source + ?Sized>(
        &mut self,
        instruction: tree_sitter::Node,
        base: usize,
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
                let r = value.byte_range();
                self.refs.push((
                    kind,
                    r.start - base..r.end - base,
                    syntax::logical_text(value, source),
                ));
            }
        }
    }
}

impl StageGraph {
    pub fn build<S: Source + ?Sized>(tree: &Tree, source: &S) -> StageGraph {
        let stages = views::stages(tree);
        let locals: Vec<Local> = stages
            .iter()
            .map(|&(stage, from)| Local::read(stage, from, source))
            .collect();
        let starts: Vec<usize> = stages.iter().map(|(s, _)| s.start_byte()).collect();
        StageGraph::link(&locals.iter().collect::<Vec<_>>(), &starts)
    }

    /// The graph from each stage's part and where the stage starts: a
    /// FROM naming an earlier stage (no tag or digest) builds on it, and
    /// each reference resolves to the last earlier stage of its name (or
    /// its index).
    pub fn link(locals: &[&Local], starts: &[usize]) -> StageGraph {
        let mut graph = StageGraph {
            stages: Vec::with_capacity(locals.len()),
            refs: Vec::new(),
            by_name: HashMap::with_capacity(locals.len()),
        };
        for (index, (local, &base)) in locals.iter().zip(starts).enumerate() {
            let abs = |r: &Range<usize>| r.start + base..r.end + base;
            let base_range = abs(&local.base_range);
            // FROM <stage>: a bare name (no tag or digest) that an earlier stage has.
            let parent = if local.tagged {
                None
            } else {
                graph.find_by_name(&local.base_text, index)
            };
            if parent.is_some() {
                graph.refs.push(StageRef {
                    kind: RefKind::FromBase,
                    range: base_range.clone(),
                    text: local.base_text.clone(),
                    in_stage: index,
                    target: parent,
                });
            }
            if let Some(name) = &local.name {
                graph
                    .by_name
                    .entry(name.to_ascii_lowercase())
                    .or_default()
                    .push(index);
            }
            graph.stages.push(Stage {
                index,
                name: local.name.clone(),
                name_range: local.name_range.as_ref().map(abs),
                from_range: abs(&local.from_range),
                range: base..base + local.len,
                base_text: local.base_text.clone(),
                base_range,
                parent,
            });
            for (kind, range, text) in &local.refs {
                graph.refs.push(StageRef {
                    kind: *kind,
                    range: abs(range),
                    target: graph.resolve(text, index),
                    text: text.clone(),
                    in_stage: index,
                });
            }
        }
        graph
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
