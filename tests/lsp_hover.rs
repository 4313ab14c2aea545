//! Hover end to end: each stage's purpose and facts, keyword and flag docs.

mod common;

use common::lsp::{at, open_fixture};

const URI: &str = "file:///hover/Dockerfile";

/// The hover markdown at the fixture's `$0`.
fn hover(fixture: &str) -> String {
    let (mut server, _, cursor, _) = open_fixture(URI, fixture);
    let reply = server.request("textDocument/hover", at(URI, &cursor));
    reply["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("no hover: {reply}"))
        .to_string()
}

const NODE: &str = "FROM node:20-alpine AS de$1ps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci

FROM node:20-alpine AS build
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npm run build

FROM node:20-alpine AS run$3ner
ENV NODE_ENV=production
WORKDIR /app
COPY --from=bui$2ld /app/dist ./dist
COPY --from=deps /app/node_modules ./node_modules
USER node
EXPOSE 3000
CMD [\"node\", \"dist/index.js\"]
";

fn node_at(marker: &str) -> String {
    let fixture = NODE.replace(marker, "$0");
    hover(
        &fixture
            .replace("$1", "")
            .replace("$2", "")
            .replace("$3", ""),
    )
}

#[test]
fn deps_stage_installs_from_the_lockfile() {
    let text = node_at("$1");
    let first = text.lines().next().unwrap();
    assert_eq!(
        first,
        "**deps** — installs dependencies (`npm ci`) from `package.json`, `package-lock.json`; the layer stays cached until they change"
    );
    assert!(text.contains("- Base: `node:20-alpine`"), "{text}");
    assert!(
        text.contains("- From the context: `package.json`, `package-lock.json`"),
        "{text}"
    );
    assert!(
        text.contains(
            "- Used by: **build** copies `/app/node_modules`; **runner** copies `/app/node_modules`"
        ),
        "{text}"
    );
    assert!(
        text.contains("- Built by default: the final stage needs it"),
        "{text}"
    );
}

#[test]
fn build_stage_compiles_and_feeds_the_runner() {
    let text = node_at("$2");
    assert!(
        text.starts_with("**build** — builds the application (`npm run build`)"),
        "{text}"
    );
    assert!(
        text.contains("- Takes `/app/node_modules` from **deps** into `./node_modules`"),
        "{text}"
    );
    assert!(
        text.contains("- Used by: **runner** copies `/app/dist`"),
        "{text}"
    );
}

#[test]
fn runner_is_what_ships() {
    let text = node_at("$3");
    assert!(
        text.starts_with("**runner** — the final stage: what `docker build` ships, running `[\"node\", \"dist/index.js\"]`"),
        "{text}"
    );
    assert!(
        text.contains("- Takes `/app/dist` from **build** into `./dist`"),
        "{text}"
    );
    assert!(
        text.contains("- Final stage, shipped: user `node`, port 3000, command `[\"node\", \"dist/index.js\"]`"),
        "{text}"
    );
}

#[test]
fn go_multi_stage() {
    let fixture = "FROM golang:1.23 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app

$0FROM gcr.io/distroless/static-debian12
COPY --from=build /out/app /app
ENTRYPOINT [\"/app\"]
";
    let text = hover(fixture);
    assert!(
        text.starts_with(
            "stage 1 — the final stage: what `docker build` ships, running `[\"/app\"]`"
        ),
        "{text}"
    );
    assert!(
        text.contains("- Takes `/out/app` from **build** into `/app`"),
        "{text}"
    );
    assert!(text.contains("user `root`"), "{text}");
    let text = hover(&fixture.replace("$0", "").replace("AS build", "AS bu$0ild"));
    assert!(
        text.starts_with("**build** — builds the application (`go build`); installs dependencies (`go mod download`) from `go.mod`, `go.sum`; the layer stays cached until they change"),
        "{text}"
    );
}

#[test]
fn python_multi_stage() {
    let fixture = "FROM python:3.12-slim AS venv
RUN python -m venv /opt/venv
ENV PATH=\"/opt/venv/bin:$PATH\"
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM python:3.12-slim
COPY --from=ve$0nv /opt/venv /opt/venv
COPY src/ /app/src/
USER 10001
CMD [\"python\", \"-m\", \"src.main\"]
";
    let text = hover(fixture);
    assert!(
        text.starts_with("**venv** — installs dependencies (`pip install`) from `requirements.txt`; the layer stays cached until they change"),
        "{text}"
    );
    assert!(
        text.contains("- Used by: stage 1 copies `/opt/venv`"),
        "{text}"
    );
}

#[test]
fn test_stage_and_reachability() {
    let text = hover(
        "FROM node:20 AS build\nRUN npm run build\n\nFROM build AS te$0st\nRUN npm test\n\nFROM nginx\nCOPY --from=build /app /usr/share/nginx/html\n",
    );
    assert!(
        text.starts_with("**test** — runs the tests (`npm test`)"),
        "{text}"
    );
    assert!(text.contains("- Base: stage **build**"), "{text}");
    assert!(
        text.contains("- Not reachable from the final stage: never built by default"),
        "{text}"
    );
}

#[test]
fn keyword_and_flag_docs() {
    let text = hover("FROM a\nCO$0PY . .\n");
    assert!(
        text.starts_with("**COPY** — Copies files from the build context"),
        "{text}"
    );
    assert!(
        text.contains("https://docs.docker.com/reference/dockerfile/#copy"),
        "{text}"
    );
    let text = hover("FROM a AS b\nFROM c\nCOPY --fr$0om=b / /\n");
    assert!(
        text.starts_with("**--from** (COPY) — Copy from an earlier stage"),
        "{text}"
    );
}

// The hover failures of issue 18, each on a file of that shape.

#[test]
fn a_stage_copied_from_is_a_build_stage_whatever_its_cmd() {
    let text = hover(
        "FROM golang:1.23 AS bu$0ild
WORKDIR /src
COPY . .
RUN go build -o /out/app .
CMD [\"/out/app\"]

FROM gcr.io/distroless/static
COPY --from=build /out/app /app
ENTRYPOINT [\"/app\"]
",
    );
    assert!(
        text.starts_with("**build** — builds the application (`go build`)"),
        "{text}"
    );
    assert!(!text.contains("runtime"), "{text}");
    assert!(
        text.contains("- Used by: stage 1 copies `/out/app`"),
        "{text}"
    );
}

#[test]
fn manifests_then_install_then_sources_is_cached_on_the_manifests() {
    let text = hover(
        "FROM node:20 AS bu$0ild
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM nginx:alpine
COPY --from=build /app/dist /usr/share/nginx/html
",
    );
    assert!(!text.contains("whole build context"), "{text}");
    assert!(
        text.contains("installs dependencies (`npm ci`) from `package.json`, `package-lock.json`; the layer stays cached until they change"),
        "{text}"
    );
    assert!(
        text.contains("- From the context: `package.json`, `package-lock.json`, `.` (all of it)"),
        "{text}"
    );
    // The whole context before the install is still called out.
    let text = hover("FROM node:20 AS de$0ps\nCOPY . .\nRUN npm ci\n\nFROM node:20\nCOPY --from=deps /node_modules /n\n");
    assert!(
        text.contains("after copying the whole build context"),
        "{text}"
    );
}

#[test]
fn no_empty_build_command() {
    // A stage named like a build whose command the model does not know.
    let text = hover(
        "FROM python:3 AS bu$0ild\nCOPY . .\nRUN ./make-site.sh\n\nFROM nginx\nCOPY --from=build /site /usr/share/nginx/html\n",
    );
    assert!(!text.contains("``"), "{text}");
    assert!(
        text.starts_with("**build** — prepares files for stage 1"),
        "{text}"
    );
    let text = hover(
        "FROM python:3 AS bu$0ild\nCOPY . .\nRUN mkdocs build\n\nFROM nginx\nCOPY --from=build /app/site /usr/share/nginx/html\n",
    );
    assert!(
        text.starts_with("**build** — builds the application (`mkdocs build`)"),
        "{text}"
    );
}

#[test]
fn exec_form_run_is_read() {
    let text = hover(
        "FROM mcr.microsoft.com/dotnet/sdk:8.0 AS pub$0lish
WORKDIR /src
COPY app.csproj .
RUN [\"dotnet\", \"restore\"]
COPY . .
RUN [\"dotnet\", \"publish\", \"-c\", \"Release\", \"-o\", \"/app\"]

FROM mcr.microsoft.com/dotnet/aspnet:8.0
COPY --from=publish /app .
",
    );
    assert!(
        text.starts_with("**publish** — builds the application (`dotnet publish`); installs dependencies (`dotnet restore`) from `app.csproj`"),
        "{text}"
    );
}

#[test]
fn maven_goal_keeps_its_whole_name() {
    let text = hover(
        "FROM maven:3 AS de$0ps
COPY pom.xml .
RUN mvn -B dependency:go-offline

FROM maven:3
COPY --from=deps /root/.m2 /root/.m2
",
    );
    assert!(
        text.contains("(`mvn dependency:go-offline`) from `pom.xml`"),
        "{text}"
    );
}

#[test]
fn each_consumer_once_with_the_paths_it_takes() {
    let text = hover(
        "FROM node:20 AS bu$0ild
RUN npm run build

FROM alpine AS tools
RUN true

FROM alpine AS other
RUN true

FROM node:20-slim
COPY --from=build /app/dist ./dist
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
",
    );
    assert_eq!(text.matches("stage 3").count(), 1, "{text}");
    assert!(
        text.contains(
            "- Used by: stage 3 copies `/app/dist`, `/app/package.json`, `/app/node_modules`"
        ),
        "{text}"
    );
}

#[test]
fn variables_with_known_defaults_are_resolved() {
    let fixture = "ARG NODE_VERSION=20
ARG APP=/srv/app
FROM node:${NODE_VERSION}-alpine AS bu$1ild
ARG APP
WORKDIR $APP
COPY . .
RUN npm run build

FROM node:${NODE_VERSION}-alpine
ARG APP
COPY --from=build ${APP}/dist $APP/dist
USER node
CMD [\"node\", \"dist/index.js\"]
";
    let text = hover(&fixture.replace("$1", "$0").replace("$2", ""));
    assert!(
        text.contains(
            "- Base: `node:20-alpine` (`node:${NODE_VERSION}-alpine` with its ARG defaults)"
        ),
        "{text}"
    );
    assert!(
        text.contains("- Used by: stage 1 copies `/srv/app/dist`"),
        "{text}"
    );
    let text = hover(&fixture.replace("$1", "").replace(
        "FROM node:${NODE_VERSION}-alpine\n",
        "$0FROM node:${NODE_VERSION}-alpine\n",
    ));
    assert!(
        text.contains("- Takes `/srv/app/dist` from **build** into `/srv/app/dist`"),
        "{text}"
    );
    // A variable with no known default stays as written.
    let text = hover("ARG BASE\nFROM ${BASE} AS b$0ase\nRUN true\n\nFROM base\n");
    assert!(text.contains("- Base: `${BASE}`"), "{text}");
}

#[test]
fn an_unused_stage_with_a_cmd_is_another_target() {
    let text = hover(
        "FROM node:20 AS base\nRUN npm ci\n\nFROM base AS d$0ev\nCMD [\"npm\", \"run\", \"dev\"]\n\nFROM base AS prod\nCMD [\"node\", \"server.js\"]\n",
    );
    assert!(
        text.starts_with("**dev** — an image of its own, running `[\"npm\", \"run\", \"dev\"]`: built only with `--target dev`"),
        "{text}"
    );
    assert!(
        text.contains("- Not reachable from the final stage: never built by default"),
        "{text}"
    );
}

#[test]
fn lockfile_fetch_then_sources_is_not_a_whole_context_install() {
    let text = hover(
        "FROM node:20 AS de$0ps
WORKDIR /app
COPY pnpm-lock.yaml ./
RUN pnpm fetch
COPY . .
RUN pnpm install --offline

FROM node:20-slim
COPY --from=deps /app/node_modules ./node_modules
",
    );
    assert!(!text.contains("whole build context"), "{text}");
    assert!(
        text.starts_with("**deps** — installs dependencies (`pnpm fetch`) from `pnpm-lock.yaml`; the layer stays cached until they change; `pnpm install` runs after more files are copied"),
        "{text}"
    );
}

#[test]
fn a_copied_stage_that_tests_then_builds_is_a_build_stage() {
    let text = hover(
        "FROM golang:1.22 AS bu$0ild
COPY . .
RUN go vet ./... && go test ./...
RUN go build -o /bin/app

FROM scratch
COPY --from=build /bin/app /app
",
    );
    assert!(
        text.starts_with("**build** — builds the application (`go build`) after running the tests (`go vet`, `go test`)"),
        "{text}"
    );
}
