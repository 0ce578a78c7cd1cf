//! Every input the fuzzers kept (fuzz/corpus/<target>/) and every crash they found
//! (fuzz/regressions/<target>/, named after what it broke), replayed through the same code the
//! fuzz targets run: what once crashed must never crash again, and what reached deep code must
//! keep passing its checks. fuzz/run.sh grows the corpus.

mod support;

use std::path::PathBuf;

fn inputs(target: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["fuzz/corpus", "fuzz/regressions"] {
        if let Ok(entries) = std::fs::read_dir(support::root().join(dir).join(target)) {
            files.extend(entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()));
        }
    }
    files.sort();
    files
}

fn replay(target: &str, run: &dyn Fn(&[u8])) {
    let files = inputs(target);
    assert!(
        files.len() >= 10,
        "{target}: only {} saved inputs",
        files.len()
    );
    for f in files {
        let data = std::fs::read(&f).unwrap();
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&data))).is_err() {
            panic!("{target}: {} crashes", f.display());
        }
    }
}

#[test]
fn conf_inputs() {
    replay("conf", &pgrepl::fuzz::conf);
}

#[test]
fn hba_inputs() {
    replay("hba", &pgrepl::fuzz::hba);
}

#[test]
fn conninfo_inputs() {
    replay("conninfo", &pgrepl::fuzz::conninfo);
}

#[test]
fn topology_inputs() {
    replay("topology", &pgrepl::fuzz::topology);
}

#[test]
fn lint_tree_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let scratch = dir.path().join("cluster");
    replay("lint_tree", &|data| pgrepl::fuzz::lint_tree(data, &scratch));
}
