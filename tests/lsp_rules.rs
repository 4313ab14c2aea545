//! End to end: rule diagnostics over LSP, with their documentation links
//! and related locations, quick fixes applied through `textDocument/
//! codeAction`, and configuration from the client and the project file.

mod common;

use common::lsp::Server;
use serde_json::{json, Value};

/// The "split into stages" action offered at the top of the document.
fn split_action(server: &mut Server, uri: &str) -> Option<Value> {
    let range =
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } });
    let response = server.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": range, "context": { "diagnostics": [] } }),
    );
    let actions = response["result"].as_array().cloned().unwrap_or_default();
    actions
        .into_iter()
        .find(|a| a["kind"] == "refactor.rewrite")
}

fn with_code<'a>(diagnostics: &'a [Value], code: &str) -> Vec<&'a Value> {
    diagnostics.iter().filter(|d| d["code"] == code).collect()
}

/// Applies LSP text edits (positions in UTF-8 bytes here) to a text.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let col = p["character"].as_u64().unwrap() as usize;
        text.split_inclusive('\n')
            .take(line)
            .map(str::len)
            .sum::<usize>()
            + col
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort();
    let mut out = text.to_string();
    for (start, end, new) in edits.into_iter().rev() {
        out.replace_range(start..end, new);
    }
    out
}

#[test]
fn diagnostics_link_their_docs_and_related_places() {
    let (mut server, _) = Server::initialized(&["utf-8"]);
    let uri = "untitled:Dockerfile-1";
    server.open(
        uri,
        1,
        "FROM golang:1.23 AS build\nFROM alpine:3.20\nCOPY --from=biuld /a /a\n",
    );
    let found = server.diagnostics(uri, 1);
    let unknown = with_code(&found, "UnknownStage");
    assert_eq!(unknown.len(), 1, "{found:?}");
    let d = unknown[0];
    assert!(d["codeDescription"]["href"]
        .as_str()
        .unwrap()
        .ends_with("/docs/rules/UnknownStage.md"));
    let related = &d["relatedInformation"][0];
    assert_eq!(
        related["location"]["range"]["start"],
        json!({"line": 0, "character": 20})
    );
    assert_eq!(related["message"], "stage 'build'");
}

#[test]
fn quick_fixes_apply_through_code_actions() {
    let (mut server, _) = Server::initialized(&["utf-8"]);
    let uri = "untitled:Dockerfile-2";
    let text = "FROM golang:1.23 AS Build\nRUN go build -o /app .\nFROM alpine:3.20\nCOPY --from=Build /app /app\n";
    server.open(uri, 1, text);
    let found = server.diagnostics(uri, 1);
    let d = with_code(&found, "StageNameCasing")[0].clone();
    let response = server.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": d["range"], "context": { "diagnostics": [d] } }),
    );
    let actions = response["result"].as_array().unwrap();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Ignore StageNameCasing for this instruction"),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"Disable StageNameCasing for this file"),
        "{titles:?}"
    );
    let fix = actions
        .iter()
        .find(|a| a["isPreferred"] == true)
        .expect("a preferred fix");
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["diagnostics"][0]["code"], "StageNameCasing");
    let change = &fix["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["version"], 1);
    let fixed = apply(text, change["edits"].as_array().unwrap());
    assert_eq!(fixed, text.replace("Build", "build"));
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": fixed }] }),
    );
    let found = server.diagnostics(uri, 2);
    assert!(with_code(&found, "StageNameCasing").is_empty(), "{found:?}");
}

#[test]
fn client_settings_turn_rules_off_change_severities_and_report_mistakes() {
    let mut server = Server::start();
    server.initialize_with(&["utf-8"], json!({ "rules": { "StageNameCasing": "off" } }));
    let uri = "untitled:Dockerfile-3";
    server.open(uri, 1, "FROM alpine:3.20 AS Base\nMAINTAINER me\n");
    let found = server.diagnostics(uri, 1);
    assert!(with_code(&found, "StageNameCasing").is_empty(), "{found:?}");
    assert_eq!(with_code(&found, "MaintainerDeprecated")[0]["severity"], 2);

    // hadolint's code for the same check names the rule too
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "dockerfile-lsp": { "rules": { "StageNameCasing": "error", "DL4000": "hint" } } } }),
    );
    let found = server.diagnostics(uri, 1);
    assert_eq!(
        with_code(&found, "StageNameCasing")[0]["severity"],
        1,
        "{found:?}"
    );
    assert_eq!(with_code(&found, "MaintainerDeprecated")[0]["severity"], 4);

    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "rules": { "NoSuchRule": "off" } } }),
    );
    let found = server.diagnostics(uri, 1);
    let config = with_code(&found, "ConfigError");
    assert_eq!(config.len(), 1, "{found:?}");
    assert!(config[0]["message"]
        .as_str()
        .unwrap()
        .contains("unknown rule 'NoSuchRule'"));
    // the previous settings stay in force
    assert_eq!(with_code(&found, "StageNameCasing")[0]["severity"], 1);
}

