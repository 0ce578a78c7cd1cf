//! Properties over arbitrary input: the parsers never panic, printing a parsed file gives
//! its bytes back, and patching twice is patching once.

use std::path::Path;

use pgrepl::pgconf::{conf::ConfFile, hba, patch};
use proptest::prelude::*;

/// Lines that look like postgresql.conf, with the bytes that make parsing hard mixed in.
fn conf_like() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"work_mem = 64MB".to_vec()),
        Just(b"#wal_level = replica\t# minimal, replica, or logical".to_vec()),
        Just(b"listen_addresses = '*'".to_vec()),
        Just(b"x.y = 'it''s \\' q'".to_vec()),
        Just(b"bad = = line".to_vec()),
        Just(b"include_dir 'conf.d'".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\xff\xfe".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..20),
    ];
    proptest::collection::vec(
        (
            piece,
            prop_oneof![
                Just(b"\n".to_vec()),
                Just(b"\r\n".to_vec()),
                Just(Vec::new())
            ],
        ),
        0..30,
    )
    .prop_map(|parts| {
        parts
            .into_iter()
            .flat_map(|(a, b)| a.into_iter().chain(b))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn conf_round_trip_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let f = ConfFile::parse(bytes.clone());
        prop_assert_eq!(f.print(), &bytes[..]);
    }

    #[test]
    fn conf_round_trip_on_conf_like_text(bytes in conf_like()) {
        let f = ConfFile::parse(bytes.clone());
        prop_assert_eq!(f.print(), &bytes[..]);
    }

    #[test]
    fn hba_and_conninfo_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        for major in [10, 14, 18] {
            let _ = hba::rules(&bytes, Path::new("/nonexistent"), hba::Features::distribution(major));
        }
        let _ = pgrepl::catalog::conninfo::parse(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn patching_twice_is_patching_once(bytes in conf_like(), value in 1u32..100_000) {
        let literal = value.to_string();
        let once = patch::set(&bytes, "max_wal_senders", &literal, "why");
        let twice = patch::set(&once, "max_wal_senders", &literal, "why");
        prop_assert_eq!(&once, &twice);
        // And the setting is in effect in the patched file: its last occurrence has the value.
        let f = ConfFile::parse(once);
        let last = f.lines.iter().rev().find_map(|l| match &l.item {
            pgrepl::pgconf::conf::Item::Setting(s) if s.name.eq_ignore_ascii_case("max_wal_senders") => Some(s.value.clone()),
            _ => None,
        });
        // A syntax error earlier in the file stops the server, not the patch: the value is there.
        prop_assert_eq!(last, Some(literal));
    }

    #[test]
    fn hba_block_merge_is_idempotent(bytes in proptest::collection::vec(prop_oneof![Just(b"local all all peer\n".to_vec()), Just(b"# c\n".to_vec()), Just(b"\n".to_vec()), Just(b"host all all 0.0.0.0/0 reject\n".to_vec())], 0..10)) {
        let text: Vec<u8> = bytes.concat();
        let block = "# BEGIN pgrepl cluster=p\nhost replication r 10.0.0.2/32 scram-sha-256\n# END pgrepl cluster=p\n";
        let once = patch::merge_hba_block(&text, block).unwrap();
        prop_assert_eq!(patch::merge_hba_block(&once, block).unwrap(), once.clone());
        // The block's record comes before every other record.
        let rules = hba::rules(&once, Path::new("/"), hba::Features::distribution(16));
        prop_assert_eq!(rules[0].user_name.as_deref(), Some(&["r".to_owned()][..]));
    }
}
