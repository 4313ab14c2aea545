//! The split action on small build contexts of the shapes that broke it
//! on real applications (issue 18): each fixture in
//! `tests/fixtures/split/NAME/` is a Dockerfile and the files around it.
//! Every rewrite parses, gets no warning from our rules, and keeps the
//! build's meaning in the way the case names; a file the split cannot
//! rewrite safely gets its reason.

use std::path::PathBuf;

use dockerfile_lsp::analysis::context::DirFiles;
use dockerfile_lsp::analysis::Analysis;
use dockerfile_lsp::diagnostics::{diagnose, Context, Severity};
use dockerfile_lsp::features::split_stages::{self, Inputs, NotOffered, Split};
use dockerfile_lsp::syntax;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/split")
        .join(name)
}

/// The split of a fixture's Dockerfile, reading its folder as the context.
fn split_of(name: &str) -> Result<Split, NotOffered> {
    let dir = fixture(name);
    let text = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
    let files = DirFiles::new(&dir);
    split_stages::split_in(
        &syntax::parse(&text),
        &text.as_str(),
        &Inputs {
            build: None,
            files: Some(&files),
            can_create_files: true,
        },
    )
}

/// The rewrite of a fixture, checked: it parses, our rules give it no
/// warning, and it is not offered again.
fn clean_split(name: &str) -> String {
    let split = split_of(name).unwrap_or_else(|e| panic!("{name}: not offered: {e}"));
    let out = split.text;
    let tree = syntax::parse(&out);
    assert!(
        !tree.root_node().has_error(),
        "{name}: syntax errors\n{out}"
    );
    let analysis = Analysis::build(&tree, out.as_str());
    let warnings: Vec<_> = diagnose(&tree, &out.as_str(), &analysis, &Context::default())
        .into_iter()
        .filter(|d| d.severity <= Severity::Warning)
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert!(warnings.is_empty(), "{name}: {warnings:?}\n{out}");
    let again = split_stages::split(&tree, &out.as_str(), None);
    assert!(again.is_err(), "{name}: offered twice\n{out}");
    out
}

/// The text of one stage of a rewrite (from its FROM to the next).
fn stage<'a>(out: &'a str, name: &str) -> &'a str {
    let start = out
        .find(&format!(" AS {name}\n"))
        .unwrap_or_else(|| panic!("no stage {name}:\n{out}"));
    let start = out[..start].rfind("FROM").unwrap();
    let end = out[start + 4..]
        .find("\nFROM ")
        .map_or(out.len(), |e| start + 4 + e);
    // the comment heading the next stage is not part of this one
    &out[start..end]
}

#[test]
fn a_workdir_is_never_hoisted_above_the_mkdir_that_makes_it() {
    let out = clean_split("mkdir-before-workdir");
    for name in ["deps", "build", "runner"] {
        let s = stage(&out, name);
        let mkdir = s.find("RUN mkdir /home/app/").unwrap_or(usize::MAX);
        let workdir = s.find("WORKDIR /home/app").unwrap();
        assert!(mkdir < workdir, "{name}: WORKDIR above the mkdir\n{out}");
    }
}

#[test]
fn the_users_virtualenv_stays_where_a_later_env_path_puts_it() {
    let out = clean_split("venv-later-path");
    assert!(!out.contains("/opt/venv"), "the venv moved:\n{out}");
    let deps = stage(&out, "deps");
    assert!(
        deps.contains("RUN python -m venv /app/.venv\nCOPY requirements.txt .\nRUN /app/.venv/bin/pip install --no-cache-dir -r requirements.txt\n"),
        "{out}"
    );
    let runner = stage(&out, "runner");
    assert!(
        runner.contains("COPY --from=deps /app/.venv /app/.venv\n"),
        "{out}"
    );
    assert!(
        runner.contains("ENV PATH=\"/app/.venv/bin:$PATH\"\n"),
        "{out}"
    );
    // no second virtualenv over the copied one
    assert!(
        !runner
            .lines()
            .any(|l| l.starts_with("RUN") && l.contains("venv")),
        "{out}"
    );
}

