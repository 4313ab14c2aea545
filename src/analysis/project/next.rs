//! What a Next.js `next.config.*` says (read on tree-sitter's tree), and
//! the edit that makes it say `output: "standalone"`.

use tree_sitter::Node;

use super::js::{self, Dialect, JsValue, Script};
use crate::document::position;

/// The config file names Next.js looks for, in its order.
pub const CONFIG_NAMES: [&str; 4] = [
    "next.config.js",
    "next.config.mjs",
    "next.config.ts",
    "next.config.cjs",
];

/// The file created when a Next.js project has no config: `.mjs` is ESM
/// whatever package.json's `"type"` says.
pub const NEW_CONFIG_NAME: &str = "next.config.mjs";
pub const NEW_CONFIG_TEXT: &str =
    "/** @type {import('next').NextConfig} */\nexport default {\n  output: \"standalone\",\n};\n";

/// A text insertion: `text` goes in at byte `offset`. An empty `text`
/// means nothing needs to change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextInsert {
    pub offset: usize,
    pub text: String,
}

impl TextInsert {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// `original` with the insertion made (the original when the offset is
    /// not a character boundary inside it).
    pub fn apply(&self, original: &str) -> String {
        let mut out = original.to_string();
        if out.is_char_boundary(self.offset) {
            out.insert_str(self.offset, &self.text);
        }
        out
    }
}

/// The facts of a Next.js config.
#[derive(Clone, Debug, PartialEq)]
pub struct NextConfig {
    /// The file's path relative to the app folder (`next.config.js`).
    pub file: String,
    /// `output: "standalone"` is set.
    pub standalone: bool,
    /// The `output` value when it is a literal string (`standalone`,
    /// `export`); `None` when unset or computed (see `output_computed`).
    pub output: Option<String>,
    /// `output` is set to something not evaluated (an env lookup, a ternary).
    pub output_computed: bool,
    /// `distDir` when set literally (default `.next`).
    pub dist_dir: Option<String>,
    /// `basePath` when set literally.
    pub base_path: Option<String>,
    /// `outputFileTracingRoot` (or `experimental.outputFileTracingRoot`, or
    /// `turbopack.root`, which recent Next.js versions use for both),
    /// relative to the app folder (`../..`, `.`), when set to a literal
    /// path, `__dirname` or `path.join(__dirname, ...)`. Standalone output
    /// nests the app's `server.js` under its path from this root.
    pub tracing_root: Option<String>,
    /// The edit giving it `output: "standalone"` (empty when it already
    /// has it), or why that cannot be done safely.
    pub edit: Result<TextInsert, String>,
}

impl NextConfig {
    /// Read a config file's text; `file` is its name (for the dialect and
    /// for `file`).
    pub fn read(file: &str, text: &str) -> NextConfig {
        let script = js::parse(text, Dialect::of(file));
        let value = script.as_ref().and_then(|s| {
            let exported = s.exported()?;
            let object = s.config_object(exported, true).ok()?;
            Some(s.value(object))
        });
        // `config.output = "standalone"` after the object, the last one wins
        let assigned = script
            .as_ref()
            .and_then(|s| s.assigned("output").last().map(|n| s.value(*n)));
        let output = assigned
            .as_ref()
            .or_else(|| value.as_ref().and_then(|v| v.get("output")));
        let literal = |key: &str| {
            value
                .as_ref()
                .and_then(|v| v.get(key))
                .and_then(JsValue::as_str)
                .map(str::to_string)
        };
        NextConfig {
            file: file.to_string(),
            standalone: output.and_then(JsValue::as_str) == Some("standalone"),
            output: output.and_then(JsValue::as_str).map(str::to_string),
            output_computed: matches!(output, Some(JsValue::Other(_))),
            dist_dir: literal("distDir"),
            base_path: literal("basePath"),
            tracing_root: value.as_ref().and_then(|v| {
                let root = v
                    .get("outputFileTracingRoot")
                    .or_else(|| v.path(&["experimental", "outputFileTracingRoot"]))
                    .or_else(|| v.path(&["turbopack", "root"]))?;
                match root {
                    JsValue::Str(r) if !r.starts_with('/') => {
                        Some(js::join_relative(std::slice::from_ref(r)))
                    }
                    JsValue::Other(o)
                        if matches!(
                            o.as_str(),
                            "__dirname" | "import.meta.dirname" | "process.cwd()"
                        ) =>
                    {
                        Some(".".to_string())
                    }
                    _ => None,
                }
            }),
            edit: standalone_edit(file, text),
        }
    }
}

