//! The differential test against BuildKit: every Dockerfile of the shared
//! corpus (valid/: every file; apps/: the files with a Dockerfile's name),
//! as it is and in deterministic mutations aimed at where mistakes happen
//! (a dropped argument, a misspelled flag or `--mount` option, a broken
//! flag value, a stage name dropped, misspelled or duplicated, a truncated
//! JSON array, a deleted quote, a missing FROM, a bad EXPOSE or STOPSIGNAL,
//! an escape directive, ...). For each file, BuildKit's verdict
//! (`../shared/tools/buildkit-check`) and ours (`syntax::syntax_errors`)
//! must agree on rejected or not, and when BuildKit names a line, one of
//! our errors must start on it.
//!
//! A difference is either fixed or listed, with its reason, in
//! `tests/buildkit-mutations-differences.txt`; the test fails on any other
//! difference (printing the file, BuildKit's verdict and ours) and on a
//! listed one that no longer occurs.
//!
//! Knobs: `BUILDKIT_MUTATIONS_PER_FILE` (mutations per corpus file, 12 by
//! default) and `BUILDKIT_MUTATIONS_REPORT` (a folder: the differences,
//! grouped by message with counts, go to its `diff.txt` and one or two
//! example files of each group to its `examples/`) and
//! `BUILDKIT_MUTATIONS_DUMP` (a folder: every file, under its kind).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use common::Rng;
use dockerfile_lsp::cli::check::check_text;
use dockerfile_lsp::config::Config;
use dockerfile_lsp::diagnostics::{Context, Severity};
use dockerfile_lsp::rules::{self, Group};

// ---------------------------------------------------------------------
// The document as lines and instructions (a light reading of BuildKit's
// line rules: continuation lines, comments and blank lines inside them,
// heredoc bodies), enough to aim the mutations.

#[derive(Clone)]
struct Instr {
    /// The first and last physical line (0-based, inclusive, heredoc
    /// bodies included).
    first: usize,
    last: usize,
    /// The keyword, upper case.
    keyword: String,
}

struct Doc {
    lines: Vec<String>,
    escape: char,
    /// The lines of the leading parser directives.
    directives: usize,
    instrs: Vec<Instr>,
}

fn is_comment_or_blank(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

fn directive_of(line: &str) -> Option<(String, String)> {
    let body = line.trim().strip_prefix('#')?;
    let (k, v) = body.split_once('=')?;
    let k = k.trim();
    if k.is_empty() || k.contains(char::is_whitespace) {
        return None;
    }
    Some((k.to_ascii_lowercase(), v.trim().to_string()))
}

/// The heredoc terminators opened on a line: `<<WORD`, `<<-WORD`,
/// `<<"WORD"`, `<<'WORD'`.
fn heredocs(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("<<") {
        rest = &rest[i + 2..];
        let r = rest.strip_prefix('-').unwrap_or(rest);
        let r = r.trim_start_matches(['"', '\'']);
        let word: String = r
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !word.is_empty() && word.chars().next().is_some_and(|c| !c.is_ascii_digit()) {
            out.push(word);
        }
    }
    out
}

impl Doc {
    fn new(text: &str) -> Doc {
        let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        let mut escape = '\\';
        let mut directives = 0;
        for line in &lines {
            match directive_of(line) {
                Some((k, v)) => {
                    if k == "escape" && (v == "`" || v == "\\") {
                        escape = v.chars().next().unwrap();
                    }
                    directives += 1;
                }
                None => break,
            }
        }
        let continues = |l: &str| l.trim_end().ends_with(escape);
        let mut instrs = Vec::new();
        let mut i = directives;
        while i < lines.len() {
            if is_comment_or_blank(&lines[i]) {
                i += 1;
                continue;
            }
            let first = i;
            let keyword = lines[i]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            let mut docs = Vec::new();
            loop {
                if matches!(keyword.as_str(), "RUN" | "COPY" | "ADD") {
                    docs.extend(heredocs(&lines[i]));
                }
                if !continues(&lines[i]) {
                    break;
                }
                // Comments and blank lines inside the continuation.
                i += 1;
                while i < lines.len() && is_comment_or_blank(&lines[i]) {
                    i += 1;
                }
                if i >= lines.len() {
                    i = lines.len() - 1;
                    break;
                }
            }
            for word in docs {
                while i + 1 < lines.len() {
                    i += 1;
                    if lines[i].trim() == word {
                        break;
                    }
                }
            }
            instrs.push(Instr {
                first,
                last: i,
                keyword,
            });
            i += 1;
        }
        Doc {
            lines,
            escape,
            directives,
            instrs,
        }
    }

    fn text(lines: &[String]) -> String {
        lines.join("\n")
    }

    fn with_line(&self, idx: usize, new: String) -> String {
        let mut lines = self.lines.clone();
        lines[idx] = new;
        Doc::text(&lines)
    }

    fn replacing(&self, first: usize, last: usize, new: &[String]) -> String {
        let mut lines = self.lines.clone();
        lines.splice(first..=last, new.iter().cloned());
        Doc::text(&lines)
    }

    fn inserting(&self, at: usize, new: &str) -> String {
        let mut lines = self.lines.clone();
        lines.insert(at, new.to_string());
        Doc::text(&lines)
    }

    fn single_line(&self, i: &Instr) -> bool {
        i.first == i.last
    }

    fn pick<'a>(&'a self, rng: &mut Rng, keep: impl Fn(&Instr) -> bool) -> Option<&'a Instr> {
        let all: Vec<&Instr> = self.instrs.iter().filter(|i| keep(i)).collect();
        if all.is_empty() {
            return None;
        }
        Some(all[rng.below(all.len())])
    }

    fn froms(&self) -> Vec<&Instr> {
        self.instrs.iter().filter(|i| i.keyword == "FROM").collect()
    }

    /// The stage names, in order (lower case).
    fn stage_names(&self) -> Vec<String> {
        self.froms()
            .iter()
            .filter_map(|f| {
                let w = words(&self.lines[f.first]);
                let pos = w.iter().position(|(_, s)| s.eq_ignore_ascii_case("as"))?;
                w.get(pos + 1).map(|(_, s)| s.to_ascii_lowercase())
            })
            .collect()
    }
}

/// The whitespace-separated words of a line with their byte offsets.
fn words(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push((s, &line[s..i]));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push((s, &line[s..]));
    }
    out
}

/// The flags right after the keyword on an instruction's first line:
/// (offset, word).
fn flags(line: &str) -> Vec<(usize, &str)> {
    words(line)
        .into_iter()
        .skip(1)
        .take_while(|(_, w)| w.starts_with("--"))
        .collect()
}

/// The line with `line[at..at+len]` replaced.
fn splice(line: &str, at: usize, len: usize, new: &str) -> String {
    format!("{}{}{}", &line[..at], new, &line[at + len..])
}

/// One edit (delete, insert, substitute, swap) of a word of letters; never
/// the word itself, never empty.
fn one_edit(rng: &mut Rng, word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let letters = b"abcdefghijklmnopqrstuvwxyz";
    for _ in 0..20 {
        let mut c = chars.clone();
        let at = rng.below(c.len().max(1));
        match rng.below(4) {
            0 if c.len() > 1 => {
                c.remove(at);
            }
            1 => c.insert(rng.below(c.len() + 1), letters[rng.below(26)] as char),
            2 if !c.is_empty() => c[at] = letters[rng.below(26)] as char,
            3 if c.len() > 1 => {
                let j = (at + 1) % c.len();
                c.swap(at, j);
            }
            _ => continue,
        }
        let s: String = c.into_iter().collect();
        if s != word && !s.is_empty() {
            return s;
        }
    }
    format!("{word}x")
}

fn choose<'a>(rng: &mut Rng, options: &[&'a str]) -> &'a str {
    options[rng.below(options.len())]
}

// ---------------------------------------------------------------------
// The mutations: each returns the mutated text, or None when the file
// offers no place for it.

type Mutation = fn(&Doc, &mut Rng) -> Option<String>;

const MUTATIONS: &[(&str, Mutation)] = &[
    ("drop-all-args", drop_all_args),
    ("drop-last-arg", drop_last_arg),
    ("drop-first-arg", drop_first_arg),
    ("misspell-flag", misspell_flag),
    ("break-flag-value", break_flag_value),
    ("drop-flag-value", drop_flag_value),
    ("duplicate-flag", duplicate_flag),
    ("add-bad-flag-value", add_bad_flag_value),
    ("add-foreign-flag", add_foreign_flag),
    ("mount-misspell-key", mount_misspell_key),
    ("mount-break-value", mount_break_value),
    ("mount-drop-option", mount_drop_option),
    ("mount-add", mount_add),
    ("from-drop-as", from_drop_as),
    ("from-drop-name", from_drop_name),
    ("from-drop-image", from_drop_image),
    ("from-bad-image", from_bad_image),
    ("from-bad-stage-name", from_bad_stage_name),
    ("from-bad-platform", from_bad_platform),
    ("from-undefined-var", from_undefined_var),
    ("misspell-stage-ref", misspell_stage_ref),
    ("duplicate-stage-name", duplicate_stage_name),
    ("truncate-json", truncate_json),
    ("delete-quote", delete_quote),
    ("remove-from", remove_from),
    ("move-before-from", move_before_from),
    ("expose", expose),
    ("stopsignal", stopsignal),
    ("escape-directive", escape_directive),
    ("misspell-keyword", misspell_keyword),
    ("lowercase-keyword", lowercase_keyword),
    ("onbuild", onbuild),
    ("drop-continuation", drop_continuation),
    ("trailing-escape", trailing_escape),
    ("heredoc-unterminated", heredoc_unterminated),
    ("break-variable", break_variable),
    ("healthcheck", healthcheck),
    ("shell-not-json", shell_not_json),
    ("key-value", key_value),
    ("heredoc", heredoc),
    ("stage-ref", stage_ref),
    ("check-directive", check_directive),
    ("json-form", json_form),
    ("line-endings", line_endings),
    ("directive-form", directive_form),
    ("boundary-values", boundary_values),
    ("variable-values", variable_values),
    ("combined", combined),
];

