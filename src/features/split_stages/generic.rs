//! The build/runner split of the other toolchains (JVM, .NET, native):
//! the runtime image and what the CMD or `dotnet publish -o` names.

use super::*;

pub const GENERIC_TITLE: &str = "Split into build and runner stages";

/// Whether a command builds with a toolchain the split has no deps stage
/// for (Node, Go, Python and Rust have their own): the JVM's, .NET's and
/// the native ones (make, cmake, gcc, zig...), as the command model reads
/// them.
pub(super) fn builds_generically(c: &Command) -> bool {
    commands::step(c).is_some_and(|s| {
        s.action == Action::Build
            && matches!(
                s.ecosystem(),
                Ecosystem::Jvm | Ecosystem::Dotnet | Ecosystem::Other
            )
    })
}

/// The runtime image for a toolchain image, where there is a well-known
/// one (the JRE for a JDK, ASP.NET for the .NET SDK); else the original.
pub(super) fn runtime_image(image: &str) -> String {
    // a digest names the SDK's own image: no runtime can be derived
    if image.contains('@') {
        return image.to_string();
    }
    let (repo, tag) = image.split_once(':').unwrap_or((image, ""));
    let alpine = if tag.ends_with("-alpine") {
        "-alpine"
    } else {
        ""
    };
    let jdk = |version: &str| {
        let digits: String = version.chars().take_while(char::is_ascii_digit).collect();
        (!digits.is_empty()).then(|| format!("eclipse-temurin:{digits}-jre{alpine}"))
    };
    let mapped = match repo {
        "maven" => tag.split_once("eclipse-temurin-").and_then(|(_, v)| jdk(v)),
        "gradle" => tag.split_once("-jdk").and_then(|(_, v)| jdk(v)),
        "eclipse-temurin" => tag
            .contains("-jdk")
            .then(|| format!("{repo}:{}", tag.replacen("-jdk", "-jre", 1))),
        // `8.0`, `9.0-alpine`, `10.0-noble`: the runtime has the same tag;
        // an SDK version (`10.0.302`) or an -aot tag has no runtime twin
        "mcr.microsoft.com/dotnet/sdk" => {
            let (version, variant) = tag.split_once('-').unwrap_or((tag, ""));
            let two_part = version.split('.').count() == 2
                && version
                    .split('.')
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            (two_part && !variant.contains("aot"))
                .then(|| format!("mcr.microsoft.com/dotnet/aspnet:{tag}"))
        }
        _ => None,
    };
    mapped.unwrap_or_else(|| image.to_string())
}

/// The directory `dotnet publish -o <dir>` writes to.
pub(super) fn publish_dir(c: &Command) -> Option<String> {
    let i = commands::invocation(c)?;
    if i.tool != Tool::Dotnet || i.subcommand() != Some("publish") {
        return None;
    }
    i.output().map(str::to_string)
}

