//! The lab's runbooks and plans: a topology for its servers, gen's and plan's output, and
//! RUNBOOK.md's and PLAN.md's commands run as written, as the servers' OS user.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Instant;

use super::lab::{Lab, PASSWORD, REWIND_PASSWORD};
use super::real::*;

/// A TOML basic string.
pub fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The script of `node` whose name ends with `-<kind>.sh`, relative to `out`.
pub fn step_named(out: &Path, node: &str, kind: &str) -> String {
    let dir = out.join(node).join("runbook");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(&format!("-{kind}.sh")))
        .collect();
    names.sort();
    format!("{node}/runbook/{}", names.first().expect("the step exists"))
}

impl Lab {
    /// The lab's topology: the shape the test needs, this lab's paths.
    pub fn topology(&self, body: &str) -> String {
        format!(
            r#"[cluster]
name = "lab"
pg_version = {major}
firewall = "none"

[layout]
kind = "custom"
data_dir = {data_dir}{config_dir}
bin_dir = "{bin}"
os_user = "{user}"
socket_dir = {socket_dir}
passfile = {passfile}
log = {log}
start = "{{bin_dir}}/pg_ctl start -D {{config_dir}} -l {{data_dir}}/../server.log -w -t 120"
stop = "{{bin_dir}}/pg_ctl stop -D {{data_dir}} -m fast -w"

[replication]
user = "replicator"

{body}"#,
            major = self.major,
            // The node's directories as the lab makes them, `{node}` for gen to fill in.
            data_dir = toml_string(&self.data("{node}").to_string_lossy()),
            config_dir = if self.split_config {
                let config = self.config("{node}");
                format!("\nconfig_dir = {}", toml_string(&config.to_string_lossy()))
            } else {
                String::new()
            },
            socket_dir = toml_string(&format!("{}/sockets", self.dir.display())),
            passfile = toml_string(&format!(
                "{}/{{node}}/replication.pgpass",
                self.dir.display()
            )),
            log = toml_string(&format!("{}/{{node}}/server.log", self.dir.display())),
            bin = self.bin.display(),
            user = os_user(),
        )
    }

    pub fn generate(&self, topology: &str) -> PathBuf {
        self.generate_as(topology, "out")
    }

