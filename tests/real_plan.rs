//! `pgrepl plan` on real servers of every major: PLAN.md's commands, run as written, change
//! a running cluster without restarting what must not restart.
//!
//! One lab per major (vm1 primary, vm2 standby, vm3 to come): a standby added, re-parented
//! under another standby and back, a reload-only and a restart-only setting changed, then
//! the standby retired. After each plan the installed files are what `gen NEW` writes and
//! `lint --topology NEW` finds nothing.

#[macro_use]
mod support;

use std::fs;
use std::path::Path;

use support::lab::*;
use support::plan_checks::*;
use support::real::{is_root, majors};

fn cluster_changes(major: u32) {
    let Some(mut lab) = Lab::new(major, 1, &["vm1", "vm2", "vm3"]) else {
        return;
    };
    for n in ["vm1", "vm2", "vm3"] {
        lab.init_server(n);
    }
    let two = topology(&lab, &["vm1", "vm2"], &[], "");
    let out = lab.generate(&two);
    lab.run_runbook(&out, false);
    let mut times = Vec::new();

    // Add vm3: no running server restarts; vm3 streams through its slot.
    let (t1, t2) = (start_time(&lab, "vm1"), start_time(&lab, "vm2"));
    let three = topology(&lab, &["vm1", "vm2", "vm3"], &[], "");
    let plan = lab.plan(&two, &three, "add");
    timed(&mut times, "add", || lab.run_plan(&plan, &[]));
    assert_eq!(
        (start_time(&lab, "vm1"), start_time(&lab, "vm2")),
        (t1.clone(), t2.clone()),
        "PG{major}: add restarted a running server"
    );
    assert_eq!(
        streaming(&lab, "vm1"),
        "vm2:streaming,vm3:streaming",
        "PG{major}"
    );
    assert_eq!(slots(&lab, "vm1"), "vm2:true,vm3:true", "PG{major}");
    installed_as_generated(&lab, &three, &["vm1", "vm2", "vm3"], "add");
    lint_clean(&lab, &three, &["vm1", "vm2", "vm3"], "add");

    // Re-parent vm3 under vm2 (a restart of vm3 only before 13), and back.
    let cascade = topology(&lab, &["vm1", "vm2", "vm3"], &[("vm3", "vm2")], "");
    let plan = lab.plan(&three, &cascade, "reparent");
    timed(&mut times, "re-parent", || lab.run_plan(&plan, &["vm3"]));
    assert_eq!(streaming(&lab, "vm2"), "vm3:streaming", "PG{major}");
    assert_eq!(streaming(&lab, "vm1"), "vm2:streaming", "PG{major}");
    assert_eq!(
        slots(&lab, "vm1"),
        "vm2:true",
        "PG{major}: vm3's old slot stays"
    );
    assert_eq!(slots(&lab, "vm2"), "vm3:true", "PG{major}");
    assert_eq!(
        (start_time(&lab, "vm1"), start_time(&lab, "vm2")),
        (t1.clone(), t2.clone()),
        "PG{major}: re-parent restarted vm1 or vm2"
    );
    installed_as_generated(&lab, &cascade, &["vm1", "vm2", "vm3"], "reparent");
    lint_clean(&lab, &cascade, &["vm1", "vm2", "vm3"], "reparent");
    let plan = lab.plan(&cascade, &three, "reparent-back");
    timed(&mut times, "re-parent back", || {
        lab.run_plan(&plan, &["vm3"])
    });
    assert_eq!(
        streaming(&lab, "vm1"),
        "vm2:streaming,vm3:streaming",
        "PG{major}"
    );
    assert_eq!(
        slots(&lab, "vm2"),
        "",
        "PG{major}: the cascade's slot stays on vm2"
    );

    // A reload-only setting: nothing restarts.
    let kept = topology(
        &lab,
        &["vm1", "vm2", "vm3"],
        &[],
        "wal_keep_size = \"96MB\"\n",
    );
    let plan = lab.plan(&three, &kept, "wal-keep");
    timed(&mut times, "wal_keep_size", || lab.run_plan(&plan, &[]));
    assert_eq!(
        (start_time(&lab, "vm1"), start_time(&lab, "vm2")),
        (t1, t2),
        "PG{major}: a reload-only change restarted a server"
    );
    let keep = if major >= 13 {
        "SHOW wal_keep_size"
    } else {
        "SHOW wal_keep_segments"
    };
    let want = if major >= 13 { "96MB" } else { "6" };
    for n in ["vm1", "vm2", "vm3"] {
        assert_eq!(lab.sql(n, keep), want, "PG{major} {n}");
    }

    // A restart-only setting, consented: every node restarts with it, standbys first.
    let senders = topology(
        &lab,
        &["vm1", "vm2", "vm3"],
        &[],
        "wal_keep_size = \"96MB\"\nmax_wal_senders = 12\n",
    );
    let plan = lab.plan(&kept, &senders, "senders");
    let text = fs::read_to_string(plan.join("PLAN.md")).unwrap();
    assert!(text.contains("restarts it for max_wal_senders"), "{text}");
    timed(&mut times, "max_wal_senders", || {
        lab.run_plan(&plan, &["vm1", "vm2", "vm3"])
    });
    for n in ["vm1", "vm2", "vm3"] {
        assert_eq!(lab.sql(n, "SHOW max_wal_senders"), "12", "PG{major} {n}");
    }
    lab.wait_for(
        "vm1",
        "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'",
        "2",
    );
    lint_clean(&lab, &senders, &["vm1", "vm2", "vm3"], "senders");

    // Retire vm3: its slot, its stream and its place in the files go.
    let retired = topology(
        &lab,
        &["vm1", "vm2"],
        &[],
        "wal_keep_size = \"96MB\"\nmax_wal_senders = 12\n",
    );
    let plan = lab.plan(&senders, &retired, "retire");
    timed(&mut times, "retire", || lab.run_plan(&plan, &[]));
    assert_eq!(streaming(&lab, "vm1"), "vm2:streaming", "PG{major}");
    assert_eq!(
        slots(&lab, "vm1"),
        "vm2:true",
        "PG{major}: vm3's slot stays"
    );
    assert!(!pg_running(&lab, "vm3"), "PG{major}: vm3 still runs");
    installed_as_generated(&lab, &retired, &["vm1", "vm2"], "retire");
    lint_clean(&lab, &retired, &["vm1", "vm2"], "retire");
    eprintln!("PG{major} plan: {}", times.join(", "));
}