/// Another stack's build/runner split: the build stage runs everything the
/// original did; the runner starts from the runtime image (the original
/// base unless a well-known runtime exists) and gets only what the CMD or
/// ENTRYPOINT runs (or what `dotnet publish -o` wrote), copied by path.
pub(super) fn generic(
    stage: Node,
    from: Node,
    items: &[Item],
    scripts: &[Option<Script>],
    trailing_comments: &[Node],
    source: &dyn Source,
) -> Result<Split, NotOffered> {
    let text = |n: Node| source.text(n.byte_range()).into_owned();
    let first_build = scripts.iter().position(|s| {
        s.as_ref()
            .is_some_and(|s| s.commands.iter().any(builds_generically))
    })
    .ok_or_else(|| {
        let seen = recognised_steps(scripts);
        NotOffered::new(if seen.is_empty() {
            "no step is one the split recognises as a dependency install or a build (npm, yarn and pnpm installs, pip install -r, go build, cargo build, mvn, gradle, dotnet publish, make, cmake...)".to_string()
        } else {
            format!(
                "no step is a dependency install or a build the split can move into stages of its own: {}",
                seen.join("; ")
            )
        })
    })?;
    let runs: String = items
        .iter()
        .filter(|i| i.node.kind() == "run_instruction")
        .map(|i| text(i.node))
        .collect();
    // The WORKDIR in effect at each item.
    let mut dir = "/".to_string();
    let mut dirs = Vec::new();
    for item in items {
        if item.node.kind() == "workdir_instruction" {
            if let Some(v) = item.node.child_by_field_name("value") {
                dir = absolute(&dir, &logical_text(v, source));
            }
        }
        dirs.push(dir.clone());
    }
    // What the runner needs from the build.
    let mut outputs: Vec<String> = Vec::new();
    for (i, script) in scripts.iter().enumerate() {
        for c in script.iter().flat_map(|s| &s.commands) {
            outputs.extend(publish_dir(c).map(|d| absolute(&dirs[i], &d)));
        }
    }
    // an output whose contents a RUN copies elsewhere
    // (`cp -a /app/publish/. /app/`) is at that place too
    let mut moved: Vec<(String, String)> = Vec::new();
    for (i, script) in scripts.iter().enumerate() {
        for c in script.iter().flat_map(|s| &s.commands) {
            if !matches!(c.name.as_str(), "cp" | "mv") {
                continue;
            }
            let ops: Vec<&str> = c.operands().collect();
            let [sources @ .., dest] = ops.as_slice() else {
                continue;
            };
            let dest = absolute(&dirs[i], dest);
            for src in sources {
                let Some(inside) = src.strip_suffix("/.").or_else(|| src.strip_suffix("/*")) else {
                    continue;
                };
                let src = absolute(&dirs[i], inside);
                if outputs.contains(&src) && !dest.contains('$') && dest != src {
                    moved.push((src, dest.clone()));
                }
            }
        }
    }
    // and what the CMD/ENTRYPOINT runs, when those do not hold it
    {
        let mut published = outputs.clone();
        published.extend(moved.iter().map(|(_, d)| d.clone()));
        let covered = |p: &str| {
            published
                .iter()
                .any(|o| p == o || p.starts_with(&format!("{}/", o.trim_end_matches('/'))))
        };
        for (i, item) in items.iter().enumerate() {
            if !matches!(
                item.node.kind(),
                "cmd_instruction" | "entrypoint_instruction"
            ) {
                continue;
            }
            for word in command_words(&source.text(item.node.byte_range())) {
                let artifact = [".jar", ".war", ".dll", ".exe", ".bin"]
                    .iter()
                    .any(|e| word.ends_with(e));
                if word.chars().any(char::is_whitespace) {
                    continue; // a shell command line, not a path
                }
                let built = if word.starts_with('/') {
                    // named by the build, or in one of the app's folders
                    runs.contains(&word)
                        || dirs
                            .iter()
                            .any(|d| d != "/" && word.starts_with(&format!("{d}/")))
                } else {
                    !word.starts_with(['-', '$']) && (word.contains('/') || artifact)
                };
                let mut path = absolute(&dirs[i], &word);
                // a launcher in an app folder's bin/ (Gradle's installDist,
                // build/install/app/bin/app) needs the folder: lib/ beside it
                if let Some((folder, _)) = path.rsplit_once("/bin/") {
                    // (an app folder under /usr/src is one: `/usr/src/app/build/install/ad`)
                    let installed = folder.contains("/build/install/");
                    if !folder.is_empty()
                        && (installed || !system_dir(folder))
                        && folder != "/usr/local"
                    {
                        path = folder.to_string();
                    }
                }
                if built
                    && !word.contains(['*', '?', '$'])
                    && !covered(&path)
                    && !outputs.contains(&path)
                {
                    outputs.push(path);
                }
            }
        }
    }
    outputs.dedup();
    if outputs.is_empty() {
        return Err(NotOffered::new(
            "what the build makes is unknown: no step names its output folder, and the CMD/ENTRYPOINT names no built file the runner could copy",
        ));
    }

    let frame = Frame::of(stage, from, source);
    let mut runtime = runtime_image(&frame.image);
    // The Alpine ASP.NET images run in globalization-invariant mode and
    // have no ICU: an app that turns the mode off needs ICU, which the SDK
    // image has. Unless the file installs ICU itself, the runner keeps
    // the original image rather than fail at start.
    let text_of = |kind: &str| {
        items
            .iter()
            .filter(|i| i.node.kind() == kind)
            .map(|i| source.text(i.node.byte_range()).to_ascii_lowercase())
            .collect::<Vec<_>>()
    };
    let needs_icu = text_of("env_instruction").iter().any(|t| {
        t.contains("dotnet_system_globalization_invariant=false")
            || t.contains("dotnet_system_globalization_invariant=0")
            || t.contains("dotnet_system_globalization_invariant false")
    });
    let installs_icu = text_of("run_instruction").iter().any(|t| t.contains("icu"));
    let icu_kept =
        needs_icu && !installs_icu && runtime.contains("-alpine") && runtime != frame.image;
    if icu_kept {
        runtime = frame.image.clone();
    }
    let same_base = runtime == frame.image;
    let first_workdir = items
        .iter()
        .position(|i| i.node.kind() == "workdir_instruction");
    let mut out = frame.prefix.clone();
    out.push_str("# Build with the whole toolchain.\n");
    out.push_str(&frame.stage_line("build"));
    // What follows the last step that touches files is for the runner only.
    let last_step = items
        .iter()
        .rposition(|i| {
            matches!(
                i.node.kind(),
                "run_instruction" | "copy_instruction" | "add_instruction"
            )
        })
        .unwrap_or(0);
    for item in &items[..=last_step] {
        if !matches!(
            item.node.kind(),
            "run_instruction"
                | "copy_instruction"
                | "add_instruction"
                | "env_instruction"
                | "arg_instruction"
                | "workdir_instruction"
                | "shell_instruction"
        ) {
            continue;
        }
        push_item(&mut out, item, source);
    }
    if same_base && icu_kept {
        out.push_str("\n# The image that ships: what the build made. It stays on the SDK image: the\n# app turns globalization-invariant mode off and needs ICU, which the Alpine\n# ASP.NET image lacks (install icu-libs to ship on it).\n");
    } else if same_base {
        out.push_str("\n# The image that ships: what the build made, on the same image (no smaller\n# runtime image is known for it).\n");
    } else {
        out.push_str("\n# The image that ships: what the build made, without the toolchain.\n");
    }
    if same_base {
        out.push_str(&frame.stage_line("runner"));
    } else {
        out.push_str(&frame.line_on(&runtime, "runner"));
    }
    if let Some(i) = first_workdir {
        push_item(&mut out, &items[i], source);
    }
    // OS packages set up before the build are runtime libraries too
    let setup = |i: usize| {
        i < first_build && same_base && scripts[i].as_ref().is_some_and(sets_up_the_system)
    };
    let last_build_at = scripts
        .iter()
        .rposition(|s| {
            s.as_ref()
                .is_some_and(|s| s.commands.iter().any(builds_generically))
        })
        .unwrap_or(first_build);
    // an ARG before the build is replayed only when the runner reads it
    // (`ARG TARGETARCH` for `dotnet publish -a` is the build's alone)
    let read_by_runner = |i: usize| {
        let names: Vec<String> = assignments(items[i].node, source)
            .into_iter()
            .map(|(n, _)| n)
            .chain(items[i].node.child_by_field_name("name").map(&text))
            .collect();
        let mut c = items[i].node.walk();
        let declared: Vec<String> = items[i]
            .node
            .named_children(&mut c)
            .map(&text)
            .map(|t| t.split('=').next().unwrap_or_default().trim().to_string())
            .chain(names)
            .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .collect();
        declared.iter().any(|name| {
            items.iter().enumerate().any(|(j, other)| {
                j != i
                    && (other.node.kind() == "env_instruction" || setup(j) || j > last_build_at)
                    && {
                        let t = text(other.node);
                        t.contains(&format!("${name}")) || t.contains(&format!("${{{name}"))
                    }
            })
        })
    };
    for (i, item) in items.iter().enumerate() {
        let arg = item.node.kind() == "arg_instruction";
        if setup(i)
            || (arg && i < first_build && read_by_runner(i))
            || item.node.kind() == "env_instruction" && i < first_build
        {
            out.push_str(&text(item.node));
            out.push('\n');
        }
    }
    for output in &outputs {
        out.push_str(&format!("COPY --from=build {output} {output}\n"));
    }
    for (src, dest) in &moved {
        out.push_str(&format!("COPY --from=build {src}/ {dest}/\n"));
    }
    // the folders the build's RUNs made (`mkdir -p /var/log/app`), with
    // the owner they were given there
    let mut made: Vec<String> = Vec::new();
    for (i, script) in scripts.iter().enumerate() {
        for c in script.iter().flat_map(|s| &s.commands) {
            for d in made_dirs(c) {
                if d.contains('$') {
                    continue;
                }
                let d = absolute(&dirs[i], &d);
                let covered = d == "/"
                    || system_dir(&d)
                    || outputs
                        .iter()
                        .any(|o| d == *o || d.starts_with(&format!("{o}/")))
                    || dirs
                        .iter()
                        .any(|w| *w == d || w.starts_with(&format!("{d}/")));
                if !covered && !made.contains(&d) {
                    made.push(d);
                }
            }
        }
    }
    for d in &made {
        out.push_str(&format!("COPY --from=build {d} {d}\n"));
    }
    let mut user_added = items.iter().any(|i| i.node.kind() == "user_instruction");
    // steps after the last build that set up what the app runs with: OS
    // packages (ICU, procps), files from the context or a URL (an agent
    // jar); the runtime image has a shell and the base's package manager
    let last_build = scripts.iter().rposition(|s| {
        s.as_ref()
            .is_some_and(|s| s.commands.iter().any(builds_generically))
    });
    let runtime_step = |i: usize| {
        let node = items[i].node;
        last_build.is_some_and(|b| i > b)
            && match node.kind() {
                "run_instruction" => scripts[i].as_ref().is_some_and(sets_up_the_system),
                // a file from an image (`COPY --from=ghcr.io/grpc-health-probe
                // /probe /bin/probe`: a single stage has no other to name)
                "copy_instruction" | "add_instruction" => {
                    !views::flags(node, source).iter().any(|f| {
                        source
                            .text(f.node.byte_range())
                            .strip_prefix("--from=")
                            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit()))
                    })
                }
                _ => false,
            }
    };
    for (i, item) in items.iter().enumerate() {
        let kind = item.node.kind();
        let runner = match kind {
            "run_instruction" | "copy_instruction" | "add_instruction" => runtime_step(i),
            "arg_instruction" | "env_instruction" => i >= first_build,
            "workdir_instruction" => Some(i) != first_workdir,
            _ => true,
        };
        if !runner {
            continue;
        }
        if !user_added && matches!(kind, "cmd_instruction" | "entrypoint_instruction") {
            push_user(&mut out, frame.user(), low_port(items, source).as_deref());
            user_added = true;
        }
        push_item(&mut out, item, source);
    }
    if !user_added {
        push_user(&mut out, frame.user(), low_port(items, source).as_deref());
    }
    for c in trailing_comments {
        out.push_str(&text(*c));
        out.push('\n');
    }
    Ok(Split {
        title: GENERIC_TITLE.to_string(),
        text: out,
        config: None,
    })
}

