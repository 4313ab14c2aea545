//! Compose files that build a Dockerfile: the services whose `build:`
//! (short form: the context path; long form: `context`, `dockerfile`,
//! `target`) names it, with their healthcheck. Read from the Dockerfile's
//! directory upward (`compose.yaml`, `compose.yml`, `docker-compose.yml`,
//! `docker-compose.yaml`), never above `top`. `${VAR}` in paths is
//! interpolated from the `.env` beside the Compose file, as Compose does
//! (the process environment is not read: results must not depend on it).
//! A service's `build.args` give build arguments, under `--build-arg`.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};

pub const FILE_NAMES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];

const MAX_ALIASES: usize = 256;
const MAX_BYTES: usize = 4 << 20;

/// A service of a Compose file that builds the Dockerfile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    /// The Compose file that defines it.
    pub file: PathBuf,
    /// Its build context directory.
    pub context: PathBuf,
    /// `build.target`, when set.
    pub target: Option<String>,
    /// It defines a `healthcheck` that is not disabled.
    pub healthcheck: bool,
    /// `build.args` with a value (map or `KEY=value` list form).
    pub args: BTreeMap<String, String>,
}

/// Lexical normalisation: `a/./b/../c` is `a/c` (no file system access).
pub fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The services of the Compose files beside or above `dockerfile` that
/// build it. Errors name a Compose file that cannot be read or parsed.
pub fn services_for(dockerfile: &Path, top: Option<&Path>) -> (Vec<Service>, Vec<String>) {
    let mut services = Vec::new();
    let mut errors = Vec::new();
    let target = normalise(dockerfile);
    let mut dir = dockerfile.parent();
    while let Some(d) = dir {
        if top.is_some_and(|top| !d.starts_with(top)) {
            break;
        }
        for name in FILE_NAMES {
            let file = d.join(name);
            if !file.is_file() {
                continue;
            }
            match crate::files::read_text(&file) {
                Ok(text) => {
                    let env = read_env(&d.join(".env"));
                    match parse(&text, &file, d, &env) {
                        Ok(found) => services.extend(
                            found
                                .into_iter()
                                .filter(|(_, df)| normalise(df) == target)
                                .map(|(s, _)| s),
                        ),
                        Err(e) => errors.push(format!("{}: {e}", file.display())),
                    }
                }
                Err(e) => errors.push(format!("{}: cannot read: {e}", file.display())),
            }
        }
        // The top of a repository: no Compose file above it builds it.
        if d.join(".git").exists() {
            break;
        }
        dir = d.parent().filter(|p| !p.as_os_str().is_empty());
    }
    (services, errors)
}

/// `KEY=value` lines of a `.env` file.
fn read_env(path: &Path) -> BTreeMap<String, String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return BTreeMap::new();
    };
    text.lines()
        .filter_map(|l| {
            let l = l.trim();
            if l.starts_with('#') {
                return None;
            }
            let (k, v) = l.strip_prefix("export ").unwrap_or(l).split_once('=')?;
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(v);
            Some((k.trim().to_string(), v.to_string()))
        })
        .collect()
}

/// `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$VAR` from `env`;
/// `None` when a variable has no value (the path is unknown).
fn interpolate(text: &str, env: &BTreeMap<String, String>) -> Option<String> {
    crate::analysis::images::resolve(&text.replace("$$", "\u{0}"), &|n| env.get(n).cloned())
        .map(|s| s.replace('\u{0}', "$"))
}

