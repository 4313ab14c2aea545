//! SecretsUsedInArgOrEnv: ARG and ENV values end up in the image's
//! history and metadata; pass secrets with `RUN --mount=type=secret`
//! (as a file or, with `env=`, a variable for that one command).
//!
//! As BuildKit: a name is suspect when one of its `_`-separated words is a
//! secret word and none is `public`, `file` or `version`; ARG and ENV keys
//! in stages are checked, not the global ARGs before the first FROM.

use super::{Ctx, Finding, Group, Rule};
use crate::analysis::variables::DefKind;
use crate::diagnostic_types::Severity;

pub const RULE: Rule = Rule {
    code: "SecretsUsedInArgOrEnv",
    aliases: &[],
    group: Group::BuildKit,
    severity: Severity::Warning,
    summary: "No secrets in ARG or ENV",
    check,
};

const SECRET_WORDS: &[&str] = &[
    "apikey",
    "auth",
    "credential",
    "credentials",
    "key",
    "password",
    "passwd",
    "pword",
    "secret",
    "token",
];

/// Words that clear a name (`PUBLIC_KEY`, `PASSWORD_FILE`, `TOKEN_VERSION`).
const ALLOWED_WORDS: &[&str] = &["public", "file", "version"];

/// A name one of whose `_`-separated words is a secret word, unless one
/// of its words clears it.
pub fn looks_secret(name: &str) -> bool {
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower.split('_').collect();
    words.iter().any(|w| SECRET_WORDS.contains(w))
        && !words.iter().any(|w| ALLOWED_WORDS.contains(w))
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for def in &ctx.analysis.variables.defs {
        // BuildKit does not check the global ARGs.
        if def.stage.is_some() && looks_secret(&def.name) {
            let keyword = match def.kind {
                DefKind::Arg => "ARG",
                DefKind::Env => "ENV",
            };
            out.push(Finding {
                range: def.name_range.clone(),
                message: format!(
                    "Do not use ARG or ENV instructions for sensitive data ({keyword} \"{}\")",
                    def.name
                ),
                ..Default::default()
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::looks_secret;
    use crate::rules::test_support::found_by;

    #[test]
    fn names() {
        for secret in [
            "SECRET_PASSPHRASE",
            "SUPER_Secret",
            "password",
            "auth",
            "super_duper_secret_token",
            "apikey",
            "git_key",
            "SECRET_ID",
            "A_AUTH_B",
            "APIKEY_",
            "SSH_KEY_PATH",
        ] {
            assert!(looks_secret(secret), "{secret}");
        }
        for fine in [
            "sunflower",
            "PUBLIC_KEY",
            "public_token",
            "SECRET_PASSPHRASE_FILE",
            "secret_File",
            "AUTH_MODULE_VERSION",
            "PASSPHRASE",
            "DB_PASSWORD_FILE",
            "TOKEN_PUBLIC",
            "MYKEY",
            "a-key",
        ] {
            assert!(!looks_secret(fine), "{fine}");
        }
    }

    #[test]
    fn bad_and_good() {
        assert_eq!(
            found_by(
                "SecretsUsedInArgOrEnv",
                "FROM a\nARG NPM_TOKEN\nENV DB_PASSWORD=x\n"
            ),
            [2, 3]
        );
        // Global ARGs are not checked (as BuildKit).
        assert_eq!(
            found_by(
                "SecretsUsedInArgOrEnv",
                "ARG GH_TOKEN\nFROM a\nARG GH_TOKEN\n"
            ),
            [3]
        );
        assert!(found_by("SecretsUsedInArgOrEnv", "FROM a\nARG NODE_VERSION\n").is_empty());
    }
}
