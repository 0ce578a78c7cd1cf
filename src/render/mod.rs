//! Topology → plan of artifacts: every file `gen` writes, with its contents and mode.
//!
//! The plan is built completely in memory before anything touches the disk, so a template
//! error can never leave half an output directory behind.

pub mod base;
pub mod output;
pub mod templates;

use minijinja::Environment;
use serde::Serialize;

use crate::catalog::{self, Context, MajorFacts, StandbySetup, WalKeep};
use crate::pgconf::{quote, units};
use crate::topology::model::{Firewall, PasswordSource, Role};
use crate::topology::valid::{ValidNode, ValidTopology};

/// One file of the output, path relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub path: String,
    pub contents: String,
    pub mode: u32,
}

pub const MODE_FILE: u32 = 0o644;
pub const MODE_SCRIPT: u32 = 0o755;
pub const MODE_SECRET: u32 = 0o600;

/// Where a literal password is copied so that scripts can read it without holding it.
const LITERAL_SECRET: &str = "secrets/replication-password";

/// A postgresql.conf setting pgrepl writes, with what the server will report for it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Setting {
    pub name: &'static str,
    /// As written in postgresql.conf.
    pub value: String,
    /// As `SHOW` prints it on the running server.
    pub show: String,
    /// As `postgres -C` and `pg_settings.setting` print it (base unit, no unit suffix).
    pub raw: String,
    /// One line saying why, written next to the setting.
    pub why: String,
    pub restart: bool,
}

fn setting(
    facts: &MajorFacts,
    name: &'static str,
    value: String,
    show: String,
    raw: String,
    why: String,
) -> Setting {
    let restart = facts.context(name) == Some(Context::Postmaster);
    Setting {
        name,
        value,
        show,
        raw,
        why,
        restart,
    }
}

/// The connection string a standby uses to reach `upstream`: only keywords every libpq
/// since 10 knows, so any major's walreceiver accepts it.
pub fn primary_conninfo(topo: &ValidTopology, node: &ValidNode, upstream: &ValidNode) -> String {
    let q = quote::conninfo_value;
    let mut conninfo = format!(
        "host={} port={} user={} passfile={} application_name={}",
        q(&upstream.host.to_string()),
        upstream.port,
        q(&topo.replication.user),
        q(&node.layout.passfile),
        q(&node.name)
    );
    if let Some(tls) = &topo.replication.tls {
        conninfo.push_str(&format!(
            " sslmode=verify-full sslrootcert={}",
            q(&tls.ca_file)
        ));
    }
    conninfo
}

