use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// A data directory whose permissions are not 0700 or 0750.
    ///
    /// ## Why it matters
    /// The server refuses to start ("data directory has invalid permissions"); this happens
    /// after a restore or a copy with the wrong umask.
    ///
    /// ## Example
    /// `drwxr-xr-x /var/lib/postgresql/16/main`
    ///
    /// ## Use instead
    /// `chmod 0700` the data directory (0750 to let a group read it)
    pub static RULE = {
        code: "PGR022",
        name: "data-dir-permissions",
        severity: Error,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    use std::os::unix::fs::PermissionsExt;
    let Some(dir) = &c.data_dir else { return };
    // Only a real data directory (the server checks its own): PG_VERSION and pg_control.
    if !dir.join("global/pg_control").is_file() {
        return;
    }
    let Ok(meta) = std::fs::metadata(dir) else {
        return;
    };
    let mode = meta.permissions().mode() & 0o777;
    if mode != 0o700 && mode != 0o750 {
        let file = dir.join("PG_VERSION");
        let d = f
            .diag(format!(
                "the data directory {} has mode {mode:04o}: the server will not start",
                dir.display()
            ))
            .label(0..0, "data directory permissions")
            .help(format!("chmod 0700 {}", dir.display()));
        f.add(file, d);
    }
}
