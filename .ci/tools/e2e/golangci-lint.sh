#!/usr/bin/env bash
# golangci-lint, the release generated Go jobs install (shared.ts GOLANGCI_LINT_VERSION), built from the Go module
# proxy. Generated jobs download the release binary from github.com, which this sandbox cannot reach; the e2e
# harness (tests/e2e) puts this build where that download would land and says so in its report.
set -euo pipefail
version=2.13.1
dir="$SD_TOOLS/golangci-lint-$version"
if [ ! -e "$dir/.done" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  GOBIN="$dir/bin" GOFLAGS=-mod=mod go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v$version"
  touch "$dir/.done"
fi
ln -sfn "$dir" "$SD_TOOLS/golangci-lint"
