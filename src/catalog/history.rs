//! What happened to a parameter name across majors: when it appeared, when it was removed,
//! what replaced it, and old names the server still accepts.
//!
//! Appearance and removal are derived from the per-major tables; only what the tables
//! cannot say (a replacement, an advice, an alias pg_settings does not list) is written here,
//! and each fact is checked against the real binaries by tests/catalog_real.rs.

use super::params::{Param, params};
use super::{NEWEST, OLDEST};

/// Replacements for parameters that were removed, in the words an operator needs.
pub const REPLACED: &[(&str, &str)] = &[
    (
        "wal_keep_segments",
        "wal_keep_size (in MB: segments x 16MB)",
    ),
    ("force_parallel_mode", "debug_parallel_query"),
    (
        "promote_trigger_file",
        "pg_ctl promote or SELECT pg_promote()",
    ),
    (
        "stats_temp_directory",
        "nothing: statistics live in shared memory since 15",
    ),
    (
        "vacuum_defer_cleanup_age",
        "hot_standby_feedback or a replication slot",
    ),
    (
        "old_snapshot_threshold",
        "nothing: the feature was removed in 17",
    ),
    (
        "db_user_namespace",
        "nothing: the feature was removed in 17",
    ),
    (
        "operator_precedence_warning",
        "nothing: the pre-9.5 operator precedence is gone",
    ),
    (
        "vacuum_cleanup_index_scale_factor",
        "nothing: it was ignored since 13.3",
    ),
    (
        "replacement_sort_tuples",
        "nothing: sorts no longer use replacement selection",
    ),
    ("trace_recovery_messages", "log_min_messages"),
    (
        "default_with_oids",
        "nothing: tables cannot have OIDs since 12 (only `off` is still accepted)",
    ),
    (
        "lc_collate",
        "nothing: it was a read-only report of the database's collation",
    ),
    (
        "lc_ctype",
        "nothing: it was a read-only report of the database's ctype",
    ),
    ("ssl_ecdh_curve", "ssl_groups"),
];

/// Old names the server still maps to a current parameter: (old, current, first major,
/// last major). pg_settings lists only current names.
pub const NAME_ALIASES: &[(&str, &str, u32, u32)] = &[
    ("sort_mem", "work_mem", 10, 18),
    ("vacuum_mem", "maintenance_work_mem", 10, 18),
    ("ssl_ecdh_curve", "ssl_groups", 18, 18),
];

/// Parameters a server accepts in its files that `pg_settings` does not list (they are
/// hidden from it): session-only settings and no-ops kept for old files. (name, first major,
/// last major), probed with `postgres -C` on each major (tests/catalog_real.rs).
pub const HIDDEN_PARAMS: &[(&str, u32, u32)] = &[
    // An ordinary parameter in 10-11; from 12 kept hidden, accepting only off.
    ("default_with_oids", 12, 18),
    ("is_superuser", 10, 18),
    ("role", 10, 18),
    ("seed", 10, 18),
    ("session_authorization", 10, 18),
    // SSL renegotiation is gone since 9.5; the name stays, accepting only 0.
    ("ssl_renegotiation_limit", 10, 18),
];

/// Whether `name` is one of `major`'s hidden parameters.
pub fn hidden(major: u32, name: &str) -> bool {
    HIDDEN_PARAMS
        .iter()
        .any(|(n, from, to)| n.eq_ignore_ascii_case(name) && (*from..=*to).contains(&major))
}

/// Before 12 these were read from recovery.conf, not postgresql.conf (where the server calls
/// them unrecognized). From 12 most are ordinary settings; `standby_mode` is gone
/// (standby.signal) and `trigger_file` became `promote_trigger_file`.
pub const RECOVERY_CONF_PARAMS: &[&str] = &[
    "standby_mode",
    "primary_conninfo",
    "primary_slot_name",
    "restore_command",
    "archive_cleanup_command",
    "recovery_end_command",
    "recovery_target",
    "recovery_target_name",
    "recovery_target_time",
    "recovery_target_xid",
    "recovery_target_lsn",
    "recovery_target_inclusive",
    "recovery_target_timeline",
    "recovery_target_action",
    "recovery_min_apply_delay",
    "trigger_file",
];

/// What the catalogue knows about a name in a major.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup<'a> {
    Known(&'a Param),
    /// An old name the server maps to `param`.
    Alias {
        param: &'a Param,
    },
    /// Present in earlier majors, gone from `since`.
    Removed {
        since: u32,
        replacement: Option<&'static str>,
    },
    /// Only in later majors, from `since`.
    NotYet {
        since: u32,
    },
    /// A recovery.conf setting, which this major does not read from postgresql.conf.
    RecoveryConfOnly {
        standby_signal_since: u32,
    },
    /// Accepted by the server but not listed in pg_settings ([`HIDDEN_PARAMS`]).
    Hidden,
    /// Never a parameter of 10–18 ([`suggest`] finds what it may be a typo of).
    Unknown,
}

fn present(major: u32, name: &str) -> bool {
    params(major).is_some_and(|p| p.get(name).is_some())
}

