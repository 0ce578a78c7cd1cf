//! Several clusters linted together: which one streams from which, and, with `--topology`,
//! which topology node each one is. Cross-node rules read this.
//!
//! A cluster is a topology node when the user said so (`--node pg-b=PATH`: the cluster at or
//! below PATH), when the node's name is a component of the cluster's path
//! (`hosts/pg-b/etc/postgresql/16/main` is node `pg-b`), or, for a standby, when its
//! primary_conninfo's application_name is the node's name (pgrepl gen writes it so). Without
//! a topology, a standby streams from the one other linted cluster its primary_conninfo can
//! reach: same port, and the host among that cluster's listen_addresses. Anything ambiguous
//! stays unpaired, and the cross-node rules are silent about it.

use std::net::IpAddr;
use std::path::{Component, Path, PathBuf};

use super::cluster::{Cluster, Role};
use crate::catalog::conninfo;
use crate::render::Artifact;
use crate::topology::valid::ValidTopology;

/// The cluster a topology intends, and what `pgrepl gen` writes for it.
pub struct Intended {
    /// The topology file, for messages.
    pub path: PathBuf,
    pub topology: ValidTopology,
    pub plan: Vec<Artifact>,
    /// Nodes placed by the user (`--node NAME=PATH`): node index and absolute path.
    pub placed: Vec<(usize, PathBuf)>,
}

impl Intended {
    /// The intended cluster of a validated topology, rendered with the embedded templates.
    pub fn new(path: &Path, topology: ValidTopology) -> Result<Intended, String> {
        let env = crate::render::templates::environment(None).map_err(|e| e.to_string())?;
        let plan = crate::render::plan(&topology, &env).map_err(|e| format!("{e:#}"))?;
        Ok(Intended {
            path: path.to_path_buf(),
            topology,
            plan,
            placed: Vec::new(),
        })
    }

    /// Says that the cluster at or below `path` is node `name`; an error names the nodes
    /// there are.
    pub fn place(&mut self, name: &str, path: &Path) -> Result<(), String> {
        let nodes = &self.topology.nodes;
        let Some(i) = nodes.iter().position(|n| n.name == name) else {
            let hint =
                match crate::suggest::did_you_mean(name, nodes.iter().map(|n| n.name.as_str())) {
                    Some(s) => format!("did you mean {s}?"),
                    None => format!(
                        "its nodes are {}",
                        nodes
                            .iter()
                            .map(|n| n.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
            return Err(format!(
                "--node {name}={}: {} has no node {name}; {hint}",
                path.display(),
                self.path.display()
            ));
        };
        let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        self.placed.push((i, abs));
        Ok(())
    }
}

pub struct Fleet<'a> {
    pub clusters: &'a [Cluster],
    pub intended: Option<&'a Intended>,
    /// Per cluster: the topology node it is (an index into `topology.nodes`).
    pub node: Vec<Option<usize>>,
    /// Per cluster: the cluster it streams from, when that is one of the linted clusters.
    pub upstream: Vec<Option<usize>>,
}

impl<'a> Fleet<'a> {
    pub fn new(clusters: &'a [Cluster], intended: Option<&'a Intended>) -> Fleet<'a> {
        let node = nodes(clusters, intended);
        let upstream = (0..clusters.len())
            .map(|i| {
                let by_topology = intended.and_then(|t| {
                    let up = t.topology.nodes[node[i]?].upstream?;
                    node.iter().position(|n| *n == Some(up))
                });
                by_topology.or_else(|| reachable_upstream(clusters, i))
            })
            .collect();
        Fleet {
            clusters,
            intended,
            node,
            upstream,
        }
    }

    /// The clusters that stream from cluster `i`.
    pub fn downstream(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.clusters.len()).filter(move |&j| self.upstream[j] == Some(i))
    }
}

/// Per cluster: the topology node it is, if any.
pub fn nodes(clusters: &[Cluster], intended: Option<&Intended>) -> Vec<Option<usize>> {
    clusters
        .iter()
        .map(|c| intended.and_then(|i| node_of(c, i)))
        .collect()
}

/// A standby's source: primary_conninfo from the settings, or from recovery.conf before 12.
pub fn primary_conninfo(c: &Cluster) -> Option<Vec<conninfo::Pair>> {
    let text = c
        .value("primary_conninfo")
        .filter(|v| !v.trim().is_empty())
        .or_else(|| c.recovery_conf_value("primary_conninfo"))?;
    conninfo::parse(&text).ok()
}

