use crate::lint::cluster::Role;
use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// `hot_standby = off` on a standby.
    ///
    /// ## Why it matters
    /// The standby replays WAL but accepts no connection at all, so nothing can check it
    /// (`pg_is_in_recovery()`, lag) and it cannot serve reads.
    ///
    /// ## Example
    /// `hot_standby = off` with standby.signal present
    ///
    /// ## Use instead
    /// `hot_standby = on` (the default; a restart is needed)
    pub static RULE = {
        code: "PGR017",
        name: "hot-standby-off",
        severity: Warning,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    if c.role != Role::Standby {
        return;
    }
    if let Some(s) = c.effective("hot_standby") {
        if crate::catalog::values::parse_bool(&s.setting.value) == Some(false) {
            let d = f
                .diag("hot_standby is off on a standby: it accepts no queries")
                .label(
                    s.setting.value_span.clone(),
                    "no connections during recovery",
                )
                .help("set hot_standby = on and restart");
            f.add(s.file, d);
        }
    }
}
