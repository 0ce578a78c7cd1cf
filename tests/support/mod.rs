//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod certs;
pub mod lab;
pub mod lab_runbooks;
pub mod netns;
pub mod plan_checks;
pub mod real;

/// One test function per major for a scenario `fn scenario(major: u32)` of the test file,
/// skipped for majors outside PGREPL_PG_MAJORS (a failure then names scenario and major).
#[allow(unused_macros)]
macro_rules! per_major {
    ($($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[test] fn pg10() { run(10) }
                #[test] fn pg11() { run(11) }
                #[test] fn pg12() { run(12) }
                #[test] fn pg13() { run(13) }
                #[test] fn pg14() { run(14) }
                #[test] fn pg15() { run(15) }
                #[test] fn pg16() { run(16) }
                #[test] fn pg17() { run(17) }
                #[test] fn pg18() { run(18) }
                fn run(major: u32) {
                    if super::majors().contains(&major) {
                        super::$scenario(major);
                    }
                }
            }
        )*
    };
}

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `*.toml` directly in `dir` (relative to the crate root), sorted.
pub fn tomls(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

pub fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

/// Runs the pgrepl binary from the crate root (so relative paths in output are stable).
pub fn pgrepl(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pgrepl"))
        .current_dir(root())
        .args(["--color", "never"])
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run pgrepl")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// What a command printed, stdout then stderr (lint's report is on stdout, the lines about
/// what it read on stderr).
pub fn output(o: &Output) -> String {
    stdout(o) + &stderr(o)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The (rule, severity) of every finding of `pgrepl lint --format json` output.
pub fn lint_findings(o: &Output) -> Vec<(String, String)> {
    let json: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("lint output: {e}: {}", stderr(o)));
    json["findings"]
        .as_array()
        .expect("a findings array")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Renders a topology file through the library, returning the plan.
pub fn plan_for(source: &str) -> Vec<pgrepl::render::Artifact> {
    let loaded = pgrepl::topology::load(source);
    let topo = loaded.topology.unwrap_or_else(|| {
        panic!(
            "topology invalid: {}",
            pgrepl::diag::render("t", source, &loaded.diagnostics, pgrepl::diag::Style::PLAIN)
        )
    });
    let env = pgrepl::render::templates::environment(None).expect("templates");
    pgrepl::render::plan(&topo, &env).expect("render")
}

/// Whether a tool is installed; under CI it must be.
pub fn require_tool(tool: &str) -> bool {
    let found = Command::new(tool).arg("--version").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is required in CI (.ci/run installs it)"
        );
        eprintln!("skipping: {tool} is not installed (install it to run this test)");
    }
    found
}

/// Every file under `dir` with its mode and bytes, sorted, for before/after comparisons.
pub fn tree(dir: &Path) -> Vec<(String, u32, Vec<u8>)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Vec::new();
    if !dir.exists() {
        return out;
    }
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.push((
                    rel,
                    meta.permissions().mode() & 0o7777,
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}
