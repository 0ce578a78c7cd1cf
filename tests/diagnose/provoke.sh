#!/usr/bin/env bash
# Provokes replication failures on real servers of one major, for tests/real_diagnose.rs:
# a primary and a standby cloned from it, the standby restarted with one fault at a time.
# Writes DIR/standby-<case>.log per case and DIR/primary.log. Run as the servers' OS user.
# Usage: provoke.sh BIN_DIR DIR PORT
set -euo pipefail
bin=$1 dir=$2 port=$3
standby_port=$((port + 1)) closed_port=$((port + 5))
major=$("$bin/postgres" --version | sed 's/.*) \([0-9]*\).*/\1/')
rm -rf "$dir/p" "$dir/s" "$dir/q" "$dir/t" "$dir/u" "$dir/v" "$dir/signal-missing" "$dir/ran-as-primary" "$dir/hot-standby-off"
other_port=$((port + 2)) holder_port=$((port + 3))
"$bin/initdb" -D "$dir/p" -U postgres -A trust -N >/dev/null
cat >>"$dir/p/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
wal_level = replica
max_wal_senders = 5
password_encryption = 'scram-sha-256'
CONF
# WAL kept for the standby across the primary's restarts, until the wal-removed case.
if [ "$major" -ge 13 ]; then keep=wal_keep_size keep_value=256MB; else keep=wal_keep_segments keep_value=16; fi
echo "$keep = $keep_value" >>"$dir/p/postgresql.conf"
{
  echo "host replication bad 127.0.0.1/32 reject"
  echo "host replication rep 127.0.0.1/32 scram-sha-256"
  echo "host replication md5rep 127.0.0.1/32 scram-sha-256"
  echo "host replication norep 127.0.0.1/32 scram-sha-256"
  echo "host replication nobody 127.0.0.1/32 scram-sha-256"
  echo "host replication nologin 127.0.0.1/32 scram-sha-256"
  echo "local all all trust"
} >"$dir/p/pg_hba.conf"
"$bin/pg_ctl" -D "$dir/p" -l "$dir/primary.log" -w start >/dev/null
"$bin/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres \
  -c "CREATE ROLE rep REPLICATION LOGIN PASSWORD 'right'" \
  -c "CREATE ROLE norep LOGIN PASSWORD 'right'" \
  -c "CREATE ROLE other REPLICATION LOGIN PASSWORD 'right'" \
  -c "CREATE ROLE bad REPLICATION LOGIN PASSWORD 'right'" \
  -c "CREATE ROLE nologin REPLICATION NOLOGIN PASSWORD 'right'"
# A password stored as md5 (18 warns that md5 is deprecated: not shown).
"$bin/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres \
  -c "SET client_min_messages = error" -c "SET password_encryption = 'md5'" \
  -c "CREATE ROLE md5rep REPLICATION LOGIN PASSWORD 'right'"
printf '127.0.0.1:%s:replication:rep:right\n' "$port" >"$dir/pass"
chmod 600 "$dir/pass"
PGPASSFILE=$dir/pass "$bin/pg_basebackup" -h 127.0.0.1 -p "$port" -U rep -D "$dir/s" -X stream >/dev/null
sed -i "s/^port = $port/port = $standby_port/" "$dir/s/postgresql.conf"

# Makes the data directory DIR a standby of CONNINFO, with a recovery setting and a server
# setting: standby.signal and postgresql.auto.conf on 12+, recovery.conf before.
as_standby() { # dir conninfo [recovery setting] [server setting]
  rm -f "$1/standby.signal" "$1/recovery.conf"
  if [ "$major" -ge 12 ]; then
    touch "$1/standby.signal"
    printf "primary_conninfo = '%s'\n%s\n%s\n" "$2" "${3:-}" "${4:-}" >"$1/postgresql.auto.conf"
  else
    printf "standby_mode = on\nprimary_conninfo = '%s'\n%s\n" "$2" "${3:-}" >"$1/recovery.conf"
    printf "%s\n" "${4:-}" >"$1/postgresql.auto.conf"
  fi
}

