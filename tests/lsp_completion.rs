//! Completion end to end.

mod common;

use common::lsp::{at, open_fixture};
use serde_json::Value;

const URI: &str = "file:///completion/Dockerfile";

/// The labels offered at the fixture's `$0`.
fn labels(fixture: &str) -> Vec<String> {
    items(fixture)
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

fn items(fixture: &str) -> Vec<Value> {
    list(fixture).0
}

/// The items and `isIncomplete` of the list offered at the fixture's `$0`.
fn list(fixture: &str) -> (Vec<Value>, bool) {
    let (mut server, _, cursor, _) = open_fixture(URI, fixture);
    let reply = server.request("textDocument/completion", at(URI, &cursor));
    match &reply["result"] {
        Value::Null => (Vec::new(), false),
        Value::Array(items) => (items.clone(), false),
        list if list["items"].is_array() => (
            list["items"].as_array().unwrap().clone(),
            list["isIncomplete"].as_bool().unwrap(),
        ),
        other => panic!("unexpected completion result: {other}"),
    }
}

/// In a file of many stages, `--from=` offers the nearest 100 matching
/// what is typed, and says the list is incomplete so the editor asks again.
#[test]
fn many_stages_give_the_nearest_matching_ones_and_an_incomplete_list() {
    let mut fixture = String::new();
    for i in 0..500 {
        fixture.push_str(&format!("FROM alpine AS stage{i}\nRUN true\n"));
    }
    fixture.push_str("FROM alpine\nCOPY --from=$0\n");
    let (found, incomplete) = list(&fixture);
    assert!(incomplete);
    assert_eq!(found.len(), 100);
    assert_eq!(found[0]["label"], "stage400");
    assert_eq!(found[99]["label"], "stage499");
    // typing narrows it down, fuzzily as editors match (`stage49` also
    // matches `stage149`): 23 names, all sent
    let typed = fixture.replace("--from=$0", "--from=stage49$0");
    let (found, incomplete) = list(&typed);
    assert!(!incomplete, "{found:?}");
    let labels: Vec<&str> = found.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels.len(), 23, "{labels:?}");
    for expected in ["stage49", "stage149", "stage409", "stage499"] {
        assert!(labels.contains(&expected), "{expected} not in {labels:?}");
    }
}

#[test]
fn from_flag_in_the_third_stage_lists_exactly_the_first_two_stages() {
    let found = labels(
        "FROM golang AS build\nRUN go build\n\nFROM node AS assets\nRUN npm run build\n\nFROM alpine AS final\nCOPY --from=$0\n\nFROM scratch AS later\n",
    );
    assert_eq!(found, ["build", "assets"]);
}

#[test]
fn mount_from_lists_earlier_stages_and_unnamed_ones_by_index() {
    let found =
        labels("FROM golang\nFROM alpine AS tools\nFROM debian\nRUN --mount=type=bind,from=$0\n");
    assert_eq!(found, ["0", "tools"]);
}

#[test]
fn stage_completion_replaces_the_partial_name() {
    let found = items("FROM golang AS build\nFROM alpine\nCOPY --from=bu$0 /out /\n");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["textEdit"]["range"]["start"]["character"], 12);
    assert_eq!(found[0]["textEdit"]["newText"], "build");
}

#[test]
fn instructions_at_a_line_start_with_snippets() {
    let found = items("FROM alpine\nCO$0\n");
    let copy = found
        .iter()
        .find(|i| i["label"] == "COPY")
        .expect("COPY offered");
    assert_eq!(copy["insertTextFormat"], 2);
    assert_eq!(
        copy["textEdit"]["newText"],
        "COPY ${1:source} ${2:destination}"
    );
    assert_eq!(found.len(), 18);
    // not inside a continued RUN
    assert!(labels("FROM alpine\nRUN echo \\\n  ec$0\n").is_empty());
}

#[test]
fn flags_of_the_instruction() {
    assert_eq!(
        labels("FROM a\nRUN --$0\n"),
        ["--mount", "--network", "--security"]
    );
    let copy = labels("FROM a\nCOPY --chown=1:1 --$0\n");
    assert!(
        copy.contains(&"--from".to_string()) && copy.contains(&"--link".to_string()),
        "{copy:?}"
    );
    assert_eq!(labels("FROM --$0\n"), ["--platform"]);
}

