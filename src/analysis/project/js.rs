//! Reading JavaScript and TypeScript configuration files with
//! tree-sitter's grammars: the object a config file exports, the static
//! values of its properties, and JSON-with-comments files (tsconfig.json,
//! angular.json) read as JavaScript expressions.
//!
//! Only what is written literally is known: a string, number, boolean,
//! object or array literal, a top-level `const` such a literal is bound to,
//! `path.resolve(__dirname, "x")`-style joins and
//! `fileURLToPath(new URL("./x", import.meta.url))`. Anything else reads as
//! [`JsValue::Other`] with its source text, so callers can tell "not set"
//! from "set to something we cannot evaluate".

use tree_sitter::{Node, Parser, Tree};

/// The key under which an object's spreads (`...x`) are kept, in order.
pub const SPREAD: &str = "...";

/// How deep identifier and call chains are followed.
const MAX_DEPTH: usize = 8;

/// The grammar a file is read with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    JavaScript,
    TypeScript,
}

impl Dialect {
    /// The dialect of a file by its name: `.ts`, `.mts`, `.cts` are
    /// TypeScript, everything else JavaScript (which includes JSX).
    pub fn of(file: &str) -> Dialect {
        let lower = file.to_ascii_lowercase();
        if [".ts", ".mts", ".cts"].iter().any(|e| lower.ends_with(e)) {
            Dialect::TypeScript
        } else {
            Dialect::JavaScript
        }
    }
}

/// A parsed source file: the text and its tree.
pub struct Script {
    pub text: String,
    pub tree: Tree,
}

/// Parse `text` in `dialect`; `None` only when the parser cannot be set up
/// or gives up (a tree with errors is still returned: callers look at the
/// parts they need and check those for errors).
pub fn parse(text: &str, dialect: Dialect) -> Option<Script> {
    let mut parser = Parser::new();
    let language: tree_sitter::Language = match dialect {
        Dialect::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
        Dialect::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
    };
    parser.set_language(&language).ok()?;
    let tree = parser.parse(text, None)?;
    Some(Script {
        text: text.to_string(),
        tree,
    })
}

/// A statically known value.
#[derive(Clone, Debug, PartialEq)]
pub enum JsValue {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Array(Vec<JsValue>),
    Object(Vec<(String, JsValue)>),
    /// Something we do not evaluate: its source text.
    Other(String),
}

