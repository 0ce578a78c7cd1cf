use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// A recovery.conf in the data directory of PostgreSQL 12 or later.
    ///
    /// ## Why it matters
    /// From 12 the server refuses to start while recovery.conf exists ("using recovery
    /// command file is not supported"): an upgrade or a restored backup left it behind.
    ///
    /// ## Example
    /// `recovery.conf` with `standby_mode = 'on'` in a 16 data directory
    ///
    /// ## Use instead
    /// an empty `standby.signal` file, and primary_conninfo in postgresql.conf
    pub static RULE = {
        code: "PGR016",
        name: "recovery-conf-12plus",
        severity: Error,
        majors: 12..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    let Some(dir) = &c.data_dir else { return };
    let path = dir.join("recovery.conf");
    if path.is_file() {
        let d = f
            .diag(format!("recovery.conf in a PostgreSQL {} data directory: the server will not start", c.major))
            .label(0..0, "not read since 12")
            .help("move its settings to postgresql.conf, create standby.signal, and delete recovery.conf");
        f.add(path, d);
    }
}