    /// gen's output for `topology` in the lab's directory `name`; the topology is kept as
    /// `name.toml` (`topology.toml` for `out`).
    pub fn generate_as(&self, topology: &str, name: &str) -> PathBuf {
        let file = match name {
            "out" => self.dir.join("topology.toml"),
            _ => self.dir.join(format!("{name}.toml")),
        };
        fs::write(&file, topology).unwrap();
        let out = self.dir.join(name);
        let o = super::pgrepl(&["gen", file.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        assert!(o.status.success(), "gen: {}", super::stderr(&o));
        give_to_test_user(&out);
        out
    }

    /// Runs one runbook command line (relative to the output dir) as the server's user.
    /// Runs one runbook command (a script of `out` and its arguments) as the server's OS user,
    /// with no terminal; whatever it exits with.
    pub fn try_step(&self, out: &Path, line: &str) -> Output {
        let mut words = line.split_whitespace();
        let script = words.next().unwrap();
        let mut c = self.pg("bash");
        c.arg(out.join(script)).args(words);
        c.env("PGREPL_REPLICATION_PASSWORD", PASSWORD)
            .env("PGREPL_REWIND_PASSWORD", REWIND_PASSWORD)
            .env("HOME", &self.dir);
        c.stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    pub fn step(&mut self, out: &Path, line: &str) -> String {
        let script = line.split_whitespace().next().unwrap();
        let start = Instant::now();
        let o = self.try_step(out, line);
        self.times.insert(script.to_owned(), start.elapsed());
        if std::env::var_os("PGREPL_SHOW_STEPS").is_some() {
            eprintln!(
                "--- {line}\n{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
        }
        if !o.status.success() {
            // The servers' logs say why a start or a base backup failed; the lab directory
            // is removed when the test ends, so they must be shown now.
            let logs: String = self
                .nodes
                .iter()
                .map(|n| {
                    let log = self.dir.join(n.name).join("server.log");
                    let text = fs::read_to_string(&log).unwrap_or_default();
                    let tail: Vec<&str> = text.lines().rev().take(25).collect();
                    let tail: Vec<&str> = tail.into_iter().rev().collect();
                    format!("--- {} (last lines)\n{}\n", log.display(), tail.join("\n"))
                })
                .collect();
            panic!(
                "{line} failed ({}):\n--- stdout\n{}\n--- stderr\n{}\n{logs}",
                o.status,
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
        }
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// Every command of RUNBOOK.md, in its order; TOKEN is the write-probe step's output.
    pub fn run_runbook(&mut self, out: &Path, setup_only: bool) {
        self.run_runbook_of(out, setup_only, |_| true);
    }

    /// The setup steps of RUNBOOK.md that run on `node`, in their order.
    pub fn set_up(&mut self, out: &Path, node: &str) {
        let prefix = format!("{node}/");
        self.run_runbook_of(out, true, |cmd| cmd.starts_with(&prefix));
    }

    /// The commands of RUNBOOK.md that `wanted` accepts, in their order.
    pub fn run_runbook_of(&mut self, out: &Path, setup_only: bool, wanted: impl Fn(&str) -> bool) {
        let runbook = fs::read_to_string(out.join("RUNBOOK.md")).unwrap();
        let mut token = String::new();
        for line in runbook.lines() {
            if setup_only && line.starts_with("## 2.") {
                break;
            }
            let Some(cmd) = line.split('`').find(|w| {
                w.contains("/runbook/") && w.ends_with(|c: char| c.is_alphanumeric() || c == 'N')
            }) else {
                continue;
            };
            if !line.starts_with('|') {
                continue;
            }
            if !wanted(cmd) {
                continue;
            }
            let mut cmd = cmd.replace("TOKEN", &token);
            // The operator's part: the clear step's confirmation, typed as the flag; and
            // consent to a restart when apply-config stops for one (exit 3).
            if cmd.ends_with("-clear-data-dir.sh") {
                let node = cmd.split('/').next().unwrap().to_owned();
                cmd = format!("{cmd} --confirm {node}");
            }
            if cmd.ends_with("-apply-config.sh") {
                let o = self.try_step(out, &cmd);
                if o.status.code() == Some(3) {
                    cmd.push_str(" --restart");
                } else {
                    assert!(
                        o.status.success(),
                        "{cmd} failed ({}):\n{}{}",
                        o.status,
                        String::from_utf8_lossy(&o.stdout),
                        String::from_utf8_lossy(&o.stderr)
                    );
                    continue;
                }
            }
            let stdout = self.step(out, &cmd);
            if cmd.contains("write-probe") {
                token = stdout.lines().last().unwrap_or_default().trim().to_owned();
            }
        }
    }

    /// `[[nodes]]` tables for this lab: the first node is the primary, the others standbys
    /// (of the primary unless `upstreams` names another node).
    pub fn nodes_toml(&self, upstreams: &[(&str, &str)]) -> String {
        let names: Vec<&str> = self.nodes.iter().map(|n| n.name).collect();
        self.nodes_toml_of(&names, upstreams)
    }

    /// `[[nodes]]` tables for some of the lab's nodes (the first node is the primary).
    pub fn nodes_toml_of(&self, names: &[&str], upstreams: &[(&str, &str)]) -> String {
        let mut s = String::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if !names.contains(&n.name) {
                continue;
            }
            let role = if i == 0 { "primary" } else { "standby" };
            s.push_str(&format!(
                "\n[[nodes]]\nname = \"{}\"\nrole = \"{role}\"\nhost = \"{}\"\nport = {}\npostgresql = {{ listen_addresses = \"{}\" }}\n",
                n.name, n.host, n.port, n.host
            ));
            if let Some((_, up)) = upstreams.iter().find(|(name, _)| *name == n.name) {
                s.push_str(&format!("upstream = \"{up}\"\n"));
            }
        }
        s
    }

    /// Every command of `out`/PLAN.md, in its order. `restart` says which nodes may restart:
    /// an apply-config step of such a node that stops for a restart (exit 3) is run again
    /// with `--restart`; on any other node that exit fails the test.
    pub fn run_plan(&mut self, out: &Path, restart: &[&str]) {
        let plan = fs::read_to_string(out.join("PLAN.md")).unwrap();
        // `LSN` is the last line the step before printed (the demote step's checkpoint);
        // `RECEIVED_node` the last line of that node's latest step (what it received).
        let mut last = String::new();
        let mut last_of: BTreeMap<String, String> = BTreeMap::new();
        for line in plan.lines().filter(|l| l.starts_with('|')) {
            let Some(cmd) = line.split('`').nth(1).filter(|w| w.contains("/runbook/")) else {
                continue;
            };
            let node = cmd.split('/').next().unwrap().to_owned();
            let mut cmd = cmd.replace(" LSN", &format!(" {last}"));
            for (n, line) in &last_of {
                cmd = cmd.replace(&format!("RECEIVED_{n}"), line);
            }
            if cmd.ends_with("-clear-data-dir.sh") {
                cmd = format!("{cmd} --confirm {node}");
            }
            if cmd.ends_with("-apply-config.sh") {
                let o = self.try_step(out, &cmd);
                match o.status.code() {
                    Some(0) => {
                        last = String::from_utf8_lossy(&o.stdout)
                            .trim_end()
                            .lines()
                            .last()
                            .unwrap_or_default()
                            .to_owned();
                        continue;
                    }
                    Some(3) if restart.contains(&node.as_str()) => cmd.push_str(" --restart"),
                    _ => panic!(
                        "{cmd} failed ({}):\n{}{}",
                        o.status,
                        String::from_utf8_lossy(&o.stdout),
                        String::from_utf8_lossy(&o.stderr)
                    ),
                }
            }
            let stdout = self.step(out, &cmd);
            last = stdout
                .trim_end()
                .lines()
                .last()
                .unwrap_or_default()
                .to_owned();
            last_of.insert(node, last.clone());
        }
    }

    /// `pgrepl plan OLD NEW` into the lab's directory `name`; the topologies are kept there.
    pub fn plan(&self, old: &str, new: &str, name: &str) -> PathBuf {
        self.plan_with(old, new, name, &[])
    }

    /// The same, with more options (`--failover`).
    pub fn plan_with(&self, old: &str, new: &str, name: &str, options: &[&str]) -> PathBuf {
        let (o, n) = (
            self.dir.join(format!("{name}-old.toml")),
            self.dir.join(format!("{name}-new.toml")),
        );
        fs::write(&o, old).unwrap();
        fs::write(&n, new).unwrap();
        let out = self.dir.join(name);
        let r = super::pgrepl(
            &[
                "plan",
                o.to_str().unwrap(),
                n.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ]
            .into_iter()
            .chain(options.iter().copied())
            .collect::<Vec<_>>(),
        );
        assert!(r.status.success(), "plan: {}", super::stderr(&r));
        give_to_test_user(&out);
        out
    }

    /// Config files pgrepl manages on a node, for the idempotence comparison.
    pub fn managed_files(&self, name: &str) -> Vec<(String, Vec<u8>)> {
        let (config, data) = (self.config(name), self.data(name));
        [
            (&config, "postgresql.conf"),
            (&config, "pg_hba.conf"),
            (&config, "conf.d/pgrepl-replication.conf"),
            (&config, "conf.d/pgrepl-synchronous.conf"),
            (&data, "recovery.conf"),
            (&data, "postgresql.auto.conf"),
        ]
        .iter()
        .filter_map(|(dir, f)| fs::read(dir.join(f)).ok().map(|b| (f.to_string(), b)))
        .collect()
    }
}
