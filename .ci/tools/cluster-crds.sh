#!/usr/bin/env bash
# CRDs the deploy tests install on their local cluster, taken from the projects' own Go modules: Gateway API
# (standard channel), Istio, and the Prometheus Operator's ServiceMonitor/PodMonitor.
set -euo pipefail
gateway=1.6.3 istio=1.32.0 promop=0.85.0
dir="$SD_TOOLS/cluster-crds-gw$gateway-istio$istio-promop$promop"
moddir() { GOFLAGS=-mod=mod go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'; }
if [ ! -e "$dir/.done" ]; then
  rm -rf "$dir" && mkdir -p "$dir/gateway-api" "$dir/istio" "$dir/prometheus-operator"
  gw="$(moddir "sigs.k8s.io/gateway-api@v$gateway")"
  cp "$gw"/config/crd/standard/gateway.networking.k8s.io_*.yaml "$dir/gateway-api/"
  rm -f "$dir"/gateway-api/*vap_*.yaml
  cp "$(moddir "istio.io/api@v$istio")/kubernetes/customresourcedefinitions.gen.yaml" "$dir/istio/"
  po="$(moddir "github.com/prometheus-operator/prometheus-operator@v$promop")"
  cp "$po"/example/prometheus-operator-crd/monitoring.coreos.com_{servicemonitors,podmonitors}.yaml "$dir/prometheus-operator/"
  chmod -R u+w "$dir"
  touch "$dir/.done"
fi
ln -sfn "$dir" "$SD_TOOLS/cluster-crds"
