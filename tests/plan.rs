//! `pgrepl plan` without servers: what it writes, what it refuses, and that it is
//! deterministic. (tests/real_plan.rs runs the plans on real servers.)

mod support;

use std::fs;
use std::path::Path;

use support::{pgrepl, root, stderr, stdout};

fn guide() -> String {
    fs::read_to_string(root().join("examples/guide.toml")).unwrap()
}

/// The guide's cluster with a third node, vm3, streaming from `upstream`.
fn with_vm3(upstream: &str) -> String {
    let mut t = guide();
    t.push_str("\n[[nodes]]\nname = \"vm3\"\nrole = \"standby\"\nhost = \"172.16.93.134\"\n");
    if upstream != "vm1" {
        t.push_str(&format!("upstream = \"{upstream}\"\n"));
    }
    t
}

fn plan(dir: &Path, old: &str, new: &str) -> std::process::Output {
    plan_with(dir, old, new, &[])
}

fn plan_with(dir: &Path, old: &str, new: &str, options: &[&str]) -> std::process::Output {
    fs::write(dir.join("old.toml"), old).unwrap();
    fs::write(dir.join("new.toml"), new).unwrap();
    let (o, n, out) = (dir.join("old.toml"), dir.join("new.toml"), dir.join("out"));
    let mut args = vec![
        "plan",
        o.to_str().unwrap(),
        n.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend(options);
    pgrepl(&args)
}

#[test]
fn adding_a_standby() {
    let dir = tempfile::tempdir().unwrap();
    let o = plan(dir.path(), &guide(), &with_vm3("vm1"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("add standby vm3"), "{}", stdout(&o));
    let text = fs::read_to_string(dir.path().join("out/PLAN.md")).unwrap();
    insta::assert_snapshot!("plan_add_standby", text);
    // Every command PLAN.md names is a file of the plan, executable.
    for line in text.lines().filter(|l| l.starts_with("| ")) {
        if let Some(cmd) = line.split('`').nth(1).filter(|c| c.contains("/runbook/")) {
            let path = dir.path().join("out").join(cmd);
            let mode = fs::metadata(&path)
                .unwrap_or_else(|e| panic!("{cmd}: {e}"))
                .permissions();
            assert!(
                std::os::unix::fs::PermissionsExt::mode(&mode) & 0o100 != 0,
                "{cmd}"
            );
        }
    }
    // The nodes' files are what gen writes for the new topology.
    fs::write(dir.path().join("gen.toml"), with_vm3("vm1")).unwrap();
    let gen_out = dir.path().join("gen");
    let g = pgrepl(&[
        "gen",
        dir.path().join("gen.toml").to_str().unwrap(),
        "-o",
        gen_out.to_str().unwrap(),
    ]);
    assert!(g.status.success(), "{}", stderr(&g));
    for f in [
        "vm1/conf.d/pgrepl-replication.conf",
        "vm1/pg_hba-replication.conf",
        "vm2/pg_hba-replication.conf",
        "vm3/runbook/40-base-backup.sh",
    ] {
        assert_eq!(
            fs::read(dir.path().join("out").join(f)).unwrap(),
            fs::read(gen_out.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn retiring_and_repointing() {
    let dir = tempfile::tempdir().unwrap();
    let o = plan(dir.path(), &with_vm3("vm1"), &guide());
    assert!(o.status.success(), "{}", stderr(&o));
    let text = fs::read_to_string(dir.path().join("out/PLAN.md")).unwrap();
    let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s}:\n{text}"));
    // Stopped, then its slot dropped, then the records and rules removed everywhere.
    assert!(at("vm3/runbook/plan-retire.sh") < at("vm1/runbook/plan-drop-slots.sh"));
    assert!(at("vm1/runbook/plan-drop-slots.sh") < at("vm2/runbook/50-install-config.sh"));
    assert!(at("vm2/runbook/50-install-config.sh") < at("vm2/runbook/plan-close-firewall.sh"));
    let drop = fs::read_to_string(dir.path().join("out/vm1/runbook/plan-drop-slots.sh")).unwrap();
    assert!(drop.contains("drop_slot vm3"), "{drop}");

    let dir = tempfile::tempdir().unwrap();
    let o = plan(dir.path(), &with_vm3("vm1"), &with_vm3("vm2"));
    assert!(o.status.success(), "{}", stderr(&o));
    let text = fs::read_to_string(dir.path().join("out/PLAN.md")).unwrap();
    let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s}:\n{text}"));
    // The new upstream's slot first, the standby repointed, the old slot dropped last.
    assert!(at("vm2/runbook/") < at("vm3/runbook/"));
    assert!(at("vm3/runbook/80-verify-node.sh") < at("vm1/runbook/plan-drop-slots.sh"));
    assert!(text.contains("repoint `vm3` from `vm1` to `vm2`"), "{text}");
}

#[test]
fn every_unsafe_change_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let new = with_vm3("vm1")
        .replace("pg_version = 16", "pg_version = 17")
        .replace("name = \"guide\"", "name = \"guide2\"")
        .replace("name = \"vm2\"", "name = \"vm9\"");
    let o = plan(dir.path(), &with_vm3("vm1"), &new);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    for code in [
        "plan::other-major",
        "plan::other-cluster",
        "plan::node-renamed",
    ] {
        assert!(err.contains(code), "{code}: {err}");
    }
    assert!(err.contains("was \"vm2\""), "{err}");
    assert!(
        !dir.path().join("out").exists(),
        "a refused plan wrote files"
    );

    // A switchover mixed with other changes is refused: it is planned alone.
    let swapped = swap(&with_vm3("vm1"))
        + "\n[[nodes]]\nname = \"vm4\"\nrole = \"standby\"\nhost = \"172.16.93.135\"\nupstream = \"vm2\"\n";
    let o = plan(dir.path(), &with_vm3("vm1"), &swapped);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("planned alone"), "{}", stderr(&o));
    // So is a switchover that also retires a standby (vm3 here), with --failover too: its
    // steps would leave the retired standby streaming, and its slot holding WAL.
    let without_vm3 = swap(&with_vm3("vm1"));
    let without_vm3 = &without_vm3[..without_vm3.find("\n[[nodes]]\nname = \"vm3\"").unwrap()];
    for options in [&[][..], &["--failover"][..]] {
        let o = plan_with(dir.path(), &with_vm3("vm1"), without_vm3, options);
        assert_eq!(o.status.code(), Some(1), "{options:?}: {}", stdout(&o));
        assert!(stderr(&o).contains("planned alone"), "{}", stderr(&o));
        assert!(
            !dir.path().join("out").exists(),
            "a refused plan wrote files"
        );
    }
    // Only a direct standby of the primary can take over.
    let cascade = with_vm3("vm2");
    let to_vm3 = cascade
        .replace(
            "role = \"primary\"",
            "role = \"standby\"\nupstream = \"vm3\"",
        )
        .replace(
            "name = \"vm3\"\nrole = \"standby\"\nhost = \"172.16.93.134\"\nupstream = \"vm2\"",
            "name = \"vm3\"\nrole = \"primary\"\nhost = \"172.16.93.134\"",
        );
    let o = plan(dir.path(), &cascade, &to_vm3);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not a standby streaming from \"vm1\""),
        "{}",
        stderr(&o)
    );
}

