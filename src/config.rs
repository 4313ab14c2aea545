//! Configuration: rule severities, disabled rules and build arguments, from
//! the project file `.dockerfile-lsp.toml` (found upward from the
//! Dockerfile, read by the server and by `check`) and from the client's
//! settings (`initializationOptions`, `workspace/didChangeConfiguration`).
//!
//! ```toml
//! [rules]
//! UnusedStage = "off"        # off, error, warning, information, hint
//! DL3008 = "warning"         # hadolint codes name the rule they belong to
//!
//! [build-args]
//! NODE_VERSION = "22"
//! ```
//!
//! The client's settings have the same shape in JSON (`rules`, `buildArgs`,
//! `docsBaseUrl`, `maxFileSize` in bytes and `requestTimeout` in
//! milliseconds), optionally under a `dockerfile-lsp` key. When both
//! are present the client's settings are applied over the project file's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic_types::Severity;

/// The project file's name.
pub const FILE_NAME: &str = ".dockerfile-lsp.toml";

/// What a setting asks of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

impl Level {
    fn parse(value: &str) -> Option<Level> {
        Some(match value.to_ascii_lowercase().as_str() {
            "off" | "none" | "false" | "ignore" => Level::Off,
            "error" => Level::On(Severity::Error),
            "warning" | "warn" => Level::On(Severity::Warning),
            "information" | "info" => Level::On(Severity::Information),
            "hint" => Level::On(Severity::Hint),
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Per rule (by code or alias, compared without regard to case).
    pub rules: BTreeMap<String, Level>,
    pub build_args: BTreeMap<String, String>,
    /// Where diagnostics' `codeDescription` links point: the page of a rule
    /// is `<docs_base_url><Code>.md` (a client setting).
    pub docs_base_url: Option<String>,
    /// Documents larger than this many bytes are not analysed (a client
    /// setting, `maxFileSize`; [`crate::document::DEFAULT_MAX_FILE_SIZE`]
    /// when unset).
    pub max_file_size: Option<usize>,
    /// How long a request may work, in milliseconds, before the server
    /// answers it with an error instead (a client setting,
    /// `requestTimeout`; [`DEFAULT_REQUEST_TIMEOUT_MS`] when unset).
    pub request_timeout_ms: Option<u64>,
}

/// The default of the `requestTimeout` setting.
pub const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 5_000;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileShape {
    #[serde(default)]
    rules: BTreeMap<String, String>,
    #[serde(default, rename = "build-args")]
    build_args: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SettingsShape {
    #[serde(default)]
    rules: BTreeMap<String, String>,
    #[serde(default)]
    build_args: BTreeMap<String, String>,
    #[serde(default)]
    docs_base_url: Option<String>,
    #[serde(default)]
    max_file_size: Option<usize>,
    #[serde(default)]
    request_timeout: Option<u64>,
}

impl Config {
    /// Reads a project file's text. Errors say what is wrong and where.
    pub fn from_toml(text: &str) -> Result<Config, String> {
        let shape: FileShape = toml::from_str(text).map_err(|e| e.to_string())?;
        Config::from_parts(shape.rules, shape.build_args, None)
    }

    /// Reads the client's settings (`null` gives the defaults).
    pub fn from_settings(value: &serde_json::Value) -> Result<Config, String> {
        let value = value.get("dockerfile-lsp").unwrap_or(value);
        if value.is_null() {
            return Ok(Config::default());
        }
        let shape: SettingsShape =
            serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
        let mut config = Config::from_parts(shape.rules, shape.build_args, shape.docs_base_url)?;
        config.max_file_size = shape.max_file_size;
        config.request_timeout_ms = shape.request_timeout;
        Ok(config)
    }

    fn from_parts(
        rules: BTreeMap<String, String>,
        build_args: BTreeMap<String, String>,
        docs_base_url: Option<String>,
    ) -> Result<Config, String> {
        let mut out = Config {
            build_args,
            docs_base_url,
            ..Config::default()
        };
        for (code, value) in rules {
            if !crate::rule_codes::is_known(&code) {
                return Err(format!("unknown rule '{code}' in [rules]"));
            }
            let level = Level::parse(&value).ok_or_else(|| {
                format!(
                    "rule '{code}': '{value}' is not one of off, error, warning, information, hint"
                )
            })?;
            out.rules.insert(code, level);
        }
        Ok(out)
    }

    /// This configuration with `over`'s settings applied on top.
    pub fn overlaid(&self, over: &Config) -> Config {
        let mut out = self.clone();
        out.rules
            .extend(over.rules.iter().map(|(k, v)| (k.clone(), *v)));
        out.build_args
            .extend(over.build_args.iter().map(|(k, v)| (k.clone(), v.clone())));
        if over.docs_base_url.is_some() {
            out.docs_base_url = over.docs_base_url.clone();
        }
        if over.max_file_size.is_some() {
            out.max_file_size = over.max_file_size;
        }
        if over.request_timeout_ms.is_some() {
            out.request_timeout_ms = over.request_timeout_ms;
        }
        out
    }

    /// What the configuration says of a rule, by its code or any alias.
    pub fn level(&self, codes: &[&str]) -> Option<Level> {
        // The most specific setting wins: the rule's own code over an alias.
        codes.iter().find_map(|code| {
            self.rules
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(code))
                .map(|(_, level)| *level)
        })
    }

    /// The project file that applies to a Dockerfile: the nearest
    /// `.dockerfile-lsp.toml` in its directory or above.
    ///
    /// With `top`, the search does not climb above that directory (the
    /// server passes the workspace folder that holds the Dockerfile, so it
    /// reads nothing outside the workspace).
    pub fn find_for(dockerfile: &Path, top: Option<&Path>) -> Option<PathBuf> {
        let mut dir = dockerfile.parent();
        while let Some(d) = dir {
            if top.is_some_and(|top| !d.starts_with(top)) {
                return None;
            }
            let candidate = d.join(FILE_NAME);
            if candidate.is_file() {
                return Some(candidate);
            }
            dir = d.parent();
        }
        None
    }

    /// The project configuration of a Dockerfile on disk: the defaults when
    /// there is no project file, an error naming the file when it cannot be
    /// read or is invalid.
    pub fn load_for(dockerfile: &Path, top: Option<&Path>) -> Result<Config, String> {
        let Some(path) = Config::find_for(dockerfile, top) else {
            return Ok(Config::default());
        };
        let text =
            crate::files::read_text(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Config::from_toml(&text).map_err(|e| format!("{}: {}", path.display(), e.trim_end()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_project_file() {
        let config = Config::from_toml(
            "[rules]\nUnusedStage = \"off\"\nDL3025 = \"Warning\"\n[build-args]\nA = \"1\"\n",
        )
        .unwrap();
        assert_eq!(config.level(&["UnusedStage"]), Some(Level::Off));
        assert_eq!(
            config.level(&["dl3025"]),
            Some(Level::On(Severity::Warning))
        );
        assert_eq!(config.build_args["A"], "1");
    }

    #[test]
    fn bad_files_get_clear_errors() {
        let e = Config::from_toml("[rules]\nNoSuchRule = \"off\"\n").unwrap_err();
        assert!(e.contains("unknown rule 'NoSuchRule'"), "{e}");
        let e = Config::from_toml("[rules]\nUnusedStage = \"loud\"\n").unwrap_err();
        assert!(e.contains("'loud' is not one of"), "{e}");
        let e = Config::from_toml("[rulez]\n").unwrap_err();
        assert!(e.contains("rulez"), "{e}");
        assert!(Config::from_toml("[rules\n").is_err());
    }

    #[test]
    fn settings_overlay_the_project_file() {
        let file = Config::from_toml("[rules]\nUnusedStage = \"off\"\nDL4000 = \"off\"\n").unwrap();
        let settings = Config::from_settings(&serde_json::json!({
            "dockerfile-lsp": { "rules": { "UnusedStage": "error" }, "buildArgs": { "B": "2" } }
        }))
        .unwrap();
        let both = file.overlaid(&settings);
        assert_eq!(
            both.level(&["UnusedStage"]),
            Some(Level::On(Severity::Error))
        );
        assert_eq!(both.level(&["DL4000"]), Some(Level::Off));
        assert_eq!(both.build_args["B"], "2");
        assert_eq!(
            Config::from_settings(&serde_json::Value::Null).unwrap(),
            Config::default()
        );
    }
}
