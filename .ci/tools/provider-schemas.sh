#!/usr/bin/env bash
# Provider schemas for checking generated Terraform offline: the prebuilt CDK provider packages from npm (the
# provider plugins themselves are not served by the Go module proxy at the pinned majors). Only each package's
# lib/<resource>/index.js files are kept: they name every argument and block of every resource and data source.
# aws 6.66 and azurerm 4.73 match the pinned majors; the newest google package is provider 6.50 (pinned: ~> 7.0).
set -euo pipefail
packages=(@cdktn/provider-aws@25.7.0 @cdktn/provider-azurerm@16.1.0 @cdktf/provider-google@16.12.1)
dir="$SD_TOOLS/provider-schemas-aws25.7.0-azurerm16.1.0-google16.12.1"
if [ ! -e "$dir/.done" ]; then
  rm -rf "$dir" && mkdir -p "$dir/tgz"
  (cd "$dir/tgz" && npm pack --silent "${packages[@]}" >/dev/null)
  for tgz in "$dir"/tgz/*.tgz; do
    name="$(basename "$tgz" .tgz)"
    name="${name#cdktn-provider-}" && name="${name#cdktf-provider-}" && name="${name%-*}"
    mkdir -p "$dir/$name"
    tar -xzf "$tgz" -C "$dir/$name" --strip-components=1 --wildcards 'package/package.json' 'package/lib/*/index.js'
  done
  rm -rf "$dir/tgz"
  touch "$dir/.done"
fi
ln -sfn "$dir" "$SD_TOOLS/provider-schemas"
