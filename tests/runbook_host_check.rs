//! A node's steps refuse on a host that does not hold the node's address, before they touch
//! anything; `PGREPL_THIS_IS=<node>` (NAT) or a host that holds it (a network namespace
//! with the address, as root) gets past that check to the next one, the binaries'.

mod support;

use std::path::Path;
use std::process::{Command, Output};

/// A cluster on TEST-NET-1 addresses, which no host here holds.
const TOPOLOGY: &str = r#"
[cluster]
name = "far"
pg_version = 16

[layout]
kind = "debian"
bin_dir = "/nonexistent/pgrepl/bin"

[replication]
user = "replicator"

[[nodes]]
name = "vm1"
role = "primary"
host = "192.0.2.10"

[[nodes]]
name = "vm2"
role = "standby"
host = "192.0.2.11"
"#;

fn generate(dir: &Path) -> std::path::PathBuf {
    let topology = dir.join("far.toml");
    std::fs::write(&topology, TOPOLOGY).unwrap();
    let out = dir.join("out");
    let o = support::pgrepl(&[
        "gen",
        topology.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "gen: {}", support::stderr(&o));
    out
}

fn step(out: &Path, script: &str, this_is: Option<&str>) -> Output {
    let mut c = Command::new("bash");
    c.arg(out.join(script))
        .env("PGREPL_REPLICATION_PASSWORD", "x")
        .env("PGREPL_REWIND_PASSWORD", "y")
        .env_remove("PGREPL_THIS_IS");
    if let Some(node) = this_is {
        c.env("PGREPL_THIS_IS", node);
    }
    c.output().unwrap()
}

const NOT_HERE: &str = "does not hold 192.0.2.10, the address of vm1";
const NEXT_CHECK: &str = "/nonexistent/pgrepl/bin/postgres does not run";

#[test]
fn steps_refuse_on_a_host_without_the_node_address() {
    let tmp = tempfile::tempdir().unwrap();
    let out = generate(tmp.path());
    for script in [
        "vm1/runbook/10-create-role.sh",
        "vm1/runbook/30-install-config.sh",
        "vm1/runbook/50-apply-config.sh",
    ] {
        let o = step(&out, script, None);
        let err = support::stderr(&o);
        assert!(
            !o.status.success() && err.contains(NOT_HERE),
            "{script}: {err}"
        );
        assert!(
            err.contains("PGREPL_THIS_IS=vm1"),
            "{script}: no way out: {err}"
        );
        assert!(support::stdout(&o).is_empty(), "{script} did something");
    }
    // Another node's name does not pass for this one.
    let o = step(&out, "vm1/runbook/10-create-role.sh", Some("vm2"));
    assert!(support::stderr(&o).contains(NOT_HERE));
    // Said outright, the check gives way to the next one.
    let o = step(&out, "vm1/runbook/10-create-role.sh", Some("vm1"));
    let err = support::stderr(&o);
    assert!(
        !o.status.success() && err.contains(NEXT_CHECK) && !err.contains(NOT_HERE),
        "{err}"
    );
    assert!(support::stdout(&o).contains("PGREPL_THIS_IS=vm1"));
}

#[test]
fn a_host_holding_the_address_passes() {
    if !support::real::is_root() || !support::require_tool("unshare") {
        eprintln!("skipped: needs root for a network namespace");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = generate(tmp.path());
    let script = out.join("vm1/runbook/10-create-role.sh");
    // A namespace whose loopback also holds vm1's address.
    let o = Command::new("unshare")
        .args(["--net", "bash", "-c"])
        .arg("ip link set lo up && ip addr add 192.0.2.10/32 dev lo && exec bash \"$0\"")
        .arg(&script)
        .env("PGREPL_REPLICATION_PASSWORD", "x")
        .env("PGREPL_REWIND_PASSWORD", "y")
        .env_remove("PGREPL_THIS_IS")
        .output()
        .unwrap();
    let err = support::stderr(&o);
    assert!(
        !o.status.success() && err.contains(NEXT_CHECK) && !err.contains(NOT_HERE),
        "{err}"
    );
    // vm2's steps are not vm1's.
    let o = Command::new("unshare")
        .args(["--net", "bash", "-c"])
        .arg("ip link set lo up && ip addr add 192.0.2.10/32 dev lo && exec bash \"$0\"")
        .arg(out.join("vm2/runbook/10-write-passfile.sh"))
        .env("PGREPL_REPLICATION_PASSWORD", "x")
        .env("PGREPL_REWIND_PASSWORD", "y")
        .output()
        .unwrap();
    assert!(support::stderr(&o).contains("does not hold 192.0.2.11, the address of vm2"));
}
