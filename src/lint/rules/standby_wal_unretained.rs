use crate::lint::fleet::anchor;
use crate::lint::{Cluster, Findings, Fleet};

crate::declare_rule! {
    /// A standby with no replication slot and no restore_command, streaming from a server
    /// that keeps no extra WAL (wal_keep_size 0, or wal_keep_segments 0 before 13).
    ///
    /// ## Why it matters
    /// Nothing holds WAL back for this standby. After any pause longer than a checkpoint
    /// (a restart, a network cut, heavy writes) the primary has recycled the segment it needs:
    /// "requested WAL segment ... has already been removed". The standby never catches up
    /// and must be cloned again with pg_basebackup.
    ///
    /// ## Example
    /// a standby with only primary_conninfo; its primary with wal_keep_size unset (0)
    ///
    /// ## Use instead
    /// a physical slot (`primary_slot_name`, with max_slot_wal_keep_size bounded on the
    /// primary), a WAL archive with restore_command, or wal_keep_size sized for the longest
    /// outage to ride out
    pub static RULE = {
        code: "PGR029",
        name: "standby-wal-unretained",
        severity: Warning,
        majors: 10..=18,
        fleet_check: check,
    };
}

fn recovery_setting(c: &Cluster, name: &str) -> String {
    c.recovery_setting(name)
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// The WAL the upstream keeps for standbys, in its own words, when it keeps none.
fn keeps_nothing(up: &Cluster) -> Option<&'static str> {
    let (name, what) = if crate::catalog::has(up.major, crate::catalog::Feature::WalKeepSize) {
        ("wal_keep_size", "wal_keep_size = 0")
    } else {
        ("wal_keep_segments", "wal_keep_segments = 0")
    };
    let v = up.value(name)?;
    let zero = v
        .trim()
        .trim_end_matches(|ch: char| ch.is_ascii_alphabetic())
        .trim()
        == "0";
    zero.then_some(what)
}

fn check(fleet: &Fleet<'_>, f: &mut Findings) {
    for (i, c) in fleet.clusters.iter().enumerate() {
        let Some(up) = fleet.upstream[i] else {
            continue;
        };
        if !recovery_setting(c, "primary_slot_name").is_empty()
            || !recovery_setting(c, "restore_command").is_empty()
        {
            continue;
        }
        let upstream = &fleet.clusters[up];
        let Some(what) = keeps_nothing(upstream) else {
            continue;
        };
        let Some(file) = anchor(c) else { continue };
        let d = f
            .diag(format!(
                "no slot, no restore_command, and {} keeps no WAL for it ({what}): after an outage this standby must be cloned again",
                upstream.label
            ))
            .label(0..0, "nothing retains the WAL this standby needs")
            .help("use a replication slot (primary_slot_name), a WAL archive (restore_command), or set wal_keep_size on the upstream");
        f.add(file, d);
    }
}
