//! Real PostgreSQL is the judge: `pgrepl gen`'s runbooks, run unmodified in the order
//! RUNBOOK.md gives, must build a working streaming-replication cluster on every major.
//!
//! Binaries come from `scripts/fetch-postgres.sh` (cached in $PGREPL_PG_CACHE, default
//! /var/cache/pgrepl-pg). `PGREPL_PG_MAJORS=16,17` limits the majors (default 10–18).
//! As root (CI), servers and runbooks run as the unprivileged user `pgtest` (created here
//! if missing). Under CI=true missing binaries fail the test; elsewhere they skip it.
//! Everything listens on 127.0.0.1 only, on a port range per major and scenario.

#[macro_use]
mod support;

use support::certs::make_certs;
use support::lab::*;
use support::real::*;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The checks every node of a working cluster passes, from the server's own views.
fn assert_clean_config(lab: &Lab, node: &str) {
    assert_eq!(
        lab.sql(
            node,
            "SELECT count(*) FROM pg_file_settings WHERE error IS NOT NULL"
        ),
        "0",
        "{node}: pg_file_settings errors"
    );
    assert_eq!(
        lab.sql(
            node,
            "SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL"
        ),
        "0",
        "{node}: pg_hba_file_rules errors"
    );
}

/// The reference guide's cluster (primary vm1, standby vm2) set up by its runbooks.
fn guide_lab(major: u32, scenario: u16, wal_keep_size: &str) -> Option<(Lab, PathBuf)> {
    let mut lab = Lab::new(major, scenario, &["vm1", "vm2"])?;
    lab.init_server("vm1");
    lab.init_server("vm2");
    let topology = lab.topology(&format!(
        "[postgresql]\nmax_wal_senders = 5\nwal_keep_size = \"{wal_keep_size}\"\nmax_slot_wal_keep_size = \"1GB\"\n{}",
        lab.nodes_toml(&[])
    ));
    let out = lab.generate(&topology);
    lab.run_runbook(&out, false);
    Some((lab, out))
}

/// Scenario 1: the reference guide's cluster (primary + one standby), as a lab.
fn guide_cluster(major: u32) {
    let Some((mut lab, _)) = guide_lab(major, 1, "64MB") else {
        return;
    };
    // The primary sees the standby streaming from the expected address, through its slot.
    assert_eq!(
        lab.sql(
            "vm1",
            "SELECT application_name, state, host(client_addr), sync_state FROM pg_stat_replication"
        ),
        "vm2|streaming|127.0.0.1|async"
    );
    assert_eq!(
        lab.sql("vm1", "SELECT slot_name, active FROM pg_replication_slots"),
        "vm2|t"
    );
    assert_eq!(lab.sql("vm1", "SHOW wal_level"), "replica");
    assert_eq!(lab.sql("vm1", "SHOW max_wal_senders"), "5");
    // The standby is in recovery and its WAL receiver streams.
    assert_eq!(lab.sql("vm2", "SELECT pg_is_in_recovery()"), "t");
    assert_eq!(
        lab.sql("vm2", "SELECT status FROM pg_stat_wal_receiver"),
        "streaming"
    );
    // The runbook's probe table is gone, on the standby too.
    for node in ["vm1", "vm2"] {
        lab.wait_for(node, "SELECT to_regclass('pgrepl_probe') IS NULL", "t");
    }
    // A row written on the primary arrives; measure how long it takes.
    lab.sql("vm1", "CREATE TABLE lag_probe (id int PRIMARY KEY)");
    for i in 1..=5 {
        lab.sql("vm1", &format!("INSERT INTO lag_probe VALUES ({i})"));
        let lag = lab.wait_for(
            "vm2",
            &format!("SELECT count(*) FROM lag_probe WHERE id = {i}"),
            "1",
        );
        lab.times.insert(format!("lag {i}"), lag);
    }
    // The standby refuses writes as read-only.
    let o = lab.sql_result("vm2", "INSERT INTO lag_probe VALUES (100)", &[], None);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("cannot execute INSERT in a read-only transaction")
    );
    // Configuration files load without errors on both.
    assert_clean_config(&lab, "vm1");
    assert_clean_config(&lab, "vm2");
    // The role's hash is SCRAM (10-13 default to md5), and only the right password works.
    assert!(
        lab.sql(
            "vm1",
            "SELECT rolpassword FROM pg_authid WHERE rolname = 'replicator'"
        )
        .starts_with("SCRAM-SHA-256$")
    );
    let conninfo = format!(
        "host=127.0.0.1 port={} user=replicator dbname=replication replication=true",
        lab.port("vm1")
    );
    let wrong = lab.sql_result(
        "vm1",
        "IDENTIFY_SYSTEM",
        &[("PGPASSWORD", "wrong")],
        Some(conninfo.clone()),
    );
    assert!(!wrong.status.success());
    assert!(
        String::from_utf8_lossy(&wrong.stderr)
            .contains("password authentication failed for user \"replicator\""),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
    let right = lab.sql_result(
        "vm1",
        "IDENTIFY_SYSTEM",
        &[("PGPASSWORD", PASSWORD)],
        Some(conninfo),
    );
    assert!(
        right.status.success(),
        "{}",
        String::from_utf8_lossy(&right.stderr)
    );
    // No password in the standby's configuration; the passfile is 0600.
    for (f, bytes) in lab.managed_files("vm2") {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("s3cret"),
            "{f} holds the password"
        );
    }
    let mode = fs::metadata(lab.dir.join("vm2/replication.pgpass")).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777,
        0o600
    );

    lab.report("guide cluster");
}

