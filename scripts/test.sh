#!/usr/bin/env bash
# Sets up everything the tests need on a fresh Debian machine, then runs the whole suite:
# unit, snapshot, CLI and shellcheck tests, and the real-PostgreSQL matrix (majors 10-18,
# or those in PGREPL_PG_MAJORS, e.g. PGREPL_PG_MAJORS=16).
# As root it installs apt packages and creates the unprivileged user the servers run as;
# otherwise it expects shellcheck to be installed.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then
  if ! command -v shellcheck >/dev/null || ! command -v ufw >/dev/null || ! command -v ip >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck ufw iproute2 openssl >/dev/null
  fi
  id -u pgtest >/dev/null 2>&1 ||
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin pgtest
fi

# Real PostgreSQL binaries, pinned by version and sha256 (cached; nothing is fetched twice).
IFS=', ' read -r -a majors <<<"${PGREPL_PG_MAJORS:-}"
scripts/fetch-postgres.sh "${majors[@]}"

cargo test --release --all-targets