pub(crate) fn settings_for(topo: &ValidTopology, node: &ValidNode) -> Vec<Setting> {
    let s = &node.settings;
    let facts = topo.facts;
    let setting = |name, value, show, raw, why| setting(facts, name, value, show, raw, why);
    let mut out = Vec::new();
    out.push(setting(
        "listen_addresses",
        quote::conf_string(&s.listen_addresses),
        s.listen_addresses.clone(),
        s.listen_addresses.clone(),
        "peers connect over the network; pg_hba.conf and the firewall decide who may".into(),
    ));
    out.push(setting(
        "port",
        node.port.to_string(),
        node.port.to_string(),
        node.port.to_string(),
        "the port every peer and runbook of this cluster uses for this node".into(),
    ));
    out.push(setting(
        "wal_level",
        s.wal_level.as_str().into(),
        s.wal_level.as_str().into(),
        s.wal_level.as_str().into(),
        "WAL must carry what a standby needs to replay".into(),
    ));
    let streams = node.downstream.len();
    out.push(setting(
        "max_wal_senders",
        s.max_wal_senders.to_string(),
        s.max_wal_senders.to_string(),
        s.max_wal_senders.to_string(),
        match streams {
            0 => "none stream from here now; room for a clone's pg_basebackup and for peers after a promotion".to_owned(),
            1 => "1 standby streams from here, plus 2 for a clone's pg_basebackup and room to grow".to_owned(),
            n => format!("{n} standbys stream from here, plus 2 for a clone's pg_basebackup and room to grow"),
        },
    ));
    match topo.facts.wal_keep {
        WalKeep::Size => out.push(setting(
            "wal_keep_size",
            quote::conf_string(&units::show_megabytes(s.wal_keep_mb)),
            units::show_megabytes(s.wal_keep_mb),
            s.wal_keep_mb.to_string(),
            "WAL kept for a standby that falls behind, so it can catch up without a new base backup".into(),
        )),
        WalKeep::Segments => {
            let segments = s.wal_keep_mb.div_ceil(catalog::WAL_SEGMENT_MB);
            out.push(setting(
                "wal_keep_segments",
                segments.to_string(),
                segments.to_string(),
                segments.to_string(),
                format!(
                    "{} of WAL in {}MB segments (wal_keep_size arrives in PostgreSQL 13)",
                    units::show_megabytes(s.wal_keep_mb),
                    catalog::WAL_SEGMENT_MB
                ),
            ));
        }
    }
    out.push(setting(
        "max_replication_slots",
        s.max_replication_slots.to_string(),
        s.max_replication_slots.to_string(),
        s.max_replication_slots.to_string(),
        match node
            .downstream
            .iter()
            .filter(|&&d| topo.nodes[d].slot.is_some())
            .count()
        {
            0 => "no standby holds a slot here now; room for slots after a promotion".to_owned(),
            1 => "1 standby holds a slot here, plus room to grow".to_owned(),
            n => format!("{n} standbys hold a slot here, plus room to grow"),
        },
    ));
    let hs = if s.hot_standby { "on" } else { "off" };
    out.push(setting(
        "hot_standby",
        hs.into(),
        hs.into(),
        hs.into(),
        if s.hot_standby {
            "a standby answers read-only queries (no effect on a primary)".into()
        } else {
            "a standby refuses queries while it replays (no effect on a primary)".into()
        },
    ));
    if let Some(tls) = &topo.replication.tls {
        out.push(setting(
            "ssl",
            "on".into(),
            "on".into(),
            "on".into(),
            "replication is admitted over TLS only (hostssl) and standbys verify this server"
                .into(),
        ));
        for (name, path, what) in [
            (
                "ssl_cert_file",
                &tls.cert_file,
                "this server's certificate, signed by the cluster's CA",
            ),
            (
                "ssl_key_file",
                &tls.key_file,
                "its private key, readable only by the server's OS user",
            ),
        ] {
            out.push(setting(
                name,
                quote::conf_string(path),
                path.clone(),
                path.clone(),
                what.into(),
            ));
        }
    }
    if let (Some(up), StandbySetup::StandbySignal) = (node.upstream, facts.standby_setup) {
        let up = &topo.nodes[up];
        let conninfo = primary_conninfo(topo, node, up);
        out.push(setting(
            "primary_conninfo",
            quote::conf_string(&conninfo),
            conninfo.clone(),
            conninfo,
            format!(
                "stream from {} as {}; the password is in the 0600 passfile",
                up.name, topo.replication.user
            ),
        ));
        if let Some(slot) = &node.slot {
            out.push(setting(
                "primary_slot_name",
                quote::conf_string(slot),
                slot.clone(),
                slot.clone(),
                format!(
                    "{} keeps the WAL this standby still needs in this slot",
                    up.name
                ),
            ));
        }
    }
    out
}

/// The primary's synchronous-replication setting, kept apart: turned on only once enough
/// standbys stream, or every commit would wait for standbys that do not exist yet.
fn sync_settings_for(topo: &ValidTopology, node: &ValidNode) -> Vec<Setting> {
    let facts = topo.facts;
    match (&topo.sync, node.role) {
        (Some(sync), Role::Primary) => {
            let names = sync.standby_names();
            vec![setting(
                facts,
                "synchronous_standby_names",
                quote::conf_string(&names),
                names.clone(),
                names,
                format!(
                    "a commit waits until {} {} of the listed standbys confirm it",
                    sync.method.keyword().to_ascii_lowercase(),
                    sync.count
                ),
            )]
        }
        _ => Vec::new(),
    }
}

#[derive(Serialize)]
struct Peer {
    name: String,
    host: String,
    port: u16,
    /// The address range this peer's connections come from (pg_hba.conf / ufw source).
    source: String,
    /// `source` without the prefix when it is a single address (ufw's preferred form).
    source_addr: String,
    slot: Option<String>,
    /// Expected pg_stat_replication.sync_state on this node, for a downstream.
    sync_state: String,
    /// Why this node admits the peer.
    reason: String,
    /// Whether the expected client address can be checked (single-address source).
    check_addr: bool,
}

#[derive(Serialize)]
struct Step {
    /// The template name, e.g. `verify-senders`.
    kind: &'static str,
    file: String,
    title: &'static str,
    proves: &'static str,
    args: &'static str,
}

