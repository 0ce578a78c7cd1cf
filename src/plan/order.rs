//! The plan's steps in a safe order, as sections of commands per node.
//!
//! 1. The new upstreams of added and re-parented standbys: their pg_hba.conf, firewall and
//!    slots (a reload, never a restart).
//! 2. Added standbys: cloned and started as on day 1.
//! 3. Re-parented standbys: repointed (a reload from 13, a restart before) and verified.
//! 4. synchronous_standby_names, once the new standbys stream and before a removed one stops.
//! 5. Removed standbys: stopped (or already gone).
//! 6. Their slots, and the old slots of re-parented standbys, dropped.
//! 7. Every other node whose files changed: pg_hba.conf and firewall for after a failover,
//!    changed settings (a restart only with consent).
//! 8. Verification of the senders whose standbys changed.

use std::collections::BTreeSet;

use serde::Serialize;

use super::changes::Changes;
use crate::catalog;
use crate::render::settings::settings_for;
use crate::render::steps::steps_for;
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
}

#[derive(Debug, Serialize)]
pub struct Row {
    pub run: String,
    pub proves: String,
    /// What it does to a running server (reload, restart, stop), empty when nothing.
    pub disrupts: String,
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
fn restart_settings(old: &ValidTopology, new: &ValidTopology, name: &str) -> Vec<&'static str> {
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

struct Builder<'a> {
    old: &'a ValidTopology,
    new: &'a ValidTopology,
    out: Ordered,
}

impl Builder<'_> {
    fn section(&mut self, title: String, topo_is_new: bool, i: usize) -> &mut Section {
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
            role: match n.role {
                Role::Primary => "primary",
                Role::Standby => "standby",
            },
            host: n.host.to_string(),
            rows: Vec::new(),
        });
        self.out.sections.last_mut().expect("just pushed")
    }

    /// Rows for the node's own runbook steps of these kinds, in the runbook's order.
    fn steps(&mut self, title: String, i: usize, kinds: &[&str]) {
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

    fn extra(
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
            proves: proves.to_owned(),
            disrupts: disrupts.to_owned(),
        });
        self.out.extras.push(extra);
    }
}

const PREPARE: &[&str] = &[
    "install-config",
    "open-firewall",
    "apply-config",
    "create-slots",
];
const RECONFIGURE: &[&str] = &["install-config", "open-firewall", "apply-config"];

