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

FROM $0gcr.io/distroless/static-debian12
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
        "FROM $0node:${NODE_VERSION}-alpine\n",
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

// The second review's families (A–E), each on a file of that shape.

/// The hover on the last stage's FROM line.
/// The hover of the last stage: on its name, else on its base image. A
/// base that is an earlier stage is a reference to that stage: then on
/// the blank before it (one more blank, so the cursor is on neither the
/// keyword nor the base).
fn last_stage(file: &str) -> String {
    let at = file.rfind("FROM ").expect("a FROM");
    let line = file[at..].lines().next().unwrap();
    let mut fixture = file.to_string();
    let words: Vec<&str> = line.split_whitespace().collect();
    if let Some(k) = words.iter().position(|w| w.eq_ignore_ascii_case("AS")) {
        let name_at = at + line.rfind(words[k + 1]).unwrap();
        fixture.insert_str(name_at, "$0");
    } else if file.contains(&format!(" AS {}\n", words[1])) {
        fixture.insert_str(at + "FROM ".len(), "$0 ");
    } else {
        fixture.insert_str(at + "FROM ".len(), "$0");
    }
    hover(&fixture)
}

#[test]
fn a_user_comes_from_the_base_image_when_the_file_sets_none() {
    // The chiseled ASP.NET image runs as `app`; no USER in the file.
    let text = last_stage(
        "FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build\nRUN dotnet publish -o /app\n\nFROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled\nWORKDIR /app\nCOPY --from=build /app .\nENTRYPOINT [\"./aspnetapp\"]\n",
    );
    assert!(
        text.contains("shipped: user `app` (the base image's default: not root)"),
        "{text}"
    );
    assert!(!text.contains("user `root`"), "{text}");
    // Distroless :nonroot, and Nano Server's ContainerUser.
    let text = last_stage(
        "FROM golang AS b\nRUN go build -o /x .\n\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=b /x /x\nENTRYPOINT [\"/x\"]\n",
    );
    assert!(text.contains("user `nonroot`"), "{text}");
    let text = last_stage(
        "FROM mcr.microsoft.com/dotnet/sdk:10.0-nanoserver-ltsc2022 AS b\nRUN dotnet publish -o /app\n\nFROM mcr.microsoft.com/dotnet/aspnet:10.0-nanoserver-ltsc2022\nCOPY --from=b /app .\nENTRYPOINT [\"aspnetapp\"]\n",
    );
    assert!(text.contains("user `ContainerUser`"), "{text}");
    // Through a base stage: its USER, else its image's user.
    let text =
        last_stage("FROM node:20 AS base\nUSER node\n\nFROM base\nCMD [\"node\", \"a.js\"]\n");
    assert!(text.contains("user `node` (set in **base**)"), "{text}");
    let text = last_stage(
        "FROM mcr.microsoft.com/dotnet/aspnet:10.0-windowsservercore-ltsc2022 AS final\nRUN echo\n\nFROM final\nENTRYPOINT [\"C:\\\\ServiceMonitor.exe\", \"w3svc\"]\n",
    );
    assert!(text.contains("user `ContainerAdministrator`"), "{text}");
    // `USER $APP_UID`: the value the .NET images give it.
    let text = last_stage(
        "FROM mcr.microsoft.com/dotnet/sdk:10.0 AS b\nRUN dotnet publish -o /app\n\nFROM mcr.microsoft.com/dotnet/runtime-deps:10.0\nCOPY --from=b /app .\nUSER $APP_UID\nENTRYPOINT [\"./app\"]\n",
    );
    assert!(
        text.contains("user `$APP_UID` (`1654`, from the base image's ENV)"),
        "{text}"
    );
    // An image we know nothing of: its user is not guessed.
    let text = last_stage(
        "FROM a AS b\nRUN make\n\nFROM myorg/runtime:1\nCOPY --from=b /x /x\nCMD [\"/x\"]\n",
    );
    assert!(text.contains("shipped: the base image's user"), "{text}");
    assert!(!text.contains("root"), "{text}");
    // A root default is still said, as the image's.
    let text = last_stage(
        "FROM node:20 AS b\nRUN npm ci\n\nFROM node:20-slim\nCMD [\"node\", \"a.js\"]\n",
    );
    assert!(
        text.contains("user `root` (the base image's default)"),
        "{text}"
    );
}

#[test]
fn b_a_cmd_is_the_arguments_of_the_base_images_entrypoint() {
    let text = last_stage(
        "FROM node:22 AS build-env\nCOPY . /app\nWORKDIR /app\nRUN npm ci --omit=dev\n\nFROM gcr.io/distroless/nodejs22-debian13\nCOPY --from=build-env /app /app\nWORKDIR /app\nCMD [\"hello.js\"]\n",
    );
    assert!(
        text.contains("running `/nodejs/bin/node hello.js` (the base image's entrypoint `/nodejs/bin/node` with the CMD as its arguments)"),
        "{text}"
    );
    assert!(
        text.contains("entrypoint `/nodejs/bin/node` (the base image's), command `[\"hello.js\"]`"),
        "{text}"
    );
    let text = last_stage(
        "FROM eclipse-temurin:17-jdk AS b\nRUN jar cfe main.jar x\n\nFROM gcr.io/distroless/java17-debian13\nCOPY --from=b /app /app\nCMD [\"main.jar\"]\n",
    );
    assert!(
        text.contains("running `/usr/bin/java -jar main.jar`"),
        "{text}"
    );
    // Options stay arguments of node.
    let text = last_stage(
        "FROM node AS b\nRUN npm run build\n\nFROM gcr.io/distroless/nodejs24-debian13:nonroot\nCOPY --from=b /app .\nCMD [\"--require=./Instrumentation.js\", \"server.js\"]\n",
    );
    assert!(
        text.contains("running `/nodejs/bin/node --require=./Instrumentation.js server.js`"),
        "{text}"
    );
    // A stage's own ENTRYPOINT replaces the image's; an image without one
    // runs the CMD itself.
    let text = last_stage(
        "FROM node AS b\nRUN npm ci\n\nFROM gcr.io/distroless/nodejs22-debian13\nENTRYPOINT [\"/nodejs/bin/node\", \"--enable-source-maps\"]\nCMD [\"a.js\"]\n",
    );
    assert!(!text.contains("the base image's entrypoint"), "{text}");
    let text = last_stage("FROM golang AS b\nRUN go build -o /a\n\nFROM gcr.io/distroless/static\nCOPY --from=b /a /a\nCMD [\"/a\"]\n");
    assert!(text.contains("running `[\"/a\"]`"), "{text}");
    // Inherited from a base stage.
    let text = last_stage(
        "FROM alpine AS base\nENTRYPOINT [\"tini\", \"--\"]\n\nFROM base\nCMD [\"node\", \"a.js\"]\n",
    );
    assert!(
        text.contains("running `tini -- node a.js` (**base**'s entrypoint `tini --` with the CMD as its arguments)"),
        "{text}"
    );
}

