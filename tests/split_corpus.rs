//! The split action on real applications: every single-stage Dockerfile of
//! `../shared/corpus/apps/`, a single-stage form of each multi-stage one,
//! and the sample apps of `tests/split-apps/`, each split with its real
//! build context (the Dockerfile's folder). For each result:
//!
//! - the new Dockerfile parses without errors;
//! - our rules give it no error or warning the input did not already have
//!   (a rule about a step the split keeps as written, an unpinned apt
//!   package, is the input's, not the split's);
//! - it passes the static check (`features::split_check`), again apart
//!   from what the input already fails (the corpus keeps Dockerfiles and
//!   manifests, not every source file, so a COPY of sources may name files
//!   the corpus lacks);
//! - it is recorded in `tests/split-snapshots/` (one text file per input),
//!   with the reason when the split is not offered. The test fails with a
//!   diff when a result changes; `UPDATE_SNAPSHOTS=1` rewrites them (and
//!   removes those whose input is gone) so each change is read in review.
//!
//! The single-stage form of a multi-stage file is what a first draft of it
//! would look like, everything done in one image ([`join`]): the global
//! ARGs, `FROM` the first needed stage's base, then the steps of every
//! stage the final stage needs (its base and `COPY --from` stages, followed
//! transitively), in file order (a stage that installs production
//! dependencies only comes after the others: before them, it would take
//! away what the build needs), then the final stage's steps. A
//! `COPY --from=<stage>` whose destination is its source (`COPY
//! --from=build /app/dist /app/dist` once everything is in one image) is
//! dropped, as the files are already there; one that moves files becomes
//! a `RUN` that copies them; one from an image stays. Stages the final
//! stage does not need (tests, debug variants) are left out. When the
//! stages it needs build on different images (a Python docs stage and a
//! Node app stage), no one image runs all their steps: the file is not
//! joined, and its snapshot says so.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use dockerfile_lsp::analysis::context::DirFiles;
use dockerfile_lsp::analysis::paths::absolute;
use dockerfile_lsp::analysis::Analysis;
use dockerfile_lsp::config::Config;
use dockerfile_lsp::diagnostics::{self, BuildContext, Context, Severity};
use dockerfile_lsp::features::{split_check, split_stages};
use dockerfile_lsp::syntax::{self, logical_text, views};

fn snapshots_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/split-snapshots")
}

/// A path for the shell, in double quotes when it needs quoting, so a
/// `${VAR}` the COPY would have expanded is still expanded (from the ENV
/// or ARG the step sees).
fn shell_quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:@=".contains(c))
    {
        s.to_string()
    } else {
        let mut out = String::from("\"");
        for c in s.chars() {
            if matches!(c, '"' | '\\' | '`') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
        out
    }
}

