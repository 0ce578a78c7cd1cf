//! The templates: embedded in the binary, each overridable from a directory.

use std::path::Path;

use minijinja::{Environment, UndefinedBehavior};

use crate::pgconf::quote;

/// Every template pgrepl renders, by name (its path under `templates/`).
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "RUNBOOK.md.j2",
        include_str!("../../templates/RUNBOOK.md.j2"),
    ),
    (
        "conf/recovery.conf.j2",
        include_str!("../../templates/conf/recovery.conf.j2"),
    ),
    (
        "conf/synchronous.conf.j2",
        include_str!("../../templates/conf/synchronous.conf.j2"),
    ),
    (
        "runbook/enable-synchronous.sh.j2",
        include_str!("../../templates/runbook/enable-synchronous.sh.j2"),
    ),
    (
        "conf/replication.conf.j2",
        include_str!("../../templates/conf/replication.conf.j2"),
    ),
    (
        "conf/pg_hba.conf.j2",
        include_str!("../../templates/conf/pg_hba.conf.j2"),
    ),
    ("ufw.sh.j2", include_str!("../../templates/ufw.sh.j2")),
    (
        "firewalld.sh.j2",
        include_str!("../../templates/firewalld.sh.j2"),
    ),
    (
        "nftables.sh.j2",
        include_str!("../../templates/nftables.sh.j2"),
    ),
    (
        "plan/preflight-candidate.sh.j2",
        include_str!("../../templates/plan/preflight-candidate.sh.j2"),
    ),
    (
        "plan/preflight-primary.sh.j2",
        include_str!("../../templates/plan/preflight-primary.sh.j2"),
    ),
    (
        "plan/demote.sh.j2",
        include_str!("../../templates/plan/demote.sh.j2"),
    ),
    (
        "plan/promote.sh.j2",
        include_str!("../../templates/plan/promote.sh.j2"),
    ),
    (
        "plan/received.sh.j2",
        include_str!("../../templates/plan/received.sh.j2"),
    ),
    (
        "plan/failover-promote.sh.j2",
        include_str!("../../templates/plan/failover-promote.sh.j2"),
    ),
    (
        "plan/rejoin.sh.j2",
        include_str!("../../templates/plan/rejoin.sh.j2"),
    ),
    (
        "plan/PLAN.md.j2",
        include_str!("../../templates/plan/PLAN.md.j2"),
    ),
    (
        "plan/retire.sh.j2",
        include_str!("../../templates/plan/retire.sh.j2"),
    ),
    (
        "plan/drop-slots.sh.j2",
        include_str!("../../templates/plan/drop-slots.sh.j2"),
    ),
    (
        "plan/close-firewall.sh.j2",
        include_str!("../../templates/plan/close-firewall.sh.j2"),
    ),
    (
        "plan/disable-synchronous.sh.j2",
        include_str!("../../templates/plan/disable-synchronous.sh.j2"),
    ),
    (
        "runbook/lib.sh.j2",
        include_str!("../../templates/runbook/lib.sh.j2"),
    ),
    (
        "runbook/create-role.sql.j2",
        include_str!("../../templates/runbook/create-role.sql.j2"),
    ),
    (
        "runbook/create-role.sh.j2",
        include_str!("../../templates/runbook/create-role.sh.j2"),
    ),
    (
        "runbook/install-config.sh.j2",
        include_str!("../../templates/runbook/install-config.sh.j2"),
    ),
    (
        "runbook/open-firewall.sh.j2",
        include_str!("../../templates/runbook/open-firewall.sh.j2"),
    ),
    (
        "runbook/apply-config.sh.j2",
        include_str!("../../templates/runbook/apply-config.sh.j2"),
    ),
    (
        "runbook/create-slots.sh.j2",
        include_str!("../../templates/runbook/create-slots.sh.j2"),
    ),
    (
        "runbook/verify-node.sh.j2",
        include_str!("../../templates/runbook/verify-node.sh.j2"),
    ),
    (
        "runbook/stop-server.sh.j2",
        include_str!("../../templates/runbook/stop-server.sh.j2"),
    ),
    (
        "runbook/clear-data-dir.sh.j2",
        include_str!("../../templates/runbook/clear-data-dir.sh.j2"),
    ),
    (
        "runbook/write-passfile.sh.j2",
        include_str!("../../templates/runbook/write-passfile.sh.j2"),
    ),
    (
        "runbook/base-backup.sh.j2",
        include_str!("../../templates/runbook/base-backup.sh.j2"),
    ),
    (
        "runbook/verify-senders.sh.j2",
        include_str!("../../templates/runbook/verify-senders.sh.j2"),
    ),
    (
        "runbook/write-probe.sh.j2",
        include_str!("../../templates/runbook/write-probe.sh.j2"),
    ),
    (
        "runbook/check-probe.sh.j2",
        include_str!("../../templates/runbook/check-probe.sh.j2"),
    ),
    (
        "ansible/inventory.yml.j2",
        include_str!("../../templates/ansible/inventory.yml.j2"),
    ),
    (
        "ansible/site.yml.j2",
        include_str!("../../templates/ansible/site.yml.j2"),
    ),
    (
        "ansible/plan.yml.j2",
        include_str!("../../templates/ansible/plan.yml.j2"),
    ),
    (
        "ansible/macros.j2",
        include_str!("../../templates/ansible/macros.j2"),
    ),
    (
        "ansible/setup-steps.yml.j2",
        include_str!("../../templates/ansible/setup-steps.yml.j2"),
    ),
    (
        "runbook/drop-probe.sh.j2",
        include_str!("../../templates/runbook/drop-probe.sh.j2"),
    ),
];

