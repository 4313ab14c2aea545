use super::*;
use crate::analysis::Analysis;
use crate::syntax;

/// The items at the `|` of `src`.
fn at(src: &str) -> Vec<Item> {
    let offset = src.find('|').expect("a | marks the cursor");
    let text = src.replacen('|', "", 1);
    let tree = syntax::parse(&text);
    let analysis = Analysis::build(&tree, text.as_str());
    complete(&tree, text.as_str(), &analysis, offset).items
}

fn labels(src: &str) -> Vec<String> {
    at(src).into_iter().map(|i| i.label).collect()
}

#[test]
fn every_offered_flag_is_one_buildkit_accepts() {
    for keyword in ["FROM", "RUN", "COPY", "ADD", "HEALTHCHECK"] {
        let src = format!("FROM a\n{keyword} --");
        let tree = syntax::parse(&src);
        let analysis = Analysis::build(&tree, src.as_str());
        let found = complete(&tree, src.as_str(), &analysis, src.len());
        let labels: Vec<&str> = found.items.iter().map(|i| i.label.as_str()).collect();
        assert!(!labels.is_empty(), "{keyword}: nothing offered");
        for label in &labels {
            let used = format!("FROM a\n{keyword} {label}=1 x y\n");
            let tree = syntax::parse(&used);
            for error in syntax::syntax_errors(&tree, used.as_str()) {
                assert!(
                    !error.message.starts_with("unknown flag"),
                    "{keyword} {label} is offered but BuildKit rejects it: {}",
                    error.message
                );
            }
        }
        if keyword == "ADD" {
            assert!(!labels.contains(&"--from"), "{labels:?}");
        }
        for item in &found.items {
            assert!(
                item.doc.as_deref().and_then(documentation).is_some(),
                "{keyword} {}: no docs",
                item.label
            );
        }
    }
}

#[test]
fn a_multi_byte_space_before_the_word_is_a_boundary() {
    // U+2028 is whitespace three bytes long
    let src = "FROM a\nRUN echo\u{2028}--fo";
    let tree = syntax::parse(src);
    let analysis = Analysis::build(&tree, src);
    let found = complete(&tree, src, &analysis, src.len());
    for item in &found.items {
        assert!(src.is_char_boundary(item.replace.start));
    }
}

/// A multi-stage file; each `«N:NAME»` is a variable use, written `NAME`
/// in the file and typed up to the `$`/`${` at cursor N.
pub(crate) const SCOPES: &str = "ARG GO_VERSION=1.22
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

/// The file with every use written out but the one at cursor `n`, and
/// that cursor's offset.
pub(crate) fn scopes_at(template: &str, n: Option<usize>) -> (String, usize) {
    let mut out = String::new();
    let mut cursor = 0;
    let mut rest = template;
    while let Some(open) = rest.find('«') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('»').unwrap() + open;
        let (index, name) = rest[open + '«'.len_utf8()..close].split_once(':').unwrap();
        if Some(index.parse::<usize>().unwrap()) == n {
            cursor = out.len();
        } else {
            out.push_str(name);
        }
        rest = &rest[close + '»'.len_utf8()..];
    }
    out.push_str(rest);
    (out, cursor)
}

fn names_in_scope(n: usize) -> Vec<String> {
    let (text, offset) = scopes_at(SCOPES, Some(n));
    let tree = syntax::parse(&text);
    let analysis = Analysis::build(&tree, text.as_str());
    let mut names: Vec<String> = complete(&tree, text.as_str(), &analysis, offset)
        .items
        .into_iter()
        .inspect(|i| assert_eq!(i.kind, ItemKind::Variable, "{n}: {i:?}"))
        .map(|i| {
            i.label
                .trim_start_matches('$')
                .trim_start_matches('{')
                .trim_end_matches('}')
                .to_string()
        })
        .collect();
    names.sort();
    names
}

fn sorted(names: &[&str], predefined: bool) -> Vec<String> {
    let mut out: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    if predefined {
        out.extend(syntax::FROM_PREDEFINED_ARGS.iter().map(|s| s.to_string()));
    }
    out.sort();
    out
}