/// The single-stage form of a multi-stage Dockerfile (see the module
/// comment), and the names of the stages joined; `None` for a file of one
/// stage (or none).
fn join(text: &str) -> Option<Result<(String, Vec<String>), String>> {
    let tree = syntax::parse(text);
    let stages = views::stages(&tree);
    if stages.len() < 2 {
        return None;
    }
    let names: Vec<Option<String>> = stages
        .iter()
        .map(|(_, from)| {
            views::from_instruction(*from)
                .stage_name
                .map(|n| logical_text(n, text).to_ascii_lowercase())
        })
        .collect();
    // A stage reference (a name or an index) made before stage `before`.
    let resolve = |reference: &str, before: usize| -> Option<usize> {
        let r = reference.to_ascii_lowercase();
        (0..before)
            .rev()
            .find(|&i| names[i].as_deref() == Some(r.as_str()))
            .or_else(|| r.parse::<usize>().ok().filter(|&i| i < before))
    };
    let base_of = |i: usize| -> String {
        views::from_instruction(stages[i].1)
            .image
            .map(|n| logical_text(n, text))
            .unwrap_or_default()
    };
    let from_flag = |node: tree_sitter::Node| -> Option<String> {
        views::flags(node, text)
            .into_iter()
            .find(|f| f.name == "from")
            .and_then(|f| f.value.map(|v| logical_text(v, text)))
    };
    // What each stage needs: its base, its COPY --from and mount stages.
    let mut needs: Vec<Vec<usize>> = vec![Vec::new(); stages.len()];
    for (i, (stage, _)) in stages.iter().enumerate() {
        if let Some(p) = resolve(&base_of(i), i) {
            needs[i].push(p);
        }
        for node in views::stage_instructions(*stage) {
            if let Some(f) = from_flag(node).and_then(|f| resolve(&f, i)) {
                needs[i].push(f);
            }
            for flag in views::flags(node, text) {
                for o in &flag.options {
                    if o.key == "from" {
                        if let Some(f) = o.value.and_then(|v| resolve(&logical_text(v, text), i)) {
                            needs[i].push(f);
                        }
                    }
                }
            }
        }
    }
    let last = stages.len() - 1;
    let mut keep = BTreeSet::new();
    let mut todo = vec![last];
    while let Some(i) = todo.pop() {
        if keep.insert(i) {
            todo.extend(needs[i].iter().copied());
        }
    }
    // A stage of only its FROM (`FROM grpc-health-probe AS probe`) is an
    // image to copy from: its COPY --from names the image instead.
    let bare = |i: usize| {
        i != last
            && views::stage_instructions(stages[i].0).len() == 1
            && resolve(&base_of(i), i).is_none()
    };
    keep.retain(|&i| !bare(i));
    // Build stages on different images (Python and Node) make no single
    // first draft: no one image runs all their steps.
    let mut images: Vec<String> = Vec::new();
    for &i in keep.iter().filter(|&&i| i != last) {
        let base = base_of(i);
        if resolve(&base, i).is_none() && !images.contains(&base) {
            images.push(base);
        }
    }
    if images.len() > 1 {
        return Some(Err(format!(
            "the stages the final stage needs build on different images ({}): no one image runs all their steps",
            images.join(", ")
        )));
    }
    let first = *keep.iter().next().unwrap();
    let mut out = String::new();
    // The global ARGs, comments and directives before the first stage.
    out.push_str(&text[..stages[0].0.start_byte()]);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    // The draft's FROM is the first kept stage's, followed down to the
    // image when it builds on a stage (`FROM base` where `base` is only a
    // FROM), with the flags (`--platform=$BUILDPLATFORM`) kept.
    let mut root = first;
    while let Some(p) = resolve(&base_of(root), root) {
        root = p;
    }
    let flags: Vec<String> = views::flags(stages[root].1, text)
        .into_iter()
        .map(|f| text[f.node.byte_range()].to_string())
        .collect();
    let _ = writeln!(
        out,
        "FROM {}{}",
        flags.iter().map(|f| format!("{f} ")).collect::<String>(),
        base_of(root)
    );
    // A stage that installs production dependencies only (`npm ci
    // --omit=dev`) for the final stage to copy comes after the build in
    // a first draft: installed before it, it would take away what the
    // build needs.
    let production_only = |i: usize| {
        let body = &text[stages[i].0.byte_range()];
        ["--omit=dev", "--production", "--only=production", "--prod"]
            .iter()
            .any(|f| body.contains(f))
            && !body.contains("run build")
    };
    let needed_by_others = |i: usize| {
        keep.iter()
            .any(|&j| j != last && j != i && needs[j].contains(&i))
    };
    let mut order: Vec<usize> = keep
        .iter()
        .copied()
        .filter(|&i| i == last || !production_only(i) || needed_by_others(i))
        .filter(|&i| i != last)
        .collect();
    order.extend(
        keep.iter()
            .copied()
            .filter(|&i| i != last && production_only(i) && !needed_by_others(i)),
    );
    order.push(last);
    let mut workdir = "/".to_string();
    let mut joined = Vec::new();
    // The final stage's own image, when the draft is on another: the
    // ENTRYPOINT that image gave its CMD (distroless java's `java -jar`)
    // is written out, or the CMD would mean something else.
    let mut last_root = last;
    while let Some(p) = resolve(&base_of(last_root), last_root) {
        last_root = p;
    }
    let final_image = base_of(last_root);
    let final_has_entrypoint = views::stage_instructions(stages[last].0)
        .iter()
        .any(|n| views::keyword(*n, text) == "ENTRYPOINT");
    let lost_entrypoint = (final_image != base_of(root) && !final_has_entrypoint)
        .then(|| dockerfile_lsp::analysis::images::lookup(&final_image))
        .flatten()
        .map(|f| f.entrypoint)
        .filter(|e| !e.is_empty());
    for &i in &order {
        let (stage, from) = stages[i];
        if i == last {
            if let Some(entrypoint) = lost_entrypoint {
                // the program by name: the draft's image keeps it elsewhere
                // (`/usr/local/bin/node`, not distroless's `/nodejs/bin/node`)
                let mut words: Vec<String> = entrypoint.to_vec();
                if let Some(program) = words.first_mut() {
                    *program = program.rsplit('/').next().unwrap_or(program).to_string();
                }
                let _ = writeln!(
                    out,
                    "# (joined: the ENTRYPOINT of {final_image}, the final stage's image)\nENTRYPOINT {}",
                    serde_json::to_string(&words).unwrap_or_default()
                );
            }
        }
        joined.push(names[i].clone().unwrap_or_else(|| i.to_string()));
        let mut cursor = stage.walk();
        for node in stage.named_children(&mut cursor) {
            if node.id() == from.id() {
                continue;
            }
            let raw = &text[node.byte_range()];
            if node.kind() == "comment" {
                let _ = writeln!(out, "{raw}");
                continue;
            }
            if !syntax::is_instruction_kind(node.kind()) {
                continue;
            }
            let keyword = views::keyword(node, text);
            if keyword == "WORKDIR" {
                let args = logical_text(node, text);
                let args = args[keyword.len()..].trim();
                workdir = absolute(&workdir, args.trim_matches('"'));
            }
            let stage_ref = if keyword == "COPY" {
                from_flag(node).and_then(|f| resolve(&f, i))
            } else {
                None
            };
            let Some(source_stage) = stage_ref else {
                let _ = writeln!(out, "{raw}");
                continue;
            };
            if bare(source_stage) {
                let flag = views::flags(node, text)
                    .into_iter()
                    .find(|f| f.name == "from")
                    .unwrap();
                let range = flag.node.byte_range();
                let _ = writeln!(
                    out,
                    "{}--from={}{}",
                    &text[node.start_byte()..range.start],
                    base_of(source_stage),
                    &text[range.end..node.end_byte()]
                );
                continue;
            }
            // COPY --from=<stage>: everything is in this one image now.
            let mut cursor = node.walk();
            let paths: Vec<String> = node
                .children_by_field_name("path", &mut cursor)
                .map(|p| {
                    let t = logical_text(p, text);
                    serde_json::from_str::<String>(&t).unwrap_or(t)
                })
                .collect();
            let Some((dest, sources)) = paths.split_last() else {
                let _ = writeln!(out, "{raw}");
                continue;
            };
            let into_dir = dest.ends_with('/') || sources.len() > 1;
            let dest_abs = absolute(&workdir, dest);
            let moved: Vec<&String> = sources
                .iter()
                .filter(|s| {
                    let src = absolute("/", s);
                    let target = if into_dir {
                        // A file lands as dest/name, a folder's contents
                        // in dest: either way the same path when dest is
                        // the source's own folder or the source itself.
                        let name = src.rsplit('/').next().unwrap_or("");
                        absolute(&dest_abs, name)
                    } else {
                        dest_abs.clone()
                    };
                    !(target == src || (into_dir && dest_abs == src))
                })
                .collect();
            if moved.is_empty() {
                let _ = writeln!(out, "# (joined: already in this image) {raw}");
                continue;
            }
            let d = shell_quote(&dest_abs);
            let copies: Vec<String> = moved
                .iter()
                .map(|s| {
                    let s = shell_quote(&absolute("/", s));
                    if into_dir {
                        format!("if [ -d {s} ]; then cp -a {s}/. {d}/; else cp -a {s} {d}/; fi")
                    } else {
                        format!(
                            "if [ -d {s} ]; then mkdir -p {d} && cp -a {s}/. {d}/; else mkdir -p \"$(dirname {d})\" && cp -a {s} {d}; fi"
                        )
                    }
                })
                .collect();
            let mkdir = if into_dir {
                format!("mkdir -p {d} && ")
            } else {
                String::new()
            };
            let _ = writeln!(out, "# (joined) {}", raw.replace('\n', "\n# "));
            let _ = writeln!(out, "RUN {mkdir}{}", copies.join(" && "));
        }
    }
    Some(Ok((out, joined)))
}

