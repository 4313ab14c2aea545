//! FROM and stages: arguments, names, variables, the stage graph.

/// 64 hex digits, a sha256 digest's length.
macro_rules! hex64 {
    () => {
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    };
}

/// 50 letters of an image name.
macro_rules! x50 {
    () => {
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    };
}

pub const CASES: &[super::Case] = &[
    (
        "FROM alpine AS 1st\n",
        1,
        "invalid name for build stage: \"1st\", name can't start with a number or contain symbols",
        "1st",
        "FROM alpine AS first\n",
    ),
    (
        "FROM alpine AS build!\n",
        1,
        "invalid name for build stage: \"build!\"",
        "build!",
        "FROM alpine AS build\n",
    ),
    (
        "ARG NAME=build\nFROM alpine AS $NAME\n",
        2,
        "invalid name for build stage: \"$NAME\"",
        "$NAME",
        "ARG NAME=build\nFROM alpine AS build\n",
    ),
    (
        "FROM ${BASE}\n",
        1,
        "base name (${BASE}) should not be blank",
        "${BASE}",
        "FROM ${BASE:-alpine}\n",
    ),
    (
        "FROM alpine:$VERSION\n",
        1,
        "failed to parse stage name \"alpine:\": invalid reference format",
        "alpine:$VERSION",
        "ARG VERSION=3.20\nFROM alpine:$VERSION\n",
    ),
    (
        "FROM alpine:${VERSION:?required}\n",
        1,
        "failed to process \"alpine:${VERSION:?required}\": VERSION: required",
        "alpine:${VERSION:?required}",
        "ARG VERSION=3.20\nFROM alpine:${VERSION:?required}\n",
    ),
    (
        "FROM alpine:${VERSION?}\n",
        1,
        "failed to process \"alpine:${VERSION?}\": VERSION: is not allowed to be unset",
        "alpine:${VERSION?}",
        "ARG VERSION=3.20\nFROM alpine:${VERSION?}\n",
    ),
    (
        "FROM Alpine\n",
        1,
        "failed to parse stage name \"Alpine\": invalid reference format: repository name (library/Alpine) must be lowercase",
        "Alpine",
        "FROM alpine\n",
    ),
    (
        "FROM alpine AS base\nFROM Base\n",
        2,
        "failed to parse stage name \"Base\": invalid reference format: repository name (library/Base) must be lowercase",
        "Base",
        "FROM alpine AS base\nFROM base\n",
    ),
    (
        "FROM alpine:3:20\n",
        1,
        "failed to parse stage name \"alpine:3:20\": invalid reference format",
        "alpine:3:20",
        "FROM alpine:3.20\n",
    ),
    (
        concat!("FROM ", hex64!(), "\n"),
        1,
        "cannot specify 64-byte hexadecimal strings",
        hex64!(),
        concat!("FROM alpine@sha256:", hex64!(), "\n"),
    ),
    (
        "FROM alpine@sha256:0123456789abcdef0123456789abcdef\n",
        1,
        "failed to parse stage name \"alpine@sha256:0123456789abcdef0123456789abcdef\": invalid checksum digest length",
        "alpine@sha256:0123456789abcdef0123456789abcdef",
        concat!("FROM alpine@sha256:", hex64!(), "\n"),
    ),
    (
        concat!("FROM alpine@md5:", hex64!(), "\n"),
        1,
        "unsupported digest algorithm",
        concat!("alpine@md5:", hex64!()),
        concat!("FROM alpine@sha256:", hex64!(), "\n"),
    ),
    (
        "FROM alpine@sha256:0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF\n",
        1,
        "invalid checksum digest format",
        "alpine@sha256:0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
        concat!("FROM alpine@sha256:", hex64!(), "\n"),
    ),
    (
        "FROM --platform=$PLATFORM alpine\n",
        1,
        "empty platform value from expression $PLATFORM",
        "$PLATFORM",
        "FROM --platform=$BUILDPLATFORM alpine\n",
    ),
    (
        "FROM --platform=${PLATFORM:?unset} alpine\n",
        1,
        "failed to process arguments for platform : failed to process \"${PLATFORM:?unset}\": PLATFORM: unset",
        "${PLATFORM:?unset}",
        "FROM --platform=${PLATFORM:-linux/amd64} alpine\n",
    ),
    (
        "FROM --platform=amd46 alpine\n",
        1,
        "failed to parse platform amd46: \"amd46\": unknown operating system or architecture: invalid argument",
        "amd46",
        "FROM --platform=amd64 alpine\n",
    ),
    (
        "FROM --platform=linux/amd64,linux/arm64 alpine\n",
        1,
        "failed to parse platform linux/amd64,linux/arm64: \"amd64,linux\" is an invalid component of \"linux/amd64,linux/arm64\"",
        "linux/amd64,linux/arm64",
        "FROM --platform=linux/amd64 alpine\n",
    ),
    (
        "FROM --platform=linux/arm/v7/x alpine\n",
        1,
        "failed to parse platform linux/arm/v7/x: \"linux/arm/v7/x\": cannot parse platform specifier: invalid argument",
        "linux/arm/v7/x",
        "FROM --platform=linux/arm/v7 alpine\n",
    ),
    (
        "FROM alpine AS build\nCOPY --from=build /a /b\n",
        2,
        "circular dependency detected on stage: build",
        "build",
        "FROM alpine AS build\nFROM alpine\nCOPY --from=build /a /b\n",
    ),
    (
        "FROM alpine AS build\nRUN --mount=from=build,target=/src true\n",
        2,
        "circular dependency detected on stage: build",
        "build",
        "FROM alpine AS build\nFROM alpine\nRUN --mount=from=build,target=/src true\n",
    ),
    (
        "FROM alpine\nFROM alpine\nCOPY --from=1 /a /b\n",
        3,
        "circular dependency detected on stage: stage-1",
        "1",
        "FROM alpine\nFROM alpine\nCOPY --from=0 /a /b\n",
    ),
    (
        "FROM alpine AS a\nCOPY --from=b /x /x\nFROM alpine AS b\nCOPY --from=a /y /y\n",
        2,
        "circular dependency detected on stage: a",
        "b",
        "FROM alpine AS a\nFROM alpine AS b\nCOPY --from=a /y /y\n",
    ),
    (
        "FROM alpine AS Build\nCOPY --from=test /a /b\nFROM alpine AS test\n",
        2,
        "cannot copy from stage \"test\", it needs to be defined before current stage \"build\"",
        "test",
        "FROM alpine AS test\nFROM alpine AS Build\nCOPY --from=test /a /b\n",
    ),
    (
        "FROM alpine\nCOPY --from=1 /a /b\nFROM alpine\n",
        2,
        "cannot copy from stage \"1\", it needs to be defined before current stage \"stage-0\"",
        "1",
        "FROM alpine\nFROM alpine\nCOPY --from=0 /a /b\n",
    ),
    (
        "FROM alpine\nFROM alpine\nCOPY --from=2 /a /b\n",
        3,
        "invalid stage index 2",
        "2",
        "FROM alpine\nFROM alpine\nCOPY --from=0 /a /b\n",
    ),
    (
        "FROM alpine\nFROM alpine\nARG SRC=0\nCOPY --from=$SRC /a /b\n",
        4,
        "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround",
        "$SRC",
        "FROM alpine\nFROM alpine\nARG SRC=0\nCOPY --from=0 /a /b\n",
    ),
    (
        "FROM alpine\nCOPY --from=Busybox /bin/sh /sh\n",
        2,
        "failed to parse stage name \"Busybox\": invalid reference format: repository name (library/Busybox) must be lowercase",
        "Busybox",
        "FROM alpine\nCOPY --from=busybox /bin/sh /sh\n",
    ),
    (
        "FROM --platform=linux.x/amd64 alpine\n",
        1,
        "failed to parse platform linux.x/amd64: \"linux.x\" is an invalid OS component of \"linux.x/amd64\"",
        "linux.x/amd64",
        "FROM --platform=linux/amd64 alpine\n",
    ),
    (
        // `library/` and 250 letters: a path of 258 characters (247 make 255).
        concat!("FROM ", x50!(), x50!(), x50!(), x50!(), x50!(), "\n"),
        1,
        "repository name must not be more than 255 characters",
        concat!(x50!(), x50!(), x50!(), x50!(), x50!()),
        concat!("FROM ", x50!(), x50!(), x50!(), x50!(), "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"),
    ),
    (
        "FROM --platform=linux/* alpine\n",
        1,
        "failed to parse platform linux/*: \"linux/*\": wildcards not yet supported: invalid argument",
        "linux/*",
        "FROM --platform=linux alpine\n",
    ),
    (
        "FROM alpine AS scratch\nRUN --mount=type=cache,target=/cache true\n",
        2,
        "circular dependency detected on stage: scratch",
        "--mount=type=cache,target=/cache",
        "FROM alpine AS build\nRUN --mount=type=cache,target=/cache true\n",
    ),
    (
        "FROM alpine AS a\nRUN --mount=from=b,target=/m true\nFROM alpine AS b\n",
        2,
        "cannot mount from stage \"b\" to \"/m\", stage needs to be defined before current command",
        "b",
        "FROM alpine AS b\nFROM alpine AS a\nRUN --mount=from=b,target=/m true\n",
    ),
    (
        "FROM alpine AS a\nRUN x\nFROM ${NOPE\nRUN y\n",
        3,
        "failed to process \"${NOPE\": unsupported modifier (\u{FFFD}) in substitution",
        "${NOPE",
        "FROM alpine AS a\nRUN x\nFROM ${NOPE}alpine\nRUN y\n",
    ),
];
