#!/usr/bin/env bash
# helm, for the deployment manager's --format helm: `helm lint` and `helm template` of every generated chart.
set -euo pipefail
version=4.3.2
dir="$SD_TOOLS/helm-$version"
if [ ! -e "$dir/.done" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  GOBIN="$dir/bin" GOFLAGS=-mod=mod go install -trimpath -ldflags "-s -w" "helm.sh/helm/v4/cmd/helm@v$version"
  touch "$dir/.done"
fi
ln -sf "$dir/bin/helm" "$SD_TOOLS/bin/helm"