#[test]
fn the_project_file_and_dockerignore_beside_the_dockerfile_apply() {
    let dir = common::temp_dir("lsp-project");
    common::write(
        &dir.join(".dockerfile-lsp.toml"),
        b"[rules]\nDL3006 = \"off\"\n",
    );
    common::write(&dir.join(".dockerignore"), b"secret.txt\n");
    let path = dir.join("app").join("Dockerfile");
    common::write(&path, b"");
    let uri = format!("file://{}", path.display());
    let mut server = Server::start();
    // the project file is found upward, within the workspace folder
    let folder = format!("file://{}", dir.display());
    server.initialize_in(&["utf-8"], Value::Null, &[folder]);
    // .dockerignore is read from the Dockerfile's own directory
    common::write(&dir.join("app/.dockerignore"), b"secret.txt\n");
    server.open(&uri, 1, "FROM ubuntu\nCOPY secret.txt /\n");
    let found = server.diagnostics(&uri, 1);
    assert!(with_code(&found, "DL3006").is_empty(), "{found:?}");
    assert_eq!(with_code(&found, "CopyIgnoredFile").len(), 1, "{found:?}");

    common::write(
        &dir.join(".dockerfile-lsp.toml"),
        b"[rules]\nDL3006 = \"sometimes\"\n",
    );
    server.open(&uri, 2, "FROM ubuntu\n");
    let found = server.diagnostics(&uri, 2);
    let config = with_code(&found, "ConfigError");
    assert_eq!(config.len(), 1, "{found:?}");
    assert!(config[0]["message"]
        .as_str()
        .unwrap()
        .contains(".dockerfile-lsp.toml"));
}

#[test]
fn no_file_above_the_workspace_folder_is_read() {
    let dir = common::temp_dir("lsp-outside");
    common::write(
        &dir.join(".dockerfile-lsp.toml"),
        b"[rules]\nDL3006 = \"off\"\n",
    );
    let path = dir.join("app").join("Dockerfile");
    common::write(&path, b"");
    let uri = format!("file://{}", path.display());
    // the workspace is `app`: the project file above it is not read
    let mut server = Server::start();
    let folder = format!("file://{}", dir.join("app").display());
    server.initialize_in(&["utf-8"], Value::Null, &[folder]);
    server.open(&uri, 1, "FROM ubuntu\n");
    assert_eq!(with_code(&server.diagnostics(&uri, 1), "DL3006").len(), 1);
    // nor without a workspace: only the Dockerfile's own folder
    let (mut server, _) = Server::initialized(&["utf-8"]);
    server.open(&uri, 1, "FROM ubuntu\n");
    assert_eq!(with_code(&server.diagnostics(&uri, 1), "DL3006").len(), 1);
}

#[test]
fn a_single_stage_build_is_split_into_three_stages_by_a_code_action() {
    let (mut server, result) = Server::initialized(&["utf-8"]);
    assert!(
        result["capabilities"]["codeActionProvider"]["codeActionKinds"]
            .as_array()
            .unwrap()
            .contains(&json!("refactor.rewrite"))
    );
    let uri = "untitled:Dockerfile-split";
    let text = "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm install\nCOPY . .\nRUN npm run build\nEXPOSE 3000\nCMD [\"node\", \"dist/index.js\"]\n";
    server.open(uri, 1, text);
    let before = server.diagnostics(uri, 1);
    assert_eq!(
        with_code(&before, "SingleStageBuild").len(),
        1,
        "{before:?}"
    );
    let split = split_action(&mut server, uri).expect("the split action");
    assert_eq!(split["title"], "Split into deps, build and runner stages");
    let change = &split["edit"]["documentChanges"][0];
    assert_eq!(change["textDocument"]["version"], 1);
    let fixed = apply(text, change["edits"].as_array().unwrap());
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": fixed }] }),
    );
    let after = server.diagnostics(uri, 2);
    let warnings: Vec<_> = after
        .iter()
        .filter(|d| d["severity"].as_u64() <= Some(2))
        .collect();
    assert!(warnings.is_empty(), "{warnings:?}\n{fixed}");
    // no longer offered
    assert!(split_action(&mut server, uri).is_none());
}

