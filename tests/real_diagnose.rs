//! `pgrepl diagnose` against what real servers of every major write: tests/diagnose/
//! provoke.sh makes each failure of the catalogue happen to a standby, and diagnose must name
//! it from the standby's log (and find it in the primary's where the primary logs it); a
//! healthy standby's log has none. The JSON output follows schemas/diagnose.schema.json.

#[macro_use]
mod support;

use std::fs;

use support::lab::{Lab, step_named};
use support::real::majors;

/// The failures provoke.sh makes, what the standby's log shows of each, and whether the
/// primary's log names it too. A role that does not exist: a password method tells the
/// client only that authentication failed; the primary's log says why.
const CASES: [(&str, &str, bool); 21] = [
    ("no-password", "no-password", false),
    ("password-failed", "password-failed", true),
    ("unknown-role", "password-failed", true),
    ("role-not-replication", "role-not-replication", true),
    ("role-not-login", "role-not-login", true),
    ("no-hba-record", "no-hba-record", true),
    ("connection-refused", "connection-refused", false),
    ("listen-addresses-local", "connection-refused", false),
    ("slot-missing", "slot-missing", true),
    ("senders-exhausted", "senders-exhausted", true),
    ("hba-rejects", "hba-rejects", true),
    ("md5-hash-for-scram", "password-failed", true),
    ("invalid-conninfo", "invalid-conninfo", false),
    (
        "system-identifier-mismatch",
        "system-identifier-mismatch",
        false,
    ),
    ("wal-removed", "wal-removed", true),
    ("slot-active", "slot-active", true),
    ("hot-standby-off", "hot-standby-off", false),
    ("data-dir-permissions", "data-dir-permissions", false),
    ("connection-timeout", "connection-timeout", false),
    ("other-major-data", "other-major-data", false),
    ("timeline-behind", "timeline-behind", false),
];