impl JsValue {
    /// The value of property `key` of an object (the last one written wins,
    /// as in JavaScript). A spread (`...x`) written after the last `key`
    /// may replace it: the spread is returned, as [`JsValue::Other`].
    pub fn get(&self, key: &str) -> Option<&JsValue> {
        match self {
            JsValue::Object(pairs) => pairs
                .iter()
                .rev()
                .find(|(k, _)| k == key || k == SPREAD)
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// `get` along a path of keys. A step through a value that is not
    /// evaluated (a spread, a call) gives that value: the key may be there.
    pub fn path(&self, keys: &[&str]) -> Option<&JsValue> {
        keys.iter().try_fold(self, |v, k| match v {
            JsValue::Other(_) => Some(v),
            _ => v.get(k),
        })
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            JsValue::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            JsValue::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl Script {
    pub fn root(&self) -> Node<'_> {
        self.tree.root_node()
    }

    pub fn text_of(&self, node: Node) -> &str {
        self.text.get(node.byte_range()).unwrap_or("")
    }

    /// The expression the module exports: `module.exports = X`,
    /// `export default X`, or `exports.default = X` (the last one written).
    pub fn exported(&self) -> Option<Node<'_>> {
        let root = self.root();
        let mut found = None;
        let mut cursor = root.walk();
        for statement in root.named_children(&mut cursor) {
            match statement.kind() {
                "expression_statement" => {
                    let Some((left, right)) = assignment(statement) else {
                        continue;
                    };
                    let target: String = self
                        .text_of(left)
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .collect();
                    if matches!(
                        target.as_str(),
                        "module.exports" | "exports.default" | "module.exports.default"
                    ) {
                        found = Some(right);
                    }
                }
                "export_statement" => {
                    let is_default = {
                        let mut c = statement.walk();
                        let d = statement.children(&mut c).any(|n| n.kind() == "default");
                        d
                    };
                    if !is_default {
                        // `export { config as default }`
                        let mut c = statement.walk();
                        let clause = statement
                            .named_children(&mut c)
                            .find(|n| n.kind() == "export_clause");
                        if let Some(clause) = clause {
                            let mut c = clause.walk();
                            for spec in clause.named_children(&mut c) {
                                let alias =
                                    spec.child_by_field_name("alias").map(|a| self.text_of(a));
                                if alias == Some("default") {
                                    found = spec.child_by_field_name("name");
                                }
                            }
                        }
                        continue;
                    }
                    if let Some(value) = statement
                        .child_by_field_name("value")
                        .or_else(|| statement.child_by_field_name("declaration"))
                    {
                        found = Some(value);
                    }
                }
                _ => {}
            }
        }
        found
    }

    /// The values assigned to a property `key` at the top level after the
    /// object is built (`nextConfig.output = "x"`, `module.exports.output =
    /// ...`), in order.
    pub fn assigned(&self, key: &str) -> Vec<Node<'_>> {
        let root = self.root();
        let mut out = Vec::new();
        let mut cursor = root.walk();
        for statement in root.named_children(&mut cursor) {
            let Some((left, right)) = assignment(statement) else {
                continue;
            };
            let property = match left.kind() {
                "member_expression" => left
                    .child_by_field_name("property")
                    .map(|p| self.text_of(p).to_string()),
                "subscript_expression" => {
                    left.child_by_field_name("index")
                        .and_then(|i| match self.value(i) {
                            JsValue::Str(s) => Some(s),
                            _ => None,
                        })
                }
                _ => None,
            };
            if property.as_deref() == Some(key) {
                out.push(right);
            }
        }
        out
    }

    /// The initialiser of the top-level `const`/`let`/`var` named `name`
    /// (the last declaration of that name).
    pub fn declaration(&self, name: &str) -> Option<Node<'_>> {
        let root = self.root();
        let mut found = None;
        let mut cursor = root.walk();
        for statement in root.named_children(&mut cursor) {
            let declaration = match statement.kind() {
                "lexical_declaration" | "variable_declaration" => statement,
                "export_statement" => match statement.child_by_field_name("declaration") {
                    Some(d)
                        if matches!(d.kind(), "lexical_declaration" | "variable_declaration") =>
                    {
                        d
                    }
                    _ => continue,
                },
                _ => continue,
            };
            let mut c = declaration.walk();
            for declarator in declaration.named_children(&mut c) {
                if declarator.kind() != "variable_declarator" {
                    continue;
                }
                let Some(n) = declarator.child_by_field_name("name") else {
                    continue;
                };
                if n.kind() == "identifier" && self.text_of(n) == name {
                    found = declarator.child_by_field_name("value");
                }
            }
        }
        found
    }

