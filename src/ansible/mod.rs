//! `pgrepl ansible` (and `pgrepl plan --ansible`): gen's output, pushed by Ansible.
//!
//! One source of truth: a playbook ships each node's rendered files (the very bytes `gen` or
//! `plan` writes) to the node and runs its steps there, in RUNBOOK.md's (or PLAN.md's)
//! order. What Ansible needs besides is data the steps already carry: which steps a node
//! runs, what each leaves behind (`steps::Effect`, for `changed_when` and check mode) and
//! which read passwords (`no_log`). Secrets are shipped apart, so that the rest shows as
//! diffs.

use std::collections::{BTreeMap, BTreeSet};

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

impl From<minijinja::Error> for FleetError {
    fn from(e: minijinja::Error) -> Self {
        FleetError::Render(e)
    }
}

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
    /// Where its files are, under the playbook's directory, and its password files.
    source: String,
    secrets_source: String,
    /// The node's files, relative to its directory: copied one by one, so that check mode
    /// shows each one's diff.
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

/// A task running one step.
#[derive(Serialize)]
pub struct Task {
    pub title: String,
    pub kind: &'static str,
    /// The script under runbook/; empty: the node's own step of `kind`, if it has one.
    pub script: String,
    /// Its arguments, as YAML scalars.
    pub args: Vec<String>,
    /// Where its result goes (a later task may read its last line).
    pub register: String,
    pub effect: Effect,
    pub reads_passwords: bool,
}

/// A verification play: one step kind, on the nodes that have it.
#[derive(Serialize)]
struct VerifyPlay {
    title: &'static str,
    /// `pgrepl_primary`, `pgrepl_standby`, or `pgrepl` for both.
    hosts: &'static str,
    task: Task,
}

/// A play of a plan: a section of PLAN.md, on one node.
#[derive(Serialize)]
pub struct PlanPlay {
    pub title: String,
    pub node: String,
    pub tasks: Vec<Task>,
}

/// The inventory group of a cluster: Ansible's group names take no `-`.
pub fn group_name(cluster: &str) -> String {
    format!("pgrepl_{}", cluster.replace('-', "_"))
}

/// The inventory hostname of a node.
pub fn host_name(cluster: &str, node: &str) -> String {
    format!("{cluster}-{node}")
}

/// An argument that is the last line a task registered as `register` printed on `host` (a
/// hostvars key, or an expression giving one). In check mode that task did not run.
pub fn output_of(host: &str, register: &str) -> String {
    format!(
        "\"{{{{ hostvars[{host}].{register}.stdout_lines | default([0], true) | last | string }}}}\""
    )
}

/// The register name of a plan task of `kind`.
pub fn register_of(kind: &str) -> String {
    format!("pgrepl_{}", kind.replace('-', "_"))
}

fn task(s: &Step) -> Task {
    Task {
        // The step's --restart is the playbook's pgrepl_allow_restart.
        title: match s.kind {
            "apply-config" => {
                "Start or reload PostgreSQL (restart only with pgrepl_allow_restart=true)".into()
            }
            _ => s.title.to_owned(),
        },
        kind: s.kind,
        script: String::new(),
        args: Vec::new(),
        register: if s.kind == "write-probe" {
            register_of(s.kind)
        } else {
            "pgrepl_step".into()
        },
        effect: s.effect,
        reads_passwords: s.reads_passwords,
    }
}

