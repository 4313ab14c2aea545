//! Replays one fuzz input through its check, with a backtrace on failure:
//! `cargo run --example fuzz_replay -- <parse|edits|features|transport> FILE`.
use dockerfile_lsp::robustness;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(target), Some(file)) = (args.next(), args.next()) else {
        eprintln!("usage: fuzz_replay <parse|edits|features|transport> FILE");
        std::process::exit(2);
    };
    let data = std::fs::read(&file).unwrap_or_else(|e| {
        eprintln!("{file}: {e}");
        std::process::exit(2);
    });
    match target.as_str() {
        "parse" => robustness::check_parse(&data),
        "edits" => robustness::check_edits(&data),
        "features" => robustness::check_features(&data),
        "transport" => robustness::check_transport(&data),
        other => {
            eprintln!("unknown target {other}");
            std::process::exit(2);
        }
    }
    println!("{file}: the check holds");
}
