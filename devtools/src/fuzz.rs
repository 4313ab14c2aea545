//! The fuzz crate's helpers: one input replayed through its check, and the
//! corpora seeded from the shared Dockerfile corpus.

use std::path::{Path, PathBuf};

use dockerfile_lsp::robustness::{self, seed};

/// Runs one input through the check of its target; a broken invariant
/// panics with the check's message (and a backtrace with RUST_BACKTRACE=1).
pub fn replay(args: &[String]) -> Result<(), String> {
    let (Some(target), Some(file)) = (args.first(), args.get(1)) else {
        return Err("a target and a FILE are needed".into());
    };
    let check: fn(&[u8]) = match target.as_str() {
        "parse" => robustness::check_parse,
        "edits" => robustness::check_edits,
        "features" => robustness::check_features,
        "transport" => robustness::check_transport,
        other => return Err(format!("unknown target {other}")),
    };
    let data = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    check(&data);
    println!("{file}: the check holds");
    Ok(())
}

/// The repository's root (this crate sits in `devtools/`).
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("devtools/ sits in the repository")
}

/// Writes `fuzz/corpus/<target>/seed-NNN`, one per Dockerfile of
/// `../shared/corpus`.
pub fn seeds(_: &[String]) -> Result<(), String> {
    let root = root();
    let shared = root.join("../shared/corpus");
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![shared];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| {
            format!(
                "{}: {e} (../shared must sit beside the project)",
                dir.display()
            )
        })?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().to_lowercase().contains("dockerfile") {
                files.push(path);
            }
        }
    }
    files.sort();
    let out = root.join("fuzz/corpus");
    for target in ["parse", "edits", "features", "transport"] {
        std::fs::create_dir_all(out.join(target)).map_err(|e| e.to_string())?;
    }
    for (i, path) in files.iter().enumerate() {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let choices: Vec<u8> = (0..64u32).map(|k| (k * 31 + i as u32 * 17) as u8).collect();
        let write = |target: &str, data: &[u8]| {
            let file = out.join(target).join(format!("seed-{i:03}"));
            std::fs::write(&file, data).map_err(|e| format!("{}: {e}", file.display()))
        };
        write("parse", text.as_bytes())?;
        write("edits", &seed(&text, &choices))?;
        write("features", &seed(&text, &choices))?;
        let open = serde_json::json!({
            "jsonrpc": "2.0", "method": "textDocument/didOpen",
            "params": { "textDocument": { "uri": "file:///Dockerfile", "languageId": "dockerfile", "version": 1, "text": text } }
        })
        .to_string();
        let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#;
        let mut stream = Vec::new();
        for body in [init, open.as_str()] {
            stream.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
            stream.extend_from_slice(body.as_bytes());
        }
        write("transport", &stream)?;
    }
    println!("{} seeds per target in {}", files.len(), out.display());
    Ok(())
}
