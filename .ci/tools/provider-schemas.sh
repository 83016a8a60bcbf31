#!/usr/bin/env bash
# Provider schemas for checking generated Terraform offline: the prebuilt CDK provider packages from npm (CI does
# not build the provider plugins from their Go sources: too slow on 2 cores). Only each package's
# lib/<resource>/index.js files are kept: they name every argument and block of every resource and data source.
# aws 6.66 and azurerm 4.73 match the pinned majors. google and random are checked against their real plugins'
# schemas instead (tests/terraform/google-schema.json; the newest CDK google package is provider 6.50, pinned ~> 7.0).
set -euo pipefail
packages=(@cdktn/provider-aws@25.7.0 @cdktn/provider-azurerm@16.1.0)
dir="$SD_TOOLS/provider-schemas-aws25.7.0-azurerm16.1.0"
if [ ! -e "$dir/.done" ]; then
  rm -rf "$dir" && mkdir -p "$dir/tgz"
  (cd "$dir/tgz" && npm pack --silent "${packages[@]}" >/dev/null)
  for tgz in "$dir"/tgz/*.tgz; do
    name="$(basename "$tgz" .tgz)"
    name="${name#cdktn-provider-}" && name="${name%-*}"
    mkdir -p "$dir/$name"
    tar -xzf "$tgz" -C "$dir/$name" --strip-components=1 --wildcards 'package/package.json' 'package/lib/*/index.js'
  done
  rm -rf "$dir/tgz"
  touch "$dir/.done"
fi
ln -sfn "$dir" "$SD_TOOLS/provider-schemas"