#[test]
fn mount_types_and_options() {
    assert_eq!(
        labels("FROM a\nRUN --mount=type=$0\n"),
        ["bind", "cache", "tmpfs", "secret", "ssh"]
    );
    let options = labels("FROM a\nRUN --mount=type=secret,$0\n");
    assert_eq!(
        options,
        ["id", "target", "env", "required", "mode", "uid", "gid"]
    );
}

#[test]
fn variables_declared_before_and_predefined_args() {
    let found = labels("ARG NODE_VERSION=20\nFROM node:${$0\nENV LATER=1\n");
    assert!(found.contains(&"${NODE_VERSION}".to_string()), "{found:?}");
    assert!(
        found.contains(&"${TARGETPLATFORM}".to_string()),
        "{found:?}"
    );
    assert!(!found.contains(&"${LATER}".to_string()), "{found:?}");
}

#[test]
fn parser_directives_at_the_top() {
    assert_eq!(labels("# es$0\nFROM a\n"), ["syntax", "escape", "check"]);
    assert!(labels("FROM a\n# es$0\n").is_empty());
}

/// The text of an item's edit (a plain or an insert-replace edit).
fn new_text(item: &Value) -> &str {
    item["textEdit"]["newText"].as_str().unwrap()
}

/// The start character of an item's edit (its insert range for an
/// insert-replace edit).
fn edit_start(item: &Value) -> u64 {
    let edit = &item["textEdit"];
    let range = if edit["insert"].is_object() {
        &edit["insert"]
    } else {
        &edit["range"]
    };
    range["start"]["character"].as_u64().unwrap()
}

/// A multi-stage file; each `«N:NAME»` is a variable use, written `NAME`
/// in the file and typed up to its `$`/`${` at cursor N.
const SCOPES: &str = "ARG GO_VERSION=1.22
ARG BASE=alpine:3.20
ARG PLATFORM=$«0:GO_VERSION»
FROM golang:${«1:GO_VERSION»}-alpine AS build
ARG GO_VERSION
WORKDIR /src/$«2:GO_VERSION»
ENV CGO_ENABLED=0 GOFLAGS=-trimpath
ARG TARGETOS TARGETARCH
ENV OUT=/out/${«3:TARGETOS»}
RUN go build -o $«4:OUT» .
FROM build AS test
ENV TEST_FLAGS=-v
WORKDIR $«5:OUT»
FROM ${«6:BASE»} AS final
ARG BASE
LABEL base=$«7:BASE»
COPY --from=build $«8:PATH» /app
ENV APP=/app
RUN <<EOF
echo $«9:APP»
EOF
FROM gcr.io/distroless/static-debian12 AS runtime
COPY --from=final /app /app
ENV X=$«10:PATH»
ENV Y=1 Z=$«11:X»
USER ${«12:Z»}
FROM $«13:BASE»
WORKDIR $«14:PATH»
";

