//! Facts about well-known base images (default user, the ENV names they
//! define, shell, working directory), read from `data/images.toml`: data
//! kept in the repository and embedded, never fetched. A reference in FROM
//! is resolved (`${VAR}` from ARG defaults and `--build-arg`) and normalised
//! (`docker.io/library/node` is `node`) before it is looked up.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

const DATA: &str = include_str!("../../data/images.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    image: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(default)]
    repos: Vec<String>,
    #[serde(default)]
    prefixes: Vec<String>,
    user: String,
    #[serde(default)]
    users: Vec<String>,
    #[serde(default)]
    env: Vec<String>,
    #[serde(default)]
    values: BTreeMap<String, String>,
    shell: Vec<String>,
    workdir: String,
    #[serde(default)]
    drops_privileges: bool,
    #[serde(default)]
    interactive: bool,
    #[serde(default)]
    entrypoint: Vec<String>,
    #[serde(default)]
    #[cfg_attr(not(test), allow(dead_code))]
    examples: Vec<String>,
    #[serde(default)]
    variant: Vec<Variant>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Variant {
    tag_contains: String,
    user: Option<String>,
    #[serde(default)]
    env: Vec<String>,
    shell: Option<Vec<String>>,
    workdir: Option<String>,
    drops_privileges: Option<bool>,
    interactive: Option<bool>,
}

/// What is known of one image reference (its tag's variant applied).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageFacts {
    /// The default user ("root" when the image sets none).
    pub user: &'static str,
    /// Non-root users the image creates.
    pub users: &'static [String],
    /// Names the image defines with ENV.
    pub env: Vec<&'static str>,
    /// Values of some of those names, fixed across tags (`APP_UID`).
    pub values: &'static BTreeMap<String, String>,
    /// The default shell; empty when the image has none.
    pub shell: &'static [String],
    pub workdir: &'static str,
    /// Its own entrypoint or service drops root for an unprivileged user.
    pub drops_privileges: bool,
    /// Its default CMD is a shell or interpreter prompt.
    pub interactive: bool,
    /// Its ENTRYPOINT, when that makes a CMD the arguments of one program
    /// (distroless nodejs: `/nodejs/bin/node`); empty when it has none.
    pub entrypoint: &'static [String],
}

impl ImageFacts {
    /// Whether the image runs as root (or the Windows administrator) by default.
    pub fn runs_as_root(&self) -> bool {
        is_root_user(self.user)
    }

    pub fn defines(&self, name: &str) -> bool {
        name == "PATH" || self.env.contains(&name)
    }
}

/// `root`, uid 0 (`0`, `0:0`, `root:root`) or Windows' ContainerAdministrator.
pub fn is_root_user(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user).trim();
    name == "root" || name == "0" || name.eq_ignore_ascii_case("ContainerAdministrator")
}

fn entries() -> &'static [Entry] {
    static ENTRIES: OnceLock<Vec<Entry>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        // The data is tested (every entry parses); an error here is a bug
        // in data/images.toml, and leaves the facts empty rather than panic.
        toml::from_str::<File>(DATA).map_or_else(|_| Vec::new(), |f| f.image)
    })
}

/// A reference split into its normalised repository and tag.
fn split(reference: &str) -> (String, String) {
    let reference = reference.trim();
    let without_digest = reference.split('@').next().unwrap_or(reference);
    // The tag is after the last ':' that follows the last '/' (a registry
    // port is before a '/').
    let slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let (repo, tag) = match without_digest[slash..].find(':') {
        Some(i) => (
            &without_digest[..slash + i],
            &without_digest[slash + i + 1..],
        ),
        None => (without_digest, ""),
    };
    let mut repo = repo.to_ascii_lowercase();
    for registry in ["docker.io/", "index.docker.io/", "registry-1.docker.io/"] {
        if let Some(rest) = repo.strip_prefix(registry) {
            repo = rest.to_string();
        }
    }
    for mirror in [
        "library/",
        "public.ecr.aws/docker/library/",
        "mirror.gcr.io/library/",
    ] {
        if let Some(rest) = repo.strip_prefix(mirror) {
            repo = rest.to_string();
        }
    }
    (repo, tag.to_ascii_lowercase())
}