pub fn order(old: &ValidTopology, new: &ValidTopology, changes: &Changes) -> Ordered {
    let mut b = Builder {
        old,
        new,
        out: Ordered {
            sections: Vec::new(),
            extras: Vec::new(),
            new_nodes: BTreeSet::new(),
            old_nodes: BTreeSet::new(),
        },
    };
    let index = |t: &ValidTopology, name: &str| t.nodes.iter().position(|n| n.name == name);
    let mut done: BTreeSet<usize> = BTreeSet::new();

    // 1. New upstreams: admit, open, slot.
    let mut upstreams: Vec<usize> = changes
        .added
        .iter()
        .filter_map(|&a| new.nodes[a].upstream)
        .chain(changes.reparented.iter().map(|&(_, _, to)| to))
        .filter(|u| !changes.added.contains(u))
        .collect();
    upstreams.sort();
    upstreams.dedup();
    for &u in &upstreams {
        let why = format!(
            "Prepare `{}` for the standbys that will stream from it",
            new.nodes[u].name
        );
        b.steps(why, u, PREPARE);
        done.insert(u);
    }
    // 2. Added standbys, upstream before downstream (NEW's order).
    for &a in &changes.added {
        let (setup, _) = steps_for(new, &new.nodes[a]);
        let kinds: Vec<&str> = setup.iter().map(|s| s.kind).collect();
        b.steps(format!("Add `{}`", new.nodes[a].name), a, &kinds);
        done.insert(a);
    }
    // 3. Re-parented standbys.
    for &(i, ref from, to) in &changes.reparented {
        let title = format!(
            "Repoint `{}` from `{from}` to `{}`",
            new.nodes[i].name, new.nodes[to].name
        );
        b.steps(title, i, &["install-config", "apply-config", "verify-node"]);
        done.insert(i);
    }
    // 4. synchronous_standby_names.
    if let Some((_, after)) = &changes.sync {
        let p = new
            .nodes
            .iter()
            .position(|n| n.role == Role::Primary)
            .expect("a valid topology has a primary");
        match after {
            Some(names) => b.steps(
                format!("Synchronous standbys become `{names}`"),
                p,
                &["enable-synchronous"],
            ),
            None => {
                let extra = Extra {
                    node: new.nodes[p].name.clone(),
                    kind: "disable-synchronous",
                    items: Vec::new(),
                };
                b.extra(
                    "Replication becomes asynchronous".into(),
                    true,
                    p,
                    extra,
                    "the synchronous drop-in is gone and synchronous_standby_names is empty after the reload: commits wait for no standby",
                    &format!("reloads `{}`", new.nodes[p].name),
                );
            }
        }
    }
    // 5. Removed standbys stop.
    for &r in &changes.removed {
        let name = old.nodes[r].name.clone();
        let extra = Extra {
            node: name.clone(),
            kind: "retire",
            items: Vec::new(),
        };
        b.extra(
            format!("Retire `{name}` (skip this section if the server is already gone)"),
            false,
            r,
            extra,
            "the standby's server is stopped and no longer streams; its data directory is left as it is",
            &format!("stops `{name}`"),
        );
    }
    // 6. Slots no standby uses any more, on the nodes that keep them.
    let mut stale: Vec<(usize, String)> = Vec::new();
    for &r in &changes.removed {
        let n = &old.nodes[r];
        if let (Some(u), Some(slot)) = (n.upstream, &n.slot) {
            if let Some(u) = index(new, &old.nodes[u].name) {
                stale.push((u, slot.clone()));
            }
        }
    }
    for (i, from, _) in &changes.reparented {
        let o = index(old, &new.nodes[*i].name).expect("re-parented nodes are in both");
        if let (Some(slot), Some(u)) = (&old.nodes[o].slot, index(new, from)) {
            stale.push((u, slot.clone()));
        }
    }
    stale.sort();
    let holders: BTreeSet<usize> = stale.iter().map(|(u, _)| *u).collect();
    for u in holders {
        let slots: Vec<String> = stale
            .iter()
            .filter(|(h, _)| *h == u)
            .map(|(_, s)| s.clone())
            .collect();
        let name = new.nodes[u].name.clone();
        let extra = Extra {
            node: name.clone(),
            kind: "drop-slots",
            items: slots.clone(),
        };
        b.extra(
            format!("Drop the slots no standby streams from on `{name}`"),
            true,
            u,
            extra,
            &format!(
                "{} gone, so `{name}` keeps no WAL for a standby that will not come back",
                slots.join(", ")
            ),
            "",
        );
    }
    // 7. Every other node whose files changed; with a larger value of a setting a standby
    //    must match (12+ refuses to start below its primary's), the standbys go first.
    let mut rest: Vec<usize> = changes
        .reconfigured
        .iter()
        .copied()
        .filter(|i| !done.contains(i))
        .collect();
    let primary_grows = rest.iter().any(|&i| {
        new.nodes[i].role == Role::Primary
            && restart_settings(old, new, &new.nodes[i].name)
                .iter()
                .any(|s| new.facts.standby_needs_at_least_primary.contains(s))
    });
    rest.sort_by_key(|&i| (new.nodes[i].role == Role::Primary) == primary_grows);
    let closed: Vec<String> = changes
        .removed
        .iter()
        .map(|&r| old.nodes[r].source.addr().to_string())
        .collect();
    for i in rest {
        b.steps(format!("Update `{}`", new.nodes[i].name), i, RECONFIGURE);
    }
    if !closed.is_empty() && crate::render::artifact::firewall_script(new.firewall).is_some() {
        for (i, n) in new.nodes.iter().enumerate() {
            if changes.added.contains(&i) {
                continue;
            }
            let extra = Extra {
                node: n.name.clone(),
                kind: "close-firewall",
                items: closed.clone(),
            };
            b.extra(
                format!("Close `{}`'s port to the retired nodes", n.name),
                true,
                i,
                extra,
                "the firewall no longer admits the retired nodes' addresses",
                "",
            );
        }
    }
    // 8. Verification.
    let senders: BTreeSet<usize> = upstreams
        .iter()
        .copied()
        .chain(stale.iter().map(|(u, _)| *u))
        .filter(|&u| !new.nodes[u].downstream.is_empty())
        .collect();
    for u in senders {
        b.steps(
            format!("Verify the standbys of `{}`", new.nodes[u].name),
            u,
            &["verify-senders"],
        );
    }
    b.out
}
