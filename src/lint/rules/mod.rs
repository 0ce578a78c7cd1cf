//! The rule registry: one file per rule, listed here once.

mod all_for_replication;
mod archive_without_command;
mod conf_syntax_error;
mod conninfo;
mod data_dir_permissions;
mod drift_from_gen;
mod duplicate_setting;
mod hba_differs_between_nodes;
mod hba_host_bits;
mod hba_invalid;
mod hot_standby_off;
mod include_error;
mod invalid_value;
mod listen_local_only;
mod no_replication_record;
mod no_wal_senders;
mod octal_integer;
mod password_encryption_md5;
mod recovery_conf_12plus;
mod removed_parameter;
mod replication_source_wide;
mod replication_weak_auth;
mod scram_record_md5_hashes;
mod senders_exceed_connections;
mod shadowed_replication_record;
mod slot_wal_unbounded;
mod standby_settings_below_primary;
mod standby_wal_unretained;
mod standby_without_source;
mod suppression_unknown_rule;
mod sync_slots_prerequisites;
mod sync_standby_unknown;
mod topology_standby_not_admitted;
mod unknown_parameter;
mod wal_level_minimal;
mod wal_senders_shortfall;

use super::Rule;

/// Every rule, in code order.
pub static ALL: &[&Rule] = &[
    &conf_syntax_error::RULE,
    &include_error::RULE,
    &unknown_parameter::RULE,
    &removed_parameter::RULE,
    &invalid_value::RULE,
    &duplicate_setting::RULE,
    &wal_level_minimal::RULE,
    &no_wal_senders::RULE,
    &listen_local_only::RULE,
    &octal_integer::RULE,
    &hba_invalid::RULE,
    &replication_source_wide::RULE,
    &replication_weak_auth::RULE,
    &no_replication_record::RULE,
    &conninfo::RULE,
    &recovery_conf_12plus::RULE,
    &hot_standby_off::RULE,
    &suppression_unknown_rule::RULE,
    &shadowed_replication_record::RULE,
    &archive_without_command::RULE,
    &password_encryption_md5::RULE,
    &data_dir_permissions::RULE,
    &standby_without_source::RULE,
    &standby_settings_below_primary::RULE,
    &sync_standby_unknown::RULE,
    &hba_differs_between_nodes::RULE,
    &topology_standby_not_admitted::RULE,
    &drift_from_gen::RULE,
    &standby_wal_unretained::RULE,
    &slot_wal_unbounded::RULE,
    &senders_exceed_connections::RULE,
    &sync_slots_prerequisites::RULE,
    &all_for_replication::RULE,
    &scram_record_md5_hashes::RULE,
    &hba_host_bits::RULE,
    &wal_senders_shortfall::RULE,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_ordered() {
        let mut codes: Vec<&str> = ALL.iter().map(|r| r.code).collect();
        let sorted = {
            let mut c = codes.clone();
            c.sort();
            c
        };
        assert_eq!(codes, sorted, "registry in code order");
        codes.dedup();
        assert_eq!(codes.len(), ALL.len(), "duplicate code");
        let mut names: Vec<&str> = ALL.iter().map(|r| r.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len(), "duplicate name");
        for r in ALL {
            assert!(
                r.doc.contains("## Why it matters")
                    && r.doc.contains("## Example")
                    && r.doc.contains("## Use instead"),
                "{}: doc headings",
                r.code
            );
            assert!(
                r.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()),
                "{}",
                r.name
            );
        }
    }
}
