//! Real builds decide: each sample app of `tests/split-apps/` (small
//! single-stage apps of our own) is copied to a temporary folder, split by
//! the code action (`features::split_stages`, with the folder as its build
//! context), and both the original and the split are built and run with
//! `../shared/realbuild/build_check.sh` (Docker's engine with stand-in base
//! images, offline from Docker Hub; `scripts/install/realbuild.sh` starts
//! it). For every app:
//!
//! - the split is offered and passes the static check
//!   (`features::split_check`);
//! - the original and the split both serve `GET /`, with the same body;
//! - the split's process runs as a user other than root;
//! - the split's image keeps the environment the app starts with: every
//!   variable the original's ENV lines set, with its value (PATH aside),
//!   and the working directory;
//! - the split's image is no larger than the original's (up to
//!   [`LAYER_SLACK`] bytes of layer metadata), and smaller when the
//!   original shipped devDependencies or a compiler with the sources.
//!
//! An app whose original needs a base image we have no stand-in for, or
//! whose folder has a `STATIC-ONLY` file saying why a real build cannot
//! reach it (Go modules, which cannot be downloaded here), gets the static
//! check alone (and says so in the table). The test fails, never
//! skips, when `../shared` or the Docker daemon is missing. It prints a
//! table (also written to `$CARGO_TARGET_TMPDIR/realbuild-table.txt`).
//! `REALBUILD_APPS=a,b` runs only those apps, `REALBUILD_KEEP=1` keeps the
//! copies and their splits (for local work).
//!
//! An app with a `NOT-OFFERED` file (saying why) may get no split: its
//! image runs a dev server, which is no runtime; if the split is offered
//! anyway, it is built and checked like any other.
//!
//! Containers are removed by build_check.sh; the images this test tagged
//! are removed at the end of each app; the daemon keeps running.

use std::path::{Path, PathBuf};
use std::process::Command;

use dockerfile_lsp::analysis::context::DirFiles;
use dockerfile_lsp::diagnostics::BuildContext;
use dockerfile_lsp::features::{split_check, split_stages};

const DOCKER: &str = "/usr/bin/docker";

/// The bytes by which a split may exceed the original and still count as
/// "no larger": the tar headers of a few directory entries a `COPY --from`
/// layer repeats (the same virtualenv copied instead of made in place
/// measures 423 bytes more). Anything a file's worth larger fails.
const LAYER_SLACK: u64 = 16 * 1024;

fn apps_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/split-apps")
}

fn realbuild_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realbuild");
    assert!(
        dir.join("build_check.sh").is_file(),
        "{} is missing: the real-build test needs ../shared/realbuild beside the project",
        dir.display()
    );
    dir
}

