//! Upstreams: named nodes, not the node itself, none for the primary, no circles.

use std::collections::{BTreeMap, BTreeSet};

use super::{Ctx, node_path};
use crate::diag::Diagnostic;
use crate::topology::codes;
use crate::topology::model::{Node, Role};

/// Every node's upstream: the named node, else the primary for a standby.
pub(super) fn check(
    cx: &mut Ctx<'_, '_>,
    nodes: &[Node],
    primary: Option<usize>,
    by_name: &BTreeMap<&str, usize>,
) -> Vec<Option<usize>> {
    let mut upstream: Vec<Option<usize>> = vec![None; nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        match (n.role, &n.upstream) {
            (Role::Primary, Some(_)) => cx.push(
                Diagnostic::error(codes::PRIMARY_UPSTREAM, format!("primary \"{}\" has an upstream", n.name))
                    .label(cx.span(&node_path(i, "upstream")), "a primary streams from nobody")
                    .help("remove `upstream` from the primary, or make this node a standby"),
            ),
            (Role::Primary, None) => {}
            (Role::Standby, None) => upstream[i] = primary,
            (Role::Standby, Some(up)) => match by_name.get(up.as_str()) {
                Some(&j) if j == i => cx.push(
                    Diagnostic::error(codes::UPSTREAM_CYCLE, format!("standby \"{}\" names itself as upstream", n.name))
                        .label(cx.span(&node_path(i, "upstream")), "streams from itself")
                        .help("name the primary or another standby, or leave `upstream` out to stream from the primary"),
                ),
                Some(&j) => upstream[i] = Some(j),
                None => {
                    let mut d = Diagnostic::error(codes::UNKNOWN_UPSTREAM, format!("upstream \"{up}\" is not a node of this topology"))
                        .label(cx.span(&node_path(i, "upstream")), "no such node");
                    d = match crate::suggest::did_you_mean(up, by_name.keys().copied()) {
                        Some(s) => d.help(format!("did you mean \"{s}\"?")),
                        None => d.help(format!("nodes are: {}", by_name.keys().copied().collect::<Vec<_>>().join(", "))),
                    };
                    cx.push(d);
                }
            },
        }
    }
    // A chain that never reaches the primary is a cycle.
    let mut reported: BTreeSet<usize> = BTreeSet::new();
    for start in 0..nodes.len() {
        let mut seen = vec![start];
        let mut cur = start;
        while let Some(next) = upstream[cur] {
            if nodes[next].role == Role::Primary {
                break;
            }
            if seen.contains(&next) {
                let cycle_start = seen.iter().position(|&s| s == next).unwrap_or(0);
                let members: Vec<usize> = seen[cycle_start..].to_vec();
                if members.iter().all(|m| !reported.contains(m)) {
                    let names: Vec<&str> =
                        members.iter().map(|&m| nodes[m].name.as_str()).collect();
                    let mut d = Diagnostic::error(
                        codes::UPSTREAM_CYCLE,
                        format!(
                            "standbys stream from each other in a circle: {} -> {}",
                            names.join(" -> "),
                            names[0]
                        ),
                    );
                    for &m in &members {
                        d = d.label(
                            cx.span(&node_path(m, "upstream")),
                            format!(
                                "{} streams from {}",
                                nodes[m].name,
                                nodes[upstream[m].unwrap_or(m)].name
                            ),
                        );
                    }
                    cx.push(d.help("every chain of upstreams must end at the primary; point one of them at the primary"));
                    reported.extend(members);
                }
                break;
            }
            seen.push(next);
            cur = next;
        }
    }

    upstream
}
