//! Runbooks on production: what they must never do, proven on real servers of every major.
//!
//! - No secret reaches the server: with pg_stat_statements and auto_explain preloaded and
//!   every statement logged, no byte of the replication password is in pg_stat_statements,
//!   a server log or any file but the passfiles, and the standby still authenticates.
//! - Backups stay with their node: where the configuration lives in the data directory,
//!   the primary's `*.pgrepl-orig` files are not the standby's after the base backup.
//! - A failed write is a failed step: with the disk full, the directory read-only, or the
//!   directory or file immutable, the install-config and write-passfile steps exit non-zero
//!   naming the file, print no "ok", leave no temporary file, and, where the first write
//!   fails, change nothing.
//! - verify-node checks where a standby streams from as the server says it
//!   (pg_stat_wal_receiver), not as its files intend.

#[macro_use]
mod support;

use std::fs;
use std::path::{Path, PathBuf};

use support::lab::*;
use support::real::*;

/// Every file under `dir`, links not followed.
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let Ok(ty) = e.file_type() else { continue };
        if ty.is_dir() {
            files(&e.path(), out);
        } else if ty.is_file() {
            out.push(e.path());
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Scenario 9: the password stays on the hosts, in the passfiles only.
fn no_secret_reaches_the_server(major: u32) {
    let Some(mut lab) = Lab::new(major, 9, &["vm1", "vm2"]) else {
        return;
    };
    lab.init_server("vm1");
    lab.init_server("vm2");
    // Everything a server can record about a statement, switched on at server level.
    let conf = lab.data("vm1").join("postgresql.conf");
    let mut text = fs::read_to_string(&conf).unwrap();
    text.push_str(
        "shared_preload_libraries = 'pg_stat_statements, auto_explain'\n\
         pg_stat_statements.track = all\n\
         pg_stat_statements.track_utility = on\n\
         auto_explain.log_min_duration = 0\n\
         log_statement = 'all'\n\
         log_min_duration_statement = 0\n\
         log_connections = on\n",
    );
    fs::write(&conf, text).unwrap();
    let mut c = lab.pg(&lab.tool("pg_ctl"));
    c.args([
        "restart",
        "-D",
        lab.data("vm1").to_str().unwrap(),
        "-w",
        "-t",
        "120",
    ]);
    c.arg("-l").arg(lab.dir.join("vm1").join("server.log"));
    run(c, "pg_ctl restart");
    lab.sql("vm1", "CREATE EXTENSION pg_stat_statements");

    let topology = lab.topology(&lab.nodes_toml(&[]));
    let out = lab.generate(&topology);
    lab.run_runbook(&out, false);
    // The standby authenticated with the password the primary never saw.
    lab.wait_for(
        "vm1",
        "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'",
        "1",
    );
    assert!(
        lab.sql(
            "vm1",
            "SELECT rolpassword FROM pg_authid WHERE rolname = 'replicator'"
        )
        .starts_with("SCRAM-SHA-256$4096:"),
        "PG{major}: the role has no SCRAM verifier"
    );

    // The primary's originals did not become the standby's: the standby saved its own
    // (the cloned file, which already reads conf.d), not the primary's untouched one.
    let orig = |n: &str| fs::read(lab.data(n).join("postgresql.conf.pgrepl-orig"));
    let primary_orig = orig("vm1").expect("the primary saved its original postgresql.conf");
    assert!(
        !String::from_utf8_lossy(&primary_orig).contains("include_dir = 'conf.d'"),
        "PG{major}: the primary's original already reads conf.d"
    );
    if let Ok(standby_orig) = orig("vm2") {
        assert!(
            standby_orig != primary_orig,
            "PG{major}: the standby's backup is the primary's original, copied by pg_basebackup"
        );
    }

    // The whole secret and a distinctive part of it.
    let needles: [&[u8]; 2] = [PASSWORD.as_bytes(), b"s3cret"];
    let statements = lab.sql("vm1", "SELECT query FROM pg_stat_statements");
    assert!(
        statements.contains("CREATE ROLE") || statements.contains("ALTER ROLE"),
        "PG{major}: pg_stat_statements did not record the role statement:\n{statements}"
    );
    for n in needles {
        assert!(
            !contains(statements.as_bytes(), n),
            "PG{major}: the password is in pg_stat_statements:\n{statements}"
        );
    }
    let passfiles: Vec<PathBuf> = ["vm1", "vm2"]
        .iter()
        .map(|n| lab.dir.join(n).join("replication.pgpass"))
        .collect();
    for (node, passfile) in ["vm1", "vm2"].iter().zip(&passfiles) {
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(passfile)
                .unwrap_or_else(|e| panic!("PG{major}: {node} has no passfile: {e}"))
                .permissions(),
        );
        assert_eq!(mode & 0o777, 0o600, "PG{major}: {node}'s passfile");
    }
    let mut all = Vec::new();
    files(&lab.dir, &mut all);
    let logs = all
        .iter()
        .filter(|p| p.file_name().is_some_and(|f| f == "server.log"))
        .count();
    assert!(
        logs >= 2,
        "PG{major}: the server logs are not in the lab: {all:?}"
    );
    for f in all.iter().filter(|f| !passfiles.contains(f)) {
        let bytes = fs::read(f).unwrap_or_default();
        for n in needles {
            assert!(
                !contains(&bytes, n),
                "PG{major}: the password is in {}",
                f.display()
            );
        }
    }
}

