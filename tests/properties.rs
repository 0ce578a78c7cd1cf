//! Properties over arbitrary input: the parsers never panic, printing a parsed file gives
//! its bytes back, patching twice is patching once, and any valid topology renders the same
//! bytes every time, with scripts that pass shellcheck.

use std::path::Path;

use pgrepl::pgconf::{block, conf::ConfFile, hba, patch};
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
            let _ = hba::rows(&bytes, Path::new("/nonexistent/pg_hba.conf"), hba::Features::distribution(major));
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
            pgrepl::pgconf::conf::Item::Setting(s) if s.name.eq_ignore_ascii_case("max_wal_senders") => Some(s.value.to_string()),
            _ => None,
        });
        // A syntax error earlier in the file stops the server, not the patch: the value is there.
        prop_assert_eq!(last, Some(literal));
    }

    #[test]
    fn hba_block_merge_is_idempotent(bytes in proptest::collection::vec(prop_oneof![Just(b"local all all peer\n".to_vec()), Just(b"# c\n".to_vec()), Just(b"\n".to_vec()), Just(b"host all all 0.0.0.0/0 reject\n".to_vec())], 0..10)) {
        let text: Vec<u8> = bytes.concat();
        let block = "# BEGIN pgrepl cluster=p\nhost replication r 10.0.0.2/32 scram-sha-256\n# END pgrepl cluster=p\n";
        let once = block::merge_hba_block(&text, block).unwrap();
        prop_assert_eq!(block::merge_hba_block(&once, block).unwrap(), once.clone());
        // The block's record comes before every other record.
        let rules = hba::rows(&once, Path::new("/pg_hba.conf"), hba::Features::distribution(16));
        prop_assert_eq!(rules[0].view().user_name, Some(vec!["r".to_owned()]));
    }
}

/// A topology from the space of valid-looking ones: 2-5 nodes, any major, IPv4 or IPv6,
/// slots or not, synchronous or not, Debian, RHEL or a custom layout whose paths have a
/// space and a quote in them.
fn topology_text() -> impl Strategy<Value = String> {
    (
        10u32..=18,
        1usize..=4,
        any::<bool>(),
        any::<bool>(),
        0usize..3,
        prop_oneof![Just("ufw"), Just("none")],
        proptest::option::of(prop_oneof![Just("first"), Just("any")]),
        proptest::sample::select(vec!["db", "pg-", "node_", "x"]),
    )
        .prop_map(|(major, standbys, v6, slots, layout, firewall, sync, prefix)| {
            let layout = match layout {
                0 => "kind = \"debian\"\n".to_owned(),
                1 => "kind = \"rhel\"\n".to_owned(),
                _ => format!(
                    "kind = \"custom\"\ndata_dir = \"/srv/pg data/it's {major}\"\nconfig_dir = \"/srv/pg data/it's {major}\"\n\
                     bin_dir = \"/opt/pg {major}/bin\"\nos_user = \"postgres\"\nsocket_dir = \"/run/pg sock\"\n\
                     passfile = \"/srv/pg data/.pgpass\"\nstart = \"systemctl start 'pg {major}'\"\n\
                     stop = \"systemctl stop 'pg {major}'\"\nrestart = \"systemctl restart 'pg {major}'\"\n\
                     reload = \"systemctl reload 'pg {major}'\"\n"
                ),
            };
            let host = |i: usize| {
                if v6 {
                    format!("fd00::{:x}", i + 1)
                } else {
                    format!("10.0.0.{}", i + 1)
                }
            };
            let names: Vec<String> = (0..=standbys).map(|i| format!("{prefix}{i}")).collect();
            let mut t = format!(
                "[cluster]\nname = \"p\"\npg_version = {major}\nfirewall = \"{firewall}\"\n\n[layout]\n{layout}\n\
                 [replication]\nuser = \"replicator\"\nslots = {slots}\n"
            );
            if let Some(method) = sync {
                t.push_str(&format!(
                    "\n[replication.synchronous]\nmethod = \"{method}\"\ncount = 1\n"
                ));
            }
            t.push_str("\n[postgresql]\nmax_wal_senders = 10\n");
            for (i, name) in names.iter().enumerate() {
                let role = if i == 0 { "primary" } else { "standby" };
                t.push_str(&format!(
                    "\n[[nodes]]\nname = \"{name}\"\nrole = \"{role}\"\nhost = \"{}\"\n",
                    host(i)
                ));
                // The last standby of three or more cascades from the first.
                if i >= 3 && i == standbys {
                    t.push_str(&format!("upstream = \"{}\"\n", names[1]));
                }
            }
            t
        })
}

proptest! {
    // Each case renders a whole cluster and shellchecks its scripts: few cases, wide space.
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    /// What validates renders, twice the same bytes, and every script passes shellcheck.
    #[test]
    fn valid_topologies_render_deterministic_shellcheck_clean_scripts(text in topology_text()) {
        let loaded = pgrepl::topology::load(&text);
        let Some(topo) = loaded.topology else {
            panic!("the generator made an invalid topology:\n{text}\n{:?}", loaded.diagnostics);
        };
        let env = pgrepl::render::templates::environment(None).unwrap();
        let plan = pgrepl::render::plan(&topo, &env).unwrap();
        let again = pgrepl::render::plan(&pgrepl::topology::load(&text).topology.unwrap(), &env).unwrap();
        prop_assert!(plan.iter().map(|a| (&a.path, &a.contents, a.mode)).eq(again.iter().map(|a| (&a.path, &a.contents, a.mode))));

        let tmp = tempfile::tempdir().unwrap();
        pgrepl::render::output::write(tmp.path(), &plan, false).unwrap();
        let scripts: Vec<&str> = plan.iter().map(|a| a.path.as_str()).filter(|p| p.ends_with(".sh")).collect();
        prop_assert!(!scripts.is_empty());
        // One shellcheck for all of them; sourced lib.sh is found beside each script.
        let o = std::process::Command::new("shellcheck")
            .args(["-x", "-P", "SCRIPTDIR", "-f", "gcc"])
            .args(&scripts)
            .current_dir(tmp.path())
            .output()
            .expect("shellcheck is installed (scripts/test.sh installs it)");
        prop_assert!(o.status.success(), "{text}\n{}", String::from_utf8_lossy(&o.stdout));
    }
}