#[test]
fn a_virtualenv_made_with_the_install_is_made_once_in_deps() {
    let out = clean_split("venv-one-run");
    let deps = stage(&out, "deps");
    assert!(
        deps.contains(
            "RUN python -m venv $VIRTUAL_ENV && $VIRTUAL_ENV/bin/pip install -r requirements.txt\n"
        ),
        "{out}"
    );
    let runner = stage(&out, "runner");
    assert!(
        runner.contains("COPY --from=deps /opt/app-venv /opt/app-venv\n"),
        "{out}"
    );
    assert!(
        !runner
            .lines()
            .any(|l| l.starts_with("RUN") && l.contains("python -m venv")),
        "{out}"
    );
    assert!(!out.contains("/opt/venv"), "{out}");
}

#[test]
fn the_lockfile_travels_with_the_manifest_in_two_copies() {
    let out = clean_split("lockfile-second-copy");
    for name in ["deps", "runner"] {
        let s = stage(&out, name);
        assert!(
            s.contains("COPY package.json ./\nCOPY package-lock.json ./\n"),
            "{name}\n{out}"
        );
    }
    assert!(stage(&out, "deps").contains("npm ci\n"), "{out}");
    assert!(stage(&out, "runner").contains("npm ci --omit=dev"), "{out}");
    // tsc writes tsconfig's outDir, which the CMD runs from
    assert!(
        stage(&out, "runner").contains("COPY --from=build /usr/src/app/dist ./dist\n"),
        "{out}"
    );
}

#[test]
fn a_dev_server_start_is_not_a_runtime() {
    let why = split_of("cra-dev-server").unwrap_err().reason;
    assert!(
        why.contains("`react-scripts start` is a development server"),
        "{why}"
    );
}

#[test]
fn a_create_react_app_build_ships_from_build_not_dist() {
    let out = clean_split("cra-serve");
    let runner = stage(&out, "runner");
    assert!(
        runner.contains("COPY --from=build /code/build ./build\n"),
        "{out}"
    );
    assert!(!out.contains("/code/dist"), "{out}");
    // serve is a dependency: the production install has it
    assert!(runner.contains("npm ci --omit=dev"), "{out}");
}

#[test]
fn no_locked_cargo_fetch_without_a_lockfile() {
    let out = clean_split("cargo-no-lock");
    assert!(!out.contains("--locked"), "{out}");
    assert!(!out.contains("Cargo.lock"), "{out}");
    assert!(
        stage(&out, "deps").contains("COPY Cargo.toml ./\n"),
        "{out}"
    );
    assert!(
        stage(&out, "runner").contains(
            "COPY --from=build /usr/src/app/target/release/hello /usr/src/app/target/release/hello\n"
        ),
        "{out}"
    );
}

#[test]
fn a_relative_go_output_is_resolved_against_the_workdir() {
    let out = clean_split("go-relative-output");
    let runner = stage(&out, "runner");
    assert!(
        runner.contains("COPY --from=build /src/bin/backend /src/bin/backend\n"),
        "{out}"
    );
    assert!(runner.contains("WORKDIR /src\n"), "{out}");
    assert!(runner.contains("CMD [\"./bin/backend\"]"), "{out}");
    // no go.sum in the context: the deps stage does not ask for one
    assert!(stage(&out, "deps").contains("COPY go.mod ./\n"), "{out}");
}

#[test]
fn a_next_app_already_standalone_ships_its_server() {
    let split = split_of("next-standalone-server").unwrap();
    assert_eq!(split.config, None, "the config already says standalone");
    let out = clean_split("next-standalone-server");
    let runner = stage(&out, "runner");
    for line in [
        "COPY --from=build /app/public ./public\n",
        "COPY --from=build --chown=node:node /app/.next/standalone ./\n",
        "COPY --from=build --chown=node:node /app/.next/static ./.next/static\n",
        "USER node\nCMD [\"node\", \"server.js\"]",
    ] {
        assert!(runner.contains(line), "{line}\n{out}");
    }
    assert!(!runner.contains("npm ci"), "{out}");
}