#[derive(Serialize)]
struct NodeContext {
    name: String,
    role: &'static str,
    host: String,
    port: u16,
    layout: LayoutContext,
    settings: Vec<Setting>,
    /// On the primary of a synchronous cluster: synchronous_standby_names.
    sync_settings: Vec<Setting>,
    /// How many of the listed standbys must stream before synchronous replication is on.
    sync_count: u32,
    sync_standbys: Vec<String>,
    upstream: Option<Peer>,
    /// primary_conninfo for a standby.
    conninfo: Option<String>,
    slot: Option<String>,
    /// Whether the node answers queries (not a standby with hot_standby off).
    queryable: bool,
    downstream: Vec<Peer>,
    admits: Vec<Peer>,
    /// Other nodes, for the standby's password file.
    others: Vec<Peer>,
    steps: Vec<Step>,
    verify_steps: Vec<Step>,
}

#[derive(Serialize)]
struct LayoutContext {
    config_dir: String,
    data_dir: String,
    bin_dir: String,
    os_user: String,
    socket_dir: String,
    superuser: String,
    passfile: String,
    start: String,
    stop: String,
    restart: Option<String>,
    reload: String,
    service_as_os_user: bool,
}

#[derive(Serialize)]
struct ClusterContext {
    name: String,
    major: u32,
    user: String,
    auth_method: &'static str,
    /// `env`, `file` or `secret` (a literal copied to secrets/).
    password_kind: &'static str,
    /// Variable name or file path.
    password_from: String,
    recovery_conf: bool,
    follows_latest_timeline: bool,
    default_password_encryption: &'static str,
    firewall: bool,
    sync: Option<String>,
    drop_in: &'static str,
    sync_drop_in: &'static str,
    hba_block: &'static str,
    recovery_file: &'static str,
    /// `hostssl` with TLS, else `host`.
    hba_type: &'static str,
    /// The CA certificate standbys verify their upstream with, with TLS.
    tls_root_cert: Option<String>,
    /// With TLS: the CA, certificate and key files every node must have.
    tls_files: Vec<String>,
}

/// Where the drop-in lives inside the output, and on the server under the config dir.
pub const DROP_IN: &str = "conf.d/pgrepl-replication.conf";
/// The primary's synchronous_standby_names, installed once the standbys stream.
pub const SYNC_DROP_IN: &str = "conf.d/pgrepl-synchronous.conf";
pub const HBA_BLOCK: &str = "pg_hba-replication.conf";
/// A standby's recovery.conf before PostgreSQL 12, installed into the data directory.
pub const RECOVERY_CONF: &str = "recovery.conf";

/// A node's addresses as the templates show them, formatted once per node: a node of a large
/// cluster appears as a peer of every other node.
struct Addresses {
    host: String,
    source: String,
    source_addr: String,
    single: bool,
}