    /// The top-level `function name(...) {...}`, if there is one.
    pub fn function(&self, name: &str) -> Option<Node<'_>> {
        let root = self.root();
        let mut cursor = root.walk();
        let found = root.named_children(&mut cursor).find(|s| {
            s.kind() == "function_declaration"
                && s.child_by_field_name("name")
                    .is_some_and(|n| self.text_of(n) == name)
        });
        found
    }

    /// `node` with wrappers that do not change the value taken off:
    /// parentheses, TypeScript's `as`/`satisfies`/`!`/`<T>x`, `await`.
    pub fn unwrap<'t>(&self, mut node: Node<'t>) -> Node<'t> {
        loop {
            let inner = match node.kind() {
                "parenthesized_expression"
                | "as_expression"
                | "satisfies_expression"
                | "non_null_expression"
                | "type_assertion"
                | "await_expression" => {
                    let mut c = node.walk();
                    let first = node.named_children(&mut c).find(|n| n.kind() != "comment");
                    first
                }
                _ => None,
            };
            match inner {
                Some(i) if i.kind() != "type_arguments" => node = i,
                _ => return node,
            }
        }
    }

    /// The object literal a config expression stands for, following
    /// variables and calls such as `defineConfig({...})` or
    /// `withPlugin(config)` (their first argument). With `through_functions`,
    /// a function's returned object too (`defineConfig(({ mode }) => ({...}))`).
    pub fn config_object<'t>(
        &'t self,
        node: Node<'t>,
        through_functions: bool,
    ) -> Result<Node<'t>, String> {
        self.config_object_at(node, through_functions, 0)
    }

    fn config_object_at<'t>(
        &'t self,
        node: Node<'t>,
        through_functions: bool,
        depth: usize,
    ) -> Result<Node<'t>, String> {
        if depth > MAX_DEPTH {
            return Err("its configuration object is too far from the export".into());
        }
        let node = self.unwrap(node);
        match node.kind() {
            "object" => Ok(node),
            "identifier" => {
                let name = self.text_of(node);
                if let Some(value) = self.declaration(name) {
                    return self.config_object_at(value, through_functions, depth + 1);
                }
                if let Some(f) = self.function(name) {
                    return self.config_object_at(f, through_functions, depth + 1);
                }
                Err(format!(
                    "it exports {name}, whose declaration was not found"
                ))
            }
            "call_expression" => {
                let callee = node
                    .child_by_field_name("function")
                    .map(|f| self.text_of(f).to_string())
                    .unwrap_or_default();
                if matches!(
                    callee.rsplit('.').next(),
                    Some("mergeConfig" | "merge" | "assign" | "defu")
                ) {
                    return Err(format!("it merges several objects with {callee}()"));
                }
                // The first argument, or the one after a leading array of
                // plugins (`withPlugins([a, b], nextConfig)`).
                let first = node.child_by_field_name("arguments").and_then(|args| {
                    let mut c = args.walk();
                    let list: Vec<Node> = args
                        .named_children(&mut c)
                        .filter(|n| n.kind() != "comment")
                        .collect();
                    match list.as_slice() {
                        [plugins, config, ..] if self.unwrap(*plugins).kind() == "array" => {
                            Some(*config)
                        }
                        [first, ..] => Some(*first),
                        [] => None,
                    }
                });
                match first {
                    Some(arg) => self
                        .config_object_at(arg, through_functions, depth + 1)
                        .map_err(|why| {
                            if why.contains("function") {
                                why
                            } else {
                                format!("it passes something other than an object to {callee}()")
                            }
                        }),
                    None => Err(format!("it exports the result of {callee}()")),
                }
            }
            "arrow_function" | "function_expression" | "function" | "function_declaration"
                if through_functions =>
            {
                let body = node
                    .child_by_field_name("body")
                    .ok_or("it exports a function without a body")?;
                if body.kind() == "statement_block" {
                    let ret = last_return(body).ok_or("its function returns no object")?;
                    let value = ret.named_child(0).ok_or("its function returns no object")?;
                    self.config_object_at(value, through_functions, depth + 1)
                } else {
                    self.config_object_at(body, through_functions, depth + 1)
                }
            }
            "arrow_function" | "function_expression" | "function" | "function_declaration" => {
                Err("it exports a function".into())
            }
            "ERROR" => Err("it does not parse".into()),
            _ => Err("it exports something other than an object".into()),
        }
    }

    /// The static value of an expression.
    pub fn value(&self, node: Node) -> JsValue {
        self.value_at(node, 0)
    }

    fn value_at(&self, node: Node, depth: usize) -> JsValue {
        let node = self.unwrap(node);
        let other = || JsValue::Other(self.text_of(node).to_string());
        if depth > MAX_DEPTH || node.has_error() {
            return other();
        }
        match node.kind() {
            "string" => string_value(self, node).map_or_else(other, JsValue::Str),
            "template_string" => {
                let mut c = node.walk();
                if node
                    .named_children(&mut c)
                    .any(|n| n.kind() == "template_substitution")
                {
                    return other();
                }
                let t = self.text_of(node);
                JsValue::Str(
                    t.get(1..t.len().saturating_sub(1))
                        .unwrap_or("")
                        .to_string(),
                )
            }
            "number" => self
                .text_of(node)
                .parse()
                .map_or_else(|_| other(), JsValue::Num),
            "true" => JsValue::Bool(true),
            "false" => JsValue::Bool(false),
            "null" | "undefined" => JsValue::Null,
            "array" => {
                let mut c = node.walk();
                let items = node
                    .named_children(&mut c)
                    .filter(|n| n.kind() != "comment")
                    .map(|n| self.value_at(n, depth + 1))
                    .collect();
                JsValue::Array(items)
            }
            "object" => {
                let mut pairs = Vec::new();
                let mut c = node.walk();
                for member in node.named_children(&mut c) {
                    match member.kind() {
                        "pair" => {
                            let (Some(k), Some(v)) = (
                                member.child_by_field_name("key"),
                                member.child_by_field_name("value"),
                            ) else {
                                continue;
                            };
                            if let Some(key) = self.key(k) {
                                pairs.push((key, self.value_at(v, depth + 1)));
                            }
                        }
                        "shorthand_property_identifier" => {
                            let name = self.text_of(member).to_string();
                            let value = self.declaration(&name).map_or_else(
                                || JsValue::Other(name.clone()),
                                |v| self.value_at(v, depth + 1),
                            );
                            pairs.push((name, value));
                        }
                        "spread_element" => {
                            pairs.push((
                                SPREAD.to_string(),
                                JsValue::Other(self.text_of(member).to_string()),
                            ));
                        }
                        "method_definition" => {
                            if let Some(k) =
                                member.child_by_field_name("name").and_then(|k| self.key(k))
                            {
                                pairs.push((k, JsValue::Other(self.text_of(member).to_string())));
                            }
                        }
                        _ => {}
                    }
                }
                JsValue::Object(pairs)
            }
            "identifier" => match self.text_of(node) {
                "undefined" => JsValue::Null,
                name => self
                    .declaration(name)
                    .map_or_else(other, |v| self.value_at(v, depth + 1)),
            },
            "call_expression" | "new_expression" => {
                self.path_call(node).map_or_else(other, JsValue::Str)
            }
            _ => other(),
        }
    }

    /// A property key as text: `a`, `"a"`, `'a'`, `1` (not computed keys).
    pub fn key(&self, key: Node) -> Option<String> {
        match key.kind() {
            "property_identifier" | "number" | "private_property_identifier" => {
                Some(self.text_of(key).to_string())
            }
            "string" => string_value(self, key),
            _ => None,
        }
    }

    /// A path built from the config file's folder: `resolve(__dirname, "a")`,
    /// `path.join(__dirname, "a", "b")`, `fileURLToPath(new URL("./a",
    /// import.meta.url))`: the path relative to the file's folder (`"a/b"`,
    /// `"../dist"`, `"."` for the folder itself).
    fn path_call(&self, node: Node) -> Option<String> {
        let callee = node
            .child_by_field_name("function")
            .or_else(|| node.child_by_field_name("constructor"))?;
        let name = self.text_of(callee);
        let name = name.rsplit('.').next().unwrap_or(name);
        let args = node.child_by_field_name("arguments")?;
        let mut c = args.walk();
        let args: Vec<Node> = args
            .named_children(&mut c)
            .filter(|n| n.kind() != "comment")
            .collect();
        match name {
            "resolve" | "join" => {
                let (first, rest) = args.split_first()?;
                let first = self.unwrap(*first);
                let dir_like = matches!(
                    self.text_of(first),
                    "__dirname" | "import.meta.dirname" | "process.cwd()"
                );
                if !dir_like {
                    return None;
                }
                let mut parts = Vec::new();
                for a in rest {
                    match self.value(*a) {
                        JsValue::Str(s) if !s.starts_with('/') => parts.push(s),
                        _ => return None,
                    }
                }
                Some(join_relative(&parts))
            }
            "fileURLToPath" => {
                let inner = self.unwrap(*args.first()?);
                if inner.kind() == "new_expression" {
                    self.path_call(inner)
                } else {
                    None
                }
            }
            "URL" => {
                let (first, rest) = args.split_first()?;
                if rest.first().map(|n| self.text_of(*n)) != Some("import.meta.url") {
                    return None;
                }
                match self.value(*first) {
                    JsValue::Str(s) if !s.starts_with('/') && !s.contains(':') => {
                        Some(join_relative(&[s]))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

/// The last `return` directly in a function body (not in nested functions).
fn last_return(body: Node) -> Option<Node> {
    let mut found = None;
    let mut stack = vec![body];
    while let Some(n) = stack.pop() {
        let mut c = n.walk();
        for child in n.named_children(&mut c) {
            match child.kind() {
                "return_statement" => {
                    if found.is_none_or(|f: Node| child.start_byte() > f.start_byte()) {
                        found = Some(child);
                    }
                }
                "function_declaration"
                | "function_expression"
                | "arrow_function"
                | "class_declaration"
                | "method_definition" => {}
                _ => stack.push(child),
            }
        }
    }
    found
}

/// The text of a string literal, with the common escapes read.
fn string_value(script: &Script, node: Node) -> Option<String> {
    let raw = script.text_of(node);
    let inner = raw.get(1..raw.len().checked_sub(1)?)?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            '\n' => {}
            other => out.push(other),
        }
    }
    Some(out)
}

/// Path segments joined and cleaned, relative: `["./a/", "../b"]` → `"b"`,
/// `[".."]` → `".."`, `[]` → `"."`.
pub fn join_relative(parts: &[String]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in parts {
        for seg in part.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    if out.last().is_some_and(|l| *l != "..") {
                        out.pop();
                    } else {
                        out.push("..");
                    }
                }
                s => out.push(s),
            }
        }
    }
    if out.is_empty() {
        ".".into()
    } else {
        out.join("/")
    }
}

