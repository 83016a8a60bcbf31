#!/usr/bin/env bash
# zizmor (GitHub Actions security linter) from PyPI, in its own virtualenv.
set -euo pipefail
version=1.32.0
dir="$SD_TOOLS/zizmor-$version"
if [ ! -e "$dir/.done" ]; then
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "zizmor==$version"
  touch "$dir/.done"
fi
ln -sf "$dir/bin/zizmor" "$SD_TOOLS/bin/zizmor"
