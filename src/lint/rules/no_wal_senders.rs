use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// `max_wal_senders = 0`: no standby (and no pg_basebackup) can connect.
    ///
    /// ## Why it matters
    /// Each streaming standby holds one WAL sender, and `pg_basebackup -X stream` two more.
    ///
    /// ## Example
    /// `max_wal_senders = 0`
    ///
    /// ## Use instead
    /// `max_wal_senders = 10` (the default; a restart is needed)
    pub static RULE = {
        code: "PGR008",
        name: "no-wal-senders",
        severity: Error,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    if let Some(s) = c.effective("max_wal_senders") {
        if s.setting.value.trim() == "0" {
            let d = f
                .diag("max_wal_senders = 0: no standby can stream from this server")
                .label(s.setting.value_span.clone(), "no WAL sender allowed")
                .help("allow at least the number of standbys plus 2 for pg_basebackup");
            f.add(s.file, d);
        }
    }
}
