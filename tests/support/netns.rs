//! Network namespaces for the firewall tests (root only): a namespace held by a sleeping
//! process, optionally with a mount namespace of its own; a node and a client namespace
//! joined by a veth pair; a TCP connection attempt from a given source address.

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

pub struct Ns {
    holder: Child,
    mount: bool,
    /// Daemons started inside, stopped first.
    daemons: Vec<Child>,
}

impl Ns {
    /// A new network namespace; `mount` adds a private mount namespace (its own /run, /etc).
    pub fn new(mount: bool) -> Ns {
        let mut c = Command::new("unshare");
        c.arg("--net");
        if mount {
            c.args(["--mount", "--propagation", "private"]);
        }
        let holder = c.args(["--", "sleep", "600"]).spawn().expect("unshare");
        std::thread::sleep(Duration::from_millis(100));
        Ns {
            holder,
            mount,
            daemons: Vec::new(),
        }
    }

    /// The pid of the process holding the namespace (for `ip link ... netns PID`).
    pub fn pid(&self) -> String {
        self.holder.id().to_string()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let pid = self.holder.id();
        let mut c = Command::new("nsenter");
        c.arg(format!("--net=/proc/{pid}/ns/net"));
        if self.mount {
            c.arg(format!("--mount=/proc/{pid}/ns/mnt"));
        }
        c.arg("--").args(args);
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs a command that must succeed; its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// Starts a long-running process inside, its output to `log`; stopped on drop.
    pub fn daemon(&mut self, args: &[&str], log: &Path) {
        let log = fs::File::create(log).unwrap();
        let child = self
            .command(args)
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        self.daemons.push(child);
    }

    /// A TCP listener on port 5432 of every address inside, accepting and closing.
    pub fn listen_5432(&mut self, log: &Path) {
        self.daemon(
            &[
                "python3",
                "-c",
                "import socket\ns = socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n\
                 s.bind(('0.0.0.0', 5432)); s.listen(64)\nwhile True:\n    c, _ = s.accept(); c.close()\n",
            ],
            log,
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

impl Drop for Ns {
    fn drop(&mut self) {
        for d in self.daemons.iter_mut().rev() {
            let _ = d.kill();
            let _ = d.wait();
        }
        let _ = self.holder.kill();
        let _ = self.holder.wait();
    }
}

/// Joins `node` (address `node_addr`, a /24) and `clients` (each of `client_addrs`) with a
/// veth pair, both ends and the node's loopback up.
pub fn link(node: &Ns, node_addr: &str, clients: &Ns, client_addrs: &[&str]) {
    let pid = clients.pid();
    node.ok(&[
        "ip", "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", &pid,
    ]);
    node.ok(&["ip", "addr", "add", &format!("{node_addr}/24"), "dev", "va"]);
    node.ok(&["ip", "link", "set", "va", "up"]);
    node.ok(&["ip", "link", "set", "lo", "up"]);
    for a in client_addrs {
        clients.ok(&["ip", "addr", "add", &format!("{a}/24"), "dev", "vb"]);
    }
    clients.ok(&["ip", "link", "set", "vb", "up"]);
}

/// Connects from `source` to `target`:5432 inside `ns`: "ok", "refused" or "timeout"
/// (a dropped packet, or no route).
pub fn connect(ns: &Ns, source: &str, target: &str) -> String {
    let script = format!(
        "import socket\ns = socket.socket()\ns.settimeout(3)\ns.bind(('{source}', 0))\n\
         try:\n    s.connect(('{target}', 5432)); print('ok')\n\
         except ConnectionRefusedError: print('refused')\n\
         except OSError: print('timeout')\n"
    );
    ns.ok(&["python3", "-c", &script]).trim().to_owned()
}
