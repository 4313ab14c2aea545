//! The stage hover of every stage of every multi-stage Dockerfile of the
//! apps corpus (`../shared/corpus/apps/`), kept in reviewed snapshot files
//! under `tests/hover-snapshots/`: one file per Dockerfile, named after its
//! path. A change to a hover shows here as a diff to read in review;
//! `UPDATE_SNAPSHOTS=1 cargo test --test hover_snapshots` rewrites them.

mod common;

use std::path::{Path, PathBuf};

use dockerfile_lsp::analysis::Analysis;
use dockerfile_lsp::features::hover;
use dockerfile_lsp::syntax;

/// A Dockerfile of the apps corpus: a name containing "Dockerfile" or
/// ending in `.dockerfile`.
fn is_dockerfile(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.contains("Dockerfile") || name.ends_with(".dockerfile")
}

/// The snapshot text of one Dockerfile: each stage's FROM line and its
/// summary, then the hover on each parser directive and on each ARG or
/// ENV whose value uses a variable (resolved through its chain). `None`
/// for a file with fewer than two stages.
fn snapshot(text: &str) -> Option<String> {
    let tree = syntax::parse(text);
    let analysis = Analysis::build(&tree, text);
    let stages = &analysis.stages.stages;
    if stages.len() < 2 {
        return None;
    }
    let line_of = |offset: usize| text[..offset].matches('\n').count() + 1;
    let line_text = |offset: usize| {
        let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        text[start..].lines().next().unwrap_or("").trim_end()
    };
    let mut out = String::new();
    for stage in stages {
        let line = line_of(stage.from_range.start);
        let from = text[stage.from_range.clone()].lines().next().unwrap_or("");
        out.push_str(&format!(
            "## stage {} (line {line}): {from}\n\n",
            stage.index
        ));
        let summary = hover::stage_summary(&tree, text, &analysis, stage.index, None);
        out.push_str(summary.trim_end());
        out.push_str("\n\n");
    }
    let mut spots: Vec<(usize, String)> = Vec::new();
    for name in ["syntax", "escape", "check"] {
        if let Some(node) = syntax::directive_node(&tree, text, name) {
            spots.push((node.start_byte(), line_text(node.start_byte()).to_string()));
        }
    }
    let vars = &analysis.variables;
    for d in &vars.defs {
        let value = d
            .value
            .as_ref()
            .or_else(|| d.redeclares.and_then(|g| vars.defs[g].value.as_ref()));
        if value.is_some_and(|v| v.contains('$')) {
            spots.push((
                d.name_range.start,
                format!("{} (on `{}`)", line_text(d.name_range.start), d.name),
            ));
        }
    }
    spots.sort();
    for (offset, what) in spots {
        out.push_str(&format!("## line {}: {what}\n\n", line_of(offset)));
        match hover::hover(&tree, text, &analysis, offset) {
            Some((_, markdown)) => out.push_str(markdown.trim_end()),
            None => out.push_str("(no hover)"),
        }
        out.push_str("\n\n");
    }
    Some(out)
}

/// `a+b/dir/Dockerfile` -> `a+b__dir__Dockerfile.md`.
fn snapshot_name(relative: &Path) -> String {
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    format!("{}.md", parts.join("__"))
}

/// A line diff (longest common subsequence), `-` expected, `+` actual,
/// with two lines of context around each change.
fn diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut rows: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            rows.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            rows.push(('+', b[j]));
            j += 1;
        } else {
            rows.push(('-', a[i]));
            i += 1;
        }
    }
    let near = |k: usize| {
        rows[k.saturating_sub(2)..(k + 3).min(rows.len())]
            .iter()
            .any(|(c, _)| *c != ' ')
    };
    let mut out = String::new();
    let mut gap = false;
    for (k, (c, line)) in rows.iter().enumerate() {
        if near(k) {
            out.push_str(&format!("{c} {line}\n"));
            gap = false;
        } else if !gap {
            out.push_str("  ...\n");
            gap = true;
        }
    }
    out
}

