#!/usr/bin/env bash
# Debian packages the e2e harness needs besides the toolchains built here: rsync (gitlab-ci-local copies the project
# into its build directory with it, even with the shell executor), the services generated jobs declare (PostgreSQL,
# MariaDB, Redis; started on loopback by tests/e2e/services.ts) and the Ruby and PHP toolchains standing in for the
# ruby and php images. Installed only when missing.
set -euo pipefail
missing=()
command -v rsync >/dev/null 2>&1 || missing+=(rsync)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v mariadbd >/dev/null 2>&1 || command -v mysqld >/dev/null 2>&1 || missing+=(mariadb-server)
command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
command -v ruby >/dev/null 2>&1 || missing+=(ruby ruby-dev)
command -v bundle >/dev/null 2>&1 || missing+=(ruby-bundler)
command -v php >/dev/null 2>&1 || missing+=(php-cli)
command -v composer >/dev/null 2>&1 || missing+=(composer)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