#[test]
fn a_build_written_as_node_build_js_is_a_build() {
    let out = clean_split("node-build-script");
    let build = stage(&out, "build");
    assert!(build.contains("COPY . .\nRUN node build.js\n"), "{out}");
    // the CMD runs a file of the sources: they ship as the original copied
    // them, with what build.js writes (esbuild's outdir) from the build
    let runner = stage(&out, "runner");
    assert!(
        runner.contains("RUN npm ci --omit=dev && npm cache clean --force\nCOPY . .\nCOPY --from=build /app/dist ./dist\n"),
        "{out}"
    );
    assert!(
        runner.contains("USER node\nCMD [\"node\", \"server.js\"]"),
        "{out}"
    );
    assert!(!out.contains("A human must decide"), "{out}");
}

#[test]
fn a_build_whose_output_is_unknown_says_a_human_must_decide() {
    let out = clean_split("start-needs-dev");
    let runner = stage(&out, "runner");
    assert!(runner.contains("COPY . .\n"), "{out}");
    assert!(
        runner.contains("# A human must decide: what `npm run build` writes is not known here"),
        "{out}"
    );
}

#[test]
fn a_non_root_runner_owns_the_folders_made_as_root() {
    let out = clean_split("python-data-dir");
    let runner = stage(&out, "runner");
    let mkdir = runner.find("RUN mkdir -p /app/data\n").expect(&out);
    let chown = runner
        .find("RUN chown -R 65532:65532 /app/data\nUSER 65532\n")
        .expect(&out);
    assert!(mkdir < chown, "{out}");
}

#[test]
fn a_start_command_that_needs_a_dev_dependency_keeps_them() {
    let out = clean_split("start-needs-dev");
    let runner = stage(&out, "runner");
    assert!(!runner.contains("--omit=dev"), "{out}");
    assert!(
        runner.contains("# the start command `ts-node src/index.ts` runs what only devDependencies have (`ts-node`, `typescript`): every dependency ships\nCOPY package.json package-lock.json ./\nRUN npm ci --include=dev && npm cache clean --force\n"),
        "{out}"
    );
}

/// The sample apps of the real-build test (`tests/split-apps/`): each split
/// parses, gets no warning, and passes the static check (every COPY
/// source is in the context, every `--from` path is made by that stage,
/// the CMD's target is in the runner).
#[test]
fn every_sample_app_splits_and_passes_the_static_check() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/split-apps");
    let Ok(entries) = std::fs::read_dir(&root) else {
        return; // the sample apps are not there yet
    };
    let mut dirs: Vec<_> = entries
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.join("Dockerfile").is_file())
        .collect();
    dirs.sort();
    let mut failures = Vec::new();
    for dir in &dirs {
        let text = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
        let files = DirFiles::new(dir);
        let split = split_stages::split_in(
            &syntax::parse(&text),
            &text.as_str(),
            &Inputs {
                build: None,
                files: Some(&files),
                can_create_files: true,
            },
        );
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let split = match split {
            Ok(split) => split,
            // an app with a NOT-OFFERED file may be refused, with a reason
            Err(e) if dir.join("NOT-OFFERED").is_file() && !e.reason.is_empty() => continue,
            Err(e) => {
                failures.push(format!("{name}: not offered: {e}"));
                continue;
            }
        };
        let warnings = warnings_of(&split.text);
        if !warnings.is_empty() {
            failures.push(format!("{name}: {warnings:?}\n{}", split.text));
        }
        let problems = dockerfile_lsp::features::split_check::check(&split.text, &files);
        if !problems.is_empty() {
            let problems: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            failures.push(format!("{name}: {problems:?}\n{}", split.text));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The codes and messages of the warnings (and errors) our rules give a text.
fn warnings_of(text: &str) -> Vec<String> {
    let tree = syntax::parse(text);
    let analysis = Analysis::build(&tree, text);
    diagnose(&tree, &text, &analysis, &Context::default())
        .into_iter()
        .filter(|d| d.severity <= Severity::Warning)
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect()
}

/// Prints the split of every sample app with the static check's verdict:
/// `cargo test --test split_cases print_sample_apps -- --ignored --nocapture`.
#[test]
#[ignore = "prints the sample apps' splits"]
fn print_sample_apps() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/split-apps");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.join("Dockerfile").is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        let text = std::fs::read_to_string(dir.join("Dockerfile")).unwrap();
        let files = DirFiles::new(&dir);
        let split = split_stages::split_in(
            &syntax::parse(&text),
            &text.as_str(),
            &Inputs {
                build: None,
                files: Some(&files),
                can_create_files: true,
            },
        );
        println!("===== {}", dir.display());
        match split {
            Ok(split) => {
                println!("{}", split.text);
                for p in dockerfile_lsp::features::split_check::check(&split.text, &files) {
                    println!("PROBLEM: {p}");
                }
            }
            Err(e) => println!("NOT OFFERED: {e}"),
        }
    }
}