#[test]
fn the_variables_offered_are_exactly_those_in_scope() {
    let golang = ["GOLANG_VERSION", "GOPATH", "GOTOOLCHAIN", "PATH"];
    let with = |extra: &[&str]| {
        let mut all: Vec<&str> = extra.to_vec();
        all.extend_from_slice(&golang);
        sorted(&all, false)
    };
    let from_line = sorted(&["GO_VERSION", "BASE", "PLATFORM"], true);
    let expected: Vec<Vec<String>> = vec![
        // before the first FROM, and in FROM lines: the global ARGs before
        // and the predefined platform arguments
        sorted(&["GO_VERSION", "BASE"], true),
        from_line.clone(),
        // in the stage: the redeclared global, the image's ENV, PATH
        with(&["GO_VERSION"]),
        with(&[
            "GO_VERSION",
            "CGO_ENABLED",
            "GOFLAGS",
            "TARGETOS",
            "TARGETARCH",
        ]),
        with(&[
            "GO_VERSION",
            "CGO_ENABLED",
            "GOFLAGS",
            "TARGETOS",
            "TARGETARCH",
            "OUT",
        ]),
        // FROM build: its ENV and its ARGs (BuildKit carries both into
        // the child), and the image of the chain
        with(&[
            "GO_VERSION",
            "CGO_ENABLED",
            "GOFLAGS",
            "TARGETOS",
            "TARGETARCH",
            "OUT",
            "TEST_FLAGS",
        ]),
        from_line.clone(),
        // FROM ${BASE}: alpine sets nothing but PATH
        sorted(&["BASE", "PATH"], false),
        sorted(&["BASE", "PATH"], false),
        // a heredoc body is shell text
        sorted(&["BASE", "APP", "PATH"], false),
        // distroless sets SSL_CERT_FILE
        sorted(&["PATH", "SSL_CERT_FILE"], false),
        // an ENV does not see its own pairs
        sorted(&["X", "PATH", "SSL_CERT_FILE"], false),
        sorted(&["X", "Y", "Z", "PATH", "SSL_CERT_FILE"], false),
        from_line,
        sorted(&["PATH"], false),
    ];
    for (n, expected) in expected.iter().enumerate() {
        assert_eq!(&names_in_scope(n), expected, "cursor {n}");
    }
}

/// UndefinedVar (and UndefinedArgInFrom in FROM lines) never fires on a
/// name we offer, at any cursor of the scope file.
#[test]
fn no_offered_variable_is_one_the_rules_call_undefined() {
    let (full, _) = scopes_at(SCOPES, None);
    let found = crate::rules::test_support::found(&full);
    assert!(
        found.iter().all(|(code, _)| !code.starts_with("Undefined")),
        "{found:?}"
    );
    for n in 0..15 {
        let (text, offset) = scopes_at(SCOPES, Some(n));
        let tree = syntax::parse(&text);
        let analysis = Analysis::build(&tree, text.as_str());
        for item in complete(&tree, text.as_str(), &analysis, offset).items {
            let insert = item.insert.clone().unwrap_or(item.label.clone());
            let used = format!(
                "{}{}{}",
                &text[..item.replace.start],
                insert,
                &text[item.word_end..]
            );
            let line = text[..offset].matches('\n').count() + 1;
            let undefined: Vec<_> = crate::rules::test_support::found(&used)
                .into_iter()
                .filter(|(code, l)| code.starts_with("Undefined") && *l == line)
                .collect();
            assert!(
                undefined.is_empty(),
                "{n}: {} gives {undefined:?}",
                item.label
            );
        }
    }
}

#[test]
fn variable_items_replace_the_dollar_and_close_the_brace_once() {
    let src = "FROM a\nENV HOME_DIR=/h\nWORKDIR ${HO|}\n";
    let found = at(src);
    let item = found.iter().find(|i| i.label == "${HOME_DIR}").unwrap();
    let cursor = src.find('|').unwrap();
    assert_eq!(item.replace, cursor - 4..cursor);
    assert_eq!(item.insert.as_deref(), Some("${HOME_DIR"));
    assert_eq!(item.detail.as_deref(), Some("ENV, line 2, value /h"));
    let found = at("FROM a\nENV HOME_DIR=/h\nWORKDIR ${HO|\n");
    let item = found.iter().find(|i| i.label == "${HOME_DIR}").unwrap();
    assert_eq!(item.insert, None, "the label is the text");
    let found = at("FROM a\nENV HOME_DIR=/h\nWORKDIR $HO|ME_DIR/x\n");
    let item = found.iter().find(|i| i.label == "$HOME_DIR").unwrap();
    assert_eq!(item.word_end - item.replace.end, "ME_DIR".len());
    // an escaped dollar and exec form are not expanded
    assert!(labels("FROM a\nENV A=1\nRUN echo \\$|\n").is_empty());
    assert!(labels("FROM a\nENV A=1\nCMD [\"echo\", \"$|\"]\n").is_empty());
    assert!(!labels("FROM a\nENV A=1\nCMD echo $|\n").is_empty());
}

