//! The language server as the binary runs it, but on the C library's
//! allocator for both Rust and tree-sitter (the binary puts both on
//! mimalloc, which heap profilers do not see), so a heap profiler can say
//! where the memory goes:
//!
//! ```sh
//! cargo build -p devtools --release
//! printf '#!/bin/sh\nexec heaptrack -o /tmp/lsp-heap %s serve\n' \
//!     "$CARGO_TARGET_DIR/release/devtools" > /tmp/heap-server && chmod +x /tmp/heap-server
//! cargo bench --bench servers -- --sizes 10000 --iterations 3 --server /tmp/heap-server
//! heaptrack_print /tmp/lsp-heap.*.zst | less    # "PEAK MEMORY CONSUMERS"
//! ```

/// Serves LSP on stdin/stdout until the client exits.
pub fn serve(_args: &[String]) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let code = runtime.block_on(dockerfile_lsp::server::serve_stdio());
    // as the binary does: reading stdin blocks a thread only more input frees
    runtime.shutdown_background();
    match code {
        0 => Ok(()),
        code => Err(format!("exit code {code}")),
    }
}
