//! The command line's contract: exit codes, what is written, and what is never touched.

mod support;

use std::fs;

use support::*;

fn example(name: &str) -> String {
    root()
        .join("examples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn exit_codes() {
    assert_eq!(
        pgrepl(&["check", &example("guide.toml")]).status.code(),
        Some(0)
    );
    assert_eq!(
        pgrepl(&["check", "/nonexistent/topology.toml"])
            .status
            .code(),
        Some(3)
    );
    assert_eq!(pgrepl(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        pgrepl(&["gen", &example("guide.toml")]).status.code(),
        Some(2),
        "-o is required"
    );
    let bad = root().join("tests/invalid/syntax.toml");
    assert_eq!(
        pgrepl(&["check", bad.to_str().unwrap()]).status.code(),
        Some(1)
    );
    assert_eq!(pgrepl(&["--help"]).status.code(), Some(0));
}

#[test]
fn warnings_do_not_fail_but_are_shown() {
    let o = pgrepl(&["check", "tests/warnings/risky-but-legal.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("is valid with 4 warnings"),
        "{}",
        stdout(&o)
    );
    insta::assert_snapshot!("warnings_risky_but_legal", stderr(&o));
    // The literal password must not leak into diagnostics.
    assert!(!stderr(&o).contains("not-a-good-idea"));
    // No WAL kept at all is said as such, not "keeps only 0 of WAL".
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().join("t.toml");
    let guide = fs::read_to_string(root().join("examples/guide.toml")).unwrap();
    fs::write(
        &t,
        guide
            .replace("wal_keep_size = \"64MB\"", "wal_keep_size = \"0MB\"")
            .replace(
                "user = \"replicator\"",
                "user = \"replicator\"\nslots = false",
            ),
    )
    .unwrap();
    let o = pgrepl(&["check", t.to_str().unwrap()]);
    assert!(
        stderr(&o).contains("its upstream keeps no extra WAL (wal_keep_size = 0)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn non_utf8_topology_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("t.toml");
    fs::write(&f, b"[cluster]\nname = \"\xff\"\n").unwrap();
    let o = pgrepl(&["check", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is not UTF-8"), "{}", stderr(&o));
}

#[test]
fn refuses_a_directory_with_foreign_files_and_touches_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    fs::create_dir_all(out.join("vm1")).unwrap();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    fs::write(out.join("vm1/ufw.sh"), "my own script").unwrap();
    let before = tree(tmp.path());
    let o = pgrepl(&["gen", &example("guide.toml"), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("notes.txt") && stderr(&o).contains("--force"),
        "{}",
        stderr(&o)
    );
    assert_eq!(tree(tmp.path()), before, "a refused run changed files");
}

#[test]
fn force_replaces_planned_paths_and_keeps_other_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    fs::create_dir_all(out.join("vm1")).unwrap();
    fs::write(out.join("notes.txt"), "mine").unwrap();
    fs::write(out.join("vm1/ufw.sh"), "my own script").unwrap();
    let o = pgrepl(&[
        "gen",
        &example("guide.toml"),
        "-o",
        out.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    assert!(
        fs::read_to_string(out.join("vm1/ufw.sh"))
            .unwrap()
            .contains("ufw allow")
    );
    // The kept file is remembered: later runs need no --force, and keep it.
    let o = pgrepl(&["gen", &example("guide.toml"), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    let o = pgrepl(&[
        "gen",
        &example("guide.toml"),
        "-o",
        out.to_str().unwrap(),
        "--check",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// An output path that is a symbolic link to a directory is that directory (the link
/// stays); `-o out/` names files without a doubled slash.
#[test]
fn output_through_a_symlink_and_with_a_trailing_slash() {
    let tmp = tempfile::tempdir().unwrap();
    let real = tmp.path().join("real");
    fs::create_dir(&real).unwrap();
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    for _ in 0..2 {
        let o = pgrepl(&["gen", &example("guide.toml"), "-o", link.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(real.join("RUNBOOK.md").is_file());
    let slash = format!("{}/", tmp.path().join("out").display());
    let o = pgrepl(&["gen", &example("guide.toml"), "-o", &slash]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stdout(&o).contains("//"), "{}", stdout(&o));
    assert!(stdout(&o).contains("out/RUNBOOK.md"), "{}", stdout(&o));
}

#[test]
fn rerun_replaces_own_output_and_removes_stale_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let out_s = out.to_str().unwrap();
    assert!(
        pgrepl(&["gen", &example("three-node-sync.toml"), "-o", out_s])
            .status
            .success()
    );
    assert!(out.join("db3").exists());
    // Same directory, another topology: pgrepl's own files may go, without --force.
    let o = pgrepl(&["gen", &example("guide.toml"), "-o", out_s]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!out.join("db3").exists(), "stale node directory kept");
    assert!(out.join("vm2/runbook/40-base-backup.sh").exists());
}

#[test]
fn an_edited_output_file_is_not_overwritten_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let out_s = out.to_str().unwrap();
    assert!(
        pgrepl(&["gen", &example("guide.toml"), "-o", out_s])
            .status
            .success()
    );
    let edited = out.join("vm1/pg_hba-replication.conf");
    fs::write(&edited, "# my careful edit\n").unwrap();
    let o = pgrepl(&["gen", &example("guide.toml"), "-o", out_s]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("vm1/pg_hba-replication.conf"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read_to_string(&edited).unwrap(), "# my careful edit\n");
}

#[test]
fn output_path_that_is_a_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("out");
    fs::write(&f, "precious").unwrap();
    let o = pgrepl(&["gen", &example("guide.toml"), "-o", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(fs::read_to_string(&f).unwrap(), "precious");
}

#[test]
fn modes_are_exact() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = pgrepl(&["gen", &example("guide.toml"), "-o", out.to_str().unwrap()]);
    assert!(o.status.success());
    for (path, mode, _) in tree(&out) {
        let expected = if path.ends_with(".sh") && !path.ends_with("lib.sh") {
            0o755
        } else {
            0o644
        };
        assert_eq!(mode, expected, "{path}");
    }
}

#[test]
fn template_overrides() {
    let tmp = tempfile::tempdir().unwrap();
    let tpl = tmp.path().join("tpl/conf");
    fs::create_dir_all(&tpl).unwrap();
    fs::write(
        tpl.join("pg_hba.conf.j2"),
        "# custom hba for {{ node.name }}\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let o = pgrepl(&[
        "gen",
        &example("guide.toml"),
        "-o",
        out.to_str().unwrap(),
        "--templates",
        tmp.path().join("tpl").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(out.join("vm1/pg_hba-replication.conf")).unwrap(),
        "# custom hba for vm1\n"
    );
    // A file that overrides nothing is a mistake worth stopping for.
    fs::write(tpl.join("pg_hab.conf.j2"), "typo").unwrap();
    let out2 = tmp.path().join("out2");
    let o = pgrepl(&[
        "gen",
        &example("guide.toml"),
        "-o",
        out2.to_str().unwrap(),
        "--templates",
        tmp.path().join("tpl").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("conf/pg_hab.conf.j2"), "{}", stderr(&o));
    assert!(!out2.exists());
}

#[test]
fn committed_schema_is_current() {
    let committed = fs::read_to_string(root().join("schemas/topology.schema.json"))
        .expect("schemas/topology.schema.json (regenerate: cargo run -- schema > schemas/topology.schema.json)");
    let o = pgrepl(&["schema"]);
    assert!(o.status.success());
    assert_eq!(
        stdout(&o),
        committed,
        "schemas/topology.schema.json is stale: cargo run -- schema > schemas/topology.schema.json"
    );
}

#[test]
fn committed_diagnose_schema_is_current() {
    let committed = fs::read_to_string(root().join("schemas/diagnose.schema.json")).unwrap();
    let o = pgrepl(&["schema", "diagnose"]);
    assert!(o.status.success());
    assert_eq!(
        stdout(&o),
        committed,
        "schemas/diagnose.schema.json is stale: cargo run -- schema diagnose > schemas/diagnose.schema.json"
    );
}

/// diagnose over a log with no failure: exit 0; a missing log: exit 3, nothing diagnosed.
#[test]
fn diagnose_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let quiet = dir.path().join("quiet.log");
    fs::write(
        &quiet,
        "2026-12-05 10:00:00.000 UTC [1] LOG:  database system is ready to accept read-only connections\n",
    )
    .unwrap();
    let o = pgrepl(&["diagnose", quiet.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("no replication failure found"));
    let unknown = dir.path().join("unknown.log");
    fs::write(
        &unknown,
        "2026-12-05 10:00:00.000 UTC [1] FATAL:  could not receive data from WAL stream: something new\n",
    )
    .unwrap();
    let o = pgrepl(&["diagnose", unknown.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("not recognised"), "{}", stdout(&o));
    let o = pgrepl(&["diagnose", dir.path().join("missing.log").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    // With the topology, addresses and slots in the messages are named as its nodes.
    let primary = dir.path().join("primary.log");
    fs::write(
        &primary,
        concat!(
            "2026-12-05 10:00:00.000 UTC [7] FATAL:  could not connect to the primary server: connection to server at \"172.16.93.132\", port 5432 failed: FATAL:  password authentication failed for user \"replicator\"\n",
            "2026-12-05 10:00:01.000 UTC [8] FATAL:  no pg_hba.conf entry for replication connection from host \"172.16.93.133\", user \"replicator\", no encryption\n",
        ),
    )
    .unwrap();
    let o = pgrepl(&[
        "diagnose",
        "--topology",
        &example("guide.toml"),
        primary.to_str().unwrap(),
    ]);
    let out = stdout(&o);
    assert!(
        out.contains("upstream: 172.16.93.132:5432 (vm1)")
            && out.contains("no replication record for replicator from 172.16.93.133 (vm2)"),
        "{out}"
    );
    // A slot named after its node (`-` becomes `_`).
    let slot = dir.path().join("slot.log");
    fs::write(
        &slot,
        "2026-12-05 10:00:00.000 UTC [9] FATAL:  replication slot \"pg_b\" does not exist\n",
    )
    .unwrap();
    let o = pgrepl(&[
        "diagnose",
        "--topology",
        &example("cascade.toml"),
        slot.to_str().unwrap(),
    ]);
    assert!(
        stdout(&o).contains("the slot pg_b (pg-b) was never created"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn param_command() {
    let o = pgrepl(&["param", "max_wal_senders", "--pg-version", "16"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("postmaster (a change needs a restart)"),
        "{}",
        stdout(&o)
    );
    let o = pgrepl(&["param", "wal_keep_segments", "--pg-version", "13"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("removed in 13; use wal_keep_size"),
        "{}",
        stdout(&o)
    );
    let o = pgrepl(&["param", "max_wal_sender", "--pg-version", "16"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("did you mean max_wal_senders?"));
    let o = pgrepl(&["param", "wal_keep_segments", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "known in 10-12");
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 9);
    assert_eq!(rows[0]["status"], "known");
    assert_eq!(rows[0]["context"], "sighup");
    assert_eq!(rows[3]["status"], "removed");
    let o = pgrepl(&["param", "--list", "--pg-version", "16"]);
    assert_eq!(stdout(&o).lines().count(), 362);
    assert_eq!(
        pgrepl(&["param", "--list"]).status.code(),
        Some(2),
        "--list needs --pg-version"
    );
    assert_eq!(
        pgrepl(&["param", "x", "--pg-version", "9"]).status.code(),
        Some(2)
    );
}

#[test]
fn settings_command() {
    let o = pgrepl(&["settings", "tests/conf/duplicates.conf", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let mut keys: Vec<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "applied",
            "error",
            "name",
            "seqno",
            "setting",
            "sourcefile",
            "sourceline"
        ]
    );
    // In the order of the view's columns, as printed.
    let text = stdout(&o);
    let at = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
    assert!(
        at("sourcefile") < at("sourceline")
            && at("seqno") < at("name")
            && at("applied") < at("error")
    );
    assert_eq!(rows[2]["setting"], "3MB");
    assert_eq!(rows[2]["applied"], true);
    assert_eq!(rows[0]["applied"], false);
    // A name the major does not know: that row's error, and nothing applied anywhere.
    let json = |args: &[&str]| -> (Option<i32>, Vec<serde_json::Value>) {
        let o = pgrepl(args);
        let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        (o.status.code(), rows.as_array().unwrap().clone())
    };
    let unknown = |rows: &[serde_json::Value]| -> Vec<String> {
        rows.iter()
            .filter(|r| r["error"] == "unrecognized configuration parameter")
            .map(|r| r["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let file = "tests/conf/unrecognized.conf";
    let (code, rows) = json(&["settings", file, "--pg-version", "12", "--format", "json"]);
    assert_eq!(code, Some(1));
    assert_eq!(unknown(&rows), ["max_wal_sender", "wal_keep_size"]);
    assert!(rows.iter().all(|r| r["applied"] == false));
    let (_, rows) = json(&["settings", file, "--pg-version", "13", "--format", "json"]);
    assert_eq!(
        unknown(&rows),
        ["max_wal_sender"],
        "wal_keep_size is known from 13"
    );
    let (code, rows) = json(&[
        "settings",
        "tests/conf/duplicates.conf",
        "--pg-version",
        "10",
        "--format",
        "json",
    ]);
    assert_eq!((code, rows[2]["applied"].clone()), (Some(0), true.into()));
    let o = pgrepl(&["settings", "tests/conf/syntax-error.conf"]);
    assert_eq!(o.status.code(), Some(1), "a file error exits 1");
    assert!(stdout(&o).contains("syntax error"), "{}", stdout(&o));
    assert_eq!(
        pgrepl(&["settings", "tests/conf/no-such.conf"])
            .status
            .code(),
        Some(3)
    );
}

#[test]
fn hba_command() {
    let o = pgrepl(&[
        "hba",
        "tests/hba/basics.conf",
        "--pg-version",
        "16",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    let mut keys: Vec<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    // 16 has the view's file_name column too.
    assert_eq!(
        keys,
        [
            "address",
            "auth_method",
            "database",
            "error",
            "file_name",
            "line_number",
            "netmask",
            "options",
            "type",
            "user_name"
        ]
    );
    let repl = rows.iter().find(|r| r["line_number"] == 6).unwrap();
    assert_eq!(repl["database"], serde_json::json!(["replication"]));
    assert_eq!(repl["netmask"], "255.255.255.255");
    let o = pgrepl(&["hba", "tests/hba/errors.conf", "--pg-version", "16"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("invalid CIDR mask in address \"10.0.0.1/33\""),
        "{}",
        stdout(&o)
    );
}

/// A config directory's pg_hba.conf is where its hba_file says, for `hba` as for `lint`;
/// its major comes from the path, as lint finds it.
#[test]
fn hba_command_follows_hba_file() {
    let tmp = tempfile::tempdir().unwrap();
    let conf_dir = tmp.path().join("etc/postgresql/13/main");
    let elsewhere = tmp.path().join("rules");
    std::fs::create_dir_all(&conf_dir).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    let hba = elsewhere.join("access.conf");
    std::fs::write(
        &hba,
        "host replication replicator 10.0.0.9/32 scram-sha-256\n",
    )
    .unwrap();
    std::fs::write(conf_dir.join("pg_hba.conf"), "local all all peer\n").unwrap();
    std::fs::write(
        conf_dir.join("postgresql.conf"),
        format!("hba_file = '{}'\n", hba.display()),
    )
    .unwrap();
    let o = pgrepl(&["hba", conf_dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["address"], "10.0.0.9");
    // PostgreSQL 13 (from the path) has no file_name column.
    assert!(rows[0].get("file_name").is_none(), "{rows:?}");
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    use std::io::Read;
    // Far more output than a pipe buffers (64 KiB), so writing must meet the closed pipe.
    let tmp = tempfile::tempdir().unwrap();
    let conf = tmp.path().join("postgresql.conf");
    let text: String = (0..20_000)
        .map(|i| format!("x.setting_{i} = 'value number {i}'\n"))
        .collect();
    fs::write(&conf, text).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pgrepl"))
        .args(["settings", conf.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 8];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGPIPE),
        "ends by SIGPIPE, like other Unix tools"
    );
}

/// The guide's changes to stock files, as `gen --base --diff` shows them: minimal and
/// comment-preserving (snapshotted), and nothing written.
#[test]
fn gen_base_diff_and_check() {
    let out = "target/pgrepl-test-never-written";
    let o = pgrepl(&[
        "gen",
        "examples/guide.toml",
        "-o",
        out,
        "--base",
        "tests/base",
        "--diff",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!root().join(out).exists(), "--diff wrote files");
    let diffs: String = stdout(&o)
        .lines()
        .filter(|l| !l.starts_with("new file: "))
        .map(|l| format!("{l}\n"))
        .collect();
    insta::assert_snapshot!("gen_base_diff_guide", diffs);

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let d = dir.to_str().unwrap();
    assert!(
        pgrepl(&[
            "gen",
            "examples/guide.toml",
            "-o",
            d,
            "--base",
            "tests/base"
        ])
        .status
        .success()
    );
    let patched = fs::read_to_string(dir.join("vm1/postgresql.conf")).unwrap();
    assert!(patched.contains("listen_addresses = '*'\t\t# what IP address(es) to listen on;"));
    assert_eq!(
        pgrepl(&[
            "gen",
            "examples/guide.toml",
            "-o",
            d,
            "--base",
            "tests/base",
            "--check"
        ])
        .status
        .code(),
        Some(0)
    );
    fs::write(dir.join("vm1/postgresql.conf"), "drifted\n").unwrap();
    let o = pgrepl(&[
        "gen",
        "examples/guide.toml",
        "-o",
        d,
        "--base",
        "tests/base",
        "--check",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("vm1/postgresql.conf"), "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(dir.join("vm1/postgresql.conf")).unwrap(),
        "drifted\n",
        "--check wrote"
    );
}

#[test]
fn lint_command_formats_and_exit_codes() {
    let o = pgrepl(&["lint", "tests/lint/PGR007/good"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("as PostgreSQL 16 (from PG_VERSION), primary"),
        "{}",
        stderr(&o)
    );
    let o = pgrepl(&["lint", "tests/lint/PGR007/bad", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = &json["findings"][0];
    assert_eq!(
        (
            f["rule"].as_str(),
            f["name"].as_str(),
            f["severity"].as_str()
        ),
        (Some("PGR007"), Some("wal-level-minimal"), Some("error"))
    );
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(2), Some(13)),
        "1-based position of the value"
    );
    // Warnings fail only with --fail-on warning.
    assert_eq!(
        pgrepl(&["lint", "tests/lint/PGR006/bad"]).status.code(),
        Some(0)
    );
    assert_eq!(
        pgrepl(&["lint", "tests/lint/PGR006/bad", "--fail-on", "warning"])
            .status
            .code(),
        Some(1)
    );
    let o = pgrepl(&["lint", "tests/lint/PGR012/bad", "--format", "github"]);
    assert!(
        stdout(&o).starts_with("::warning file=tests/lint/PGR012/bad/pg_hba.conf,line=2,"),
        "{}",
        stdout(&o)
    );
    // The same codes in every command: a missing file is 3, a rule no rule has 2.
    assert_eq!(pgrepl(&["lint", "no/such/path"]).status.code(), Some(3));
    assert_eq!(pgrepl(&["settings", "no/such/path"]).status.code(), Some(3));
    assert_eq!(pgrepl(&["check", "no/such/path"]).status.code(), Some(3));
    assert_eq!(pgrepl(&["explain", "PGR999"]).status.code(), Some(2));
    assert_eq!(
        pgrepl(&["lint", "--select", "PGR999", "tests/lint/PGR006/bad"])
            .status
            .code(),
        Some(2)
    );
    assert!(stdout(&pgrepl(&["explain", "wal-level-minimal"])).contains("## Why it matters"));
    assert_eq!(
        stdout(&pgrepl(&["rules"])).lines().count(),
        pgrepl::lint::rules::ALL.len()
    );
}

/// `lint --format sarif` validates against the official SARIF 2.1.0 schema (fetched, pinned,
/// by scripts/test.sh) for the findings of every bad fixture.
#[test]
fn sarif_output_validates_against_the_official_schema() {
    let cache = std::env::var("PGREPL_PG_CACHE").unwrap_or_else(|_| "/var/cache/pgrepl-pg".into());
    let schema = std::path::Path::new(&cache).join("sarif-schema-2.1.0.json");
    if !schema.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the SARIF schema is missing in CI (scripts/test.sh fetches it)"
        );
        eprintln!(
            "skipping: no {} (scripts/test.sh fetches it)",
            schema.display()
        );
        return;
    }
    let bad: Vec<String> = pgrepl::lint::rules::ALL
        .iter()
        .map(|r| format!("tests/lint/{}/bad", r.code))
        .collect();
    let mut args = vec!["lint", "--format", "sarif"];
    args.extend(bad.iter().map(String::as_str));
    let o = pgrepl(&args);
    assert_eq!(o.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(
        results.len() >= pgrepl::lint::rules::ALL.len(),
        "{} results",
        results.len()
    );
    assert_eq!(
        doc["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        pgrepl::lint::rules::ALL.len()
    );
    let tmp = tempfile::tempdir().unwrap();
    let sarif = tmp.path().join("out.sarif");
    fs::write(&sarif, &o.stdout).unwrap();
    let check = std::process::Command::new("python3")
        .arg("-c")
        .arg("import json, sys, jsonschema\nschema = json.load(open(sys.argv[1]))\ndoc = json.load(open(sys.argv[2]))\nv = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)\nerrors = [f'{list(e.absolute_path)}: {e.message}' for e in v.iter_errors(doc)]\nprint('\\n'.join(errors))\nsys.exit(1 if errors else 0)")
        .arg(&schema)
        .arg(&sarif)
        .output()
        .expect("python3 with jsonschema");
    assert!(
        check.status.success(),
        "SARIF does not validate:\n{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

/// `lint --format json` follows schemas/lint-output.schema.json, for the findings of every
/// bad fixture; --select and --ignore choose rules by code or name.
#[test]
fn lint_json_follows_its_schema_and_rules_can_be_chosen() {
    let bad: Vec<String> = pgrepl::lint::rules::ALL
        .iter()
        .map(|r| format!("tests/lint/{}/bad", r.code))
        .collect();
    let mut args = vec!["lint", "--format", "json"];
    args.extend(bad.iter().map(String::as_str));
    let o = pgrepl(&args);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out.json");
    fs::write(&out, &o.stdout).unwrap();
    if !require_tool("python3") {
        return;
    }
    let check = std::process::Command::new("python3")
        .arg("-c")
        .arg("import json, sys, jsonschema\nerrors = [e.message for e in jsonschema.Draft7Validator(json.load(open(sys.argv[1]))).iter_errors(json.load(open(sys.argv[2])))]\nprint('\\n'.join(errors))\nsys.exit(1 if errors else 0)")
        .arg(root().join("schemas/lint-output.schema.json"))
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let total = doc["findings"].as_array().unwrap().len();
    assert!(total >= pgrepl::lint::rules::ALL.len());

    let only = |extra: &[&str]| -> Vec<String> {
        let mut a = vec!["lint", "--format", "json", "tests/lint/PGR015/bad"];
        a.extend_from_slice(extra);
        let o = pgrepl(&a);
        let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(only(&[]).contains(&"PGR015".to_owned()));
    assert!(
        only(&["--select", "conninfo"])
            .iter()
            .all(|r| r == "PGR015")
    );
    assert!(!only(&["--ignore", "PGR015"]).contains(&"PGR015".to_owned()));
    assert_eq!(
        pgrepl(&["lint", "tests/lint/PGR015/bad", "--select", "PGR999"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn a_data_directory_marker_file_stands_for_its_directory() {
    // pre-commit passes changed files one by one; standby.signal or PG_VERSION is not
    // configuration to parse but names the data directory it sits in.
    let o = pgrepl(&["lint", "tests/lint/PGR023/bad/standby.signal"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("linting tests/lint/PGR023/bad as PostgreSQL 16 (from PG_VERSION), standby (from standby.signal)"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("PGR023"), "{}", stderr(&o));
    let o = pgrepl(&["lint", "tests/lint/PGR008/good/PG_VERSION"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}

/// A `.pgrepl.toml` above the linted files sets the default major, drops and re-grades rules;
/// the command line still wins, and a broken one stops the run with exit 2.
#[test]
fn lint_reads_the_nearest_pgrepl_toml() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = dir.path().join("hosts/db1");
    std::fs::create_dir_all(&cluster).unwrap();
    // wal_keep_segments exists up to 12 only; md5 is PGR021 (a warning by default).
    std::fs::write(
        cluster.join("postgresql.conf"),
        "wal_keep_segments = 8\npassword_encryption = md5\nmax_wal_senders = 010\n",
    )
    .unwrap();
    let path = cluster.to_str().unwrap();
    let lint = |extra: &[&str]| {
        let mut args = vec!["lint", path, "--format", "json"];
        args.extend_from_slice(extra);
        let o = pgrepl(&args);
        (o.status.code(), support::lint_findings(&o))
    };
    // Without a config: 18 is assumed, so wal_keep_segments is removed there.
    let (_, found) = lint(&[]);
    assert!(found.iter().any(|(r, _)| r == "PGR004"), "{found:?}");

    std::fs::write(
        dir.path().join(".pgrepl.toml"),
        "pg-version = 12\nignore = [\"octal-integer\"]\n[severity]\nPGR021 = \"error\"\n",
    )
    .unwrap();
    let (code, found) = lint(&[]);
    assert_eq!(found, [("PGR021".to_owned(), "error".to_owned())]);
    assert_eq!(code, Some(1));
    let human = pgrepl(&["lint", path]);
    assert!(
        stderr(&human).contains("as PostgreSQL 12 (from .pgrepl.toml)"),
        "{}",
        stderr(&human)
    );
    // The command line wins over the file.
    let (_, found) = lint(&["--pg-version", "13"]);
    assert!(found.iter().any(|(r, _)| r == "PGR004"), "{found:?}");
    let (_, found) = lint(&["--select", "PGR010"]);
    assert_eq!(found, [("PGR010".to_owned(), "warning".to_owned())]);
    // A nearer file replaces it.
    std::fs::write(cluster.join(".pgrepl.toml"), "pg-version = 12\n").unwrap();
    let (_, found) = lint(&[]);
    assert_eq!(found.len(), 2, "{found:?}");

    std::fs::write(
        cluster.join(".pgrepl.toml"),
        "ignore = [\"PGR999\"]\nselct = 1\n",
    )
    .unwrap();
    let broken = pgrepl(&["lint", path]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(
        stderr(&broken).contains(".pgrepl.toml"),
        "{}",
        stderr(&broken)
    );
}

/// `--topology`: the clusters are matched to nodes by path and checked against the intent;
/// a topology that does not validate is bad input (exit 2).
#[test]
fn lint_checks_clusters_against_a_topology() {
    let bad = "tests/lint/PGR027/bad";
    let o = pgrepl(&[
        "lint",
        bad,
        "--topology",
        "tests/lint/PGR027/bad/topology.toml",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("bad/pg-a as PostgreSQL 16 (from PG_VERSION), primary (from no standby.signal), node pg-a"), "{err}");
    assert!(err.contains("PGR027"), "{err}");
    // Without the topology, nothing says pg-b must be admitted.
    assert!(!stderr(&pgrepl(&["lint", bad])).contains("cannot stream from this node"));
    let good = pgrepl(&[
        "lint",
        "tests/lint/PGR028/good",
        "--topology",
        "tests/lint/PGR028/good/topology.toml",
        "--select",
        "PGR024,PGR025,PGR026,PGR027,PGR028,PGR036",
        "--fail-on",
        "warning",
    ]);
    assert_eq!(good.status.code(), Some(0), "{}", stderr(&good));

    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("t.toml");
    std::fs::write(&broken, "[cluster]\nname = \"x\"\n").unwrap();
    let o = pgrepl(&["lint", bad, "--topology", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));

    // Paths that name no node: --node places them (and lints them without other paths).
    let alpha = dir.path().join("alpha");
    let beta = dir.path().join("beta");
    for (from, to) in [("pg-a", &alpha), ("pg-b", &beta)] {
        fs::create_dir_all(to.join("conf.d")).unwrap();
        for f in ["PG_VERSION", "pg_hba.conf", "postgresql.conf"] {
            fs::copy(format!("{bad}/{from}/{f}"), to.join(f)).unwrap();
        }
    }
    let topology = "tests/lint/PGR027/bad/topology.toml";
    let o = pgrepl(
        &["lint", "--topology", topology, "--select", "PGR027"]
            .into_iter()
            .chain(["--node", &format!("pg-a={}", alpha.display())])
            .chain(["--node", &format!("pg-b={}", beta.display())])
            .collect::<Vec<_>>(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "alpha as PostgreSQL 16 (from PG_VERSION), primary (from no standby.signal), node pg-a"
        ),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).contains("PGR027"), "{}", stdout(&o));
    let o = pgrepl(&[
        "lint",
        "--topology",
        topology,
        "--node",
        &format!("pg-c={}", alpha.display()),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("has no node pg-c; its nodes are pg-a, pg-b")
            || stderr(&o).contains("did you mean"),
        "{}",
        stderr(&o)
    );
    let o = pgrepl(&["lint", "--node", &format!("pg-a={}", alpha.display())]);
    assert_eq!(o.status.code(), Some(2), "--node needs --topology");
}

/// pre-commit passes files: postgresql.conf and pg_hba.conf of one directory are linted as
/// that directory's cluster (a primary without a replication record is found), and a file
/// of a directory linted anyway is not linted twice.
#[test]
fn files_of_one_directory_are_one_cluster() {
    let o = pgrepl(&[
        "lint",
        "tests/lint/PGR014/bad/postgresql.conf",
        "tests/lint/PGR014/bad/pg_hba.conf",
    ]);
    let err = output(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("PGR014") && err.contains("1 cluster checked"),
        "{err}"
    );
    // Named alone (a commit that changed only it), pg_hba.conf stands for its directory's
    // cluster when the directory has a postgresql.conf: the two-file rule still runs.
    let alone = output(&pgrepl(&["lint", "tests/lint/PGR014/bad/pg_hba.conf"]));
    assert!(
        alone.contains("PGR014") && alone.contains("1 cluster checked"),
        "{alone}"
    );
    // So does a drop-in of its conf.d/.
    let tmp = tempfile::tempdir().unwrap();
    for f in ["postgresql.conf", "pg_hba.conf", "PG_VERSION"] {
        fs::copy(
            root().join("tests/lint/PGR014/bad").join(f),
            tmp.path().join(f),
        )
        .unwrap();
    }
    fs::create_dir(tmp.path().join("conf.d")).unwrap();
    fs::write(tmp.path().join("conf.d/extra.conf"), "work_mem = 4MB\n").unwrap();
    let o = pgrepl(&[
        "lint",
        tmp.path().join("conf.d/extra.conf").to_str().unwrap(),
    ]);
    assert!(output(&o).contains("PGR014"), "{}", output(&o));
    // Without a postgresql.conf beside it, pg_hba.conf cannot say whether the server is a
    // primary: no PGR014.
    fs::remove_file(tmp.path().join("postgresql.conf")).unwrap();
    let lone = output(&pgrepl(&[
        "lint",
        tmp.path().join("pg_hba.conf").to_str().unwrap(),
    ]));
    assert!(lone.contains("1 cluster checked: 0 errors"), "{lone}");
    let o = pgrepl(&[
        "lint",
        "tests/lint/PGR014/bad/PG_VERSION",
        "tests/lint/PGR014/bad/pg_hba.conf",
        "--format",
        "json",
    ]);
    let found: Vec<String> = support::lint_findings(&o)
        .into_iter()
        .map(|(rule, _)| rule)
        .collect();
    assert_eq!(
        found.iter().filter(|r| **r == "PGR014").count(),
        1,
        "{found:?}"
    );
}

/// A lone file is linted as what its name's end or its first records say (or `--type`):
/// `prod-pg_hba.conf` and the corpus's `NNN_…_pg_hba.conf` are pg_hba files, a pg_ident.conf
/// is recognized and skipped; and the excerpt of a finding is from that very file.
#[test]
fn lint_tells_file_kinds_apart() {
    let tmp = tempfile::tempdir().unwrap();
    let hba = fs::read(root().join("tests/hba/basics.conf")).unwrap();
    let named = tmp.path().join("prod-pg_hba.conf");
    let unnamed = tmp.path().join("access.rules");
    fs::write(&named, &hba).unwrap();
    fs::write(&unnamed, &hba).unwrap();
    fs::write(
        tmp.path().join("prod-pg_ident.conf"),
        "mymap bob bob\nmymap alice alice\n",
    )
    .unwrap();
    // clientcert=1 is refused from 14: a finding whose excerpt must come from this file.
    let bad = tmp.path().join("edge_pg_hba.conf");
    fs::write(&bad, "hostssl all all 10.0.0.1/32 cert clientcert=1\n").unwrap();
    let lint = |args: &[&str]| pgrepl(&[&["lint", "--pg-version", "16"], args].concat());
    let path = |p: &std::path::Path| p.to_str().unwrap().to_owned();
    for file in [&named, &unnamed] {
        let o = lint(&[&path(file)]);
        let err = stderr(&o);
        assert!(
            !stdout(&o).contains("syntax error") && !err.contains("syntax error"),
            "{}: read as postgresql.conf:\n{}{err}",
            file.display(),
            stdout(&o)
        );
    }
    // Said outright, the other way round: now it is a postgresql.conf full of syntax errors.
    let o = lint(&["--type", "conf", &path(&named)]);
    assert_eq!(o.status.code(), Some(1));
    let o = lint(&[&path(&tmp.path().join("prod-pg_ident.conf"))]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("a pg_ident.conf, which pgrepl does not check"));
    let o = lint(&[&path(&bad)]);
    let text = format!("{}{}", stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(
        text.contains("edge_pg_hba.conf:1:1") && !text.contains("Failed to read"),
        "{text}"
    );

    // The corpus: no file named as a pg_hba.conf is read as a postgresql.conf.
    let corpus = root().join("../shared/corpus/real-configs");
    let Ok(entries) = fs::read_dir(&corpus) else {
        return;
    };
    let mut checked = 0;
    for e in entries {
        let p = e.unwrap().path();
        if !p.to_string_lossy().ends_with("pg_hba.conf") {
            continue;
        }
        let o = lint(&["--format", "json", &path(&p)]);
        let out = stdout(&o);
        assert!(
            !out.contains("syntax error near"),
            "{}: read as postgresql.conf",
            p.display()
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} corpus pg_hba files");
}

/// A syntax error hides nothing: the server reads on at start-up, and so does lint (the
/// later lines and the files included after the error).
#[test]
fn lint_reads_past_syntax_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let conf = tmp.path().join("postgresql.conf");
    fs::write(
        &conf,
        "listen_addresses = *\nmax_wal_sender = 3\ninclude 'more.conf'\n",
    )
    .unwrap();
    fs::write(
        tmp.path().join("more.conf"),
        "wal_level = minimal\nx = = 1\n",
    )
    .unwrap();
    let o = pgrepl(&[
        "lint",
        "--pg-version",
        "16",
        "--format",
        "json",
        conf.to_str().unwrap(),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut found: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = f["file"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned();
            (
                format!("{} {file}", f["rule"].as_str().unwrap()),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    found.sort();
    for want in [
        ("PGR001 postgresql.conf", 1),
        ("PGR003 postgresql.conf", 2),
        ("PGR007 more.conf", 1),
        ("PGR001 more.conf", 2),
    ] {
        assert!(
            found.contains(&(want.0.to_owned(), want.1)),
            "{want:?} missing from {found:?}"
        );
    }
}

/// An endless input is refused with a clear error, not read until memory runs out.
#[test]
fn endless_inputs_are_refused() {
    let o = pgrepl(&["check", "/dev/zero"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("larger than 16 MiB"), "{}", stderr(&o));
    let o = pgrepl(&["gen", "/dev/zero", "-o", "/nonexistent/out"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
}

/// The README's fleet layout is found (five levels below `hosts/`), and a topology none of
/// whose nodes is linted says so instead of passing silently.
#[test]
fn lint_finds_a_fleet_tree_and_says_when_no_node_matches() {
    let tmp = tempfile::tempdir().unwrap();
    let main = tmp.path().join("hosts/pg-b/etc/postgresql/16/main");
    fs::create_dir_all(&main).unwrap();
    fs::write(main.join("postgresql.conf"), "port = 5432\n").unwrap();
    fs::write(main.join("pg_hba.conf"), "local all all peer\n").unwrap();
    let hosts = tmp.path().join("hosts");
    let o = pgrepl(&[
        "lint",
        "--topology",
        &example("cascade.toml"),
        hosts.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert!(err.contains(", node pg-b"), "{err}");
    assert!(!err.contains("no linted cluster"), "{err}");
    fs::rename(tmp.path().join("hosts/pg-b"), tmp.path().join("hosts/db9")).unwrap();
    let o = pgrepl(&[
        "lint",
        "--topology",
        &example("cascade.toml"),
        hosts.to_str().unwrap(),
    ]);
    assert!(
        stderr(&o).contains("warning: no linted cluster is a node of"),
        "{}",
        stderr(&o)
    );
    // gen's output holds drop-ins, not a server's configuration: lint says so, for the
    // directory and for a node's.
    let out = tmp.path().join("out");
    let o = pgrepl(&["gen", &example("cascade.toml"), "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    for dir in [out.clone(), out.join("pg-b")] {
        let o = pgrepl(&[
            "lint",
            "--topology",
            &example("cascade.toml"),
            dir.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("is `pgrepl gen` output"),
            "{}",
            stderr(&o)
        );
    }
    let empty = tmp.path().join("empty/a/b");
    fs::create_dir_all(&empty).unwrap();
    let o = pgrepl(&["lint", tmp.path().join("empty").to_str().unwrap()]);
    assert!(
        stderr(&o).contains("up to 8 levels below"),
        "{}",
        stderr(&o)
    );
}

/// The conventions linter users expect: the human report on stdout (so `> report.txt`
/// keeps it), `-q` for the findings only, `--format concise` one line per finding, and
/// `rules --format json`.
#[test]
fn lint_output_conventions() {
    let bad = "tests/lint/PGR001/bad";
    let o = pgrepl(&["lint", bad]);
    assert_eq!(o.status.code(), Some(1));
    let (out, err) = (stdout(&o), stderr(&o));
    assert!(
        out.contains("PGR001") && out.contains("1 cluster checked"),
        "{out}"
    );
    assert!(
        err.contains("linting ") && !err.contains("syntax error"),
        "{err}"
    );
    let o = pgrepl(&["lint", "-q", bad]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    assert!(stdout(&o).contains("PGR001") && !stdout(&o).contains("checked"));
    let o = pgrepl(&["lint", "--format", "concise", "--select", "PGR001", bad]);
    assert_eq!(o.status.code(), Some(1));
    let lines: Vec<String> = stdout(&o).lines().map(str::to_owned).collect();
    assert_eq!(
        lines,
        [
            "tests/lint/PGR001/bad/postgresql.conf:1:20: PGR001 syntax error near token \"*\"",
            "tests/lint/PGR001/bad/postgresql.conf:3:29: PGR001 syntax error near token \",\""
        ]
    );
    let o = pgrepl(&["rules", "--format", "json"]);
    let rules: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rules = rules.as_array().unwrap();
    assert_eq!(rules.len(), pgrepl::lint::rules::ALL.len());
    assert_eq!(rules[0]["code"], "PGR001");
    assert_eq!(rules[0]["majors"], serde_json::json!([10, 18]));
}

/// check never writes, so it does not say "nothing was written"; an IPv6 node's address in
/// RUNBOOK.md is bracketed before its port.
#[test]
fn messages_say_what_the_command_did() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.toml");
    fs::write(&bad, "[cluster]\nname = \"x\"\n").unwrap();
    let o = pgrepl(&["check", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        !stderr(&o).contains("nothing was written"),
        "{}",
        stderr(&o)
    );
    let guide = fs::read_to_string(root().join("examples/guide.toml")).unwrap();
    let v6 = guide
        .replace("172.16.93.132", "2001:db8:10::a")
        .replace("172.16.93.133", "2001:db8:10::b");
    let topology = tmp.path().join("v6.toml");
    fs::write(&topology, v6).unwrap();
    let out = tmp.path().join("out");
    let o = pgrepl(&[
        "gen",
        topology.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let runbook = fs::read_to_string(out.join("RUNBOOK.md")).unwrap();
    assert!(runbook.contains("| [2001:db8:10::a]:5432 |"), "{runbook}");
    // A byte-order mark is named as such; an assumed major says how to say it.
    let bom = tmp.path().join("bom.conf");
    fs::write(&bom, b"\xef\xbb\xbfwal_level = replica\n").unwrap();
    let o = pgrepl(&["lint", bom.to_str().unwrap()]);
    assert!(
        stdout(&o).contains("UTF-8 byte-order mark"),
        "{}",
        stdout(&o)
    );
    assert!(stderr(&o).contains("(assumed: nothing says which; --pg-version N says it)"));
}
