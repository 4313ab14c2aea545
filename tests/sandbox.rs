//! The server never runs a program and never touches the network: no
//! source file under `src/` names the standard library's or tokio's
//! process and network modules. (Files are read only next to an opened
//! Dockerfile and up to its workspace folder: `tests/lsp_rules.rs`.)

mod common;

use std::path::Path;

#[test]
fn the_sources_neither_spawn_programs_nor_open_sockets() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let forbidden = [
        "std::process::Command",
        "process::Command",
        "std::net",
        "tokio::net",
        "tokio::process",
        "TcpStream",
        "UdpSocket",
    ];
    let files = common::files_under(&src);
    assert!(files.len() > 20, "the sources are there");
    for file in files {
        let text = common::read(&file);
        for name in forbidden {
            assert!(
                !text.contains(name),
                "{} names {name}",
                file.strip_prefix(&src).unwrap().display()
            );
        }
    }
}
