//! `pgrepl ansible`'s output without Ansible: what goes where, the inventory and playbook of
//! the examples (snapshots, reviewed), and the errors.

mod support;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

fn scratch(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("pgrepl-ansible-{tag}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

#[test]
fn examples_inventory_and_playbook() {
    let out = scratch("examples");
    let o = support::pgrepl(&[
        "ansible",
        &example("guide.toml"),
        &example("cascade.toml"),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", support::stderr(&o));
    for f in ["inventory.yml", "site.yml", "setup-steps.yml"] {
        let text = fs::read_to_string(out.join(f)).unwrap();
        insta::assert_snapshot!(format!("ansible_{f}"), text);
    }
    // gen's own bytes, per cluster.
    let gen_out = scratch("gen");
    let g = support::pgrepl(&[
        "gen",
        &example("guide.toml"),
        "-o",
        gen_out.to_str().unwrap(),
    ]);
    assert!(g.status.success());
    let runbook = fs::read(gen_out.join("RUNBOOK.md")).unwrap();
    let cluster_dir = fs::read_dir(out.join("files")).unwrap().count();
    assert_eq!(cluster_dir, 2);
    let guide = fs::read_dir(out.join("files"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.join("RUNBOOK.md").exists() && fs::read(p.join("RUNBOOK.md")).unwrap() == runbook
        });
    assert!(guide.is_some(), "the guide's RUNBOOK.md is not gen's");
    let _ = fs::remove_dir_all(&out);
    let _ = fs::remove_dir_all(&gen_out);
}

#[test]
fn literal_passwords_go_to_secrets_0600() {
    let dir = scratch("literal");
    fs::create_dir_all(&dir).unwrap();
    let topo = fs::read_to_string(example("guide.toml")).unwrap().replace(
        "user = \"replicator\"\n",
        "user = \"replicator\"\npassword = { literal = \"pw-in-topology\" }\n",
    );
    assert!(
        topo.contains("pw-in-topology"),
        "the example changed: adapt this test"
    );
    let file = dir.join("t.toml");
    fs::write(&file, topo).unwrap();
    let out = dir.join("out");
    let o = support::pgrepl(&[
        "ansible",
        file.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", support::stderr(&o));
    let mut secrets = 0;
    for entry in walk(&out) {
        let text = fs::read(&entry).unwrap();
        let holds = text.windows(14).any(|w| w == b"pw-in-topology");
        let rel = entry
            .strip_prefix(&out)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if holds {
            assert!(rel.starts_with("secrets/"), "{rel} holds the password");
            assert_eq!(
                fs::metadata(&entry).unwrap().permissions().mode() & 0o777,
                0o600,
                "{rel}"
            );
            secrets += 1;
        }
    }
    assert_eq!(secrets, 2, "one secrets file per node");
    let inventory = fs::read_to_string(out.join("inventory.yml")).unwrap();
    assert!(
        inventory.contains("pgrepl_secrets:\n                - \"secrets/replication-password\""),
        "{inventory}"
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn two_clusters_of_one_name_are_refused() {
    let out = scratch("same");
    let o = support::pgrepl(&[
        "ansible",
        &example("guide.toml"),
        &example("guide.toml"),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", support::stderr(&o));
    let err = support::stderr(&o);
    assert!(err.contains("would both be the inventory group"), "{err}");
    assert!(
        err.contains("nothing was written") && !out.exists(),
        "{err}"
    );
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
