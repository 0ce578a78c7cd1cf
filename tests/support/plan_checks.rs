//! What the plan tests check on a lab after a plan: the topologies they plan between, and
//! that the installed files are gen's, lint finds nothing, and who streams from whom.

use std::fs;
use std::path::PathBuf;

use super::lab::Lab;

/// A lab of `names` (the first the primary, the others its standbys) set up by gen's
/// runbook, initdb given `initdb`, the configuration outside the data directories if
/// `split_config`, the topology changed by `edit`: the lab, its topology and gen's output
/// directory. `None` when the major's binaries are missing.
pub fn running_lab(
    major: u32,
    scenario: u16,
    names: &[&'static str],
    initdb: &[&str],
    split_config: bool,
    edit: impl Fn(String) -> String,
) -> Option<(Lab, String, PathBuf)> {
    let mut lab = Lab::new(major, scenario, names)?;
    lab.split_config = split_config;
    for n in names {
        lab.init_server_with(n, initdb);
    }
    let first = edit(topology(&lab, names, &[], ""));
    let out = lab.generate(&first);
    lab.run_runbook(&out, false);
    Some((lab, first, out))
}

/// The lab's topology with these nodes and settings.
pub fn topology(lab: &Lab, names: &[&str], upstreams: &[(&str, &str)], settings: &str) -> String {
    lab.topology(&format!(
        "[postgresql]\nlisten_addresses = \"127.0.0.1\"\nmax_slot_wal_keep_size = \"1GB\"\n{settings}\n{}",
        lab.nodes_toml_of(names, upstreams)
    ))
}

pub fn start_time(lab: &Lab, node: &str) -> String {
    lab.sql(node, "SELECT pg_postmaster_start_time()")
}

/// The node's installed drop-in and pg_hba block are what `gen` writes for `topology`.
pub fn installed_as_generated(lab: &Lab, topology: &str, nodes: &[&str], what: &str) {
    let out = lab.generate_as(topology, &format!("gen-{what}"));
    for node in nodes {
        let written =
            fs::read_to_string(out.join(node).join("conf.d/pgrepl-replication.conf")).unwrap();
        let installed =
            fs::read_to_string(lab.config(node).join("conf.d/pgrepl-replication.conf")).unwrap();
        assert_eq!(
            installed, written,
            "PG{}: {what}: {node}'s drop-in is not what gen writes",
            lab.major
        );
        let block = fs::read_to_string(out.join(node).join("pg_hba-replication.conf")).unwrap();
        let hba = fs::read_to_string(lab.config(node).join("pg_hba.conf")).unwrap();
        assert!(
            hba.contains(block.trim_end()),
            "PG{}: {what}: {node}'s pg_hba.conf lacks gen's block",
            lab.major
        );
    }
}

/// `pgrepl lint --topology` over the nodes: no finding at all.
pub fn lint_clean(lab: &Lab, topology: &str, nodes: &[&str], what: &str) {
    let file = lab.dir.join(format!("lint-{what}.toml"));
    fs::write(&file, topology).unwrap();
    let mut args = vec!["lint".to_owned()];
    args.extend(nodes.iter().map(|n| lab.config(n).display().to_string()));
    args.extend([
        "--topology".into(),
        file.display().to_string(),
        "--format".into(),
        "json".into(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = super::pgrepl(&args);
    let findings = super::lint_findings(&o);
    assert!(
        findings.is_empty(),
        "PG{}: {what}: lint --topology: {findings:?}",
        lab.major
    );
}

pub fn streaming(lab: &Lab, upstream: &str) -> String {
    lab.sql(
        upstream,
        "SELECT coalesce(string_agg(application_name || ':' || state, ',' ORDER BY application_name), '') FROM pg_stat_replication",
    )
}

pub fn slots(lab: &Lab, node: &str) -> String {
    lab.sql(
        node,
        "SELECT coalesce(string_agg(slot_name || ':' || active, ',' ORDER BY slot_name), '') FROM pg_replication_slots",
    )
}

pub fn timed(times: &mut Vec<String>, what: &str, f: impl FnOnce()) {
    let start = std::time::Instant::now();
    f();
    times.push(format!("{what} {} ms", start.elapsed().as_millis()));
}

/// `first` (vm1 the primary, vm2 and vm3 its standbys) with vm2 the primary and vm1 and vm3
/// streaming from it (vm3 where it has one).
pub fn swap_primary(first: &str) -> String {
    let mut t = first.to_owned();
    t = t.replacen("role = \"primary\"", "role = \"PRIMARY\"", 1);
    t = t.replacen(
        "name = \"vm2\"\nrole = \"standby\"",
        "name = \"vm2\"\nrole = \"primary\"",
        1,
    );
    t = t.replacen(
        "role = \"PRIMARY\"",
        "role = \"standby\"\nupstream = \"vm2\"",
        1,
    );
    t.replacen(
        "name = \"vm3\"\nrole = \"standby\"",
        "name = \"vm3\"\nrole = \"standby\"\nupstream = \"vm2\"",
        1,
    )
}