/// The split of a Dockerfile in a context held in memory.
fn split_mem(dockerfile: &str, files: &[(&str, &str)]) -> Result<Split, NotOffered> {
    let files = dockerfile_lsp::analysis::context::MemFiles::new(files.iter().copied());
    split_stages::split_in(
        &syntax::parse(dockerfile),
        &dockerfile,
        &Inputs {
            build: None,
            files: Some(&files),
            can_create_files: true,
        },
    )
}

const LOCKED_NODE_APP: &[(&str, &str)] = &[
    (
        "package.json",
        r#"{ "scripts": { "build": "tsc" }, "devDependencies": { "typescript": "5.6.3" } }"#,
    ),
    ("package-lock.json", "{}"),
    (
        "tsconfig.json",
        r#"{ "compilerOptions": { "outDir": "dist" } }"#,
    ),
];

#[test]
fn exec_form_runs_are_read() {
    let src = "FROM node:20-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN [\"npm\", \"ci\"]\nCOPY . .\nRUN [\"npm\", \"run\", \"build\"]\nCMD [\"node\", \"dist/index.js\"]\n";
    let out = split_mem(src, LOCKED_NODE_APP).unwrap().text;
    assert!(
        out.contains("# done in the deps stage: RUN [\"npm\", \"ci\"]"),
        "{out}"
    );
    assert!(
        out.contains("COPY . .\nRUN [\"npm\", \"run\", \"build\"]\n"),
        "{out}"
    );
    assert!(
        out.contains("COPY --from=build /app/dist ./dist\n"),
        "{out}"
    );
    assert!(
        warnings_of(&out).is_empty(),
        "{:?}\n{out}",
        warnings_of(&out)
    );
}

#[test]
fn a_user_set_before_the_install_runs_it_in_every_stage() {
    let src = "FROM node:20-alpine\nRUN mkdir -p /home/node/app && chown node:node /home/node/app\nWORKDIR /home/node/app\nUSER node\nCOPY --chown=node:node package.json package-lock.json ./\nRUN npm ci\nCOPY --chown=node:node . .\nRUN npm run build\nCMD [\"node\", \"dist/index.js\"]\n";
    let out = split_mem(src, LOCKED_NODE_APP).unwrap().text;
    for name in ["deps", "build", "runner"] {
        let s = stage(&out, name);
        assert!(
            s.contains("WORKDIR /home/node/app\nUSER node\n"),
            "{name}\n{out}"
        );
    }
    // the user's USER is the runner's: no second one
    assert_eq!(stage(&out, "runner").matches("USER ").count(), 1, "{out}");
    assert!(
        warnings_of(&out).is_empty(),
        "{:?}\n{out}",
        warnings_of(&out)
    );
}

#[test]
fn a_start_program_installed_globally_by_the_build_is_refused() {
    let src = "FROM node:20-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build && npm install -g serve\nCMD [\"serve\", \"-s\", \"dist\"]\n";
    let why = split_mem(src, LOCKED_NODE_APP).unwrap_err().reason;
    assert!(
        why.contains("`serve`, which a build step installs globally"),
        "{why}"
    );
}

#[test]
fn yarn_berry_is_refused_with_the_reason() {
    let src = "FROM node:20-alpine\nWORKDIR /app\nCOPY package.json yarn.lock .yarnrc.yml ./\nRUN yarn install --immutable\nCOPY . .\nRUN yarn build\nCMD [\"node\", \"dist/index.js\"]\n";
    let files = [
        (
            "package.json",
            r#"{ "packageManager": "yarn@4.5.0", "scripts": { "build": "tsc" } }"#,
        ),
        ("yarn.lock", "__metadata:\n  version: 8\n"),
        (".yarnrc.yml", "nodeLinker: node-modules\n"),
    ];
    let why = split_mem(src, &files).unwrap_err().reason;
    assert!(why.contains("Yarn Berry"), "{why}");
}

