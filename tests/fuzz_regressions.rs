//! The fuzz targets' checks (`dockerfile_lsp::robustness`) on every corpus
//! file, on every reproducer the fuzzers found (`fuzz/regressions/<target>/`,
//! kept after the fix), and on a few thousand pseudo-random inputs, so CI
//! runs them without cargo-fuzz.

mod common;

use std::path::Path;

use dockerfile_lsp::robustness::{check_edits, check_features, check_parse, check_transport, seed};

/// Runs a check; on failure the input is saved under
/// `target/fuzz-failures/` (to replay and to keep as a reproducer).
fn run(target: &str, check: fn(&[u8]), input: &[u8]) {
    if let Err(panic) = std::panic::catch_unwind(|| check(input)) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-failures");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{target}-{:016x}", fxhash(input)));
        std::fs::write(&path, input).unwrap();
        eprintln!("input saved to {}", path.display());
        std::panic::resume_unwind(panic);
    }
}

fn fxhash(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn corpus() -> Vec<String> {
    let dir = common::shared_dir().join("corpus");
    let files: Vec<String> = common::files_under(&dir)
        .iter()
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.contains("Dockerfile") || name.contains("dockerfile")
        })
        .map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned())
        .collect();
    assert!(files.len() > 20, "the corpus has its Dockerfiles");
    files
}

fn regressions(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    common::files_under(&dir)
        .iter()
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

/// Deterministic pseudo-random byte strings, biased towards
/// Dockerfile text by splicing corpus lines in.
fn random_inputs(count: usize, corpus: &[String]) -> Vec<Vec<u8>> {
    let mut rng = common::Rng(0x9E37_79B9_7F4A_7C15);
    let mut next = move || rng.next();
    let lines: Vec<&str> = corpus.iter().flat_map(|f| f.lines()).collect();
    (0..count)
        .map(|_| {
            let mut out = Vec::new();
            for _ in 0..(next() % 24) {
                match next() % 3 {
                    0 => out.extend((0..next() % 8).map(|_| next() as u8)),
                    _ => {
                        out.extend_from_slice(lines[(next() as usize) % lines.len()].as_bytes());
                        out.push(b'\n');
                    }
                }
            }
            out
        })
        .collect()
}

#[test]
fn parse_check_holds() {
    let corpus = corpus();
    for text in &corpus {
        run("parse", check_parse, text.as_bytes());
    }
    for input in regressions("parse")
        .iter()
        .chain(&random_inputs(1500, &corpus))
    {
        run("parse", check_parse, input);
    }
}

#[test]
fn edits_check_holds() {
    let corpus = corpus();
    for (i, text) in corpus.iter().enumerate() {
        let choices: Vec<u8> = (0..96).map(|k| (k * 37 + i * 11) as u8).collect();
        run("edits", check_edits, &seed(text, &choices));
    }
    for input in regressions("edits")
        .iter()
        .chain(&random_inputs(300, &corpus))
    {
        run("edits", check_edits, input);
    }
}

#[test]
fn features_check_holds() {
    let corpus = corpus();
    for (i, text) in corpus.iter().enumerate() {
        let choices: Vec<u8> = (0..64).map(|k| (k * 53 + i * 7) as u8).collect();
        run("features", check_features, &seed(text, &choices));
    }
    for input in regressions("features")
        .iter()
        .chain(&random_inputs(600, &corpus))
    {
        run("features", check_features, input);
    }
}

#[test]
fn transport_check_holds() {
    let mut inputs = regressions("transport");
    inputs.push(b"Content-Length: 2\r\n\r\n{}Content-Length: 99999999999\r\n\r\n".to_vec());
    inputs.push(b"Content-Length: 67108865\r\n\r\nshort".to_vec());
    inputs.push(b"\r\n\r\n\r\nX: y\r\n\r\n{}".to_vec());
    for input in inputs.iter().chain(&random_inputs(500, &corpus())) {
        run("transport", check_transport, input);
    }
}

#[test]
fn the_framing_passes_messages_through_and_names_bad_frames() {
    let frames = dockerfile_lsp::transport::frames(
        b"Content-Length: 2\r\n\r\n{}X-Other: 1\r\n\r\nContent-Length: abc\r\n\r\nContent-Length: 3\r\n\r\n[1]Content-Length: 10\r\n\r\ncut",
    );
    assert_eq!(
        frames,
        [
            Ok(b"{}".to_vec()),
            Err("missing Content-Length header".into()),
            Err("invalid Content-Length \"abc\"".into()),
            Ok(b"[1]".to_vec()),
        ]
    );
}
