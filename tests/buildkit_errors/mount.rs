//! `RUN --mount` types and options.

pub const CASES: &[super::Case] = &[
    // Keys without a value.
    (
        "FROM alpine\nRUN --mount=type=cache,target true\n",
        2,
        "invalid field 'target' must be a key=value pair",
        "target",
        "FROM alpine\nRUN --mount=type=cache,target=/x true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=cache,target=/x,required true\n",
        2,
        "unexpected key 'required' for mount type 'cache'",
        "required",
        "FROM alpine\nRUN --mount=type=secret,target=/x,required true\n",
    ),
    // Values.
    (
        "FROM alpine\nRUN --mount=type=tmpfs,target=/x,size=abc true\n",
        2,
        "invalid value for size: abc",
        "abc",
        "FROM alpine\nRUN --mount=type=tmpfs,target=/x,size=64m true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=ssh,required=x true\n",
        2,
        "invalid value for required: x",
        "x",
        "FROM alpine\nRUN --mount=type=ssh,required=true true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=bind,target=/x,rw=maybe true\n",
        2,
        "invalid value for rw: maybe",
        "maybe",
        "FROM alpine\nRUN --mount=type=bind,target=/x,rw=true true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=cache,target=/x,from=$X true\n",
        2,
        "'from' doesn't support variable expansion, define alias stage instead",
        "from=$X",
        "FROM alpine\nRUN --mount=type=cache,target=/x,source=$X true\n",
    ),
    // The mount as a whole (validateMount).
    (
        "FROM alpine\nRUN --mount=type=bind,target=/x,gid=0 true\n",
        2,
        "gid not allowed for \"bind\" type mounts",
        "gid=0",
        "FROM alpine\nRUN --mount=type=cache,target=/x,gid=0 true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=secret,id=x,from=y true\n",
        2,
        "secret mount should not have a from",
        "from=y",
        "FROM alpine\nRUN --mount=type=secret,id=x true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=secret,id=x,sharing=shared true\n",
        2,
        "secret mount should not define sharing",
        "sharing=shared",
        "FROM alpine\nRUN --mount=type=cache,id=x,target=/x,sharing=shared true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=secret true\n",
        2,
        "invalid secret mount. one of source, target required",
        "--mount=type=secret",
        "FROM alpine\nRUN --mount=type=secret,id=x true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=secret,id=x,source=y true\n",
        2,
        "both source and id can't be set",
        "source=y",
        "FROM alpine\nRUN --mount=type=secret,source=y true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=bind,target=/x,sharing=shared true\n",
        2,
        "invalid cache sharing set for bind mount",
        "sharing=shared",
        "FROM alpine\nRUN --mount=type=cache,target=/x,sharing=shared true\n",
    ),
    // The conversion: a relative target is joined to the working directory.
    (
        "FROM alpine\nWORKDIR /app\nRUN --mount=type=cache,target=.. true\n",
        3,
        "invalid mount target \"/\"",
        "..",
        "FROM alpine\nWORKDIR /app\nRUN --mount=type=cache,target=. true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=ssh,source=y true\n",
        2,
        "ssh does not support source",
        "source=y",
        "FROM alpine\nRUN --mount=type=ssh,id=y true\n",
    ),
    (
        "FROM alpine\nRUN --mount= true\n",
        2,
        "failed to parse csv mounts: EOF",
        "--mount=",
        "FROM alpine\nRUN --mount=type=tmpfs,target=/t true\n",
    ),
    (
        "FROM alpine\nRUN --mount=type=cache,,target=/x true\n",
        2,
        "invalid field '' must be a key=value pair",
        ",",
        "FROM alpine\nRUN --mount=type=cache,target=/x true\n",
    ),
    (
        "FROM alpine\nRUN --mount=,type=cache,target=/x true\n",
        2,
        "invalid field '' must be a key=value pair",
        "",
        "FROM alpine\nRUN --mount=type=cache,target=/x,ro true\n",
    ),
    (
        "FROM alpine AS base\nWORKDIR /app\nFROM scratch AS base\nFROM base\nRUN --mount=type=cache,target=. true\n",
        5,
        "invalid mount target \"/\"",
        ".",
        "FROM scratch AS base\nFROM alpine AS base\nWORKDIR /app\nFROM base\nRUN --mount=type=cache,target=. true\n",
    ),
];
