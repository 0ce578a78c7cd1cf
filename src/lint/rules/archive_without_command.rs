use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// `archive_mode` on with no `archive_command` (nor `archive_library`, 15+).
    ///
    /// ## Why it matters
    /// The server keeps every WAL segment until it has been archived, and nothing archives
    /// them: pg_wal grows until the disk is full.
    ///
    /// ## Example
    /// `archive_mode = on` and `#archive_command = ''`
    ///
    /// ## Use instead
    /// set archive_command (or archive_library), or archive_mode = off
    pub static RULE = {
        code: "PGR020",
        name: "archive-without-command",
        severity: Warning,
        majors: 10..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    let Some(mode) = c.effective("archive_mode") else {
        return;
    };
    let on = matches!(
        mode.setting.value.to_ascii_lowercase().as_str(),
        "on" | "always" | "true" | "yes" | "1"
    );
    let command = c.value("archive_command").unwrap_or_default();
    let library = c.value("archive_library").unwrap_or_default();
    if on && command.trim().is_empty() && library.trim().is_empty() {
        let d = f
            .diag(format!(
                "archive_mode = {} but no archive_command: WAL is kept until the disk fills",
                mode.setting.value
            ))
            .label(mode.setting.value_span.clone(), "nothing archives the WAL")
            .help("set archive_command (or archive_library on 15+), or turn archive_mode off");
        f.add(mode.file, d);
    }
}
