//! gen's nftables.sh applied for real, inside network namespaces this test makes (root
//! only): the node's namespace and a client namespace joined by a veth pair. The peers are
//! admitted to the port, another source is refused, loopback still connects, a second run
//! changes nothing, and the host's own tables are left alone.

mod support;

use std::fs;
use std::process::{Child, Command, Output};

use support::real::is_root;

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

struct Netns(Child);

impl Netns {
    fn new() -> Netns {
        let c = Command::new("unshare")
            .args(["--net", "--", "sleep", "600"])
            .spawn()
            .expect("unshare --net");
        std::thread::sleep(std::time::Duration::from_millis(100));
        Netns(c)
    }
    fn path(&self) -> String {
        format!("--net=/proc/{}/ns/net", self.0.id())
    }
    fn run(&self, args: &[&str]) -> Output {
        Command::new("nsenter")
            .arg(self.path())
            .arg("--")
            .args(args)
            .output()
            .unwrap()
    }
    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Connects from `source` to 10.99.0.11:5432 inside `ns`: "ok", "refused" or "timeout".
fn connect(ns: &Netns, source: &str) -> String {
    let script = format!(
        "import socket\ns = socket.socket()\ns.settimeout(3)\ns.bind(('{source}', 0))\n\
         try:\n    s.connect(('10.99.0.11', 5432)); print('ok')\n\
         except ConnectionRefusedError: print('refused')\n\
         except OSError: print('timeout')\n"
    );
    ns.ok(&["python3", "-c", &script]).trim().to_owned()
}

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

    let (node, clients) = (Netns::new(), Netns::new());
    let pid = clients.0.id().to_string();
    node.ok(&[
        "ip", "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", &pid,
    ]);
    node.ok(&["ip", "addr", "add", "10.99.0.11/24", "dev", "va"]);
    node.ok(&["ip", "link", "set", "va", "up"]);
    node.ok(&["ip", "link", "set", "lo", "up"]);
    for a in ["10.99.0.12/24", "10.99.0.13/24", "10.99.0.99/24"] {
        clients.ok(&["ip", "addr", "add", a, "dev", "vb"]);
    }
    clients.ok(&["ip", "link", "set", "vb", "up"]);
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
    let mut listener = Command::new("nsenter")
        .arg(node.path())
        .args([
            "--",
            "python3",
            "-c",
            "import socket\ns = socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n\
             s.bind(('0.0.0.0', 5432)); s.listen(64)\nwhile True:\n    c, _ = s.accept(); c.close()\n",
        ])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(
        connect(&clients, "10.99.0.99"),
        "ok",
        "before: the port is open"
    );

    // A dry run checks and changes nothing.
    let dry = node.ok(&["bash", script, "--dry-run"]);
    assert!(dry.contains("nothing was changed"), "{dry}");
    assert_eq!(connect(&clients, "10.99.0.99"), "ok");

    node.ok(&["bash", script]);
    let first = node.ok(&["nft", "list", "ruleset"]);
    for (source, want) in [
        ("10.99.0.12", "ok"),
        ("10.99.0.13", "ok"),
        ("10.99.0.99", "refused"),
    ] {
        assert_eq!(connect(&clients, source), want, "from {source}");
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
    let _ = listener.kill();
    let _ = listener.wait();
}
