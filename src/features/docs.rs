//! Documentation in our own words, as markdown, shared by hover and
//! completion: instruction keywords, flags and parser directives. The
//! server renders it as plain text for clients that do not take markdown.

pub const REFERENCE: &str = "https://docs.docker.com/reference/dockerfile/";

/// The docs of an instruction keyword (upper case).
pub fn keyword(keyword: &str) -> Option<String> {
    let text = match keyword {
        "FROM" => "Starts a build stage on a base image or an earlier stage. `AS name` names the stage for `COPY --from=`, `FROM <stage>` and `--target`.",
        "RUN" => "Runs a command in a new layer at build time. Shell form runs through the shell; exec form (a JSON array) runs the program directly. `--mount` gives it caches, secrets or files from other stages.",
        "CMD" => "The default command of a container (or the default arguments of the ENTRYPOINT). Only the last CMD counts.",
        "LABEL" => "Adds metadata to the image as `key=value` pairs.",
        "MAINTAINER" => "Deprecated: record the author with `LABEL org.opencontainers.image.authors=...` instead.",
        "EXPOSE" => "Documents the ports the container listens on (`80`, `443/tcp`, `53/udp`). It publishes nothing by itself.",
        "ENV" => "Sets environment variables for the following instructions and for the running container. Stages built `FROM` this one inherit them.",
        "ADD" => "Copies files, URLs or git repositories into the image and unpacks local archives. Prefer COPY for plain files.",
        "COPY" => "Copies files from the build context, or from another stage or image with `--from=`.",
        "ENTRYPOINT" => "The program the container runs; CMD supplies its default arguments. Exec form lets it receive signals.",
        "VOLUME" => "Declares mount points for volumes; changes made to them after the declaration are discarded at build time.",
        "USER" => "Sets the user (and group) for the following RUN, CMD and ENTRYPOINT instructions and for the container.",
        "WORKDIR" => "Sets the working directory for the following instructions, creating it if needed. Use an absolute path.",
        "ARG" => "Declares a build argument, set with `--build-arg`. An ARG before the first FROM is global: a stage sees it only after its own `ARG NAME`.",
        "ONBUILD" => "Registers an instruction to run when another build uses this image as its base.",
        "STOPSIGNAL" => "The signal that stops the container (default `SIGTERM`).",
        "HEALTHCHECK" => "How to check that the container still works (`CMD ...`), or `NONE` to disable an inherited check.",
        "SHELL" => "Changes the shell used by the shell form of RUN, CMD and ENTRYPOINT (a JSON array).",
        _ => return None,
    };
    Some(format!(
        "**{keyword}** — {text}\n\n[Dockerfile reference]({REFERENCE}#{})",
        keyword.to_ascii_lowercase()
    ))
}

/// The docs of a flag (without `--`) of an instruction (upper case).
pub fn flag(keyword: &str, flag: &str) -> Option<String> {
    let text = match (keyword, flag) {
        ("COPY" | "ADD", "from") => "Copy from an earlier stage (by name or index) or from an image instead of the build context.",
        ("COPY" | "ADD", "chown") => "Owner (`user:group`, names or ids) of the copied files.",
        ("COPY" | "ADD", "chmod") => "Permissions of the copied files, octal (`755`) or symbolic.",
        ("COPY" | "ADD", "link") => "Copy into an independent layer, so the layer is reused even when earlier layers change.",
        ("COPY" | "ADD", "parents") => "Keep the parent directories of the sources.",
        ("COPY" | "ADD", "exclude") => "Leave out the paths matching this pattern.",
        ("ADD", "checksum") => "Verify the downloaded file against this checksum (`sha256:...`).",
        ("ADD", "unpack") => "Whether to unpack an archive: local archives are unpacked by default, downloaded ones are not (`--unpack=true` unpacks a URL's archive).",
        ("ADD", "keep-git-dir") => "Keep the `.git` directory when adding a git repository.",
        ("FROM", "platform") => "The platform of the base image, such as `linux/amd64` or `$BUILDPLATFORM`.",
        ("RUN", "mount") => "Mounts for this command only: `type=cache` (a persistent cache), `type=secret` (a secret file or variable), `type=bind` (files from the context or another stage), `type=ssh`, `type=tmpfs`.",
        ("RUN", "network") => "The network of the command: `default`, `none` or `host`.",
        ("RUN", "security") => "`insecure` runs the command with elevated privileges (needs the entitlement).",
        ("HEALTHCHECK", "interval") => "Time between checks (default 30s).",
        ("HEALTHCHECK", "timeout") => "Time a check may take before it counts as failed (default 30s).",
        ("HEALTHCHECK", "start-period") => "Time the container gets to start before failures count (default 0s).",
        ("HEALTHCHECK", "start-interval") => "Time between checks during the start period (default 5s).",
        ("HEALTHCHECK", "retries") => "Consecutive failures before the container is unhealthy (default 3).",
        _ => return None,
    };
    let anchor = keyword.to_ascii_lowercase();
    Some(format!(
        "**--{flag}** ({keyword}) — {text}\n\n[Dockerfile reference]({REFERENCE}#{anchor})"
    ))
}

