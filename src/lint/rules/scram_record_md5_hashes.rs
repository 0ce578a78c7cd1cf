use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// scram-sha-256 records in pg_hba.conf while password_encryption hashes new passwords
    /// with md5 (the default before 14).
    ///
    /// ## Why it matters
    /// A scram-sha-256 record cannot check an md5 hash: a role whose password is set (or set
    /// again) under md5 cannot log in through it ("password authentication failed"). A
    /// replication role created this way never streams.
    ///
    /// ## Example
    /// `host replication replicator 10.0.0.12/32 scram-sha-256` on PostgreSQL 13 with
    /// password_encryption unset (md5)
    ///
    /// ## Use instead
    /// `password_encryption = 'scram-sha-256'` in postgresql.conf, then set the role's
    /// password again
    pub static RULE = {
        code: "PGR034",
        name: "scram-record-md5-hashes",
        severity: Warning,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    let (Some(hba), Some(_)) = (&c.hba, &c.conf) else {
        return;
    };
    let encryption = c
        .value("password_encryption")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !matches!(encryption.as_str(), "md5" | "on" | "true" | "yes" | "1") {
        return;
    }
    let set_where = match c.effective("password_encryption") {
        Some(s) => format!(
            "password_encryption = {} ({}:{})",
            s.setting.value,
            crate::diag::shown_path(s.file),
            s.row.sourceline.unwrap_or(0)
        ),
        None => format!(
            "password_encryption defaults to md5 on PostgreSQL {}",
            c.major
        ),
    };
    for (r, rec) in hba.records() {
        if rec.method != "scram-sha-256" {
            continue;
        }
        let d = f
            .diag(format!("scram-sha-256 record, but {set_where}: roles given a password now cannot log in here"))
            .label(r.label_span(), "needs a SCRAM hash")
            .help("set password_encryption = 'scram-sha-256' and set the roles' passwords again");
        let file = hba.file_of(r);
        f.add(file, d);
    }
}
