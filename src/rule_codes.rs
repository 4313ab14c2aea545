//! Every code a setting may name: each rule's code and its aliases
//! (hadolint's codes for the same check). A leaf, so that the configuration
//! can refuse an unknown code without calling into the rules; the rule
//! registry (`crate::rules::registry`) is what the codes mean, and a test
//! (`tests/module_deps.rs`) keeps this table equal to the registry's codes.

/// The rules' codes and aliases, in the registry's order.
pub const KNOWN: &[&str] = &[
    "StageNameCasing",
    "FromAsCasing",
    "NoEmptyContinuation",
    "ConsistentInstructionCasing",
    "DuplicateStageName",
    "DL3024",
    "ReservedStageName",
    "JSONArgsRecommended",
    "DL3025",
    "MaintainerDeprecated",
    "DL4000",
    "WorkdirRelativePath",
    "MultipleInstructionsDisallowed",
    "DL4003",
    "DL4004",
    "LegacyKeyValueFormat",
    "ExposeProtoCasing",
    "ExposeInvalidFormat",
    "RedundantTargetPlatform",
    "FromPlatformFlagConstDisallowed",
    "DL3029",
    "SecretsUsedInArgOrEnv",
    "UndefinedArgInFrom",
    "InvalidDefaultArgInFrom",
    "UndefinedVar",
    "CopyIgnoredFile",
    "CopySourceMissing",
    "InvalidDefinitionDescription",
    "UnknownStage",
    "StageIndexOutOfRange",
    "UnusedStage",
    "DependencyInstallAfterCopyAll",
    "DevDependenciesInFinalStage",
    "DevNodeModulesInFinalStage",
    "WholeTreeCopyIntoFinalStage",
    "FinalStageRunsAsRoot",
    "MissingHealthcheck",
    "PackageCacheInFinalStage",
    "SecretInLayer",
    "NoDockerignore",
    "DockerignoreIncomplete",
    "NextStandaloneWithoutOutput",
    "SingleStageBuild",
    "DL3000",
    "DL3002",
    "DL3003",
    "DL3004",
    "DL3006",
    "DL3007",
    "DL3008",
    "DL3009",
    "DL3013",
    "DL3015",
    "DL3016",
    "DL3020",
    "DL3021",
    "DL3022",
    "DL3023",
    "DL3027",
    "DL3042",
    "DL3045",
    "DL3059",
    "DL3060",
    "DL4006",
];

/// Whether a code names a rule, compared without regard to case.
pub fn is_known(code: &str) -> bool {
    KNOWN.iter().any(|k| k.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_aliases_are_known_in_any_case() {
        assert!(is_known("UnusedStage"));
        assert!(is_known("unusedstage"));
        assert!(is_known("dl3025"));
        assert!(!is_known("NoSuchRule"));
        assert!(!is_known(""));
    }
}
