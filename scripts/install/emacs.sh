#!/usr/bin/env bash
# Emacs and eglot from Debian (tests/emacs.rs needs `emacs` on PATH with
# eglot loadable). Idempotent: installs only what is missing. Needs root or
# sudo for apt-get.
set -euo pipefail
source "$(dirname "$0")/../lib/apt.sh"
# An Emacs from elsewhere is fine as long as it can load eglot.
if command -v emacs >/dev/null 2>&1 &&
  emacs --batch --eval '(require (quote eglot))' >/dev/null 2>&1; then
  exit 0
fi
apt_install scripts/install/emacs.sh emacs-nox elpa-eglot
