//! Every class of bad input, one table: each case sets up a directory, runs pgrepl, and must
//! get the exit code and message it expects, and leave the directory exactly as it was (no
//! file created, truncated or half-written: paths, modes and bytes compared, directories
//! included). Invalid topologies of every kind are tests/invalid/*.toml, replayed here too;
//! their diagnostics are snapshotted by tests/invalid_topologies.rs.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::real::{SETPRIV_TO_TEST_USER, TEST_USER, ensure_test_user, is_root};

/// Everything under `dir`: path, kind and mode, and for files the bytes' length and a digest.
fn snapshot(dir: &Path) -> Vec<(String, u32, u64, u64)> {
    use std::hash::{Hash, Hasher};
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            let (len, digest) = if meta.is_file() {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                std::fs::read(&p).unwrap_or_default().hash(&mut h);
                (meta.len(), h.finish())
            } else {
                (0, 0)
            };
            if meta.is_dir() {
                stack.push(p);
            }
            out.push((rel, meta.permissions().mode(), len, digest));
        }
    }
    out.sort();
    out
}

/// How to run pgrepl for a case.
enum As {
    /// As ourselves.
    Me,
    /// As an unprivileged user (root ignores file permissions): the test user when we are
    /// root, else ourselves.
    Unprivileged,
    /// With a file size limit of this many KiB and SIGXFSZ ignored: writes fail with EFBIG,
    /// as they fail with ENOSPC on a full disk.
    FileSizeLimit(u32),
}

struct Case {
    name: &'static str,
    /// Prepares `work` and returns pgrepl's arguments (run in `work`).
    setup: fn(&Path) -> Vec<String>,
    how: As,
    exit: i32,
    says: &'static str,
}

fn guide() -> String {
    std::fs::read_to_string(support::root().join("examples/guide.toml")).unwrap()
}

