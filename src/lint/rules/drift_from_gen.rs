use std::path::Path;

use crate::lint::fleet::anchor;
use crate::lint::{Cluster, Findings, Fleet};
use crate::pgconf::conf::{ConfFile, Item, Setting};
use crate::render::{DROP_IN, HBA_BLOCK};

crate::declare_rule! {
    /// With `--topology`: a node's files differ from what `pgrepl gen` writes for it.
    ///
    /// ## Why it matters
    /// The topology is the reviewed intent; a hand edit on one server (a changed
    /// max_wal_senders in the drop-in, a record added inside the pgrepl block of pg_hba.conf,
    /// a later line in postgresql.conf or postgresql.auto.conf that overrides the drop-in)
    /// silently makes that node different, and the next `pgrepl gen` run undoes or fights it.
    /// Checked: `conf.d/pgrepl-replication.conf` byte for byte, that each of its settings is
    /// the one in effect, and the `# BEGIN pgrepl` block of pg_hba.conf. Without the drop-in
    /// (the node's postgresql.conf as `pgrepl gen --base` patches it), that each of the
    /// drop-in's settings is in effect with its value.
    ///
    /// ## Example
    /// `max_wal_senders = 5` in the topology, `max_wal_senders = 3` in the node's drop-in
    ///
    /// ## Use instead
    /// change the topology, run `pgrepl gen`, and install with the runbook
    pub static RULE = {
        code: "PGR028",
        name: "drift-from-gen",
        severity: Warning,
        majors: 10..=18,
        fleet_check: check,
    };
}

/// The byte offset of the first line where `have` and `want` differ, and that line of `want`
/// (None: `have` ends early).
fn first_difference<'w>(have: &str, want: &'w str) -> Option<(usize, Option<&'w str>)> {
    let mut offset = 0;
    let mut wanted = want.split_inclusive('\n');
    for line in have.split_inclusive('\n') {
        match wanted.next() {
            Some(w) if w == line => offset += line.len(),
            w => return Some((offset, w.map(str::trim_end))),
        }
    }
    wanted.next().map(|w| (offset, Some(w.trim_end())))
}

fn line_span(text: &str, at: usize) -> std::ops::Range<usize> {
    let end = text[at..].find('\n').map_or(text.len(), |e| at + e);
    at..end
}

fn report(
    f: &mut Findings,
    file: &Path,
    text: &str,
    at: usize,
    expected: Option<&str>,
    what: &str,
    node: &str,
) {
    let help = match expected {
        Some(line) => format!("pgrepl gen writes here: `{line}`; change the topology instead, then rerun gen and the runbook"),
        None => "pgrepl gen writes nothing more here; change the topology instead, then rerun gen and the runbook".to_owned(),
    };
    let d = f
        .diag(format!(
            "{what} differs from what pgrepl gen writes for node {node}"
        ))
        .label(line_span(text, at), "drifted")
        .help(help);
    f.add(file, d);
}

/// The settings of a file gen writes.
fn settings_of(text: &str) -> impl Iterator<Item = Box<Setting>> {
    ConfFile::parse(text.as_bytes().to_vec())
        .lines
        .into_iter()
        .filter_map(|l| match l.item {
            Item::Setting(s) => Some(s),
            _ => None,
        })
}

