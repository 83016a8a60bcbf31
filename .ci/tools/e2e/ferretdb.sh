#!/usr/bin/env bash
# FerretDB (MongoDB wire protocol over SQLite), built from the Go module proxy, standing in for the mongo service
# container of generated test jobs: the e2e harness (tests/e2e/services.ts) starts it on loopback. The module zip has
# no build/version/version.txt (the repository generates it), so the build runs in a copy that gets one.
set -euo pipefail
version=1.24.2
dir="$SD_TOOLS/ferretdb-$version"
if [ ! -e "$dir/.done" ]; then
  rm -rf "$dir" && mkdir -p "$dir/bin"
  GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@v$version" > "$dir/module.json"
  src="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$dir/module.json")"
  work="$(mktemp -d)"
  cp -r "$src/." "$work/" && chmod -R u+w "$work"
  echo "v$version" > "$work/build/version/version.txt"
  (cd "$work" && go build -trimpath -o "$dir/bin/ferretdb" ./cmd/ferretdb)
  rm -rf "$work"
  "$dir/bin/ferretdb" --version >/dev/null
  touch "$dir/.done"
fi
ln -sfn "$dir" "$SD_TOOLS/ferretdb"
