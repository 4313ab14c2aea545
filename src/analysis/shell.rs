//! The commands of RUN instructions, read with tree-sitter-bash: each
//! simple command's name and arguments (quotes removed when the word is a
//! plain string), its file redirections, and whether the script pipes.
//! Rules ask these instead of matching the text.

use std::cell::RefCell;

use tree_sitter::{Node, Parser};

/// One simple command: `apt-get install -y curl > /dev/null`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Command {
    pub name: String,
    pub args: Vec<String>,
    /// Files written by `>` / `>>` redirections of this command.
    pub writes: Vec<String>,
    /// Whether the command appears in a pipeline (`a | b`).
    pub piped: bool,
    /// Variables the shell expands in its arguments (`$A`, `${B}`; not
    /// inside single quotes).
    pub expands: Vec<String>,
}

impl Command {
    /// The arguments that are not options (`-y`, `--flag`, `--flag=value`).
    pub fn operands(&self) -> impl DoubleEndedIterator<Item = &str> {
        self.args
            .iter()
            .map(String::as_str)
            .filter(|a| !a.starts_with('-'))
    }

    pub fn has_flag(&self, flags: &[&str]) -> bool {
        self.args.iter().any(|a| {
            flags
                .iter()
                .any(|f| a == f || (a.starts_with(f) && a[f.len()..].starts_with('=')))
        })
    }

    /// `npm ci`, `apt-get install`: the name and the first operand.
    pub fn is(&self, name: &str, subcommand: &str) -> bool {
        self.name == name && self.operands().next() == Some(subcommand)
    }
}

/// The commands of a script, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    pub commands: Vec<Command>,
    /// Whether bash found syntax it could not read (the commands are then
    /// what could be read).
    pub has_errors: bool,
}

impl Script {
    pub fn parse(text: &str) -> Script {
        thread_local! {
            static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
        }
        PARSER.with(|cell| {
            let mut slot = cell.borrow_mut();
            let parser = slot.get_or_insert_with(|| {
                let mut p = Parser::new();
                p.set_language(&tree_sitter_bash::LANGUAGE.into())
                    .expect("tree-sitter-bash matches our tree-sitter version");
                p
            });
            let Some(tree) = parser.parse(text, None) else {
                return Script::default();
            };
            let mut script = Script {
                commands: Vec::new(),
                has_errors: tree.root_node().has_error(),
            };
            collect(tree.root_node(), text, false, &mut script.commands);
            script
        })
    }

    /// The script of `text`, shared with earlier reads of the same text:
    /// on each keystroke only the RUN lines that changed are parsed again.
    /// The memo holds the scripts of the last two generations of 16,384
    /// distinct texts, so it never grows without bound.
    pub fn parse_shared(text: &str) -> std::sync::Arc<Script> {
        use std::collections::HashMap;
        use std::sync::{Arc, Mutex};
        type Memo = (HashMap<String, Arc<Script>>, HashMap<String, Arc<Script>>);
        static MEMO: Mutex<Option<Memo>> = Mutex::new(None);
        const GENERATION: usize = 16_384;
        let lookup = |memo: &mut Memo| {
            if let Some(found) = memo.0.get(text) {
                return Some(found.clone());
            }
            let found = memo.1.remove(text)?;
            memo.0.insert(text.to_string(), found.clone());
            Some(found)
        };
        if let Ok(mut guard) = MEMO.lock() {
            if let Some(found) = lookup(guard.get_or_insert_with(Default::default)) {
                return found;
            }
        }
        let script = Arc::new(Script::parse(text));
        if let Ok(mut guard) = MEMO.lock() {
            let memo = guard.get_or_insert_with(Default::default);
            if memo.0.len() >= GENERATION {
                memo.1 = std::mem::take(&mut memo.0);
            }
            memo.0.insert(text.to_string(), script.clone());
        }
        script
    }

    pub fn any(&self, f: impl Fn(&Command) -> bool) -> bool {
        self.commands.iter().any(f)
    }
}

fn collect(node: Node, text: &str, piped: bool, out: &mut Vec<Command>) {
    match node.kind() {
        "command" => {
            if let Some(c) = command(node, text, piped) {
                out.push(c);
            }
            // command substitutions inside arguments
            let mut cursor = node.walk();
            for child in node.children(&mut cursor) {
                if child.kind() != "command_name" {
                    collect_substitutions(child, text, out);
                }
            }
        }
        "redirected_statement" => {
            let before = out.len();
            if let Some(body) = node.child_by_field_name("body") {
                collect(body, text, piped, out);
            }
            let mut cursor = node.walk();
            let writes: Vec<String> = node
                .children_by_field_name("redirect", &mut cursor)
                .filter_map(|r| redirect_target(r, text))
                .collect();
            if let Some(last) = out[before..].last_mut() {
                last.writes.extend(writes);
            }
        }
        "pipeline" => {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                collect(child, text, true, out);
            }
        }
        _ => {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                collect(child, text, piped, out);
            }
        }
    }
}