/// The edit that makes a Next.js config say `output: "standalone"`, made on
/// the parsed tree, or the reason it cannot be made safely. Already set:
/// an empty insertion.
pub fn standalone_edit(file: &str, text: &str) -> Result<TextInsert, String> {
    let script = js::parse(text, Dialect::of(file)).ok_or("it could not be parsed")?;
    let exported = script.exported().ok_or(if script.root().has_error() {
        "it does not parse, and no `module.exports =` or `export default` was found"
    } else {
        "it has no `module.exports =` or `export default`"
    })?;
    let object = script.config_object(exported, false)?;
    if let Some(later) = script.assigned("output").last() {
        return match script.value(*later) {
            JsValue::Str(s) if s == "standalone" => Ok(TextInsert {
                offset: object.start_byte() + 1,
                text: String::new(),
            }),
            JsValue::Str(other) => Err(format!("it assigns output = \"{other}\" after the object")),
            _ => Err("it assigns output a computed value after the object".into()),
        };
    }
    if object.has_error() {
        return Err("its configuration object does not parse".into());
    }
    let mut cursor = object.walk();
    let members: Vec<Node> = object.named_children(&mut cursor).collect();
    // The last `output` written wins, and a spread after it may replace it.
    let is_output = |m: &Node| {
        m.child_by_field_name("key")
            .and_then(|k| script.key(k))
            .as_deref()
            == Some("output")
            || (m.kind() == "shorthand_property_identifier" && script.text_of(*m) == "output")
    };
    let output = members.iter().rposition(is_output);
    let spread = members.iter().rposition(|m| m.kind() == "spread_element");
    if spread.is_some() && (output.is_none() || spread > output) {
        return Err("its configuration object has a spread (`...`), which may set output".into());
    }
    if let Some(i) = output {
        let member = members[i];
        if member.kind() == "shorthand_property_identifier" {
            return Err("it sets output from a variable".into());
        }
        let value = member.child_by_field_name("value").map(|v| script.value(v));
        return match value {
            Some(JsValue::Str(s)) if s == "standalone" => Ok(TextInsert {
                offset: object.start_byte() + 1,
                text: String::new(),
            }),
            Some(JsValue::Str(other)) => Err(format!("it sets output: \"{other}\"")),
            _ => Err("it sets output to a computed value".into()),
        };
    }
    Ok(TextInsert {
        offset: object.start_byte() + 1,
        text: insertion(&script, object),
    })
}

/// The text inserted right after the object's `{`, laid out like the
/// object's own members.
fn insertion(script: &Script, object: Node) -> String {
    let text = &script.text;
    let brace = object.start_byte();
    let mut cursor = object.walk();
    let first = object.named_children(&mut cursor).next();
    let Some(first) = first else {
        // `{}` or `{\n}`
        return match first_line_break(&text[brace..object.end_byte()]) {
            Some(brk) => format!("{brk}  output: \"standalone\","),
            None => " output: \"standalone\" ".into(),
        };
    };
    let between = &text[brace + 1..first.start_byte()];
    if let Some(brk) = first_line_break(between) {
        let line_start = position::line_start(text, first.start_byte());
        let indent: String = text[line_start..first.start_byte()]
            .chars()
            .take_while(|c| c.is_whitespace())
            .collect();
        format!("{brk}{indent}output: \"standalone\",")
    } else {
        " output: \"standalone\",".into()
    }
}

