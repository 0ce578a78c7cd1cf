//! A planned switchover, in order: preflight on both sides, the old primary stopped cleanly
//! (its shutdown checkpoint printed), the candidate promoted only once it has received that
//! checkpoint, the new primary's configuration and slots, the other standbys repointed,
//! synchronous replication once enough of its standbys stream, the old primary rejoining as
//! a standby without a base backup (its stale slots dropped), and verification.

use super::builder::{Builder, Extra, RECONFIGURE};
use super::changes::Changes;

pub(super) fn extra(node: &str, kind: &'static str, items: Vec<String>) -> Extra {
    Extra {
        node: node.to_owned(),
        kind,
        items,
    }
}

pub(super) fn order(b: &mut Builder<'_>, changes: &Changes, demoted: usize, promoted: usize) {
    let new = b.new;
    let p = new.nodes[demoted].name.clone();
    let c = new.nodes[promoted].name.clone();

    b.extra(
        format!("Check that `{c}` can take over"),
        true,
        promoted,
        extra(&c, "preflight-candidate", Vec::new()),
        &format!("{c} streams from {p}, has replayed all it received, replay is not paused, and it has the WAL senders and slots its standbys will need"),
        "",
    );
    b.steps(
        format!("Give `{p}` its password file, for when it follows `{c}`"),
        demoted,
        &["write-passfile"],
    );
    b.extra(
        format!("Check that `{p}` can step down"),
        true,
        demoted,
        extra(&p, "preflight-primary", Vec::new()),
        &format!("{p} can connect to {c} for replication, pg_rewind could bring it back (wal_log_hints or data checksums; the rewind role reaches its functions on {c}), and its WAL archiver is not behind"),
        "",
    );
    b.extra(
        format!("Stop `{p}`, the primary, cleanly"),
        true,
        demoted,
        extra(&p, "demote", Vec::new()),
        "a checkpoint, then a fast shutdown that pg_controldata shows as clean; the last line printed is its shutdown checkpoint's location (LSN), which the next step needs",
        &format!("stops `{p}`: writes are refused from here until the promotion"),
    );
    b.extra(
        format!("Promote `{c}`"),
        true,
        promoted,
        extra(&c, "promote", Vec::new()),
        &format!("{c} has received {p}'s shutdown checkpoint (nothing committed is lost), is promoted and accepts writes"),
        &format!("promotes `{c}`"),
    );
    if let Some(row) = b.out.sections.last_mut().and_then(|s| s.rows.last_mut()) {
        row.push_output_of("LSN".into(), &p, "demote");
    }
    after_promotion(b, changes, demoted, promoted);
}

/// What follows a promotion, in a switchover and in a failover: the new primary configured
/// with its slots, the other standbys repointed, the old primary rejoining as a standby
/// (pg_rewind or a new clone only when it needs one), its stale slots dropped, the other
/// changed nodes updated, and the new primary's standbys verified.
pub(super) fn after_promotion(
    b: &mut Builder<'_>,
    changes: &Changes,
    demoted: usize,
    promoted: usize,
) {
    let (old, new) = (b.old, b.new);
    let p = new.nodes[demoted].name.clone();
    let c = new.nodes[promoted].name.clone();
    let mut done = vec![demoted, promoted];
    b.steps(
        format!("Configure `{c}` as the primary"),
        promoted,
        &[
            "install-config",
            "open-firewall",
            "apply-config",
            "create-slots",
        ],
    );
    for (i, _, _) in &changes.reparented {
        b.steps(
            format!("Repoint `{}` to `{c}`", new.nodes[*i].name),
            *i,
            &["install-config", "apply-config", "verify-node"],
        );
        done.push(*i);
    }
    // Synchronous replication waits for enough listed standbys to stream from the new
    // primary (its step refuses before): once the repointed ones do, or, when the count needs
    // the old primary too, once that one has rejoined.
    let sync = new.sync.as_ref().map(|s| {
        let without_old = s.standbys.iter().filter(|n| **n != p).count();
        (s.standby_names(), without_old < s.count as usize)
    });
    let enable_sync = |b: &mut Builder<'_>, names: &str| {
        b.steps(
            format!("Synchronous standbys of `{c}`: `{names}`"),
            promoted,
            &["enable-synchronous"],
        );
    };
    if let Some((names, false)) = &sync {
        enable_sync(b, names);
    }
    // The old primary: a standby of the new one, from its own data directory.
    if changes.failover {
        b.steps(
            format!("When `{p}` is back: its password file, with the rewind role's entries"),
            demoted,
            &["write-passfile"],
        );
    }
    b.extra(
        format!(
            "{}`{p}` rejoins as a standby of `{c}`",
            if changes.failover { "When it is back, " } else { "" }
        ),
        true,
        demoted,
        extra(&p, "rejoin", Vec::new()),
        &format!("{p} is stopped (crash recovery first if it was killed), belongs to {c}'s cluster, and is marked as a standby: as it is when it wrote nothing {c} lacks, else rewound with pg_rewind from {c}, its own configuration kept; where pg_rewind cannot (no wal_log_hints or checksums) or fails, its data directory is moved aside and cloned anew"),
        "",
    );
    b.steps(
        format!("Start `{p}` as a standby"),
        demoted,
        &[
            "install-config",
            "open-firewall",
            "apply-config",
            "verify-node",
        ],
    );
    if let Some(row) = b.out.sections.last_mut().and_then(|s| {
        s.rows
            .iter_mut()
            .find(|r| r.run.ends_with("-apply-config.sh"))
    }) {
        row.disrupts = format!("starts `{p}`, now a standby of `{c}`");
    }
    if let Some((names, true)) = &sync {
        enable_sync(b, names);
    }
    let o = old
        .nodes
        .iter()
        .position(|n| n.name == p)
        .expect("the old primary is in the old topology");
    let stale: Vec<String> = old.nodes[o]
        .downstream
        .iter()
        .filter_map(|&d| old.nodes[d].slot.clone())
        .collect();
    if !stale.is_empty() {
        b.extra(
            format!("Drop the slots `{p}` kept as the primary"),
            true,
            demoted,
            extra(&p, "drop-slots", stale.clone()),
            &format!(
                "{} gone from {p}: a standby keeps no slots for its former standbys",
                stale.join(", ")
            ),
            "",
        );
    }
    for &i in &changes.reconfigured {
        if !done.contains(&i) {
            b.steps(format!("Update `{}`", new.nodes[i].name), i, RECONFIGURE);
        }
    }
    b.steps(
        format!("Verify the standbys of `{c}`"),
        promoted,
        &["verify-senders"],
    );
}
