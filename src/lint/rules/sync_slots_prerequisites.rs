use crate::catalog::values::parse_bool;
use crate::lint::fleet::primary_conninfo;
use crate::lint::{Cluster, Findings};

crate::declare_rule! {
    /// `sync_replication_slots = on` (17+) without what slot synchronization needs.
    ///
    /// ## Why it matters
    /// The slot sync worker copies the primary's logical failover slots to this standby so
    /// that logical subscribers can follow a failover. It needs `wal_level = logical`,
    /// `primary_slot_name`, `hot_standby_feedback = on` and a `dbname` in primary_conninfo;
    /// without one of them it logs an error every few seconds and syncs nothing, and the
    /// failover that needed it finds no slots.
    ///
    /// ## Example
    /// `sync_replication_slots = on` with `wal_level = replica`
    ///
    /// ## Use instead
    /// `wal_level = logical`, `hot_standby_feedback = on`, a `primary_slot_name`, and
    /// `dbname=postgres` in primary_conninfo
    pub static RULE = {
        code: "PGR032",
        name: "sync-slots-prerequisites",
        severity: Warning,
        majors: 17..=18,
        check: check,
    };
}

fn check(c: &Cluster, f: &mut Findings) {
    let Some(s) = c.effective("sync_replication_slots") else {
        return;
    };
    if parse_bool(&s.setting.value) != Some(true) {
        return;
    }
    let value = |n: &str| c.value(n).unwrap_or_default();
    let mut missing = Vec::new();
    if !value("wal_level").eq_ignore_ascii_case("logical") {
        missing.push("wal_level = logical");
    }
    if value("primary_slot_name").trim().is_empty() {
        missing.push("a primary_slot_name");
    }
    if parse_bool(&value("hot_standby_feedback")) != Some(true) {
        missing.push("hot_standby_feedback = on");
    }
    let has_dbname = primary_conninfo(c).is_some_and(|pairs| {
        pairs
            .iter()
            .any(|p| p.keyword == "dbname" && !p.value.is_empty())
    });
    if !has_dbname {
        missing.push("a dbname in primary_conninfo");
    }
    if missing.is_empty() {
        return;
    }
    let d = f
        .diag(format!(
            "sync_replication_slots is on without {}: no slot is synchronized",
            missing.join(", ")
        ))
        .label(s.setting.value_span.clone(), "slot sync cannot run")
        .help(format!(
            "set {} (or turn sync_replication_slots off)",
            missing.join(", ")
        ));
    f.add(s.file, d);
}
