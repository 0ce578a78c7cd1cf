use crate::catalog::history::{Lookup, lookup};
use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// A parameter removed in (or not yet in) this major, or a recovery.conf setting written
    /// in postgresql.conf before 12.
    ///
    /// ## Why it matters
    /// The server refuses to start with a parameter it no longer has: `wal_keep_segments` on
    /// 13+, `standby_mode` and `trigger_file` on 12+, `promote_trigger_file` on 16+. Before 12,
    /// `primary_conninfo` and friends are read from recovery.conf only.
    ///
    /// ## Example
    /// `wal_keep_segments = 64` on PostgreSQL 16
    ///
    /// ## Use instead
    /// `wal_keep_size = '1GB'` (segments x 16MB)
    pub static RULE = {
        code: "PGR004",
        name: "removed-parameter",
        severity: Error,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    for s in c.settings() {
        let name = &s.setting.name;
        let (message, help) = match lookup(c.major, name) {
            Lookup::Removed { since, replacement } => (
                format!(
                    "\"{name}\" was removed in PostgreSQL {since}; this is {}",
                    c.major
                ),
                replacement.map_or("remove the line".to_owned(), |r| format!("use {r}")),
            ),
            Lookup::NotYet { since } => (
                format!(
                    "\"{name}\" arrives in PostgreSQL {since}; this is {}",
                    c.major
                ),
                "remove the line, or check the cluster's major (--pg-version)".to_owned(),
            ),
            Lookup::RecoveryConfOnly {
                standby_signal_since,
            } => (
                format!(
                    "\"{name}\" belongs in recovery.conf before PostgreSQL {standby_signal_since}"
                ),
                "move it to recovery.conf in the data directory".to_owned(),
            ),
            _ => continue,
        };
        let d = f
            .diag(message)
            .label(
                s.setting.name_span.clone(),
                "the server does not start with this",
            )
            .help(help);
        f.add(s.file, d);
    }
}