fn work_dir() -> PathBuf {
    std::env::var_os("WORK")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/realbuild"))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The tag and file names build_check.sh derives from a folder's name.
fn check_name(dir: &Path) -> String {
    let name: String = dir
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_.-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    name.trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

/// What one build_check.sh run found.
#[derive(Debug, Default)]
struct Run {
    served: bool,
    /// The last lines of the output, for the failure message.
    log: String,
    body: String,
    uid: Option<u32>,
    size: Option<u64>,
    /// The image's environment (`K=V`) and working directory.
    env: Vec<String>,
    workdir: String,
}

fn docker(args: &[&str]) -> Option<String> {
    let out = Command::new(DOCKER).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The port build_check.sh polls: the last EXPOSE, else 3000.
fn port_of(dockerfile: &str) -> u16 {
    dockerfile
        .lines()
        .rev()
        .find_map(|l| {
            let mut words = l.split_whitespace();
            let keyword = words.next()?;
            keyword
                .eq_ignore_ascii_case("EXPOSE")
                .then(|| words.next())?
        })
        .and_then(|p| p.split('/').next()?.parse().ok())
        .unwrap_or(3000)
}

/// Whether something already answers on 127.0.0.1:port (another program
/// would answer in the app's place).
fn port_busy(port: u16) -> bool {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_millis(300)).is_ok()
}

fn build_and_run(dir: &Path) -> Run {
    let port = port_of(&std::fs::read_to_string(dir.join("Dockerfile")).unwrap_or_default());
    // Another build on this machine (host networking) may hold the port
    // for a while: wait for it, then give up clearly.
    let mut waited = 0;
    while port_busy(port) && waited < 240 {
        std::thread::sleep(std::time::Duration::from_secs(2));
        waited += 2;
    }
    assert!(
        !port_busy(port),
        "127.0.0.1:{port} is still in use by another program after {waited} s: it would answer instead of {}",
        dir.display()
    );
    let script = realbuild_dir().join("build_check.sh");
    // One build_check.sh at a time among the runs of this test on the
    // machine: the apps listen on the machine's own ports.
    let lock = work_dir().join("realbuild-test.lock");
    let _ = std::fs::create_dir_all(work_dir());
    // A build that hangs (a registry that never answers) ends after 20
    // minutes, reported as a failed build.
    let out = Command::new("flock")
        .arg(&lock)
        .args(["timeout", "1200"])
        .arg("bash")
        .arg(&script)
        .arg(dir)
        .env("WAIT_S", "40")
        .output()
        .expect("flock (util-linux) runs build_check.sh");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let name = check_name(dir);
    let tag = format!("realbuild/check-{name}:latest");
    let mut run = Run {
        served: out.status.code() == Some(0),
        log: format!("{stdout}{stderr}")
            .lines()
            .rev()
            .take(25)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n"),
        ..Run::default()
    };
    if out.status.code() == Some(3) {
        panic!(
            "build_check.sh could not reach the Docker daemon (run ../shared/realbuild/setup.sh as root):\n{}",
            run.log
        );
    }
    run.body = std::fs::read_to_string(work_dir().join("logs").join(format!("{name}.body")))
        .unwrap_or_default();
    // The uid build_check.sh read with `id -u` in the container; an image
    // without `id` (distroless) is read from its USER.
    let uid_word = stdout
        .split("process uid=")
        .nth(1)
        .and_then(|r| r.split([';', ' ', '\n']).next())
        .unwrap_or("?");
    run.uid = uid_word.parse().ok().or_else(|| {
        let user = docker(&["image", "inspect", "-f", "{{.Config.User}}", &tag])?;
        let user = user.split(':').next().unwrap_or("");
        match user {
            "" | "root" => Some(0),
            u => u.parse().ok().or(Some(u32::MAX)), // a named user other than root
        }
    });
    run.size = docker(&["image", "inspect", "-f", "{{.Size}}", &tag]).and_then(|s| s.parse().ok());
    run.env = docker(&["image", "inspect", "-f", "{{json .Config.Env}}", &tag])
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default();
    run.workdir =
        docker(&["image", "inspect", "-f", "{{.Config.WorkingDir}}", &tag]).unwrap_or_default();
    // build_check.sh removes its container on exit; one a timeout left
    // behind is removed here (the name holds this run's process id).
    if let Some(ids) = docker(&["ps", "-aq", "--filter", &format!("name=rbcheck-{name}-")]) {
        for id in ids.split_whitespace() {
            let _ = docker(&["rm", "-f", id]);
        }
    }
    let _ = docker(&["image", "rm", "-f", &tag]);
    run
}

/// Whether the images a Dockerfile's stages start from are all in the
/// local store (stand-ins or stages of the file itself).
fn missing_base_images(dockerfile: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut missing = Vec::new();
    for line in dockerfile.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if !words
            .first()
            .is_some_and(|w| w.eq_ignore_ascii_case("FROM"))
        {
            continue;
        }
        let rest: Vec<&str> = words[1..]
            .iter()
            .copied()
            .filter(|w| !w.starts_with("--"))
            .collect();
        let Some(image) = rest.first() else { continue };
        let image = image.to_string();
        let is_stage = image == "scratch" || names.contains(&image.to_ascii_lowercase());
        if let Some(i) = rest.iter().position(|w| w.eq_ignore_ascii_case("AS")) {
            if let Some(n) = rest.get(i + 1) {
                names.push(n.to_ascii_lowercase());
            }
        }
        if is_stage {
            continue;
        }
        if image.contains('$') || docker(&["image", "inspect", "-f", "{{.Id}}", &image]).is_none() {
            missing.push(image);
        }
    }
    missing
}

fn write_split(dir: &Path) -> Result<String, String> {
    let path = dir.join("Dockerfile");
    let text = std::fs::read_to_string(&path).unwrap();
    let tree = dockerfile_lsp::syntax::parse(&text);
    let build = BuildContext::of_dockerfile(&path);
    let split =
        split_stages::split(&tree, &text.as_str(), Some(&build)).map_err(|e| e.to_string())?;
    std::fs::write(&path, &split.text).unwrap();
    if let Some(change) = &split.config {
        let file = dir.join(&change.file);
        let new = if change.create {
            change.insert.clone()
        } else {
            let mut old = std::fs::read_to_string(&file).unwrap();
            old.insert_str(change.offset.min(old.len()), &change.insert);
            old
        };
        std::fs::write(&file, new).unwrap();
    }
    Ok(split.text)
}

/// What the split's image changed in the environment the app starts
/// with: a variable the original's ENV lines set that the split drops or
/// sets to another value (PATH aside: a virtualenv may move), and the
/// working directory. Variables the split adds (`NODE_ENV=production`)
/// are fine.
fn environment_changes(before: &Run, after: &Run, dockerfile: &str) -> Vec<String> {
    // The variables the Dockerfile sets (a base image's own, GOTOOLCHAIN
    // in golang, need not survive a change of runner image).
    let tree = dockerfile_lsp::syntax::parse(dockerfile);
    let analysis = dockerfile_lsp::analysis::Analysis::build(&tree, dockerfile);
    let set: Vec<String> = analysis
        .variables
        .defs
        .iter()
        .filter(|d| d.kind == dockerfile_lsp::analysis::variables::DefKind::Env)
        .map(|d| d.name.clone())
        .collect();
    let mut out = Vec::new();
    let value = |env: &[String], key: &str| -> Option<String> {
        env.iter()
            .find_map(|kv| kv.strip_prefix(&format!("{key}=")).map(str::to_string))
    };
    for kv in &before.env {
        let Some((key, old)) = kv.split_once('=') else {
            continue;
        };
        if key == "PATH" || !set.iter().any(|n| n == key) {
            continue;
        }
        match value(&after.env, key) {
            None => out.push(format!("the split's image drops ENV {key}={old}")),
            Some(new) if new != old => out.push(format!(
                "the split's image sets {key}={new}, the original {key}={old}"
            )),
            Some(_) => {}
        }
    }
    if before.workdir != after.workdir {
        out.push(format!(
            "the split's image starts in {:?}, the original in {:?}",
            after.workdir, before.workdir
        ));
    }
    out
}

/// Whether the original image ships what a split leaves behind: Node
/// devDependencies, or a Go or Rust toolchain with the sources.
fn ships_tooling(dir: &Path) -> bool {
    let dev = std::fs::read_to_string(dir.join("package.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|j| {
            j["devDependencies"]
                .as_object()
                .is_some_and(|d| !d.is_empty())
        });
    dev || dir.join("go.mod").is_file() || dir.join("Cargo.toml").is_file()
}

/// Removes the test's folder when the test ends, by a failure too
/// (`REALBUILD_KEEP=1` keeps it).
struct Cleanup(PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        if std::env::var_os("REALBUILD_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn mb(size: Option<u64>) -> String {
    size.map_or("?".into(), |s| format!("{:.1}MB", s as f64 / 1e6))
}

#[test]
fn every_sample_app_split_builds_serves_the_same_and_runs_as_non_root() {
    realbuild_dir();
    let info = Command::new(DOCKER).arg("info").output();
    assert!(
        info.as_ref().is_ok_and(|o| o.status.success()),
        "the Docker daemon does not answer at {DOCKER}: run ../shared/realbuild/setup.sh as root \
         (scripts/install/realbuild.sh does, scripts/test runs it)"
    );
    let only: Option<Vec<String>> = std::env::var("REALBUILD_APPS")
        .ok()
        .map(|v| v.split(',').map(str::to_string).collect());
    let mut apps: Vec<String> = std::fs::read_dir(apps_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Dockerfile").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| only.as_ref().is_none_or(|o| o.contains(n)))
        .collect();
    apps.sort();
    if only.is_none() {
        assert!(
            apps.len() >= 8,
            "at least eight sample apps, found {apps:?}"
        );
    }

    let tmp = std::env::temp_dir().join(format!("dockerfile-lsp-realbuild-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let _cleanup = Cleanup(tmp.clone());
    let mut failures: Vec<String> = Vec::new();
    let mut table = vec![format!(
        "{:<20} {:>10} {:>10} {:>9} {:>9} {:>7}  {}",
        "app", "before", "after", "uid", "same body", "time", "response"
    )];
    for app in &apps {
        // The process id in the folder names keeps this run's image tags
        // and response files apart from another run's on the same daemon.
        let pid = std::process::id();
        let orig = tmp.join(format!("{app}-orig-{pid}"));
        let split_dir = tmp.join(format!("{app}-split-{pid}"));
        copy_dir(&apps_dir().join(app), &orig);
        copy_dir(&apps_dir().join(app), &split_dir);
        let may_be_left_out = apps_dir().join(app).join("NOT-OFFERED").is_file();
        let text = match write_split(&split_dir) {
            Ok(text) => text,
            Err(reason) => {
                if !may_be_left_out {
                    failures.push(format!("{app}: the split is not offered: {reason}"));
                }
                table.push(format!("{app:<20} not offered: {reason}"));
                continue;
            }
        };
        let problems = split_check::check(&text, &DirFiles::new(&split_dir));
        for p in &problems {
            failures.push(format!("{app}: static check: {p}"));
        }
        if let Ok(reason) = std::fs::read_to_string(apps_dir().join(app).join("STATIC-ONLY")) {
            table.push(format!(
                "{app:<20} static check only ({}): {} problem(s)",
                reason.trim().trim_end_matches('.'),
                problems.len()
            ));
            continue;
        }
        let original = std::fs::read_to_string(orig.join("Dockerfile")).unwrap();
        let missing = missing_base_images(&original);
        if !missing.is_empty() {
            table.push(format!(
                "{app:<20} static check only (no stand-in for {}): {} problem(s)",
                missing.join(", "),
                problems.len()
            ));
            continue;
        }
        let missing = missing_base_images(&text);
        if !missing.is_empty() {
            failures.push(format!(
                "{app}: the split starts from images with no stand-in here ({}), the original did not",
                missing.join(", ")
            ));
            table.push(format!("{app:<20} split uses {}", missing.join(", ")));
            continue;
        }
        let started = std::time::Instant::now();
        let before = build_and_run(&orig);
        let after = build_and_run(&split_dir);
        let seconds = started.elapsed().as_secs();
        if !before.served {
            failures.push(format!(
                "{app}: the ORIGINAL does not serve (the sample app is broken):\n{}",
                before.log
            ));
        }
        if !after.served {
            failures.push(format!(
                "{app}: the split does not serve:\n{}\n--- split Dockerfile:\n{text}",
                after.log
            ));
        }
        let same = before.served && after.served && before.body == after.body;
        if before.served && after.served && !same {
            failures.push(format!(
                "{app}: different responses: original {:?}, split {:?}",
                before.body, after.body
            ));
        }
        if after.served && after.uid.is_none_or(|u| u == 0) {
            failures.push(format!(
                "{app}: the split runs as root (uid {:?})",
                after.uid
            ));
        }
        if let (Some(b), Some(a)) = (before.size, after.size) {
            if ships_tooling(&orig) && a >= b {
                failures.push(format!(
                    "{app}: the original ships devDependencies or a compiler and the sources, \
                     but the split's image is not smaller: {} >= {}",
                    mb(after.size),
                    mb(before.size)
                ));
            }
            if a > b + LAYER_SLACK {
                failures.push(format!(
                    "{app}: the split's image is larger: {} > {} ({} bytes more)",
                    mb(after.size),
                    mb(before.size),
                    a - b
                ));
            }
        } else if after.served {
            failures.push(format!("{app}: could not read the image sizes"));
        }
        if before.served && after.served {
            failures.extend(
                environment_changes(&before, &after, &original)
                    .into_iter()
                    .map(|c| format!("{app}: {c}")),
            );
        }
        let uid = match after.uid {
            Some(u32::MAX) => "named".to_string(),
            Some(u) => u.to_string(),
            None => "?".into(),
        };
        table.push(format!(
            "{app:<20} {:>10} {:>10} {:>9} {:>9} {:>6}s  {}",
            mb(before.size),
            mb(after.size),
            uid,
            if same { "yes" } else { "no" },
            seconds,
            after
                .body
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(60)
                .collect::<String>()
        ));
    }
    if std::env::var_os("REALBUILD_KEEP").is_some() {
        println!("kept the apps and their splits in {}", tmp.display());
    }
    let table = table.join("\n");
    println!("{table}");
    let _ = std::fs::write(
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("realbuild-table.txt"),
        format!("{table}\n"),
    );
    assert!(
        failures.is_empty(),
        "{} failure(s):\n\n{}\n\n{table}",
        failures.len(),
        failures.join("\n\n")
    );
}