fn check_drop_in(c: &Cluster, want: &str, node: &str, f: &mut Findings) {
    let Some(conf) = &c.conf else { return };
    let Some((path, file)) = conf.files.iter().find(|(p, _)| p.ends_with(DROP_IN)) else {
        // `pgrepl gen --base` writes the same settings into the node's own postgresql.conf
        // instead: installed that way, each one is in effect with the drop-in's value.
        let missing: Vec<String> = settings_of(want)
            .filter(|s| {
                c.effective(&s.name)
                    .is_none_or(|w| w.setting.value != s.value)
            })
            .map(|s| match s.quoted {
                true => format!("{} = '{}'", s.name, s.value),
                false => format!("{} = {}", s.name, s.value),
            })
            .collect();
        if let (Some(at), false) = (anchor(c), missing.is_empty()) {
            let shown = missing.len().min(3);
            let more = match missing.len() - shown {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            let d = f
                .diag(format!(
                    "{DROP_IN} is not read by this cluster, and {} of the settings pgrepl gen intends for node {node} {} not in effect: {}{more}",
                    missing.len(),
                    if missing.len() == 1 { "is" } else { "are" },
                    missing[..shown].join(", ")
                ))
                .label(0..0, "no pgrepl drop-in")
                .help("run the node's runbook (30-install-config.sh installs it and makes postgresql.conf read conf.d), or install the postgresql.conf `pgrepl gen --base` patches");
            f.add(at, d);
        }
        return;
    };
    let have = String::from_utf8_lossy(&file.text);
    if let Some((at, expected)) = first_difference(&have, want) {
        report(f, path, &have, at, expected, DROP_IN, node);
    }
    // Every setting of the drop-in must be the one in effect, drifted or not: a later line
    // overriding it is a second problem, which fixing the drop-in alone would not solve.
    for s in settings_of(want) {
        let Some(winner) = c.effective(&s.name) else {
            continue;
        };
        if winner.file != path.as_path() {
            let d = f
                .diag(format!(
                    "{} here overrides {} = {} from {DROP_IN}",
                    s.name, s.name, s.value
                ))
                .label(winner.setting.value_span.clone(), "read after the drop-in: this value wins")
                .help(format!("remove this line (or ALTER SYSTEM RESET {}) so that the topology's value takes effect", s.name));
            f.add(winner.file, d);
        }
    }
}

fn check_hba_block(c: &Cluster, want: &str, node: &str, f: &mut Findings) {
    let Some(hba) = &c.hba else { return };
    let Ok(bytes) = std::fs::read(&hba.path) else {
        return;
    };
    let text = String::from_utf8_lossy(&bytes);
    let begin = want.lines().next().unwrap_or_default();
    let Some(start) = text
        .match_indices(begin)
        .map(|(i, _)| i)
        .find(|&i| i == 0 || text.as_bytes()[i - 1] == b'\n')
    else {
        let d = f
            .diag(format!("pg_hba.conf has no pgrepl block (`{begin}`): the replication records pgrepl gen intends for node {node} are not installed"))
            .label(0..0, "no pgrepl block")
            .help("run the node's runbook (30-install-config.sh puts the block at the top)");
        f.add(&hba.path, d);
        return;
    };
    let have = &text[start..];
    // Compare only the block's length of lines (what follows it is the user's).
    let lines = want.split_inclusive('\n').count();
    let block_len: usize = have.split_inclusive('\n').take(lines).map(str::len).sum();
    if let Some((at, expected)) = first_difference(&have[..block_len], want) {
        report(
            f,
            &hba.path,
            &text,
            start + at,
            expected,
            "the pgrepl block of pg_hba.conf",
            node,
        );
    }
}

fn check(fleet: &Fleet<'_>, f: &mut Findings) {
    let Some(intended) = fleet.intended else {
        return;
    };
    for (i, c) in fleet.clusters.iter().enumerate() {
        let Some(n) = fleet.node[i] else { continue };
        let node = &intended.topology.nodes[n].name;
        let artifact = |name: &str| {
            let path = format!("{node}/{name}");
            intended
                .plan
                .iter()
                .find(|a| a.path == path)
                .map(|a| a.contents.as_str())
        };
        if let Some(want) = artifact(DROP_IN) {
            check_drop_in(c, want, node, f);
        }
        if let Some(want) = artifact(HBA_BLOCK) {
            check_hba_block(c, want, node, f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::first_difference;

    #[test]
    fn differences_are_found_at_their_line() {
        assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
        assert_eq!(first_difference("a\nx\n", "a\nb\n"), Some((2, Some("b"))));
        assert_eq!(first_difference("a\n", "a\nb\n"), Some((2, Some("b"))));
        assert_eq!(first_difference("a\nb\nc\n", "a\nb\n"), Some((4, None)));
    }
}
