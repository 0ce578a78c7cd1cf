//! The pieces a plan is made of: sections of rows (commands) per node, the plan-only
//! scripts they need, and the builder that adds a node's own runbook steps to a section.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::catalog;
use crate::render::settings::settings_for;
use crate::render::steps::{Effect, steps_for};
use crate::topology::model::Role;
use crate::topology::valid::ValidTopology;

/// A plan-only script, `runbook/plan-<kind>.sh` in the node's directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extra {
    pub node: String,
    pub kind: &'static str,
    /// For drop-slots: the slots; for close-firewall: the sources.
    pub items: Vec<String>,
}

impl Extra {
    pub fn file(&self) -> String {
        format!("plan-{}.sh", self.kind)
    }

    /// What the script leaves behind: the checks only read.
    pub fn effect(&self) -> Effect {
        match self.kind {
            "preflight-candidate" | "preflight-primary" => Effect::ReadsOnly,
            _ => Effect::Changes,
        }
    }
}

/// An argument of a row's command.
#[derive(Debug, Clone, Serialize)]
pub struct Arg {
    /// As PLAN.md shows it.
    pub text: String,
    /// When it is the last line an earlier step printed: that step's node and kind (PLAN.md
    /// shows a placeholder for it).
    pub output_of: Option<(String, &'static str)>,
}

#[derive(Debug, Serialize)]
pub struct Row {
    /// The command as PLAN.md shows it: `node/runbook/file` and the arguments.
    pub run: String,
    pub proves: String,
    /// What it does to a running server (reload, restart, stop), empty when nothing.
    pub disrupts: String,
    pub node: String,
    /// The script, under the node's runbook/.
    pub file: String,
    pub kind: &'static str,
    pub args: Vec<Arg>,
    pub effect: Effect,
    pub reads_passwords: bool,
}

impl Row {
    /// Adds an argument that is the last line `kind` printed on `node`, shown as `placeholder`.
    pub(super) fn push_output_of(&mut self, placeholder: String, node: &str, kind: &'static str) {
        self.run.push(' ');
        self.run.push_str(&placeholder);
        self.args.push(Arg {
            text: placeholder,
            output_of: Some((node.to_owned(), kind)),
        });
    }
}

#[derive(Debug, Serialize)]
pub struct Section {
    pub title: String,
    pub node: String,
    pub role: &'static str,
    pub host: String,
    pub rows: Vec<Row>,
}

pub struct Ordered {
    pub sections: Vec<Section>,
    /// Plan-only scripts to render.
    pub extras: Vec<Extra>,
    /// Nodes of NEW whose directories the plan carries.
    pub new_nodes: BTreeSet<usize>,
    /// Nodes of OLD (removed) whose directories the plan carries.
    pub old_nodes: BTreeSet<usize>,
}

/// Settings of node `name` that change and take a restart, by name.
pub(super) fn restart_settings(
    old: &ValidTopology,
    new: &ValidTopology,
    name: &str,
) -> Vec<&'static str> {
    let (Some(o), Some(n)) = (
        old.nodes.iter().find(|n| n.name == name),
        new.nodes.iter().find(|n| n.name == name),
    ) else {
        return Vec::new();
    };
    let before = settings_for(old, o);
    let mut out: Vec<&'static str> = settings_for(new, n)
        .into_iter()
        .filter(|s| s.restart)
        .filter(|s| {
            before
                .iter()
                .find(|b| b.name == s.name)
                .is_none_or(|b| b.value != s.value)
        })
        .map(|s| s.name)
        .collect();
    // Before 12 a standby reads where it streams from in recovery.conf, at start only.
    let recovery_moves = new.facts.standby_setup == catalog::StandbySetup::RecoveryConf
        && o.upstream.map(|u| &old.nodes[u].name) != n.upstream.map(|u| &new.nodes[u].name);
    if recovery_moves {
        out.push("recovery.conf");
    }
    out
}

pub(super) struct Builder<'a> {
    pub(super) old: &'a ValidTopology,
    pub(super) new: &'a ValidTopology,
    pub(super) out: Ordered,
}

impl Builder<'_> {
    pub(super) fn section(&mut self, title: String, topo_is_new: bool, i: usize) -> &mut Section {
        let topo = if topo_is_new { self.new } else { self.old };
        let n = &topo.nodes[i];
        if topo_is_new {
            self.out.new_nodes.insert(i);
        } else {
            self.out.old_nodes.insert(i);
        }
        self.out.sections.push(Section {
            title,
            node: n.name.clone(),
            // A node changing roles says both: the steps before the switch see the old one.
            role: match (
                n.role,
                self.old
                    .nodes
                    .iter()
                    .find(|o| o.name == n.name)
                    .map(|o| o.role),
            ) {
                (Role::Primary, Some(Role::Standby)) if topo_is_new => "standby, to be the primary",
                (Role::Standby, Some(Role::Primary)) if topo_is_new => "primary, to be a standby",
                (Role::Primary, _) => "primary",
                (Role::Standby, _) => "standby",
            },
            host: n.host.to_string(),
            rows: Vec::new(),
        });
        self.out.sections.last_mut().expect("just pushed")
    }

    /// Rows for the node's own runbook steps of these kinds, in the runbook's order.
    pub(super) fn steps(&mut self, title: String, i: usize, kinds: &[&str]) {
        let new = self.new;
        let old = self.old;
        let n = &new.nodes[i];
        let (setup, verify) = steps_for(new, n);
        let restarts = restart_settings(old, new, &n.name);
        let rows: Vec<Row> = setup
            .iter()
            .chain(&verify)
            .filter(|s| kinds.contains(&s.kind))
            .map(|s| Row {
                run: format!("{}/{}/{}", n.name, crate::render::RUNBOOK_DIR, s.file),
                node: n.name.clone(),
                file: s.file.clone(),
                kind: s.kind,
                args: Vec::new(),
                effect: s.effect,
                reads_passwords: s.reads_passwords,
                proves: s.proves.to_owned(),
                disrupts: match s.kind {
                    "apply-config" if old.nodes.iter().any(|o| o.name == n.name) => {
                        if restarts.is_empty() {
                            format!("reloads `{}`", n.name)
                        } else {
                            format!(
                                "reloads `{}`, and restarts it for {} only when run with `--restart` (it stops and says so otherwise)",
                                n.name,
                                restarts.join(", ")
                            )
                        }
                    }
                    _ => s.disrupts.replace("NODE", &n.name),
                },
            })
            .collect();
        if !rows.is_empty() {
            self.section(title, true, i).rows.extend(rows);
        }
    }

    pub(super) fn extra(
        &mut self,
        title: String,
        topo_is_new: bool,
        i: usize,
        extra: Extra,
        proves: &str,
        disrupts: &str,
    ) {
        let run = format!(
            "{}/{}/{}",
            extra.node,
            crate::render::RUNBOOK_DIR,
            extra.file()
        );
        self.section(title, topo_is_new, i).rows.push(Row {
            run,
            node: extra.node.clone(),
            file: extra.file(),
            kind: extra.kind,
            args: Vec::new(),
            effect: extra.effect(),
            reads_passwords: false,
            proves: proves.to_owned(),
            disrupts: disrupts.to_owned(),
        });
        self.out.extras.push(extra);
    }
}

pub(super) const PREPARE: &[&str] = &[
    "install-config",
    "open-firewall",
    "apply-config",
    "create-slots",
];
pub(super) const RECONFIGURE: &[&str] = &["install-config", "open-firewall", "apply-config"];
