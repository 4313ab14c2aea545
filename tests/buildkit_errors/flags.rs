//! Flags: unknown ones, labs-only ones, and every flag value BuildKit parses.

/// A valid sha256 digest (of nothing).
macro_rules! sha {
    () => {
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    };
}

pub const CASES: &[super::Case] = &[
    // Each instruction's parser registers its own flags: any other is
    // unknown (with BuildKit's suggestion when one is close).
    (
        "FROM --plaform=linux/amd64 alpine\n",
        1,
        "unknown flag: --plaform (did you mean --platform?)",
        "--plaform=linux/amd64",
        "FROM --platform=linux/amd64 alpine\n",
    ),
    (
        "FROM alpine\nRUN --netwrk=none true\n",
        2,
        "unknown flag: --netwrk (did you mean --network?)",
        "--netwrk=none",
        "FROM alpine\nRUN --network=none true\n",
    ),
    (
        "FROM alpine\nHEALTHCHECK --intervl=5s CMD true\n",
        2,
        "unknown flag: --intervl (did you mean --interval?)",
        "--intervl=5s",
        "FROM alpine\nHEALTHCHECK --interval=5s CMD true\n",
    ),
    (
        "FROM alpine\nADD --parents a/b c/\n",
        2,
        "unknown flag: --parents",
        "--parents",
        "FROM alpine\nCOPY --parents a/b c/\n",
    ),
    (
        concat!("FROM alpine\nCOPY --checksum=", sha!(), " https://example.com/a b\n"),
        2,
        "unknown flag: --checksum",
        concat!("--checksum=", sha!()),
        concat!("FROM alpine\nADD --checksum=", sha!(), " https://example.com/a b\n"),
    ),
    (
        "FROM alpine\nWORKDIR --parents /app\n",
        2,
        "unknown flag: --parents",
        "--parents",
        "FROM alpine\nWORKDIR /app\n",
    ),
    (
        "FROM alpine\nCMD --network=none [\"true\"]\n",
        2,
        "unknown flag: --network",
        "--network=none",
        "FROM alpine\nCMD [\"true\"]\n",
    ),
    // BuildKit's flag parser (instructions/bflag.go).
    (
        "FROM alpine\nCOPY --chown=1 --chown=2 a b\n",
        2,
        "duplicate flag specified: --chown",
        "--chown=2",
        "FROM alpine\nCOPY --chown=1 a b\n",
    ),
    (
        "FROM alpine\nCOPY --chown a b\n",
        2,
        "missing a value on flag: --chown",
        "--chown",
        "FROM alpine\nCOPY --chown=1 a b\n",
    ),
    (
        "FROM alpine\nCOPY --link= a b\n",
        2,
        "missing a value on flag: --link",
        "--link=",
        "FROM alpine\nCOPY --link a b\n",
    ),
    (
        "FROM alpine\nCOPY --exclude a b\n",
        2,
        "missing a value on flag: --exclude",
        "--exclude",
        "FROM alpine\nCOPY --exclude=*.md a b\n",
    ),
    // Labs only.
    (
        "FROM alpine\nRUN --device=/dev/fuse true\n",
        2,
        "device feature is only supported in Dockerfile frontend 1.14.0-labs or later",
        "--device=/dev/fuse",
        "FROM alpine\nRUN true\n",
    ),
    // HEALTHCHECK --retries is a 32-bit number.
    (
        "FROM alpine\nHEALTHCHECK --retries=2147483648 CMD true\n",
        2,
        "strconv.ParseInt: parsing \"2147483648\": value out of range",
        "2147483648",
        "FROM alpine\nHEALTHCHECK --retries=2147483647 CMD true\n",
    ),
    // --chmod: octal, or symbolic (BSD setmode).
    (
        "FROM alpine\nCOPY --chmod=u+q a b\n",
        2,
        "invalid syntax",
        "u+q",
        "FROM alpine\nCOPY --chmod=u+x a b\n",
    ),
    (
        "FROM alpine\nADD --chmod=7a a b\n",
        2,
        "invalid chmod parameter: '7a'. it should be octal string and between 0 and 07777",
        "7a",
        "FROM alpine\nADD --chmod=7 a b\n",
    ),
    // ADD --checksum: its source, its digest.
    (
        concat!("FROM alpine\nADD --checksum=", sha!(), " a b\n"),
        2,
        "checksum requires HTTP(S) or Git sources",
        sha!(),
        concat!("FROM alpine\nADD --checksum=", sha!(), " https://example.com/a b\n"),
    ),
    (
        concat!(
            "FROM alpine\nADD --checksum=",
            sha!(),
            " https://example.com/a https://example.com/b c/\n"
        ),
        2,
        "checksum can't be specified for multiple sources",
        sha!(),
        concat!("FROM alpine\nADD --checksum=", sha!(), " https://example.com/a c/\n"),
    ),
    (
        "FROM alpine\nADD --checksum=abc https://example.com/a b\n",
        2,
        "invalid checksum digest format",
        "abc",
        concat!("FROM alpine\nADD --checksum=", sha!(), " https://example.com/a b\n"),
    ),
    (
        "FROM alpine\nADD --checksum=sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855 https://example.com/a b\n",
        2,
        "invalid checksum digest format",
        "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        concat!("FROM alpine\nADD --checksum=", sha!(), " https://example.com/a b\n"),
    ),
    (
        "FROM alpine\nADD --checksum=sha256:abc https://example.com/a b\n",
        2,
        "invalid checksum digest length",
        "sha256:abc",
        concat!("FROM alpine\nADD --checksum=", sha!(), " https://example.com/a b\n"),
    ),
    (
        "FROM alpine\nADD --checksum=md5:d41d8cd98f00b204e9800998ecf8427e https://example.com/a b\n",
        2,
        "unsupported digest algorithm",
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        concat!("FROM alpine\nADD --checksum=", sha!(), " https://example.com/a b\n"),
    ),
    // ADD of a Git URL: its query, and the flags it must agree with.
    (
        "FROM alpine\nADD https://github.com/a/b.git?foo=bar /src\n",
        2,
        "unexpected query \"foo\"",
        "https://github.com/a/b.git?foo=bar",
        "FROM alpine\nADD https://github.com/a/b.git?ref=bar /src\n",
    ),
    (
        "FROM alpine\nADD https://github.com/a/b.git?ref=a&ref=b /src\n",
        2,
        "query \"ref\" has multiple values",
        "https://github.com/a/b.git?ref=a&ref=b",
        "FROM alpine\nADD https://github.com/a/b.git?ref=a /src\n",
    ),
    (
        "FROM alpine\nADD https://github.com/a/b.git?ref= /src\n",
        2,
        "query \"ref\" has no value",
        "https://github.com/a/b.git?ref=",
        "FROM alpine\nADD https://github.com/a/b.git?keep-git-dir= /src\n",
    ),
    (
        "FROM alpine\nADD https://github.com/a/b.git?keep-git-dir=yes /src\n",
        2,
        "invalid keep-git-dir value: \"yes\"",
        "https://github.com/a/b.git?keep-git-dir=yes",
        "FROM alpine\nADD https://github.com/a/b.git?keep-git-dir=true /src\n",
    ),
    (
        "FROM alpine\nADD https://github.com/a/b.git?submodules=no /src\n",
        2,
        "invalid submodules value: \"no\"",
        "https://github.com/a/b.git?submodules=no",
        "FROM alpine\nADD https://github.com/a/b.git?submodules=false /src\n",
    ),
    (
        "FROM alpine\nADD https://github.com/a/b.git?ref=dev#main /src\n",
        2,
        "ref conflicts: \"main\" vs \"dev\"",
        "https://github.com/a/b.git?ref=dev#main",
        "FROM alpine\nADD https://github.com/a/b.git?ref=main#main /src\n",
    ),
    (
        "FROM alpine\nADD https://github.com/a/b.git?tag=v1#main /src\n",
        2,
        "ref conflicts: \"main\" vs \"refs/tags/v1\"",
        "https://github.com/a/b.git?tag=v1#main",
        "FROM alpine\nADD https://github.com/a/b.git?tag=v1 /src\n",
    ),
    (
        "FROM alpine\nADD https://github.com/a/b.git?ref=main&branch=dev /src\n",
        2,
        "ref conflicts: \"main\" vs \"refs/heads/dev\"",
        "https://github.com/a/b.git?ref=main&branch=dev",
        "FROM alpine\nADD https://github.com/a/b.git?branch=dev /src\n",
    ),
    (
        "FROM alpine\nADD https://github.com/a/b.git?tag=v1&branch=dev /src\n",
        2,
        "branch conflicts with tag",
        "https://github.com/a/b.git?tag=v1&branch=dev",
        "FROM alpine\nADD https://github.com/a/b.git?tag=v1 /src\n",
    ),
    (
        "FROM alpine\nADD https://github.com/a/b.git?subdir=x#main:y /src\n",
        2,
        "subdir conflicts: \"y\" vs \"x\"",
        "https://github.com/a/b.git?subdir=x#main:y",
        "FROM alpine\nADD https://github.com/a/b.git?subdir=y#main:y /src\n",
    ),
    (
        "FROM alpine\nADD --keep-git-dir=false https://github.com/a/b.git?keep-git-dir /src\n",
        2,
        "inconsistent keep-git-dir configuration",
        "https://github.com/a/b.git?keep-git-dir",
        "FROM alpine\nADD --keep-git-dir=true https://github.com/a/b.git?keep-git-dir /src\n",
    ),
    (
        "FROM alpine\nADD --checksum=abc https://github.com/a/b.git?commit=def /src\n",
        2,
        "checksum mismatch \"abc\" != \"def\"",
        "https://github.com/a/b.git?commit=def",
        "FROM alpine\nADD --checksum=def https://github.com/a/b.git?commit=def /src\n",
    ),
];