/// The diagnostics of `text` at error or warning severity, as
/// `line N: code: message`.
fn problems(text: &str, context: &Context) -> Vec<(String, String)> {
    let tree = syntax::parse(text);
    let analysis = Analysis::build(&tree, text);
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    diagnostics::diagnose(&tree, &text, &analysis, context)
        .into_iter()
        .filter(|d| d.severity <= Severity::Warning)
        .map(|d| {
            (
                d.code.to_string(),
                format!(
                    "line {}: {} {}: {}",
                    line_of(d.range.start),
                    d.severity.as_str(),
                    d.code,
                    d.message
                ),
            )
        })
        .collect()
}

struct Outcome {
    snapshot: String,
    failures: Vec<String>,
}

/// Splits one input (with the build context Compose names for it, else
/// its folder) and renders its snapshot.
fn run(label: &str, dockerfile: &Path, root: &Path) -> Outcome {
    let original = common::read(dockerfile);
    let (input, joined) = match join(&original) {
        Some(Ok((text, stages))) => (text, Some(stages)),
        Some(Err(reason)) => {
            return Outcome {
                snapshot: format!(
                    "# The split action on {label}\n# input: not joined into one stage\n\n## not joined\n{reason}\n"
                ),
                failures: Vec::new(),
            };
        }
        None => (original.clone(), None),
    };
    let (context, _) = Context::load(Some(dockerfile), &Config::default(), Some(root));
    // The build context Compose names for this Dockerfile, else its folder.
    let build = context
        .build_context
        .clone()
        .unwrap_or_else(|| BuildContext::of_dockerfile(dockerfile));
    let tree = syntax::parse(&input);
    let mut s = String::new();
    let mut failures = Vec::new();
    let _ = writeln!(s, "# The split action on {label}");
    match &joined {
        Some(stages) => {
            let _ = writeln!(
                s,
                "# input: its stages {} joined into one (tests/split_corpus.rs, join)\n",
                stages.join(", ")
            );
            let _ = writeln!(s, "## joined input\n{input}");
        }
        None => {
            let _ = writeln!(s, "# input: the file as it is\n");
        }
    }
    let split = split_stages::split(&tree, &input.as_str(), Some(&build));
    let split = match split {
        Ok(split) => split,
        Err(e) => {
            let _ = writeln!(s, "## not offered\n{e}");
            return Outcome {
                snapshot: s,
                failures,
            };
        }
    };
    let _ = writeln!(s, "## offered: {}\n{}", split.title, split.text);
    if let Some(c) = &split.config {
        let how = if c.create {
            "create".to_string()
        } else {
            format!("insert at byte {}", c.offset)
        };
        let _ = writeln!(s, "## config change: {} ({how})\n{}", c.file, c.insert);
    }
    let _ = writeln!(s, "## checks");
    let errors = syntax::syntax_errors(&syntax::parse(&split.text), &split.text.as_str());
    if errors.is_empty() {
        let _ = writeln!(s, "parses: yes");
    } else {
        for e in &errors {
            let _ = writeln!(s, "parses: NO, line {}: {}", e.start.row + 1, e.message);
            failures.push(format!(
                "{label}: the split does not parse: line {}: {}",
                e.start.row + 1,
                e.message
            ));
        }
    }
    let before: BTreeSet<String> = problems(&input, &context)
        .into_iter()
        .map(|(code, _)| code)
        .collect();
    let after = problems(&split.text, &context);
    if after.is_empty() {
        let _ = writeln!(s, "rules: no error or warning");
    }
    for (code, line) in &after {
        let new = !before.contains(code);
        let _ = writeln!(
            s,
            "rules: {line}{}",
            if new {
                "  [NEW]"
            } else {
                "  [the input has it too]"
            }
        );
        if new {
            failures.push(format!("{label}: a rule the input passed: {line}"));
        }
    }
    // The corpus keeps the Dockerfiles and manifests, not every source: a
    // problem the input has too (a COPY of sources the corpus lacks) is
    // the input's, not the split's.
    let files = DirFiles::new(&build.dir);
    let message = |p: &split_check::Problem| p.message.clone();
    let input_found: BTreeSet<String> = split_check::check(&input, &files)
        .iter()
        .map(message)
        .collect();
    let found = split_check::check(&split.text, &files);
    if found.is_empty() {
        let _ = writeln!(s, "static check: ok");
    }
    for p in &found {
        if input_found.contains(&p.message) {
            let _ = writeln!(s, "static check: {p}  [the input has it too]");
        } else {
            let _ = writeln!(s, "static check: {p}  [NEW]");
            failures.push(format!("{label}: static check: {p}"));
        }
    }
    Outcome {
        snapshot: s,
        failures,
    }
}

