//! Seeds the fuzz corpora from `../shared/corpus`:
//! `cargo run --example fuzz_seeds` writes `fuzz/corpus/<target>/`
//! (see fuzz/README.md).
use std::path::Path;

use dockerfile_lsp::robustness::seed;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/corpus");
    let mut files = Vec::new();
    let mut stack = vec![shared.clone()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (../shared must sit beside the project)",
                dir.display()
            )
        });
        for entry in entries {
            let path = entry.expect("a directory entry").path();
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
        std::fs::create_dir_all(out.join(target)).expect("the corpus directory");
    }
    for (i, path) in files.iter().enumerate() {
        let text =
            String::from_utf8_lossy(&std::fs::read(path).expect("a corpus file")).into_owned();
        let choices: Vec<u8> = (0..64u32).map(|k| (k * 31 + i as u32 * 17) as u8).collect();
        let write = |target: &str, data: &[u8]| {
            std::fs::write(out.join(target).join(format!("seed-{i:03}")), data).expect("a seed");
        };
        write("parse", text.as_bytes());
        write("edits", &seed(&text, &choices));
        write("features", &seed(&text, &choices));
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
        write("transport", &stream);
    }
    println!("{} seeds per target in {}", files.len(), out.display());
}
