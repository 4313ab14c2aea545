//! Splitting the shell text of a package.json script into commands and
//! words: enough of the shell for `a && b`, `A=1 cmd`, quotes and `\`.

/// The simple commands of a script line, in order: separators `&&`, `||`,
/// `;`, `&` and newlines split them; of a pipeline (`a | b`) only its first
/// command is kept (the one whose work the script is for: `node server.js |
/// pino-pretty`); redirections (`> log`, `2>&1`) are dropped; quotes are
/// removed from words.
pub fn commands(script: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = script.chars().peekable();
    let end_word = |word: &mut String, in_word: &mut bool, words: &mut Vec<String>| {
        if *in_word {
            words.push(std::mem::take(word));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some(n) = chars.next() {
                                word.push(n);
                            }
                        }
                        q => word.push(q),
                    }
                }
            }
            '\\' => {
                if let Some(n) = chars.next() {
                    if n != '\n' {
                        in_word = true;
                        word.push(n);
                    }
                }
            }
            '>' | '<' => {
                // `2>&1`, `> out.log`, `<in`: the fd number, the operator
                // and its target go
                if in_word && word.chars().all(|d| d.is_ascii_digit()) {
                    word.clear();
                    in_word = false;
                }
                end_word(&mut word, &mut in_word, &mut words);
                while chars.peek().is_some_and(|n| matches!(n, '>' | '<' | '&')) {
                    chars.next();
                }
                while chars.peek().is_some_and(|n| *n == ' ' || *n == '\t') {
                    chars.next();
                }
                while chars
                    .peek()
                    .is_some_and(|n| !n.is_whitespace() && !matches!(n, ';' | '&' | '|'))
                {
                    chars.next();
                }
            }
            '|' if chars.peek() != Some(&'|') => {
                // a pipeline: the rest of it, up to the next separator, goes
                end_word(&mut word, &mut in_word, &mut words);
                let mut quote = None;
                while let Some(&n) = chars.peek() {
                    match (quote, n) {
                        (None, '\'' | '"') => quote = Some(n),
                        (Some(q), n) if n == q => quote = None,
                        (None, ';' | '&' | '\n') => break,
                        (None, '|') => {
                            // `||` ends the pipeline too
                            let mut ahead = chars.clone();
                            ahead.next();
                            if ahead.peek() == Some(&'|') {
                                break;
                            }
                        }
                        _ => {}
                    }
                    chars.next();
                }
            }
            '&' | '|' | ';' | '\n' => {
                end_word(&mut word, &mut in_word, &mut words);
                if chars.peek() == Some(&c) {
                    chars.next();
                }
                if !words.is_empty() {
                    out.push(std::mem::take(&mut words));
                }
            }
            c if c.is_whitespace() => end_word(&mut word, &mut in_word, &mut words),
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    end_word(&mut word, &mut in_word, &mut words);
    if !words.is_empty() {
        out.push(words);
    }
    out
}

/// A command with its leading `NAME=value` assignments and wrappers that
/// only set the environment (`cross-env`, `env`, `exec`, `dotenv -e f --`)
/// taken off: the assignments and the command that runs.
pub fn strip_env(words: &[String]) -> (Vec<(String, String)>, Vec<String>) {
    let mut env = Vec::new();
    let mut i = 0;
    while let Some(w) = words.get(i) {
        if let Some((name, value)) = w.split_once('=') {
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                env.push((name.to_string(), value.to_string()));
                i += 1;
                continue;
            }
        }
        match w.as_str() {
            "cross-env" | "env" | "exec" | "time" | "nice" => i += 1,
            "dotenv" | "dotenv-cli" => {
                // dotenv [-e file]... -- cmd
                match words[i..].iter().position(|w| w == "--") {
                    Some(dash) => i += dash + 1,
                    None => i += 1,
                }
            }
            _ => break,
        }
    }
    (env, words.get(i..).unwrap_or(&[]).to_vec())
}

/// The value of `--name value` or `--name=value` among `args`.
pub fn flag<'a>(args: &'a [String], names: &[&str]) -> Option<&'a str> {
    let mut iter = args.iter();
    while let Some(a) = iter.next() {
        for name in names {
            if a == name {
                return iter.next().map(String::as_str);
            }
            if let Some(v) = a.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
                return Some(v);
            }
        }
    }
    None
}