/// The steps of known tools that are not what the split separates, each
/// with why (`cargo install wasm-pack`: a tool, not the app's dependencies).
pub(super) fn recognised_steps(scripts: &[Option<Script>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in scripts.iter().flatten().flat_map(|s| &s.commands) {
        let Some(i) = commands::invocation(c) else {
            continue;
        };
        if i.tool.is_os_package_manager() {
            continue;
        }
        let mut words = vec![c.name.clone()];
        words.extend(c.args.iter().take(4).cloned());
        if c.args.len() > 4 {
            words.push("...".to_string());
        }
        let shown = words.join(" ");
        let why = match (i.tool, i.action) {
            (Tool::Cargo | Tool::Go, Action::Install) => {
                "installs a tool, not the app's dependencies from its manifest".to_string()
            }
            (Tool::Npm | Tool::Yarn | Tool::Pnpm, Action::Install) if !i.packages().is_empty() => {
                "installs named packages, not the app's from its manifest".to_string()
            }
            (Tool::Pip, Action::Install) if !i.has_flag(&["-r", "--requirement"]) => {
                if i.packages()
                    .iter()
                    .any(|p| p.starts_with('.') || p.starts_with('/'))
                {
                    "installs the project with its dependencies (from its pyproject.toml or setup.py): there is no requirements file a deps stage could install before the sources are copied".to_string()
                } else {
                    "installs named packages, not the app's from a requirements file".to_string()
                }
            }
            (
                Tool::Bun
                | Tool::Uv
                | Tool::Poetry
                | Tool::Pipenv
                | Tool::Bundler
                | Tool::Composer
                | Tool::Gem
                | Tool::Pipx,
                Action::Install,
            ) => {
                format!("a {} install, for which the split has no deps stage (it has npm, yarn, pnpm, pip -r and go mod download)", c.name)
            }
            (_, Action::Build) => format!("a {} build the split has no runner for", c.name),
            _ => continue,
        };
        let entry = format!("`{shown}`: {why}");
        if !out.contains(&entry) {
            out.push(entry);
        }
    }
    out
}
