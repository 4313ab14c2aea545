//! ARG and ENV: definitions, uses and Dockerfile scoping.
//!
//! - An ARG before the first FROM is global: FROM lines see it; inside a
//!   stage it is visible only after the stage re-declares it (`ARG NAME`).
//! - ARG and ENV inside a stage are visible after their instruction.
//! - A stage built `FROM <stage>` inherits that stage's ENV and its ARGs
//!   (BuildKit carries both). A use's `def` links only to inherited ENV;
//!   UndefinedVar, hover and completion (`scope_at`) also count the
//!   parent's ARGs.
//! - BuildKit predefines some build args (TARGETPLATFORM, ...): FROM lines
//!   see them; a stage sees them after `ARG NAME`.
//!
//! Uses are the `$NAME` / `${NAME}` expansions BuildKit expands, and those
//! in shell text (read by the shell from the environment).

use std::ops::Range;

use tree_sitter::{Node, Tree};

use crate::analysis::stages::StageGraph;
use crate::syntax::{self, views, Source};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefKind {
    Arg,
    Env,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarDef {
    pub name: String,
    pub kind: DefKind,
    pub name_range: Range<usize>,
    /// The default (ARG) or value (ENV), as written.
    pub value: Option<String>,
    /// The stage it belongs to; `None` for a global ARG.
    pub stage: Option<usize>,
    /// The global ARG an in-stage `ARG NAME` re-declares.
    pub redeclares: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarUse {
    pub name: String,
    pub range: Range<usize>,
    /// The definition in effect, if any.
    pub def: Option<usize>,
    /// BuildKit predefines this name (and no definition shadows it).
    pub predefined: bool,
    /// In shell text: the shell expands it at run time, not BuildKit.
    pub in_shell: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Variables {
    pub defs: Vec<VarDef>,
    pub uses: Vec<VarUse>,
}

/// Build arguments BuildKit defines in every stage.
pub use crate::syntax::PREDEFINED_ARGS as PREDEFINED;

/// What one part of the document (the lines before the first FROM, or one
/// stage) defines and uses, read from its own text alone: ranges relative
/// to the part's start, and each use resolved within the part where it
/// can be. [`Variables::link`] joins the parts; an unchanged stage's part
/// is reused from the previous revision ([`crate::analysis::Analysis::update`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Local {
    defs: Vec<VarDef>,
    uses: Vec<LocalUse>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct LocalUse {
    name: String,
    range: Range<usize>,
    in_shell: bool,
    /// How the use is resolved: within the part, or by the parts before.
    scope: UseScope,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum UseScope {
    /// Before the first FROM: a global ARG before it (an index into the
    /// part's definitions), if any.
    Preamble(Option<usize>),
    /// A FROM line: the last global ARG of the name.
    FromLine,
    /// In a stage: a definition of the stage before it, or else the ENV of
    /// the stages it builds on.
    Stage(Option<usize>),
}

impl Local {
    /// The global ARGs and the uses before the first FROM.
    pub fn preamble<S: Source + ?Sized>(tree: &Tree, source: &S) -> Local {
        let mut local = Local::default();
        let mut cursor = tree.root_node().walk();
        for node in tree.root_node().named_children(&mut cursor) {
            if syntax::is_instruction_kind(node.kind()) {
                local.instruction(node, source, 0, |l, name| {
                    UseScope::Preamble(l.latest(name, |_| true))
                });
            }
        }
        local
    }

    /// One stage (its node and its FROM instruction), with ranges relative
    /// to the stage's start.
    pub fn stage<S: Source + ?Sized>(stage: Node, from: Node, source: &S) -> Local {
        let mut local = Local::default();
        let base = stage.start_byte();
        local.uses_in(from, source, base, |_, _| UseScope::FromLine);
        for instruction in views::stage_instructions(stage).into_iter().skip(1) {
            local.instruction(instruction, source, base, |l, name| {
                UseScope::Stage(l.latest(name, |_| true))
            });
        }
        local
    }

    /// The last definition of the part so far with this name and a kind.
    fn latest(&self, name: &str, kind: impl Fn(DefKind) -> bool) -> Option<usize> {
        self.defs
            .iter()
            .rposition(|d| d.name == name && kind(d.kind))
    }

    /// The uses and definitions of one instruction. An ARG expands its
    /// pairs one at a time, each seeing the ones before it on the line
    /// (`ARG A=1 B=$A` gives B the value 1, as BuildKit does); ENV and the
    /// others expand every word with what was defined before the line.
    fn instruction<S: Source + ?Sized>(
        &mut self,
        node: Node,
        source: &S,
        base: usize,
        resolve: impl Fn(&Self, &str) -> UseScope + Copy,
    ) {
        if node.kind_id() != syntax::ids::ids().arg_instruction {
            self.uses_in(node, source, base, resolve);
            self.defs_in(node, source, base);
            return;
        }
        let mut cursor = node.walk();
        let pairs: Vec<Node> = node
            .children_by_field_name("argument", &mut cursor)
            .collect();
        if pairs.is_empty() {
            self.uses_in(node, source, base, resolve);
            return;
        }
        for pair in pairs {
            self.uses_in(pair, source, base, resolve);
            self.define(DefKind::Arg, pair, "name", "default", source, base);
        }
    }

    fn defs_in<S: Source + ?Sized>(&mut self, instruction: Node, source: &S, base: usize) {
        let ids = syntax::ids::ids();
        let mut cursor = instruction.walk();
        let (kind, field, name_field, value_field) = match instruction.kind_id() {
            id if id == ids.arg_instruction => (DefKind::Arg, "argument", "name", "default"),
            id if id == ids.env_instruction => (DefKind::Env, "pair", "key", "value"),
            _ => return,
        };
        let items: Vec<Node> = instruction
            .children_by_field_name(field, &mut cursor)
            .collect();
        for item in items {
            self.define(kind, item, name_field, value_field, source, base);
        }
    }

    /// The definition one ARG argument or ENV pair makes (its stage and
    /// the global ARG it re-declares are the link's to fill in).
    fn define<S: Source + ?Sized>(
        &mut self,
        kind: DefKind,
        item: Node,
        name_field: &str,
        value_field: &str,
        source: &S,
        base: usize,
    ) {
        let Some(name) = item.child_by_field_name(name_field) else {
            return;
        };
        let range = name.byte_range();
        self.defs.push(VarDef {
            name: syntax::logical_text(name, source),
            kind,
            name_range: range.start - base..range.end - base,
            value: item
                .child_by_field_name(value_field)
                .map(|v| syntax::logical_text(v, source)),
            stage: None,
            redeclares: None,
        });
    }

    /// Every variable use under `node`, in document order (one cursor, no
    /// allocation per node).
    fn uses_in<S: Source + ?Sized>(
        &mut self,
        node: Node,
        source: &S,
        base: usize,
        resolve: impl Fn(&Self, &str) -> UseScope + Copy,
    ) {
        let ids = syntax::ids::ids();
        let mut cursor = node.walk();
        loop {
            let current = cursor.node();
            let id = current.kind_id();
            let mut descend = true;
            if id == ids.variable {
                let name = source.text(current.byte_range()).into_owned();
                let range = current.start_byte() - base..current.end_byte() - base;
                self.push_use(name, range, false, resolve);
                descend = false;
            } else if id == ids.shell_fragment {
                let text = source.text(current.byte_range());
                let at = current.start_byte() - base;
                for (name, range) in shell_expansions(&text) {
                    self.push_use(name, at + range.start..at + range.end, true, resolve);
                }
                descend = false;
            }
            if descend && cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.node() == node {
                    return;
                }
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
            }
        }
    }

    fn push_use(
        &mut self,
        name: String,
        range: Range<usize>,
        in_shell: bool,
        resolve: impl Fn(&Self, &str) -> UseScope,
    ) {
        let scope = resolve(self, &name);
        self.uses.push(LocalUse {
            name,
            range,
            in_shell,
            scope,
        });
    }
}

impl Variables {
    pub fn build<S: Source + ?Sized>(tree: &Tree, source: &S, graph: &StageGraph) -> Variables {
        let preamble = Local::preamble(tree, source);
        let stages: Vec<Local> = views::stages(tree)
            .into_iter()
            .map(|(stage, from)| Local::stage(stage, from, source))
            .collect();
        Variables::link(graph, &preamble, &stages.iter().collect::<Vec<_>>())
    }

    /// The document's definitions and uses from its parts: the preamble
    /// (absolute ranges) and one part per stage of `graph` (ranges
    /// relative to the stage's start), resolving what each part left to
    /// the others: FROM lines and re-declarations see the global ARGs, a
    /// stage's use with no definition of its own sees the ENV of the
    /// stages it is built FROM (the last one of the name in the nearest).
    pub fn link(graph: &StageGraph, preamble: &Local, stages: &[&Local]) -> Variables {
        let defs_count = preamble.defs.len() + stages.iter().map(|l| l.defs.len()).sum::<usize>();
        let uses_count = preamble.uses.len() + stages.iter().map(|l| l.uses.len()).sum::<usize>();
        let mut vars = Variables {
            defs: Vec::with_capacity(defs_count),
            uses: Vec::with_capacity(uses_count),
        };
        vars.defs.extend(preamble.defs.iter().cloned());
        let global = |name: &str| preamble.latest(name, |_| true);
        let push_use = |vars: &mut Variables, u: &LocalUse, base: usize, def: Option<usize>| {
            vars.uses.push(VarUse {
                name: u.name.clone(),
                range: u.range.start + base..u.range.end + base,
                def,
                predefined: def.is_none() && PREDEFINED.contains(&u.name.as_str()),
                in_shell: u.in_shell,
            });
        };
        for u in &preamble.uses {
            let UseScope::Preamble(def) = u.scope else {
                continue;
            };
            push_use(&mut vars, u, 0, def);
        }
        // Where each stage's definitions start in `defs`.
        let mut first_def = Vec::with_capacity(stages.len());
        for (index, local) in stages.iter().enumerate() {
            let Some(stage) = graph.stages.get(index) else {
                break;
            };
            let base = stage.range.start;
            let offset = vars.defs.len();
            first_def.push(offset);
            for d in &local.defs {
                let redeclares = match d.kind {
                    DefKind::Arg => global(&d.name),
                    DefKind::Env => None,
                };
                vars.defs.push(VarDef {
                    name: d.name.clone(),
                    kind: d.kind,
                    name_range: d.name_range.start + base..d.name_range.end + base,
                    value: d.value.clone(),
                    stage: Some(index),
                    redeclares,
                });
            }
            for u in &local.uses {
                let def = match u.scope {
                    UseScope::Preamble(_) => continue,
                    UseScope::FromLine => global(&u.name),
                    UseScope::Stage(Some(own)) => Some(offset + own),
                    UseScope::Stage(None) => {
                        // ENV inherited from the stages it builds on.
                        let mut parent = stage.parent;
                        let mut found = None;
                        while let Some(p) = parent.filter(|&p| p < index) {
                            let env = stages[p].latest(&u.name, |k| k == DefKind::Env);
                            if let Some(i) = env {
                                found = Some(first_def[p] + i);
                                break;
                            }
                            parent = graph.stages[p].parent;
                        }
                        found
                    }
                };
                push_use(&mut vars, u, base, def);
            }
        }
        vars
    }

    /// The definition under `offset`, or the one the use under it refers to.
    pub fn def_at(&self, offset: usize) -> Option<usize> {
        if let Some(i) = self
            .defs
            .iter()
            .position(|d| d.name_range.start <= offset && offset <= d.name_range.end)
        {
            return Some(i);
        }
        self.use_at(offset)?.def
    }

    pub fn use_at(&self, offset: usize) -> Option<&VarUse> {
        self.uses
            .iter()
            .find(|u| u.range.start <= offset && offset <= u.range.end)
    }

    /// A definition and those it is one build argument with: a global ARG
    /// and its re-declarations in stages.
    pub fn family(&self, def: usize) -> Vec<usize> {
        let root = self.defs[def].redeclares.unwrap_or(def);
        let mut out: Vec<usize> = (0..self.defs.len())
            .filter(|&i| i == root || self.defs[i].redeclares == Some(root))
            .collect();
        if !out.contains(&def) {
            out.push(def);
        }
        out
    }
}

/// Where a name in scope comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visible {
    /// A definition (an index into [`Variables::defs`]): one of the stage
    /// (or a global ARG in a FROM line), or an ARG or ENV of a stage it
    /// builds on.
    Def(usize),
    /// A build argument BuildKit predefines (FROM lines only).
    Predefined,
}

/// The names a `$` may refer to at one place, as BuildKit expands there.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// The stage the place is in; `None` in a FROM line or before the
    /// first FROM (only global ARGs and predefined ones are seen there).
    pub stage: Option<usize>,
    /// Each name once, with the definition in effect.
    pub names: Vec<(String, Visible)>,
}

impl Variables {
    /// The names in scope at `cursor` in the instruction that starts at
    /// `instruction` (a definition counts from the next instruction on, as
    /// BuildKit expands an instruction with the environment before it; in
    /// an ARG line, the pairs of the line that end before the cursor count
    /// too, never the one being typed). In a FROM line (`from_line`) or
    /// before the first FROM: the global ARGs before it and the predefined
    /// platform arguments. In a stage: its ARGs and ENVs (a global ARG only
    /// through its `ARG NAME`, a predefined one likewise), then the ARGs and
    /// ENVs of the stages it is built FROM (BuildKit carries both into the
    /// child); the base image's environment is the caller's to add. An ENV
    /// wins over an ARG of the same name, whatever their order.
    pub fn scope_at<S: Source + ?Sized>(
        &self,
        graph: &StageGraph,
        source: &S,
        instruction: usize,
        cursor: usize,
        from_line: bool,
    ) -> Scope {
        let stage = graph
            .stages
            .iter()
            .rposition(|s| s.from_range.start <= instruction)
            .filter(|&s| !from_line && graph.stages[s].from_range.start < instruction);
        let mut scope = Scope {
            stage,
            names: Vec::new(),
        };
        let before = |d: &VarDef| {
            d.name_range.start < instruction
                || (d.kind == DefKind::Arg
                    && d.name_range.start < cursor
                    && pair_ended(source, d.name_range.start, cursor))
        };
        let mut seen = std::collections::HashSet::new();
        let mut push = |scope: &mut Scope, name: &str, visible: Visible| {
            if seen.insert(name.to_string()) {
                scope.names.push((name.to_string(), visible));
            }
        };
        let Some(stage) = stage else {
            for (i, d) in self.defs.iter().enumerate().rev() {
                if d.stage.is_none() && before(d) {
                    push(&mut scope, &d.name, Visible::Def(i));
                }
            }
            for name in syntax::FROM_PREDEFINED_ARGS {
                push(&mut scope, name, Visible::Predefined);
            }
            return scope;
        };
        let lineage: Vec<usize> = graph.lineage(stage).collect();
        let in_lineage = |d: &VarDef| {
            d.stage
                .is_some_and(|s| lineage.contains(&s) && (s != stage || before(d)))
        };
        // The ENVs first (the stage's own, then its parents'), so that an
        // ENV hides an ARG of its name; then the ARGs likewise.
        for kind in [DefKind::Env, DefKind::Arg] {
            for &s in &lineage {
                for (i, d) in self.defs.iter().enumerate().rev() {
                    if d.kind == kind && d.stage == Some(s) && in_lineage(d) {
                        push(&mut scope, &d.name, Visible::Def(i));
                    }
                }
            }
        }
        scope
    }
}

/// Whether the pair of an ARG line whose name starts at `start` ends
/// before `cursor`: an unquoted, unescaped blank (or a line break) lies
/// between them.
fn pair_ended<S: Source + ?Sized>(source: &S, start: usize, cursor: usize) -> bool {
    let text = source.text(start..cursor);
    let mut quote = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (_, '\\') if quote != Some('\'') => {
                chars.next();
            }
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => return true,
            _ => {}
        }
    }
    false
}

