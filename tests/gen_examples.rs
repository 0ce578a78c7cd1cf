//! `gen` on every example: complete output snapshots, determinism, shellcheck, and the
//! reference guide's values.

mod support;

use std::process::Command;

use support::*;

/// The whole output of a plan as one reviewable text.
fn dump(plan: &[pgrepl::render::Artifact]) -> String {
    let mut s = String::new();
    for a in plan {
        s.push_str(&format!(
            "=== {} (mode {:o})\n{}",
            a.path, a.mode, a.contents
        ));
        if !a.contents.ends_with('\n') {
            s.push_str("\n[no final newline]\n");
        }
    }
    s
}

#[test]
fn every_example_output_is_snapshotted() {
    for file in tomls("examples") {
        let source = std::fs::read_to_string(&file).unwrap();
        let plan = plan_for(&source);
        insta::assert_snapshot!(format!("example_{}", stem(&file)), dump(&plan));
    }
}

#[test]
fn output_is_deterministic_and_matches_the_plan() {
    for file in tomls("examples") {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        for out in [&a, &b] {
            let o = pgrepl(&["gen", file.to_str().unwrap(), "-o", out.to_str().unwrap()]);
            assert!(o.status.success(), "{}: {}", file.display(), stderr(&o));
        }
        assert_eq!(tree(&a), tree(&b), "{}: two runs differ", file.display());
        let plan = plan_for(&std::fs::read_to_string(&file).unwrap());
        assert!(pgrepl::render::output::matches(&a, &plan));
    }
}

/// shellcheck over every script `gen` writes, for every example and for the guide's cluster
/// on every supported major (the scripts differ by version).
#[test]
fn every_generated_script_passes_shellcheck() {
    if !require_tool("shellcheck") {
        return;
    }
    let guide = std::fs::read_to_string(root().join("examples/guide.toml")).unwrap();
    let mut sources: Vec<(String, String)> = tomls("examples")
        .iter()
        .map(|f| (stem(f), std::fs::read_to_string(f).unwrap()))
        .collect();
    for major in pgrepl::catalog::OLDEST..=pgrepl::catalog::NEWEST {
        sources.push((
            format!("guide-pg{major}"),
            guide.replace("pg_version = 16", &format!("pg_version = {major}")),
        ));
    }
    let mut checked = 0;
    for (name, source) in sources {
        let tmp = tempfile::tempdir().unwrap();
        let plan = plan_for(&source);
        pgrepl::render::output::write(tmp.path(), &plan, false).unwrap();
        for a in plan.iter().filter(|a| a.path.ends_with(".sh")) {
            let path = tmp.path().join(&a.path);
            let o = Command::new("shellcheck")
                .args(["-x", "-f", "gcc"])
                .arg(path.file_name().unwrap())
                .current_dir(path.parent().unwrap())
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "{name}: {} fails shellcheck:\n{}",
                a.path,
                String::from_utf8_lossy(&o.stdout)
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} scripts checked");
}

/// Every generated ufw script, through real ufw in dry-run mode (root only: ufw refuses
/// otherwise; the firewall is never changed): the rules parse and name exactly the peers.
#[test]
fn ufw_scripts_pass_ufw_dry_run() {
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n");
    if !root_user {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root and must run this test"
        );
        eprintln!("skipping: ufw --dry-run needs root");
        return;
    }
    if !require_tool("ufw") {
        return;
    }
    let mut ran = 0;
    for file in tomls("examples") {
        let tmp = tempfile::tempdir().unwrap();
        let plan = plan_for(&std::fs::read_to_string(&file).unwrap());
        pgrepl::render::output::write(tmp.path(), &plan, false).unwrap();
        for a in plan.iter().filter(|a| a.path.ends_with("ufw.sh")) {
            let o = Command::new("bash")
                .arg(tmp.path().join(&a.path))
                .arg("--dry-run")
                .output()
                .unwrap();
            let out = String::from_utf8_lossy(&o.stdout);
            assert!(
                o.status.success(),
                "{}: {}\n{}",
                a.path,
                out,
                String::from_utf8_lossy(&o.stderr)
            );
            // Each `allow` line's source appears as an iptables rule source.
            for line in a.contents.lines().filter(|l| l.starts_with("allow ")) {
                let source = line.split_whitespace().nth(1).unwrap().trim_matches('\'');
                assert!(
                    out.contains(&format!("-s {source}")),
                    "{}: no rule for {source}:\n{out}",
                    a.path
                );
            }
            ran += 1;
        }
    }
    assert!(ran >= 5, "only {ran} ufw scripts ran");
}

fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn file<'a>(plan: &'a [pgrepl::render::Artifact], path: &str) -> &'a str {
    &plan
        .iter()
        .find(|a| a.path == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .contents
}

/// The done criterion of the gen issue: the guide's own values.
#[test]
fn guide_example_has_the_guides_values() {
    let plan = plan_for(&std::fs::read_to_string(root().join("examples/guide.toml")).unwrap());
    let conf = file(&plan, "vm1/conf.d/pgrepl-replication.conf");
    for line in [
        "listen_addresses = '*'",
        "wal_level = replica",
        "max_wal_senders = 5",
        "wal_keep_size = '64MB'",
    ] {
        assert!(
            conf.lines().any(|l| l.starts_with(line)),
            "missing {line:?} in\n{conf}"
        );
    }
    let hba = normalise(file(&plan, "vm1/pg_hba-replication.conf"));
    assert!(
        hba.contains("host replication replicator 172.16.93.133/32 scram-sha-256"),
        "{hba}"
    );
    // The standby admits the primary for after a failover, and nothing wider.
    let hba2 = normalise(file(&plan, "vm2/pg_hba-replication.conf"));
    assert!(
        hba2.contains("host replication replicator 172.16.93.132/32 scram-sha-256"),
        "{hba2}"
    );
    assert!(!hba2.contains("/24") && !hba2.contains("0.0.0.0"));
    let ufw = file(&plan, "vm1/ufw.sh");
    assert!(ufw.contains("allow 172.16.93.133 "), "{ufw}");
}

/// Version rules: wal_keep_segments before 13, recovery.conf before 12.
#[test]
fn version_dependent_output() {
    let guide = std::fs::read_to_string(root().join("examples/guide.toml")).unwrap();
    for major in pgrepl::catalog::OLDEST..=pgrepl::catalog::NEWEST {
        let plan = plan_for(&guide.replace("pg_version = 16", &format!("pg_version = {major}")));
        let primary = file(&plan, "vm1/conf.d/pgrepl-replication.conf");
        let standby = file(&plan, "vm2/conf.d/pgrepl-replication.conf");
        if major >= 13 {
            assert!(primary.contains("wal_keep_size = '64MB'"), "{major}");
            assert!(
                !primary.lines().any(|l| l.starts_with("wal_keep_segments")),
                "{major}"
            );
        } else {
            assert!(
                primary.contains("wal_keep_segments = 4\t"),
                "{major}: 64MB is 4 segments"
            );
            assert!(
                !primary.lines().any(|l| l.starts_with("wal_keep_size")),
                "{major}"
            );
        }
        let recovery_conf = plan.iter().find(|a| a.path == "vm2/recovery.conf");
        if major >= 12 {
            assert!(recovery_conf.is_none(), "{major}");
            assert!(
                standby
                    .contains("primary_conninfo = 'host=172.16.93.132 port=5432 user=replicator"),
                "{major}"
            );
            assert!(file(&plan, "vm2/runbook/40-base-backup.sh").contains("standby.signal"));
        } else {
            let rc = recovery_conf.unwrap_or_else(|| panic!("{major}: no recovery.conf"));
            assert_eq!(rc.mode, 0o600);
            assert!(rc.contents.contains("standby_mode = 'on'"));
            assert!(rc.contents.contains("recovery_target_timeline = 'latest'"));
            assert!(
                !standby.contains("primary_conninfo"),
                "{major}: not a GUC before 12"
            );
        }
    }
}