#[test]
fn variable_details_say_where_each_comes_from() {
    let found = at(
        "ARG V=17\nFROM node:20 AS base\nENV E=1\nFROM base\nARG V\nARG TARGETARCH\nRUN echo $|\n",
    );
    let detail = |label: &str| {
        found
            .iter()
            .find(|i| i.label == label)
            .and_then(|i| i.detail.clone())
            .unwrap_or_else(|| panic!("{label} not offered: {found:?}"))
    };
    assert_eq!(detail("$V"), "ARG, line 5, global default 17");
    assert_eq!(detail("$E"), "ENV of stage base, line 3, value 1");
    assert_eq!(detail("$TARGETARCH"), "ARG, line 6, predefined by BuildKit");
    assert_eq!(detail("$NODE_VERSION"), "from the base image node:20");
    let arch = found.iter().find(|i| i.label == "$TARGETARCH").unwrap();
    assert!(documentation(arch.doc.as_deref().unwrap()).is_some());
}

#[test]
fn nothing_in_comments_and_only_variables_in_heredoc_bodies() {
    assert!(labels("FROM a\n# a comment |\n").is_empty());
    assert!(labels("FROM a\n# RU|\n").is_empty());
    assert!(labels("FROM a\nRUN <<EOF\nec|\nEOF\n").is_empty());
    assert!(labels("FROM a\nRUN <<EOF\n|\n").is_empty());
    assert!(labels("FROM a\nCOPY <<EOF /x\n  --|\nEOF\n").is_empty());
    assert!(labels("FROM a\nRUN echo \\\n  # note\n  ec|\n").is_empty());
    assert!(labels("FROM a\nRUN echo hi ec|\n").is_empty());
    // after the heredoc, instructions again
    assert!(labels("FROM a\nRUN <<EOF\necho\nEOF\nCO|\n").contains(&"COPY".to_string()));
    assert_eq!(
        labels("FROM a\nENV A=1\nRUN <<EOF\necho $|\nEOF\n"),
        ["$A", "$PATH"]
    );
}

#[test]
fn keywords_plain_and_with_snippets_and_maintainer_deprecated() {
    let found = at("FROM a\nCO|\n");
    assert_eq!(found.len(), 18);
    let copy = found.iter().find(|i| i.label == "COPY").unwrap();
    assert_eq!(copy.insert.as_deref(), Some("COPY "));
    assert_eq!(
        copy.snippet.as_deref(),
        Some("COPY ${1:source} ${2:destination}")
    );
    assert_eq!(copy.doc.as_deref(), Some("keyword:COPY"));
    let maintainer = found.iter().find(|i| i.label == "MAINTAINER").unwrap();
    assert!(maintainer.deprecated);
    assert_eq!(found.iter().filter(|i| i.deprecated).count(), 1);
    for i in &found {
        assert!(i.detail.is_some(), "{i:?}");
        assert!(i.doc.as_deref().and_then(documentation).is_some(), "{i:?}");
        let plain = i.insert.as_deref().unwrap_or(&i.label);
        assert!(!plain.contains('$'), "{plain}");
    }
    // fixing the keyword of a written line changes only the keyword
    let found = at("FROM a\nCO|PY a b\n");
    let copy = found.iter().find(|i| i.label == "COPY").unwrap();
    assert_eq!(
        (copy.insert.as_deref(), copy.snippet.as_deref()),
        (None, None)
    );
    assert_eq!(copy.word_end - copy.replace.end, 2);
}

#[test]
fn onbuild_offers_the_instructions_buildkit_allows_as_triggers() {
    let found = labels("FROM a\nONBUILD |\n");
    assert_eq!(found.len(), 15, "{found:?}");
    for refused in ["FROM", "ONBUILD", "MAINTAINER"] {
        assert!(!found.contains(&refused.to_string()));
    }
    for label in &found {
        let used = format!("FROM a\nONBUILD {label} x y\n");
        let tree = syntax::parse(&used);
        for e in syntax::syntax_errors(&tree, used.as_str()) {
            assert!(!e.message.contains("ONBUILD"), "{label}: {}", e.message);
        }
    }
    for refused in ["FROM", "ONBUILD", "MAINTAINER"] {
        let used = format!("FROM a\nONBUILD {refused} x\n");
        let tree = syntax::parse(&used);
        assert!(
            !syntax::syntax_errors(&tree, used.as_str()).is_empty(),
            "{refused} is refused as a trigger"
        );
    }
    // and the flags of a trigger
    assert_eq!(
        labels("FROM a\nONBUILD RUN --|\n"),
        ["--mount", "--network", "--security"]
    );
}

