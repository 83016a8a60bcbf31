#!/usr/bin/env bash
# Bun from the npm registry (@oven/bun-linux-x64 carries the binary), standing in for the oven/bun:<version> image
# when the e2e harness (tests/e2e) runs generated jobs of Bun projects.
set -euo pipefail
version=1.3.9
dir="$SD_TOOLS/bun-$version"
if [ ! -e "$dir/.done" ]; then
  rm -rf "$dir" && mkdir -p "$dir/bin"
  npm install --silent --no-audit --no-fund --prefix "$dir/pkg" "@oven/bun-linux-x64@$version"
  ln -sf ../pkg/node_modules/@oven/bun-linux-x64/bin/bun "$dir/bin/bun"
  ln -sf bun "$dir/bin/bunx"
  "$dir/bin/bun" --version >/dev/null
  touch "$dir/.done"
fi
ln -sfn "$dir" "$SD_TOOLS/bun"
