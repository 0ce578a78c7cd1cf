//! What each node must hold for the standbys streaming from it: WAL senders (with room for a
//! clone), slots, kept WAL for standbys without one, listen addresses peers can reach, and
//! the settings a standby needs at least as high as its primary's.

use super::{Ctx, Shape, node_path, setting_path};
use crate::catalog::{self, BASEBACKUP_SENDERS, Feature, MajorFacts, has};
use crate::diag::Diagnostic;
use crate::pgconf::units;
use crate::topology::codes;
use crate::topology::model::Role;

/// Below this much kept WAL, a standby without a slot that is down for a few minutes on a
/// busy primary needs a new base backup.
const SMALL_WAL_KEEP_MB: u64 = 1024;

pub(super) fn check(cx: &mut Ctx<'_, '_>, shape: &Shape<'_>, facts: Option<&'static MajorFacts>) {
    let Shape {
        nodes,
        primary,
        hosts,
        upstream,
        downstream,
        settings,
        ..
    } = shape;
    let primary = *primary;
    // Nodes holding slots with no bound on the WAL they keep (one warning names them all).
    let mut unbounded = Vec::new();
    for i in 0..nodes.len() {
        let s = &settings[i];
        let n = &nodes[i];
        let streams = downstream[i].len() as u32;
        let senders_over = n.postgresql.max_wal_senders.is_some();
        if streams > 0 && s.max_wal_senders < streams {
            cx.push(
                Diagnostic::error(codes::SENDERS_SHORTFALL, format!("node \"{}\" has {} standbys streaming from it but max_wal_senders = {}", n.name, streams, s.max_wal_senders))
                    .label(cx.span(&setting_path(i, "max_wal_senders", senders_over)), "too few WAL senders")
                    .help(format!("each streaming standby holds one WAL sender; set max_wal_senders to at least {}", streams + BASEBACKUP_SENDERS)),
            );
        } else if streams > 0 && s.max_wal_senders < streams + BASEBACKUP_SENDERS {
            cx.push(
                Diagnostic::warning(codes::SENDERS_HEADROOM, format!("node \"{}\": max_wal_senders = {} leaves no room to clone a standby while {} stream", n.name, s.max_wal_senders, streams))
                    .label(cx.span(&setting_path(i, "max_wal_senders", senders_over)), "no headroom")
                    .help(format!("pg_basebackup -X stream uses up to {BASEBACKUP_SENDERS} more senders; set max_wal_senders to at least {}", streams + BASEBACKUP_SENDERS)),
            );
        }
        let slots_needed = downstream[i]
            .iter()
            .filter(|&&d| shape.uses_slot(d))
            .count() as u32;
        if slots_needed > s.max_replication_slots {
            cx.push(
                Diagnostic::error(codes::SLOTS_SHORTFALL, format!("node \"{}\" needs {} replication slots but max_replication_slots = {}", n.name, slots_needed, s.max_replication_slots))
                    .label(cx.span(&setting_path(i, "max_replication_slots", n.postgresql.max_replication_slots.is_some())), "too few slots")
                    .help(format!("set max_replication_slots to at least {slots_needed}, or turn slots off for some standbys")),
            );
        }
        if slots_needed > 0 && s.max_slot_wal_keep_mb.is_none() {
            unbounded.push((i, slots_needed));
        }
        if n.role == Role::Standby && !shape.uses_slot(i) {
            if let Some(u) = upstream[i] {
                if settings[u].wal_keep_mb < SMALL_WAL_KEEP_MB {
                    // "keeps only 0 of WAL" says nothing; none kept is its own case.
                    let (kept, label) = match settings[u].wal_keep_mb {
                        0 => (
                            "keeps no extra WAL (wal_keep_size = 0)".to_owned(),
                            "no WAL kept for standbys",
                        ),
                        mb => (
                            format!("keeps only {} of WAL", units::show_megabytes(mb)),
                            "little WAL kept",
                        ),
                    };
                    cx.push(
                        Diagnostic::warning(codes::SMALL_WAL_KEEP, format!("standby \"{}\" has no replication slot and its upstream {kept}", n.name))
                            .label(cx.span(&setting_path(u, "wal_keep_size", nodes[u].postgresql.wal_keep_size.is_some())), label)
                            .label(cx.span(&node_path(i, "name")), "this standby")
                            .help("a standby that falls further behind than this needs a new base backup; keep slots on, or raise wal_keep_size"),
                    );
                }
            }
        }
        if streams > 0 || n.role == Role::Standby {
            let la = s.listen_addresses.trim();
            let local_only = la.is_empty()
                || la
                    .split(',')
                    .map(str::trim)
                    .all(|a| matches!(a, "localhost" | "127.0.0.1" | "::1"));
            let lab = hosts[i].is_some_and(|h| h.is_loopback());
            if local_only && !lab {
                cx.push(
                    Diagnostic::error(codes::LISTEN_LOCAL, format!("node \"{}\" listens only on {la:?}, so its peers cannot reach it", n.name))
                        .label(cx.span(&setting_path(i, "listen_addresses", n.postgresql.listen_addresses.is_some())), "local connections only")
                        .help(format!("listen on \"*\" or on \"{}\" (pg_hba.conf and the firewall still restrict who may connect)", n.host)),
                );
            }
        }
    }
    // A hot standby refuses to start when some settings are below the primary's.
    if let (Some(facts), Some(p)) = (facts, primary) {
        if facts
            .standby_needs_at_least_primary
            .contains(&"max_wal_senders")
        {
            for i in 0..nodes.len() {
                if nodes[i].role == Role::Standby
                    && settings[i].max_wal_senders < settings[p].max_wal_senders
                {
                    cx.push(
                        Diagnostic::error(codes::STANDBY_BELOW_PRIMARY, format!("standby \"{}\" has max_wal_senders = {}, below the primary's {}", nodes[i].name, settings[i].max_wal_senders, settings[p].max_wal_senders))
                            .label(cx.span(&setting_path(i, "max_wal_senders", nodes[i].postgresql.max_wal_senders.is_some())), "lower than on the primary")
                            .help(format!("PostgreSQL {} refuses to run a hot standby with max_wal_senders below the primary's; raise it to at least {}", facts.major, settings[p].max_wal_senders)),
                    );
                }
            }
        }
    }
    let bounds_slots = facts.is_some_and(|f| has(f.major, Feature::WalKeepSize));
    if bounds_slots && !unbounded.is_empty() {
        let names: Vec<&str> = unbounded
            .iter()
            .map(|&(i, _)| nodes[i].name.as_str())
            .collect();
        let mut d = Diagnostic::warning(
            codes::SLOT_WAL_UNBOUNDED,
            format!("{} ({})", catalog::SLOT_WAL_UNBOUNDED, names.join(", ")),
        );
        for &(i, slots) in &unbounded {
            let what = match slots {
                1 => "holds 1 slot, unbounded".to_owned(),
                n => format!("holds {n} slots, unbounded"),
            };
            d = d.label(cx.span(&node_path(i, "name")), what);
        }
        cx.push(d.help(format!(
            "{} in [postgresql]",
            catalog::SLOT_WAL_UNBOUNDED_HELP
        )));
    }
}
