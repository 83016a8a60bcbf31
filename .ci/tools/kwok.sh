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
# Its stock "fast" stages (nodes Ready at once; pods Ready, completed and deleted at once), from the same module:
# kwok refuses to start without stages.
if [ ! -e "$dir/stages/.done" ]; then
  src="$(GOFLAGS=-mod=mod go mod download -json "sigs.k8s.io/kwok@v$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  rm -rf "$dir/stages" && mkdir -p "$dir/stages"
  cp "$src"/kustomize/stage/node/fast/node-initialize.yaml "$src"/kustomize/stage/pod/fast/pod-*.yaml "$dir/stages/"
  chmod -R u+w "$dir/stages"
  touch "$dir/stages/.done"
fi
ln -sf "$dir/bin/kwok" "$SD_TOOLS/bin/kwok"
ln -sfn "$dir/stages" "$SD_TOOLS/kwok-stages"
