//! What the templates see: a cluster, its nodes and their peers, built once from the
//! validated topology. Every generator (gen's files, RUNBOOK.md) renders from these.

use serde::Serialize;

use crate::catalog::{Feature, StandbySetup};
use crate::pgconf::block;
use crate::topology::model::{PasswordSource, Role};
use crate::topology::valid::{ResolvedLayout, ValidNode, ValidTopology};

use super::artifact::{
    self, DROP_IN, FREEZE_DROP_IN, HBA_BLOCK, LITERAL_SECRET, RECOVERY_CONF, REWIND_SECRET,
    SYNC_DROP_IN,
};
use super::settings::{Setting, primary_conninfo, settings_for, sync_settings_for};
use super::steps::{Step, steps_for};

/// Another node as this node's templates see it.
#[derive(Debug, Serialize)]
pub struct Peer {
    pub name: String,
    pub host: String,
    pub port: u16,
    /// The address range this peer's connections come from (pg_hba.conf / firewall source).
    pub source: String,
    /// `source` without the prefix when it is a single address (ufw's preferred form).
    pub source_addr: String,
    pub slot: Option<String>,
    /// Expected pg_stat_replication.sync_state on this node, for a downstream.
    pub sync_state: String,
    /// Why this node admits the peer.
    pub reason: String,
    /// Whether the expected client address can be checked (single-address source).
    pub check_addr: bool,
}

/// One source address admitted for replication, and why.
#[derive(Debug, Serialize)]
pub struct Source {
    pub source: String,
    pub source_addr: String,
    pub reason: String,
}

/// The peers' sources, each once, in the order they first appear.
fn sources(admits: &[Peer]) -> Vec<Source> {
    let mut out: Vec<Source> = Vec::new();
    for p in admits {
        match out.iter_mut().find(|s| s.source == p.source) {
            Some(s) => {
                s.reason.push_str("; ");
                s.reason.push_str(&p.reason);
            }
            None => out.push(Source {
                source: p.source.clone(),
                source_addr: p.source_addr.clone(),
                reason: p.reason.clone(),
            }),
        }
    }
    out
}

#[derive(Debug, Serialize)]
pub struct NodeContext<'a> {
    pub name: String,
    pub role: &'static str,
    pub host: String,
    /// The address is a loopback one: a lab on one machine, which every host holds.
    pub loopback: bool,
    /// `host:port`, an IPv6 host in brackets, for people to read.
    pub address: String,
    pub port: u16,
    pub layout: &'a ResolvedLayout,
    pub settings: Vec<Setting>,
    /// On the primary of a synchronous cluster: synchronous_standby_names.
    pub sync_settings: Vec<Setting>,
    /// How many of the listed standbys must stream before synchronous replication is on.
    pub sync_count: u32,
    pub sync_standbys: Vec<String>,
    pub upstream: Option<Peer>,
    /// primary_conninfo for a standby.
    pub conninfo: Option<String>,
    pub slot: Option<String>,
    /// Whether the node answers queries (not a standby with hot_standby off).
    pub queryable: bool,
    pub downstream: Vec<Peer>,
    pub admits: Vec<Peer>,
    /// The sources `admits` come from, each once (peers on one address, a lab on loopback,
    /// share one pg_hba.conf record and one firewall rule), with every peer's reason.
    pub sources: Vec<Source>,
    /// Other nodes, for the standby's password file.
    pub others: Vec<Peer>,
    pub steps: Vec<Step>,
    pub verify_steps: Vec<Step>,
}

/// The firewall a cluster's nodes configure, for the templates.
#[derive(Debug, Serialize)]
pub struct FirewallContext {
    /// The tool, as the topology names it (`ufw`).
    pub tool: &'static str,
    /// The node's script that configures it, relative to the node's directory.
    pub script: &'static str,
}