fn collect_substitutions(node: Node, text: &str, out: &mut Vec<Command>) {
    if node.kind() == "command_substitution" {
        collect(node, text, false, out);
        return;
    }
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        collect_substitutions(child, text, out);
    }
}

fn command(node: Node, text: &str, piped: bool) -> Option<Command> {
    let name = word(node.child_by_field_name("name")?, text);
    let mut cursor = node.walk();
    let mut args: Vec<String> = node
        .children_by_field_name("argument", &mut cursor)
        .map(|a| word(a, text))
        .collect();
    let mut cursor = node.walk();
    let writes = node
        .children_by_field_name("redirect", &mut cursor)
        .filter_map(|r| redirect_target(r, text))
        .collect();
    let mut expands = Vec::new();
    let mut cursor = node.walk();
    for a in node.children_by_field_name("argument", &mut cursor) {
        expansions(a, text, &mut expands);
    }
    let mut name = name;
    // `sudo apt-get ...`, `env A=b npm ...`: the wrapped command counts.
    while matches!(name.as_str(), "sudo" | "env" | "exec" | "nohup" | "time") && !args.is_empty() {
        let at = args
            .iter()
            .position(|a| !a.starts_with('-') && !a.contains('='))?;
        if name == "sudo" {
            // keep the fact for DL3004
            return Some(Command {
                name,
                args,
                writes,
                piped,
                expands,
            });
        }
        name = args[at].clone();
        args.drain(..=at);
    }
    Some(Command {
        name,
        args,
        writes,
        piped,
        expands,
    })
}

fn expansions(node: Node, text: &str, out: &mut Vec<String>) {
    match node.kind() {
        "raw_string" => {}
        "simple_expansion" | "expansion" => {
            let mut cursor = node.walk();
            let name = node
                .named_children(&mut cursor)
                .find(|c| c.kind() == "variable_name");
            out.extend(name.map(|n| text[n.byte_range()].to_string()));
        }
        _ => {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                expansions(child, text, out);
            }
        }
    }
}

fn redirect_target(node: Node, text: &str) -> Option<String> {
    if node.kind() != "file_redirect" {
        return None;
    }
    let op = node.child(0).map(|c| &text[c.byte_range()])?;
    if !matches!(op, ">" | ">>" | "&>" | "&>>" | ">|") && !op.ends_with('>') {
        return None;
    }
    let dest = node.child_by_field_name("destination")?;
    let target = word(dest, text);
    (!target.starts_with("/dev/") && !target.starts_with('&')).then_some(target)
}

/// A word's text, with the quotes of a plain quoted string removed.
fn word(node: Node, text: &str) -> String {
    let raw = &text[node.byte_range()];
    match node.kind() {
        "raw_string" => raw.trim_matches('\'').to_string(),
        "string" if node.named_child_count() == 0 => raw.trim_matches('"').to_string(),
        _ => raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_commands_pipes_and_redirections() {
        let s = Script::parse(
            "apt-get update && apt-get install -y 'curl' \\\n  && curl -fsSL https://x | sh && echo \"$TOKEN\" > ~/.npmrc",
        );
        let names: Vec<_> = s.commands.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["apt-get", "apt-get", "curl", "sh", "echo"]);
        assert!(s.commands[1].is("apt-get", "install"));
        assert_eq!(
            s.commands[1].operands().collect::<Vec<_>>(),
            ["install", "curl"]
        );
        assert!(s.commands[1].has_flag(&["-y"]));
        assert!(s.commands[2].piped && s.commands[3].piped && !s.commands[1].piped);
        assert_eq!(s.commands[4].writes, ["~/.npmrc"]);
        assert_eq!(s.commands[4].expands, ["TOKEN"]);
        assert!(Script::parse("echo '$A' \"${B:-x}\"").commands[0].expands == ["B"]);
    }

    #[test]
    fn wrappers_and_substitutions() {
        let s = Script::parse("env NODE_ENV=production npm ci; x=$(pip install a)");
        assert_eq!(s.commands[0].name, "npm");
        assert!(s.commands[0].is("npm", "ci"));
        assert!(s.any(|c| c.is("pip", "install")));
        assert_eq!(
            Script::parse("sudo apt-get install x").commands[0].name,
            "sudo"
        );
    }
}
