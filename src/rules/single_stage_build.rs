//! SingleStageBuild: a Dockerfile with one stage that installs build
//! dependencies and runs a build ships its compilers, dev dependencies and
//! sources in the image. Split it into deps / build / runner stages (the
//! "Split into stages" code action does it).

use super::{packages, Ctx, Finding, Group, Rule};
use crate::diagnostic_types::Severity;

pub const RULE: Rule = Rule {
    code: "SingleStageBuild",
    aliases: &[],
    group: Group::BestPractice,
    severity: Severity::Information,
    summary: "Build in a stage of its own and ship only the output",
    check,
};

fn check(ctx: &Ctx, out: &mut Vec<Finding>) {
    let facts = ctx.facts();
    if facts.stage_count() != 1 {
        return;
    }
    // An image that sets nothing to run and exposes nothing is a base or
    // builder for other builds (outline's Dockerfile.base): carrying its
    // tooling is its point.
    let runs_something = [
        "cmd_instruction",
        "entrypoint_instruction",
        "expose_instruction",
    ]
    .iter()
    .any(|k| !facts.of_kind(0, k).is_empty());
    if !runs_something {
        return;
    }
    let installs = facts
        .runs()
        .find(|r| r.script.any(|c| packages::manifest_install(c).is_some()));
    let builds = facts.runs().find(|r| r.script.any(packages::is_build));
    if let (Some(install), Some(build)) = (installs, builds) {
        out.push(
            Finding::new(
                ctx.analysis.stages.stages[0].from_range.clone(),
                "one stage installs dependencies and builds: the image ships build tooling, dev dependencies and sources. Split it into deps, build and runner stages",
            )
            .with_related(install.node.byte_range(), "dependencies are installed here")
            .with_related(build.node.byte_range(), "the build runs here"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::found_by;

    #[test]
    fn bad_and_good() {
        let bad = "FROM node:22\nCOPY . .\nRUN npm ci\nRUN npm run build\nCMD [\"node\", \"dist/index.js\"]\n";
        assert_eq!(found_by("SingleStageBuild", bad), [1]);
        let good = "FROM node:22 AS build\nCOPY . .\nRUN npm ci && npm run build\nFROM node:22-slim\nCOPY --from=build /dist /dist\n";
        assert!(found_by("SingleStageBuild", good).is_empty());
    }

    /// The official ruby images check the installed bundler with
    /// `bundle --version`: a smoke test, not a dependency install.
    #[test]
    fn a_version_check_is_no_install() {
        let src = "FROM debian:13\nRUN set -eux; make install; gem update --system; bundle --version\nCMD [\"irb\"]\n";
        assert!(found_by("SingleStageBuild", src).is_empty());
        let src =
            "FROM ruby:3.3\nCOPY . .\nRUN bundle install\nRUN make\nCMD [\"ruby\", \"app.rb\"]\n";
        assert_eq!(found_by("SingleStageBuild", src), [1]);
    }

    /// A single stage with nothing to run is a base or builder image for
    /// other builds (outline's Dockerfile.base).
    #[test]
    fn a_builder_image_is_not_reported() {
        let src = "FROM node:22 AS deps\nCOPY . .\nRUN yarn install --immutable\nRUN yarn build\n";
        assert!(found_by("SingleStageBuild", src).is_empty());
    }
}
