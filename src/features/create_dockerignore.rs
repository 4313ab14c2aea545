//! "Create .dockerignore": the content of a `.dockerignore` for the build
//! context of a Dockerfile that has none, tuned to the stacks the
//! Dockerfile uses (Node.js, Next.js, Go, Python, Rust).

use crate::analysis::shell::Script;
use crate::syntax::{self, logical_text, views, Source};

pub const TITLE: &str = "Create .dockerignore";

/// The stacks a Dockerfile builds with, from its base images and commands.
fn stacks(tree: &tree_sitter::Tree, source: &dyn Source) -> Vec<&'static str> {
    let mut words: Vec<String> = Vec::new();
    for (_, from) in views::stages(tree) {
        if let Some(image) = views::from_instruction(from).image {
            let image = logical_text(image, source).to_ascii_lowercase();
            let name = image.rsplit('/').next().unwrap_or(&image);
            words.push(name.split([':', '@']).next().unwrap_or(name).to_string());
        }
    }
    for node in syntax::instructions(tree) {
        if node.kind() == "run_instruction" {
            if let Some(shell) = node.child_by_field_name("shell") {
                let script = Script::parse(&logical_text(shell, source));
                for c in script.commands {
                    words.push(c.name);
                    words.extend(c.args);
                }
            }
        }
        if node.kind() == "copy_instruction" {
            words.push(source.text(node.byte_range()).into_owned());
        }
    }
    let any = |names: &[&str]| {
        words.iter().any(|w| {
            names
                .iter()
                .any(|n| w == n || w.contains(&format!(".{n}")) || w.contains(n))
        })
    };
    let mut out = Vec::new();
    if any(&["node", "npm", "yarn", "pnpm", "npx", "package.json"]) {
        out.push("node");
    }
    if any(&["next"]) {
        out.push("next");
    }
    if any(&["golang", "go.mod"]) || words.iter().any(|w| w == "go") {
        out.push("go");
    }
    if any(&["python", "pip", "pip3", "poetry", "uv", "requirements.txt"]) {
        out.push("python");
    }
    if any(&["rust", "cargo", "Cargo.toml"]) {
        out.push("rust");
    }
    out
}

/// The `.dockerignore` text for a Dockerfile.
pub fn content(tree: &tree_sitter::Tree, source: &dyn Source) -> String {
    let mut lines = vec![
        "# Not sent to the build: version control, secrets, local tooling.",
        ".git",
        ".gitignore",
        "**/.env",
        "**/.env.*",
        "**/*.pem",
        "**/.DS_Store",
        ".vscode",
        ".idea",
        "*.log",
    ];
    for stack in stacks(tree, source) {
        lines.push("");
        match stack {
            "node" => lines.extend([
                "# Node.js: dependencies and output are made inside the image",
                "**/node_modules",
                "npm-debug.log*",
                "yarn-error.log*",
                ".npm",
                "coverage",
                "dist",
                "build",
            ]),
            "next" => lines.extend(["# Next.js", ".next", "out"]),
            "go" => lines.extend(["# Go", "bin", "*.test", "*.out"]),
            "python" => lines.extend([
                "# Python",
                "**/__pycache__",
                "**/*.py[cod]",
                ".venv",
                "venv",
                ".pytest_cache",
                ".mypy_cache",
                "*.egg-info",
            ]),
            "rust" => lines.extend(["# Rust", "target"]),
            _ => {}
        }
    }
    lines.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::dockerignore::DockerIgnore;

    fn for_dockerfile(src: &str) -> DockerIgnore {
        DockerIgnore::parse(&content(&syntax::parse(src), &src))
    }

    #[test]
    fn tuned_to_the_stack() {
        let node =
            for_dockerfile("FROM node:22\nCOPY package.json ./\nRUN npm ci && npx next build\n");
        for path in [
            "node_modules",
            "web/node_modules",
            ".git",
            ".next",
            ".env",
            "config/.env.local",
        ] {
            assert!(node.is_ignored(path), "{path}");
        }
        assert!(!node.is_ignored("src/index.ts"));
        assert!(!node.is_ignored("package.json"));
        let go = for_dockerfile("FROM golang:1.23\nRUN go build -o /app .\n");
        assert!(
            go.is_ignored("bin") && !go.is_ignored("node_modules") && !go.is_ignored("main.go")
        );
        let py = for_dockerfile("FROM python:3.12\nRUN pip install -r requirements.txt\n");
        assert!(py.is_ignored("app/__pycache__") && py.is_ignored(".venv"));
        let rust = for_dockerfile("FROM rust:1.82\nRUN cargo build --release\n");
        assert!(rust.is_ignored("target"));
    }
}
