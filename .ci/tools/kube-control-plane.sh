#!/usr/bin/env bash
# A local Kubernetes control plane for the deploy tests: kube-apiserver, kube-controller-manager, kube-scheduler,
# kubectl (same minor, no version skew) and etcd, built from the Go module proxy. k8s.io/kubernetes replaces its k8s.io/* staging modules
# with local paths, so it cannot be `go install`ed: a small wrapper module requires it and replaces each staging module
# with the matching published v0.x release; etcd is the server version that k8s.io/kubernetes itself requires.
set -euo pipefail
version=1.36.3
dir="$SD_TOOLS/kube-control-plane-$version"
if [ ! -e "$dir/.done" ]; then
  rm -rf "$dir" && mkdir -p "$dir/src"
  cd "$dir/src"
  export GOFLAGS=-mod=mod
  gomod="$(go mod download -json "k8s.io/kubernetes@v$version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  etcd="$(sed -n 's/^[[:space:]]*go.etcd.io\/etcd\/server\/v3 \(v[^ ]*\).*/\1/p' "$gomod" | head -1)"
  {
    echo "module senior-devops.local/kube-control-plane"
    echo
    sed -n 's/^go \(.*\)/go \1/p' "$gomod"
    echo
    echo "require ("
    echo "  k8s.io/kubernetes v$version"
    echo "  go.etcd.io/etcd/server/v3 $etcd"
    echo ")"
    echo
    echo "replace ("
    sed -n 's/^[[:space:]]*\(k8s\.io\/[a-z0-9-]*\) => \.\/staging\/src\/.*/  \1 => \1 v0.'"${version#1.}"'/p' "$gomod"
    echo ")"
  } > go.mod
  mkdir -p etcd
  cat > etcd/main.go <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  go mod tidy
  minor="$(echo "$version" | cut -d. -f2)"
  ld="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $pkg.gitVersion=v$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  mkdir -p "$dir/bin"
  go build -trimpath -ldflags "$ld" -o "$dir/bin/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler \
    k8s.io/kubernetes/cmd/kubectl
  go build -trimpath -ldflags "-s -w" -o "$dir/bin/etcd" ./etcd
  cd "$dir" && rm -rf "$dir/src"
  touch "$dir/.done"
fi
# kubectl stays in the tool directory (the deploy tests put it first on PATH) so other suites keep the machine's own.
for b in kube-apiserver kube-controller-manager kube-scheduler etcd; do ln -sf "$dir/bin/$b" "$SD_TOOLS/bin/$b"; done
ln -sf "$dir/bin/kubectl" "$SD_TOOLS/bin/kubectl-$version"