/// The docs of a parser directive (`syntax`, `escape`, `check`), lower case.
pub fn directive(name: &str) -> Option<String> {
    let text = match name {
        "syntax" => "The frontend that builds this file, an image reference such as `docker/dockerfile:1` (the latest 1.x). BuildKit pulls it before reading the rest of the file, so newer syntax works with an older engine.",
        "escape" => "The escape character of this file: `\\` (the default) or `` ` `` (usual on Windows, where `\\` separates paths). It continues lines and escapes characters.",
        "check" => "Configures the build checks: `skip=Rule1,Rule2` (or `skip=all`) turns checks off, `error=true` makes a failing check fail the build.",
        _ => return None,
    };
    Some(format!(
        "**# {name}=** — parser directive. {text} It counts only at the very top of the file, before any comment, blank line or instruction.\n\n[Dockerfile reference]({REFERENCE}#{name})"
    ))
}

/// A value offered for a flag, an instruction or a directive: its label,
/// a one-line detail and its docs (markdown).
pub struct Value {
    pub label: &'static str,
    pub detail: &'static str,
    pub doc: &'static str,
}

const fn v(label: &'static str, detail: &'static str, doc: &'static str) -> Value {
    Value { label, detail, doc }
}

const PLATFORMS: &[Value] = &[
    v("$BUILDPLATFORM", "the platform of the machine running the build", "The platform of the machine that runs the build. Use it on a stage that cross-compiles (Go, Rust, .NET with `-a $TARGETARCH`), so the compiler runs natively instead of under emulation, then copy its output into a stage for `$TARGETPLATFORM`."),
    v("$TARGETPLATFORM", "the platform being built (what FROM does anyway)", "The platform the build produces (`--platform` of `docker build`, or the machine's own). FROM already pulls the base for it, so BuildKit warns that writing it is redundant (RedundantTargetPlatform)."),
    v("linux/amd64", "x86-64 Linux (a constant pins the stage)", "64-bit x86 Linux. A constant platform pins the stage to one architecture in every build: BuildKit warns (FromPlatformFlagConstDisallowed) unless the stage's name says the platform (`AS build-amd64`)."),
    v("linux/arm64", "64-bit ARM Linux (a constant pins the stage)", "64-bit ARM Linux (`arm64/v8`): Apple silicon, AWS Graviton, Raspberry Pi with a 64-bit OS. A constant platform pins the stage in every build (FromPlatformFlagConstDisallowed)."),
    v("linux/arm/v7", "32-bit ARMv7 Linux (a constant pins the stage)", "32-bit ARMv7 Linux (hard float): older Raspberry Pi models and many boards with a 32-bit OS. A constant platform pins the stage in every build."),
    v("linux/arm/v6", "32-bit ARMv6 Linux (a constant pins the stage)", "32-bit ARMv6 Linux: Raspberry Pi 1 and Zero. A constant platform pins the stage in every build."),
    v("linux/386", "32-bit x86 Linux (a constant pins the stage)", "32-bit x86 Linux. A constant platform pins the stage in every build."),
    v("linux/ppc64le", "64-bit POWER little-endian Linux", "64-bit little-endian POWER Linux. A constant platform pins the stage in every build."),
    v("linux/s390x", "IBM Z Linux", "Linux on IBM Z mainframes. A constant platform pins the stage in every build."),
    v("linux/riscv64", "64-bit RISC-V Linux", "64-bit RISC-V Linux. A constant platform pins the stage in every build."),
    v("windows/amd64", "x86-64 Windows", "64-bit x86 Windows containers (a Windows build node is needed). A constant platform pins the stage in every build."),
];