standby() { # case conninfo [recovery setting] [server setting]
  "$bin/pg_ctl" -D "$dir/s" stop -m immediate >/dev/null 2>&1 || true
  as_standby "$dir/s" "$2" "${3:-}" "${4:-}"
  "$bin/pg_ctl" -D "$dir/s" -l "$dir/standby-$1.log" -w start >/dev/null
  sleep 1.5
}
ok="host=127.0.0.1 port=$port user=rep passfile=$dir/pass"
# A firewall that drops the port (ufw's default policy) answers nothing: connections time
# out. A listener whose accept queue is full drops connection requests just so. A second
# clone streams from it meanwhile: its WAL receiver waits for the kernel to give up, 2 s
# with tcp_user_timeout (12+), about 130 s before (the kernel's SYN retries).
silent_port=$((port + 6)) waiting_port=$((port + 4))
python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(0)
held = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
time.sleep(300)
' "$silent_port" &
silent=$!
trap 'kill "$silent" 2>/dev/null || true' EXIT
PGPASSFILE=$dir/pass "$bin/pg_basebackup" -h 127.0.0.1 -p "$port" -U rep -D "$dir/u" -X stream >/dev/null
sed -i "s/^port = $port/port = $waiting_port/" "$dir/u/postgresql.conf"
timeout=""
[ "$major" -lt 12 ] || timeout=" tcp_user_timeout=2000"
as_standby "$dir/u" "host=127.0.0.1 port=$silent_port user=rep passfile=$dir/pass$timeout"
"$bin/pg_ctl" -D "$dir/u" -l "$dir/standby-connection-timeout.log" -w start >/dev/null
# pg_basebackup with a connect timeout says so at once.
PGCONNECT_TIMEOUT=2 PGPASSFILE=$dir/pass "$bin/pg_basebackup" -h 127.0.0.1 -p "$silent_port" -U rep -D "$dir/v" \
  >"$dir/basebackup-connection-timeout.log" 2>&1 || true
standby no-password "host=127.0.0.1 port=$port user=rep passfile=$dir/none"
standby password-failed "host=127.0.0.1 port=$port user=rep password=wrong"
standby unknown-role "host=127.0.0.1 port=$port user=nobody password=x"
standby role-not-replication "host=127.0.0.1 port=$port user=norep password=right"
standby role-not-login "host=127.0.0.1 port=$port user=nologin password=right"
standby no-hba-record "host=127.0.0.1 port=$port user=other password=right"
standby connection-refused "host=127.0.0.1 port=$closed_port user=rep passfile=$dir/pass"
standby slot-missing "$ok" "primary_slot_name = 'nosuch'"
standby hba-rejects "host=127.0.0.1 port=$port user=bad password=right"
standby md5-hash-for-scram "host=127.0.0.1 port=$port user=md5rep password=right"
standby invalid-conninfo "$ok bogus_option=1"
# Another cluster, which the standby was not cloned from.
"$bin/initdb" -D "$dir/q" -U postgres -A trust -N >/dev/null
printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n" "$other_port" "$dir" >>"$dir/q/postgresql.conf"
echo "host replication all 127.0.0.1/32 trust" >>"$dir/q/pg_hba.conf"
"$bin/pg_ctl" -D "$dir/q" -l "$dir/other.log" -w start >/dev/null
standby system-identifier-mismatch "host=127.0.0.1 port=$other_port user=postgres"
"$bin/pg_ctl" -D "$dir/q" stop -m fast >/dev/null
"$bin/pg_ctl" -D "$dir/p" -l "$dir/primary.log" -w restart -o "-c max_wal_senders=0" >/dev/null
standby senders-exhausted "$ok"
# A primary that listens on its Unix socket only (listen_addresses = ''; 'localhost' on
# another host): nothing accepts TCP connections.
"$bin/pg_ctl" -D "$dir/p" -w stop -m fast >/dev/null
"$bin/pg_ctl" -D "$dir/p" -l "$dir/primary.log" -w start -o "-c listen_addresses=''" >/dev/null
standby listen-addresses-local "$ok"
# A healthy standby: its log has no failure.
# (stop and start: restart would reuse the options of the run before)
"$bin/pg_ctl" -D "$dir/p" -w stop -m fast >/dev/null
"$bin/pg_ctl" -D "$dir/p" -l "$dir/primary.log" -w start >/dev/null
standby healthy "$ok"
# A slot another standby holds: a second clone streams from it while the standby asks for it.
"$bin/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres \
  -c "SELECT pg_create_physical_replication_slot('held')" >/dev/null