#[test]
fn without_a_lockfile_the_install_is_not_frozen() {
    let src = "FROM node:20-alpine\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\nCOPY . .\nRUN npm run build\nCMD [\"node\", \"dist/index.js\"]\n";
    let files = [LOCKED_NODE_APP[0], LOCKED_NODE_APP[2]];
    let out = split_mem(src, &files).unwrap().text;
    // the deps stage resolves (no lockfile to be frozen on)
    assert!(!stage(&out, "deps").contains("npm ci"), "{out}");
    assert!(stage(&out, "deps").contains(" npm install\n"), "{out}");
    // the runner installs the versions the deps stage resolved
    assert!(
        stage(&out, "runner").contains("COPY package.json ./\n# the lockfile the deps stage's install wrote: the versions the build used\nCOPY --from=deps /app/package-lock.json ./\nRUN npm ci --omit=dev"),
        "{out}"
    );
}

#[test]
fn go_modules_are_in_the_deps_layer_the_build_starts_from() {
    let out = clean_split("go-relative-output");
    let deps = stage(&out, "deps");
    assert!(deps.contains("\nRUN go mod download\n"), "{out}");
    assert!(!deps.contains("--mount=type=cache"), "{out}");
    assert!(
        stage(&out, "build").starts_with("FROM deps AS build\n"),
        "{out}"
    );
}

#[test]
fn a_standalone_next_server_listens_where_the_file_says() {
    let files = [
        (
            "package.json",
            r#"{ "scripts": { "build": "next build", "start": "next start -H 127.0.0.1 -p 4000" }, "dependencies": { "next": "14.2.15" } }"#,
        ),
        ("package-lock.json", "{}"),
        (
            "next.config.js",
            "module.exports = { output: 'standalone' };\n",
        ),
    ];
    let src = "FROM node:20-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD [\"npm\", \"start\"]\n";
    let out = split_mem(src, &files).unwrap().text;
    let runner = stage(&out, "runner");
    assert!(
        runner.contains("ENV HOSTNAME=127.0.0.1\nENV PORT=4000\n"),
        "{out}"
    );
    assert!(runner.contains("CMD [\"node\", \"server.js\"]"), "{out}");
    // the file's own HOSTNAME is kept, none added
    let own = src.replace(
        "RUN npm run build\n",
        "RUN npm run build\nENV HOSTNAME=127.0.0.1\n",
    );
    let out = split_mem(&own, &files).unwrap().text;
    assert_eq!(
        out.matches("ENV HOSTNAME=").count(),
        2,
        "build and runner:\n{out}"
    );
    assert!(!out.contains("0.0.0.0"), "{out}");
}

/// Every file of the corpus (valid, invalid, apps), and every prefix of
/// the single-stage ones cut at a line: the split answers (a rewrite that
/// parses, or a reason) and never panics.
#[test]
fn every_corpus_file_gets_an_answer() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !corpus.is_dir() {
        return;
    }
    let mut stack = vec![corpus];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if !path
                .extension()
                .is_some_and(|e| e == "md" || e == "txt" || e == "json")
            {
                files.push(path);
            }
        }
    }
    let mut answered = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let context = DirFiles::new(path.parent().unwrap());
        let mut inputs: Vec<String> = vec![text.clone()];
        // prefixes of the short single-stage files (the split's own shape)
        let single = dockerfile_lsp::syntax::views::stages(&syntax::parse(&text)).len() == 1;
        if single && text.lines().count() <= 40 {
            let mut cut = String::new();
            for line in text.lines() {
                cut.push_str(line);
                cut.push('\n');
                inputs.push(cut.clone());
            }
        }
        for input in &inputs {
            let tree = syntax::parse(input);
            let split = split_stages::split_in(
                &tree,
                &input.as_str(),
                &Inputs {
                    build: None,
                    files: Some(&context),
                    can_create_files: true,
                },
            );
            match split {
                Ok(split) => assert!(
                    !syntax::parse(&split.text).root_node().has_error(),
                    "{}: the split has syntax errors\n{}",
                    path.display(),
                    split.text
                ),
                Err(e) => assert!(!e.reason.is_empty(), "{}", path.display()),
            }
            answered += 1;
        }
    }
    assert!(answered > 400, "{answered}");
}