const NETWORK: &[Value] = &[
    v("default", "network mode: the build's normal network", "The command gets the network every RUN gets (the default)."),
    v("none", "network mode: no network at all", "The command runs without any network: only the loopback interface. Good for steps that must not download anything (tests, builds from vendored sources)."),
    v("host", "network mode: the host's network (needs an entitlement)", "The command uses the host's network stack. The build must allow it (`--allow network.host`, and the builder must permit the entitlement)."),
];

const SECURITY: &[Value] = &[
    v("sandbox", "security mode: the normal sandbox (default)", "The command runs in the normal sandbox (the default)."),
    v("insecure", "security mode: privileged (needs an entitlement)", "The command runs with elevated privileges, as a privileged container would. The build must allow it (`--allow security.insecure`)."),
];

const CHMOD: &[Value] = &[
    v("755", "rwxr-xr-x: executables and directories", "Owner reads, writes and runs; group and others read and run (`rwxr-xr-x`): scripts, binaries and directories."),
    v("644", "rw-r--r--: ordinary files", "Owner reads and writes; group and others read (`rw-r--r--`): configuration and data files."),
    v("0755", "rwxr-xr-x, written with a leading 0", "The same as `755` (`rwxr-xr-x`), the leading `0` marking octal."),
    v("0644", "rw-r--r--, written with a leading 0", "The same as `644` (`rw-r--r--`), the leading `0` marking octal."),
    v("700", "rwx------: only the owner", "Only the owner reads, writes and runs (`rwx------`): private scripts and directories."),
    v("600", "rw-------: secrets only the owner reads", "Only the owner reads and writes (`rw-------`): keys and credentials (better kept out of the image with a secret mount)."),
    v("555", "r-xr-xr-x: read-only executables", "Everyone reads and runs, nobody writes (`r-xr-xr-x`)."),
    v("444", "r--r--r--: read-only files", "Everyone reads, nobody writes (`r--r--r--`)."),
    v("775", "rwxrwxr-x: shared with the group", "Owner and group read, write and run; others read and run (`rwxrwxr-x`): directories a group of users writes to."),
    v("u+x", "symbolic: add execute for the owner", "Symbolic mode: adds execute permission for the owner and keeps the rest (needs a recent frontend; octal works everywhere)."),
];

const SIGNALS: &[Value] = &[
    v("SIGTERM", "terminate (the default): graceful shutdown", "The default: the polite request to stop. Most servers shut down gracefully on it."),
    v("SIGINT", "interrupt, as Ctrl-C", "The interrupt signal (Ctrl-C). Some programs shut down cleanly only on it (many Node.js and Python apps)."),
    v("SIGQUIT", "quit: nginx's graceful shutdown", "Quit. nginx finishes the requests it is serving and stops (its official image uses it); other programs may dump core."),
    v("SIGWINCH", "window change: Apache httpd's graceful stop", "Apache httpd stops gracefully on it (its official image uses it). Most other programs ignore it, so the container would be killed after the timeout."),
    v("SIGHUP", "hang up: often reload, not stop", "Hang up. Many daemons reload their configuration on it instead of stopping: check the program before using it to stop."),
    v("SIGUSR1", "user-defined 1", "A signal with no fixed meaning; use it when the program documents it as its shutdown signal."),
    v("SIGUSR2", "user-defined 2", "A signal with no fixed meaning; use it when the program documents it as its shutdown signal."),
    v("SIGKILL", "kill: immediate, cannot be caught", "Kills the process at once: it cannot clean up, flush or finish requests. Rarely what a stop signal should be."),
    v("SIGRTMIN+3", "systemd's shutdown signal", "systemd (as PID 1 in a container) halts on it."),
];