/// `$NAME` and `${NAME...}` in shell text: names and their ranges (of the
/// name only), skipping escaped dollars.
pub fn shell_expansions(text: &str) -> Vec<(String, Range<usize>)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' {
            i += 2;
            continue;
        }
        if bytes[i] == b'$' {
            let start = if bytes.get(i + 1) == Some(&b'{') {
                i + 2
            } else {
                i + 1
            };
            let mut end = start;
            while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
                end += 1;
            }
            if end > start && !bytes[start].is_ascii_digit() {
                out.push((text[start..end].to_string(), start..end));
            }
            i = end.max(i + 1);
            continue;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(src: &str) -> Variables {
        let tree = syntax::parse(src);
        let graph = StageGraph::build(&tree, src);
        Variables::build(&tree, src, &graph)
    }

    fn resolved(src: &str) -> Vec<(String, Option<String>)> {
        let v = vars(src);
        v.uses
            .iter()
            .map(|u| {
                let def = u.def.map(|d| {
                    let d = &v.defs[d];
                    format!("{:?}@{:?}", d.kind, d.stage)
                });
                (u.name.clone(), def)
            })
            .collect()
    }

    #[test]
    fn global_args_need_a_redeclaration_in_the_stage() {
        let found = resolved("ARG V=1\nFROM node:$V\nRUN echo $V\nARG V\nRUN echo ${V}\n");
        assert_eq!(
            found,
            [
                ("V".into(), Some("Arg@None".into())),
                ("V".into(), None),
                ("V".into(), Some("Arg@Some(0)".into())),
            ]
        );
    }

    #[test]
    fn env_is_inherited_from_the_parent_stage_but_arg_is_not() {
        let found = resolved("FROM a AS base\nENV E=1\nARG A=2\nFROM base\nRUN echo $E $A\n");
        assert_eq!(
            found,
            [("E".into(), Some("Env@Some(0)".into())), ("A".into(), None)]
        );
    }

    #[test]
    fn predefined_args_and_escaped_dollars() {
        let v = vars("FROM --platform=$BUILDPLATFORM golang\nRUN echo \\$HOME $TARGETOS\n");
        let names: Vec<(&str, bool)> = v
            .uses
            .iter()
            .map(|u| (u.name.as_str(), u.predefined))
            .collect();
        assert_eq!(names, [("BUILDPLATFORM", true), ("TARGETOS", true)]);
    }

    #[test]
    fn scope_at_follows_the_scoping_rules() {
        let src = "ARG G=1\nARG H\nFROM a AS base\nENV E=1\nARG A=2\nFROM base\nARG G\nENV F=$G\nRUN true\n";
        let tree = syntax::parse(src);
        let graph = StageGraph::build(&tree, src);
        let v = Variables::build(&tree, src, &graph);
        let names = |at: &str, from_line: bool| {
            let start = src.find(at).unwrap();
            let scope = v.scope_at(&graph, src, start, start, from_line);
            let mut n: Vec<String> = scope.names.into_iter().map(|(n, _)| n).collect();
            n.sort();
            (scope.stage, n)
        };
        let mut from_names: Vec<String> = ["G", "H"].iter().map(|s| s.to_string()).collect();
        from_names.extend(syntax::FROM_PREDEFINED_ARGS.iter().map(|s| s.to_string()));
        from_names.sort();
        assert_eq!(names("FROM a", true), (None, from_names.clone()));
        let global = names("ARG H", false).1;
        assert!(global.contains(&"G".to_string()) && !global.contains(&"H".to_string()));
        assert_eq!(names("ARG A", false), (Some(0), vec!["E".to_string()]));
        // a stage built on another gets its ENVs and ARGs
        assert_eq!(
            names("ARG G\nENV", false),
            (Some(1), vec!["A".into(), "E".into()])
        );
        // the ENV's own instruction does not see it; the next one does
        assert_eq!(names("ENV F", false).1, ["A", "E", "G"]);
        assert_eq!(names("RUN true", false).1, ["A", "E", "F", "G"]);
    }
}
