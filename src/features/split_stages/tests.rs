use super::*;
use crate::analysis::Analysis;
use crate::diagnostics::{diagnose, Context, Severity};

fn split_text(src: &str) -> Option<String> {
    split(&syntax::parse(src), &src, None).ok().map(|s| s.text)
}

/// The rewrite parses clean and our rules give it no warning.
fn assert_clean(out: &str) -> Analysis {
    let tree = syntax::parse(out);
    assert!(!tree.root_node().has_error(), "{out}");
    let analysis = Analysis::build(&tree, out);
    let warnings: Vec<_> = diagnose(&tree, &out, &analysis, &Context::default())
        .into_iter()
        .filter(|d| d.severity <= Severity::Warning)
        .collect();
    assert!(warnings.is_empty(), "{warnings:?}\n{out}");
    analysis
}

/// The write-up's single-stage TypeScript image.
const TYPESCRIPT: &str = "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm install\n# the sources\nCOPY . .\nRUN npm run build\nENV PORT=3000\nEXPOSE 3000\nCMD [\"node\", \"dist/index.js\"]\n";

#[test]
fn splits_the_typescript_example() {
    let out = split_text(TYPESCRIPT).unwrap();
    let analysis = assert_clean(&out);
    let names: Vec<_> = analysis
        .stages
        .stages
        .iter()
        .map(|s| s.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["deps", "build", "runner"]);
    assert!(analysis
        .stages
        .refs
        .iter()
        .all(|r| r.target.is_some() || r.kind == crate::analysis::stages::RefKind::FromBase));
    for kept in [
        "# the sources",
        "ENV PORT=3000",
        "EXPOSE 3000",
        "CMD [\"node\", \"dist/index.js\"]",
        "npm run build",
        "RUN npm install",
    ] {
        assert!(out.contains(kept), "{kept} lost:\n{out}");
    }
    assert!(out.contains("USER node\nCMD"), "{out}");
    assert!(out.contains("COPY --from=build /app/dist ./dist"), "{out}");
    assert!(
        out.contains("COPY package*.json ./\nRUN npm ci --omit=dev"),
        "{out}"
    );
    // not offered twice
    assert!(split_text(&out).is_none());
}

/// A small deterministic generator of single-stage Node Dockerfiles.
fn generated(seed: u64) -> String {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n
    };
    const BASES: &[&str] = &[
        "node:20",
        "node:22-alpine",
        "--platform=$BUILDPLATFORM node:20",
        "registry.example.com/node:18",
    ];
    const INSTALLS: &[&str] = &[
        "RUN npm install",
        "RUN npm ci",
        "RUN yarn install --frozen-lockfile",
        "RUN pnpm install",
        "RUN npm install \\\n    && npm ls",
    ];
    const BUILDS: &[&str] = &[
        "RUN npm run build",
        "RUN yarn build",
        "RUN pnpm build",
        "RUN npx tsc && npm run build",
    ];
    let stack = next(6);
    let (go, python, rust, other) = (stack == 0, stack == 1, stack == 2, stack == 5);
    const GO_BUILDS: &[&str] = &[
        "RUN go build -o /bin/app .",
        "RUN CGO_ENABLED=0 go build -trimpath -o /usr/local/bin/app ./cmd/app",
        "RUN --mount=type=cache,target=/root/.cache/go-build \\\n    go build -o /bin/app .",
    ];
    const OTHERS: &[&str] = &[
        "# a comment",
        "ENV PORT=3000",
        "ARG VERSION=1",
        "LABEL org.opencontainers.image.title=app",
        "EXPOSE 3000",
        "COPY . .",
        "COPY src ./src",
        "RUN echo hi",
        "RUN apt-get update && \\\n    echo done",
        "RUN apt-get update && apt-get install -y --no-install-recommends make \\\n    && rm -rf /var/lib/apt/lists/*",
        "WORKDIR /srv/app",
        "HEALTHCHECK CMD curl -f http://localhost:3000/ || exit 1",
        "VOLUME /data",
        "STOPSIGNAL SIGTERM",
        "SHELL [\"/bin/sh\", \"-c\"]",
        "# another\n# comment block",
        "USER node",
    ];
    let mut lines = Vec::new();
    if next(3) == 0 {
        lines.push("# syntax=docker/dockerfile:1".to_string());
        lines.push("ARG NODE=20".to_string());
    }
    if go {
        lines.push(format!("FROM golang:1.{}", 20 + next(4)));
    } else if python {
        lines.push(format!("FROM python:3.{}-slim", 10 + next(4)));
    } else if rust {
        lines.push(format!("FROM rust:1.{}", 80 + next(4)));
    } else if other {
        lines.push(["FROM maven:3.9-eclipse-temurin-21", "FROM gcc:14"][next(2)].into());
    } else {
        lines.push(format!("FROM {}", BASES[next(BASES.len())]));
    }
    if next(2) == 0 {
        lines.push("WORKDIR /app".into());
    }
    for _ in 0..next(3) {
        lines.push(OTHERS[next(OTHERS.len())].into());
    }
    if go {
        if next(2) == 0 {
            lines.push("COPY go.mod go.sum ./".into());
            lines.push("RUN go mod download".into());
        }
    } else if rust {
        if next(2) == 0 {
            lines.push("COPY Cargo.toml Cargo.lock ./".into());
        }
    } else if other {
        lines.push("COPY . .".into());
    } else if python {
        if next(2) == 0 {
            lines.push("COPY requirements.txt .".into());
        }
        lines.push(
            ["RUN pip install -r requirements.txt", "RUN pip install --no-cache-dir -r requirements.txt && \\\n    python -m compileall ."][next(2)].into(),
        );
    } else {
        if next(2) == 0 {
            lines.push("COPY package.json package-lock.json ./".into());
        }
        lines.push(INSTALLS[next(INSTALLS.len())].into());
    }
    for _ in 0..next(4) {
        lines.push(OTHERS[next(OTHERS.len())].into());
    }
    if go {
        lines.push(GO_BUILDS[next(GO_BUILDS.len())].into());
    } else if python {
        lines.push("RUN python manage.py collectstatic --noinput".into());
    } else if rust {
        lines.push("RUN cargo build --release --locked".into());
    } else if other {
        lines.push(["RUN mvn -B package", "RUN make -j4 \\\n    && make test"][next(2)].into());
    } else {
        lines.push(BUILDS[next(BUILDS.len())].into());
    }
    for _ in 0..next(5) {
        lines.push(OTHERS[next(OTHERS.len())].into());
    }
    if rust {
        lines.push("CMD [\"./target/release/app\"]".into());
    } else if other {
        lines.push(
            [
                "CMD [\"java\", \"-jar\", \"target/app.jar\"]",
                "ENTRYPOINT [\"./bin/server\"]",
            ][next(2)]
            .into(),
        );
    } else if next(2) == 0 {
        lines.push("CMD [\"node\", \"dist/index.js\"]".into());
    } else {
        lines.push("ENTRYPOINT [\"node\"]\nCMD [\"build/server.js\"]".into());
    }
    lines.join("\n") + "\n"
}

