#!/usr/bin/env bash
# Debian packages the e2e harness needs besides toolchains: rsync (gitlab-ci-local copies the project into its
# build directory with it, even with the shell executor) and the services generated jobs declare (PostgreSQL,
# MariaDB, Redis), started on loopback by tests/e2e/services.ts. Installed only when missing.
set -euo pipefail
missing=()
command -v rsync >/dev/null 2>&1 || missing+=(rsync)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v mariadbd >/dev/null 2>&1 || command -v mysqld >/dev/null 2>&1 || missing+=(mariadb-server)
command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
