//! Timings and memory of whole-document work on the generated files.

use std::time::Instant;

use dockerfile_lsp::analysis::{stages::StageGraph, Analysis};
use dockerfile_lsp::config::{Config, Level};
use dockerfile_lsp::diagnostics::{self, Context};
use dockerfile_lsp::document::position::{self, Encoding};
use dockerfile_lsp::document::{Change, Document};
use dockerfile_lsp::features::{semantic_tokens, symbols};
use dockerfile_lsp::rules;
use dockerfile_lsp::syntax::{self, ids::ids, views};
use ropey::Rope;

use crate::generated::generated;
use crate::number;

/// The analysis, then the stage graph alone over the rope and over a `str`.
pub fn analysis(args: &[String]) -> Result<(), String> {
    syntax::use_fast_allocator();
    let text = generated(number(args, 0, 1000)?);
    let rope = Rope::from_str(&text);
    let tree = syntax::parse(&text);
    let n = 20;
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(Analysis::build(&tree, &rope));
    }
    println!(
        "{} lines: analysis {:?}",
        rope.len_lines() - 1,
        start.elapsed() / n
    );
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(StageGraph::build(&tree, &rope));
    }
    println!("stage graph {:?}", start.elapsed() / n);
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(StageGraph::build(&tree, text.as_str()));
    }
    println!("stage graph over a str {:?}", start.elapsed() / n);
    Ok(())
}

/// Ways of reading an instruction's flags: the view, `children()`,
/// `child(i)`, and one cursor reset per instruction.
pub fn cursor(args: &[String]) -> Result<(), String> {
    let text = generated(number(args, 0, 1000)?);
    let tree = syntax::parse(&text);
    let instructions = syntax::instructions(&tree);
    let source: &str = &text;

    let start = Instant::now();
    let mut n = 0;
    for i in &instructions {
        n += views::flags(*i, &source).len();
    }
    println!("views::flags: {:?} ({n} flags)", start.elapsed());

    let ids = ids();
    let start = Instant::now();
    let mut n = 0;
    for i in &instructions {
        let mut cursor = i.walk();
        for child in i.children(&mut cursor) {
            if child.kind_id() == ids.mount_flag || child.kind() == "flag" {
                n += 1;
            }
        }
    }
    println!("children(): {:?} ({n} flags)", start.elapsed());

    let start = Instant::now();
    let mut n = 0;
    for i in &instructions {
        for c in 0..i.child_count() {
            let child = i.child(c).expect("a child below the count");
            if child.kind_id() == ids.mount_flag || child.kind() == "flag" {
                n += 1;
            }
        }
    }
    println!("child(i): {:?} ({n} flags)", start.elapsed());

    let start = Instant::now();
    let mut n = 0;
    let mut cursor = tree.walk();
    for i in &instructions {
        cursor.reset(*i);
        if cursor.goto_first_child() {
            loop {
                if cursor.node().kind_id() == ids.mount_flag {
                    n += 1;
                }
                if !cursor.goto_next_sibling() {
                    break;
                }
            }
        }
    }
    println!("one cursor, reset: {:?} ({n} mounts)", start.elapsed());
    Ok(())
}

/// What the server does for each version: the analysis, then every rule.
pub fn diagnostics(args: &[String]) -> Result<(), String> {
    syntax::use_fast_allocator();
    let text = generated(number(args, 0, 10_000)?);
    let rope = Rope::from_str(&text);
    let tree = syntax::parse(&text);
    let start = Instant::now();
    let stages = views::stages(&tree);
    let listed = start.elapsed();
    let start = Instant::now();
    let n: usize = stages
        .iter()
        .map(|(s, _)| views::stage_instructions(*s).len())
        .sum();
    println!(
        "stages listed in {listed:?}; their {n} instructions in {:?}",
        start.elapsed()
    );
    for round in 0..3 {
        let start = Instant::now();
        let analysis = Analysis::build(&tree, &rope);
        let analysed = start.elapsed();
        let start = Instant::now();
        let found = diagnostics::diagnose(&tree, &rope, &analysis, &Context::default());
        println!(
            "round {round}: analysis {analysed:?}, diagnostics {:?} ({} found)",
            start.elapsed(),
            found.len()
        );
    }
    Ok(())
}

