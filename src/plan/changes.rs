//! What changes from one topology to the next, and what a plan refuses to change.
//!
//! Nodes are the same node when they have the same name. Refused, each with a label on the
//! new topology: another major, another cluster name, another firewall or replication role,
//! a layout change, a node moved to another address, a node renamed (a new name on an old
//! node's address and port), and a change of primary (a switchover, planned separately).

use std::collections::BTreeMap;

use crate::diag::Diagnostic;
use crate::render::Artifact;
use crate::topology::doc::{Doc, Seg};
use crate::topology::model::Role;
use crate::topology::valid::ValidTopology;

/// Diagnostic codes of refused changes.
pub mod codes {
    pub const OTHER_MAJOR: &str = "plan::other-major";
    pub const OTHER_CLUSTER: &str = "plan::other-cluster";
    pub const LAYOUT_CHANGED: &str = "plan::layout-changed";
    pub const NODE_MOVED: &str = "plan::node-moved";
    pub const NODE_RENAMED: &str = "plan::node-renamed";
    pub const PRIMARY_CHANGED: &str = "plan::primary-changed";
    pub const NO_FAILOVER: &str = "plan::no-failover";
    pub const REPLICATION_CHANGED: &str = "plan::replication-changed";
}

/// The change, by node. Indices are into the topology named (`old` or `new`).
#[derive(Debug, Default)]
pub struct Changes {
    /// Standbys only NEW has (new index).
    pub added: Vec<usize>,
    /// Standbys only OLD has (old index).
    pub removed: Vec<usize>,
    /// Standbys streaming from another node: (new index, old upstream's name, new upstream).
    pub reparented: Vec<(usize, String, usize)>,
    /// Nodes in both whose configuration files differ (new index).
    pub reconfigured: Vec<usize>,
    /// synchronous_standby_names before and after, when it changes.
    pub sync: Option<(Option<String>, Option<String>)>,
    /// A change of primary: (the old primary, the standby promoted), new indices. A planned
    /// switchover, or with `--failover` a failover.
    pub switchover: Option<(usize, usize)>,
    /// The old primary is gone (`--failover`).
    pub failover: bool,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.reparented.is_empty()
            && self.reconfigured.is_empty()
            && self.sync.is_none()
            && self.switchover.is_none()
    }
}

fn key(k: &str) -> Seg<'_> {
    Seg::Key(k)
}

/// The configuration files of a node (what install-config and enable-synchronous install),
/// by path relative to its directory: a node whose files differ is reconfigured.
fn config_files<'a>(plan: &'a [Artifact], node: &str) -> BTreeMap<&'a str, &'a str> {
    let prefix = format!("{node}/");
    plan.iter()
        .filter_map(|a| Some((a.path.strip_prefix(&prefix)?, a.contents.as_str())))
        .filter(|(p, _)| !p.starts_with(crate::render::RUNBOOK_DIR))
        .collect()
}

