//! More cases of a rule than its bad/ and good/ fixtures: every folder
//! `tests/fixtures/rules/<Code>/bad-<case>/` must report the rule and every
//! `good-<case>/` must not. A case is a Dockerfile with the files around it
//! (a Compose file, package.json, an entrypoint script...); its Dockerfile
//! is the first file named `Dockerfile` in it, so a case may hold a
//! Compose file above the Dockerfile it builds.

mod common;

use std::path::{Path, PathBuf};

fn codes_found(dockerfile: &Path) -> Vec<String> {
    common::check_json(dockerfile)
        .iter()
        .filter_map(|f| f["code"].as_str().map(String::from))
        .collect()
}

fn dockerfile_in(case: &Path) -> Option<PathBuf> {
    let direct = case.join("Dockerfile");
    if direct.is_file() {
        return Some(direct);
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(case)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.iter().find_map(|d| dockerfile_in(d))
}

#[test]
fn every_case_of_every_rule() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let mut problems = Vec::new();
    let mut cases = 0;
    let mut rules: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    rules.sort();
    for rule in rules {
        let code = rule.file_name().unwrap().to_str().unwrap().to_string();
        let mut folders: Vec<PathBuf> = std::fs::read_dir(&rule)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        folders.sort();
        for case in folders {
            let name = case.file_name().unwrap().to_str().unwrap().to_string();
            let must_fire = if name.starts_with("bad-") {
                true
            } else if name.starts_with("good-") {
                false
            } else {
                continue;
            };
            let Some(dockerfile) = dockerfile_in(&case) else {
                problems.push(format!("{code}/{name}: no Dockerfile"));
                continue;
            };
            cases += 1;
            let found = codes_found(&dockerfile);
            let fires = found.contains(&code);
            if fires != must_fire {
                problems.push(format!(
                    "{code}/{name}: {} (found {found:?})",
                    if must_fire {
                        "not reported"
                    } else {
                        "reported"
                    }
                ));
            }
            if found.iter().any(|c| c == "SyntaxError") {
                problems.push(format!("{code}/{name}: syntax errors"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(cases > 0, "no cases found under {}", root.display());
}

/// `.git` is left out only where the build context holds one (git keeps
/// no `.git` in a fixture, so the case is made here).
#[test]
fn dockerignore_without_git_fires_only_for_a_context_that_has_one() {
    let dir = common::temp_dir("dockerignore-git");
    common::write(
        &dir.join("Dockerfile"),
        b"FROM alpine:3.20\nCOPY . /src\nCMD [\"/src/run\"]\n",
    );
    common::write(&dir.join(".dockerignore"), b"*.log\n");
    let dockerfile = dir.join("Dockerfile");
    let code = "DockerignoreIncomplete".to_string();
    assert!(!codes_found(&dockerfile).contains(&code));
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    assert!(codes_found(&dockerfile).contains(&code));
    common::write(&dir.join(".dockerignore"), b"*.log\n.git\n");
    assert!(!codes_found(&dockerfile).contains(&code));
    // a sub-folder copied does not take .git along
    common::write(&dir.join(".dockerignore"), b"*.log\n");
    common::write(
        &dir.join("Dockerfile"),
        b"FROM alpine:3.20\nCOPY src /src\nCMD [\"/src/run\"]\n",
    );
    std::fs::create_dir_all(dir.join("src")).unwrap();
    assert!(!codes_found(&dockerfile).contains(&code));
}