fn drop_all_args(d: &Doc, rng: &mut Rng) -> Option<String> {
    let i = d.pick(rng, |_| true)?;
    let line = &d.lines[i.first];
    let w = words(line);
    let (at, kw) = w.first()?;
    Some(d.replacing(i.first, i.last, &[line[..at + kw.len()].to_string()]))
}

fn drop_last_arg(d: &Doc, rng: &mut Rng) -> Option<String> {
    let i = d.pick(rng, |i| {
        d.single_line(i) && words(&d.lines[i.first]).len() >= 3
    })?;
    let line = &d.lines[i.first];
    let (at, _) = *words(line).last()?;
    Some(d.with_line(i.first, line[..at].trim_end().to_string()))
}

fn drop_first_arg(d: &Doc, rng: &mut Rng) -> Option<String> {
    let i = d.pick(rng, |i| {
        let line = &d.lines[i.first];
        words(line).len() > flags(line).len() + 2
    })?;
    let line = &d.lines[i.first];
    let (at, w) = words(line)[flags(line).len() + 1];
    Some(d.with_line(i.first, splice(line, at, w.len(), "")))
}

/// An instruction with a flag, and that flag: (line index, offset, word).
fn pick_flag<'a>(
    d: &'a Doc,
    rng: &mut Rng,
    keep: impl Fn(&str) -> bool,
) -> Option<(usize, usize, &'a str)> {
    let all: Vec<(usize, usize, &str)> = d
        .instrs
        .iter()
        .flat_map(|i| {
            flags(&d.lines[i.first])
                .into_iter()
                .map(move |(at, w)| (i.first, at, w))
        })
        .filter(|(_, _, w)| keep(w))
        .collect();
    if all.is_empty() {
        return None;
    }
    Some(all[rng.below(all.len())])
}

fn misspell_flag(d: &Doc, rng: &mut Rng) -> Option<String> {
    let (l, at, w) = pick_flag(d, rng, |_| true)?;
    let name_end = w.find('=').unwrap_or(w.len());
    let name = &w[2..name_end];
    if name.is_empty() {
        return None;
    }
    let new = one_edit(rng, name);
    Some(d.with_line(l, splice(&d.lines[l], at + 2, name.len(), &new)))
}

/// Bad values for a flag, by name.
fn bad_values(name: &str) -> &'static [&'static str] {
    match name {
        "link" | "keep-git-dir" | "parents" => &["maybe", "yes", "2", ""],
        "interval" | "timeout" | "start-period" | "start-interval" => {
            &["5", "abc", "5x", "-", "1.5.s", ""]
        }
        "retries" => &["x", "1.5", "", "-x"],
        "chmod" => &["999", "u+rwz", "abc", "8", ""],
        "chown" => &[""],
        "network" => &["bogus", "", "hosts"],
        "security" => &["bogus", "", "sandboxed"],
        "platform" => &["linux/", "/amd64", "linux/amd64/v9/x", "bad os/arm", ","],
        "checksum" => &["sha256:xyz", "md5:abc", "abc", "sha256:"],
        "from" => &["", "a b", "Bad:Name:", "-"],
        "exclude" => &[""],
        "mount" => &[
            "type=bogus",
            "",
            "type=cache",
            "target",
            "type=bind,target=/x,bogus=1",
        ],
        _ => &["", "a b"],
    }
}

fn break_flag_value(d: &Doc, rng: &mut Rng) -> Option<String> {
    let (l, at, w) = pick_flag(d, rng, |w| w.contains('='))?;
    let eq = w.find('=').unwrap();
    let bad = choose(rng, bad_values(&w[2..eq]));
    Some(d.with_line(l, splice(&d.lines[l], at + eq + 1, w.len() - eq - 1, bad)))
}

fn drop_flag_value(d: &Doc, rng: &mut Rng) -> Option<String> {
    let (l, at, w) = pick_flag(d, rng, |w| w.contains('='))?;
    let eq = w.find('=').unwrap();
    let keep_eq = rng.below(2);
    Some(d.with_line(
        l,
        splice(&d.lines[l], at + eq + keep_eq, w.len() - eq - keep_eq, ""),
    ))
}

fn duplicate_flag(d: &Doc, rng: &mut Rng) -> Option<String> {
    let (l, at, w) = pick_flag(d, rng, |_| true)?;
    Some(d.with_line(l, splice(&d.lines[l], at, 0, &format!("{w} "))))
}

/// Flags each instruction takes, with bad values and one good value.
const FLAG_TABLE: &[(&str, &str, &[&str], &str)] = &[
    ("COPY", "chmod", &["999", "u+rwz", "abc"], "755"),
    ("COPY", "chown", &[""], "1000:1000"),
    ("COPY", "link", &["maybe", "2"], "true"),
    ("COPY", "from", &["", "a b", "-x"], "alpine"),
    ("COPY", "parents", &["maybe"], "true"),
    ("COPY", "exclude", &[""], "*.md"),
    ("ADD", "chmod", &["999", "abc"], "644"),
    (
        "ADD",
        "checksum",
        &["sha256:xyz", "md5:abc", "abc"],
        "sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d",
    ),
    ("ADD", "keep-git-dir", &["maybe"], "true"),
    ("ADD", "link", &["maybe"], "false"),
    ("RUN", "network", &["bogus", "", "hosts"], "none"),
    ("RUN", "security", &["bogus", ""], "insecure"),
    (
        "RUN",
        "mount",
        &["type=bogus", "", "type=cache", "target"],
        "type=tmpfs,target=/t",
    ),
    (
        "FROM",
        "platform",
        &["linux/", "/amd64", "linux/amd64/v9/x", "a b"],
        "linux/amd64",
    ),
    ("HEALTHCHECK", "interval", &["5", "abc", "5x", "-"], "30s"),
    ("HEALTHCHECK", "timeout", &["5", "1.5.s"], "10s"),
    ("HEALTHCHECK", "start-period", &["abc", "5"], "5s"),
    ("HEALTHCHECK", "start-interval", &["xyz", "1"], "1s"),
    ("HEALTHCHECK", "retries", &["x", "1.5", ""], "3"),
];

fn add_bad_flag_value(d: &Doc, rng: &mut Rng) -> Option<String> {
    let i = d.pick(rng, |i| FLAG_TABLE.iter().any(|f| f.0 == i.keyword))?;
    let options: Vec<_> = FLAG_TABLE.iter().filter(|f| f.0 == i.keyword).collect();
    let (_, name, bad, _) = options[rng.below(options.len())];
    let value = choose(rng, bad);
    let line = &d.lines[i.first];
    let (at, kw) = words(line)[0];
    Some(d.with_line(
        i.first,
        splice(line, at + kw.len(), 0, &format!(" --{name}={value}")),
    ))
}

fn add_foreign_flag(d: &Doc, rng: &mut Rng) -> Option<String> {
    let i = d.pick(rng, |_| true)?;
    let (_, name, _, good) = FLAG_TABLE[rng.below(FLAG_TABLE.len())];
    let flag = match rng.below(4) {
        0 => "--foo=bar".to_string(),
        1 => format!("--{name}"),
        _ => format!("--{name}={good}"),
    };
    let line = &d.lines[i.first];
    let (at, kw) = words(line)[0];
    Some(d.with_line(i.first, splice(line, at + kw.len(), 0, &format!(" {flag}"))))
}

/// A `--mount=` flag: (line index, offset of its value, value).
fn pick_mount<'a>(d: &'a Doc, rng: &mut Rng) -> Option<(usize, usize, &'a str)> {
    let (l, at, w) = pick_flag(d, rng, |w| w.to_ascii_lowercase().starts_with("--mount="))?;
    Some((l, at + 8, &w[8..]))
}

/// The options of a mount value: (offset in the value, option text).
fn mount_options(value: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in value.char_indices() {
        if c == ',' {
            out.push((start, &value[start..i]));
            start = i + 1;
        }
    }
    out.push((start, &value[start..]));
    out.retain(|(_, o)| !o.is_empty());
    out
}

fn mount_misspell_key(d: &Doc, rng: &mut Rng) -> Option<String> {
    let (l, at, v) = pick_mount(d, rng)?;
    let opts = mount_options(v);
    let (o_at, opt) = *opts.get(rng.below(opts.len()))?;
    let key = opt.split('=').next().unwrap();
    if key.is_empty() || key.contains('"') {
        return None;
    }
    let new = one_edit(rng, key);
    Some(d.with_line(l, splice(&d.lines[l], at + o_at, key.len(), &new)))
}

fn mount_bad_values(key: &str) -> &'static [&'static str] {
    match key {
        "type" => &["bogus", "cahce", "", "Cache"],
        "sharing" => &["bogus", "", "lock"],
        "mode" => &["0999", "xyz", "", "u+x"],
        "uid" | "gid" => &["abc", "", "-1", "1.5"],
        "readonly" | "ro" | "rw" | "readwrite" | "required" => &["maybe", "2", ""],
        "size" => &["xyz", "", "10q"],
        "target" | "dst" | "destination" => &[""],
        "id" | "from" | "source" | "src" => &[""],
        "env" => &[""],
        _ => &["", "x"],
    }
}

