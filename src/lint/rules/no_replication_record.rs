use crate::lint::cluster::Role;
use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// A primary whose pg_hba.conf has no record for network replication connections.
    ///
    /// ## Why it matters
    /// Standbys and pg_basebackup fail with "no pg_hba.conf entry for replication
    /// connection". `all` in the database field never matches replication connections; only
    /// the `replication` keyword does.
    ///
    /// ## Example
    /// only `host all all 10.0.0.0/8 scram-sha-256`
    ///
    /// ## Use instead
    /// add `host replication replicator 10.0.0.7/32 scram-sha-256` for each standby
    pub static RULE = {
        code: "PGR014",
        name: "no-replication-record",
        severity: Error,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    if c.role != Role::Primary {
        return;
    }
    let Some(hba) = &c.hba else { return };
    let admits = hba
        .records()
        .any(|(_, r)| r.conn_type != "local" && r.method != "reject" && r.is_replication());
    if !admits {
        let d = f
            .diag("no pg_hba.conf record admits replication connections over the network")
            .label(0..0, "standbys will be refused")
            .help("add `host replication <role> <standby address>/32 scram-sha-256` for each standby (`all` does not match replication)");
        f.add(hba.path.clone(), d);
    }
}
