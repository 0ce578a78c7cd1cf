#!/usr/bin/env bash
# One large postgresql.conf with millions of findings: pgrepl lint in every report format,
# wall time and peak RSS (GNU time), and the refusal of an endless input.
#
#   bench/large-file.sh [PAIRS]      (default 1,000,000: a 100 MB file with 2,000,000 findings)
#
# Each pair of lines is a repeated work_mem (duplicate-setting) and an unknown name
# (unknown-parameter, with a did-you-mean search over every parameter of the major).
# Writes only under $LARGE_DIR (default /tmp/pgrepl-large).
set -euo pipefail
cd "$(dirname "$0")/.."

pairs=${1:-1000000}
dir=${LARGE_DIR:-/tmp/pgrepl-large}
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (/usr/bin/time; apt install time)" >&2; exit 2; }
cargo build --release --quiet
pgrepl=$PWD/target/release/pgrepl

mkdir -p "$dir/main"
echo 18 >"$dir/main/PG_VERSION"
python3 - "$dir/main/postgresql.conf" "$pairs" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("wal_level = replica\n")
    for i in range(int(sys.argv[2])):
        f.write("work_mem = '%dkB'   # set again and again, fifty bytes\n" % (4096 + i % 100))
        f.write("wal_levle_%07d = replica  # unknown, fifty bytes\n" % i)
PY
mb=$(du -b --apparent-size "$dir/main/postgresql.conf" | awk '{ printf "%.0f", $1 / 1e6 }')

echo "postgresql.conf of $mb MB, $((2 * pairs)) findings; $(nproc) cores"
printf "| %-10s | %8s | %12s | %14s |\n" "format" "wall s" "peak RSS MB" "report MB"
for format in concise json sarif github human; do
  /usr/bin/time -q -f "%e %M" -o "$dir/time.out" "$pgrepl" lint "$dir/main/postgresql.conf" --format "$format" >"$dir/report" 2>/dev/null || true
  read -r wall rss <"$dir/time.out"
  printf "| %-10s | %8s | %12.0f | %14.0f |\n" "$format" "$wall" "$((rss / 1024))" "$(($(stat -c %s "$dir/report") / 1000000))"
done
rm -f "$dir/report"

# An endless input ends in an error, at the documented bound, not in memory growing.
/usr/bin/time -q -f "%e %M" -o "$dir/time.out" "$pgrepl" check /dev/zero >/dev/null 2>"$dir/err" || true
read -r wall rss <"$dir/time.out"
echo "pgrepl check /dev/zero: ${wall} s, $((rss / 1024)) MB peak: $(head -1 "$dir/err")"
