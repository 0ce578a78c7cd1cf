//! The real-server lab: servers of one major on 127.0.0.1 (or in a network namespace of
//! their own), made, started, stopped, crashed and queried. Its runbooks and plans are in
//! `lab_runbooks`. For every test file that drives real servers through pgrepl's runbooks.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::real::*;

// Where the tests that `use lab::*` have always found them.
#[allow(unused_imports)]
pub use super::lab_runbooks::{step_named, toml_string};

/// Has `:`, `\`, a quote and a space: the password file and SQL quoting must cope.
pub const PASSWORD: &str = "s3cret:with\\odd' chars";
/// The rewind role's, another one with the same troubles.
pub const REWIND_PASSWORD: &str = "rew:ind\\pass' word";

pub struct Node {
    pub name: &'static str,
    /// The node's address; all 127.0.0.1 unless the lab has its own network namespace.
    pub host: String,
    pub port: u16,
}

/// A single-host lab: servers of one major on 127.0.0.1, and their runbooks.
pub struct Lab {
    pub major: u32,
    pub bin: PathBuf,
    pub dir: PathBuf,
    pub nodes: Vec<Node>,
    /// Measured durations, for the report.
    pub times: BTreeMap<String, Duration>,
    /// A private network namespace (held by a sleeping process) every command runs in.
    pub netns: Option<std::process::Child>,
    /// Configuration kept outside the data directory, as Debian's packages do: each node's
    /// postgresql.conf, pg_hba.conf and pg_ident.conf in `<node>/etc`, whose postgresql.conf
    /// names the data directory. Set before the servers are made.
    pub split_config: bool,
}