/// The first line break in `text` (`\n`, `\r\n` or `\r`: the inserted line
/// ends like the file's), if any.
fn first_line_break(text: &str) -> Option<&str> {
    let line = position::split_lines(text).next()?;
    let brk = &line[position::without_line_break(line).len()..];
    (!brk.is_empty()).then_some(brk)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn added(file: &str, config: &str) -> Result<String, String> {
        let edit = standalone_edit(file, config)?;
        assert!(!edit.is_empty(), "{config}");
        let out = edit.apply(config);
        let again = NextConfig::read(file, &out);
        assert!(again.standalone, "{out}");
        assert_eq!(
            standalone_edit(file, &out).map(|e| e.is_empty()),
            Ok(true),
            "{out}"
        );
        Ok(out)
    }

    #[test]
    fn reads_the_settings() {
        let c = NextConfig::read(
            "next.config.js",
            "module.exports = { output: 'standalone', distDir: 'build', basePath: \"/docs\" }",
        );
        assert!(c.standalone && !c.output_computed);
        assert_eq!(c.dist_dir.as_deref(), Some("build"));
        assert_eq!(c.base_path.as_deref(), Some("/docs"));
        assert_eq!(c.edit.map(|e| e.is_empty()), Ok(true));
        let c = NextConfig::read(
            "next.config.js",
            "module.exports = { output: process.env.OUT }",
        );
        assert!(!c.standalone && c.output_computed && c.output.is_none());
        assert!(c.edit.unwrap_err().contains("computed"));
        // a comment or a string mentioning output is not the setting
        let c = NextConfig::read(
            "next.config.mjs",
            "// output: 'standalone'\nexport default { env: { X: \"output: 'standalone'\" } }",
        );
        assert!(!c.standalone && c.output.is_none());
        let c = NextConfig::read(
            "next.config.js",
            "module.exports = { distOutput: 'standalone' }",
        );
        assert!(!c.standalone);
    }

    #[test]
    fn spreads_and_repeated_keys() {
        let before =
            "const base = require('./base')\nmodule.exports = { ...base, output: 'standalone' }";
        assert_eq!(
            standalone_edit("next.config.js", before).map(|e| e.is_empty()),
            Ok(true)
        );
        assert!(NextConfig::read("next.config.js", before).standalone);
        let after = "module.exports = { output: 'standalone', ...base }";
        assert!(standalone_edit("next.config.js", after)
            .unwrap_err()
            .contains("spread"));
        let c = NextConfig::read("next.config.js", after);
        assert!(!c.standalone && c.output_computed);
        let twice = "module.exports = { output: 'standalone', output: 'export' }";
        assert!(standalone_edit("next.config.js", twice)
            .unwrap_err()
            .contains("export"));
        assert!(!NextConfig::read("next.config.js", twice).standalone);
    }

    #[test]
    fn later_assignments_and_export_clauses() {
        let c = NextConfig::read(
            "next.config.js",
            "const c = { output: 'export' }\nc.output = 'standalone'\nmodule.exports = c\n",
        );
        assert!(c.standalone);
        assert_eq!(c.edit.map(|e| e.is_empty()), Ok(true));
        let esm = "const config = { poweredByHeader: false }\nexport { config as default }\n";
        let out = added("next.config.mjs", esm).unwrap();
        assert!(
            out.starts_with("const config = { output: \"standalone\", poweredByHeader"),
            "{out}"
        );
    }

    #[test]
    fn the_corpus_config_with_standalone() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/corpus/apps/open-telemetry+opentelemetry-demo/src/frontend/next.config.js"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            return;
        };
        let c = NextConfig::read("next.config.js", &text);
        assert!(c.standalone, "{c:?}");
        assert_eq!(c.edit.map(|e| e.is_empty()), Ok(true));
        let without = text.replace("  output: 'standalone',\n", "");
        let out = added("next.config.js", &without).unwrap();
        assert!(out
            .contains("const nextConfig = {\n  output: \"standalone\",\n  reactStrictMode: true,"));
    }

    #[test]
    fn adds_output_to_the_exported_object() {
        assert_eq!(
            added(
                "next.config.js",
                "module.exports = {\n    reactStrictMode: true,\n};\n"
            )
            .unwrap(),
            "module.exports = {\n    output: \"standalone\",\n    reactStrictMode: true,\n};\n"
        );
        assert_eq!(
            added("next.config.mjs", "export default {}\n").unwrap(),
            "export default { output: \"standalone\" }\n"
        );
        assert_eq!(
            added(
                "next.config.js",
                "module.exports = { reactStrictMode: true }"
            )
            .unwrap(),
            "module.exports = { output: \"standalone\", reactStrictMode: true }"
        );
        assert_eq!(
            added("next.config.js", "module.exports = {\n}\n").unwrap(),
            "module.exports = {\n  output: \"standalone\",\n}\n"
        );
    }

    /// The new line ends like the file's lines, and is indented like the
    /// first member whichever break ends the line before it.
    #[test]
    fn adds_output_on_a_line_ending_like_the_others() {
        for brk in ["\r\n", "\r"] {
            let lf = "module.exports = {\n    reactStrictMode: true,\n};\n";
            let out = added("next.config.js", &lf.replace('\n', brk)).unwrap();
            let expected =
                "module.exports = {\n    output: \"standalone\",\n    reactStrictMode: true,\n};\n";
            assert_eq!(out, expected.replace('\n', brk), "{brk:?}");
            let out = added("next.config.js", &format!("module.exports = {{{brk}}}")).unwrap();
            assert_eq!(
                out,
                format!("module.exports = {{{brk}  output: \"standalone\",{brk}}}")
            );
        }
    }

    #[test]
    fn follows_variables_types_and_wrappers() {
        let ts = "import type { NextConfig } from \"next\";\n\n// module.exports = {}\nconst nextConfig: NextConfig = {\n  /* config options here */\n  images: { unoptimized: true },\n};\n\nexport default nextConfig;\n";
        assert!(added("next.config.ts", ts)
            .unwrap()
            .contains("const nextConfig: NextConfig = {\n  output: \"standalone\",\n  /* config"));
        let satisfies = "export default {\n  poweredByHeader: false,\n} satisfies NextConfig\n";
        assert!(added("next.config.ts", satisfies)
            .unwrap()
            .contains("{\n  output: \"standalone\",\n  powered"));
        let wrapped = "const withMDX = require('@next/mdx')()\n/** @type {import('next').NextConfig} */\nconst config = {\n  pageExtensions: ['ts', 'tsx'],\n}\nmodule.exports = withMDX(withAnalyzer(config))\n";
        assert!(added("next.config.js", wrapped)
            .unwrap()
            .contains("const config = {\n  output: \"standalone\",\n  pageExtensions"));
        assert!(added(
            "next.config.js",
            "module.exports = withPWA({\n  reactStrictMode: true,\n})"
        )
        .unwrap()
        .contains("withPWA({\n  output: \"standalone\",\n  reactStrictMode"));
        let composed = "const withPlugins = require('next-compose-plugins')\nconst nextConfig = { reactStrictMode: true }\nmodule.exports = withPlugins([[withImages, {}]], nextConfig)\n";
        assert!(added("next.config.js", composed)
            .unwrap()
            .contains("const nextConfig = { output: \"standalone\", reactStrictMode: true }"));
        let esm_wrapped = "import createNextIntlPlugin from 'next-intl/plugin';\nconst withNextIntl = createNextIntlPlugin();\nconst nextConfig = { reactStrictMode: true };\nexport default withNextIntl(nextConfig);\n";
        assert!(added("next.config.mjs", esm_wrapped)
            .unwrap()
            .contains("const nextConfig = { output: \"standalone\", reactStrictMode: true };"));
    }

    #[test]
    fn says_why_it_cannot_edit() {
        for (file, config, why) in [
            (
                "next.config.js",
                "module.exports = (phase) => ({})",
                "function",
            ),
            (
                "next.config.js",
                "module.exports = { output: 'export' }",
                "output: \"export\"",
            ),
            (
                "next.config.mjs",
                "export default async function config() { return {} }",
                "function",
            ),
            (
                "next.config.js",
                "module.exports = settings",
                "declaration was not found",
            ),
            ("next.config.js", "console.log('hi')", "no `module.exports"),
            (
                "next.config.js",
                "const base = require('./base')\nmodule.exports = { ...base, x: 1 }",
                "spread",
            ),
            (
                "next.config.js",
                "module.exports = withX(makeConfig())",
                "other than an object",
            ),
            (
                "next.config.js",
                "const output = 'export'\nmodule.exports = { output }",
                "variable",
            ),
            (
                "next.config.js",
                "module.exports = { reactStrictMode: true,,, ",
                "parse",
            ),
            ("next.config.ts", "", "no `module.exports"),
            (
                "next.config.js",
                "const c = {}\nc.output = 'export'\nmodule.exports = c",
                "assigns output = \"export\"",
            ),
            (
                "next.config.js",
                "const c = {}\nc['output'] = process.env.O\nmodule.exports = c",
                "computed",
            ),
        ] {
            let err = standalone_edit(file, config).unwrap_err();
            assert!(err.contains(why), "{config}: {err}");
        }
    }
}
