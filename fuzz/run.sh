#!/usr/bin/env bash
# Fuzzes pgrepl's parsers, the topology loader and lint with cargo-fuzz on stable Rust
# (--sanitizer none: a panic is the crash being looked for; ASan needs nightly flags).
#
#   fuzz/run.sh [SECONDS_PER_TARGET]      (default 60; targets run two at a time)
#
# Seeds each target's corpus from the repository's own fixtures on first use; new inputs
# that reach new code are added to fuzz/corpus/<target>/. A crash stops that target and
# leaves its input in fuzz/artifacts/<target>/: copy it to fuzz/regressions/<target>/ and
# tests/fuzz_regressions.rs replays it in every test run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz

seed() { # target files...
  local dir=fuzz/corpus/$1
  shift
  [ -d "$dir" ] && return
  mkdir -p "$dir"
  local f
  for f in "$@"; do
    [ -f "$f" ] && cp "$f" "$dir/seed-$(sha256sum "$f" | cut -c1-16)"
  done
}
seed conf tests/conf/*.conf tests/lint/*/*/postgresql.conf tests/lint/*/*/*/postgresql.conf
seed hba tests/hba/*.conf tests/lint/*/*/pg_hba.conf tests/lint/*/*/*/pg_hba.conf
seed topology examples/*.toml tests/invalid/*.toml tests/warnings/*.toml
if [ ! -d fuzz/corpus/conninfo ]; then
  mkdir -p fuzz/corpus/conninfo
  printf '%s' "host=10.0.0.11 port=5432 user=replicator passfile=/var/lib/postgresql/.pgpass application_name=db2" >fuzz/corpus/conninfo/seed-1
  printf '%s' "host='a b' password='x\\'y' sslmode=verify-full target_session_attrs=any" >fuzz/corpus/conninfo/seed-2
fi
if [ ! -d fuzz/corpus/lint_tree ]; then
  mkdir -p fuzz/corpus/lint_tree
  for d in tests/lint/*/bad; do
    { cat "$d/postgresql.conf" 2>/dev/null; printf '\0'; cat "$d/pg_hba.conf" 2>/dev/null; printf '\0\0\0'; cat "$d/PG_VERSION" 2>/dev/null; } \
      >"fuzz/corpus/lint_tree/seed-$(basename "$(dirname "$d")")"
  done
fi

cargo fuzz build --sanitizer none --release >/dev/null
run() { # target
  cargo fuzz run --sanitizer none --release "$1" "fuzz/corpus/$1" -- \
    -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 2>"fuzz/$1.log" || {
    echo "$1: CRASH, see fuzz/$1.log and fuzz/artifacts/$1/" >&2
    return 1
  }
  echo "$1: $(grep -E '^stat::number_of_executed_units' "fuzz/$1.log" | awk '{ print $2 }') executions, $(grep -E '^stat::peak_rss_mb' "fuzz/$1.log" | awk '{ print $2 }') MB, corpus $(find "fuzz/corpus/$1" -type f | wc -l) files"
}
status=0
pair() { # two targets side by side, one per core
  run "$1" & local a=$!
  run "$2" & local b=$!
  wait "$a" || status=1
  wait "$b" || status=1
}
pair conf hba
pair conninfo topology
run lint_tree || status=1
exit $status