/// Compares OLD with NEW (both valid); every refusal at once, labelled in NEW.
pub fn compare(
    old: &ValidTopology,
    new: &ValidTopology,
    old_plan: &[Artifact],
    new_plan: &[Artifact],
    new_doc: &Doc<'_>,
    failover: bool,
) -> Result<Changes, Vec<Diagnostic>> {
    let mut refused = Vec::new();
    let at = |path: &[Seg<'_>]| new_doc.span(path);
    if old.facts.major != new.facts.major {
        refused.push(
            Diagnostic::error(
                codes::OTHER_MAJOR,
                format!(
                    "PostgreSQL {} here, {} in the old topology: a plan changes a cluster within one major",
                    new.facts.major, old.facts.major
                ),
            )
            .label(at(&[key("cluster"), key("pg_version")]), "another major")
            .help("upgrade the servers first (pg_upgrade, or a new cluster and a switch), then plan changes at the new major"),
        );
    }
    if old.cluster != new.cluster {
        refused.push(
            Diagnostic::error(
                codes::OTHER_CLUSTER,
                format!(
                    "cluster \"{}\" here, \"{}\" in the old topology: the name is in every node's files and pg_hba.conf markers",
                    new.cluster, old.cluster
                ),
            )
            .label(at(&[key("cluster"), key("name")]), "another cluster")
            .help("keep the cluster's name; to build another cluster, use `pgrepl gen`"),
        );
    }
    let replication_changed = [
        (old.replication.user != new.replication.user, "user"),
        (
            old.replication.auth_method != new.replication.auth_method,
            "auth_method",
        ),
        (
            old.replication.tls.is_some() != new.replication.tls.is_some(),
            "tls",
        ),
    ];
    for (changed, field) in replication_changed {
        if changed {
            refused.push(
                Diagnostic::error(
                    codes::REPLICATION_CHANGED,
                    format!("replication.{field} changes: every node's role, records and connections change with it"),
                )
                .label(at(&[key("replication"), key(field)]), "changed")
                .help("plan the nodes first with the old value; change it cluster-wide with `pgrepl gen` and the runbook"),
            );
        }
    }
    if old.firewall != new.firewall {
        refused.push(
            Diagnostic::error(
                codes::REPLICATION_CHANGED,
                format!(
                    "the firewall changes from {} to {}",
                    old.firewall.as_str(),
                    new.firewall.as_str()
                ),
            )
            .label(at(&[key("cluster"), key("firewall")]), "changed")
            .help("keep the firewall of the old topology in a plan"),
        );
    }
    let old_by_name: BTreeMap<&str, usize> = old
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.name.as_str(), i))
        .collect();
    let node_path = |name: &str, field: &'static str| -> Vec<Seg<'static>> {
        let i = new_doc_index(new_doc, name);
        vec![key("nodes"), Seg::Index(i), Seg::Key(field)]
    };
    let mut changes = Changes {
        failover,
        ..Changes::default()
    };
    for (i, n) in new.nodes.iter().enumerate() {
        let Some(&o) = old_by_name.get(n.name.as_str()) else {
            let renamed = old.nodes.iter().find(|m| {
                m.host == n.host && m.port == n.port && !new.nodes.iter().any(|k| k.name == m.name)
            });
            if let Some(m) = renamed {
                refused.push(
                    Diagnostic::error(
                        codes::NODE_RENAMED,
                        format!("node \"{}\" is \"{}\" of the old topology renamed (same address and port)", n.name, m.name),
                    )
                    .label(at(&node_path(&n.name, "name")), format!("was \"{}\"", m.name))
                    .help(format!("keep the name \"{}\": a node's name is in its slot, application_name and files", m.name)),
                );
            } else if n.role == Role::Primary {
                // Reported below as a change of primary.
            } else {
                changes.added.push(i);
            }
            continue;
        };
        let m = &old.nodes[o];
        if m.host != n.host || m.port != n.port {
            refused.push(
                Diagnostic::error(
                    codes::NODE_MOVED,
                    format!(
                        "node \"{}\" moves from {}:{} to {}:{}",
                        n.name, m.host, m.port, n.host, n.port
                    ),
                )
                .label(at(&node_path(&n.name, "host")), "another address or port")
                .help("retire the node and add a new one under another name"),
            );
        }
        // Paths hold the major and the cluster's name: refused above already.
        let same_cluster = old.facts.major == new.facts.major && old.cluster == new.cluster;
        if same_cluster
            && serde_json::to_value(&m.layout).ok() != serde_json::to_value(&n.layout).ok()
        {
            let label = match new_doc.get(&[key("layout")]) {
                Some(_) => at(&[key("layout")]),
                None => at(&node_path(&n.name, "name")),
            };
            refused.push(
                Diagnostic::error(
                    codes::LAYOUT_CHANGED,
                    format!(
                        "node \"{}\" gets another layout (paths, user or commands)",
                        n.name
                    ),
                )
                .label(label, "another layout")
                .help(
                    "a plan does not move data directories or configuration; keep the old layout",
                ),
            );
        }
        if m.role != n.role {
            // A switchover: checked as a whole below.
            if config_files(old_plan, &m.name) != config_files(new_plan, &n.name) {
                changes.reconfigured.push(i);
            }
            continue;
        }
        let old_up = m.upstream.map(|u| old.nodes[u].name.clone());
        let new_up = n.upstream;
        if let (Some(before), Some(after)) = (&old_up, new_up) {
            if *before != new.nodes[after].name {
                changes.reparented.push((i, before.clone(), after));
            }
        }
        if config_files(old_plan, &m.name) != config_files(new_plan, &n.name) {
            changes.reconfigured.push(i);
        }
    }
    // Before the change of primary is looked at: a switchover with a retirement is refused
    // (the switchover's steps would leave the retired standby streaming, and its slot).
    for (o, m) in old.nodes.iter().enumerate() {
        if !new.nodes.iter().any(|n| n.name == m.name) && m.role != Role::Primary {
            changes.removed.push(o);
        }
    }
    let primary = |t: &ValidTopology| {
        t.nodes
            .iter()
            .position(|n| n.role == Role::Primary)
            .expect("a valid topology has one primary")
    };
    let (old_p, new_p) = (&old.nodes[primary(old)], &new.nodes[primary(new)]);
    if old_p.name != new_p.name {
        let refuse = |why: String, help: String, field: &'static str, name: &str| {
            Diagnostic::error(codes::PRIMARY_CHANGED, why)
                .label(at(&node_path(name, field)), "the switchover")
                .help(help)
        };
        let candidate = old_by_name.get(new_p.name.as_str()).map(|&o| &old.nodes[o]);
        let direct =
            candidate.is_some_and(|c| c.upstream.map(|u| &old.nodes[u].name) == Some(&old_p.name));
        let demoted = new.nodes.iter().position(|n| n.name == old_p.name);
        if !direct {
            refused.push(refuse(
                format!(
                    "\"{}\" becomes the primary, but it is not a standby streaming from \"{}\" now",
                    new_p.name, old_p.name
                ),
                format!(
                    "switch over to a standby of {} (add the node as one first)",
                    old_p.name
                ),
                "role",
                &new_p.name,
            ));
        } else if demoted.is_none_or(|d| new.nodes[d].upstream != Some(primary(new))) {
            refused.push(refuse(
                format!("the old primary \"{}\" must stay, as a standby of \"{}\"", old_p.name, new_p.name),
                format!("give {} role = \"standby\" (it streams from the new primary); retire it in a later plan", old_p.name),
                "role",
                &new_p.name,
            ));
        } else {
            // Only what the switchover itself moves: the old primary's standbys follow the
            // new one. Anything else is planned before or after.
            let followers_only = changes.reparented.iter().all(|(i, from, to)| {
                *from == old_p.name && *to == primary(new) && new.nodes[*i].name != new_p.name
            });
            if !changes.added.is_empty() || !changes.removed.is_empty() || !followers_only {
                refused.push(refuse(
                    "a switchover is planned alone: this plan also adds, retires or re-parents standbys".into(),
                    "plan the switchover first, then the other changes from its topology".into(),
                    "role",
                    &new_p.name,
                ));
            } else {
                changes.switchover = Some((demoted.expect("checked"), primary(new)));
            }
        }
    } else if failover {
        refused.push(
            Diagnostic::error(
                codes::NO_FAILOVER,
                format!("--failover, but \"{}\" stays the primary", new_p.name),
            )
            .label(at(&node_path(&new_p.name, "role")), "still the primary")
            .help("make the standby to promote the primary in NEW, and the failed primary a standby of it"),
        );
    }
    let names = |t: &ValidTopology| t.sync.as_ref().map(|s| s.standby_names());
    if names(old) != names(new) {
        changes.sync = Some((names(old), names(new)));
    }
    if refused.is_empty() {
        Ok(changes)
    } else {
        Err(refused)
    }
}

/// Where node `name` is in the `nodes` array of the document (its position in the file).
fn new_doc_index(doc: &Doc<'_>, name: &str) -> usize {
    (0..)
        .take_while(|&i| doc.get(&[key("nodes"), Seg::Index(i)]).is_some())
        .find(|&i| {
            doc.get(&[key("nodes"), Seg::Index(i), key("name")])
                .and_then(|v| v.get_ref().as_str())
                == Some(name)
        })
        .unwrap_or(0)
}
