#!/usr/bin/env bash
# OPA, built from the Go module proxy: compiles and evaluates the Rego policies the skills teach
# (tests/knowledge/rego.test.ts).
set -euo pipefail
version=1.22.4
dir="$SD_TOOLS/opa-$version"
if [ ! -e "$dir/.done" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  GOBIN="$dir/bin" GOFLAGS=-mod=mod go install "github.com/open-policy-agent/opa@v$version"
  touch "$dir/.done"
fi
ln -sf "$dir/bin/opa" "$SD_TOOLS/bin/opa"
