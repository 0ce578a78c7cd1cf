#!/usr/bin/env python3
"""Writes a synthetic Debian configuration tree of N clusters for the fleet benchmark.

Each cluster is /etc/postgresql/<major>/<name>/ as Debian lays it out: the major's real
postgresql.conf.sample with Debian's edits (data_directory, hba_file, ident_file,
external_pid_file, port, include_dir = 'conf.d'), a conf.d replication drop-in, pg_hba.conf
from the real sample with initdb's substitutions and replication records, pg_ident.conf,
start.conf and pg_ctl.conf. Every tenth cluster carries a deliberate mistake (a typo, a bad
value, a removed parameter, a bad CIDR mask). Same arguments, same bytes.

usage: make_fleet.py OUT_DIR [--clusters N] [--majors 12,13,...] [--pg-cache DIR]
"""
import argparse
import os
import random
import shutil
from pathlib import Path

MISTAKES = [
    ("conf", "max_wal_sender = 10\n"),  # unknown parameter (did you mean max_wal_senders?)
    ("conf", "wal_level = replcia\n"),  # invalid enum value
    ("conf", "max_connections = 100000000\n"),  # out of range
    ("hba", "host replication replicator 10.9.0.1/33 scram-sha-256\n"),  # bad CIDR mask
    ("conf", "archive_mode = on\n"),  # nothing archives
]


def hba_text(sample: str, standbys: list[str]) -> str:
    # What initdb writes: local peer, host scram, replication lines kept.
    text = (
        sample.replace("@remove-line-for-nolocal@", "")
        .replace("@authmethodlocal@", "peer")
        .replace("@authmethodhost@", "scram-sha-256")
        .replace("@authcomment@", "")
    )
    lines = [f"host replication replicator {ip}/32 scram-sha-256\n" for ip in standbys]
    return "".join(lines) + text


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--clusters", type=int, default=1000)
    p.add_argument("--majors", default="12,13,14,15,16,17,18")
    p.add_argument("--pg-cache", default="/var/cache/pgrepl-pg")
    a = p.parse_args()
    rng = random.Random(20261126)
    majors = [int(m) for m in a.majors.split(",")]
    share = {
        m: Path(a.pg_cache) / str(m) / "server/share/postgresql" for m in majors
    }
    samples = {
        m: (
            (share[m] / "postgresql.conf.sample").read_text(),
            (share[m] / "pg_hba.conf.sample").read_text(),
            (share[m] / "pg_ident.conf.sample").read_text(),
        )
        for m in majors
    }
    out = Path(a.out)
    if out.exists():
        shutil.rmtree(out)
    total = 0
    for i in range(a.clusters):
        major = majors[i % len(majors)]
        name = f"c{i:04d}"
        d = out / "etc/postgresql" / str(major) / name
        (d / "conf.d").mkdir(parents=True)
        conf, hba, ident = samples[major]
        conf = (
            conf.replace("#data_directory = 'ConfigDir'", f"data_directory = '/var/lib/postgresql/{major}/{name}'")
            .replace("#hba_file = 'ConfigDir/pg_hba.conf'", f"hba_file = '/etc/postgresql/{major}/{name}/pg_hba.conf'")
            .replace("#ident_file = 'ConfigDir/pg_ident.conf'", f"ident_file = '/etc/postgresql/{major}/{name}/pg_ident.conf'")
            .replace("#external_pid_file = ''", f"external_pid_file = '/var/run/postgresql/{major}-{name}.pid'")
            .replace("#port = 5432", f"port = {5432 + i % 8}")
            .replace("#include_dir = '...'", "include_dir = 'conf.d'")
            .replace("#include_dir = ''", "include_dir = 'conf.d'")
        )
        if "include_dir = 'conf.d'" not in conf:
            conf += "include_dir = 'conf.d'\n"
        keep = "wal_keep_size = '1GB'" if major >= 13 else "wal_keep_segments = 64"
        drop_in = (
            "# replication settings\n"
            "listen_addresses = '*'\n"
            "wal_level = replica\n"
            "password_encryption = 'scram-sha-256'\n"
            f"max_wal_senders = {rng.choice([5, 10, 16])}\n"
            f"{keep}\n"
            "hot_standby = on\n"
        )
        standbys = [f"10.{i // 250}.{i % 250}.{k}" for k in range(1, rng.choice([2, 3, 4]))]
        hba = hba_text(hba, standbys)
        if i % 10 == 9:
            where, line = MISTAKES[(i // 10) % len(MISTAKES)]
            if where == "conf":
                drop_in += line
            else:
                hba = line + hba
        files = {
            "postgresql.conf": conf,
            "conf.d/replication.conf": drop_in,
            "pg_hba.conf": hba,
            "pg_ident.conf": ident,
            "start.conf": "auto\n",
            "pg_ctl.conf": "pg_ctl_options = ''\n",
        }
        for rel, text in files.items():
            (d / rel).write_text(text)
            total += len(text.encode())
    print(f"{a.clusters} clusters, {total / 1e6:.1f} MB of configuration in {out}")


if __name__ == "__main__":
    main()
