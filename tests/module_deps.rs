//! The layering of the core modules, read from their sources: the leaves
//! (the diagnostic types, reading files as text, the table of rule codes)
//! import nothing of the crate, the configuration only the leaves, the
//! build context the configuration and the analysis, the rules those, and
//! the runner (`diagnostics`) the rules. No import cycle among them, and
//! nothing but the command line (`src/cli/`, `src/main.rs`) uses `cli`.
//!
//! A module's dependencies are the crate modules its code names through
//! `crate::` (in `use` lines or inline paths, tests included); comment
//! lines are not code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The leaves: they may name no other module of the crate.
const LEAVES: &[&str] = &["diagnostic_types", "files", "rule_codes"];

/// Each checked module, and the modules of the crate it may name (besides
/// the leaves, which every one of them may name).
const LAYERS: &[(&str, &[&str])] = &[
    ("diagnostic_types", &[]),
    ("files", &[]),
    ("rule_codes", &[]),
    ("config", &[]),
    (
        "build_context",
        &["config", "analysis", "syntax", "document"],
    ),
    (
        "rules",
        &["config", "build_context", "analysis", "syntax", "document"],
    ),
    (
        "diagnostics",
        &[
            "config",
            "build_context",
            "rules",
            "analysis",
            "syntax",
            "document",
        ],
    ),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The top-level module a file under `src/` belongs to (`src/rules/x.rs`:
/// `rules`; `src/config.rs`: `config`).
fn module_of(file: &Path) -> String {
    let rel = file.strip_prefix(src()).unwrap();
    let first = rel.components().next().unwrap().as_os_str();
    first.to_str().unwrap().trim_end_matches(".rs").to_string()
}

/// The code of a source, line by line, with comment lines blanked (doc
/// comments name other modules in links, which is no dependency).
fn code_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(|l| {
            if l.trim_start().starts_with("//") {
                ""
            } else {
                l
            }
        })
        .collect()
}

/// The top-level crate modules a line names through `crate::`: `a` in
/// `crate::a::b`, `a` and `b` in `crate::{a::x, b}`.
fn crate_modules(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        // `dockerfile_lsp_crate::` or `mycrate::` is not this crate.
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // the items of the group, split at its top-level commas
            let mut depth = 0;
            let mut item = String::new();
            let mut items = Vec::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        items.push(std::mem::take(&mut item));
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            items.push(item);
            for item in items {
                out.extend(identifier(item.trim()));
            }
        } else {
            out.extend(identifier(rest));
        }
    }
    out.retain(|m| m != "self");
    out
}

fn identifier(text: &str) -> Option<String> {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    (end > 0).then(|| text[..end].to_string())
}

/// Where each checked module names each other module: module -> (named
/// module -> the places, `file:line`).
fn dependencies() -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
    let checked: BTreeSet<&str> = LAYERS.iter().map(|(m, _)| *m).collect();
    let mut out: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
    for file in rust_files(&src()) {
        let module = module_of(&file);
        if !checked.contains(module.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let entry = out.entry(module.clone()).or_default();
        for (n, line) in code_lines(&text).into_iter().enumerate() {
            for named in crate_modules(line) {
                if named != module {
                    let place = format!("{}:{}", file.display(), n + 1);
                    entry.entry(named).or_default().push(place);
                }
            }
        }
    }
    out
}

#[test]
fn the_path_reader_finds_every_module_a_line_names() {
    assert_eq!(crate_modules("use crate::config::Level;"), ["config"]);
    assert_eq!(
        crate_modules("use crate::{rules, syntax::{self, views}, self};"),
        ["rules", "syntax"]
    );
    assert_eq!(
        crate_modules("let x = crate::cli::read_text(p).map(crate::files::f);"),
        ["cli", "files"]
    );
    assert!(crate_modules("use mycrate::rules;").is_empty());
    assert!(code_lines("/// [`crate::cli`]\nuse crate::x;")[0].is_empty());
}

#[test]
fn every_checked_module_has_sources() {
    let found = dependencies();
    for (module, _) in LAYERS {
        let file = src().join(format!("{module}.rs"));
        let dir = src().join(module);
        assert!(
            file.is_file() || dir.join("mod.rs").is_file(),
            "module {module} not found under src/: update LAYERS"
        );
        assert!(found.contains_key(*module), "no sources read for {module}");
    }
}

#[test]
fn each_module_names_only_the_layers_below_it() {
    let allowed: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut wrong = Vec::new();
    for (module, named) in dependencies() {
        for (other, places) in named {
            let ok = (LEAVES.contains(&other.as_str()) && !LEAVES.contains(&module.as_str()))
                || allowed[module.as_str()].contains(&other.as_str());
            if !ok {
                wrong.push(format!("{module} uses {other} at {}", places.join(", ")));
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

#[test]
fn no_import_cycle_among_the_core_modules() {
    let deps = dependencies();
    // depth-first search; a module met again while on the path closes a cycle
    fn visit<'a>(
        module: &'a str,
        deps: &'a BTreeMap<String, BTreeMap<String, Vec<String>>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<String> {
        if let Some(at) = path.iter().position(|m| *m == module) {
            let mut cycle = path[at..].to_vec();
            cycle.push(module);
            return Some(cycle.join(" -> "));
        }
        if !done.insert(module) {
            return None;
        }
        path.push(module);
        for next in deps.get(module).into_iter().flat_map(|d| d.keys()) {
            if let Some(cycle) = visit(next, deps, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    for module in deps.keys() {
        if let Some(cycle) = visit(module, &deps, &mut Vec::new(), &mut done) {
            panic!("import cycle: {cycle}");
        }
    }
}

#[test]
fn only_the_command_line_uses_cli() {
    let mut wrong = Vec::new();
    for file in rust_files(&src()) {
        let rel = file.strip_prefix(src()).unwrap();
        if rel.starts_with("cli") || rel == Path::new("main.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in code_lines(&text).into_iter().enumerate() {
            if crate_modules(line).iter().any(|m| m == "cli") {
                wrong.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "core code calls into cli:\n{}",
        wrong.join("\n")
    );
}

/// The configuration checks codes against the leaf table, not the
/// registry: the two must name the same codes.
#[test]
fn the_code_table_names_exactly_the_registry_codes() {
    use dockerfile_lsp::{rule_codes, rules};
    let registry: Vec<&str> = rules::registry()
        .iter()
        .flat_map(|r| std::iter::once(r.code).chain(r.aliases.iter().copied()))
        .collect();
    let table: BTreeSet<&str> = rule_codes::KNOWN.iter().copied().collect();
    assert_eq!(table.len(), rule_codes::KNOWN.len(), "a code listed twice");
    let missing: Vec<_> = registry.iter().filter(|c| !table.contains(*c)).collect();
    let extra: Vec<_> = table.iter().filter(|c| !registry.contains(c)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "src/rule_codes.rs lacks {missing:?} and has {extra:?} beyond the registry"
    );
    for code in &registry {
        assert!(rule_codes::is_known(&code.to_lowercase()), "{code}");
        assert!(rules::is_known_code(code), "{code}");
    }
    assert!(!rule_codes::is_known("NoSuchRule"));
}