/// Every setting `gen` writes, for every example on every major, is a parameter of that
/// major (in postgresql.conf or, before 12, recovery.conf) with a value the server accepts.
#[test]
fn every_written_setting_is_valid_for_its_major() {
    use pgrepl::catalog::history::{Lookup, lookup};
    let mut checked = 0;
    for file in tomls("examples") {
        let source = std::fs::read_to_string(&file).unwrap();
        let default_major: u32 = source
            .lines()
            .find_map(|l| l.strip_prefix("pg_version = "))
            .and_then(|v| v.trim().parse().ok())
            .unwrap();
        for major in pgrepl::catalog::OLDEST..=pgrepl::catalog::NEWEST {
            let plan = plan_for(&source.replace(
                &format!("pg_version = {default_major}"),
                &format!("pg_version = {major}"),
            ));
            for a in plan
                .iter()
                .filter(|a| a.path.ends_with(".conf") && !a.path.contains("pg_hba"))
            {
                for line in a
                    .contents
                    .lines()
                    .filter(|l| !l.starts_with('#') && l.contains(" = "))
                {
                    let (name, rest) = line.split_once(" = ").unwrap();
                    let value = rest.split('\t').next().unwrap().trim();
                    let value = value
                        .strip_prefix('\'')
                        .and_then(|v| v.strip_suffix('\''))
                        .map_or(value.to_owned(), |v| v.replace("''", "'"));
                    let recovery_conf = a.path.ends_with("recovery.conf");
                    match lookup(major, name) {
                        Lookup::Known(p) => {
                            assert!(
                                !recovery_conf || name == "recovery_target_timeline",
                                "{major} {}: {name} is a GUC",
                                a.path
                            );
                            let rules = pgrepl::catalog::values::NumberRules::for_major(major);
                            if let Err(e) = pgrepl::catalog::values::check(p, &value, rules) {
                                panic!("PG{major} {}: {name} = {value}: {}", a.path, e.describe(p));
                            }
                        }
                        Lookup::RecoveryConfOnly { .. } => assert!(
                            recovery_conf,
                            "PG{major} {}: {name} belongs in recovery.conf",
                            a.path
                        ),
                        other => panic!("PG{major} {}: {name}: {other:?}", a.path),
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 500, "only {checked} settings checked");
}

/// The primary_conninfo gen writes uses only keywords that the standby's own libpq knows,
/// on every major (an unknown one makes the walreceiver fail forever).
#[test]
fn generated_conninfo_keywords_are_known_to_every_major() {
    let source = std::fs::read_to_string(root().join("examples/cascade.toml")).unwrap();
    for major in pgrepl::catalog::OLDEST..=pgrepl::catalog::NEWEST {
        let plan = plan_for(&source.replace("pg_version = 15", &format!("pg_version = {major}")));
        let known = pgrepl::catalog::conninfo::keywords(major).unwrap();
        let mut seen = 0;
        for a in &plan {
            for line in a
                .contents
                .lines()
                .filter(|l| l.starts_with("primary_conninfo = '"))
            {
                let quoted = line.trim_start_matches("primary_conninfo = '");
                let conninfo = &quoted[..quoted.find("'\t").unwrap()];
                for pair in pgrepl::catalog::conninfo::parse(conninfo).unwrap() {
                    assert!(
                        known.contains(&pair.keyword.as_str()),
                        "PG{major}: {} unknown to libpq {major}",
                        pair.keyword
                    );
                }
                seen += 1;
            }
        }
        assert_eq!(seen, 2, "PG{major}: two standbys");
    }
}

/// No generated byte holds the password, unless the topology itself holds it; then only
/// the 0600 secrets file does.
#[test]
fn passwords_stay_out_of_generated_files() {
    let canary = "Canary-Pw-7f3a9";
    for file_name in tomls("examples") {
        let source = std::fs::read_to_string(&file_name).unwrap();
        for a in plan_for(&source) {
            assert!(!a.contents.contains(canary));
        }
        let literal = source.replace(
            "[replication]\n",
            &format!("[replication]\npassword = {{ literal = \"{canary}\" }}\n"),
        );
        let literal = literal
            .lines()
            .filter(|l| !l.starts_with("password = { env") && !l.starts_with("password = { file"))
            .collect::<Vec<_>>()
            .join("\n");
        let plan = plan_for(&literal);
        let holders: Vec<_> = plan
            .iter()
            .filter(|a| a.contents.contains(canary))
            .collect();
        assert!(
            !holders.is_empty(),
            "{}: literal password not written anywhere",
            file_name.display()
        );
        for a in holders {
            assert!(
                a.path.ends_with("secrets/replication-password"),
                "{} holds the password",
                a.path
            );
            assert_eq!(a.mode, 0o600, "{}", a.path);
        }
    }
}

/// The manifest is world-readable: it holds no digest of a secrets file (an unsalted
/// SHA-256 of a guessable password gives it away), and gen still replaces its own secrets
/// file on the next run while it refuses an edited ordinary file.
#[test]
fn the_manifest_holds_no_digest_of_a_secret() {
    use sha2::Digest;
    let guide = std::fs::read_to_string(root().join("examples/guide.toml")).unwrap();
    let literal = guide.replace(
        "user = \"replicator\"\n",
        "user = \"replicator\"\npassword = { literal = \"correct horse\" }\n",
    );
    assert!(literal.contains("literal = "), "{literal}");
    let plan = plan_for(&literal);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    pgrepl::render::output::write(&out, &plan, false).unwrap();
    let manifest = std::fs::read_to_string(out.join(".pgrepl-manifest")).unwrap();
    let secret = std::fs::read(out.join("vm1/secrets/replication-password")).unwrap();
    let digest: String = sha2::Sha256::digest(&secret)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(!manifest.contains(&digest), "{manifest}");
    assert!(
        manifest.contains("-  600  vm1/secrets/replication-password\n"),
        "{manifest}"
    );
    // A second run replaces the secrets file without --force.
    pgrepl::render::output::write(&out, &plan, false).unwrap();
    // A secrets file someone made readable is not pgrepl's any more.
    std::fs::set_permissions(
        out.join("vm1/secrets/replication-password"),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    assert!(pgrepl::render::output::write(&out, &plan, false).is_err());
}

/// `[replication.tls]`: hostssl records, ssl on with the node's certificate, standbys that
/// verify their upstream (primary_conninfo and the base backup), and no TLS without it.
#[test]
fn tls_makes_replication_hostssl_and_verify_full() {
    let guide = std::fs::read_to_string(root().join("examples/guide.toml")).unwrap();
    let tls = guide.replace(
        "[replication]\nuser = \"replicator\"\n",
        "[replication]\nuser = \"replicator\"\n\n[replication.tls]\nca_file = \"/etc/ssl/pg/ca.crt\"\ncert_file = \"/etc/ssl/pg/node.crt\"\nkey_file = \"/etc/ssl/pg/node.key\"\n",
    );
    assert_ne!(tls, guide);
    let plan = plan_for(&tls);
    let hba = file(&plan, "vm1/pg_hba-replication.conf");
    assert!(
        hba.contains("hostssl\treplication\treplicator\t172.16.93.133/32"),
        "{hba}"
    );
    assert!(!hba.lines().any(|l| l.starts_with("host\t")), "{hba}");
    let standby = file(&plan, "vm2/conf.d/pgrepl-replication.conf");
    for want in [
        "ssl = on",
        "ssl_cert_file = '/etc/ssl/pg/node.crt'",
        "ssl_key_file = '/etc/ssl/pg/node.key'",
        "sslmode=verify-full sslrootcert=/etc/ssl/pg/ca.crt'",
    ] {
        assert!(standby.contains(want), "{want}: {standby}");
    }
    let backup = plan
        .iter()
        .find(|a| a.path.starts_with("vm2/runbook/") && a.path.ends_with("-base-backup.sh"))
        .unwrap();
    assert!(
        backup
            .contents
            .contains("PGSSLMODE=verify-full PGSSLROOTCERT=/etc/ssl/pg/ca.crt")
    );
    let install = plan
        .iter()
        .find(|a| a.path.starts_with("vm1/runbook/") && a.path.ends_with("-install-config.sh"))
        .unwrap();
    assert!(
        install.contents.contains("/etc/ssl/pg/node.key"),
        "the files are checked first"
    );
    // Without it: plain host records, no sslmode.
    let plain = plan_for(&guide);
    assert!(!file(&plain, "vm1/pg_hba-replication.conf").contains("hostssl"));
    assert!(!file(&plain, "vm2/conf.d/pgrepl-replication.conf").contains("sslmode"));
}