/// A split that is not offered says why, to a client that shows disabled
/// actions; to one that does not, nothing is sent.
#[test]
fn a_split_not_offered_is_a_disabled_action_with_its_reason() {
    let uri = "untitled:Dockerfile-dev-server";
    // a dev server is no runtime: the split is refused
    let text = "FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nCMD [\"npx\", \"vite\"]\n";
    for disabled_support in [true, false] {
        let mut server = Server::start();
        let response = server.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": {
                    "general": { "positionEncodings": ["utf-8"] },
                    "textDocument": { "codeAction": {
                        "disabledSupport": disabled_support,
                        "codeActionLiteralSupport": { "codeActionKind": { "valueSet": [] } }
                    } },
                    "workspace": { "workspaceEdit": { "documentChanges": true } }
                },
            }),
        );
        assert!(response["result"].is_object(), "{response}");
        server.notify("initialized", json!({}));
        server.open(uri, 1, text);
        let _ = server.diagnostics(uri, 1);
        let action = split_action(&mut server, uri);
        if !disabled_support {
            assert!(action.is_none(), "{action:?}");
            continue;
        }
        let action = action.expect("a disabled split action");
        assert_eq!(action["title"], "Split into deps, build and runner stages");
        assert!(action["edit"].is_null(), "{action}");
        let reason = action["disabled"]["reason"].as_str().unwrap();
        assert!(reason.contains("vite"), "{reason}");
    }
}

#[test]
fn a_missing_dockerignore_can_be_created_by_a_code_action() {
    let dir = common::temp_dir("lsp-create-ignore");
    let path = dir.join("Dockerfile");
    let text = "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n";
    common::write(&path, text.as_bytes());
    let uri = format!("file://{}", path.display());
    let (mut server, _) = Server::initialized(&["utf-8"]);
    server.open(&uri, 1, text);
    let found = server.diagnostics(&uri, 1);
    let missing = with_code(&found, "NoDockerignore");
    assert_eq!(missing.len(), 1, "{found:?}");
    let response = server.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": missing[0]["range"], "context": { "diagnostics": [missing[0]] } }),
    );
    let actions = response["result"].as_array().unwrap();
    let create = actions
        .iter()
        .find(|a| a["title"] == "Create .dockerignore")
        .expect("the create action");
    let ops = create["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(ops[0]["kind"], "create");
    assert_eq!(ops[0]["options"]["overwrite"], false);
    let target = ops[0]["uri"].as_str().unwrap();
    assert!(target.ends_with("/.dockerignore"), "{target}");
    let content = ops[1]["edits"][0]["newText"].as_str().unwrap();
    // as a client would: create the file, then check the Dockerfile again
    common::write(&dir.join(".dockerignore"), content.as_bytes());
    server.open(&uri, 2, text);
    let found = server.diagnostics(&uri, 2);
    assert!(with_code(&found, "NoDockerignore").is_empty(), "{found:?}");
    assert!(
        with_code(&found, "DockerignoreIncomplete").is_empty(),
        "{found:?}"
    );
}

#[test]
fn splitting_a_next_js_app_also_sets_standalone_output_in_its_config() {
    let dir = common::temp_dir("lsp-split-next");
    let path = dir.join("Dockerfile");
    let text = "FROM node:18-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\nEXPOSE 3000\nCMD [\"npm\", \"start\"]\n";
    common::write(&path, text.as_bytes());
    common::write(
        &dir.join("package.json"),
        br#"{ "dependencies": { "next": "15.0.0", "react": "19.0.0" } }"#,
    );
    let config = "// é: positions are counted in the client's encoding\nmodule.exports = {\n  reactStrictMode: true,\n};\n";
    common::write(&dir.join("next.config.js"), config.as_bytes());
    common::write(&dir.join(".dockerignore"), b"node_modules\n.git\n.next\n");
    std::fs::create_dir_all(dir.join("public")).unwrap();
    let uri = format!("file://{}", path.display());
    let (mut server, _) = Server::initialized(&["utf-16"]);
    server.open(&uri, 1, text);
    let split = split_action(&mut server, &uri).expect("the split action");
    let changes = split["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{changes:?}");
    let dockerfile = apply(text, changes[0]["edits"].as_array().unwrap());
    assert!(
        dockerfile.contains("/app/.next/standalone ./"),
        "{dockerfile}"
    );
    let target = changes[1]["textDocument"]["uri"].as_str().unwrap();
    assert!(target.ends_with("/next.config.js"), "{target}");
    let edited = apply(config, changes[1]["edits"].as_array().unwrap());
    assert_eq!(
        edited,
        "// é: positions are counted in the client's encoding\nmodule.exports = {\n  output: \"standalone\",\n  reactStrictMode: true,\n};\n"
    );
    // as a client would: write both, then nothing is left to warn about
    common::write(&dir.join("next.config.js"), edited.as_bytes());
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": dockerfile }] }),
    );
    let after = server.diagnostics(&uri, 2);
    let warnings: Vec<_> = after
        .iter()
        .filter(|d| d["severity"].as_u64() <= Some(2))
        .collect();
    assert!(warnings.is_empty(), "{warnings:?}\n{dockerfile}");
}

