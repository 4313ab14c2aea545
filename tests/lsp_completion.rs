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
    assert!(found.contains(&"NODE_VERSION".to_string()), "{found:?}");
    assert!(found.contains(&"TARGETPLATFORM".to_string()), "{found:?}");
    assert!(!found.contains(&"LATER".to_string()), "{found:?}");
}

#[test]
fn parser_directives_at_the_top() {
    assert_eq!(labels("# es$0\nFROM a\n"), ["syntax", "escape", "check"]);
    assert!(labels("FROM a\n# es$0\n").is_empty());
}
