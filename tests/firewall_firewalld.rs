//! gen's firewalld.sh applied to a real firewalld (root only), run inside a network and
//! mount namespace this test makes, with its own D-Bus system bus and its own /etc/firewalld:
//! the node's namespace and a client namespace joined by a veth pair. The default zone
//! refuses the port; after the script the peers connect and another source still does not,
//! the rules are permanent too, a dry run and a second run change nothing.

mod support;

use std::fs;
use std::time::Duration;

use support::netns::{Ns, connect, link};
use support::real::is_root;

const NODE: &str = "10.98.0.11";

const TOPOLOGY: &str = r#"[cluster]
name = "walled"
pg_version = 16
firewall = "firewalld"

[[nodes]]
name = "n1"
role = "primary"
host = "10.98.0.11"

[[nodes]]
name = "n2"
role = "standby"
host = "10.98.0.12"

[[nodes]]
name = "n3"
role = "standby"
host = "10.98.0.13"
"#;

fn sorted_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    lines
}

#[test]
fn firewalld_admits_the_peers_and_refuses_others() {
    if !is_root() || !support::require_tool("firewalld") || !support::require_tool("dbus-daemon") {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs this test as root with firewalld and dbus installed"
        );
        eprintln!("skipping: needs root, firewalld and dbus-daemon");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let topology = dir.path().join("t.toml");
    fs::write(&topology, TOPOLOGY).unwrap();
    let out = dir.path().join("out");
    let o = support::pgrepl(&[
        "gen",
        topology.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", support::stderr(&o));
    let script = out.join("n1/firewalld.sh");
    let script = script.to_str().unwrap();

    let mut node = Ns::new(true);
    let clients = Ns::new(false);
    // The node's own /run (D-Bus's socket) and /etc/firewalld (the permanent rules).
    let etc = dir.path().join("etc-firewalld");
    fs::create_dir_all(&etc).unwrap();
    node.ok(&["cp", "-a", "/etc/firewalld/.", etc.to_str().unwrap()]);
    node.ok(&["mount", "--bind", etc.to_str().unwrap(), "/etc/firewalld"]);
    node.ok(&["mount", "-t", "tmpfs", "tmpfs", "/run"]);
    node.ok(&["mkdir", "-p", "/run/dbus"]);
    link(
        &node,
        NODE,
        &clients,
        &["10.98.0.12", "10.98.0.13", "10.98.0.99"],
    );
    node.daemon(
        &["dbus-daemon", "--system", "--nofork", "--nopidfile"],
        &dir.path().join("dbus.log"),
    );
    std::thread::sleep(Duration::from_millis(300));
    node.daemon(
        &["firewalld", "--nofork", "--nopid"],
        &dir.path().join("firewalld.log"),
    );
    let mut running = false;
    for _ in 0..150 {
        if node.run(&["firewall-cmd", "--state"]).status.success() {
            running = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        running,
        "firewalld did not start: {}",
        fs::read_to_string(dir.path().join("firewalld.log")).unwrap_or_default()
    );

    // A listener on the node's address.
    node.listen_5432(&dir.path().join("listener.log"));
    assert_ne!(
        connect(&clients, "10.98.0.12", NODE),
        "ok",
        "before: the default zone admits the port?"
    );

    let dry = node.ok(&["bash", script, "--dry-run"]);
    assert!(
        dry.contains("would add") && dry.contains("nothing was changed"),
        "{dry}"
    );
    assert_eq!(node.ok(&["firewall-cmd", "--list-rich-rules"]).trim(), "");

    let first = node.ok(&["bash", script]);
    assert!(first.contains("changed: "), "{first}");
    for (source, admitted) in [
        ("10.98.0.12", true),
        ("10.98.0.13", true),
        ("10.98.0.99", false),
    ] {
        let got = connect(&clients, source, NODE);
        assert_eq!(got == "ok", admitted, "from {source}: {got}");
    }
    let rules = node.ok(&["firewall-cmd", "--list-rich-rules"]);
    assert_eq!(rules.lines().count(), 2, "{rules}");
    assert!(
        rules.contains(r#"source address="10.98.0.12/32" port port="5432" protocol="tcp" accept"#)
    );
    // firewalld lists rich rules in hash order, which differs between the running and the
    // permanent configuration: compare them as sets.
    assert_eq!(
        sorted_lines(&node.ok(&["firewall-cmd", "--permanent", "--list-rich-rules"])),
        sorted_lines(&rules),
        "the running rules are not the permanent ones"
    );

    let second = node.ok(&["bash", script]);
    assert!(!second.contains("changed: "), "{second}");
    assert!(second.contains("already there"), "{second}");
    assert_eq!(
        sorted_lines(&node.ok(&["firewall-cmd", "--list-rich-rules"])),
        sorted_lines(&rules)
    );
}