#[test]
fn flags_plain_text_ends_with_the_equals_sign() {
    let found = at("FROM a\nCOPY --|\n");
    let from = found.iter().find(|i| i.label == "--from").unwrap();
    assert_eq!(from.insert.as_deref(), Some("--from="));
    assert_eq!(from.snippet, None);
    assert_eq!(from.detail.as_deref(), Some("COPY flag"));
    assert_eq!(from.doc.as_deref(), Some("flag:COPY:from"));
    let link = found.iter().find(|i| i.label == "--link").unwrap();
    assert_eq!(link.insert, None);
    // a flag already given is not offered again, a repeatable one is
    let again = labels("FROM a\nCOPY --link --|\n");
    assert!(!again.contains(&"--link".to_string()), "{again:?}");
    assert!(
        labels("FROM a\nRUN --mount=type=cache,target=/x --|\n").contains(&"--mount".to_string())
    );
    // `--fr|om=x`: the word ends before the `=`, which is not added again
    let found = at("FROM a\nCOPY --fr|om=build / /\n");
    let from = found.iter().find(|i| i.label == "--from").unwrap();
    assert_eq!(from.word_end - from.replace.end, 2);
    assert_eq!(from.insert, None);
    // flags on a continuation line, and none after the arguments
    assert!(labels("FROM a\nRUN --network=none \\\n  --|\n").contains(&"--mount".to_string()));
    assert!(labels("FROM a\nRUN echo --|\n").is_empty());
}

#[test]
fn stages_after_from() {
    let src = "FROM golang AS build\nFROM node AS Assets\nFROM alpine\nFROM |\n";
    let found = at(src);
    let names: Vec<&str> = found.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(names, ["build", "Assets"]);
    assert_eq!(found[1].detail.as_deref(), Some("stage 1: FROM node"));
    assert_eq!(
        labels("FROM golang AS build\nFROM --platform=$BUILDPLATFORM b|\n"),
        ["build"]
    );
    // not the stage itself or later ones
    assert_eq!(
        labels("FROM a AS one\nFROM | AS two\nFROM x AS three\n"),
        ["one"]
    );
    // AS after the image, in the FROM's case
    assert_eq!(labels("FROM golang |\n"), ["AS"]);
    assert_eq!(labels("from golang |\n"), ["as"]);
}

/// The values offered at the `|` of a line in a stage include `expected`,
/// and each one, written in, passes BuildKit's checks.
fn assert_values_accepted(line_with_cursor: &str, expected: &[&str]) {
    let src = format!("FROM a AS base\nFROM base\n{line_with_cursor}\n");
    let found = at(&src);
    let labels: Vec<&str> = found.iter().map(|i| i.label.as_str()).collect();
    for e in expected {
        assert!(labels.contains(e), "{e} not in {labels:?}");
    }
    let text = src.replacen('|', "", 1);
    for item in &found {
        assert!(item.detail.is_some(), "{item:?}");
        if item.kind == ItemKind::Value {
            assert!(
                item.doc.as_deref().and_then(documentation).is_some(),
                "{item:?}"
            );
        }
        let insert = item.insert.clone().unwrap_or(item.label.clone());
        let used = format!(
            "{}{}{}",
            &text[..item.replace.start],
            insert,
            &text[item.word_end..]
        );
        let tree = syntax::parse(&used);
        let errors = syntax::syntax_errors(&tree, used.as_str());
        assert!(errors.is_empty(), "{used:?}: {errors:?}");
    }
}

