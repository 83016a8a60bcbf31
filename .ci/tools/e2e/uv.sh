#!/usr/bin/env bash
# uv from PyPI (the uv wheel carries the binary), standing in for what astral-sh/setup-uv installs on a runner when
# the e2e harness (tests/e2e) runs generated GitHub jobs of uv projects.
set -euo pipefail
version=0.13.10
dir="$SD_TOOLS/uv-$version"
if [ ! -e "$dir/.done" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  python3 -m venv "$dir/venv"
  "$dir/venv/bin/pip" install --quiet --disable-pip-version-check "uv==$version"
  mkdir -p "$dir/bin" && ln -sf ../venv/bin/uv "$dir/bin/uv" && ln -sf ../venv/bin/uvx "$dir/bin/uvx"
  "$dir/bin/uv" --version >/dev/null
  touch "$dir/.done"
fi
ln -sfn "$dir" "$SD_TOOLS/uv"
