//! The lint command's conventions, as linter users expect them: standard input, suppression
//! comments, per-file-ignores, --statistics, completions and manual pages, and findings that
//! read right.

mod support;

use std::fs;
use std::path::Path;

use support::*;

/// `lint -` reads standard input; `--stdin-filename` says what file it stands for, which
/// decides the kind, the name in reports and where the rest of the cluster is.
#[test]
fn lint_reads_standard_input() {
    use std::io::Write;
    use std::process::Stdio;
    let run = |args: &[&str], input: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pgrepl"))
            .args(["--color", "never"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A command line refused before stdin is read closes the pipe: not an error here.
        let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
        child.wait_with_output().unwrap()
    };
    let hba = "host replication all 0.0.0.0/0 md5\n";
    // Read as pg_hba.conf from its first record; named `-`.
    let o = run(
        &["lint", "-", "--format", "concise", "--pg-version", "16"],
        hba,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "-:1:1: PGR012 pg_hba.conf line 1 admits replication from a /0 range\n-:1:1: PGR013 pg_hba.conf line 1: replication over the network with md5\n"
    );
    // Standing for a file of a cluster: that cluster's other file is read from disk, and the
    // text from stdin replaces the file on disk (here: a clean pg_hba.conf).
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("PG_VERSION"), "15\n").unwrap();
    fs::write(
        tmp.path().join("postgresql.conf"),
        "listen_addresses = '*'\nwal_level = replica\n",
    )
    .unwrap();
    fs::write(
        tmp.path().join("pg_hba.conf"),
        "host replication r 10.0.0.2/32 scram-sha-256\n",
    )
    .unwrap();
    let name = tmp.path().join("pg_hba.conf");
    let o = run(
        &[
            "lint",
            "-",
            "--stdin-filename",
            name.to_str().unwrap(),
            "--format",
            "json",
        ],
        "local all all peer\n",
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(lint_findings(&o), [("PGR014".into(), "error".into())]);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    let o = run(
        &["lint", "-", "--stdin-filename", name.to_str().unwrap()],
        hba,
    );
    assert!(
        stdout(&o).contains(&format!("{}:1:1]", name.display())),
        "{}",
        stdout(&o)
    );
    // `-` with other paths, or --stdin-filename without `-`, is a wrong command line.
    assert_eq!(run(&["lint", "-", "x"], hba).status.code(), Some(2));
    assert_eq!(
        run(&["lint", "--stdin-filename", "a.conf", "x"], hba)
            .status
            .code(),
        Some(2)
    );
}

/// Suppression comments on a line of their own, `per-file-ignores` and `--statistics`.
#[test]
fn lint_suppressions_and_statistics() {
    let tmp = tempfile::tempdir().unwrap();
    let cluster = tmp.path().join("legacy");
    fs::create_dir(&cluster).unwrap();
    fs::write(cluster.join("PG_VERSION"), "16\n").unwrap();
    fs::write(
        cluster.join("postgresql.conf"),
        "listen_addresses = '*'\nwork_mem = 4MB\n# pgrepl: ignore duplicate-setting\n\n# the old value, kept for now\nwork_mem = 8MB\nwork_mem = 16MB\n",
    )
    .unwrap();
    fs::write(
        cluster.join("pg_hba.conf"),
        "# pgrepl: ignore PGR012\nhost replication r 10.0.0.0/8 scram-sha-256\nhost replication s 10.0.0.0/8 scram-sha-256\n",
    )
    .unwrap();
    let dir = cluster.to_str().unwrap();
    let findings = |o: &std::process::Output| {
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{} {}:{}", f["rule"], f["file"], f["line"]))
            .map(|s| s.replace('"', "").replace(&format!("{dir}/"), ""))
            .collect::<Vec<_>>()
    };
    // The own-line comments apply to the next record (line 6, past a blank and a comment;
    // line 2 of pg_hba.conf), not to the line they are on or to any other.
    let o = pgrepl(&["lint", dir, "--format", "json"]);
    assert_eq!(
        findings(&o),
        ["PGR012 pg_hba.conf:3", "PGR006 postgresql.conf:2"]
    );
    // Without the comments, line 6 and record 1 are reported too.
    for file in ["pg_hba.conf", "postgresql.conf"] {
        let text = fs::read_to_string(cluster.join(file)).unwrap();
        let kept: String = text
            .lines()
            .filter(|l| !l.contains("pgrepl: ignore"))
            .map(|l| format!("{l}\n"))
            .collect();
        fs::write(cluster.join(file), kept).unwrap();
    }
    let o = pgrepl(&["lint", "--statistics", dir]);
    assert_eq!(
        stdout(&o),
        "2  PGR006  duplicate-setting        warning\n2  PGR012  replication-source-wide  warning\n"
    );
    let o = pgrepl(&["lint", "--statistics", "--format", "json", dir]);
    let counts: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(counts[0]["rule"], "PGR006");
    assert_eq!(counts[0]["count"], 2);
    // per-file-ignores: globs relative to the .pgrepl.toml, a bare name anywhere below.
    fs::write(
        tmp.path().join(".pgrepl.toml"),
        "[per-file-ignores]\n\"legacy/*.conf\" = [\"PGR006\"]\n\"pg_hba.conf\" = [\"replication-source-wide\"]\n",
    )
    .unwrap();
    let o = pgrepl(&["lint", dir, "--format", "json"]);
    assert_eq!(findings(&o), Vec::<String>::new());
    fs::write(
        tmp.path().join(".pgrepl.toml"),
        "[per-file-ignores]\n\"other/*.conf\" = [\"PGR006\"]\n",
    )
    .unwrap();
    let o = pgrepl(&["lint", dir, "--format", "json"]);
    assert_eq!(findings(&o).len(), 4);
}

/// Completion scripts and manual pages come from the parser itself.
#[test]
fn completions_and_manual_pages() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = pgrepl(&["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}");
        let script = stdout(&o);
        assert!(
            script.contains("stdin-filename") && script.contains("statistics"),
            "{shell}: {script}"
        );
    }
    // bash completes subcommands and a subcommand's flags from the script.
    let script = stdout(&pgrepl(&["completions", "bash"]));
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("pgrepl.bash");
    fs::write(&file, script).unwrap();
    let complete = |words: &str| {
        let o = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source {}; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); _pgrepl pgrepl; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                file.display()
            ))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    let subcommands = complete("pgrepl l");
    assert!(subcommands.lines().any(|l| l == "lint"), "{subcommands}");
    let flags = complete("pgrepl lint --st");
    assert!(
        flags.lines().any(|l| l == "--stdin-filename")
            && flags.lines().any(|l| l == "--statistics"),
        "{flags}"
    );
    let o = pgrepl(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));

    let page = stdout(&pgrepl(&["man"]));
    assert!(
        page.starts_with(".ie") && page.contains(".TH pgrepl 1"),
        "{page}"
    );
    for sub in ["gen", "lint", "settings", "completions"] {
        assert!(page.contains(&format!("pgrepl\\-{sub}")), "{sub}");
    }
    let lint = stdout(&pgrepl(&["man", "lint"]));
    assert!(lint.contains(".TH pgrepl-lint 1"), "{lint}");
    assert!(lint.contains("\\-\\-stdin\\-filename") && lint.contains("\\-\\-fail\\-on"));
    assert_eq!(
        pgrepl(&["man", "lint"]).stdout,
        pgrepl(&["man", "lint"]).stdout
    );
    assert_eq!(pgrepl(&["man", "frob"]).status.code(), Some(2));
}

