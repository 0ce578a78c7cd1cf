use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// `wal_level = minimal`: no standby can replay this WAL.
    ///
    /// ## Why it matters
    /// Streaming replication and pg_basebackup need `replica` (or `logical`). From 10 the
    /// default is `replica`; `minimal` is usually left over from a bulk-load tuning.
    ///
    /// ## Example
    /// `wal_level = minimal`
    ///
    /// ## Use instead
    /// `wal_level = replica` (a restart is needed)
    pub static RULE = {
        code: "PGR007",
        name: "wal-level-minimal",
        severity: Error,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    if let Some(s) = c.effective("wal_level") {
        if s.setting.value.eq_ignore_ascii_case("minimal") {
            let d = f
                .diag("wal_level = minimal: standbys cannot replicate from this server")
                .label(s.setting.value_span.clone(), "not enough WAL for a standby")
                .help("set wal_level = replica (or logical) and restart");
            f.add(s.file, d);
        }
    }
}
