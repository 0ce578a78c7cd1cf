//! The validated topology: everything resolved, defaulted and cross-checked, ready to render.

use std::net::IpAddr;

use ipnet::IpNet;

use super::model::{AuthMethod, Firewall, PasswordSource, Rewind, Role, SyncMethod, Tls, WalLevel};
use crate::catalog::MajorFacts;

#[derive(Debug, Clone)]
pub struct ValidTopology {
    pub cluster: String,
    pub facts: &'static MajorFacts,
    pub firewall: Firewall,
    /// The clusters were initialised with data checksums (else wal_log_hints is written).
    pub data_checksums: bool,
    pub replication: ValidReplication,
    pub sync: Option<SyncSpec>,
    /// Primary first, then standbys so that every upstream comes before its downstreams
    /// (file order otherwise).
    pub nodes: Vec<ValidNode>,
}

#[derive(Debug, Clone)]
pub struct ValidReplication {
    pub user: String,
    pub auth_method: AuthMethod,
    pub password: PasswordSource,
    pub tls: Option<Tls>,
    pub rewind: Rewind,
}

#[derive(Debug, Clone)]
pub struct SyncSpec {
    pub method: SyncMethod,
    pub count: u32,
    pub standbys: Vec<String>,
}

impl SyncSpec {
    /// The value of `synchronous_standby_names`, e.g. `ANY 1 ("pg2", "pg3")`.
    pub fn standby_names(&self) -> String {
        let names: Vec<String> = self
            .standbys
            .iter()
            .map(|n| crate::pgconf::quote::sql_identifier(n))
            .collect();
        format!(
            "{} {} ({})",
            self.method.keyword(),
            self.count,
            names.join(", ")
        )
    }

    /// `pg_stat_replication.sync_state` the primary should show for a standby.
    pub fn expected_state(&self, standby: &str) -> &'static str {
        match self.standbys.iter().position(|s| s == standby) {
            None => "async",
            Some(_) if self.method == SyncMethod::Any => "quorum",
            Some(i) if (i as u32) < self.count => "sync",
            Some(_) => "potential",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ValidNode {
    pub name: String,
    pub role: Role,
    pub host: IpAddr,
    pub port: u16,
    /// Index (into `ValidTopology::nodes`) of the node this one streams from.
    pub upstream: Option<usize>,
    /// Name of this standby's physical slot on its upstream, when slots are on.
    pub slot: Option<String>,
    /// Where this node's connections come from, as its upstream sees them.
    pub source: IpNet,
    pub settings: EffectiveSettings,
    pub layout: ResolvedLayout,
    /// Nodes streaming from this one.
    pub downstream: Vec<usize>,
    /// Nodes this one must admit for replication: its downstreams, and on a standby every
    /// other node too, so that it can serve them once promoted.
    pub admits: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveSettings {
    pub listen_addresses: String,
    pub wal_level: WalLevel,
    pub max_wal_senders: u32,
    pub wal_keep_mb: u64,
    pub max_replication_slots: u32,
    pub hot_standby: bool,
    /// max_slot_wal_keep_size in MB, when the topology sets it.
    pub max_slot_wal_keep_mb: Option<u64>,
}

/// Paths and commands of one node, placeholders substituted.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ResolvedLayout {
    pub config_dir: String,
    pub data_dir: String,
    pub bin_dir: String,
    pub os_user: String,
    pub socket_dir: String,
    pub superuser: String,
    pub passfile: String,
    /// The server's log file, if the layout knows it.
    pub log: Option<String>,
    pub start: String,
    pub stop: String,
    /// `None`: restart as stop, then start.
    pub restart: Option<String>,
    pub reload: String,
    /// Service commands run as `os_user` (custom layouts, typically `pg_ctl`) rather than
    /// as the invoking administrator (systemd units).
    pub service_as_os_user: bool,
}