/// The scope file with the use at cursor `n` cut after its `$`/`${` and
/// the `$0` cursor there.
fn scope_fixture(n: usize) -> String {
    let mut out = String::new();
    let mut rest = SCOPES;
    while let Some(open) = rest.find('«') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('»').unwrap() + open;
        let (index, name) = rest[open + '«'.len_utf8()..close].split_once(':').unwrap();
        out.push_str(if index.parse::<usize>().unwrap() == n {
            "$0"
        } else {
            name
        });
        rest = &rest[close + '»'.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// The FROM-line predefined arguments.
const PLATFORM_ARGS: [&str; 9] = [
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "TARGETSTAGE",
];

/// For each of 15 cursors of one multi-stage file, the variables offered
/// are exactly those in scope there: the same rules as UndefinedVar and
/// UndefinedArgInFrom (global ARGs in FROM lines or after `ARG NAME`,
/// ENV through `FROM <stage>`, the base image's ENV, PATH).
#[test]
fn the_variables_offered_are_exactly_those_in_scope() {
    let golang = ["GOLANG_VERSION", "GOPATH", "GOTOOLCHAIN", "PATH"];
    let set = |names: &[&str], extra: &[&str]| {
        let mut all: Vec<String> = names.iter().chain(extra).map(|s| s.to_string()).collect();
        all.sort();
        all
    };
    let from_line = set(&["GO_VERSION", "BASE", "PLATFORM"], &PLATFORM_ARGS);
    let distroless = ["PATH", "SSL_CERT_FILE"];
    let expected = [
        set(&["GO_VERSION", "BASE"], &PLATFORM_ARGS),
        from_line.clone(),
        set(&["GO_VERSION"], &golang),
        set(
            &[
                "GO_VERSION",
                "CGO_ENABLED",
                "GOFLAGS",
                "TARGETOS",
                "TARGETARCH",
            ],
            &golang,
        ),
        set(
            &[
                "GO_VERSION",
                "CGO_ENABLED",
                "GOFLAGS",
                "TARGETOS",
                "TARGETARCH",
                "OUT",
            ],
            &golang,
        ),
        // FROM build: the parent's ENVs and ARGs (BuildKit carries both)
        set(
            &[
                "GO_VERSION",
                "CGO_ENABLED",
                "GOFLAGS",
                "TARGETOS",
                "TARGETARCH",
                "OUT",
                "TEST_FLAGS",
            ],
            &golang,
        ),
        from_line.clone(),
        set(&["BASE", "PATH"], &[]),
        set(&["BASE", "PATH"], &[]),
        set(&["BASE", "APP", "PATH"], &[]),
        set(&distroless, &[]),
        set(&["X"], &distroless),
        set(&["X", "Y", "Z"], &distroless),
        from_line,
        set(&["PATH"], &[]),
    ];
    let (mut server, _) = common::lsp::Server::initialized(&["utf-16"]);
    for (n, expected) in expected.iter().enumerate() {
        let uri = format!("file:///completion/scope{n}/Dockerfile");
        let (text, cursor) = common::lsp::cursor(&scope_fixture(n));
        server.open(&uri, 1, &text);
        let reply = server.request("textDocument/completion", at(&uri, &cursor));
        let items = reply["result"]["items"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let braced = scope_fixture(n).contains("${$0");
        let mut names: Vec<String> = Vec::new();
        for item in &items {
            let label = item["label"].as_str().unwrap();
            assert_eq!(item["kind"], 6, "{n}: a variable: {item}");
            // the edit covers the `$` / `${` and puts it back
            let dollar = cursor["character"].as_u64().unwrap() - if braced { 2 } else { 1 };
            assert_eq!(edit_start(item), dollar, "{n}: {item}");
            assert!(new_text(item).starts_with(if braced { "${" } else { "$" }));
            assert!(item["detail"].is_string(), "{n}: {item}");
            names.push(
                label
                    .trim_start_matches('$')
                    .trim_start_matches('{')
                    .trim_end_matches('}')
                    .to_string(),
            );
        }
        names.sort();
        assert_eq!(&names, expected, "cursor {n}");
    }
}

/// The item with this label at the fixture's `$0`.
fn item(fixture: &str, label: &str) -> Value {
    items(fixture)
        .into_iter()
        .find(|i| i["label"] == label)
        .unwrap_or_else(|| panic!("{label} not offered in {fixture:?}"))
}

#[test]
fn earlier_stage_names_after_from() {
    let fixture = "FROM golang AS build\nFROM node AS assets\nFROM $0\nFROM alpine AS later\n";
    assert_eq!(labels(fixture), ["build", "assets"]);
    assert_eq!(item(fixture, "assets")["detail"], "stage 1: FROM node");
    assert_eq!(
        labels("FROM golang AS build\nFROM --platform=$BUILDPLATFORM bu$0\n"),
        ["build"]
    );
}

#[test]
fn platform_values() {
    let found = labels("FROM --platform=$0 golang AS build\n");
    for expected in [
        "$BUILDPLATFORM",
        "$TARGETPLATFORM",
        "linux/amd64",
        "linux/arm64",
        "linux/arm/v7",
    ] {
        assert!(
            found.contains(&expected.to_string()),
            "{expected}: {found:?}"
        );
    }
    // typed `$BU`: replaced from the `$`
    let build = item("FROM --platform=$BU$0 golang\n", "$BUILDPLATFORM");
    assert_eq!(edit_start(&build), 16);
}

#[test]
fn network_security_and_chmod_values() {
    assert_eq!(
        labels("FROM a\nRUN --network=$0 true\n"),
        ["default", "none", "host"]
    );
    assert_eq!(
        labels("FROM a\nRUN --security=$0 true\n"),
        ["sandbox", "insecure"]
    );
    let chmod = labels("FROM a\nCOPY --chmod=$0 run.sh /\n");
    for expected in ["755", "644", "0755"] {
        assert!(chmod.contains(&expected.to_string()), "{chmod:?}");
    }
    let mode = item("FROM a\nCOPY --chmod=$0 run.sh /\n", "755");
    assert!(mode["detail"].as_str().unwrap().contains("rwxr-xr-x"));
}

#[test]
fn link_and_parents_only_where_buildkit_takes_them() {
    let copy = labels("FROM a\nCOPY --$0\n");
    assert!(copy.contains(&"--link".to_string()) && copy.contains(&"--parents".to_string()));
    let add = labels("FROM a\nADD --$0\n");
    assert!(add.contains(&"--link".to_string()) && !add.contains(&"--parents".to_string()));
    let run = labels("FROM a\nRUN --$0\n");
    assert!(!run.contains(&"--link".to_string()));
}

#[test]
fn onbuild_triggers() {
    let found = labels("FROM a\nONBUILD $0\n");
    assert!(found.contains(&"RUN".to_string()) && found.contains(&"COPY".to_string()));
    for refused in ["FROM", "ONBUILD", "MAINTAINER"] {
        assert!(
            !found.contains(&refused.to_string()),
            "{refused}: {found:?}"
        );
    }
}

#[test]
fn healthcheck_options() {
    let found = labels("FROM a\nHEALTHCHECK $0\n");
    for expected in [
        "CMD",
        "NONE",
        "--interval",
        "--timeout",
        "--start-period",
        "--retries",
    ] {
        assert!(
            found.contains(&expected.to_string()),
            "{expected}: {found:?}"
        );
    }
    assert!(labels("FROM a\nHEALTHCHECK --interval=$0\n").contains(&"30s".to_string()));
}

#[test]
fn stopsignal_signals() {
    let found = labels("FROM a\nSTOPSIGNAL $0\n");
    for expected in [
        "SIGTERM", "SIGINT", "SIGQUIT", "SIGKILL", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH",
    ] {
        assert!(
            found.contains(&expected.to_string()),
            "{expected}: {found:?}"
        );
    }
}

#[test]
fn shell_arrays() {
    let found = labels("FROM a\nSHELL $0\n");
    for expected in [
        r#"["/bin/bash", "-c"]"#,
        r#"["/bin/sh", "-c"]"#,
        r#"["powershell", "-Command"]"#,
        r#"["cmd", "/S", "/C"]"#,
    ] {
        assert!(
            found.contains(&expected.to_string()),
            "{expected}: {found:?}"
        );
    }
}

#[test]
fn syntax_check_and_escape_directive_values() {
    let syntax = labels("# syntax=$0\nFROM a\n");
    assert!(syntax.contains(&"docker/dockerfile:1".to_string()));
    assert!(syntax.contains(&"docker/dockerfile:1-labs".to_string()));
    let check = labels("# check=$0\nFROM a\n");
    assert!(check.contains(&"skip=".to_string()) && check.contains(&"error=true".to_string()));
    let rules = labels("# check=skip=$0\nFROM a\n");
    for expected in ["all", "JSONArgsRecommended", "UndefinedVar"] {
        assert!(
            rules.contains(&expected.to_string()),
            "{expected}: {rules:?}"
        );
    }
    assert_eq!(labels("# escape=$0\nFROM a\n"), ["\\", "`"]);
}

#[test]
fn heredoc_bodies_and_comments_get_no_keywords() {
    for fixture in [
        "FROM a\nRUN <<EOF\nCO$0\nEOF\n",
        "FROM a\nRUN <<EOF\n$0\n",
        "FROM a\nCOPY <<-EOT /etc/conf\n\tRU$0\n\tEOT\n",
        "FROM a\n# CO$0\n",
        "FROM a\nRUN apt-get update \\\n  # CO$0\n  && true\n",
        "# hello\n# sy$0\nFROM a\n",
    ] {
        assert!(
            labels(fixture).is_empty(),
            "{fixture:?}: {:?}",
            labels(fixture)
        );
    }
    // the heredoc ends at its terminator
    assert!(labels("FROM a\nRUN <<EOF\necho\nEOF\nCO$0\n").contains(&"COPY".to_string()));
}

#[test]
fn every_item_has_a_detail_and_keywords_flags_and_values_have_documentation() {
    let (mut server, _, cursor, _) = open_fixture(URI, "FROM a\nMA$0\n");
    let reply = server.request("textDocument/completion", at(URI, &cursor));
    let items = reply["result"]["items"].as_array().unwrap().clone();
    for item in &items {
        assert!(item["detail"].is_string(), "{item}");
        assert!(item["data"]["doc"].is_string(), "{item}");
        let resolved = server.request("completionItem/resolve", item.clone());
        let doc = &resolved["result"]["documentation"];
        assert!(
            doc["value"].as_str().is_some_and(|v| !v.is_empty()),
            "{resolved}"
        );
    }
    let maintainer = items.iter().find(|i| i["label"] == "MAINTAINER").unwrap();
    assert_eq!(maintainer["tags"], serde_json::json!([1]), "{maintainer}");
    for fixture in [
        "FROM a\nRUN --$0\n",
        "FROM a\nRUN --network=$0\n",
        "FROM a\nSTOPSIGNAL $0\n",
        "# syntax=$0\nFROM a\n",
    ] {
        for item in items_of(fixture) {
            assert!(item["detail"].is_string(), "{fixture:?}: {item}");
            assert!(item["data"]["doc"].is_string(), "{fixture:?}: {item}");
        }
    }
}

fn items_of(fixture: &str) -> Vec<Value> {
    items(fixture)
}

/// Our completion at many places of every corpus Dockerfile (each line
/// start and end, after each `$`, `${`, `--`, `=` and space): no panic,
/// ranges on the text, and every flag, value and stage offered, written
/// in, adds no syntax error to its line (flags: no unknown flag).
#[test]
fn corpus_completion_offers_only_what_buildkit_accepts() {
    use dockerfile_lsp::analysis::Analysis;
    use dockerfile_lsp::features::completion::{self, ItemKind};
    use dockerfile_lsp::syntax;

    let corpus = common::shared_dir().join("corpus");
    let mut files = common::corpus_dockerfiles(&corpus.join("valid"), true);
    files.extend(common::corpus_dockerfiles(&corpus.join("apps"), false));
    assert!(files.len() > 100, "{} files", files.len());
    let line_of = |text: &str, offset: usize| text[..offset].matches('\n').count();
    let errors_on = |text: &str, line: usize| -> Vec<String> {
        let tree = syntax::parse(text);
        let mut out: Vec<String> = syntax::syntax_errors(&tree, text)
            .into_iter()
            .filter(|e| line_of(text, e.start_byte) == line)
            .map(|e| e.message)
            .collect();
        out.sort();
        out
    };
    let (mut asked, mut offered, mut checked) = (0, 0, 0);
    let mut seen = std::collections::HashSet::new();
    for path in &files {
        let text = common::read(path);
        let tree = syntax::parse(&text);
        let analysis = Analysis::build(&tree, text.as_str());
        let bytes = text.as_bytes();
        let newlines: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i] == b'\n').collect();
        let mut offsets: Vec<usize> = Vec::new();
        for i in 0..=bytes.len() {
            let before = &bytes[..i];
            let at_line_edge = i == 0
                || before.ends_with(b"\n")
                || bytes.get(i).is_none_or(|b| *b == b'\n' || *b == b'\r');
            if (at_line_edge
                || before.ends_with(b"$")
                || before.ends_with(b"${")
                || before.ends_with(b"--")
                || before.ends_with(b"=")
                || before.ends_with(b" "))
                && text.is_char_boundary(i)
            {
                offsets.push(i);
            }
        }
        for offset in offsets {
            asked += 1;
            let found = completion::complete(&tree, text.as_str(), &analysis, offset);
            let line = newlines.partition_point(|&n| n < offset);
            let mut before_errors: Option<Vec<String>> = None;
            for item in &found.items {
                offered += 1;
                let name = path.display();
                assert!(
                    item.replace.start <= item.replace.end
                        && item.replace.end == offset
                        && item.word_end >= offset
                        && item.word_end <= text.len()
                        && text.is_char_boundary(item.replace.start)
                        && text.is_char_boundary(item.word_end),
                    "{name}@{offset}: {item:?}"
                );
                assert!(item.detail.is_some(), "{name}@{offset}: {item:?}");
                if !matches!(
                    item.kind,
                    ItemKind::Flag | ItemKind::Value | ItemKind::Stage
                ) {
                    continue;
                }
                let insert = item.insert.clone().unwrap_or(item.label.clone());
                let used = format!(
                    "{}{}{}",
                    &text[..item.replace.start],
                    insert,
                    &text[item.word_end..]
                );
                // A flag is checked once per instruction (its detail says
                // which), a value once per line it makes.
                let key = if item.kind == ItemKind::Flag {
                    format!("{:?} {}", item.detail, item.label)
                } else {
                    used.lines().nth(line).unwrap_or("").to_string()
                };
                if item.kind != ItemKind::Stage && !seen.insert(key) {
                    continue;
                }
                // Of the stages, the first and the last one offered.
                let stages: Vec<&completion::Item> = found
                    .items
                    .iter()
                    .filter(|i| i.kind == ItemKind::Stage)
                    .collect();
                if item.kind == ItemKind::Stage
                    && !std::ptr::eq(item, stages[0])
                    && !std::ptr::eq(item, stages[stages.len() - 1])
                {
                    continue;
                }
                checked += 1;
                let after = errors_on(&used, line);
                let before = before_errors.get_or_insert_with(|| errors_on(&text, line));
                if item.kind == ItemKind::Flag {
                    let unknown: Vec<&String> = after
                        .iter()
                        .filter(|e| e.starts_with("unknown flag") && !before.contains(e))
                        .collect();
                    assert!(
                        unknown.is_empty(),
                        "{name}@{offset}: {} gives {unknown:?}",
                        item.label
                    );
                    continue;
                }
                let new: Vec<&String> = after.iter().filter(|e| !before.contains(e)).collect();
                assert!(
                    new.is_empty(),
                    "{name}@{offset}: {} gives {new:?}\n{}",
                    item.label,
                    used.lines().nth(line).unwrap_or("")
                );
            }
        }
    }
    eprintln!("{asked} places asked, {offered} items offered, {checked} written in and checked");
    assert!(checked > 300, "{checked}");
}

/// A client without snippets gets plain text: the keyword and a space, the
/// flag and its `=`, no tab stops; documentation as plain text.
#[test]
fn a_client_without_snippets_gets_plain_insert_text() {
    let mut server = common::lsp::Server::start();
    server.initialize_as(common::lsp::bare_capabilities(), Value::Null, &[]);
    let uri = "file:///completion/plain/Dockerfile";
    for (fixture, label, expected) in [
        ("FROM a\nCO$0\n", "COPY", "COPY "),
        ("FROM a\nCOPY --$0\n", "--from", "--from="),
        ("#$0\nFROM a\n", "syntax", "syntax="),
        ("FROM a\nENV A=1\nWORKDIR ${$0\n", "${A}", "${A}"),
    ] {
        let (text, cursor) = common::lsp::cursor(fixture);
        server.open(uri, 1, &text);
        let reply = server.request("textDocument/completion", at(uri, &cursor));
        let items = reply["result"]["items"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for item in &items {
            let text = item["textEdit"]["newText"].as_str().unwrap();
            assert!(!text.contains("${1") && !text.contains("$1"), "{item}");
            assert_ne!(item["insertTextFormat"], 2, "{item}");
        }
        let item = items
            .iter()
            .find(|i| i["label"] == label)
            .unwrap_or_else(|| panic!("{label}: {items:?}"));
        assert_eq!(item["textEdit"]["newText"], expected, "{item}");
        server.notify(
            "textDocument/didClose",
            serde_json::json!({ "textDocument": { "uri": uri } }),
        );
    }
}

/// Review of issue 19, finding 13: a stage and a variable resolve to docs
/// of their own (where they are defined); finding 7: a stage picked over an
/// image reference replaces all of it.
#[test]
fn stages_and_variables_resolve_to_their_own_docs() {
    let fixture = "FROM alpine AS build\nENV HOME_DIR=/h\nFROM $0mcr.microsoft.com/dotnet/runtime-deps:10.0\nRUN echo\n";
    let (mut server, _, cursor, _) = open_fixture(URI, fixture);
    let reply = server.request("textDocument/completion", at(URI, &cursor));
    let items = reply["result"]["items"].as_array().unwrap().clone();
    let build = items.iter().find(|i| i["label"] == "build").unwrap();
    let edit = &build["textEdit"];
    let end = if edit["replace"].is_object() {
        &edit["replace"]["end"]
    } else {
        &edit["range"]["end"]
    };
    assert_eq!(
        end["character"].as_u64().unwrap() as usize,
        "FROM mcr.microsoft.com/dotnet/runtime-deps:10.0".len(),
        "{build}"
    );
    let resolved = server.request("completionItem/resolve", build.clone());
    let doc = resolved["result"]["documentation"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(doc.contains("FROM alpine"), "{resolved}");
    let fixture = "FROM alpine AS build\nENV HOME_DIR=/h\nRUN echo $$0\n";
    let (mut server, _, cursor, _) = open_fixture(URI, fixture);
    let reply = server.request("textDocument/completion", at(URI, &cursor));
    let items = reply["result"]["items"].as_array().unwrap().clone();
    let home = items.iter().find(|i| i["label"] == "$HOME_DIR").unwrap();
    let resolved = server.request("completionItem/resolve", home.clone());
    let doc = resolved["result"]["documentation"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(doc.contains("line 2") && doc.contains("/h"), "{resolved}");
}