#[test]
fn flag_values() {
    assert_values_accepted(
        "FROM --platform=| alpine",
        &[
            "$BUILDPLATFORM",
            "$TARGETPLATFORM",
            "linux/amd64",
            "linux/arm64",
            "linux/arm/v7",
        ],
    );
    assert_values_accepted("RUN --network=| true", &["default", "none", "host"]);
    assert_values_accepted("RUN --security=| true", &["insecure", "sandbox"]);
    assert_values_accepted("COPY --chmod=| a /b", &["755", "644", "0755"]);
    assert_values_accepted("COPY --chmod=7| a /b", &["755"]);
    assert_values_accepted("HEALTHCHECK --interval=| CMD true", &["30s"]);
    assert_values_accepted("RUN --mount=type=|,target=/x true", &["cache", "secret"]);
    assert_values_accepted("COPY --from=| /a /b", &["base"]);
    assert_values_accepted("RUN --mount=type=bind,from=| true", &["base"]);
    // the typed `$B` is replaced with the whole value
    let found = at("FROM --platform=$B| alpine\n");
    let build = found.iter().find(|i| i.label == "$BUILDPLATFORM").unwrap();
    assert_eq!(build.replace.end - build.replace.start, 2);
    // global ARGs are values too
    assert!(labels("ARG P=linux/amd64\nFROM --platform=| alpine\n").contains(&"$P".to_string()));
}

#[test]
fn healthcheck_stopsignal_and_shell() {
    let found = labels("FROM a\nHEALTHCHECK |\n");
    for e in ["CMD", "NONE", "--interval", "--retries"] {
        assert!(found.contains(&e.to_string()), "{e}: {found:?}");
    }
    // NONE takes no flags; more flags may come
    let found = labels("FROM a\nHEALTHCHECK --interval=5s |\n");
    assert!(found.contains(&"CMD".to_string()) && !found.contains(&"NONE".to_string()));
    assert!(!found.contains(&"--interval".to_string()), "{found:?}");
    let cmd = at("FROM a\nHEALTHCHECK C|\n")
        .into_iter()
        .find(|i| i.label == "CMD")
        .unwrap();
    assert_eq!(cmd.insert.as_deref(), Some("CMD "));
    assert_values_accepted(
        "STOPSIGNAL |",
        &[
            "SIGTERM", "SIGINT", "SIGQUIT", "SIGKILL", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH",
        ],
    );
    assert_values_accepted(
        "SHELL |",
        &[
            "[\"/bin/bash\", \"-c\"]",
            "[\"/bin/sh\", \"-c\"]",
            "[\"powershell\", \"-Command\"]",
            "[\"cmd\", \"/S\", \"/C\"]",
        ],
    );
    // nothing after the signal
    assert!(labels("FROM a\nSTOPSIGNAL SIGTERM |\n").is_empty());
}

#[test]
fn directives_and_their_values_only_where_a_directive_may_go() {
    assert_eq!(labels("# sy|\nFROM a\n"), ["syntax", "escape", "check"]);
    assert_eq!(
        labels("# syntax=docker/dockerfile:1\n#|\nFROM a\n"),
        ["escape", "check"]
    );
    // below a comment, a blank line or an instruction it is a comment
    assert!(labels("# hello\n# sy|\nFROM a\n").is_empty());
    assert!(labels("\n# sy|\nFROM a\n").is_empty());
    assert!(labels("FROM a\n# es|\n").is_empty());
    assert_eq!(
        labels("#!/usr/bin/env docker\n# ch|\nFROM a\n"),
        ["syntax", "escape", "check"]
    );
    let syntax = labels("# syntax=|\nFROM a\n");
    assert!(
        syntax.contains(&"docker/dockerfile:1".to_string()),
        "{syntax:?}"
    );
    assert!(
        syntax.contains(&"docker/dockerfile:1-labs".to_string()),
        "{syntax:?}"
    );
    assert_eq!(labels("# escape=|\nFROM a\n"), ["\\", "`"]);
    let check = labels("# check=|\nFROM a\n");
    assert!(check.contains(&"skip=".to_string()) && check.contains(&"error=true".to_string()));
    let rules = at("# check=skip=JSONArgsRecommended,|\nFROM a\n");
    assert!(rules.iter().any(|i| i.label == "StageNameCasing"));
    assert!(rules.iter().any(|i| i.label == "all"));
    let rule = rules.iter().find(|i| i.label == "UndefinedVar").unwrap();
    assert_eq!(
        rule.detail.as_deref(),
        Some("BuildKit check: Variables must be defined before use")
    );
    let own = rules.iter().find(|i| i.label == "UnusedStage").unwrap();
    assert!(own
        .detail
        .as_deref()
        .unwrap()
        .starts_with("dockerfile-lsp rule: "));
    assert!(documentation(rule.doc.as_deref().unwrap())
        .unwrap()
        .contains("UndefinedVar"));
    assert_eq!(
        labels("# check=skip=all;error=|\nFROM a\n"),
        ["true", "false"]
    );
    // each one offered makes a directive BuildKit takes
    for line in [
        "# syntax=|",
        "# escape=|",
        "# check=|",
        "# check=skip=|",
        "# check=error=|",
    ] {
        for item in at(&format!("{line}\nFROM a\n")) {
            assert!(item.detail.is_some(), "{item:?}");
            let insert = item.insert.clone().unwrap_or(item.label.clone());
            let value = if insert.ends_with('=') {
                format!("{insert}all")
            } else {
                insert
            };
            let used = format!("{}{value}\nFROM a\n", &line[..line.len() - 1]);
            let tree = syntax::parse(&used);
            let errors = syntax::syntax_errors(&tree, used.as_str());
            assert!(errors.is_empty(), "{used:?}: {errors:?}");
        }
    }
}

