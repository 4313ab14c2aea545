//! Errors that make BuildKit reject a Dockerfile, each checked against
//! BuildKit itself (`../shared/tools/buildkit-check`): the bad file must be
//! rejected and its minimal good twin accepted; we must report an error
//! with BuildKit's wording on the right line and on the offending text, and
//! none on the twin.

mod common;

use dockerfile_lsp::syntax;

/// (bad file, line of the error, message substring, offending text, good twin).
const CASES: &[(&str, usize, &str, &str, &str)] = &[
    (
        "FROM alpine\nCOPY --chwon=1000 . .\n",
        2,
        "unknown flag: --chwon (did you mean --chown?)",
        "--chwon=1000",
        "FROM alpine\nCOPY --chown=1000 . .\n",
    ),
    (
        "FROM alpine\nENV --foo a=b\n",
        2,
        "unknown flag: --foo",
        "--foo",
        "FROM alpine\nENV a=b\n",
    ),
    (
        "FROM alpine\nHEALTHCHECK --interval=5 CMD true\n",
        2,
        "time: missing unit in duration \"5\"",
        "5",
        "FROM alpine\nHEALTHCHECK --interval=5s CMD true\n",
    ),
    (
        "FROM alpine\nHEALTHCHECK --timeout=5x CMD true\n",
        2,
        "time: unknown unit \"x\" in duration \"5x\"",
        "5x",
        "FROM alpine\nHEALTHCHECK --timeout=5s CMD true\n",
    ),
    (
        "FROM alpine\nHEALTHCHECK --start-period=abc CMD true\n",
        2,
        "time: invalid duration \"abc\"",
        "abc",
        "FROM alpine\nHEALTHCHECK --start-period=1m30s CMD true\n",
    ),
    (
        "FROM alpine\nHEALTHCHECK --interval=1ns CMD true\n",
        2,
        "Interval \"interval\" cannot be less than 1ms",
        "1ns",
        "FROM alpine\nHEALTHCHECK --interval=1ms CMD true\n",
    ),
    (
        "FROM alpine\nHEALTHCHECK --retries=abc CMD true\n",
        2,
        "strconv.ParseInt: parsing \"abc\": invalid syntax",
        "abc",
        "FROM alpine\nHEALTHCHECK --retries=3 CMD true\n",
    ),
    (
        "FROM alpine\nHEALTHCHECK --retries=-1 CMD true\n",
        2,
        "--retries cannot be negative (-1)",
        "-1",
        "FROM alpine\nHEALTHCHECK --retries=0 CMD true\n",
    ),
    (
        "FROM alpine\nHEALTHCHECK\n",
        2,
        "HEALTHCHECK requires at least one argument",
        "HEALTHCHECK",
        "FROM alpine\nHEALTHCHECK NONE\n",
    ),
    (
        "FROM alpine\nADD --link=abc a b\n",
        2,
        "expecting boolean value for flag --link, not: abc",
        "abc",
        "FROM alpine\nADD --link=true a b\n",
    ),
    (
        "FROM alpine\nADD --keep-git-dir=x a b\n",
        2,
        "expecting boolean value for flag --keep-git-dir, not: x",
        "x",
        "FROM alpine\nADD --keep-git-dir=false a b\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=bogus true\n",
        2,
        "unsupported mount type \"bogus\"",
        "bogus",
        "FROM alpine\nRUN --mount=type=tmpfs,target=/x true\n",
    ),
    (
        "FROM alpine\nRUN --network=wifi true\n",
        2,
        "invalid network mode \"wifi\"",
        "wifi",
        "FROM alpine\nRUN --network=none true\n",
    ),
    (
        "FROM alpine\nEXPOSE 80/tcpx\n",
        2,
        "invalid proto: tcpx",
        "80/tcpx",
        "FROM alpine\nEXPOSE 80/tcp\n",
    ),
    (
        "FROM alpine\nONBUILD FROM x\n",
        2,
        "FROM isn't allowed as an ONBUILD trigger",
        "FROM",
        "FROM alpine\nONBUILD RUN x\n",
    ),
    (
        "FROM alpine\nONBUILD MAINTAINER x\n",
        2,
        "MAINTAINER isn't allowed as an ONBUILD trigger",
        "MAINTAINER",
        "FROM alpine\nONBUILD LABEL x=y\n",
    ),
    (
        "FROM alpine\nONBUILD ONBUILD RUN x\n",
        2,
        "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
        "ONBUILD",
        "FROM alpine\nONBUILD RUN x\n",
    ),
    (
        "FROM alpine\nSHELL /bin/bash -c\n",
        2,
        "SHELL requires the arguments to be in JSON form",
        "/bin/bash -c",
        "FROM alpine\nSHELL [\"/bin/bash\", \"-c\"]\n",
    ),
    (
        "FROM alpine\nCOPY onlyone\n",
        2,
        "COPY requires at least two arguments",
        "onlyone",
        "FROM alpine\nCOPY onlyone /dst\n",
    ),
    (
        "FROM alpine\nADD [\"onlyone\"]\n",
        2,
        "ADD requires at least two arguments",
        "[\"onlyone\"]",
        "FROM alpine\nADD [\"onlyone\", \"/dst\"]\n",
    ),
    (
        "FROM alpine\nENV\n",
        2,
        "ENV requires at least one argument",
        "ENV",
        "FROM alpine\nENV a=b\n",
    ),
    (
        "FROM alpine\nARG\n",
        2,
        "ARG requires at least one argument",
        "ARG",
        "FROM alpine\nARG a\n",
    ),
    (
        "FROM alpine\nLABEL\n",
        2,
        "LABEL requires at least one argument",
        "LABEL",
        "FROM alpine\nLABEL a=b\n",
    ),
    (
        "FROM alpine\nUSER\n",
        2,
        "USER requires exactly one argument",
        "USER",
        "FROM alpine\nUSER nobody\n",
    ),
    (
        "FROM alpine\nWORKDIR\n",
        2,
        "WORKDIR requires exactly one argument",
        "WORKDIR",
        "FROM alpine\nWORKDIR /app\n",
    ),
    (
        "FROM alpine\nSTOPSIGNAL\n",
        2,
        "STOPSIGNAL requires exactly one argument",
        "STOPSIGNAL",
        "FROM alpine\nSTOPSIGNAL SIGTERM\n",
    ),
    (
        "FROM alpine\nVOLUME\n",
        2,
        "VOLUME requires at least one argument",
        "VOLUME",
        "FROM alpine\nVOLUME /data\n",
    ),
    (
        "FROM alpine\nEXPOSE\n",
        2,
        "EXPOSE requires at least one argument",
        "EXPOSE",
        "FROM alpine\nEXPOSE 80\n",
    ),
    (
        "FROM alpine\nRUN --security=foo true\n",
        2,
        "security \"foo\" is not valid",
        "foo",
        "FROM alpine\nRUN --security=sandbox true\n",
    ),
    (
        "FROM alpine\nRUN --mount=target=/x,tagret=/y true\n",
        2,
        "unexpected key 'tagret' in 'tagret=/y' (did you mean target?)",
        "tagret=/y",
        "FROM alpine\nRUN --mount=target=/x,source=/y true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=cache,target=/x,sharing=x true\n",
        2,
        "unsupported sharing value \"x\"",
        "x",
        "FROM alpine\nRUN --mount=type=cache,target=/x,sharing=locked true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=cache,target=/x,mode=0999 true\n",
        2,
        "invalid value 0999 for mode",
        "0999",
        "FROM alpine\nRUN --mount=type=cache,target=/x,mode=0755 true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=cache,target=/x,uid=abc true\n",
        2,
        "invalid value abc for uid",
        "abc",
        "FROM alpine\nRUN --mount=type=cache,target=/x,uid=1000 true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=cache,target=/x,gid=-1 true\n",
        2,
        "invalid value -1 for gid",
        "-1",
        "FROM alpine\nRUN --mount=type=cache,target=/x,gid=0 true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=cache,target=/x,ro=x true\n",
        2,
        "invalid value for ro: x",
        "x",
        "FROM alpine\nRUN --mount=type=cache,target=/x,ro=true true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=cache,target=/x,required=true true\n",
        2,
        "unexpected key 'required' for mount type 'cache'",
        "required=true",
        "FROM alpine\nRUN --mount=type=secret,id=x,required=true true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=cache,target=/x,size=1m true\n",
        2,
        "unexpected key 'size' for mount type 'cache'",
        "size=1m",
        "FROM alpine\nRUN --mount=type=tmpfs,target=/x,size=1m true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=bind,target=/x,mode=0644 true\n",
        2,
        "mode not allowed for \"bind\" type mounts",
        "mode=0644",
        "FROM alpine\nRUN --mount=type=cache,target=/x,mode=0644 true\n",
    ),
    (
        "FROM alpine\nRUN --mount=uid=1000,type=tmpfs,target=/x true\n",
        2,
        "uid not allowed for \"tmpfs\" type mounts",
        "uid=1000",
        "FROM alpine\nRUN --mount=uid=1000,type=cache,target=/x true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=cache,target=/ true\n",
        2,
        "invalid mount target \"/\"",
        "/",
        "FROM alpine\nRUN --mount=type=cache,target=/root true\n",
    ),
    (
        "FROM alpine\nEXPOSE abc\n",
        2,
        "invalid containerPort: abc",
        "abc",
        "FROM alpine\nEXPOSE 8080\n",
    ),
    (
        "FROM alpine\nEXPOSE 80-70\n",
        2,
        "invalid containerPort: 80-70",
        "80-70",
        "FROM alpine\nEXPOSE 70-80\n",
    ),
    (
        "FROM alpine\nEXPOSE 99999/udp\n",
        2,
        "invalid containerPort: 99999",
        "99999/udp",
        "FROM alpine\nEXPOSE 65535/udp\n",
    ),
    (
        "FROM alpine\nVOLUME [\"/a\", \"\"]\n",
        2,
        "VOLUME specified can not be an empty string",
        "\"\"",
        "FROM alpine\nVOLUME [\"/a\", \"/b\"]\n",
    ),
    (
        "FROM alpine\nCOPY --chmod=8 a b\n",
        2,
        "invalid chmod parameter: '8'. it should be octal string and between 0 and 07777",
        "8",
        "FROM alpine\nCOPY --chmod=7 a b\n",
    ),
    (
        "FROM alpine\nADD --chmod=12345 a b\n",
        2,
        "invalid chmod parameter: '12345'",
        "12345",
        "FROM alpine\nADD --chmod=0755 a b\n",
    ),
    (
        "FROM alpine b\n",
        1,
        "FROM requires either one or three arguments",
        "FROM alpine b",
        "FROM alpine AS b\n",
    ),
    (
        "FROM\n",
        1,
        "FROM requires either one or three arguments",
        "FROM",
        "FROM alpine\n",
    ),
    (
        "RUN true\nFROM alpine\n",
        1,
        "no build stage in current context",
        "RUN",
        "ARG V=1\nFROM alpine\n",
    ),
    (
        "ARG V=1\n",
        1,
        "dockerfile contains no stages to build",
        "ARG",
        "ARG V=1\nFROM alpine\n",
    ),
];