/// The whole-file features: outline and semantic tokens (in two
/// encodings), each from scratch, then computed per part with nothing kept,
/// then again after typing a character in the middle stage (one part
/// computed, the others reused).
pub fn features(args: &[String]) -> Result<(), String> {
    syntax::use_fast_allocator();
    let stages = number(args, 0, 10_000)?;
    let text = generated(stages);
    let doc = Document::new(&text, 1);
    let analysis = Analysis::build(doc.tree(), doc.rope());
    let start = Instant::now();
    let found = symbols::document_symbols(doc.tree(), doc.rope(), &analysis.stages);
    let n: usize = found.iter().map(|s| 1 + s.children.len()).sum();
    println!("outline: {n} symbols in {:?}", start.elapsed());
    // A character typed into the middle stage's RUN line.
    let needle = format!("echo building stage {} ", stages / 2);
    let at = text.find(&needle).ok_or("no middle stage")? + 5;
    let at = position::to_position(doc.rope(), at, Encoding::Utf16);
    let typed = Change {
        range: Some((at, at)),
        text: "x".into(),
    };
    let edited = {
        let mut edited = Document::new(&text, 1);
        edited.apply(2, &[typed], Encoding::Utf16);
        edited
    };
    let edited_analysis = Analysis::build(edited.tree(), edited.rope());
    {
        let encoding = Encoding::Utf16;
        let start = Instant::now();
        let (_, kept, _) = symbols::outline(
            doc.tree(),
            doc.rope(),
            &analysis.stages,
            encoding,
            &Default::default(),
        );
        let cold = start.elapsed();
        let start = Instant::now();
        let (found, _, reused) = symbols::outline(
            edited.tree(),
            edited.rope(),
            &edited_analysis.stages,
            encoding,
            &kept,
        );
        println!(
            "outline per part, {encoding:?}: {cold:?} with nothing kept, {:?} after an edit ({} of {} parts reused, {} stages)",
            start.elapsed(),
            reused,
            kept.len(),
            found.len(),
        );
    }
    for encoding in [Encoding::Utf8, Encoding::Utf16] {
        let start = Instant::now();
        let data = semantic_tokens::tokens(doc.tree(), doc.rope(), encoding, None);
        println!(
            "semantic tokens, {encoding:?}: {:?} for {} tokens",
            start.elapsed(),
            data.len() / 5
        );
        let start = Instant::now();
        let (_, kept, _) =
            semantic_tokens::tokens_cached(doc.tree(), doc.rope(), encoding, &Default::default());
        let cold = start.elapsed();
        let start = Instant::now();
        let (data, _, reused) =
            semantic_tokens::tokens_cached(edited.tree(), edited.rope(), encoding, &kept);
        println!(
            "semantic tokens per part, {encoding:?}: {cold:?} with nothing kept, {:?} after an edit ({reused} of {} parts reused, {} tokens)",
            start.elapsed(),
            kept.len(),
            data.len() / 5
        );
    }
    Ok(())
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Resident memory of the tree and of the analysis.
pub fn memory(args: &[String]) -> Result<(), String> {
    syntax::use_fast_allocator();
    let text = generated(number(args, 0, 10_000)?);
    let base = rss_mib();
    let tree = syntax::parse(&text);
    let mut nodes = 0usize;
    let mut cursor = tree.walk();
    'walk: loop {
        nodes += 1;
        if cursor.goto_first_child() || cursor.goto_next_sibling() {
            continue;
        }
        while cursor.goto_parent() {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
        }
        break;
    }
    let parsed = rss_mib();
    let analysis = Analysis::build(&tree, text.as_str());
    let analysed = rss_mib();
    println!(
        "{} KiB of text, {nodes} nodes: tree {:.1} MiB, analysis {:.1} MiB",
        text.len() / 1024,
        parsed - base,
        analysed - parsed
    );
    std::hint::black_box(analysis);
    Ok(())
}

/// Each rule alone, slowest first; with `loop`, every rule 20 times.
pub fn rules(args: &[String]) -> Result<(), String> {
    syntax::use_fast_allocator();
    let looped = args.iter().any(|a| a == "loop");
    let sizes: Vec<String> = args.iter().filter(|a| *a != "loop").cloned().collect();
    let text = generated(number(&sizes, 0, 1000)?);
    let tree = syntax::parse(&text);
    let start = Instant::now();
    let analysis = Analysis::build(&tree, text.as_str());
    if looped {
        for _ in 0..20 {
            std::hint::black_box(rules::run(
                &tree,
                &text.as_str(),
                &analysis,
                &Context::default(),
            ));
        }
        return Ok(());
    }
    println!("analysis: {:?}", start.elapsed());
    let start = Instant::now();
    let found = rules::run(&tree, &text.as_str(), &analysis, &Context::default());
    println!(
        "all rules together: {:?} ({} findings)",
        start.elapsed(),
        found.len()
    );
    let all = rules::registry();
    let mut times = Vec::new();
    for rule in all {
        let mut config = Config::default();
        for other in all.iter().filter(|r| r.code != rule.code) {
            config.rules.insert(other.code.to_string(), Level::Off);
        }
        let context = Context {
            config,
            ..Context::default()
        };
        let start = Instant::now();
        let found = rules::run(&tree, &text.as_str(), &analysis, &context);
        times.push((start.elapsed(), rule.code, found.len()));
    }
    times.sort();
    for (t, code, n) in times.iter().rev().take(60) {
        println!("{code}: {t:?} ({n} findings)");
    }
    Ok(())
}
