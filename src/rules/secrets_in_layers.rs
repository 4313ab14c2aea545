//! SecretInLayer: a secret that persists in an image layer. Either a
//! credentials file is copied into the image (`.npmrc`, `.netrc`,
//! `.pypirc`, SSH keys), or a RUN writes a secret-looking variable
//! (`$NPM_TOKEN`) into a file and does not remove it in the same RUN: a
//! later `rm` does not remove it from the earlier layer. Use
//! `RUN --mount=type=secret`, which never writes it to a layer.

use super::{Ctx, Finding, Group, Rule};
use crate::diagnostic_types::Severity;

pub const RULE: Rule = Rule {
    code: "SecretInLayer",
    aliases: &[],
    group: Group::BestPractice,
    severity: Severity::Warning,
    summary: "Pass secrets with RUN --mount=type=secret, never through a layer",
    check,
};

const CREDENTIAL_FILES: &[&str] = &[
    ".npmrc",
    ".netrc",
    ".pypirc",
    "id_rsa",
    "id_ed25519",
    ".git-credentials",
    ".env",
];

fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "AUTH",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
    ]
    .iter()
    .any(|t| upper.contains(t))
}

fn file_name(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let facts = ctx.facts();
    for copy in facts.copies() {
        if copy.heredoc {
            continue;
        }
        if let Some(src) = copy
            .sources()
            .iter()
            .find(|s| CREDENTIAL_FILES.contains(&file_name(s)))
        {
            out.push(Finding::new(
                copy.node.byte_range(),
                format!(
                    "'{src}' is copied into a layer and stays in the image even if removed later: mount it with RUN --mount=type=secret,id={},target=... instead",
                    file_name(src).trim_start_matches('.')
                ),
            ));
        }
    }
    for run in facts.runs() {
        if run.secret_mount {
            continue;
        }
        for c in &run.script.commands {
            let uses_secret = c.expands.iter().any(|name| looks_secret(name));
            let written = c.writes.iter().find(|w| !w.starts_with("/dev/"));
            // `npm config set //registry/:_authToken=$NPM_TOKEN` writes ~/.npmrc
            let npm_config = c.is("npm", "config") && c.operands().nth(1) == Some("set");
            let target = match (written, npm_config) {
                (Some(file), _) => file.clone(),
                (None, true) => ".npmrc".to_string(),
                _ => continue,
            };
            if !uses_secret {
                continue;
            }
            let removed = run.script.any(|r| {
                r.name == "rm" && r.operands().any(|o| file_name(o) == file_name(&target))
            });
            if !removed {
                out.push(Finding::new(
                    run.node.byte_range(),
                    format!(
                        "a secret is written to '{target}' and not removed in the same RUN: it stays in the layer. Use RUN --mount=type=secret,id=... and read it from /run/secrets (or remove the file in this same RUN)"
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn bad_and_good() {
        let code = "SecretInLayer";
        assert_eq!(found_by(code, "FROM node:22\nCOPY .npmrc ./\n"), [2]);
        assert_eq!(
            found_by(code, "FROM node:22\nARG NPM_TOKEN\nRUN echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" > .npmrc && npm ci\n"),
            [3]
        );
        assert!(found_by(code, "FROM node:22\nARG NPM_TOKEN\nRUN echo \"//r/:_authToken=${NPM_TOKEN}\" > .npmrc && npm ci && rm -f .npmrc\n").is_empty());
        assert!(found_by(
            code,
            "FROM node:22\nRUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\n"
        )
        .is_empty());
    }
}
