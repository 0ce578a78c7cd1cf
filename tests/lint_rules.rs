//! Every lint rule has a `bad` and a `good` fixture under tests/lint/<code>/: the bad one
//! triggers the rule (its diagnostics are snapshotted), the good one does not.

mod support;

use std::path::PathBuf;

use pgrepl::lint;

fn findings_of(dir: &PathBuf, code: &str) -> Vec<lint::Finding> {
    // git keeps no directory modes: a fixture says its own in `.mode` (octal).
    if let Ok(mode) = std::fs::read_to_string(dir.join(".mode")) {
        let mode = u32::from_str_radix(mode.trim(), 8).unwrap();
        std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
    }
    lint_dir(dir)
        .into_iter()
        .filter(|f| f.diagnostic.code == code)
        .collect()
}

/// Every finding in a fixture directory; a `topology.toml` in it is the intended cluster
/// (as `--topology`).
fn lint_dir(dir: &PathBuf) -> Vec<lint::Finding> {
    let clusters = lint::discover::discover(std::slice::from_ref(dir), None).unwrap();
    let topology = dir.join("topology.toml");
    let intended = topology.is_file().then(|| {
        let loaded = pgrepl::topology::load(&std::fs::read_to_string(&topology).unwrap());
        let valid = loaded.topology.expect("a valid fixture topology");
        lint::Intended::new(&topology, valid).unwrap()
    });
    lint::check(&lint::Fleet::new(&clusters, intended.as_ref()))
}

#[test]
fn every_rule_has_fixtures_that_prove_it() {
    for rule in lint::rules::ALL {
        let base = support::root().join("tests/lint").join(rule.code);
        let (bad, good) = (base.join("bad"), base.join("good"));
        assert!(
            bad.is_dir() && good.is_dir(),
            "{}: tests/lint/{0}/bad and good are required",
            rule.code
        );
        let found = findings_of(&bad, rule.code);
        assert!(
            !found.is_empty(),
            "{} ({}): the bad fixture is not reported",
            rule.code,
            rule.name
        );
        let clean = findings_of(&good, rule.code);
        assert!(
            clean.is_empty(),
            "{} ({}): the good fixture is reported: {:?}",
            rule.code,
            rule.name,
            clean[0].diagnostic.message
        );
        // Relative paths in the snapshot, so that it does not depend on the checkout.
        // Texts too, before rendering: miette wraps at 80 columns, so a long checkout path
        // would wrap differently and no longer be found by a replace afterwards.
        let prefix = format!("{}/", support::root().display());
        let relative = |text: &mut String| *text = text.replace(&prefix, "");
        let mut rel: Vec<lint::Finding> = found;
        for f in &mut rel {
            if let Ok(relative) = f.file.strip_prefix(support::root()) {
                f.file = relative.into();
            }
            relative(&mut f.diagnostic.message);
            if let Some(help) = &mut f.diagnostic.help {
                relative(help.to_mut());
            }
            f.diagnostic
                .labels
                .iter_mut()
                .for_each(|l| relative(l.text.to_mut()));
        }
        let cwd = std::env::current_dir().unwrap();
        std::env::set_current_dir(support::root()).unwrap();
        let rendered = pgrepl::report::human(&rel, pgrepl::diag::Style::PLAIN);
        std::env::set_current_dir(cwd).unwrap();
        insta::assert_snapshot!(format!("lint_{}_{}", rule.code, rule.name), rendered);
    }
}

/// A suppression comment silences its rule on its line, and only there.
#[test]
fn suppressions_silence_their_rule_on_their_line() {
    let good = support::root().join("tests/lint/PGR018/good");
    let all = lint_dir(&good);
    assert!(
        all.is_empty(),
        "{:?}",
        all.iter()
            .map(|f| &f.diagnostic.message)
            .collect::<Vec<_>>()
    );
    let bad = support::root().join("tests/lint/PGR018/bad");
    let codes: Vec<&str> = lint_dir(&bad)
        .into_iter()
        .map(|f| f.diagnostic.code)
        .collect();
    assert_eq!(
        codes,
        ["PGR008", "PGR018"],
        "a misspelt suppression silences nothing"
    );
}