rm -rf "$dir/t"
PGPASSFILE=$dir/pass "$bin/pg_basebackup" -h 127.0.0.1 -p "$port" -U rep -D "$dir/t" -X stream >/dev/null
sed -i "s/^port = $port/port = $holder_port/" "$dir/t/postgresql.conf"
as_standby "$dir/t" "$ok" "primary_slot_name = 'held'"
"$bin/pg_ctl" -D "$dir/t" -l "$dir/holder.log" -w start >/dev/null
for _ in $(seq 50); do
  active=$("$bin/psql" -X -q -At -h "$dir" -p "$port" -U postgres -d postgres \
    -c "SELECT active FROM pg_replication_slots WHERE slot_name = 'held'")
  [ "$active" = t ] && break
  sleep 0.2
done
standby slot-active "$ok" "primary_slot_name = 'held'"
"$bin/pg_ctl" -D "$dir/t" stop -m fast >/dev/null
"$bin/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres \
  -c "SELECT pg_drop_replication_slot('held')" >/dev/null
# A standby that does not accept queries: a client connecting to it is turned away.
standby hot-standby-off "$ok" "" "hot_standby = off"
"$bin/psql" -X -q -h "$dir" -p "$standby_port" -U postgres -d postgres -c "SELECT 1" >/dev/null 2>&1 || true
# A data directory others may read: the server refuses to start.
"$bin/pg_ctl" -D "$dir/s" stop -m fast >/dev/null
chmod 0777 "$dir/s"
"$bin/pg_ctl" -D "$dir/s" -l "$dir/standby-data-dir-permissions.log" -w start >/dev/null 2>&1 || true
chmod 0700 "$dir/s"
# A data directory of another major (cloned by a newer pg_basebackup from a primary of
# that major): the server refuses it.
cp "$dir/s/PG_VERSION" "$dir/PG_VERSION.kept"
echo $((major == 18 ? 17 : major + 1)) >"$dir/s/PG_VERSION"
"$bin/pg_ctl" -D "$dir/s" -l "$dir/standby-other-major-data.log" -w start >/dev/null 2>&1 || true
mv "$dir/PG_VERSION.kept" "$dir/s/PG_VERSION"
# An older major's pg_basebackup (13's, where the lab has it) refuses a newer server.
older=$bin/../../13/bin/pg_basebackup
if [ "$major" -ge 14 ] && [ -x "$older" ]; then
  PGPASSFILE=$dir/pass "$older" -h 127.0.0.1 -p "$port" -U rep -D "$dir/v" -X stream \
    >"$dir/standby-other-major-client.log" 2>&1 || true
  rm -rf "$dir/v"
fi
# A commit waiting for a synchronous standby that is not there, cancelled by its client.
"$bin/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres \
  -c "ALTER SYSTEM SET synchronous_standby_names = 'nosuch'" -c "SELECT pg_reload_conf()" >/dev/null
sleep 0.5
timeout -s INT 2 "$bin/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres \
  -c "CREATE TABLE waits_for_sync (n int)" >/dev/null 2>&1 || true
