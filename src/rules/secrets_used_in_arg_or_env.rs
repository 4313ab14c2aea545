//! SecretsUsedInArgOrEnv: ARG and ENV values end up in the image's
//! history and metadata; pass secrets with `RUN --mount=type=secret`
//! (as a file or, with `env=`, a variable for that one command).

use super::{Ctx, Finding, Group, Rule};
use crate::analysis::variables::DefKind;
use crate::diagnostics::Severity;

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
    "passphrase",
    "password",
    "passwd",
    "pword",
    "secret",
    "token",
];

/// A name whose last `_`-separated word is a secret word, unless one of
/// its words is `public` (`PUBLIC_KEY`).
pub fn looks_secret(name: &str) -> bool {
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower.split('_').collect();
    !words.contains(&"public") && words.last().is_some_and(|w| SECRET_WORDS.contains(w))
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    for def in &ctx.analysis.variables.defs {
        if looks_secret(&def.name) {
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
        assert!(found_by("SecretsUsedInArgOrEnv", "FROM a\nARG NODE_VERSION\n").is_empty());
    }
}