fn mount_break_value(d: &Doc, rng: &mut Rng) -> Option<String> {
    let (l, at, v) = pick_mount(d, rng)?;
    let opts = mount_options(v);
    let (o_at, opt) = *opts.get(rng.below(opts.len()))?;
    let (key, _) = opt.split_once('=')?;
    let bad = choose(rng, mount_bad_values(&key.to_ascii_lowercase()));
    let start = at + o_at + key.len() + 1;
    Some(d.with_line(
        l,
        splice(&d.lines[l], start, opt.len() - key.len() - 1, bad),
    ))
}

fn mount_drop_option(d: &Doc, rng: &mut Rng) -> Option<String> {
    let (l, at, v) = pick_mount(d, rng)?;
    let opts = mount_options(v);
    let (o_at, opt) = *opts.get(rng.below(opts.len()))?;
    let line = &d.lines[l];
    // Drop the option and the comma after it (or before it, when last).
    let (start, len) = if line[at + o_at + opt.len()..].starts_with(',') {
        (at + o_at, opt.len() + 1)
    } else if o_at > 0 {
        (at + o_at - 1, opt.len() + 1)
    } else {
        (at + o_at, opt.len())
    };
    Some(d.with_line(l, splice(line, start, len, "")))
}

fn mount_add(d: &Doc, rng: &mut Rng) -> Option<String> {
    let i = d.pick(rng, |i| i.keyword == "RUN")?;
    let value = choose(
        rng,
        &[
            "type=cache,target=/root/.cache",
            "type=cache,target=/c,sharing=bogus",
            "type=cache,target=/c,mode=0999",
            "type=cache,target=/c,uid=abc",
            "type=cache,id=x",
            "type=cahce,target=/c",
            "type=bind,source=.,target=/src",
            "type=bind,src=.,dst=/src,rw=maybe",
            "type=bind,target=/src,readonly=true",
            "type=tmpfs,target=/t,size=10q",
            "type=tmpfs,target=/t,size=64m",
            "type=tmpfs",
            "type=secret,id=token",
            "type=secret,id=token,required=maybe",
            "type=secret,id=token,env=TOKEN",
            "type=ssh",
            "type=ssh,mode=0600,uid=x",
            "target=/x,targte=/y",
            "type=bind,target=/x,from=",
            "type=bind,target=/x,from=nosuchstage",
            "type=cache,target=/x,readonly",
            "type=cache,target=/x,ro=false",
            "type=cache,target=/x,sharing=locked",
        ],
    );
    let line = &d.lines[i.first];
    let (at, kw) = words(line)[0];
    Some(d.with_line(
        i.first,
        splice(line, at + kw.len(), 0, &format!(" --mount={value}")),
    ))
}

