//! The project's profiling and fuzzing helpers, one program per command:
//! `cargo run -p devtools --release -- <program> [args]` (`list` names
//! them). The generated multi-stage files are the ones `benches/servers.rs`
//! measures (`benches/support/generated.rs`, shared, not copied).

#[path = "../../benches/support/generated.rs"]
mod generated;

mod fuzz;
mod incremental;
mod parsing;
mod serve;
mod timing;

use std::process::ExitCode;

/// A program: its name, its arguments, what it does, and its entry.
struct Program {
    name: &'static str,
    usage: &'static str,
    about: &'static str,
    run: fn(&[String]) -> Result<(), String>,
}

const PROGRAMS: &[Program] = &[
    Program {
        name: "analysis-timing",
        usage: "[STAGES]",
        about: "the analysis and the stage graph of a generated file (default 1,000 stages)",
        run: timing::analysis,
    },
    Program {
        name: "apply-timing",
        usage: "[STAGES]",
        about: "an incremental edit's apply and reparse, then the diagnostics (default 1,000 stages)",
        run: incremental::apply,
    },
    Program {
        name: "cursor-timing",
        usage: "[STAGES]",
        about: "ways of reading instructions' flags (default 1,000 stages)",
        run: timing::cursor,
    },
    Program {
        name: "diagnose-timing",
        usage: "[STAGES]",
        about: "what the server does per version: the analysis, then every rule (default 10,000 stages)",
        run: timing::diagnostics,
    },
    Program {
        name: "feature-timing",
        usage: "[STAGES]",
        about: "the whole-file features: outline, semantic tokens (default 10,000 stages)",
        run: timing::features,
    },
    Program {
        name: "memory",
        usage: "[STAGES]",
        about: "resident memory of the tree and of the analysis (default 10,000 stages)",
        run: timing::memory,
    },
    Program {
        name: "parse-log",
        usage: "FILE",
        about: "parser actions by kind, for tuning the grammar",
        run: parsing::log,
    },
    Program {
        name: "parse-loop",
        usage: "FILE [N]",
        about: "parses a file N times (default 200), for a profiler",
        run: parsing::parse_loop,
    },
    Program {
        name: "reuse-stats",
        usage: "[STAGES]",
        about: "what an incremental reparse does after a one-character edit (default 1,000 stages)",
        run: incremental::reuse,
    },
    Program {
        name: "rule-timing",
        usage: "[STAGES] [loop]",
        about: "each rule alone (default 1,000 stages); with `loop`, every rule 20 times and nothing else, for `perf record`",
        run: timing::rules,
    },
    Program {
        name: "token-stats",
        usage: "FILE",
        about: "the leaves of a parse by kind, for tuning the grammar",
        run: parsing::token_stats,
    },
    Program {
        name: "serve",
        usage: "",
        about: "the LSP server on stdio with the C library's allocator, for heap profilers (heaptrack)",
        run: serve::serve,
    },
    Program {
        name: "split",
        usage: "FILE",
        about: "the \"split into stages\" rewrite, reading the build context beside the file",
        run: parsing::split,
    },
    Program {
        name: "fuzz-replay",
        usage: "<parse|edits|features|transport> FILE",
        about: "replays one fuzz input through its check, with a backtrace on failure",
        run: fuzz::replay,
    },
    Program {
        name: "fuzz-seeds",
        usage: "",
        about: "seeds fuzz/corpus/<target>/ from ../shared/corpus (see fuzz/README.md)",
        run: fuzz::seeds,
    },
];

fn list() -> String {
    let mut out = String::from("usage: cargo run -p devtools --release -- <program> [args]\n");
    for p in PROGRAMS {
        out.push_str(&format!("  {} {}\n      {}\n", p.name, p.usage, p.about));
    }
    out
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(name) = args.first() else {
        eprint!("{}", list());
        return ExitCode::from(2);
    };
    if matches!(name.as_str(), "list" | "help" | "--help" | "-h") {
        print!("{}", list());
        return ExitCode::SUCCESS;
    }
    // `diagnose_timing` (the old example's name) is accepted too.
    let wanted = name.replace('_', "-");
    let Some(program) = PROGRAMS.iter().find(|p| p.name == wanted) else {
        eprint!("unknown program {name}\n{}", list());
        return ExitCode::from(2);
    };
    match (program.run)(&args[1..]) {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!(
                "{}: {why}\nusage: {} {}",
                program.name, program.name, program.usage
            );
            ExitCode::from(2)
        }
    }
}

/// The argument at `index` as a number, `default` when it is not given.
fn number(args: &[String], index: usize, default: usize) -> Result<usize, String> {
    match args.get(index) {
        None => Ok(default),
        Some(a) => a.parse().map_err(|_| format!("{a}: not a number")),
    }
}

/// The text of the file named by the argument at `index`.
fn file(args: &[String], index: usize) -> Result<(String, String), String> {
    let path = args.get(index).ok_or("FILE is missing")?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    Ok((path.clone(), text))
}