/// The topology's table for synchronous replication to ANY 1 of `names` (quoted, listed).
fn any_one_of(names: &str) -> String {
    format!("\n[replication.synchronous]\nmethod = \"any\"\ncount = 1\nstandbys = [{names}]\n")
}

/// Retiring a synchronous standby, on distinct addresses (a network namespace; root only):
/// it leaves synchronous_standby_names first, commits keep working, and its address leaves
/// every remaining node's pg_hba.conf once they reload.
fn retire_synchronous(major: u32) {
    if !is_root() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root and must run this scenario"
        );
        eprintln!("skipping retire_synchronous: it needs root for a network namespace");
        return;
    }
    let Some(mut lab) = Lab::new(major, 2, &["vm1", "vm2", "vm3"]) else {
        return;
    };
    lab.isolate("127.0.0.12");
    for n in ["vm1", "vm2", "vm3"] {
        lab.init_server(n);
    }
    let body = |lab: &Lab, names: &str, nodes: &[&str]| {
        lab.topology(&format!(
            "{}\n[postgresql]\nmax_slot_wal_keep_size = \"1GB\"\n{}",
            any_one_of(names),
            lab.nodes_toml_of(nodes, &[])
        ))
    };
    let three = body(&lab, "\"vm2\", \"vm3\"", &["vm1", "vm2", "vm3"]);
    let out = lab.generate(&three);
    // Every connection to vm1 comes from one source here (the namespace's route), so the
    // day-1 check of each standby's client address cannot hold for vm3: left out.
    lab.run_runbook_of(&out, false, |cmd| !cmd.contains("verify-senders"));
    assert_eq!(
        lab.sql("vm1", "SHOW synchronous_standby_names"),
        "ANY 1 (\"vm2\", \"vm3\")"
    );
    let admitted = |lab: &Lab, node: &str| {
        lab.sql(
            node,
            "SELECT string_agg(address, ',' ORDER BY address) FROM pg_hba_file_rules WHERE 'replicator' = ANY(user_name)",
        )
    };
    assert_eq!(admitted(&lab, "vm1"), "127.0.0.12,127.0.0.13", "PG{major}");
    let two = body(&lab, "\"vm2\"", &["vm1", "vm2"]);
    let plan = lab.plan(&three, &two, "retire-sync");
    let text = fs::read_to_string(plan.join("PLAN.md")).unwrap();
    assert!(
        text.find("enable-synchronous").unwrap() < text.find("plan-retire").unwrap(),
        "PG{major}: the synchronous names change after the stop:\n{text}"
    );
    lab.run_plan(&plan, &[]);
    assert_eq!(
        lab.sql("vm1", "SHOW synchronous_standby_names"),
        "ANY 1 (\"vm2\")",
        "PG{major}"
    );
    assert_eq!(streaming(&lab, "vm1"), "vm2:streaming", "PG{major}");
    assert_eq!(slots(&lab, "vm1"), "vm2:true", "PG{major}");
    assert!(!pg_running(&lab, "vm3"), "PG{major}: vm3 still runs");
    assert_eq!(
        admitted(&lab, "vm1"),
        "127.0.0.12",
        "PG{major}: vm3 is still admitted on vm1"
    );
    assert_eq!(
        admitted(&lab, "vm2"),
        "127.0.0.11",
        "PG{major}: vm3 is still admitted on vm2"
    );
    // Commits do not wait for the retired standby.
    lab.sql(
        "vm1",
        "SET statement_timeout = '20s'; CREATE TABLE after_retire AS SELECT 1 AS one",
    );
    lab.wait_for("vm2", "SELECT one FROM after_retire", "1");
    lint_clean(&lab, &two, &["vm1", "vm2"], "retire-sync");
}