impl Drop for Lab {
    fn drop(&mut self) {
        for n in &self.nodes {
            let data = self.dir.join(n.name).join("data");
            if data.join("postmaster.pid").exists() {
                let mut c = self.pg(self.bin.join("pg_ctl").to_str().unwrap());
                c.args([
                    "stop",
                    "-D",
                    data.to_str().unwrap(),
                    "-m",
                    "immediate",
                    "-w",
                ]);
                let _ = c.stdout(Stdio::null()).stderr(Stdio::null()).status();
            }
        }
        if let Some(mut holder) = self.netns.take() {
            let _ = holder.kill();
            let _ = holder.wait();
        }
        if std::env::var_os("PGREPL_KEEP_LAB").is_none() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

impl Lab {
    pub fn new(major: u32, scenario: u16, names: &[&'static str]) -> Option<Lab> {
        let bin = bin_dir(major)?;
        if is_root() {
            ensure_test_user();
        }
        // A space and a quote in every path: shell, postgresql.conf and conninfo quoting
        // must all hold, nested.
        let dir = std::env::temp_dir().join(format!(
            "pgrepl lab's {major}-{scenario}-{}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("sockets")).unwrap();
        give_to_test_user(&dir);
        // Ports: a thousand per scenario, ten per major, so no two labs share one whatever
        // runs side by side; below the kernel's ephemeral ports (32768-60999): a client
        // socket that happened to take a lab's port made its restart fail "Address already
        // in use".
        assert!(
            scenario < 20 && names.len() <= 10,
            "scenario {scenario}: out of ports"
        );
        let base = 10000 + scenario * 1000 + major as u16 * 10;
        let nodes = names
            .iter()
            .enumerate()
            .map(|(i, n)| Node {
                name: n,
                host: "127.0.0.1".to_owned(),
                port: base + i as u16,
            })
            .collect();
        Some(Lab {
            major,
            bin,
            dir,
            nodes,
            times: BTreeMap::new(),
            netns: None,
            split_config: false,
        })
    }

    /// Moves the lab into a private network namespace (root only) where node i listens on
    /// 127.0.0.(11 + i), and connections to the first node come from `source`: the kernel
    /// picks the source of a local route, so /32 pg_hba rules see distinct addresses.
    pub fn isolate(&mut self, source: &str) {
        let holder = Command::new("unshare")
            .args(["--net", "--", "sleep", "3600"])
            .spawn()
            .expect("unshare --net");
        self.netns = Some(holder);
        std::thread::sleep(Duration::from_millis(100));
        run(
            self.netns_cmd("ip").args(["link", "set", "lo", "up"]),
            "lo up",
        );
        for (i, n) in self.nodes.iter_mut().enumerate() {
            n.host = format!("127.0.0.{}", 11 + i);
        }
        self.route_from(source);
    }

    /// Connections to the first node come from `source`.
    pub fn route_from(&self, source: &str) {
        let first = self.nodes[0].host.clone();
        let _ = self
            .netns_cmd("ip")
            .args(["route", "del", "local", &first, "table", "local"])
            .output();
        run(
            self.netns_cmd("ip").args([
                "route", "add", "local", &first, "dev", "lo", "src", source, "table", "local",
            ]),
            "ip route",
        );
    }

    pub fn netns_cmd(&self, program: &str) -> Command {
        let pid = self.netns.as_ref().expect("isolated lab").id();
        let mut c = Command::new("nsenter");
        c.arg(format!("--net=/proc/{pid}/ns/net"))
            .args(["--", program]);
        c
    }

    /// A command as the server's OS user, inside the lab's namespace if it has one.
    pub fn pg(&self, program: &str) -> Command {
        if self.netns.is_none() {
            return as_pg(program);
        }
        // A namespace needs root, so the lab drops to the test user inside it.
        let mut c = self.netns_cmd("setpriv");
        c.args(SETPRIV_TO_TEST_USER).arg(program);
        c
    }

    pub fn host(&self, name: &str) -> String {
        self.nodes
            .iter()
            .find(|n| n.name == name)
            .unwrap()
            .host
            .clone()
    }

    pub fn port(&self, name: &str) -> u16 {
        self.nodes.iter().find(|n| n.name == name).unwrap().port
    }

    pub fn data(&self, name: &str) -> PathBuf {
        self.dir.join(name).join("data")
    }

    /// The directory of the node's postgresql.conf: `<node>/etc` with `split_config`, else
    /// the data directory.
    pub fn config(&self, name: &str) -> PathBuf {
        if self.split_config {
            self.dir.join(name).join("etc")
        } else {
            self.data(name)
        }
    }

    pub fn tool(&self, t: &str) -> String {
        self.bin.join(t).to_string_lossy().into_owned()
    }

    /// A freshly installed, running server, as a new machine has before the runbook.
    pub fn init_server(&mut self, name: &str) {
        self.init_server_with(name, &[]);
    }

    /// The same, with more initdb options.
    pub fn init_server_with(&mut self, name: &str, initdb: &[&str]) {
        let data = self.data(name);
        let start = Instant::now();
        let mut c = self.pg(&self.tool("initdb"));
        c.args([
            "-D",
            data.to_str().unwrap(),
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=reject",
        ]);
        c.args(["-E", "UTF8", "--locale=C", "-N"]).args(initdb);
        run(c, "initdb");
        self.times.insert(format!("initdb {name}"), start.elapsed());
        let quoted = |p: &Path| pgrepl::pgconf::quote::conf_string(&p.to_string_lossy());
        let mut lab_lines = format!(
            "\n# lab\nunix_socket_directories = {}\nport = {}\nlisten_addresses = ''\n",
            quoted(&self.dir.join("sockets")),
            self.port(name)
        );
        let config = self.config(name);
        if self.split_config {
            // As pg_createcluster leaves it: the files moved out, postgresql.conf naming
            // where everything is. The test user owns the directory (it is in the lab's).
            run(self.pg("mkdir").arg(&config), "mkdir etc");
            for f in ["postgresql.conf", "pg_hba.conf", "pg_ident.conf"] {
                run(
                    self.pg("mv").arg(data.join(f)).arg(config.join(f)),
                    "mv config",
                );
            }
            lab_lines.push_str(&format!(
                "data_directory = {}\nhba_file = {}\nident_file = {}\n",
                quoted(&data),
                quoted(&config.join("pg_hba.conf")),
                quoted(&config.join("pg_ident.conf"))
            ));
        }
        let conf = config.join("postgresql.conf");
        let mut text = fs::read_to_string(&conf).unwrap();
        text.push_str(&lab_lines);
        fs::write(&conf, text).unwrap();
        self.pg_ctl(name, &["start"]);
    }

    /// pg_ctl on a node's data directory: `stop -m fast`, `start` (its log as before)...
    pub fn pg_ctl(&self, name: &str, args: &[&str]) {
        // pg_ctl finds the data directory from a configuration directory itself.
        let mut c = self.pg(&self.tool("pg_ctl"));
        c.args(args).arg("-D").arg(self.config(name));
        if args.first() == Some(&"start") {
            c.arg("-l").arg(self.dir.join(name).join("server.log"));
        }
        c.args(["-w", "-t", "120"]);
        run(c, &format!("pg_ctl {args:?} {name}"));
    }

    /// `kill -9` of the node's postmaster, as a crash; returns once its processes are gone.
    pub fn crash(&self, name: &str) {
        let pidfile = fs::read_to_string(self.data(name).join("postmaster.pid")).unwrap();
        let pid = pidfile.lines().next().unwrap().trim().to_owned();
        let children = Command::new("pgrep").args(["-P", &pid]).output().unwrap();
        let children = String::from_utf8_lossy(&children.stdout).into_owned();
        run(Command::new("kill").args(["-9", &pid]), "kill -9");
        let start = Instant::now();
        for p in std::iter::once(pid.as_str()).chain(children.split_whitespace()) {
            while Path::new(&format!("/proc/{p}")).exists() {
                assert!(
                    start.elapsed() < Duration::from_secs(30),
                    "{name}: process {p} outlived its postmaster"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    /// psql as the superuser over the socket; returns unaligned output.
    pub fn sql(&self, node: &str, query: &str) -> String {
        let mut c = self.pg(&self.tool("psql"));
        c.args(["-X", "-At", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(self.dir.join("sockets"));
        c.args([
            "-p",
            &self.port(node).to_string(),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-c",
            query,
        ]);
        String::from_utf8_lossy(&run(c, &format!("{node}: {query}")).stdout)
            .trim()
            .to_owned()
    }

    pub fn sql_result(
        &self,
        node: &str,
        query: &str,
        env: &[(&str, &str)],
        conninfo: Option<String>,
    ) -> Output {
        let mut c = self.pg(&self.tool("psql"));
        c.arg("-X").arg("-At");
        match conninfo {
            Some(ci) => c.arg(ci),
            None => c.arg("-h").arg(self.dir.join("sockets")).args([
                "-p",
                &self.port(node).to_string(),
                "-U",
                "postgres",
                "-d",
                "postgres",
            ]),
        };
        c.args(["-c", query]).envs(env.iter().copied());
        c.stdin(Stdio::null()).output().unwrap()
    }

    /// Polls until `query` on `node` returns `want` (30 s at most); returns how long it took.
    pub fn wait_for(&self, node: &str, query: &str, want: &str) -> Duration {
        let start = Instant::now();
        loop {
            let o = self.sql_result(node, query, &[], None);
            if o.status.success() && String::from_utf8_lossy(&o.stdout).trim() == want {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{node}: `{query}` never returned {want:?}"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    pub fn report(&self, scenario: &str) {
        let mut line = format!("PG{} {scenario}:", self.major);
        for (k, v) in &self.times {
            line.push_str(&format!(" [{k}: {} ms]", v.as_millis()));
        }
        eprintln!("{line}");
    }
}
