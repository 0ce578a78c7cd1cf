//! `pgrepl ansible`'s playbook, run by real ansible-core (scripts/test.sh installs it in
//! $PGREPL_PG_CACHE/ansible) on real PostgreSQL: a loopback lab of the oldest and the newest
//! major set up by the playbook streams; a second run changes nothing on any host;
//! `--check --diff` after a topology change shows the change and makes none. Without the
//! ansible install the tests skip, except under CI=true, where they fail.

#[macro_use]
mod support;

use support::lab::*;
use support::plan_checks::swap_primary;
use support::real::*;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The directory of ansible-playbook and ansible-lint, if installed.
fn ansible_bin() -> Option<PathBuf> {
    let bin = cache().join("ansible/bin");
    if cache().join("ansible/.installed").exists() {
        return Some(bin);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "ansible-core is missing in CI ({}; scripts/test.sh installs it)",
        bin.display()
    );
    None
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The PLAY RECAP's counters of every host: (host, changed, failed).
fn recap(output: &str) -> Vec<(String, u32, u32)> {
    let counter = |line: &str, key: &str| -> u32 {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(key))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {key} in {line}"))
    };
    output
        .lines()
        .skip_while(|l| !l.starts_with("PLAY RECAP"))
        .skip(1)
        .filter(|l| l.contains(" : ok="))
        .map(|l| {
            (
                l.split_whitespace().next().unwrap().to_owned(),
                counter(l, "changed="),
                counter(l, "failed="),
            )
        })
        .collect()
}

fn playbook(bin: &Path, lab: &Lab, out: &Path, extra: &[&str]) -> Output {
    run_playbook(bin, lab, &out.join("site.yml"), extra)
}

/// `playbook` (site.yml, plan.yml) with the inventory beside it.
fn run_playbook(bin: &Path, lab: &Lab, playbook: &Path, extra: &[&str]) -> Output {
    let out = playbook.parent().unwrap();
    let vars = format!(
        r#"{{"pgrepl_stage_root": {}}}"#,
        toml_string(&lab.dir.join("stage").display().to_string())
    );
    let tmp = std::env::temp_dir().join(format!("pgrepl-ansible-{}", std::process::id()));
    let mut c = Command::new(bin.join("ansible-playbook"));
    c.arg("-i")
        .arg(out.join("inventory.yml"))
        .arg(playbook)
        .args(["-e", &vars])
        .args(extra)
        .env("PGREPL_REPLICATION_PASSWORD", PASSWORD)
        .env("PGREPL_REWIND_PASSWORD", REWIND_PASSWORD)
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_FORCE_COLOR", "0")
        // Ansible's own temporary directories take no quote in their path (the lab's has one).
        .env("ANSIBLE_LOCAL_TEMP", &tmp)
        .env("ANSIBLE_REMOTE_TEMP", &tmp);
    c.output().expect("ansible-playbook runs")
}