/// The action never loses an instruction or a comment and never makes
/// an unparseable file, on 2,000 generated single-stage files.
#[test]
fn never_loses_anything_and_always_parses() {
    for seed in 0..2000 {
        let src = generated(seed);
        let tree = syntax::parse(&src);
        assert!(
            !tree.root_node().has_error(),
            "generator made a bad file:\n{src}"
        );
        let out = split_text(&src).unwrap_or_else(|| panic!("not offered on:\n{src}"));
        let new_tree = syntax::parse(&out);
        assert!(
            !new_tree.root_node().has_error(),
            "unparseable:\n{src}\n--->\n{out}"
        );
        for node in syntax::lines(&tree) {
            let original = &src[node.byte_range()];
            let kept = out.contains(original)
                || out.contains(&format!(
                    "# done in the deps stage: {}",
                    original.replace('\n', "\n# ")
                ));
            assert!(kept, "lost {original:?}:\n{src}\n--->\n{out}");
        }
        assert!(split_text(&out).is_none(), "offered twice:\n{out}");
    }
}

#[test]
#[ignore = "prints a sample: cargo test --lib split_sample -- --ignored --nocapture"]
fn split_sample() {
    let src = generated(11);
    println!("{src}\n--->\n{}", split_text(&src).unwrap());
}

#[test]
fn splits_a_go_service() {
    let src = "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /bin/server ./cmd/server\nEXPOSE 8080\nENTRYPOINT [\"/bin/server\"]\n";
    let out = split_text(src).unwrap();
    for line in [
        "FROM golang:1.23 AS deps\nWORKDIR /src\nCOPY go.mod go.sum ./\n",
        "FROM deps AS build\n",
        "FROM gcr.io/distroless/base-debian12:nonroot AS runner\nWORKDIR /src\nCOPY --from=build /bin/server /bin/server\nEXPOSE 8080\nENTRYPOINT [\"/bin/server\"]\n",
    ] {
        assert!(out.contains(line), "{line}\n--->\n{out}");
    }
    assert_clean(&out);
    assert!(split_text(&out).is_none());
    // no -o: where the binary goes is unknown, so no split
    assert!(split_text("FROM golang:1.23\nCOPY . .\nRUN go build ./...\n").is_none());
}

#[test]
fn splits_a_python_app() {
    let src = "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nEXPOSE 8000\nCMD [\"gunicorn\", \"app:app\"]\n";
    let split = split(&syntax::parse(src), &src, None).unwrap();
    assert_eq!(split.title, DEPS_TITLE);
    let out = split.text;
    for line in [
        "FROM python:3.12-slim AS deps\nWORKDIR /app\nRUN python -m venv --without-pip /opt/venv\n",
        "FROM python:3.12-slim AS runner\nWORKDIR /app\nENV PATH=\"/opt/venv/bin:$PATH\"\nCOPY --from=deps /opt/venv /opt/venv\n",
        "COPY . .\nEXPOSE 8000\nUSER 65532\nCMD",
    ] {
        assert!(out.contains(line), "{line}\n--->\n{out}");
    }
    assert_clean(&out);
    assert!(split_text(&out).is_none());
}

#[test]
fn splits_a_rust_service() {
    let src = "FROM rust:1.82\nWORKDIR /usr/src/app\nCOPY . .\nRUN cargo build --release --locked\nEXPOSE 8080\nCMD [\"./target/release/server\"]\n";
    let out = split_text(src).unwrap();
    for line in [
        "FROM rust:1.82 AS deps\nWORKDIR /usr/src/app\nCOPY Cargo.toml Cargo.lock ./\n",
        "FROM deps AS build\n",
        "FROM debian:12-slim AS runner\nWORKDIR /usr/src/app\nCOPY --from=build /usr/src/app/target/release/server /usr/src/app/target/release/server\n",
        "USER 65532\nCMD [\"./target/release/server\"]",
    ] {
        assert!(out.contains(line), "{line}\n--->\n{out}");
    }
    assert_clean(&out);
    assert!(split_text(&out).is_none());
    // no binary named by the CMD: not offered
    assert!(split_text("FROM rust:1.82\nCOPY . .\nRUN cargo build --release\n").is_none());
}