#[test]
fn c_a_heredoc_is_written_inline_not_taken_from_the_context() {
    let text = hover(
        "FROM ubuntu:24.04 AS bu$0ild\nCOPY <<EOF /etc/apt/sources.list.d/amd64.sources\nTypes: deb\nEOF\nWORKDIR /source\nCOPY --link . .\nRUN dotnet publish -o /app\n\nFROM ubuntu\nCOPY --from=build /app .\n",
    );
    assert!(!text.contains("<<EOF"), "{text}");
    assert!(
        text.contains("- From the context: `.` (all of it)"),
        "{text}"
    );
    assert!(
        text.contains("- Writes inline (heredoc): `/etc/apt/sources.list.d/amd64.sources`"),
        "{text}"
    );
}

#[test]
fn d_a_directory_copied_before_the_install_is_not_a_manifest_cache() {
    let text = hover(
        "FROM mcr.microsoft.com/dotnet/sdk:10.0 AS bui$0lder\nWORKDIR /src\nCOPY [\"/src/accounting/\", \"Accounting/\"]\nCOPY [\"/pb/demo.proto\", \"Accounting/src/protos/demo.proto\"]\nRUN dotnet restore \"./Accounting/Accounting.csproj\"\nRUN dotnet build \"./Accounting/Accounting.csproj\" -o /app/build\n\nFROM builder AS publish\nRUN dotnet publish -o /app/publish\n\nFROM mcr.microsoft.com/dotnet/aspnet:10.0\nCOPY --from=publish /app/publish .\n",
    );
    let first = text.lines().next().unwrap();
    assert_eq!(
        first,
        "**builder** — builds the application (`dotnet build`); installs dependencies (`dotnet restore`) after copying the directory `/src/accounting/` (and `/pb/demo.proto`): any change to a file in them re-runs the install"
    );
    assert!(!text.contains("stays cached"), "{text}");
    // Two directories, written `./x/`; and a bare name is a directory too.
    let text = hover(
        "FROM mcr.microsoft.com/dotnet/sdk:10.0 AS bui$0lder\nCOPY ./src/cart/ ./\nCOPY ./pb/ ./pb/\nRUN dotnet restore ./src/cart.csproj\nRUN dotnet publish ./src/cart.csproj -o /cart\n\nFROM alpine\nCOPY --from=builder /cart/ ./\n",
    );
    assert!(
        text.contains("after copying the directories `./src/cart/`, `./pb/`: any change"),
        "{text}"
    );
    // Manifest files (and an extensionless one such as Gemfile) stay cached.
    let text = hover(
        "FROM ruby:3.3 AS de$0ps\nCOPY Gemfile Gemfile.lock ./\nRUN bundle install\n\nFROM ruby:3.3\nCOPY --from=deps /usr/local/bundle /usr/local/bundle\n",
    );
    assert!(
        text.contains("from `Gemfile`, `Gemfile.lock`; the layer stays cached until they change"),
        "{text}"
    );
}

#[test]
fn e_a_test_filter_matching_nothing_only_compiles_the_tests() {
    let text = last_stage(
        "FROM golang:1.25-alpine AS base\nWORKDIR /src\n\nFROM base AS test\nCOPY . .\n# use -run=NON_EXISTING to download all the test dependencies\nRUN make install && go test -run=NON_EXISTING ./...\n",
    );
    let first = text.lines().next().unwrap();
    assert_eq!(
        first,
        "**test** — the final stage: what `docker build` ships; it builds (`make`) and compiles the tests without running any (`go test -run=NON_EXISTING`: a filter no test name matches)"
    );
    assert!(!text.contains("runs the tests"), "{text}");
    // `^$` and `-c` compile only; a filter naming a test runs it.
    let text = hover(
        "FROM golang AS t$0\nRUN go test -run '^$' ./...\n\nFROM alpine\nCOPY --from=t /x /x\n",
    );
    assert!(
        text.contains("compiles the tests without running any"),
        "{text}"
    );
    let text = hover(
        "FROM golang AS t$0\nRUN go test -c -o /t ./pkg\n\nFROM alpine\nCOPY --from=t /t /t\n",
    );
    assert!(text.contains("`go test -c`"), "{text}");
    let text =
        hover("FROM golang AS te$0st\nRUN go test -run TestParse ./...\n\nFROM alpine\nRUN true\n");
    assert!(
        text.starts_with("**test** — runs the tests (`go test`)"),
        "{text}"
    );
    let text = hover(
        "FROM golang AS te$0st\nRUN go test -run=^$ -bench=. ./...\n\nFROM alpine\nRUN true\n",
    );
    assert!(
        text.starts_with("**test** — runs the tests (`go test`)"),
        "{text}"
    );
}

#[test]
fn e_a_scratch_image_holding_a_package_runs_nothing() {
    let text = last_stage(
        "FROM reactnativecommunity/react-native-android:v21.0 AS builder\nCOPY . .\nRUN ./gradlew assembleRelease\n\nFROM scratch\nCOPY --from=builder /src/app-release.apk /reactnativeapp.apk\nENTRYPOINT [\"/reactnativeapp.apk\"]\n",
    );
    assert!(
        text.starts_with("stage 1 — the final stage: what `docker build` ships; nothing runs in it: it holds only files from **builder** (its entrypoint `/reactnativeapp.apk` is an Android package, not a program"),
        "{text}"
    );
    assert!(!text.contains("user `root`"), "{text}");
    // Files only, no program: no user either.
    let text = last_stage("FROM a AS build\nRUN make\n\nFROM scratch\nCOPY --from=build /out .\n");
    assert!(
        text.contains("- Final stage, shipped: files only (nothing runs in it)"),
        "{text}"
    );
    // A static binary on scratch does run, as uid 0.
    let text = last_stage("FROM golang AS b\nRUN go build -o /a\n\nFROM scratch\nCOPY --from=b /a /a\nENTRYPOINT [\"/a\"]\n");
    assert!(text.contains("running `[\"/a\"]`"), "{text}");
    assert!(
        text.contains("user `root` (scratch sets no user: uid 0)"),
        "{text}"
    );
}

