//! What a Next.js `next.config.*` says about `output`, and where to add
//! `output: "standalone"` to it.
//!
//! This is a reader for the shapes config files take in practice, not a
//! JavaScript parser: the object literal exported directly
//! (`module.exports = {`, `export default {`), through a variable
//! (`const nextConfig: NextConfig = {` ... `export default nextConfig`) or
//! through plugin wrappers (`withMDX(withBundleAnalyzer(nextConfig))`).
//! Anything else (a function of the phase, a spread, a computed object) is
//! reported as something we cannot edit, with the reason.

/// The file created when a Next.js project has no config: `.mjs` is ESM
/// whatever package.json's `"type"` says.
pub const NEW_CONFIG_NAME: &str = "next.config.mjs";
pub const NEW_CONFIG_TEXT: &str =
    "/** @type {import('next').NextConfig} */\nexport default {\n  output: \"standalone\",\n};\n";

/// The value the config gives `output`, if it gives one (`output: 'x'`,
/// `"output": "x"`, any quotes).
pub fn output_value(config: &str) -> Option<String> {
    config.match_indices("output").find_map(|(i, _)| {
        let before = config[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.') {
            return None;
        }
        let rest = config[i + "output".len()..].trim_start_matches(['"', '\'']);
        let value = rest.trim_start().strip_prefix(':')?.trim_start();
        let quote = value
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\'' | '`'))?;
        let value = &value[1..];
        Some(value[..value.find(quote)?].to_string())
    })
}

/// Whether the config sets `output: "standalone"`.
pub fn sets_standalone(config: &str) -> bool {
    output_value(config).as_deref() == Some("standalone")
}

/// The insertion that makes the config set `output: "standalone"`: the byte
/// offset and the text. `Ok(None)` when it already does; `Err` says why the
/// file cannot be edited safely.
pub fn add_standalone(config: &str) -> Result<Option<(usize, String)>, String> {
    match output_value(config).as_deref() {
        Some("standalone") => return Ok(None),
        Some(other) => return Err(format!("it sets output: \"{other}\"")),
        None => {}
    }
    let code = blank_comments_and_strings(config);
    let exported = ["module.exports", "export default"]
        .iter()
        .find_map(|marker| {
            let at = code.find(marker)? + marker.len();
            let rest = code[at..].trim_start();
            let rest = if *marker == "module.exports" {
                rest.strip_prefix('=')?
            } else {
                rest
            };
            Some(code.len() - rest.len())
        })
        .ok_or("it has no `module.exports =` or `export default`")?;
    let brace = object_of(&code, exported, 0)?;
    Ok(Some((brace + 1, insertion(config, brace))))
}

/// The offset of the `{` of the object literal the expression at `at`
/// evaluates to.
fn object_of(code: &str, at: usize, depth: usize) -> Result<usize, String> {
    if depth > 8 {
        return Err("its configuration object is too far from the export".into());
    }
    let rest = code[at..].trim_start();
    let at = code.len() - rest.len();
    if rest.starts_with('{') {
        return Ok(at);
    }
    if rest.starts_with('(') {
        return Err("it exports a function or a computed value".into());
    }
    let ident_len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(rest.len());
    let ident = &rest[..ident_len];
    if ident.is_empty() || matches!(ident, "async" | "function") {
        return Err("it exports something other than an object".into());
    }
    let after = rest[ident_len..].trim_start();
    if let Some(args) = after.strip_prefix('(') {
        // A plugin wrapper: the configuration is its first argument.
        return object_of(code, code.len() - args.len(), depth + 1)
            .map_err(|_| format!("it passes something other than an object to {ident}()"));
    }
    if after.starts_with("=>") {
        return Err("it exports a function".into());
    }
    // A variable: its declaration's initialiser.
    let declaration = ["const ", "let ", "var "]
        .iter()
        .find_map(|keyword| {
            code.match_indices(keyword).find_map(|(i, _)| {
                let name = code[i + keyword.len()..].trim_start();
                let tail = name.strip_prefix(ident)?;
                let next = tail.chars().next()?;
                (!next.is_alphanumeric() && next != '_' && next != '$').then_some(tail)
            })
        })
        .ok_or_else(|| format!("it exports {ident}, whose declaration was not found"))?;
    // Skip a type annotation up to the `=`.
    let eq = declaration
        .find('=')
        .ok_or_else(|| format!("{ident} has no initialiser"))?;
    if declaration[..eq].contains(';') {
        return Err(format!("{ident} has no initialiser"));
    }
    let value_at = code.len() - declaration.len() + eq + 1;
    object_of(code, value_at, depth + 1)
}