#[test]
fn folders_a_server_reads_at_run_time_ship_beside_the_output() {
    let files = [
        LOCKED_NODE_APP[0],
        LOCKED_NODE_APP[1],
        LOCKED_NODE_APP[2],
        ("views/index.ejs", "<h1>hi</h1>"),
        ("src/server.ts", "import express from 'express';"),
    ];
    let src = "FROM node:20-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD [\"node\", \"dist/server.js\"]\n";
    let out = split_mem(src, &files).unwrap().text;
    let runner = stage(&out, "runner");
    assert!(
        runner
            .contains("COPY --from=build /app/dist ./dist\nCOPY --from=build /app/views ./views\n"),
        "{out}"
    );
    assert!(!runner.contains("/app/src"), "{out}");
    assert!(
        warnings_of(&out).is_empty(),
        "{:?}\n{out}",
        warnings_of(&out)
    );
}

#[test]
fn a_later_pip_install_goes_into_the_virtualenv_too() {
    let src = "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nRUN pip install gunicorn\nCMD [\"gunicorn\", \"app:app\"]\n";
    let out = split_mem(src, &[("requirements.txt", "flask\n")])
        .unwrap()
        .text;
    // the venv has its own pip, first on PATH where the later install runs
    let deps = stage(&out, "deps");
    assert!(
        deps.contains("RUN python -m venv /opt/venv\nENV PATH=\"/opt/venv/bin:$PATH\"\n"),
        "{out}"
    );
    assert!(deps.contains(" pip install -r requirements.txt\n"), "{out}");
    let runner = stage(&out, "runner");
    let path = runner.find("ENV PATH=\"/opt/venv/bin:$PATH\"").expect(&out);
    let later = runner.find("RUN pip install gunicorn").expect(&out);
    assert!(path < later, "{out}");
    // without one, the venv has no pip of its own
    let plain = src.replace("RUN pip install gunicorn\n", "");
    let out = split_mem(&plain, &[("requirements.txt", "flask\n")])
        .unwrap()
        .text;
    assert!(
        out.contains("RUN python -m venv --without-pip /opt/venv\n"),
        "{out}"
    );
    assert!(
        out.contains("pip --python /opt/venv/bin/python install -r requirements.txt"),
        "{out}"
    );
}

#[test]
fn an_install_whose_scripts_may_read_the_sources_stays_after_them() {
    let src = "FROM node:20-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\nCMD [\"node\", \"dist/index.js\"]\n";
    let files = [
        (
            "package.json",
            r#"{ "scripts": { "build": "tsc", "postinstall": "prisma generate" } }"#,
        ),
        ("package-lock.json", "{}"),
    ];
    let why = split_mem(src, &files).unwrap_err().reason;
    assert!(
        why.contains("`postinstall` script (`prisma generate`)"),
        "{why}"
    );
    // copying the manifests first, as the original did, is fine
    let first = src.replace(
        "COPY . .\nRUN npm ci\n",
        "COPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\n",
    );
    assert!(split_mem(&first, &files).is_ok());
}

#[test]
fn images_that_are_no_app_or_not_linux_are_refused() {
    let none = "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n";
    let why = split_mem(none, &[("go.mod", "module a\n")])
        .unwrap_err()
        .reason;
    assert!(why.contains("no CMD or ENTRYPOINT"), "{why}");
    let windows = "FROM mcr.microsoft.com/dotnet/sdk:8.0-nanoserver-ltsc2022\nWORKDIR /src\nCOPY . .\nRUN dotnet publish -o /app\nENTRYPOINT [\"dotnet\", \"/app/a.dll\"]\n";
    let why = split_mem(windows, &[]).unwrap_err().reason;
    assert!(why.contains("a Windows image"), "{why}");
    let prefix = "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --prefix=/install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
    let why = split_mem(prefix, &[("requirements.txt", "flask\n")])
        .unwrap_err()
        .reason;
    assert!(why.contains("a folder of its own"), "{why}");
}

