#!/usr/bin/env bash
# tflint, built from the Go module proxy. Its cloud rulesets (tflint-ruleset-aws/-google/-azurerm) are not served
# by the proxy here, and tflint would otherwise download them from GitHub releases at `tflint --init`: the
# generated CI installs them that way, our tests run the bundled terraform ruleset (recommended + extra rules).
set -euo pipefail
version=0.64.0
dir="$SD_TOOLS/tflint-$version"
if [ ! -e "$dir/.done" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  GOBIN="$dir/bin" GOFLAGS=-mod=mod go install "github.com/terraform-linters/tflint@v$version"
  touch "$dir/.done"
fi
ln -sf "$dir/bin/tflint" "$SD_TOOLS/bin/tflint"
