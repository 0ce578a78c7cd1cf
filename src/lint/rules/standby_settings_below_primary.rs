use crate::lint::fleet::anchor;
use crate::lint::{Findings, Fleet};

crate::declare_rule! {
    /// A standby with a lower max_connections, max_worker_processes, max_wal_senders (12+),
    /// max_prepared_transactions or max_locks_per_transaction than the server it streams from.
    ///
    /// ## Why it matters
    /// A hot standby sizes its shared memory for the primary's transactions and locks. With a
    /// lower value, PostgreSQL 10-13 refuse to start the standby ("hot standby is not possible
    /// because max_connections = 50 is a lower setting than on the primary server"); 14 and
    /// later pause recovery at that point and shut down when it is resumed. The standby falls
    /// further behind until someone reads its log.
    ///
    /// The pairing comes from the standby's primary_conninfo (same port, host among the
    /// other cluster's listen_addresses), or from `--topology`.
    ///
    /// ## Example
    /// primary `max_connections = 200`, standby `max_connections = 100`
    ///
    /// ## Use instead
    /// the same values on every node (pgrepl gen leaves them alone, so they stay equal)
    pub static RULE = {
        code: "PGR024",
        name: "standby-settings-below-primary",
        severity: Error,
        majors: 10..=18,
        fleet_check: check,
    };
}

fn int(v: Option<String>) -> Option<i64> {
    v?.trim().parse().ok()
}

fn check(fleet: &Fleet<'_>, f: &mut Findings) {
    for (i, standby) in fleet.clusters.iter().enumerate() {
        let Some(up) = fleet.upstream[i] else {
            continue;
        };
        let primary = &fleet.clusters[up];
        // Which settings the standby's major checks is the catalogue's fact.
        let Some(facts) = crate::catalog::facts(standby.major) else {
            continue;
        };
        for &name in facts.standby_needs_at_least_primary {
            let (Some(mine), Some(theirs)) = (int(standby.value(name)), int(primary.value(name)))
            else {
                continue;
            };
            if mine >= theirs {
                continue;
            }
            let message = format!(
                "{name} = {mine} on this standby is lower than {theirs} on {}: the standby refuses hot standby",
                primary.label
            );
            let help = format!(
                "set {name} = {theirs} (or more) here and restart; a standby must match its primary's {name}"
            );
            match standby.effective(name) {
                Some(s) => {
                    let d = f
                        .diag(message)
                        .label(
                            s.setting.value_span.clone(),
                            format!("lower than the primary's {theirs}"),
                        )
                        .help(help);
                    f.add(s.file, d);
                }
                None => {
                    let Some(file) = anchor(standby) else {
                        continue;
                    };
                    let d = f
                        .diag(message)
                        .label(0..0, format!("{name} not set: the default {mine}"))
                        .help(help);
                    f.add(file, d);
                }
            }
        }
    }
}
