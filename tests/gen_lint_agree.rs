//! pgrepl never disagrees with itself: what `gen` writes, installed on each major's stock
//! files as its runbooks install it, is clean under `lint --fail-on info`, with
//! `--topology` and without.
//!
//! Every example at every major 10-18, three ways: the conf.d drop-ins beside the stock
//! postgresql.conf, the node's own postgresql.conf patched by `gen --base` with the
//! drop-ins still installed, and the patched postgresql.conf alone (no pgrepl drop-in).
//! Stock files are PostgreSQL's samples as the distributions and initdb fill them in (pg_hba.conf's host method md5 before 14, scram-sha-256 from 14). The
//! real-server version of this, on a cluster the runbooks built, is in real_postgres.

mod support;

use std::fs;
use std::path::Path;

use pgrepl::topology::model::LayoutKind;
use support::{pgrepl, root, stderr, stem, tomls};

const MAJORS: std::ops::RangeInclusive<u32> = 10..=18;

fn sample(major: u32, name: &str) -> String {
    let path = root().join(format!("../shared/pg-samples/{major}/{name}.sample"));
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// pg_hba.conf as pg_createcluster (and `initdb --auth-local=peer --auth-host=…`) writes it.
fn stock_hba(major: u32) -> String {
    let host = if major >= 14 { "scram-sha-256" } else { "md5" };
    sample(major, "pg_hba.conf")
        .replace("@remove-line-for-nolocal@", "")
        .replace("@authmethodlocal@", "peer")
        .replace("@authmethodhost@", host)
        .replace("@authcomment@", "")
}

/// postgresql.conf as installed: Debian's reads conf.d at its end; elsewhere the
/// install-config step adds that line.
fn stock_conf(major: u32, kind: LayoutKind) -> String {
    let mut text = sample(major, "postgresql.conf");
    match kind {
        LayoutKind::Debian => text.push_str("include_dir = 'conf.d'\n"),
        _ => text.push_str(
            "\n# Added by pgrepl: read the drop-ins in conf.d, last so that they take effect.\ninclude_dir = 'conf.d'\n",
        ),
    }
    text
}

/// The example at another major (the rest of the file unchanged).
fn at_major(example: &str, major: u32) -> String {
    let mut out = String::new();
    for line in example.lines() {
        if line.starts_with("pg_version") {
            out.push_str(&format!("pg_version = {major}\n"));
        } else if line.starts_with("bin_dir") {
            out.push_str(&format!("bin_dir = \"/usr/lib/postgresql/{major}/bin\"\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// How a node's settings are installed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Install {
    /// The drop-ins beside the stock postgresql.conf, as the runbooks install them.
    DropIns,
    /// The postgresql.conf `gen --base` patches, and the drop-ins too.
    PatchedAndDropIns,
    /// Only the patched postgresql.conf (and pg_hba.conf), as configuration management
    /// would install them.
    PatchedOnly,
}

/// Generates `topology` over stock files, installs the output into `tree` as `install`
/// says, and returns lint's report when it is not clean.
fn installed_and_linted(dir: &Path, topology: &str, install: Install) -> Option<String> {
    let topo_path = dir.join("topology.toml");
    write(&topo_path, topology);
    let valid = pgrepl::topology::load(topology)
        .topology
        .expect("examples are valid");
    let major = valid.facts.major;
    let kind = match valid.nodes[0]
        .layout
        .config_dir
        .starts_with("/etc/postgresql/")
    {
        true => LayoutKind::Debian,
        false => LayoutKind::Custom,
    };
    let base = dir.join("base");
    for n in &valid.nodes {
        write(&base.join(&n.name).join("pg_hba.conf"), &stock_hba(major));
        write(
            &base.join(&n.name).join("postgresql.conf"),
            &stock_conf(major, kind),
        );
    }
    let out = dir.join("out");
    let o = pgrepl(&[
        "gen",
        topo_path.to_str().unwrap(),
        "--base",
        base.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "gen: {}", stderr(&o));
    let tree = dir.join("tree");
    for n in &valid.nodes {
        let from = out.join(&n.name);
        // Under the node's name, at its real path: lint pairs clusters with nodes by name.
        let under = |p: &str| tree.join(&n.name).join(p.trim_start_matches('/'));
        let config = under(&n.layout.config_dir);
        let conf = match install {
            Install::DropIns => stock_conf(major, kind),
            _ => fs::read_to_string(from.join("postgresql.conf")).unwrap(),
        };
        write(&config.join("postgresql.conf"), &conf);
        write(
            &config.join("pg_hba.conf"),
            &fs::read_to_string(from.join("pg_hba.conf")).unwrap(),
        );
        // There even when empty, as on Debian (postgresql.conf reads it).
        fs::create_dir_all(config.join("conf.d")).unwrap();
        for entry in fs::read_dir(from.join("conf.d")).unwrap() {
            let entry = entry.unwrap();
            if install == Install::PatchedOnly && entry.file_name() == "pgrepl-replication.conf" {
                continue;
            }
            write(
                &config.join("conf.d").join(entry.file_name()),
                &fs::read_to_string(entry.path()).unwrap(),
            );
        }
        // The data directory, when the configuration lives in it: its version, and what
        // makes a standby one (recovery.conf before 12, standby.signal from 12).
        if n.layout.config_dir == n.layout.data_dir {
            let data = under(&n.layout.data_dir);
            write(&data.join("PG_VERSION"), &format!("{major}\n"));
            if n.upstream.is_some() {
                match fs::read_to_string(from.join("recovery.conf")) {
                    Ok(recovery) => write(&data.join("recovery.conf"), &recovery),
                    Err(_) => write(&data.join("standby.signal"), ""),
                }
            }
        }
    }
    // With the topology, and without it (lint then knows no node's own address).
    let mut reports = Vec::new();
    for with_topology in [true, false] {
        let mut args = vec!["lint", tree.to_str().unwrap(), "--fail-on", "info"];
        if with_topology {
            args.extend(["--topology", topo_path.to_str().unwrap()]);
        }
        let o = pgrepl(&args);
        if o.status.code() != Some(0) {
            reports.push(format!(
                "-- lint {}:\n{}{}",
                if with_topology { "--topology" } else { "alone" },
                String::from_utf8_lossy(&o.stdout),
                stderr(&o)
            ));
        }
    }
    (!reports.is_empty()).then(|| reports.join("\n"))
}

#[test]
fn lint_finds_nothing_in_what_gen_installs() {
    let mut disagreements = Vec::new();
    let mut combinations = 0;
    for example in tomls("examples") {
        let source = fs::read_to_string(&example).unwrap();
        for major in MAJORS {
            for install in [
                Install::DropIns,
                Install::PatchedAndDropIns,
                Install::PatchedOnly,
            ] {
                combinations += 1;
                let dir = tempfile::tempdir().unwrap();
                let topology = at_major(&source, major);
                if let Some(report) = installed_and_linted(dir.path(), &topology, install) {
                    disagreements.push(format!(
                        "== {} at PostgreSQL {major}, {install:?}:\n{report}",
                        stem(&example)
                    ));
                }
            }
        }
    }
    assert!(combinations >= 4 * 9 * 3, "{combinations}");
    assert!(
        disagreements.is_empty(),
        "{} of {combinations} installs are not clean:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
