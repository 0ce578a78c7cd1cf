//! What differs between PostgreSQL majors, as data. Code asks these tables (`MajorFacts`,
//! `Feature::since`); it does not compare version numbers itself.
//!
//! `params` holds every parameter of every major, extracted from the real servers;
//! `history` what happened to names across majors; `values` whether the server would accept
//! a value. `MajorFacts` holds what no parameter table says (file layouts, defaults that
//! bite), each fact measured on the real binaries.

pub mod conninfo;
pub mod history;
pub mod params;
pub mod value_error;
pub mod values;

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

/// When a parameter can change (pg_settings.context).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Context {
    /// Fixed when the cluster is built; cannot be set.
    Internal,
    /// Needs a restart.
    Postmaster,
    /// A reload is enough.
    Sighup,
    /// A reload; new sessions see it.
    SuperuserBackend,
    Backend,
    /// A reload, or per session.
    Superuser,
    User,
}

impl Context {
    pub fn as_str(self) -> &'static str {
        match self {
            Context::Internal => "internal",
            Context::Postmaster => "postmaster",
            Context::Sighup => "sighup",
            Context::SuperuserBackend => "superuser-backend",
            Context::Backend => "backend",
            Context::Superuser => "superuser",
            Context::User => "user",
        }
    }
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
        wal_keep: if has(m, Feature::WalKeepSize) {
            WalKeep::Size
        } else {
            WalKeep::Segments
        },
        standby_setup: if has(m, Feature::RecoveryParameters) {
            StandbySetup::StandbySignal
        } else {
            StandbySetup::RecoveryConf
        },
        default_password_encryption: if m >= 14 { "scram-sha-256" } else { "md5" },
        follows_latest_timeline_by_default: m >= 12,
        standby_needs_at_least_primary: if has(m, Feature::RecoveryParameters) {
            GE12_AT_LEAST_PRIMARY
        } else {
            LE11_AT_LEAST_PRIMARY
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

/// Something that arrived in a major: a keyword, a column, a file-format rule. Code whose
/// grammar or checks change with the major asks `MajorFacts::has` (or `has`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// pg_hba.conf `include`, `include_if_exists`, `include_dir`, and the view's
    /// `file_name` column (16).
    HbaIncludes,
    /// A backslash at the end of a pg_hba.conf line continues it (14).
    HbaLineContinuation,
    /// `clientname=CN|DN` in a pg_hba record (14).
    HbaClientName,
    /// `hostgssenc` / `hostnogssenc` records (12).
    HbaGssEnc,
    /// The `oauth` method (18).
    HbaOauth,
    /// `ldapscheme` and `ldapsearchfilter` options (11).
    HbaLdapSchemeAndFilter,
    /// An `ldap` record may leave out `ldapserver` (DNS SRV lookup, OpenLDAP builds) (12).
    HbaLdapServerOptional,
    /// `cert` implies `clientcert=verify-full` (12); before, `clientcert=1`, shown `true`.
    HbaCertVerifyFull,
    /// Recovery settings (primary_conninfo …) are server parameters; recovery.conf is gone (12).
    RecoveryParameters,
    /// `cluster_name` is a walreceiver's default application_name (12).
    ClusterNameAsApplicationName,
    /// `wal_keep_size` replaces `wal_keep_segments`; `max_slot_wal_keep_size` exists (13).
    WalKeepSize,
    /// `pg_promote()` promotes a standby from SQL (12); before, only `pg_ctl promote`.
    SqlPromote,
    /// pg_stat_wal_receiver has `sender_host` and `sender_port` (11); before, only the
    /// walreceiver's `conninfo` says where it connects.
    WalReceiverSender,
    /// pg_rewind runs as a role with EXECUTE on pg_ls_dir, pg_stat_file and
    /// pg_read_binary_file (11); before, only as a superuser.
    RewindGrants,
    /// pg_rewind takes `--config-file`, for a configuration outside the data directory (15).
    RewindConfigFile,
}