/// The item labelled `label` at the `|` of `src`.
fn item(src: &str, label: &str) -> Item {
    let found = at(src);
    found
        .iter()
        .find(|i| i.label == label)
        .cloned()
        .unwrap_or_else(|| panic!("{label} not offered at {src:?}: {found:?}"))
}

/// The text after picking `item` at the `|` of `src`, replacing up to
/// the word's end (insert-replace) or to the cursor.
fn picked(src: &str, item: &Item, whole_word: bool) -> String {
    let text = src.replacen('|', "", 1);
    let insert = item.insert.clone().unwrap_or(item.label.clone());
    let end = if whole_word {
        item.word_end
    } else {
        item.replace.end
    };
    format!("{}{}{}", &text[..item.replace.start], insert, &text[end..])
}

// Review of issue 19, finding 1: BuildKit carries a stage's ARGs into the
// stages built FROM it.
#[test]
fn a_parent_stages_args_are_offered_in_its_children() {
    let src = "FROM alpine AS a\nARG P=1\nENV E=2\nFROM a\nRUN echo $|\n";
    assert_eq!(
        item(src, "$P").detail.as_deref(),
        Some("ARG of stage a, line 2, default 1")
    );
    assert!(labels(src).contains(&"$E".to_string()));
    // not in an unrelated stage
    let unrelated = "FROM alpine AS a\nARG P=1\nFROM alpine\nRUN echo $|\n";
    assert!(!labels(unrelated).contains(&"$P".to_string()));
}

// Finding 2: an ARG line's earlier pairs, never the pair being typed.
#[test]
fn an_arg_pair_sees_the_pairs_before_it_on_the_line() {
    assert!(labels("FROM a\nARG A=1 B=$|\n").contains(&"$A".to_string()));
    assert!(labels("FROM a\nARG A=1 B=${|\n").contains(&"${A}".to_string()));
    assert!(labels("ARG A=1 B=$|\nFROM a\n").contains(&"$A".to_string()));
    assert!(labels("FROM a\nARG A=\"x y\" B=$|\n").contains(&"$A".to_string()));
    assert!(!labels("FROM a\nARG A=$|\n").contains(&"$A".to_string()));
    assert!(!labels("FROM a\nARG A=\"x $|\n").contains(&"$A".to_string()));
    // ENV pairs do not see each other
    assert!(!labels("FROM a\nENV A=1 B=$|\n").contains(&"$A".to_string()));
}

// Finding 3: only platform values after --platform=.
#[test]
fn platform_offers_only_variables_holding_a_platform() {
    let found = labels(
        "ARG TARGETSTAGE=x\nARG P=linux/amd64\nARG Q=$BUILDPLATFORM\nFROM --platform=| alpine\n",
    );
    for ok in ["$BUILDPLATFORM", "$TARGETPLATFORM", "$P", "$Q"] {
        assert!(found.contains(&ok.to_string()), "{ok}: {found:?}");
    }
    for bad in [
        "$TARGETSTAGE",
        "$BUILDVARIANT",
        "$TARGETVARIANT",
        "$TARGETARCH",
    ] {
        assert!(!found.contains(&bad.to_string()), "{bad}: {found:?}");
    }
}

// Finding 4: a directive given already is not offered again.
#[test]
fn a_directive_given_already_is_not_offered_again() {
    assert_eq!(
        labels("# syntax=docker/dockerfile:1\n# |\n"),
        ["escape", "check"]
    );
    assert_eq!(labels("# escape=`\n# |\n"), ["syntax", "check"]);
    assert_eq!(labels("# |\n# check=skip=all\n"), ["syntax", "escape"]);
}