fn ansible_out(lab: &Lab, topology: &str) -> PathBuf {
    let file = lab.dir.join("topology.toml");
    fs::write(&file, topology).unwrap();
    let out = lab.dir.join("ansible");
    let o = support::pgrepl(&[
        "ansible",
        file.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "pgrepl ansible: {}", text(&o));
    out
}

fn lab_topology(lab: &Lab, max_wal_senders: u32) -> String {
    lab.topology(&format!(
        "[postgresql]\nmax_wal_senders = {max_wal_senders}\nwal_keep_size = \"64MB\"\nmax_slot_wal_keep_size = \"1GB\"\n{}",
        lab.nodes_toml(&[])
    ))
}

/// A primary and two standbys set up by the playbook, left alone by a second run, a change
/// previewed by check mode; then a failover to vm2 by the plan's playbook, and vm1's rejoin
/// by its `--tags rejoin` run once it is back.
fn playbook_sets_up_a_lab(major: u32) {
    let Some(bin) = ansible_bin() else { return };
    if !is_root() {
        eprintln!("skipped: the playbook becomes root (sudo), as on a real host");
        return;
    }
    let Some(mut lab) = Lab::new(major, 17, &["vm1", "vm2", "vm3"]) else {
        return;
    };
    for n in ["vm1", "vm2", "vm3"] {
        lab.init_server(n);
    }
    let installed = lab_topology(&lab, 5);
    let out = ansible_out(&lab, &installed);

    // First run: a new primary restarts for wal settings, which the user allows here.
    let first = playbook(&bin, &lab, &out, &["-e", "pgrepl_allow_restart=true"]);
    let first_text = text(&first);
    assert!(first.status.success(), "first run failed:\n{first_text}");
    assert_eq!(
        lab.sql(
            "vm1",
            "SELECT application_name, state FROM pg_stat_replication ORDER BY 1"
        ),
        "vm2|streaming\nvm3|streaming"
    );
    assert_eq!(lab.sql("vm2", "SELECT pg_is_in_recovery()"), "t");
    for (host, changed, failed) in recap(&first_text) {
        assert!(
            changed > 0,
            "{host}: the first run changed nothing?\n{first_text}"
        );
        assert_eq!(failed, 0, "{host}");
    }
    // The probe rows are gone; the passwords are in no output.
    assert_eq!(
        lab.sql(
            "vm1",
            "SELECT count(*) FROM pg_tables WHERE tablename = 'pgrepl_probe'"
        ),
        "0"
    );
    assert!(!first_text.contains(PASSWORD) && !first_text.contains(REWIND_PASSWORD));

    // Second run: nothing to do anywhere.
    let second = playbook(&bin, &lab, &out, &[]);
    let second_text = text(&second);
    assert!(second.status.success(), "second run failed:\n{second_text}");
    let hosts = recap(&second_text);
    assert_eq!(hosts.len(), 3, "{second_text}");
    for (host, changed, failed) in hosts {
        assert_eq!(
            changed, 0,
            "{host} changed on the second run:\n{second_text}"
        );
        assert_eq!(failed, 0, "{host}");
    }

    // A change, in check mode: shown, not made.
    let out = ansible_out(&lab, &lab_topology(&lab, 7));
    let check = playbook(&bin, &lab, &out, &["--check", "--diff"]);
    let check_text = text(&check);
    assert!(check.status.success(), "check mode failed:\n{check_text}");
    assert!(
        check_text.contains("-max_wal_senders = 5") && check_text.contains("+max_wal_senders = 7"),
        "check mode shows no diff of the drop-in:\n{check_text}"
    );
    assert_eq!(lab.sql("vm1", "SHOW max_wal_senders"), "5");
    let staged = lab.dir.join("stage/lab/vm1/conf.d/pgrepl-replication.conf");
    assert!(
        fs::read_to_string(&staged)
            .unwrap()
            .contains("max_wal_senders = 5")
    );

    failover_by_plan_playbook(&bin, &mut lab, &installed);
    lab.report(&format!("ansible, PostgreSQL {major}"));
}

/// vm1 killed with rows its standbys have; the failover plan's playbook promotes vm2 (the
/// most advanced, by what vm3 received) and repoints vm3; vm1's plays wait for `--tags
/// rejoin`, which brings it back as a standby of vm2.
fn failover_by_plan_playbook(bin: &Path, lab: &mut Lab, first: &str) {
    lab.sql("vm1", "CREATE TABLE committed (n int)");
    lab.sql(
        "vm1",
        "INSERT INTO committed SELECT generate_series(1, 1000)",
    );
    for n in ["vm2", "vm3"] {
        lab.wait_for(n, "SELECT count(*) FROM committed", "1000");
    }
    let plan = lab.plan_with(
        first,
        &swap_primary(first),
        "failover",
        &["--failover", "--ansible"],
    );
    lab.crash("vm1");
    for n in ["vm2", "vm3"] {
        lab.wait_for(
            n,
            "SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'",
            "0",
        );
    }
    // -v: the tasks' commands, with the argument vm2's promotion took from vm3's step.
    let run = run_playbook(
        bin,
        lab,
        &plan.join("plan.yml"),
        &["-v", "-e", "pgrepl_allow_restart=true"],
    );
    let run_text = text(&run);
    assert!(
        run.status.success(),
        "the failover playbook failed:\n{run_text}"
    );
    assert!(
        run_text.contains("plan-failover-promote.sh\", \"vm3=0/"),
        "vm3's received LSN is not passed on:\n{run_text}"
    );
    assert_eq!(lab.sql("vm2", "SELECT pg_is_in_recovery()"), "f");
    assert_eq!(lab.sql("vm2", "SELECT count(*) FROM committed"), "1000");
    assert_eq!(
        lab.sql(
            "vm2",
            "SELECT application_name, state FROM pg_stat_replication"
        ),
        "vm3|streaming"
    );
    // The rejoin marks vm1 a standby: not before --tags rejoin.
    assert!(
        !lab.data("vm1").join("standby.signal").exists()
            && !lab.data("vm1").join("recovery.conf").exists(),
        "vm1's plays ran before --tags rejoin"
    );

    let rejoin = run_playbook(
        bin,
        lab,
        &plan.join("plan.yml"),
        &["--tags", "rejoin", "-e", "pgrepl_allow_restart=true"],
    );
    let rejoin_text = text(&rejoin);
    assert!(
        rejoin.status.success(),
        "the rejoin run failed:\n{rejoin_text}"
    );
    assert_eq!(lab.sql("vm1", "SELECT pg_is_in_recovery()"), "t");
    assert_eq!(
        lab.sql(
            "vm2",
            "SELECT application_name, state FROM pg_stat_replication ORDER BY 1"
        ),
        "vm1|streaming\nvm3|streaming"
    );
    lab.sql("vm2", "INSERT INTO committed VALUES (1001)");
    lab.wait_for("vm1", "SELECT count(*) FROM committed", "1001");
}

/// The oldest and the newest of the majors under test.
fn ends_of_majors() -> Vec<u32> {
    let majors = majors();
    let mut ends = vec![*majors.iter().min().unwrap(), *majors.iter().max().unwrap()];
    ends.dedup();
    ends
}

#[test]
fn playbook_on_oldest_and_newest_major() {
    for major in ends_of_majors() {
        playbook_sets_up_a_lab(major);
    }
}

/// The playbook of every example, together, and a failover plan's playbook are clean for
/// ansible-lint's production profile (offline: they need nothing beyond ansible.builtin).
#[test]
fn playbook_passes_ansible_lint_production() {
    let Some(bin) = ansible_bin() else { return };
    let dir = tempfile_dir("pgrepl-ansible-lint");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut args: Vec<String> = vec!["ansible".into()];
    let mut files: Vec<PathBuf> = fs::read_dir(&examples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    args.extend(files.iter().map(|p| p.display().to_string()));
    args.extend(["-o".into(), dir.join("out").display().to_string()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = support::pgrepl(&refs);
    assert!(o.status.success(), "{}", text(&o));
    // And a failover plan's playbook (its later plays tagged).
    let guide = fs::read_to_string(examples.join("guide.toml")).unwrap();
    let swapped = guide
        .replace("role = \"primary\"", "role = \"PRIMARY\"")
        .replace("role = \"standby\"", "role = \"primary\"")
        .replace("role = \"PRIMARY\"", "role = \"standby\"");
    fs::write(dir.join("old.toml"), &guide).unwrap();
    fs::write(dir.join("new.toml"), &swapped).unwrap();
    let o = support::pgrepl(&[
        "plan",
        dir.join("old.toml").to_str().unwrap(),
        dir.join("new.toml").to_str().unwrap(),
        "-o",
        dir.join("plan").to_str().unwrap(),
        "--failover",
        "--ansible",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let plan = fs::read_to_string(dir.join("plan/plan.yml")).unwrap();
    assert!(plan.contains("tags: [never, rejoin]"), "{plan}");
    for out in ["out", "plan"] {
        let lint = Command::new(bin.join("ansible-lint"))
            .args(["--profile", "production", "--offline", "--nocolor"])
            .current_dir(dir.join(out))
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .output()
            .expect("ansible-lint runs");
        assert!(
            lint.status.success(),
            "ansible-lint ({out}):\n{}",
            text(&lint)
        );
    }
    let _ = fs::remove_dir_all(&dir);
}

fn tempfile_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("{tag}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}