impl Feature {
    /// The first major that has it.
    pub const fn since(self) -> u32 {
        match self {
            Feature::HbaLdapSchemeAndFilter
            | Feature::WalReceiverSender
            | Feature::RewindGrants => 11,
            Feature::HbaGssEnc
            | Feature::HbaLdapServerOptional
            | Feature::HbaCertVerifyFull
            | Feature::RecoveryParameters
            | Feature::SqlPromote
            | Feature::ClusterNameAsApplicationName => 12,
            Feature::WalKeepSize => 13,
            Feature::HbaLineContinuation | Feature::HbaClientName => 14,
            Feature::RewindConfigFile => 15,
            Feature::HbaIncludes => 16,
            Feature::HbaOauth => 18,
        }
    }
}

/// Whether `major` has `feature`.
pub const fn has(major: u32, feature: Feature) -> bool {
    major >= feature.since()
}

pub const OLDEST: u32 = 10;
pub const NEWEST: u32 = 18;

/// Facts of a supported major, `None` outside 10–18.
pub fn facts(major: u32) -> Option<&'static MajorFacts> {
    MAJORS.iter().find(|f| f.major == major)
}

/// WAL senders `pg_basebackup -X stream` holds while a standby is being cloned: one for the
/// base backup, one streaming its WAL.
pub const BASEBACKUP_SENDERS: u32 = 2;

/// Settings pgrepl writes that only a standby reads (where it streams from): restart-only
/// on 12, and nothing to restart a primary for.
pub const RECOVERY_ONLY: &[&str] = &["primary_conninfo", "primary_slot_name"];

/// What replication slots without max_slot_wal_keep_size risk (13+): lint's PGR030 and
/// `check` say it in these words.
pub const SLOT_WAL_UNBOUNDED: &str = "replication slots with max_slot_wal_keep_size = -1: a standby that stops consuming fills pg_wal's disk";
pub const SLOT_WAL_UNBOUNDED_HELP: &str =
    "set max_slot_wal_keep_size to a bound below pg_wal's free space (e.g. '50GB')";

/// WAL segment size pgrepl assumes when converting `wal_keep_size` to segments (the
/// initdb default; clusters made with `--wal-segsize` differ).
pub const WAL_SEGMENT_MB: u64 = 16;

impl MajorFacts {
    /// Whether this major has `feature`.
    pub const fn has(&self, feature: Feature) -> bool {
        has(self.major, feature)
    }

    /// When a parameter can change in this major, from the server's own table.
    pub fn context(&self, param: &str) -> Option<Context> {
        self.params().get(param).map(|p| p.context)
    }

    /// Whether a reload applies a new value of `param` (e.g. primary_conninfo from 13).
    pub fn reloads(&self, param: &str) -> bool {
        self.context(param) == Some(Context::Sighup)
    }

    /// Every parameter of this major.
    pub fn params(&self) -> &'static params::MajorParams {
        params::params(self.major).expect("every supported major has a table")
    }

    /// How this major parses numbers and units.
    pub fn number_rules(&self) -> values::NumberRules {
        values::NumberRules::for_major(self.major)
    }
}

/// The current value an old enum spelling stands for (`wal_level = hot_standby` is
/// `replica`), as the newest server accepts it; `None` if it is no such spelling.
pub fn legacy_alias(param: &str, value: &str) -> Option<&'static str> {
    params::params(NEWEST)?
        .get(param)?
        .enum_aliases
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(value))
        .map(|(_, meaning)| meaning.as_str())
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

    /// The facts written here agree with the parameter tables taken from the servers.
    #[test]
    fn facts_agree_with_the_parameter_tables() {
        for f in &MAJORS {
            let p = f.params();
            assert_eq!(
                f.wal_keep == WalKeep::Size,
                p.get("wal_keep_size").is_some(),
                "{}",
                f.major
            );
            assert_eq!(
                f.wal_keep == WalKeep::Segments,
                p.get("wal_keep_segments").is_some(),
                "{}",
                f.major
            );
            assert_eq!(
                f.standby_setup == StandbySetup::StandbySignal,
                p.get("primary_conninfo").is_some(),
                "{}",
                f.major
            );
            assert_eq!(
                p.get("password_encryption").unwrap().default,
                f.default_password_encryption,
                "{}",
                f.major
            );
            let timeline = p
                .get("recovery_target_timeline")
                .map(|t| t.default.as_str());
            assert_eq!(
                f.follows_latest_timeline_by_default,
                timeline == Some("latest"),
                "{}",
                f.major
            );
            for name in f.standby_needs_at_least_primary {
                assert!(p.get(name).is_some(), "{}: {name}", f.major);
            }
        }
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