/// Every input: (snapshot name, label, Dockerfile, the folder above which
/// nothing is read).
fn inputs() -> Vec<(String, String, PathBuf, PathBuf)> {
    let apps = common::shared_dir().join("corpus/apps");
    let mut out = Vec::new();
    for file in common::corpus_dockerfiles(&apps, false) {
        let rel = file
            .strip_prefix(&apps)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let repo = rel.split('/').next().unwrap().to_string();
        out.push((
            format!("corpus/{rel}.txt"),
            format!("../shared/corpus/apps/{rel}"),
            file.clone(),
            apps.join(repo),
        ));
    }
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/split-apps");
    let mut names: Vec<_> = std::fs::read_dir(&samples)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Dockerfile").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let dir = samples.join(&name);
        out.push((
            format!("split-apps/{name}.txt"),
            format!("tests/split-apps/{name}/Dockerfile"),
            dir.join("Dockerfile"),
            dir,
        ));
    }
    out
}

fn diff(old: &str, new: &str) -> String {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let mut out = String::new();
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            i += 1;
            j += 1;
            continue;
        }
        // The next line of one side found ahead on the other: what lies
        // between was added or removed.
        let ahead_new = (j..new.len()).find(|&k| i < old.len() && new[k] == old[i]);
        let ahead_old = (i..old.len()).find(|&k| j < new.len() && old[k] == new[j]);
        match (ahead_new, ahead_old) {
            (Some(k), _) if ahead_old.is_none_or(|m| k - j <= m - i) => {
                for line in &new[j..k] {
                    let _ = writeln!(out, "+{line}");
                }
                j = k;
            }
            (_, Some(m)) => {
                for line in &old[i..m] {
                    let _ = writeln!(out, "-{line}");
                }
                i = m;
            }
            _ => {
                if i < old.len() {
                    let _ = writeln!(out, "-{}", old[i]);
                    i += 1;
                }
                if j < new.len() {
                    let _ = writeln!(out, "+{}", new[j]);
                    j += 1;
                }
            }
        }
    }
    out
}

