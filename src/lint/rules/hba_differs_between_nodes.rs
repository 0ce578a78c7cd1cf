use std::net::IpAddr;

use crate::lint::{Cluster, Findings, Fleet};
use crate::pgconf::hba::Record;

crate::declare_rule! {
    /// A replication record of the upstream that a standby's pg_hba.conf lacks.
    ///
    /// ## Why it matters
    /// When the primary fails, a standby is promoted and the other standbys (and the old
    /// primary, rejoining) must stream from it. If its pg_hba.conf does not admit them, they
    /// are locked out at the worst moment: "no pg_hba.conf entry for replication connection".
    /// Records that admit only the standby's own address are not expected on it. Its address
    /// is known from an explicit listen_addresses or from `--topology`; when neither says
    /// (`listen_addresses = '*'`, no topology) and the standby lacks exactly one record, one
    /// that admits a single address, that record is taken to be the standby's own (the
    /// upstream admits it to stream) and not reported. Give `--topology` to check fully.
    ///
    /// ## Example
    /// the primary has `host replication replicator 10.0.0.12/32 scram-sha-256`, the standby
    /// 10.0.0.11 only its distribution's default pg_hba.conf
    ///
    /// ## Use instead
    /// the same replication records on every node (pgrepl gen writes one block for all)
    pub static RULE = {
        code: "PGR026",
        name: "hba-differs-between-nodes",
        severity: Warning,
        majors: 10..=18,
        fleet_check: check,
    };
}

/// The addresses a cluster is known by: its listen_addresses, and its topology node's host.
fn own_addresses(fleet: &Fleet<'_>, i: usize) -> Vec<IpAddr> {
    let c: &Cluster = &fleet.clusters[i];
    let mut out: Vec<IpAddr> = c
        .value("listen_addresses")
        .unwrap_or_default()
        .split(',')
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    if let (Some(t), Some(n)) = (fleet.intended, fleet.node[i]) {
        out.push(t.topology.nodes[n].host);
        out.push(t.topology.nodes[n].source.addr());
    }
    out
}

/// A record admitting exactly one of these addresses.
fn only_admits(rec: &Record, addresses: &[IpAddr]) -> bool {
    rec.address.single().is_some_and(|a| addresses.contains(&a))
}

fn check(fleet: &Fleet<'_>, f: &mut Findings) {
    for (i, standby) in fleet.clusters.iter().enumerate() {
        let Some(up) = fleet.upstream[i] else {
            continue;
        };
        let (Some(mine), Some(theirs)) = (&standby.hba, &fleet.clusters[up].hba) else {
            continue;
        };
        let own = own_addresses(fleet, i);
        let have: Vec<&Record> = mine.records().map(|(_, rec)| rec).collect();
        let missing: Vec<_> = theirs
            .records()
            .filter(|(_, rec)| {
                rec.is_replication()
                    && rec.method != "reject"
                    && !only_admits(rec, &own)
                    && !have.contains(rec)
            })
            .collect();
        if let ([(_, rec)], true) = (&missing[..], own.is_empty()) {
            if rec.address.single().is_some() {
                continue; // the record that admits this standby itself
            }
        }
        for (r, _) in missing {
            let file = theirs.file_of(r);
            let d = f
                .diag(format!(
                    "{} has no such record: once it is promoted, this client cannot stream from it",
                    mine.path.display()
                ))
                .label(r.label_span(), "missing on the standby")
                .help(format!("add this line to {} too", mine.path.display()));
            f.add(file, d);
        }
    }
}
