//! Incremental reparsing is exact: after thousands of random edits applied to
//! corpus files, the edited-and-reparsed tree equals a fresh parse of the same
//! text, node for node, ranges included.

mod common;

use dockerfile_lsp::analysis::Analysis;
use dockerfile_lsp::config::Config;
use dockerfile_lsp::diagnostics::{self, Context, Diagnostic};
use dockerfile_lsp::syntax;
use tree_sitter::{InputEdit, Node, Point, Tree};

use common::Rng;

/// Snippets that stress the scanner: continuations with both escape
/// characters, newlines, heredocs, quotes, JSON, expansions, flags,
/// directives and multi-byte or astral characters.
const SNIPPETS: &[&str] = &[
    "\\",
    "\n",
    "\\\n",
    " \\\n",
    "\r\n",
    " ",
    "\t",
    "`",
    "`\n",
    "# escape=`\n",
    "# syntax=x\n",
    "#",
    "# c\n",
    "é",
    "𝄞",
    "中文",
    "x",
    "RUN ",
    "FROM a AS b\n",
    "COPY --from=b / /\n",
    "<<EOF\n",
    "<<-\"EOF\"\n",
    "EOF\n",
    "\tEOF\n",
    "\"",
    "'",
    "[",
    "]",
    "[\"a\", \"b\"]",
    "$",
    "${",
    "}",
    "${A:-b}",
    "--",
    "--mount=type=cache,target=/x ",
    "=",
    ",",
    ":",
    "@",
    "\n\n",
    "ENV a=b \\\n  c=d\n",
    "ONBUILD ",
    "HEALTHCHECK CMD ",
];

fn point_at(text: &str, byte: usize) -> Point {
    let before = &text.as_bytes()[..byte];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    Point::new(row, byte - line_start)
}

fn char_boundary(text: &str, mut byte: usize) -> usize {
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    byte
}

/// Every node in preorder with its kind, byte range and points.
fn shape(tree: &Tree) -> Vec<String> {
    fn walk(node: Node, out: &mut Vec<String>) {
        out.push(format!(
            "{}{} {:?} {:?}-{:?}",
            if node.is_missing() { "MISSING " } else { "" },
            node.kind(),
            node.byte_range(),
            node.start_position(),
            node.end_position()
        ));
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            walk(child, out);
        }
    }
    let mut out = Vec::new();
    walk(tree.root_node(), &mut out);
    out
}

/// Applies one random edit to `text` and returns the matching InputEdit.
fn random_edit(rng: &mut Rng, text: &mut String) -> InputEdit {
    let len = text.len();
    let start = char_boundary(text, if len == 0 { 0 } else { rng.below(len + 1) });
    let delete = match rng.below(3) {
        0 => 0,
        _ => char_boundary(text, (start + rng.below(12)).min(len)).max(start) - start,
    };
    let insert = match rng.below(4) {
        0 => "",
        _ => SNIPPETS[rng.below(SNIPPETS.len())],
    };
    let start_position = point_at(text, start);
    let old_end_position = point_at(text, start + delete);
    text.replace_range(start..start + delete, insert);
    InputEdit {
        start_byte: start,
        old_end_byte: start + delete,
        new_end_byte: start + insert.len(),
        start_position,
        old_end_position,
        new_end_position: point_at(text, start + insert.len()),
    }
}

/// The corpus files the random-edit tests edit and how many edits each:
/// every third file of `corpus/valid` (each family of the corpus is
/// represented) and `steps` edits, or with DOCKERFILE_LSP_EDIT_STEPS=N
/// every file and N edits.
fn corpus_files_and_steps(steps: usize) -> (Vec<std::path::PathBuf>, usize) {
    let dir = common::shared_dir().join("corpus");
    let files = common::files_under(&dir.join("valid"));
    let long_run: Option<usize> = std::env::var("DOCKERFILE_LSP_EDIT_STEPS")
        .ok()
        .and_then(|v| v.parse().ok());
    let picked = files
        .into_iter()
        .step_by(if long_run.is_some() { 1 } else { 3 })
        .collect();
    (picked, long_run.unwrap_or(steps))
}

#[test]
fn random_edits_reparse_like_a_fresh_parse() {
    let (picked, steps) = corpus_files_and_steps(60);
    assert!(picked.len() >= 50);
    let mut parser = syntax::parser();
    let mut fresh_parser = syntax::parser();
    let mut edits = 0;
    for (i, path) in picked.iter().enumerate() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1));
        let mut text = common::read(path);
        let mut tree = parser.parse(&text, None).unwrap();
        for step in 0..steps {
            let before = text.clone();
            let edit = random_edit(&mut rng, &mut text);
            tree.edit(&edit);
            tree = parser.parse(&text, Some(&tree)).unwrap();
            let fresh = fresh_parser.parse(&text, None).unwrap();
            let (ours, theirs) = (shape(&tree), shape(&fresh));
            if ours != theirs {
                let at = ours
                    .iter()
                    .zip(&theirs)
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                panic!(
                    "{} step {step}: incremental parse differs at node {at}\n  incremental: {:?}\n  fresh:       {:?}\nedit: {edit:?}\ntext before:\n{before}\n--- after:\n{text}",
                    path.display(),
                    ours.get(at),
                    theirs.get(at)
                );
            }
            edits += 1;
        }
    }
    assert!(edits >= 3000, "only {edits} edits were checked");
}

