//! Which rules are stage-local (issue 20's groundwork), measured on the
//! shared corpus and on generated multi-stage files.
//!
//! Every file is diagnosed from scratch, then once per stage in three
//! decompositions, each a small document of its own whose findings are
//! shifted back to the stage's place:
//!
//! - `D1`: the preamble (directives, global ARGs: everything before the
//!   first FROM) and the stage's text alone;
//! - `D2`: the preamble, the FROM instruction of every earlier stage (so
//!   names, indexes and casing of earlier stages are there), then the stage;
//! - `D3`: as D2, but the stages the stage builds on (`FROM <stage>`,
//!   transitively) are there in full.
//!
//! A rule is `LOCAL` when D1 gives exactly the full document's findings in
//! every stage of every file, `NAMES` when D2 does, `ANCESTORS` when D3
//! does, `DOCUMENT` otherwise, `UNSEEN` when it found nothing anywhere (no
//! evidence either way). Findings before the first FROM are compared with
//! the union of the decompositions' findings there.
//!
//! The table is `tests/rule-locality.txt`; the test fails when it changes.
//! `UPDATE_RULE_LOCALITY=1 cargo test --test rule_locality` writes it anew.
//!
//! The timing half (`timing`, ignored in the normal run) measures the
//! servers bench's 1,000- and 10,000-stage files:
//! `cargo test --release --test rule_locality -- --ignored --nocapture`.

mod common;

#[path = "../benches/support/generated.rs"]
mod generated;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dockerfile_lsp::analysis::Analysis;
use dockerfile_lsp::config::{Config, Level};
use dockerfile_lsp::diagnostics::{self, Context, Diagnostic};
use dockerfile_lsp::syntax;

/// A finding as compared: ranges relative to the stage's start, `None` for
/// a related place or fix edit outside the stage (it cannot be compared
/// by offset between decompositions).
/// A related place or fix edit: its range relative to the stage, if inside.
type Place = (Option<(usize, usize)>, String);

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Norm {
    range: (usize, usize),
    severity: &'static str,
    message: String,
    related: Vec<Place>,
    fix: Option<(String, Vec<Place>)>,
}

fn diagnose(text: &str, context: &Context) -> (Vec<Diagnostic>, Analysis) {
    let tree = syntax::parse(text);
    let analysis = Analysis::build(&tree, text);
    let found = diagnostics::diagnose(&tree, &text, &analysis, context);
    (found, analysis)
}