/// A client without `documentChanges` gets the plain `changes` map, and no
/// action that would need to create a file.
#[test]
fn edits_take_the_form_the_client_supports() {
    let dir = common::temp_dir("lsp-edit-support");
    let path = dir.join("Dockerfile");
    let text = "FROM node:22 as build\nWORKDIR /app\nCOPY . .\nRUN npm ci\n";
    common::write(&path, text.as_bytes());
    let uri = format!("file://{}", path.display());
    let mut server = Server::start();
    let response = server.request(
        "initialize",
        // code actions as literals, the preferred fix marked: nothing of
        // `workspace.workspaceEdit`
        json!({ "processId": null, "rootUri": null, "capabilities": { "textDocument": {
            "codeAction": { "isPreferredSupport": true,
                "codeActionLiteralSupport": { "codeActionKind": { "valueSet": [] } } } } } }),
    );
    assert!(response["result"].is_object(), "{response}");
    server.notify("initialized", json!({}));
    server.open(&uri, 1, text);
    let found = server.diagnostics(&uri, 1);
    let casing = with_code(&found, "FromAsCasing");
    assert_eq!(casing.len(), 1, "{found:?}");
    let response = server.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": casing[0]["range"], "context": { "diagnostics": [casing[0]] } }),
    );
    let actions = response["result"].as_array().unwrap();
    let fix = actions
        .iter()
        .find(|a| a["isPreferred"] == true)
        .expect("the quick fix");
    assert!(fix["edit"]["documentChanges"].is_null(), "{fix}");
    let edits = fix["edit"]["changes"][&uri].as_array().unwrap();
    assert_eq!(
        apply(text, edits).lines().next(),
        Some("FROM node:22 AS build")
    );
    // creating .dockerignore needs resource operations: not offered
    assert!(
        actions.iter().all(|a| a["title"] != "Create .dockerignore"),
        "{actions:?}"
    );
}

#[test]
fn settings_that_arrive_while_diagnostics_are_computed_apply_to_that_version() {
    // A document big enough that its first diagnostics are still being
    // computed when the settings change arrives (eglot sends its settings
    // right after didOpen).
    let mut text = String::from("FROM alpine:3.20 AS Base\n");
    for i in 0..2000 {
        text.push_str(&format!("FROM base AS s{i}\nRUN echo {i}\n"));
    }
    let (mut server, _) = Server::initialized(&["utf-8"]);
    let uri = "untitled:Dockerfile-settings-race";
    server.open(uri, 1, &text);
    // Into the computation (which takes a few hundred milliseconds here);
    // before the fix this failed with anything from 20 to 200 ms.
    std::thread::sleep(std::time::Duration::from_millis(60));
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "dockerfile-lsp": { "rules": { "StageNameCasing": "off" } } } }),
    );
    // Diagnostics computed with the old settings may be published first;
    // ones with the new settings must follow for the same version.
    server.wait_for("diagnostics of v1 without StageNameCasing", |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && m["params"]["version"] == 1
            && m["params"]["diagnostics"]
                .as_array()
                .is_some_and(|d| d.iter().all(|d| d["code"] != "StageNameCasing"))
    });
    // ... and code actions read the same, current diagnostics.
    let response = server.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri },
                "range": { "start": { "line": 0, "character": 20 }, "end": { "line": 0, "character": 24 } },
                "context": { "diagnostics": [] } }),
    );
    // (null: no action at all)
    let titles: Vec<&str> = response["result"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["title"].as_str())
        .collect();
    assert!(
        titles.iter().all(|t| !t.contains("StageNameCasing")),
        "{titles:?}"
    );
}

#[test]
fn an_ignore_file_opened_as_a_dockerfile_gets_no_diagnostics() {
    // Editors' `Dockerfile.*` patterns match `Dockerfile.dockerignore`.
    let (mut server, _) = Server::initialized(&["utf-8"]);
    let text = "node_modules\n.git\n*.md\n!README.md\n";
    let ignore = "file:///tmp/dockerfile-lsp-ignore-test/Dockerfile.dockerignore";
    server.open(ignore, 1, text);
    assert_eq!(server.diagnostics(ignore, 1), Vec::<Value>::new());
    // the same text under a Dockerfile's name is reported
    let dockerfile = "file:///tmp/dockerfile-lsp-ignore-test/Dockerfile.dev";
    server.open(dockerfile, 1, text);
    assert!(!server.diagnostics(dockerfile, 1).is_empty());
}
