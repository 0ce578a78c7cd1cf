//! `pgrepl ansible`: gen's output for one or more clusters, pushed by Ansible.
//!
//! One source of truth: the playbook ships each node's rendered files (the very bytes `gen`
//! writes) to the node and runs its runbook steps there, in RUNBOOK.md's order. What Ansible
//! needs besides is data the steps already carry: which steps a node runs, what each leaves
//! behind (`steps::Effect`, for `changed_when` and check mode) and which read passwords
//! (`no_log`). Secrets are shipped apart from the rest, so that the rest can show as diffs.

use std::collections::BTreeMap;

use minijinja::Environment;
use serde::Serialize;

use crate::render::steps::{Effect, Step, VERIFICATION_ORDER};
use crate::render::{self, Artifact, MODE_FILE, MODE_SECRET};
use crate::topology::ValidTopology;
use crate::topology::model::{PasswordSource, Role};

/// Where the generated files of each cluster go, under the output directory.
pub const FILES_DIR: &str = "files";
/// Where literal passwords go (0600), apart from the files shown as diffs.
pub const SECRETS_DIR: &str = "secrets";

/// One cluster: its validated topology and gen's artifacts for it.
pub struct Cluster<'a> {
    pub topology: &'a ValidTopology,
    pub artifacts: Vec<Artifact>,
}

/// Why clusters cannot share one inventory.
#[derive(Debug)]
pub enum FleetError {
    /// Two topologies whose inventory group names are the same.
    SameGroup {
        group: String,
        first: String,
        second: String,
    },
    Render(minijinja::Error),
}

impl std::fmt::Display for FleetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FleetError::SameGroup {
                group,
                first,
                second,
            } => write!(
                f,
                "clusters `{first}` and `{second}` would both be the inventory group `{group}`: give one of them another [cluster] name"
            ),
            FleetError::Render(e) => write!(f, "{e:#}"),
        }
    }
}

impl std::error::Error for FleetError {}

#[derive(Serialize)]
struct HostContext {
    /// The inventory hostname: `<cluster>-<node>`, unique across clusters.
    name: String,
    node: String,
    role: &'static str,
    /// The node's address, for `ansible_host`; none on loopback (a lab), which runs local.
    address: Option<String>,
    /// The inventory hostname of its cluster's primary (whose probe token it reads).
    primary: String,
    /// Step kind → script file under `runbook/`.
    steps: BTreeMap<&'static str, String>,
    /// The node's generated files, relative to its directory: copied one by one, so that
    /// check mode shows each one's diff.
    files: Vec<String>,
    /// Their directories, made first.
    dirs: Vec<String>,
    /// Its password files (0600), copied without diff or log.
    secrets: Vec<String>,
}

#[derive(Serialize)]
struct ClusterContext {
    name: String,
    group: String,
    major: u32,
    hosts: Vec<HostContext>,
    /// Environment variables the steps read passwords from, on the controller too.
    password_env: Vec<String>,
}

/// A verification play: one step kind, on the nodes that have it.
#[derive(Serialize)]
struct VerifyPlay {
    title: &'static str,
    /// `pgrepl_primary`, `pgrepl_standby`, or `pgrepl` for both.
    hosts: &'static str,
    task: TaskContext,
}

#[derive(Serialize)]
struct TaskContext {
    kind: &'static str,
    title: &'static str,
    proves: &'static str,
    effect: Effect,
    reads_passwords: bool,
}

fn task(s: &Step) -> TaskContext {
    TaskContext {
        kind: s.kind,
        title: s.title,
        proves: s.proves,
        effect: s.effect,
        reads_passwords: s.reads_passwords,
    }
}

/// The inventory group of a cluster: Ansible's group names take no `-`.
pub fn group_name(cluster: &str) -> String {
    format!("pgrepl_{}", cluster.replace('-', "_"))
}

fn host_name(cluster: &str, node: &str) -> String {
    format!("{cluster}-{node}")
}

