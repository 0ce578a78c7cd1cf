//! Semantic validation: from a well-formed topology to a `ValidTopology`, reporting every
//! problem with the span it comes from. Nothing here stops at the first error.
//!
//! One module per concern, run in this order: `replication` (role, password, TLS files),
//! then per node `node_names`, `primary`, `addresses`, `upstreams`, `settings` (the values
//! in effect), `senders` (senders, slots, kept WAL, listen addresses), `sync`, the layout,
//! and last `order`, which builds the valid nodes.

mod addresses;
mod node_names;
mod order;
mod primary;
mod replication;
mod senders;
mod settings;
mod sync;
mod upstreams;

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;

use super::codes;
use super::doc::{Doc, Seg};
use super::model::{Firewall, Node, Role, Topology};
use super::names::{SAFE_NAME_HELP, is_safe_name};
use super::valid::{EffectiveSettings, SyncSpec, ValidNode, ValidTopology};
use crate::catalog::{self, MajorFacts};
use crate::diag::Diagnostic;

struct Ctx<'d, 'i> {
    doc: &'d Doc<'i>,
    diags: Vec<Diagnostic>,
}

fn key(k: &str) -> Seg<'_> {
    Seg::Key(k)
}

fn node_path<'a>(i: usize, field: &'a str) -> Vec<Seg<'a>> {
    vec![key("nodes"), Seg::Index(i), key(field)]
}

/// Path of the value that decided a setting for node `i`: the override if present.
fn setting_path(i: usize, field: &'static str, overridden: bool) -> Vec<Seg<'static>> {
    if overridden {
        vec![key("nodes"), Seg::Index(i), key("postgresql"), key(field)]
    } else {
        vec![key("postgresql"), key(field)]
    }
}

impl Ctx<'_, '_> {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn span(&self, path: &[Seg<'_>]) -> std::ops::Range<usize> {
        self.doc.span(path)
    }
}

/// What the checks so far established about the nodes, by their index in the file.
struct Shape<'t> {
    nodes: &'t [Node],
    by_name: BTreeMap<&'t str, usize>,
    primary: Option<usize>,
    hosts: Vec<Option<IpAddr>>,
    sources: Vec<Option<IpNet>>,
    upstream: Vec<Option<usize>>,
    downstream: Vec<Vec<usize>>,
    settings: Vec<EffectiveSettings>,
    /// `[replication] slots`, for standbys that do not say.
    slot_default: bool,
}

impl Shape<'_> {
    fn uses_slot(&self, i: usize) -> bool {
        self.nodes[i].role == Role::Standby && self.nodes[i].slot.unwrap_or(self.slot_default)
    }
}

pub fn validate(topo: &Topology, doc: &Doc<'_>) -> (Option<ValidTopology>, Vec<Diagnostic>) {
    let mut cx = Ctx {
        doc,
        diags: Vec::new(),
    };

    if !is_safe_name(&topo.cluster.name) {
        let path = [key("cluster"), key("name")];
        cx.push(
            Diagnostic::error(
                codes::INVALID_NAME,
                format!(
                    "cluster name \"{}\" cannot be used in file names and scripts",
                    topo.cluster.name
                ),
            )
            .label(cx.span(&path), "unsafe name")
            .help(SAFE_NAME_HELP),
        );
    }
    // The range is checked structurally; this only guards the lookup.
    let facts = catalog::facts(topo.cluster.pg_version);

    let replication = replication::check(&mut cx, topo);
    let nodes = check_nodes(&mut cx, topo, facts);

    let has_errors = cx.diags.iter().any(Diagnostic::is_error);
    let mut diags = cx.diags;
    crate::diag::sort_and_dedup(&mut diags);
    match (facts, nodes, has_errors) {
        (Some(facts), Some((nodes, sync)), false) => (
            Some(ValidTopology {
                cluster: topo.cluster.name.clone(),
                facts,
                firewall: topo
                    .cluster
                    .firewall
                    .unwrap_or(Firewall::default_for(topo.layout.kind)),
                data_checksums: topo.cluster.data_checksums,
                replication,
                sync,
                nodes,
            }),
            diags,
        ),
        _ => (None, diags),
    }
}

fn check_nodes(
    cx: &mut Ctx<'_, '_>,
    topo: &Topology,
    facts: Option<&'static MajorFacts>,
) -> Option<(Vec<ValidNode>, Option<SyncSpec>)> {
    let nodes = &topo.nodes;
    if nodes.is_empty() {
        cx.push(
            Diagnostic::error(codes::PRIMARY_COUNT, "the topology has no nodes")
                .label(cx.span(&[key("nodes")]), "empty")
                .help("add a [[nodes]] table with role = \"primary\" and one per standby"),
        );
        return None;
    }
    let by_name = node_names::check(cx, nodes);
    let primary = primary::check(cx, nodes);
    let hosts = addresses::hosts(cx, nodes);
    let sources = addresses::sources(cx, nodes, &hosts);
    let upstream = upstreams::check(cx, nodes, primary, &by_name);
    let settings = (0..nodes.len())
        .map(|i| settings::effective(cx, topo, i))
        .collect();
    let mut downstream: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, up) in upstream.iter().enumerate() {
        if let Some(u) = *up {
            downstream[u].push(i);
        }
    }
    let shape = Shape {
        nodes,
        by_name,
        primary,
        hosts,
        sources,
        upstream,
        downstream,
        settings,
        slot_default: topo.replication.slots,
    };
    senders::check(cx, &shape, facts);
    let sync = sync::check(cx, topo, &shape);
    let layout = super::layout::check(topo, cx.doc, &mut cx.diags);

    if cx.diags.iter().any(Diagnostic::is_error) {
        return None;
    }
    Some((order::valid_nodes(topo, &shape, layout.as_ref()?)?, sync))
}

#[cfg(test)]
mod tests {
    use crate::topology::valid::SyncSpec;

    #[test]
    fn sync_states() {
        let s = SyncSpec {
            method: crate::topology::model::SyncMethod::First,
            count: 1,
            standbys: vec!["a".into(), "b".into()],
        };
        assert_eq!(s.standby_names(), "FIRST 1 (\"a\", \"b\")");
        assert_eq!(s.expected_state("a"), "sync");
        assert_eq!(s.expected_state("b"), "potential");
        assert_eq!(s.expected_state("c"), "async");
    }
}
