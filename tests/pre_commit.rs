//! The pre-commit hooks as users get them: a consumer repository names this repository at its
//! HEAD commit in .pre-commit-config.yaml, `pre-commit install` puts the hook in git, and
//! `git commit` builds pgrepl with `cargo install` (language: rust) and runs it on the staged
//! files. A bad pg_hba.conf, conf.d drop-in or topology fails the commit; the fixed file
//! commits.
//! scripts/test.sh installs pre-commit; without it this test fails rather than skips.

use std::path::Path;
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// pre-commit as a module of the python3 that scripts/test.sh installed it into.
fn pre_commit() -> Command {
    let mut cmd = Command::new("python3");
    cmd.args(["-m", "pre_commit"]);
    cmd
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

/// git in the consumer repository, with pre-commit's cache in `home` (one build for all runs).
fn git(dir: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", home)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .args(args)
        .output()
        .unwrap()
}

fn git_ok(dir: &Path, home: &Path, args: &[&str]) {
    let o = git(dir, home, args);
    assert!(o.status.success(), "git {args:?}: {}", text(&o));
}

fn write(dir: &Path, file: &str, contents: &str) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

#[test]
fn hooks_fail_a_bad_commit_and_pass_the_fixed_one() {
    let manifest = Path::new(ROOT).join(".pre-commit-hooks.yaml");
    let status = pre_commit()
        .arg("validate-manifest")
        .arg(&manifest)
        .status()
        .expect("pre-commit is not installed: scripts/test.sh installs it");
    assert!(status.success(), "invalid .pre-commit-hooks.yaml");

    // The hooks as committed: pre-commit clones this repository at HEAD.
    let head = Command::new("git")
        .current_dir(ROOT)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    assert!(head.status.success(), "{ROOT} is not a git checkout");
    let head = String::from_utf8(head.stdout).unwrap();

    let repo = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let (repo, home) = (repo.path(), home.path());
    git_ok(repo, home, &["init", "-q"]);
    write(
        repo,
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: {ROOT}\n    rev: {}\n    hooks:\n      - id: pgrepl-lint\n      - id: pgrepl-check\n",
            head.trim()
        ),
    );
    let install = pre_commit()
        .current_dir(repo)
        .env("PRE_COMMIT_HOME", home)
        .arg("install")
        .output()
        .unwrap();
    assert!(install.status.success(), "{}", text(&install));
    git_ok(repo, home, &["add", ".pre-commit-config.yaml"]);
    git_ok(repo, home, &["commit", "-q", "-m", "pre-commit"]);

    // A pg_hba.conf with a /33 mask: the server would refuse to load it.
    write(repo, "db1/PG_VERSION", "16\n");
    write(
        repo,
        "db1/pg_hba.conf",
        "local all all peer\nhost replication replicator 10.0.0.12/33 scram-sha-256\n",
    );
    git_ok(repo, home, &["add", "db1"]);
    let o = git(repo, home, &["commit", "-m", "bad hba"]);
    let out = text(&o);
    assert!(!o.status.success(), "the bad commit passed: {out}");
    assert!(out.contains("Failed") && out.contains("PGR011"), "{out}");
    assert!(out.contains("db1/pg_hba.conf:2:"), "{out}");

    write(
        repo,
        "db1/pg_hba.conf",
        "local all all peer\nhost replication replicator 10.0.0.12/32 scram-sha-256\n",
    );
    git_ok(repo, home, &["add", "db1"]);
    let o = git(repo, home, &["commit", "-m", "fixed hba"]);
    assert!(o.status.success(), "the fixed commit failed: {}", text(&o));
    assert!(text(&o).contains("Passed"), "{}", text(&o));

    // A drop-in in conf.d/ is linted too (a value that needs quotes).
    write(repo, "db1/conf.d/pgrepl.conf", "listen_addresses = *\n");
    git_ok(repo, home, &["add", "db1"]);
    let o = git(repo, home, &["commit", "-m", "bad drop-in"]);
    let out = text(&o);
    assert!(!o.status.success(), "the bad drop-in passed: {out}");
    assert!(out.contains("PGR001"), "{out}");
    write(repo, "db1/conf.d/pgrepl.conf", "listen_addresses = '*'\n");
    git_ok(repo, home, &["add", "db1"]);
    let o = git(repo, home, &["commit", "-m", "fixed drop-in"]);
    assert!(o.status.success(), "the fixed drop-in failed: {}", text(&o));

    // A topology whose standby streams from a node that does not exist.
    let topology = std::fs::read_to_string(Path::new(ROOT).join("examples/guide.toml")).unwrap();
    let broken = topology.replace(
        "role = \"standby\"",
        "role = \"standby\"\nupstream = \"vm9\"",
    );
    assert_ne!(broken, topology);
    write(repo, "cluster-topology.toml", &broken);
    git_ok(repo, home, &["add", "cluster-topology.toml"]);
    let o = git(repo, home, &["commit", "-m", "bad topology"]);
    let out = text(&o);
    assert!(!o.status.success(), "the bad topology passed: {out}");
    assert!(out.contains("vm9"), "{out}");
    write(repo, "cluster-topology.toml", &topology);
    git_ok(repo, home, &["add", "cluster-topology.toml"]);
    let o = git(repo, home, &["commit", "-m", "fixed topology"]);
    assert!(
        o.status.success(),
        "the fixed topology failed: {}",
        text(&o)
    );
}