/// The findings of `found` that start in `base..base + len` (`..=` for a
/// stage that ends the document), by code, relative to `base`.
fn bucket(
    found: &[Diagnostic],
    base: usize,
    len: usize,
    ends_document: bool,
) -> BTreeMap<&'static str, Vec<Norm>> {
    let inside = |r: &std::ops::Range<usize>| {
        (r.start >= base && r.end <= base + len).then(|| (r.start - base, r.end - base))
    };
    let mut out: BTreeMap<&'static str, Vec<Norm>> = BTreeMap::new();
    for d in found {
        let start = d.range.start;
        let here = start >= base && (start < base + len || (ends_document && start == base + len));
        if !here {
            continue;
        }
        out.entry(d.code).or_default().push(Norm {
            range: (start - base, d.range.end.saturating_sub(base)),
            severity: d.severity.as_str(),
            message: d.message.clone(),
            related: d
                .related
                .iter()
                .map(|r| (inside(&r.range), r.message.clone()))
                .collect(),
            fix: d.fix.as_ref().map(|f| {
                (
                    f.title.clone(),
                    f.edits
                        .iter()
                        .map(|e| (inside(&e.range), e.text.clone()))
                        .collect(),
                )
            }),
        });
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

/// What one decomposition got wrong for a rule first.
#[derive(Clone, Debug, Default)]
struct Tally {
    /// Stages (and preambles) compared where the rule found something on
    /// either side.
    compared: usize,
    /// The first difference: where and what.
    first_difference: Option<String>,
    differences: usize,
}

#[derive(Default)]
struct Table {
    /// Per rule: findings in the full documents, files with findings.
    findings: BTreeMap<&'static str, (usize, BTreeSet<String>)>,
    /// Per decomposition (0..3), per rule.
    tallies: [BTreeMap<&'static str, Tally>; 3],
}

fn short(message: &str) -> String {
    let one_line = message
        .replace('\n', " ")
        .replace(&format!("{}/", corpus().display()), "");
    if one_line.chars().count() > 70 {
        format!("{}...", one_line.chars().take(70).collect::<String>())
    } else {
        one_line
    }
}

fn describe(full: &[Norm], part: &[Norm]) -> String {
    let only_full: Vec<&Norm> = full.iter().filter(|n| !part.contains(n)).collect();
    let only_part: Vec<&Norm> = part.iter().filter(|n| !full.contains(n)).collect();
    match (only_full.first(), only_part.first()) {
        (Some(f), Some(p)) if f.range == p.range && f.message == p.message => {
            let edits = |n: &Norm| {
                n.fix.as_ref().map_or((0, 0), |(_, e)| {
                    (e.len(), e.iter().filter(|(r, _)| r.is_none()).count())
                })
            };
            let related = |n: &Norm| {
                (
                    n.related.len(),
                    n.related.iter().filter(|(r, _)| r.is_none()).count(),
                )
            };
            format!(
                "same finding `{}`, other related places or fix: full {:?} related (outside the stage) / {:?} fix edits, decomposed {:?} / {:?}",
                short(&f.message),
                related(f),
                edits(f),
                related(p),
                edits(p)
            )
        }
        (Some(f), Some(p)) if f.range == p.range => format!(
            "differs at the same place: full `{}`, decomposed `{}`",
            short(&f.message),
            short(&p.message)
        ),
        (Some(f), _) => format!("only in the full document: `{}`", short(&f.message)),
        (None, Some(p)) => format!("only when decomposed: `{}`", short(&p.message)),
        (None, None) => "same findings, different counts".into(),
    }
}

/// The small documents of one stage: (text, offset of the stage in it).
fn decompositions(text: &str, analysis: &Analysis, stage: usize) -> [(String, usize); 3] {
    let stages = &analysis.stages.stages;
    let preamble = &text[..stages[0].range.start];
    let (start, end) = stage_span(text, analysis, stage);
    let own = &text[start..end];
    let froms = |full: &dyn Fn(usize) -> bool| {
        let mut out = String::from(preamble);
        for s in &stages[..stage] {
            if full(s.index) {
                let (a, b) = stage_span(text, analysis, s.index);
                out.push_str(&text[a..b]);
                if !out.ends_with('\n') {
                    out.push('\n');
                }
            } else {
                out.push_str(&text[s.from_range.clone()]);
                out.push('\n');
            }
        }
        out
    };
    let ancestors: BTreeSet<usize> = analysis.stages.lineage(stage).collect();
    let d1 = preamble.to_string();
    let d2 = froms(&|_| false);
    let d3 = froms(&|i| ancestors.contains(&i));
    [d1, d2, d3].map(|prefix| {
        let offset = prefix.len();
        (prefix + own, offset)
    })
}

/// A stage's bytes: from its FROM up to the next FROM (the last one to the
/// end of the document).
fn stage_span(text: &str, analysis: &Analysis, stage: usize) -> (usize, usize) {
    let stages = &analysis.stages.stages;
    let start = stages[stage].range.start;
    let end = stages
        .get(stage + 1)
        .map_or(text.len(), |next| next.range.start);
    (start, end)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn compare(
    table: &mut Table,
    k: usize,
    place: &str,
    full: &BTreeMap<&'static str, Vec<Norm>>,
    part: &BTreeMap<&'static str, Vec<Norm>>,
) {
    let codes: BTreeSet<&'static str> = full.keys().chain(part.keys()).copied().collect();
    let empty = Vec::new();
    for code in codes {
        let f = full.get(code).unwrap_or(&empty);
        let p = part.get(code).unwrap_or(&empty);
        let tally = table.tallies[k].entry(code).or_default();
        tally.compared += 1;
        if f != p {
            tally.differences += 1;
            if tally.first_difference.is_none() {
                tally.first_difference = Some(format!("{place}: {}", describe(f, p)));
            }
        }
    }
}

fn measure_file(table: &mut Table, name: &str, text: &str, context: &Context) {
    let (found, analysis) = diagnose(text, context);
    for d in &found {
        let entry = table.findings.entry(d.code).or_default();
        entry.0 += 1;
        entry.1.insert(name.to_string());
    }
    let stages = &analysis.stages.stages;
    if stages.is_empty() {
        return;
    }
    let preamble_len = stages[0].range.start;
    let full_preamble = bucket(&found, 0, preamble_len, false);
    let mut part_preamble: [BTreeMap<&'static str, BTreeSet<Norm>>; 3] = Default::default();
    for stage in 0..stages.len() {
        let (start, end) = stage_span(text, &analysis, stage);
        let last = stage + 1 == stages.len();
        let full = bucket(&found, start, end - start, last);
        let place = format!("{name}:{}", line_of(text, start));
        for (k, (doc, offset)) in decompositions(text, &analysis, stage)
            .into_iter()
            .enumerate()
        {
            let (part_found, _) = diagnose(&doc, context);
            let part = bucket(&part_found, offset, end - start, true);
            compare(table, k, &format!("{place} (stage {stage})"), &full, &part);
            for (code, norms) in bucket(&part_found, 0, preamble_len, false) {
                part_preamble[k].entry(code).or_default().extend(norms);
            }
        }
    }
    for (k, union) in part_preamble.into_iter().enumerate() {
        let part: BTreeMap<&'static str, Vec<Norm>> = union
            .into_iter()
            .map(|(code, set)| (code, set.into_iter().collect()))
            .collect();
        compare(
            table,
            k,
            &format!("{name}:1 (preamble)"),
            &full_preamble,
            &part,
        );
    }
}

/// Generated multi-stage files that make the stage-graph and final-stage
/// rules speak (the corpus has few of their findings).
fn generated_files() -> Vec<(String, String, Context)> {
    let mut out = vec![("generated(12)".to_string(), generated::generated(12))];
    out.push((
        "generated:references".into(),
        "# syntax=docker/dockerfile:1\n\
         ARG BASE=alpine:3.20\n\
         ARG TAG\n\
         FROM ${BASE} AS Build\n\
         RUN apk add --no-cache gcc\n\
         WORKDIR app\n\
         ENV TOKEN_SECRET=abc\n\
         FROM build as dup\n\
         copy --from=nosuch /a /b\n\
         COPY --from=7 /a /b\n\
         COPY --from=BUILD /app /app\n\
         RUN echo $TAG $STAGE_ONLY\n\
         FROM alpine:${TAG} AS dup\n\
         ARG TAG\n\
         RUN echo $TAG\n\
         FROM scratch AS unused\n\
         COPY . /\n\
         FROM dup AS final\n\
         WORKDIR rel\n\
         USER root\n\
         RUN --mount=from=build,target=/x ls /x\n"
            .into(),
    ));
    out.push((
        "generated:node".into(),
        "FROM node:20 AS deps\n\
         WORKDIR /app\n\
         COPY package.json package-lock.json ./\n\
         RUN npm install\n\
         FROM deps AS builder\n\
         COPY . .\n\
         RUN npm run build\n\
         FROM node:20-slim AS runner\n\
         ENV NODE_ENV=production\n\
         COPY --from=deps /app/node_modules ./node_modules\n\
         COPY --from=builder /app/dist ./dist\n\
         CMD node dist/index.js\n"
            .into(),
    ));
    out.push((
        "generated:python".into(),
        "FROM python:3.12 AS base\n\
         ENV PATH=/opt/venv/bin:$PATH\n\
         FROM base AS build\n\
         RUN pip install poetry && cd /src && poetry install\n\
         FROM base\n\
         COPY --from=0 /opt/venv /opt/venv\n\
         COPY --from=build /opt/venv /opt/venv\n\
         Run apt-get update && apt-get install -y curl\n\
         ENTRYPOINT python -m app\n"
            .into(),
    ));
    out.push((
        "generated:rare".into(),
        "# check=experimental=all\n\
         ARG BASE=alpine:3.20\n\
         # base the first stage\n\
         FROM --platform=linux/amd64 ${BASE} AS context\n\
         MAINTAINER me\n\
         EXPOSE 80/TCP 127.0.0.1:81:81\n\
         RUN sudo make install\n\
         FROM node:20 AS build\n\
         COPY package.json app.sh /app\n\
         RUN yarn install\n\
         FROM alpine:$NOPE AS tools\n\
         FROM alpine AS unused\n\
         RUN true\n\
         FROM alpine\n\
         COPY --from=biuld /a /\n\
         COPY --from=build /app /app\n\
         USER app\n"
            .into(),
    ));
    out.push((
        "generated:lineage".into(),
        "FROM alpine AS a\n\
         WORKDIR /app\n\
         ENV FOO=1\n\
         FROM a AS b\n\
         WORKDIR sub\n\
         ENV BAR=$FOO\n\
         FROM node:22 AS c\n\
         RUN yarn install\n\
         FROM alpine\n\
         RUN true\n\
         FROM c\n\
         COPY --from=b /x /y\n\
         CMD [\"x\"]\n"
            .into(),
    ));
    // Rules that count over the whole document or judge the final stage,
    // in stages that look different alone.
    out.push((
        "generated:counts".into(),
        "FROM alpine AS a\n\
         RUN true\n\
         RUN false\n\
         from node:22 as b\n\
         copy . .\n\
         run npm ci\n\
         run npm run build\n\
         cmd [\"node\", \"dist/index.js\"]\n\
         FROM node:22-slim\n\
         COPY --from=b /dist /dist\n\
         USER node\n\
         CMD [\"node\", \"/dist/index.js\"]\n"
            .into(),
    ));
    let mut out: Vec<(String, String, Context)> = out
        .into_iter()
        .map(|(name, text)| (name, text, Context::default()))
        .collect();
    // A build context on disk, for the rules that read the files around.
    let dir = common::temp_dir("rule-locality");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    let dockerfile = dir.join("Dockerfile");
    let text = "FROM node:20 AS deps\n\
                WORKDIR /app\n\
                COPY package.json yarn.lock ./\n\
                RUN yarn install --frozen-lockfile\n\
                FROM deps AS builder\n\
                COPY . .\n\
                COPY secret.env missing.txt /app/\n\
                RUN yarn build\n\
                FROM node:20-slim\n\
                WORKDIR /app\n\
                COPY --from=builder /app/.next/standalone ./\n\
                COPY app.env /app/\n\
                USER node\n\
                CMD [\"node\", \"server.js\"]\n";
    common::write(&dockerfile, text.as_bytes());
    common::write(&dir.join(".dockerignore"), b"*.env\n");
    common::write(
        &dir.join("package.json"),
        br#"{"dependencies":{"next":"14"}}"#,
    );
    common::write(&dir.join("yarn.lock"), b"");
    common::write(&dir.join("secret.env"), b"A=1\n");
    common::write(&dir.join("app.env"), b"A=1\n");
    common::write(&dir.join("next.config.js"), b"module.exports = {}\n");
    let (context, _) = Context::load(Some(&dockerfile), &Config::default(), Some(&dir));
    out.push(("generated:context".into(), text.into(), context));
    out
}

/// The corpus as a relative path, so that messages naming folders read the
/// same wherever the project is checked out.
fn corpus() -> PathBuf {
    common::shared_dir();
    PathBuf::from("../shared/corpus")
}

fn corpus_files() -> Vec<(String, PathBuf, PathBuf)> {
    let corpus = corpus();
    let mut out = Vec::new();
    for (folder, every_file) in [("apps", false), ("valid", true), ("invalid", true)] {
        let root = corpus.join(folder);
        for file in common::corpus_dockerfiles(&root, every_file) {
            let name = file
                .strip_prefix(&corpus)
                .unwrap_or(&file)
                .display()
                .to_string();
            out.push((name, file, root.clone()));
        }
    }
    out
}

/// Why a rule that is not stage-local needs more than its stage, from
/// reading its check (the evidence column says where the corpus shows it).
const WHY: &[(&str, &str)] = &[
    ("StageNameCasing", "the finding is the stage's own FROM, but its fix renames every reference to the stage, in later stages"),
    ("DuplicateStageName", "the names of earlier stages"),
    ("ConsistentInstructionCasing", "the casing majority over every instruction of the document"),
    ("SingleStageBuild", "the number of stages (a stage alone is a single-stage build)"),
    ("WorkdirRelativePath", "whether a stage it builds on (FROM <stage>, transitively) set a WORKDIR"),
    ("UndefinedVar", "the ENV the stage inherits: its ancestors' ENV and their base images' (FROM <stage> needs the earlier FROM lines to find the image)"),
    ("InvalidDefinitionDescription", "the comment lines just above the stage's FROM, which lie in the previous stage's span (or the preamble)"),
    ("UnknownStage", "the names of earlier stages (and the did-you-mean candidates among them)"),
    ("StageIndexOutOfRange", "the number of earlier stages (`--from=N`, a stage's own index)"),
    ("UnusedStage", "whether a later stage the final one needs refers to it: the whole stage graph"),
    ("DevNodeModulesInFinalStage", "whether the stage is final, and the install commands of the stage it copies node_modules from"),
    ("WholeTreeCopyIntoFinalStage", "whether the stage is final, and the names of the stages it copies from"),
    ("FinalStageRunsAsRoot", "whether the stage is final, and the USER of the stages it builds on"),
    ("MissingHealthcheck", "whether the stage is final, and the HEALTHCHECK and EXPOSE of the stages it builds on"),
    ("PackageCacheInFinalStage", "whether the stage is final"),
    ("NoDockerignore", "facts of the whole document (a COPY of a directory anywhere), reported at the first FROM"),
    ("DockerignoreIncomplete", "facts of the whole document (any COPY of a directory, any npm or Next.js use), reported at the first FROM"),
    ("DL3000", "whether an absolute WORKDIR came before, in the stage or the stages it builds on"),
    ("DL3006", "the names of earlier stages (FROM <stage> is no untagged image)"),
    ("DL3009", "the kept stages: the final stage, stages with CMD or ENTRYPOINT and their ancestors (later stages decide)"),
    ("DL3022", "the names of earlier stages (COPY --from=<name> must name one)"),
    ("DL3042", "the kept stages: the final stage, stages with CMD or ENTRYPOINT and their ancestors (later stages decide)"),
    ("DL3045", "whether the stage or one it builds on set a WORKDIR"),
    ("DL3060", "the kept stages, less the final one (later stages decide)"),
    ("SyntaxError", "BuildKit's errors that resolve names (COPY --from=BUILD is stage Build, not an invalid image name) or ancestors' WORKDIR (a mount target `.`)"),
    ("NoInstructions", "the file has no FROM: the whole file is the input"),
];

fn class_of(table: &Table, code: &str) -> &'static str {
    let clean = |k: usize| {
        table.tallies[k]
            .get(code)
            .is_none_or(|t| t.differences == 0)
    };
    let seen =
        table.findings.contains_key(code) || table.tallies.iter().any(|t| t.contains_key(code));
    let compared = table.tallies.iter().any(|t| t.contains_key(code));
    if !seen {
        "UNSEEN"
    } else if !compared {
        // Found only in files without a stage: the whole file is its input.
        "NOSTAGE"
    } else if clean(0) {
        "LOCAL"
    } else if clean(1) {
        "NAMES"
    } else if clean(2) {
        "ANCESTORS"
    } else {
        "DOCUMENT"
    }
}

fn render() -> String {
    let mut table = Table::default();
    let files = corpus_files();
    let mut stage_count = 0;
    for (name, file, root) in &files {
        let text = common::read(file);
        let (context, _) = Context::load(Some(file), &Config::default(), Some(root));
        stage_count += diagnose(&text, &context).1.stages.stages.len();
        measure_file(&mut table, name, &text, &context);
    }
    let generated = generated_files();
    for (name, text, context) in &generated {
        stage_count += diagnose(text, context).1.stages.stages.len();
        measure_file(&mut table, name, text, context);
    }
    let mut codes: Vec<&str> = dockerfile_lsp::rules::registry()
        .iter()
        .map(|r| r.code)
        .collect();
    codes.extend(["SyntaxError", "NoInstructions"]);
    let mut by_class: BTreeMap<&str, usize> = BTreeMap::new();
    for code in &codes {
        *by_class.entry(class_of(&table, code)).or_default() += 1;
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Rule locality: {} corpus files and {} generated ones, {} stages, each",
        files.len(),
        generated.len(),
        stage_count
    );
    let _ = writeln!(
        out,
        "# diagnosed alone (D1: preamble + stage), with the earlier stages' FROM"
    );
    let _ = writeln!(
        out,
        "# lines (D2) and with its FROM <stage> ancestors in full (D3), against"
    );
    let _ = writeln!(
        out,
        "# the whole document. Written and compared by tests/rule_locality.rs."
    );
    let _ = writeln!(
        out,
        "# Classes: {}",
        by_class
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        out,
        "# Columns: code, class, findings in the full documents (files), stages"
    );
    let _ = writeln!(
        out,
        "# compared / differing in D1, D2, D3, then the first difference of D1"
    );
    let _ = writeln!(
        out,
        "# (and of the last decomposition that still differs) and, for"
    );
    let _ = writeln!(out, "# non-local rules, why from the rule's code.");
    out.push('\n');
    for code in &codes {
        let class = class_of(&table, code);
        let (n, files) = table
            .findings
            .get(code)
            .map_or((0, 0), |(n, f)| (*n, f.len()));
        let tallies: Vec<String> = (0..3)
            .map(|k| {
                table.tallies[k].get(code).map_or("0/0".into(), |t| {
                    format!("{}/{}", t.compared, t.differences)
                })
            })
            .collect();
        let _ = write!(
            out,
            "{code:<34} {class:<9} {n:>5} ({files:>3} files)  D1 {}  D2 {}  D3 {}",
            tallies[0], tallies[1], tallies[2]
        );
        let first = |k: usize| {
            table.tallies[k]
                .get(code)
                .and_then(|t| t.first_difference.clone())
        };
        if let Some(d1) = first(0) {
            let _ = write!(out, "\n    D1: {d1}");
        }
        let last = (1..3).rev().find_map(|k| first(k).map(|d| (k, d)));
        if let Some((k, d)) = last {
            let _ = write!(out, "\n    D{}: {d}", k + 1);
        }
        if !matches!(class, "LOCAL" | "UNSEEN") {
            let why = WHY.iter().find(|(c, _)| c == code).map_or("-", |(_, w)| w);
            let _ = write!(out, "\n    why: {why}");
        }
        out.push('\n');
    }
    out
}

fn report_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rule-locality.txt")
}

#[test]
fn the_rule_locality_table_is_the_committed_one() {
    let started = Instant::now();
    let now = render();
    eprintln!("rule locality: {:.1} s", started.elapsed().as_secs_f64());
    let path = report_path();
    if std::env::var_os("UPDATE_RULE_LOCALITY").is_some() {
        std::fs::write(&path, &now).unwrap();
        eprintln!("wrote {}", path.display());
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if now != committed {
        let first = now
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(now.lines().count().min(committed.lines().count()));
        panic!(
            "{} is out of date (first difference at line {}):\n  now:       {}\n  committed: {}\n\
             Review the change, then UPDATE_RULE_LOCALITY=1 cargo test --test rule_locality",
            path.display(),
            first + 1,
            now.lines().nth(first).unwrap_or(""),
            committed.lines().nth(first).unwrap_or("")
        );
    }
}

/// The decomposition itself: a stage's findings shifted back are the
/// full document's for a rule that reads only its stage, and a stage-graph
/// rule's differ (the test above would pass vacuously otherwise).
#[test]
fn the_decomposition_tells_a_local_rule_from_a_document_one() {
    let text = "ARG V=1\nFROM alpine AS a\nMAINTAINER me\nFROM alpine AS b\nCOPY --from=a /x /y\nMAINTAINER you\n";
    let (found, analysis) = diagnose(text, &Context::default());
    let (start, end) = stage_span(text, &analysis, 1);
    assert_eq!(
        &text[start..end],
        "FROM alpine AS b\nCOPY --from=a /x /y\nMAINTAINER you\n"
    );
    let [(d1, o1), (d2, o2), _] = decompositions(text, &analysis, 1);
    assert_eq!(
        d1,
        "ARG V=1\nFROM alpine AS b\nCOPY --from=a /x /y\nMAINTAINER you\n"
    );
    assert_eq!(
        d2,
        "ARG V=1\nFROM alpine AS a\nFROM alpine AS b\nCOPY --from=a /x /y\nMAINTAINER you\n"
    );
    let full = bucket(&found, start, end - start, true);
    let alone = bucket(&diagnose(&d1, &Context::default()).0, o1, end - start, true);
    let named = bucket(&diagnose(&d2, &Context::default()).0, o2, end - start, true);
    assert_eq!(
        full.get("MaintainerDeprecated"),
        alone.get("MaintainerDeprecated")
    );
    assert!(full.contains_key("MaintainerDeprecated"));
    // Alone, `--from=a` names no stage: it is taken for an image.
    assert!(!full.contains_key("DL3022"));
    assert!(alone.contains_key("DL3022"));
    assert_eq!(full.get("DL3022"), named.get("DL3022"));
}

// ---------------------------------------------------------------------------
// Timing (release, by hand): see the module's comment.

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time<T>(n: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..n)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn only(codes: &[&str]) -> Context {
    let mut config = Config::default();
    for rule in dockerfile_lsp::rules::registry() {
        if !codes.contains(&rule.code) {
            config.rules.insert(rule.code.to_string(), Level::Off);
        }
    }
    Context {
        config,
        ..Context::default()
    }
}

/// The classes of the committed table.
fn committed_classes() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(report_path()).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && !l.is_empty())
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            Some((words.next()?.to_string(), words.next()?.to_string()))
        })
        .collect()
}