/// The write-up's Next.js app.
const NEXT_APP: &str = "FROM node:18-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nEXPOSE 3000\nCMD [\"npm\", \"start\"]\n";

fn next_project(config: Option<&str>) -> BuildContext {
    BuildContext {
        uses_next: true,
        has_public_dir: true,
        next_config: config.map(|c| ("next.config.js".to_string(), c.to_string())),
        ..Default::default()
    }
}

/// The rewrite of `src` in `build`, checked clean with the config as
/// the action leaves it.
fn split_next(src: &str, build: &BuildContext) -> Split {
    let split = split(&syntax::parse(src), &src, Some(build)).unwrap();
    let mut after = build.clone();
    if let Some(change) = &split.config {
        let mut text = match (&build.next_config, change.create) {
            (Some((_, text)), false) => text.clone(),
            _ => String::new(),
        };
        text.insert_str(change.offset, &change.insert);
        after.next_config = Some((change.file.clone(), text));
    }
    let tree = syntax::parse(&split.text);
    assert!(!tree.root_node().has_error(), "{}", split.text);
    let analysis = Analysis::build(&tree, split.text.as_str());
    let context = Context {
        build_context: Some(after),
        ..Context::default()
    };
    let warnings: Vec<_> = diagnose(&tree, &split.text.as_str(), &analysis, &context)
        .into_iter()
        .filter(|d| d.severity <= Severity::Warning && d.code != "NoDockerignore")
        .collect();
    assert!(warnings.is_empty(), "{warnings:?}\n{}", split.text);
    split
}

#[test]
fn ships_a_next_js_app_standalone_and_sets_its_config() {
    let build = next_project(Some("module.exports = {\n  reactStrictMode: true,\n};\n"));
    let split = split_next(NEXT_APP, &build);
    let out = &split.text;
    for line in [
        "FROM node:18-alpine AS runner\nWORKDIR /app\nENV NODE_ENV=production\nCOPY --from=build /app/public ./public\n",
        "COPY --from=build --chown=node:node /app/.next/standalone ./\nCOPY --from=build --chown=node:node /app/.next/static ./.next/static\n",
        "EXPOSE 3000\nUSER node\n# the standalone server replaces `next start`: CMD [\"npm\", \"start\"]\nCMD [\"node\", \"server.js\"]\n",
    ] {
        assert!(out.contains(line), "{line}\n--->\n{out}");
    }
    // standalone output carries its own modules: no install in the runner
    let runner = &out[out.find("AS runner").unwrap()..];
    assert!(!runner.contains("npm ci"), "{out}");
    assert_eq!(
        split.config,
        Some(ConfigChange {
            file: "next.config.js".into(),
            create: false,
            offset: "module.exports = {".len(),
            insert: "\n  output: \"standalone\",".into(),
        })
    );
    assert!(split_text(out).is_none());

    // already standalone: nothing to change; no config: one is created
    let set = next_project(Some("module.exports = { output: 'standalone' }"));
    assert_eq!(split_next(NEXT_APP, &set).config, None);
    let created = split_next(NEXT_APP, &next_project(None)).config.unwrap();
    assert!(
        created.create && created.file == "next.config.mjs",
        "{created:?}"
    );
}

#[test]
fn ships_all_of_next_when_standalone_cannot_be_set() {
    // a config we cannot edit: the reason is written in the runner
    let build = next_project(Some("module.exports = (phase) => ({})\n"));
    let split = split_next(NEXT_APP, &build);
    assert_eq!(split.config, None);
    for line in [
        "# All of .next ships: next.config.js cannot be given output: \"standalone\" automatically: it exports a function",
        "COPY --from=build /app/.next ./.next\n",
        "COPY package.json package-lock.json ./\nRUN npm ci --omit=dev && npm cache clean --force\n",
        "USER node\nCMD [\"npm\", \"start\"]\n",
    ] {
        assert!(split.text.contains(line), "{line}\n--->\n{}", split.text);
    }
    // a custom server is kept as it is
    let custom = NEXT_APP.replace("[\"npm\", \"start\"]", "[\"node\", \"server.mjs\"]");
    let split = split_next(&custom, &next_project(None));
    assert!(
        split.text.contains("the CMD does not run `next start`"),
        "{}",
        split.text
    );
    assert!(split.text.contains("CMD [\"node\", \"server.mjs\"]"));
    // an unsaved file: Next.js is seen in the build command, no config to edit
    let unsaved = NEXT_APP.replace("npm run build", "npx next build");
    let out = split_text(&unsaved).unwrap();
    assert!(out.contains("not in a project folder"), "{out}");
    assert!(
        out.contains("COPY --from=build /app/.next ./.next"),
        "{out}"
    );
}

#[test]
fn an_editor_that_cannot_create_files_gets_the_whole_next_dir() {
    let split = split_with(
        &syntax::parse(NEXT_APP),
        &NEXT_APP,
        Some(&next_project(None)),
        false,
    )
    .unwrap();
    assert_eq!(split.config, None);
    assert!(
        split
            .text
            .contains("# All of .next ships: the editor cannot create next.config.mjs"),
        "{}",
        split.text
    );
    // editing an existing config needs no new file
    let existing = next_project(Some("module.exports = {}\n"));
    let split = split_with(&syntax::parse(NEXT_APP), &NEXT_APP, Some(&existing), false).unwrap();
    assert!(split.config.is_some_and(|c| !c.create));
}

