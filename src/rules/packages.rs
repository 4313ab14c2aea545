//! What package-manager commands do, for the rules that care: installing a
//! project's dependencies (from its manifest), with or without the
//! development ones, and the files that manifest is made of.

use crate::analysis::commands::{invocation, step, Action, Tool};
use crate::analysis::shell::{Command, Script};

/// A command that installs a project's dependencies from its manifest and
/// lockfile, with the files it reads (read through `analysis::commands`:
/// `sudo`, prefixes and paths; `bundle --version` is no install).
pub fn manifest_install(c: &Command) -> Option<&'static [&'static str]> {
    let i = invocation(c)?;
    if i.action != Action::Install {
        return None;
    }
    let sub = i.subcommand();
    let packages = !i.packages().is_empty();
    Some(match (i.tool, sub) {
        (Tool::Npm, Some("ci" | "clean-install" | "ic" | "install-clean" | "isntall-clean")) => {
            &["package.json", "package-lock.json"]
        }
        (Tool::Npm, Some("install" | "i")) if !packages => &["package.json", "package-lock.json"],
        (Tool::Yarn, None | Some("install")) if !packages => &["package.json", "yarn.lock"],
        (Tool::Pnpm, Some("install" | "i")) if !packages => &["package.json", "pnpm-lock.yaml"],
        (Tool::Pip, Some("install")) if i.has_flag(&["-r", "--requirement"]) => {
            &["requirements.txt"]
        }
        (Tool::Bundler, None | Some("install")) => &["Gemfile", "Gemfile.lock"],
        (Tool::Go, Some("mod")) if i.operands().nth(1) == Some("download") => &["go.mod", "go.sum"],
        (Tool::Composer, Some("install")) => &["composer.json", "composer.lock"],
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
    step(c).is_some_and(|s| s.action == Action::Build)
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
        // a smoke test of the tool is neither an install nor a build
        assert!(manifest_install(&first("bundle --version")).is_none());
        assert!(manifest_install(&first("bundle install")).is_some());
        assert!(manifest_install(&first("sudo -E npm ci")).is_some());
        assert!(!is_build(&first("go version")));
    }
}