#[test]
fn every_corpus_app_split_parses_passes_our_rules_and_the_static_check() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let dir = snapshots_dir();
    let inputs = inputs();
    assert!(
        inputs.len() > 100,
        "the apps corpus and the sample apps: {} inputs",
        inputs.len()
    );
    let mut failures = Vec::new();
    let mut changed = Vec::new();
    let mut expected: BTreeSet<PathBuf> = BTreeSet::new();
    let (mut offered, mut not_offered, mut not_joined) = (0, 0, 0);
    for (name, label, file, root) in &inputs {
        let mut outcome = run(label, file, root);
        // Paths in messages relative to the project, the same on every
        // machine (`/work/main/../shared/...` is `../shared/...`).
        outcome.snapshot = outcome
            .snapshot
            .replace(concat!(env!("CARGO_MANIFEST_DIR"), "/"), "");
        if outcome.snapshot.contains("\n## offered: ") {
            offered += 1;
        } else if outcome.snapshot.contains("\n## not joined\n") {
            not_joined += 1;
        } else {
            not_offered += 1;
        }
        failures.extend(outcome.failures);
        let path = dir.join(name);
        expected.insert(path.clone());
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        if old != outcome.snapshot {
            if update {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &outcome.snapshot).unwrap();
            } else {
                changed.push(format!(
                    "--- {}\n{}",
                    path.display(),
                    diff(&old, &outcome.snapshot)
                ));
            }
        }
    }
    // Snapshots whose input is gone.
    if dir.is_dir() {
        for file in common::files_under(&dir) {
            if !expected.contains(&file) && !file.ends_with("README.md") {
                if update {
                    std::fs::remove_file(&file).unwrap();
                } else {
                    changed.push(format!("--- {}: its input is gone", file.display()));
                }
            }
        }
    }
    println!(
        "{} inputs: the split is offered on {offered}, not on {not_offered}; {not_joined} multi-stage files not joined",
        inputs.len()
    );
    assert!(
        changed.is_empty(),
        "{} snapshot(s) differ (UPDATE_SNAPSHOTS=1 rewrites them; read each change):\n{}",
        changed.len(),
        changed.join("\n")
    );
    assert!(
        failures.is_empty(),
        "{} problem(s) in the splits:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_join_drops_copies_already_in_place_and_moves_the_others() {
    let text = "ARG V=1\nFROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n\
FROM alpine AS test\nRUN echo test\n\
FROM gcr.io/distroless/static\nWORKDIR /src\nCOPY --from=build /src/ ./\nCOPY --from=build /out/app /usr/local/bin/app\n\
COPY --from=nginx:alpine /etc/nginx/nginx.conf /etc/nginx/\nCMD [\"app\"]\n";
    let (joined, stages) = join(text).unwrap().unwrap();
    assert_eq!(stages, vec!["build", "2"]);
    assert_eq!(
        joined,
        "ARG V=1\nFROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\nWORKDIR /src\n\
# (joined: already in this image) COPY --from=build /src/ ./\n\
# (joined) COPY --from=build /out/app /usr/local/bin/app\n\
RUN if [ -d /out/app ]; then mkdir -p /usr/local/bin/app && cp -a /out/app/. /usr/local/bin/app/; else mkdir -p \"$(dirname /usr/local/bin/app)\" && cp -a /out/app /usr/local/bin/app; fi\n\
COPY --from=nginx:alpine /etc/nginx/nginx.conf /etc/nginx/\nCMD [\"app\"]\n"
    );
    assert!(join("FROM alpine\nRUN true\n").is_none());
    let mixed = "FROM python:3 AS docs\nRUN mkdocs build\nFROM node:20 AS web\nRUN npm ci\n\
FROM nginx\nCOPY --from=docs /site /a\nCOPY --from=web /app/dist /b\n";
    let probe = "FROM alpine/probe:1 AS probe\nFROM golang:1 AS build\nRUN go build -o /app .\n\
FROM scratch\nCOPY --from=build /app /app\nCOPY --from=probe /bin/probe /bin/probe\n";
    let (joined, stages) = join(probe).unwrap().unwrap();
    assert_eq!(stages, vec!["build", "2"]);
    assert!(
        joined.ends_with("COPY --from=alpine/probe:1 /bin/probe /bin/probe\n"),
        "{joined}"
    );
    assert_eq!(
        join(mixed),
        Some(Err("the stages the final stage needs build on different images (python:3, node:20): no one image runs all their steps".to_string()))
    );
    // The joined form parses.
    let tree = syntax::parse(&joined);
    assert!(syntax::syntax_errors(&tree, &joined.as_str()).is_empty());
}

