//! Framing in front of tower-lsp-server.
//!
//! tower-lsp-server stops reading for good after one message it cannot
//! decode, which would end the session on a single malformed message. This
//! proxy frames stdin itself: a well-formed message is passed on unchanged;
//! a frame without a usable `Content-Length`, or whose body is not JSON, is
//! answered with a JSON-RPC parse error (-32700, id null) and skipped. One
//! writer task owns stdout, so the server's frames and ours never interleave.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
    DuplexStream,
};
use tokio::sync::mpsc;

/// A message body larger than this is refused (and skipped) rather than
/// buffered.
pub const MAX_MESSAGE: usize = 64 << 20;

/// How long an `exit` waits for the reply to a `shutdown` sent before it.
pub const SHUTDOWN_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// The `shutdown` request as the client sent it, and its reply.
#[derive(Default)]
struct Shutdown {
    requested: AtomicBool,
    /// The id of the `shutdown` request not answered yet.
    pending: std::sync::Mutex<Option<Value>>,
    answered: tokio::sync::Notify,
}

impl Shutdown {
    fn pending(&self) -> std::sync::MutexGuard<'_, Option<Value>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Runs `serve` on a clean message stream built from `input`, writing its
/// output and the proxy's own error replies to `output`. Returns whether the
/// client sent a `shutdown` request.
///
/// A client may send `exit` right after `shutdown` without waiting for the
/// reply (Helix does). The server stops on `exit` and cancels what is still
/// running, so `exit` is held here until the `shutdown` reply has been
/// forwarded (for at most [`SHUTDOWN_WAIT`]), and whether `shutdown` came is
/// read here, in the order the client sent it.
pub async fn serve_framed<F, Fut>(
    input: impl AsyncRead + Unpin + Send + 'static,
    output: impl AsyncWrite + Unpin + Send + 'static,
    serve: F,
) -> bool
where
    F: FnOnce(DuplexStream, DuplexStream) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (server_in, proxy_in) = tokio::io::duplex(1 << 16);
    let (proxy_out, server_out) = tokio::io::duplex(1 << 16);
    // `None` in the queue: everything the server wrote has been queued.
    let (frames, queue) = mpsc::unbounded_channel::<Option<Vec<u8>>>();

    let writer = tokio::spawn(write_frames(output, queue));
    let shutdown = Arc::new(Shutdown::default());
    let forwarder = tokio::spawn(forward_server_output(
        server_out,
        frames.clone(),
        shutdown.clone(),
    ));
    tokio::spawn(read_client_input(
        input,
        proxy_in,
        frames.clone(),
        shutdown.clone(),
    ));

    serve(server_in, proxy_out).await;
    // The server's side is closed: forward what is left, then stop writing.
    let limit = std::time::Duration::from_secs(2);
    let _ = tokio::time::timeout(limit, forwarder).await;
    let _ = frames.send(None);
    let _ = tokio::time::timeout(limit, writer).await;
    shutdown.requested.load(Ordering::SeqCst)
}

async fn write_frames(
    mut output: impl AsyncWrite + Unpin,
    mut queue: mpsc::UnboundedReceiver<Option<Vec<u8>>>,
) {
    while let Some(Some(frame)) = queue.recv().await {
        if output.write_all(&frame).await.is_err() || output.flush().await.is_err() {
            return;
        }
    }
}

async fn forward_server_output(
    from_server: DuplexStream,
    frames: mpsc::UnboundedSender<Option<Vec<u8>>>,
    shutdown: Arc<Shutdown>,
) {
    let mut reader = BufReader::new(from_server);
    while let Ok(Some(Frame::Message(body))) = read_frame(&mut reader).await {
        if frames.send(Some(frame(&body))).is_err() {
            return;
        }
        let mut pending = shutdown.pending();
        if let Some(id) = pending.as_ref() {
            let reply = serde_json::from_slice::<Value>(&body).ok();
            if reply.is_some_and(|r| r.get("method").is_none() && r.get("id") == Some(id)) {
                *pending = None;
                shutdown.answered.notify_waiters();
            }
        }
    }
}

