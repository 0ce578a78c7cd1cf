//! A failover: the primary is gone. Every standby that streamed from it reports what it
//! received (and refuses while it still streams from it), its WAL receiver stopped first
//! where a reload can (13+); the candidate is promoted only
//! while the old primary does not answer on its address (fenced) and when no other standby
//! received more, unless told so; then the rest is a switchover's (`after_promotion`), the
//! old primary rejoining when it is back: rewound in place, or cloned anew.

use super::builder::Builder;
use super::changes::Changes;
use super::switchover::{after_promotion, extra};

pub(super) fn order(b: &mut Builder<'_>, changes: &Changes, demoted: usize, promoted: usize) {
    let (old, new) = (b.old, b.new);
    let failed = &new.nodes[demoted];
    let (p, c) = (failed.name.clone(), new.nodes[promoted].name.clone());
    let fence = vec![p.clone(), failed.host.to_string(), failed.port.to_string()];
    // The failed primary's standbys, the candidate first.
    let o = old
        .nodes
        .iter()
        .position(|n| n.name == p)
        .expect("the old primary is in the old topology");
    let mut standbys: Vec<usize> = vec![promoted];
    standbys.extend(
        old.nodes[o]
            .downstream
            .iter()
            .filter_map(|&d| new.nodes.iter().position(|n| n.name == old.nodes[d].name))
            .filter(|&i| i != promoted),
    );
    // 13+ reload primary_conninfo: the step stops the WAL receiver in place.
    let stops = if new.facts.reloads("primary_conninfo") {
        "its WAL receiver is stopped (what it received can no longer change), "
    } else {
        ""
    };
    for &i in &standbys {
        let s = &new.nodes[i].name;
        b.extra(
            format!("What `{s}` received from `{p}`"),
            true,
            i,
            extra(s, "received", fence.clone()),
            &format!("{s} is a standby that no longer streams from {p} (a standby still streaming means {p} is alive: refused), {stops}has replayed all it received; its last line, `{s}=LSN`, is what it received"),
            "",
        );
    }
    let others: Vec<String> = standbys[1..]
        .iter()
        .map(|&i| new.nodes[i].name.clone())
        .collect();
    let mut items = fence;
    items.extend(others.iter().cloned());
    b.extra(
        format!("Promote `{c}`"),
        true,
        promoted,
        extra(&c, "failover-promote", items),
        &format!(
            "{p} does not answer on {} (fenced: two primaries are refused), {c} received at least as much as {} (the last lines printed above; `--allow-behind` overrides), and {c} is promoted and accepts writes",
            std::net::SocketAddr::new(failed.host, failed.port),
            if others.is_empty() { "any other standby".to_owned() } else { others.join(", ") }
        ),
        &format!("promotes `{c}`"),
    );
    if let Some(row) = b.out.sections.last_mut().and_then(|s| s.rows.last_mut()) {
        for o in &others {
            row.push_output_of(format!("RECEIVED_{o}"), o, "received");
        }
    }
    after_promotion(b, changes, demoted, promoted);
}
