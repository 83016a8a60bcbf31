#!/usr/bin/env bash
# The Argo Rollouts controller and its CRDs, for the deploy tests' local cluster. Its go.mod pins k8s.io/* with
# replace directives, which `go install` refuses, so a small wrapper module requires it and copies those replaces.
# v1.10.1: v1.10.2 asks for a newer Go than the machine's.
set -euo pipefail
version=1.10.1
dir="$SD_TOOLS/argo-rollouts-$version"
if [ ! -e "$dir/.done" ]; then
  rm -rf "$dir" && mkdir -p "$dir/src" "$dir/bin"
  cd "$dir/src"
  export GOFLAGS=-mod=mod
  info="$(go mod download -json "github.com/argoproj/argo-rollouts@v$version")"
  gomod="$(echo "$info" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  moddir="$(echo "$info" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  {
    echo "module senior-devops.local/argo-rollouts"
    echo
    sed -n 's/^go \(.*\)/go \1/p' "$gomod"
    echo
    echo "require github.com/argoproj/argo-rollouts v$version"
    echo
    echo "replace ("
    sed -n '/^replace (/,/^)/{/=> [^.\/]/p}' "$gomod"
    echo ")"
  } > go.mod
  cat > tools.go <<'GO'
//go:build tools

package tools

import _ "github.com/argoproj/argo-rollouts/cmd/rollouts-controller"
GO
  go mod tidy
  go build -trimpath -ldflags "-s -w" -o "$dir/bin/" github.com/argoproj/argo-rollouts/cmd/rollouts-controller
  mkdir -p "$dir/crds" && cp "$moddir"/manifests/crds/*-crd.yaml "$dir/crds/" && chmod -R u+w "$dir/crds"
  cd "$dir" && rm -rf "$dir/src"
  touch "$dir/.done"
fi
ln -sf "$dir/bin/rollouts-controller" "$SD_TOOLS/bin/rollouts-controller"
ln -sfn "$dir/crds" "$SD_TOOLS/argo-rollouts-crds"
