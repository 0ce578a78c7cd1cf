//! The PostgreSQL settings pgrepl writes for a node, each with its reason and with what the
//! server will report for it (checked by the runbooks).

use serde::Serialize;

use crate::catalog::{self, Context, MajorFacts, StandbySetup, WalKeep};
use crate::pgconf::{quote, units};
use crate::topology::model::{AuthMethod, Role};
use crate::topology::valid::{ValidNode, ValidTopology};

/// A postgresql.conf setting pgrepl writes, with what the server will report for it.
#[derive(Debug, Clone, Serialize)]
pub struct Setting {
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

pub fn settings_for(topo: &ValidTopology, node: &ValidNode) -> Vec<Setting> {
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
            1 => format!("1 standby streams from here, plus {} for a clone's pg_basebackup and room to grow", catalog::BASEBACKUP_SENDERS),
            n => format!("{n} standbys stream from here, plus {} for a clone's pg_basebackup and room to grow", catalog::BASEBACKUP_SENDERS),
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
    if !topo.data_checksums {
        out.push(setting(
            "wal_log_hints",
            "on".into(),
            "on".into(),
            "on".into(),
            "pg_rewind needs it (or data checksums) to bring this server back as a standby after a failover".into(),
        ));
    }
    if let Some(mb) = s
        .max_slot_wal_keep_mb
        .filter(|_| catalog::has(facts.major, catalog::Feature::WalKeepSize))
    {
        out.push(setting(
            "max_slot_wal_keep_size",
            quote::conf_string(&units::show_megabytes(mb)),
            units::show_megabytes(mb),
            mb.to_string(),
            "the most WAL a slot may hold back: past it only that standby needs a new base backup, and pg_wal's disk never fills".into(),
        ));
    }
    let scram = topo.replication.auth_method == AuthMethod::ScramSha256;
    let hashes_md5 = facts
        .params()
        .get("password_encryption")
        .is_some_and(|p| p.default != "scram-sha-256");
    if scram && hashes_md5 {
        out.push(setting(
            "password_encryption",
            "'scram-sha-256'".into(),
            "scram-sha-256".into(),
            "scram-sha-256".into(),
            format!(
                "scram-sha-256 records need SCRAM hashes; PostgreSQL {} hashes new passwords with md5 by default",
                facts.major
            ),
        ));
    }
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
pub fn sync_settings_for(topo: &ValidTopology, node: &ValidNode) -> Vec<Setting> {
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