#[test]
fn recognises_next_start_commands() {
    for yes in [
        "CMD [\"npm\", \"start\"]",
        "CMD npm run start",
        "CMD [\"yarn\", \"start\"]",
        "cmd next start -p 3000",
        "CMD [\"npx\", \"next\", \"start\"]",
    ] {
        assert!(starts_next(yes), "{yes}");
    }
    for no in [
        "CMD [\"node\", \"server.js\"]",
        "CMD npm run dev",
        "CMD [\"npm\"",
    ] {
        assert!(!starts_next(no), "{no}");
    }
}

/// What the install needs (build args, registry settings, a compiler
/// for native modules) is in every stage that installs.
#[test]
fn the_install_keeps_what_it_needed() {
    let src = "FROM node:20-alpine\nARG REGISTRY=https://registry.npmjs.org/\nENV NPM_CONFIG_REGISTRY=$REGISTRY\n# native modules\nRUN apk add --no-cache python3 make g++\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nARG MODE=production\nRUN npm run build\nCMD [\"node\", \"dist/index.js\"]\n";
    let out = split_text(src).unwrap();
    let early = "ARG REGISTRY=https://registry.npmjs.org/\nENV NPM_CONFIG_REGISTRY=$REGISTRY\n";
    let setup = "RUN apk add --no-cache python3 make g++\n";
    for line in [
        // in the original's order: the WORKDIR after the set-up
        format!("AS deps\n{early}# native modules\n{setup}WORKDIR /app\nCOPY package.json"),
        format!("AS build\n{early}{setup}WORKDIR /app\nCOPY --from=deps"),
        format!("AS runner\n{early}{setup}WORKDIR /app\nENV NODE_ENV=production\n"),
        "COPY . .\nARG MODE=production\nRUN npm run build\n".to_string(),
    ] {
        assert!(out.contains(&line), "{line}\n--->\n{out}");
    }
    assert_eq!(out.matches("# native modules").count(), 1, "{out}");
    assert_clean(&out);

    // Go: the build stage inherits ENV from deps but re-declares ARGs
    let go = "FROM golang:1.23\nARG GOPROXY=https://proxy.golang.org\nENV CGO_ENABLED=0\nWORKDIR /src\nCOPY . .\nRUN go build -o /bin/app .\nENTRYPOINT [\"/bin/app\"]\n";
    let out = split_text(go).unwrap();
    for line in [
        "AS deps\nARG GOPROXY=https://proxy.golang.org\nENV CGO_ENABLED=0\nWORKDIR /src\nCOPY go.mod",
        "FROM deps AS build\nARG GOPROXY=https://proxy.golang.org\nCOPY . .",
    ] {
        assert!(out.contains(line), "{line}\n--->\n{out}");
    }
    assert_clean(&out);
}

fn split_generic(src: &str) -> String {
    let split = split(&syntax::parse(src), &src, None).unwrap();
    assert_eq!(split.title, GENERIC_TITLE);
    assert_clean(&split.text);
    assert!(split_text(&split.text).is_none());
    split.text
}

#[test]
fn splits_other_stacks_into_build_and_runner() {
    let maven = split_generic("FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY . .\nRUN mvn -B package -DskipTests\nEXPOSE 8080\nCMD [\"java\", \"-jar\", \"target/app.jar\"]\n");
    assert!(
        maven.contains(
            "FROM maven:3.9-eclipse-temurin-21 AS build\nWORKDIR /app\nCOPY . .\nRUN mvn"
        ),
        "{maven}"
    );
    assert!(maven.contains("FROM eclipse-temurin:21-jre AS runner\nWORKDIR /app\nCOPY --from=build /app/target/app.jar /app/target/app.jar\nEXPOSE 8080\nUSER 65532\nCMD"), "{maven}");

    let dotnet = split_generic("FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\nRUN dotnet publish -c Release -o /app\nWORKDIR /app\nENTRYPOINT [\"dotnet\", \"MyApp.dll\"]\n");
    assert!(dotnet.contains("FROM mcr.microsoft.com/dotnet/aspnet:8.0 AS runner\nWORKDIR /src\nCOPY --from=build /app /app\nWORKDIR /app\nUSER 65532\nENTRYPOINT"), "{dotnet}");

    // no well-known runtime: the same base, the runtime libraries kept
    let c = split_generic("FROM gcc:14\nRUN apt-get update && apt-get install -y --no-install-recommends libssl3=3.0.15-1~deb12u1\nWORKDIR /src\nCOPY . .\nRUN make\n# serve\nCMD [\"./server\"]\n");
    assert!(c.contains("FROM gcc:14 AS runner\nWORKDIR /src\nRUN apt-get update && apt-get install -y --no-install-recommends libssl3=3.0.15-1~deb12u1\nCOPY --from=build /src/server /src/server\nUSER 65532\n# serve\nCMD"), "{c}");

    // what ships is unknown: not offered
    assert!(split_text("FROM gcc:14\nCOPY . .\nRUN make\nCMD [\"sh\"]\n").is_none());
    assert!(split_text("FROM ubuntu:24.04\nRUN echo hi\nCMD [\"./server\"]\n").is_none());
}