/// A FROM on one line: (line index, words).
fn pick_from<'a>(
    d: &'a Doc,
    rng: &mut Rng,
    keep: impl Fn(&[(usize, &str)]) -> bool,
) -> Option<(usize, Vec<(usize, &'a str)>)> {
    let all: Vec<usize> = d
        .froms()
        .iter()
        .filter(|f| keep(&words(&d.lines[f.first])))
        .map(|f| f.first)
        .collect();
    if all.is_empty() {
        return None;
    }
    let l = all[rng.below(all.len())];
    Some((l, words(&d.lines[l])))
}

fn as_position(w: &[(usize, &str)]) -> Option<usize> {
    w.iter().position(|(_, s)| s.eq_ignore_ascii_case("as"))
}

fn from_drop_as(d: &Doc, rng: &mut Rng) -> Option<String> {
    let (l, w) = pick_from(d, rng, |w| as_position(w).is_some())?;
    let p = as_position(&w)?;
    Some(d.with_line(l, d.lines[l][..w[p].0].trim_end().to_string()))
}

fn from_drop_name(d: &Doc, rng: &mut Rng) -> Option<String> {
    let (l, w) = pick_from(d, rng, |w| as_position(w).is_some_and(|p| p + 1 < w.len()))?;
    let p = as_position(&w)?;
    Some(d.with_line(l, d.lines[l][..w[p].0 + w[p].1.len()].to_string()))
}

/// The index of the image word of a FROM's words.
fn image_position(w: &[(usize, &str)]) -> Option<usize> {
    (1..w.len()).find(|&i| !w[i].1.starts_with("--"))
}

fn from_drop_image(d: &Doc, rng: &mut Rng) -> Option<String> {
    let (l, w) = pick_from(d, rng, |w| image_position(w).is_some())?;
    let (at, img) = w[image_position(&w)?];
    Some(
        d.with_line(
            l,
            splice(&d.lines[l], at, img.len(), "")
                .trim_end()
                .to_string(),
        ),
    )
}

fn from_bad_image(d: &Doc, rng: &mut Rng) -> Option<String> {
    let (l, w) = pick_from(d, rng, |w| image_position(w).is_some())?;
    let (at, img) = w[image_position(&w)?];
    let new = match rng.below(7) {
        0 => img.to_ascii_uppercase(),
        1 => format!("{img}::"),
        2 => format!("{img}@sha256:zz"),
        3 => format!("{img}:bad tag"),
        4 => format!("-{img}"),
        5 => format!("{img}:"),
        _ => format!("{img}/"),
    };
    Some(d.with_line(l, splice(&d.lines[l], at, img.len(), &new)))
}

fn from_bad_stage_name(d: &Doc, rng: &mut Rng) -> Option<String> {
    let name = choose(
        rng,
        &[
            "1abc", "my_stage", "UPPER", "a.b", "a/b", "-x", "ok-name", "a:b", "scratch", "x y",
        ],
    );
    let (l, w) = pick_from(d, rng, |w| image_position(w).is_some())?;
    let line = &d.lines[l];
    let new = match as_position(&w) {
        Some(p) if p + 1 < w.len() => splice(line, w[p + 1].0, w[p + 1].1.len(), name),
        _ => format!("{} AS {name}", line.trim_end()),
    };
    Some(d.with_line(l, new))
}

fn from_bad_platform(d: &Doc, rng: &mut Rng) -> Option<String> {
    let value = choose(
        rng,
        &[
            "linux/amd64/v9/extra",
            "notanos",
            "linux/",
            ",",
            "linux/arm64",
            "$BUILDPLATFORM",
            "${TARGETPLATFORM}",
            "windows/amd64",
            "Linux/AMD64",
            "linux/amd64,linux/arm64",
        ],
    );
    let (l, w) = pick_from(d, rng, |w| w.len() >= 2)?;
    let line = &d.lines[l];
    let new = match w.iter().find(|(_, s)| s.starts_with("--platform=")) {
        Some((at, s)) => splice(line, *at, s.len(), &format!("--platform={value}")),
        None => splice(
            line,
            w[0].0 + w[0].1.len(),
            0,
            &format!(" --platform={value}"),
        ),
    };
    Some(d.with_line(l, new))
}

fn from_undefined_var(d: &Doc, rng: &mut Rng) -> Option<String> {
    let (l, w) = pick_from(d, rng, |w| image_position(w).is_some())?;
    let (at, img) = w[image_position(&w)?];
    let new = choose(
        rng,
        &[
            "$NOPE",
            "${NOPE}",
            "${NOPE:-alpine}",
            "alpine:${NOPE}",
            "${NOPE:?required}",
            "${NOPE",
        ],
    );
    Some(d.with_line(l, splice(&d.lines[l], at, img.len(), new)))
}

fn misspell_stage_ref(d: &Doc, rng: &mut Rng) -> Option<String> {
    let names = d.stage_names();
    // References: `--from=NAME` (and a mount's `from=NAME`), `FROM NAME`.
    let mut refs: Vec<(usize, usize, usize)> = Vec::new();
    for i in &d.instrs {
        let line = &d.lines[i.first];
        for (at, w) in words(line) {
            let lw = w.to_ascii_lowercase();
            for prefix in ["--from=", "from="] {
                if let Some(p) = lw.find(prefix) {
                    let start = p + prefix.len();
                    let end = lw[start..].find(',').map(|e| start + e).unwrap_or(lw.len());
                    if names.contains(&lw[start..end].to_string())
                        || lw[start..end].parse::<usize>().is_ok()
                    {
                        refs.push((i.first, at + start, end - start));
                    }
                    break;
                }
            }
        }
        if i.keyword == "FROM" {
            let w = words(line);
            if let Some(p) = image_position(&w) {
                if names.contains(&w[p].1.to_ascii_lowercase()) {
                    refs.push((i.first, w[p].0, w[p].1.len()));
                }
            }
        }
    }
    if refs.is_empty() {
        return None;
    }
    let (l, at, len) = refs[rng.below(refs.len())];
    let old = &d.lines[l][at..at + len];
    let new = if old.parse::<usize>().is_ok() {
        choose(rng, &["99", "-1", "1x"]).to_string()
    } else {
        one_edit(rng, old)
    };
    Some(d.with_line(l, splice(&d.lines[l], at, len, &new)))
}

fn duplicate_stage_name(d: &Doc, rng: &mut Rng) -> Option<String> {
    let names = d.stage_names();
    let first = names.first()?.clone();
    let (l, w) = pick_from(d, rng, |w| {
        as_position(w).is_none_or(|p| {
            w.get(p + 1)
                .is_none_or(|n| !n.1.eq_ignore_ascii_case(&first))
        })
    })?;
    let line = &d.lines[l];
    let name = if rng.below(2) == 0 {
        first.clone()
    } else {
        first.to_ascii_uppercase()
    };
    let new = match as_position(&w) {
        Some(p) if p + 1 < w.len() => splice(line, w[p + 1].0, w[p + 1].1.len(), &name),
        _ => format!("{} AS {name}", line.trim_end()),
    };
    Some(d.with_line(l, new))
}

fn truncate_json(d: &Doc, rng: &mut Rng) -> Option<String> {
    let i = d.pick(rng, |i| {
        let line = &d.lines[i.first];
        let rest = line.trim_start();
        let after = rest[rest.find(char::is_whitespace).unwrap_or(rest.len())..].trim_start();
        let after = after.strip_prefix("NONE").unwrap_or(after);
        d.single_line(i)
            && (after.starts_with('[') || after.starts_with("CMD ["))
            && line.trim_end().ends_with(']')
    })?;
    let line = d.lines[i.first].trim_end();
    let new = match rng.below(4) {
        0 => line[..line.len() - 1].to_string(),
        1 => match line.rfind('"') {
            Some(p) => splice(line, p, 1, ""),
            None => line[..line.len() - 1].to_string(),
        },
        2 => match line.find(',') {
            Some(p) => splice(line, p, 1, ""),
            None => format!("{}, ]", &line[..line.len() - 1]),
        },
        _ => format!("{},]", &line[..line.len() - 1]),
    };
    Some(d.with_line(i.first, new))
}

fn delete_quote(d: &Doc, rng: &mut Rng) -> Option<String> {
    let lines: Vec<usize> = d
        .instrs
        .iter()
        .flat_map(|i| i.first..=i.last)
        .filter(|&l| d.lines[l].contains(['"', '\'']) && !is_comment_or_blank(&d.lines[l]))
        .collect();
    if lines.is_empty() {
        return None;
    }
    let l = lines[rng.below(lines.len())];
    let quotes: Vec<usize> = d.lines[l]
        .char_indices()
        .filter(|(_, c)| *c == '"' || *c == '\'')
        .map(|(i, _)| i)
        .collect();
    let at = quotes[rng.below(quotes.len())];
    Some(d.with_line(l, splice(&d.lines[l], at, 1, "")))
}

fn remove_from(d: &Doc, _rng: &mut Rng) -> Option<String> {
    let f = d.froms().first().copied()?.clone();
    Some(d.replacing(f.first, f.last, &[]))
}

fn move_before_from(d: &Doc, rng: &mut Rng) -> Option<String> {
    let first_from = d.froms().first()?.first;
    let i = d.pick(rng, |i| i.keyword != "FROM" && i.first > first_from)?;
    let mut lines = d.lines.clone();
    let moved: Vec<String> = lines.drain(i.first..=i.last).collect();
    lines.splice(first_from..first_from, moved);
    Some(Doc::text(&lines))
}

fn after_first_from(d: &Doc) -> Option<usize> {
    Some(d.froms().first()?.last + 1)
}

fn expose(d: &Doc, rng: &mut Rng) -> Option<String> {
    let value = choose(
        rng,
        &[
            "80/tcpx",
            "abc",
            "80-",
            "99999999",
            "-1",
            "80/",
            "8080:80",
            "80/TCP",
            "80/sctp",
            "1000-2000/udp",
            "2000-1000",
            "0",
            "65536",
            "80/udp/tcp",
            "$PORT",
            "80 abc",
            "1.5",
            "80-90-100",
        ],
    );
    match d.pick(rng, |i| i.keyword == "EXPOSE" && d.single_line(i)) {
        Some(i) => {
            let line = &d.lines[i.first];
            let w = words(line);
            let (at, port) = *w.get(1 + rng.below(w.len().saturating_sub(1)))?;
            if at == w[0].0 {
                return None;
            }
            Some(d.with_line(i.first, splice(line, at, port.len(), value)))
        }
        None => Some(d.inserting(after_first_from(d)?, &format!("EXPOSE {value}"))),
    }
}

fn stopsignal(d: &Doc, rng: &mut Rng) -> Option<String> {
    let value = choose(
        rng,
        &[
            "SIGFOO",
            "0",
            "-1",
            "abc",
            "SIGKILL",
            "9",
            "$SIG",
            "99999999999",
            "sigterm",
            "SIGRTMIN+3",
            "TERM",
            "SIG",
            "65",
            "SIGTERM extra",
        ],
    );
    match d.pick(rng, |i| i.keyword == "STOPSIGNAL" && d.single_line(i)) {
        Some(i) => {
            let line = &d.lines[i.first];
            let w = words(line);
            let at = w.get(1)?.0;
            Some(d.with_line(i.first, format!("{}{value}", &line[..at])))
        }
        None => Some(d.inserting(after_first_from(d)?, &format!("STOPSIGNAL {value}"))),
    }
}

fn escape_directive(d: &Doc, rng: &mut Rng) -> Option<String> {
    let value = choose(rng, &["`", "\\", "x", "ab", "", "``", "'", "twice"]);
    if value == "twice" {
        return Some(d.inserting(0, "# escape=\\\n# escape=\\"));
    }
    let line = format!("# escape={value}");
    let existing =
        (0..d.directives).find(|&l| directive_of(&d.lines[l]).is_some_and(|(k, _)| k == "escape"));
    Some(match existing {
        Some(l) => d.with_line(l, line),
        None => d.inserting(0, &line),
    })
}

fn misspell_keyword(d: &Doc, rng: &mut Rng) -> Option<String> {
    let i = d.pick(rng, |_| true)?;
    let line = &d.lines[i.first];
    let (at, kw) = words(line)[0];
    let new = one_edit(rng, &kw.to_ascii_lowercase()).to_ascii_uppercase();
    Some(d.with_line(i.first, splice(line, at, kw.len(), &new)))
}

fn lowercase_keyword(d: &Doc, rng: &mut Rng) -> Option<String> {
    let i = d.pick(rng, |_| true)?;
    let line = &d.lines[i.first];
    let (at, kw) = words(line)[0];
    Some(d.with_line(
        i.first,
        splice(line, at, kw.len(), &kw.to_ascii_lowercase()),
    ))
}

fn onbuild(d: &Doc, rng: &mut Rng) -> Option<String> {
    if rng.below(2) == 0 {
        let i = d.pick(rng, |i| {
            i.keyword != "FROM" && d.froms().first().is_some_and(|f| f.first < i.first)
        })?;
        let line = &d.lines[i.first];
        let at = words(line)[0].0;
        return Some(d.with_line(i.first, splice(line, at, 0, "ONBUILD ")));
    }
    let value = choose(
        rng,
        &[
            "ONBUILD FROM alpine",
            "ONBUILD ONBUILD RUN true",
            "ONBUILD MAINTAINER me",
            "ONBUILD",
            "ONBUILD RUN",
            "ONBUILD BOGUS x",
            "ONBUILD COPY --from=nosuch /a /b",
            "ONBUILD RUN --mount=type=bogus true",
        ],
    );
    Some(d.inserting(after_first_from(d)?, value))
}

fn drop_continuation(d: &Doc, rng: &mut Rng) -> Option<String> {
    let i = d.pick(rng, |i| i.first < i.last)?;
    let ls: Vec<usize> = (i.first..i.last)
        .filter(|&l| d.lines[l].trim_end().ends_with(d.escape))
        .collect();
    if ls.is_empty() {
        return None;
    }
    let l = ls[rng.below(ls.len())];
    let t = d.lines[l].trim_end();
    Some(d.with_line(l, t[..t.len() - 1].to_string()))
}

fn trailing_escape(d: &Doc, _rng: &mut Rng) -> Option<String> {
    let i = d.instrs.last()?;
    let t = d.lines[i.last].trim_end();
    if t.ends_with(d.escape) {
        return None;
    }
    let mut lines = d.lines[..=i.last].to_vec();
    lines[i.last] = format!("{t} {}", d.escape);
    Some(Doc::text(&lines))
}

fn heredoc_unterminated(d: &Doc, rng: &mut Rng) -> Option<String> {
    let i = d.pick(rng, |i| {
        matches!(i.keyword.as_str(), "RUN" | "COPY" | "ADD")
            && !heredocs(&d.lines[i.first]).is_empty()
            && i.first < i.last
    })?;
    if rng.below(2) == 0 {
        return Some(d.replacing(i.last, i.last, &[]));
    }
    let line = &d.lines[i.first];
    let p = line.find("<<")?;
    Some(d.with_line(i.first, splice(line, p, 2, "<")))
}

fn break_variable(d: &Doc, rng: &mut Rng) -> Option<String> {
    let keep = |i: &Instr| {
        matches!(
            i.keyword.as_str(),
            "ENV"
                | "ARG"
                | "LABEL"
                | "WORKDIR"
                | "COPY"
                | "ADD"
                | "USER"
                | "EXPOSE"
                | "VOLUME"
                | "STOPSIGNAL"
                | "FROM"
        ) && d.single_line(i)
    };
    if let Some(i) = d.pick(rng, |i| keep(i) && d.lines[i.first].contains("${")) {
        let line = &d.lines[i.first];
        if let Some(p) = line.rfind('}') {
            return Some(d.with_line(i.first, splice(line, p, 1, "")));
        }
    }
    let i = d.pick(rng, |i| keep(i) && words(&d.lines[i.first]).len() >= 2)?;
    let line = &d.lines[i.first];
    let (at, w) = *words(line).last()?;
    let bad = choose(rng, &["${X", "${X:?}", "${X:-", "${}", "${X!}", "$"]);
    Some(d.with_line(i.first, splice(line, at + w.len(), 0, bad)))
}

fn healthcheck(d: &Doc, rng: &mut Rng) -> Option<String> {
    let value = choose(
        rng,
        &[
            "HEALTHCHECK",
            "HEALTHCHECK CMD",
            "HEALTHCHECK NONE x",
            "HEALTHCHECK NONE",
            "HEALTHCHECK BOGUS true",
            "HEALTHCHECK --interval=abc CMD true",
            "HEALTHCHECK --interval=0s CMD true",
            "HEALTHCHECK --interval=1ms CMD true",
            "HEALTHCHECK --retries=-1 CMD true",
            "HEALTHCHECK --retries=0 CMD true",
            "HEALTHCHECK --timeout=5 CMD true",
            "HEALTHCHECK --start-period=-5s CMD true",
            "HEALTHCHECK CMD []",
            "HEALTHCHECK CMD [\"curl\"",
            "HEALTHCHECK --bogus=1 CMD true",
            "HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost/",
        ],
    );
    let at = d.instrs.last()?.last + 1;
    Some(d.inserting(at, value))
}

fn shell_not_json(d: &Doc, rng: &mut Rng) -> Option<String> {
    let value = choose(
        rng,
        &[
            "SHELL /bin/sh -c",
            "SHELL [\"/bin/sh\", \"-c\"",
            "SHELL []",
            "SHELL",
            "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]",
            "SHELL [\"sh\" \"-c\"]",
            "SHELL [1, 2]",
        ],
    );
    Some(d.inserting(after_first_from(d)?, value))
}

fn key_value(d: &Doc, rng: &mut Rng) -> Option<String> {
    let value = choose(
        rng,
        &[
            "ENV =x",
            "ENV KEY",
            "ENV a=b c",
            "ENV a b=c",
            "ENV a=\"b",
            "ENV \"a\"=b",
            "ARG =x",
            "ARG a b",
            "ARG a=b c=d",
            "ARG a=",
            "LABEL =x",
            "LABEL a",
            "LABEL a=b c",
            "LABEL \"a b\"=c",
            "ENV a=b=c",
            "ENV 1a=b",
            "ARG a-b=1",
            "LABEL a=",
            "MAINTAINER",
            "USER",
            "USER a b",
            "WORKDIR a b",
            "VOLUME []",
            "VOLUME [\"/a\"",
            "EXPOSE",
            "CMD",
            "ENTRYPOINT []",
            "COPY a",
            "ADD a",
            "COPY [\"a\"]",
            "COPY [\"a\", \"b\"]",
            "WORKDIR c:/x",
            "WORKDIR C:\\\\x",
            "USER a:b:c",
            "USER :",
            "ENV a==b",
            "EXPOSE 80 $NOPE",
            "MAINTAINER a b",
            "ARG \"a\"=b",
            "ARG A${B}",
            "ARG A${}",
            "ENV A${B}=c",
            "ENV A.B=c",
            "ENV A-B=c",
            "LABEL ${X}=y",
            "LABEL \"${X}\"=y",
            "ARG A=${B",
            "ENV A=${B",
            "ENV A=$",
            "ENV A=\\$B",
            "ENV A='${B'",
            "ENV A=\"${B\"",
            "ARG =",
            "ENV ==",
        ],
    );
    Some(d.inserting(after_first_from(d)?, value))
}

// ---------------------------------------------------------------------
// The comparison.

struct Case {
    kind: &'static str,
    /// The corpus file it comes from, relative to ../shared/corpus.
    origin: String,
    text: String,
}

/// A group of differences: its count, its count per kind, its examples.
type Differences<'k> = (usize, BTreeMap<&'k str, usize>, Vec<usize>);

