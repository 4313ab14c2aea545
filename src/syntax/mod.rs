//! Parsing and typed access to the syntax tree.
//!
//! This is the only module that knows the grammar's node kinds and field
//! names; everything above asks it.

mod buildkit_dump;
mod errors;
pub mod ids;
mod print;
mod text;
mod validate;
pub mod views;

pub use buildkit_dump::{buildkit_dump, escape_char};
pub use errors::{stage_checks, syntax_errors, syntax_errors_with, SyntaxError};
pub use print::print_tree;
pub use text::logical_text;
pub use validate::{accepted_flags, image_reference_error};

/// Build arguments BuildKit defines in every stage: the platform ones,
/// then the proxy ones.
pub const PREDEFINED_ARGS: &[&str] = &[
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "TARGETSTAGE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "FTP_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
];

/// The predefined arguments a FROM line sees: the platform ones (never
/// the proxy ones).
pub const FROM_PREDEFINED_ARGS: &[&str] = PREDEFINED_ARGS.split_at(9).0;

use std::borrow::Cow;
use std::ops::Range;

use tree_sitter::{Language, Parser, Tree};

/// Text that syntax helpers can read by byte range: a `str` or a rope.
pub trait Source {
    fn text(&self, range: Range<usize>) -> Cow<'_, str>;
    /// The byte offset where the line holding `offset` starts.
    fn line_start(&self, offset: usize) -> usize;
    /// The byte at an offset, if the text is that long.
    fn byte_at(&self, offset: usize) -> Option<u8>;

    /// The length of the line break at `offset`: 2 for `\r\n`, 1 for `\n`
    /// or `\r`, 0 when none starts there.
    fn line_break_at(&self, offset: usize) -> usize {
        match (self.byte_at(offset), self.byte_at(offset + 1)) {
            (Some(b'\r'), Some(b'\n')) => 2,
            (Some(b'\n' | b'\r'), _) => 1,
            _ => 0,
        }
    }
}

impl Source for str {
    fn text(&self, range: Range<usize>) -> Cow<'_, str> {
        Cow::Borrowed(&self[range])
    }
    fn line_start(&self, offset: usize) -> usize {
        crate::document::position::line_start(self, offset)
    }
    fn byte_at(&self, offset: usize) -> Option<u8> {
        self.as_bytes().get(offset).copied()
    }
}

/// Lets a `&str` be used as `&dyn Source` (pass `&text`).
impl Source for &str {
    fn text(&self, range: Range<usize>) -> Cow<'_, str> {
        Cow::Borrowed(&self[range])
    }
    fn line_start(&self, offset: usize) -> usize {
        (**self).line_start(offset)
    }
    fn byte_at(&self, offset: usize) -> Option<u8> {
        (**self).byte_at(offset)
    }
}

impl Source for ropey::Rope {
    fn text(&self, range: Range<usize>) -> Cow<'_, str> {
        self.byte_slice(range).into()
    }
    fn line_start(&self, offset: usize) -> usize {
        self.line_to_byte(self.byte_to_line(offset))
    }
    fn byte_at(&self, offset: usize) -> Option<u8> {
        (offset < self.len_bytes()).then(|| self.byte(offset))
    }
}

/// Makes tree-sitter allocate with mimalloc, as the Rust side does in the
/// binary: a parse allocates a node per token, and mimalloc is markedly
/// cheaper than the C library's allocator for that pattern (about 9% of the
/// instructions of a full parse).
///
/// Call it once, before any parser or tree exists (at the start of `main`
/// or of a benchmark).
pub fn use_fast_allocator() {
    // SAFETY: the four functions belong to one allocator family, align like
    // malloc and never return null for a non-zero size (they abort, as
    // tree-sitter's default allocator does); this runs before any
    // tree-sitter object exists (the callers' contract).
    unsafe {
        tree_sitter::set_allocator(Some(tree_sitter::Allocator {
            malloc: alloc::malloc,
            calloc: alloc::calloc,
            realloc: alloc::realloc,
            free: alloc::free,
        }));
    }
}

mod alloc {
    use std::ffi::c_void;

    use libmimalloc_sys as mi;

    fn checked(ptr: *mut c_void, size: usize) -> *mut c_void {
        if ptr.is_null() && size != 0 {
            std::process::abort();
        }
        ptr
    }

    pub unsafe extern "C" fn malloc(size: usize) -> *mut c_void {
        checked(unsafe { mi::mi_malloc(size) }, size)
    }

    pub unsafe extern "C" fn calloc(count: usize, size: usize) -> *mut c_void {
        checked(
            unsafe { mi::mi_calloc(count, size) },
            count.saturating_mul(size),
        )
    }

    pub unsafe extern "C" fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
        checked(unsafe { mi::mi_realloc(ptr, size) }, size)
    }

    pub unsafe extern "C" fn free(ptr: *mut c_void) {
        unsafe { mi::mi_free(ptr) }
    }
}

/// The Dockerfile language of our grammar.
pub fn language() -> Language {
    tree_sitter_dockerfile_lsp::LANGUAGE.into()
}

/// A parser set up for Dockerfiles.
pub fn parser() -> Parser {
    let mut parser = Parser::new();
    parser
        .set_language(&language())
        .expect("the grammar crate and the tree-sitter crate agree on the ABI");
    parser
}

/// Parses a whole document from scratch.
pub fn parse(text: &str) -> Tree {
    parser()
        .parse(text, None)
        .expect("parsing without a timeout or cancellation flag always yields a tree")
}

