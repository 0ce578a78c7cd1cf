//! Every invalid topology under tests/invalid is rejected with pointed diagnostics
//! (snapshotted), a non-zero exit, and nothing written.

mod support;

use support::*;

#[test]
fn diagnostics_are_snapshotted() {
    for file in tomls("tests/invalid") {
        let source = std::fs::read_to_string(&file).unwrap();
        let loaded = pgrepl::topology::load(&source);
        assert!(loaded.has_errors(), "{} should be invalid", file.display());
        assert!(loaded.topology.is_none());
        for d in &loaded.diagnostics {
            assert!(
                !d.labels.is_empty(),
                "{}: {} has no label",
                file.display(),
                d.message
            );
            assert!(
                d.help.is_some(),
                "{}: {} has no help",
                file.display(),
                d.message
            );
        }
        let name = format!("tests/invalid/{}.toml", stem(&file));
        let shown = pgrepl::topology::redact_secrets(&source);
        let rendered = pgrepl::diag::render(
            &name,
            &shown,
            &loaded.diagnostics,
            pgrepl::diag::Style::PLAIN,
        );
        insta::assert_snapshot!(format!("invalid_{}", stem(&file)), rendered);
    }
}

#[test]
fn gen_writes_nothing_for_an_invalid_topology() {
    for file in tomls("tests/invalid") {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let o = pgrepl(&["gen", file.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{}: {}",
            file.display(),
            stderr(&o)
        );
        assert!(stderr(&o).contains("nothing was written"), "{}", stderr(&o));
        assert!(
            tree(tmp.path()).is_empty(),
            "{}: something was written",
            file.display()
        );
        assert!(!out.exists());
    }
}
