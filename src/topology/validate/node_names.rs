//! Node names: usable in files and scripts, unique, and unique once made slot names.

use std::collections::BTreeMap;

use super::{Ctx, node_path};
use crate::diag::Diagnostic;
use crate::topology::codes;
use crate::topology::model::Node;
use crate::topology::names::{SAFE_NAME_HELP, is_safe_name, slot_name};

/// Every node's index by name (the first node of a name).
pub(super) fn check<'t>(cx: &mut Ctx<'_, '_>, nodes: &'t [Node]) -> BTreeMap<&'t str, usize> {
    let mut by_name: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, n) in nodes.iter().enumerate() {
        if !is_safe_name(&n.name) {
            cx.push(
                Diagnostic::error(
                    codes::INVALID_NAME,
                    format!(
                        "node name \"{}\" cannot be used in file names and scripts",
                        n.name.escape_debug()
                    ),
                )
                .label(cx.span(&node_path(i, "name")), "unsafe name")
                .help(SAFE_NAME_HELP),
            );
        }
        if let Some(&first) = by_name.get(n.name.as_str()) {
            cx.push(
                Diagnostic::error(
                    codes::DUPLICATE_NODE,
                    format!("two nodes are named \"{}\"", n.name),
                )
                .label(cx.span(&node_path(i, "name")), "second use")
                .label(cx.span(&node_path(first, "name")), "first use")
                .help("node names name output directories and replication slots; make each unique"),
            );
        } else {
            by_name.insert(&n.name, i);
        }
    }
    // Slot names allow only [a-z0-9_]: `pg-2` and `pg_2` would share one.
    let mut by_slot: BTreeMap<String, usize> = BTreeMap::new();
    for (i, n) in nodes.iter().enumerate() {
        let slot = slot_name(&n.name);
        if let Some(&first) = by_slot.get(&slot) {
            if nodes[first].name != n.name {
                cx.push(
                    Diagnostic::error(
                        codes::DUPLICATE_NODE,
                        format!(
                            "nodes \"{}\" and \"{}\" would share the replication slot \"{slot}\"",
                            nodes[first].name, n.name
                        ),
                    )
                    .label(cx.span(&node_path(i, "name")), "maps to the same slot")
                    .label(cx.span(&node_path(first, "name")), "as this one")
                    .help(
                        "slot names cannot hold `-`, so pgrepl turns it into `_`; rename one node",
                    ),
                );
            }
        } else {
            by_slot.insert(slot, i);
        }
    }

    by_name
}