/// Node `i` of `topo` as an inventory host, running `steps` (`steps_for`'s, both lists); its
/// files are `artifacts` under `<node>/`, found under `source_root/<node>` (and
/// `secrets_root/<node>`) beside the playbook.
fn host(
    topo: &ValidTopology,
    i: usize,
    steps: &[&Step],
    artifacts: &[Artifact],
    source_root: &str,
    secrets_root: &str,
) -> HostContext {
    let n = &topo.nodes[i];
    let lab = topo.nodes.iter().all(|n| n.host.is_loopback());
    let primary = topo
        .nodes
        .iter()
        .find(|n| n.role == Role::Primary)
        .map(|n| host_name(&topo.cluster, &n.name))
        .unwrap_or_default();
    let prefix = format!("{}/", n.name);
    let mut files = Vec::new();
    let mut secrets = Vec::new();
    let mut dirs = BTreeSet::new();
    for a in artifacts {
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
    let join = |root: &str| {
        if root.is_empty() {
            n.name.clone()
        } else {
            format!("{root}/{}", n.name)
        }
    };
    HostContext {
        name: host_name(&topo.cluster, &n.name),
        node: n.name.clone(),
        role: match n.role {
            Role::Primary => "primary",
            Role::Standby => "standby",
        },
        address: (!lab).then(|| n.host.to_string()),
        primary,
        steps: steps.iter().map(|s| (s.kind, s.file.clone())).collect(),
        source: join(source_root),
        secrets_source: join(secrets_root),
        files,
        dirs: dirs.into_iter().collect(),
        secrets,
    }
}

fn cluster(topo: &ValidTopology, hosts: Vec<HostContext>) -> ClusterContext {
    ClusterContext {
        name: topo.cluster.clone(),
        group: group_name(&topo.cluster),
        major: topo.facts.major,
        hosts,
        password_env: [
            &topo.replication.password,
            &topo.replication.rewind.password,
        ]
        .into_iter()
        .filter_map(|p| match p {
            PasswordSource::Env(var) => Some(var.clone()),
            _ => None,
        })
        .collect(),
    }
}

fn render_file(
    env: &Environment<'_>,
    path: &str,
    template: &str,
    ctx: &minijinja::Value,
) -> Result<Artifact, minijinja::Error> {
    Ok(Artifact {
        path: path.into(),
        contents: env.get_template(template)?.render(ctx.clone())?,
        mode: MODE_FILE,
    })
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
        let files_root = format!("{FILES_DIR}/{}", topo.cluster);
        let secrets_root = format!("{SECRETS_DIR}/{}", topo.cluster);
        let mut hosts = Vec::new();
        for (i, n) in topo.nodes.iter().enumerate() {
            let (steps, verify) = render::steps::steps_for(topo, n);
            let all: Vec<&Step> = steps.iter().chain(&verify).collect();
            hosts.push(host(
                topo,
                i,
                &all,
                &c.artifacts,
                &files_root,
                &secrets_root,
            ));
            all_steps.push(steps);
            for s in verify {
                let entry = verify_kinds.entry(s.kind).or_insert((s, false, false));
                match n.role {
                    Role::Primary => entry.1 = true,
                    Role::Standby => entry.2 = true,
                }
            }
        }
        contexts.push(cluster(topo, hosts));
    }
    // Every setup step of any node, in the order each node runs them: the tasks of one
    // play serve every node, each running the steps it has.
    let mut setup: Vec<&Step> = Vec::new();
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
    let tasks: Vec<Task> = setup.iter().map(|s| task(s)).collect();
    let verify: Vec<VerifyPlay> = VERIFICATION_ORDER
        .iter()
        .filter_map(|kind| verify_kinds.get(kind))
        .map(|(s, on_primary, on_standby)| {
            let mut task = task(s);
            if s.kind == "check-probe" {
                // The token the primary's write-probe step printed last.
                task.args.push(output_of(
                    "pgrepl_primary_host",
                    &register_of("write-probe"),
                ));
            }
            VerifyPlay {
                title: s.title,
                hosts: match (on_primary, on_standby) {
                    (true, false) => "pgrepl_primary",
                    (false, true) => "pgrepl_standby",
                    _ => "pgrepl",
                },
                task,
            }
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
    out.push(render_file(
        env,
        "inventory.yml",
        "ansible/inventory.yml.j2",
        &ctx,
    )?);
    out.push(render_file(env, "site.yml", "ansible/site.yml.j2", &ctx)?);
    out.push(render_file(
        env,
        "setup-steps.yml",
        "ansible/setup-steps.yml.j2",
        &ctx,
    )?);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// A plan's inventory and playbook (`inventory.yml`, `plan.yml`, beside PLAN.md): one play
/// per section, on its node. The plan's node directories are `artifacts`; a node of `new`
/// is described by `new`, a retired one by `old`. `later`: the node whose plays wait until
/// its host is back (a failed primary), tagged `never, rejoin`.
pub fn plan_playbook(
    old: &ValidTopology,
    new: &ValidTopology,
    plays: &[PlanPlay],
    artifacts: &[Artifact],
    later: Option<&str>,
    env: &Environment<'_>,
) -> Result<Vec<Artifact>, minijinja::Error> {
    let mut nodes: Vec<&str> = Vec::new();
    for p in plays {
        if !nodes.contains(&p.node.as_str()) {
            nodes.push(&p.node);
        }
    }
    let mut hosts = Vec::new();
    for name in &nodes {
        let (topo, i) = match new.nodes.iter().position(|n| n.name == *name) {
            Some(i) => (new, i),
            None => (
                old,
                old.nodes
                    .iter()
                    .position(|n| n.name == *name)
                    .expect("a plan's node is in one of the topologies"),
            ),
        };
        let (steps, verify) = render::steps::steps_for(topo, &topo.nodes[i]);
        let all: Vec<&Step> = steps.iter().chain(&verify).collect();
        hosts.push(host(topo, i, &all, artifacts, "", ""));
    }
    // From the first play on the node that is down, every play waits for it.
    let first_later = later.and_then(|l| plays.iter().position(|p| p.node == l));
    let plays: Vec<minijinja::Value> = plays
        .iter()
        .enumerate()
        .map(|(k, p)| {
            minijinja::context! {
                title => p.title,
                host => host_name(&new.cluster, &p.node),
                later => first_later.is_some_and(|f| k >= f),
                tasks => p.tasks.iter().map(minijinja::Value::from_serialize).collect::<Vec<_>>(),
            }
        })
        .collect();
    let ctx = minijinja::context! {
        clusters => vec![cluster(new, hosts)],
        standbys => Vec::<String>::new(),
        plays => plays,
        later => later.map(|l| host_name(&new.cluster, l)),
    };
    Ok(vec![
        render_file(env, "inventory.yml", "ansible/inventory.yml.j2", &ctx)?,
        render_file(env, "plan.yml", "ansible/plan.yml.j2", &ctx)?,
    ])
}