/// JSON with comments and trailing commas (tsconfig.json, angular.json),
/// read as a JavaScript expression. `None` when it is not one object or
/// array literal.
pub fn jsonc(text: &str) -> Option<JsValue> {
    let wrapped = format!("(\n{text}\n)");
    let script = parse(&wrapped, Dialect::JavaScript)?;
    let root = script.root();
    let mut c = root.walk();
    let statements: Vec<Node> = root
        .named_children(&mut c)
        .filter(|n| n.kind() != "comment")
        .collect();
    let [statement] = statements.as_slice() else {
        return None;
    };
    let expr = script.unwrap(statement.named_child(0)?);
    if !matches!(expr.kind(), "object" | "array") || expr.has_error() {
        return None;
    }
    Some(script.value(expr))
}

/// The two sides of a statement that is an assignment (`left = right;`).
fn assignment(statement: Node) -> Option<(Node, Node)> {
    if statement.kind() != "expression_statement" {
        return None;
    }
    let expr = statement.named_child(0)?;
    if expr.kind() != "assignment_expression" {
        return None;
    }
    Some((
        expr.child_by_field_name("left")?,
        expr.child_by_field_name("right")?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_literals_and_joins() {
        let s = parse(
            "const out = 'dist';\nmodule.exports = { a: out, b: [1, true, null], 'c': { d: `x` }, e: resolve(__dirname, '../web', 'build'), f: foo() };",
            Dialect::JavaScript,
        )
        .unwrap();
        let v = s.value(s.config_object(s.exported().unwrap(), false).unwrap());
        assert_eq!(v.get("a").and_then(JsValue::as_str), Some("dist"));
        assert_eq!(
            v.get("b"),
            Some(&JsValue::Array(vec![
                JsValue::Num(1.0),
                JsValue::Bool(true),
                JsValue::Null
            ]))
        );
        assert_eq!(v.path(&["c", "d"]).and_then(JsValue::as_str), Some("x"));
        assert_eq!(v.get("e").and_then(JsValue::as_str), Some("../web/build"));
        assert_eq!(v.get("f"), Some(&JsValue::Other("foo()".into())));
        assert_eq!(v.get("g"), None);
        let s = parse(
            "module.exports = { a: 1, ...rest, b: 2 }",
            Dialect::JavaScript,
        )
        .unwrap();
        let v = s.value(s.config_object(s.exported().unwrap(), false).unwrap());
        assert_eq!(v.get("a"), Some(&JsValue::Other("...rest".into())));
        assert_eq!(v.get("b"), Some(&JsValue::Num(2.0)));
        assert_eq!(v.get("c"), Some(&JsValue::Other("...rest".into())));
    }

    #[test]
    fn follows_define_config_and_functions() {
        let ts = "import { defineConfig } from 'vite'\nexport default defineConfig(({ mode }) => {\n  const x = 1\n  return { build: { outDir: fileURLToPath(new URL('./out', import.meta.url)) } } satisfies UserConfig\n})\n";
        let s = parse(ts, Dialect::TypeScript).unwrap();
        let exported = s.exported().unwrap();
        assert!(s
            .config_object(exported, false)
            .unwrap_err()
            .contains("function"));
        let v = s.value(s.config_object(exported, true).unwrap());
        assert_eq!(
            v.path(&["build", "outDir"]).and_then(JsValue::as_str),
            Some("out")
        );
    }

    #[test]
    fn json_with_comments() {
        let v =
            jsonc("{\n  // the compiler\n  \"compilerOptions\": { \"outDir\": \"./lib\", },\n}\n")
                .unwrap();
        assert_eq!(
            v.path(&["compilerOptions", "outDir"])
                .and_then(JsValue::as_str),
            Some("./lib")
        );
        assert_eq!(jsonc("not json {"), None);
        assert_eq!(jsonc(""), None);
        assert_eq!(jsonc("}{"), None);
        assert_eq!(join_relative(&["./a/".into(), "../b".into()]), "b");
        assert_eq!(join_relative(&["..".into()]), "..");
        assert_eq!(join_relative(&[]), ".");
    }
}
