#!/usr/bin/env bash
# Builds the google and random provider plugins at the releases the generated GCP trees are checked against, from
# their Go sources, into a Terraform filesystem mirror outside the repository:
#   tests/terraform/build-providers.sh [--google-src DIR] [--random-src DIR]
# The mirror is $SD_GOOGLE_PROVIDER_DIR (default ~/.cache/senior-devops/providers/mirror); point the same variable
# at it to run the opt-in `terraform validate` test and to regenerate google-schema.json
# (tests/terraform/reduce-provider-schema.ts).
# Sources: each release's tag commit through the Go module proxy, as the pseudo-version of that commit (neither
# module path carries a /vN suffix, so their v3/v7 tags are not versions of the module). A proxy that does not
# serve the google commit needs --google-src: a directory with the tag's source (e.g. a `git archive v7.45.0` of
# the provider's repository). Dependencies come from the proxy as pinned by each source's go.sum.
# Takes about 17 minutes on 2 busy cores for google (one large Go module), about a minute for random.
set -euo pipefail
google_version=7.45.0
google_module=github.com/hashicorp/terraform-provider-google@v1.20.1-0.20260818180449-6f756229ab21 # tag v7.45.0
random_version=3.9.0
random_module=github.com/terraform-providers/terraform-provider-random@v1.3.2-0.20260513075824-f8d869dc98d9 # tag v3.9.0
google_src="" random_src=""
while [ $# -gt 0 ]; do
  case "$1" in
    --google-src) google_src="$2"; shift 2 ;;
    --random-src) random_src="$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
mirror="${SD_GOOGLE_PROVIDER_DIR:-$HOME/.cache/senior-devops/providers/mirror}"
platform="$(go env GOOS)_$(go env GOARCH)"
work="$(mktemp -d)"
trap 'chmod -R u+w "$work" && rm -rf "$work"' EXIT

# source MODULE@VERSION DIR: DIR if given, else the module from the proxy, as a writable copy.
source_dir() {
  if [ -n "$2" ]; then echo "$2"; return; fi
  local dir copy="$work/$(basename "${1%@*}")"
  dir="$(GOFLAGS=-mod=mod go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [ -n "$dir" ] || { echo "the Go module proxy does not serve $1" >&2; exit 1; }
  cp -r "$dir" "$copy" && chmod -R u+w "$copy"
  echo "$copy"
}

# build NAME VERSION MODULE@VERSION SRC [LDFLAGS]
build() {
  local target="$mirror/registry.terraform.io/hashicorp/$1/$2/$platform"
  if [ -x "$target/terraform-provider-$1_v$2" ]; then echo "$1 $2: already built"; return; fi
  local src start=$SECONDS
  src="$(source_dir "$3" "$4")"
  mkdir -p "$target"
  (cd "$src" && GOFLAGS=-mod=mod go build -trimpath -ldflags "${5:-}" -o "$target/terraform-provider-$1_v$2.tmp" .)
  mv "$target/terraform-provider-$1_v$2.tmp" "$target/terraform-provider-$1_v$2"
  echo "$1 $2: built in $((SECONDS - start)) s"
}

build google "$google_version" "$google_module" "$google_src" \
  "-X github.com/hashicorp/terraform-provider-google/version.ProviderVersion=$google_version"
build random "$random_version" "$random_module" "$random_src"
echo "mirror: $mirror"