/// The inventory, the playbook and every cluster's files, in a stable order.
pub fn plan(clusters: &[Cluster<'_>], env: &Environment<'_>) -> Result<Vec<Artifact>, FleetError> {
    let mut groups: BTreeMap<String, &str> = BTreeMap::new();
    for c in clusters {
        let group = group_name(&c.topology.cluster);
        if let Some(first) = groups.insert(group.clone(), &c.topology.cluster) {
            return Err(FleetError::SameGroup {
                group,
                first: first.to_owned(),
                second: c.topology.cluster.clone(),
            });
        }
    }

    let mut out = Vec::new();
    let mut contexts = Vec::new();
    let mut setup: Vec<&Step> = Vec::new();
    let mut all_steps: Vec<Vec<Step>> = Vec::new();
    // Verification kinds: (step, on a primary, on a standby).
    let mut verify_kinds: BTreeMap<&'static str, (Step, bool, bool)> = BTreeMap::new();
    for c in clusters {
        let topo = c.topology;
        for a in &c.artifacts {
            let under = if a.mode == MODE_SECRET {
                SECRETS_DIR
            } else {
                FILES_DIR
            };
            out.push(Artifact {
                path: format!("{under}/{}/{}", topo.cluster, a.path),
                contents: a.contents.clone(),
                mode: a.mode,
            });
        }
        let primary = topo
            .nodes
            .iter()
            .find(|n| n.role == Role::Primary)
            .map(|n| host_name(&topo.cluster, &n.name))
            .unwrap_or_default();
        let lab = topo.nodes.iter().all(|n| n.host.is_loopback());
        let mut hosts = Vec::new();
        for n in &topo.nodes {
            let (steps, verify) = render::steps::steps_for(topo, n);
            let prefix = format!("{}/", n.name);
            let mut files = Vec::new();
            let mut secrets = Vec::new();
            let mut dirs = std::collections::BTreeSet::new();
            for a in &c.artifacts {
                let Some(rel) = a.path.strip_prefix(&prefix) else {
                    continue;
                };
                if let Some((dir, _)) = rel.rsplit_once('/') {
                    dirs.insert(dir.to_owned());
                }
                if a.mode == MODE_SECRET {
                    secrets.push(rel.to_owned());
                } else {
                    files.push(rel.to_owned());
                }
            }
            hosts.push(HostContext {
                name: host_name(&topo.cluster, &n.name),
                node: n.name.clone(),
                role: match n.role {
                    Role::Primary => "primary",
                    Role::Standby => "standby",
                },
                address: (!lab).then(|| n.host.to_string()),
                primary: primary.clone(),
                steps: steps
                    .iter()
                    .chain(&verify)
                    .map(|s| (s.kind, s.file.clone()))
                    .collect(),
                files,
                dirs: dirs.into_iter().collect(),
                secrets,
            });
            all_steps.push(steps);
            for s in verify {
                let entry = verify_kinds.entry(s.kind).or_insert((s, false, false));
                match n.role {
                    Role::Primary => entry.1 = true,
                    Role::Standby => entry.2 = true,
                }
            }
        }
        let password_env = [
            &topo.replication.password,
            &topo.replication.rewind.password,
        ]
        .into_iter()
        .filter_map(|p| match p {
            PasswordSource::Env(var) => Some(var.clone()),
            _ => None,
        })
        .collect();
        contexts.push(ClusterContext {
            name: topo.cluster.clone(),
            group: group_name(&topo.cluster),
            major: topo.facts.major,
            hosts,
            password_env,
        });
    }
    // Every setup step of any node, in the order each node runs them: the tasks of one
    // play serve every node, each running the steps it has.
    for steps in &all_steps {
        let mut at = 0;
        for s in steps {
            match setup.iter().position(|t| t.kind == s.kind) {
                Some(p) => at = p + 1,
                None => {
                    setup.insert(at, s);
                    at += 1;
                }
            }
        }
    }
    let tasks: Vec<TaskContext> = setup.iter().map(|s| task(s)).collect();
    let verify: Vec<VerifyPlay> = VERIFICATION_ORDER
        .iter()
        .filter_map(|kind| verify_kinds.get(kind))
        .map(|(s, on_primary, on_standby)| VerifyPlay {
            title: s.title,
            hosts: match (on_primary, on_standby) {
                (true, false) => "pgrepl_primary",
                (false, true) => "pgrepl_standby",
                _ => "pgrepl",
            },
            task: task(s),
        })
        .collect();
    let standbys_in_order: Vec<&str> = contexts
        .iter()
        .flat_map(|c| c.hosts.iter().filter(|h| h.role == "standby"))
        .map(|h| h.name.as_str())
        .collect();
    let ctx = minijinja::context! {
        clusters => contexts,
        standbys => standbys_in_order,
        setup => tasks,
        verify => verify,
    };
    for (path, template) in [
        ("inventory.yml", "ansible/inventory.yml.j2"),
        ("site.yml", "ansible/site.yml.j2"),
        ("setup-steps.yml", "ansible/setup-steps.yml.j2"),
    ] {
        let contents = env
            .get_template(template)
            .and_then(|t| t.render(ctx.clone()))
            .map_err(FleetError::Render)?;
        out.push(Artifact {
            path: path.into(),
            contents,
            mode: MODE_FILE,
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}
