//! The topology file as the user writes it: serde types, also the source of the JSON Schema.
//!
//! These types say what is *well-formed*; `validate` says what is *sensible*. Everything a
//! user may omit has a default here so that the guide's cluster fits in a dozen lines.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A PostgreSQL streaming-replication cluster: one primary and its standbys.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "pgrepl topology")]
pub struct Topology {
    /// What the cluster is called and which PostgreSQL it runs.
    pub cluster: Cluster,
    /// Where PostgreSQL lives on the servers and how it is started and stopped.
    #[serde(default)]
    pub layout: Layout,
    /// The replication role and how standbys stream.
    #[serde(default)]
    pub replication: Replication,
    /// postgresql.conf settings pgrepl manages, for every node (a node may override them).
    #[serde(default)]
    pub postgresql: Settings,
    /// The servers. Exactly one has `role = "primary"`.
    pub nodes: Vec<Node>,
}

/// What the cluster is called and which PostgreSQL it runs.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cluster {
    /// Name of the cluster: lowercase letters, digits, `-` and `_`; used in file names and
    /// in the markers pgrepl writes into pg_hba.conf.
    pub name: String,
    /// PostgreSQL major version on every node (10 to 18).
    #[schemars(range(min = 10, max = 18))]
    pub pg_version: u32,
    /// Firewall to configure on each node, admitting PostgreSQL's port from the replication
    /// peers only: `ufw` (`ufw.sh`), `firewalld` (`firewalld.sh`: a rich rule per peer in
    /// the active zone), `nftables` (`nftables.sh`: a table of pgrepl's own), or `none` to
    /// leave the firewall to you. Default: `firewalld` for the `rhel` layout, else `ufw`.
    pub firewall: Option<Firewall>,
    /// Whether the nodes' clusters were initialised with data checksums (`initdb -k`; the
    /// default from PostgreSQL 18). Without them pgrepl writes `wal_log_hints = on`, which
    /// pg_rewind needs to bring a former primary back as a standby. Default false.
    #[serde(default)]
    pub data_checksums: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Firewall {
    Ufw,
    Firewalld,
    Nftables,
    None,
}

impl Firewall {
    /// As the topology spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Firewall::Ufw => "ufw",
            Firewall::Firewalld => "firewalld",
            Firewall::Nftables => "nftables",
            Firewall::None => "none",
        }
    }

    /// What a layout's distribution runs when the topology does not say: firewalld on
    /// RHEL and its rebuilds, ufw elsewhere.
    pub fn default_for(layout: LayoutKind) -> Firewall {
        match layout {
            LayoutKind::Rhel => Firewall::Firewalld,
            LayoutKind::Debian | LayoutKind::Custom => Firewall::Ufw,
        }
    }
}

/// Where PostgreSQL lives on the servers. `kind` picks the defaults; any field given here
/// overrides them. Paths and commands may use the placeholders `{node}`, `{port}`,
/// `{version}`, `{cluster}`, and in commands also `{bin_dir}`, `{data_dir}`, `{config_dir}`
/// (substituted shell-quoted).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// `debian`: /etc/postgresql/V/C + /var/lib/postgresql/V/C, systemd `postgresql@V-C`;
    /// `rhel`: /var/lib/pgsql/V/data, systemd `postgresql-V`;
    /// `custom`: nothing assumed (data_dir, bin_dir, passfile, start and stop are required).
    #[serde(default)]
    pub kind: LayoutKind,
    /// Debian cluster name (the `C` in /etc/postgresql/V/C). Default `main`.
    pub debian_cluster: Option<String>,
    /// Directory holding postgresql.conf and pg_hba.conf.
    pub config_dir: Option<String>,
    /// The data directory (PGDATA).
    pub data_dir: Option<String>,
    /// Directory of the server's own-major `postgres`, `pg_ctl`, `psql`, `pg_basebackup`.
    pub bin_dir: Option<String>,
    /// Operating-system user that owns the data directory and runs the server.
    pub os_user: Option<String>,
    /// Unix-socket directory the runbooks use to reach the local server as superuser.
    pub socket_dir: Option<String>,
    /// Database superuser the runbooks connect as over the local socket. Default `postgres`.
    pub superuser: Option<String>,
    /// Password file (libpq passfile) a standby uses to authenticate as the replication role;
    /// written 0600 and owned by `os_user`.
    pub passfile: Option<String>,
    /// The server's log file, which runbook steps read to say why replication fails.
    /// Default: Debian's /var/log/postgresql/postgresql-V-C.log; otherwise the file
    /// logging_collector writes at the time (pg_current_logfile()), if it runs.
    pub log: Option<String>,
    /// Command that starts the server (run as `os_user` in the custom layout, else as root).
    pub start: Option<String>,
    /// Command that stops the server.
    pub stop: Option<String>,
    /// Command that restarts the server. Default: stop, then start.
    pub restart: Option<String>,
    /// Command that makes the server re-read its configuration.
    pub reload: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LayoutKind {
    #[default]
    Debian,
    Rhel,
    Custom,
}