/// Every service with a `build:` in a Compose file's text, with the
/// Dockerfile it builds.
pub fn parse(
    text: &str,
    file: &Path,
    dir: &Path,
    env: &BTreeMap<String, String>,
) -> Result<Vec<(Service, PathBuf)>, String> {
    // The loader copies what an alias names: many aliases (a "billion
    // laughs" file) would grow without bound, so such a file is refused,
    // as is a huge one. Real Compose files have a few (`<<: *defaults`).
    let aliases = text
        .as_bytes()
        .windows(2)
        .filter(|w| matches!(w[0], b' ' | b'[' | b',' | b'\t') && w[1] == b'*')
        .count();
    if aliases > MAX_ALIASES || text.len() > MAX_BYTES {
        return Err(format!(
            "not read: over {MAX_ALIASES} aliases or {MAX_BYTES} bytes"
        ));
    }
    let docs = YamlLoader::load_from_str(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let Some(doc) = docs.first() else {
        return Ok(out);
    };
    let Some(services) = doc["services"].as_hash() else {
        return Ok(out);
    };
    for (name, service) in services {
        let Some(name) = name.as_str() else { continue };
        let build = &service["build"];
        let (context, dockerfile, target) = match build {
            Yaml::String(s) => (s.as_str(), None, None),
            Yaml::Hash(_) => {
                if !matches!(build["dockerfile_inline"], Yaml::BadValue) {
                    continue;
                }
                (
                    build["context"].as_str().unwrap_or("."),
                    build["dockerfile"].as_str(),
                    build["target"].as_str(),
                )
            }
            _ => continue,
        };
        let Some(context) = interpolate(context, env) else {
            continue;
        };
        // A remote context (a Git URL) is not on disk.
        if context.contains("://") || context.starts_with("git@") {
            continue;
        }
        let context = dir.join(context);
        let dockerfile = match dockerfile.map(|d| interpolate(d, env)) {
            Some(None) => continue,
            Some(Some(d)) => context.join(d),
            None => context.join("Dockerfile"),
        };
        let check = &service["healthcheck"];
        let healthcheck = match check {
            Yaml::Hash(_) => {
                check["disable"].as_bool() != Some(true)
                    && !matches!(&check["test"], Yaml::Array(a) if a.first().and_then(Yaml::as_str) == Some("NONE"))
            }
            _ => false,
        };
        let mut args = BTreeMap::new();
        match &build["args"] {
            Yaml::Hash(h) => {
                for (k, v) in h {
                    let value = match v {
                        Yaml::String(s) => Some(s.clone()),
                        Yaml::Integer(i) => Some(i.to_string()),
                        Yaml::Real(r) => Some(r.clone()),
                        Yaml::Boolean(b) => Some(b.to_string()),
                        _ => None,
                    };
                    if let (Some(k), Some(v)) = (k.as_str(), value) {
                        if let Some(v) = interpolate(&v, env) {
                            args.insert(k.to_string(), v);
                        }
                    }
                }
            }
            Yaml::Array(a) => {
                for item in a.iter().filter_map(Yaml::as_str) {
                    if let Some((k, v)) = item.split_once('=') {
                        if let Some(v) = interpolate(v, env) {
                            args.insert(k.to_string(), v);
                        }
                    }
                }
            }
            _ => {}
        }
        out.push((
            Service {
                args,
                name: name.to_string(),
                file: file.to_path_buf(),
                context: normalise(&context),
                target: target.and_then(|t| interpolate(t, env)),
                healthcheck,
            },
            dockerfile,
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str, env: &[(&str, &str)]) -> Vec<(Service, PathBuf)> {
        let env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        parse(text, Path::new("p/compose.yaml"), Path::new("p"), &env).unwrap()
    }

    #[test]
    fn short_and_long_build_forms() {
        let text = "services:\n  web:\n    build: ./web\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost\"]\n  api:\n    build:\n      context: .\n      dockerfile: ${API_DOCKERFILE:-api/Dockerfile}\n      target: prod\n  off:\n    build: off\n    healthcheck:\n      disable: true\n  image-only:\n    image: nginx\n";
        let found = parsed(text, &[]);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].0.name, "web");
        assert_eq!(found[0].1, Path::new("p/./web/Dockerfile"));
        assert!(found[0].0.healthcheck);
        assert_eq!(normalise(&found[1].1), Path::new("p/api/Dockerfile"));
        assert_eq!(found[1].0.target.as_deref(), Some("prod"));
        assert_eq!(found[1].0.context, Path::new("p"));
        assert!(!found[1].0.healthcheck);
        assert!(!found[2].0.healthcheck);
    }

    #[test]
    fn build_args_in_both_forms() {
        let text = "services:\n  a:\n    build:\n      context: .\n      args:\n        NODE_VERSION: 20\n        TAG: ${TAG:-alpine}\n        FROM_ENV:\n  b:\n    build:\n      context: .\n      args:\n        - NODE_ENV=development\n        - ONLY_NAME\n";
        let found = parsed(text, &[]);
        let a = &found[0].0.args;
        assert_eq!(a.get("NODE_VERSION").map(String::as_str), Some("20"));
        assert_eq!(a.get("TAG").map(String::as_str), Some("alpine"));
        assert!(!a.contains_key("FROM_ENV"));
        let b = &found[1].0.args;
        assert_eq!(b.get("NODE_ENV").map(String::as_str), Some("development"));
        assert_eq!(b.len(), 1);
    }

    #[test]
    fn interpolation_from_the_env_file() {
        let text =
            "services:\n  ad:\n    build:\n      context: ./\n      dockerfile: ${AD_DOCKERFILE}\n";
        assert!(parsed(text, &[]).is_empty());
        let found = parsed(text, &[("AD_DOCKERFILE", "src/ad/Dockerfile")]);
        assert_eq!(normalise(&found[0].1), Path::new("p/src/ad/Dockerfile"));
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for i in 0..300 {
            text.push_str(&format!("b{i}: &b{i} [*a, *a, *a, *a, *a, *a, *a, *a]\n"));
        }
        assert!(parse(&text, Path::new("c"), Path::new("."), &BTreeMap::new()).is_err());
        let ok = "x-common: &common\n  restart: always\nservices:\n  web:\n    <<: *common\n    build: .\n";
        assert_eq!(parsed(ok, &[]).len(), 1);
    }

    #[test]
    fn invalid_yaml_is_an_error() {
        assert!(parse(
            "services: [",
            Path::new("c"),
            Path::new("."),
            &BTreeMap::new()
        )
        .is_err());
    }
}