/// A planned switchover vm1 -> vm2 and back, on a running three-node synchronous cluster
/// (ANY 1 of the primary's two standbys): no committed row lost, the timeline advances, the
/// old primary follows the new one from its own data directory (no base backup), the new
/// primary waits for its standbys, and the downtime is printed.
fn switchover(major: u32) {
    let nodes = ["vm1", "vm2", "vm3"];
    let Some((mut lab, first, out)) = running_lab(major, 3, &nodes, &[], false, |t| {
        t + &any_one_of("\"vm2\", \"vm3\"")
    }) else {
        return;
    };
    // vm2 is the primary, vm1 and vm3 stream from it.
    let swapped = swap_primary(&first).replace(
        &any_one_of("\"vm2\", \"vm3\""),
        &any_one_of("\"vm1\", \"vm3\""),
    );
    let mut times = Vec::new();
    let mut rows = 0;
    for (from, to, old, new, name) in [
        ("vm1", "vm2", &first, &swapped, "switchover"),
        ("vm2", "vm1", &swapped, &first, "switchback"),
    ] {
        let other = "vm3";
        lab.sql(from, "CREATE TABLE IF NOT EXISTS committed (n int)");
        lab.sql(
            from,
            "INSERT INTO committed SELECT generate_series(1, 1000)",
        );
        rows += 1000;
        let marker = lab.data(from).join("pgrepl-not-recloned");
        fs::write(&marker, name).unwrap();
        let timeline =
            |lab: &Lab, n: &str| lab.sql(n, "SELECT timeline_id FROM pg_control_checkpoint()");
        let before: u32 = timeline(&lab, from).parse().unwrap();
        let plan = lab.plan(old, new, name);
        lab.times.clear();
        timed(&mut times, name, || lab.run_plan(&plan, &[other, from]));
        let down: u128 = lab
            .times
            .iter()
            .filter(|(k, _)| k.contains("plan-demote") || k.contains("plan-promote"))
            .map(|(_, v)| v.as_millis())
            .sum();
        times.push(format!("{name} downtime {down} ms"));
        assert_eq!(
            lab.sql(to, "SELECT pg_is_in_recovery()"),
            "f",
            "PG{major}: {to} is not the primary"
        );
        assert_eq!(
            lab.sql(to, "SELECT count(*) FROM committed"),
            rows.to_string(),
            "PG{major}: rows lost in the {name}"
        );
        let after: u32 = timeline(&lab, to).parse().unwrap();
        assert!(after > before, "PG{major}: timeline {before} -> {after}");
        assert!(marker.exists(), "PG{major}: {from} was re-cloned");
        assert_eq!(
            streaming(&lab, to),
            if to == "vm2" {
                "vm1:streaming,vm3:streaming"
            } else {
                "vm2:streaming,vm3:streaming"
            },
            "PG{major}: {name}"
        );
        assert_eq!(
            slots(&lab, from),
            "",
            "PG{major}: {from} kept its slots as a standby"
        );
        assert_eq!(
            lab.sql(to, "SHOW synchronous_standby_names"),
            format!("ANY 1 (\"{from}\", \"{other}\")"),
            "PG{major}: {name}"
        );
        // A commit waits for one of them, and gets it (a hang would end in the timeout).
        lab.sql(
            to,
            "SET statement_timeout = '20s'; INSERT INTO committed SELECT generate_series(1, 10)",
        );
        rows += 10;
        for n in [from, other] {
            lab.wait_for(n, "SELECT count(*) FROM committed", &rows.to_string());
        }
        installed_as_generated(&lab, new, &nodes, name);
        lint_clean(&lab, new, &nodes, name);
        if name == "switchover" {
            stale_steps_refuse(&lab, &out, &plan);
        }
    }
    eprintln!("PG{major} switchover: {}", times.join(", "));
}