const SHELLS: &[Value] = &[
    v("[\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]", "bash that fails a pipe when any command in it fails", "Runs shell-form commands with bash and `pipefail`: `curl ... | tar x` fails when `curl` does, not only when `tar` does (hadolint DL4006). The image needs bash."),
    v("[\"/bin/bash\", \"-c\"]", "bash", "Runs shell-form commands with bash (arrays, `[[ ]]`, `source`...). The image needs bash (Debian and Ubuntu have it, Alpine does not)."),
    v("[\"/bin/sh\", \"-c\"]", "the POSIX shell (the Linux default)", "The default on Linux: `/bin/sh -c`."),
    v("[\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]", "BusyBox ash (Alpine) with pipefail", "Alpine's BusyBox shell with `-e` and `pipefail`: the Alpine way to fail a pipe when any command in it fails."),
    v("[\"powershell\", \"-Command\"]", "Windows PowerShell", "Runs shell-form commands with Windows PowerShell (Windows images). Add `\"$ErrorActionPreference = 'Stop';\"` to stop on errors."),
    v("[\"pwsh\", \"-Command\"]", "PowerShell 7", "Runs shell-form commands with PowerShell 7 (`pwsh`), on Windows or Linux images that have it."),
    v("[\"cmd\", \"/S\", \"/C\"]", "the Windows command prompt (the Windows default)", "The default on Windows: `cmd /S /C`."),
];

const SYNTAX: &[Value] = &[
    v("docker/dockerfile:1", "the latest stable 1.x frontend", "Docker's Dockerfile frontend, the newest 1.x release: new stable features without breaking changes. The usual choice."),
    v("docker/dockerfile:1-labs", "the latest 1.x with experimental (labs) features", "The newest 1.x frontend with the labs features (`RUN --device`, `COPY --exclude` before it was stable...). Those may change between releases."),
    v("docker/dockerfile-upstream:master", "the frontend built from BuildKit's main branch", "The frontend built from BuildKit's development branch: unreleased changes, for testing only."),
];

const ESCAPE: &[Value] = &[
    v("\\", "backslash (the default)", "The backslash, the default escape character: `\\` at the end of a line continues it."),
    v("`", "backtick, for Windows paths", "The backtick: Windows Dockerfiles use it so that the backslash can separate paths (C:\\app). A backtick at the end of a line then continues it."),
];

const CHECK_OPTIONS: &[Value] = &[
    v("skip=", "turn checks off: skip=Rule1,Rule2 or skip=all", "Names the checks not to run, separated by commas (`skip=JSONArgsRecommended,StageNameCasing`), or `skip=all`."),
    v("error=true", "a failing check fails the build", "Makes the build fail when a check finds something (they only warn by default)."),
    v("error=false", "checks only warn (the default)", "Checks report warnings and the build goes on (the default)."),
    v("experimental=", "turn experimental checks on: experimental=all", "Runs experimental checks, named with commas or `experimental=all` (InvalidDefinitionDescription is one)."),
];

const MOUNT_TYPES: &[Value] = &[
    v("bind", "mount type: files of the context or another stage (read-only)", "Mounts files from the build context (or `from=` a stage or image) for this command only, read-only unless `rw`; nothing of it stays in the layer."),
    v("cache", "mount type: a cache kept between builds", "A directory kept between builds (package manager and compiler caches): `target=/root/.cache/pip`. Its content is not part of the image."),
    v("tmpfs", "mount type: an empty in-memory directory", "An empty directory in memory for this command only."),
    v("secret", "mount type: a secret file or variable", "A secret passed with `docker build --secret id=...`, as a file (`target=`, default `/run/secrets/<id>`) or an environment variable (`env=`). It never stays in a layer."),
    v("ssh", "mount type: the SSH agent socket", "Forwards the SSH agent of `docker build --ssh default` for this command (git clone over SSH)."),
];