/// vm1 and vm2 exchange roles; vm3, a standby of vm1, follows vm2.
fn swap(topology: &str) -> String {
    topology
        .replacen("role = \"primary\"", "role = \"PRIMARY\"", 1)
        .replacen(
            "name = \"vm2\"\nrole = \"standby\"",
            "name = \"vm2\"\nrole = \"primary\"",
            1,
        )
        .replacen(
            "role = \"PRIMARY\"",
            "role = \"standby\"\nupstream = \"vm2\"",
            1,
        )
        .replacen(
            "host = \"172.16.93.134\"\n",
            "host = \"172.16.93.134\"\nupstream = \"vm2\"\n",
            1,
        )
}

#[test]
fn a_switchover() {
    let dir = tempfile::tempdir().unwrap();
    let o = plan(dir.path(), &with_vm3("vm1"), &swap(&with_vm3("vm1")));
    assert!(o.status.success(), "{}", stderr(&o));
    let text = fs::read_to_string(dir.path().join("out/PLAN.md")).unwrap();
    insta::assert_snapshot!("plan_switchover", text);
    let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s}:\n{text}"));
    assert!(at("plan-preflight-candidate") < at("plan-demote"));
    assert!(at("plan-demote") < at("vm2/runbook/plan-promote.sh LSN"));
    assert!(at("plan-promote") < at("vm3/runbook/"));
    assert!(at("vm3/runbook/") < at("vm1/runbook/plan-rejoin.sh"));
    assert!(at("vm1/runbook/plan-rejoin.sh") < at("vm1/runbook/plan-drop-slots.sh"));
}

/// `--failover`: every standby of the dead primary reports what it received, the candidate
/// is promoted with those reports, then as in a switchover, the old primary's rejoin last.
#[test]
fn a_failover() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (with_vm3("vm1"), swap(&with_vm3("vm1")));
    let o = plan_with(dir.path(), &old, &new, &["--failover"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = fs::read_to_string(dir.path().join("out/PLAN.md")).unwrap();
    insta::assert_snapshot!("plan_failover", text);
    let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s}:\n{text}"));
    assert!(at("vm2/runbook/plan-received.sh") < at("vm3/runbook/plan-received.sh"));
    assert!(
        at("vm3/runbook/plan-received.sh")
            < at("vm2/runbook/plan-failover-promote.sh RECEIVED_vm3")
    );
    assert!(at("plan-failover-promote") < at("vm3/runbook/50-install-config.sh"));
    assert!(at("vm1/runbook/10-write-passfile.sh") < at("vm1/runbook/plan-rejoin.sh"));
    assert!(
        !text.contains("plan-demote"),
        "a dead primary is not stopped"
    );
    let promote =
        fs::read_to_string(dir.path().join("out/vm2/runbook/plan-failover-promote.sh")).unwrap();
    assert!(promote.contains("-h 172.16.93.132 -p 5432"), "{promote}");

    // Without a change of primary there is nothing to fail over to.
    let o = plan_with(dir.path(), &old, &old, &["--failover"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("plan::no-failover") && err.contains("\"vm1\" stays the primary"),
        "{err}"
    );
}

#[test]
fn the_same_topology_plans_nothing_and_output_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let o = plan(dir.path(), &guide(), &guide());
    assert!(o.status.success(), "{}", stderr(&o));
    let text = fs::read_to_string(dir.path().join("out/PLAN.md")).unwrap();
    assert!(text.contains("Nothing changes"), "{text}");
    assert!(!text.contains("/runbook/"), "{text}");

    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for d in [&a, &b] {
        assert!(
            plan(d.path(), &with_vm3("vm1"), &with_vm3("vm2"))
                .status
                .success()
        );
    }
    let files = |d: &Path| -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![d.join("out")];
        while let Some(p) = stack.pop() {
            for e in fs::read_dir(&p).unwrap() {
                let e = e.unwrap().path();
                if e.is_dir() {
                    stack.push(e);
                } else {
                    let rel = e.strip_prefix(d).unwrap().display().to_string();
                    out.push((rel, fs::read(&e).unwrap()));
                }
            }
        }
        out.sort();
        out
    };
    assert_eq!(files(a.path()), files(b.path()));
}