#[test]
fn reads_what_commands_do_from_the_command_model() {
    // `python -m pip`, as `pip`: the requirements install
    let out = split_text("FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN python -m pip install --no-cache-dir -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n").unwrap();
    assert!(
        out.contains("python -m pip --python /opt/venv/bin/python install -r requirements.txt\n"),
        "{out}"
    );
    assert!(
        out.contains("# done in the deps stage: RUN python -m pip"),
        "{out}"
    );
    assert_clean(&out);
    // `cargo b` builds
    let out = split_text("FROM rust:1.82\nWORKDIR /app\nCOPY . .\nRUN cargo b --release\nCMD [\"./target/release/server\"]\n").unwrap();
    assert!(
        out.contains("COPY --from=build /app/target/release/server /app/target/release/server\n"),
        "{out}"
    );
    // `go build -o=/bin/app`, `go mod download` under `sudo` in the deps stage
    let out = split_text("FROM golang:1.23\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN sudo go mod download && go mod verify\nCOPY . .\nRUN go build -o=/bin/app .\nENTRYPOINT [\"/bin/app\"]\n").unwrap();
    assert!(
        out.contains("COPY --from=build /bin/app /bin/app\n"),
        "{out}"
    );
    assert!(
        out.contains("# done in the deps stage: RUN sudo go mod download"),
        "{out}"
    );
    // `go mod tidy` needs the sources: it stays in the build
    let out = split_text("FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go mod tidy\nRUN go build -o /bin/app .\nENTRYPOINT [\"/bin/app\"]\n").unwrap();
    assert!(out.contains("COPY . .\nRUN go mod tidy\n"), "{out}");
    // the JVM, .NET and native builds the model knows
    let out = split_generic("FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY . .\nRUN ./mvnw -B compile\nCMD [\"java\", \"-jar\", \"target/app.jar\"]\n");
    assert!(
        out.contains("FROM eclipse-temurin:21-jre AS runner\n"),
        "{out}"
    );
    let out = split_generic("FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\nRUN dotnet publish -c Release --output=/app\nENTRYPOINT [\"dotnet\", \"/app/MyApp.dll\"]\n");
    assert!(out.contains("COPY --from=build /app /app\n"), "{out}");
    let out = split_generic("FROM gcc:14\nWORKDIR /src\nCOPY . .\nRUN cmake -S . -B build && cmake --build build\nCMD [\"./build/server\"]\n");
    assert!(
        out.contains("COPY --from=build /src/build/server /src/build/server\n"),
        "{out}"
    );
    // a Node build tool alone is no generic build
    assert!(split_text(
        "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN tsc -p .\nCMD [\"node\", \"dist/index.js\"]\n"
    )
    .is_none());
    // a version check is not a build
    assert!(split_text("FROM gcc:14\nCOPY . .\nRUN zig version\nCMD [\"./server\"]\n").is_none());
}

#[test]
fn a_manifest_copied_from_a_subfolder_is_the_one_the_deps_stage_copies() {
    // opentelemetry-demo's src/agent: the context is the repository's
    // root, the requirements are pinned with hashes
    let src = "FROM python:3.14-slim\nWORKDIR /app\nCOPY src/agent/requirements.txt .\nRUN pip install --no-cache-dir --require-hashes -r requirements.txt\nCOPY src/agent/run.py .\nCMD [\"python\", \"run.py\"]\n";
    let out = split_text(src).unwrap();
    assert!(
        out.contains("COPY src/agent/requirements.txt .\nRUN --mount=type=cache,target=/root/.cache/pip pip --python /opt/venv/bin/python install --require-hashes -r requirements.txt\n"),
        "{out}"
    );
    assert!(
        out.contains("# done in the deps stage: COPY src/agent/requirements.txt .\n"),
        "{out}"
    );
    assert_clean(&out);
    // Node: the manifests of a subfolder
    let src = "FROM node:22\nWORKDIR /app\nCOPY web/package.json web/package-lock.json ./\nRUN npm ci\nCOPY web .\nRUN npm run build\nCMD [\"node\", \"dist/server.js\"]\n";
    let out = split_text(src).unwrap();
    assert!(
        out.contains("COPY web/package.json web/package-lock.json ./\nRUN --mount=type=cache,target=/root/.npm npm ci\n"),
        "{out}"
    );
    assert!(
        out.contains("# done in the deps stage: COPY web/package.json"),
        "{out}"
    );
    // without hashes, none are asked for
    let out = split_text("FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n").unwrap();
    assert!(
        out.contains(" pip --python /opt/venv/bin/python install -r requirements.txt\n"),
        "{out}"
    );
}

#[test]
fn maps_toolchain_images_to_runtimes() {
    for (sdk, runtime) in [
        (
            "maven:3-eclipse-temurin-17-alpine",
            "eclipse-temurin:17-jre-alpine",
        ),
        ("gradle:8.10-jdk21", "eclipse-temurin:21-jre"),
        (
            "eclipse-temurin:21-jdk-jammy",
            "eclipse-temurin:21-jre-jammy",
        ),
        (
            "mcr.microsoft.com/dotnet/sdk:9.0",
            "mcr.microsoft.com/dotnet/aspnet:9.0",
        ),
        ("maven:3-openjdk-17", "maven:3-openjdk-17"),
        ("gcc:14", "gcc:14"),
    ] {
        assert_eq!(runtime_image(sdk), runtime);
    }
}

#[test]
fn not_offered_where_it_makes_no_sense() {
    assert!(
        split_text("FROM node:20\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"index.js\"]\n").is_none()
    );
    assert!(split_text("FROM node:20 AS a\nRUN npm ci && npm run build\nFROM node:20\n").is_none());
    assert!(split_text("FROM node:20\nRUN npm ci && npm run build\nFOO\n").is_none());
}