/// Lint findings that read right: one finding for one mistake, sizes in words, and rules
/// about primaries silent on standbys.
#[test]
fn lint_findings_read_right() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let rules = |major: &str, conf: &str, extra: &[&str]| {
        fs::write(dir.join("PG_VERSION"), format!("{major}\n")).unwrap();
        fs::write(dir.join("postgresql.conf"), conf).unwrap();
        let o = pgrepl(
            &["lint", dir.to_str().unwrap(), "--format", "concise"]
                .into_iter()
                .chain(extra.iter().copied())
                .collect::<Vec<_>>(),
        );
        stdout(&o)
            .lines()
            .map(|l| l.split_once(": ").unwrap().1.to_owned())
            .collect::<Vec<_>>()
    };
    // `on` is md5 before 14 (PGR021), and refused from 14 (PGR005 alone).
    let on = "password_encryption = on\nlisten_addresses = '*'\n";
    assert_eq!(
        rules("13", on, &["--select", "PGR005,PGR021"]),
        ["PGR021 password_encryption = on: passwords are hashed with md5"]
    );
    assert_eq!(
        rules("16", on, &["--select", "PGR005,PGR021"]),
        ["PGR005 invalid value for password_encryption; available values: md5, scram-sha-256"]
    );
    assert_eq!(
        rules("16", "shared_buffers = 8\n", &["--select", "PGR005"]),
        [
            "PGR005 shared_buffers = 8 is 8 blocks of 8kB (64kB), below the minimum of 16 blocks (128kB)"
        ]
    );
    // A standby keeps replication records for after a promotion; listening on localhost is
    // not reported on it, but is on a primary with the same files.
    fs::write(
        dir.join("pg_hba.conf"),
        "host replication r 10.0.0.2/32 scram-sha-256\n",
    )
    .unwrap();
    let standby = "primary_conninfo = 'host=10.0.0.1 user=r'\n";
    fs::write(dir.join("standby.signal"), "").unwrap();
    assert_eq!(
        rules("16", standby, &["--select", "PGR009"]),
        Vec::<String>::new()
    );
    fs::remove_file(dir.join("standby.signal")).unwrap();
    assert_eq!(
        rules(
            "16",
            "#listen_addresses = 'localhost'\n",
            &["--select", "PGR009"]
        ),
        ["PGR009 this server listens on localhost only; standbys cannot connect"]
    );
}