fn gen_args(topology: &str) -> Vec<String> {
    vec!["gen".into(), topology.into(), "-o".into(), "out".into()]
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

const CASES: &[Case] = &[
    Case {
        name: "malformed TOML",
        setup: |w| {
            std::fs::write(w.join("t.toml"), "[cluster\nname = \"x\"\n").unwrap();
            gen_args("t.toml")
        },
        how: As::Me,
        exit: 1,
        says: "nothing was written",
    },
    Case {
        name: "truncated TOML",
        setup: |w| {
            let g = guide();
            std::fs::write(w.join("t.toml"), &g[..g.len() * 2 / 3]).unwrap();
            gen_args("t.toml")
        },
        how: As::Me,
        exit: 1,
        says: "error",
    },
    Case {
        name: "non-UTF-8 TOML",
        setup: |w| {
            let mut bytes = guide().into_bytes();
            bytes.insert(40, 0xff);
            std::fs::write(w.join("t.toml"), bytes).unwrap();
            gen_args("t.toml")
        },
        how: As::Me,
        exit: 1,
        says: "is not UTF-8",
    },
    Case {
        name: "topology file missing",
        setup: |_| gen_args("missing.toml"),
        how: As::Me,
        exit: 3,
        says: "No such file",
    },
    Case {
        name: "topology path is a directory",
        setup: |w| {
            std::fs::create_dir(w.join("t.toml")).unwrap();
            gen_args("t.toml")
        },
        how: As::Me,
        exit: 3,
        says: "Is a directory",
    },
    Case {
        name: "unreadable topology",
        setup: |w| {
            std::fs::write(w.join("t.toml"), guide()).unwrap();
            std::fs::set_permissions(w.join("t.toml"), std::fs::Permissions::from_mode(0o000))
                .unwrap();
            gen_args("t.toml")
        },
        how: As::Unprivileged,
        exit: 3,
        says: "Permission denied",
    },
    Case {
        name: "output directory not writable",
        setup: |w| {
            std::fs::write(w.join("t.toml"), guide()).unwrap();
            std::fs::create_dir(w.join("ro")).unwrap();
            std::fs::set_permissions(w.join("ro"), std::fs::Permissions::from_mode(0o555)).unwrap();
            vec!["gen".into(), "t.toml".into(), "-o".into(), "ro/out".into()]
        },
        how: As::Unprivileged,
        exit: 3,
        says: "Permission denied",
    },
    Case {
        name: "disk full while writing",
        setup: |w| {
            std::fs::write(w.join("t.toml"), guide()).unwrap();
            gen_args("t.toml")
        },
        how: As::FileSizeLimit(4),
        exit: 3,
        says: "File too large",
    },
    Case {
        name: "output directory holds files pgrepl did not write",
        setup: |w| {
            std::fs::write(w.join("t.toml"), guide()).unwrap();
            std::fs::create_dir(w.join("out")).unwrap();
            std::fs::write(w.join("out/notes.txt"), "mine\n").unwrap();
            gen_args("t.toml")
        },
        how: As::Me,
        exit: 3,
        says: "notes.txt",
    },
    Case {
        name: "lint: a path that does not exist",
        setup: |_| args(&["lint", "nowhere"]),
        how: As::Me,
        exit: 3,
        says: "no such file or directory",
    },
    Case {
        name: "lint: unreadable postgresql.conf",
        setup: |w| {
            std::fs::create_dir(w.join("c")).unwrap();
            std::fs::write(w.join("c/postgresql.conf"), "port = 5432\n").unwrap();
            std::fs::set_permissions(
                w.join("c/postgresql.conf"),
                std::fs::Permissions::from_mode(0o000),
            )
            .unwrap();
            args(&["lint", "c"])
        },
        how: As::Unprivileged,
        exit: 3,
        says: "cannot read c/postgresql.conf: Permission denied",
    },
    Case {
        name: "lint: missing include target",
        setup: |w| {
            std::fs::create_dir(w.join("c")).unwrap();
            std::fs::write(w.join("c/postgresql.conf"), "include 'gone.conf'\n").unwrap();
            args(&["lint", "c", "--pg-version", "16"])
        },
        how: As::Me,
        exit: 1,
        says: "could not open file",
    },
    Case {
        name: "lint: include cycle",
        setup: |w| {
            std::fs::create_dir(w.join("c")).unwrap();
            std::fs::write(w.join("c/postgresql.conf"), "include 'a.conf'\n").unwrap();
            std::fs::write(w.join("c/a.conf"), "include 'postgresql.conf'\n").unwrap();
            args(&["lint", "c", "--pg-version", "16"])
        },
        how: As::Me,
        exit: 1,
        says: "maximum nesting depth exceeded",
    },
    Case {
        name: "lint: symbolic link loops in the tree",
        setup: |w| {
            std::fs::create_dir_all(w.join("etc/16/main")).unwrap();
            std::fs::write(w.join("etc/16/main/postgresql.conf"), "port = 5432\n").unwrap();
            std::os::unix::fs::symlink("..", w.join("etc/16/main/up")).unwrap();
            std::os::unix::fs::symlink(".", w.join("etc/16/self")).unwrap();
            args(&["lint", "etc"])
        },
        how: As::Me,
        exit: 0,
        says: "1 cluster checked",
    },
    Case {
        name: "lint: a 100 MB postgresql.conf",
        setup: |w| {
            std::fs::create_dir(w.join("c")).unwrap();
            let line = format!("# {}\n", "x".repeat(78));
            let mut text = line.repeat(100 * 1024 * 1024 / line.len());
            text.push_str("wal_level = minimal\n");
            std::fs::write(w.join("c/postgresql.conf"), text).unwrap();
            args(&["lint", "c", "--pg-version", "16"])
        },
        how: As::Me,
        exit: 1,
        says: "wal_level = minimal",
    },
    Case {
        name: "lint: a broken .pgrepl.toml",
        setup: |w| {
            std::fs::create_dir(w.join("c")).unwrap();
            std::fs::write(w.join("c/postgresql.conf"), "port = 5432\n").unwrap();
            std::fs::write(w.join(".pgrepl.toml"), "ignore = [\"PGR999\"]\n").unwrap();
            args(&["lint", "c"])
        },
        how: As::Me,
        exit: 2,
        says: "no rule \"PGR999\"",
    },
];

/// A copy of pgrepl that the unprivileged user can run (the build directory may be under a
/// home directory it cannot enter).
fn runnable_copy(dir: &Path) -> PathBuf {
    let copy = dir.join("pgrepl");
    std::fs::copy(env!("CARGO_BIN_EXE_pgrepl"), &copy).unwrap();
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
    copy
}

fn run(case: &Case, work: &Path, bin: &Path, args: &[String]) -> Output {
    let mut cmd = match case.how {
        As::Me => Command::new(env!("CARGO_BIN_EXE_pgrepl")),
        As::Unprivileged if is_root() => {
            let mut c = Command::new("setpriv");
            c.args(SETPRIV_TO_TEST_USER).arg(bin);
            c
        }
        As::Unprivileged => Command::new(bin),
        As::FileSizeLimit(kib) => {
            let mut c = Command::new("bash");
            c.arg("-c")
                .arg(format!("trap '' XFSZ; ulimit -f {kib}; exec \"$0\" \"$@\""))
                .arg(env!("CARGO_BIN_EXE_pgrepl"));
            c
        }
    };
    cmd.current_dir(work)
        .args(["--color", "never"])
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

#[test]
fn bad_input_is_reported_and_nothing_is_touched() {
    if is_root() {
        ensure_test_user();
    }
    let tmp = tempfile::tempdir().unwrap();
    let bin = runnable_copy(tmp.path());
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut failures = Vec::new();
    let mut table = Vec::new();
    for (i, case) in CASES.iter().enumerate() {
        let work = tmp.path().join(format!("case-{i}"));
        std::fs::create_dir(&work).unwrap();
        let args = (case.setup)(&work);
        if is_root() && matches!(case.how, As::Unprivileged) {
            let status = Command::new("chown")
                .args(["-R", &format!("{TEST_USER}:{TEST_USER}")])
                .arg(&work)
                .status()
                .unwrap();
            assert!(status.success());
        }
        let before = snapshot(&work);
        let o = run(case, &work, &bin, &args);
        // lint's findings are its report, on stdout; errors are on stderr.
        let err = support::output(&o);
        let after = snapshot(&work);
        // Leftovers next to the output (a staging directory) count as touching too.
        let message = err
            .lines()
            .rfind(|l| l.contains(case.says))
            .unwrap_or("")
            .trim()
            .to_owned();
        if o.status.code() != Some(case.exit) || message.is_empty() || before != after {
            failures.push(format!(
                "{}: exit {:?} (want {}), {} (want a line with {:?}), tree {}\n{err}",
                case.name,
                o.status.code(),
                case.exit,
                if message.is_empty() {
                    "no such message"
                } else {
                    "message ok"
                },
                case.says,
                if before == after {
                    "unchanged"
                } else {
                    "CHANGED"
                },
            ));
        }
        table.push(format!("| {} | {} | {} |", case.name, case.exit, message));
    }
    // Invalid topologies of every kind (unknown keys, wrong types, ranges, addresses, wide
    // sources, cycles, sender and slot shortfalls...): exit 1, nothing written.
    for file in support::tomls("tests/invalid") {
        let work = tmp.path().join(format!("invalid-{}", support::stem(&file)));
        std::fs::create_dir(&work).unwrap();
        std::fs::copy(&file, work.join("t.toml")).unwrap();
        let before = snapshot(&work);
        let o = run(&CASES[0], &work, &bin, &gen_args("t.toml"));
        if o.status.code() != Some(1) || snapshot(&work) != before {
            failures.push(format!(
                "{}: exit {:?}, tree {}",
                file.display(),
                o.status.code(),
                if snapshot(&work) == before {
                    "unchanged"
                } else {
                    "CHANGED"
                }
            ));
        }
    }
    // The table, for the record (cargo test -- --nocapture shows it).
    println!(
        "| input | exit | message |\n|---|---|---|\n{}",
        table.join("\n")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The swap of gen's output is all or nothing: as a normal user, with a directory of the
/// previous output owned by root (which that user cannot empty), gen refuses before
/// anything moves; the previous output is whole and nothing is left beside it.
#[test]
fn a_directory_gen_cannot_empty_stops_the_swap() {
    if !is_root() {
        eprintln!("skipped: needs root to hand a directory to another user");
        return;
    }
    ensure_test_user();
    let tmp = tempfile::tempdir().unwrap();
    let bin = runnable_copy(tmp.path());
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let work = tmp.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let guide = std::fs::read_to_string(support::root().join("examples/guide.toml")).unwrap();
    std::fs::write(work.join("a.toml"), &guide).unwrap();
    std::fs::write(work.join("b.toml"), guide.replace("64MB", "128MB")).unwrap();
    let chown = |owner: &str, path: &Path| {
        let status = Command::new("chown")
            .args(["-R", owner])
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    };
    chown(&format!("{TEST_USER}:{TEST_USER}"), &work);
    let gen_as_user = |topology: &str| {
        Command::new("setpriv")
            .args(SETPRIV_TO_TEST_USER)
            .arg(&bin)
            .current_dir(&work)
            .args(["gen", topology, "-o", "out"])
            .output()
            .unwrap()
    };
    assert!(gen_as_user("a.toml").status.success());
    chown("root:root", &work.join("out/vm1"));
    let before = snapshot(&work);
    let o = gen_as_user("b.toml");
    let err = support::stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("out/vm1") && err.contains("it is as it was"),
        "{err}"
    );
    assert!(
        before == snapshot(&work),
        "the output or its siblings changed:\n{err}"
    );
    chown(&format!("{TEST_USER}:{TEST_USER}"), &work.join("out/vm1"));
    assert!(gen_as_user("b.toml").status.success());
    assert!(
        std::fs::read_to_string(work.join("out/vm1/conf.d/pgrepl-replication.conf"))
            .unwrap()
            .contains("128MB")
    );
}