/// How a write is made to fail.
#[derive(Debug, Clone)]
enum Fault {
    /// RLIMIT_FSIZE 0: every write of a byte fails (EFBIG), as on a full file system.
    DiskFull,
    /// The directory is read-only to the server's OS user.
    ReadOnly(PathBuf),
    /// `chattr +i` on the file or directory: not even root may change it.
    Immutable(PathBuf),
}

/// Whether `chattr +i` works here (root, and a file system with the flag).
fn immutable_works(dir: &Path) -> bool {
    let probe = dir.join("chattr-probe");
    fs::write(&probe, "x").unwrap();
    let ok = is_root()
        && std::process::Command::new("chattr")
            .arg("+i")
            .arg(&probe)
            .output()
            .is_ok_and(|o| o.status.success());
    let _ = std::process::Command::new("chattr")
        .arg("-i")
        .arg(&probe)
        .output();
    let _ = fs::remove_file(&probe);
    ok
}

/// Runs a step with a fault injected; its output.
fn faulty_step(lab: &Lab, out: &Path, step: &str, fault: &Fault) -> std::process::Output {
    let set = |on: bool| match fault {
        Fault::DiskFull => {}
        Fault::ReadOnly(dir) => {
            run(
                std::process::Command::new("chmod")
                    .arg(if on { "u-w" } else { "u+w" })
                    .arg(dir),
                "chmod",
            );
        }
        Fault::Immutable(path) => {
            run(
                std::process::Command::new("chattr")
                    .arg(if on { "+i" } else { "-i" })
                    .arg(path),
                "chattr",
            );
        }
    };
    let mut c = lab.pg("bash");
    if let Fault::DiskFull = fault {
        c.args(["-c", "ulimit -f 0; exec bash \"$0\" \"$@\""]);
    }
    set(true);
    c.arg(out.join(step));
    c.env("PGREPL_REPLICATION_PASSWORD", PASSWORD)
        .env("PGREPL_REWIND_PASSWORD", REWIND_PASSWORD)
        .env("HOME", &lab.dir);
    let o = c.stdin(std::process::Stdio::null()).output().unwrap();
    set(false);
    o
}

