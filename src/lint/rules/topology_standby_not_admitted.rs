use crate::catalog::values::parse_bool;
use crate::lint::{Findings, Fleet};
use crate::pgconf::hba::{Connection, first_match};

crate::declare_rule! {
    /// With `--topology`: a standby of the topology that this node's pg_hba.conf does not
    /// admit for replication.
    ///
    /// ## Why it matters
    /// The standby's walreceiver is refused ("no pg_hba.conf entry for replication
    /// connection from host ...") and retries every five seconds, forever; pg_basebackup
    /// fails the same way. The check evaluates pg_hba.conf as the server does, first match
    /// wins, for a replication connection of the topology's replication user from the
    /// standby's source address (SSL when this node has `ssl = on`).
    ///
    /// ## Example
    /// topology standby pg-b at 10.0.0.12; the primary's pg_hba.conf admits 10.0.0.21/32
    ///
    /// ## Use instead
    /// `host replication replicator 10.0.0.12/32 scram-sha-256` (pgrepl gen writes it)
    pub static RULE = {
        code: "PGR027",
        name: "topology-standby-not-admitted",
        severity: Error,
        majors: 10..=18,
        fleet_check: check,
    };
}

fn check(fleet: &Fleet<'_>, f: &mut Findings) {
    let Some(intended) = fleet.intended else {
        return;
    };
    let topo = &intended.topology;
    for (i, c) in fleet.clusters.iter().enumerate() {
        let (Some(n), Some(hba)) = (fleet.node[i], &c.hba) else {
            continue;
        };
        let ssl = c.value("ssl").and_then(|v| parse_bool(&v)).unwrap_or(false);
        for &d in &topo.nodes[n].downstream {
            let standby = &topo.nodes[d];
            let conn = Connection {
                source: Some(standby.source.addr()),
                ssl,
                gssenc: false,
                database: "replication",
                replication: true,
                user: &topo.replication.user,
            };
            let matched = first_match(&hba.rows, &conn);
            let refused =
                matched.is_none_or(|r| r.parsed.as_ref().is_some_and(|p| p.method == "reject"));
            if !refused {
                continue;
            }
            let what = format!(
                "standby {} ({}) of {} cannot stream from this node as {}",
                standby.name,
                standby.source.addr(),
                intended.path.display(),
                topo.replication.user
            );
            let d = match matched {
                Some(r) => f
                    .diag(what)
                    .label(r.label_span(), "this record rejects it first"),
                None => f.diag(what).label(0..0, "no record admits it"),
            }
            .help(format!(
                "put `host replication {} {}/{} {}` above any reject or broader record",
                topo.replication.user,
                standby.source.addr(),
                standby.source.prefix_len(),
                topo.replication.auth_method.as_str()
            ));
            let file = matched.map_or(hba.path.clone(), |r| hba.file_of(r));
            f.add(file, d);
        }
    }
}