/// The parameter `name` stands for in `major`, directly or as an old name the server maps:
/// what the server's own lookup finds.
fn resolve(major: u32, name: &str) -> Option<Lookup<'static>> {
    let table = params(major)?;
    if let Some(p) = table.get(name) {
        return Some(Lookup::Known(p));
    }
    let lower = name.to_ascii_lowercase();
    let (_, current, _, _) = NAME_ALIASES
        .iter()
        .find(|(old, _, from, to)| *old == lower && (*from..=*to).contains(&major))?;
    table.get(current).map(|p| Lookup::Alias { param: p })
}

/// Whether a server of `major` accepts `name` in a configuration file: a parameter it has
/// (or an old name of one), or a custom name with a dot (a placeholder). Anything else is
/// "unrecognized configuration parameter", and the server applies none of the files.
pub fn recognized(major: u32, name: &str) -> bool {
    name.contains('.') || resolve(major, name).is_some() || hidden(major, name)
}

/// Looks `name` up in `major` (case-insensitively, as the server does).
pub fn lookup(major: u32, name: &str) -> Lookup<'static> {
    if params(major).is_none() {
        return Lookup::Unknown;
    }
    if let Some(found) = resolve(major, name) {
        return found;
    }
    let lower = name.to_ascii_lowercase();
    if major < 12 && RECOVERY_CONF_PARAMS.contains(&lower.as_str()) {
        return Lookup::RecoveryConfOnly {
            standby_signal_since: 12,
        };
    }
    let earlier = (OLDEST..major).rev().find(|&m| present(m, &lower));
    if let Some(last) = earlier {
        let replacement = REPLACED.iter().find(|(n, _)| *n == lower).map(|(_, r)| *r);
        return Lookup::Removed {
            since: last + 1,
            replacement,
        };
    }
    // standby_mode and trigger_file were never ordinary settings: recovery.conf only.
    if major >= 12 && (lower == "standby_mode" || lower == "trigger_file") {
        return Lookup::Removed {
            since: 12,
            replacement: Some(if lower == "standby_mode" {
                "a standby.signal file in the data directory"
            } else {
                "promote_trigger_file (12-15), then pg_ctl promote"
            }),
        };
    }
    // After Removed: default_with_oids, hidden from 12, is best reported as removed.
    if hidden(major, &lower) {
        return Lookup::Hidden;
    }
    if let Some(since) = (major + 1..=NEWEST).find(|&m| present(m, &lower)) {
        return Lookup::NotYet { since };
    }
    Lookup::Unknown
}

/// The parameter of `major` an unknown name is most likely a typo of. Apart from `lookup`,
/// which three rules ask of every setting: only the one reporting an unknown name needs it.
pub fn suggest(major: u32, name: &str) -> Option<&'static str> {
    use crate::suggest::Suggester;
    use std::sync::OnceLock;
    // Prepared once per major: a file can hold hundreds of thousands of unknown names.
    static SUGGESTERS: [OnceLock<Option<Suggester<'static>>>; (NEWEST - OLDEST + 1) as usize] =
        [const { OnceLock::new() }; (NEWEST - OLDEST + 1) as usize];
    let slot = SUGGESTERS.get(major.checked_sub(OLDEST)? as usize)?;
    slot.get_or_init(|| params(major).map(|t| Suggester::new(t.iter().map(|p| p.name.as_str()))))
        .as_ref()?
        .suggest(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removals_renames_and_aliases() {
        assert!(matches!(lookup(12, "wal_keep_segments"), Lookup::Known(_)));
        assert!(
            matches!(lookup(13, "wal_keep_segments"), Lookup::Removed { since: 13, replacement: Some(r) } if r.starts_with("wal_keep_size"))
        );
        assert!(matches!(
            lookup(18, "wal_keep_segments"),
            Lookup::Removed { since: 13, .. }
        ));
        assert!(matches!(
            lookup(16, "promote_trigger_file"),
            Lookup::Removed { since: 16, .. }
        ));
        assert!(matches!(
            lookup(12, "standby_mode"),
            Lookup::Removed { since: 12, .. }
        ));
        assert!(matches!(
            lookup(11, "standby_mode"),
            Lookup::RecoveryConfOnly { .. }
        ));
        assert!(matches!(
            lookup(11, "primary_conninfo"),
            Lookup::RecoveryConfOnly { .. }
        ));
        assert!(matches!(lookup(12, "primary_conninfo"), Lookup::Known(_)));
        assert!(matches!(
            lookup(12, "wal_keep_size"),
            Lookup::NotYet { since: 13 }
        ));
        assert!(matches!(
            lookup(16, "force_parallel_mode"),
            Lookup::Removed {
                since: 16,
                replacement: Some("debug_parallel_query")
            }
        ));
        assert!(
            matches!(lookup(16, "sort_mem"), Lookup::Alias { param } if param.name == "work_mem")
        );
        assert!(
            matches!(lookup(18, "ssl_ecdh_curve"), Lookup::Alias { param } if param.name == "ssl_groups")
        );
        assert!(matches!(lookup(16, "Max_Wal_Senders"), Lookup::Known(_)));
        assert_eq!(lookup(16, "max_wal_sender"), Lookup::Unknown);
        assert_eq!(suggest(16, "Max_Wal_Sender"), Some("max_wal_senders"));
    }
}
