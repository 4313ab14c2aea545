#!/usr/bin/env bash
# Packages the extension as a .vsix.
#
#   scripts/package.sh <target> <server binary> [out.vsix]   a platform package
#   scripts/package.sh universal [out.vsix]                  no binary: setting or PATH
#
# <target> is one of linux-x64, linux-arm64, darwin-x64, darwin-arm64,
# win32-x64; the binary must be the server built for it (checked from its
# header), and is bundled as server/dockerfile-lsp[.exe]. VS Code and the
# Marketplace then install the package matching the user's platform. A
# release job builds the server per Rust target and packages each:
#
#   x86_64-unknown-linux-musl   → linux-x64      aarch64-unknown-linux-musl → linux-arm64
#   x86_64-apple-darwin         → darwin-x64     aarch64-apple-darwin       → darwin-arm64
#   x86_64-pc-windows-msvc      → win32-x64
#
#   cargo build --release --target "$RUST_TARGET"
#   editors/vscode/scripts/package.sh "$VSCODE_TARGET" "target/$RUST_TARGET/release/dockerfile-lsp$EXE"
#   editors/vscode/scripts/package.sh universal
#
# Needs `npm ci` first. Writes dockerfile-lsp-<target>-<version>.vsix by default.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[ $# -ge 1 ] || usage
target="$1"
shift
version="$(node -p 'require("./package.json").version')"

# The machine the binary's header says it is for: linux-x64, darwin-arm64, ...
binary_platform() {
  local file="$1" magic
  magic="$(od -An -tx1 -N4 "$file" | tr -d ' \n')"
  case "$magic" in
    7f454c46)
      case "$(od -An -tx1 -j18 -N2 "$file" | tr -d ' \n')" in
        3e00) echo linux-x64 ;;
        b700) echo linux-arm64 ;;
        *) echo linux-other ;;
      esac ;;
    cffaedfe)
      case "$(od -An -tx1 -j4 -N4 "$file" | tr -d ' \n')" in
        07000001) echo darwin-x64 ;;
        0c000001) echo darwin-arm64 ;;
        *) echo darwin-other ;;
      esac ;;
    cafebabe) echo darwin-universal ;;
    4d5a*) echo win32 ;;
    *) echo unknown ;;
  esac
}

rm -rf server
trap 'rm -rf server' EXIT
case "$target" in
  universal)
    [ $# -le 1 ] || usage
    out="${1:-dockerfile-lsp-universal-$version.vsix}"
    npx vsce package --no-dependencies --out "$out"
    ;;
  linux-x64 | linux-arm64 | darwin-x64 | darwin-arm64 | win32-x64)
    [ $# -ge 1 ] && [ $# -le 2 ] || usage
    binary="$1"
    out="${2:-dockerfile-lsp-$target-$version.vsix}"
    [ -f "$binary" ] || { echo "package.sh: no server binary at $binary" >&2; exit 1; }
    actual="$(binary_platform "$binary")"
    case "$target:$actual" in
      win32-x64:win32 | darwin-x64:darwin-universal | darwin-arm64:darwin-universal) ;;
      "$target:$target") ;;
      *) echo "package.sh: $binary is built for $actual, not $target" >&2; exit 1 ;;
    esac
    exe=dockerfile-lsp
    [ "$target" = win32-x64 ] && exe=dockerfile-lsp.exe
    mkdir -p server
    cp "$binary" "server/$exe"
    chmod 755 "server/$exe"
    npx vsce package --no-dependencies --target "$target" --out "$out"
    ;;
  *)
    echo "package.sh: unknown target $target" >&2
    usage
    ;;
esac
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
echo "package.sh: wrote $out" >&2