/// Scenario 5, idempotence: every runbook step a second time; no file changes, the password
/// is not re-hashed, replication goes on.
fn idempotence(major: u32) {
    let Some((mut lab, out)) = guide_lab(major, 4, "64MB") else {
        return;
    };
    let before: Vec<_> = ["vm1", "vm2"]
        .iter()
        .map(|n| lab.managed_files(n))
        .collect();
    let hash = lab.sql(
        "vm1",
        "SELECT rolpassword FROM pg_authid WHERE rolname = 'replicator'",
    );
    let times = lab.times.clone();
    lab.run_runbook(&out, false);
    lab.times = times;
    let after: Vec<_> = ["vm1", "vm2"]
        .iter()
        .map(|n| lab.managed_files(n))
        .collect();
    assert_eq!(before, after, "a second run changed configuration files");
    assert_eq!(
        hash,
        lab.sql(
            "vm1",
            "SELECT rolpassword FROM pg_authid WHERE rolname = 'replicator'"
        ),
        "password re-hashed"
    );
    assert_eq!(
        lab.sql("vm1", "SELECT state FROM pg_stat_replication"),
        "streaming"
    );
    lab.report("idempotence");
}

/// Scenario 4, a fault: stop a standby that has a slot, write more than three times
/// wal_keep_size of WAL, start it: it catches up from its slot, without a new base backup,
/// and no row is missing.
fn fault(major: u32) {
    let Some((mut lab, _)) = guide_lab(major, 5, "32MB") else {
        return;
    };
    let stop = format!("{}/pg_ctl", lab.bin.display());
    let mut c = lab.pg(&stop);
    c.args([
        "stop",
        "-D",
        lab.data("vm2").to_str().unwrap(),
        "-m",
        "fast",
        "-w",
    ]);
    run(c, "stop vm2");
    let lsn0 = lab.sql("vm1", "SELECT pg_current_wal_lsn()");
    lab.sql("vm1", "CREATE TABLE bulk (id int, pad text)");
    for _ in 0..4 {
        lab.sql(
            "vm1",
            "INSERT INTO bulk SELECT g, repeat('x', 200) FROM generate_series(1, 100000) g",
        );
    }
    let written: i64 = lab
        .sql(
            "vm1",
            &format!("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '{lsn0}')::bigint"),
        )
        .parse()
        .unwrap();
    assert!(
        written > 3 * 32 * 1024 * 1024,
        "only {written} bytes of WAL written"
    );
    let start = Instant::now();
    let mut c = lab.pg(&stop);
    c.args(["start", "-D", lab.data("vm2").to_str().unwrap(), "-l"])
        .arg(lab.dir.join("vm2/server.log"))
        .args(["-w", "-t", "120"]);
    run(c, "start vm2");
    let want = lab.sql("vm1", "SELECT count(*) || ':' || sum(id) FROM bulk");
    lab.wait_for("vm2", "SELECT count(*) || ':' || sum(id) FROM bulk", &want);
    lab.times.insert(
        format!("catch-up after {} MB of WAL", written / 1024 / 1024),
        start.elapsed(),
    );
    lab.report("fault");
}