struct Outcome {
    verdict: common::Verdict,
    /// The lines BuildKit marks for its error (an instruction's error marks
    /// each of the instruction's lines).
    error_lines: Vec<(usize, usize)>,
    /// (line, message) of our errors (1-based lines).
    ours: Vec<(usize, String)>,
}

/// A message reduced to its class: no location prefix; quoted,
/// back-quoted and parenthesized text as `…`; digits as N; a short tail
/// after `: ` (a value, not prose) as `*`.
fn normalize(message: &str) -> String {
    let mut m = message.trim();
    if m.starts_with("dockerfile parse error") {
        if let Some(p) = m.find(" line ") {
            if let Some(c) = m[p..].find(": ") {
                m = &m[p + c + 2..];
            }
        }
    }
    // The rules are the class of a lint violation.
    if m.starts_with("lint violation found for rules: ") {
        return m.to_string();
    }
    let mut out = String::new();
    let mut chars = m.chars().peekable();
    while let Some(c) = chars.next() {
        let close = match c {
            '"' | '`' => c,
            // An apostrophe inside a word ("can't") opens nothing.
            '\'' if !out.ends_with(|p: char| p.is_alphanumeric()) => c,
            '(' if chars.peek().is_none_or(|n| *n != 'd') => ')',
            _ => {
                if c.is_ascii_digit() {
                    if !out.ends_with('N') {
                        out.push('N');
                    }
                } else {
                    out.push(c);
                }
                continue;
            }
        };
        // Skip to the closing mark (a backslash escapes the next one). An
        // empty value stays empty (what an unset variable expands to).
        let mut empty = true;
        while let Some(n) = chars.next() {
            if n == close {
                break;
            }
            empty = false;
            if n == '\\' {
                chars.next();
            }
        }
        out.push(c);
        if !empty {
            out.push('…');
        }
        out.push(close);
    }
    let suggests = match out.find(" (did you mean") {
        Some(p) => {
            out.truncate(p);
            " (did you mean *)"
        }
        None => "",
    };
    if let Some(rest) = out.strip_prefix("failed to parse platform ") {
        if let Some(c) = rest.find(": ") {
            out = format!("failed to parse platform *: {}", &rest[c + 2..]);
        }
    }
    let parts: Vec<String> = out
        .split(": ")
        .enumerate()
        .map(|(i, p)| {
            if i > 0 && p.split_whitespace().count() < 3 && !p.contains('…') {
                "*".to_string()
            } else {
                p.to_string()
            }
        })
        .collect();
    let mut out: String = parts.join(": ").chars().take(100).collect();
    out.push_str(suggests);
    out
}

/// The line BuildKit's error is on, 1-based, when BuildKit gives one.
/// Known off: the errors of BuildKit's parser-directive reader (an
/// invalid escape token, a directive given twice) carry the directive's
/// 0-based line (`# escape=x` first in the file gets line 0), so their
/// line is the one after.
fn buildkit_line(v: &common::Verdict) -> Option<usize> {
    let line = v.error_line?;
    let directive_error = v.error.starts_with("invalid escape token")
        || v.error.starts_with("only one ") && v.error.ends_with(" parser directive can be used");
    Some(if directive_error { line + 1 } else { line })
}

/// The difference of one case, if any: its class and key.
fn difference(case: &Case, o: &Outcome) -> Option<(String, String)> {
    let v = &o.verdict;
    if v.ok {
        if o.ours.is_empty() {
            return None;
        }
        let class = format!("BuildKit accepts, we error: {}", normalize(&o.ours[0].1));
        return Some((
            format!("{} accepts: {}", case.kind, normalize(&o.ours[0].1)),
            class,
        ));
    }
    let msg = normalize(&v.error);
    if o.ours.is_empty() {
        // `rejects-variable` when a line BuildKit marks has a `$`: the value
        // at fault may come from a variable's expansion. Not on a FROM: it
        // expands only the ARGs before the first FROM, all in the file.
        let lines: Vec<&str> = case.text.split('\n').collect();
        let marked_lines = o
            .error_lines
            .iter()
            .flat_map(|&(a, b)| a..=b)
            .chain(v.error_line);
        let variable = marked_lines
            .filter_map(|l| lines.get(l.wrapping_sub(1)))
            .any(|l| {
                l.contains('$')
                    && !l
                        .split_whitespace()
                        .next()
                        .is_some_and(|k| k.eq_ignore_ascii_case("from"))
            });
        // An empty value where a `$` was: a variable unset here.
        let empty = msg.contains("\"\"") || msg.contains("  ") || msg.ends_with(':');
        let class = if image_dependent(case, v) {
            "rejects-image"
        } else if variable && empty {
            "rejects-unset"
        } else if variable {
            "rejects-variable"
        } else {
            "rejects"
        };
        return Some((
            format!("{} {class}: {msg}", case.kind),
            format!("{msg} (we give no error)"),
        ));
    }
    let line = buildkit_line(v)?;
    // One of our errors starts on BuildKit's line, or on another line
    // BuildKit marks for the error (the error of an instruction written on
    // several lines marks each of them, and ours sits on the flag or
    // argument at fault, maybe on a continuation line).
    let marked = |l: usize| {
        l == line
            || buildkit_line(v) == v.error_line
                && o.error_lines.iter().any(|&(a, b)| (a..=b).contains(&l))
            || onbuild_fired(&case.text, line, l)
    };
    // BuildKit puts `file with no instructions` on the file's last line,
    // we put ours (NoInstructions) at its start: both are the whole file.
    let anywhere = v.error == "file with no instructions";
    if o.ours
        .iter()
        .any(|(l, m)| marked(*l) || anywhere && m.starts_with("NoInstructions"))
    {
        return None;
    }
    let class = if image_dependent(case, v) {
        "line-image"
    } else {
        "line"
    };
    Some((
        format!("{} {class}: {msg}", case.kind),
        format!("{msg} (we error on another line)"),
    ))
}

/// Whether BuildKit's line is a `FROM STAGE` that fires an ONBUILD
/// trigger of STAGE written on our line: BuildKit reports a trigger's
/// error on the FROM that runs it, we on the trigger.
fn onbuild_fired(text: &str, buildkit: usize, ours: usize) -> bool {
    let doc = Doc::new(text);
    let keyword = |l: usize| {
        doc.lines
            .get(l.wrapping_sub(1))
            .and_then(|t| t.split_whitespace().next())
            .map(str::to_ascii_uppercase)
    };
    if keyword(buildkit).as_deref() != Some("FROM") || keyword(ours).as_deref() != Some("ONBUILD") {
        return false;
    }
    let w = words(&doc.lines[buildkit - 1]);
    let Some(base) = image_position(&w).map(|p| w[p].1.to_ascii_lowercase()) else {
        return false;
    };
    // The stage our line is in is named BASE.
    doc.froms()
        .iter()
        .rev()
        .find(|f| f.first < ours - 1)
        .is_some_and(|f| {
            let w = words(&doc.lines[f.first]);
            as_position(&w)
                .and_then(|p| w.get(p + 1))
                .is_some_and(|(_, n)| n.eq_ignore_ascii_case(&base))
        })
}