/// The signatures found, each once (one failure can show as several lines with different
/// captures: the old primary's log names two recovery points).
fn ids(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut ids: Vec<String> = v["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn diagnose_logs(major: u32) {
    let Some(lab) = Lab::new(major, 16, &["p", "s"]) else {
        return;
    };
    // The script writes paths into postgresql.conf and conninfo unquoted: a plain directory.
    let dir = std::env::temp_dir().join(format!("pgrepl-diagnose-{major}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    support::real::give_to_test_user(&dir);
    let script = support::root().join("tests/diagnose/provoke.sh");
    let mut c = lab.pg("bash");
    c.arg(&script)
        .arg(&lab.bin)
        .arg(&dir)
        .arg(lab.port("p").to_string());
    support::real::run(c, "provoke.sh");
    let log = |name: &str| dir.join(format!("{name}.log"));
    let diagnose = |file: &std::path::Path| {
        support::pgrepl(&["diagnose", file.to_str().unwrap(), "--format", "json"])
    };
    for (case, on_standby, on_primary) in CASES {
        if case == "hot-standby-off" && major < 14 {
            // 10-13 say only what a starting server says: nothing to tell them apart by.
            let text = fs::read_to_string(log("standby-hot-standby-off")).unwrap();
            assert!(
                text.contains("the database system is starting up"),
                "PG{major}: {text}"
            );
            continue;
        }
        let o = diagnose(&log(&format!("standby-{case}")));
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        assert_eq!(o.status.code(), Some(1), "PG{major} {case}: {out}");
        assert_eq!(
            ids(&out),
            vec![on_standby.to_owned()],
            "PG{major} {case}: the standby's log:\n{}",
            fs::read_to_string(log(&format!("standby-{case}"))).unwrap()
        );
        if on_primary {
            let o = diagnose(&log("primary"));
            let found = ids(&String::from_utf8_lossy(&o.stdout));
            assert!(
                found.contains(&case.to_owned()),
                "PG{major} {case}: primary: {found:?}"
            );
        }
    }
    // The old primary of a failover without a rewind, started as a standby of the promoted
    // one; and a commit the primary held for a synchronous standby that is not there.
    let o = diagnose(&log("old-primary-timeline-forked"));
    assert_eq!(
        ids(&String::from_utf8_lossy(&o.stdout)),
        vec!["timeline-forked".to_owned()],
        "PG{major}: the old primary's log:\n{}",
        fs::read_to_string(log("old-primary-timeline-forked")).unwrap()
    );
    let found = ids(&String::from_utf8_lossy(&diagnose(&log("primary")).stdout));
    assert!(
        found.contains(&"sync-standby-missing".to_owned()),
        "PG{major}: primary: {found:?}"
    );
    // pg_basebackup's own messages: a connection that times out, and (where the lab has
    // 13's client, for a newer server) a client of an older major.
    let mut outputs = vec![("basebackup-connection-timeout", "connection-timeout")];
    if major >= 14 && lab.bin.join("../../13/bin/pg_basebackup").exists() {
        outputs.push(("standby-other-major-client", "other-major-client"));
    }
    for (file, id) in outputs {
        let found = ids(&String::from_utf8_lossy(&diagnose(&log(file)).stdout));
        assert_eq!(
            found,
            vec![id.to_owned()],
            "PG{major} {file}:\n{}",
            fs::read_to_string(log(file)).unwrap()
        );
    }
    data_directories(&lab, &dir);
    let o = diagnose(&log("standby-healthy"));
    assert_eq!(
        o.status.code(),
        Some(0),
        "PG{major}: a healthy standby: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    // The human form says cause and fix, once per failure however often it repeats.
    let o = support::pgrepl(&["diagnose", log("standby-password-failed").to_str().unwrap()]);
    let human = String::from_utf8_lossy(&o.stdout);
    assert!(
        human.contains("password-failed: the replication role's password is wrong")
            && human.contains("  fix: ")
            && human.matches("password-failed: ").count() == 1,
        "PG{major}:\n{human}"
    );
    // JSON against the committed schema.
    let out = dir.join("primary.json");
    fs::write(&out, diagnose(&log("primary")).stdout).unwrap();
    let check = std::process::Command::new("python3")
        .args([
            "-c",
            "import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))",
        ])
        .arg(&out)
        .arg(support::root().join("schemas/diagnose.schema.json"))
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "PG{major}: diagnose JSON does not follow the schema: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    // lib.sh's explain_failure, rendered from the same catalogue, finds in every log what
    // pgrepl diagnose finds.
    let out = lab.generate(&lab.topology(&lab.nodes_toml(&[])));
    let lib = out.join("s/runbook/lib.sh");
    for entry in fs::read_dir(&dir).unwrap() {
        let file = entry.unwrap().path();
        if file.extension().is_none_or(|e| e != "log") {
            continue;
        }
        let by_pgrepl = ids(&String::from_utf8_lossy(&diagnose(&file).stdout));
        let mut by_lib = explain_ids(&lib, &file);
        by_lib.sort();
        assert_eq!(
            by_lib,
            by_pgrepl,
            "PG{major}: lib.sh and pgrepl diagnose disagree on {}",
            file.display()
        );
    }
    let _ = fs::remove_dir_all(&dir);
}

/// `diagnose DATA_DIR` on the copies provoke.sh left: a standby without its standby file,
/// one that then ran as a primary, one with hot_standby off. On 10–11 only the topology
/// says that a directory without recovery.conf should be a standby; on 12+ its
/// primary_conninfo says so too. What it says of pg_control is what pg_controldata says.
fn data_directories(lab: &Lab, dir: &std::path::Path) {
    let major = lab.major;
    let topology = dir.join("states.toml");
    let node = |name: &str, role: &str, port: u16| {
        format!(
            "[[nodes]]\nname = \"{name}\"\nrole = \"{role}\"\nhost = \"127.0.0.1\"\nport = {port}\n\n"
        )
    };
    fs::write(
        &topology,
        format!(
            "[cluster]\nname = \"states\"\npg_version = {major}\nfirewall = \"none\"\n\n[layout]\nkind = \"custom\"\ndata_dir = \"{d}/{{node}}\"\nbin_dir = \"{bin}\"\nsocket_dir = \"{d}\"\npassfile = \"{d}/pass\"\nstart = \"true\"\nstop = \"true\"\n\n[replication]\nuser = \"rep\"\n\n{}{}{}{}",
            node("p", "primary", 40001),
            node("signal-missing", "standby", 40002),
            node("ran-as-primary", "standby", 40003),
            node("hot-standby-off", "standby", 40004),
            d = dir.display(),
            bin = lab.bin.display(),
        ),
    )
    .unwrap();
    support::real::give_to_test_user(&topology);
    let diagnose = |args: &[&std::path::Path]| {
        let mut c = lab.pg(env!("CARGO_BIN_EXE_pgrepl"));
        c.arg("diagnose").args(args).args(["--format", "json"]);
        let o = c.stdin(std::process::Stdio::null()).output().unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let with_topology =
        |d: &std::path::Path| diagnose(&[std::path::Path::new("--topology"), &topology, d]);
    for (name, id) in [
        ("signal-missing", "standby-signal-missing"),
        ("ran-as-primary", "standby-ran-as-primary"),
        ("hot-standby-off", "hot-standby-off"),
    ] {
        let d = dir.join(name);
        let out = with_topology(&d);
        assert_eq!(ids(&out), vec![id.to_owned()], "PG{major} {name}: {out}");
        let alone = diagnose(&[&d]);
        let expected: Vec<String> = if major >= 12 || id == "hot-standby-off" {
            vec![id.to_owned()]
        } else {
            Vec::new()
        };
        assert_eq!(
            ids(&alone),
            expected,
            "PG{major} {name} without a topology: {alone}"
        );
        let mut c = lab.pg(lab.bin.join("pg_controldata").to_str().unwrap());
        c.env("LC_ALL", "C").arg(&d);
        let control = String::from_utf8_lossy(&support::real::run(c, "pg_controldata").stdout)
            .lines()
            .find_map(|l| l.strip_prefix("Database cluster state:"))
            .unwrap()
            .trim()
            .to_owned();
        if id != "hot-standby-off" {
            assert!(
                out.contains(&format!("pg_control: {control}")),
                "PG{major} {name}: pg_controldata says {control:?}: {out}"
            );
        }
    }
}

/// The signatures lib.sh's explain_failure names for the text of `log`.
fn explain_ids(lib: &std::path::Path, log: &std::path::Path) -> Vec<String> {
    let o = std::process::Command::new("bash")
        .args(["-c", ". \"$1\"; explain_failure \"$(cat \"$2\")\"", "_"])
        .arg(lib)
        .arg(log)
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter_map(|l| l.split("likely cause (").nth(1))
        .filter_map(|rest| rest.split(')').next())
        .map(str::to_owned)
        .collect()
}

/// A runbook step that finds replication broken says why, from the server's log: the
/// standby's verify-node step after the replication role's password changed on the
/// primary (as soon as the log says it), and a base backup refused the same way.
fn runbook_says_why(major: u32) {
    let Some(mut lab) = Lab::new(major, 18, &["vm1", "vm2"]) else {
        return;
    };
    lab.init_server("vm1");
    lab.init_server("vm2");
    let topology = lab.topology(&format!(
        "[postgresql]\nmax_wal_senders = 5\nwal_keep_size = \"64MB\"\n{}",
        lab.nodes_toml(&[])
    ));
    let out = lab.generate(&topology);
    lab.run_runbook(&out, true);
    lab.sql(
        "vm1",
        "ALTER ROLE replicator PASSWORD 'changed behind pgrepl''s back'",
    );
    lab.pg_ctl("vm2", &["stop", "-m", "fast"]);
    lab.pg_ctl("vm2", &["start"]);
    let verify = step_named(&out, "vm2", "verify-node");
    let o = lab.try_step(&out, &verify);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "PG{major}: verify-node passed");
    assert!(
        err.contains("likely cause (password-failed)")
            && err.contains("password authentication failed for user \"replicator\"")
            && err.contains("fix: "),
        "PG{major}: verify-node does not say why:\n{err}"
    );
    // It stops waiting once the log explains, and shows the WAL receiver as the server does.
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(
        said.contains("not waiting longer") && said.contains("pg_stat_wal_receiver has no row"),
        "PG{major}: verify-node waited on, or did not show pg_stat_wal_receiver:\n{said}\n{err}"
    );
    // A clone refused: pg_basebackup's own message is read.
    lab.pg_ctl("vm2", &["stop", "-m", "fast"]);
    // An empty data directory, as a new standby has (clear-data-dir keeps a cloned one).
    let mut empty = lab.pg("bash");
    empty
        .args(["-c", "rm -rf \"$1\" && mkdir -m 0700 \"$1\"", "_"])
        .arg(lab.data("vm2"));
    support::real::run(empty, "empty vm2's data directory");
    let backup = step_named(&out, "vm2", "base-backup");
    let o = lab.try_step(&out, &backup);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("likely cause (password-failed)"),
        "PG{major}: base-backup does not say why:\n{err}"
    );
}

per_major!(diagnose_logs, runbook_says_why);