/// Compilers and headers installed for the dependency install stay in the
/// deps stage; runtime libraries go to the runner too; a RUN that mixes
/// both is kept whole and says so.
#[test]
fn build_tooling_stays_out_of_a_python_runner() {
    let src = "FROM python:3.12-alpine\nRUN apk add --no-cache g++ linux-headers\nRUN apk add --no-cache libstdc++\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
    let out = split_text(src).unwrap();
    let (deps, runner) = out.split_once("AS runner").unwrap();
    assert!(
        deps.contains("\nRUN apk add --no-cache g++ linux-headers\n"),
        "{out}"
    );
    assert!(!runner.contains("\nRUN apk add --no-cache g++"), "{out}");
    assert!(
        runner.contains("# build tooling (g++, linux-headers), needed only where the dependencies are installed or built:"),
        "{out}"
    );
    assert!(
        runner.contains("\nRUN apk add --no-cache libstdc++\n"),
        "{out}"
    );
    assert!(out.contains("no build tooling"), "{out}");
    assert_clean(&out);

    let mixed = src.replace(
        "RUN apk add --no-cache g++ linux-headers\nRUN apk add --no-cache libstdc++\n",
        "RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev libpq5 && rm -rf /var/lib/apt/lists/*\n",
    );
    let out = split_text(&mixed).unwrap();
    let (_, runner) = out.split_once("AS runner").unwrap();
    assert!(
        runner.contains("apt-get install -y --no-install-recommends gcc libpq-dev libpq5"),
        "{out}"
    );
    assert!(
        runner.contains(
            "# kept whole: this RUN installs build tooling (gcc, libpq-dev) with runtime packages"
        ),
        "{out}"
    );
    assert!(!out.contains("no build tooling"), "{out}");

    // a later step that runs the virtualenv's programs (which may compile)
    let bootstrap = src.replace(
        "COPY . .\n",
        "RUN /opt/venv/bin/opentelemetry-bootstrap -a install\nCOPY . .\n",
    );
    let bootstrap = bootstrap
        .replace(
            "WORKDIR /app\n",
            "WORKDIR /app\nRUN python -m venv /opt/venv\n",
        )
        .replace("RUN pip install", "RUN /opt/venv/bin/pip install");
    let out = split_text(&bootstrap).unwrap();
    let (_, runner) = out.split_once("AS runner").unwrap();
    assert!(
        runner.contains("\nRUN apk add --no-cache g++ linux-headers\n"),
        "{out}"
    );
}

#[test]
fn knows_build_tooling_from_runtime_libraries() {
    for tool in [
        "g++",
        "gcc",
        "build-essential",
        "linux-headers",
        "musl-dev",
        "python3-dev",
        "libpq-dev",
        "openssl-devel",
        "make",
        "gcc-12",
        "gcc=4:12.2.0-3",
    ] {
        assert!(is_build_tooling(tool), "{tool}");
    }
    for lib in [
        "libpq5",
        "libstdc++",
        "ca-certificates",
        "tzdata",
        "curl",
        "gcc-libs",
        "libgcc",
    ] {
        assert!(!is_build_tooling(lib), "{lib}");
    }
}

/// A not-offered reason names what the file does when the split knows it.
#[test]
fn not_offered_reasons_name_the_steps_recognised() {
    let reason = |src: &str| {
        split(&syntax::parse(src), &src, None)
            .unwrap_err()
            .to_string()
    };
    let wasm = reason("FROM rust:1.80\nWORKDIR /app\nRUN cargo install wasm-pack --locked\nCOPY . .\nRUN wasm-pack build --release\nCMD [\"sh\"]\n");
    assert!(
        wasm.contains("`cargo install wasm-pack --locked`: installs a tool"),
        "{wasm}"
    );
    assert!(
        !wasm.contains("no step is one the split recognises"),
        "{wasm}"
    );
    let xk6 = reason("FROM golang:1.22\nRUN go install go.k6.io/xk6/cmd/xk6@v1.4.7\nRUN xk6 build\nENTRYPOINT [\"./k6\"]\n");
    assert!(
        xk6.contains("`go install go.k6.io/xk6/cmd/xk6@v1.4.7`: installs a tool"),
        "{xk6}"
    );
    let pip =
        reason("FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install .\nCMD [\"app\"]\n");
    assert!(
        pip.contains("`pip install .`: installs the project with its dependencies"),
        "{pip}"
    );
    // `npm clean-install` is `npm ci`: the Node path reads it
    let cypress = reason(
        "FROM node:20\nCOPY . .\nRUN npm clean-install\nENTRYPOINT [\"cypress\", \"run\"]\n",
    );
    assert!(
        cypress.starts_with("nothing is built after the Node install"),
        "{cypress}"
    );
}