/// The replication role and how standbys stream.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Replication {
    /// Name of the role standbys connect as (created with REPLICATION LOGIN).
    #[serde(default = "default_user")]
    pub user: String,
    /// Authentication method in pg_hba.conf. `md5` is accepted with a warning.
    #[serde(default)]
    pub auth_method: AuthMethod,
    /// Where the runbooks read the role's password at run time. Default:
    /// `{ env = "PGREPL_REPLICATION_PASSWORD" }`.
    #[serde(default)]
    pub password: PasswordSource,
    /// Give every standby a physical replication slot on its upstream, so WAL it still needs
    /// is never recycled.
    #[serde(default = "default_true")]
    pub slots: bool,
    /// Synchronous replication. Absent: asynchronous.
    pub synchronous: Option<Synchronous>,
    /// Encrypt and authenticate replication with TLS: every node serves `ssl = on` with its
    /// certificate, pg_hba.conf admits replication over `hostssl` only, and standbys connect
    /// with `sslmode=verify-full`, so they stream only from a server whose certificate the CA
    /// signed for the address they dial. Absent: TLS is neither required nor verified.
    pub tls: Option<Tls>,
    /// The role `pg_rewind` connects as when a former primary rejoins (a failover, a switchover
    /// that went wrong): every node gets it, its pg_hba.conf records from every peer and its
    /// password-file entries, so any node can be the source of a rewind.
    #[serde(default)]
    pub rewind: Rewind,
}

/// The rewind role: LOGIN only, with EXECUTE on the four functions pg_rewind calls (a
/// superuser on PostgreSQL 10, which cannot grant them), in the `postgres` database.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rewind {
    /// Name of the role.
    #[serde(default = "default_rewind_user")]
    pub user: String,
    /// Where the runbooks read its password at run time. Default:
    /// `{ env = "PGREPL_REWIND_PASSWORD" }`.
    #[serde(default = "default_rewind_password")]
    pub password: PasswordSource,
}

impl Default for Rewind {
    fn default() -> Self {
        Rewind {
            user: default_rewind_user(),
            password: default_rewind_password(),
        }
    }
}

fn default_rewind_user() -> String {
    "pgrepl_rewind".to_owned()
}

fn default_rewind_password() -> PasswordSource {
    PasswordSource::Env("PGREPL_REWIND_PASSWORD".to_owned())
}

/// Certificate files, the same paths on every node (each node's own certificate and key).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    /// The CA certificate that signed every node's server certificate (standbys verify their
    /// upstream with it: `sslrootcert`).
    pub ca_file: String,
    /// This node's server certificate (`ssl_cert_file`); its subjectAltName must hold the
    /// address peers dial.
    pub cert_file: String,
    /// This node's private key (`ssl_key_file`), readable only by the server's OS user.
    pub key_file: String,
}

impl Default for Replication {
    fn default() -> Self {
        Replication {
            user: default_user(),
            auth_method: AuthMethod::default(),
            password: PasswordSource::default(),
            slots: true,
            synchronous: None,
            tls: None,
            rewind: Rewind::default(),
        }
    }
}

fn default_user() -> String {
    "replicator".to_owned()
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum AuthMethod {
    #[default]
    #[serde(rename = "scram-sha-256")]
    ScramSha256,
    #[serde(rename = "md5")]
    Md5,
}

impl AuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ScramSha256 => "scram-sha-256",
            AuthMethod::Md5 => "md5",
        }
    }
}

/// Where the replication password comes from when a runbook runs. Exactly one key.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum PasswordSource {
    /// Name of an environment variable holding the password.
    Env(String),
    /// Path of a file (on the server) whose first line is the password.
    File(String),
    /// The password itself. Discouraged: it then sits in the topology file and in
    /// `secrets/` of the output.
    Literal(String),
}