/// Whether BuildKit's error comes from what buildkit-check's stand-in
/// image lacks: a mount target resolved against the base image's working
/// directory.
fn image_dependent(case: &Case, v: &common::Verdict) -> bool {
    v.error.starts_with("invalid mount target ")
        && v.error_line
            .is_some_and(|l| workdir_from_image(&case.text, l))
}

/// Whether the working directory at a line (1-based) is the base image's:
/// no WORKDIR before it in its stage nor in the stages it is built on,
/// down to an image other than scratch.
fn workdir_from_image(text: &str, line: usize) -> bool {
    let doc = Doc::new(text);
    let froms = doc.froms();
    let name_of = |f: &Instr| {
        let w = words(&doc.lines[f.first]);
        as_position(&w)
            .and_then(|p| w.get(p + 1))
            .map(|(_, n)| n.to_ascii_lowercase())
    };
    let Some(mut stage) = froms.iter().rposition(|f| f.first < line) else {
        return false;
    };
    let mut until = line - 1;
    for _ in 0..froms.len() {
        let start = froms[stage].first;
        let workdir = doc
            .instrs
            .iter()
            .any(|i| i.first > start && i.first < until && i.keyword == "WORKDIR");
        if workdir {
            return false;
        }
        let w = words(&doc.lines[start]);
        let Some(base) = image_position(&w).map(|p| w[p].1.to_ascii_lowercase()) else {
            return false;
        };
        if base == "scratch" {
            return false;
        }
        match froms[..stage]
            .iter()
            .rposition(|f| name_of(f).as_deref() == Some(base.as_str()))
        {
            Some(parent) => {
                stage = parent;
                until = froms.get(parent + 1).map_or(doc.lines.len(), |f| f.first);
            }
            None => return true,
        }
    }
    false
}

/// The listed exceptions: (kind or `*`, class word, message prefix) -> reason.
fn listed(path: &Path) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for (n, line) in common::read(path).lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, reason) = line.split_once(" -- ").unwrap_or_else(|| {
            panic!(
                "{}:{}: `KIND CLASS: MESSAGE -- reason`",
                path.display(),
                n + 1
            )
        });
        let (head, message) = key.split_once(": ").unwrap_or_else(|| {
            panic!(
                "{}:{}: `KIND CLASS: MESSAGE -- reason`",
                path.display(),
                n + 1
            )
        });
        let mut hw = head.split_whitespace();
        let (Some(kind), Some(class), None) = (hw.next(), hw.next(), hw.next()) else {
            panic!(
                "{}:{}: `KIND CLASS: MESSAGE -- reason`",
                path.display(),
                n + 1
            )
        };
        assert!(
            [
                "accepts",
                "rejects",
                                "rejects-variable",
                "rejects-unset",
                "rejects-image",
                "line",
                "line-image"
            ]
            .contains(&class),
            "{}:{}: the class is accepts, rejects, rejects-variable, rejects-unset, rejects-image, line or line-image",
            path.display(),
            n + 1
        );
        assert!(
            !reason.trim().is_empty(),
            "{}:{}: no reason",
            path.display(),
            n + 1
        );
        out.push((
            kind.to_string(),
            class.to_string(),
            message.trim().to_string(),
            reason.trim().to_string(),
        ));
    }
    out
}

fn matches(entry: &(String, String, String, String), key: &str) -> bool {
    let (kind, class, message, _) = entry;
    let Some((head, msg)) = key.split_once(": ") else {
        return false;
    };
    let mut hw = head.split_whitespace();
    let (k, c) = (hw.next().unwrap_or(""), hw.next().unwrap_or(""));
    (kind == "*" || kind == k) && class == c && (message == "*" || msg == message)
}

fn corpus_files(corpus: &Path) -> Vec<PathBuf> {
    let mut files = common::corpus_dockerfiles(&corpus.join("apps"), false);
    files.extend(common::corpus_dockerfiles(&corpus.join("valid"), true));
    files.sort();
    files
}

/// BuildKit's own negative test files (../shared/corpus/invalid), as they are.
fn corpus_dockerfiles_invalid(corpus: &Path) -> Vec<PathBuf> {
    common::corpus_dockerfiles(&corpus.join("invalid"), true)
}

fn seed_of(name: &str) -> u64 {
    // FNV-1a: a stable seed per file, so each file's mutations replay.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h | 1
}

/// The cases: each corpus file as is and up to `per_file` mutations of it,
/// the kinds used least so far first (so the rare places get their share).
fn cases(corpus: &Path, per_file: usize) -> Vec<Case> {
    let mut used: BTreeMap<&str, usize> = MUTATIONS.iter().map(|(k, _)| (*k, 0)).collect();
    let mut out = Vec::new();
    let prefix = format!("{}/", corpus.display());
    for file in corpus_dockerfiles_invalid(corpus) {
        out.push(Case {
            kind: "invalid-corpus",
            origin: file.display().to_string().replace(&prefix, ""),
            text: common::read(&file),
        });
    }
    for file in corpus_files(corpus) {
        let text = common::read(&file);
        let origin = file.display().to_string().replace(&prefix, "");
        let mut rng = Rng(seed_of(&origin));
        let doc = Doc::new(&text);
        let mut seen: BTreeSet<String> = BTreeSet::from([text.clone()]);
        let mut candidates: Vec<(usize, u64, &'static str, String)> = Vec::new();
        for (kind, mutate) in MUTATIONS {
            if let Some(t) = mutate(&doc, &mut rng) {
                if seen.insert(t.clone()) {
                    candidates.push((used[kind], rng.next(), kind, t));
                }
            }
        }
        candidates.sort_by_key(|c| (c.0, c.1));
        out.push(Case {
            kind: "original",
            origin: origin.clone(),
            text,
        });
        for (_, _, kind, t) in candidates.into_iter().take(per_file) {
            *used.get_mut(kind).unwrap() += 1;
            out.push(Case {
                kind,
                origin: origin.clone(),
                text: t,
            });
        }
    }
    out
}

/// The family of a difference's message, to route it: a guess from its
/// words, for the report only.
fn family(class: &str) -> &'static str {
    let has = |words: &[&str]| words.iter().any(|w| class.contains(w));
    if has(&["failed to process", "substitution"]) {
        "variables (expansion)"
    } else if has(&[
        "mount", " for uid", " for gid", "sharing", "for size", "field '",
    ]) {
        "mount options"
    } else if has(&[
        "flag",
        "network mode",
        "security",
        "duration",
        "ParseInt",
        "platform",
        "checksum",
        "chmod",
        "chown",
    ]) {
        "flags"
    } else if has(&[
        "FROM",
        "stage",
        "base name",
        "reference format",
        "circular",
        "escape",
        "directive",
        "check option",
        "no instructions",
        "no build stage",
    ]) {
        "FROM, stages, directives"
    } else {
        "instruction arguments, grammar"
    }
}

fn describe(case: &Case, o: &Outcome) -> String {
    let v = &o.verdict;
    let mut s = format!("kind {} from {}\n", case.kind, case.origin);
    if let Some((key, _)) = difference(case, o) {
        s.push_str(&format!("key: {key}\n"));
    }
    if v.ok {
        s.push_str("BuildKit: accepted\n");
    } else {
        s.push_str(&format!("BuildKit: line {:?}: {}\n", v.error_line, v.error));
    }
    if o.ours.is_empty() {
        s.push_str("ours: no error\n");
    }
    for (l, m) in &o.ours {
        s.push_str(&format!("ours: line {l}: {m}\n"));
    }
    s
}

/// Our error-level diagnostics of BuildKit's verdict: (1-based line,
/// message), the message of any but a syntax error led by its code. The
/// syntax errors; the file without instructions (NoInstructions); and
/// under `# check=error=true` our build checks of BuildKit's names, as
/// BuildKit's turn fatal there. Not our other rules at error level (an
/// unknown stage, a stage index out of range, ...): they say what a real
/// build would meet (an image that is not there), beyond what BuildKit's
/// frontend decides from the file.
fn our_errors(
    text: &str,
    context: &Context,
    verdict_codes: &BTreeSet<&str>,
) -> Vec<(usize, String)> {
    // The syntax errors straight from the syntax layer: in the server's
    // diagnostics, one a rule also reports carries the rule's code.
    let tree = dockerfile_lsp::syntax::parse(text);
    let mut out: Vec<(usize, String)> = dockerfile_lsp::syntax::syntax_errors(&tree, text)
        .into_iter()
        .map(|e| (e.start.row + 1, e.message))
        .collect();
    out.extend(
        check_text("Dockerfile", text, context)
            .into_iter()
            .filter(|f| {
                f.diagnostic.severity == Severity::Error
                    && f.diagnostic.code != "SyntaxError"
                    && verdict_codes.contains(f.diagnostic.code)
            })
            .map(|f| {
                (
                    f.line,
                    format!("{}: {}", f.diagnostic.code, f.diagnostic.message),
                )
            }),
    );
    out
}

fn numbered(text: &str) -> String {
    text.split('\n')
        .enumerate()
        .map(|(i, l)| format!("{:4} | {l}\n", i + 1))
        .collect()
}