/// Scenario 3: one primary, two standbys with slots and `ANY 1` synchronous replication,
/// and a cascading standby fed by the first standby.
fn sync_and_cascade(major: u32) {
    let Some(mut lab) = Lab::new(major, 2, &["p", "s1", "s2", "c1"]) else {
        return;
    };
    for n in ["p", "s1", "s2", "c1"] {
        lab.init_server(n);
    }
    let topology = lab.topology(&format!(
        r#"[replication.synchronous]
method = "any"
count = 1
standbys = ["s1", "s2"]

[postgresql]
listen_addresses = "127.0.0.1"
max_wal_senders = 6
wal_keep_size = "32MB"
{}"#,
        lab.nodes_toml(&[("c1", "s1")])
    ));
    let out = lab.generate(&topology);
    lab.run_runbook(&out, false);
    assert_eq!(
        lab.sql("p", "SELECT string_agg(application_name || ':' || state || ':' || sync_state, ',' ORDER BY application_name) FROM pg_stat_replication"),
        "s1:streaming:quorum,s2:streaming:quorum"
    );
    assert_eq!(
        lab.sql("p", "SHOW synchronous_standby_names"),
        "ANY 1 (\"s1\", \"s2\")"
    );
    assert_eq!(
        lab.sql(
            "s1",
            "SELECT application_name || ':' || state FROM pg_stat_replication"
        ),
        "c1:streaming"
    );
    assert_eq!(lab.sql("p", "SELECT string_agg(slot_name || ':' || active, ',' ORDER BY slot_name) FROM pg_replication_slots"), "s1:true,s2:true");
    assert_eq!(
        lab.sql(
            "s1",
            "SELECT slot_name || ':' || active FROM pg_replication_slots"
        ),
        "c1:true"
    );
    // A synchronous commit on the primary reaches the cascade too.
    lab.sql("p", "CREATE TABLE t AS SELECT 42 AS answer");
    lab.wait_for("c1", "SELECT answer FROM t", "42");
    // A standby cloned once synchronous replication is on inherits the primary's drop-in
    // (the configuration lives in the data directory): install-config removes it, so that
    // a promotion would not make every commit wait.
    let inherited = lab.data("s2").join("conf.d/pgrepl-synchronous.conf");
    std::fs::copy(
        lab.data("p").join("conf.d/pgrepl-synchronous.conf"),
        &inherited,
    )
    .unwrap();
    lab.step(&out, &step_named(&out, "s2", "install-config"));
    assert!(
        !inherited.exists(),
        "PG{major}: s2 kept the primary's synchronous drop-in"
    );
    for n in ["p", "s1", "s2", "c1"] {
        assert_clean_config(&lab, n);
    }

    lab.report("sync + cascade");
}

