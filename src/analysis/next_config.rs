//! What a Next.js `next.config.*` says about `output`, and where to add
//! `output: "standalone"` to it: the older entry points, now answered on
//! tree-sitter's JavaScript/TypeScript tree by [`crate::analysis::project::next`].
//! New code should use [`crate::analysis::project::NextConfig`] and
//! [`crate::analysis::project::standalone_edit`], which know the file name.

use crate::analysis::project::next;

pub use next::{NEW_CONFIG_NAME, NEW_CONFIG_TEXT};

/// The grammar a config of unknown name is read with: JavaScript, or
/// TypeScript when the text has type syntax JavaScript does not parse.
fn name_for(config: &str) -> &'static str {
    let js_ok = super::project::js::parse(config, super::project::js::Dialect::JavaScript)
        .is_some_and(|s| !s.root().has_error());
    if js_ok {
        "next.config.js"
    } else {
        "next.config.ts"
    }
}

/// The value the config's exported object gives `output`, when it is a
/// literal string.
pub fn output_value(config: &str) -> Option<String> {
    next::NextConfig::read(name_for(config), config).output
}

/// Whether the config sets `output: "standalone"`.
pub fn sets_standalone(config: &str) -> bool {
    next::NextConfig::read(name_for(config), config).standalone
}

/// The insertion that makes the config set `output: "standalone"`: the byte
/// offset and the text. `Ok(None)` when it already does; `Err` says why the
/// file cannot be edited safely.
pub fn add_standalone(config: &str) -> Result<Option<(usize, String)>, String> {
    let edit = next::standalone_edit(name_for(config), config)?;
    Ok((!edit.is_empty()).then_some((edit.offset, edit.text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_old_entry_points_read_the_tree() {
        assert!(sets_standalone("module.exports = { output: 'standalone' }"));
        assert!(!sets_standalone(
            "// output: 'standalone'\nmodule.exports = {}"
        ));
        assert!(sets_standalone(
            "import type { NextConfig } from 'next'\nconst c: NextConfig = { output: 'standalone' }\nexport default c\n"
        ));
        assert_eq!(
            output_value("export default { output: \"export\" }").as_deref(),
            Some("export")
        );
        assert_eq!(
            add_standalone("module.exports = { output: 'standalone' }"),
            Ok(None)
        );
        let (at, text) = add_standalone("module.exports = {}").unwrap().unwrap();
        let mut out = "module.exports = {}".to_string();
        out.insert_str(at, &text);
        assert!(sets_standalone(&out), "{out}");
        assert!(add_standalone("module.exports = (phase) => ({})")
            .unwrap_err()
            .contains("function"));
    }
}