#[test]
fn a_go_binary_named_after_its_package_ships() {
    let src = "FROM golang:1.23\nWORKDIR /go/src/app\nCOPY . .\nRUN go build ./cmd/backend\nCMD [\"./backend\"]\n";
    let out = split_mem(src, &[("go.mod", "module example.com/x\n\ngo 1.23\n")])
        .unwrap()
        .text;
    assert!(
        stage(&out, "runner")
            .contains("COPY --from=build /go/src/app/backend /go/src/app/backend\n"),
        "{out}"
    );
    // `go build` of the module: the module's last element (no /vN)
    let module = src
        .replace("go build ./cmd/backend", "go build")
        .replace("./backend", "./x");
    let out = split_mem(&module, &[("go.mod", "module example.com/x/v2\n")])
        .unwrap()
        .text;
    assert!(
        out.contains("COPY --from=build /go/src/app/x /go/src/app/x\n"),
        "{out}"
    );
}

#[test]
fn runtime_packages_installed_after_the_build_stay_in_the_runner() {
    let src = "FROM golang:1.23-bookworm\nWORKDIR /src\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\nRUN go build -o /usr/local/bin/shot .\nRUN apt-get update && apt-get install -y --no-install-recommends chromium && rm -rf /var/lib/apt/lists/*\nENV CHROME_BIN=/usr/bin/chromium\nEXPOSE 80\nENTRYPOINT [\"/usr/local/bin/shot\"]\n";
    let out = split_mem(src, &[("go.mod", "module shot\n")]).unwrap().text;
    let runner = stage(&out, "runner");
    // on the original base (the packages need it), with the install
    assert!(
        runner.starts_with("FROM golang:1.23-bookworm AS runner\n"),
        "{out}"
    );
    assert!(
        runner.contains("apt-get install -y --no-install-recommends chromium"),
        "{out}"
    );
    // port 80: root, as the original, with the reason
    assert!(
        runner.contains("# runs as root, as the original did: it listens on port 80"),
        "{out}"
    );
    assert!(!runner.contains("USER "), "{out}");
}

#[test]
fn a_generic_runner_keeps_its_runtime_packages_and_launcher_folder() {
    let src = "FROM mcr.microsoft.com/dotnet/sdk:8.0-alpine\nWORKDIR /src\nCOPY . .\nRUN dotnet publish -c Release -o /app\nRUN apk add --no-cache icu-libs\nENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=false\nWORKDIR /app\nENTRYPOINT [\"dotnet\", \"a.dll\"]\n";
    let out = split_mem(src, &[("a.csproj", "<Project/>")]).unwrap().text;
    let runner = stage(&out, "runner");
    assert!(
        runner.starts_with("FROM mcr.microsoft.com/dotnet/aspnet:8.0-alpine AS runner\n"),
        "{out}"
    );
    assert!(
        runner.contains("RUN apk add --no-cache icu-libs\n"),
        "{out}"
    );
    // an SDK version tag has no runtime twin: the same image
    let pinned = src.replace("sdk:8.0-alpine", "sdk:8.0.404-alpine");
    let out = split_mem(&pinned, &[("a.csproj", "<Project/>")])
        .unwrap()
        .text;
    assert!(
        stage(&out, "runner")
            .starts_with("FROM mcr.microsoft.com/dotnet/sdk:8.0.404-alpine AS runner\n"),
        "{out}"
    );
    // Gradle's installDist: the launcher's folder, lib/ with it
    let gradle = "FROM gradle:8.10-jdk21\nWORKDIR /app\nCOPY . .\nRUN gradle installDist\nENTRYPOINT [\"/app/build/install/svc/bin/svc\"]\n";
    let out = split_mem(gradle, &[("build.gradle", "")]).unwrap().text;
    assert!(
        out.contains("COPY --from=build /app/build/install/svc /app/build/install/svc\n"),
        "{out}"
    );
}

