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
        text.contains("- Used by: **build** copies from it; **runner** copies from it"),
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
        text.contains("- Used by: **runner** copies from it"),
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
        text.starts_with("**build** — builds the application (`go build`)"),
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
    assert!(text.contains("- Used by: stage 1 copies from it"), "{text}");
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
