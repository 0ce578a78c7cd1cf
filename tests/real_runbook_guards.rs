//! Runbook steps check what the node is now before they act, proven on real servers of
//! every major:
//!
//! - A promoted standby: its day-1 standby steps refuse and change nothing, running or
//!   stopped (its system identifier is its upstream's); a primary's steps refuse on a server
//!   in recovery.
//! - A running server is restarted only with `--restart`: without it apply-config reloads,
//!   names what waits for a restart and exits 3.
//! - A failed base backup leaves the directory empty, install-config writes nothing into a
//!   directory without a cluster, and the same step runs again once the cause is fixed.
//! - A standby moved to another upstream streams from it after its install-config and
//!   apply-config (recovery.conf on 10-11, the drop-in on 12+).

#[macro_use]
mod support;

use std::fs;
use std::path::Path;
use std::process::Output;

use support::lab::*;
use support::real::*;

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The step must refuse: non-zero, `why` in its error, no "ok".
fn refuses(lab: &Lab, out: &Path, line: &str, why: &str) {
    let o = lab.try_step(out, line);
    let (stdout, stderr) = text(&o);
    assert!(
        !o.status.success() && stderr.contains(why),
        "PG{}: `{line}` should refuse ({why}):\n{stdout}\n{stderr}",
        lab.major
    );
    assert!(
        !stdout.contains("] ok"),
        "PG{}: `{line}` said ok:\n{stdout}",
        lab.major
    );
}

/// The first line of postmaster.pid: the running server's process id.
fn postmaster(lab: &Lab, node: &str) -> Option<String> {
    let pid = fs::read_to_string(lab.data(node).join("postmaster.pid")).ok()?;
    pid.lines().next().map(str::to_owned)
}

/// The names in a directory, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn pg_ctl(lab: &Lab, node: &str, action: &str) {
    let mut c = lab.pg(&lab.tool("pg_ctl"));
    c.args([action, "-w", "-t", "120", "-D"])
        .arg(lab.data(node));
    run(c, &format!("pg_ctl {action} {node}"));
}

/// Scenario 12: after vm2 is promoted, vm2's standby steps refuse and change nothing, while
/// it runs and once it is stopped; and a primary's steps refuse on a standby.
fn a_promoted_standby_refuses_its_steps(major: u32) {
    let Some(mut lab) = Lab::new(major, 12, &["vm1", "vm2"]) else {
        return;
    };
    lab.init_server("vm1");
    lab.init_server("vm2");
    let out = lab.generate(&lab.topology(&lab.nodes_toml(&[])));
    lab.run_runbook(&out, true);

    // While vm2 is still a standby: the steps of a topology that names it the primary (as
    // the day-1 steps of a demoted primary would) refuse on it.
    let swapped = lab.topology(&lab.nodes_toml(&[])).replace(
        "name = \"vm1\"\nrole = \"primary\"",
        "name = \"vm1\"\nrole = \"standby\"\nupstream = \"vm2\"",
    );
    let swapped = swapped.replace(
        "name = \"vm2\"\nrole = \"standby\"",
        "name = \"vm2\"\nrole = \"primary\"",
    );
    let other = lab.generate_as(&swapped, "out-swapped");
    for kind in ["create-role", "create-slots", "write-probe", "drop-probe"] {
        refuses(
            &lab,
            &other,
            &step_named(&other, "vm2", kind),
            "is a standby (in recovery), not the primary",
        );
    }

    pg_ctl(&lab, "vm2", "promote");
    lab.wait_for("vm2", "SELECT pg_is_in_recovery()", "f");
    let pid = postmaster(&lab, "vm2").expect("vm2 runs");
    let files = lab.managed_files("vm2");
    let top = entries(&lab.data("vm2"));
    let unchanged = |lab: &Lab, what: &str| {
        assert!(
            lab.managed_files("vm2") == files,
            "PG{major}: {what} changed vm2's configuration"
        );
        let now = entries(&lab.data("vm2"));
        assert!(
            top.iter().all(|f| now.contains(f) || f == "postmaster.pid"),
            "PG{major}: {what} removed files of vm2's data directory: {top:?} -> {now:?}"
        );
    };
    let same = "holds this cluster's data";
    let not_standby = "is not a standby";
    for (kind, args, why) in [
        ("stop-server", "", same),
        ("clear-data-dir", " --confirm vm2", same),
        ("base-backup", "", "is running"),
        ("install-config", "", not_standby),
        ("apply-config", " --restart", not_standby),
        ("verify-node", "", not_standby),
        ("check-probe", " probe-x", not_standby),
    ] {
        let line = format!("{}{args}", step_named(&out, "vm2", kind));
        refuses(&lab, &out, &line, why);
        assert_eq!(
            postmaster(&lab, "vm2").as_deref(),
            Some(pid.as_str()),
            "PG{major}: {kind} stopped or restarted the promoted vm2"
        );
        unchanged(&lab, kind);
    }
    assert_eq!(lab.sql("vm2", "SELECT pg_is_in_recovery()"), "f");

    // Stopped, it has no standby signal and the upstream's system identifier.
    pg_ctl(&lab, "vm2", "stop");
    for (kind, args, why) in [
        ("stop-server", "", same),
        ("clear-data-dir", " --confirm vm2", same),
        ("base-backup", "", "is not empty"),
        ("install-config", "", not_standby),
        ("apply-config", " --restart", not_standby),
    ] {
        let line = format!("{}{args}", step_named(&out, "vm2", kind));
        refuses(&lab, &out, &line, why);
        assert!(
            postmaster(&lab, "vm2").is_none(),
            "PG{major}: {kind} started the promoted vm2"
        );
        unchanged(&lab, kind);
    }
    // With its upstream down, nothing proves the data is not the cluster's: still refused.
    pg_ctl(&lab, "vm1", "stop");
    refuses(
        &lab,
        &out,
        &format!(
            "{} --confirm vm2",
            step_named(&out, "vm2", "clear-data-dir")
        ),
        "nothing proves",
    );
    unchanged(&lab, "clear-data-dir with vm1 down");
}