// Finding 5: over a written directive only the name changes.
#[test]
fn renaming_a_written_directive_keeps_its_value() {
    for src in [
        "# sy|ntax=docker/dockerfile:1\n",
        "# |syntax=docker/dockerfile:1\n",
    ] {
        let i = item(src, "syntax");
        assert_eq!(i.snippet, None);
        assert_eq!(picked(src, &i, true), "# syntax=docker/dockerfile:1\n");
    }
    let src = "# check=sk|ip=JSONArgsRecommended\n";
    let i = item(src, "skip");
    assert_eq!(picked(src, &i, true), "# check=skip=JSONArgsRecommended\n");
    assert_eq!(
        picked(src, &i, false),
        "# check=skipip=JSONArgsRecommended\n"
    );
}

// Finding 6: what the container runs sees the image's environment only.
#[test]
fn the_containers_command_is_offered_env_not_args() {
    let src = "FROM node:20\nARG APP_PATH=/app\nENV PORT=80\nCMD echo $|\n";
    let found = labels(src);
    assert!(found.contains(&"$PORT".to_string()), "{found:?}");
    assert!(found.contains(&"$NODE_VERSION".to_string()), "{found:?}");
    assert!(found.contains(&"$PATH".to_string()), "{found:?}");
    assert!(!found.contains(&"$APP_PATH".to_string()), "{found:?}");
    for line in [
        "ENTRYPOINT echo $|",
        "HEALTHCHECK --interval=5s CMD wget $|",
        "HEALTHCHECK CMD curl ${|",
    ] {
        let src = format!("FROM a\nARG TARGETARCH\nARG A=1\nENV E=1\n{line}\n");
        let found = labels(&src);
        assert!(
            found.iter().any(|l| l.contains("{E}") || l == "$E"),
            "{line}: {found:?}"
        );
        assert!(
            !found
                .iter()
                .any(|l| l.contains("TARGETARCH") || l.contains("A}") || l == "$A"),
            "{line}: {found:?}"
        );
    }
    // a RUN sees the ARGs
    assert!(labels("FROM a\nARG A=1\nRUN echo $|\n").contains(&"$A".to_string()));
    // an ONBUILD trigger: no ARG, and the detail says where it runs
    let found = at("FROM a\nARG A=1\nENV E=1\nONBUILD RUN echo $|\n");
    assert!(!found.iter().any(|i| i.label == "$A"), "{found:?}");
    let e = found.iter().find(|i| i.label == "$E").unwrap();
    assert!(e.detail.as_deref().unwrap().contains("ONBUILD"), "{e:?}");
}

// Finding 7: a stage replaces the whole image reference.
#[test]
fn a_stage_replaces_the_whole_reference() {
    let src = "FROM alpine AS build\nFROM |mcr.microsoft.com/dotnet/runtime-deps:10.0 AS x\n";
    assert_eq!(
        picked(src, &item(src, "build"), true),
        "FROM alpine AS build\nFROM build AS x\n"
    );
    let src = "FROM alpine AS fe\nFROM alpine\nCOPY --from=|ghcr.io/astral-sh/uv:0.9.26 /uv /\n";
    assert_eq!(
        picked(src, &item(src, "fe"), true),
        "FROM alpine AS fe\nFROM alpine\nCOPY --from=fe /uv /\n"
    );
    // in a mount, up to the next option
    let src = "FROM alpine AS fe\nFROM alpine\nRUN --mount=from=|x/y:1,target=/t ls\n";
    assert_eq!(
        picked(src, &item(src, "fe"), true),
        "FROM alpine AS fe\nFROM alpine\nRUN --mount=from=fe,target=/t ls\n"
    );
}

// Finding 8: nothing before the `#` of a comment.
#[test]
fn nothing_at_the_start_of_a_comment_line() {
    assert!(labels("FROM a\n|# https://github.com/x\n").is_empty());
    assert!(labels("FROM a\n  |# note\n").is_empty());
    assert!(!labels("FROM a\n|\n# note\n").is_empty());
}

// Finding 9: `--mount=` in the command is the command's.
#[test]
fn a_mount_in_the_command_is_not_runs() {
    assert!(labels("FROM a\nRUN docker run --mount=type=|\n").is_empty());
    assert!(labels("FROM a\nRUN docker run --mount=type=bind,|\n").is_empty());
    assert!(labels("FROM a\nRUN --mount=type=|\n").contains(&"cache".to_string()));
}

