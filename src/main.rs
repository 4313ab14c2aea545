use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A language server for Dockerfiles that understands multi-stage builds.
///
/// Without a command, serves the Language Server Protocol on stdin/stdout
/// (logs go to stderr: warnings and errors only; set DOCKERFILE_LSP_LOG=info
/// or debug for more).
#[derive(Parser)]
#[command(name = "dockerfile-lsp", version, about)]
struct Cli {
    /// Serve LSP on stdin/stdout (the default; accepted because editors pass it).
    #[arg(long)]
    stdio: bool,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Check Dockerfiles with the server's diagnostics (for CI).
    Check {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// A build argument, as `docker build --build-arg` takes it.
        #[arg(long = "build-arg", value_name = "KEY=VALUE")]
        build_args: Vec<String>,
        /// Apply every mechanical fix to the files, then report what is left.
        #[arg(long)]
        fix: bool,
        /// Dockerfiles, or directories to search for them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Print the syntax tree of each file, or only its syntax errors.
    Parse {
        /// Print only `FILE:LINE:COL: syntax error: ...` lines.
        #[arg(long, short)]
        quiet: bool,
        /// Dockerfiles to parse.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
}

fn main() -> ExitCode {
    dockerfile_lsp::syntax::use_fast_allocator();
    let cli = Cli::parse();
    // Locked only for the subcommands: the server writes stdout through
    // tokio, which takes the same lock.
    let stdout = || std::io::stdout().lock();
    let stderr = || std::io::stderr().lock();
    let code = match cli.command {
        None => serve(),
        Some(Command::Parse { quiet, files }) => {
            dockerfile_lsp::cli::parse::run(&files, quiet, &mut stdout(), &mut stderr())
        }
        Some(Command::Check {
            format,
            build_args,
            fix,
            paths,
        }) => {
            use dockerfile_lsp::cli::check::{run, Format as F};
            let format = match format {
                Format::Human => F::Human,
                Format::Json => F::Json,
                Format::Sarif => F::Sarif,
            };
            run(
                &paths,
                format,
                &build_args,
                fix,
                &mut stdout(),
                &mut stderr(),
            )
        }
    };
    ExitCode::from(code as u8)
}

fn serve() -> i32 {
    // Warnings and errors only by default: editors (Helix among them) show
    // every stderr line of a server as an error.
    // A request or notification the server does not handle is answered
    // (-32601) or ignored as the specification says; tower-lsp also logs
    // each one as a warning or error, which is no fault: those lines are
    // left out unless DOCKERFILE_LSP_LOG names tower_lsp_server itself.
    let asked = std::env::var("DOCKERFILE_LSP_LOG").ok();
    let mut filter = asked
        .as_deref()
        .and_then(|f| tracing_subscriber::EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new("warn"));
    if !asked.is_some_and(|f| f.contains("tower_lsp_server")) {
        if let Ok(quiet) = "tower_lsp_server::server=off".parse() {
            filter = filter.add_directive(quiet);
        }
    }
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(filter)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("dockerfile-lsp: cannot start the async runtime: {e}");
            return 2;
        }
    };
    let code = runtime.block_on(dockerfile_lsp::server::serve_stdio());
    // Reading stdin blocks a runtime thread that only more input would
    // release: leave without waiting for it.
    runtime.shutdown_background();
    code
}
