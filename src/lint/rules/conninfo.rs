use crate::catalog::conninfo::{keyword_since, keywords, parse};
use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// A `primary_conninfo` that does not parse, uses a keyword this major's libpq lacks, or
    /// carries a plaintext password.
    ///
    /// ## Why it matters
    /// An unknown keyword makes the standby retry forever ("invalid connection option"),
    /// which is what `pg_basebackup -R` of a newer client writes for an older standby. A
    /// password here is readable by anyone who can read the file or `SHOW primary_conninfo`.
    ///
    /// ## Example
    /// `primary_conninfo = 'host=10.0.0.1 user=replicator password=secret sslsni=1'` on 13
    ///
    /// ## Use instead
    /// `primary_conninfo = 'host=10.0.0.1 user=replicator passfile=/var/lib/postgresql/.pgpass'`
    pub static RULE = {
        code: "PGR015",
        name: "conninfo",
        severity: Error,
        majors: 12..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    let Some(s) = c.effective("primary_conninfo") else {
        return;
    };
    let value = &s.setting.value;
    if value.is_empty() || value.starts_with("postgres") {
        return;
    }
    // Spans inside the value: offset by the opening quote when quoted.
    let base = s.setting.value_span.start + usize::from(s.setting.quoted);
    let pairs = match parse(value) {
        Ok(p) => p,
        Err(e) => {
            let d = f
                .diag(format!("primary_conninfo does not parse: {}", e.message))
                .label(s.setting.value_span.clone(), "not a connection string")
                .help("write keyword=value pairs separated by spaces; quote values with spaces in single quotes");
            f.add(s.file, d);
            return;
        }
    };
    let known = keywords(c.major).unwrap_or_default();
    for p in &pairs {
        if !known.contains(&p.keyword.as_str()) {
            let since = keyword_since(&p.keyword)
                .map_or("no PostgreSQL 10-18".to_owned(), |m| format!("libpq {m}+"));
            let d = f
                .diag(format!("libpq {} does not know \"{}\" (known to {since}); the standby never connects", c.major, p.keyword))
                .label(base + p.keyword_span.start..base + p.keyword_span.end, "invalid connection option")
                .help("remove it; a pg_basebackup -R of another major writes such keywords, pgrepl gen writes only portable ones");
            f.add(s.file, d);
        }
        if p.keyword == "password" {
            let d = f
                .diag("primary_conninfo holds a plaintext password")
                .label(
                    base + p.keyword_span.start..base + p.value_span.end,
                    "readable by anyone who reads this file",
                )
                .help("put the password in a 0600 password file and use passfile=/path instead");
            f.add(s.file, d);
        }
    }
}
