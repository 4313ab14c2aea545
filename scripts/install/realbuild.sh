#!/usr/bin/env bash
# Docker's engine and the stand-in base images for tests/realbuild.rs
# (../shared/realbuild/setup.sh: Debian's docker.io, dockerd started in the
# background with host networking only, stand-ins for node, python, golang,
# debian, alpine and distroless). Idempotent: about 90 s the first time,
# about 1 s after. Needs root, as setup.sh does. apt-get may find the dpkg
# lock held by another installer for a while: retried a few times.
set -euo pipefail
cd "$(dirname "$0")/../.."
SETUP=../shared/realbuild/setup.sh
if [ ! -f "$SETUP" ]; then
  echo "scripts/install/realbuild.sh: $SETUP is missing (../shared beside the project)" >&2
  exit 1
fi
for attempt in 1 2 3 4 5 6 7 8; do
  if bash "$SETUP"; then
    exit 0
  fi
  echo "scripts/install/realbuild.sh: setup.sh failed (attempt $attempt), retrying in 30 s" >&2
  sleep 30
done
echo "scripts/install/realbuild.sh: setup.sh kept failing; see ${WORK:-/tmp/realbuild}/*.log" >&2
exit 1