/// The text inserted right after the object's `{`, laid out like the
/// object's own lines.
fn insertion(config: &str, brace: usize) -> String {
    let after = &config[brace + 1..];
    let same_line = after.split('\n').next().unwrap_or("");
    if after.trim_start().starts_with('}') {
        return " output: \"standalone\" ".into();
    }
    if same_line.trim().is_empty() {
        let indent: String = after
            .split('\n')
            .skip(1)
            .find(|l| !l.trim().is_empty())
            .map(|l| l.chars().take_while(|c| c.is_whitespace()).collect())
            .unwrap_or_else(|| "  ".into());
        return format!("\n{indent}output: \"standalone\",");
    }
    " output: \"standalone\",".into()
}

/// The text with comments and string contents replaced by spaces (same
/// length, same offsets), so markers inside them are not read as code.
fn blank_comments_and_strings(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    while i < bytes.len() {
        let end = match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                text[i..].find('\n').map_or(bytes.len(), |n| i + n)
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => text[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |n| i + 2 + n + 2),
            quote @ (b'"' | b'\'' | b'`') => {
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != quote {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                // keep the quotes themselves
                for b in &mut out[i + 1..j.min(bytes.len())] {
                    if *b != b'\n' {
                        *b = b' ';
                    }
                }
                i = (j + 1).min(bytes.len());
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        for b in &mut out[i..end] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
        i = end;
    }
    // Only ASCII bytes were replaced by ASCII spaces, and whole multi-byte
    // characters are inside replaced runs or untouched.
    String::from_utf8(out).unwrap_or_else(|e| {
        String::from_utf8_lossy(e.as_bytes())
            .chars()
            .map(|c| if c == '\u{FFFD}' { ' ' } else { c })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn added(config: &str) -> Result<String, String> {
        let (at, text) = add_standalone(config)?.expect("an edit");
        let mut out = config.to_string();
        out.insert_str(at, &text);
        assert!(sets_standalone(&out), "{out}");
        Ok(out)
    }

    #[test]
    fn reads_the_output_setting() {
        assert!(sets_standalone("module.exports = { output: 'standalone' }"));
        assert!(sets_standalone(
            "const c = {\n  \"output\" : \"standalone\",\n}"
        ));
        assert!(!sets_standalone("module.exports = { output: 'export' }"));
        assert!(!sets_standalone("module.exports = {}"));
        assert!(!sets_standalone(
            "module.exports = { distOutput: 'standalone' }"
        ));
        assert_eq!(
            add_standalone("module.exports = { output: 'standalone' }"),
            Ok(None)
        );
    }

    #[test]
    fn adds_output_to_the_exported_object() {
        assert_eq!(
            added("module.exports = {\n    reactStrictMode: true,\n};\n").unwrap(),
            "module.exports = {\n    output: \"standalone\",\n    reactStrictMode: true,\n};\n"
        );
        assert_eq!(
            added("export default {}\n").unwrap(),
            "export default { output: \"standalone\" }\n"
        );
        assert_eq!(
            added("module.exports = { reactStrictMode: true }").unwrap(),
            "module.exports = { output: \"standalone\", reactStrictMode: true }"
        );
    }

    #[test]
    fn follows_the_variable_and_plugin_wrappers() {
        let ts = "import type { NextConfig } from \"next\";\n\n// module.exports = {}\nconst nextConfig: NextConfig = {\n  /* config options here */\n};\n\nexport default nextConfig;\n";
        assert_eq!(
            added(ts).unwrap(),
            "import type { NextConfig } from \"next\";\n\n// module.exports = {}\nconst nextConfig: NextConfig = {\n  output: \"standalone\",\n  /* config options here */\n};\n\nexport default nextConfig;\n"
        );
        let wrapped = "const withMDX = require('@next/mdx')()\n/** @type {import('next').NextConfig} */\nconst config = {\n  pageExtensions: ['ts', 'tsx'],\n}\nmodule.exports = withMDX(withAnalyzer(config))\n";
        assert!(added(wrapped)
            .unwrap()
            .contains("const config = {\n  output: \"standalone\",\n  pageExtensions"));
        assert!(
            added("module.exports = withPWA({\n  reactStrictMode: true,\n})")
                .unwrap()
                .contains("withPWA({\n  output: \"standalone\",\n  reactStrictMode")
        );
    }

    #[test]
    fn says_why_it_cannot_edit() {
        for (config, why) in [
            ("module.exports = (phase) => ({})", "function"),
            (
                "module.exports = { output: 'export' }",
                "output: \"export\"",
            ),
            (
                "export default async function config() { return {} }",
                "other than an object",
            ),
            ("module.exports = settings", "declaration was not found"),
            ("console.log('hi')", "no `module.exports"),
        ] {
            let err = add_standalone(config).unwrap_err();
            assert!(err.contains(why), "{config}: {err}");
        }
    }
}