#[test]
#[ignore = "timing: run in release with --ignored --nocapture"]
fn timing() {
    let classes = committed_classes();
    assert!(!classes.is_empty(), "tests/rule-locality.txt is missing");
    let codes: Vec<&str> = dockerfile_lsp::rules::registry()
        .iter()
        .map(|r| r.code)
        .collect();
    for stages in [1_000, 10_000] {
        let text = generated::generated(stages);
        let runs = if stages > 1_000 { 3 } else { 9 };
        let context = Context::default();
        println!("\n## {stages} stages, {} bytes", text.len());
        let tree = syntax::parse(&text);
        let analysis = Analysis::build(&tree, text.as_str());
        let parse = time(runs, || syntax::parse(&text));
        let build = time(runs, || Analysis::build(&tree, text.as_str()));
        let rules = time(runs, || {
            diagnostics::diagnose(&tree, &text.as_str(), &analysis, &context)
        });
        println!(
            "from scratch: parse {}, analysis {}, diagnose {} (total {})",
            ms(parse),
            ms(build),
            ms(rules),
            ms(parse + build + rules)
        );
        let middle = stages / 2;
        for (k, (doc, _)) in decompositions(&text, &analysis, middle)
            .into_iter()
            .enumerate()
        {
            let t = time(21, || diagnose(&doc, &context));
            println!(
                "stage {middle} as D{} ({} bytes): parse + analysis + diagnose {}",
                k + 1,
                doc.len(),
                ms(t)
            );
        }
        // Per rule: diagnose with only that rule on, less the run with
        // every rule off (syntax errors, the directive, inline skips).
        let none = time(runs, || {
            diagnostics::diagnose(&tree, &text.as_str(), &analysis, &only(&[]))
        });
        println!("every rule off: {}", ms(none));
        let mut by_class: BTreeMap<String, (Duration, usize)> = BTreeMap::new();
        let mut per_rule = Vec::new();
        for code in &codes {
            let ctx = only(&[code]);
            let t = time(runs, || {
                diagnostics::diagnose(&tree, &text.as_str(), &analysis, &ctx)
            });
            let own = t.saturating_sub(none);
            let class = classes.get(*code).cloned().unwrap_or("?".into());
            let e = by_class.entry(class.clone()).or_default();
            e.0 += own;
            e.1 += 1;
            per_rule.push((own, *code, class));
        }
        per_rule.sort_by_key(|r| std::cmp::Reverse(r.0));
        let total: Duration = per_rule.iter().map(|r| r.0).sum();
        for (class, (t, n)) in &by_class {
            println!(
                "{class}: {n} rules, {} ({:.0}% of the rules' single-thread sum {})",
                ms(*t),
                100.0 * t.as_secs_f64() / total.as_secs_f64().max(1e-9),
                ms(total)
            );
        }
        println!("slowest rules:");
        for (t, code, class) in per_rule.iter().take(12) {
            println!("  {code:<34} {class:<9} {}", ms(*t));
        }
        let local: Vec<&str> = codes
            .iter()
            .copied()
            .filter(|c| {
                classes
                    .get(*c)
                    .is_some_and(|k| k == "LOCAL" || k == "UNSEEN")
            })
            .collect();
        let other: Vec<&str> = codes
            .iter()
            .copied()
            .filter(|c| !local.contains(c))
            .collect();
        let (lc, oc) = (only(&local), only(&other));
        let l = time(runs, || {
            diagnostics::diagnose(&tree, &text.as_str(), &analysis, &lc)
        });
        let o = time(runs, || {
            diagnostics::diagnose(&tree, &text.as_str(), &analysis, &oc)
        });
        println!(
            "diagnose with LOCAL+UNSEEN rules only ({}): {}; with the others only ({}): {}",
            local.len(),
            ms(l),
            other.len(),
            ms(o)
        );
    }
}