#[derive(Debug, Serialize)]
pub struct ClusterContext {
    pub name: String,
    pub major: u32,
    pub user: String,
    pub auth_method: &'static str,
    /// `env`, `file` or `secret` (a literal copied to secrets/).
    pub password_kind: &'static str,
    /// Variable name or file path.
    pub password_from: String,
    /// The role pg_rewind connects as, and its password's source (as above).
    pub rewind_user: String,
    pub rewind_password_kind: &'static str,
    pub rewind_password_from: String,
    /// The rewind role gets EXECUTE on pg_rewind's functions (11+); before, it is a superuser.
    pub rewind_grants: bool,
    /// pg_rewind takes `--config-file` (15+), for a configuration outside the data directory.
    pub rewind_config_file: bool,
    pub recovery_conf: bool,
    pub follows_latest_timeline: bool,
    /// `pg_promote()` exists (12+); before, a standby is promoted with `pg_ctl promote`.
    pub sql_promote: bool,
    /// Settings only a standby reads: a primary is not restarted for them.
    pub recovery_only: &'static [&'static str],
    /// pg_stat_wal_receiver names the sender's host and port (else only its conninfo).
    pub wal_receiver_sender: bool,
    pub default_password_encryption: &'static str,
    /// `None` when pgrepl leaves the firewall alone.
    pub firewall: Option<FirewallContext>,
    pub sync: Option<String>,
    pub drop_in: &'static str,
    pub sync_drop_in: &'static str,
    pub freeze_drop_in: &'static str,
    /// primary_conninfo changes with a reload (13+): a WAL receiver can be stopped in place.
    pub conninfo_reloads: bool,
    pub hba_block: &'static str,
    /// The first and last lines of the cluster's block in pg_hba.conf.
    pub hba_begin: String,
    pub hba_end: String,
    pub recovery_file: &'static str,
    /// `hostssl` with TLS, else `host`.
    pub hba_type: &'static str,
    /// The CA certificate standbys verify their upstream with, with TLS.
    pub tls_root_cert: Option<String>,
    /// With TLS: the CA, certificate and key files every node must have.
    pub tls_files: Vec<String>,
}

pub fn cluster_context(topo: &ValidTopology) -> ClusterContext {
    let source = |p: &PasswordSource, secret: &str| match p {
        PasswordSource::Env(v) => ("env", v.clone()),
        PasswordSource::File(f) => ("file", f.clone()),
        PasswordSource::Literal(_) => ("secret", secret.to_owned()),
    };
    let (password_kind, password_from) = source(&topo.replication.password, LITERAL_SECRET);
    let (rewind_password_kind, rewind_password_from) =
        source(&topo.replication.rewind.password, REWIND_SECRET);
    ClusterContext {
        name: topo.cluster.clone(),
        major: topo.facts.major,
        user: topo.replication.user.clone(),
        auth_method: topo.replication.auth_method.as_str(),
        password_kind,
        password_from,
        rewind_user: topo.replication.rewind.user.clone(),
        rewind_password_kind,
        rewind_password_from,
        rewind_grants: topo.facts.has(Feature::RewindGrants),
        rewind_config_file: topo.facts.has(Feature::RewindConfigFile),
        recovery_conf: topo.facts.standby_setup == StandbySetup::RecoveryConf,
        follows_latest_timeline: topo.facts.follows_latest_timeline_by_default,
        sql_promote: crate::catalog::has(topo.facts.major, crate::catalog::Feature::SqlPromote),
        recovery_only: crate::catalog::RECOVERY_ONLY,
        wal_receiver_sender: topo.facts.has(Feature::WalReceiverSender),
        default_password_encryption: topo.facts.default_password_encryption,
        firewall: artifact::firewall_script(topo.firewall).map(|script| FirewallContext {
            tool: topo.firewall.as_str(),
            script,
        }),
        sync: topo.sync.as_ref().map(|s| s.standby_names()),
        drop_in: DROP_IN,
        sync_drop_in: SYNC_DROP_IN,
        freeze_drop_in: FREEZE_DROP_IN,
        conninfo_reloads: topo.facts.reloads("primary_conninfo"),
        hba_block: HBA_BLOCK,
        hba_begin: block::hba_begin(&topo.cluster),
        hba_end: block::hba_end(&topo.cluster),
        recovery_file: RECOVERY_CONF,
        hba_type: if topo.replication.tls.is_some() {
            "hostssl"
        } else {
            "host"
        },
        tls_root_cert: topo.replication.tls.as_ref().map(|t| t.ca_file.clone()),
        tls_files: topo
            .replication
            .tls
            .iter()
            .flat_map(|t| [t.ca_file.clone(), t.cert_file.clone(), t.key_file.clone()])
            .collect(),
    }
}

