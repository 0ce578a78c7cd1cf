//! The pre-commit hook as users get it: `pre-commit try-repo` builds pgrepl from this
//! repository with `cargo install` (language: rust) and runs it on the files a commit touches.
//! scripts/test.sh installs pre-commit; without it this test fails rather than skips.

use std::path::Path;
use std::process::Command;

/// pre-commit as a module of the python3 that scripts/test.sh installed it into.
fn pre_commit() -> Command {
    let mut cmd = Command::new("python3");
    cmd.args(["-m", "pre_commit"]);
    cmd
}

fn try_repo(consumer: &Path, files: &[&str]) -> (i32, String) {
    let home = tempfile::tempdir().unwrap();
    let out = pre_commit()
        .current_dir(consumer)
        .env("PRE_COMMIT_HOME", home.path())
        .args([
            "try-repo",
            env!("CARGO_MANIFEST_DIR"),
            "pgrepl-lint",
            "--files",
        ])
        .args(files)
        .output()
        .expect("pre-commit is not installed: scripts/test.sh installs it");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .current_dir(dir)
        .args(args)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn hook_manifest_is_valid_and_the_hook_fails_a_bad_commit() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let status = pre_commit()
        .arg("validate-manifest")
        .arg(&manifest)
        .status()
        .expect("pre-commit is not installed: scripts/test.sh installs it");
    assert!(status.success(), "invalid .pre-commit-hooks.yaml");

    // A consumer repository with one good and one broken cluster.
    let repo = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "-q"]);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint/PGR008");
    for side in ["good", "bad"] {
        let dir = repo.path().join(side);
        std::fs::create_dir(&dir).unwrap();
        for f in ["PG_VERSION", "postgresql.conf", "pg_hba.conf"] {
            std::fs::copy(fixtures.join(side).join(f), dir.join(f)).unwrap();
        }
    }
    std::fs::write(repo.path().join("notes.txt"), "max_wal_senders = 0\n").unwrap();

    let (code, text) = try_repo(
        repo.path(),
        &["good/postgresql.conf", "good/pg_hba.conf", "notes.txt"],
    );
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("Passed"), "{text}");

    let (code, text) = try_repo(
        repo.path(),
        &[
            "good/postgresql.conf",
            "bad/postgresql.conf",
            "bad/pg_hba.conf",
        ],
    );
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("Failed"), "{text}");
    assert!(text.contains("PGR008"), "{text}");
    assert!(text.contains("bad/postgresql.conf:2:19"), "{text}");
}
