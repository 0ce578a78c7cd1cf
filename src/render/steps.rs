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
    /// What the step may do to the node's running server, `NODE` for its name; empty when
    /// it never stops, starts or restarts it.
    pub disrupts: &'static str,
    pub effect: Effect,
    /// It reads the roles' passwords (from the environment, a file or secrets/).
    pub reads_passwords: bool,
}

/// What a step leaves behind, for whoever reports changes (Ansible's `changed_when` and
/// check mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    /// Changes the node where it is not as planned, and says so on a line of its own
    /// marked `changed: ` (lib.sh's `changed`); a run that prints none changed nothing.
    Changes,
    /// Only reads: safe to run in a dry run.
    ReadsOnly,
    /// Writes and later removes a probe row: no lasting change, yet not for a dry run.
    Probe,
}

/// One kind of runbook step.
pub struct StepDef {
    /// The template, `templates/runbook/<kind>.sh.j2`.
    pub kind: &'static str,
    pub title: &'static str,
    pub proves: &'static str,
    pub disrupts: &'static str,
    pub effect: Effect,
    pub reads_passwords: bool,
}

const CREATE_ROLE: StepDef = StepDef {
    kind: "create-role",
    title: "Create or update the replication role",
    proves: "the role exists with REPLICATION LOGIN and a password hash pg_hba.conf's method accepts",
    disrupts: "",
    effect: Effect::Changes,
    reads_passwords: true,
};
const INSTALL_CONFIG: StepDef = StepDef {
    kind: "install-config",
    title: "Install postgresql.conf drop-in and pg_hba.conf rules",
    proves: "the server would start with these settings (checked offline with postgres -C)",
    disrupts: "",
    effect: Effect::Changes,
    reads_passwords: false,
};
const OPEN_FIREWALL: StepDef = StepDef {
    kind: "open-firewall",
    title: "Open the PostgreSQL port to the peers only",
    proves: "the port is reachable from exactly the replication peers",
    disrupts: "",
    effect: Effect::Changes,
    reads_passwords: false,
};
const APPLY_CONFIG: StepDef = StepDef {
    kind: "apply-config",
    title: "Start or reload PostgreSQL (restart only with --restart)",
    proves: "the server runs with the new settings and its config files have no errors",
    disrupts: "starts `NODE` if it is stopped; reloads it if it runs, and restarts it only when run with `--restart`",
    effect: Effect::Changes,
    reads_passwords: false,
};
const CREATE_SLOTS: StepDef = StepDef {
    kind: "create-slots",
    title: "Create replication slots for the standbys streaming from here",
    proves: "WAL a standby still needs cannot be recycled",
    disrupts: "",
    effect: Effect::Changes,
    reads_passwords: false,
};
const VERIFY_NODE: StepDef = StepDef {
    kind: "verify-node",
    title: "Verify this node's settings and role",
    proves: "every setting is in effect and the node is primary or standby as planned",
    disrupts: "",
    effect: Effect::ReadsOnly,
    reads_passwords: false,
};
const STOP_SERVER: StepDef = StepDef {
    kind: "stop-server",
    title: "Stop PostgreSQL before cloning",
    proves: "nothing writes to the data directory that is about to be replaced; refuses on a server holding this cluster's data (a promoted standby)",
    disrupts: "stops `NODE`'s server, unless it already is a cloned standby",
    effect: Effect::Changes,
    reads_passwords: false,
};
const CLEAR_DATA_DIR: StepDef = StepDef {
    kind: "clear-data-dir",
    title: "Empty the data directory (the node's name confirms it)",
    proves: "the directory is ready for a base backup; refuses if the server runs, if it is not a PostgreSQL data directory, or if it holds this cluster's data (a promoted standby)",
    disrupts: "",
    effect: Effect::Changes,
    reads_passwords: false,
};
const WRITE_PASSFILE: StepDef = StepDef {
    kind: "write-passfile",
    title: "Write the password file of the replication and rewind roles (0600)",
    proves: "the node can authenticate as the replication role to its peers (its upstream now, any of them after a failover), and as the rewind role for pg_rewind, without a password in any config or process list",
    disrupts: "",
    effect: Effect::Changes,
    reads_passwords: true,
};
const BASE_BACKUP: StepDef = StepDef {
    kind: "base-backup",
    title: "Clone the upstream with pg_basebackup",
    proves: "the data directory is a consistent copy that starts as a standby of its upstream",
    disrupts: "",
    effect: Effect::Changes,
    reads_passwords: false,
};
const ENABLE_SYNC: StepDef = StepDef {
    kind: "enable-synchronous",
    title: "Turn on synchronous replication",
    proves: "enough of the listed standbys stream before commits start waiting for them",
    disrupts: "",
    effect: Effect::Changes,
    reads_passwords: false,
};
const VERIFY_SENDERS: StepDef = StepDef {
    kind: "verify-senders",
    title: "Check the standbys streaming from this node",
    proves: "pg_stat_replication shows every expected standby streaming, with the planned sync state and address",
    disrupts: "",
    effect: Effect::ReadsOnly,
    reads_passwords: false,
};
const WRITE_PROBE: StepDef = StepDef {
    kind: "write-probe",
    title: "Write a probe row on the primary",
    proves: "the primary accepts writes; prints a token for the standbys to look for",
    disrupts: "",
    effect: Effect::Probe,
    reads_passwords: false,
};
const CHECK_PROBE: StepDef = StepDef {
    kind: "check-probe",
    title: "Read the probe row; try a write",
    proves: "the primary's row arrived on this standby, and the standby refuses writes as read-only",
    disrupts: "",
    effect: Effect::Probe,
    reads_passwords: false,
};

const DROP_PROBE: StepDef = StepDef {
    kind: "drop-probe",
    title: "Remove the probe table",
    proves: "no trace of the verification stays in the database once every standby has read the probe",
    disrupts: "",
    effect: Effect::Probe,
    reads_passwords: false,
};

/// The verification steps of the whole cluster, in the order RUNBOOK.md (and the Ansible
/// playbook) runs them: each kind on every node that has it, before the next kind.
pub const VERIFICATION_ORDER: [&str; 5] = [
    ENABLE_SYNC.kind,
    VERIFY_SENDERS.kind,
    WRITE_PROBE.kind,
    CHECK_PROBE.kind,
    DROP_PROBE.kind,
];

pub fn steps_for(topo: &ValidTopology, n: &ValidNode) -> (Vec<Step>, Vec<Step>) {
    let firewall = artifact::firewall_script(topo.firewall).is_some();
    let serves = !n.downstream.is_empty();
    // What differs by role comes first; installing and checking the configuration is
    // the same on every node.
    let mut setup: Vec<StepDef> = match n.role {
        // The primary's passfile too: it will be a standby one day (a switchover, a
        // rejoin after a failover), and writing it then would take the password again.
        Role::Primary => vec![CREATE_ROLE, WRITE_PASSFILE],
        // The passfile first: stopping and clearing compare this data directory's system
        // identifier with the upstream's, over a replication connection.
        Role::Standby => vec![WRITE_PASSFILE, STOP_SERVER, CLEAR_DATA_DIR, BASE_BACKUP],
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
            .map(|(k, d)| Step {
                kind: d.kind,
                file: format!("{:02}-{}.sh", start + k * stride, d.kind),
                title: d.title,
                proves: d.proves,
                disrupts: d.disrupts,
                effect: d.effect,
                reads_passwords: d.reads_passwords,
            })
            .collect()
    };
    (number(setup, 10, 10), number(verify, 91, 1))
}
