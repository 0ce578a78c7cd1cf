//! What the fuzz targets in `fuzz/` run, kept here so that the regression test
//! (tests/fuzz_regressions.rs) replays the saved corpus and crashes through exactly the same
//! code. Each function must not panic on any input; where a property holds for every input
//! (the config parser prints back its input), it asserts it.

use std::path::Path;

use crate::catalog::conninfo;
use crate::pgconf::conf::ConfFile;
use crate::pgconf::hba::{self, Connection, Features};

/// postgresql.conf: parsing never fails and prints back the exact bytes; every span is inside
/// the text.
pub fn conf(data: &[u8]) {
    let parsed = ConfFile::parse(data.to_vec());
    assert_eq!(parsed.print(), data);
    for line in &parsed.lines {
        assert!(line.span.end <= data.len());
        if let crate::pgconf::conf::Item::Setting(s) = &line.item {
            assert!(s.name_span.end <= line.span.end && s.value_span.end <= line.span.end);
        }
    }
}

/// pg_hba.conf, as each major reads it, then a first-match evaluation.
pub fn hba(data: &[u8]) {
    let major = 10 + u32::from(data.first().copied().unwrap_or(0) % 9);
    let rules = hba::rows(
        data,
        Path::new("/nonexistent/pg_hba.conf"),
        Features::distribution(major),
    );
    for r in &rules {
        assert!(r.span.end <= data.len());
    }
    let conn = Connection {
        source: Some("10.0.0.12".parse().expect("an address")),
        ssl: data.len() % 2 == 0,
        gssenc: false,
        database: "replication",
        replication: true,
        user: "replicator",
    };
    let _ = hba::first_match(&rules, &conn);
}

/// A libpq connection string (primary_conninfo).
pub fn conninfo(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(pairs) = conninfo::parse(text) {
        for p in pairs {
            assert!(p.keyword_span.end <= text.len() && p.value_span.end <= text.len());
        }
    }
}

/// A topology: loading and validating never panic; a topology that validates renders, and no
/// diagnostic span points outside the text.
pub fn topology(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let loaded = crate::topology::load(text);
    for d in &loaded.diagnostics {
        for l in &d.labels {
            assert!(l.span.end <= text.len(), "{d:?}");
        }
    }
    let _ = crate::topology::redact_secrets(text);
    if let Some(topo) = loaded.topology {
        let env = crate::render::templates::environment(None).expect("embedded templates");
        crate::render::plan(&topo, &env).expect("a valid topology renders");
    }
}

/// The files of a cluster directory, cut out of the input: `\0` separates postgresql.conf,
/// pg_hba.conf, conf.d/a.conf, postgresql.auto.conf and PG_VERSION (missing parts are not
/// written). Linted as a directory, then rendered in every output format.
pub fn lint_tree(data: &[u8], dir: &Path) {
    const FILES: [&str; 5] = [
        "postgresql.conf",
        "pg_hba.conf",
        "conf.d/a.conf",
        "postgresql.auto.conf",
        "PG_VERSION",
    ];
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("conf.d")).expect("a scratch directory");
    for (name, part) in FILES.iter().zip(data.split(|&b| b == 0)) {
        std::fs::write(dir.join(name), part).expect("a scratch file");
    }
    let Ok(clusters) = crate::lint::discover::discover(&[dir.to_path_buf()], None) else {
        return;
    };
    let findings = crate::lint::check(&crate::lint::Fleet::new(&clusters, None));
    let _ = crate::report::json(&findings);
    let _ = crate::report::sarif(&findings);
    let _ = crate::report::github(&findings);
    let _ = crate::report::human(&findings, crate::diag::Style::PLAIN);
}