/// The name a standby reports to its upstream (`application_name` in pg_stat_replication,
/// what synchronous_standby_names matches): primary_conninfo's application_name, else
/// cluster_name (12+), else "walreceiver".
pub fn standby_name(c: &Cluster) -> String {
    let pairs = primary_conninfo(c).unwrap_or_default();
    if let Some(p) = pairs.iter().rfind(|p| p.keyword == "application_name") {
        return p.value.clone();
    }
    match c.value("cluster_name").filter(|v| !v.is_empty()) {
        Some(name)
            if crate::catalog::has(
                c.major,
                crate::catalog::Feature::ClusterNameAsApplicationName,
            ) =>
        {
            name
        }
        _ => "walreceiver".to_owned(),
    }
}

fn node_of(c: &Cluster, intended: &Intended) -> Option<usize> {
    let topo = &intended.topology;
    let mut paths: Vec<PathBuf> = vec![PathBuf::from(&c.label)];
    paths.extend(c.data_dir.clone());
    // Placed by the user: the deepest --node path at or above the cluster's.
    let placed = paths
        .iter()
        .map(|p| std::path::absolute(p).unwrap_or_else(|_| p.clone()))
        .flat_map(|abs| {
            intended
                .placed
                .iter()
                .filter(move |(_, at)| abs.starts_with(at))
        })
        .max_by_key(|(_, at)| at.components().count());
    if let Some((i, _)) = placed {
        return Some(*i);
    }
    for path in paths {
        let abs = std::path::absolute(&path).unwrap_or(path);
        let names: Vec<&str> = abs
            .components()
            .filter_map(|c| match c {
                Component::Normal(n) => n.to_str(),
                _ => None,
            })
            .collect();
        // The deepest component that names a node.
        for name in names.iter().rev() {
            if let Some(i) = topo.nodes.iter().position(|n| n.name == *name) {
                return Some(i);
            }
        }
    }
    if c.role == Role::Standby {
        let app = standby_name(c);
        return topo.nodes.iter().position(|n| n.name == app);
    }
    None
}

fn port_of(c: &Cluster) -> u32 {
    c.value("port")
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(5432)
}

/// How well `host` names one of cluster `c`'s listening addresses: 2 an exact entry, 1 a
/// wildcard (`*`, `0.0.0.0`, `::`) or loopback for a loopback host, 0 not at all.
fn listens_on(c: &Cluster, host: &str) -> u8 {
    let listen = c.value("listen_addresses").unwrap_or_default();
    let entries: Vec<&str> = listen.split(',').map(str::trim).collect();
    if entries.contains(&host) {
        return 2;
    }
    let loopback = host == "localhost" || host.parse::<IpAddr>().is_ok_and(|a| a.is_loopback());
    let wildcard = entries.iter().any(|e| matches!(*e, "*" | "0.0.0.0" | "::"));
    let local = entries
        .iter()
        .any(|e| *e == "localhost" || e.parse::<IpAddr>().is_ok_and(|a| a.is_loopback()));
    u8::from(wildcard || (loopback && local))
}

fn reachable_upstream(clusters: &[Cluster], i: usize) -> Option<usize> {
    let c = &clusters[i];
    if c.role != Role::Standby {
        return None;
    }
    let pairs = primary_conninfo(c)?;
    let get = |k: &str| {
        pairs
            .iter()
            .rfind(|p| p.keyword == k)
            .map(|p| p.value.as_str())
    };
    let host = get("hostaddr").or(get("host"))?;
    let port: u32 = get("port").map_or(Some(5432), |p| p.parse().ok())?;
    let scored: Vec<(u8, usize)> = clusters
        .iter()
        .enumerate()
        .filter(|(j, other)| *j != i && port_of(other) == port)
        .map(|(j, other)| (listens_on(other, host), j))
        .filter(|(score, _)| *score > 0)
        .collect();
    let best = scored.iter().map(|(s, _)| *s).max()?;
    let mut at_best = scored.iter().filter(|(s, _)| *s == best);
    match (at_best.next(), at_best.next()) {
        (Some((_, j)), None) => Some(*j),
        _ => None,
    }
}

/// Where a finding about a whole cluster points: its postgresql.conf, else its pg_hba.conf.
pub fn anchor(c: &Cluster) -> Option<&Path> {
    c.conf_path().or(c.hba.as_ref().map(|h| h.path.as_path()))
}
