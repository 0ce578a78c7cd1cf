//! gen's nftables.sh applied for real, inside network namespaces this test makes (root
//! only): the node's namespace and a client namespace joined by a veth pair. The peers are
//! admitted to the port, another source is refused, loopback still connects, a second run
//! changes nothing, and the host's own tables are left alone.

mod support;

use std::fs;

use support::netns::{Ns, connect, link};
use support::real::is_root;

const NODE: &str = "10.99.0.11";

const TOPOLOGY: &str = r#"[cluster]
name = "walled"
pg_version = 16
firewall = "nftables"

[[nodes]]
name = "n1"
role = "primary"
host = "10.99.0.11"

[[nodes]]
name = "n2"
role = "standby"
host = "10.99.0.12"

[[nodes]]
name = "n3"
role = "standby"
host = "10.99.0.13"
"#;

#[test]
fn nftables_admits_the_peers_and_refuses_others() {
    if !is_root() || !support::require_tool("nft") {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs this test as root with nft installed"
        );
        eprintln!("skipping: needs root and nft");
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
    let script = out.join("n1/nftables.sh");
    let script = script.to_str().unwrap();

    let (mut node, clients) = (Ns::new(false), Ns::new(false));
    link(
        &node,
        NODE,
        &clients,
        &["10.99.0.12", "10.99.0.13", "10.99.0.99"],
    );
    // The host's own table, which pgrepl must leave as it is.
    node.ok(&["nft", "add", "table", "inet", "host_rules"]);
    node.ok(&[
        "nft",
        "add",
        "chain",
        "inet",
        "host_rules",
        "input",
        "{ type filter hook input priority 0; policy accept; }",
    ]);
    let host_rules = node.ok(&["nft", "list", "table", "inet", "host_rules"]);

    // A listener on the node's address.
    node.listen_5432(&dir.path().join("listener.log"));
    assert_eq!(
        connect(&clients, "10.99.0.99", NODE),
        "ok",
        "before: the port is open"
    );

    // A dry run checks and changes nothing.
    let dry = node.ok(&["bash", script, "--dry-run"]);
    assert!(dry.contains("nothing was changed"), "{dry}");
    assert_eq!(connect(&clients, "10.99.0.99", NODE), "ok");

    node.ok(&["bash", script]);
    let first = node.ok(&["nft", "list", "ruleset"]);
    for (source, want) in [
        ("10.99.0.12", "ok"),
        ("10.99.0.13", "ok"),
        ("10.99.0.99", "refused"),
    ] {
        assert_eq!(connect(&clients, source, NODE), want, "from {source}");
    }
    let local = node.ok(&[
        "python3",
        "-c",
        "import socket\ns = socket.create_connection(('127.0.0.1', 5432), 3); print('ok')",
    ]);
    assert_eq!(local.trim(), "ok", "loopback is admitted");

    node.ok(&["bash", script]);
    assert_eq!(
        node.ok(&["nft", "list", "ruleset"]),
        first,
        "a second run changed the ruleset"
    );
    assert_eq!(
        node.ok(&["nft", "list", "table", "inet", "host_rules"]),
        host_rules,
        "the host's own table changed"
    );
}