/// `lint --topology` of PGR028's fixture topology over the nodes in `dir`, PGR028 only.
fn lint_drift(dir: &Path, fixture: &Path) -> std::process::Output {
    pgrepl(&[
        "lint",
        dir.to_str().unwrap(),
        "--topology",
        fixture.join("topology.toml").to_str().unwrap(),
        "--select",
        "PGR028",
        "--format",
        "concise",
    ])
}

/// PGR028: a drifted drop-in and a later line overriding it are two problems, both reported.
#[test]
fn drift_and_override_are_both_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let good = root().join("tests/lint/PGR028/good");
    for node in ["pg-a", "pg-b"] {
        let to = tmp.path().join(node);
        fs::create_dir_all(to.join("conf.d")).unwrap();
        for f in [
            "PG_VERSION",
            "postgresql.conf",
            "pg_hba.conf",
            "conf.d/pgrepl-replication.conf",
        ] {
            fs::copy(good.join(node).join(f), to.join(f)).unwrap();
        }
    }
    let drop_in = tmp.path().join("pg-a/conf.d/pgrepl-replication.conf");
    let text = fs::read_to_string(&drop_in).unwrap();
    fs::write(
        &drop_in,
        text.replace("max_wal_senders = 5", "max_wal_senders = 3"),
    )
    .unwrap();
    let auto = tmp.path().join("pg-a/postgresql.auto.conf");
    fs::write(&auto, "wal_keep_size = '16MB'\n").unwrap();
    let o = lint_drift(tmp.path(), &good);
    let out = stdout(&o);
    assert!(
        out.contains("pgrepl-replication.conf differs from what pgrepl gen writes for node pg-a"),
        "{out}"
    );
    assert!(
        out.contains("wal_keep_size here overrides wal_keep_size = 64MB"),
        "{out}"
    );
}

/// PGR028 without the drop-in: the node's own postgresql.conf holding the drop-in's settings
/// (as `gen --base` patches it) is installed; one of them missing is named.
#[test]
fn settings_in_postgresql_conf_stand_for_the_drop_in() {
    let good = root().join("tests/lint/PGR028/good");
    let lint = |replace: (&str, &str)| {
        let tmp = tempfile::tempdir().unwrap();
        for node in ["pg-a", "pg-b"] {
            let (from, to) = (good.join(node), tmp.path().join(node));
            fs::create_dir_all(&to).unwrap();
            for f in ["PG_VERSION", "pg_hba.conf"] {
                fs::copy(from.join(f), to.join(f)).unwrap();
            }
            // The drop-in's lines in place of postgresql.conf's include of it.
            let drop_in = fs::read_to_string(from.join("conf.d/pgrepl-replication.conf")).unwrap();
            fs::write(
                to.join("postgresql.conf"),
                drop_in.replace(replace.0, replace.1),
            )
            .unwrap();
        }
        let o = lint_drift(tmp.path(), &good);
        (o.status.code(), stdout(&o))
    };
    assert_eq!(lint(("", "")), (Some(0), String::new()));
    let (code, out) = lint(("max_wal_senders = 5", "max_wal_senders = 3"));
    // A warning, under the default --fail-on error; both nodes have it.
    assert_eq!((code, out.lines().count()), (Some(0), 2), "{out}");
    assert!(
        out.contains("conf.d/pgrepl-replication.conf is not read by this cluster, and 1 of the settings pgrepl gen intends for node pg-a is not in effect: max_wal_senders = 5"),
        "{out}"
    );
}
