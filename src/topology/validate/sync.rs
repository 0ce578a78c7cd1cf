//! Synchronous replication: the standbys waited for exist, stream from the primary, are
//! listed once, and are at least as many as the count.

use std::collections::BTreeSet;

use super::{Ctx, Shape, key};
use crate::diag::Diagnostic;
use crate::topology::codes;
use crate::topology::doc::Seg;
use crate::topology::model::{Role, Topology};
use crate::topology::valid::SyncSpec;

pub(super) fn check(cx: &mut Ctx<'_, '_>, topo: &Topology, shape: &Shape<'_>) -> Option<SyncSpec> {
    let Shape {
        primary,
        upstream,
        by_name,
        ..
    } = shape;
    let primary = *primary;
    let sync = topo.replication.synchronous.as_ref()?;
    let base = [key("replication"), key("synchronous")];
    let direct: Vec<usize> = (0..topo.nodes.len())
        .filter(|&i| primary.is_some() && upstream[i] == primary && Some(i) != primary)
        .collect();
    let standbys: Vec<String> = match &sync.standbys {
        None => direct.iter().map(|&i| topo.nodes[i].name.clone()).collect(),
        Some(list) => {
            let mut seen = BTreeSet::new();
            for (k, name) in list.iter().enumerate() {
                let at = [base[0], base[1], key("standbys"), Seg::Index(k)];
                match by_name.get(name.as_str()) {
                    None => {
                        let mut d = Diagnostic::error(codes::SYNC_UNKNOWN_STANDBY, format!("synchronous standby \"{name}\" is not a node of this topology"))
                            .label(cx.span(&at), "no such node");
                        d = match crate::suggest::did_you_mean(name, by_name.keys().copied()) {
                            Some(s) => d.help(format!("did you mean \"{s}\"?")),
                            None => d.help("list names of standbys that stream directly from the primary"),
                        };
                        cx.push(d);
                    }
                    Some(&i) if Some(i) == primary => cx.push(
                        Diagnostic::error(codes::SYNC_NOT_STANDBY, format!("\"{name}\" is the primary, not a standby"))
                            .label(cx.span(&at), "the primary")
                            .help("synchronous_standby_names lists the standbys the primary waits for"),
                    ),
                    // A second primary is reported as such (primary-count); calling it a
                    // cascading standby would send the reader the wrong way.
                    Some(&i) if topo.nodes[i].role == Role::Primary => cx.push(
                        Diagnostic::error(codes::SYNC_NOT_STANDBY, format!("\"{name}\" is a primary, not a standby"))
                            .label(cx.span(&at), "role = \"primary\"")
                            .help("synchronous_standby_names lists the standbys the primary waits for; make this node a standby or drop it from this list"),
                    ),
                    Some(&i) if !direct.contains(&i) => cx.push(
                        Diagnostic::error(codes::SYNC_NOT_DIRECT, format!("\"{name}\" is a cascading standby and cannot be synchronous"))
                            .label(cx.span(&at), "streams from another standby")
                            .help("only standbys connected directly to the primary can confirm commits; stream it from the primary or drop it from this list"),
                    ),
                    Some(_) => {}
                }
                if !seen.insert(name.as_str()) {
                    cx.push(
                        Diagnostic::error(
                            codes::SYNC_DUPLICATE,
                            format!("\"{name}\" is listed twice"),
                        )
                        .label(cx.span(&at), "again")
                        .help("list each synchronous standby once"),
                    );
                }
            }
            list.clone()
        }
    };
    if standbys.is_empty() {
        cx.push(
            Diagnostic::error(
                codes::SYNC_COUNT,
                "synchronous replication is on but there is no standby to wait for",
            )
            .label(cx.span(&base), "synchronous replication")
            .help(
                "add a standby that streams from the primary, or remove [replication.synchronous]",
            ),
        );
    } else if sync.count as usize > standbys.len() {
        cx.push(
            Diagnostic::error(
                codes::SYNC_COUNT,
                format!(
                    "count = {} but only {} synchronous standbys are listed",
                    sync.count,
                    standbys.len()
                ),
            )
            .label(
                cx.span(&[base[0], base[1], key("count")]),
                "more than listed",
            )
            .help("every commit would wait forever; lower count or list more standbys"),
        );
    }
    Some(SyncSpec {
        method: sync.method,
        count: sync.count,
        standbys,
    })
}
