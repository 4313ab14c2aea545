//! Parses a file many times (for profiling): `cargo run --release --example parse_loop FILE N`.
fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("FILE");
    let n: usize = args.next().map_or(200, |n| n.parse().unwrap());
    let text = std::fs::read_to_string(path).unwrap();
    let mut parser = dockerfile_lsp::syntax::parser();
    let start = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(parser.parse(&text, None).unwrap());
    }
    println!("{:?} per parse", start.elapsed() / n as u32);
}
