//! Every diagnostic code a topology can get, in one table: stable identifiers users search
//! for and tests match on. A test keeps them unique.

macro_rules! codes {
    ($($(#[doc = $doc:literal])* $name:ident = $code:literal;)*) => {
        $($(#[doc = $doc])* pub const $name: &str = $code;)*
        /// Every code, in the order of this table.
        pub const ALL: &[&str] = &[$($name),*];
    };
}

codes! {
    /// The file is not valid TOML.
    SYNTAX = "topology::syntax";
    /// A key the schema does not know (with a did-you-mean).
    UNKNOWN_KEY = "topology::unknown-key";
    /// A value of the wrong type.
    WRONG_TYPE = "topology::wrong-type";
    /// A required key is absent.
    MISSING_KEY = "topology::missing-key";
    /// A number outside the range PostgreSQL or the schema allows.
    OUT_OF_RANGE = "topology::out-of-range";
    /// A string that is not one of the allowed values.
    UNKNOWN_VALUE = "topology::unknown-value";
    /// A cluster, node, role or Debian cluster name unusable in files, scripts or SQL.
    INVALID_NAME = "topology::invalid-name";
    /// A server path that is not absolute.
    INVALID_PATH = "topology::invalid-path";
    /// A password variable that is not an environment variable name.
    INVALID_ENV_VAR = "topology::invalid-env-var";
    /// A size PostgreSQL would not accept.
    INVALID_SIZE = "topology::invalid-size";
    /// A layout command that cannot be run as written.
    INVALID_COMMAND = "topology::invalid-command";
    /// A layout placeholder that does not exist or does not belong in that field.
    INVALID_PLACEHOLDER = "topology::invalid-placeholder";
    /// A node host that is not an IP address.
    INVALID_ADDRESS = "topology::invalid-address";
    /// A replication source that is not an address range, or has host bits set.
    INVALID_SOURCE = "topology::invalid-source";
    /// A replication source wider than one address, not allowed explicitly.
    WIDE_SOURCE = "topology::wide-source";
    /// Some nodes on loopback and others not.
    LOOPBACK = "topology::loopback";
    /// Two nodes on the same address and port.
    DUPLICATE_ENDPOINT = "topology::duplicate-endpoint";
    /// Two nodes with one name, or with names that make one slot name.
    DUPLICATE_NODE = "topology::duplicate-node";
    /// No primary, or more than one.
    PRIMARY_COUNT = "topology::primary-count";
    /// A primary with an upstream.
    PRIMARY_UPSTREAM = "topology::primary-upstream";
    /// An upstream that names no node.
    UNKNOWN_UPSTREAM = "topology::unknown-upstream";
    /// Standbys streaming from themselves or from each other in a circle.
    UPSTREAM_CYCLE = "topology::upstream-cycle";
    /// Fewer WAL senders than standbys streaming from a node.
    SENDERS_SHORTFALL = "topology::senders-shortfall";
    /// No WAL senders left for cloning a standby.
    SENDERS_HEADROOM = "topology::senders-headroom";
    /// Fewer replication slots than standbys holding one on a node.
    SLOTS_SHORTFALL = "topology::slots-shortfall";
    /// A standby without a slot whose upstream keeps little WAL.
    SMALL_WAL_KEEP = "topology::small-wal-keep";
    /// A node its peers cannot reach because it listens locally only.
    LISTEN_LOCAL = "topology::listen-local";
    /// A standby with a setting below the primary's that PostgreSQL refuses.
    STANDBY_BELOW_PRIMARY = "topology::standby-below-primary";
    /// wal_level = minimal, which cannot feed a standby.
    WAL_LEVEL_MINIMAL = "topology::wal-level-minimal";
    /// The superuser as the replication role.
    SUPERUSER_REPLICATION = "topology::superuser-replication";
    /// A password written in the topology file.
    LITERAL_PASSWORD = "topology::literal-password";
    /// Synchronous replication waiting for more standbys than are listed, or for none.
    SYNC_COUNT = "topology::sync-count";
    /// A synchronous standby listed twice.
    SYNC_DUPLICATE = "topology::sync-duplicate";
    /// A cascading standby listed as synchronous.
    SYNC_NOT_DIRECT = "topology::sync-not-direct";
    /// The primary listed as a synchronous standby.
    SYNC_NOT_STANDBY = "topology::sync-not-standby";
    /// Replication slots without max_slot_wal_keep_size (13+): lint's PGR030 in advance.
    SLOT_WAL_UNBOUNDED = "topology::slot-wal-unbounded";
    /// A synchronous standby that names no node.
    SYNC_UNKNOWN_STANDBY = "topology::sync-unknown-standby";
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for code in super::ALL {
            assert!(seen.insert(code), "{code} is listed twice");
            let name = code.strip_prefix("topology::").expect("topology:: prefix");
            assert!(
                !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{code}"
            );
        }
    }
}