/// Scenario 2: primary and standby on distinct addresses (a private network namespace; root
/// only), so the primary's pg_hba.conf admits exactly the standby's /32: the standby streams
/// from 127.0.0.12, and the same role with the right password from 127.0.0.13 is refused.
fn distinct_addresses(major: u32) {
    if !is_root() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root and must run this scenario"
        );
        eprintln!("skipping the distinct-address scenario: it needs root for a network namespace");
        return;
    }
    let Some(mut lab) = Lab::new(major, 3, &["a", "b"]) else {
        return;
    };
    lab.isolate("127.0.0.12");
    lab.init_server("a");
    lab.init_server("b");
    let topology = lab.topology(&format!(
        "[postgresql]\nmax_wal_senders = 5\nwal_keep_size = \"64MB\"\n{}",
        lab.nodes_toml(&[])
    ));
    let out = lab.generate(&topology);
    lab.run_runbook(&out, false);
    assert_eq!(
        lab.sql(
            "a",
            "SELECT application_name, state, host(client_addr) FROM pg_stat_replication"
        ),
        "b|streaming|127.0.0.12"
    );
    let hba = lab.sql("a", "SELECT string_agg(address || ' ' || netmask, ',') FROM pg_hba_file_rules WHERE 'replicator' = ANY(user_name)");
    assert_eq!(
        hba, "127.0.0.12 255.255.255.255",
        "only the standby's address is admitted for the role"
    );

    let conninfo = format!(
        "host={} port={} user=replicator dbname=replication replication=true",
        lab.host("a"),
        lab.port("a")
    );
    lab.route_from("127.0.0.13");
    let refused = lab.sql_result(
        "a",
        "IDENTIFY_SYSTEM",
        &[("PGPASSWORD", PASSWORD)],
        Some(conninfo.clone()),
    );
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success(),
        "a connection from 127.0.0.13 was admitted"
    );
    assert!(
        err.contains("no pg_hba.conf entry for replication connection from host \"127.0.0.13\""),
        "{err}"
    );
    lab.route_from("127.0.0.12");
    let admitted = lab.sql_result(
        "a",
        "IDENTIFY_SYSTEM",
        &[("PGPASSWORD", PASSWORD)],
        Some(conninfo),
    );
    assert!(
        admitted.status.success(),
        "{}",
        String::from_utf8_lossy(&admitted.stderr)
    );
    lab.report("distinct addresses");
}

/// Lint's errors for one directory, as `code: message` lines.
fn lint_errors(dir: &Path, major: u32) -> Vec<String> {
    let clusters = pgrepl::lint::discover::discover(&[dir.to_path_buf()], Some(major)).unwrap();
    pgrepl::lint::check(&pgrepl::lint::Fleet::new(&clusters, None))
        .into_iter()
        .filter(|f| f.diagnostic.is_error())
        .map(|f| format!("{}: {}", f.diagnostic.code, f.diagnostic.message))
        .collect()
}

/// `pgrepl lint --topology` over the lab's two nodes: (rule, severity) of every finding.
fn lint_lab(lab: &Lab) -> Vec<(String, String)> {
    let topology = lab.dir.join("topology.toml");
    let o = support::pgrepl(&[
        "lint",
        lab.data("vm1").to_str().unwrap(),
        lab.data("vm2").to_str().unwrap(),
        "--topology",
        topology.to_str().unwrap(),
        "--format",
        "json",
    ]);
    support::lint_findings(&o)
}

