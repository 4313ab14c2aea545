#!/usr/bin/env bash
# What tests/helix.rs needs besides ../shared/tools/helix (a built Helix):
# tmux to drive it in, and a C compiler for `hx --grammar build`. Debian
# packages, installed only when missing.
set -euo pipefail
source "$(dirname "$0")/../lib/apt.sh"
apt_install scripts/install/helix.sh tmux gcc
