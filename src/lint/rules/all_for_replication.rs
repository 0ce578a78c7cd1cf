use crate::lint::fleet::primary_conninfo;
use crate::lint::{Findings, Fleet};

crate::declare_rule! {
    /// A pg_hba record that says database `all` for the replication role, with no
    /// `replication` record for it.
    ///
    /// ## Why it matters
    /// `all` matches every database but never a physical replication connection: only the
    /// keyword `replication` does. The record looks like it admits the standby; the standby
    /// is refused ("no pg_hba.conf entry for replication connection").
    ///
    /// The replication role is the user in a linted standby's primary_conninfo, the
    /// topology's replication user with `--topology`, or a role whose name contains "repl".
    ///
    /// ## Example
    /// `host all replicator 10.0.0.12/32 scram-sha-256`
    ///
    /// ## Use instead
    /// `host replication replicator 10.0.0.12/32 scram-sha-256`
    pub static RULE = {
        code: "PGR033",
        name: "all-for-replication",
        severity: Warning,
        majors: 10..=18,
        fleet_check: check,
    };
}

fn check(fleet: &Fleet<'_>, f: &mut Findings) {
    let mut roles: Vec<String> = fleet
        .clusters
        .iter()
        .filter_map(primary_conninfo)
        .filter_map(|pairs| {
            pairs
                .into_iter()
                .rfind(|p| p.keyword == "user")
                .map(|p| p.value)
        })
        .collect();
    roles.extend(fleet.intended.map(|t| t.topology.replication.user.clone()));
    let is_replication_role = |user: &str| user.contains("repl") || roles.iter().any(|r| r == user);
    for c in fleet.clusters {
        let Some(hba) = &c.hba else { continue };
        let records: Vec<_> = hba.records().collect();
        for (r, rec) in &records {
            if rec.method == "reject" || !rec.databases.iter().any(|t| t.is_keyword("all")) {
                continue;
            }
            let Some(user) = rec
                .users
                .iter()
                .find(|u| !u.is_keyword("all") && is_replication_role(&u.text))
            else {
                continue;
            };
            let replication_record = records.iter().any(|(_, other)| {
                other.is_replication()
                    && other
                        .users
                        .iter()
                        .any(|u| u.is_keyword("all") || u.text == user.text)
            });
            if replication_record {
                continue;
            }
            let d = f
                .diag(format!(
                    "database `all` does not match replication connections: this record admits no standby as {}",
                    user.text
                ))
                .label(r.label_span(), "`all` is not `replication`")
                .help("write `replication` in the database field for streaming standbys and pg_basebackup");
            let file = hba.file_of(r);
            f.add(file, d);
        }
    }
}