#[test]
fn export_and_check_stages_say_what_they_are_for() {
    let file = "FROM golang AS vendored\nRUN --mount=type=bind,target=.,rw go mod tidy && mkdir /out && cp go.mod go.sum /out\n\nFROM scratch AS vendor-up$1date\nCOPY --from=vendored /out /\n\nFROM vendored AS vendor-val$2idate\nRUN --mount=type=bind,target=.,rw <<EOT\n  diff=$(git status --porcelain -- go.mod go.sum)\n  if [ -n \"$diff\" ]; then\n    exit 1\n  fi\nEOT\n\nFROM alpine\nRUN true\n";
    let text = hover(&file.replace("$1", "$0").replace("$2", ""));
    assert!(
        text.starts_with("**vendor-update** — an export stage: it holds only files from **vendored**, for `docker build --target vendor-update --output DIR` to write them out"),
        "{text}"
    );
    let text = hover(&file.replace("$2", "$0").replace("$1", ""));
    assert!(
        text.starts_with(
            "**vendor-validate** — a check on **vendored**: a RUN exits with an error (`exit` with a non-zero status)"
        ),
        "{text}"
    );
}

#[test]
fn repeated_copies_merge_destinations_resolve_and_unset_ports_are_said() {
    let text = last_stage(
        "FROM node AS fe\nRUN npm run build\n\nFROM node:20-alpine\nWORKDIR /site\nCOPY --from=fe /app/dist /site/web\nCOPY --from=fe /app/dist /site/web\nCOPY --from=fe /app/x .\nEXPOSE ${APP_PORT} 80\nCMD [\"node\", \"a.js\"]\n",
    );
    assert_eq!(text.matches("Takes `/app/dist`").count(), 1, "{text}");
    assert!(
        text.contains("into `/site/web` (twice: a second COPY repeats the first)"),
        "{text}"
    );
    assert!(
        text.contains("- Takes `/app/x` from **fe** into `.` (`/site`)"),
        "{text}"
    );
    assert!(
        text.contains("port ${APP_PORT}, 80 (unset: no ARG or ENV in the file sets `$APP_PORT`)"),
        "{text}"
    );
    // Declared (even without a default): not called unset.
    let text =
        last_stage("FROM node:20\nARG APP_PORT\nEXPOSE ${APP_PORT}\nCMD [\"node\", \"a.js\"]\n");
    assert!(!text.contains("unset"), "{text}");
}

#[test]
fn xk6_build_is_a_build() {
    let text = hover(
        "FROM golang:1.26 AS buil$0der\nRUN go install go.k6.io/xk6/cmd/xk6@v1.4.7\nCOPY ./xk6-otel ./xk6-otel\nRUN xk6 build v2.1.0 --with x=./xk6-otel --output /build/k6\n\nFROM grafana/k6:2.2.0\nCOPY --from=builder /build/k6 /usr/bin/k6\n",
    );
    assert!(
        text.starts_with("**builder** — builds the application (`xk6 build`)"),
        "{text}"
    );
}

#[test]
fn odd_stages_get_a_hover_not_a_panic() {
    for file in [
        "FROM scratch\nCOPY <<\nENTRYPOINT []\nCMD [\"\"]\nEXPOSE $ ${\nUSER $\nWORKDIR\n\nFROM scratch\n",
        "FROM gcr.io/distroless/nodejs22-debian13 AS a\nCMD []\n\nFROM a\nCMD \"x.js\"\n",
        "FROM scratch AS a\nWORKDIR ./rel\nCOPY --from=a . .\nENTRYPOINT [\".apk\"]\n\nFROM a\n",
        "FROM myimg\nUSER ${U:-}\nRUN go test -run= ./... && go test -run\n\nFROM myimg\n",
    ] {
        let text = last_stage(file);
        assert!(text.contains("Final stage, shipped"), "{text}");
        let text = hover(&file.replacen("FROM ", "FROM $0", 1));
        assert!(!text.is_empty());
    }
}

