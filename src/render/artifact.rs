//! What `gen` writes for a node: the artifact type, file modes, and the table of a node's
//! files (path, template, mode, when). A new kind of file is a row here and a template.

use crate::topology::model::Firewall;

/// One file of the output, path relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub path: String,
    pub contents: String,
    pub mode: u32,
}

pub const MODE_FILE: u32 = 0o644;
pub const MODE_SCRIPT: u32 = 0o755;
pub const MODE_SECRET: u32 = 0o600;

/// Where the drop-in lives inside the output, and on the server under the config dir.
pub const DROP_IN: &str = "conf.d/pgrepl-replication.conf";
/// The primary's synchronous_standby_names, installed once the standbys stream.
pub const SYNC_DROP_IN: &str = "conf.d/pgrepl-synchronous.conf";
pub const HBA_BLOCK: &str = "pg_hba-replication.conf";
/// A failover's stop of a standby's WAL receiver (`primary_conninfo = ''`), written by the
/// plan's received step on the server only, sorting after every pgrepl drop-in; the next
/// install-config removes it.
pub const FREEZE_DROP_IN: &str = "conf.d/zz-pgrepl-failover.conf";
/// A standby's recovery.conf before PostgreSQL 12, installed into the data directory.
pub const RECOVERY_CONF: &str = "recovery.conf";
/// Where a literal password is copied so that scripts can read it without holding it.
pub const LITERAL_SECRET: &str = "secrets/replication-password";
/// The same for the rewind role's literal password.
pub const REWIND_SECRET: &str = "secrets/rewind-password";
/// Whether a file of the output holds a secret (a literal password's copy): such files are
/// 0600 and no digest of them is written anywhere.
pub fn holds_secret(path: &str) -> bool {
    path.split_once('/')
        .is_some_and(|(_, rest)| rest == LITERAL_SECRET || rest == REWIND_SECRET)
}

/// A node's runbook steps, and the library they source, live here.
pub const RUNBOOK_DIR: &str = "runbook";

/// When a node gets a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Always,
    Primary,
    /// The primary of a cluster with synchronous standbys.
    SynchronousPrimary,
    /// A standby of a major that reads recovery.conf (before 12).
    RecoveryConfStandby,
    /// The cluster's firewall is this kind.
    Firewall(Firewall),
}

/// One kind of file a node gets besides its runbook steps.
#[derive(Debug, Clone, Copy)]
pub struct NodeFile {
    /// Relative to the node's directory.
    pub path: &'static str,
    /// Relative to `templates/`.
    pub template: &'static str,
    pub mode: u32,
    pub when: When,
}

const fn file(path: &'static str, template: &'static str, mode: u32, when: When) -> NodeFile {
    NodeFile {
        path,
        template,
        mode,
        when,
    }
}

/// Every templated file of a node, runbook steps aside (they come from `steps`).
pub const NODE_FILES: &[NodeFile] = &[
    file(DROP_IN, "conf/replication.conf.j2", MODE_FILE, When::Always),
    file(HBA_BLOCK, "conf/pg_hba.conf.j2", MODE_FILE, When::Always),
    file(
        SYNC_DROP_IN,
        "conf/synchronous.conf.j2",
        MODE_FILE,
        When::SynchronousPrimary,
    ),
    file(
        "ufw.sh",
        "ufw.sh.j2",
        MODE_SCRIPT,
        When::Firewall(Firewall::Ufw),
    ),
    file(
        "firewalld.sh",
        "firewalld.sh.j2",
        MODE_SCRIPT,
        When::Firewall(Firewall::Firewalld),
    ),
    file(
        "nftables.sh",
        "nftables.sh.j2",
        MODE_SCRIPT,
        When::Firewall(Firewall::Nftables),
    ),
    file(
        "runbook/lib.sh",
        "runbook/lib.sh.j2",
        MODE_FILE,
        When::Always,
    ),
    file(
        "runbook/create-role.sql",
        "runbook/create-role.sql.j2",
        MODE_FILE,
        When::Primary,
    ),
    file(
        RECOVERY_CONF,
        "conf/recovery.conf.j2",
        MODE_SECRET,
        When::RecoveryConfStandby,
    ),
];

/// The script that configures `kind` of firewall on a node, if pgrepl writes one.
pub fn firewall_script(kind: Firewall) -> Option<&'static str> {
    NODE_FILES
        .iter()
        .find(|f| f.when == When::Firewall(kind))
        .map(|f| f.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_unique_and_templates_exist() {
        let mut paths: Vec<&str> = NODE_FILES.iter().map(|f| f.path).collect();
        paths.sort();
        paths.dedup();
        assert_eq!(paths.len(), NODE_FILES.len());
        for f in NODE_FILES {
            assert!(
                super::super::templates::EMBEDDED
                    .iter()
                    .any(|(name, _)| *name == f.template),
                "{} is not an embedded template",
                f.template
            );
        }
    }

    #[test]
    fn every_firewall_but_none_has_a_script() {
        assert_eq!(firewall_script(Firewall::Ufw), Some("ufw.sh"));
        assert_eq!(firewall_script(Firewall::Firewalld), Some("firewalld.sh"));
        assert_eq!(firewall_script(Firewall::Nftables), Some("nftables.sh"));
        assert_eq!(firewall_script(Firewall::None), None);
    }
}
