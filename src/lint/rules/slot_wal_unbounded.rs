use crate::lint::fleet::anchor;
use crate::lint::{Findings, Fleet};

crate::declare_rule! {
    /// A server with replication slots and `max_slot_wal_keep_size = -1` (the default), 13+.
    ///
    /// ## Why it matters
    /// A slot keeps every WAL segment its standby has not confirmed. When that standby is
    /// gone for good (decommissioned, broken, its slot forgotten), pg_wal grows until the
    /// disk is full and the primary stops: a dead standby takes the primary down.
    /// max_slot_wal_keep_size caps what a slot may hold; past it the slot is invalidated and
    /// only that standby needs re-cloning.
    ///
    /// Slots are seen in the data directory (pg_replslot/), in linted standbys with a
    /// primary_slot_name streaming from this server, or in `--topology` with slots on.
    ///
    /// ## Example
    /// a primary with a physical slot per standby and no max_slot_wal_keep_size
    ///
    /// ## Use instead
    /// `max_slot_wal_keep_size = '50GB'` (well below the free space of pg_wal's disk)
    pub static RULE = {
        code: "PGR030",
        name: "slot-wal-unbounded",
        severity: Warning,
        majors: 13..=18,
        fleet_check: check,
    };
}

fn check(fleet: &Fleet<'_>, f: &mut Findings) {
    for (i, c) in fleet.clusters.iter().enumerate() {
        if !crate::catalog::has(c.major, crate::catalog::Feature::WalKeepSize) || c.conf.is_none() {
            continue;
        }
        let on_disk = c.data_dir.as_ref().is_some_and(|d| {
            std::fs::read_dir(d.join("pg_replslot"))
                .is_ok_and(|mut e| e.any(|e| e.is_ok_and(|e| e.path().is_dir())))
        });
        let by_standby = fleet.downstream(i).any(|d| {
            let s = &fleet.clusters[d];
            s.recovery_setting("primary_slot_name")
                .is_some_and(|n| !n.trim().is_empty())
        });
        let by_topology = match (fleet.intended, fleet.node[i]) {
            (Some(t), Some(n)) => t.topology.nodes[n]
                .downstream
                .iter()
                .any(|d| t.topology.nodes[*d].slot.is_some()),
            _ => false,
        };
        if !(on_disk || by_standby || by_topology) {
            continue;
        }
        if c.value("max_slot_wal_keep_size")
            .is_none_or(|v| v.trim() != "-1")
        {
            continue;
        }
        let (message, help) = (
            crate::catalog::SLOT_WAL_UNBOUNDED,
            crate::catalog::SLOT_WAL_UNBOUNDED_HELP,
        );
        match c.effective("max_slot_wal_keep_size") {
            Some(s) => {
                let d = f
                    .diag(message)
                    .label(s.setting.value_span.clone(), "no limit")
                    .help(help);
                f.add(s.file, d);
            }
            None => {
                let Some(file) = anchor(c) else { continue };
                let d = f
                    .diag(message)
                    .label(0..0, "max_slot_wal_keep_size not set: unlimited")
                    .help(help);
                f.add(file, d);
            }
        }
    }
}