/// The analysis of an edited document, updated from the previous
/// revision's ([`Analysis::update`], which reuses every stage whose text
/// is unchanged), equals the analysis built from scratch, after each of
/// the same random edits; and the update does reuse stages.
#[test]
fn random_edits_update_the_analysis_like_a_fresh_build() {
    let (picked, steps) = corpus_files_and_steps(40);
    let mut parser = syntax::parser();
    let (mut edits, mut reused, mut read) = (0, 0, 0);
    for (i, path) in picked.iter().enumerate() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D ^ (i as u64 + 1));
        let mut text = common::read(path);
        let mut tree = parser.parse(&text, None).unwrap();
        let mut analysis = Analysis::build(&tree, text.as_str());
        for step in 0..steps {
            let before = text.clone();
            let edit = random_edit(&mut rng, &mut text);
            tree.edit(&edit);
            tree = parser.parse(&text, Some(&tree)).unwrap();
            let (updated, reuse) = analysis.update(&tree, text.as_str());
            let fresh = Analysis::build(&syntax::parse(&text), text.as_str());
            reused += reuse.reused;
            read += reuse.read;
            let context = || {
                format!(
                    "{} step {step}: edit {edit:?}\ntext before:\n{before}\n--- after:\n{text}",
                    path.display()
                )
            };
            assert_eq!(updated.stages, fresh.stages, "{}", context());
            assert_eq!(updated.variables, fresh.variables, "{}", context());
            analysis = updated;
            edits += 1;
        }
    }
    assert!(edits >= 2000, "only {edits} edits were checked");
    // An edit touches one stage (or the preamble, which reads them all);
    // many corpus files have one or two stages, so about 3 in 5 are reused.
    assert!(reused > read, "reused {reused} stages, read {read}");
}

/// A one-character edit in the middle of a 200-stage file reads that stage
/// again and no other; a FROM line edit the same (the names are linked
/// again, not read again); an edit before the first FROM reads them all.
#[test]
fn an_edit_reads_again_only_the_stage_it_touches() {
    let mut text = String::from("ARG BASE=alpine\n");
    for i in 0..200 {
        let from = if i == 0 {
            "${BASE}".to_string()
        } else {
            format!("s{}", i - 1)
        };
        text.push_str(&format!(
            "FROM {from} AS s{i}\nENV V{i}=$V0\nCOPY --from=s{} /a /b\nRUN echo {i}\n",
            i / 2
        ));
    }
    let mut parser = syntax::parser();
    let mut tree = parser.parse(&text, None).unwrap();
    let analysis = Analysis::build(&tree, text.as_str());
    let mut edit_at = |text: &mut String, tree: &mut Tree, at: usize, insert: &str| {
        let start_position = point_at(text, at);
        text.insert_str(at, insert);
        tree.edit(&InputEdit {
            start_byte: at,
            old_end_byte: at,
            new_end_byte: at + insert.len(),
            start_position,
            old_end_position: start_position,
            new_end_position: point_at(text, at + insert.len()),
        });
        *tree = parser.parse(text.as_str(), Some(tree)).unwrap();
    };
    let at = text.find("RUN echo 100\n").unwrap() + 4;
    edit_at(&mut text, &mut tree, at, "x");
    let (body, reuse) = analysis.update(&tree, text.as_str());
    assert_eq!((reuse.read, reuse.reused), (1, 199));
    assert_eq!(body.stages, Analysis::build(&tree, text.as_str()).stages);

    let at = text.find("AS s50\n").unwrap() + 5;
    edit_at(&mut text, &mut tree, at, "z");
    let (renamed, reuse) = body.update(&tree, text.as_str());
    assert_eq!((reuse.read, reuse.reused), (1, 199));
    let fresh = Analysis::build(&tree, text.as_str());
    assert_eq!(renamed.stages, fresh.stages);
    assert_eq!(renamed.variables, fresh.variables);
    // s51 no longer builds on s50 (now s50z), and its ENV no longer reaches
    // the stages after it.
    assert_eq!(renamed.stages.stages[51].parent, None);

    edit_at(&mut text, &mut tree, 9, "3");
    let (_, reuse) = renamed.update(&tree, text.as_str());
    assert_eq!((reuse.read, reuse.reused), (200, 0));
}