/// The facts of an image reference, when it is a known image. References
/// that still hold a variable are unknown.
pub fn lookup(reference: &str) -> Option<ImageFacts> {
    if reference.contains('$') || reference.is_empty() {
        return None;
    }
    let (repo, tag) = split(reference);
    let entry = entries()
        .iter()
        .find(|e| e.repos.contains(&repo))
        .or_else(|| {
            entries()
                .iter()
                .find(|e| e.prefixes.iter().any(|p| repo.starts_with(p.as_str())))
        })?;
    let mut facts = ImageFacts {
        user: &entry.user,
        users: &entry.users,
        env: entry.env.iter().map(String::as_str).collect(),
        values: &entry.values,
        shell: &entry.shell,
        workdir: &entry.workdir,
        drops_privileges: entry.drops_privileges,
        interactive: entry.interactive,
        entrypoint: &entry.entrypoint,
    };
    for v in &entry.variant {
        if !tag.contains(v.tag_contains.as_str()) {
            continue;
        }
        if let Some(u) = &v.user {
            facts.user = u;
        }
        facts.env.extend(v.env.iter().map(String::as_str));
        if let Some(s) = &v.shell {
            facts.shell = s;
        }
        if let Some(w) = &v.workdir {
            facts.workdir = w;
        }
        if let Some(d) = v.drops_privileges {
            facts.drops_privileges = d;
        }
        if let Some(i) = v.interactive {
            facts.interactive = i;
        }
    }
    Some(facts)
}

/// `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME-default}` in a FROM
/// reference expanded with `value`; `None` when a variable has no value.
pub fn resolve(text: &str, value: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        let (name, default, after) = if let Some(inner) = rest.strip_prefix('{') {
            let end = inner.find('}')?;
            let body = &inner[..end];
            let (name, default) = match body.split_once(":-") {
                Some((n, d)) => (n, Some(d)),
                None => match body.split_once('-') {
                    Some((n, d)) => (n, Some(d)),
                    None => (body, None),
                },
            };
            (name, default, &inner[end + 1..])
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (&rest[..end], None, &rest[end..])
        };
        let v = value(name)
            .filter(|v| !v.is_empty())
            .or(default.map(String::from))?;
        out.push_str(&v);
        rest = after;
    }
    out.push_str(rest);
    Some(out)
}

/// The image a stage's lineage starts from (the base of its first
/// `FROM <stage>` ancestor), with `${VAR}` resolved from global ARG
/// defaults and `build_args`: its reference when it resolves (not when a
/// variable makes it name a stage), and its facts when it is a known image.
pub fn stage_base(
    graph: &crate::analysis::stages::StageGraph,
    variables: &crate::analysis::variables::Variables,
    build_args: &BTreeMap<String, String>,
    stage: usize,
) -> (Option<String>, Option<ImageFacts>) {
    let root = graph.lineage(stage).last().unwrap_or(stage);
    let Some(s) = graph.stages.get(root) else {
        return (None, None);
    };
    let reference = if s.base_text.contains('$') {
        let args = global_args(variables, build_args);
        resolve(&s.base_text, &|n| args.get(n).cloned())
    } else {
        Some(s.base_text.clone())
    };
    // `FROM ${BASE}` naming a stage: what it holds is not an image's.
    let names_stage = |r: &str| {
        graph.stages.iter().any(|st| {
            st.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(r))
        })
    };
    let reference = reference.filter(|r| !s.base_text.contains('$') || !names_stage(r));
    let facts = reference.as_deref().and_then(lookup);
    (reference, facts)
}