"$bin/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres \
  -c "ALTER SYSTEM RESET synchronous_standby_names" -c "SELECT pg_reload_conf()" >/dev/null
# WAL removed while the standby is down (no slot, nothing kept): it asks for what is gone.
"$bin/pg_ctl" -D "$dir/s" stop -m fast >/dev/null 2>&1 || true
"$bin/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres \
  -c "ALTER SYSTEM SET $keep = 0" -c "SELECT pg_reload_conf()" >/dev/null
for _ in 1 2 3 4; do
  "$bin/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres \
    -c "CREATE TABLE IF NOT EXISTS filler (n int)" -c "INSERT INTO filler SELECT generate_series(1, 1000)" \
    -c "SELECT pg_switch_wal()" >/dev/null
done
"$bin/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres -c CHECKPOINT -c CHECKPOINT >/dev/null
standby wal-removed "$ok"
# A failover without a rewind: the standby is promoted, the old primary writes on, then is
# started as a standby of the new one; its history forked before where it has got to.
standby to-promote "$ok"
"$bin/pg_ctl" -D "$dir/s" -w promote >/dev/null
"$bin/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres \
  -c "INSERT INTO filler SELECT generate_series(1, 1000)" -c CHECKPOINT >/dev/null
"$bin/pg_ctl" -D "$dir/p" stop -m fast >/dev/null
new_primary="host=127.0.0.1 port=$standby_port user=rep passfile=$dir/pass"
as_standby "$dir/p" "$new_primary" "recovery_target_timeline = 'latest'"
printf '127.0.0.1:%s:replication:rep:right\n' "$standby_port" >>"$dir/pass"
"$bin/pg_ctl" -D "$dir/p" -l "$dir/old-primary-timeline-forked.log" -w start >/dev/null 2>&1 || true
sleep 2
"$bin/pg_ctl" -D "$dir/p" stop -m immediate >/dev/null 2>&1 || true
"$bin/pg_ctl" -D "$dir/s" stop -m fast >/dev/null
# The promoted one made a standby of the old primary again, which is on the older timeline.
rm -f "$dir/p/standby.signal" "$dir/p/recovery.conf"
"$bin/pg_ctl" -D "$dir/p" -l "$dir/primary.log" -w start >/dev/null
as_standby "$dir/s" "$ok" "recovery_target_timeline = 'latest'"
"$bin/pg_ctl" -D "$dir/s" -l "$dir/standby-timeline-behind.log" -w start >/dev/null 2>&1 || true
sleep 2
"$bin/pg_ctl" -D "$dir/s" stop -m immediate >/dev/null 2>&1 || true
"$bin/pg_ctl" -D "$dir/p" stop -m fast >/dev/null
for _ in $(seq 200); do
  ! grep -q "timed out" "$dir/standby-connection-timeout.log" || break
  sleep 1
done
"$bin/pg_ctl" -D "$dir/u" stop -m immediate >/dev/null 2>&1 || true
# Data directories for `diagnose DATA_DIR`, copies of that clone (stopped in recovery):
# signal-missing without its standby file; ran-as-primary also started so (it runs as a
# primary), then stopped; hot-standby-off a standby with hot_standby off.
for copy in signal-missing ran-as-primary hot-standby-off; do
  rm -rf "${dir:?}/$copy"
  cp -a "$dir/u" "$dir/$copy"
done
rm -f "$dir/signal-missing/standby.signal" "$dir/signal-missing/recovery.conf"
rm -f "$dir/ran-as-primary/standby.signal" "$dir/ran-as-primary/recovery.conf"
"$bin/pg_ctl" -D "$dir/ran-as-primary" -l "$dir/ran-as-primary.out" -w start >/dev/null
"$bin/pg_ctl" -D "$dir/ran-as-primary" -w stop -m fast >/dev/null
echo "hot_standby = off" >>"$dir/hot-standby-off/postgresql.conf"
