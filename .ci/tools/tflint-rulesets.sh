#!/usr/bin/env bash
# tflint's cloud rulesets (aws, google, azurerm), built from the Go module proxy at the versions the generated
# .tflint.hcl pins, laid out as tflint's plugin directory expects installed plugins:
#   <dir>/github.com/terraform-linters/tflint-ruleset-<name>/<version>/tflint-ruleset-<name>
# so tflint runs the generated config as it is, with TFLINT_PLUGIN_DIR=$SD_TOOLS/tflint-plugins and no download.
set -euo pipefail
rulesets=(aws@0.48.0 google@0.39.0 azurerm@0.32.0)
dir="$SD_TOOLS/tflint-rulesets-aws0.48.0-google0.39.0-azurerm0.32.0"
if [ ! -e "$dir/.done" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  for ruleset in "${rulesets[@]}"; do
    name="${ruleset%@*}" version="${ruleset#*@}"
    target="$dir/plugins/github.com/terraform-linters/tflint-ruleset-$name/$version"
    mkdir -p "$target"
    # `go install module@version` asks the proxy for the module's version list (refused here): download the exact
    # version and build it as the main module instead, with its own go.sum.
    src="$(go mod download -json "github.com/terraform-linters/tflint-ruleset-$name@v$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    (cd "$src" && go build -trimpath -o "$target/tflint-ruleset-$name" .)
  done
  touch "$dir/.done"
fi
ln -sfn "$dir/plugins" "$SD_TOOLS/tflint-plugins"