/// A node's addresses as the templates show them, formatted once per node: a node of a large
/// cluster appears as a peer of every other node.
pub struct Addresses {
    host: String,
    source: String,
    source_addr: String,
    single: bool,
}

impl Addresses {
    pub fn of(topo: &ValidTopology) -> Vec<Addresses> {
        topo.nodes
            .iter()
            .map(|p| {
                let single = p.source.prefix_len() == p.source.max_prefix_len();
                let source = p.source.to_string();
                Addresses {
                    host: p.host.to_string(),
                    source_addr: if single {
                        p.source.addr().to_string()
                    } else {
                        source.clone()
                    },
                    source,
                    single,
                }
            })
            .collect()
    }
}

fn peer(
    topo: &ValidTopology,
    addresses: &[Addresses],
    of: &ValidNode,
    idx: usize,
    reason: String,
) -> Peer {
    let p = &topo.nodes[idx];
    let a = &addresses[idx];
    let sync_state = match (&topo.sync, of.role) {
        (Some(sync), Role::Primary) => sync.expected_state(&p.name).to_owned(),
        _ => "async".to_owned(),
    };
    Peer {
        name: p.name.clone(),
        host: a.host.clone(),
        port: p.port,
        source: a.source.clone(),
        source_addr: a.source_addr.clone(),
        slot: p.slot.clone(),
        sync_state,
        reason,
        check_addr: a.single,
    }
}

pub fn node_context<'a>(
    topo: &'a ValidTopology,
    addresses: &[Addresses],
    i: usize,
) -> NodeContext<'a> {
    let n = &topo.nodes[i];
    let upstream = n
        .upstream
        .map(|u| peer(topo, addresses, n, u, format!("{} streams from it", n.name)));
    let downstream: Vec<Peer> = n
        .downstream
        .iter()
        .map(|&d| {
            peer(
                topo,
                addresses,
                n,
                d,
                format!("{} streams from {}", topo.nodes[d].name, n.name),
            )
        })
        .collect();
    let admits: Vec<Peer> = n
        .admits
        .iter()
        .map(|&a| {
            let reason = if n.downstream.contains(&a) {
                format!("{} streams from {}", topo.nodes[a].name, n.name)
            } else {
                format!(
                    "{} would stream from {} after a failover",
                    topo.nodes[a].name, n.name
                )
            };
            peer(topo, addresses, n, a, reason)
        })
        .collect();
    let others = (0..topo.nodes.len())
        .filter(|&j| j != i)
        .map(|j| peer(topo, addresses, n, j, String::new()))
        .collect();
    let (steps, verify_steps) = steps_for(topo, n);
    NodeContext {
        name: n.name.clone(),
        role: n.role.as_str(),
        host: n.host.to_string(),
        loopback: n.host.is_loopback(),
        address: std::net::SocketAddr::new(n.host, n.port).to_string(),
        port: n.port,
        layout: &n.layout,
        settings: settings_for(topo, n),
        sync_settings: sync_settings_for(topo, n),
        sync_count: topo.sync.as_ref().map_or(0, |s| s.count),
        sync_standbys: topo
            .sync
            .as_ref()
            .map(|s| s.standbys.clone())
            .unwrap_or_default(),
        upstream,
        conninfo: n
            .upstream
            .map(|u| primary_conninfo(topo, n, &topo.nodes[u])),
        slot: n.slot.clone(),
        queryable: n.role == Role::Primary || n.settings.hot_standby,
        downstream,
        sources: sources(&admits),
        admits,
        others,
        steps,
        verify_steps,
    }
}