/// Scenario 13: a running primary whose new settings need a restart is reloaded, told what
/// waits, and restarted only with --restart.
fn a_running_server_restarts_only_when_asked(major: u32) {
    let Some(mut lab) = Lab::new(major, 13, &["vm1", "vm2"]) else {
        return;
    };
    lab.init_server("vm1");
    let out = lab.generate(&lab.topology(&lab.nodes_toml(&[])));
    for kind in ["create-role", "install-config"] {
        lab.step(&out, &step_named(&out, "vm1", kind));
    }
    let apply = step_named(&out, "vm1", "apply-config");
    let started = |lab: &Lab| lab.sql("vm1", "SELECT pg_postmaster_start_time()");
    let keep =
        "SELECT setting FROM pg_settings WHERE name IN ('wal_keep_size', 'wal_keep_segments')";
    let before = started(&lab);
    assert_eq!(lab.sql("vm1", keep), "0", "PG{major}: the lab keeps no WAL");

    let o = lab.try_step(&out, &apply);
    let (stdout, stderr) = text(&o);
    assert_eq!(
        o.status.code(),
        Some(3),
        "PG{major}: apply-config without --restart:\n{stdout}\n{stderr}"
    );
    assert!(
        stderr.contains("not restarted") && stderr.contains("listen_addresses"),
        "PG{major}: the refusal does not name what waits for a restart:\n{stderr}"
    );
    assert!(!stdout.contains("] ok"), "PG{major}: said ok:\n{stdout}");
    assert_eq!(
        started(&lab),
        before,
        "PG{major}: restarted without --restart"
    );
    // It reloaded: a setting that needs no restart is in effect.
    lab.wait_for(
        "vm1",
        "SELECT count(*) FROM pg_settings \
         WHERE name IN ('wal_keep_size', 'wal_keep_segments') AND setting <> '0'",
        "1",
    );

    let o = lab.try_step(&out, &format!("{apply} --restart"));
    let (stdout, stderr) = text(&o);
    assert!(
        o.status.success(),
        "PG{major}: --restart:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("restart needed for:"),
        "PG{major}: {stdout}"
    );
    let restarted = started(&lab);
    assert_ne!(restarted, before, "PG{major}: --restart did not restart");
    assert_eq!(lab.sql("vm1", "SHOW listen_addresses"), lab.host("vm1"));
    // Nothing waits now: a second run only reloads, with or without the flag.
    lab.step(&out, &apply);
    lab.step(&out, &format!("{apply} --restart"));
    assert_eq!(
        started(&lab),
        restarted,
        "PG{major}: restarted with nothing pending"
    );
    if major < 12 {
        recovery_conf_written_after_the_start_waits_for_a_restart(&lab, &out, &apply);
    }
}