#[test]
fn an_install_before_the_first_workdir_keeps_its_folder() {
    let src = "FROM python:3.12-alpine\nCOPY requirements.txt requirements.txt\nRUN python -m venv venv && venv/bin/pip install -r requirements.txt\nRUN venv/bin/python -c 'print(1)'\nWORKDIR /app\nCOPY app.py .\nENTRYPOINT [\"/venv/bin/python\", \"app.py\"]\n";
    let out = split_mem(src, &[("requirements.txt", "flask\n"), ("app.py", "")])
        .unwrap()
        .text;
    // deps installs in /, as the original did
    assert!(!stage(&out, "deps").contains("WORKDIR"), "{out}");
    let runner = stage(&out, "runner");
    assert!(runner.contains("COPY --from=deps /venv /venv\n"), "{out}");
    // the later step runs in / too: the WORKDIR stays after it
    let step = runner.find("RUN venv/bin/python -c").expect(&out);
    let workdir = runner.find("WORKDIR /app").expect(&out);
    assert!(step < workdir, "{out}");
    // no warning the original does not have (its relative COPY before any
    // WORKDIR is DL3045 in both)
    let code = |w: &String| w.split(':').next().unwrap_or_default().to_string();
    let before: Vec<String> = warnings_of(src).iter().map(code).collect();
    let added: Vec<String> = warnings_of(&out)
        .into_iter()
        .filter(|w| !before.contains(&code(w)))
        .collect();
    assert!(added.is_empty(), "{added:?}\n{out}");
}

#[test]
fn a_go_server_reading_files_from_disk_gets_them_beside_its_binary() {
    let src = "FROM golang:1.23\nWORKDIR /src\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\nRUN go build -o bin/backend ./cmd/backend\nCMD [\"./bin/backend\"]\n";
    let files = [
        ("go.mod", "module x\n"),
        ("cmd/backend/main.go", "package main"),
        ("static/index.html", "<p>hi</p>"),
    ];
    let out = split_mem(src, &files).unwrap().text;
    let runner = stage(&out, "runner");
    assert!(
        runner.contains("COPY --from=build /src/bin/backend /src/bin/backend\nCOPY --from=build /src/static /src/static\n"),
        "{out}"
    );
    assert!(!runner.contains("/src/cmd"), "{out}");
}

#[test]
fn a_standalone_next_server_with_a_preload_ships_both() {
    let files = [
        (
            "package.json",
            r#"{ "scripts": { "build": "next build" }, "dependencies": { "next": "14.2.15" } }"#,
        ),
        ("package-lock.json", "{}"),
        (
            "next.config.js",
            "module.exports = { output: 'standalone' };\n",
        ),
        ("Instrumentation.js", "require('x')"),
    ];
    let src = "FROM node:20-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD [\"node\", \"--require=./Instrumentation.js\", \"server.js\"]\n";
    let out = split_mem(src, &files).unwrap().text;
    let runner = stage(&out, "runner");
    for line in [
        "COPY --from=build --chown=node:node /app/.next/standalone ./\n",
        "COPY --from=build /app/Instrumentation.js ./Instrumentation.js\n",
        "CMD [\"node\", \"--require=./Instrumentation.js\", \"server.js\"]",
    ] {
        assert!(runner.contains(line), "{line}\n{out}");
    }
}

/// The Alpine ASP.NET image has no ICU: an app that turns invariant mode
/// off keeps its SDK image as the runner unless it installs ICU itself
/// (globalapp's Dockerfile.alpine, joined).
#[test]
fn an_alpine_dotnet_app_that_needs_icu_keeps_an_image_with_icu() {
    let dockerfile = "FROM mcr.microsoft.com/dotnet/sdk:10.0-alpine\nWORKDIR /source\nCOPY globalapp/*.csproj .\nRUN dotnet restore\nCOPY globalapp/. .\nRUN dotnet publish --no-restore -o /app\nENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=false\nWORKDIR /app\nENTRYPOINT [\"./globalapp\"]\n";
    let files = [
        (
            "globalapp/globalapp.csproj",
            "<Project Sdk=\"Microsoft.NET.Sdk\"></Project>",
        ),
        ("globalapp/Program.cs", ""),
    ];
    let out = split_mem(dockerfile, &files).expect("offered").text;
    let runner = stage(&out, "runner");
    assert!(
        runner.starts_with("FROM mcr.microsoft.com/dotnet/sdk:10.0-alpine AS runner"),
        "{out}"
    );
    // with ICU installed in the file, the ASP.NET runtime image is fine
    let with_icu = dockerfile.replace("ENV DOTNET", "RUN apk add --no-cache icu-libs\nENV DOTNET");
    let out = split_mem(&with_icu, &files).expect("offered").text;
    assert!(
        stage(&out, "runner")
            .starts_with("FROM mcr.microsoft.com/dotnet/aspnet:10.0-alpine AS runner"),
        "{out}"
    );
}
