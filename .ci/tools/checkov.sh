#!/usr/bin/env bash
# checkov, the Terraform configuration scanner (AWS, Google Cloud and Azure policies), from PyPI in its own venv.
set -euo pipefail
version=3.3.30
dir="$SD_TOOLS/checkov-$version"
if [ ! -e "$dir/.done" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  python3 -m venv "$dir/venv"
  "$dir/venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$version"
  touch "$dir/.done"
fi
ln -sf "$dir/venv/bin/checkov" "$SD_TOOLS/bin/checkov"