/// Before 12, recovery.conf is read only at start: one written after the start, even within
/// the same second, waits for a restart; one written before it does not. Set by mtime, so
/// that the test does not depend on timing (a whole-second comparison once missed it).
fn recovery_conf_written_after_the_start_waits_for_a_restart(lab: &Lab, out: &Path, apply: &str) {
    let major = lab.major;
    let file = lab.data("vm1").join("recovery.conf");
    fs::write(
        &file,
        "# not read: the server is not restarted in this test\n",
    )
    .unwrap();
    let at = |offset: &str| {
        let epoch = lab.sql(
            "vm1",
            &format!("SELECT extract(epoch FROM pg_postmaster_start_time() + interval '{offset}')"),
        );
        let o = std::process::Command::new("touch")
            .args(["-m", "-d", &format!("@{epoch}")])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "touch: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    at("100 microseconds");
    let o = lab.try_step(out, apply);
    let (stdout, stderr) = text(&o);
    assert_eq!(
        o.status.code(),
        Some(3),
        "PG{major}: recovery.conf written just after the start:\n{stdout}\n{stderr}"
    );
    assert!(stderr.contains("recovery.conf"), "PG{major}: {stderr}");
    at("-1 second");
    let o = lab.try_step(out, apply);
    let (stdout, stderr) = text(&o);
    assert!(
        o.status.success(),
        "PG{major}: recovery.conf written before the start:\n{stdout}\n{stderr}"
    );
    fs::remove_file(&file).unwrap();
}

/// Scenario 14: a base backup that fails (its slot is missing) leaves the data directory
/// empty; install-config refuses to write into it; once the slot exists, the same steps run.
fn a_failed_clone_runs_again(major: u32) {
    let Some(mut lab) = Lab::new(major, 14, &["vm1", "vm2"]) else {
        return;
    };
    lab.init_server("vm1");
    lab.init_server("vm2");
    let out = lab.generate(&lab.topology(&lab.nodes_toml(&[])));
    lab.set_up(&out, "vm1");
    lab.sql(
        "vm1",
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots",
    );
    for kind in ["write-passfile", "stop-server"] {
        lab.step(&out, &step_named(&out, "vm2", kind));
    }
    lab.step(
        &out,
        &format!(
            "{} --confirm vm2",
            step_named(&out, "vm2", "clear-data-dir")
        ),
    );
    let backup = step_named(&out, "vm2", "base-backup");
    let o = lab.try_step(&out, &backup);
    let (stdout, stderr) = text(&o);
    assert!(
        !o.status.success() && stderr.contains("does not exist"),
        "PG{major}: the base backup without its slot:\n{stdout}\n{stderr}"
    );
    let data = lab.data("vm2");
    assert_eq!(
        entries(&data),
        Vec::<String>::new(),
        "PG{major}: the failed clone left files"
    );
    let install = step_named(&out, "vm2", "install-config");
    refuses(&lab, &out, &install, "holds no PostgreSQL cluster");
    assert_eq!(
        entries(&data),
        Vec::<String>::new(),
        "PG{major}: install-config wrote into the empty data directory"
    );

    lab.step(&out, &step_named(&out, "vm1", "create-slots"));
    lab.set_up(&out, "vm2");
    lab.wait_for(
        "vm1",
        "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'",
        "1",
    );
}

/// Scenario 15: vm3 moves from vm1 to vm2; after the changed nodes' install-config and
/// apply-config (and vm2's new slot), vm3 streams from vm2, as verify-node checks.
fn a_new_upstream_reaches_the_standby(major: u32) {
    let Some(mut lab) = Lab::new(major, 15, &["vm1", "vm2", "vm3"]) else {
        return;
    };
    for n in ["vm1", "vm2", "vm3"] {
        lab.init_server(n);
    }
    let out = lab.generate(&lab.topology(&lab.nodes_toml(&[])));
    lab.run_runbook(&out, true);
    let out = lab.generate(&lab.topology(&lab.nodes_toml(&[("vm3", "vm2")])));
    for (node, kind) in [
        ("vm2", "install-config"),
        ("vm2", "apply-config"),
        ("vm2", "create-slots"),
        ("vm3", "install-config"),
        ("vm3", "apply-config"),
        ("vm3", "verify-node"),
    ] {
        let line = step_named(&out, node, kind);
        let o = lab.try_step(&out, &line);
        if kind == "apply-config" && o.status.code() == Some(3) {
            // primary_conninfo needs a restart before 13, recovery.conf before 12.
            lab.step(&out, &format!("{line} --restart"));
        } else {
            let (stdout, stderr) = text(&o);
            assert!(o.status.success(), "PG{major}: {line}:\n{stdout}\n{stderr}");
        }
    }
    let port = lab.port("vm2").to_string();
    lab.wait_for(
        "vm2",
        "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'vm3' AND state = 'streaming'",
        "1",
    );
    if lab.major < 12 {
        let conf = fs::read_to_string(lab.data("vm3").join("recovery.conf")).unwrap();
        assert!(
            conf.contains(&format!("port={port}")),
            "PG{major}: recovery.conf:\n{conf}"
        );
    }
}

per_major!(
    a_promoted_standby_refuses_its_steps,
    a_running_server_restarts_only_when_asked,
    a_failed_clone_runs_again,
    a_new_upstream_reaches_the_standby
);