const HEALTHCHECK: &[Value] = &[
    v("CMD", "the check command: exit 0 healthy, 1 unhealthy", "The command that checks the container, in shell or exec form: exit status 0 means healthy, 1 unhealthy. The image must have the program it runs (`curl` is missing from many slim images)."),
    v("NONE", "turn off the base image's health check", "Disables any health check inherited from the base image."),
];

const DURATIONS: &[Value] = &[
    v(
        "30s",
        "30 seconds (the default interval and timeout)",
        "Thirty seconds, the default of `--interval` and `--timeout`.",
    ),
    v("10s", "10 seconds", "Ten seconds."),
    v(
        "5s",
        "5 seconds (the default start interval)",
        "Five seconds, the default of `--start-interval`.",
    ),
    v(
        "1m",
        "1 minute",
        "One minute (durations take `ms`, `s`, `m` and `h`: `1m30s`).",
    ),
];

const ARGS: &[Value] = &[
    v("BUILDPLATFORM", "predefined: the platform of the machine building", "Predefined by BuildKit: the platform of the machine running the build (`linux/amd64`)."),
    v("BUILDOS", "predefined: the OS of the machine building", "Predefined by BuildKit: the OS part of `BUILDPLATFORM` (`linux`)."),
    v("BUILDARCH", "predefined: the architecture of the machine building", "Predefined by BuildKit: the architecture part of `BUILDPLATFORM` (`amd64`)."),
    v("BUILDVARIANT", "predefined: the variant of the machine building", "Predefined by BuildKit: the variant part of `BUILDPLATFORM` (`v7` on `linux/arm/v7`, often empty)."),
    v("TARGETPLATFORM", "predefined: the platform being built", "Predefined by BuildKit: the platform the build produces (`linux/arm64`)."),
    v("TARGETOS", "predefined: the OS being built for", "Predefined by BuildKit: the OS part of `TARGETPLATFORM` (`linux`), as `GOOS` wants it."),
    v("TARGETARCH", "predefined: the architecture being built for", "Predefined by BuildKit: the architecture part of `TARGETPLATFORM` (`amd64`, `arm64`), as `GOARCH` wants it."),
    v("TARGETVARIANT", "predefined: the variant being built for", "Predefined by BuildKit: the variant part of `TARGETPLATFORM` (`v7` on `linux/arm/v7`, often empty)."),
    v("TARGETSTAGE", "predefined: the stage being built", "Predefined by BuildKit: the name of the target stage of the build."),
    v("PATH", "the search path of commands (always set)", "The directories searched for commands. The build always has it (from the base image, or a default), so `ENV PATH=/app/bin:$PATH` adds to it."),
];

/// The values known for a kind of place: `platform`, `network`,
/// `security`, `chmod`, `signal`, `shell`, `syntax`, `escape`, `check`,
/// `mount-type`, `healthcheck`, `duration`, `arg` (predefined arguments
/// and PATH).
pub fn values(what: &str) -> &'static [Value] {
    match what {
        "platform" => PLATFORMS,
        "network" => NETWORK,
        "security" => SECURITY,
        "chmod" => CHMOD,
        "signal" => SIGNALS,
        "shell" => SHELLS,
        "syntax" => SYNTAX,
        "escape" => ESCAPE,
        "check" => CHECK_OPTIONS,
        "mount-type" => MOUNT_TYPES,
        "healthcheck" => HEALTHCHECK,
        "duration" => DURATIONS,
        "arg" => ARGS,
        _ => &[],
    }
}

/// The docs of one value (see [`values`]), or of a check (`rule`, by code).
pub fn value(what: &str, label: &str) -> Option<String> {
    if what == "rule" {
        let rule = crate::rules::find(label)?;
        return Some(format!(
            "**{}** — {}.\n\n`# check=skip={}` turns it off for this file.",
            rule.code, rule.summary, rule.code
        ));
    }
    let found = values(what).iter().find(|v| v.label == label)?;
    // (a backtick cannot sit in a code span of our markdown)
    if found.label.contains('`') {
        return Some(format!("{} — {}", found.label, found.doc));
    }
    Some(format!("`{}` — {}", found.label, found.doc))
}