#[test]
fn buildkit_errors_are_reported_where_buildkit_reports_them() {
    let dir = common::temp_dir("buildkit-errors");
    let mut failures = Vec::new();
    for (i, (bad, line, message, offending, good)) in CASES.iter().enumerate() {
        let bad_path = dir.join(format!("bad-{i}.Dockerfile"));
        let good_path = dir.join(format!("good-{i}.Dockerfile"));
        std::fs::write(&bad_path, bad).unwrap();
        std::fs::write(&good_path, good).unwrap();
        match common::buildkit_rejects(&bad_path) {
            None => failures.push(format!("{bad:?}: BuildKit accepts it")),
            Some((error, at)) => {
                if at.is_some_and(|l| l != *line) {
                    failures.push(format!("{bad:?}: BuildKit's error is on line {at:?}"));
                }
                if !error.contains(message.split(" (").next().unwrap()) {
                    failures.push(format!("{bad:?}: BuildKit says {error:?}"));
                }
            }
        }
        if let Some((error, _)) = common::buildkit_rejects(&good_path) {
            failures.push(format!("{good:?}: BuildKit rejects the twin: {error}"));
        }

        let tree = syntax::parse(bad);
        let errors = syntax::syntax_errors(&tree, *bad);
        let found = errors.iter().any(|e| {
            e.start.row + 1 == *line
                && e.message.contains(message)
                && &bad[e.start_byte..e.end_byte] == *offending
        });
        if !found {
            let got: Vec<String> = errors
                .iter()
                .map(|e| {
                    format!(
                        "{}: {} on {:?}",
                        e.start.row + 1,
                        e.message,
                        &bad[e.start_byte..e.end_byte]
                    )
                })
                .collect();
            failures.push(format!(
                "{bad:?}: expected {message:?} on {offending:?} (line {line}), got {got:?}"
            ));
        }
        let tree = syntax::parse(good);
        let errors = syntax::syntax_errors(&tree, *good);
        if !errors.is_empty() {
            failures.push(format!("{good:?}: false errors {errors:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn check_reports_the_same_errors() {
    let text = "FROM alpine\nCOPY --chwon=1000 . .\nRUN --network=wifi true\n";
    let tree = syntax::parse(text);
    let ours: Vec<String> = syntax::syntax_errors(&tree, text)
        .into_iter()
        .map(|e| e.message)
        .collect();
    assert_eq!(ours.len(), 2, "{ours:?}");
    let dir = common::temp_dir("buildkit-errors-cli");
    let path = dir.join("Dockerfile");
    std::fs::write(&path, text).unwrap();
    let (code, stdout, stderr) = common::run_cli(&["parse", "--quiet", path.to_str().unwrap()]);
    assert_ne!(code, 0, "{stdout}{stderr}");
    let all = format!("{stdout}{stderr}");
    for message in &ours {
        assert!(all.contains(message.as_str()), "{message} not in {all}");
    }
}