/// The deps stage says where its install differs from the file's, and its
/// cache mount is the install's user's.
#[test]
fn the_deps_install_says_what_it_changed_and_caches_in_the_users_home() {
    let files = MemFiles::new([("package.json", "{}"), ("package-lock.json", "{}")]);
    let with_files = |src: &str| {
        let inputs = Inputs {
            files: Some(&files),
            ..Inputs::default()
        };
        split_in(&syntax::parse(src), &src, &inputs).unwrap().text
    };
    let plain = "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm install\nCOPY . .\nRUN npm run build\nCMD [\"node\", \"dist/index.js\"]\n";
    let out = with_files(plain);
    assert!(
        out.contains("# the locked install where the file ran `npm install`: package-lock.json is in the context")
            && out.contains("\nRUN --mount=type=cache,target=/root/.npm npm ci\n"),
        "{out}"
    );
    let ci = with_files(&plain.replace("RUN npm install", "RUN npm ci"));
    assert!(!ci.contains("the locked install where"), "{ci}");

    let user = with_files(&plain.replace("WORKDIR /app\n", "WORKDIR /home/node/app\nUSER node\n"));
    assert!(
        user.contains("RUN --mount=type=cache,target=/home/node/.npm,uid=1000,gid=1000 npm ci"),
        "{user}"
    );
    assert!(!user.contains("target=/root/"), "{user}");
    let conditional = with_files(&plain.replace(
        "RUN npm install",
        "RUN if [ -f package-lock.json ]; then npm ci; else npm install; fi",
    ));
    assert!(
        conditional.contains("# the file's install chose between `npm ci` and `npm install` by whether package-lock.json exists; it is in the context"),
        "{conditional}"
    );
    let only_manifest = MemFiles::new([("package.json", "{}")]);
    let src = plain.replace("RUN npm install", "RUN npm ci");
    let inputs = Inputs {
        files: Some(&only_manifest),
        ..Inputs::default()
    };
    let no_lock = split_in(&syntax::parse(&src), &src.as_str(), &inputs)
        .unwrap()
        .text;
    assert!(
        no_lock
            .contains("# the file runs `npm ci`, but the build context has no package-lock.json"),
        "{no_lock}"
    );
    let other = with_files(&plain.replace("WORKDIR /app\n", "WORKDIR /app\nUSER app\n"));
    assert!(!other.contains("--mount=type=cache"), "{other}");
    assert!(other.contains("\nRUN npm ci\n"), "{other}");
}

#[test]
fn the_runner_copies_each_artifact_once() {
    let text = "FROM golang AS build\nCOPY --from=x /a /a\nFROM scratch AS runner\nCOPY --from=build /bin/app /bin/app\nCOPY --from=build /src/out /src/out\nCOPY --from=build --chown=65532:65532 /src/out /src/out\nCOPY --from=build /bin/app /bin/app\nCOPY --from=build /src/out /other\nCMD [\"/bin/app\"]\n";
    let once = one_copy_each(text);
    assert_eq!(
        once,
        "FROM golang AS build\nCOPY --from=x /a /a\nFROM scratch AS runner\nCOPY --from=build /bin/app /bin/app\nCOPY --chown=65532:65532 --from=build /src/out /src/out\nCOPY --from=build /src/out /other\nCMD [\"/bin/app\"]\n"
    );
    // earlier stages are left alone
    let build = "FROM a AS build\nCOPY --from=x /a /a\nCOPY --from=x /a /a\nFROM b\nCMD [\"x\"]\n";
    assert_eq!(one_copy_each(build), build);
}

/// A binary a RUN copied to where the ENTRYPOINT runs it is shipped from
/// there, once.
#[test]
fn a_binary_copied_by_a_run_ships_once() {
    let src = "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /server .\nRUN cp -a /server /usr/local/bin/server\nENTRYPOINT [\"/usr/local/bin/server\"]\n";
    let out = split_text(src).unwrap();
    let (_, runner) = out.split_once("AS runner").unwrap();
    assert!(
        runner.contains("COPY --from=build /usr/local/bin/server /usr/local/bin/server\n"),
        "{out}"
    );
    assert!(
        !runner.contains("COPY --from=build /server /server"),
        "{out}"
    );
}

/// A build on the build machine's platform for `$TARGETARCH` ships on the
/// target's image: the runner drops `--platform=$BUILDPLATFORM`.
#[test]
fn a_cross_compiled_build_ships_on_the_target_platform() {
    let src = "FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:8.0\nARG TARGETARCH\nWORKDIR /source\nCOPY . .\nRUN dotnet publish -a $TARGETARCH -o /app\nWORKDIR /app\nENTRYPOINT [\"./app\"]\n";
    let out = split_text(src).unwrap();
    let (build, runner) = out.split_once(" AS runner").unwrap();
    assert!(
        build.contains("FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:8.0 AS build"),
        "{out}"
    );
    let runner_from = build.lines().last().unwrap_or_default();
    assert!(!runner_from.contains("--platform"), "{out}");
    assert!(runner.contains("ENTRYPOINT"), "{out}");
    // the build's ARG is not replayed in the runner, which does not read it
    assert!(!runner.contains("ARG TARGETARCH"), "{out}");
    let read = src.replace("WORKDIR /app\n", "WORKDIR /app\nENV ARCH=$TARGETARCH\n");
    let out = split_text(&read).unwrap();
    let (_, runner) = out.split_once(" AS runner").unwrap();
    assert!(runner.contains("ARG TARGETARCH"), "{out}");
    // a build for its own platform keeps it
    let native = src.replace("-a $TARGETARCH ", "");
    let out = split_text(&native).unwrap();
    let (build, _) = out.split_once(" AS runner").unwrap();
    assert!(
        build
            .lines()
            .last()
            .unwrap_or_default()
            .contains("--platform=$BUILDPLATFORM"),
        "{out}"
    );
}

#[test]
fn an_artifact_export_is_not_an_app() {
    let src = "FROM gradle:8\nWORKDIR /src\nCOPY . .\nRUN ./gradlew assembleRelease\nRUN cp app/build/outputs/apk/release/app-release.apk /app.apk\nENTRYPOINT [\"/app.apk\"]\n";
    let reason = split(&syntax::parse(src), &src, None)
        .unwrap_err()
        .to_string();
    assert!(
        reason.starts_with("the start command names a package file (`/app.apk`)"),
        "{reason}"
    );
}