/// Why a template set could not be built.
#[derive(Debug)]
pub enum TemplateError {
    Read(std::path::PathBuf, std::io::Error),
    /// A file in the override directory that replaces no template (likely a typo).
    Unknown(String),
    Syntax(String, minijinja::Error),
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TemplateError::Read(p, e) => write!(f, "cannot read template {}: {e}", p.display()),
            TemplateError::Unknown(name) => write!(
                f,
                "template override {name} replaces no built-in template (known: {})",
                EMBEDDED
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            TemplateError::Syntax(name, e) => write!(f, "template {name}: {e:#}"),
        }
    }
}

impl std::error::Error for TemplateError {}

/// Builds the environment: embedded templates, replaced by same-named files under
/// `overrides` when given.
pub fn environment(overrides: Option<&Path>) -> Result<Environment<'static>, TemplateError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    // Nothing is HTML here; escaping happens per language through the filters below.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.add_filter("sh", |v: String| quote::shell(&v));
    env.add_filter("conf", |v: String| quote::conf_string(&v));
    env.add_filter("yaml", |v: String| quote::ansible_yaml(&v));
    // pgrepl diagnose's failure signatures, which lib.sh reads a failing step's log with.
    env.add_global(
        "signatures",
        minijinja::Value::from_serialize(crate::diagnose::shell_signatures()),
    );
    env.add_filter("sql_ident", |v: String| quote::sql_identifier(&v));
    env.add_filter("sql_literal", |v: String| {
        format!("'{}'", v.replace('\'', "''"))
    });

    let mut sources: Vec<(String, String)> = EMBEDDED
        .iter()
        .map(|(n, s)| ((*n).to_owned(), (*s).to_owned()))
        .collect();
    if let Some(dir) = overrides {
        for file in list_files(dir).map_err(|e| TemplateError::Read(dir.to_owned(), e))? {
            let name = file
                .strip_prefix(dir)
                .unwrap_or(&file)
                .to_string_lossy()
                .replace(std::path::MAIN_SEPARATOR, "/");
            let Some(slot) = sources.iter_mut().find(|(n, _)| *n == name) else {
                return Err(TemplateError::Unknown(name));
            };
            slot.1 =
                std::fs::read_to_string(&file).map_err(|e| TemplateError::Read(file.clone(), e))?;
        }
    }
    for (name, source) in sources {
        env.add_template_owned(name.clone(), source)
            .map_err(|e| TemplateError::Syntax(name, e))?;
    }
    Ok(env)
}

fn list_files(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let ty = entry.file_type()?;
            if ty.is_dir() {
                stack.push(entry.path());
            } else if ty.is_file() {
                out.push(entry.path());
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file under templates/ is embedded, and nothing embedded is missing there.
    #[test]
    fn embedded_list_matches_the_templates_directory() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let on_disk: Vec<String> = list_files(&dir)
            .unwrap()
            .iter()
            .map(|f| f.strip_prefix(&dir).unwrap().to_string_lossy().into_owned())
            .collect();
        let mut embedded: Vec<String> = EMBEDDED.iter().map(|(n, _)| (*n).to_owned()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
        environment(None).expect("every embedded template compiles");
    }
}