#[test]
fn buildkit_and_we_agree_on_the_corpus_and_its_mutations() {
    let shared = common::shared_dir();
    let tool = shared.join("tools/buildkit-check");
    assert!(
        tool.is_file(),
        "{} is missing: this test needs BuildKit's frontend (see ../shared/tools/README.md)",
        tool.display()
    );
    let per_file: usize = std::env::var("BUILDKIT_MUTATIONS_PER_FILE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let corpus = PathBuf::from("../shared/corpus");
    let cases = cases(&corpus, per_file);
    assert!(cases.len() > 1000, "only {} cases", cases.len());
    if let Some(dir) = std::env::var_os("BUILDKIT_MUTATIONS_DUMP").map(PathBuf::from) {
        for (n, case) in cases.iter().enumerate() {
            common::write(
                &dir.join(case.kind).join(format!("{n}.Dockerfile")),
                case.text.as_bytes(),
            );
        }
    }

    let (context, _) = Context::load(None, &Config::default(), None);
    let mut verdict_codes: BTreeSet<&str> = rules::registry()
        .iter()
        .filter(|r| r.group == Group::BuildKit)
        .map(|r| r.code)
        .collect();
    verdict_codes.extend(["SyntaxError", "NoInstructions"]);
    let scratch = common::temp_dir("buildkit-mutations");
    let next = Mutex::new(0usize);
    let outcomes: Mutex<Vec<Option<Outcome>>> =
        Mutex::new((0..cases.len()).map(|_| None).collect());
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        * 2;
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let n = {
                    let mut i = next.lock().unwrap();
                    let n = *i;
                    *i += 1;
                    n
                };
                let Some(case) = cases.get(n) else { break };
                let path = scratch.join(format!("{n}.Dockerfile"));
                std::fs::write(&path, &case.text).unwrap();
                let (verdict, error_lines) = common::buildkit_check_with_ranges(&path);
                let _ = std::fs::remove_file(&path);
                let ours = our_errors(&case.text, &context, &verdict_codes);
                outcomes.lock().unwrap()[n] = Some(Outcome {
                    verdict,
                    error_lines,
                    ours,
                });
            });
        }
    });
    let _ = std::fs::remove_dir_all(&scratch);
    let outcomes: Vec<Outcome> = outcomes
        .into_inner()
        .unwrap()
        .into_iter()
        .map(Option::unwrap)
        .collect();

    let exceptions = listed(Path::new("tests/buildkit-mutations-differences.txt"));
    let mut used = vec![false; exceptions.len()];
    // class -> (count, per kind counts, examples)
    let mut groups: BTreeMap<String, Differences> = BTreeMap::new();
    let mut failing: Vec<usize> = Vec::new();
    let mut rejected = 0;
    for (n, (case, o)) in cases.iter().zip(&outcomes).enumerate() {
        rejected += usize::from(!o.verdict.ok);
        let Some((key, class)) = difference(case, o) else {
            continue;
        };
        let listed_at = exceptions.iter().position(|e| matches(e, &key));
        if let Some(i) = listed_at {
            used[i] = true;
            continue;
        }
        failing.push(n);
        let g = groups.entry(class).or_default();
        g.0 += 1;
        *g.1.entry(case.kind).or_default() += 1;
        if g.2.len() < 2 {
            g.2.push(n);
        }
    }

    // The report, grouped by message, biggest first.
    let mut report = format!(
        "# {} files ({} rejected by BuildKit), {} differences in {} groups\n\n",
        cases.len(),
        rejected,
        failing.len(),
        groups.len()
    );
    let mut per_kind: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for (n, (case, o)) in cases.iter().zip(&outcomes).enumerate() {
        let row = per_kind.entry(case.kind).or_default();
        row[0] += 1;
        row[1] += usize::from(!o.verdict.ok);
        row[2] += usize::from(failing.contains(&n));
    }
    report.push_str("# per kind: files, rejected by BuildKit, differences\n");
    for (kind, [files, rejected, differing]) in &per_kind {
        report.push_str(&format!(
            "#   {kind:24} {files:5} {rejected:5} {differing:5}\n"
        ));
    }
    report.push('\n');
    // Which of BuildKit's error sites the files reach.
    let mut messages: BTreeMap<String, usize> = BTreeMap::new();
    for o in &outcomes {
        if !o.verdict.ok {
            *messages.entry(normalize(&o.verdict.error)).or_default() += 1;
        }
    }
    report.push_str(&format!(
        "# BuildKit's {} distinct messages (files)\n",
        messages.len()
    ));
    for (message, count) in &messages {
        report.push_str(&format!("#   {count:5} {message}\n"));
    }
    report.push('\n');
    let mut sorted: Vec<_> = groups.iter().collect();
    sorted.sort_by_key(|(class, g)| (std::cmp::Reverse(g.0), class.to_string()));
    let report_dir = std::env::var_os("BUILDKIT_MUTATIONS_REPORT").map(PathBuf::from);
    if let Some(dir) = &report_dir {
        let _ = std::fs::remove_dir_all(dir.join("examples"));
        std::fs::create_dir_all(dir.join("examples")).unwrap();
    }
    for (g_index, (class, (count, kinds, examples))) in sorted.iter().enumerate() {
        report.push_str(&format!(
            "== {count}x {class}\n   family: {}\n   kinds: {kinds:?}\n",
            family(class)
        ));
        for (e_index, &n) in examples.iter().enumerate() {
            let name = format!("{:03}-{}.Dockerfile", g_index + 1, e_index + 1);
            if let Some(dir) = &report_dir {
                std::fs::write(dir.join("examples").join(&name), &cases[n].text).unwrap();
                report.push_str(&format!(
                    "   example {}\n",
                    dir.join("examples").join(&name).display()
                ));
            }
            for l in describe(&cases[n], &outcomes[n]).lines() {
                report.push_str(&format!("     {l}\n"));
            }
        }
        report.push('\n');
    }
    if let Some(dir) = &report_dir {
        std::fs::write(dir.join("diff.txt"), &report).unwrap();
    }

    let stale: Vec<String> = exceptions
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(e, _)| format!("{} {}: {} -- {}", e.0, e.1, e.2, e.3))
        .collect();
    let mut details = String::new();
    for &n in failing.iter().take(40) {
        details.push_str(&describe(&cases[n], &outcomes[n]));
        details.push_str(&numbered(&cases[n].text));
        details.push('\n');
    }
    assert!(
        failing.is_empty() && stale.is_empty(),
        "{} differences with BuildKit not listed in tests/buildkit-mutations-differences.txt \
         (the first 40 in full below), and {} listed ones that no longer occur:\n{}\n\n{report}\n{details}",
        failing.len(),
        stale.len(),
        stale.join("\n"),
    );
}

fn heredoc(d: &Doc, rng: &mut Rng) -> Option<String> {
    let value = choose(
        rng,
        &[
            "RUN <<EOF\necho hi\nEOF",
            "RUN <<EOF\necho hi",
            "RUN <<-EOF\n\techo hi\n\tEOF",
            "RUN <<'EOF'\necho $HOME\nEOF",
            "RUN <<EOF bash\necho hi\nEOF",
            "RUN cat <<A <<B\na\nA\nb\nB",
            "RUN cat <<A <<B\na\nA",
            "COPY <<EOF /etc/x\nhello\nEOF",
            "COPY <<EOF\nhello\nEOF",
            "ADD <<EOF /x\nhi\nEOF",
            "RUN <<\necho\n",
            "RUN <<\"EOF\nx\nEOF",
            "ENV X=<<EOF\nEOF",
            "CMD <<EOF\necho\nEOF",
            "RUN --mount=type=cache,target=/c <<EOF\nls\nEOF",
            "RUN <<EOF\nEOF",
            "COPY /a <<EOF\nx\nEOF",
            "COPY <<A <<B /d/\na\nA\nb\nB",
            "ONBUILD RUN <<EOF\necho\nEOF",
        ],
    );
    Some(d.inserting(after_first_from(d)?, value))
}

fn stage_ref(d: &Doc, rng: &mut Rng) -> Option<String> {
    let names = d.stage_names();
    let froms = d.froms();
    if names.is_empty() || froms.len() < 2 {
        return None;
    }
    let name = &names[rng.below(names.len())];
    // The stage it is defined in, by its FROM's index.
    let defined = froms.iter().position(|f| {
        let w = words(&d.lines[f.first]);
        as_position(&w)
            .and_then(|p| w.get(p + 1))
            .is_some_and(|(_, n)| n.eq_ignore_ascii_case(name))
    })?;
    let target = rng.below(froms.len());
    let form = choose(
        rng,
        &[
            "COPY --from={} /a /b",
            "COPY --from={} /a /b",
            "RUN --mount=from={},target=/m true",
            "RUN --mount=type=bind,from={},source=/,target=/m true",
            "FROM {}",
        ],
    );
    let reference = match rng.below(3) {
        0 => name.to_ascii_uppercase(),
        1 => defined.to_string(),
        _ => name.clone(),
    };
    let line = form.replace("{}", &reference);
    let at = froms[target].last + 1;
    let _ = defined;
    Some(d.inserting(at, &line))
}

fn check_directive(d: &Doc, rng: &mut Rng) -> Option<String> {
    let value = choose(
        rng,
        &[
            "# check=skip=all",
            "# check=error=true",
            "# check=error=maybe",
            "# check=experimental=x",
            "# check=skip=UnknownRule",
            "# check=bogus",
            "# check=skip=JSONArgsRecommended;error=true",
            "# check=",
            "# syntax=docker/dockerfile:1",
            "# syntax=",
            "# check=skip=all\n# check=error=true",
        ],
    );
    if d.instrs.is_empty() {
        return None;
    }
    Some(d.inserting(0, value))
}