#[test]
fn plan_scripts_pass_shellcheck() {
    if !support::require_tool("shellcheck") {
        return;
    }
    let mut synchronous = with_vm3("vm1");
    synchronous.push_str(
        "\n[replication.synchronous]\nmethod = \"any\"\ncount = 1\nstandbys = [\"vm2\", \"vm3\"]\n",
    );
    let mut checked = 0;
    // Retire (retire, drop-slots, close-firewall), synchronous off (disable-synchronous),
    // a switchover (preflights, demote, promote, rejoin).
    // A failover (received, failover-promote).
    for (old, new, options) in [
        (with_vm3("vm1"), guide(), &[][..]),
        (synchronous, with_vm3("vm1"), &[]),
        (with_vm3("vm1"), swap(&with_vm3("vm1")), &[]),
        (with_vm3("vm1"), swap(&with_vm3("vm1")), &["--failover"]),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let o = plan_with(dir.path(), &old, &new, options);
        assert!(o.status.success(), "{}", stderr(&o));
        for node in ["vm1", "vm2", "vm3"] {
            let runbook = dir.path().join("out").join(node).join("runbook");
            let Ok(entries) = fs::read_dir(&runbook) else {
                continue;
            };
            for e in entries {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                if !name.starts_with("plan-") {
                    continue;
                }
                let o = std::process::Command::new("shellcheck")
                    .args(["-x", "-f", "gcc", &name])
                    .current_dir(&runbook)
                    .output()
                    .unwrap();
                assert!(
                    o.status.success(),
                    "{node}/runbook/{name} fails shellcheck:\n{}",
                    String::from_utf8_lossy(&o.stdout)
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 15, "only {checked} plan scripts checked");
}

/// A switchover or failover of a synchronous cluster turns synchronous replication on at the
/// new primary only once enough listed standbys stream from it (its step refuses before):
/// after the repointed standbys, or, when the count needs the old primary, after it rejoined.
#[test]
fn synchronous_replication_waits_for_its_standbys_after_a_change_of_primary() {
    let old = fs::read_to_string(root().join("examples/three-node-sync.toml")).unwrap();
    // db2 takes over; db1 follows it, and so does db3.
    let swapped = old
        .replacen(
            "role = \"primary\"",
            "role = \"standby\"\nupstream = \"db2\"",
            1,
        )
        .replacen(
            "name = \"db2\"\nrole = \"standby\"",
            "name = \"db2\"\nrole = \"primary\"",
            1,
        )
        .replacen(
            "host = \"10.20.0.13\"",
            "host = \"10.20.0.13\"\nupstream = \"db2\"",
            1,
        );
    for (count, after) in [
        (1, "db3/runbook/80-verify-node.sh"),
        (2, "db1/runbook/80-verify-node.sh"),
    ] {
        let new = swapped
            .replace("count = 1", &format!("count = {count}"))
            .replace(
                "standbys = [\"db2\", \"db3\"]",
                "standbys = [\"db1\", \"db3\"]",
            );
        let old = old.replace("count = 1", &format!("count = {count}"));
        for options in [&[][..], &["--failover"][..]] {
            let dir = tempfile::tempdir().unwrap();
            let o = plan_with(dir.path(), &old, &new, options);
            assert!(o.status.success(), "{}", stderr(&o));
            let text = fs::read_to_string(dir.path().join("out/PLAN.md")).unwrap();
            let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s}:\n{text}"));
            let enable = at("db2/runbook/91-enable-synchronous.sh");
            assert_eq!(
                text.matches("91-enable-synchronous.sh").count(),
                1,
                "{text}"
            );
            assert!(at(after) < enable, "count {count} {options:?}: {text}");
            assert!(enable < at("db2/runbook/92-verify-senders.sh"), "{text}");
            if count == 1 {
                assert!(enable < at("db1/runbook/plan-rejoin.sh"), "{text}");
            }
        }
    }
}
