#!/usr/bin/env bash
# What scripts/test-vscode needs to run the extension in a real VS Code:
# Debian's chromium (driven headless by playwright-core) and ripgrep, the
# headers code-server's native modules build against, and code-server itself
# from npm into .tools/code-server. Idempotent: each part is skipped when it
# is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."

CODE_SERVER_VERSION=4.100.3 # the last release that runs on Node 20
PREFIX="$PWD/.tools/code-server"
CODE_SERVER="$PREFIX/node_modules/.bin/code-server"

source scripts/lib/apt.sh
apt_install scripts/install/vscode.sh chromium ripgrep libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev

installed_version() {
  node -p 'require(process.argv[1]).version' "$PREFIX/node_modules/code-server/package.json" 2>/dev/null || true
}

# @vscode/ripgrep's postinstall (lib/postinstall.js, lib/download.js) asks
# the GitHub API for a ripgrep release, which cannot be reached here. It
# first looks for the archive in
#   $(os.tmpdir())/vscode-ripgrep-cache-<package version>/ripgrep-<release>-<target>.tar.gz
# and, when found, only unpacks it into its bin/ (expecting a file `rg`).
# So point TMPDIR at a folder of ours and put Debian's rg there, packed as
# that archive. The names are the ones code-server 4.100.3 pins
# (@vscode/ripgrep 1.15.11, release v13.0.0-10).
seed_ripgrep_cache() {
  local tmp="$1" target
  case "$(uname -m)" in
    x86_64) target=x86_64-unknown-linux-musl ;;
    aarch64 | arm64) target=aarch64-unknown-linux-musl ;;
    *) echo "scripts/install/vscode.sh: no ripgrep target for $(uname -m)" >&2; return 1 ;;
  esac
  local cache="$tmp/vscode-ripgrep-cache-1.15.11" staging="$tmp/rg-staging"
  mkdir -p "$cache" "$staging"
  cp "$(command -v rg)" "$staging/rg"
  tar -czf "$cache/ripgrep-v13.0.0-10-$target.tar.gz" -C "$staging" rg
  rm -rf "$staging"
}

if [ "$(installed_version)" != "$CODE_SERVER_VERSION" ] || [ ! -x "$CODE_SERVER" ]; then
  echo "scripts/install/vscode.sh: installing code-server $CODE_SERVER_VERSION into .tools/code-server" >&2
  rm -rf "$PREFIX"
  mkdir -p "$PREFIX/tmp"
  seed_ripgrep_cache "$PREFIX/tmp"
  # A package.json of its own, so npm installs here and not in a parent.
  echo '{ "name": "code-server-for-tests", "private": true }' >"$PREFIX/package.json"
  # code-server's postinstall runs `npm install` in lib/vscode and
  # lib/vscode/extensions, whose native modules (node-pty, @parcel/watcher,
  # spdlog, kerberos, ...) build in install scripts. npm 11.19+ skips
  # dependency install scripts not listed in a package.json's allowScripts,
  # and those nested package.json files are code-server's, so allow all
  # scripts for this one install (older npm ignores the setting and runs them).
  # unsafe-perm: code-server's postinstall refuses to run as root without it.
  (
    cd "$PREFIX"
    export npm_config_dangerously_allow_all_scripts=true
    export TMPDIR="$PREFIX/tmp" npm_config_unsafe_perm=true npm_config_yes=true npm_config_nodedir=/usr
    npm install --no-audit --no-fund --foreground-scripts "code-server@$CODE_SERVER_VERSION"
  ) || {
    echo "scripts/install/vscode.sh: installing code-server failed (see above); removing the partial .tools/code-server" >&2
    rm -rf "$PREFIX"
    exit 1
  }
  rm -rf "$PREFIX/tmp"
  if [ ! -x "$PREFIX/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ]; then
    echo "scripts/install/vscode.sh: code-server installed without ripgrep (its search and workspaceContains would not work)" >&2
    exit 1
  fi
fi
echo "scripts/install/vscode.sh: code-server $(installed_version) in .tools/code-server, $(/usr/bin/chromium --version 2>/dev/null)" >&2