/// Scenario 10: a write that fails fails its step, says which file, and changes nothing
/// (or, past the first write, leaves what a re-run completes).
fn failed_writes_fail_the_step(major: u32) {
    let Some(mut lab) = Lab::new(major, 10, &["vm1", "vm2"]) else {
        return;
    };
    lab.init_server("vm1");
    let topology = lab.topology(&lab.nodes_toml(&[]));
    let out = lab.generate(&topology);
    lab.step(&out, &step_named(&out, "vm1", "create-role"));
    let install = step_named(&out, "vm1", "install-config");
    let passfile = step_named(&out, "vm2", "write-passfile");
    let vm2_dir = lab.dir.join("vm2");
    fs::create_dir_all(&vm2_dir).unwrap();
    give_to_test_user(&vm2_dir);
    let data = lab.data("vm1");
    let pgpass = vm2_dir.join("replication.pgpass");
    // (step, fault, the path its error must name, whether nothing may change)
    let mut cases = vec![
        (&install, Fault::DiskFull, data.clone(), true),
        (&passfile, Fault::DiskFull, pgpass.clone(), true),
        (&install, Fault::ReadOnly(data.clone()), data.clone(), false),
        (
            &passfile,
            Fault::ReadOnly(vm2_dir.clone()),
            pgpass.clone(),
            true,
        ),
    ];
    if immutable_works(&lab.dir) {
        // The case first: the whole data directory immutable; then each file
        // install-config replaces, in the order it writes them.
        cases.extend([
            (&install, Fault::Immutable(data.clone()), data.clone(), true),
            (
                &passfile,
                Fault::Immutable(vm2_dir.clone()),
                pgpass.clone(),
                true,
            ),
            (
                &install,
                Fault::Immutable(data.join("postgresql.conf")),
                data.join("postgresql.conf"),
                false,
            ),
            (
                &install,
                Fault::Immutable(data.join("pg_hba.conf")),
                data.join("pg_hba.conf"),
                false,
            ),
        ]);
    } else {
        eprintln!("PG{major}: chattr +i does not work here; the immutable cases are skipped");
    }
    for (step, fault, named, nothing_changes) in &cases {
        let before = lab.managed_files("vm1");
        let passfile_before = fs::read(&pgpass).ok();
        let o = faulty_step(&lab, &out, step, fault);
        let (stdout, stderr) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        let what = format!("PG{major}: {step} with {fault:?}");
        assert!(!o.status.success(), "{what} succeeded:\n{stdout}\n{stderr}");
        assert!(
            stderr.contains(&*named.to_string_lossy()),
            "{what}: the error does not name {}:\n{stderr}",
            named.display()
        );
        assert!(!stdout.contains("] ok"), "{what} said ok:\n{stdout}");
        if *nothing_changes {
            assert!(
                before == lab.managed_files("vm1"),
                "{what} changed the primary's files"
            );
            assert_eq!(
                passfile_before,
                fs::read(&pgpass).ok(),
                "{what} changed the passfile"
            );
        }
        for dir in [&data, &vm2_dir] {
            let mut left = Vec::new();
            files(dir, &mut left);
            assert!(
                !left
                    .iter()
                    .any(|f| f.to_string_lossy().contains(".pgrepl.")),
                "{what} left a temporary file: {left:?}"
            );
        }
    }
    // Without a fault, both steps work.
    lab.step(&out, &install);
    lab.step(&out, &passfile);
}

/// Scenario 11: a standby streaming from another address than its upstream's fails
/// verify-node, which names both.
fn verify_node_checks_the_upstream(major: u32) {
    let Some(mut lab) = Lab::new(major, 11, &["vm1", "vm2"]) else {
        return;
    };
    lab.init_server("vm1");
    lab.init_server("vm2");
    let topology = lab.topology(&lab.nodes_toml(&[]));
    let out = lab.generate(&topology);
    lab.run_runbook(&out, false);
    let verify = step_named(&out, "vm2", "verify-node");
    let port = lab.port("vm1");
    // What the node's files would say if the topology had moved vm1 to another port.
    let lib = out.join("vm2/runbook/lib.sh");
    let text = fs::read_to_string(&lib).unwrap();
    let moved = text.replace(
        &format!("readonly UPSTREAM_PORT={port}\n"),
        &format!("readonly UPSTREAM_PORT={}\n", port + 1),
    );
    assert_ne!(moved, text, "lib.sh names the upstream's port");
    fs::write(&lib, moved).unwrap();
    let o = lab.try_step(&out, &verify);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success(),
        "PG{major}: verify-node passed a wrong upstream"
    );
    assert!(
        err.contains(&format!(
            "streams from 127.0.0.1:{port}, not from vm1 (127.0.0.1:{})",
            port + 1
        )),
        "PG{major}: {err}"
    );
    fs::write(&lib, text).unwrap();
    lab.step(&out, &verify);
}

per_major!(
    no_secret_reaches_the_server,
    failed_writes_fail_the_step,
    verify_node_checks_the_upstream
);