impl Default for PasswordSource {
    fn default() -> Self {
        PasswordSource::Env("PGREPL_REPLICATION_PASSWORD".to_owned())
    }
}

/// Synchronous replication, rendered as `synchronous_standby_names`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Synchronous {
    /// `first`: the first `count` listed standbys are synchronous (priority);
    /// `any`: a commit waits for any `count` of them (quorum).
    pub method: SyncMethod,
    /// How many standbys must confirm each commit.
    #[serde(default = "default_count")]
    #[schemars(range(min = 1))]
    pub count: u32,
    /// Standby node names, in priority order. Default: every standby streaming from the primary.
    pub standbys: Option<Vec<String>>,
}

fn default_count() -> u32 {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SyncMethod {
    First,
    Any,
}

impl SyncMethod {
    pub fn keyword(self) -> &'static str {
        match self {
            SyncMethod::First => "FIRST",
            SyncMethod::Any => "ANY",
        }
    }
}

/// postgresql.conf settings pgrepl manages. Cluster-wide in `[postgresql]`; a node's
/// `[nodes.postgresql]` overrides single values.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Addresses the server listens on. Default `*` (pg_hba.conf and the firewall restrict
    /// who may connect).
    pub listen_addresses: Option<String>,
    /// Amount of WAL detail: `replica` (default) or `logical`.
    pub wal_level: Option<WalLevel>,
    /// Maximum concurrent WAL sender processes. Default 10.
    #[schemars(range(min = 0, max = 262143))]
    pub max_wal_senders: Option<u32>,
    /// WAL kept for standbys that fall behind, with a unit (`kB`, `MB`, `GB`, `TB`; a bare
    /// number means MB). Rendered as `wal_keep_segments` before PostgreSQL 13. Default `1GB`.
    pub wal_keep_size: Option<SizeValue>,
    /// Maximum replication slots. Default 10.
    #[schemars(range(min = 0, max = 262143))]
    pub max_replication_slots: Option<u32>,
    /// Whether a standby accepts read-only queries. Default true.
    pub hot_standby: Option<bool>,
    /// Most WAL a replication slot may hold back (PostgreSQL 13+), with a unit as for
    /// `wal_keep_size`: past it the slot is invalidated and only its standby needs a new
    /// base backup. Without it a standby that stops consuming fills pg_wal's disk and stops
    /// the primary; `check` warns when slots are used without it. Set it well below the free
    /// space of pg_wal's disk.
    pub max_slot_wal_keep_size: Option<SizeValue>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WalLevel {
    Minimal,
    Replica,
    Logical,
}

impl WalLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            WalLevel::Minimal => "minimal",
            WalLevel::Replica => "replica",
            WalLevel::Logical => "logical",
        }
    }
}

/// A size with a unit as PostgreSQL writes it (`"64MB"`), or a bare number of megabytes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum SizeValue {
    Megabytes(u64),
    Text(String),
}

/// One PostgreSQL server.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Unique node name: lowercase letters, digits, `-` and `_`. Names the output directory,
    /// the standby's `application_name` and its replication slot.
    pub name: String,
    /// `primary` or `standby`.
    pub role: Role,
    /// The node's IP address (IPv4 or IPv6), as its peers reach it.
    pub host: String,
    /// TCP port. Default 5432.
    #[serde(default = "default_port")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: u32,
    /// For a standby: the node it streams from. Default: the primary. Naming another standby
    /// makes this a cascading standby.
    pub upstream: Option<String>,
    /// For a standby: override `replication.slots` for this node.
    pub slot: Option<bool>,
    /// Address range this node's connections come from, as seen by its upstream, when it is
    /// not `host` (NAT, several interfaces). Must be a single address (/32, /128) unless
    /// `allow_wide_source` is true.
    pub source: Option<String>,
    /// Accept a `source` wider than one address.
    #[serde(default)]
    pub allow_wide_source: bool,
    /// Per-node overrides of `[postgresql]`.
    #[serde(default)]
    pub postgresql: Settings,
}

fn default_port() -> u32 {
    5432
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Primary,
    Standby,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Primary => "primary",
            Role::Standby => "standby",
        }
    }
}

/// The JSON Schema of the topology file, as committed in `schemas/topology.schema.json`.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Topology)).expect("a schema is plain JSON")
}
