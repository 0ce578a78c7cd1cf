//! `pgrepl diagnose` against what real servers of every major write: tests/diagnose/
//! provoke.sh makes each failure of the catalogue happen to a standby, and diagnose must name
//! it from the standby's log (and find it in the primary's where the primary logs it); a
//! healthy standby's log has none. The JSON output follows schemas/diagnose.schema.json.

#[macro_use]
mod support;

use std::fs;

use support::lab::Lab;
use support::real::majors;

/// The failures provoke.sh makes, what the standby's log shows of each, and whether the
/// primary's log names it too. A role that does not exist: a password method tells the
/// client only that authentication failed; the primary's log says why.
const CASES: [(&str, &str, bool); 8] = [
    ("no-password", "no-password", false),
    ("password-failed", "password-failed", true),
    ("unknown-role", "password-failed", true),
    ("role-not-replication", "role-not-replication", true),
    ("no-hba-record", "no-hba-record", true),
    ("connection-refused", "connection-refused", false),
    ("slot-missing", "slot-missing", true),
    ("senders-exhausted", "senders-exhausted", true),
];

fn ids(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
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
    let _ = fs::remove_dir_all(&dir);
}

per_major!(diagnose_logs);