/// Whether a file of that name is anywhere in `dir`.
fn has_file_named(dir: &Path, name: &str) -> bool {
    common::files_under(dir)
        .iter()
        .any(|f| f.file_name().is_some_and(|n| n == name))
}

/// The static check on the corpus's own files, which build upstream: it
/// must find nothing but what the corpus does not hold (it keeps the
/// Dockerfiles and manifests, not every source), so no `--from` path is
/// ever reported missing: the check is conservative where it must be.
#[test]
fn the_static_check_finds_nothing_wrong_in_the_corpus_files_themselves() {
    let apps = common::shared_dir().join("corpus/apps");
    let mut checked = 0;
    let mut wrong = Vec::new();
    for file in common::corpus_dockerfiles(&apps, false) {
        let text = common::read(&file);
        let rel = file.strip_prefix(&apps).unwrap().display().to_string();
        let repo = rel.split('/').next().unwrap().to_string();
        let (context, _) = Context::load(Some(&file), &Config::default(), Some(&apps.join(repo)));
        let build = context
            .build_context
            .clone()
            .unwrap_or_else(|| BuildContext::of_dockerfile(&file));
        checked += 1;
        for p in split_check::check(&text, &DirFiles::new(&build.dir)) {
            let absent_source = p.message.ends_with(": is not in the build context");
            let absent_target = p
                .message
                .strip_prefix("the command runs ")
                .and_then(|m| m.split(',').next())
                .is_some_and(|t| {
                    let name = t.rsplit('/').next().unwrap_or(t);
                    !has_file_named(&build.dir, name)
                });
            // A frozen install whose lockfile the corpus does not hold.
            let absent_lockfile = p
                .message
                .split_once(": needs ")
                .and_then(|(_, m)| m.split(" in ").next())
                .is_some_and(|locks| locks.split(" or ").all(|l| !has_file_named(&build.dir, l)));
            // An install reading a file the corpus does not hold.
            let absent_input = p
                .message
                .split_once(": reads ")
                .and_then(|(_, m)| m.split(", which").next())
                .is_some_and(|f| !has_file_named(&build.dir, f.rsplit('/').next().unwrap_or(f)));
            if !(absent_source || absent_target || absent_lockfile || absent_input) {
                wrong.push(format!("{rel}: {p}"));
            }
        }
    }
    assert!(checked > 100, "{checked} corpus files");
    assert!(
        wrong.is_empty(),
        "the static check reports these on files that build upstream:\n{}",
        wrong.join("\n")
    );
}

/// The static check gives an answer, never a panic, on every Dockerfile of
/// the corpus (valid and invalid ones), whole and cut at line ends.
#[test]
fn the_static_check_never_panics() {
    let corpus = common::shared_dir().join("corpus");
    let mut files = common::files_under(&corpus.join("valid"));
    files.extend(common::files_under(&corpus.join("invalid")));
    files.retain(|f| !f.extension().is_some_and(|e| e == "txt" || e == "md"));
    assert!(files.len() > 100, "{} corpus files", files.len());
    let empty = dockerfile_lsp::analysis::context::MemFiles::default();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let dir = DirFiles::new(file.parent().unwrap());
        let _ = split_check::check(&text, &dir);
        // Cut at up to 12 line ends spread over the file.
        let ends: Vec<usize> = text.match_indices('\n').map(|(i, _)| i + 1).collect();
        let step = ends.len().div_ceil(12).max(1);
        for &cut in ends.iter().step_by(step) {
            let _ = split_check::check(&text[..cut], &empty);
        }
    }
}
