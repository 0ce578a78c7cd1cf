use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// A network replication record with `trust`, `password` or `md5`.
    ///
    /// ## Why it matters
    /// `trust` lets anyone who reaches the port copy the database; `password` sends it in
    /// clear text; `md5` hashes can be replayed and PostgreSQL 18 warns on every md5 login.
    /// `md5` on a loopback-only record (the distributions' default before 14) crosses no
    /// network and is not reported.
    ///
    /// ## Example
    /// `host replication all 10.0.0.0/8 trust`
    ///
    /// ## Use instead
    /// `host replication replicator 10.0.0.7/32 scram-sha-256`
    pub static RULE = {
        code: "PGR013",
        name: "replication-weak-auth",
        severity: Warning,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    let Some(hba) = &c.hba else { return };
    for (r, rec) in hba.records() {
        if !rec.is_replication()
            || rec.conn_type == "local"
            || !matches!(rec.method, "trust" | "password" | "md5")
            || (rec.method == "md5" && rec.address.is_loopback_only())
        {
            continue;
        }
        let file = hba.file_of(r);
        let d = f
            .diag(format!("pg_hba.conf line {}: replication over the network with {}", r.line_number, rec.method))
            .label(r.label_span(), "weak authentication")
            .help("use scram-sha-256 (set password_encryption = 'scram-sha-256' before setting the role's password)");
        f.add(file, d);
    }
}
