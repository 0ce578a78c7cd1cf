#!/usr/bin/env bash
# Fleet benchmark: pgrepl lint over a synthetic Debian tree of N clusters, side by side with
# what a user would otherwise script, one real `postgres -C` per cluster (each cluster's own
# major). Medians of REPS runs; CPU time and peak RSS from GNU time.
#
#   bench/fleet.sh [CLUSTERS] [REPS]          (defaults: 1000 clusters, 7 repetitions)
#
# Needs the real PostgreSQL binaries (scripts/fetch-postgres.sh, as the tests do), python3
# and /usr/bin/time. Builds pgrepl in release mode. Writes only under $FLEET_DIR
# (default /tmp/pgrepl-fleet).
set -euo pipefail
cd "$(dirname "$0")/.."

clusters=${1:-1000}
reps=${2:-7}
dir=${FLEET_DIR:-/tmp/pgrepl-fleet}
cache=${PGREPL_PG_CACHE:-/var/cache/pgrepl-pg}
majors=(12 13 14 15 16 17 18)

command -v /usr/bin/time >/dev/null || { echo "needs GNU time (/usr/bin/time; apt install time)" >&2; exit 2; }
scripts/fetch-postgres.sh "${majors[@]}" >/dev/null
cargo build --release --quiet
pgrepl=$PWD/target/release/pgrepl

python3 bench/make_fleet.py "$dir" --clusters "$clusters" \
  --majors "$(IFS=,; echo "${majors[*]}")" --pg-cache "$cache"
tree="$dir/etc/postgresql"

# One run of a command: "wall user sys maxrss_kb" (exit status ignored: findings exit 1).
measure() {
  /usr/bin/time -q -f "%e %U %S %M" -o "$dir/time.out" "$@" >/dev/null 2>&1 || true
  cat "$dir/time.out"
}

# The baseline: what `postgres -C` says about each cluster, one process per cluster. As root
# postgres -C is allowed (it refuses only to start a server).
baseline() {
  local d major
  for d in "$tree"/*/*/; do
    major=$(basename "$(dirname "$d")")
    "$cache/$major/bin/postgres" -C wal_level -D "$d" >/dev/null 2>&1 || true
  done
}
export -f baseline
export tree cache

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

run_set() { # name command...
  local name=$1
  shift
  : >"$dir/$name.runs"
  "$@" >/dev/null 2>&1 || true # warm the page cache
  for _ in $(seq "$reps"); do measure "$@" >>"$dir/$name.runs"; done
}

run_set lint "$pgrepl" lint "$tree" --format json
run_set baseline bash -c baseline

# gen for a 100-node cluster (a primary and 99 standbys with slots), into a new directory
# each time: validation, rendering, 1,300 files written and made durable.
python3 - "$dir/topology-100.toml" <<'PY'
import sys
n = 99
t = ('[cluster]\nname = "bench"\npg_version = 17\n\n[replication]\nuser = "replicator"\n'
     'slots = true\n\n[postgresql]\nmax_wal_senders = %d\nmax_replication_slots = %d\n'
     'wal_keep_size = "1GB"\n\n[[nodes]]\nname = "db0"\nrole = "primary"\nhost = "10.1.0.1"\n'
     % (n + 10, n + 10))
for i in range(1, n + 1):
    t += '\n[[nodes]]\nname = "db%d"\nrole = "standby"\nhost = "10.1.%d.%d"\n' % (i, i // 250, 2 + i % 250)
open(sys.argv[1], "w").write(t)
PY
gen_once() { rm -rf "$dir/gen-out"; "$pgrepl" gen "$dir/topology-100.toml" -o "$dir/gen-out"; }
export -f gen_once
export pgrepl dir
run_set gen100 bash -c gen_once

col() { awk -v c="$2" '{ print $c }' "$dir/$1.runs" | median; }
cpu() { awk '{ print $2 + $3 }' "$dir/$1.runs" | median; }
mb=$(du -sb "$tree" --apparent-size | awk '{ printf "%.1f", $1 / 1e6 }')
lint_wall=$(col lint 1)
base_wall=$(col baseline 1)

echo
echo "fleet: $clusters clusters, $mb MB of configuration, majors ${majors[*]}; $(nproc) cores; medians of $reps runs"
printf "| %-36s | %8s | %8s | %12s |\n" "run" "wall s" "CPU s" "peak RSS MB"
printf "|%s|%s|%s|%s|\n" "--------------------------------------" "----------" "----------" "--------------"
printf "| %-36s | %8s | %8s | %12.1f |\n" "pgrepl lint (all clusters)" "$lint_wall" "$(cpu lint)" "$(col lint 4 | awk '{ print $1 / 1024 }')"
printf "| %-36s | %8s | %8s | %12.1f |\n" "postgres -C, one per cluster" "$base_wall" "$(cpu baseline)" "$(col baseline 4 | awk '{ print $1 / 1024 }')"
printf "| %-36s | %8s | %8s | %12.1f |\n" "pgrepl gen, 100 nodes (1,302 files)" "$(col gen100 1)" "$(cpu gen100)" "$(col gen100 4 | awk '{ print $1 / 1024 }')"
awk -v a="$lint_wall" -v b="$base_wall" -v m="$mb" 'BEGIN {
  printf "\nbaseline / lint: %.0fx   lint throughput: %.0f MB/s\n", b / a, m / a }'
