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

use super::builder::{Builder, Extra, Ordered, PREPARE, RECONFIGURE, restart_settings};
use super::changes::Changes;
use crate::render::steps::steps_for;
use crate::topology::model::Role;
use crate::topology::valid::ValidTopology;

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
    if let Some((demoted, promoted)) = changes.switchover {
        if changes.failover {
            super::failover::order(&mut b, changes, demoted, promoted);
        } else {
            super::switchover::order(&mut b, changes, demoted, promoted);
        }
        return b.out;
    }
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
        .map(|&r| old.nodes[r].source.to_string())
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
