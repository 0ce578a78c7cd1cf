use crate::lint::{Findings, Fleet};

crate::declare_rule! {
    /// max_wal_senders not above the number of standbys streaming from the server.
    ///
    /// ## Why it matters
    /// Every streaming standby holds a WAL sender. With exactly as many as standbys, a
    /// reconnecting standby (its old sender not yet timed out) or a pg_basebackup for a new
    /// one is refused: "number of requested standby connections exceeds max_wal_senders".
    /// With fewer, some standby never streams.
    ///
    /// The standbys counted are the linted clusters streaming from this one and, with
    /// `--topology`, the topology's.
    ///
    /// ## Example
    /// `max_wal_senders = 2` on a primary with two standbys
    ///
    /// ## Use instead
    /// `max_wal_senders` = standbys + 2 or more (the default 10 covers most clusters)
    pub static RULE = {
        code: "PGR036",
        name: "wal-senders-shortfall",
        severity: Error,
        majors: 10..=18,
        fleet_check: check,
    };
}

fn check(fleet: &Fleet<'_>, f: &mut Findings) {
    for (i, c) in fleet.clusters.iter().enumerate() {
        let linted = fleet.downstream(i).count();
        let intended = match (fleet.intended, fleet.node[i]) {
            (Some(t), Some(n)) => t.topology.nodes[n].downstream.len(),
            _ => 0,
        };
        let standbys = linted.max(intended) as i64;
        if standbys == 0 {
            continue;
        }
        let Some(s) = c.effective("max_wal_senders") else {
            continue;
        };
        let Ok(senders) = s.setting.value.trim().parse::<i64>() else {
            continue;
        };
        if senders == 0 || senders > standbys {
            continue; // 0 is PGR008's
        }
        let of = format!(
            "max_wal_senders = {senders} for {standbys} standby{}",
            if standbys == 1 { "" } else { "s" }
        );
        let what = if senders < standbys {
            format!("{of}: some standby cannot stream")
        } else {
            format!("{of}: no sender left for a reconnecting standby or a pg_basebackup")
        };
        let d = f
            .diag(what)
            .label(s.setting.value_span.clone(), "too few WAL senders")
            .help(format!(
                "set max_wal_senders = {} or more and restart",
                standbys + i64::from(crate::catalog::BASEBACKUP_SENDERS)
            ));
        f.add(s.file, d);
    }
}
