#!/usr/bin/env bash
# Emacs and eglot from Debian (tests/emacs.rs needs `emacs` on PATH with
# eglot loadable). Idempotent: installs only what is missing. Needs root or
# sudo for apt-get.
set -euo pipefail
PACKAGES=(emacs-nox elpa-eglot)
missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed'; then
    missing+=("$package")
  fi
done
# An Emacs from elsewhere is fine as long as it can load eglot.
if [ ${#missing[@]} -gt 0 ] && command -v emacs >/dev/null 2>&1 &&
  emacs --batch --eval '(require (quote eglot))' >/dev/null 2>&1; then
  missing=()
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "scripts/install/emacs.sh: installing ${missing[*]} from Debian" >&2
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" ||
  { "${SUDO[@]}" apt-get update && "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"; }