/// `node [options] ./node_modules/vite/bin/vite.js build` as the program
/// it runs: `["vite", "build"]`. `None` when `words` is not `node` running
/// a file inside `node_modules`.
pub fn node_modules_program(words: &[String]) -> Option<Vec<String>> {
    let program = words.first()?.rsplit('/').next()?;
    if !matches!(program, "node" | "nodejs") {
        return None;
    }
    let at = words[1..].iter().position(|w| !w.starts_with('-'))? + 1;
    let file = &words[at];
    let (_, inside) = file.split_once("node_modules/")?;
    let name = match inside.strip_prefix(".bin/") {
        Some(bin) => bin.to_string(),
        None => {
            let stem = inside.rsplit('/').next()?;
            let stem = stem.split('.').next().unwrap_or(stem);
            if stem == "index" || stem == "cli" {
                // `node_modules/next/dist/bin/next` vs `.../pkg/cli.js`: the package
                let mut parts = inside.split('/');
                let first = parts.next()?;
                if first.starts_with('@') {
                    parts.next()?.to_string()
                } else {
                    first.to_string()
                }
            } else {
                stem.to_string()
            }
        }
    };
    if name.is_empty() {
        return None;
    }
    let mut out = vec![name];
    out.extend(words[at + 1..].iter().cloned());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn splits_commands_and_words() {
        assert_eq!(
            commands("yarn clean && NODE_ENV=production node 'a b.js' --x=\"1 2\"; tsc"),
            vec![
                w(&["yarn", "clean"]),
                w(&["NODE_ENV=production", "node", "a b.js", "--x=1 2"]),
                w(&["tsc"])
            ]
        );
        assert_eq!(commands("  "), Vec::<Vec<String>>::new());
        assert_eq!(
            commands("a || b | c & d"),
            vec![w(&["a"]), w(&["b"]), w(&["d"])]
        );
        assert_eq!(
            commands("node server.js 2>&1 | pino-pretty > out.log && echo ok"),
            vec![w(&["node", "server.js"]), w(&["echo", "ok"])]
        );
        assert_eq!(
            commands("tsc > /dev/null; cat <in x"),
            vec![w(&["tsc"]), w(&["cat", "x"])]
        );
        assert_eq!(commands("a | b || c | d"), vec![w(&["a"]), w(&["c"])]);
        assert_eq!(commands("echo 'a | b' | tee"), vec![w(&["echo", "a | b"])]);
        assert_eq!(commands("echo 'unclosed"), vec![w(&["echo", "unclosed"])]);
    }

    #[test]
    fn strips_the_environment() {
        let (env, cmd) = strip_env(&w(&[
            "cross-env",
            "BUILD_PATH=out",
            "react-scripts",
            "build",
        ]));
        assert_eq!(env, vec![("BUILD_PATH".to_string(), "out".to_string())]);
        assert_eq!(cmd, w(&["react-scripts", "build"]));
        let (_, cmd) = strip_env(&w(&["dotenv", "-e", ".env.prod", "--", "next", "start"]));
        assert_eq!(cmd, w(&["next", "start"]));
        assert_eq!(flag(&w(&["--outDir", "out"]), &["--outDir"]), Some("out"));
        assert_eq!(
            flag(&w(&["--outdir=lib"]), &["--outDir", "--outdir"]),
            Some("lib")
        );
        assert_eq!(flag(&w(&["--outDir"]), &["--outDir"]), None);
    }

    #[test]
    fn programs_run_from_node_modules() {
        assert_eq!(
            node_modules_program(&w(&[
                "node",
                "--max_old_space_size=8192",
                "./node_modules/vite/bin/vite.js",
                "build"
            ])),
            Some(w(&["vite", "build"]))
        );
        assert_eq!(
            node_modules_program(&w(&["node", "node_modules/.bin/next", "start"])),
            Some(w(&["next", "start"]))
        );
        assert_eq!(
            node_modules_program(&w(&["node", "node_modules/@scope/tool/cli.js"])),
            Some(w(&["tool"]))
        );
        assert_eq!(node_modules_program(&w(&["node", "server.js"])), None);
        assert_eq!(node_modules_program(&w(&["node"])), None);
        assert_eq!(
            node_modules_program(&w(&["vite", "node_modules/x.js"])),
            None
        );
    }
}