/// A stage built on one that copied the sources re-runs its install on
/// any source change, whatever it copies itself first (complexapp's
/// `test-build`, FROM a `build` that copied `libfoo/`).
#[test]
fn an_install_on_a_base_stage_that_copied_sources_is_not_cached_on_manifests() {
    let text = hover(
        "FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
COPY app/*.csproj app/
RUN dotnet restore app/app.csproj
COPY app/ app/
RUN dotnet build app

FROM build AS test-bu$0ild
COPY tests/*.csproj tests/
RUN dotnet restore tests/tests.csproj
COPY tests/ tests/
RUN dotnet build tests

FROM mcr.microsoft.com/dotnet/runtime:10.0
COPY --from=build /source/app/bin /app
CMD [\"/app/app\"]
",
    );
    let first = text.lines().next().unwrap();
    assert!(
        first.contains("on a base stage that copies `app/`")
            && first.contains("any change to a file in them re-runs the install")
            && !first.contains("stays cached"),
        "{text}"
    );
}

// Issue 19: keyword docs on the keyword, parser directives, ARG and ENV
// values resolved through chains.

/// The whole hover reply at the fixture's `$0`, with the ranges the
/// fixture marks `«...»`.
fn hover_reply(fixture: &str) -> (serde_json::Value, Vec<serde_json::Value>) {
    let (mut server, _, cursor, ranges) = open_fixture(URI, fixture);
    let reply = server.request("textDocument/hover", at(URI, &cursor));
    (reply["result"].clone(), ranges)
}

const FROM_LINE: &str = "FROM node:20 AS build\nRUN npm run build\n\nFROM nginx\nCOPY --from=build /app/dist /usr/share/nginx/html\n";

#[test]
fn the_from_keyword_has_its_docs_and_the_stage_name_the_stage() {
    let stage_first = "**build** — builds the application (`npm run build`)";
    // On the keyword: the keyword's docs, over the keyword only.
    let (result, ranges) = hover_reply(&FROM_LINE.replacen("FROM node", "«FR$0OM» node", 1));
    let text = result["contents"]["value"].as_str().unwrap();
    assert!(
        text.starts_with("**FROM** — Starts a build stage"),
        "{text}"
    );
    assert!(!text.contains("Used by"), "{text}");
    assert_eq!(result["range"], ranges[0]);
    // At its very end too.
    let (result, _) = hover_reply(&FROM_LINE.replacen("FROM node", "FROM$0 node", 1));
    assert!(
        result["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("**FROM** —"),
        "{result}"
    );
    // On the stage name, the base image and a reference: the stage.
    let (result, ranges) = hover_reply(&FROM_LINE.replacen("AS build", "AS «bu$0ild»", 1));
    let text = result["contents"]["value"].as_str().unwrap();
    assert!(text.starts_with(stage_first), "{text}");
    assert_eq!(result["range"], ranges[0]);
    let (result, _) = hover_reply(&FROM_LINE.replacen("node:20", "no$0de:20", 1));
    let text = result["contents"]["value"].as_str().unwrap();
    assert!(text.starts_with(stage_first), "{text}");
    let (result, ranges) = hover_reply(&FROM_LINE.replacen("--from=build", "--from=«bu$0ild»", 1));
    let text = result["contents"]["value"].as_str().unwrap();
    assert!(text.starts_with(stage_first), "{text}");
    assert_eq!(result["range"], ranges[0]);
    // The second FROM's keyword: docs, not the final stage.
    let (result, _) = hover_reply(&FROM_LINE.replacen("FROM nginx", "F$0ROM nginx", 1));
    let text = result["contents"]["value"].as_str().unwrap();
    assert!(text.starts_with("**FROM** —"), "{text}");
    // A stage with no name on an earlier stage: its base shows that stage,
    // so its own purpose follows the keyword's docs.
    let file = "FROM node:20 AS build\nRUN npm run build\n\nFR$0OM build\nCMD [\"node\", \"dist/index.js\"]\n";
    let text = hover_text(file).unwrap();
    assert!(
        text.starts_with("**FROM** — Starts a build stage"),
        "{text}"
    );
    assert!(
        text.contains("\n\nThis line starts stage 1 — the final stage: what `docker build` ships"),
        "{text}"
    );
    assert!(!text.contains("Used by"), "{text}");
    let text = hover_text(&file.replace("FR$0OM build", "FROM bu$0ild")).unwrap();
    assert!(text.starts_with(stage_first), "{text}");
    // `AS` is part of the stage's line: the stage, from the base on.
    let (result, _) = hover_reply(&FROM_LINE.replacen(" AS ", " A$0S ", 1));
    let text = result["contents"]["value"].as_str().unwrap();
    assert!(text.starts_with(stage_first), "{text}");
    assert_eq!(result["range"]["start"]["character"], 5, "{result}");
}

#[test]
fn every_keyword_has_its_docs_and_onbuild_its_inner_keyword() {
    let file = "ARG V=1\nFROM alpine AS base\nLABEL a=b\nMAINTAINER me\nEXPOSE 80\nENV E=1\nADD a /a\nCOPY b /b\nENTRYPOINT [\"/a\"]\nVOLUME /data\nUSER app\nWORKDIR /app\nARG W\nONBUILD RUN make\nSTOPSIGNAL SIGINT\nHEALTHCHECK NONE\nSHELL [\"/bin/sh\", \"-c\"]\nRUN true\nCMD [\"x\"]\n";
    let (mut server, _) = common::lsp::Server::initialized(&["utf-16"]);
    server.open(URI, 1, file);
    server.diagnostics(URI, 1);
    let mut seen = 0;
    for (line, text) in file.lines().enumerate() {
        let keyword = text.split_whitespace().next().unwrap();
        let reply = server.request(
            "textDocument/hover",
            serde_json::json!({ "textDocument": { "uri": URI }, "position": { "line": line, "character": 1 } }),
        );
        let value = reply["result"]["contents"]["value"]
            .as_str()
            .unwrap_or_default();
        assert!(
            value.starts_with(&format!("**{keyword}** — ")),
            "line {line} ({keyword}): {reply}"
        );
        assert!(
            value.contains(&format!("#{}", keyword.to_ascii_lowercase())),
            "{value}"
        );
        seen += 1;
    }
    assert_eq!(seen, 19);
    // The instruction an ONBUILD holds: its own docs, saying when it runs.
    let reply = server.request(
        "textDocument/hover",
        serde_json::json!({ "textDocument": { "uri": URI }, "position": { "line": 13, "character": 9 } }),
    );
    let value = reply["result"]["contents"]["value"].as_str().unwrap();
    assert!(value.starts_with("**RUN** — "), "{value}");
    assert!(value.contains("Under **ONBUILD**"), "{value}");
    assert_eq!(reply["result"]["range"]["start"]["character"], 8, "{reply}");
    assert!(value.trim_end().ends_with("#run)"), "{value}");
    // A RUN of its own says nothing of ONBUILD.
    let reply = server.request(
        "textDocument/hover",
        serde_json::json!({ "textDocument": { "uri": URI }, "position": { "line": 17, "character": 1 } }),
    );
    let value = reply["result"]["contents"]["value"].as_str().unwrap();
    assert!(!value.contains("ONBUILD"), "{value}");
}

fn hover_text(fixture: &str) -> Option<String> {
    let (result, _) = hover_reply(fixture);
    result["contents"]["value"].as_str().map(String::from)
}

#[test]
fn the_syntax_directive_names_its_frontend() {
    let (result, ranges) = hover_reply("«# syn$0tax=docker/dockerfile:1»\nFROM alpine\n");
    let text = result["contents"]["value"].as_str().unwrap();
    assert!(
        text.starts_with("**# syntax=** — parser directive."),
        "{text}"
    );
    assert!(
        text.contains("Frontend: Docker's Dockerfile frontend, the newest 1.x release"),
        "{text}"
    );
    assert_eq!(result["range"], ranges[0]);
    // The explanation comes before the reference link, which stays last.
    assert!(text.trim_end().ends_with("#syntax)"), "{text}");
    let text = hover_text("# syntax=docker/dockerfile:1.7-la$0bs\nFROM alpine\n").unwrap();
    assert!(
        text.contains("the newest 1.7.x patch release, labs channel"),
        "{text}"
    );
    let text = hover_text("# syntax=docker.io/docker/dockerfile:1.4.3@sha256:9ba7531bd80fb0a858632727cf7a112fbfd19b17e94c4e84ced81e24ef1a0dbc\n$0FROM alpine\n");
    assert!(text.is_some_and(|t| t.starts_with("**FROM**")));
    let text = hover_text("# syntax=docker.io/docker/dockerfile:1.4.3@sha256:9ba7531bd80fb0a858632727cf7a112fbfd19b17e94c4e84ced81e24ef1a0dbc$0\nFROM alpine\n").unwrap();
    assert!(
        text.contains("release 1.4.3 exactly. Pinned by digest"),
        "{text}"
    );
    let text = hover_text("# syntax=docker/dockerfile-upstream:mas$0ter\nFROM alpine\n").unwrap();
    assert!(
        text.contains(
            "development branch (for trying unreleased changes), its newest build (`master`)."
        ),
        "{text}"
    );
    let text = hover_text("# syntax = docker/docker$0file\nFROM alpine\n").unwrap();
    assert!(
        text.contains(
            "Frontend: Docker's Dockerfile frontend, the newest stable release (`latest`)."
        ),
        "{text}"
    );
    let text = hover_text("#syntax=$0example.com/my/frontend:v2\nFROM alpine\n").unwrap();
    assert!(
        text.contains(
            "Frontend: the image `example.com/my/frontend`, not Docker's Dockerfile frontend"
        ),
        "{text}"
    );
}

#[test]
fn a_directive_line_after_the_top_is_a_comment_with_no_hover() {
    for file in [
        "FROM alpine\n# syn$0tax=docker/dockerfile:1\nRUN true\n",
        "# a comment\n# syn$0tax=docker/dockerfile:1\nFROM alpine\n",
        "# escape=`\n\n# check=skip=$0all\nFROM alpine\n",
    ] {
        let (result, _) = hover_reply(file);
        assert!(result.is_null(), "{file:?}: {result}");
    }
}

#[test]
fn the_escape_directive_says_which_character() {
    let text =
        hover_text("# escape=$0`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\n").unwrap();
    assert!(
        text.starts_with("**# escape=** — parser directive."),
        "{text}"
    );
    assert!(
        text.contains("Escape character: the backtick (`` ` ``)"),
        "{text}"
    );
    let text = hover_text("# esc$0ape=\\\nFROM alpine\n").unwrap();
    assert!(
        text.contains("Escape character: `\\` (the default)"),
        "{text}"
    );
}

#[test]
fn the_check_directive_lists_what_it_skips() {
    let summary = |code: &str| dockerfile_lsp::rules::find(code).unwrap().summary;
    let text = hover_text(
        "# check=skip=StageNameCasing,DL3006,NoSuchRule,FromAsCasng;er$0ror=true\nFROM alpine\n",
    )
    .unwrap();
    assert!(
        text.starts_with("**# check=** — parser directive."),
        "{text}"
    );
    let expected = [
        format!(
            "- Skips **StageNameCasing**: {}",
            summary("StageNameCasing")
        ),
        format!(
            "- Skips **DL3006**: {} (a check of this server; BuildKit has no check of that name)",
            summary("DL3006")
        ),
        "- `NoSuchRule`: no rule of that exact name, so it skips nothing".to_string(),
        "- `FromAsCasng`: no rule of that exact name, so it skips nothing (did you mean **FromAsCasing**?)"
            .to_string(),
        "- `error=true`: a failing check fails the build".to_string(),
    ];
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(lines, expected, "{text}");
    assert!(
        text.contains("`--build-arg BUILDKIT_DOCKERFILE_CHECK=...` replaces this directive"),
        "{text}"
    );
    let text = hover_text("# check=skip=all$0\nFROM alpine\n").unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("- ")).collect();
    assert_eq!(lines, ["- Skips every check (`skip=all`)"], "{text}");
    // After a syntax directive it is still one.
    let text = hover_text(
        "# syntax=docker/dockerfile:1\n# check=error=false;experimental=all$0\nFROM alpine\n",
    )
    .unwrap();
    assert!(
        text.contains("- Turns on every experimental check (`experimental=all`)")
            && text.contains("- `error=false`: failing checks are reported as warnings"),
        "{text}"
    );
}

#[test]
fn arg_defaults_resolve_through_three_levels() {
    let file =
        "ARG LLVM=17\nARG MINOR=$LLVM.0\nARG V$1=${MINOR}.6\nFROM alpine\nARG V\nRUN echo $V$2\n";
    let at = |marker: &str| {
        hover_text(
            &file
                .replace(marker, "$0")
                .replace("$1", "")
                .replace("$2", ""),
        )
        .unwrap()
    };
    // On the definition.
    assert_eq!(
        at("$1"),
        "**$V** — global build argument, declared on line 3\n\ndefault: `${MINOR}.6` → `17.0.6`"
    );
    // On a use in the stage, through the stage's `ARG V`.
    assert_eq!(
        at("$2"),
        "**$V** — build argument of stage 0, declared on line 5\n\ndefault (the global ARG's, line 3): `${MINOR}.6` → `17.0.6`"
    );
    // The issue's own example.
    let text = hover_text("ARG LLVM=17\nARG V$0=$LLVM.0.6\nFROM alpine\n").unwrap();
    assert!(text.ends_with("default: `$LLVM.0.6` → `17.0.6`"), "{text}");
}

#[test]
fn a_global_arg_counts_in_a_stage_only_after_its_redeclaration() {
    let text = hover_text(
        "ARG ALPINE=3.19\nFROM alpine:$ALPINE\nARG ALPINE\nENV IMAGE=alpine:$ALPINE\nRUN echo $IMA$0GE\n",
    )
    .unwrap();
    assert!(
        text.ends_with("value: `alpine:$ALPINE` → `alpine:3.19`"),
        "{text}"
    );
    // Without `ARG ALPINE` in the stage the global one is not seen there.
    let text = hover_text(
        "ARG ALPINE=3.19\nFROM alpine:$ALPINE\nENV IMAGE=alpine:$ALPINE\nRUN echo $IMA$0GE\n",
    )
    .unwrap();
    assert!(
        text.contains("value: `alpine:$ALPINE` → `alpine:`")
            && text.contains("- `$ALPINE` is a global ARG (line 1), but a stage sees it only after its own `ARG ALPINE`: here it expands to nothing"),
        "{text}"
    );
    let text = hover_text("ARG ALPINE=3.19\nFROM alpine:$ALPINE\nRUN echo $ALP$0INE\n").unwrap();
    assert_eq!(
        text,
        "**$ALPINE** — not defined here: the global ARG on line 1 is seen in a stage only after `ARG ALPINE` in it"
    );
    // A stage's own ARG shadows the global one; ENV is inherited by `FROM <stage>`.
    let text = hover_text(
        "ARG V=1\nFROM alpine AS base\nARG V=2\nENV FULL=v$V\n\nFROM base\nRUN echo $FU$0LL\n",
    )
    .unwrap();
    assert!(
        text.starts_with("**$FULL** — environment variable of **base**, declared on line 4")
            && text.ends_with("value: `v$V` → `v2`"),
        "{text}"
    );
}

#[test]
fn a_loop_written_in_the_file_resolves_to_what_each_line_sees() {
    // Each expansion sees the definitions before it: B's `$A` is line 1's
    // A, whose `$B` is not defined yet.
    let text = hover_text("ARG A=x$B\nARG B$0=$A\nFROM alpine\n").unwrap();
    assert!(
        text.contains("default: `$A` → `x`")
            && text.contains("- `$B` is not defined where it is used: it expands to nothing"),
        "{text}"
    );
    // A variable that extends itself reads its earlier value.
    let text = hover_text("FROM alpine\nENV P=/a\nENV P=/b:$P\nRUN echo $P$0\n").unwrap();
    assert!(text.ends_with("value: `/b:$P` → `/b:/a`"), "{text}");
}

#[test]
fn modifiers_defaults_and_unknown_parts() {
    let file = "ARG VERSION\nARG TAG=${VERSION:-1.2}-x\nARG SUFFIX=${VERSION:+-rc}\nARG FULL=v1.2.3\nARG BARE=${FULL#v}\nARG MAJOR=${FULL%%.*}\nARG IMG=golang:${VERSION}-alpine\nFROM alpine\n";
    let at = |name: &str| {
        let marked = file.replacen(&format!("ARG {name}="), &format!("ARG {name}$0="), 1);
        hover_text(&marked).unwrap()
    };
    let tag = at("TAG");
    assert!(
        tag.contains("default: `${VERSION:-1.2}-x` → `1.2-x`")
            && tag.contains("- `$VERSION` has no default (line 1): unset unless the build passes `--build-arg VERSION=...`"),
        "{tag}"
    );
    assert!(
        at("SUFFIX").contains("default: `${VERSION:+-rc}` → empty"),
        "{}",
        at("SUFFIX")
    );
    assert!(at("BARE").contains("→ `1.2.3`"), "{}", at("BARE"));
    assert!(at("MAJOR").contains("→ `v1`"), "{}", at("MAJOR"));
    let img = at("IMG");
    assert!(
        img.contains("default: `golang:${VERSION}-alpine` → `golang:-alpine`")
            && img.contains("`$VERSION` has no default"),
        "{img}"
    );
    // Quotes: double quotes are removed, single quotes keep `$` literal;
    // a value only quoted shows as written.
    let text = hover_text("ARG A=1\nARG B$0=\"$A 2\" C='$A'\nFROM alpine\n").unwrap();
    assert!(text.ends_with("default: `\"$A 2\"` → `1 2`"), "{text}");
    let text = hover_text("ARG A=1\nARG B=\"$A 2\" C$0='$A'\nFROM alpine\n").unwrap();
    // (no `→ 1`: the quotes keep it as written)
    assert!(text.ends_with("default: `'$A'`"), "{text}");
}

#[test]
fn predefined_and_base_image_variables() {
    let text = hover_text("FROM alpine\nARG TARGETARCH\nENV ARCH$0=$TARGETARCH-musl\n").unwrap();
    assert!(
        text.contains("value: `$TARGETARCH-musl`\n\n- `$TARGETARCH` is set by BuildKit: the architecture of the platform built for"),
        "{text}"
    );
    let text = hover_text("FROM alpine\nARG TARGET$0ARCH\n").unwrap();
    assert!(
        text.ends_with("no default: BuildKit sets it, the architecture of the platform built for (`amd64`, `arm64`, ...)"),
        "{text}"
    );
    // A name the base image's ENV sets, with its value when known.
    let text = hover_text(
        "FROM mcr.microsoft.com/dotnet/aspnet:8.0\nENV OWNER$0=$APP_UID:0\nUSER $APP_UID\n",
    )
    .unwrap();
    assert!(
        text.contains("value: `$APP_UID:0` → `1654:0`")
            && text.contains("- `$APP_UID` comes from the ENV of the base image `mcr.microsoft.com/dotnet/aspnet:8.0`"),
        "{text}"
    );
    let text = hover_text("FROM mcr.microsoft.com/dotnet/aspnet:8.0\nUSER $APP_$0UID\n").unwrap();
    assert_eq!(
        text,
        "**$APP_UID** — environment variable of the base image `mcr.microsoft.com/dotnet/aspnet:8.0`\n\nvalue: `1654`"
    );
    // An image we do not know may set PATH: said, not guessed.
    let text = hover_text("FROM example.com/base\nENV PATH$0=/opt/bin:$PATH\n").unwrap();
    assert!(
        text.contains("value: `/opt/bin:$PATH`\n\n- `$PATH` comes from the base image's ENV (not known here); when the image sets none, BuildKit sets the default `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`"),
        "{text}"
    );
}

#[test]
fn each_consumer_once_however_it_uses_the_stage() {
    let text = hover(
        "FROM node:20 AS ba$0se
RUN npm ci

FROM base AS build
COPY --from=base /app/node_modules ./node_modules
RUN --mount=type=bind,from=base,source=/app/package.json,target=/p.json npm run build
COPY --from=base /app/.npmrc ./

FROM nginx
COPY --from=build /app/dist /usr/share/nginx/html
COPY --from=base /app/LICENSE /LICENSE
",
    );
    let used = text
        .lines()
        .find(|l| l.starts_with("- Used by: "))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(used.matches("**build**").count(), 1, "{used}");
    assert_eq!(used.matches("stage 2").count(), 1, "{used}");
    assert!(
        used.starts_with("- Used by: **build** builds on it and copies `/app/node_modules`, `/app/.npmrc` and mounts `/app/package.json`"),
        "{used}"
    );
}

#[test]
fn a_modifier_on_a_value_known_only_in_part_stays_as_written() {
    // BuildKit's archutil: whether the first line is empty depends on the
    // platform, so the `:+` and `:-` after it are not decided here.
    let file = "ARG BUILD_LOONG64=${TARGETPLATFORM#linux/amd64}\nARG BUILD_LOONG64=${BUILD_LOONG64:+\"unsupported\"}\nARG BUILD_LOONG64$0=${BUILD_LOONG64:-\"supported\"}\nFROM alpine\n";
    let text = hover_text(file).unwrap();
    assert_eq!(
        text,
        "**$BUILD_LOONG64** — global build argument, declared on line 3\n\ndefault: `${BUILD_LOONG64:-\"supported\"}`\n\n- `$TARGETPLATFORM` is set by BuildKit: the platform built for (`linux/amd64`, `linux/arm64`, ...)"
    );
    // `:?` on an unset name fails the build.
    let text =
        hover_text("ARG TOKEN\nARG URL$0=https://${TOKEN:?set TOKEN}@example.com\nFROM alpine\n")
            .unwrap();
    assert!(
        text.contains("- `${TOKEN:?set TOKEN}`: the build fails unless `$TOKEN` is set"),
        "{text}"
    );
}

// Review of the hovers (issue 19): each test below failed before its fix.

#[test]
fn review_an_arg_pair_sees_the_earlier_pairs_of_its_line() {
    // BuildKit expands ARG pairs one by one (buildMetaArgs globally,
    // dispatchArg in a stage).
    let text = hover_text("ARG A=1 B$0=$A\nFROM alpine\n").unwrap();
    assert!(text.contains("default: `$A` → `1`"), "{text}");
    assert!(!text.contains("not defined"), "{text}");
    let text = hover_text("FROM alpine\nARG C=1 D$0=$C\n").unwrap();
    assert!(text.contains("default: `$C` → `1`"), "{text}");
    // On the use itself.
    let text = hover_text("FROM alpine\nARG C=1 D=$$0C\n").unwrap();
    assert!(
        text.starts_with("**$C** — build argument of stage 0, declared on line 2"),
        "{text}"
    );
    // ENV expands with what was set before its line.
    let text = hover_text("FROM alpine\nENV A=1\nENV A=2 B$0=$A\n").unwrap();
    assert!(text.contains("value: `$A` → `1`"), "{text}");
}

#[test]
fn review_a_stage_keeps_the_args_of_the_stage_it_is_built_on() {
    let text =
        hover_text("FROM alpine AS base\nARG FLAGS=\"-i 2\"\nFROM base AS gen\nENV F$0=$FLAGS\n")
            .unwrap();
    assert!(text.contains("value: `$FLAGS` → `-i 2`"), "{text}");
    assert!(!text.contains("not defined"), "{text}");
    // A global redeclared in the parent.
    let text = hover_text("ARG V=3\nFROM alpine AS base\nARG V\nFROM base\nENV W$0=$V\n").unwrap();
    assert!(text.contains("value: `$V` → `3`"), "{text}");
    assert!(!text.contains("only after its own"), "{text}");
    // On the use itself.
    let text =
        hover_text("FROM alpine AS base\nARG FLAGS=x\nFROM base\nRUN echo $FL$0AGS\n").unwrap();
    assert!(
        text.starts_with("**$FLAGS** — build argument of **base**, declared on line 2 (a stage built FROM **base** keeps its build arguments)"),
        "{text}"
    );
    // The real file: shfmt's flags.
    let path = "../shared/corpus/valid/buildkit/hack_dockerfiles_shfmt.Dockerfile";
    if let Ok(file) = std::fs::read_to_string(path) {
        let at = file.find("$SHFMT_FLAGS").unwrap() + 1;
        let fixture = format!("{}$0{}", &file[..at], &file[at..]);
        let text = hover_text(&fixture).unwrap();
        assert!(text.contains("build argument of **shfmt**"), "{text}");
    }
}

#[test]
fn review_an_empty_default_is_set_to_empty() {
    let text = hover_text("ARG E$0=\nFROM alpine\n").unwrap();
    assert!(
        text.contains("default: empty (set, to the empty string)") && !text.contains("no default"),
        "{text}"
    );
    let text = hover_text("ARG E=\nFROM alpine\nARG E\nARG R$0=x${E-unset}y${E+set}\n").unwrap();
    assert!(text.contains("→ `xyset`"), "{text}");
}

#[test]
fn review_a_predefined_arg_in_a_stage_needs_its_arg() {
    let text = hover_text("FROM alpine\nENV P$0=$TARGETPLATFORM R=${HTTP_PROXY:-none}\n").unwrap();
    assert!(
        text.contains("value: `$TARGETPLATFORM` → empty")
            && text.contains("a stage sees it only after its own `ARG TARGETPLATFORM`"),
        "{text}"
    );
    let text = hover_text("FROM alpine\nENV P=$TARGETPLATFORM R$0=${HTTP_PROXY:-none}\n").unwrap();
    assert!(text.contains("→ `none`"), "{text}");
    let text = hover_text("FROM alpine\nRUN echo $TARGET$0PLATFORM\n").unwrap();
    assert!(
        text.contains("a stage sees it only after `ARG TARGETPLATFORM` in it"),
        "{text}"
    );
    // RUN commands get the proxy settings without ARG.
    let text = hover_text("FROM alpine\nRUN curl --proxy \"$HTTPS_$0PROXY\" x\n").unwrap();
    assert!(
        text.contains("RUN commands get it in their environment when the build passes `--build-arg HTTPS_PROXY=...` (no ARG needed)"),
        "{text}"
    );
    // FROM lines see them without a declaration.
    let text = hover_text("FROM --platform=$BUILD$0PLATFORM alpine\n").unwrap();
    assert!(
        text.contains("FROM lines see it without a declaration") && !text.contains("declare"),
        "{text}"
    );
}

#[test]
fn review_the_check_directive_is_read_as_buildkit_reads_it() {
    let lines = |file: &str| -> Vec<String> {
        let text = hover_text(file).unwrap();
        text.lines()
            .filter(|l| l.starts_with("- "))
            .map(String::from)
            .collect()
    };
    // Names match exactly.
    let got = lines("# check=skip=jsonargsrecommended$0\nFROM alpine\n");
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].starts_with("- `jsonargsrecommended`: no rule of that exact name, so it skips nothing (BuildKit matches rule names exactly: **JSONArgsRecommended**"),
        "{got:?}"
    );
    // `all` skips everything only as the whole list.
    let got = lines("# check=skip=JSONArgsRecommended,all$0\nFROM alpine\n");
    assert!(
        !got.iter().any(|l| l.contains("Skips every check")),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|l| l.starts_with("- `all`: among other names")),
        "{got:?}"
    );
    let got = lines("# check=skip=ALL$0\nFROM alpine\n");
    assert!(
        !got.iter().any(|l| l.contains("Skips every check")),
        "{got:?}"
    );
    // Options BuildKit fails the build on.
    for (file, said) in [
        (
            "# check=Error=true$0\nFROM alpine\n",
            "`Error` is not an option",
        ),
        (
            "# check=error=yes$0\nFROM alpine\n",
            "`error=yes` is not a boolean",
        ),
        (
            "# check=skip = FromAsCasing$0\nFROM alpine\n",
            "`skip` is no `key=value` option",
        ),
    ] {
        let got = lines(file);
        assert!(
            got.iter()
                .any(|l| l.contains(said)
                    && l.ends_with("BuildKit fails the build on this directive")),
            "{file:?}: {got:?}"
        );
        assert!(
            !got.iter().any(|l| l.contains("Changes nothing")
                || l.contains("error=") && l.contains("(the default)")),
            "{file:?}: {got:?}"
        );
    }
    // A BuildKit rule this server does not run is still skipped.
    let got = lines(
        "# check=skip=InvalidBaseImagePlatform;experimental=StageNameCasing$0\nFROM alpine\n",
    );
    assert_eq!(
        got,
        [
            "- Skips **InvalidBaseImagePlatform**: a BuildKit check this server does not run",
            "- `experimental=StageNameCasing`: **StageNameCasing** is not experimental, it runs anyway",
        ],
        "{got:?}"
    );
}

#[test]
fn review_onbuild_in_a_stage_built_on_in_this_file_runs_in_this_build() {
    let text = hover_text("FROM alpine AS base\nONBUILD R$0UN echo hi\nFROM base\n").unwrap();
    assert!(
        text.contains("it runs right after the FROM of stage 1 (built on it in this file)")
            && !text.contains("does not run in this build"),
        "{text}"
    );
    let text = hover_text("FROM alpine AS base\nONBUILD R$0UN echo hi\n").unwrap();
    assert!(
        text.contains("it runs in a build whose FROM uses this image"),
        "{text}"
    );
}

#[test]
fn review_a_base_chosen_by_build_args_is_not_shown_with_quotes() {
    let file = "ARG B=${TARGETPLATFORM#linux/amd64}\nARG B=${B:+\"unsupported\"}\nARG B=${B:-\"supported\"}\nFROM scratch AS exit-unsupported\nFROM scratch AS exit-supported\nFROM exit-${B} AS ex$0it\nFROM scratch\nCOPY --from=exit / /\n";
    let text = hover_text(file).unwrap();
    assert!(!text.contains('"'), "{text}");
    assert!(
        text.contains("- Base: `exit-${B}` (it depends on build arguments not known here)"),
        "{text}"
    );
    // Known in part.
    let text =
        hover_text("ARG D\nFROM alpine AS img-linux\nFROM img-$TARGETOS${D:+-debug} AS fin$0al\n")
            .unwrap();
    assert!(
        text.contains("- Base: `img-$TARGETOS` (`img-$TARGETOS${D:+-debug}` with its ARG defaults; the rest is known only when the build runs)"),
        "{text}"
    );
    // A quoted default names the image without its quotes.
    let text =
        hover_text("ARG V=\"8.0\"\nFROM mcr.microsoft.com/dotnet/aspnet:${V}\nUSER $APP_$0UID\n")
            .unwrap();
    assert_eq!(
        text,
        "**$APP_UID** — environment variable of the base image `mcr.microsoft.com/dotnet/aspnet:8.0`\n\nvalue: `1654`"
    );
}

#[test]
fn review_directives_are_found_where_buildkit_finds_them() {
    // `# syntax=` and `# check=` need `#` in the first column.
    assert!(
        hover_text("  # syn$0tax=docker/dockerfile:1\nFROM alpine\n")
            .is_none_or(|t| !t.contains("parser directive"))
    );
    // A first line starting `#!` is skipped.
    let text = hover_text("#!/usr/bin/env buildctl\n# syn$0tax=docker/dockerfile:1\nFROM alpine\n")
        .unwrap();
    assert!(
        text.contains("Frontend: Docker's Dockerfile frontend, the newest 1.x release"),
        "{text}"
    );
    // The reference ends at the first space.
    let text = hover_text("# syn$0tax=docker/dockerfile:1 --foo\nFROM alpine\n").unwrap();
    assert!(
        text.contains("the newest 1.x release") && !text.contains("tagged `1 --foo`"),
        "{text}"
    );
    // A second one fails the build.
    let text = hover_text("# check=skip=all\n# che$0ck=error=true\nFROM alpine\n").unwrap();
    assert!(
        text.contains(
            "A second `# check=` directive (the first is on line 1): BuildKit fails the build"
        ),
        "{text}"
    );
}

#[test]
fn review_path_falls_back_to_buildkits_default() {
    let text = hover_text("FROM example.com/base\nENV PATH$0=/opt/bin:$PATH\n").unwrap();
    assert!(
        text.contains("when the image sets none, BuildKit sets the default `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`")
            && !text.contains("expands to nothing"),
        "{text}"
    );
}

#[test]
fn review_a_shell_variable_is_the_scripts() {
    let text = hover_text("FROM alpine\nRUN nproc=\"$(nproc)\"; make -j \"$np$0roc\"\n").unwrap();
    assert_eq!(
        text,
        "**$nproc** — not an ARG or ENV: the shell expands it when the command runs (set by the script, or empty)"
    );
}