fn json_form(d: &Doc, rng: &mut Rng) -> Option<String> {
    let value = choose(
        rng,
        &[
            "CMD [\"a\", \"b\"]",
            "CMD ['a', 'b']",
            "CMD [\"a\" \"b\"]",
            "CMD [\"a\", 1]",
            "CMD []",
            "CMD [\"a\",]",
            "ENTRYPOINT [\"a\"",
            "ENTRYPOINT [\"a\\\"]",
            "RUN [\"echo\", \"hi\"]",
            "RUN []",
            "RUN [ ]",
            "VOLUME [\"/a\", \"/b\"]",
            "VOLUME [\"/a\" \"/b\"]",
            "VOLUME [1]",
            "COPY [\"a\", \"b\", \"/c/\"]",
            "COPY [\"a\"]",
            "COPY [\"a\" \"b\"]",
            "ADD [\"a\", \"b\"]",
            "SHELL [\"a\", 1]",
            "CMD [\"a\", \"b\"] extra",
            "HEALTHCHECK CMD [\"a\", \"b\"]",
            "HEALTHCHECK CMD [\"a\" \"b\"]",
        ],
    );
    Some(d.inserting(after_first_from(d)?, value))
}

/// The same file with other line endings, a byte-order mark, or other
/// blanks: BuildKit reads them all the same.
fn line_endings(d: &Doc, rng: &mut Rng) -> Option<String> {
    let text = Doc::text(&d.lines);
    Some(match rng.below(4) {
        0 => text.replace('\n', "\r\n"),
        1 => format!("\u{feff}{text}"),
        2 => {
            let i = d.pick(rng, |_| true)?;
            d.with_line(i.first, format!("\t  {}", d.lines[i.first]))
        }
        _ => format!("{text}\n\n# trailing comment\n"),
    })
}

/// Parser directives in other forms: spacing, case, after a comment (then
/// no directive), unknown names, twice.
fn directive_form(d: &Doc, rng: &mut Rng) -> Option<String> {
    let value = choose(
        rng,
        &[
            "#escape = x",
            "# ESCAPE=x",
            "#  escape  =  `",
            "# comment\n# escape=x",
            "\n# escape=x",
            "# unknown=1\n# escape=x",
            "# syntax=docker/dockerfile:1\n# syntax=docker/dockerfile:1",
            "# check=skip=all\n# CHECK=skip=all",
            "#escape=`\n#escape=`",
            "# escape=\\\\ trailing",
            "# escape =\\\\",
        ],
    );
    if d.directives > 0 || d.instrs.is_empty() {
        return None;
    }
    Some(d.inserting(0, value))
}

/// Values on the edge of what BuildKit takes, mostly good ones (where a
/// check too strict would give a false error).
fn boundary_values(d: &Doc, rng: &mut Rng) -> Option<String> {
    let value = choose(
        rng,
        &[
            "HEALTHCHECK --interval=1m30s --timeout=1.5s --start-period=0 --retries=0 CMD true",
            "HEALTHCHECK --interval=1h --start-interval=500ms CMD true",
            "HEALTHCHECK --interval=1us CMD true",
            "HEALTHCHECK --interval=.5s CMD true",
            "HEALTHCHECK --interval=1e3s CMD true",
            "HEALTHCHECK --retries=+3 CMD true",
            "HEALTHCHECK --retries=99999999999 CMD true",
            "HEALTHCHECK --timeout=-1s CMD true",
            "HEALTHCHECK --interval= CMD true",
            "COPY --chmod=0755 a /b",
            "COPY --chmod=u=rwx,g=rx a /b",
            "COPY --chmod=7777 a /b",
            "COPY --chmod=0o755 a /b",
            "COPY --chmod=+x a /b",
            "COPY --link=false a /b",
            "COPY --link=TRUE a /b",
            "COPY --link=True a /b",
            "COPY --link=0 a /b",
            "COPY --LINK a /b",
            "COPY --chown=1:1 --chmod=644 --link a /b",
            "COPY --from=0 a /b",
            "COPY --chown= a /b",
            "ADD --keep-git-dir=false https://github.com/a/b.git /b",
            "ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/a /a",
            "ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d a /a",
                        "ADD --checksum=sha512:abc https://example.com/a /a",
            "ADD --checksum=sha256:xyz https://example.com/a /a",
            "ADD --checksum=md5:abc https://example.com/a /a",
            "ADD --checksum=abc https://example.com/a /a",
            "ADD --keep-git-dir=true a /b",
            "ADD --keep-git-dir https://github.com/a/b.git#main /b",
            "COPY https://example.com/a /a",
            "COPY --chmod=644 --chown=1 https://example.com/a /a",
            "ADD --chmod=755 https://github.com/a/b.git /b",
            "COPY --exclude=*.md . /b",
            "COPY --parents a/b /c/",
            "RUN --network=default true",
            "RUN --network=host true",
            "RUN --network=NONE true",
            "RUN --security=sandbox true",
            "RUN --security=insecure true",
            "RUN --mount=type=cache,target=/x,id=a,sharing=shared,mode=0755,uid=1,gid=1 true",
            "RUN --mount=type=cache,target=/x,sharing=private,ro true",
            "RUN --mount=type=cache,target=/x,readonly=false true",
            "RUN --mount=type=secret,id=x,dst=/run/x,required true",
            "RUN --mount=type=secret,id=x,required=true,mode=0400,uid=0,gid=0 true",
            "RUN --mount=type=ssh,id=default,required=false true",
            "RUN --mount=type=bind,target=/x,rw true",
            "RUN --mount=Type=cache,target=/x true",
            "RUN --mount=type=CACHE,target=/x true",
            "RUN --mount=\"type=cache,target=/x\" true",
            "RUN --mount=type=cache,\"target=/x y\" true",
            "RUN --mount=type=tmpfs,target=/t,size=1g true",
            "RUN --mount=type=tmpfs,target=/t,size=100 true",
            "RUN --mount=type=cache,target=/x --mount=type=cache,target=/y true",
            "RUN --mount=target=/x true",
            "RUN --mount=type=bind true",
            "RUN --mount=type=cache,target=relative true",
            "RUN --mount=type=cache,target=/x,unknown true",
            "RUN --mount=type=cache,target=/x, true",
            "RUN --mount=,type=cache,target=/x true",
            "EXPOSE 80/udp 443/tcp 8000-8010 9000-9001/udp",
            "EXPOSE 80/Tcp",
            "EXPOSE 0-0",
            "EXPOSE 65535",
            "EXPOSE 1-65535",
            "STOPSIGNAL SIGRTMIN+3",
            "STOPSIGNAL SIGUSR1",
            "STOPSIGNAL 15",
            "STOPSIGNAL SIGRTMAX",
            "STOPSIGNAL RTMIN",
            "STOPSIGNAL SIGCHLD",
            "STOPSIGNAL sigkill",
            "STOPSIGNAL 64",
            "STOPSIGNAL 65",
            "USER 1000:1000",
            "WORKDIR /a/b/../c",
            "WORKDIR relative",
            "ENV A=1 B=2 C=\"3 4\"",
            "ENV A 1 2 3",
            "LABEL a.b-c=\"d\" e=f",
            "ARG A B C",
            "ARG A=1 B",
            "VOLUME /a /b",
            "SHELL [\"pwsh\", \"-Command\"]",
            "ONBUILD RUN --mount=type=cache,target=/x true",
            "CMD [\"a\", \"b\\\\\"c\"]",
            "ENTRYPOINT [\"a\", \"\\u0041\"]",
            "CMD [\"a\"] ",
            "CMD [ ]",
        ],
    );
    let at = d.froms().last()?.last + 1;
    Some(d.inserting(at, value))
}

/// Values with variables: BuildKit expands some (the build args and the
/// environment), so a check of the text would be wrong.
fn variable_values(d: &Doc, rng: &mut Rng) -> Option<String> {
    let value = choose(
        rng,
        &[
            "COPY --chmod=$MODE a /b",
            "COPY --chmod=${MODE:-755} a /b",
            "COPY --chown=$U:$G a /b",
            "COPY --from=$STAGE a /b",
            "COPY --from=${STAGE:-x} a /b",
            "COPY --link=$LINK a /b",
            "ADD --checksum=$SUM https://example.com/a /a",
            "RUN --network=$NET true",
            "RUN --security=$SEC true",
            "RUN --mount=type=$T,target=/x true",
            "RUN --mount=type=cache,target=$DIR true",
            "RUN --mount=type=cache,target=/x,uid=$UID true",
            "RUN --mount=type=cache,target=/x,sharing=$S true",
            "RUN --mount=type=bind,from=$STAGE,target=/x true",
            "HEALTHCHECK --interval=$I CMD true",
            "HEALTHCHECK --retries=$R CMD true",
            "EXPOSE $PORT",
            "EXPOSE ${PORT:-80}/tcp",
            "EXPOSE 80/$PROTO",
            "STOPSIGNAL $SIG",
            "STOPSIGNAL ${SIG:-SIGTERM}",
            "USER $U",
            "WORKDIR $W",
            "WORKDIR ${W:?}",
            "ENV A=${B:?}",
            "ENV A=${B:+x}",
            "ENV A=${B#x}",
            "ENV A=${B%%x}",
            "ENV A=${B/x/y}",
            "ENV A=${B:1:2}",
            "LABEL a=${B?}",
            "ARG A=${B:-x}",
            "ARG MODE=755\nCOPY --chmod=$MODE a /b",
            "ARG NET=none\nRUN --network=$NET true",
            "ARG SIG=SIGFOO\nSTOPSIGNAL $SIG",
            "ARG PORT=abc\nEXPOSE $PORT",
            "ARG I=abc\nHEALTHCHECK --interval=$I CMD true",
            "ENV T=cache\nRUN --mount=type=$T,target=/x true",
        ],
    );
    let at = d.froms().last()?.last + 1;
    Some(d.inserting(at, value))
}

/// Two other mutations, one over the other (their interplay: an escape
/// directive and a continuation, a dropped FROM and a stage reference).
fn combined(d: &Doc, rng: &mut Rng) -> Option<String> {
    let others = &MUTATIONS[..MUTATIONS.len() - 1];
    let (_, first) = others[rng.below(others.len())];
    let once = Doc::new(&first(d, rng)?);
    let (_, second) = others[rng.below(others.len())];
    second(&once, rng)
}