/// The values FROM lines see: global ARG defaults, then `--build-arg`s.
pub fn global_args(
    variables: &crate::analysis::variables::Variables,
    build_args: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for d in variables.defs.iter().filter(|d| d.stage.is_none()) {
        if let Some(v) = &d.value {
            out.insert(d.name.clone(), v.trim_matches(['"', '\'']).to_string());
        }
    }
    for (k, v) in build_args {
        if out.contains_key(k)
            || variables
                .defs
                .iter()
                .any(|d| d.stage.is_none() && &d.name == k)
        {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_parses_and_its_examples_resolve_to_it() {
        let file: File = toml::from_str(DATA).expect("data/images.toml parses");
        assert!(!file.image.is_empty());
        for (i, e) in file.image.iter().enumerate() {
            assert!(
                !e.repos.is_empty() || !e.prefixes.is_empty(),
                "entry {i} names no repository"
            );
            for r in e.repos.iter().chain(&e.prefixes) {
                assert_eq!(
                    r,
                    &r.to_ascii_lowercase(),
                    "{r}: repositories are lower case"
                );
                assert!(
                    !r.starts_with("docker.io/") && !r.starts_with("library/"),
                    "{r}: written normalised"
                );
            }
            assert!(!e.user.is_empty() && !e.workdir.is_empty(), "entry {i}");
            assert!(
                !e.examples.is_empty(),
                "entry {i} ({:?}) has no example",
                e.repos
            );
            for name in e.values.keys() {
                assert!(
                    e.env.contains(name),
                    "{name}: a value for a name not in env"
                );
            }
            for name in e.env.iter().chain(e.variant.iter().flat_map(|v| &v.env)) {
                assert!(
                    name.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'),
                    "{name}: an ENV name"
                );
            }
            for ex in &e.examples {
                let (repo, _) = split(ex);
                let found = lookup(ex).unwrap_or_else(|| panic!("{ex} is not found"));
                // the entry found is this one: same users and env (variants add)
                assert_eq!(found.users, e.users.as_slice(), "{ex}");
                assert!(
                    e.env.iter().all(|n| found.defines(n)),
                    "{ex} found another entry"
                );
                assert!(
                    e.repos.contains(&repo) || e.prefixes.iter().any(|p| repo.starts_with(p)),
                    "{ex}"
                );
            }
        }
    }

    /// Every entry as the rules use it: for each example, its default
    /// user decides FinalStageRunsAsRoot and each ENV name it lists is
    /// defined for UndefinedVar.
    #[test]
    fn the_rules_use_every_entry() {
        use crate::rules::test_support::found_by;
        for e in entries() {
            for ex in &e.examples {
                let facts = lookup(ex).unwrap();
                let src = format!("FROM {ex}\nEXPOSE 8080\nCMD [\"/srv/app\", \"--serve\"]\n");
                let fires = !found_by("FinalStageRunsAsRoot", &src).is_empty();
                assert_eq!(
                    fires,
                    facts.runs_as_root(),
                    "{ex}: default user {}",
                    facts.user
                );
                for name in &facts.env {
                    let src = format!("FROM {ex}\nWORKDIR ${name}\n");
                    assert!(
                        found_by("UndefinedVar", &src).is_empty(),
                        "{ex}: ${name} is defined by the image"
                    );
                }
                let src = format!("FROM {ex}\nWORKDIR $NOT_AN_IMAGE_VARIABLE\n");
                assert_eq!(found_by("UndefinedVar", &src), [2], "{ex}");
            }
        }
    }

    #[test]
    fn references_normalise_and_variants_apply() {
        assert_eq!(
            split("docker.io/library/node:20@sha256:ab"),
            ("node".into(), "20".into())
        );
        assert_eq!(
            split("localhost:5000/app:1"),
            ("localhost:5000/app".into(), "1".into())
        );
        let node = lookup("node:20-alpine").unwrap();
        assert!(node.runs_as_root() && node.defines("NODE_VERSION") && node.defines("PATH"));
        assert_eq!(node.users, ["node"]);
        assert!(!lookup("gcr.io/distroless/static:nonroot")
            .unwrap()
            .runs_as_root());
        assert!(lookup("gcr.io/distroless/static").unwrap().runs_as_root());
        assert!(lookup("gcr.io/distroless/static").unwrap().shell.is_empty());
        assert!(
            !lookup("mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled")
                .unwrap()
                .runs_as_root()
        );
        assert!(lookup("mcr.microsoft.com/dotnet/aspnet:8.0")
            .unwrap()
            .defines("APP_UID"));
        assert_eq!(
            lookup("mcr.microsoft.com/dotnet/runtime-deps:10.0")
                .unwrap()
                .values
                .get("APP_UID")
                .map(String::as_str),
            Some("1654")
        );
        assert!(!lookup("nginxinc/nginx-unprivileged:1")
            .unwrap()
            .runs_as_root());
        assert!(!lookup("bitnami/node:20").unwrap().runs_as_root());
        assert!(lookup("bitnami/minideb").unwrap().runs_as_root());
        assert!(!lookup("cgr.dev/chainguard/node").unwrap().runs_as_root());
        assert!(lookup("php:8-fpm").unwrap().drops_privileges);
        assert!(!lookup("php:8-cli").unwrap().drops_privileges);
        assert_eq!(lookup("golang:1.23").unwrap().workdir, "/go");
        assert!(lookup("myorg/node:1").is_none());
        // The language images' runtime is their ENTRYPOINT; the others have none.
        let node = lookup("gcr.io/distroless/nodejs22-debian12:nonroot@sha256:13").unwrap();
        assert_eq!(node.entrypoint, ["/nodejs/bin/node"]);
        assert!(!node.runs_as_root());
        assert_eq!(
            lookup("gcr.io/distroless/java17-debian12")
                .unwrap()
                .entrypoint,
            ["/usr/bin/java", "-jar"]
        );
        assert!(lookup("gcr.io/distroless/java-base-debian12")
            .unwrap()
            .entrypoint
            .is_empty());
        assert!(lookup("gcr.io/distroless/static-debian12")
            .unwrap()
            .entrypoint
            .is_empty());
        assert!(lookup("node:20").unwrap().entrypoint.is_empty());
        assert!(lookup("node:${V}").is_none());
    }

    #[test]
    fn resolves_from_arguments() {
        let value = |n: &str| (n == "NODE_VERSION").then(|| "20".to_string());
        assert_eq!(
            resolve("node:${NODE_VERSION}-alpine", &value).as_deref(),
            Some("node:20-alpine")
        );
        assert_eq!(
            resolve("node:$NODE_VERSION", &value).as_deref(),
            Some("node:20")
        );
        assert_eq!(
            resolve("${BASE:-alpine}:3", &value).as_deref(),
            Some("alpine:3")
        );
        assert_eq!(resolve("${BASE}", &value), None);
    }
}
