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
