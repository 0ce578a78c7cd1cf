//! The settings in effect on each node: the node's override, else `[postgresql]`, else
//! pgrepl's default; and the values no server would accept.

use super::{Ctx, setting_path};
use crate::diag::Diagnostic;
use crate::pgconf::units;
use crate::topology::codes;
use crate::topology::model::{Settings, SizeValue, Topology, WalLevel};
use crate::topology::valid::EffectiveSettings;

const DEFAULT_MAX_WAL_SENDERS: u32 = 10;
const DEFAULT_WAL_KEEP_MB: u64 = 1024;
const DEFAULT_MAX_REPLICATION_SLOTS: u32 = 10;

pub(super) fn effective(cx: &mut Ctx<'_, '_>, topo: &Topology, i: usize) -> EffectiveSettings {
    let node = &topo.nodes[i].postgresql;
    let all = &topo.postgresql;
    // Where a value came from, for labels: the node's override or [postgresql].
    let at = |field: &'static str, node_has: bool| setting_path(i, field, node_has);
    let pick = |f: fn(&Settings) -> bool| f(node);

    let wal_keep_mb = size_mb(
        cx,
        "wal_keep_size",
        node.wal_keep_size.as_ref().or(all.wal_keep_size.as_ref()),
        at("wal_keep_size", pick(|s| s.wal_keep_size.is_some())),
    )
    .unwrap_or(DEFAULT_WAL_KEEP_MB);
    let max_slot_wal_keep_mb = size_mb(
        cx,
        "max_slot_wal_keep_size",
        node.max_slot_wal_keep_size
            .as_ref()
            .or(all.max_slot_wal_keep_size.as_ref()),
        at(
            "max_slot_wal_keep_size",
            pick(|s| s.max_slot_wal_keep_size.is_some()),
        ),
    );
    let wal_level = node
        .wal_level
        .or(all.wal_level)
        .unwrap_or(WalLevel::Replica);
    if wal_level == WalLevel::Minimal {
        let path = at("wal_level", pick(|s| s.wal_level.is_some()));
        cx.push(
            Diagnostic::error(
                codes::WAL_LEVEL_MINIMAL,
                "wal_level = \"minimal\" cannot feed a standby",
            )
            .label(
                cx.span(&path),
                "minimal WAL cannot be replayed by a standby",
            )
            .help("use \"replica\" (or \"logical\" if you also decode changes)"),
        );
    }
    let listen = node
        .listen_addresses
        .clone()
        .or_else(|| all.listen_addresses.clone())
        .unwrap_or_else(|| "*".to_owned());
    EffectiveSettings {
        listen_addresses: listen,
        wal_level,
        max_wal_senders: node
            .max_wal_senders
            .or(all.max_wal_senders)
            .unwrap_or(DEFAULT_MAX_WAL_SENDERS),
        wal_keep_mb,
        max_replication_slots: node
            .max_replication_slots
            .or(all.max_replication_slots)
            .unwrap_or(DEFAULT_MAX_REPLICATION_SLOTS),
        hot_standby: node.hot_standby.or(all.hot_standby).unwrap_or(true),
        max_slot_wal_keep_mb,
    }
}

/// A size setting in megabytes: None when unset, or (reported) when no server would accept
/// it.
fn size_mb(
    cx: &mut Ctx<'_, '_>,
    name: &str,
    value: Option<&SizeValue>,
    path: Vec<crate::topology::doc::Seg<'static>>,
) -> Option<u64> {
    let mb = match value? {
        SizeValue::Megabytes(mb) => *mb,
        SizeValue::Text(t) => match units::parse_megabytes(t) {
            Ok(mb) => mb,
            Err(why) => {
                cx.push(
                    Diagnostic::error(codes::INVALID_SIZE, format!("{name} {why}"))
                        .label(cx.span(&path), "not a size PostgreSQL accepts")
                        .help("write a whole number of megabytes with a unit, e.g. \"64MB\" or \"1GB\""),
                );
                return None;
            }
        },
    };
    if mb > i32::MAX as u64 {
        cx.push(
            Diagnostic::error(
                codes::OUT_OF_RANGE,
                format!("{name} is larger than PostgreSQL allows"),
            )
            .label(cx.span(&path), "above 2147483647MB")
            .help("PostgreSQL's maximum is 2147483647MB (about 2PB)"),
        );
    }
    Some(mb)
}