// Finding 10: variables in the flag values BuildKit expands.
#[test]
fn variables_in_flag_values() {
    let vars = "FROM a\nARG APP_USER=u\n";
    for line in [
        "COPY --chown=$| a b",
        "COPY --chmod=$| a b",
        "ADD --checksum=$| a b",
        "RUN --mount=type=cache,target=$| ls",
        "RUN --mount=type=cache,id=nuget-$| ls",
    ] {
        let found = labels(&format!("{vars}{line}\n"));
        assert!(
            found.contains(&"$APP_USER".to_string()),
            "{line}: {found:?}"
        );
    }
    assert!(
        labels(&format!("{vars}COPY --chown=${{APP|}} a b\n")).contains(&"${APP_USER}".to_string())
    );
    // BuildKit does not expand --from
    assert!(labels(&format!("{vars}COPY --from=$| a b\n")).is_empty());
}

// Finding 11: nothing where nothing expands.
#[test]
fn no_variables_where_nothing_expands() {
    let vars = "FROM a\nENV A=1\n";
    for line in [
        "COPY <<'EOF' /x\n$|\nEOF",
        "COPY <<\"EOF\" /x\n$|\nEOF",
        "LABEL a='$|'",
        "RUN echo '$|",
        "RUN echo $$|",
    ] {
        assert!(labels(&format!("{vars}{line}\n")).is_empty(), "{line}");
    }
    for line in [
        "COPY <<EOF /x\n$|\nEOF",
        "RUN <<'EOF'\n$|\nEOF",
        "RUN echo \"it's $|\"",
    ] {
        assert!(
            labels(&format!("{vars}{line}\n")).contains(&"$A".to_string()),
            "{line}"
        );
    }
}

// Finding 12: an ENV wins over an ARG of its name.
#[test]
fn an_env_wins_over_an_arg_of_its_name() {
    let src = "FROM a\nENV TZ=UTC\nARG TZ=Europe/Paris\nRUN echo ${T|\n";
    assert_eq!(
        item(src, "${TZ}").detail.as_deref(),
        Some("ENV, line 2, value UTC")
    );
    // and the base image's ENV over an ARG
    let src = "FROM node:20\nARG NODE_VERSION=1\nRUN echo $|\n";
    assert!(item(src, "$NODE_VERSION")
        .detail
        .unwrap()
        .starts_with("from the base image"));
}

// Finding 13: every item has docs of its own.
#[test]
fn stages_variables_and_options_have_their_own_docs() {
    let docs_of = |src: &str, label: &str| {
        documentation(item(src, label).doc.as_deref().expect("a doc key")).expect("docs")
    };
    let stage = docs_of("FROM alpine AS build\nFROM |\n", "build");
    assert!(
        stage.contains("FROM alpine") && stage.contains("build"),
        "{stage}"
    );
    let var = docs_of("FROM a\nENV HOME_DIR=/h\nRUN echo $|\n", "$HOME_DIR");
    assert!(var.contains("/h") && var.contains("line 2"), "{var}");
    let target = docs_of("FROM a\nRUN --mount=type=cache,|\n", "target");
    let sharing = docs_of("FROM a\nRUN --mount=type=cache,|\n", "sharing");
    assert_ne!(target, sharing);
    let all = docs_of("# check=skip=|\n", "all");
    assert_ne!(Some(all), documentation("value:check:skip="));
}

// Finding 14: options and rules given already are not offered again.
#[test]
fn check_options_and_rules_given_are_not_offered_again() {
    let found = labels("# check=error=true;|\n");
    assert!(!found.iter().any(|l| l.starts_with("error")), "{found:?}");
    assert!(found.contains(&"skip=".to_string()), "{found:?}");
    let found = labels("# check=skip=JSONArgsRecommended,|\n");
    assert!(!found.contains(&"JSONArgsRecommended".to_string()));
    assert!(found.contains(&"all".to_string()));
    assert!(!labels("# check=skip=all,|\n").contains(&"all".to_string()));
    assert!(found.contains(&"StageNameCasing".to_string()));
    let found = labels("# check=skip=|,StageNameCasing\n");
    assert!(!found.contains(&"StageNameCasing".to_string()));
}

// Finding 15: with escape=` a backslash is an ordinary character.
#[test]
fn a_backslash_escapes_nothing_in_a_backtick_file() {
    let src = "# escape=`\nFROM a\nENV A=1\nWORKDIR C:\\$|\n";
    assert!(labels(src).contains(&"$A".to_string()));
    assert!(labels("# escape=`\nFROM a\nENV A=1\nWORKDIR `$|\n").is_empty());
}
