//! Exactly one primary.

use super::{Ctx, node_path};
use crate::diag::Diagnostic;
use crate::topology::codes;
use crate::topology::model::{Node, Role};

/// The primary's index: the first one when there are several (each other one is reported).
pub(super) fn check(cx: &mut Ctx<'_, '_>, nodes: &[Node]) -> Option<usize> {
    let primaries: Vec<usize> = (0..nodes.len())
        .filter(|&i| nodes[i].role == Role::Primary)
        .collect();
    match primaries.as_slice() {
        [] => cx.push(
            Diagnostic::error(codes::PRIMARY_COUNT, "no node has role = \"primary\"")
                .label(
                    cx.span(&node_path(0, "role")),
                    "the first node, for example",
                )
                .help("exactly one node must be the primary that standbys stream from"),
        ),
        [_] => {}
        [first, rest @ ..] => {
            for &i in rest {
                cx.push(
                    Diagnostic::error(codes::PRIMARY_COUNT, "more than one node has role = \"primary\"")
                        .label(cx.span(&node_path(i, "role")), "another primary")
                        .label(cx.span(&node_path(*first, "role")), "first primary")
                        .help("a streaming-replication cluster has exactly one primary; make the others standbys"),
                );
            }
        }
    }

    primaries.first().copied()
}
