//! The valid nodes, in the order everything downstream relies on: the primary, then
//! breadth-first by upstream (file order within a level), indices renumbered.

use super::Shape;
use crate::topology::layout::LayoutTemplate;
use crate::topology::model::{Role, Topology};
use crate::topology::names::slot_name;
use crate::topology::valid::ValidNode;

/// `None` when a node lacks what validation should have guaranteed (no address, say).
pub(super) fn valid_nodes(
    topo: &Topology,
    shape: &Shape<'_>,
    layout: &LayoutTemplate,
) -> Option<Vec<ValidNode>> {
    let primary = shape.primary?;
    // Order: primary, then breadth-first by upstream (file order within a level).
    let mut order = vec![primary];
    let mut k = 0;
    while k < order.len() {
        order.extend(shape.downstream[order[k]].iter().copied());
        k += 1;
    }
    let mut new_index = vec![usize::MAX; shape.nodes.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut valid: Vec<ValidNode> = Vec::with_capacity(shape.nodes.len());
    for &old in &order {
        let n = &shape.nodes[old];
        valid.push(ValidNode {
            name: n.name.clone(),
            role: n.role,
            host: shape.hosts[old]?,
            port: u16::try_from(n.port).ok()?,
            upstream: shape.upstream[old].map(|u| new_index[u]),
            slot: shape.uses_slot(old).then(|| slot_name(&n.name)),
            source: shape.sources[old]?,
            settings: shape.settings[old].clone(),
            layout: layout.resolve(topo, n),
            downstream: shape.downstream[old]
                .iter()
                .map(|&d| new_index[d])
                .collect(),
            admits: Vec::new(),
        });
    }
    for i in 0..valid.len() {
        let admits: Vec<usize> = if valid[i].role == Role::Primary {
            valid[i].downstream.clone()
        } else {
            (0..valid.len()).filter(|&j| j != i).collect()
        };
        valid[i].admits = admits;
    }
    Some(valid)
}
