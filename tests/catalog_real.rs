//! The version catalogue against the real servers: the committed tables are what the
//! extraction script gets from each binary; every verdict of the value checker on a
//! systematic sample matches `postgres -C`; and the history facts (removed, not yet there,
//! aliases, recovery.conf-only) hold on every major.

#[macro_use]
mod support;

use std::path::PathBuf;
use std::process::Command;

use pgrepl::catalog::history::{Lookup, lookup};
use pgrepl::catalog::params::{Param, ParamType, params};
use pgrepl::catalog::values::{NumberRules, check};
use support::real::*;

/// A throw-away cluster of one major, only for `postgres -C`.
struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Cluster {
    fn new(major: u32, tag: &str) -> Option<Cluster> {
        let bin = bin_dir(major)?;
        if is_root() {
            ensure_test_user();
        }
        let dir = std::env::temp_dir().join(format!(
            "pgrepl-catalog-{tag}-{major}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        if is_root() {
            run(Command::new("chown").args([TEST_USER]).arg(&dir), "chown");
        }
        let mut c = as_pg(bin.join("initdb").to_str().unwrap());
        c.args([
            "-D",
            dir.join("data").to_str().unwrap(),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-N",
        ]);
        c.current_dir("/");
        run(c, "initdb");
        Some(Cluster { dir, bin })
    }

    /// `postgres -C name -c name=value`: the value the server would use, or `None` if it
    /// refuses to start with it.
    /// What `postgres -C` prints for `name` (with `value` set), or None when the server
    /// rejects the value. A rejection names the parameter; a failure that does not (a
    /// process that could not run on a loaded machine) is retried, then fails the test.
    fn server_value(&self, name: &str, value: Option<&str>) -> Option<String> {
        let mut last = String::new();
        for _ in 0..3 {
            let mut c = as_pg(self.bin.join("postgres").to_str().unwrap());
            c.arg("-D")
                .arg(self.dir.join("data"))
                .args(["-C", name])
                .current_dir("/");
            if let Some(v) = value {
                c.arg("-c").arg(format!("{name}={v}"));
            }
            let o = c.output().unwrap();
            if o.status.success() {
                return Some(
                    String::from_utf8_lossy(&o.stdout)
                        .trim_end_matches('\n')
                        .to_owned(),
                );
            }
            last = String::from_utf8_lossy(&o.stderr).into_owned();
            if last.contains(&format!("\"{name}\"")) {
                return None;
            }
        }
        panic!("postgres -C {name} (value {value:?}) failed without naming the parameter: {last}");
    }
}

fn fmt(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Values to try for a parameter: valid, invalid and tricky spellings of its type.
fn candidates(p: &Param, major: u32) -> Vec<String> {
    let mut c: Vec<String> = Vec::new();
    match p.ty {
        ParamType::Bool => {
            for v in [
                "on", "off", "true", "false", "yes", "no", "1", "0", "t", "f", "y", "n", "of", "o",
                "TRUE", " on ", "maybe", "2", "01", "",
            ] {
                c.push(v.into());
            }
        }
        ParamType::Enum => {
            for v in p
                .enum_values
                .iter()
                .chain(p.enum_aliases.iter().map(|(a, _)| a))
            {
                c.push(v.clone());
                c.push(v.to_uppercase());
            }
            c.extend(["bogus".into(), "".into(), "on".into(), "off".into()]);
        }
        ParamType::Integer | ParamType::Real => {
            for v in [
                "0", "1", "-1", "7 ", " 7", "1.5", "1e2", "0x10", "010", "abc", "", "1,5", "nan",
                "inf",
            ] {
                c.push(v.into());
            }
            if let (Some(lo), Some(hi)) = (p.min, p.max) {
                c.extend([fmt(lo), fmt(hi)]);
                if hi < 1e15 {
                    c.push(fmt(hi + 1.0));
                }
                if lo > -1e15 {
                    c.push(fmt(lo - 1.0));
                }
            }
            let memory = matches!(p.unit.as_deref(), Some("B" | "kB" | "8kB" | "MB"));
            let time = matches!(p.unit.as_deref(), Some("ms" | "s" | "min"));
            let units: &[&str] = if memory {
                &["B", "kB", "MB", "GB", "TB", "mb", "KB"]
            } else if time {
                &["us", "ms", "s", "min", "h", "d", "sec"]
            } else {
                &["kB", "s"]
            };
            for u in units {
                c.extend([
                    format!("1{u}"),
                    format!("2 {u}"),
                    format!("1.5{u}"),
                    format!("3{u} "),
                ]);
            }
        }
        ParamType::String => {}
    }
    let _ = major;
    c
}

/// A deterministic sample: for each (type, unit) the first three parameters that can be set
/// from a file, plus the ones pgrepl writes itself.
fn sample(major: u32) -> Vec<&'static Param> {
    let table = params(major).unwrap();
    let mut seen: std::collections::BTreeMap<(String, String), usize> = Default::default();
    let mut out = Vec::new();
    for p in table.iter() {
        if p.ty == ParamType::String || p.context == pgrepl::catalog::Context::Internal {
            continue;
        }
        let key = (p.ty.as_str().to_owned(), p.unit.clone().unwrap_or_default());
        let n = seen.entry(key).or_default();
        // pgrepl's own settings, and every setting a server check hook limits further.
        let ours = [
            "wal_level",
            "max_wal_senders",
            "wal_keep_size",
            "wal_keep_segments",
            "max_replication_slots",
            "hot_standby",
            "port",
            "synchronous_commit",
            "password_encryption",
            "max_connections",
            "autovacuum_max_workers",
            "autovacuum_worker_slots",
            "max_worker_processes",
            "autovacuum_work_mem",
        ]
        .contains(&p.name.as_str());
        if *n < 3 || ours {
            *n += 1;
            out.push(p);
        }
    }
    out
}

fn same_value(ours: &str, server: &str, ty: ParamType) -> bool {
    if ty == ParamType::Real {
        match (ours.parse::<f64>(), server.parse::<f64>()) {
            (Ok(a), Ok(b)) => a == b || ((a - b) / b.abs().max(1e-300)).abs() < 1e-6,
            _ => false,
        }
    } else {
        ours == server
    }
}

fn value_verdicts_match_the_server(major: u32) {
    let Some(cluster) = Cluster::new(major, "values") else {
        return;
    };
    let rules = NumberRules::for_major(major);
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for p in sample(major) {
        for v in candidates(p, major) {
            let server = cluster.server_value(&p.name, Some(&v));
            let ours = check(p, &v, rules).ok();
            let agree = match (&ours, &server) {
                (Some(a), Some(b)) => same_value(a, b, p.ty),
                (None, None) => true,
                _ => false,
            };
            if !agree {
                mismatches.push(format!(
                    "{} = {v:?}: pgrepl {ours:?}, server {server:?}",
                    p.name
                ));
            }
            compared += 1;
        }
    }
    eprintln!("PG{major}: {compared} values compared with postgres -C");
    assert!(compared > 300, "only {compared} values compared");
    assert!(
        mismatches.is_empty(),
        "PG{major}: {} of {compared} verdicts differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

fn history_holds_on_the_server(major: u32) {
    let Some(cluster) = Cluster::new(major, "history") else {
        return;
    };
    // Every name of every major, and the curated ones: the server knows exactly those the
    // catalogue calls known or alias in this major.
    let mut names: Vec<String> = (pgrepl::catalog::OLDEST..=pgrepl::catalog::NEWEST)
        .flat_map(|m| params(m).unwrap().iter().map(|p| p.name.clone()))
        .collect();
    names.extend(
        pgrepl::catalog::history::RECOVERY_CONF_PARAMS
            .iter()
            .map(|s| s.to_string()),
    );
    names.extend(
        pgrepl::catalog::history::NAME_ALIASES
            .iter()
            .map(|a| a.0.to_string()),
    );
    names.extend(
        pgrepl::catalog::history::HIDDEN_PARAMS
            .iter()
            .map(|h| h.0.to_string()),
    );
    names.sort();
    names.dedup();
    let this_major: std::collections::BTreeSet<&str> = params(major)
        .unwrap()
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    let mut checked = 0;
    for name in &names {
        let l = lookup(major, name);
        // Names present in this major were extracted from this very server; probe the rest.
        if this_major.contains(name.as_str()) {
            assert!(matches!(l, Lookup::Known(_)), "{name}");
            continue;
        }
        let accepted = cluster.server_value(name, None).is_some();
        let says_accepted = matches!(l, Lookup::Alias { .. } | Lookup::Hidden)
            || pgrepl::catalog::history::hidden(major, name);
        assert_eq!(
            pgrepl::catalog::history::recognized(major, name),
            says_accepted,
            "PG{major}: {name}: lookup and recognized disagree"
        );
        assert!(
            accepted == says_accepted,
            "PG{major}: {name}: server accepts = {accepted}, catalogue says {l:?}"
        );
        if let Lookup::Alias { param } = l {
            let v = cluster.server_value(&param.name, None);
            let mut c = as_pg(cluster.bin.join("postgres").to_str().unwrap());
            c.arg("-D")
                .arg(cluster.dir.join("data"))
                .args(["-C", &param.name])
                .current_dir("/");
            let probe = match param.ty {
                ParamType::Integer => "8MB",
                _ => "X25519",
            };
            c.arg("-c").arg(format!("{name}={probe}"));
            let o = c.output().unwrap();
            assert!(
                o.status.success(),
                "PG{major}: {name} as an alias of {}",
                param.name
            );
            assert_ne!(
                Some(String::from_utf8_lossy(&o.stdout).trim().to_owned()),
                v,
                "PG{major}: setting {name} did not change {}",
                param.name
            );
        }
        checked += 1;
    }
    eprintln!("PG{major}: {checked} names outside this major's table probed");
}

/// The committed table equals what the extraction script gets from the server now.
fn committed_table_is_current(major: u32) {
    if bin_dir(major).is_none() {
        return;
    }
    let o = Command::new("bash")
        .arg(support::root().join("scripts/extract-catalog.sh"))
        .args(["--check", &major.to_string()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

per_major!(
    value_verdicts_match_the_server,
    history_holds_on_the_server,
    committed_table_is_current
);
