//! The packages a Node.js program imports: `require("x")`, `import ... from
//! "x"`, `export ... from "x"` and `import("x")` with literal names, read on
//! tree-sitter's tree of the entry file and of the files it imports by a
//! relative path (bounded), so a runner installed with `--omit=dev` can be
//! checked against what the program loads.

use std::collections::BTreeSet;

use tree_sitter::Node;

use super::join;
use super::js::{self, Dialect, JsValue, Script};
use super::output::AppFiles;

/// The most files followed from one entry.
const MAX_FILES: usize = 64;

/// Node.js's own modules (`fs`, `node:fs`, `fs/promises`...).
const BUILTINS: &[&str] = &[
    "assert",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "domain",
    "events",
    "fs",
    "http",
    "http2",
    "https",
    "inspector",
    "module",
    "net",
    "os",
    "path",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "repl",
    "stream",
    "string_decoder",
    "sys",
    "timers",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
    "test",
    "sqlite",
];

/// The package a module specifier names (`@scope/pkg/sub` → `@scope/pkg`),
/// `None` for relative paths, absolute paths, URLs and Node's own modules.
pub fn package_of(spec: &str) -> Option<String> {
    if spec.starts_with('.')
        || spec.starts_with('/')
        || spec.starts_with("node:")
        || spec.contains("://")
        || spec.is_empty()
    {
        return None;
    }
    let mut parts = spec.split('/');
    let first = parts.next()?;
    let name = if first.starts_with('@') {
        format!("{first}/{}", parts.next()?)
    } else {
        first.to_string()
    };
    (!BUILTINS.contains(&name.as_str())).then_some(name)
}

/// The packages `entry` (relative to the app folder) and the files it
/// imports by relative paths load, sorted; empty when it cannot be read.
pub(super) fn imported_packages(files: &AppFiles, entry: &str) -> Vec<String> {
    let mut packages = BTreeSet::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut queue = vec![entry.to_string()];
    while let Some(file) = queue.pop() {
        if seen.len() >= MAX_FILES || seen.contains(&file) {
            continue;
        }
        let Some((path, text)) = resolve_file(files, &file) else {
            continue;
        };
        seen.insert(file);
        seen.insert(path.clone());
        let Some(script) = js::parse(&text, Dialect::of(&path)) else {
            continue;
        };
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        for spec in specifiers(&script) {
            if spec.starts_with("./") || spec.starts_with("../") {
                let target = join(&dir, &spec);
                if !target.starts_with("..") {
                    queue.push(target);
                }
            } else if let Some(p) = package_of(&spec) {
                packages.insert(p);
            }
        }
    }
    packages.into_iter().collect()
}

/// The file Node loads for a path: itself, with an extension, or its
/// folder's index.
fn resolve_file(files: &AppFiles, path: &str) -> Option<(String, String)> {
    let candidates = [
        path.to_string(),
        format!("{path}.js"),
        format!("{path}.mjs"),
        format!("{path}.cjs"),
        format!("{path}.ts"),
        format!("{path}/index.js"),
        format!("{path}/index.mjs"),
        format!("{path}/index.ts"),
    ];
    candidates.into_iter().find_map(|c| {
        let lower = c.to_ascii_lowercase();
        if lower.ends_with(".json") || lower.ends_with(".node") {
            return None;
        }
        Some((c.clone(), files.read(&c)?))
    })
}

/// The literal module specifiers of a file.
fn specifiers(script: &Script) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![script.root()];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "import_statement" | "export_statement" => {
                if let Some(source) = node.child_by_field_name("source") {
                    push_literal(script, source, &mut out);
                }
            }
            "call_expression" => {
                let callee = node
                    .child_by_field_name("function")
                    .map(|f| script.text_of(f));
                if matches!(callee, Some("require" | "import" | "require.resolve")) {
                    if let Some(first) = node
                        .child_by_field_name("arguments")
                        .and_then(|a| a.named_child(0))
                    {
                        push_literal(script, first, &mut out);
                    }
                }
            }
            _ => {}
        }
        let mut c = node.walk();
        let children: Vec<Node> = node.named_children(&mut c).collect();
        stack.extend(children);
    }
    out
}

fn push_literal(script: &Script, node: Node, out: &mut Vec<String>) {
    if let JsValue::Str(s) = script.value(node) {
        out.push(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::context::MemFiles;
    use crate::analysis::project::Project;

    #[test]
    fn packages_of_specifiers() {
        assert_eq!(package_of("express"), Some("express".into()));
        assert_eq!(
            package_of("@fastify/static/dist"),
            Some("@fastify/static".into())
        );
        assert_eq!(package_of("lodash/merge"), Some("lodash".into()));
        for none in [
            "fs",
            "node:fs",
            "fs/promises",
            "./x",
            "../y",
            "/abs",
            "https://x/y.js",
            "",
            "@scope",
        ] {
            assert_eq!(package_of(none), None, "{none}");
        }
    }

    #[test]
    fn follows_relative_imports() {
        let files = MemFiles::new([
            ("package.json", "{}"),
            ("server.js", "const express = require('express')\nconst routes = require('./lib/routes')\nconst fs = require('node:fs')\n"),
            ("lib/routes/index.js", "import { z } from 'zod'\nexport * from '../../util'\nconst lazy = () => import('pino')\n"),
            ("util.ts", "export { default as dbg } from '@scope/debug/x'\nrequire(name)\n"),
        ]);
        let project = Project::read(&files, "");
        let app = AppFiles {
            project: &project,
            live: Some(&files),
        };
        assert_eq!(
            imported_packages(&app, "server.js"),
            ["@scope/debug", "express", "pino", "zod"]
        );
        assert!(imported_packages(&app, "missing.js").is_empty());
        // a cycle ends
        let files = MemFiles::new([
            ("a.js", "require('./b'); require('x')"),
            ("b.js", "require('./a')"),
        ]);
        let project = Project::read(&files, "");
        let app = AppFiles {
            project: &project,
            live: Some(&files),
        };
        assert_eq!(imported_packages(&app, "a.js"), ["x"]);
    }
}