impl Addresses {
    fn of(topo: &ValidTopology) -> Vec<Addresses> {
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

fn node_context(topo: &ValidTopology, addresses: &[Addresses], i: usize) -> NodeContext {
    let n = &topo.nodes[i];
    let l = &n.layout;
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
    let admits = n
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
        port: n.port,
        layout: LayoutContext {
            config_dir: l.config_dir.clone(),
            data_dir: l.data_dir.clone(),
            bin_dir: l.bin_dir.clone(),
            os_user: l.os_user.clone(),
            socket_dir: l.socket_dir.clone(),
            superuser: l.superuser.clone(),
            passfile: l.passfile.clone(),
            start: l.start.clone(),
            stop: l.stop.clone(),
            restart: l.restart.clone(),
            reload: l.reload.clone(),
            service_as_os_user: l.service_as_os_user,
        },
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
        admits,
        others,
        steps,
        verify_steps,
    }
}

/// (template, title, what it proves, arguments the operator passes)
type StepDef = (&'static str, &'static str, &'static str, &'static str);

const CREATE_ROLE: StepDef = (
    "create-role",
    "Create or update the replication role",
    "the role exists with REPLICATION LOGIN and a password hash pg_hba.conf's method accepts",
    "",
);
const INSTALL_CONFIG: StepDef = (
    "install-config",
    "Install postgresql.conf drop-in and pg_hba.conf rules",
    "the server would start with these settings (checked offline with postgres -C)",
    "",
);
const OPEN_FIREWALL: StepDef = (
    "open-firewall",
    "Open the PostgreSQL port to the peers only",
    "the port is reachable from exactly the replication peers",
    "",
);
const APPLY_CONFIG: StepDef = (
    "apply-config",
    "Start, restart or reload PostgreSQL",
    "the server runs with the new settings and its config files have no errors",
    "",
);
const CREATE_SLOTS: StepDef = (
    "create-slots",
    "Create replication slots for the standbys streaming from here",
    "WAL a standby still needs cannot be recycled",
    "",
);
const VERIFY_NODE: StepDef = (
    "verify-node",
    "Verify this node's settings and role",
    "every setting is in effect and the node is primary or standby as planned",
    "",
);
const STOP_SERVER: StepDef = (
    "stop-server",
    "Stop PostgreSQL before cloning",
    "nothing writes to the data directory that is about to be replaced",
    "",
);
const CLEAR_DATA_DIR: StepDef = (
    "clear-data-dir",
    "Empty the data directory (asks for confirmation)",
    "the directory is ready for a base backup; refuses if the server runs or it is not a PostgreSQL data directory",
    "--confirm NODE",
);
const WRITE_PASSFILE: StepDef = (
    "write-passfile",
    "Write the replication password file (0600)",
    "the standby can authenticate without the password appearing in any config or process list",
    "",
);
const BASE_BACKUP: StepDef = (
    "base-backup",
    "Clone the upstream with pg_basebackup",
    "the data directory is a consistent copy that starts as a standby of its upstream",
    "",
);
const ENABLE_SYNC: StepDef = (
    "enable-synchronous",
    "Turn on synchronous replication",
    "enough of the listed standbys stream before commits start waiting for them",
    "",
);
const VERIFY_SENDERS: StepDef = (
    "verify-senders",
    "Check the standbys streaming from this node",
    "pg_stat_replication shows every expected standby streaming, with the planned sync state and address",
    "",
);
const WRITE_PROBE: StepDef = (
    "write-probe",
    "Write a probe row on the primary",
    "the primary accepts writes; prints a token for the standbys to look for",
    "",
);
const CHECK_PROBE: StepDef = (
    "check-probe",
    "Read the probe row; try a write",
    "the primary's row arrived on this standby, and the standby refuses writes as read-only",
    "TOKEN",
);

fn steps_for(topo: &ValidTopology, n: &ValidNode) -> (Vec<Step>, Vec<Step>) {
    let firewall = topo.firewall == Firewall::Ufw;
    let serves = !n.downstream.is_empty();
    // What differs by role comes first; installing and checking the configuration is
    // the same on every node.
    let mut setup: Vec<StepDef> = match n.role {
        Role::Primary => vec![CREATE_ROLE],
        Role::Standby => vec![STOP_SERVER, CLEAR_DATA_DIR, WRITE_PASSFILE, BASE_BACKUP],
    };
    setup.push(INSTALL_CONFIG);
    if firewall {
        setup.push(OPEN_FIREWALL);
    }
    setup.push(APPLY_CONFIG);
    if serves {
        setup.push(CREATE_SLOTS);
    }
    setup.push(VERIFY_NODE);
    let mut verify: Vec<StepDef> = Vec::new();
    if n.role == Role::Primary && topo.sync.is_some() {
        verify.push(ENABLE_SYNC);
    }
    if serves {
        verify.push(VERIFY_SENDERS);
    }
    verify.push(match n.role {
        Role::Primary => WRITE_PROBE,
        Role::Standby => CHECK_PROBE,
    });
    // Setup steps are numbered 10, 20, …; verification steps 91, 92, … so that a directory
    // listing shows the order and the two phases apart.
    let number = |defs: Vec<StepDef>, start: usize, stride: usize| -> Vec<Step> {
        defs.into_iter()
            .enumerate()
            .map(|(k, (template, title, proves, args))| Step {
                kind: template,
                file: format!("{:02}-{template}.sh", start + k * stride),
                title,
                proves,
                args,
            })
            .collect()
    };
    (number(setup, 10, 10), number(verify, 91, 1))
}

/// Renders every artifact of the topology, in a stable order.
pub fn plan(
    topo: &ValidTopology,
    env: &Environment<'_>,
) -> Result<Vec<Artifact>, minijinja::Error> {
    let (password_kind, password_from) = match &topo.replication.password {
        PasswordSource::Env(v) => ("env", v.clone()),
        PasswordSource::File(f) => ("file", f.clone()),
        PasswordSource::Literal(_) => ("secret", LITERAL_SECRET.to_owned()),
    };
    let cluster = ClusterContext {
        name: topo.cluster.clone(),
        major: topo.facts.major,
        user: topo.replication.user.clone(),
        auth_method: topo.replication.auth_method.as_str(),
        password_kind,
        password_from,
        recovery_conf: topo.facts.standby_setup == StandbySetup::RecoveryConf,
        follows_latest_timeline: topo.facts.follows_latest_timeline_by_default,
        default_password_encryption: topo.facts.default_password_encryption,
        firewall: topo.firewall == Firewall::Ufw,
        sync: topo.sync.as_ref().map(|s| s.standby_names()),
        drop_in: DROP_IN,
        sync_drop_in: SYNC_DROP_IN,
        hba_block: HBA_BLOCK,
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
    };
    let addresses = Addresses::of(topo);
    let cluster_value = minijinja::Value::from_serialize(&cluster);
    // Nodes are independent: each is built, serialized once (every template of the node, and
    // RUNBOOK.md, share the value; a node of a large cluster lists every peer) and rendered on
    // the cores (a 100-node cluster is 1,300 files).
    let indices: Vec<usize> = (0..topo.nodes.len()).collect();
    let per_node = crate::parallel::map(&indices, &|&i| {
        let node = node_context(topo, &addresses, i);
        let value = minijinja::Value::from_serialize(&node);
        let ctx = minijinja::context! { cluster => cluster_value.clone(), node => value.clone() };
        render_node(topo, env, &cluster, &node, ctx).map(|artifacts| (value, artifacts))
    });
    let mut out = Vec::new();
    let mut node_values = Vec::with_capacity(per_node.len());
    for rendered in per_node {
        let (value, artifacts) = rendered?;
        node_values.push(value);
        out.extend(artifacts);
    }
    let render = |name: &str, ctx: minijinja::Value| env.get_template(name)?.render(ctx);
    out.push(Artifact {
        path: "RUNBOOK.md".into(),
        contents: render(
            "RUNBOOK.md.j2",
            minijinja::context! { cluster => cluster_value, nodes => node_values },
        )?,
        mode: MODE_FILE,
    });
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Every artifact of one node.
fn render_node(
    topo: &ValidTopology,
    env: &Environment<'_>,
    cluster: &ClusterContext,
    node: &NodeContext,
    ctx: minijinja::Value,
) -> Result<Vec<Artifact>, minijinja::Error> {
    let mut out = Vec::new();
    let render = |name: &str, ctx: minijinja::Value| env.get_template(name)?.render(ctx);
    let dir = &node.name;
    let mut add = |path: String, template: &str, mode: u32| -> Result<(), minijinja::Error> {
        out.push(Artifact {
            path,
            contents: render(template, ctx.clone())?,
            mode,
        });
        Ok(())
    };
    add(
        format!("{dir}/{DROP_IN}"),
        "conf/replication.conf.j2",
        MODE_FILE,
    )?;
    add(
        format!("{dir}/{HBA_BLOCK}"),
        "conf/pg_hba.conf.j2",
        MODE_FILE,
    )?;
    if !node.sync_settings.is_empty() {
        add(
            format!("{dir}/{SYNC_DROP_IN}"),
            "conf/synchronous.conf.j2",
            MODE_FILE,
        )?;
    }
    if cluster.firewall {
        add(format!("{dir}/ufw.sh"), "ufw.sh.j2", MODE_SCRIPT)?;
    }
    add(
        format!("{dir}/runbook/lib.sh"),
        "runbook/lib.sh.j2",
        MODE_FILE,
    )?;
    if node.role == "primary" {
        add(
            format!("{dir}/runbook/create-role.sql"),
            "runbook/create-role.sql.j2",
            MODE_FILE,
        )?;
    } else if cluster.recovery_conf {
        add(
            format!("{dir}/{RECOVERY_CONF}"),
            "conf/recovery.conf.j2",
            MODE_SECRET,
        )?;
    }
    for step in node.steps.iter().chain(&node.verify_steps) {
        add(
            format!("{dir}/runbook/{}", step.file),
            &format!("runbook/{}.sh.j2", step.kind),
            MODE_SCRIPT,
        )?;
    }
    if let PasswordSource::Literal(secret) = &topo.replication.password {
        out.push(Artifact {
            path: format!("{dir}/{LITERAL_SECRET}"),
            contents: format!("{secret}\n"),
            mode: MODE_SECRET,
        });
    }
    Ok(out)
}
