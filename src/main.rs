use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A language server for Dockerfiles that understands multi-stage builds.
#[derive(Parser)]
#[command(name = "dockerfile-lsp", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    dockerfile_lsp::syntax::use_fast_allocator();
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Parse { quiet, files } => dockerfile_lsp::cli::parse::run(
            &files,
            quiet,
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
        ),
    };
    ExitCode::from(code as u8)
}
