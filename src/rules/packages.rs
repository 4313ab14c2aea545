//! What package-manager commands do, for the rules that care: installing a
//! project's dependencies (from its manifest), with or without the
//! development ones, and the files that manifest is made of.

use crate::analysis::shell::{Command, Script};

/// A command that installs a project's dependencies from its manifest and
/// lockfile, with the files it reads.
pub fn manifest_install(c: &Command) -> Option<&'static [&'static str]> {
    let sub = c.operands().next();
    let packages = c.operands().count() > 1;
    Some(match (c.name.as_str(), sub) {
        ("npm", Some("ci")) => &["package.json", "package-lock.json"],
        ("npm", Some("install" | "i")) if !packages => &["package.json", "package-lock.json"],
        ("yarn", None) | ("yarn", Some("install")) => &["package.json", "yarn.lock"],
        ("pnpm", Some("install" | "i")) if !packages => &["package.json", "pnpm-lock.yaml"],
        ("pip" | "pip3", Some("install")) if c.has_flag(&["-r", "--requirement"]) => {
            &["requirements.txt"]
        }
        ("bundle", Some("install")) | ("bundle", None) => &["Gemfile", "Gemfile.lock"],
        ("go", Some("mod")) if c.operands().nth(1) == Some("download") => &["go.mod", "go.sum"],
        ("composer", Some("install")) => &["composer.json", "composer.lock"],
        _ => return None,
    })
}

/// An npm/yarn/pnpm install of a project's dependencies.
pub fn is_node_install(c: &Command) -> bool {
    matches!(c.name.as_str(), "npm" | "yarn" | "pnpm") && manifest_install(c).is_some()
}

/// An install that leaves out development dependencies.
pub fn omits_dev(c: &Command) -> bool {
    c.has_flag(&["--omit", "--production", "--only", "--prod"])
        && !c
            .args
            .iter()
            .any(|a| a == "--omit=optional" || a == "--only=dev")
}

/// Whether a script sets NODE_ENV=production inline (`NODE_ENV=production npm ci`).
pub fn sets_production_env(text: &str) -> bool {
    text.contains("NODE_ENV=production")
}

/// Whether a script cleans the package manager's cache after installing.
pub fn cleans_cache(script: &Script, manager: &str) -> bool {
    script.any(|c| {
        c.name == manager
            && c.operands().next() == Some("cache")
            && c.operands().nth(1) == Some("clean")
    })
}

/// A build step: compiles or bundles the project.
pub fn is_build(c: &Command) -> bool {
    let sub = c.operands().next();
    match c.name.as_str() {
        "npm" | "pnpm" => {
            sub == Some("run") && c.operands().nth(1) == Some("build") || sub == Some("build")
        }
        "yarn" => {
            sub == Some("build") || (sub == Some("run") && c.operands().nth(1) == Some("build"))
        }
        "go" | "cargo" => sub == Some("build"),
        "mvn" | "./mvnw" => c.operands().any(|a| a == "package" || a == "install"),
        "gradle" | "./gradlew" => c
            .operands()
            .any(|a| a == "build" || a == "assemble" || a == "bootJar"),
        "make" | "tsc" | "dotnet" => {
            c.name != "dotnet" || sub == Some("publish") || sub == Some("build")
        }
        "npx" => {
            let mut operands = c.operands();
            operands
                .next()
                .is_some_and(|tool| js_build(tool, operands.next()))
        }
        tool => js_build(tool, sub),
    }
}

/// A JavaScript build tool run as `<tool> [sub]` (directly or with npx).
fn js_build(tool: &str, sub: Option<&str>) -> bool {
    match tool {
        "tsc" | "webpack" => true,
        "next" | "vite" | "nest" | "ng" | "nuxt" | "astro" | "react-scripts" => {
            sub == Some("build")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(text: &str) -> Command {
        Script::parse(text).commands.remove(0)
    }

    #[test]
    fn installs_and_builds() {
        assert!(manifest_install(&first("npm ci")).is_some());
        assert!(manifest_install(&first("npm install")).is_some());
        assert!(manifest_install(&first("npm install -g pnpm")).is_none());
        assert!(manifest_install(&first("pip install -r requirements.txt")).is_some());
        assert!(manifest_install(&first("pip install flask")).is_none());
        assert!(omits_dev(&first("npm ci --omit=dev")));
        assert!(!omits_dev(&first("npm ci")));
        assert!(is_build(&first("npm run build")));
        assert!(is_build(&first("go build -o /app .")));
        assert!(!is_build(&first("npm test")));
    }
}