async fn read_client_input(
    input: impl AsyncRead + Unpin,
    mut to_server: DuplexStream,
    frames: mpsc::UnboundedSender<Option<Vec<u8>>>,
    shutdown: Arc<Shutdown>,
) {
    let mut reader = BufReader::new(input);
    loop {
        match read_frame(&mut reader).await {
            Ok(Some(Frame::Message(body))) => {
                if let Ok(message) = serde_json::from_slice::<Value>(&body) {
                    match (&message["method"], message.get("id")) {
                        (method, Some(id)) if method == "shutdown" => {
                            shutdown.requested.store(true, Ordering::SeqCst);
                            *shutdown.pending() = Some(id.clone());
                        }
                        (method, None) if method == "exit" => {
                            // Registered before looking, so a reply
                            // forwarded in between still wakes it.
                            let answered = shutdown.answered.notified();
                            tokio::pin!(answered);
                            answered.as_mut().enable();
                            let waiting = shutdown.pending().is_some();
                            if waiting {
                                let _ = tokio::time::timeout(SHUTDOWN_WAIT, answered).await;
                            }
                        }
                        _ => {}
                    }
                    if to_server.write_all(&frame(&body)).await.is_err() {
                        return;
                    }
                } else {
                    tracing::warn!("skipping a message that is not JSON");
                    let _ = frames.send(Some(parse_error("the message is not valid JSON")));
                }
            }
            Ok(Some(Frame::Invalid(why))) => {
                tracing::warn!("skipping a malformed frame: {why}");
                let _ = frames.send(Some(parse_error(&why)));
            }
            Ok(None) | Err(_) => return, // end of input: closing `to_server` ends the session
        }
    }
}

enum Frame {
    Message(Vec<u8>),
    Invalid(String),
}

/// Reads one frame: headers up to an empty line, then the body.
async fn read_frame(reader: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Option<Frame>> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(None);
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(
                    value
                        .trim()
                        .parse::<usize>()
                        .map_err(|_| format!("invalid Content-Length {:?}", value.trim())),
                );
            }
        }
    }
    let length = match length {
        None => return Ok(Some(Frame::Invalid("missing Content-Length header".into()))),
        Some(Err(why)) => return Ok(Some(Frame::Invalid(why))),
        Some(Ok(n)) => n,
    };
    if length > MAX_MESSAGE {
        // Skip the body to stay in step with the stream.
        let skipped =
            tokio::io::copy(&mut reader.take(length as u64), &mut tokio::io::sink()).await?;
        if skipped < length as u64 {
            return Ok(None);
        }
        return Ok(Some(Frame::Invalid(format!(
            "message of {length} bytes exceeds the limit of {MAX_MESSAGE}"
        ))));
    }
    // Read as the bytes arrive: a header announcing a large body does not
    // allocate it up front.
    let mut body = Vec::new();
    reader.take(length as u64).read_to_end(&mut body).await?;
    if body.len() < length {
        return Ok(None); // the stream ended inside the body
    }
    Ok(Some(Frame::Message(body)))
}

/// The frames of a whole byte stream, in order: a message's body, or why
/// the frame was skipped (for the fuzz target and tests; the server reads
/// the same way from stdin).
pub fn frames(mut input: &[u8]) -> Vec<Result<Vec<u8>, String>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime starts");
    runtime.block_on(async {
        let mut out = Vec::new();
        while let Ok(Some(frame)) = read_frame(&mut input).await {
            out.push(match frame {
                Frame::Message(body) => Ok(body),
                Frame::Invalid(why) => Err(why),
            });
        }
        out
    })
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn parse_error(why: &str) -> Vec<u8> {
    let reply = json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": -32700, "message": format!("parse error: {why}") },
    });
    frame(&serde_json::to_vec(&reply).expect("a JSON value serializes"))
}