/// The instruction keywords BuildKit knows, upper case.
pub const INSTRUCTIONS: [&str; 18] = [
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// The value of a parser directive (`# escape=`, `# check=`, ...), by
/// name, case-insensitive: the first one BuildKit reads (see
/// [`directive_nodes`]).
pub fn directive<S: Source + ?Sized>(tree: &Tree, source: &S, name: &str) -> Option<String> {
    let node = directive_node(tree, source, name)?;
    directive_parts(&source.text(node.byte_range())).map(|(_, value)| value.to_string())
}

/// The node of a directive (a `parser_directive`, or the comment after a
/// `#!` line that BuildKit reads as one), if the document has it.
pub fn directive_node<'t, S: Source + ?Sized>(
    tree: &'t Tree,
    source: &S,
    name: &str,
) -> Option<tree_sitter::Node<'t>> {
    directive_nodes(tree, source, name).into_iter().next()
}

/// A directive line's name and value (trimmed): `#`, blanks, a name of
/// letters and digits, `=`, a value that is not empty.
pub fn directive_parts(text: &str) -> Option<(&str, &str)> {
    let body = text.trim_start().strip_prefix('#')?.trim_start();
    let name_end = body
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(body.len());
    let name = &body[..name_end];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let value = body[name_end..].trim_start().strip_prefix('=')?.trim();
    (!value.is_empty()).then_some((name, value))
}

/// Every directive line of a name at the top of the file, in order, as
/// BuildKit reads them (a second one fails the build). `syntax` and
/// `check` are read from the raw lines: `#` in the first column, a first
/// line starting `#!` skipped. `escape` is read by the Dockerfile parser:
/// leading blanks allowed, no `#!` line.
pub fn directive_nodes<'t, S: Source + ?Sized>(
    tree: &'t Tree,
    source: &S,
    name: &str,
) -> Vec<tree_sitter::Node<'t>> {
    let raw = !name.eq_ignore_ascii_case("escape");
    let mut cursor = tree.root_node().walk();
    let nodes: Vec<tree_sitter::Node<'t>> = tree.root_node().named_children(&mut cursor).collect();
    let mut rest = nodes.as_slice();
    // Tree rows on purpose, not LSP lines: they count `\n` only, as BuildKit's scanner does.
    let mut next_row = 0;
    if let Some(first) = nodes.first() {
        let shebang = first.kind() == "comment"
            && first.start_position().row == 0
            && source
                .text(first.byte_range())
                .trim_start_matches('\u{feff}')
                .starts_with("#!");
        if raw && shebang {
            rest = &nodes[1..];
            next_row = 1;
        }
    }
    let mut out = Vec::new();
    for &node in rest {
        let after_shebang = next_row > 0 && node.kind() == "comment";
        if node.kind() != "parser_directive" && !after_shebang {
            break;
        }
        if node.start_position().row != next_row {
            break;
        }
        let line_start = source.line_start(node.start_byte());
        let line = source.text(line_start..node.end_byte());
        let line = line.trim_start_matches('\u{feff}');
        if raw && !line.starts_with('#') {
            break;
        }
        let Some((found, _)) = directive_parts(line) else {
            break;
        };
        if !["syntax", "escape", "check"]
            .iter()
            .any(|d| d.eq_ignore_ascii_case(found))
        {
            break;
        }
        if found.eq_ignore_ascii_case(name) {
            out.push(node);
        }
        next_row = node.end_position().row + 1;
    }
    out
}

/// The document's lines in order: directives, comments and instructions
/// before the first FROM, then each stage's FROM, comments and
/// instructions (stages flattened).
pub fn lines(tree: &Tree) -> Vec<tree_sitter::Node<'_>> {
    let ids = ids::ids();
    let mut out = Vec::new();
    let mut cursor = tree.root_node().walk();
    for node in tree.root_node().named_children(&mut cursor) {
        if node.kind_id() == ids.stage {
            let mut inner = node.walk();
            out.extend(node.named_children(&mut inner));
        } else {
            out.push(node);
        }
    }
    out
}

/// Every instruction of the document in order: those before the first FROM
/// and those of each stage (the FROM first). Instructions nested in ONBUILD
/// are not listed on their own.
pub fn instructions(tree: &Tree) -> Vec<tree_sitter::Node<'_>> {
    let ids = ids::ids();
    lines(tree)
        .into_iter()
        .filter(|n| ids.is_instruction(n.kind_id()))
        .collect()
}

/// The instructions before the first stage (global ARGs, and what BuildKit
/// rejects there).
pub fn preamble_instructions(tree: &Tree) -> Vec<tree_sitter::Node<'_>> {
    let ids = ids::ids();
    let mut cursor = tree.root_node().walk();
    let top: Vec<tree_sitter::Node> = tree
        .root_node()
        .named_children(&mut cursor)
        .take_while(|n| n.kind_id() != ids.stage)
        .filter(|n| ids.is_instruction(n.kind_id()))
        .collect();
    top
}

/// Whether the document holds at least one instruction.
pub fn has_instructions(tree: &Tree) -> bool {
    let mut cursor = tree.root_node().walk();
    // Top-level lines come first and stages after them: stop at the first
    // stage (which always holds its FROM).
    let found = tree
        .root_node()
        .named_children(&mut cursor)
        .find(|n| n.kind() == "stage" || is_instruction_kind(n.kind()))
        .is_some();
    found
}

/// Whether `kind` is the node kind of an instruction (`run_instruction`, ...).
pub fn is_instruction_kind(kind: &str) -> bool {
    kind.ends_with("_instruction")
}

/// Edit distance, an adjacent transposition counting as one edit (for
/// "did you mean" suggestions).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}
