//! A node's runbook: which steps it runs, in which order, and what each proves. Each step is
//! `templates/runbook/<kind>.sh.j2`, written as `runbook/NN-<kind>.sh`.

use serde::Serialize;

use crate::topology::model::Role;
use crate::topology::valid::{ValidNode, ValidTopology};

use super::artifact;

#[derive(Debug, Serialize)]
pub struct Step {
    /// The template name, e.g. `verify-senders`.
    pub kind: &'static str,
    pub file: String,
    pub title: &'static str,
    pub proves: &'static str,
    pub args: &'static str,
}

/// (template, title, what it proves, arguments the operator passes)
pub type StepDef = (&'static str, &'static str, &'static str, &'static str);

const CREATE_ROLE: StepDef = (
    "create-role",
    "Create or update the replication role",
    "the role exists with REPLICATION LOGIN and a password hash pg_hba.conf's method accepts",
    "",
);
const INSTALL_CONFIG: StepDef = (
    "install-config",
    "Install postgresql.conf drop-in and pg_hba.conf rules",
    "the server would start with these settings (checked offline with postgres -C)",
    "",
);
const OPEN_FIREWALL: StepDef = (
    "open-firewall",
    "Open the PostgreSQL port to the peers only",
    "the port is reachable from exactly the replication peers",
    "",
);
const APPLY_CONFIG: StepDef = (
    "apply-config",
    "Start, restart or reload PostgreSQL",
    "the server runs with the new settings and its config files have no errors",
    "",
);
const CREATE_SLOTS: StepDef = (
    "create-slots",
    "Create replication slots for the standbys streaming from here",
    "WAL a standby still needs cannot be recycled",
    "",
);
const VERIFY_NODE: StepDef = (
    "verify-node",
    "Verify this node's settings and role",
    "every setting is in effect and the node is primary or standby as planned",
    "",
);
const STOP_SERVER: StepDef = (
    "stop-server",
    "Stop PostgreSQL before cloning",
    "nothing writes to the data directory that is about to be replaced",
    "",
);
const CLEAR_DATA_DIR: StepDef = (
    "clear-data-dir",
    "Empty the data directory (asks for confirmation)",
    "the directory is ready for a base backup; refuses if the server runs or it is not a PostgreSQL data directory",
    "--confirm NODE",
);
const WRITE_PASSFILE: StepDef = (
    "write-passfile",
    "Write the replication password file (0600)",
    "the standby can authenticate without the password appearing in any config or process list",
    "",
);
const BASE_BACKUP: StepDef = (
    "base-backup",
    "Clone the upstream with pg_basebackup",
    "the data directory is a consistent copy that starts as a standby of its upstream",
    "",
);
const ENABLE_SYNC: StepDef = (
    "enable-synchronous",
    "Turn on synchronous replication",
    "enough of the listed standbys stream before commits start waiting for them",
    "",
);
const VERIFY_SENDERS: StepDef = (
    "verify-senders",
    "Check the standbys streaming from this node",
    "pg_stat_replication shows every expected standby streaming, with the planned sync state and address",
    "",
);
const WRITE_PROBE: StepDef = (
    "write-probe",
    "Write a probe row on the primary",
    "the primary accepts writes; prints a token for the standbys to look for",
    "",
);
const CHECK_PROBE: StepDef = (
    "check-probe",
    "Read the probe row; try a write",
    "the primary's row arrived on this standby, and the standby refuses writes as read-only",
    "TOKEN",
);

const DROP_PROBE: StepDef = (
    "drop-probe",
    "Remove the probe table",
    "no trace of the verification stays in the database once every standby has read the probe",
    "",
);

pub fn steps_for(topo: &ValidTopology, n: &ValidNode) -> (Vec<Step>, Vec<Step>) {
    let firewall = artifact::firewall_script(topo.firewall).is_some();
    let serves = !n.downstream.is_empty();
    // What differs by role comes first; installing and checking the configuration is
    // the same on every node.
    let mut setup: Vec<StepDef> = match n.role {
        Role::Primary => vec![CREATE_ROLE],
        Role::Standby => vec![STOP_SERVER, CLEAR_DATA_DIR, WRITE_PASSFILE, BASE_BACKUP],
    };
    setup.push(INSTALL_CONFIG);
    if firewall {
        setup.push(OPEN_FIREWALL);
    }
    setup.push(APPLY_CONFIG);
    if serves {
        setup.push(CREATE_SLOTS);
    }
    setup.push(VERIFY_NODE);
    let mut verify: Vec<StepDef> = Vec::new();
    if n.role == Role::Primary && topo.sync.is_some() {
        verify.push(ENABLE_SYNC);
    }
    if serves {
        verify.push(VERIFY_SENDERS);
    }
    match n.role {
        Role::Primary => verify.extend([WRITE_PROBE, DROP_PROBE]),
        Role::Standby => verify.push(CHECK_PROBE),
    }
    // Setup steps are numbered 10, 20, …; verification steps 91, 92, … so that a directory
    // listing shows the order and the two phases apart.
    let number = |defs: Vec<StepDef>, start: usize, stride: usize| -> Vec<Step> {
        defs.into_iter()
            .enumerate()
            .map(|(k, (template, title, proves, args))| Step {
                kind: template,
                file: format!("{:02}-{template}.sh", start + k * stride),
                title,
                proves,
                args,
            })
            .collect()
    };
    (number(setup, 10, 10), number(verify, 91, 1))
}
