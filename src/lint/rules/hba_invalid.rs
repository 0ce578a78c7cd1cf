use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// A pg_hba.conf record the server rejects (or that can never match).
    ///
    /// ## Why it matters
    /// At start the server refuses a pg_hba.conf with errors; on a reload it keeps the old
    /// rules, so the change you made never takes effect. Some records are valid but unusable
    /// (hostssl while ssl is off).
    ///
    /// ## Example
    /// `host replication replicator 10.0.0.7/33 scram-sha-256`
    ///
    /// ## Use instead
    /// `host replication replicator 10.0.0.7/32 scram-sha-256`
    pub static RULE = {
        code: "PGR011",
        name: "hba-invalid",
        severity: Error,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    let Some(hba) = &c.hba else { return };
    for r in &hba.rows {
        if let Some(e) = &r.error {
            let file = hba.file_of(r);
            let span = r.label_span();
            let d = f
                .diag(format!("pg_hba.conf line {}: {e}", r.line_number))
                .label(span, "the server rejects this record")
                .help("`pgrepl hba FILE` shows every record as the server reads it");
            f.add(file, d);
        }
    }
}
