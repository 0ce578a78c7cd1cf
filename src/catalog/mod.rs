//! What differs between PostgreSQL majors, as data. Code asks this table; it never compares
//! version numbers itself.
//!
//! The facts here were checked against the real server binaries of each major (see
//! `shared/notes/real-postgres.md` and the parameter catalogues in `shared/pg-samples`).

/// How much WAL the primary keeps for standbys is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalKeep {
    /// `wal_keep_size` in megabytes (13+).
    Size,
    /// `wal_keep_segments`, a count of 16 MB segments (before 13).
    Segments,
}

/// How a standby learns it is a standby and where its primary is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandbySetup {
    /// `recovery.conf` in the data directory with `standby_mode = 'on'` (before 12).
    RecoveryConf,
    /// `standby.signal` plus `primary_conninfo` as an ordinary setting (12+).
    StandbySignal,
}

/// How a server reacts to a changed parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Needs a restart.
    Postmaster,
    /// A reload is enough.
    Sighup,
    /// Per session.
    User,
}

#[derive(Debug)]
pub struct MajorFacts {
    pub major: u32,
    pub wal_keep: WalKeep,
    pub standby_setup: StandbySetup,
    /// `password_encryption` when nobody set it. On 10–13 it is md5, and a role created then
    /// cannot log in through a scram-sha-256 pg_hba rule.
    pub default_password_encryption: &'static str,
    /// `recovery_target_timeline` defaults to `latest` (12+); before, a standby does not
    /// follow a promoted peer's new timeline unless told to.
    pub follows_latest_timeline_by_default: bool,
    /// Settings whose value on a hot standby must be at least the primary's, or the standby
    /// refuses to start ("insufficient parameter settings").
    pub standby_needs_at_least_primary: &'static [&'static str],
    /// `primary_conninfo` / `primary_slot_name` take a restart (12) or a reload (13+).
    pub conninfo_context: Context,
}

const LE11_AT_LEAST_PRIMARY: &[&str] = &[
    "max_connections",
    "max_worker_processes",
    "max_prepared_transactions",
    "max_locks_per_transaction",
];
/// max_wal_senders joined the list in 12, when WAL senders stopped counting as connections.
const GE12_AT_LEAST_PRIMARY: &[&str] = &[
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
];

const fn major(m: u32) -> MajorFacts {
    MajorFacts {
        major: m,
        wal_keep: if m >= 13 {
            WalKeep::Size
        } else {
            WalKeep::Segments
        },
        standby_setup: if m >= 12 {
            StandbySetup::StandbySignal
        } else {
            StandbySetup::RecoveryConf
        },
        default_password_encryption: if m >= 14 { "scram-sha-256" } else { "md5" },
        follows_latest_timeline_by_default: m >= 12,
        standby_needs_at_least_primary: if m >= 12 {
            GE12_AT_LEAST_PRIMARY
        } else {
            LE11_AT_LEAST_PRIMARY
        },
        conninfo_context: if m >= 13 {
            Context::Sighup
        } else {
            Context::Postmaster
        },
    }
}

pub const MAJORS: [MajorFacts; 9] = [
    major(10),
    major(11),
    major(12),
    major(13),
    major(14),
    major(15),
    major(16),
    major(17),
    major(18),
];

pub const OLDEST: u32 = 10;
pub const NEWEST: u32 = 18;

/// Facts of a supported major, `None` outside 10–18.
pub fn facts(major: u32) -> Option<&'static MajorFacts> {
    MAJORS.iter().find(|f| f.major == major)
}

/// WAL segment size pgrepl assumes when converting `wal_keep_size` to segments (the
/// initdb default; clusters made with `--wal-segsize` differ).
pub const WAL_SEGMENT_MB: u64 = 16;

impl MajorFacts {
    /// Restart-or-reload context of a parameter pgrepl writes (pg_settings.context).
    pub fn context(&self, param: &str) -> Option<Context> {
        match param {
            "primary_conninfo" | "primary_slot_name" => Some(self.conninfo_context),
            _ => context_all_majors(param),
        }
    }
}

/// Contexts that are the same in every major 10–18.
fn context_all_majors(param: &str) -> Option<Context> {
    Some(match param {
        "listen_addresses"
        | "port"
        | "wal_level"
        | "max_wal_senders"
        | "max_replication_slots"
        | "hot_standby" => Context::Postmaster,
        "wal_keep_size" | "wal_keep_segments" | "synchronous_standby_names" => Context::Sighup,
        "password_encryption" | "synchronous_commit" => Context::User,
        _ => return None,
    })
}

/// Old enum spellings PostgreSQL 10–18 still accepts, and what they mean today.
pub const LEGACY_ENUM_ALIASES: &[(&str, &str, &str)] = &[
    ("wal_level", "hot_standby", "replica"),
    ("wal_level", "archive", "replica"),
];

/// The current name of a legacy enum value of `param`, if `value` is one.
pub fn legacy_alias(param: &str, value: &str) -> Option<&'static str> {
    LEGACY_ENUM_ALIASES
        .iter()
        .find(|(p, old, _)| *p == param && old.eq_ignore_ascii_case(value))
        .map(|(_, _, new)| *new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_supported_major_has_facts() {
        for m in OLDEST..=NEWEST {
            assert_eq!(facts(m).map(|f| f.major), Some(m));
        }
        assert!(facts(9).is_none());
        assert!(facts(19).is_none());
    }

    #[test]
    fn version_boundaries() {
        assert_eq!(facts(12).unwrap().wal_keep, WalKeep::Segments);
        assert_eq!(facts(13).unwrap().wal_keep, WalKeep::Size);
        assert_eq!(facts(11).unwrap().standby_setup, StandbySetup::RecoveryConf);
        assert_eq!(
            facts(12).unwrap().standby_setup,
            StandbySetup::StandbySignal
        );
        assert_eq!(facts(13).unwrap().default_password_encryption, "md5");
        assert_eq!(
            facts(14).unwrap().default_password_encryption,
            "scram-sha-256"
        );
        assert_eq!(
            facts(12).unwrap().context("primary_conninfo"),
            Some(Context::Postmaster)
        );
        assert_eq!(
            facts(13).unwrap().context("primary_conninfo"),
            Some(Context::Sighup)
        );
        assert_eq!(
            facts(16).unwrap().context("wal_level"),
            Some(Context::Postmaster)
        );
    }
}