/// After vm1 -> vm2: the day-1 steps of the old roles, and the switchover's own stop step,
/// refuse on the nodes whose role changed, and change nothing.
fn stale_steps_refuse(lab: &Lab, day1: &Path, plan: &Path) {
    let before: Vec<_> = ["vm1", "vm2"]
        .iter()
        .map(|n| lab.managed_files(n))
        .collect();
    let stale = [
        (
            day1,
            step_named(day1, "vm1", "create-slots"),
            "not the primary",
        ),
        (
            day1,
            step_named(day1, "vm1", "apply-config"),
            "not the primary",
        ),
        (
            day1,
            step_named(day1, "vm2", "install-config"),
            "is not a standby",
        ),
        (day1, step_named(day1, "vm2", "base-backup"), ""),
        (
            plan,
            "vm1/runbook/plan-demote.sh".to_owned(),
            "not the primary",
        ),
    ];
    for (dir, step, says) in stale {
        let o = lab.try_step(dir, &step);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && err.contains(says),
            "PG{}: {step} ran on a node whose role changed:\n{err}",
            lab.major
        );
    }
    let after: Vec<_> = ["vm1", "vm2"]
        .iter()
        .map(|n| lab.managed_files(n))
        .collect();
    assert!(
        before == after,
        "PG{}: a refused step changed files",
        lab.major
    );
    assert_eq!(lab.sql("vm2", "SELECT pg_is_in_recovery()"), "f");
    assert_eq!(lab.sql("vm1", "SELECT pg_is_in_recovery()"), "t");
}

fn pg_running(lab: &Lab, node: &str) -> bool {
    let mut c = lab.pg(&lab.tool("pg_ctl"));
    c.arg("status").arg("-D").arg(lab.data(node));
    c.output().is_ok_and(|o| o.status.success())
}

per_major!(cluster_changes, retire_synchronous, switchover);
