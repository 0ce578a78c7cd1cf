use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// A standby (standby.signal) with neither `primary_conninfo` nor `restore_command`.
    ///
    /// ## Why it matters
    /// It starts, replays what it has, and then waits forever: no WAL ever arrives.
    ///
    /// ## Example
    /// `standby.signal` present, `primary_conninfo` unset
    ///
    /// ## Use instead
    /// `primary_conninfo = 'host=… user=replicator passfile=…'` (pgrepl gen writes it)
    pub static RULE = {
        code: "PGR023",
        name: "standby-without-source",
        severity: Error,
        majors: 12..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    let Some(dir) = &c.data_dir else { return };
    let signal = dir.join("standby.signal");
    if !signal.exists() || c.conf.is_none() {
        return;
    }
    let set = |n: &str| c.value(n).is_some_and(|v| !v.trim().is_empty());
    if !set("primary_conninfo") && !set("restore_command") {
        let d = f
            .diag("standby.signal is present but neither primary_conninfo nor restore_command is set: no WAL will arrive")
            .label(0..0, "a standby with no source")
            .help("set primary_conninfo to the upstream (or restore_command to an archive)");
        f.add(signal, d);
    }
}
