//! Helpers for tests that run real PostgreSQL binaries (see scripts/fetch-postgres.sh).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const TEST_USER: &str = "pgtest";

pub fn cache() -> PathBuf {
    std::env::var_os("PGREPL_PG_CACHE")
        .map_or_else(|| PathBuf::from("/var/cache/pgrepl-pg"), PathBuf::from)
}

pub fn majors() -> Vec<u32> {
    match std::env::var("PGREPL_PG_MAJORS") {
        Ok(list) if !list.trim().is_empty() => list
            .split(',')
            .map(|m| {
                m.trim()
                    .parse()
                    .unwrap_or_else(|_| panic!("PGREPL_PG_MAJORS: bad major {m:?}"))
            })
            .collect(),
        _ => (pgrepl::catalog::OLDEST..=pgrepl::catalog::NEWEST).collect(),
    }
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The bin directory of a major, fetched if missing. `None`: not available (skip).
pub fn bin_dir(major: u32) -> Option<PathBuf> {
    let bin = cache().join(major.to_string()).join("bin");
    if !bin.join("pg_basebackup").exists() {
        let fetched = Command::new("bash")
            .arg(super::root().join("scripts/fetch-postgres.sh"))
            .arg(major.to_string())
            .status()
            .is_ok_and(|s| s.success());
        if !fetched || !bin.join("pg_basebackup").exists() {
            assert!(
                std::env::var_os("CI").is_none(),
                "PostgreSQL {major} binaries are missing in CI (scripts/fetch-postgres.sh {major})"
            );
            eprintln!(
                "skipping PostgreSQL {major}: no binaries (run scripts/fetch-postgres.sh {major})"
            );
            return None;
        }
    }
    Some(bin)
}

pub fn ensure_test_user() {
    if Command::new("id")
        .arg(TEST_USER)
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return;
    }
    let st = Command::new("useradd")
        .args([
            "--system",
            "--user-group",
            "--no-create-home",
            "--home-dir",
            "/nonexistent",
        ])
        .args(["--shell", "/usr/sbin/nologin", TEST_USER])
        .status()
        .expect("useradd");
    assert!(
        st.success()
            || Command::new("id")
                .arg(TEST_USER)
                .status()
                .is_ok_and(|s| s.success())
    );
}

/// setpriv's arguments (before the program) that drop from root to the test user.
pub const SETPRIV_TO_TEST_USER: [&str; 6] = [
    "--reuid",
    TEST_USER,
    "--regid",
    TEST_USER,
    "--init-groups",
    "--",
];

/// A command as the server's OS user: the test user when we are root, else ourselves.
pub fn as_pg(program: &str) -> Command {
    if is_root() {
        let mut c = Command::new("setpriv");
        c.args(SETPRIV_TO_TEST_USER).arg(program);
        c
    } else {
        Command::new(program)
    }
}

pub fn run(c: impl std::borrow::BorrowMut<Command>, what: &str) -> Output {
    let mut c = c;
    let c: &mut Command = c.borrow_mut();
    let o = c
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        o.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// Gives `path` (and, for a directory, everything in it) to the test user when we are root,
/// so that the servers and runbooks, which run as that user, can use it.
pub fn give_to_test_user(path: &Path) {
    if is_root() {
        run(
            Command::new("chown")
                .args(["-R", &format!("{TEST_USER}:{TEST_USER}")])
                .arg(path),
            &format!("chown {}", path.display()),
        );
    }
}

pub fn os_user() -> String {
    if is_root() {
        TEST_USER.to_owned()
    } else {
        String::from_utf8_lossy(&Command::new("id").arg("-un").output().unwrap().stdout)
            .trim()
            .to_owned()
    }
}