/// Scenario 6, lint agrees with the server: the live configuration of a working cluster has
/// no lint error; a broken copy is flagged by lint and fails on the server the way the
/// rule says.
fn lint_agrees(major: u32) {
    let Some((lab, _)) = guide_lab(major, 6, "64MB") else {
        return;
    };
    for node in ["vm1", "vm2"] {
        let errors = lint_errors(&lab.data(node), major);
        assert!(
            errors.is_empty(),
            "PG{major} {node}: lint errors on a working node:\n{}",
            errors.join("\n")
        );
    }
    // Both nodes together, against the topology they were generated from: nothing at all,
    // not even a note (pgrepl never disagrees with itself).
    let together = lint_lab(&lab);
    assert!(
        together.is_empty(),
        "PG{major}: lint --topology on the generated cluster: {together:?}"
    );

    // Without the replication record: PGR014, and the server refuses the standby's role.
    let hba = lab.data("vm1").join("pg_hba.conf");
    let original = std::fs::read_to_string(&hba).unwrap();
    let mut inside = false;
    let stripped: String = original
        .lines()
        .filter(|l| {
            if l.starts_with(pgrepl::pgconf::block::BEGIN) {
                inside = true;
            }
            let keep = !inside;
            if l.starts_with(pgrepl::pgconf::block::END) {
                inside = false;
            }
            keep
        })
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&hba, &stripped).unwrap();
    let errors = lint_errors(&lab.data("vm1"), major);
    assert!(
        errors.iter().any(|e| e.starts_with("PGR014")),
        "PG{major}: lint missed the missing replication record: {errors:?}"
    );
    // Against the topology: the standby is not admitted, and the block has drifted away.
    let together = lint_lab(&lab);
    for rule in ["PGR027", "PGR028"] {
        assert!(
            together.iter().any(|(r, _)| r == rule),
            "PG{major}: lint --topology missed {rule}: {together:?}"
        );
    }
    let mut reload = lab.pg(&lab.tool("pg_ctl"));
    reload.arg("reload").arg("-D").arg(lab.data("vm1"));
    run(reload, "reload");
    std::thread::sleep(Duration::from_millis(300));
    let conninfo = format!(
        "host=127.0.0.1 port={} user=replicator dbname=replication replication=true",
        lab.port("vm1")
    );
    let refused = lab.sql_result(
        "vm1",
        "IDENTIFY_SYSTEM",
        &[("PGPASSWORD", PASSWORD)],
        Some(conninfo),
    );
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success()
            && (err.contains("no pg_hba.conf entry for replication connection")
                || err.contains("pg_hba.conf rejects replication connection")),
        "PG{major}: {err}"
    );
    std::fs::write(&hba, &original).unwrap();

    // wal_level = minimal with WAL senders: PGR007, and the server does not start.
    let broken = lab.dir.join("broken");
    let mut initdb = lab.pg(&lab.tool("initdb"));
    initdb
        .arg("-D")
        .arg(&broken)
        .args(["-U", "postgres", "-A", "trust", "-N"]);
    run(initdb, "initdb broken");
    let conf = broken.join("postgresql.conf");
    let mut text = std::fs::read_to_string(&conf).unwrap();
    text.push_str(&format!(
        "port = {}\nlisten_addresses = ''\nunix_socket_directories = {}\nwal_level = minimal\n",
        lab.port("vm2") + 5,
        pgrepl::pgconf::quote::conf_string(&lab.dir.join("sockets").to_string_lossy())
    ));
    std::fs::write(&conf, text).unwrap();
    let errors = lint_errors(&broken, major);
    assert!(
        errors.iter().any(|e| e.starts_with("PGR007")),
        "PG{major}: lint missed wal_level = minimal: {errors:?}"
    );
    let mut start = lab.pg(&lab.tool("pg_ctl"));
    start
        .arg("start")
        .arg("-D")
        .arg(&broken)
        .arg("-l")
        .arg(lab.dir.join("broken.log"))
        .args(["-w", "-t", "30"]);
    let o = start.output().unwrap();
    assert!(
        !o.status.success(),
        "PG{major}: the server started with wal_level = minimal and WAL senders"
    );
    let log = std::fs::read_to_string(lab.dir.join("broken.log")).unwrap_or_default();
    assert!(
        log.contains("requires wal_level") || log.contains("WAL streaming"),
        "PG{major}: {log}"
    );
}

