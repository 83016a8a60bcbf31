#!/usr/bin/env bash
# kwok for the deploy tests' local cluster: fake nodes, and pods that become Running/Ready without a kubelet.
set -euo pipefail
version=0.8.0
dir="$SD_TOOLS/kwok-$version"
if [ ! -e "$dir/.done" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  GOBIN="$dir/bin" GOFLAGS=-mod=mod go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@v$version"
  touch "$dir/.done"
fi
ln -sf "$dir/bin/kwok" "$SD_TOOLS/bin/kwok"