/// Gradle's installDist launcher ships with its lib/ folder, wherever the
/// app lives (under /usr/src too).
#[test]
fn an_install_dist_launcher_ships_with_its_folder() {
    let src = "FROM eclipse-temurin:21-jdk\nWORKDIR /usr/src/app/\nCOPY . .\nRUN ./gradlew installDist\nENTRYPOINT [\"./build/install/ad/bin/Ad\"]\n";
    let out = split_text(src).unwrap();
    assert!(
        out.contains(
            "COPY --from=build /usr/src/app/build/install/ad /usr/src/app/build/install/ad\n"
        ),
        "{out}"
    );
}

/// Sources copied from a subfolder of the context into the WORKDIR: the
/// deps stage takes the manifests from that subfolder.
#[test]
fn manifests_come_from_the_folder_the_sources_come_from() {
    let src = "FROM rust:1.80\nWORKDIR /app/\nCOPY /src/shipping/ /app/\nRUN cargo build -r\nCMD [\"./target/release/shipping\"]\n";
    let out = split_text(src).unwrap();
    assert!(
        out.contains("COPY src/shipping/Cargo.toml src/shipping/Cargo.lock"),
        "{out}"
    );
    assert!(!out.contains("COPY Cargo.toml"), "{out}");
    // the whole context first: the root's manifests
    let root = src.replace("COPY /src/shipping/ /app/", "COPY . .");
    let out = split_text(&root).unwrap();
    assert!(out.contains("COPY Cargo.toml Cargo.lock"), "{out}");
}

/// A file that copies Next's standalone output into place and starts
/// server.js through the Node image's entrypoint ships the standalone
/// server.
#[test]
fn a_standalone_server_put_in_place_by_a_run_ships() {
    let src = "FROM node:20-slim\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nRUN cp -a /app/.next/standalone/. /app/\nCOPY utils/Instrumentation.js Instrumentation.js\nCMD [\"--require=./Instrumentation.js\", \"server.js\"]\n";
    let build = next_project(Some("module.exports = { output: 'standalone' }"));
    let out = split_next(src, &build).text;
    assert!(
        out.contains("COPY --from=build --chown=node:node /app/.next/standalone ./"),
        "{out}"
    );
    assert!(out.contains("Instrumentation.js"), "{out}");
    // the same CMD under an ENTRYPOINT that is node itself
    let entry = src.replace("CMD [", "ENTRYPOINT [\"/usr/local/bin/node\"]\nCMD [");
    let out = split_next(&entry, &build).text;
    assert!(out.contains("/app/.next/standalone ./"), "{out}");
}

#[test]
fn a_server_base_image_without_a_command_is_named() {
    let src = "FROM nginx:1.27-alpine\nCOPY site /usr/share/nginx/html\n";
    let reason = split(&syntax::parse(src), &src, None)
        .unwrap_err()
        .to_string();
    assert!(
        reason.contains("it runs what its base image (nginx) starts"),
        "{reason}"
    );
    let tool = "FROM alpine:3.20\nRUN apk add curl\n";
    let reason = split(&syntax::parse(tool), &tool, None)
        .unwrap_err()
        .to_string();
    assert!(reason.contains("a tool or artifact image"), "{reason}");
}

/// A lenient Go download (`go.sum*`, `|| true`) stays lenient in deps.
#[test]
fn a_lenient_go_download_stays_lenient() {
    let src = "FROM golang:1.23\nWORKDIR /app\nCOPY go.mod go.sum* ./\nRUN go mod download || true\nCOPY . .\nRUN go build -o /server .\nCMD [\"/server\"]\n";
    let out = split_text(src).unwrap();
    let (deps, rest) = out.split_once("AS build").unwrap();
    assert!(
        deps.contains("COPY go.mod go.sum* ./\nRUN go mod download || true"),
        "{out}"
    );
    assert!(!rest.contains("\nRUN go mod download || true"), "{out}");
}

/// A file copied from an image after the build (a health probe) is a
/// runtime step: the runner has it.
#[test]
fn a_file_from_an_image_after_the_build_ships() {
    let src = "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\nRUN dotnet publish -o /app\nCOPY --from=ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.40 /ko-app/grpc-health-probe /bin/grpc_health_probe\nWORKDIR /app\nENTRYPOINT [\"./cart\"]\n";
    let out = split_text(src).unwrap();
    let (_, runner) = out.split_once("AS runner").unwrap();
    assert!(runner.contains("COPY --from=ghcr.io/grpc-ecosystem/grpc-health-probe:v0.4.40 /ko-app/grpc-health-probe /bin/grpc_health_probe"), "{out}");
    let go = "FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN go build -o /server .\nCOPY --from=busybox:1.36 /bin/wget /bin/wget\nCMD [\"/server\"]\n";
    let out = split_text(go).unwrap();
    let (_, runner) = out.split_once("AS runner").unwrap();
    assert!(
        runner.contains("COPY --from=busybox:1.36 /bin/wget /bin/wget"),
        "{out}"
    );
}

#[test]
fn sources_fetched_by_a_run_are_named_in_the_reason() {
    let src = "FROM golang:1.23\nWORKDIR /src\nRUN git clone --depth 1 https://example.com/app.git .\nRUN go build -o /server .\nENTRYPOINT [\"/server\"]\n";
    let reason = split(&syntax::parse(src), &src, None)
        .unwrap_err()
        .to_string();
    assert!(
        reason.starts_with("the sources come from a RUN (`git clone`), not from the build context"),
        "{reason}"
    );
}