/// The files the diagnostics property test edits, each with the context
/// `check` would give it: every `steps`-th file of `corpus/valid` and
/// `corpus/invalid`, every app's Dockerfile (with its build context), and a
/// generated chain of stages (names, `--from`, inherited ENV and WORKDIR).
fn diagnostics_files(every: usize) -> Vec<(String, String, Context)> {
    let corpus = common::shared_dir().join("corpus");
    let mut out = Vec::new();
    for (folder, every_file) in [("valid", true), ("invalid", true), ("apps", false)] {
        let root = corpus.join(folder);
        let files = common::corpus_dockerfiles(&root, every_file);
        let step = if folder == "apps" { 1 } else { every };
        for file in files.into_iter().step_by(step) {
            let (context, _) = Context::load(Some(&file), &Config::default(), Some(&root));
            out.push((file.display().to_string(), common::read(&file), context));
        }
    }
    let mut chain = String::from("# syntax=docker/dockerfile:1\nARG BASE=alpine:3.20\n");
    for i in 0..24 {
        let base = if i % 5 == 0 {
            "${BASE}".to_string()
        } else {
            format!("s{}", i - 1)
        };
        chain.push_str(&format!(
            "# s{i} does one thing\nFROM {base} AS s{i}\nWORKDIR app{i}\nENV V{i}=$V0\nCOPY --from=s{} /a b\nRUN apt-get install -y curl | tee /x\nUSER {}\n",
            i / 2,
            if i % 3 == 0 { "root" } else { "1000" }
        ));
    }
    out.push(("generated chain".into(), chain, Context::default()));
    out
}

/// After every random edit, the diagnostics computed incrementally (the
/// analysis updated, the rules' findings reused in the parts the edit did
/// not touch: `diagnose_incremental`) equal those computed from scratch on
/// a fresh parse. With DOCKERFILE_LSP_DIAGNOSTICS_SECONDS=N it edits every
/// file, again and again, for N seconds (the long form: 600).
#[test]
fn random_edits_diagnose_like_a_fresh_run() {
    let seconds: Option<u64> = std::env::var("DOCKERFILE_LSP_DIAGNOSTICS_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok());
    let files = diagnostics_files(if seconds.is_some() { 1 } else { 12 });
    let steps = if seconds.is_some() { 40 } else { 6 };
    let deadline = seconds.map(|s| std::time::Instant::now() + std::time::Duration::from_secs(s));
    let mut parser = syntax::parser();
    let (mut edits, mut reused, mut scoped) = (0, 0, 0);
    let mut round = 0u64;
    loop {
        for (i, (name, original, context)) in files.iter().enumerate() {
            let mut rng = Rng(0x51_7CC1_B727_220A ^ (i as u64 + 1) ^ (round << 32));
            let mut text = original.clone();
            let mut tree = parser.parse(&text, None).unwrap();
            let mut analysis = Analysis::build(&tree, text.as_str());
            let (_, mut cache, _) = diagnostics::diagnose_incremental(
                &tree,
                &text.as_str(),
                &analysis,
                context,
                7,
                None,
                &|| false,
            )
            .unwrap();
            // The generated file gets more edits: it is the one with many stages.
            let steps = if name == "generated chain" {
                steps * 20
            } else {
                steps
            };
            for step in 0..steps {
                let before = text.clone();
                let edit = random_edit(&mut rng, &mut text);
                tree.edit(&edit);
                tree = parser.parse(&text, Some(&tree)).unwrap();
                analysis = analysis.update(&tree, text.as_str()).0;
                let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    diagnostics::diagnose_incremental(
                        &tree,
                        &text.as_str(),
                        &analysis,
                        context,
                        7,
                        Some(&cache),
                        &|| false,
                    )
                    .unwrap()
                }));
                let Ok((found, next, reuse)) = run else {
                    panic!(
                        "{name} round {round} step {step}: the diagnostics panicked on:\n{text}"
                    );
                };
                let fresh_tree = syntax::parse(&text);
                let fresh = diagnostics::diagnose(
                    &fresh_tree,
                    &text.as_str(),
                    &Analysis::build(&fresh_tree, text.as_str()),
                    context,
                );
                if found != fresh {
                    let only = |a: &[Diagnostic], b: &[Diagnostic]| -> Vec<String> {
                        a.iter()
                            .filter(|d| !b.contains(d))
                            .map(|d| format!("{} {:?} {}", d.code, d.range, d.message))
                            .collect()
                    };
                    panic!(
                        "{name} round {round} step {step}: incremental diagnostics differ\n  only incremental: {:#?}\n  only fresh: {:#?}\nedit: {edit:?}\ntext before:\n{before}\n--- after:\n{text}",
                        only(&found, &fresh),
                        only(&fresh, &found)
                    );
                }
                reused += reuse.reused;
                scoped += reuse.scoped;
                cache = next;
                edits += 1;
            }
        }
        round += 1;
        if deadline.is_none_or(|d| std::time::Instant::now() >= d) {
            break;
        }
    }
    assert!(edits >= 300, "only {edits} edits were checked");
    // Most (rule, part) results are reused: an edit touches one part.
    assert!(reused > 5 * scoped, "reused {reused}, found again {scoped}");
    eprintln!("{edits} edits; (rule, part) results reused {reused}, found again {scoped}");
}