#[test]
fn stage_hovers_of_the_apps_corpus() {
    let apps = common::shared_dir().join("corpus/apps");
    let snapshots_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hover-snapshots");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v != "0");
    let files: Vec<PathBuf> = common::files_under(&apps)
        .into_iter()
        .filter(|p| is_dockerfile(p))
        .collect();
    let mut expected_names = Vec::new();
    let mut failures = Vec::new();
    let mut stages = 0;
    for path in &files {
        let Some(actual) = snapshot(&common::read(path)) else {
            continue;
        };
        stages += actual.matches("\n## stage ").count() + 1;
        let relative = path.strip_prefix(&apps).unwrap();
        let name = snapshot_name(relative);
        let header = format!("# {}\n\n", relative.display());
        let actual = format!("{header}{actual}");
        let file = snapshots_dir.join(&name);
        expected_names.push(name);
        if update {
            std::fs::create_dir_all(&snapshots_dir).unwrap();
            std::fs::write(&file, &actual).unwrap();
            continue;
        }
        match std::fs::read_to_string(&file) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!(
                "{} differs:\n{}",
                file.display(),
                diff(&expected, &actual)
            )),
            Err(_) => failures.push(format!("{} is missing", file.display())),
        }
    }
    assert!(
        expected_names.len() >= 90 && stages >= 220,
        "expected about 95 multi-stage Dockerfiles and 232 stages under {}, found {} and {stages}",
        apps.display(),
        expected_names.len()
    );
    // A snapshot whose Dockerfile is gone is stale.
    if let Ok(entries) = std::fs::read_dir(&snapshots_dir) {
        for entry in entries {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".md") && !expected_names.contains(&name) {
                if update {
                    std::fs::remove_file(snapshots_dir.join(&name)).unwrap();
                } else {
                    failures.push(format!("tests/hover-snapshots/{name} has no Dockerfile"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} hover snapshots differ (UPDATE_SNAPSHOTS=1 rewrites them after review):\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_diff_shows_changed_lines() {
    let d = diff("a\nb\nc\n", "a\nB\nc\n");
    assert!(d.contains("- b\n") && d.contains("+ B\n"), "{d}");
    assert!(!diff("x\n", "x\n").contains('-'));
}

/// Every stage of every corpus file (valid and invalid ones too) has a
/// stage hover (never an empty `` in it), also on its base and its name.
#[test]
fn every_stage_of_the_corpus_has_a_hover() {
    let shared = common::shared_dir();
    let mut stages = 0;
    for dir in ["corpus/valid", "corpus/invalid", "corpus/apps"] {
        for path in common::files_under(&shared.join(dir)) {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let tree = syntax::parse(&text);
            let analysis = Analysis::build(&tree, text.as_str());
            for stage in &analysis.stages.stages {
                stages += 1;
                let markdown =
                    hover::stage_summary(&tree, text.as_str(), &analysis, stage.index, None);
                assert!(
                    !markdown.contains("``") && !markdown.is_empty(),
                    "{}: stage {}: {markdown}",
                    path.display(),
                    stage.index
                );
                // The FROM keyword: its docs, not the stage.
                let keyword = hover::hover(&tree, text.as_str(), &analysis, stage.from_range.start);
                assert!(
                    keyword.is_some_and(|(_, k)| k.starts_with("**FROM** — ")),
                    "{}: stage {}",
                    path.display(),
                    stage.index
                );
                // A base that is no stage, and the name: the stage.
                let mut on_stage: Vec<usize> = stage.name_range.iter().map(|r| r.start).collect();
                if stage.parent.is_none() && stage.base_range.start > stage.from_range.start {
                    on_stage.push(stage.base_range.start);
                }
                for offset in on_stage {
                    if analysis.variables.use_at(offset).is_some() {
                        continue;
                    }
                    let found = hover::hover(&tree, text.as_str(), &analysis, offset);
                    assert_eq!(
                        found.map(|(_, m)| m),
                        Some(markdown.clone()),
                        "{}: stage {} at {offset}",
                        path.display(),
                        stage.index
                    );
                }
                let mut offsets = vec![stage.from_range.end, stage.base_range.start];
                offsets.extend(stage.name_range.as_ref().map(|r| r.start));
                for offset in offsets {
                    if text.is_char_boundary(offset) {
                        let _ = hover::hover(&tree, text.as_str(), &analysis, offset);
                    }
                }
            }
        }
    }
    assert!(stages > 400, "only {stages} stages in the corpus");
}

/// Every ARG and ENV of the corpus, and every use of one, has a hover
/// naming the variable, never an empty code span; a value with a
/// variable in it shows the value as written. `PRINT_VARIABLE_HOVERS=1`
/// prints the hovers of values that use a variable, for review.
#[test]
fn every_variable_of_the_corpus_has_a_hover() {
    let shared = common::shared_dir();
    let print = std::env::var_os("PRINT_VARIABLE_HOVERS").is_some();
    let mut defs = 0;
    let mut chains = 0;
    for dir in ["corpus/valid", "corpus/invalid", "corpus/apps"] {
        for path in common::files_under(&shared.join(dir)) {
            // (the apps hold Compose files and manifests too)
            if dir == "corpus/apps" && !is_dockerfile(&path) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let tree = syntax::parse(&text);
            let analysis = Analysis::build(&tree, text.as_str());
            let vars = &analysis.variables;
            let offsets = vars
                .defs
                .iter()
                .map(|d| (d.name_range.start, &d.name))
                .chain(vars.uses.iter().map(|u| (u.range.start, &u.name)));
            for (offset, name) in offsets {
                let (_, markdown) = hover::hover(&tree, text.as_str(), &analysis, offset)
                    .unwrap_or_else(|| panic!("{}: no hover on ${name}", path.display()));
                assert!(
                    markdown.starts_with(&format!("**${name}** — ")) && !markdown.contains("``"),
                    "{}: {markdown}",
                    path.display()
                );
            }
            for d in &vars.defs {
                defs += 1;
                if !d.value.as_ref().is_some_and(|v| v.contains('$')) {
                    continue;
                }
                chains += 1;
                let (_, markdown) =
                    hover::hover(&tree, text.as_str(), &analysis, d.name_range.start).unwrap();
                let value = d.value.as_ref().unwrap();
                assert!(
                    value.contains('`') || markdown.contains(&format!("`{value}`")),
                    "{}: {markdown}",
                    path.display()
                );
                if print {
                    eprintln!("=== {}\n{markdown}\n", path.display());
                }
            }
        }
    }
    assert!(
        defs > 1000 && chains > 100,
        "{defs} definitions, {chains} using a variable"
    );
}