/// Scenario 7: the destructive step, clearing a standby's data directory for the base backup,
/// refuses while the server runs, on a directory that is not a data directory of the
/// cluster's major, and without a confirmation naming the node; each refusal leaves every
/// file in place. Confirmed, it empties the directory.
fn destructive_step_refuses(major: u32) {
    let Some(mut lab) = Lab::new(major, 7, &["vm1", "vm2"]) else {
        return;
    };
    lab.init_server("vm1");
    lab.init_server("vm2");
    let out = lab.generate(&lab.topology(&lab.nodes_toml(&[])));
    // The upstream is set up and the standby has its passfile: the step compares the
    // directory's system identifier with the upstream's before it deletes anything.
    lab.set_up(&out, "vm1");
    let passfile = step_named(&out, "vm2", "write-passfile");
    lab.step(&out, &passfile);
    let runbook = out.join("vm2/runbook");
    let clear = fs::read_dir(&runbook)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.ends_with("-clear-data-dir.sh"))
        .expect("a clear-data-dir step on the standby");
    let script = format!("vm2/runbook/{clear}");
    let data = lab.data("vm2");
    let files = |data: &Path| {
        let mut names: Vec<String> = fs::read_dir(data)
            .map(|d| {
                d.map(|e| e.unwrap().file_name().into_string().unwrap())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    let before = files(&data);
    assert!(before.contains(&"PG_VERSION".to_owned()));
    let refused = |lab: &Lab, args: &str, why: &str| {
        let o = lab.try_step(&out, &format!("{script} {args}"));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && err.contains(why),
            "PG{major}: `{clear} {args}` should refuse ({why}): {err}"
        );
    };

    // init_server started it.
    refused(&lab, "--confirm vm2", "is running");
    let mut stop = lab.pg(&lab.tool("pg_ctl"));
    stop.args(["stop", "-w", "-D"]).arg(&data);
    run(stop, "stop vm2");
    let before = files(&data);

    refused(&lab, "", "without confirmation");
    refused(&lab, "--confirm vm1", "must name this node");
    let version = data.join("PG_VERSION");
    fs::write(&version, "9\n").unwrap();
    refused(&lab, "--confirm vm2", "holds a PostgreSQL 9 cluster");
    fs::remove_file(&version).unwrap();
    refused(&lab, "--confirm vm2", "not a PostgreSQL data directory");
    fs::write(&version, format!("{major}\n")).unwrap();
    assert_eq!(
        files(&data),
        before,
        "PG{major}: a refusal changed the data directory"
    );

    // A file it cannot delete (immutable: not even root may) fails the step, named.
    let global = data.join("global");
    let immutable = |on: bool| {
        Command::new("chattr")
            .arg(if on { "+i" } else { "-i" })
            .arg(&global)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if is_root() && immutable(true) {
        let o = lab.try_step(&out, &format!("{script} --confirm vm2"));
        assert!(immutable(false));
        let (stdout, stderr) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        assert!(
            !o.status.success()
                && stderr.contains(&format!(
                    "could not delete everything in {}",
                    data.display()
                ))
                && !stdout.contains("] ok"),
            "PG{major}: a failed delete:\n{stdout}\n{stderr}"
        );
    }
    let o = lab.try_step(&out, &format!("{script} --confirm vm2"));
    assert!(
        o.status.success(),
        "PG{major}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        files(&data).is_empty(),
        "PG{major}: {:?} left",
        files(&data)
    );
}

/// The tools of `major`'s bin directory, with a pg_basebackup and a psql (the standby's
/// steps ask the upstream for its system identifier) that can speak TLS. The
/// harness's client tools come from PyPI wheels whose libpq has no SSL ("sslmode value invalid
/// when SSL support is not compiled in"); the server packages' libpq has it. From 14 the
/// major's own pg_basebackup is run with its server package's libpq; for 10-13 (whose wheel
/// links a private libpq) 14's, as the harness already clones 10-12 with 13's client:
/// pg_basebackup supports older servers.
fn ssl_capable_bin(major: u32, dir: &Path) -> PathBuf {
    fs::create_dir_all(dir).unwrap();
    let bin = bin_dir(major).unwrap();
    let ssl_bin = bin_dir(major.max(14)).expect("the PostgreSQL 14 binaries");
    let server_lib = fs::canonicalize(ssl_bin.join("postgres"))
        .unwrap()
        .parent()
        .unwrap()
        .join("../lib");
    for entry in fs::read_dir(&bin).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_owned();
        let target = dir.join(&name);
        if name == "pg_basebackup" || name == "psql" {
            let wrapper = fs::read_to_string(ssl_bin.join(&name)).unwrap();
            assert!(wrapper.contains("LD_LIBRARY_PATH="), "{wrapper}");
            fs::write(
                &target,
                wrapper.replacen(
                    "LD_LIBRARY_PATH=",
                    &format!("LD_LIBRARY_PATH={}:", server_lib.display()),
                    1,
                ),
            )
            .unwrap();
            fs::set_permissions(&target, std::os::unix::fs::PermissionsExt::from_mode(0o755))
                .unwrap();
        } else {
            std::os::unix::fs::symlink(fs::canonicalize(&path).unwrap_or(path), &target).unwrap();
        }
    }
    if is_root() {
        run(
            Command::new("chown")
                .args(["-R", &format!("{TEST_USER}:{TEST_USER}")])
                .arg(dir),
            "chown tls-bin",
        );
    }
    dir.to_path_buf()
}

/// Scenario 8, TLS: with `[replication.tls]` the standby streams encrypted, having verified
/// the primary's certificate (sslmode=verify-full), and pg_hba.conf admits replication over
/// TLS only: the same role with the right password and no TLS is refused.
fn tls_verify_full(major: u32) {
    let Some(mut lab) = Lab::new(major, 8, &["vm1", "vm2"]) else {
        return;
    };
    lab.bin = ssl_capable_bin(major, &lab.dir.join("tls-bin"));
    let (ca, crt, key) = make_certs(&lab.dir.join("tls"));
    lab.init_server("vm1");
    lab.init_server("vm2");
    let body = format!(
        "[replication.tls]\nca_file = {}\ncert_file = {}\nkey_file = {}\n\n[postgresql]\nmax_wal_senders = 5\nwal_keep_size = \"64MB\"\n{}",
        toml_string(&ca.to_string_lossy()),
        toml_string(&crt.to_string_lossy()),
        toml_string(&key.to_string_lossy()),
        lab.nodes_toml(&[])
    );
    let out = lab.generate(&lab.topology(&body));
    lab.run_runbook(&out, false);
    assert_eq!(
        lab.sql(
            "vm1",
            "SELECT application_name, state, s.ssl FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid)"
        ),
        "vm2|streaming|t",
        "PG{major}: the standby does not stream over TLS"
    );
    let conninfo = format!(
        "host=127.0.0.1 port={} user=replicator dbname=replication replication=true sslmode=disable",
        lab.port("vm1")
    );
    let plain = lab.sql_result(
        "vm1",
        "IDENTIFY_SYSTEM",
        &[("PGPASSWORD", PASSWORD)],
        Some(conninfo),
    );
    let err = String::from_utf8_lossy(&plain.stderr);
    assert!(
        // Refused by a record (the lab's initdb rejects host connections) or by none; the
        // server says "SSL off" before 14, "no encryption" from 14.
        !plain.status.success()
            && err.contains("replication connection")
            && (err.contains("no encryption") || err.contains("SSL off")),
        "PG{major}: replication without TLS was not refused: {err}"
    );
}

per_major!(
    tls_verify_full,
    destructive_step_refuses,
    guide_cluster,
    distinct_addresses,
    idempotence,
    fault,
    lint_agrees,
    sync_and_cascade
);
